#pragma once
// What a scenario says about training: the model, the data, the inner and outer optimizers,
// aggregation and evaluation. Plain structs without LibTorch, so that the loader (and
// timing-only runs) need no Torch; models/ and engine/ turn them into the real things.
// Defaults follow DiLoCo / Liu et al. 2024 where those papers give one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::scenarios {

/// The model every worker trains. kind "none" means timing-only.
struct ModelSpec {
    std::string kind = "none";  ///< none | gpt | mlp | cnn | linear
    // gpt: a preset (nano, tiny, 20M, 60M, 150M) sets layers, d_model and heads (the loader
    // rejects explicit sizes beside a preset); otherwise the explicit sizes below.
    std::string preset;  ///< "" = explicit sizes below
    int layers = 2;
    int d_model = 64;
    int heads = 2;
    int context = 64;  ///< tokens per example
    int vocab = 256;   ///< set from the tokenizer by the data layer
    // mlp: hidden widths; input and output sizes come from the data.
    std::vector<int> hidden = {128};
    // linear: y = x w (least squares), dimension from the data.
    std::string device = "cpu";     ///< cpu | cuda | auto
    std::string dtype = "float32";  ///< float32 | bfloat16 (cuda only)
    int bytes_per_parameter = 4;    ///< for the network model (model bytes = params x this)
};

/// Where training examples come from and how they are split among workers.
struct DataSpec {
    std::string source = "brown";    ///< brown | mnist | gaussian-mixture | linear-synthetic
    std::string tokenizer = "byte";  ///< brown only: byte | bpe
    int vocab_size = 1024;           ///< bpe only
    std::string partition = "iid";   ///< iid | genre (brown) | dirichlet (labelled sources)
    double dirichlet_alpha = 0.5;
    int shards = 0;                    ///< 0 = one per worker
    /// assignment "fixed": worker w's shard, from its [[workers.group]] `shards`; empty (or -1
    /// for a worker) = w mod shards.
    std::vector<int> fixed_shards;
    std::string assignment = "fixed";  ///< fixed | balanced | least-visited
    int batch_size = 16;               ///< examples per inner step
    double validation_fraction = 0.1;  ///< of documents (brown) or examples
    int validation_examples = 512;     ///< fixed evaluation subset size (at most)
    // gaussian-mixture (the public toy example of Liu et al.): 4 classes by default.
    int classes = 4;
    int clusters_per_class = 2;
    int dimension = 16;
    double noise = 0.5;
    std::int64_t examples = 8192;  ///< gaussian-mixture and linear-synthetic
};

/// A learning-rate schedule indexed by a step count (the worker's, or the shard's).
struct LrScheduleSpec {
    std::string kind = "constant";  ///< constant | cosine (linear warmup + cosine to min_lr)
    std::int64_t warmup_steps = 0;
    std::int64_t total_steps = 0;  ///< cosine length (after warmup); 0 = derived from the run
    double min_lr = 0.0;
    std::string indexed_by = "worker";  ///< worker | shard (Liu et al. 2024, Eq. 3)
};

/// The optimizer every worker runs for its inner steps.
struct InnerOptimizerSpec {
    std::string kind = "adamw";  ///< sgd | adamw | rmsprop | delta-sgd
    double lr = 1e-3;
    double momentum = 0.0;  ///< sgd
    bool nesterov = false;  ///< sgd
    double beta1 = 0.9;     ///< adamw
    double beta2 = 0.999;   ///< adamw
    double alpha = 0.99;    ///< rmsprop smoothing
    double eps = 1e-8;
    double weight_decay = 0.0;
    // delta-sgd (Kim et al. 2024, Algorithm 1)
    double delta_eta0 = 0.2;
    double delta_theta0 = 1.0;
    double delta_gamma = 2.0;
    double delta_delta = 0.1;
    bool reset_each_round = false;  ///< reset optimizer state at every round start
    double clip_norm = 0.0;         ///< clip gradients to this global norm; 0 = off
    double clip_fraction = 0.0;     ///< clip the largest-magnitude fraction of update coordinates
    /// adamw: the one-pass kernel (engine/optim/fused_kernels) instead of ATen's operations;
    /// off by default because it rounds differently (no FMA), so results change
    bool fused = false;
    LrScheduleSpec schedule;
};

/// The optimizer the server applies to (aggregated) pseudo-gradients.
struct OuterOptimizerSpec {
    std::string kind = "nesterov";  ///< sgd | nesterov | adam | delayed-nesterov
    double lr = 0.7;
    double momentum = 0.9;  ///< sgd (heavy ball), nesterov, delayed-nesterov (beta)
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  ///< adam
    int buffer = 1;                                 ///< delayed-nesterov N
    double activation = 0.0;                        ///< delayed-nesterov c in [0, 1/N]
};

/// How asynchronous updates are weighted before the outer step.
struct AggregationSpec {
    std::string staleness = "constant";      ///< constant | polynomial | hinge
    double weight = 1.0;                     ///< constant weight (the public toy uses sqrt(K)/K)
    double a = 0.5;                          ///< polynomial (1+s)^-a; hinge slope
    double b = 4.0;                          ///< hinge: no discount up to staleness b
    std::optional<std::int64_t> drop_above;  ///< drop updates with staleness above this
};

/// Local-step policy beyond the schedule's fixed/DyLU: QSR (Gu et al. 2024).
struct QsrSpec {
    bool enabled = false;
    double alpha = 0.2;  ///< H = max(H_base, floor((alpha / lr)^2))
};

/// When and on how much data the global model is evaluated.
struct EvalSpec {
    std::optional<std::int64_t> every_ns;       ///< virtual time between evaluations
    std::optional<std::int64_t> every_updates;  ///< server updates between evaluations
    int batch_size = 64;
};

/// A single-worker warm-up of the model before the distributed run (the papers start every
/// variant from the same pretrained model). Its result depends only on these settings, the
/// model, the data and the inner optimizer, never on the run's seed or world, so it is
/// computed once and cached by content (engine/pretrain.hpp).
struct PretrainSpec {
    std::int64_t steps = 0;  ///< inner steps; 0 = no pretraining
    double lr = 0.0;         ///< learning rate after the warmup (default: inner.lr)
    std::int64_t warmup_steps = 0;  ///< linear warmup
    int batch_size = 0;      ///< examples per step (default: data.batch_size)
    std::uint64_t seed = 0;  ///< the pretraining's own seed: model initialisation, data order
};

struct TrainingSpec {
    ModelSpec model;
    DataSpec data;
    InnerOptimizerSpec inner;
    OuterOptimizerSpec outer;
    AggregationSpec aggregation;
    QsrSpec qsr;
    EvalSpec eval;
    PretrainSpec pretrain;
    /// Threads computing worker rounds concurrently (each with one Torch intra-op thread);
    /// 0 = the machine's cores. Never changes results. The trainer caps it at the workers.
    int threads = 0;
    /// Batched replicas (issue 7): up to this many ready rounds (started, same number of inner
    /// steps) computed as one batched computation with a leading replica dimension, on one
    /// thread; 1 = off. Changes results within float rounding (batched matmuls).
    int replica_batch = 1;
};

}  // namespace hetsim::scenarios
