#include "engine/pretrain.hpp"

#include "analysis/run_files.hpp"
#include "engine/optim/inner_optimizer.hpp"
#include "engine/optim/lr_schedule.hpp"
#include "models/data/data_random.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/training_json.hpp"
#include "sim/error.hpp"
#include "sim/random_streams.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <torch/torch.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace hetsim::engine {

namespace fs = std::filesystem;

namespace {

// Bumped when the pretraining procedure changes, so old cache entries are not reused.
constexpr int kPretrainFormat = 1;

// The pretraining reads one shard holding all training data, in an order drawn from the
// pretraining's own seed.
scenarios::DataSpec pretrain_data(const scenarios::TrainingSpec& training) {
    scenarios::DataSpec data = training.data;
    data.partition = "iid";
    data.shards = 1;
    data.assignment = "fixed";
    return data;
}

// Everything the pretrained parameters depend on. Compared in full on load, so a hash
// collision can never hand back another model.
nlohmann::json cache_key(const scenarios::TrainingSpec& training, const std::string& fingerprint) {
    scenarios::TrainingSpec t = training;
    t.data = pretrain_data(training);
    const nlohmann::json all = scenarios::to_json(t);
    return {{"format", kPretrainFormat}, {"model", all.at("model")},
            {"data", all.at("data")},    {"data_fingerprint", fingerprint},
            {"inner", all.at("inner")},  {"pretrain", all.at("pretrain")}};
}

// Sum of |x| over all parameters in double: a checksum against truncated or altered files.
double checksum(const std::vector<at::Tensor>& tensors) {
    double sum = 0.0;
    for (const at::Tensor& t : tensors) sum += t.detach().abs().sum(at::kDouble).item<double>();
    return sum;
}

// An exclusive lock on `path` held for the object's lifetime (flock: released when the
// process dies, so a killed run never leaves a stale lock).
class FileLock {
public:
    explicit FileLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT, 0644)) {
        if (fd_ < 0) throw DataError(fmt::format("cannot open lock file {}", path.string()));
        while (::flock(fd_, LOCK_EX) != 0)
            if (errno != EINTR) throw DataError(fmt::format("cannot lock {}", path.string()));
    }
    ~FileLock() { ::close(fd_); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_;
};

// The cached parameters when `meta_path` holds exactly `key` and the tensors match the model
// and their checksum; otherwise nullopt and, when something was there, why on `log`.
std::optional<std::vector<at::Tensor>> load_cached(const fs::path& file, const fs::path& meta_path,
                                                   const nlohmann::json& key,
                                                   const std::vector<at::Tensor>& like,
                                                   double& loss, std::ostream& log) {
    if (!fs::exists(file) || !fs::exists(meta_path)) return std::nullopt;
    try {
        std::ifstream in(meta_path);
        const nlohmann::json meta = nlohmann::json::parse(in);
        if (meta.at("key") != key) {
            fmt::print(log, "pretrain cache {} holds another configuration; recomputing\n",
                       meta_path.string());
            return std::nullopt;
        }
        std::vector<at::Tensor> tensors;
        torch::load(tensors, file.string());
        if (tensors.size() != like.size())
            throw Error(fmt::format("{} tensors, the model has {}", tensors.size(), like.size()));
        for (std::size_t i = 0; i < like.size(); ++i)
            if (tensors[i].sizes() != like[i].sizes() ||
                tensors[i].scalar_type() != like[i].scalar_type())
                throw Error(fmt::format("tensor {} does not match the model's shape or type", i));
        const double expected = meta.at("checksum").get<double>();
        if (checksum(tensors) != expected)
            throw Error("its checksum does not match");
        loss = meta.at("final_loss").get<double>();
        return tensors;
    } catch (const std::exception& e) {
        fmt::print(log, "pretrain cache {} is unreadable ({}); recomputing\n", file.string(),
                   e.what());
        return std::nullopt;
    }
}

// Trains a fresh model of the same kind from the pretraining's own seed, one worker, and
// returns its parameters and the mean loss of its last 10% of steps.
std::vector<at::Tensor> compute(const scenarios::TrainingSpec& training,
                                const models::Dataset& data, double& final_loss,
                                std::ostream& log) {
    const scenarios::PretrainSpec& spec = training.pretrain;
    const std::uint64_t init_seed =
        sim::mix64(spec.seed ^ static_cast<std::uint64_t>(sim::Purpose::init));
    const std::unique_ptr<models::Model> model =
        models::make_model(training.model, data.shape(), init_seed);
    std::vector<at::Tensor> params = model->parameters();
    const std::unique_ptr<InnerOptimizer> optimizer = make_inner_optimizer(training.inner);
    // Linear warmup, then constant: the inner schedules' "constant" kind.
    scenarios::LrScheduleSpec schedule;
    schedule.warmup_steps = spec.warmup_steps;
    const std::int64_t tail_from = spec.steps - std::max<std::int64_t>(1, spec.steps / 10);
    double tail_sum = 0.0;
    fmt::print(log, "pretraining: {} steps of {} examples, one worker\n", spec.steps,
               spec.batch_size);
    for (std::int64_t step = 0; step < spec.steps; ++step) {
        const models::Batch batch = data.train_batch(0, step * spec.batch_size, spec.batch_size);
        const at::Tensor loss = model->loss(batch);
        const double value = loss.item<double>();
        HETSIM_CHECK(std::isfinite(value), "pretraining step {}: the loss is {}", step, value);
        if (step >= tail_from) tail_sum += value;
        const std::vector<at::Tensor> grads = torch::autograd::grad({loss}, params);
        optimizer->step(params, grads, lr_at(schedule, spec.lr, step));
    }
    final_loss = tail_sum / static_cast<double>(spec.steps - tail_from);
    std::vector<at::Tensor> out;
    for (const at::Tensor& p : params) out.push_back(p.detach().to(at::kCPU).clone());
    return out;
}

}  // namespace

nlohmann::json PretrainOutcome::to_json() const {
    return {{"cached", cached},
            {"key_hash", key_hash},
            {"file", file.string()},
            {"final_loss", final_loss}};
}

std::optional<PretrainOutcome> pretrain(const scenarios::TrainingSpec& training,
                                        models::Model& model, const fs::path& cache_dir,
                                        std::ostream& log) {
    if (training.pretrain.steps == 0) return std::nullopt;
    const std::unique_ptr<models::Dataset> data =
        models::make_dataset(pretrain_data(training), 1, training.pretrain.seed,
                             models::default_data_dir(), training.model.context);
    const nlohmann::json key = cache_key(training, data->fingerprint());
    PretrainOutcome outcome;
    outcome.key_hash = models::Fnv1a().add(std::string_view(key.dump())).hex();
    const fs::path dir = cache_dir / "pretrain";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw DataError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    outcome.file = dir / (outcome.key_hash + ".pt");
    const fs::path meta_path = dir / (outcome.key_hash + ".json");

    std::vector<at::Tensor> target = model.parameters();
    FileLock lock(dir / (outcome.key_hash + ".lock"));
    std::optional<std::vector<at::Tensor>> params =
        load_cached(outcome.file, meta_path, key, target, outcome.final_loss, log);
    outcome.cached = params.has_value();
    if (!params) {
        params = compute(training, *data, outcome.final_loss, log);
        // Tensors first, metadata last: an entry is complete when its .json exists.
        const fs::path tmp = dir / fmt::format(".{}.pt.tmp-{}", outcome.key_hash, ::getpid());
        torch::save(*params, tmp.string());
        fs::rename(tmp, outcome.file);
        const nlohmann::json meta = {{"key", key},
                                     {"checksum", checksum(*params)},
                                     {"final_loss", outcome.final_loss}};
        analysis::write_text_atomically(meta_path, meta.dump(2) + "\n");
    }
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < target.size(); ++i) target[i].copy_((*params)[i]);
    return outcome;
}

}  // namespace hetsim::engine
