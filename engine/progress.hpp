#pragma once
// The live progress line of `hetsim run` on a terminal: virtual time reached / total (or server
// updates, or inner steps, against the run's limit), server updates, host elapsed and ETA,
// redrawn at most 5 times per second on stderr. Off when stderr is not a terminal or $CI is set.

#include "sim/run_records.hpp"
#include "sim/world.hpp"

#include <chrono>
#include <iosfwd>

namespace hetsim::engine {

/// Whether a progress line should be drawn: stderr is a terminal and $CI is not set.
bool progress_wanted();

class ProgressLine {
public:
    /// Draws on `out` (stderr in the CLI) against the run's stop conditions.
    ProgressLine(const sim::StopSpec& stop, std::ostream& out);
    /// Cheap when called often: redraws only if 200 ms of host time passed since the last draw.
    void update(const sim::Progress& p);
    /// Erases the line (call before printing the summary).
    void finish();
    /// The run's fraction done in [0, 1]: the largest of virtual time / duration, server
    /// updates / limit, inner steps / limit (the run stops at the first limit reached).
    double fraction(const sim::Progress& p) const;

private:
    sim::StopSpec stop_;
    std::ostream& out_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;
};

}  // namespace hetsim::engine
