#pragma once
// Private to models/: where a model lives (device, dtype) and the ordered list of its parameter
// tensors, initialised from the model's own generator.

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hetsim::models {

/// The device and floating-point type a model's parameters and batches live in.
struct Placement {
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;

    /// `t` on this device; floating-point tensors also converted to `dtype`, integer ones
    /// (tokens, labels) keep theirs. A no-op for CPU float32 tensors.
    at::Tensor place(const at::Tensor& t) const;
    /// "cpu float32", "cuda:0 bfloat16", ...
    std::string describe() const;
};

/// New uninitialised tensors shaped like `like` (same dtype and device, no gradient), lying
/// back to back in one buffer: the layout ParameterSet::pack gives parameters. `like` is not
/// empty.
std::vector<at::Tensor> packed_empty_like(const std::vector<at::Tensor>& like);

/// Parameters in creation order. Each one is drawn on the CPU from a generator seeded with the
/// model's seed (never Torch's global one), then moved to the placement: the same seed gives
/// the same initial values on every device.
class ParameterSet {
public:
    ParameterSet(Placement placement, std::uint64_t seed);

    /// A new parameter with entries ~ N(0, std^2).
    at::Tensor normal(at::IntArrayRef shape, double std);
    /// A new parameter with entries ~ U(-bound, bound) (PyTorch's default for Linear/Conv2d,
    /// bound = 1/sqrt(fan_in)).
    at::Tensor uniform(at::IntArrayRef shape, double bound);
    /// A new parameter filled with `value` (LayerNorm weights 1, biases 0).
    at::Tensor constant(at::IntArrayRef shape, double value);

    /// Moves all parameters into one buffer, in creation order, each parameter a contiguous
    /// view of it (the same leaf tensors, values unchanged). Call once, after the last
    /// parameter was created.
    void pack();

    /// All parameters, in creation order (the same tensors on every call).
    const std::vector<at::Tensor>& tensors() const { return tensors_; }
    const Placement& placement() const { return placement_; }
    /// Number of scalars in all parameters.
    std::int64_t count() const;

private:
    at::Tensor add(at::Tensor cpu_value);

    Placement placement_;
    at::Generator generator_;
    std::vector<at::Tensor> tensors_;
};

}  // namespace hetsim::models
