#include "tests/torch_test.hpp"

#include "models/model.hpp"
#include "models/torch_compat.hpp"

#include <string>

using hetsim::models::Batch;
using hetsim::models::DataShape;
using hetsim::models::EvalSums;
using hetsim::models::make_model;

namespace {

hetsim::scenarios::ModelSpec spec_of(const std::string& kind) {
    hetsim::scenarios::ModelSpec s;
    s.kind = kind;
    return s;
}

// Evaluate sums computed from logits by hand.
EvalSums sums_of(const at::Tensor& logits, const at::Tensor& targets) {
    EvalSums s;
    s.loss_sum = at::cross_entropy_loss(logits, targets, {}, at::Reduction::Sum).item<double>();
    s.count = targets.numel();
    s.correct = logits.argmax(1).eq(targets).sum().item<std::int64_t>();
    return s;
}

void check_sums(const EvalSums& got, const EvalSums& expected) {
    CHECK(got.count == expected.count);
    CHECK(got.correct == expected.correct);
    CHECK(got.loss_sum == doctest::Approx(expected.loss_sum).epsilon(1e-5));
}

}  // namespace

TEST_CASE("mlp is Linear-ReLU layers of the configured widths and evaluate counts argmax hits") {
    hetsim::scenarios::ModelSpec s = spec_of("mlp");
    s.hidden = {32, 24};
    const auto model =
        make_model(s, DataShape{.task = "classification", .input_dim = 16, .classes = 4}, 9);
    const auto p = model->parameters();  // W0 b0 W1 b1 W2 b2
    REQUIRE(p.size() == 6);
    CHECK(p[0].sizes() == at::IntArrayRef{32, 16});
    CHECK(p[2].sizes() == at::IntArrayRef{24, 32});
    CHECK(p[4].sizes() == at::IntArrayRef{4, 24});
    CHECK(p[5].sizes() == at::IntArrayRef{4});

    at::Generator gen = hetsim::models::compat::make_cpu_generator(1);
    const Batch batch{at::randn({50, 16}, gen), at::randint(4, {50}, gen, at::kLong)};
    const at::NoGradGuard no_grad;
    at::Tensor h = at::relu(at::linear(batch.inputs, p[0], p[1]));
    h = at::relu(at::linear(h, p[2], p[3]));
    const at::Tensor logits = at::linear(h, p[4], p[5]);  // [50, 4]
    check_sums(model->evaluate(batch), sums_of(logits, batch.targets));
    CHECK(model->loss(batch).item<double>() ==
          doctest::Approx(at::cross_entropy_loss(logits, batch.targets).item<double>()));
}

TEST_CASE("cnn classifies 28x28 images with two conv and two fc layers") {
    const DataShape mnist{.task = "classification", .input_dim = 784, .classes = 10, .image = true};
    const auto model = make_model(spec_of("cnn"), mnist, 9);
    const auto p = model->parameters();
    REQUIRE(p.size() == 8);
    CHECK(p[0].sizes() == at::IntArrayRef{16, 1, 5, 5});
    CHECK(p[2].sizes() == at::IntArrayRef{32, 16, 5, 5});
    CHECK(p[4].sizes() == at::IntArrayRef{128, 1568});
    CHECK(p[6].sizes() == at::IntArrayRef{10, 128});
    CHECK(model->parameter_count() == 215'370);

    at::Generator gen = hetsim::models::compat::make_cpu_generator(2);
    const Batch images{at::rand({6, 1, 28, 28}, gen), at::randint(10, {6}, gen, at::kLong)};
    const at::NoGradGuard no_grad;
    at::Tensor x = at::max_pool2d(at::relu(at::conv2d(images.inputs, p[0], p[1], 1, 2)), 2);
    x = at::max_pool2d(at::relu(at::conv2d(x, p[2], p[3], 1, 2)), 2);  // [6, 32, 7, 7]
    const at::Tensor logits =
        at::linear(at::relu(at::linear(x.flatten(1), p[4], p[5])), p[6], p[7]);  // [6, 10]
    check_sums(model->evaluate(images), sums_of(logits, images.targets));
    // Flat [B, 784] rows are the same images.
    const Batch flat{images.inputs.reshape({6, 784}), images.targets};
    check_sums(model->evaluate(flat), sums_of(logits, images.targets));
}

TEST_CASE("linear reaches the closed-form least-squares optimum with gradient descent") {
    const std::int64_t n = 64, d = 5;
    at::Generator gen = hetsim::models::compat::make_cpu_generator(3);
    const at::Tensor x = at::randn({n, d}, gen);                                      // [N, D]
    const at::Tensor y = at::mv(x, at::randn({d}, gen)) + 0.1 * at::randn({n}, gen);  // [N]
    const at::Tensor xd = x.to(at::kDouble), yd = y.to(at::kDouble);
    const at::Tensor w_star = at::linalg_solve(xd.t().mm(xd), xd.t().mv(yd));  // [D]
    // The loss 0.5 mean((x w - y)^2) has Hessian X^T X / N: step 1 / (its largest eigenvalue).
    const double lr = 1.0 / at::linalg_eigvalsh(xd.t().mm(xd) / double(n)).max().item<double>();

    const auto model =
        make_model(spec_of("linear"), DataShape{.task = "regression", .input_dim = d}, 4);
    at::Tensor w = model->parameters().at(0);
    const Batch batch{x, y};
    for (int step = 0; step < 300; ++step) {
        model->loss(batch).backward();
        const at::NoGradGuard no_grad;
        w.sub_(lr * w.grad());
        w.mutable_grad().zero_();
    }
    CHECK(at::allclose(w.detach().to(at::kDouble), w_star, 0.0, 1e-4));

    // evaluate() sums plain squared errors: twice the training loss per example.
    const EvalSums sums = model->evaluate(batch);
    CHECK(sums.count == n);
    CHECK(sums.correct == 0);
    CHECK(sums.loss_sum / double(n) ==
          doctest::Approx(2.0 * model->loss(batch).item<double>()).epsilon(1e-5));
    const double residual = (at::mv(xd, w_star) - yd).square().sum().item<double>();
    CHECK(sums.loss_sum == doctest::Approx(residual).epsilon(1e-4));
}

TEST_CASE("mlp's direct loss and gradient are autograd's, bit for bit") {
    // The MLP computes loss_and_gradients without autograd (models/mlp.cpp); the trainer's
    // results must not change, so they must equal loss() + torch::autograd::grad exactly, for
    // any depth and batch size (vector loops and their tails), and with reused buffers.
    struct Shape {
        std::int64_t input;
        std::vector<int> hidden;
        std::int64_t classes, batch;
    };
    for (const Shape& shape : {Shape{16, {512, 128}, 4, 32}, Shape{7, {33}, 3, 1},
                               Shape{5, {}, 2, 9}, Shape{784, {64, 32, 17}, 10, 13}}) {
        hetsim::scenarios::ModelSpec s = spec_of("mlp");
        s.hidden = shape.hidden;
        const DataShape data{.task = "classification", .input_dim = shape.input,
                             .classes = shape.classes};
        const auto model = make_model(s, data, 21);
        at::Generator gen = hetsim::models::compat::make_cpu_generator(3);
        for (int round = 0; round < 2; ++round) {  // the second call reuses the buffers
            const Batch batch{at::randn({shape.batch, shape.input}, gen),
                              at::randint(shape.classes, {shape.batch}, gen, at::kLong)};
            const at::Tensor loss = model->loss(batch);
            const auto want = torch::autograd::grad({loss}, model->parameters());
            const auto got = model->loss_and_gradients(batch);
            CAPTURE(shape.input);
            CAPTURE(shape.batch);
            CHECK(torch::equal(got.loss, loss.detach()));
            REQUIRE(got.gradients.size() == want.size());
            for (std::size_t i = 0; i < want.size(); ++i) {
                CAPTURE(i);
                CHECK(got.gradients[i].sizes() == want[i].sizes());
                CHECK(torch::equal(got.gradients[i], want[i]));
            }
            // Owned by the caller: a later call does not overwrite them.
            const at::Tensor kept = got.gradients[0].clone();
            model->loss_and_gradients(batch);
            CHECK(torch::equal(got.gradients[0], kept));
        }
    }
}
