#include "engine/optim/tensor_list.hpp"

#include "sim/error.hpp"

#include <torch/torch.h>

#include <c10/util/strides.h>

namespace hetsim::engine::tensor_list {

namespace {

void check_same_length(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    HETSIM_ASSERT(a.size() == b.size(), "parameter lists of different lengths ({} and {})",
                  a.size(), b.size());
}

// Whether a new list shaped like `xs` can live in one buffer: one dtype and device for all.
bool uniform(const std::vector<at::Tensor>& xs) {
    for (const auto& x : xs)
        if (x.scalar_type() != xs.front().scalar_type() || x.device() != xs.front().device())
            return false;
    return !xs.empty();
}

// A new list shaped like `xs` in one uninitialised buffer (per tensor when xs mixes dtypes or
// devices).
std::vector<at::Tensor> empty_like_packed(const std::vector<at::Tensor>& xs) {
    if (!uniform(xs)) {
        std::vector<at::Tensor> out;
        for (const auto& x : xs) out.push_back(at::empty(x.sizes(), x.options()));
        return out;
    }
    return views_of(at::empty({numel(xs)}, xs.front().options()), xs);
}

}  // namespace

std::vector<at::Tensor> views_of(const at::Tensor& flat, const std::vector<at::Tensor>& like) {
    std::vector<at::Tensor> out;
    out.reserve(like.size());
    std::int64_t offset = flat.storage_offset();
    for (const auto& x : like) {
        out.push_back(flat.as_strided(x.sizes(), c10::contiguous_strides(x.sizes()), offset));
        offset += x.numel();
    }
    return out;
}

at::Tensor flat_view(const std::vector<at::Tensor>& xs) {
    if (xs.empty() || !xs.front().is_contiguous()) return {};
    const at::Tensor& first = xs.front();
    const c10::StorageImpl* storage = first.storage().unsafeGetStorageImpl();
    std::int64_t end = first.storage_offset() + first.numel();
    for (std::size_t i = 1; i < xs.size(); ++i) {
        const at::Tensor& x = xs[i];
        if (!x.is_contiguous() || x.storage().unsafeGetStorageImpl() != storage ||
            x.storage_offset() != end || x.scalar_type() != first.scalar_type())
            return {};
        end += x.numel();
    }
    if (xs.size() == 1) return first.detach().view({-1});
    return first.detach().as_strided({end - first.storage_offset()}, {1}, first.storage_offset());
}

void detail::flat_views(const std::vector<at::Tensor>* const* lists, std::vector<at::Tensor>* out,
                        std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        at::Tensor flat = flat_view(*lists[i]);
        if (!flat.defined()) {
            for (std::size_t j = 0; j < n; ++j) out[j] = *lists[j];
            return;
        }
        out[i] = {std::move(flat)};
    }
}

std::vector<at::Tensor> clone(const std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    if (const at::Tensor flat = flat_view(xs); flat.defined()) return views_of(flat.clone(), xs);
    std::vector<at::Tensor> out = empty_like_packed(xs);
    for (std::size_t i = 0; i < xs.size(); ++i) out[i].copy_(xs[i]);
    return out;
}

std::vector<at::Tensor> zeros_like(const std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> out = empty_like_packed(xs);
    fill_zero_(out);
    return out;
}

std::vector<at::Tensor> sub(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
    check_same_length(a, b);
    torch::NoGradGuard no_grad;
    if (a.empty()) return {};
    const at::Tensor fa = flat_view(a), fb = flat_view(b);
    if (fa.defined() && fb.defined()) return views_of(fa - fb, a);
    std::vector<at::Tensor> out = empty_like_packed(a);
    for (std::size_t i = 0; i < a.size(); ++i) at::sub_out(out[i], a[i], b[i]);
    return out;
}

void copy_(std::vector<at::Tensor>& dst, const std::vector<at::Tensor>& src) {
    check_same_length(dst, src);
    torch::NoGradGuard no_grad;
    auto [d, s] = flat_views<2>({&dst, &src});
    for (std::size_t i = 0; i < d.size(); ++i) d[i].copy_(s[i]);
}

void axpy_(std::vector<at::Tensor>& y, double alpha, const std::vector<at::Tensor>& x) {
    check_same_length(y, x);
    torch::NoGradGuard no_grad;
    if (y.empty()) return;
    auto [ys, xs] = flat_views<2>({&y, &x});
    at::_foreach_add_(ys, xs, alpha);
}

void scale_(std::vector<at::Tensor>& xs, double factor) {
    torch::NoGradGuard no_grad;
    if (xs.empty()) return;
    auto [flat] = flat_views<1>({&xs});
    at::_foreach_mul_(flat, factor);
}

void fill_zero_(std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    if (xs.empty()) return;
    auto [flat] = flat_views<1>({&xs});
    at::_foreach_zero_(flat);
}

double global_norm(const std::vector<at::Tensor>& xs) {
    torch::NoGradGuard no_grad;
    if (xs.empty()) return 0.0;
    // Per-tensor norms in one foreach call, then the norm of the norms; summed in double so
    // that millions of float32 squares do not lose the small ones. Per tensor even when the
    // list is packed: one float32 norm over the flat buffer is ~1.5x faster but rounds
    // differently (updates.csv's norm column and clip_norm would change in the last digits).
    const auto norms = at::_foreach_norm(xs, 2);
    return at::stack(norms).to(at::kDouble).norm().item<double>();
}

bool fusable(const std::vector<at::Tensor>& xs) {
    for (const auto& x : xs)
        if (!x.is_cpu() || x.scalar_type() != at::kFloat || !x.is_contiguous()) return false;
    return true;
}

std::int64_t numel(const std::vector<at::Tensor>& xs) {
    std::int64_t n = 0;
    for (const auto& x : xs) n += x.numel();
    return n;
}

}  // namespace hetsim::engine::tensor_list
