#include "tests/torch_test.hpp"
