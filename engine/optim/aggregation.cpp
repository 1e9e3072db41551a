#include "engine/optim/aggregation.hpp"

#include "engine/optim/staleness.hpp"
#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

std::vector<at::Tensor> weighted_sum(const std::vector<std::vector<at::Tensor>>& updates,
                                     const std::vector<double>& weights, double divisor) {
    HETSIM_ASSERT(!updates.empty(), "aggregating no updates");
    HETSIM_ASSERT(weights.size() == updates.size(), "{} weights for {} updates", weights.size(),
                  updates.size());
    HETSIM_ASSERT(divisor > 0.0, "divisor {} must be > 0", divisor);
    torch::NoGradGuard no_grad;
    auto out = tensor_list::zeros_like(updates.front());
    for (std::size_t i = 0; i < updates.size(); ++i)
        tensor_list::axpy_(out, weights[i], updates[i]);
    if (divisor != 1.0 && !out.empty()) at::_foreach_div_(out, divisor);
    return out;
}

std::vector<at::Tensor> mean_update(const std::vector<std::vector<at::Tensor>>& updates) {
    return weighted_sum(updates, std::vector<double>(updates.size(), 1.0),
                        static_cast<double>(updates.size()));
}

std::vector<at::Tensor> fedbuff_update(const std::vector<std::vector<at::Tensor>>& updates,
                                       const std::vector<std::int64_t>& staleness) {
    HETSIM_ASSERT(staleness.size() == updates.size(), "{} staleness values for {} updates",
                  staleness.size(), updates.size());
    std::vector<double> weights;
    weights.reserve(staleness.size());
    for (const auto s : staleness) weights.push_back(fedbuff_weight(s));
    return weighted_sum(updates, weights, static_cast<double>(updates.size()));
}

std::vector<at::Tensor> async_update(const std::vector<at::Tensor>& update,
                                     const scenarios::AggregationSpec& spec,
                                     std::int64_t staleness) {
    return weighted_sum({update}, {staleness_weight(spec, staleness)}, 1.0);
}

}  // namespace hetsim::engine
