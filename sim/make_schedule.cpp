#include "sim/async_schedule.hpp"
#include "sim/error.hpp"
#include "sim/schedule.hpp"
#include "sim/sync_schedule.hpp"

namespace hetsim::sim {

std::unique_ptr<Schedule> make_schedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record) {
    switch (spec.algorithm.kind) {
    case ScheduleKind::sync:
    case ScheduleKind::ddp: return std::make_unique<SyncSchedule>(spec, hooks, record);
    case ScheduleKind::async: return std::make_unique<AsyncSchedule>(spec, hooks, record);
    case ScheduleKind::fedbuff: return std::make_unique<FedBuffSchedule>(spec, hooks, record);
    }
    HETSIM_ASSERT(false, "unknown schedule kind");
    return nullptr;
}

RunResult run_schedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record) {
    return make_schedule(spec, hooks, record)->run();
}

}  // namespace hetsim::sim
