#pragma once
// Private to models/: the cross-entropy loss and evaluation sums shared by the classifiers and
// the language model.

#include "models/model.hpp"

#include <ATen/ATen.h>

namespace hetsim::models {

/// Mean cross-entropy of `logits` [N, C] against class indices `targets` [N], computed in
/// float32 whatever the logits' dtype (bfloat16 log-softmax loses too much).
inline at::Tensor mean_cross_entropy(const at::Tensor& logits, const at::Tensor& targets) {
    return at::cross_entropy_loss(logits.to(at::kFloat), targets);
}

/// Summed cross-entropy, count and argmax hits of `logits` [N, C] against `targets` [N].
/// Call under a NoGradGuard.
inline EvalSums cross_entropy_sums(const at::Tensor& logits, const at::Tensor& targets) {
    EvalSums sums;
    sums.loss_sum = at::cross_entropy_loss(logits.to(at::kFloat), targets, {}, at::Reduction::Sum)
                        .item<double>();
    sums.count = targets.numel();
    sums.correct = logits.argmax(-1).eq(targets).sum().item<std::int64_t>();
    return sums;
}

}  // namespace hetsim::models
