#include "scenarios/scenario_loader.hpp"

#include "scenarios/overrides.hpp"
#include "scenarios/sections.hpp"
#include "scenarios/trace_section.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hetsim::scenarios {
namespace {

using detail::TableReader;

std::string read_file(const std::filesystem::path& file) {
    const SourcePosition where{file.string()};
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw ScenarioError(where, "", "a scenario file", "a directory");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw ScenarioError(where, "", "a readable scenario file",
                            fmt::format("an unreadable file ({})", std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ScenarioError(where, "", "a readable scenario file", "a read error");
    return text.str();
}

toml::table parse_toml(std::string_view text, const std::string& source_name) {
    try {
        return toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& e) {
        std::string description(e.description());
        if (!description.empty())
            description[0] =
                static_cast<char>(std::tolower(static_cast<unsigned char>(description[0])));
        throw ScenarioError(detail::position_of(e.source()), "", "valid TOML",
                            "a syntax error: " + description);
    }
}

// The root's own keys, then its sections in file order (workers before network, which needs
// them), so that the first problem reported is the first one a reader meets.
Scenario resolve(const toml::table& root, const std::string& source, const LoadOptions& options) {
    TableReader reader(root, "");
    Scenario scenario;
    scenario.source = source;
    scenario.name = reader.string("name").value_or(std::filesystem::path(source).stem().string());
    scenario.description = reader.string("description").value_or("");
    const auto file_seed = reader.integer("seed", detail::IntRange{0});
    sim::WorldSpec& world = scenario.world;
    world.seed = options.seed ? *options.seed : static_cast<std::uint64_t>(file_seed.value_or(0));

    TableReader model = reader.table_or_empty("model");
    TableReader data = reader.table_or_empty("data");
    auto workers = reader.table("workers");
    TableReader network = reader.table_or_empty("network");
    auto algorithm = reader.table("algorithm");
    TableReader inner = reader.table_or_empty("inner");
    TableReader outer = reader.table_or_empty("outer");
    TableReader aggregation = reader.table_or_empty("aggregation");
    TableReader eval = reader.table_or_empty("eval");
    TableReader pretrain = reader.table_or_empty("pretrain");
    auto run = reader.table("run");
    std::vector<TableReader> timeline =
        reader.tables("timeline", "a table with `at`, `action` and the event's targets");
    TableReader elastic = reader.table_or_empty("elastic");
    reader.finish();  // top-level typos first: they often explain a missing section

    TrainingSpec& training = scenario.training;
    std::optional<std::int64_t> bytes;
    training.model = detail::read_model(model, bytes);
    scenario.model_bytes_explicit = bytes.has_value();
    world.model_bytes = bytes.value_or(0);
    training.data = detail::read_data(data, training.model);
    if (!workers) reader.missing("workers", "a [workers] table");
    // [workers.trace] first: a device trace's step times stand for [workers] step_times.
    const detail::WorkerTraces traces = detail::read_worker_traces(
        *workers, *root["workers"].as_table(), source, world.seed, training);
    detail::WorkersExtras workers_extras;
    world.workers =
        detail::read_workers(*workers, world.seed, training, traces.step_times, workers_extras);
    scenario.trace_devices = detail::worker_devices(traces);
    scenario.step_time_sources = std::move(workers_extras.step_time_sources);
    training.data.fixed_shards = std::move(workers_extras.fixed_shards);
    detail::apply_trace_links(traces, world.workers, network);
    world.network = detail::read_network(network, world.workers, workers_extras.group_links);
    if (!algorithm) reader.missing("algorithm", "an [algorithm] table with at least `kind`");
    world.algorithm = detail::read_algorithm(*algorithm, training.qsr);
    training.inner = detail::read_inner(inner, training.model);
    training.outer = detail::read_outer(outer);
    training.aggregation = detail::read_aggregation(aggregation);
    if (!run) reader.missing("run", "a [run] table with duration, server_updates or inner_steps");
    world.stop = detail::read_run(*run, training);
    training.eval = detail::read_eval(eval, world);
    training.pretrain = detail::read_pretrain(pretrain, training.inner, training.data);
    if (training.pretrain.steps > 0 && training.model.kind == "none")
        throw ScenarioError(pretrain.position(), pretrain.key_path("steps"),
                            "0 for a timing-only scenario (model.kind = \"none\" has nothing to "
                            "pretrain)",
                            std::to_string(training.pretrain.steps));
    detail::add_trace_events(traces, world.workers.size(), world.timeline);
    detail::read_timeline(std::move(timeline), elastic, world);
    detail::complete_training(training, world, inner);
    return scenario;
}

}  // namespace

namespace detail {

std::string read_scenario_file(const std::filesystem::path& file) { return read_file(file); }

toml::table parse_scenario_toml(std::string_view text, const std::string& source_name) {
    return parse_toml(text, source_name);
}

Scenario resolve_scenario(const toml::table& root, const std::string& source,
                          const LoadOptions& options) {
    return resolve(root, source, options);
}

}  // namespace detail

Scenario parse_scenario(std::string_view toml_text, const std::string& source_name,
                        const LoadOptions& options) {
    toml::table root = parse_toml(toml_text, source_name);
    detail::reject_study_keys(root);  // a study expands through load_study (study.hpp)
    detail::apply_overrides(root, options.overrides);
    return resolve(root, source_name, options);
}

Scenario load_scenario(const std::filesystem::path& file, const LoadOptions& options) {
    return parse_scenario(read_file(file), file.string(), options);
}

}  // namespace hetsim::scenarios
