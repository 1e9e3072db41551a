#include "tests/torch_test.hpp"

#include "engine/pretrain.hpp"
#include "engine/training_run.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/random_streams.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace hetsim;
namespace fs = std::filesystem;

namespace {

// Least squares with plain SGD, so a hand-written loop can reproduce the pretraining exactly.
std::string world(int steps, std::uint64_t seed) {
    return fmt::format(R"(
seed = {}
[model]
kind = "linear"
bytes = 0
[data]
source = "linear-synthetic"
dimension = 8
examples = 1024
batch_size = 16
[workers]
count = 3
step_time = "1s"
[algorithm]
kind = "async"
inner_steps = 4
[inner]
optimizer = "sgd"
lr = 0.05
[pretrain]
steps = {}
lr = 0.02
[eval]
every_updates = 2
[run]
server_updates = 6
)",
                       seed, steps);
}

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / fmt::format("hetsim-pretrain-{}", ::getpid());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::vector<at::Tensor> params_of(models::Model& m) {
    std::vector<at::Tensor> out;
    for (const at::Tensor& p : m.parameters()) out.push_back(p.detach().clone());
    return out;
}

bool same(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!at::equal(a[i], b[i])) return false;
    return true;
}

}  // namespace

TEST_CASE("pretraining equals a plain single-worker SGD loop and is cached by content") {
    at::set_num_threads(1);
    TempDir cache;
    const scenarios::Scenario s = scenarios::parse_scenario(world(40, 5), "pre.toml");
    const scenarios::TrainingSpec& t = s.training;
    auto data = models::make_dataset(t.data, 3, 5, models::default_data_dir(), 0);
    auto model = models::make_model(t.model, data->shape(), 123);
    std::ostringstream log;
    const auto first = engine::pretrain(t, *model, cache.path, log);
    REQUIRE(first.has_value());
    CHECK_FALSE(first->cached);
    CHECK(fs::exists(first->file));
    const std::vector<at::Tensor> pretrained = params_of(*model);

    // The same by hand: a fresh model from the pretraining seed's init stream, one shard with
    // all the data, SGD at pretrain.lr on consecutive batches.
    scenarios::DataSpec one = t.data;
    one.shards = 1;
    auto all = models::make_dataset(one, 1, t.pretrain.seed, models::default_data_dir(), 0);
    auto ref = models::make_model(
        t.model, all->shape(),
        sim::mix64(t.pretrain.seed ^ static_cast<std::uint64_t>(sim::Purpose::init)));
    std::vector<at::Tensor> p = ref->parameters();
    for (int step = 0; step < 40; ++step) {
        const at::Tensor loss = ref->loss(all->train_batch(0, step * 16, 16));
        const auto g = torch::autograd::grad({loss}, p);
        torch::NoGradGuard no_grad;
        for (std::size_t i = 0; i < p.size(); ++i) p[i].sub_(g[i], 0.02);
    }
    const std::vector<at::Tensor> expected = params_of(*ref);
    for (std::size_t i = 0; i < expected.size(); ++i)
        CHECK(at::allclose(pretrained[i], expected[i], 1e-6, 1e-7));

    SUBCASE("a second model gets the cached parameters, bit for bit, without training") {
        auto other = models::make_model(t.model, data->shape(), 999);
        std::ostringstream quiet;
        const auto again = engine::pretrain(t, *other, cache.path, quiet);
        REQUIRE(again.has_value());
        CHECK(again->cached);
        CHECK(again->key_hash == first->key_hash);
        CHECK(again->final_loss == first->final_loss);
        CHECK(same(params_of(*other), pretrained));
        CHECK(quiet.str().empty());
    }
    SUBCASE("a corrupt cache entry is reported and recomputed to the same parameters") {
        { std::ofstream(first->file, std::ios::trunc) << "not a tensor archive"; }
        auto other = models::make_model(t.model, data->shape(), 999);
        std::ostringstream msg;
        const auto again = engine::pretrain(t, *other, cache.path, msg);
        REQUIRE(again.has_value());
        CHECK_FALSE(again->cached);
        CHECK(msg.str().find("unreadable") != std::string::npos);
        CHECK(same(params_of(*other), pretrained));
    }
    SUBCASE("another pretraining length is another cache entry") {
        const scenarios::Scenario longer = scenarios::parse_scenario(world(41, 5), "pre.toml");
        auto other = models::make_model(t.model, data->shape(), 999);
        std::ostringstream quiet;
        const auto again = engine::pretrain(longer.training, *other, cache.path, quiet);
        REQUIRE(again.has_value());
        CHECK_FALSE(again->cached);
        CHECK(again->key_hash != first->key_hash);
    }
    SUBCASE("no pretraining: nothing happens") {
        const scenarios::Scenario none = scenarios::parse_scenario(world(0, 5), "pre.toml");
        const std::vector<at::Tensor> before = params_of(*model);
        std::ostringstream quiet;
        CHECK_FALSE(engine::pretrain(none.training, *model, cache.path, quiet).has_value());
        CHECK(same(params_of(*model), before));
    }
}

TEST_CASE("every variant and seed of a study starts from the same pretrained model") {
    at::set_num_threads(1);
    TempDir cache;
    ::setenv("HETSIM_DATA", cache.path.c_str(), 1);
    // Two variants (another world and schedule) with one seed, and a third run with another
    // seed: the pretraining is computed once.
    std::string sync_world = world(30, 1);
    sync_world.replace(sync_world.find("count = 3"), 9, "count = 5");
    sync_world.replace(sync_world.find(R"(kind = "async")"), 14, R"(kind = "sync")");
    scenarios::Scenario a = scenarios::parse_scenario(world(30, 1), "pre.toml");
    scenarios::Scenario b = scenarios::parse_scenario(sync_world, "pre.toml");
    scenarios::Scenario c = scenarios::parse_scenario(world(30, 2), "pre.toml");
    const engine::TrainingRun ra = engine::run_training(a, {});
    const engine::TrainingRun rb = engine::run_training(b, {});
    const engine::TrainingRun rc = engine::run_training(c, {});
    ::unsetenv("HETSIM_DATA");
    REQUIRE(!ra.metrics.empty());
    REQUIRE(!rb.metrics.empty());
    CHECK_FALSE(ra.info.at("pretrain").at("cached").get<bool>());
    CHECK(rb.info.at("pretrain").at("cached").get<bool>());
    CHECK(rc.info.at("pretrain").at("cached").get<bool>());
    CHECK(rc.info.at("pretrain").at("key_hash") == ra.info.at("pretrain").at("key_hash"));
    // The evaluation at time 0 is of the starting model (same seed: same validation data).
    CHECK(ra.metrics.front().loss == rb.metrics.front().loss);
    // Pretrained: below the untrained model's loss, which a run without [pretrain] shows.
    std::string cold_world = world(0, 1);
    scenarios::Scenario cold = scenarios::parse_scenario(cold_world, "pre.toml");
    const engine::TrainingRun rcold = engine::run_training(cold, {});
    CHECK(ra.metrics.front().loss < rcold.metrics.front().loss);
    // ...and the variants then differ.
    CHECK(ra.metrics.back().loss != rb.metrics.back().loss);
}
