#pragma once
// `hetsim explain`: what a scenario resolves to, worker by worker, before anything runs:
// step times and where they come from, links, expected round and transfer times, DyLU steps
// and failure rates. Long worlds are summarised by group.

#include "engine/commands.hpp"
#include "scenarios/scenario.hpp"

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace hetsim::engine {

/// Worlds larger than this are printed as one row per group (min / median / max).
inline constexpr std::size_t kExplainFullTableWorkers = 64;

/// Loads the scenario, resolves what needs the model (its size, FLOP or measured step times)
/// when it trains one, and prints the explanation to `out`.
void explain_command(const RunOptions& options, std::ostream& out);

/// Prints the explanation of an already resolved scenario (step times and model_bytes final).
/// `step_time_note` says where the step times came from, one line; `notes` are more lines for
/// the header (the memory estimate of a training run).
void print_explanation(const scenarios::Scenario& scenario, const std::string& step_time_note,
                       const std::vector<std::string>& notes, std::ostream& out);

}  // namespace hetsim::engine
