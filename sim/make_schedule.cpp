#include "sim/async_schedule.hpp"
#include "sim/error.hpp"
#include "sim/schedule.hpp"
#include "sim/sync_schedule.hpp"

namespace hetsim::sim {

std::unique_ptr<Schedule> make_schedule(const WorldSpec& spec, TrainerHooks* hooks, bool trace) {
    switch (spec.algorithm.kind) {
    case ScheduleKind::sync:
    case ScheduleKind::ddp: return std::make_unique<SyncSchedule>(spec, hooks, trace);
    case ScheduleKind::async: return std::make_unique<AsyncSchedule>(spec, hooks, trace);
    case ScheduleKind::fedbuff: return std::make_unique<FedBuffSchedule>(spec, hooks, trace);
    }
    HETSIM_ASSERT(false, "unknown schedule kind");
    return nullptr;
}

RunResult run_schedule(const WorldSpec& spec, TrainerHooks* hooks, bool trace) {
    return make_schedule(spec, hooks, trace)->run();
}

}  // namespace hetsim::sim
