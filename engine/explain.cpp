#include "engine/explain.hpp"

#include "engine/memory_estimate.hpp"
#include "engine/step_time_resolver.hpp"
#include "engine/trainer.hpp"
#include "models/dataset.hpp"
#include "models/model.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/compute_model.hpp"
#include "sim/network_model.hpp"
#include "sim/random_streams.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <map>
#include <ostream>

namespace hetsim::engine {
namespace {

using sim::Time;

// A duration for reading, not for parsing back: exact below a millisecond's resolution would
// be noise here, so four significant digits in the largest sensible unit.
std::string human(Time t) {
    const double ns = static_cast<double>(t.count());
    if (t.count() == 0) return "0";
    if (ns < 1e3) return fmt::format("{}ns", t.count());
    if (ns < 1e6) return fmt::format("{:.4g}us", ns / 1e3);
    if (ns < 1e9) return fmt::format("{:.4g}ms", ns / 1e6);
    if (ns < 1e13) return fmt::format("{:.4g}s", ns / 1e9);
    return fmt::format("{:.4g}h", ns / 3.6e12);
}

// "10000000 bytes (10 MB)": exact, then readable.
std::string bytes_text(std::int64_t bytes) {
    const double b = static_cast<double>(bytes);
    if (bytes < 1000) return fmt::format("{} bytes", bytes);
    const char* unit = b < 1e6 ? "kB" : b < 1e9 ? "MB" : "GB";
    const double scale = b < 1e6 ? 1e3 : b < 1e9 ? 1e6 : 1e9;
    return fmt::format("{} bytes ({:.4g} {})", bytes, b / scale, unit);
}

// One worker's resolved numbers.
struct Row {
    std::size_t id = 0;
    std::string group;
    Time step{0};
    double multiplier = 1;
    Time effective{0};
    Time latency{0};
    sim::Bandwidth up;
    sim::Bandwidth down;
    int local_steps = 0;
    Time round{0};
    Time pull{0};
    Time push{0};
    std::optional<Time> mtbf;
};

std::vector<Row> rows_of(const sim::WorldSpec& world) {
    const std::vector<int> steps = sim::local_steps(world);
    std::vector<Row> rows;
    rows.reserve(world.workers.size());
    for (std::size_t w = 0; w < world.workers.size(); ++w) {
        const sim::WorkerSpec& spec = world.workers[w];
        Row r;
        r.id = w;
        r.group = spec.group.empty() ? "-" : spec.group;
        r.step = spec.step_time;
        r.multiplier = spec.multiplier;
        r.effective = spec.effective_step_time();
        r.latency = spec.link.latency;
        r.up = spec.link.up;
        r.down = spec.link.down;
        r.local_steps = steps[w];
        r.round = r.effective * steps[w];
        r.pull = sim::NetworkModel::transfer_time(world.model_bytes, r.latency, r.down);
        r.push = sim::NetworkModel::transfer_time(world.model_bytes, r.latency, r.up);
        r.mtbf = spec.failures.mtbf;
        rows.push_back(std::move(r));
    }
    return rows;
}

std::string steps_per_second(Time effective) {
    return fmt::format("{:.4g}", 1e9 / static_cast<double>(effective.count()));
}

void print_table(const std::vector<Row>& rows, std::ostream& out) {
    fmt::print(out, "{:>4}  {:<10} {:>9} {:>6} {:>9} {:>8}  {:>8} {:>10} {:>10}  {:>9} {:>9} "
                    "{:>9} {:>6} {:>7}\n",
               "id", "group", "step", "mult", "eff.step", "steps/s", "latency", "up", "down",
               "round", "pull", "push", "H_w", "mtbf");
    for (const Row& r : rows)
        fmt::print(out, "{:>4}  {:<10} {:>9} {:>6.4g} {:>9} {:>8}  {:>8} {:>10} {:>10}  {:>9} "
                        "{:>9} {:>9} {:>6} {:>7}\n",
                   r.id, r.group, human(r.step), r.multiplier, human(r.effective),
                   steps_per_second(r.effective), human(r.latency), sim::format_bandwidth(r.up),
                   sim::format_bandwidth(r.down), human(r.round), human(r.pull), human(r.push),
                   r.local_steps, r.mtbf ? sim::format_duration(*r.mtbf) : "-");
}

// "min / median / max" of one column over a group's rows (median: the lower middle).
template <class Get>
std::string spread(std::vector<const Row*> rows, Get get) {
    std::sort(rows.begin(), rows.end(),
              [&](const Row* a, const Row* b) { return get(*a) < get(*b); });
    const auto text = [&](const Row* r) {
        if constexpr (std::is_same_v<decltype(get(*r)), Time>)
            return human(get(*r));
        else
            return fmt::format("{}", get(*r));
    };
    return fmt::format("{} / {} / {}", text(rows.front()), text(rows[(rows.size() - 1) / 2]),
                       text(rows.back()));
}

void print_groups(const std::vector<Row>& rows, std::ostream& out) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Row*>> by_group;
    for (const Row& r : rows) {
        if (!by_group.contains(r.group)) order.push_back(r.group);
        by_group[r.group].push_back(&r);
    }
    fmt::print(out, "{} workers, by group (min / median / max):\n", rows.size());
    for (const std::string& name : order) {
        const std::vector<const Row*>& g = by_group[name];
        fmt::print(out, "group {} ({} workers, ids {}..{})\n", name, g.size(), g.front()->id,
                   g.back()->id);
        const auto line = [&](const char* what, auto get) {
            fmt::print(out, "  {:<16}{}\n", what, spread(g, get));
        };
        line("eff. step time", [](const Row& r) { return r.effective; });
        line("H_w", [](const Row& r) { return r.local_steps; });
        line("round time", [](const Row& r) { return r.round; });
        line("latency", [](const Row& r) { return r.latency; });
        line("pull", [](const Row& r) { return r.pull; });
        line("push", [](const Row& r) { return r.push; });
        const std::size_t failing = static_cast<std::size_t>(std::count_if(
            g.begin(), g.end(), [](const Row* r) { return r->mtbf.has_value(); }));
        fmt::print(out, "  with an mtbf    {} of {}\n", failing, g.size());
    }
}

// "device_flops 989TFLOP/s x mfu 0.4 (speed 1) -> 12.5ms; measure (median of 9) -> 80ms".
std::string sources_note(const nlohmann::json& resolved) {
    std::string note;
    for (const auto& j : resolved["sources"]) {
        if (!note.empty()) note += "; ";
        if (j["kind"] == "flops")
            note += fmt::format("device_flops {} x mfu {:g}, {:.4g} FLOPs per step",
                                j["device_flops"].get<std::string>(), j["mfu"].get<double>(),
                                j["flops_per_step"].get<double>());
        else
            note += fmt::format("measured (median of {} steps after {} warm-up)",
                                j["timed_steps"].get<int>(), j["warmup_steps"].get<int>());
        note += fmt::format(", speed {:g} -> {}", j["speed"].get<double>(),
                            j["step_time"].get<std::string>());
    }
    return note;
}

std::string duration_note(const scenarios::Scenario& s) {
    return s.step_time_sources.empty() ? "durations from the scenario" : "";
}

}  // namespace

void print_explanation(const scenarios::Scenario& s, const std::string& step_time_note,
                       const std::vector<std::string>& notes, std::ostream& out) {
    const sim::WorldSpec& w = s.world;
    const sim::AlgorithmSpec& a = w.algorithm;
    fmt::print(out, "scenario {}: {} workers, seed {}\n", s.name, w.workers.size(), w.seed);
    fmt::print(out, "algorithm {}, H = {}, local steps {}", sim::to_string(a.kind), a.inner_steps,
               sim::to_string(a.local_steps));
    if (a.local_steps == sim::LocalStepPolicy::dylu)
        fmt::print(out, " (H_w = floor(H x fastest / own step time), at least {})",
                   a.dylu_min_steps);
    fmt::print(out, "\n");
    fmt::print(out, "model {}, {} per pull or push{}\n", s.training.model.kind,
               bytes_text(w.model_bytes),
               s.model_bytes_explicit ? " (model.bytes)" : "");
    fmt::print(out, "step times: {}\n", step_time_note);
    for (const std::string& note : notes) fmt::print(out, "{}\n", note);
    fmt::print(out,
               "round = H_w x eff.step; pull/push = latency + bytes / bandwidth (link free)\n");
    const std::vector<Row> rows = rows_of(w);
    if (rows.size() > kExplainFullTableWorkers)
        print_groups(rows, out);
    else
        print_table(rows, out);
}

void explain_command(const RunOptions& options, std::ostream& out) {
    scenarios::LoadOptions load_options;
    load_options.overrides = options.overrides;
    load_options.seed = options.seed;
    scenarios::Scenario s = scenarios::load_scenario(options.scenario, load_options);
    std::string note = duration_note(s);
    std::vector<std::string> notes;
    if (s.training.model.kind != "none") {
        // The transfer size and FLOP / measured step times need the real model and its data.
        const int workers = static_cast<int>(s.world.workers.size());
        const auto data = models::make_dataset(s.training.data, workers, s.world.seed,
                                               models::default_data_dir(),
                                               s.training.model.context);
        s.training.model.vocab = static_cast<int>(data->shape().vocab);
        const std::uint64_t init_seed =
            sim::mix64(s.world.seed ^ static_cast<std::uint64_t>(sim::Purpose::init));
        const auto model = models::make_model(s.training.model, data->shape(), init_seed);
        const std::int64_t parameters = model->parameter_count();
        if (!s.model_bytes_explicit)
            s.world.model_bytes = parameters * s.training.model.bytes_per_parameter;
        const nlohmann::json resolved = resolve_step_times(s, *model, *data);
        if (note.empty()) note = sources_note(resolved);
        const MemoryOptions shape{s.world.algorithm.kind, s.world.algorithm.buffer,
                                  round_threads_for(s.training, workers),
                                  s.training.replica_batch};
        const MemoryEstimate m = estimate_memory(s.training, parameters, workers, shape);
        notes.push_back(memory_text(m, physical_memory_bytes()));
    }
    print_explanation(s, note, notes, out);
}

}  // namespace hetsim::engine
