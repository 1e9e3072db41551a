#include "scenarios/sections.hpp"

#include <fmt/format.h>

#include <array>
#include <initializer_list>

namespace hetsim::scenarios::detail {
namespace {

using sim::ScheduleKind;

constexpr std::int64_t kMaxSteps = 1'000'000'000;  // fits AlgorithmSpec's int fields

constexpr std::array<std::string_view, 4> kKinds{"sync", "async", "fedbuff", "ddp"};
constexpr std::array<ScheduleKind, 4> kKindValues{ScheduleKind::sync, ScheduleKind::async,
                                                  ScheduleKind::fedbuff, ScheduleKind::ddp};
constexpr std::array<std::string_view, 3> kPolicies{"fixed", "dylu", "qsr"};
constexpr std::array<std::string_view, 2> kCollectives{"parameter-server", "ring"};

// Rejects `key` when it is set for a kind it does not apply to.
void only_for(TableReader& algorithm, std::string_view key, ScheduleKind kind,
              std::initializer_list<ScheduleKind> allowed) {
    const toml::node* node = algorithm.get(key);
    if (node == nullptr) return;
    std::string kinds;
    for (const ScheduleKind k : allowed) {
        if (k == kind) return;
        kinds += fmt::format("{}\"{}\"", kinds.empty() ? "" : " or ", sim::to_string(k));
    }
    fail(*node, algorithm.key_path(key),
         fmt::format("no `{}` with kind = \"{}\" (it applies to kind = {} only)", key,
                     sim::to_string(kind), kinds));
}

ScheduleKind read_kind(TableReader& algorithm) {
    const auto index = algorithm.choice("kind", kKinds);
    if (!index)
        algorithm.missing("kind", R"(the schedule, one of "sync", "async", "fedbuff", "ddp")");
    return kKindValues[*index];
}

int read_inner_steps(TableReader& algorithm, ScheduleKind kind) {
    const toml::node* node = algorithm.get("inner_steps");
    if (kind == ScheduleKind::ddp) {
        if (node != nullptr && !(node->as_integer() && **node->as_integer() == 1))
            fail(*node, algorithm.key_path("inner_steps"),
                 "1 or nothing with kind = \"ddp\" (ddp exchanges gradients after every step)");
        return 1;
    }
    if (node == nullptr) return 50;
    return static_cast<int>(to_integer(*node, algorithm.key_path("inner_steps"), {1, kMaxSteps}));
}

// [algorithm.qsr]: QSR (Gu et al. 2024) plans H from the inner learning rate; the schedule
// keeps H = inner_steps as H_base and the trainer raises it. `policy` is local_steps.
void read_qsr(TableReader& algorithm, std::string_view policy, QsrSpec& qsr) {
    const toml::node* node = algorithm.get("qsr");
    qsr.enabled = policy == "qsr";
    if (node == nullptr) return;
    if (!qsr.enabled)
        fail(*node, algorithm.key_path("qsr"), "[algorithm.qsr] only with local_steps = \"qsr\"",
             fmt::format("local_steps = \"{}\"", policy));
    auto table = algorithm.table("qsr");
    qsr.alpha = table->number("alpha", NumberRange::positive()).value_or(qsr.alpha);
    table->finish();
}

// local_steps, [algorithm.dylu] and [algorithm.qsr].
void read_local_steps(TableReader& algorithm, sim::AlgorithmSpec& spec, QsrSpec& qsr) {
    const std::string_view policy =
        kPolicies[algorithm.choice("local_steps", kPolicies).value_or(0)];
    if (policy != "fixed" && spec.kind == ScheduleKind::ddp)
        fail(*algorithm.get("local_steps"), algorithm.key_path("local_steps"),
             "\"fixed\" with kind = \"ddp\" (every ddp round is one step)");
    if (policy == "dylu") spec.local_steps = sim::LocalStepPolicy::dylu;
    read_qsr(algorithm, policy, qsr);
    const toml::node* node = algorithm.get("dylu");
    if (node == nullptr) return;
    if (policy != "dylu")
        fail(*node, algorithm.key_path("dylu"), "[algorithm.dylu] only with local_steps = \"dylu\"",
             fmt::format("local_steps = \"{}\"", policy));
    auto table = algorithm.table("dylu");
    const toml::node* min_steps = table->get("min_steps");
    table->finish();
    if (min_steps == nullptr) return;
    const std::string key = table->key_path("min_steps");
    const std::int64_t n = to_integer(*min_steps, key, IntRange{1});
    if (n > spec.inner_steps)
        fail(*min_steps, key, fmt::format("at most inner_steps ({})", spec.inner_steps));
    spec.dylu_min_steps = static_cast<int>(n);
}

void read_kind_specific(TableReader& algorithm, sim::AlgorithmSpec& spec) {
    using enum ScheduleKind;
    only_for(algorithm, "grace_period", spec.kind, {async});
    only_for(algorithm, "buffer", spec.kind, {fedbuff});
    only_for(algorithm, "collective", spec.kind, {sync, ddp});
    only_for(algorithm, "drop_failed_after", spec.kind, {sync, ddp});
    if (auto grace = algorithm.duration("grace_period", TimeRange::non_negative()))
        spec.grace_period = *grace;
    const auto buffer = algorithm.integer("buffer", {1, kMaxWorkers});
    if (spec.kind == fedbuff && !buffer)
        algorithm.missing("buffer",
                          "the number of updates per server step with kind = "
                          "\"fedbuff\", an integer >= 1");
    if (buffer) spec.buffer = static_cast<int>(*buffer);
    spec.collective = spec.kind == ddp ? sim::Collective::ring : sim::Collective::parameter_server;
    if (auto collective = algorithm.choice("collective", kCollectives))
        spec.collective =
            *collective == 0 ? sim::Collective::parameter_server : sim::Collective::ring;
    spec.drop_failed_after = algorithm.duration("drop_failed_after", TimeRange::non_negative());
    // DiLoCo's dropped outer gradients; 1 is refused: nothing would ever be applied, and a run
    // stopping by server_updates would never end.
    spec.drop_probability =
        algorithm.number("drop_probability", NumberRange{0.0, false, 1.0, true}).value_or(0.0);
}

}  // namespace

sim::AlgorithmSpec read_algorithm(TableReader algorithm, QsrSpec& qsr) {
    sim::AlgorithmSpec spec;
    spec.kind = read_kind(algorithm);
    spec.inner_steps = read_inner_steps(algorithm, spec.kind);
    read_local_steps(algorithm, spec, qsr);
    read_kind_specific(algorithm, spec);
    algorithm.finish();
    return spec;
}

namespace {

// run.replica_batch > 1 computes ready rounds together on the main thread: it excludes a pool
// of round threads (threads then defaults to 1) and needs a model to batch.
void read_replica_batch(TableReader& run, TrainingSpec& training) {
    training.replica_batch = static_cast<int>(run.integer("replica_batch", {1, 4096}).value_or(1));
    if (training.replica_batch == 1) return;
    const toml::node& node = *run.get("replica_batch");
    const std::string key = run.key_path("replica_batch");
    if (training.model.kind == "none")
        fail(node, key, R"(1 with model.kind = "none" (a timing-only run computes no rounds))");
    if (training.threads > 1)
        fail(node, key,
             fmt::format("1 with run.threads = {} (batched rounds are computed on one thread: "
                         "leave run.threads out or set it to 1)",
                         training.threads));
    training.threads = 1;
}

}  // namespace

sim::StopSpec read_run(TableReader run, TrainingSpec& training) {
    sim::StopSpec stop;
    stop.duration = run.duration("duration", TimeRange::positive());
    stop.server_updates = run.integer("server_updates", IntRange{1});
    stop.inner_steps = run.integer("inner_steps", IntRange{1});
    // 0: all cores
    training.threads = static_cast<int>(run.integer("threads", {1, 1024}).value_or(0));
    read_replica_batch(run, training);
    run.finish();
    if (!stop.duration && !stop.server_updates && !stop.inner_steps)
        throw ScenarioError(run.position(), run.path(),
                            "at least one of duration, server_updates, inner_steps", "none");
    return stop;
}

}  // namespace hetsim::scenarios::detail
