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

at::Tensor ParameterSet::add(at::Tensor cpu_value) {
    // detach() makes the moved copy a leaf whatever `to` did; for CPU float32 it is the same
    // storage.
    at::Tensor p = placement_.place(cpu_value).detach().requires_grad_(true);
    tensors_.push_back(p);
    return p;
}

}  // namespace hetsim::models
