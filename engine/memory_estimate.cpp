#include "engine/memory_estimate.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include <unistd.h>

namespace hetsim::engine {
namespace {

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024 * 1024)); }

// "197520 bytes (197.5 kB)": exact, then readable (as `hetsim explain` prints sizes).
std::string bytes_text(std::int64_t bytes) {
    const double b = static_cast<double>(bytes);
    if (bytes < 1000) return fmt::format("{} bytes", bytes);
    const char* unit = b < 1e6 ? "kB" : b < 1e9 ? "MB" : b < 1e12 ? "GB" : "TB";
    const double scale = b < 1e6 ? 1e3 : b < 1e9 ? 1e6 : b < 1e12 ? 1e9 : 1e12;
    return fmt::format("{} bytes ({:.4g} {})", bytes, b / scale, unit);
}

std::string copies(std::int64_t n) { return fmt::format("{} cop{}", n, n == 1 ? "y" : "ies"); }

// "snapshot, pseudo-gradient, adamw state 2, computed ahead 2": the parts of a total, by copies.
std::string worker_parts(const MemoryEstimate& e) {
    const std::int64_t c = e.copy_bytes();
    std::string text = "snapshot, pseudo-gradient";
    if (e.worker.optimizer_state > 0)
        text += fmt::format(", {} state {}", e.inner_kind, e.worker.optimizer_state / c);
    if (e.worker.computed_ahead > 0)
        text += fmt::format(", computed ahead {}", e.worker.computed_ahead / c);
    return text;
}

std::string server_parts(const MemoryEstimate& e) {
    const std::int64_t c = e.copy_bytes();
    std::string text = "model, global";
    if (e.server.optimizer_state > 0)
        text += fmt::format(", {} state {}", e.outer_kind, e.server.optimizer_state / c);
    if (e.server.buffered_updates > 0)
        text += fmt::format(", buffered updates {}", e.server.buffered_updates / c);
    if (e.server.evaluations > 0)
        text += fmt::format(", evaluations {}", e.server.evaluations / c);
    return text;
}

}  // namespace

std::int64_t WorkerMemory::total() const {
    return snapshot + pseudo_gradient + optimizer_state + computed_ahead;
}

std::int64_t ServerMemory::total() const {
    return model + global + optimizer_state + buffered_updates + evaluations;
}

std::int64_t MemoryEstimate::copy_bytes() const { return parameters * bytes_per_element; }

std::int64_t MemoryEstimate::replica_bytes() const { return replicas * copy_bytes(); }

std::int64_t MemoryEstimate::total_bytes() const {
    return server.total() + workers * worker.total() + replica_bytes();
}

double MemoryEstimate::bytes() const { return static_cast<double>(total_bytes()); }

int outer_state_copies(const scenarios::OuterOptimizerSpec& outer) {
    if (outer.kind == "sgd") return outer.momentum > 0 ? 1 : 0;
    if (outer.kind == "adam" || outer.kind == "delayed-nesterov") return 2;
    return 1;  // nesterov: the momentum buffer
}

int inner_state_copies(const scenarios::InnerOptimizerSpec& inner) {
    if (inner.kind == "sgd") return inner.momentum > 0 ? 1 : 0;
    if (inner.kind == "rmsprop") return inner.momentum > 0 ? 2 : 1;
    return 2;  // adamw: both moments; delta-sgd: previous parameters and gradients
}

MemoryEstimate estimate_memory(const scenarios::TrainingSpec& training, std::int64_t parameters,
                               std::int64_t workers, const MemoryOptions& options) {
    MemoryEstimate e;
    e.parameters = parameters;
    e.bytes_per_element = training.model.dtype == "bfloat16" ? 2 : 4;
    e.workers = workers;
    e.inner_kind = training.inner.kind;
    const std::int64_t c = e.copy_bytes();
    // ddp: the rounds never step the workers' optimizers (Trainer::run_round returns the
    // gradient); the server's one inner optimizer keeps the state, the outer one stays empty.
    const bool ddp = options.schedule == sim::ScheduleKind::ddp;
    const int inner = inner_state_copies(training.inner);
    const int server_state = ddp ? inner : outer_state_copies(training.outer);
    e.outer_kind = ddp ? training.inner.kind : training.outer.kind;
    const int buffered =
        options.schedule == sim::ScheduleKind::fedbuff ? std::max(0, options.buffer - 1) : 0;
    const bool pool = options.round_threads > 1;
    const int evaluations = pool ? options.round_threads : 0;
    e.server = {c, c, server_state * c, buffered * c, evaluations * c};
    // A pool task runs on a clone of the worker's state and keeps it until the round is needed
    // (Trainer::round_started); computed inline, the round steps the worker's state in place.
    // Batched replicas compute started rounds with the one that is needed, on clones as well.
    const bool batched = options.replica_batch > 1;
    const bool ahead = pool || batched;
    const int worker_state = ddp ? 0 : inner;
    e.worker = {c, c, worker_state * c, ahead ? worker_state * c : 0};
    e.global_copies = 2 + server_state + buffered + evaluations;
    e.per_worker_copies = 2 + worker_state * (ahead ? 2 : 1);
    e.replicas = pool ? options.round_threads : (batched ? options.replica_batch : 0);
    e.stacked = !pool && batched;
    return e;
}

nlohmann::json memory_json(const MemoryEstimate& e) {
    return {
        {"parameters", e.parameters},
        {"bytes_per_element", e.bytes_per_element},
        {"copy_bytes", e.copy_bytes()},
        {"workers", e.workers},
        {"per_worker",
         {{"snapshot_bytes", e.worker.snapshot},
          {"pseudo_gradient_bytes", e.worker.pseudo_gradient},
          {"optimizer_state_bytes", e.worker.optimizer_state},
          {"computed_ahead_bytes", e.worker.computed_ahead},
          {"bytes", e.worker.total()}}},
        {"server",
         {{"model_bytes", e.server.model},
          {"global_bytes", e.server.global},
          {"optimizer_state_bytes", e.server.optimizer_state},
          {"buffered_updates_bytes", e.server.buffered_updates},
          {"evaluations_bytes", e.server.evaluations},
          {"bytes", e.server.total()}}},
        {"replicas", e.replicas},
        {"replicas_stacked", e.stacked},
        {"replica_bytes", e.replica_bytes()},
        {"bytes", e.total_bytes()},
    };
}

std::string memory_text(const MemoryEstimate& e, double available) {
    std::string text = fmt::format("memory (estimate; {} parameters x {} bytes = {} a copy):\n",
                                   e.parameters, e.bytes_per_element, bytes_text(e.copy_bytes()));
    text += fmt::format("  per worker  {}: {} = {}\n", copies(e.per_worker_copies),
                        worker_parts(e), bytes_text(e.worker.total()));
    text += fmt::format("  server      {}: {} = {}\n", copies(e.global_copies), server_parts(e),
                        bytes_text(e.server.total()));
    if (e.replicas > 0)
        text += fmt::format("  replicas    {} {} x 1 copy = {}\n", e.replicas,
                            e.stacked ? "stacked rounds (run.replica_batch)" : "round threads",
                            bytes_text(e.replica_bytes()));
    text += fmt::format("  total       {} workers: {}", e.workers, bytes_text(e.total_bytes()));
    if (available > 0) text += fmt::format("; this machine has {}", gib(available));
    return text;
}

double physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) return 0;
    return static_cast<double>(pages) * static_cast<double>(page_size);
}

void check_memory(const MemoryEstimate& e, double available) {
    if (available <= 0 || e.bytes() <= available) return;
    const std::string replicas =
        e.replicas > 0 ? fmt::format(" + {} replicas x {} bytes", e.replicas, e.copy_bytes()) : "";
    throw ConfigError(fmt::format(
        "workers.count: a training run of {} workers needs about {} ({} workers x {} bytes per "
        "worker ({}) + {} bytes on the server ({}){}; {} parameters x {} bytes a copy), more "
        "than this machine's {} of memory; use fewer workers or a smaller model",
        e.workers, gib(e.bytes()), e.workers, e.worker.total(), worker_parts(e),
        e.server.total(), server_parts(e), replicas, e.parameters, e.bytes_per_element,
        gib(available)));
}

}  // namespace hetsim::engine
