#pragma once
// How `hetsim run` reports while it runs. On a terminal: a live progress line on stderr (virtual
// time reached / total, server updates, inner steps, the latest evaluation, host elapsed and
// ETA), redrawn at most 5 times per second, off when stderr is not a terminal or $CI is set; for
// a study, a line of runs done / total. With --log-format json: one JSON object per line on
// stdout ("progress" records about once per host second, whether or not stdout is a terminal,
// and a last one when the run ends); docs/outputs.md lists the records.

#include "sim/run_records.hpp"
#include "sim/world.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace hetsim::engine {

/// Whether a progress line should be drawn: stderr is a terminal and $CI is not set.
bool progress_wanted();

/// The latest evaluation of the global model, for the progress display.
struct LatestEval {
    bool perplexity = true;  ///< perplexity (language models), else accuracy in [0, 1]
    double value = 0;
};

/// A JSON-lines record: keys stay in the order written, "event" first.
using Event = nlohmann::ordered_json;

/// Writes one JSON-lines record and flushes, so that a reader sees it at once.
void write_event(std::ostream& out, const Event& record);

/// `j` as an Event (keys in j's order: sorted).
Event to_event(const nlohmann::json& j);

class ProgressLine {
public:
    enum class Style { text, json };
    /// Draws on `out` (stderr in the CLI for text, stdout for json) against the run's stop
    /// conditions.
    ProgressLine(const sim::StopSpec& stop, std::ostream& out, Style style = Style::text);
    /// Where the latest evaluation comes from (the trainer's metrics); none: not shown.
    void set_eval(std::function<std::optional<LatestEval>()> eval) { eval_ = std::move(eval); }
    /// Text put before the line, e.g. a study's "run 3/8 | ".
    void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
    /// Cheap when called often: draws only if 200 ms (json: 1 s) of host time passed since the
    /// last draw.
    void update(const sim::Progress& p);
    /// Text: erases the line (call before printing the summary). Json: writes a last progress
    /// record with the final state, so that every run reports at least one.
    void finish(const sim::Progress& last);
    /// The run's fraction done in [0, 1]: the largest of virtual time / duration, server
    /// updates / limit, inner steps / limit (the run stops at the first limit reached).
    double fraction(const sim::Progress& p) const;
    /// The json progress record of `p` at host time `elapsed` seconds.
    Event record(const sim::Progress& p, double elapsed) const;

private:
    void draw(const sim::Progress& p, std::chrono::steady_clock::time_point now);

    sim::StopSpec stop_;
    std::ostream& out_;
    Style style_;
    std::function<std::optional<LatestEval>()> eval_;
    std::string prefix_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;
};

/// The study's line on a terminal: runs done / total, failed, host elapsed and ETA (from the
/// mean host time of the runs finished so far).
class StudyProgress {
public:
    StudyProgress(std::size_t total, std::ostream& out);
    /// Redraws after a run finished (ok or not).
    void run_finished(bool ok);
    /// Erases the line, e.g. before other output; draw() brings it back.
    void erase();
    void draw();
    /// "run 4/8, 1 failed, ETA 40 s | ": the prefix of the current run's own progress line.
    std::string prefix() const;

private:
    std::string text() const;

    std::size_t total_;
    std::size_t done_ = 0;
    std::size_t failed_ = 0;
    std::ostream& out_;
    std::chrono::steady_clock::time_point started_;
    bool drawn_ = false;
};

}  // namespace hetsim::engine
