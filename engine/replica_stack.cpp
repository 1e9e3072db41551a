#include "engine/replica_stack.hpp"

#include "engine/optim/tensor_list.hpp"
#include "sim/error.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

ReplicaStack::ReplicaStack(const std::vector<const Params*>& pulled) {
    HETSIM_ASSERT(!pulled.empty(), "a replica stack of no replicas");
    const torch::NoGradGuard no_grad;
    const Params& first = *pulled.front();
    const auto r = static_cast<std::int64_t>(pulled.size());
    const at::Tensor buffer = at::empty({r, tensor_list::numel(first)}, first.front().options());
    replicas_.resize(pulled.size());
    for (std::size_t k = 0; k < pulled.size(); ++k) {
        replicas_[k] = tensor_list::views_of(buffer.select(0, static_cast<std::int64_t>(k)), first);
        tensor_list::copy_(replicas_[k], *pulled[k]);
    }
    std::int64_t offset = 0;
    for (const at::Tensor& p : first) {
        std::vector<std::int64_t> shape{r};
        shape.insert(shape.end(), p.sizes().begin(), p.sizes().end());
        // A leaf sharing the buffer's storage: the optimizers' in-place steps on the replicas'
        // views are what the next forward reads.
        stacked_.push_back(
            buffer.narrow(1, offset, p.numel()).view(shape).detach().requires_grad_(true));
        offset += p.numel();
    }
}

ReplicaStack::Params ReplicaStack::slice(const Params& grads, int r) {
    Params out;
    out.reserve(grads.size());
    for (const at::Tensor& g : grads) out.push_back(g.select(0, r).contiguous());
    return out;
}

}  // namespace hetsim::engine
