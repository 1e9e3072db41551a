#include "models/model.hpp"

#include <torch/torch.h>

namespace hetsim::models {

std::int64_t Model::parameter_count() {
    std::int64_t n = 0;
    for (const at::Tensor& p : parameters()) n += p.numel();
    return n;
}

}  // namespace hetsim::models
