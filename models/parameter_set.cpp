#include "models/parameter_set.hpp"

#include "models/torch_compat.hpp"

#include <fmt/format.h>

namespace hetsim::models {

at::Tensor Placement::place(const at::Tensor& t) const {
    if (t.is_floating_point()) return t.to(device, dtype);
    return t.to(device);
}

std::string Placement::describe() const {
    return fmt::format("{} {}", device.str(), dtype == at::kBFloat16 ? "bfloat16" : "float32");
}

ParameterSet::ParameterSet(Placement placement, std::uint64_t seed)
    : placement_(placement), generator_(compat::make_cpu_generator(seed)) {}

at::Tensor ParameterSet::normal(at::IntArrayRef shape, double std) {
    return add(at::empty(shape, at::kFloat).normal_(0.0, std, generator_));
}

at::Tensor ParameterSet::uniform(at::IntArrayRef shape, double bound) {
    return add(at::empty(shape, at::kFloat).uniform_(-bound, bound, generator_));
}

at::Tensor ParameterSet::constant(at::IntArrayRef shape, double value) {
    return add(at::full(shape, value, at::kFloat));
}

std::int64_t ParameterSet::count() const {
    std::int64_t n = 0;
    for (const at::Tensor& t : tensors_) n += t.numel();
    return n;
}

void ParameterSet::pack() {
    if (tensors_.empty()) return;
    // One buffer, each parameter a view of it: whole-model operations (pull copies,
    // pseudo-gradients, norms, outer steps; engine/optim/tensor_list) become one ATen call
    // instead of one per parameter. set_data swaps a parameter's storage in place: it stays
    // the same leaf tensor (requires_grad, same autograd identity), so handles the model
    // already holds see the buffer too.
    const at::NoGradGuard no_grad;
    const std::vector<at::Tensor> views = packed_empty_like(tensors_);
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
        views[i].copy_(tensors_[i]);
        tensors_[i].set_data(views[i]);
    }
}

std::vector<at::Tensor> packed_empty_like(const std::vector<at::Tensor>& like) {
    std::int64_t total = 0;
    for (const at::Tensor& t : like) total += t.numel();
    const at::Tensor flat = at::empty({total}, like.front().options().requires_grad(false));
    std::vector<at::Tensor> out;
    std::int64_t offset = 0;
    for (const at::Tensor& t : like) {
        out.push_back(flat.narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
    }
    return out;
}

at::Tensor ParameterSet::add(at::Tensor cpu_value) {
    // detach() makes the moved copy a leaf whatever `to` did; for CPU float32 it is the same
    // storage.
    at::Tensor p = placement_.place(cpu_value).detach().requires_grad_(true);
    tensors_.push_back(p);
    return p;
}

}  // namespace hetsim::models
