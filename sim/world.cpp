#include "sim/world.hpp"

namespace hetsim::sim {

const char* to_string(ScheduleKind kind) {
    switch (kind) {
    case ScheduleKind::sync: return "sync";
    case ScheduleKind::async: return "async";
    case ScheduleKind::fedbuff: return "fedbuff";
    case ScheduleKind::ddp: return "ddp";
    }
    return "?";
}

const char* to_string(Collective collective) {
    switch (collective) {
    case Collective::parameter_server: return "parameter-server";
    case Collective::ring: return "ring";
    }
    return "?";
}

const char* to_string(LocalStepPolicy policy) {
    switch (policy) {
    case LocalStepPolicy::fixed: return "fixed";
    case LocalStepPolicy::dylu: return "dylu";
    }
    return "?";
}

}  // namespace hetsim::sim
