#include "tests/torch_test.hpp"

#include "engine/optim/aggregation.hpp"
#include "engine/optim/clipping.hpp"
#include "engine/optim/lr_schedule.hpp"
#include "engine/optim/qsr.hpp"
#include "engine/optim/staleness.hpp"
#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <cmath>
#include <numbers>
#include <vector>

namespace {

using namespace hetsim::engine;
using hetsim::scenarios::AggregationSpec;
using hetsim::scenarios::LrScheduleSpec;
using TensorList = std::vector<at::Tensor>;
namespace tl = hetsim::engine::tensor_list;

// The 7 coordinates 1, -8, 3 | -2, 6, 0.5, -4 (magnitudes sorted: 0.5 1 2 3 4 6 8).
TensorList seven_coordinates() {
    return {torch::tensor({1.0f, -8.0f, 3.0f}),
            torch::tensor({-2.0f, 6.0f, 0.5f, -4.0f}).reshape({2, 2})};
}

}  // namespace

TEST_CASE("tensor-list helpers: clone, sub, axpy, scale, zero and the global norm") {
    at::set_num_threads(1);
    TensorList a = {torch::tensor({3.0f, 0.0f}), torch::tensor({4.0f})};
    const TensorList b = {torch::tensor({1.0f, 1.0f}), torch::tensor({1.0f})};
    CHECK(tl::global_norm(a) == doctest::Approx(5.0));
    CHECK(tl::global_norm({}) == 0.0);
    CHECK(tl::numel(a) == 3);

    auto c = tl::clone(a);
    c[0].add_(1.0);
    CHECK(a[0][0].item<float>() == 3.0f);  // a deep copy

    const auto d = tl::sub(a, b);
    CHECK(torch::equal(d[0], torch::tensor({2.0f, -1.0f})));
    CHECK(torch::equal(d[1], torch::tensor({3.0f})));

    tl::axpy_(a, -2.0, b);
    CHECK(torch::equal(a[0], torch::tensor({1.0f, -2.0f})));
    tl::scale_(a, 0.5);
    CHECK(torch::equal(a[1], torch::tensor({1.0f})));
    tl::copy_(a, b);
    CHECK(torch::equal(a[0], b[0]));
    tl::fill_zero_(a);
    CHECK(tl::global_norm(a) == 0.0);
    const auto z = tl::zeros_like(b);
    CHECK(z[1].sizes() == b[1].sizes());
}

TEST_CASE("lists the helpers allocate are packed, and packed lists give the same results") {
    at::set_num_threads(1);
    torch::manual_seed(3);
    const TensorList loose = {torch::randn({3, 4}), torch::randn({5}), torch::randn({2, 2, 2})};
    const TensorList other = {torch::randn({3, 4}), torch::randn({5}), torch::randn({2, 2, 2})};
    const TensorList packed = tl::clone(loose), packed_other = tl::clone(other);
    CHECK_FALSE(tl::flat_view(loose).defined());
    REQUIRE(tl::flat_view(packed).defined());
    CHECK(tl::flat_view(packed).numel() == tl::numel(loose));
    CHECK(tl::flat_view(tl::zeros_like(loose)).defined());
    CHECK(tl::flat_view(tl::sub(loose, other)).defined());
    CHECK(tl::flat_view(tl::sub(packed, packed_other)).defined());
    // Out of order or with a gap: not one flat run.
    CHECK_FALSE(tl::flat_view({packed[1], packed[0]}).defined());
    CHECK_FALSE(tl::flat_view({packed[0], packed[2]}).defined());

    // The same bits packed or not: elementwise ops do not depend on where a tensor starts, and
    // the norm stays per tensor.
    CHECK(tl::global_norm(packed) == tl::global_norm(loose));
    const auto d_loose = tl::sub(loose, other), d_packed = tl::sub(packed, packed_other);
    TensorList y_loose = tl::clone(loose), y_packed = tl::clone(packed);
    tl::axpy_(y_loose, 0.3, other);
    tl::axpy_(y_packed, 0.3, packed_other);
    tl::scale_(y_loose, 0.7);
    tl::scale_(y_packed, 0.7);
    for (std::size_t i = 0; i < loose.size(); ++i) {
        CHECK(torch::equal(d_loose[i], d_packed[i]));
        CHECK(torch::equal(y_loose[i], y_packed[i]));
    }
    tl::copy_(y_packed, other);
    for (std::size_t i = 0; i < loose.size(); ++i) CHECK(torch::equal(y_packed[i], other[i]));
}

TEST_CASE("global-norm clipping gives the target norm and returns the original norm") {
    at::set_num_threads(1);
    TensorList g = {torch::tensor({3.0f, 4.0f}), torch::tensor({12.0f})};  // norm 13
    SUBCASE("above the threshold") {
        CHECK(clip_by_global_norm_(g, 6.5) == doctest::Approx(13.0));
        CHECK(tl::global_norm(g) == doctest::Approx(6.5).epsilon(1e-6));
        CHECK(torch::allclose(g[0], torch::tensor({1.5f, 2.0f})));
    }
    SUBCASE("below the threshold nothing changes") {
        CHECK(clip_by_global_norm_(g, 20.0) == doctest::Approx(13.0));
        CHECK(torch::equal(g[1], torch::tensor({12.0f})));
    }
    CHECK_THROWS_AS(clip_by_global_norm_(g, 0.0), hetsim::Error);
}

TEST_CASE("coordinate clipping touches exactly the top fraction of coordinates") {
    at::set_num_threads(1);
    auto u = seven_coordinates();
    SUBCASE("fraction 0.3: k = floor(2.1) = 2, tau = the 5th smallest magnitude = 4") {
        const auto clip = clip_top_fraction_(u, 0.3);
        CHECK(clip.threshold == 4.0);
        CHECK(clip.clipped == 2);
        CHECK(torch::equal(u[0], torch::tensor({1.0f, -4.0f, 3.0f})));
        // -4 is tied with tau and stays; 6 becomes 4.
        CHECK(torch::equal(u[1], torch::tensor({-2.0f, 4.0f, 0.5f, -4.0f}).reshape({2, 2})));
    }
    SUBCASE("fraction 3/7: k = 3, tau = 3") {
        const auto clip = clip_top_fraction_(u, 3.0 / 7.0 + 1e-9);
        CHECK(clip.threshold == 3.0);
        CHECK(clip.clipped == 3);
        CHECK(torch::equal(u[1], torch::tensor({-2.0f, 3.0f, 0.5f, -3.0f}).reshape({2, 2})));
    }
    SUBCASE("fraction below 1/n changes nothing") {
        const auto clip = clip_top_fraction_(u, 0.1);
        CHECK(clip.clipped == 0);
        CHECK(torch::equal(u[0], seven_coordinates()[0]));
    }
    CHECK_THROWS_AS(clip_top_fraction_(u, 1.0), hetsim::Error);
}

TEST_CASE("learning-rate schedule: warmup, cosine, and the clamp at min_lr") {
    LrScheduleSpec cosine;
    cosine.kind = "cosine";
    cosine.warmup_steps = 10;
    cosine.total_steps = 100;  // cosine over steps 10..109
    cosine.min_lr = 0.1;
    const double base = 1.0;
    CHECK(lr_at(cosine, base, 0) == doctest::Approx(0.1));  // base * 1 / 10
    CHECK(lr_at(cosine, base, 4) == doctest::Approx(0.5));
    CHECK(lr_at(cosine, base, 9) == doctest::Approx(1.0));    // warmup end
    CHECK(lr_at(cosine, base, 10) == doctest::Approx(1.0));   // cosine start
    CHECK(lr_at(cosine, base, 35) == doctest::Approx(0.8681980515));  // r = 1/4
    CHECK(lr_at(cosine, base, 60) == doctest::Approx(0.55));  // r = 1/2: halfway
    const double near_end = 0.1 + 0.45 * (1 + std::cos(0.99 * std::numbers::pi));  // r = 0.99
    CHECK(lr_at(cosine, base, 109) == doctest::Approx(near_end));
    CHECK(lr_at(cosine, base, 110) == 0.1);  // end
    CHECK(lr_at(cosine, base, 5000) == 0.1);  // past the end

    LrScheduleSpec constant;
    CHECK(lr_at(constant, 3e-4, 0) == 3e-4);
    CHECK(lr_at(constant, 3e-4, 1000000) == 3e-4);
    constant.warmup_steps = 4;
    CHECK(lr_at(constant, 1.0, 0) == 0.25);
    CHECK(lr_at(constant, 1.0, 3) == 1.0);
    CHECK(lr_at(constant, 1.0, 7) == 1.0);

    cosine.total_steps = 0;  // must be resolved before training
    CHECK_THROWS_AS(lr_at(cosine, base, 20), hetsim::Error);
    CHECK_THROWS_AS(lr_at(constant, base, -1), hetsim::Error);
}

TEST_CASE("FedAsync staleness functions give the hand-computed weights") {
    AggregationSpec spec;
    SUBCASE("constant") {
        spec.staleness = "constant";
        spec.weight = 0.5;
        CHECK(staleness_weight(spec, 0) == 0.5);
        CHECK(staleness_weight(spec, 100) == 0.5);
    }
    SUBCASE("polynomial (1 + s)^-a") {
        spec.staleness = "polynomial";
        spec.a = 0.5;
        CHECK(staleness_weight(spec, 0) == 1.0);
        CHECK(staleness_weight(spec, 3) == doctest::Approx(0.5));
        CHECK(staleness_weight(spec, 8) == doctest::Approx(1.0 / 3.0));
        spec.weight = std::sqrt(4.0) / 4.0;  // the public toy: sqrt(K) / K with K = 4
        CHECK(staleness_weight(spec, 3) == doctest::Approx(0.25));
    }
    SUBCASE("hinge: 1 up to b, then 1 / (a (s - b) + 1)") {
        spec.staleness = "hinge";
        spec.a = 0.5;
        spec.b = 4.0;
        CHECK(staleness_weight(spec, 0) == 1.0);
        CHECK(staleness_weight(spec, 4) == 1.0);
        CHECK(staleness_weight(spec, 5) == doctest::Approx(2.0 / 3.0));
        CHECK(staleness_weight(spec, 10) == doctest::Approx(0.25));
        spec.a = 10.0;  // FedAsync's experiments: a = 10, b = 4
        CHECK(staleness_weight(spec, 6) == doctest::Approx(1.0 / 21.0));
        spec.weight = 0.6;
        CHECK(staleness_weight(spec, 6) == doctest::Approx(0.6 / 21.0));
    }
    CHECK_THROWS_AS(staleness_weight(spec, -1), hetsim::Error);
    spec.staleness = "exponential";
    CHECK_THROWS_AS(staleness_weight(spec, 1), hetsim::Error);
}

TEST_CASE("updates above drop_above are dropped, and never without it") {
    AggregationSpec spec;
    CHECK_FALSE(is_dropped(spec, 1000000));
    spec.drop_above = 5;
    CHECK_FALSE(is_dropped(spec, 0));
    CHECK_FALSE(is_dropped(spec, 5));
    CHECK(is_dropped(spec, 6));
}

TEST_CASE("FedBuff weights are 1 / sqrt(1 + s)") {
    CHECK(fedbuff_weight(0) == 1.0);
    CHECK(fedbuff_weight(3) == 0.5);
    CHECK(fedbuff_weight(8) == doctest::Approx(1.0 / 3.0));
    CHECK(fedbuff_weight(99) == doctest::Approx(0.1));
}

TEST_CASE("aggregation: sync mean, FedBuff weighted average and async staleness weighting") {
    at::set_num_threads(1);
    const TensorList g0 = {torch::tensor({1.0f, 2.0f}), torch::tensor({4.0f})};
    const TensorList g1 = {torch::tensor({3.0f, -2.0f}), torch::tensor({0.0f})};
    const auto mean = mean_update({g0, g1});
    CHECK(torch::equal(mean[0], torch::tensor({2.0f, 0.0f})));
    CHECK(torch::equal(mean[1], torch::tensor({2.0f})));

    // (1 * g0 + 0.5 * g1) / 2 with staleness 0 and 3.
    const auto buffered = fedbuff_update({g0, g1}, {0, 3});
    CHECK(torch::allclose(buffered[0], torch::tensor({1.25f, 0.5f})));
    CHECK(torch::allclose(buffered[1], torch::tensor({2.0f})));

    AggregationSpec spec;
    spec.staleness = "polynomial";
    spec.a = 0.5;
    const auto async = async_update(g0, spec, 3);  // 0.5 g0
    CHECK(torch::equal(async[0], torch::tensor({0.5f, 1.0f})));
    CHECK(torch::equal(g0[0], torch::tensor({1.0f, 2.0f})));  // inputs untouched

    const auto weighted = weighted_sum({g0, g1}, {2.0, 1.0}, 4.0);  // (2 g0 + g1) / 4
    CHECK(torch::equal(weighted[0], torch::tensor({1.25f, 0.5f})));
}

TEST_CASE("QSR: H = max(H_base, floor((alpha / lr)^2))") {
    CHECK(qsr_sync_period(4, 0.2, 0.1) == 4);      // (2)^2 = 4
    CHECK(qsr_sync_period(4, 0.2, 0.05) == 16);    // (4)^2
    CHECK(qsr_sync_period(4, 0.2, 0.01) == 400);   // (20)^2
    CHECK(qsr_sync_period(4, 0.2, 0.003) == 4444);  // 4444.44...
    CHECK(qsr_sync_period(2, 0.3, 0.1) == 9);      // 8.999...998 in double, 9 by the rule
    CHECK(qsr_sync_period(2, 0.0175, 0.008) == 4);  // Gu et al.'s ViT alpha: 4.785...
    CHECK(qsr_sync_period(8, 0.0175, 0.008) == 8);  // H_base wins
    CHECK(qsr_sync_period(4, 0.0, 0.1) == 4);
    CHECK(qsr_sync_period(4, 0.2, 1e-12) == kQsrMaxPeriod);
    CHECK(qsr_sync_period(4, 0.2, 1e-3, 1000) == 1000);
    CHECK(qsr_sync_period(4, 0.2, 0.0) == kQsrMaxPeriod);  // the end of a cosine to 0
    CHECK(qsr_sync_period(4, 0.0, 0.0) == 4);
    CHECK_THROWS_AS(qsr_sync_period(4, 0.2, -0.1), hetsim::Error);
    CHECK_THROWS_AS(qsr_sync_period(0, 0.2, 0.1), hetsim::Error);
}
