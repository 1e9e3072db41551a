#include "engine/optim/outer_sgd.hpp"

#include "engine/optim/tensor_list.hpp"

#include <torch/torch.h>

namespace hetsim::engine {

OuterSgd::OuterSgd(double lr, double momentum) : lr_(lr), momentum_(momentum) {}

void OuterSgd::update(std::vector<at::Tensor>& theta, const std::vector<at::Tensor>& g) {
    if (momentum_ == 0.0) {
        tensor_list::axpy_(theta, -lr_, g);
        return;
    }
    if (m_.empty()) {
        m_ = tensor_list::clone(g);
    } else {
        auto [m, gs] = tensor_list::flat_views<2>({&m_, &g});
        at::_foreach_mul_(m, momentum_);
        at::_foreach_add_(m, gs);
    }
    tensor_list::axpy_(theta, -lr_, m_);
}

}  // namespace hetsim::engine
