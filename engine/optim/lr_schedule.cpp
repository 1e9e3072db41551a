#include "engine/optim/lr_schedule.hpp"

#include "sim/error.hpp"

#include <cmath>
#include <numbers>

namespace hetsim::engine {

double lr_at(const scenarios::LrScheduleSpec& schedule, double base_lr, std::int64_t step) {
    HETSIM_CHECK(step >= 0, "learning-rate schedule: step must be >= 0, found {}", step);
    HETSIM_CHECK(schedule.warmup_steps >= 0,
                 "inner.schedule.warmup_steps: expected >= 0, found {}", schedule.warmup_steps);
    const std::int64_t warmup = schedule.warmup_steps;
    // nanoGPT: lr * (it + 1) / warmup_iters — never 0, so the first step already moves.
    if (step < warmup)
        return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup);

    if (schedule.kind == "constant") return base_lr;
    HETSIM_CHECK(schedule.kind == "cosine",
                 "inner.schedule.kind: expected \"constant\" or \"cosine\", found \"{}\"",
                 schedule.kind);
    HETSIM_CHECK(schedule.total_steps > 0,
                 "inner.schedule.total_steps: a cosine schedule needs a length > 0 (0 must be "
                 "resolved from the run before training), found {}",
                 schedule.total_steps);
    const std::int64_t since_warmup = step - warmup;
    if (since_warmup >= schedule.total_steps) return schedule.min_lr;
    const double ratio =
        static_cast<double>(since_warmup) / static_cast<double>(schedule.total_steps);
    const double coeff = 0.5 * (1.0 + std::cos(std::numbers::pi * ratio));
    return schedule.min_lr + coeff * (base_lr - schedule.min_lr);
}

}  // namespace hetsim::engine
