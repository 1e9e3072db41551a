#include "scenarios/scenario_loader.hpp"
