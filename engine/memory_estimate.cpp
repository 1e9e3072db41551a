#include "engine/memory_estimate.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace hetsim::engine {
namespace {

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

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024 * 1024)); }

}  // namespace

double MemoryEstimate::bytes() const {
    return static_cast<double>(parameters) * bytes_per_element *
           (global_copies + static_cast<double>(workers) * per_worker_copies);
}

MemoryEstimate estimate_memory(const scenarios::TrainingSpec& training, std::int64_t parameters,
                               std::int64_t workers) {
    MemoryEstimate e;
    e.parameters = parameters;
    e.bytes_per_element = training.model.dtype == "bfloat16" ? 2 : 4;
    e.global_copies = 2 + outer_state_copies(training.outer);
    e.per_worker_copies = 2 + inner_state_copies(training.inner);
    e.workers = workers;
    return e;
}

double physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) return 0;
    return static_cast<double>(pages) * static_cast<double>(page_size);
}

void check_memory(const MemoryEstimate& e, double available) {
    if (available <= 0 || e.bytes() <= available) return;
    throw ConfigError(fmt::format(
        "workers.count: a training run of {} workers needs about {} ({} parameters x {} bytes x "
        "({} global + {} x {} per-worker copies)), more than this machine's {} of memory; use "
        "fewer workers or a smaller model",
        e.workers, gib(e.bytes()), e.parameters, e.bytes_per_element, e.global_copies, e.workers,
        e.per_worker_copies, gib(available)));
}

}  // namespace hetsim::engine
