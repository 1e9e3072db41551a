#include "models/losses.hpp"
#include "models/model_kinds.hpp"
#include "models/replica_ops.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hetsim::models {
namespace {

constexpr std::int64_t kImage = 28;  // MNIST side
constexpr std::int64_t kKernel = 5;  // padding 2 keeps the side before pooling
constexpr std::int64_t kChannels1 = 16;
constexpr std::int64_t kChannels2 = 32;
constexpr std::int64_t kHidden = 128;
constexpr std::int64_t kFlat = kChannels2 * (kImage / 4) * (kImage / 4);  // 1568

class Cnn final : public Model {
public:
    Cnn(std::int64_t classes, const Placement& placement, std::uint64_t seed)
        : classes_(classes), params_(placement, seed) {
        auto uniform = [&](at::IntArrayRef shape, std::int64_t fan_in) {
            return params_.uniform(shape, 1.0 / std::sqrt(static_cast<double>(fan_in)));
        };
        const std::int64_t fan1 = kKernel * kKernel, fan2 = kChannels1 * kKernel * kKernel;
        conv1_w_ = uniform({kChannels1, 1, kKernel, kKernel}, fan1);
        conv1_b_ = uniform({kChannels1}, fan1);
        conv2_w_ = uniform({kChannels2, kChannels1, kKernel, kKernel}, fan2);
        conv2_b_ = uniform({kChannels2}, fan2);
        fc1_w_ = uniform({kHidden, kFlat}, kFlat);
        fc1_b_ = uniform({kHidden}, kFlat);
        fc2_w_ = uniform({classes, kHidden}, kHidden);
        fc2_b_ = uniform({classes}, kHidden);
        params_.pack();
    }

    std::vector<at::Tensor> parameters() override { return params_.tensors(); }

    at::Tensor loss(const Batch& batch) override {
        return mean_cross_entropy(logits(batch.inputs), params_.placement().place(batch.targets));
    }

    EvalSums evaluate(const Batch& batch) override {
        const at::NoGradGuard no_grad;
        return cross_entropy_sums(logits(batch.inputs), params_.placement().place(batch.targets));
    }

    /// The R replicas' convolutions as one grouped convolution: replica r's channels are group r
    /// of the input [B, R C, 28, 28] and of the weights [R C', C, 5, 5].
    at::Tensor replica_losses(const std::vector<at::Tensor>& stacked, const Batch& batch) override {
        const Placement& where = params_.placement();
        const std::int64_t r = stacked[0].size(0);
        at::Tensor x = where.place(batch.inputs).reshape({r, -1, kImage, kImage});  // [R, B, 28, 28]
        const std::int64_t b = x.size(1);
        auto conv = [r](const at::Tensor& in, const at::Tensor& w, const at::Tensor& bias) {
            return at::conv2d(in, w.flatten(0, 1), bias.flatten(), 1, 2, 1, r);
        };
        x = x.transpose(0, 1);  // [B, R, 28, 28]: one input channel per replica
        x = at::max_pool2d(at::relu(conv(x, stacked[0], stacked[1])), 2);  // [B, R 16, 14, 14]
        x = at::max_pool2d(at::relu(conv(x, stacked[2], stacked[3])), 2);  // [B, R 32, 7, 7]
        x = x.reshape({b, r, kFlat}).transpose(0, 1);                       // [R, B, 1568]
        x = at::relu(replica::linear(x, stacked[4], stacked[5]));           // [R, B, 128]
        return replica::mean_cross_entropy(replica::linear(x, stacked[6], stacked[7]),
                                           where.place(batch.targets));
    }

    /// 3 x forward, forward = 2 x multiply-adds: conv1 28*28*16*25 + conv2 14*14*32*16*25 +
    /// fc 1568*128 + 128*classes (~18 MFLOPs for 10 classes; ReLU and pooling ignored).
    double flops_per_example() const override {
        const double conv1 = double(kImage * kImage) * kChannels1 * kKernel * kKernel;
        const double conv2 =
            double((kImage / 2) * (kImage / 2)) * kChannels2 * kChannels1 * kKernel * kKernel;
        const double fc = double(kFlat) * kHidden + double(kHidden) * double(classes_);
        return 6.0 * (conv1 + conv2 + fc);
    }

    std::string describe() const override {
        return fmt::format("cnn: conv 1-{}-{} (5x5), fc {}-{}-{}, {} parameters, {}", kChannels1,
                           kChannels2, kFlat, kHidden, classes_, params_.count(),
                           params_.placement().describe());
    }

private:
    at::Tensor logits(const at::Tensor& inputs) const {
        at::Tensor x = params_.placement().place(inputs).reshape({-1, 1, kImage, kImage});
        x = at::max_pool2d(at::relu(at::conv2d(x, conv1_w_, conv1_b_, 1, 2)), 2);  // [B,16,14,14]
        x = at::max_pool2d(at::relu(at::conv2d(x, conv2_w_, conv2_b_, 1, 2)), 2);  // [B,32,7,7]
        x = at::relu(at::linear(x.flatten(1), fc1_w_, fc1_b_));                    // [B, 128]
        return at::linear(x, fc2_w_, fc2_b_);                                      // [B, classes]
    }

    std::int64_t classes_;
    ParameterSet params_;
    at::Tensor conv1_w_, conv1_b_, conv2_w_, conv2_b_, fc1_w_, fc1_b_, fc2_w_, fc2_b_;
};

}  // namespace

std::unique_ptr<Model> make_cnn(std::int64_t classes, const Placement& placement,
                                std::uint64_t seed) {
    return std::make_unique<Cnn>(classes, placement, seed);
}

}  // namespace hetsim::models
