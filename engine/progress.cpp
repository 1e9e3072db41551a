#include "engine/progress.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <unistd.h>

namespace hetsim::engine {

bool progress_wanted() {
    const char* ci = std::getenv("CI");
    return ::isatty(STDERR_FILENO) == 1 && (ci == nullptr || *ci == '\0');
}

ProgressLine::ProgressLine(const sim::StopSpec& stop, std::ostream& out)
    : stop_(stop), out_(out), started_(std::chrono::steady_clock::now()), last_draw_(started_) {}

double ProgressLine::fraction(const sim::Progress& p) const {
    double f = 0;
    if (stop_.duration && stop_.duration->count() > 0)
        f = std::max(f, sim::to_seconds(p.now) / sim::to_seconds(*stop_.duration));
    if (stop_.server_updates && *stop_.server_updates > 0)
        f = std::max(f, static_cast<double>(p.server_version) /
                            static_cast<double>(*stop_.server_updates));
    if (stop_.inner_steps && *stop_.inner_steps > 0)
        f = std::max(f, static_cast<double>(p.inner_steps) / static_cast<double>(*stop_.inner_steps));
    return std::clamp(f, 0.0, 1.0);
}

void ProgressLine::update(const sim::Progress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const double f = fraction(p);
    const std::string eta = f > 0.001 ? fmt::format("{:.0f} s", elapsed * (1 - f) / f) : "?";
    std::string where = fmt::format("{:.1f} s virtual", sim::to_seconds(p.now));
    if (stop_.duration) where += fmt::format(" / {:.1f} s", sim::to_seconds(*stop_.duration));
    fmt::print(out_, "\r\033[K  {:5.1f}%  {}, {} server updates, {} inner steps, {:.0f} s host, "
                     "ETA {}",
               100 * f, where, p.server_version, p.inner_steps, elapsed, eta);
    out_.flush();
    drawn_ = true;
}

void ProgressLine::finish() {
    if (drawn_) out_ << "\r\033[K" << std::flush;
    drawn_ = false;
}

}  // namespace hetsim::engine
