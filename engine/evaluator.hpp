#pragma once
// Evaluates a parameter set on the dataset's fixed validation subset. Evaluation costs no
// virtual time. Results are cached by model version, so grid points that fall between two
// server updates do not evaluate the same model twice.

#include "models/model.hpp"

#include <ATen/core/Tensor.h>

#include <cstdint>
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
    /// Loads `params` into the model and evaluates it on every validation batch. `version`
    /// identifies the parameter set (the server version): the same version is not evaluated
    /// twice. (Tensor addresses cannot serve: a freed set's memory is reused by the next.)
    EvalResult evaluate(const std::vector<at::Tensor>& params, std::int64_t version);
    /// Loads `params` into `model` (the same architecture as the evaluator's, e.g. a round
    /// thread's replica) and evaluates it, without the cache. Reads only the evaluator's fixed
    /// validation batches: safe on any thread, one call per model at a time.
    EvalResult evaluate_on(models::Model& model, const std::vector<at::Tensor>& params) const;

private:
    models::Model& model_;
    bool lm_;
    double bytes_per_token_;
    std::vector<models::Batch> batches_;
    std::int64_t cached_version_ = -1;
    EvalResult cached_;
};

}  // namespace hetsim::engine
