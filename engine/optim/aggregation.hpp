#pragma once
// Combining pseudo-gradients (one parameter list per worker update) into the one g the outer
// optimizer applies. The weights come from staleness.hpp.

#include "scenarios/training_spec.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace hetsim::engine {

/// g = (sum_i weights[i] * updates[i]) / divisor, as new tensors. Every update has the same
/// layout; weights.size() == updates.size() >= 1; divisor > 0.
std::vector<at::Tensor> weighted_sum(const std::vector<std::vector<at::Tensor>>& updates,
                                     const std::vector<double>& weights, double divisor);

/// Synchronous rounds: the plain mean (1 / K) sum_i g_i.
std::vector<at::Tensor> mean_update(const std::vector<std::vector<at::Tensor>>& updates);

/// FedBuff: (1 / B) sum_i g_i / sqrt(1 + s_i) over the B buffered updates with staleness s_i.
std::vector<at::Tensor> fedbuff_update(const std::vector<std::vector<at::Tensor>>& updates,
                                       const std::vector<std::int64_t>& staleness);

/// Asynchronous (one update per server step): w(s) g with w = staleness_weight(spec, s).
/// Dropping (is_dropped) is the caller's decision, made before calling.
std::vector<at::Tensor> async_update(const std::vector<at::Tensor>& update,
                                     const scenarios::AggregationSpec& spec,
                                     std::int64_t staleness);

}  // namespace hetsim::engine
