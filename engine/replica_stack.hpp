#pragma once
// Batched replicas (issue 7, run.replica_batch): the parameters of R rounds of one model held as
// one stack, so that Model::replica_losses computes all R rounds' steps as one sequence of
// batched kernels. One buffer [R, N] holds replica r's N parameters back to back in row r: the
// stacked tensors ([R, ...shape], what the model reads and autograd differentiates) and each
// replica's own parameter list (what its inner optimizer steps in place) are views of it.

#include <ATen/core/Tensor.h>

#include <vector>

namespace hetsim::engine {

class ReplicaStack {
public:
    using Params = std::vector<at::Tensor>;

    /// Replica r starts from a copy of `*pulled[r]`; every list holds the same model's
    /// parameters (same shapes, dtype and device, in parameters() order). At least one.
    explicit ReplicaStack(const std::vector<const Params*>& pulled);

    /// Number of replicas R.
    int size() const { return static_cast<int>(replicas_.size()); }
    /// The stacked parameters, each [R, ...shape]: leaf tensors requiring grad, for
    /// Model::replica_losses and torch::autograd::grad.
    const Params& stacked() const { return stacked_; }
    /// Replica r's parameters: contiguous views lying back to back (packed, as tensor_list
    /// wants them), changed in place by its inner optimizer.
    Params& replica(int r) { return replicas_[static_cast<std::size_t>(r)]; }

    /// Replica r's part of `grads` (gradients of stacked(), [R, ...] each), contiguous.
    static Params slice(const Params& grads, int r);

private:
    Params stacked_;
    std::vector<Params> replicas_;
};

}  // namespace hetsim::engine
