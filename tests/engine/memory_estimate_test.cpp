// The memory estimate that refuses training worlds too large for the machine.
#include "engine/commands.hpp"
#include "engine/memory_estimate.hpp"
#include "sim/error.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
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

TEST_CASE("a world whose estimate exceeds the memory is refused with the estimate") {
    hetsim::scenarios::TrainingSpec t;
    const auto e = estimate_memory(t, 1'000'000, 1000);  // 4e6 x (3 + 4000) bytes = 16 GB
    CHECK_NOTHROW(hetsim::engine::check_memory(e, 17e9));
    try {
        hetsim::engine::check_memory(e, 8.0 * 1024 * 1024 * 1024);
        FAIL("refused nothing");
    } catch (const hetsim::ConfigError& error) {
        CHECK(std::string(error.what()) ==
              "workers.count: a training run of 1000 workers needs about 14.9 GiB (1000000 "
              "parameters x 4 bytes x (3 global + 1000 x 4 per-worker copies)), more than this "
              "machine's 8.0 GiB of memory; use fewer workers or a smaller model");
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
