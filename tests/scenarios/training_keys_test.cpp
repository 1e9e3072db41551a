// The training sections of a scenario: [model], [data], [inner], [outer], [aggregation],
// [eval], local_steps = "qsr" and run.threads. Defaults, values read back, what is derived
// from the run (cosine length, evaluation grid), to_json, and --set on training keys.
#include "scenarios/scenario_loader.hpp"
#include "scenarios/training_json.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using hetsim::scenarios::LoadOptions;
using hetsim::scenarios::Scenario;
using hetsim::scenarios::TrainingSpec;

// Four 100 ms workers; `training` (the training tables) comes first, then [algorithm] with
// `algorithm` as its body and [run] with `run` as its body.
Scenario load(const std::string& training, const std::string& algorithm = "kind = \"async\"",
              const std::string& run = "server_updates = 10", const LoadOptions& options = {}) {
    const std::string text = training +
                             "\n[workers]\ncount = 4\nstep_time = \"100ms\"\n\n[algorithm]\n" +
                             algorithm + "\n\n[run]\n" + run + "\n";
    return hetsim::scenarios::parse_scenario(text, "training.toml", options);
}

TrainingSpec training(const std::string& tables) { return load(tables).training; }

// The cosine length derived for a run: `algorithm` and `run` are table bodies.
std::int64_t cosine_steps(const std::string& algorithm, const std::string& run,
                          const std::string& schedule_extra = "") {
    return load("[inner.schedule]\nkind = \"cosine\"\n" + schedule_extra, algorithm, run)
        .training.inner.schedule.total_steps;
}

}  // namespace

TEST_CASE("without training tables a scenario is timing-only with the documented defaults") {
    const Scenario s = load("");
    const TrainingSpec& t = s.training;
    CHECK(t.model.kind == "none");
    CHECK(t.model.preset.empty());
    CHECK(t.model.bytes_per_parameter == 4);
    CHECK(t.model.device == "cpu");
    CHECK(t.model.dtype == "float32");
    CHECK(t.model.hidden == std::vector<int>{128});
    CHECK(t.data.partition == "iid");
    CHECK(t.data.batch_size == 16);
    CHECK(t.data.validation_fraction == 0.1);
    CHECK(t.data.shards == 0);
    CHECK(t.data.assignment == "fixed");
    CHECK(t.inner.kind == "adamw");
    CHECK(t.inner.lr == 1e-3);
    CHECK(t.inner.schedule.kind == "constant");
    CHECK(t.inner.schedule.total_steps == 0);
    CHECK(t.aggregation.staleness == "constant");
    CHECK(t.aggregation.weight == 1.0);
    CHECK_FALSE(t.aggregation.drop_above.has_value());
    CHECK_FALSE(t.qsr.enabled);
    CHECK(t.threads == 0);  // the machine's cores
    CHECK(t.eval.batch_size == 64);
    CHECK(s.world.model_bytes == 0);
    CHECK_FALSE(s.model_bytes_explicit);
}

TEST_CASE("each model kind trains on its own data source by default") {
    CHECK(training("[model]\nkind = \"gpt\"").data.source == "brown");
    CHECK(training("[model]\nkind = \"cnn\"").data.source == "mnist");
    CHECK(training("[model]\nkind = \"linear\"").data.source == "linear-synthetic");
    CHECK(training("[model]\nkind = \"mlp\"").data.source == "gaussian-mixture");
    CHECK(training("[model]\nkind = \"mlp\"\n[data]\nsource = \"mnist\"").data.source == "mnist");
}

TEST_CASE("the outer optimizer's lr and momentum default per optimizer") {
    SUBCASE("nesterov, the default: DiLoCo's lr 0.7 and momentum 0.9") {
        const auto outer = training("").outer;
        CHECK(outer.kind == "nesterov");
        CHECK(outer.lr == 0.7);
        CHECK(outer.momentum == 0.9);
    }
    SUBCASE("sgd: lr 1 and no momentum (plain averaging)") {
        const auto outer = training("[outer]\noptimizer = \"sgd\"").outer;
        CHECK(outer.lr == 1.0);
        CHECK(outer.momentum == 0.0);
    }
    SUBCASE("adam: lr 1e-3") {
        CHECK(training("[outer]\noptimizer = \"adam\"").outer.lr == 1e-3);
    }
    SUBCASE("delayed-nesterov: Nesterov's lr and momentum, buffer 1, activation 0") {
        const auto outer = training("[outer]\noptimizer = \"delayed-nesterov\"").outer;
        CHECK(outer.lr == 0.7);
        CHECK(outer.momentum == 0.9);
        CHECK(outer.buffer == 1);
        CHECK(outer.activation == 0.0);
    }
}

TEST_CASE("the inner optimizer's lr defaults to 0.1 for sgd and 1e-3 for the adaptive ones") {
    CHECK(training("[inner]\noptimizer = \"sgd\"").inner.lr == 0.1);
    CHECK(training("[inner]\noptimizer = \"adamw\"").inner.lr == 1e-3);
    CHECK(training("[inner]\noptimizer = \"rmsprop\"").inner.lr == 1e-3);
    CHECK(training("[inner]\noptimizer = \"sgd\"\nlr = 0.05").inner.lr == 0.05);
}

TEST_CASE("explicit model and data values are read back") {
    const TrainingSpec t = training(R"([model]
kind = "gpt"
layers = 3
d_model = 96
heads = 4
context = 128
device = "auto"
dtype = "bfloat16"
bytes_per_parameter = 2

[data]
tokenizer = "bpe"
vocab_size = 4096
partition = "genre"
shards = 8
assignment = "least-visited"
batch_size = 32
validation_fraction = 0.2
validation_examples = 100
)");
    CHECK(t.model.layers == 3);
    CHECK(t.model.d_model == 96);
    CHECK(t.model.heads == 4);
    CHECK(t.model.context == 128);
    CHECK(t.model.device == "auto");
    CHECK(t.model.dtype == "bfloat16");
    CHECK(t.model.bytes_per_parameter == 2);
    CHECK(t.data.source == "brown");
    CHECK(t.data.tokenizer == "bpe");
    CHECK(t.data.vocab_size == 4096);
    CHECK(t.data.partition == "genre");
    CHECK(t.data.shards == 8);
    CHECK(t.data.assignment == "least-visited");
    CHECK(t.data.batch_size == 32);
    CHECK(t.data.validation_fraction == 0.2);
    CHECK(t.data.validation_examples == 100);
}

TEST_CASE("a gpt preset is kept by name and mlp widths and synthetic data are read back") {
    CHECK(training("[model]\nkind = \"gpt\"\npreset = \"20M\"\ncontext = 256").model.preset ==
          "20M");
    const TrainingSpec t = training(R"([model]
kind = "mlp"
hidden = [64, 32]

[data]
partition = "dirichlet"
alpha = 0.1
classes = 3
clusters_per_class = 1
dimension = 8
noise = 0.25
examples = 1000
)");
    CHECK(t.model.hidden == std::vector<int>{64, 32});
    CHECK(t.data.partition == "dirichlet");
    CHECK(t.data.dirichlet_alpha == 0.1);
    CHECK(t.data.classes == 3);
    CHECK(t.data.clusters_per_class == 1);
    CHECK(t.data.dimension == 8);
    CHECK(t.data.noise == 0.25);
    CHECK(t.data.examples == 1000);
}

TEST_CASE("explicit inner optimizer values, schedule and delta-sgd settings are read back") {
    const TrainingSpec t = training(R"([inner]
optimizer = "sgd"
lr = 0.2
momentum = 0.9
nesterov = true
weight_decay = 0.01
reset_each_round = true
clip_norm = 1.0
clip_fraction = 0.01

[inner.schedule]
kind = "cosine"
warmup_steps = 10
total_steps = 500
min_lr = 0.001
indexed_by = "shard"

[inner.delta_sgd]
eta0 = 0.3
theta0 = 2.0
gamma = 1.5
delta = 0.05
)");
    CHECK(t.inner.kind == "sgd");
    CHECK(t.inner.lr == 0.2);
    CHECK(t.inner.momentum == 0.9);
    CHECK(t.inner.nesterov);
    CHECK(t.inner.weight_decay == 0.01);
    CHECK(t.inner.reset_each_round);
    CHECK(t.inner.clip_norm == 1.0);
    CHECK(t.inner.clip_fraction == 0.01);
    CHECK(t.inner.schedule.kind == "cosine");
    CHECK(t.inner.schedule.warmup_steps == 10);
    CHECK(t.inner.schedule.total_steps == 500);  // given: not derived
    CHECK(t.inner.schedule.min_lr == 0.001);
    CHECK(t.inner.schedule.indexed_by == "shard");
    CHECK(t.inner.delta_eta0 == 0.3);
    CHECK(t.inner.delta_theta0 == 2.0);
    CHECK(t.inner.delta_gamma == 1.5);
    CHECK(t.inner.delta_delta == 0.05);
}

TEST_CASE("inner.fused is off by default, read back, and in run.json only when on") {
    const TrainingSpec off = training("");
    CHECK_FALSE(off.inner.fused);
    // Absent when off, so that run.json files from before the key still match (resume).
    CHECK_FALSE(hetsim::scenarios::to_json(off)["inner"].contains("fused"));
    const TrainingSpec on = training("[model]\nkind = \"mlp\"\n[inner]\nfused = true\n");
    CHECK(on.inner.fused);
    CHECK(hetsim::scenarios::to_json(on)["inner"]["fused"] == true);
}

TEST_CASE("explicit outer optimizer, aggregation and eval values are read back") {
    const TrainingSpec t = training(R"([outer]
optimizer = "delayed-nesterov"
lr = 0.5
momentum = 0.8

[outer.delayed_nesterov]
buffer = 4
activation = 0.25

[aggregation]
staleness = "hinge"
weight = 0.5
a = 2.0
b = 3.0
drop_above = 10

[eval]
every = "30s"
every_updates = 5
batch_size = 128
)");
    CHECK(t.outer.kind == "delayed-nesterov");
    CHECK(t.outer.lr == 0.5);
    CHECK(t.outer.momentum == 0.8);
    CHECK(t.outer.buffer == 4);
    CHECK(t.outer.activation == 0.25);  // exactly 1 / buffer is allowed
    CHECK(t.aggregation.staleness == "hinge");
    CHECK(t.aggregation.weight == 0.5);
    CHECK(t.aggregation.a == 2.0);
    CHECK(t.aggregation.b == 3.0);
    CHECK(t.aggregation.drop_above == 10);
    CHECK(t.eval.every_ns == 30'000'000'000);
    CHECK(t.eval.every_updates == 5);
    CHECK(t.eval.batch_size == 128);
}

TEST_CASE("outer adam reads its betas and eps") {
    const TrainingSpec t =
        training("[outer]\noptimizer = \"adam\"\nbeta1 = 0.8\nbeta2 = 0.99\neps = 1e-6");
    CHECK(t.outer.beta1 == 0.8);
    CHECK(t.outer.beta2 == 0.99);
    CHECK(t.outer.eps == 1e-6);
}

TEST_CASE("a cosine schedule without total_steps lasts the steps one worker takes in the run") {
    SUBCASE("sync: server_updates x H") {
        CHECK(cosine_steps("kind = \"sync\"\ninner_steps = 20", "server_updates = 10") == 200);
    }
    SUBCASE("ddp: one step per server update") {
        CHECK(cosine_steps("kind = \"ddp\"", "server_updates = 300") == 300);
    }
    SUBCASE("async: server_updates x H / K") {
        CHECK(cosine_steps("kind = \"async\"\ninner_steps = 20", "server_updates = 100") == 500);
    }
    SUBCASE("fedbuff: server_updates x H x buffer / K") {
        CHECK(cosine_steps("kind = \"fedbuff\"\ninner_steps = 20\nbuffer = 2",
                           "server_updates = 100") == 1000);
    }
    SUBCASE("run.inner_steps / K") {
        CHECK(cosine_steps("kind = \"async\"", "inner_steps = 4000") == 1000);
    }
    SUBCASE("both step limits: the smaller, since the run stops at the first") {
        CHECK(cosine_steps("kind = \"sync\"\ninner_steps = 20",
                           "server_updates = 10\ninner_steps = 400") == 100);
        CHECK(cosine_steps("kind = \"sync\"\ninner_steps = 20",
                           "server_updates = 10\ninner_steps = 4000") == 200);
    }
    SUBCASE("a duration next to a step limit does not matter") {
        CHECK(cosine_steps("kind = \"sync\"\ninner_steps = 20",
                           "server_updates = 10\nduration = \"1h\"") == 200);
    }
    SUBCASE("minus the warmup (the cosine length is counted after it)") {
        CHECK(cosine_steps("kind = \"sync\"\ninner_steps = 20", "server_updates = 10",
                           "warmup_steps = 50") == 150);
    }
    SUBCASE("at least one step when the warmup is longer than the run") {
        CHECK(cosine_steps("kind = \"sync\"\ninner_steps = 20", "server_updates = 10",
                           "warmup_steps = 1000") == 1);
    }
    SUBCASE("indexed by shard: the run's steps shared among data.shards") {
        const Scenario s = load(
            "[data]\nshards = 2\n[inner.schedule]\nkind = \"cosine\"\nindexed_by = \"shard\"",
            "kind = \"sync\"\ninner_steps = 20", "server_updates = 10");
        CHECK(s.training.inner.schedule.total_steps == 400);  // 10 x 20 x 4 steps / 2 shards
    }
    SUBCASE("indexed by shard with one shard per worker: as per worker") {
        CHECK(cosine_steps("kind = \"sync\"\ninner_steps = 20", "server_updates = 10",
                           "indexed_by = \"shard\"") == 200);
    }
}

TEST_CASE("a constant schedule derives no length") {
    CHECK(training("[inner.schedule]\nkind = \"constant\"\nwarmup_steps = 5")
              .inner.schedule.total_steps == 0);
}

TEST_CASE("without [eval] settings the model is evaluated about 20 times over the run") {
    SUBCASE("every duration / 20 when the run has a duration") {
        const auto eval = load("", "kind = \"async\"", "duration = \"1h\"").training.eval;
        CHECK(eval.every_ns == 180'000'000'000);  // 3 minutes
        CHECK_FALSE(eval.every_updates.has_value());
    }
    SUBCASE("every server_updates / 20 otherwise") {
        const auto eval = load("", "kind = \"async\"", "server_updates = 1000").training.eval;
        CHECK(eval.every_updates == 50);
        CHECK_FALSE(eval.every_ns.has_value());
    }
    SUBCASE("run.inner_steps converted to server updates: sync rounds hold K x H steps") {
        CHECK(load("", "kind = \"sync\"\ninner_steps = 10", "inner_steps = 8000")
                  .training.eval.every_updates == 10);  // 200 rounds
    }
    SUBCASE("run.inner_steps converted to server updates: an async update holds H steps") {
        CHECK(load("", "kind = \"async\"\ninner_steps = 10", "inner_steps = 8000")
                  .training.eval.every_updates == 40);  // 800 updates
    }
    SUBCASE("at least every update on a short run") {
        CHECK(load("", "kind = \"async\"", "server_updates = 5").training.eval.every_updates == 1);
    }
    SUBCASE("an explicit setting turns the default grid off") {
        const auto eval = load("[eval]\nevery_updates = 7", "kind = \"async\"", "duration = \"1h\"")
                              .training.eval;
        CHECK(eval.every_updates == 7);
        CHECK_FALSE(eval.every_ns.has_value());
    }
}

TEST_CASE("local_steps = qsr enables QSR with alpha 0.2 or the [algorithm.qsr] value") {
    CHECK_FALSE(load("", "kind = \"sync\"").training.qsr.enabled);
    const auto qsr = load("", "kind = \"sync\"\nlocal_steps = \"qsr\"").training.qsr;
    CHECK(qsr.enabled);
    CHECK(qsr.alpha == 0.2);
    const Scenario s =
        load("", "kind = \"async\"\nlocal_steps = \"qsr\"\n[algorithm.qsr]\nalpha = 0.05");
    CHECK(s.training.qsr.enabled);
    CHECK(s.training.qsr.alpha == 0.05);
    // QSR plans H on top of the fixed schedule: the world keeps H_base = inner_steps.
    CHECK(s.world.algorithm.local_steps == hetsim::sim::LocalStepPolicy::fixed);
}

TEST_CASE("QSR with a cosine schedule loads when min_lr > 0") {
    const Scenario s =
        load("[inner.schedule]\nkind = \"cosine\"\nmin_lr = 1e-5",
             "kind = \"sync\"\nlocal_steps = \"qsr\"", "server_updates = 10");
    CHECK(s.training.qsr.enabled);
    CHECK(s.training.inner.schedule.total_steps == 500);
}

TEST_CASE("run.threads sets the number of threads computing rounds") {
    CHECK(load("", "kind = \"async\"", "server_updates = 10\nthreads = 8").training.threads == 8);
}

TEST_CASE("run.replica_batch: 1 by default; larger computes rounds on one thread") {
    CHECK(load("[model]\nkind = \"mlp\"").training.replica_batch == 1);
    const TrainingSpec batched =
        load("[model]\nkind = \"mlp\"", "kind = \"async\"", "server_updates = 10\nreplica_batch = 8")
            .training;
    CHECK(batched.replica_batch == 8);
    CHECK(batched.threads == 1);  // the default (every core) does not apply
    const TrainingSpec one_thread = load("[model]\nkind = \"mlp\"", "kind = \"async\"",
                                         "server_updates = 10\nreplica_batch = 8\nthreads = 1")
                                        .training;
    CHECK(one_thread.threads == 1);
    CHECK(hetsim::scenarios::to_json(batched)["replica_batch"] == 8);
}

TEST_CASE("model.bytes is optional: given, it is explicit; absent, the engine derives it") {
    const Scenario given = load("[model]\nkind = \"mlp\"\nbytes = \"4MB\"");
    CHECK(given.model_bytes_explicit);
    CHECK(given.world.model_bytes == 4'000'000);
    const Scenario derived = load("[model]\nkind = \"mlp\"\nbytes_per_parameter = 2");
    CHECK_FALSE(derived.model_bytes_explicit);
    CHECK(derived.world.model_bytes == 0);  // until the model is built
    CHECK(derived.training.model.bytes_per_parameter == 2);
}

TEST_CASE("to_json of the training settings holds the resolved values") {
    const Scenario s = load(R"([model]
kind = "gpt"
preset = "nano"

[inner]
optimizer = "sgd"
lr = 0.05

[inner.schedule]
kind = "cosine"
warmup_steps = 10
min_lr = 1e-4

[outer]
optimizer = "delayed-nesterov"

[outer.delayed_nesterov]
buffer = 2
activation = 0.5

[aggregation]
staleness = "polynomial"
drop_above = 4
)",
                            "kind = \"async\"\ninner_steps = 20\nlocal_steps = \"qsr\"\n"
                            "[algorithm.qsr]\nalpha = 0.1",
                            "server_updates = 100\nthreads = 2");
    const nlohmann::json j = hetsim::scenarios::to_json(s.training);
    CHECK(j["model"]["kind"] == "gpt");
    CHECK(j["model"]["preset"] == "nano");
    CHECK(j["data"]["source"] == "brown");
    CHECK(j["inner"]["optimizer"] == "sgd");
    CHECK(j["inner"]["lr"] == 0.05);
    CHECK(j["inner"]["schedule"]["kind"] == "cosine");
    CHECK(j["inner"]["schedule"]["total_steps"] == 490);  // 100 x 20 / 4 - 10, derived
    CHECK(j["inner"]["schedule"]["min_lr"] == 1e-4);
    CHECK(j["outer"]["optimizer"] == "delayed-nesterov");
    CHECK(j["outer"]["lr"] == 0.7);
    CHECK(j["outer"]["delayed_nesterov"]["buffer"] == 2);
    CHECK(j["outer"]["delayed_nesterov"]["activation"] == 0.5);
    CHECK(j["aggregation"]["staleness"] == "polynomial");
    CHECK(j["aggregation"]["drop_above"] == 4);
    CHECK(j["qsr"]["enabled"] == true);
    CHECK(j["qsr"]["alpha"] == 0.1);
    CHECK(j["eval"]["every_updates"] == 5);
    CHECK(j["eval"]["every_ns"].is_null());
    CHECK(j["threads"] == 2);
}

TEST_CASE("--set changes training keys before validation") {
    const auto with = [](std::vector<std::string> overrides) {
        return load("", "kind = \"async\"", "server_updates = 10",
                    LoadOptions{std::move(overrides), {}});
    };
    CHECK(with({"inner.lr=0.01"}).training.inner.lr == 0.01);
    const Scenario gpt = with({"model.kind=gpt"});
    CHECK(gpt.training.model.kind == "gpt");
    CHECK(gpt.training.data.source == "brown");  // the gpt default follows the new kind
    CHECK(with({"model.kind=gpt", "model.preset=tiny"}).training.model.preset == "tiny");
    CHECK(with({"outer.optimizer=sgd"}).training.outer.lr == 1.0);
    CHECK(with({"inner.schedule.kind=cosine"}).training.inner.schedule.total_steps == 125);
    CHECK(with({"algorithm.local_steps=qsr", "algorithm.qsr.alpha=0.3"}).training.qsr.alpha ==
          0.3);
    CHECK(with({"eval.every=10s"}).training.eval.every_ns == 10'000'000'000);
    CHECK(with({"run.threads=4"}).training.threads == 4);
}

TEST_CASE("a bad training value from --set is reported at its place in the override") {
    try {
        (void)load("", "kind = \"async\"", "server_updates = 10",
                   LoadOptions{{"inner.optimizer=adam"}, {}});
        FAIL("the scenario loaded");
    } catch (const hetsim::ScenarioError& e) {
        CHECK(e.where().file == "--set");
        CHECK(e.key() == "inner.optimizer");
        CHECK(e.expected() ==
              R"(one of "sgd", "adamw", "rmsprop", "delta-sgd" (did you mean "adamw"?))");
    }
}
