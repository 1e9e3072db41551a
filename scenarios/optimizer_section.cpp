// [inner], [outer], [aggregation] and [eval]: how workers and the server update the model.
#include "scenarios/sections.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

namespace hetsim::scenarios::detail {
namespace {

constexpr std::array<std::string_view, 4> kInner{"sgd", "adamw", "rmsprop", "delta-sgd"};
constexpr std::array<std::string_view, 4> kOuter{"sgd", "nesterov", "adam", "delayed-nesterov"};
constexpr std::array<std::string_view, 3> kStaleness{"constant", "polynomial", "hinge"};
constexpr std::array<std::string_view, 2> kSchedules{"constant", "cosine"};
constexpr std::array<std::string_view, 2> kIndexedBy{"worker", "shard"};

double num(TableReader& t, std::string_view key, NumberRange range, double fallback) {
    return t.number(key, range).value_or(fallback);
}

LrScheduleSpec read_schedule(TableReader s) {
    LrScheduleSpec spec;
    spec.kind = pick(s, "kind", kSchedules, spec.kind);
    spec.warmup_steps = s.integer("warmup_steps", IntRange{0}).value_or(0);
    spec.total_steps = s.integer("total_steps", IntRange{1}).value_or(0);
    spec.min_lr = num(s, "min_lr", NumberRange::at_least(0.0), 0.0);
    spec.indexed_by = pick(s, "indexed_by", kIndexedBy, spec.indexed_by);
    s.finish();
    return spec;
}

void read_delta_sgd(TableReader d, InnerOptimizerSpec& spec) {
    spec.delta_eta0 = num(d, "eta0", NumberRange::positive(), spec.delta_eta0);
    spec.delta_theta0 = num(d, "theta0", NumberRange::positive(), spec.delta_theta0);
    spec.delta_gamma = num(d, "gamma", NumberRange::positive(), spec.delta_gamma);
    spec.delta_delta = num(d, "delta", NumberRange::positive(), spec.delta_delta);
    d.finish();
}

// Inner steps that one server update applies, all workers together: a sync (or ddp) round
// holds every worker's H steps, an async update one worker's, a fedbuff step `buffer` of them.
std::int64_t steps_per_update(const sim::WorldSpec& world) {
    const auto k = static_cast<std::int64_t>(world.workers.size());
    const std::int64_t h = world.algorithm.inner_steps;
    switch (world.algorithm.kind) {
    case sim::ScheduleKind::sync:
    case sim::ScheduleKind::ddp: return k * h;
    case sim::ScheduleKind::fedbuff: return h * world.algorithm.buffer;
    case sim::ScheduleKind::async: break;
    }
    return h;
}

// Inner steps the run applies, all workers together, when its step limits tell (the smaller
// of the two when both are set: the run stops at the first); 0 for a duration-only run.
std::int64_t run_inner_steps(const sim::WorldSpec& world) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    std::int64_t total = 0;
    if (const auto& updates = world.stop.server_updates)  // saturating: updates are unbounded
        total = *updates > kMax / steps_per_update(world) ? kMax
                                                           : *updates * steps_per_update(world);
    if (world.stop.inner_steps)
        total = total > 0 ? std::min(total, *world.stop.inner_steps) : *world.stop.inner_steps;
    return total;
}

// QSR's H = (alpha / lr)^2 needs lr > 0, and a cosine schedule ends at min_lr.
void check_qsr_min_lr(TableReader& schedule_table, const LrScheduleSpec& schedule) {
    if (schedule.min_lr > 0.0) return;
    const std::string key = schedule_table.key_path("min_lr");
    const std::string expected = "a number > 0 with local_steps = \"qsr\" (QSR's H = (alpha / "
                                 "lr)^2 needs lr > 0 once the cosine has decayed)";
    if (const toml::node* node = schedule_table.get("min_lr")) fail(*node, key, expected);
    throw ScenarioError(schedule_table.position(), key, expected, "nothing (min_lr defaults to 0)");
}

// The fused AdamW kernel works on CPU float32 arrays and has no coordinate clipping. Since it
// changes results, asking for it where it cannot apply is an error, not silently ignored.
void check_fused(TableReader& inner, const InnerOptimizerSpec& spec, const ModelSpec& model) {
    if (!spec.fused) return;
    const toml::node& node = *inner.get("fused");
    const std::string key = inner.key_path("fused");
    if (spec.kind != "adamw")
        fail(node, key,
             fmt::format(R"(false with optimizer = "{}" (the fused kernel is AdamW's))", spec.kind));
    if (spec.clip_fraction > 0.0)
        fail(node, key, "false with clip_fraction > 0 (the fused kernel does not clip coordinates)");
    if (model.kind != "none" && model.device != "cpu")
        fail(node, key,
             fmt::format(R"(false with model.device = "{}" (the fused kernel runs on CPU float32 )"
                         "parameters only)",
                         model.device));
}

}  // namespace

InnerOptimizerSpec read_inner(TableReader inner, const ModelSpec& model) {
    InnerOptimizerSpec spec;
    spec.kind = pick(inner, "optimizer", kInner, spec.kind);
    spec.lr = num(inner, "lr", NumberRange::positive(), spec.kind == "sgd" ? 0.1 : spec.lr);
    spec.momentum = num(inner, "momentum", {0.0, false, 1.0, true}, 0.0);
    spec.nesterov = inner.boolean("nesterov").value_or(false);
    if (spec.nesterov && spec.momentum == 0.0)
        fail(*inner.get("nesterov"), inner.key_path("nesterov"),
             "false with inner.momentum = 0 (Nesterov needs a momentum > 0)");
    spec.beta1 = num(inner, "beta1", {0.0, false, 1.0, true}, spec.beta1);
    spec.beta2 = num(inner, "beta2", {0.0, false, 1.0, true}, spec.beta2);
    spec.alpha = num(inner, "alpha", {0.0, false, 1.0, true}, spec.alpha);
    spec.eps = num(inner, "eps", NumberRange::positive(), spec.eps);
    spec.weight_decay = num(inner, "weight_decay", NumberRange::at_least(0.0), 0.0);
    spec.reset_each_round = inner.boolean("reset_each_round").value_or(false);
    spec.clip_norm = num(inner, "clip_norm", NumberRange::at_least(0.0), 0.0);
    spec.clip_fraction = num(inner, "clip_fraction", {0.0, false, 1.0, true}, 0.0);
    spec.fused = inner.boolean("fused").value_or(false);
    check_fused(inner, spec, model);
    if (auto d = inner.table("delta_sgd")) read_delta_sgd(*d, spec);
    if (auto s = inner.table("schedule")) spec.schedule = read_schedule(*s);
    inner.finish();
    return spec;
}

OuterOptimizerSpec read_outer(TableReader outer) {
    OuterOptimizerSpec spec;
    spec.kind = pick(outer, "optimizer", kOuter, spec.kind);
    // DiLoCo's outer Nesterov: lr 0.7, momentum 0.9; plain SGD defaults to lr 1 (FedAvg).
    spec.lr = num(outer, "lr", NumberRange::positive(), spec.kind == "sgd" ? 1.0
                                                        : spec.kind == "adam" ? 1e-3
                                                                              : spec.lr);
    const double default_momentum = spec.kind == "sgd" ? 0.0 : spec.momentum;
    spec.momentum = num(outer, "momentum", {0.0, false, 1.0, true}, default_momentum);
    spec.beta1 = num(outer, "beta1", {0.0, false, 1.0, true}, spec.beta1);
    spec.beta2 = num(outer, "beta2", {0.0, false, 1.0, true}, spec.beta2);
    spec.eps = num(outer, "eps", NumberRange::positive(), spec.eps);
    if (auto dn = outer.table("delayed_nesterov")) {
        if (spec.kind != "delayed-nesterov")
            fail(*outer.get("delayed_nesterov"), outer.key_path("delayed_nesterov"),
                 "[outer.delayed_nesterov] only with optimizer = \"delayed-nesterov\"",
                 fmt::format("optimizer = \"{}\"", spec.kind));
        spec.buffer = static_cast<int>(dn->integer("buffer", {1, 1'000'000}).value_or(1));
        const double max_c = 1.0 / spec.buffer;
        spec.activation = num(*dn, "activation", NumberRange::closed(0.0, max_c), 0.0);
        dn->finish();
    }
    outer.finish();
    return spec;
}

AggregationSpec read_aggregation(TableReader aggregation) {
    AggregationSpec spec;
    spec.staleness = pick(aggregation, "staleness", kStaleness, spec.staleness);
    spec.weight = num(aggregation, "weight", NumberRange::positive(), 1.0);
    spec.a = num(aggregation, "a", NumberRange::at_least(0.0), spec.a);
    spec.b = num(aggregation, "b", NumberRange::at_least(0.0), spec.b);
    spec.drop_above = aggregation.integer("drop_above", IntRange{0});
    aggregation.finish();
    return spec;
}

EvalSpec read_eval(TableReader eval, const sim::WorldSpec& world) {
    EvalSpec spec;
    if (auto every = eval.duration("every", TimeRange::positive())) spec.every_ns = every->count();
    spec.every_updates = eval.integer("every_updates", IntRange{1});
    spec.batch_size = static_cast<int>(eval.integer("batch_size", {1, 1 << 20}).value_or(64));
    eval.finish();
    if (spec.every_ns || spec.every_updates) return spec;
    // About 20 points over the run: by virtual time when the run has a duration, else by
    // server updates (the run's inner-step limit converted to updates when it is the smaller).
    if (world.stop.duration) {
        spec.every_ns = std::max<std::int64_t>(1, world.stop.duration->count() / 20);
        return spec;
    }
    const std::int64_t updates = run_inner_steps(world) / steps_per_update(world);
    spec.every_updates = std::max<std::int64_t>(1, updates / 20);
    return spec;
}

PretrainSpec read_pretrain(TableReader pretrain, const InnerOptimizerSpec& inner,
                           const DataSpec& data) {
    PretrainSpec spec;
    spec.steps = pretrain.integer("steps", {0, 100'000'000}).value_or(0);
    spec.lr = num(pretrain, "lr", NumberRange::positive(), inner.lr);
    spec.warmup_steps = pretrain.integer("warmup_steps", {0, 100'000'000}).value_or(0);
    spec.batch_size =
        static_cast<int>(pretrain.integer("batch_size", {1, 1 << 20}).value_or(data.batch_size));
    spec.seed = static_cast<std::uint64_t>(pretrain.integer("seed", IntRange{0}).value_or(0));
    pretrain.finish();
    return spec;
}

void complete_training(TrainingSpec& training, const sim::WorldSpec& world,
                       const TableReader& inner) {
    LrScheduleSpec& schedule = training.inner.schedule;
    if (schedule.kind != "cosine") return;
    TableReader table = *TableReader(inner).table("schedule");  // cosine needs the table
    if (training.qsr.enabled) check_qsr_min_lr(table, schedule);
    if (schedule.total_steps > 0) return;
    const std::int64_t steps = run_inner_steps(world);
    if (steps == 0)
        throw ScenarioError(table.position(), table.key_path("total_steps"),
                            "the cosine schedule's length in steps (it is derived from "
                            "run.server_updates or run.inner_steps, never from run.duration)",
                            "nothing");
    // Steps one worker (or one shard, when the schedule is indexed by shard) takes over the
    // run: the run's inner steps shared evenly among them.
    const bool by_shard = schedule.indexed_by == "shard" && training.data.shards > 0;
    const std::int64_t counters =
        by_shard ? training.data.shards : static_cast<std::int64_t>(world.workers.size());
    schedule.total_steps = std::max<std::int64_t>(1, steps / counters - schedule.warmup_steps);
}

}  // namespace hetsim::scenarios::detail
