#include "engine/evaluator.hpp"

#include "engine/optim/tensor_list.hpp"
#include "models/dataset.hpp"

#include <torch/torch.h>

#include <cmath>

namespace hetsim::engine {

Evaluator::Evaluator(models::Model& model, const models::Dataset& data, int batch_size)
    : model_(model),
      lm_(data.shape().task == "lm"),
      bytes_per_token_(data.bytes_per_token()),
      batches_(data.validation_batches(batch_size)) {}

EvalResult Evaluator::evaluate(const std::vector<at::Tensor>& params, std::int64_t version) {
    if (version == cached_version_) return cached_;
    cached_ = evaluate_on(model_, params);
    cached_version_ = version;
    return cached_;
}

EvalResult Evaluator::evaluate_on(models::Model& model,
                                  const std::vector<at::Tensor>& params) const {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> live = model.parameters();
    tensor_list::copy_(live, params);  // one copy when both are packed
    models::EvalSums sums;
    for (const models::Batch& b : batches_) sums += model.evaluate(b);
    EvalResult r;
    if (sums.count > 0) {
        r.loss = sums.loss_sum / static_cast<double>(sums.count);
        r.accuracy = static_cast<double>(sums.correct) / static_cast<double>(sums.count);
    }
    if (lm_) {
        r.perplexity = std::exp(r.loss);
        r.bits_per_byte = r.loss / std::log(2.0) / bytes_per_token_;
    }
    return r;
}

}  // namespace hetsim::engine
