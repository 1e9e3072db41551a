#include "engine/optim/tensor_list.hpp"

#include "sim/error.hpp"

#include <torch/torch.h>

namespace hetsim::engine::tensor_list {

namespace {

void check_same_length(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    HETSIM_ASSERT(a.size() == b.size(), "parameter lists of different lengths ({} and {})",
                  a.size(), b.size());
}

}  // namespace

std::vector<at::Tensor> clone(const std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> out;
    out.reserve(xs.size());
    for (const auto& x : xs) out.push_back(x.detach().clone());
    return out;
}

std::vector<at::Tensor> zeros_like(const std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> out;
    out.reserve(xs.size());
    for (const auto& x : xs) out.push_back(at::zeros_like(x, at::MemoryFormat::Preserve));
    return out;
}

std::vector<at::Tensor> sub(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    check_same_length(a, b);
    torch::NoGradGuard no_grad;
    if (a.empty()) return {};
    return at::_foreach_sub(a, b);
}

void copy_(std::vector<at::Tensor>& dst, const std::vector<at::Tensor>& src) {
    check_same_length(dst, src);
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < dst.size(); ++i) dst[i].copy_(src[i]);
}

void axpy_(std::vector<at::Tensor>& y, double alpha, const std::vector<at::Tensor>& x) {
    check_same_length(y, x);
    torch::NoGradGuard no_grad;
    if (y.empty()) return;
    at::_foreach_add_(y, x, alpha);
}

void scale_(std::vector<at::Tensor>& xs, double factor) {
    torch::NoGradGuard no_grad;
    if (xs.empty()) return;
    at::_foreach_mul_(xs, factor);
}

void fill_zero_(std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    if (xs.empty()) return;
    at::_foreach_zero_(xs);
}

double global_norm(const std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    if (xs.empty()) return 0.0;
    // Per-tensor norms in one foreach call, then the norm of the norms; summed in double so
    // that millions of float32 squares do not lose the small ones.
    const auto norms = at::_foreach_norm(xs, 2);
    return at::stack(norms).to(at::kDouble).norm().item<double>();
}

std::int64_t numel(const std::vector<at::Tensor>& xs) {
    std::int64_t n = 0;
    for (const auto& x : xs) n += x.numel();
    return n;
}

}  // namespace hetsim::engine::tensor_list
