#pragma once
// The Quadratic Synchronization Rule (Gu et al. 2024, "A Quadratic Synchronization Rule for
// Distributed Deep Learning", ICLR 2024). Pure function, no Torch.

#include <cstdint>

namespace hetsim::engine {

/// Largest synchronization period qsr_sync_period returns by default (about 1e9 inner steps):
/// keeps the result finite as the learning rate decays towards 0.
inline constexpr std::int64_t kQsrMaxPeriod = std::int64_t{1} << 30;

/// The number of local steps H for the next round, from the learning rate `lr` at the round's
/// start: H = max(H_base, floor((alpha / lr)^2)) (Gu et al. 2024, the QSR rule), capped at
/// `max_period` (so lr = 0 gives max_period, or H_base when alpha = 0). `h_base` >= 1,
/// `alpha` >= 0, `lr` >= 0. Throws hetsim::Error otherwise.
std::int64_t qsr_sync_period(std::int64_t h_base, double alpha, double lr,
                             std::int64_t max_period = kQsrMaxPeriod);

}  // namespace hetsim::engine
