// Batched replicas (issue 7, run.replica_batch): ready rounds computed together as one batched
// computation give what one-by-one rounds give, within float rounding, on every schedule kind.
// The schedule itself (who applies what, when, with which staleness) never depends on the
// computation, so those columns must match exactly; losses and update norms match to ~1e-6.
// Rounds lost to failures after they were computed in a batch must leave no trace: a wrongly
// kept optimizer state would move the losses far beyond the tolerance.

#include "tests/torch_test.hpp"

#include "analysis/metrics.hpp"
#include "analysis/run_files.hpp"
#include "engine/training_run.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/error.hpp"
#include "tests/engine/training_worlds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace hetsim;

namespace {

struct Outputs {
    std::string updates;  // updates.csv
    std::string metrics;  // metrics.csv
    std::int64_t batches = 0;
    std::int64_t batched_rounds = 0;
    std::int64_t rounds_lost = 0;
};

Outputs run_with_batch(const std::string& toml, int replica_batch) {
    test::RunText run = test::run_with(toml, fmt::format("run.replica_batch={}", replica_batch));
    const nlohmann::json& batches = run.info.at("replica_batches");
    return {std::move(run.updates), std::move(run.metrics),
            batches.at("batches").get<std::int64_t>(), batches.at("rounds").get<std::int64_t>(),
            run.rounds_lost};
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, sep)) parts.push_back(part);
    return parts;
}

// The same CSV up to float rounding: the same lines and fields; fields that are not both
// numbers equal as text, numbers within `rel` of each other (relative to the larger).
void check_close_csv(const std::string& a, const std::string& b, double rel) {
    const std::vector<std::string> la = split(a, '\n'), lb = split(b, '\n');
    REQUIRE(la.size() == lb.size());
    for (std::size_t i = 0; i < la.size(); ++i) {
        const std::vector<std::string> fa = split(la[i], ','), fb = split(lb[i], ',');
        CAPTURE(la[i]);
        CAPTURE(lb[i]);
        REQUIRE(fa.size() == fb.size());
        for (std::size_t j = 0; j < fa.size(); ++j) {
            char* end_a = nullptr;
            char* end_b = nullptr;
            const double x = std::strtod(fa[j].c_str(), &end_a);
            const double y = std::strtod(fb[j].c_str(), &end_b);
            if (fa[j].empty() || *end_a != '\0' || *end_b != '\0') {
                CHECK(fa[j] == fb[j]);
            } else {
                CHECK(std::abs(x - y) <= rel * std::max({std::abs(x), std::abs(y), 1e-12}));
            }
        }
    }
}

// Runs `toml` one round at a time and with replica_batch = 4; returns the batched outputs.
Outputs check_batched_matches(const std::string& toml, double rel = 1e-4) {
    const Outputs one = run_with_batch(toml, 1);
    const Outputs four = run_with_batch(toml, 4);
    CHECK(one.batches == 0);
    // Not vacuous: updates were applied, and rounds were batched (more rounds than batches).
    CHECK(std::count(one.updates.begin(), one.updates.end(), '\n') > 5);
    CHECK(four.batches > 0);
    CHECK(four.batched_rounds > four.batches);
    check_close_csv(one.updates, four.updates, rel);
    check_close_csv(one.metrics, four.metrics, rel);
    CHECK(one.rounds_lost == four.rounds_lost);
    return four;
}

// threads_test.cpp's MLP world, evaluated every 3 updates, outer Nesterov at lr 0.3.
std::string mlp_world(const std::string& algorithm, const std::string& failures = "") {
    return test::mlp_world(algorithm, failures, test::kAdamW, "every_updates = 3", 0.3);
}

}  // namespace

TEST_CASE("sync rounds: batched replicas match one-by-one rounds") {
    const Outputs four = check_batched_matches(mlp_world("kind = \"sync\"\ninner_steps = 4"));
    // Five rounds per sync step, batches of at most 4: one of 4 and one of 1 per step.
    CHECK(four.batched_rounds == 5 * 24);
    CHECK(four.batches == 2 * 24);
}

TEST_CASE("async rounds: batched replicas match one-by-one rounds") {
    check_batched_matches(mlp_world("kind = \"async\"\ninner_steps = 4"));
}

TEST_CASE("fedbuff and ddp: batched replicas match one-by-one rounds") {
    SUBCASE("fedbuff") {
        check_batched_matches(mlp_world("kind = \"fedbuff\"\ninner_steps = 4\nbuffer = 2"));
    }
    SUBCASE("ddp") { check_batched_matches(mlp_world("kind = \"ddp\"")); }
}

TEST_CASE("DyLU: only rounds of equal length share a batch, and results match") {
    const Outputs four =
        check_batched_matches(mlp_world("kind = \"async\"\ninner_steps = 6\nlocal_steps = \"dylu\""));
    CHECK(four.batched_rounds > four.batches);
}

TEST_CASE("rounds lost to failures after a batch computed them leave no trace") {
    // Worker 4's first round (12 s) is computed in the batch of worker 0's (needed at ~4 s) and
    // lost at 6 s; worker 3's is lost before any batch.
    const std::string failures = R"(
[[workers.failures.scripted]]
worker = 4
at = "6s"
downtime = "3s"
[[workers.failures.scripted]]
worker = 3
at = "3s"
downtime = "10s"
)";
    SUBCASE("async") {
        const Outputs four =
            check_batched_matches(mlp_world("kind = \"async\"\ninner_steps = 4", failures));
        CHECK(four.rounds_lost >= 2);
    }
    SUBCASE("sync, dropping failed workers") {
        const Outputs four = check_batched_matches(
            mlp_world("kind = \"sync\"\ninner_steps = 4\ndrop_failed_after = \"1s\"", failures));
        CHECK(four.rounds_lost >= 1);
    }
}

TEST_CASE("a nano GPT: batched replicas match one-by-one rounds") {
    check_batched_matches(test::nano_gpt_world("1.0, 1.0, 1.7, 1.7"));
}

TEST_CASE("a batched round's non-finite loss names the workers of the batch") {
    std::string toml = mlp_world("kind = \"sync\"\ninner_steps = 4");
    toml.replace(toml.find("optimizer = \"adamw\""), 19, "optimizer = \"sgd\"");
    toml.replace(toml.find("lr = 3e-3"), 9, "lr = 1e30");
    try {
        run_with_batch(toml, 4);
        FAIL("a diverging run finished");
    } catch (const Error& e) {
        const std::string message = e.what();
        CAPTURE(message);
        CHECK(message.starts_with("workers "));
        CHECK(message.find(" (round 0), ") != std::string::npos);
        CHECK(message.find("in one replica batch, inner step ") != std::string::npos);
        CHECK(message.find(": the loss is ") != std::string::npos);
    }
}
