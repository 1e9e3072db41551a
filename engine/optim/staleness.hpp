#pragma once
// How much an asynchronous update counts, given its staleness s (the number of server
// updates applied between the worker's pull and its push). Pure functions, no Torch.

#include "scenarios/training_spec.hpp"

#include <cstdint>

namespace hetsim::engine {

/// The weight of an update with staleness `s` >= 0: the staleness functions s(t - tau) of
/// FedAsync (Xie et al. 2019, "Asynchronous Federated Optimization"), times spec.weight (their
/// mixing hyperparameter alpha):
///   constant:   weight
///   polynomial: weight * (1 + s)^(-a)
///   hinge:      weight * (1                      if s <= b
///                         1 / (a * (s - b) + 1)  otherwise)
/// Throws hetsim::Error for a negative staleness or an unknown kind.
double staleness_weight(const scenarios::AggregationSpec& spec, std::int64_t staleness);

/// True when the update must be dropped: drop_above is set and s > drop_above.
bool is_dropped(const scenarios::AggregationSpec& spec, std::int64_t staleness);

/// FedBuff's per-update weight 1 / sqrt(1 + s) (Nguyen et al. 2022, "Federated Learning with
/// Buffered Asynchronous Aggregation", staleness scaling of each buffered update).
double fedbuff_weight(std::int64_t staleness);

}  // namespace hetsim::engine
