#pragma once
// Synchronous rounds (Local-SGD / DiLoCo / FedAvg, and data-parallel `ddp` with H = 1): all
// live workers start from version v, do their inner steps and exchange results; the round ends
// when the last result arrives, and the server steps to version v+1.

#include "sim/schedule.hpp"

namespace hetsim::sim {

/// Exchange through a parameter server (pull, compute, push) or a ring all-reduce (compute,
/// then one all-reduce among the round's workers once the last has computed). A worker that
/// fails mid-round is waited for (it redoes its round from version v when it is back) or,
/// with drop_failed_after, left out of the round if it has not delivered that long after it
/// failed. Workers down when a round starts sit it out. A worker that leaves the pool is not
/// waited for (the round ends with the others); one that joins takes part from the next round.
/// With drop_probability, an update dropped at the server is left out of the round's average. In ring mode a worker that comes back
/// first pulls the model (from a peer, over its own down link).
class SyncSchedule final : public Schedule {
public:
    SyncSchedule(const WorldSpec& spec, TrainerHooks* hooks, const RecordOptions& record);

private:
    struct Member {
        bool in = false;       // takes part in the current round
        bool done = false;     // its result arrived (PS) or is computed (ring)
        bool dropped = false;  // left out after a failure
        EventId drop_timer;
    };

    void start() override { begin_round(); }
    void on_compute_done(int w) override;
    void on_push_arrived(int w) override;
    void on_failed(int w, Phase was) override;
    void on_left(int w, Phase was) override;
    void on_recovered(int w) override;

    void begin_round();
    void mark_done(int w);
    void maybe_finish();
    void start_allreduce();
    void allreduce_done();
    void drop(int w);
    void finish_round();

    bool ring_;
    std::vector<Member> members_;
    std::vector<int> participants_;      // workers in the current round, by id
    std::vector<bool> needs_pull_;       // ring mode: holds no current model
    std::vector<PendingUpdate> pending_;
    int outstanding_ = 0;                // members neither done nor dropped
    bool round_open_ = false;
    bool allreducing_ = false;
    bool waiting_for_live_ = false;      // no live worker when a round was due
};

}  // namespace hetsim::sim
