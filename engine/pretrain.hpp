#pragma once
// The pretraining phase: a single worker warms the model up before the distributed run, so
// that every variant and seed of a study starts from the same model, as in the papers
// (Liu et al. 2024 and DiLoCo start from a pretrained checkpoint). Its result depends only on
// the model, the data, the inner optimizer and [pretrain] — never on the run's seed, workers
// or schedule — so it is computed once and cached under a hash of that content.

#include "scenarios/training_spec.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iosfwd>

namespace hetsim::models {
class Model;
}

namespace hetsim::engine {

/// What the pretraining did, for run.json.
struct PretrainOutcome {
    bool cached = false;       ///< loaded from the cache rather than computed
    std::string key_hash;      ///< the cache key's hash (names the cache files)
    std::filesystem::path file;
    double final_loss = 0.0;   ///< mean training loss of the last 10% of pretraining steps
    nlohmann::json to_json() const;
};

/// When training.pretrain.steps > 0: loads the pretrained parameters for `training` from
/// `cache_dir`/pretrain/<hash>.pt (computing and storing them first when absent, unreadable
/// or stale) and copies them into `model`. `model` must be built from training.model with the
/// data's shape. Concurrent runs of one study share the work through a lock file; a corrupt
/// cache entry is reported on `log` and recomputed. Returns nothing when steps == 0.
std::optional<PretrainOutcome> pretrain(const scenarios::TrainingSpec& training,
                                        models::Model& model,
                                        const std::filesystem::path& cache_dir, std::ostream& log);

}  // namespace hetsim::engine
