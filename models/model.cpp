#include "models/model.hpp"

#include "sim/error.hpp"

#include <torch/torch.h>

namespace hetsim::models {

std::int64_t Model::parameter_count() {
    std::int64_t n = 0;
    for (const at::Tensor& p : parameters()) n += p.numel();
    return n;
}

LossAndGradients Model::loss_and_gradients(const Batch& batch) {
    at::Tensor l = loss(batch);
    std::vector<at::Tensor> grads = torch::autograd::grad({l}, parameters());
    return {std::move(l), std::move(grads)};
}

at::Tensor Model::replica_losses(const std::vector<at::Tensor>&, const Batch&) {
    throw Error(fmt::format("{}: no batched replicas (run.replica_batch) for this model",
                            describe()));
}

}  // namespace hetsim::models
