#pragma once
// Evaluates a parameter set on the dataset's fixed validation subset. Evaluation costs no
// virtual time. Results are cached for the last parameter set evaluated, so a grid point that
// falls between two server updates does not evaluate the same model twice.

#include "models/model.hpp"

#include <ATen/core/Tensor.h>

#include <vector>

namespace hetsim::models {
class Dataset;
}

namespace hetsim::engine {

struct EvalResult {
    double loss = 0;           ///< mean loss per token (lm) or example
    double perplexity = 0;     ///< lm: exp(loss)
    double bits_per_byte = 0;  ///< lm: loss / ln(2) / bytes per token
    double accuracy = 0;       ///< correct / count
};

class Evaluator {
public:
    Evaluator(models::Model& model, const models::Dataset& data, int batch_size);
    /// Loads `params` into the model and evaluates it on every validation batch.
    EvalResult evaluate(const std::vector<at::Tensor>& params);

private:
    models::Model& model_;
    bool lm_;
    double bytes_per_token_;
    std::vector<models::Batch> batches_;
    const at::TensorImpl* cached_for_ = nullptr;  // first tensor of the last set evaluated
    EvalResult cached_;
};

}  // namespace hetsim::engine
