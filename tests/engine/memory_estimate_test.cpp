// The memory estimate that refuses training worlds too large for the machine.
#include "engine/commands.hpp"
#include "engine/memory_estimate.hpp"
#include "sim/error.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

using hetsim::engine::estimate_memory;

TEST_CASE("the memory estimate counts global and per-worker copies by optimizer") {
    hetsim::scenarios::TrainingSpec t;  // AdamW inside, Nesterov outside, float32
    const auto e = estimate_memory(t, 1000, 8);
    CHECK(e.bytes_per_element == 4);
    CHECK(e.global_copies == 3);      // model, global copy, Nesterov momentum
    CHECK(e.per_worker_copies == 4);  // snapshot, pseudo-gradient, two AdamW moments
    CHECK(e.bytes() == 1000.0 * 4 * (3 + 8 * 4));
    t.inner.kind = "sgd";
    t.outer.kind = "sgd";
    t.outer.momentum = 0;
    t.model.dtype = "bfloat16";
    const auto plain = estimate_memory(t, 1000, 8);
    CHECK(plain.global_copies == 2);
    CHECK(plain.per_worker_copies == 2);
    CHECK(plain.bytes() == 1000.0 * 2 * (2 + 8 * 2));
}

// Parameter counts by hand (memory_report_test checks the built models have them):
// the MLP 8-32-16-4 (weights and biases): 8 x 32 + 32 + 32 x 16 + 16 + 16 x 4 + 4 = 884;
// the nano GPT (d 48, 2 layers, vocab 256, context 16): 2 x 256 x 48 + 16 x 48
// + 2 x (12 x 48^2 + 13 x 48) + 2 x 48 = 81984.
constexpr std::int64_t kMlpParameters = 884;
constexpr std::int64_t kNanoGptParameters = 81984;

TEST_CASE("the memory estimate gives exact bytes per worker and on the server") {
    using hetsim::engine::MemoryOptions;
    using hetsim::sim::ScheduleKind;
    hetsim::scenarios::TrainingSpec t;
    t.outer.kind = "delayed-nesterov";
    SUBCASE("nano GPT, AdamW inside, Delayed Nesterov outside, one round thread") {
        const auto e = estimate_memory(t, kNanoGptParameters, 4);
        const std::int64_t copy = 81984 * 4;  // 327936 bytes
        CHECK(e.copy_bytes() == copy);
        CHECK(e.worker.snapshot == copy);
        CHECK(e.worker.pseudo_gradient == copy);
        CHECK(e.worker.optimizer_state == 2 * copy);  // exp_avg, exp_avg_sq
        CHECK(e.worker.computed_ahead == 0);
        CHECK(e.worker.total() == 1311744);
        CHECK(e.server.model == copy);
        CHECK(e.server.global == copy);
        CHECK(e.server.optimizer_state == 2 * copy);  // m and D
        CHECK(e.server.total() == 1311744);
        CHECK(e.replicas == 0);
        CHECK(e.total_bytes() == 1311744 + 4 * 1311744);  // 6558720
    }
    SUBCASE("nano GPT, plain SGD inside: no inner state") {
        t.inner.kind = "sgd";
        const auto e = estimate_memory(t, kNanoGptParameters, 4);
        CHECK(e.worker.optimizer_state == 0);
        CHECK(e.worker.total() == 2 * 327936);
        CHECK(e.total_bytes() == 1311744 + 4 * 655872);  // 3935232
    }
    SUBCASE("nano GPT, AdamW, four round threads: replicas and state computed ahead") {
        const auto e = estimate_memory(t, kNanoGptParameters, 4, {ScheduleKind::async, 1, 4});
        CHECK(e.worker.computed_ahead == 2 * 327936);
        CHECK(e.worker.total() == 6 * 327936);  // 1967616
        CHECK(e.per_worker_copies == 6);
        CHECK(e.replicas == 4);
        CHECK(e.replica_bytes() == 4 * 327936);
        CHECK(e.server.evaluations == 4 * 327936);  // one pending evaluation per thread
        CHECK(e.server.total() == 8 * 327936);
        CHECK(e.total_bytes() == 2623488 + 4 * 1967616 + 1311744);  // 11805696
    }
    SUBCASE("nano GPT, AdamW, batched replicas of 8: a stack of 8 and state computed ahead") {
        const auto e = estimate_memory(t, kNanoGptParameters, 4, {ScheduleKind::async, 1, 1, 8});
        CHECK(e.worker.computed_ahead == 2 * 327936);
        CHECK(e.per_worker_copies == 6);
        CHECK(e.replicas == 8);
        CHECK(e.stacked);
        CHECK(e.server.evaluations == 0);  // evaluations run inline
        CHECK(e.total_bytes() == 1311744 + 4 * 1967616 + 8 * 327936);  // 12795648
        CHECK(hetsim::engine::memory_text(e, 0).find("8 stacked rounds (run.replica_batch)") !=
              std::string::npos);
    }
    SUBCASE("MLP, SGD with momentum inside, bfloat16") {
        t.inner.kind = "sgd";
        t.inner.momentum = 0.9;
        t.model.dtype = "bfloat16";
        const auto e = estimate_memory(t, kMlpParameters, 5);
        CHECK(e.copy_bytes() == 1768);
        CHECK(e.worker.total() == 3 * 1768);  // snapshot, pseudo-gradient, momentum
        CHECK(e.server.total() == 4 * 1768);
        CHECK(e.total_bytes() == 4 * 1768 + 5 * 3 * 1768);  // 33592
    }
    SUBCASE("MLP, ddp: the server's one AdamW keeps the state, workers none") {
        const auto e = estimate_memory(t, kMlpParameters, 5, {ScheduleKind::ddp, 1, 1});
        CHECK(e.outer_kind == "adamw");
        CHECK(e.worker.total() == 2 * 3536);
        CHECK(e.server.optimizer_state == 2 * 3536);
        CHECK(e.total_bytes() == 4 * 3536 + 5 * 2 * 3536);  // 49504
    }
    SUBCASE("MLP, fedbuff with a buffer of 3: two more pseudo-gradients on the server") {
        t.outer.kind = "nesterov";
        const auto e = estimate_memory(t, kMlpParameters, 5, {ScheduleKind::fedbuff, 3, 1});
        CHECK(e.server.buffered_updates == 2 * 3536);
        CHECK(e.global_copies == 5);  // model, global, momentum, 2 buffered
        CHECK(e.total_bytes() == 5 * 3536 + 5 * 4 * 3536);  // 88400
    }
}

TEST_CASE("the memory estimate as run.json's object and explain's block") {
    hetsim::scenarios::TrainingSpec t;
    t.outer.kind = "delayed-nesterov";
    const auto e = estimate_memory(t, kMlpParameters, 5, {hetsim::sim::ScheduleKind::async, 1, 2});
    const nlohmann::json j = hetsim::engine::memory_json(e);
    CHECK(j.at("copy_bytes") == 3536);
    CHECK(j.at("per_worker").at("optimizer_state_bytes") == 7072);
    CHECK(j.at("per_worker").at("computed_ahead_bytes") == 7072);
    CHECK(j.at("per_worker").at("bytes") == 21216);
    CHECK(j.at("server").at("evaluations_bytes") == 7072);
    CHECK(j.at("server").at("bytes") == 21216);
    CHECK(j.at("replicas") == 2);
    CHECK(j.at("bytes") == 21216 + 5 * 21216 + 7072);
    CHECK(hetsim::engine::memory_text(e, 0) ==
          "memory (estimate; 884 parameters x 4 bytes = 3536 bytes (3.536 kB) a copy):\n"
          "  per worker  6 copies: snapshot, pseudo-gradient, adamw state 2, computed ahead 2 = "
          "21216 bytes (21.22 kB)\n"
          "  server      6 copies: model, global, delayed-nesterov state 2, evaluations 2 = "
          "21216 bytes (21.22 kB)\n"
          "  replicas    2 round threads x 1 copy = 7072 bytes (7.072 kB)\n"
          "  total       5 workers: 134368 bytes (134.4 kB)");
}

TEST_CASE("a world whose estimate exceeds the memory is refused with the estimate") {
    hetsim::scenarios::TrainingSpec t;
    const auto e = estimate_memory(t, 1'000'000, 1000);  // 4e6 x (3 + 4000) bytes = 16 GB
    CHECK_NOTHROW(hetsim::engine::check_memory(e, 17e9));
    try {
        hetsim::engine::check_memory(e, 8.0 * 1024 * 1024 * 1024);
        FAIL("refused nothing");
    } catch (const hetsim::ConfigError& error) {
        CHECK(std::string(error.what()) ==
              "workers.count: a training run of 1000 workers needs about 14.9 GiB (1000 workers "
              "x 16000000 bytes per worker (snapshot, pseudo-gradient, adamw state 2) + 12000000 "
              "bytes on the server (model, global, nesterov state 1); 1000000 parameters x 4 "
              "bytes a copy), more than this machine's 8.0 GiB of memory; use fewer workers or a "
              "smaller model");
    }
    CHECK(hetsim::engine::physical_memory_bytes() > 0);
}

TEST_CASE("a run refused by the memory estimate leaves no output folder behind") {
    // The estimate needs the built model, so it comes after the output folder is made: the
    // folders the run created are removed again, and a folder that was there stays.
    namespace fs = std::filesystem;
    const fs::path tmp = fs::temp_directory_path() /
                         ("hetsim-memory-test-" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    // 10000 workers of a 21M-parameter MLP: about 3 TB of per-worker copies.
    {
        std::ofstream file(tmp / "huge.toml");
        file << "[model]\nkind = \"mlp\"\nhidden = [1000000]\n"
                "[data]\nexamples = 100000\n"
                "[workers]\ncount = 10000\nstep_time = \"1s\"\n"
                "[algorithm]\nkind = \"async\"\n[run]\nserver_updates = 1\n";
    }
    hetsim::engine::RunOptions o;
    o.scenario = tmp / "huge.toml";
    std::ostringstream log;
    SUBCASE("folders the run created are removed") {
        o.out = tmp / "runs" / "huge";
        CHECK_THROWS_WITH_AS(hetsim::engine::run_command(o, log),
                             doctest::Contains("a training run of 10000 workers needs about"),
                             hetsim::ConfigError);
        CHECK_FALSE(fs::exists(tmp / "runs"));
    }
    SUBCASE("a folder that was already there stays") {
        o.out = tmp / "existing";
        fs::create_directories(*o.out);
        CHECK_THROWS_AS(hetsim::engine::run_command(o, log), hetsim::ConfigError);
        CHECK(fs::is_directory(*o.out));
    }
    fs::remove_all(tmp);
}
