#include "models/gpt.hpp"

#include "models/losses.hpp"
#include "models/replica_ops.hpp"
#include "models/torch_compat.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hetsim::models {
namespace {

constexpr double kInitStd = 0.02;       // GPT-2
constexpr double kLayerNormEps = 1e-5;  // torch.nn.LayerNorm's default

}  // namespace

std::int64_t gpt_parameter_count(const GptConfig& c) {
    const std::int64_t d = c.d_model;
    const std::int64_t block = 12 * d * d + 13 * d;
    return 2 * c.vocab * d + c.context * d + c.layers * block + 2 * d;
}

Gpt::Gpt(const GptConfig& config, const Placement& placement, std::uint64_t seed)
    : config_(config), params_(placement, seed) {
    // Creation order is parameters() order; it never changes after construction.
    token_embedding_ = params_.normal({config_.vocab, config_.d_model}, kInitStd);
    position_embedding_ = params_.normal({config_.context, config_.d_model}, kInitStd);
    for (std::int64_t i = 0; i < config_.layers; ++i) blocks_.push_back(make_block());
    final_ln_weight_ = params_.constant({config_.d_model}, 1.0);
    final_ln_bias_ = params_.constant({config_.d_model}, 0.0);
    head_weight_ = params_.normal({config_.vocab, config_.d_model}, kInitStd);
    params_.pack();
}

Gpt::Block Gpt::make_block() {
    const std::int64_t d = config_.d_model;
    // GPT-2 scales the residual projections by 1/sqrt(2 L) so the residual stream's variance
    // does not grow with depth.
    const double residual_std = kInitStd / std::sqrt(2.0 * static_cast<double>(config_.layers));
    Block b;
    b.ln1_weight = params_.constant({d}, 1.0);
    b.ln1_bias = params_.constant({d}, 0.0);
    b.qkv_weight = params_.normal({3 * d, d}, kInitStd);
    b.qkv_bias = params_.constant({3 * d}, 0.0);
    b.proj_weight = params_.normal({d, d}, residual_std);
    b.proj_bias = params_.constant({d}, 0.0);
    b.ln2_weight = params_.constant({d}, 1.0);
    b.ln2_bias = params_.constant({d}, 0.0);
    b.fc_weight = params_.normal({4 * d, d}, kInitStd);
    b.fc_bias = params_.constant({4 * d}, 0.0);
    b.out_weight = params_.normal({d, 4 * d}, residual_std);
    b.out_bias = params_.constant({d}, 0.0);
    return b;
}

at::Tensor Gpt::attention(const Block& b, const at::Tensor& x) const {
    const std::int64_t batch = x.size(0), t = x.size(1), d = config_.d_model;
    const std::int64_t h = config_.heads, dh = d / h;
    const at::Tensor h_in = at::layer_norm(x, {d}, b.ln1_weight, b.ln1_bias, kLayerNormEps);
    const at::Tensor qkv = at::linear(h_in, b.qkv_weight, b.qkv_bias);  // [B, T, 3 d]
    const std::vector<at::Tensor> parts = qkv.split(d, -1);             // 3 x [B, T, d]
    auto heads = [&](const at::Tensor& p) { return p.view({batch, t, h, dh}).transpose(1, 2); };
    const at::Tensor y = compat::causal_attention(heads(parts[0]), heads(parts[1]),
                                                  heads(parts[2]));  // [B, H, T, dh]
    return at::linear(y.transpose(1, 2).reshape({batch, t, d}), b.proj_weight, b.proj_bias);
}

at::Tensor Gpt::mlp(const Block& b, const at::Tensor& x) const {
    const at::Tensor h_in =
        at::layer_norm(x, {config_.d_model}, b.ln2_weight, b.ln2_bias, kLayerNormEps);
    const at::Tensor hidden = at::gelu(at::linear(h_in, b.fc_weight, b.fc_bias));  // [B, T, 4d]
    return at::linear(hidden, b.out_weight, b.out_bias);
}

at::Tensor Gpt::checked_tokens(const at::Tensor& tokens) const {
    const std::int64_t t = tokens.size(-1);
    HETSIM_CHECK(t >= 1 && t <= config_.context,
                 "gpt: {} tokens per example, but model.context is {}", t, config_.context);
    return params_.placement().place(tokens);
}

at::Tensor Gpt::logits(const at::Tensor& tokens) {
    HETSIM_CHECK(tokens.dim() == 2, "gpt: expected tokens [B, T], got {} dimensions", tokens.dim());
    const std::int64_t t = tokens.size(1);
    const at::Tensor ids = checked_tokens(tokens);
    at::Tensor x =
        at::embedding(token_embedding_, ids) + position_embedding_.narrow(0, 0, t);  // [B, T, d]
    for (const Block& b : blocks_) {
        x = x + attention(b, x);
        x = x + mlp(b, x);
    }
    x = at::layer_norm(x, {config_.d_model}, final_ln_weight_, final_ln_bias_, kLayerNormEps);
    return at::linear(x, head_weight_);  // [B, T, V]
}

at::Tensor Gpt::loss(const Batch& batch) {
    const at::Tensor out = logits(batch.inputs);  // [B, T, V]
    const at::Tensor targets = params_.placement().place(batch.targets).reshape({-1});
    return mean_cross_entropy(out.reshape({-1, config_.vocab}), targets);
}

EvalSums Gpt::evaluate(const Batch& batch) {
    const at::NoGradGuard no_grad;
    const at::Tensor out = logits(batch.inputs);  // [B, T, V]
    const at::Tensor targets = params_.placement().place(batch.targets).reshape({-1});
    return cross_entropy_sums(out.reshape({-1, config_.vocab}), targets);
}

Gpt::Block Gpt::stacked_block(const std::vector<at::Tensor>& stacked, std::int64_t layer) const {
    // parameters() order: token table, position table, 12 tensors per block (make_block's
    // order), final norm weight and bias, head.
    const auto p = [&](int i) { return stacked[static_cast<std::size_t>(2 + 12 * layer + i)]; };
    return Block{p(0), p(1), p(2), p(3), p(4),  p(5),
                 p(6), p(7), p(8), p(9), p(10), p(11)};
}

at::Tensor Gpt::replica_attention(const Block& b, const at::Tensor& x) const {
    const std::int64_t r = x.size(0), batch = x.size(1), t = x.size(2), d = config_.d_model;
    const std::int64_t h = config_.heads, dh = d / h;
    const at::Tensor h_in = replica::layer_norm(x, b.ln1_weight, b.ln1_bias, kLayerNormEps);
    const at::Tensor qkv = replica::linear(h_in, b.qkv_weight, b.qkv_bias);  // [R, B, T, 3 d]
    const std::vector<at::Tensor> parts = qkv.split(d, -1);
    // Replicas and examples together form the attention's batch: [R B, H, T, dh].
    auto heads = [&](const at::Tensor& p) { return p.reshape({r * batch, t, h, dh}).transpose(1, 2); };
    const at::Tensor y = compat::causal_attention(heads(parts[0]), heads(parts[1]),
                                                  heads(parts[2]));
    return replica::linear(y.transpose(1, 2).reshape({r, batch, t, d}), b.proj_weight,
                           b.proj_bias);
}

at::Tensor Gpt::replica_mlp(const Block& b, const at::Tensor& x) const {
    const at::Tensor h_in = replica::layer_norm(x, b.ln2_weight, b.ln2_bias, kLayerNormEps);
    const at::Tensor hidden = at::gelu(replica::linear(h_in, b.fc_weight, b.fc_bias));
    return replica::linear(hidden, b.out_weight, b.out_bias);
}

at::Tensor Gpt::replica_losses(const std::vector<at::Tensor>& stacked, const Batch& batch) {
    HETSIM_CHECK(batch.inputs.dim() == 3, "gpt: expected stacked tokens [R, B, T], got {} dimensions",
                 batch.inputs.dim());
    const std::int64_t t = batch.inputs.size(2);
    const at::Tensor ids = checked_tokens(batch.inputs);
    const at::Tensor positions = stacked[1].narrow(1, 0, t).unsqueeze(1);  // [R, 1, T, d]
    at::Tensor x = replica::embedding(stacked[0], ids) + positions;       // [R, B, T, d]
    for (std::int64_t layer = 0; layer < config_.layers; ++layer) {
        const Block b = stacked_block(stacked, layer);
        x = x + replica_attention(b, x);
        x = x + replica_mlp(b, x);
    }
    const std::size_t last = stacked.size();
    x = replica::layer_norm(x, stacked[last - 3], stacked[last - 2], kLayerNormEps);
    return replica::mean_cross_entropy(replica::linear(x, stacked[last - 1]),
                                       params_.placement().place(batch.targets));
}

double Gpt::flops_per_example() const {
    const double d = static_cast<double>(config_.d_model);
    const double l = static_cast<double>(config_.layers);
    const double t = static_cast<double>(config_.tokens_per_example);
    const double matmul_params = 12.0 * l * d * d + d * static_cast<double>(config_.vocab);
    return t * (6.0 * matmul_params + 12.0 * l * t * d);
}

std::string Gpt::describe() const {
    return fmt::format(
        "gpt: {} layers, d_model {}, {} heads, context {}, vocab {}, {} parameters, {}",
        config_.layers, config_.d_model, config_.heads, config_.context, config_.vocab,
        params_.count(), params_.placement().describe());
}

}  // namespace hetsim::models
