#include "tests/torch_test.hpp"

#include "models/data/lm_dataset.hpp"
#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <memory>

// The Brown dataset with the byte tokenizer (real corpus from default_data_dir()).

using namespace hetsim::models;

namespace {

std::unique_ptr<Dataset> brown(int workers, const std::string& partition = "iid",
                               std::uint64_t seed = 7, std::int64_t context = 32) {
    hetsim::scenarios::DataSpec spec;
    spec.partition = partition;
    spec.validation_examples = 100;
    return make_dataset(spec, workers, seed, default_data_dir(), context);
}

bool same(const Batch& a, const Batch& b) {
    return a.inputs.equal(b.inputs) && a.targets.equal(b.targets);
}

// Rows of a [B, T] tensor, sorted, to compare batches as multisets of windows.
at::Tensor sorted_rows(const at::Tensor& rows) {
    std::vector<std::vector<std::int64_t>> v;
    for (std::int64_t i = 0; i < rows.size(0); ++i) {
        const at::Tensor row = rows[i].contiguous();
        v.emplace_back(row.data_ptr<std::int64_t>(), row.data_ptr<std::int64_t>() + row.numel());
    }
    std::sort(v.begin(), v.end());
    at::Tensor out = torch::empty_like(rows);
    for (std::size_t i = 0; i < v.size(); ++i)
        out[static_cast<std::int64_t>(i)] = torch::tensor(v[i], torch::kInt64);
    return out;
}

}  // namespace

TEST_CASE("the Brown dataset has lm shapes and next-token targets") {
    const auto data = brown(4);
    const DataShape shape = data->shape();
    CHECK(shape.task == "lm");
    CHECK(shape.vocab == 256);
    CHECK(shape.context == 32);
    CHECK(data->num_shards() == 4);
    CHECK(data->tokens_per_example() == 32);
    CHECK(data->bytes_per_token() == 1.0);
    const Batch b = data->train_batch(1, 0, 8);
    CHECK((b.inputs.sizes() == at::IntArrayRef({8, 32})));
    CHECK((b.targets.sizes() == at::IntArrayRef({8, 32})));
    CHECK((b.inputs.scalar_type() == at::kLong));
    CHECK((b.targets.scalar_type() == at::kLong));
    CHECK(b.inputs.narrow(1, 1, 31).equal(b.targets.narrow(1, 0, 31)));
    // iid shards are equal to within one window.
    std::int64_t total = 0;
    for (int s = 0; s < 4; ++s) {
        CHECK(std::abs(data->shard_examples(s) - data->shard_examples(0)) <= 1);
        total += data->shard_examples(s);
    }
    CHECK(total > 5'000'000 / 33);  // ~5.4 MB of training text in 33-token windows
}

TEST_CASE("train_batch is a pure function of shard and position") {
    const auto data = brown(3);
    const auto again = brown(3);
    CHECK(same(data->train_batch(2, 40, 16), data->train_batch(2, 40, 16)));
    CHECK(same(data->train_batch(2, 40, 16), again->train_batch(2, 40, 16)));
    CHECK_FALSE(same(data->train_batch(2, 40, 16), data->train_batch(2, 56, 16)));
    CHECK_FALSE(same(data->train_batch(1, 40, 16), data->train_batch(2, 40, 16)));
    // Reading later positions first does not change earlier ones.
    const Batch late = data->train_batch(0, 100000, 4);
    const Batch whole = data->train_batch(0, 0, 8);
    CHECK(same(data->train_batch(0, 100000, 4), late));
    // A batch is the concatenation of its halves.
    CHECK(whole.inputs.narrow(0, 4, 4).equal(data->train_batch(0, 4, 4).inputs));
    CHECK_FALSE(same(brown(3, "iid", 8)->train_batch(2, 40, 16), data->train_batch(2, 40, 16)));
}

TEST_CASE("an epoch reads each window of its own shard once, in an order that changes by epoch") {
    // A short context keeps a whole shard small enough to read in one batch.
    const auto data = brown(40, "iid", 7, 512);
    auto& lm = dynamic_cast<const LmDataset&>(*data);
    const int shard = 5;
    const std::int64_t n = data->shard_examples(shard);
    const Batch epoch0 = data->train_batch(shard, 0, static_cast<int>(n));
    const Batch epoch1 = data->train_batch(shard, n, static_cast<int>(n));
    CHECK_FALSE(epoch0.inputs.equal(epoch1.inputs));
    // Both epochs are permutations of the shard's own windows: no window crosses shards.
    const std::vector<std::int32_t>& stream = lm.shard_tokens(shard);
    REQUIRE(static_cast<std::int64_t>(stream.size()) == n * 513);
    const at::Tensor windows =
        torch::tensor(std::vector<std::int64_t>(stream.begin(), stream.end()), torch::kInt64)
            .view({n, 513});
    const at::Tensor own_inputs = sorted_rows(windows.narrow(1, 0, 512).contiguous());
    CHECK(sorted_rows(epoch0.inputs).equal(own_inputs));
    CHECK(sorted_rows(epoch1.inputs).equal(own_inputs));
    CHECK(sorted_rows(epoch0.targets).equal(sorted_rows(windows.narrow(1, 1, 512).contiguous())));
}

TEST_CASE("a read range may cross an epoch boundary") {
    const auto data = brown(40, "iid", 7, 512);
    const std::int64_t n = data->shard_examples(3);
    const Batch across = data->train_batch(3, n - 3, 6);
    const Batch end_of_first = data->train_batch(3, n - 3, 3);
    const Batch start_of_second = data->train_batch(3, n, 3);
    CHECK(across.inputs.equal(torch::cat({end_of_first.inputs, start_of_second.inputs})));
    CHECK(across.targets.equal(torch::cat({end_of_first.targets, start_of_second.targets})));
    CHECK(data->train_batch(3, 5 * n + 1, 2).inputs.size(0) == 2);  // any epoch
    CHECK_THROWS_AS(data->train_batch(40, 0, 1), hetsim::ConfigError);
    CHECK_THROWS_AS(data->train_batch(0, -1, 1), hetsim::ConfigError);
}

TEST_CASE("validation is a fixed subset of held-out windows in batches") {
    const auto data = brown(2);
    const std::vector<Batch> batches = data->validation_batches(32);
    REQUIRE(batches.size() == 4);  // 100 windows: 32 + 32 + 32 + 4
    CHECK((batches[0].inputs.sizes() == at::IntArrayRef({32, 32})));
    CHECK(batches[3].inputs.size(0) == 4);
    // The same for another seed and partition: only the training side depends on them.
    const std::vector<Batch> other = brown(5, "genre", 99)->validation_batches(32);
    for (std::size_t i = 0; i < batches.size(); ++i) CHECK(same(batches[i], other[i]));
}

TEST_CASE("the genre partition gives whole genres or slices of genres") {
    SUBCASE("fewer shards than genres") {
        const auto data = brown(4, "genre");
        CHECK(data->num_shards() == 4);
        std::int64_t total = 0;
        for (int s = 0; s < 4; ++s) total += data->shard_examples(s);
        CHECK(total > 5'000'000 / 33);
    }
    SUBCASE("more shards than genres") {
        const auto data = brown(20, "genre");
        CHECK(data->num_shards() == 20);
        for (int s = 0; s < 20; ++s) CHECK(data->shard_examples(s) > 1000);
    }
    CHECK(brown(4, "genre")->fingerprint() != brown(4, "iid")->fingerprint());
}

TEST_CASE("Brown fingerprints follow the seed, shards, context and nothing else") {
    const std::string base = brown(4)->fingerprint();
    CHECK(base.size() == 16);
    CHECK(brown(4)->fingerprint() == base);
    CHECK(brown(4, "iid", 8)->fingerprint() != base);
    CHECK(brown(5)->fingerprint() != base);
    CHECK(brown(4, "iid", 7, 64)->fingerprint() != base);
}

TEST_CASE("impossible Brown combinations are ConfigErrors") {
    hetsim::scenarios::DataSpec spec;
    spec.partition = "dirichlet";
    CHECK_THROWS_WITH_AS(make_dataset(spec, 4, 1, default_data_dir(), 32),
                         doctest::Contains("dirichlet needs labelled data"), hetsim::ConfigError);
    spec.partition = "iid";
    CHECK_THROWS_WITH_AS(make_dataset(spec, 200000, 1, default_data_dir(), 32),
                         doctest::Contains("fewer than one example"), hetsim::ConfigError);
    CHECK_THROWS_WITH_AS(make_dataset(spec, 4, 1, default_data_dir(), 0),
                         doctest::Contains("model.context"), hetsim::ConfigError);
    spec.source = "wikipedia";
    CHECK_THROWS_WITH_AS(make_dataset(spec, 4, 1, default_data_dir(), 32),
                         doctest::Contains("data.source"), hetsim::ConfigError);
}
