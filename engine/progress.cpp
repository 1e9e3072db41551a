#include "engine/progress.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <unistd.h>

namespace hetsim::engine {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t,
                     std::chrono::steady_clock::time_point now) {
    return std::chrono::duration<double>(now - t).count();
}

// Remaining host time if the rest goes as fast as what is done: elapsed (1 - f) / f.
std::optional<double> eta(double elapsed, double f) {
    if (f <= 0.001) return std::nullopt;
    return elapsed * (1 - f) / f;
}

std::string eta_text(std::optional<double> s) {
    return s ? fmt::format("{:.0f} s", *s) : std::string("?");
}

}  // namespace

bool progress_wanted() {
    const char* ci = std::getenv("CI");
    return ::isatty(STDERR_FILENO) == 1 && (ci == nullptr || *ci == '\0');
}

void write_event(std::ostream& out, const Event& record) {
    // Invalid UTF-8 (a label, a path) is replaced rather than losing the record.
    out << record.dump(-1, ' ', false, Event::error_handler_t::replace) << '\n' << std::flush;
}

Event to_event(const nlohmann::json& j) {
    if (j.is_object()) {
        Event out = Event::object();
        for (const auto& [key, value] : j.items()) out[key] = to_event(value);
        return out;
    }
    if (j.is_array()) {
        Event out = Event::array();
        for (const nlohmann::json& v : j) out.push_back(to_event(v));
        return out;
    }
    return Event::parse(j.dump());  // a scalar
}

ProgressLine::ProgressLine(const sim::StopSpec& stop, std::ostream& out, Style style)
    : stop_(stop), out_(out), style_(style), started_(std::chrono::steady_clock::now()),
      last_draw_(started_) {}

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

Event ProgressLine::record(const sim::Progress& p, double elapsed) const {
    Event eval = nullptr;
    if (eval_)
        if (const std::optional<LatestEval> e = eval_())
            eval = {{e->perplexity ? "perplexity" : "accuracy", e->value}};
    const std::optional<double> left = eta(elapsed, fraction(p));
    return {{"event", "progress"},
            {"virtual_time_s", sim::to_seconds(p.now)},
            {"server_updates", p.server_version},
            {"inner_steps", p.inner_steps},
            {"fraction", fraction(p)},
            {"eval", eval},
            {"host_s", elapsed},
            {"eta_s", left ? Event(*left) : Event(nullptr)}};
}

void ProgressLine::update(const sim::Progress& p) {
    const auto now = std::chrono::steady_clock::now();
    const auto every = style_ == Style::json ? std::chrono::milliseconds(1000)
                                             : std::chrono::milliseconds(200);
    if (now - last_draw_ < every) return;
    draw(p, now);
}

void ProgressLine::draw(const sim::Progress& p, std::chrono::steady_clock::time_point now) {
    last_draw_ = now;
    const double elapsed = seconds_since(started_, now);
    if (style_ == Style::json) {
        write_event(out_, record(p, elapsed));
        return;
    }
    const double f = fraction(p);
    std::string where = fmt::format("{:.1f} s virtual", sim::to_seconds(p.now));
    if (stop_.duration) where += fmt::format(" / {:.1f} s", sim::to_seconds(*stop_.duration));
    std::string eval;
    if (eval_)
        if (const std::optional<LatestEval> e = eval_())
            eval = e->perplexity ? fmt::format(", perplexity {:.4g}", e->value)
                                 : fmt::format(", accuracy {:.2f}%", 100 * e->value);
    fmt::print(out_, "\r\033[K{}  {:5.1f}%  {}, {} server updates, {} inner steps{}, {:.0f} s "
                     "host, ETA {}",
               prefix_, 100 * f, where, p.server_version, p.inner_steps, eval, elapsed,
               eta_text(eta(elapsed, f)));
    out_.flush();
    drawn_ = true;
}

void ProgressLine::finish(const sim::Progress& last) {
    if (style_ == Style::json) {
        draw(last, std::chrono::steady_clock::now());
        return;
    }
    if (drawn_) out_ << "\r\033[K" << std::flush;
    drawn_ = false;
}

StudyProgress::StudyProgress(std::size_t total, std::ostream& out)
    : total_(total), out_(out), started_(std::chrono::steady_clock::now()) {}

std::string StudyProgress::text() const {
    const double elapsed = seconds_since(started_, std::chrono::steady_clock::now());
    const double f = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
    return fmt::format("runs {}/{} done, {} failed, {:.0f} s elapsed, ETA {}", done_, total_,
                       failed_, elapsed, eta_text(done_ > 0 ? eta(elapsed, f) : std::nullopt));
}

void StudyProgress::run_finished(bool ok) {
    ++done_;
    if (!ok) ++failed_;
    draw();
}

void StudyProgress::erase() {
    if (drawn_) out_ << "\r\033[K" << std::flush;
    drawn_ = false;
}

void StudyProgress::draw() {
    out_ << "\r\033[K  " << text() << std::flush;
    drawn_ = true;
}

std::string StudyProgress::prefix() const {
    const double elapsed = seconds_since(started_, std::chrono::steady_clock::now());
    const double f = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
    std::string out = fmt::format("  run {}/{}", std::min(done_ + 1, total_), total_);
    if (failed_) out += fmt::format(", {} failed", failed_);
    if (done_ > 0) out += ", study ETA " + eta_text(eta(elapsed, f));
    return out + " |";
}

}  // namespace hetsim::engine
