#pragma once
// Private to models/ (and its tests): the decoder-only transformer language model. Other code
// builds it through make_model() and sees only the Model interface.

#include "models/model.hpp"
#include "models/parameter_set.hpp"

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hetsim::models {

/// Sizes of a Gpt, after presets are resolved (validated by make_model).
struct GptConfig {
    std::int64_t layers = 2;
    std::int64_t d_model = 64;
    std::int64_t heads = 2;     ///< divides d_model
    std::int64_t context = 64;  ///< positions in the position table (longest input)
    std::int64_t vocab = 256;
    std::int64_t tokens_per_example = 64;  ///< for flops_per_example (the data's context)
};

/// Parameter count of a Gpt with these sizes:
/// 2 V d (token table, untied head) + C d (positions) + L (12 d^2 + 13 d) + 2 d (final norm).
std::int64_t gpt_parameter_count(const GptConfig& config);

/// GPT-2-style decoder: token + learned position embeddings, L pre-LayerNorm blocks (causal
/// self-attention, GELU MLP of width 4 d, both with biases), a final LayerNorm and an untied
/// head without bias. Initialised as GPT-2: weights N(0, 0.02^2), the two residual projections
/// of each block N(0, (0.02 / sqrt(2 L))^2), biases 0, LayerNorm weights 1.
class Gpt final : public Model {
public:
    Gpt(const GptConfig& config, const Placement& placement, std::uint64_t seed);

    std::vector<at::Tensor> parameters() override { return params_.tensors(); }
    /// Mean next-token cross-entropy over all positions of the batch.
    at::Tensor loss(const Batch& batch) override;
    EvalSums evaluate(const Batch& batch) override;
    at::Tensor replica_losses(const std::vector<at::Tensor>& stacked, const Batch& batch) override;
    /// T (6 N + 12 L T d): N = 12 L d^2 + d V weights in matmuls, T = tokens per example; the
    /// second term is QK^T and AV counted over the full T x T (as in PaLM and Chinchilla).
    double flops_per_example() const override;
    std::string describe() const override;

    /// Next-token logits [B, T, V] of `tokens` [B, T] (int64, T <= context), in the model's
    /// dtype. Position t depends only on tokens 0..t.
    at::Tensor logits(const at::Tensor& tokens);

    const GptConfig& config() const { return config_; }

private:
    struct Block {
        at::Tensor ln1_weight, ln1_bias;
        at::Tensor qkv_weight, qkv_bias;    // [3 d, d], [3 d]
        at::Tensor proj_weight, proj_bias;  // [d, d], [d]
        at::Tensor ln2_weight, ln2_bias;
        at::Tensor fc_weight, fc_bias;    // [4 d, d], [4 d]
        at::Tensor out_weight, out_bias;  // [d, 4 d], [d]
    };

    Block make_block();
    /// Block `layer`'s parameters in `stacked` (replica_losses' [R, ...] tensors).
    Block stacked_block(const std::vector<at::Tensor>& stacked, std::int64_t layer) const;
    at::Tensor attention(const Block& block, const at::Tensor& x) const;  // [B, T, d]
    at::Tensor mlp(const Block& block, const at::Tensor& x) const;        // [B, T, d]
    // The same with a leading replica dimension: x [R, B, T, d], block tensors [R, ...].
    at::Tensor replica_attention(const Block& block, const at::Tensor& x) const;
    at::Tensor replica_mlp(const Block& block, const at::Tensor& x) const;
    at::Tensor checked_tokens(const at::Tensor& tokens) const;  // on the device, T checked

    GptConfig config_;
    ParameterSet params_;
    at::Tensor token_embedding_;     // [V, d]
    at::Tensor position_embedding_;  // [C, d]
    std::vector<Block> blocks_;
    at::Tensor final_ln_weight_, final_ln_bias_;  // [d]
    at::Tensor head_weight_;                      // [V, d]
};

}  // namespace hetsim::models
