#include "scenarios/study.hpp"

#include "scenarios/overrides.hpp"
#include "scenarios/sections.hpp"
#include "scenarios/study_sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <utility>

namespace hetsim::scenarios {
namespace {

using detail::reserved_key;
using detail::SweepAxis;
using detail::TableReader;
using nlohmann::json;

// Far more runs than a study on one machine or one Slurm array would hold; a typo such as
// `repeats = 1000000` is caught before millions of scenarios are resolved.
constexpr std::size_t kMaxRuns = 100'000;
constexpr std::size_t kMaxLabel = 200;

// A variant as read from the study file: its label and where it was written.
struct VariantHead {
    std::string label;
    SourcePosition where;
};

std::vector<VariantHead> read_variants(const toml::table& root) {
    std::vector<VariantHead> out;
    const toml::node* node = root.get("variant");
    if (node == nullptr) return out;
    const toml::array* list = node->as_array();
    if (list == nullptr || list->empty())
        detail::fail(*node, "variant", "a non-empty list of [[variant]] tables");
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string path = fmt::format("variant[{}]", i);
        const toml::node& entry = *list->get(i);
        if (!entry.is_table()) detail::fail(entry, path, "a [[variant]] table");
        const toml::table& table = *entry.as_table();
        for (const auto& [k, v] : table)
            if (detail::reserved(k.str())) reserved_key(k, path + "." + std::string(k.str()));
        const toml::node* label = table.get("label");
        if (label == nullptr)
            throw ScenarioError(detail::position_of(table.source()), path + ".label",
                                "a label naming the variant (label = \"sync\")", "nothing");
        const std::string text = detail::to_string(*label, path + ".label");
        if (!is_folder_safe(text))
            detail::fail(*label, path + ".label",
                         "a folder-safe label (letters, digits, `.`, `_`, `-`, `+`; not starting "
                         "with `.`; at most 200 characters)");
        for (const VariantHead& earlier : out)
            if (earlier.label == text)
                detail::fail(*label, path + ".label",
                             fmt::format("a label not used by an earlier variant (line {})",
                                         earlier.where.line));
        out.push_back({text, detail::position_of(label->source())});
    }
    return out;
}

struct StudyHead {
    std::vector<VariantHead> variants;  // empty: the base is the single variant
    std::vector<SweepAxis> axes;
    std::optional<std::string> baseline;
    SourcePosition baseline_where;
};

// [study] and the labels of variants and sweep values; every run is validated later.
StudyHead read_head(const toml::table& root, Study& study, const LoadOptions& options) {
    StudyHead head;
    TableReader top(root, "");
    TableReader table = top.table_or_empty("study");
    study.repeats = static_cast<int>(table.integer("repeats", {1, 10'000}).value_or(1));
    study.target = table.number("target", detail::NumberRange::positive());
    if (const toml::node* b = table.get("baseline")) {
        head.baseline = detail::to_string(*b, "study.baseline");
        head.baseline_where = detail::position_of(b->source());
    }
    table.finish();
    head.variants = read_variants(root);
    if (const toml::node* sweep = root.get("sweep")) {
        if (!sweep->is_table()) detail::fail(*sweep, "sweep", "a [sweep] table of key = [values]");
        head.axes = detail::read_sweep(*sweep->as_table());
    }
    std::int64_t file_seed = 0;
    if (const toml::node* seed = root.get("seed"); seed && seed->is_integer())
        file_seed = std::max<std::int64_t>(0, seed->as_integer()->get());
    study.first_seed = options.seed.value_or(static_cast<std::uint64_t>(file_seed));
    if (study.first_seed > std::numeric_limits<std::uint64_t>::max() - (study.repeats - 1))
        throw ScenarioError(table.position(), "study.repeats",
                            "seeds that fit in 64 bits (seed + repeats - 1)",
                            fmt::format("{} repeats from seed {}", study.repeats, study.first_seed));
    return head;
}

// The scenario table of one (variant, sweep point): the base, the variant's keys, the sweep
// values, then the command line's overrides. Parsed afresh so every value keeps its position.
toml::table expand_table(std::string_view text, const std::string& source, const StudyHead& head,
                         std::optional<std::size_t> variant, const std::vector<std::size_t>& point,
                         std::span<const std::string> run_overrides) {
    toml::table root = detail::parse_scenario_toml(text, source);
    toml::table variant_table;
    if (variant) {
        variant_table = std::move(*root["variant"].as_array()->get(*variant)->as_table());
        variant_table.erase("label");
    }
    std::optional<toml::table> sweep;
    if (toml::table* s = root["sweep"].as_table()) sweep = std::move(*s);
    for (const std::string_view key : kStudyKeys) root.erase(key);
    detail::merge_overrides(root, std::move(variant_table));
    for (std::size_t a = 0; a < head.axes.size(); ++a) {
        toml::node* node = &*sweep;
        for (const std::string& segment : head.axes[a].table_path)
            node = node->as_table()->get(segment);
        toml::node& value = *node->as_array()->get(point[a]);
        detail::merge_override(root, head.axes[a].key_parts, std::move(value));
    }
    detail::apply_overrides(root, run_overrides);
    return root;
}

std::string study_name(const toml::table& root, const std::string& source) {
    if (const toml::node* name = root.get("name"); name && name->is_string())
        return name->as_string()->get();
    return std::filesystem::path(source).stem().string();
}

void check_label(const std::string& label, const Study& study, const SourcePosition& where) {
    if (!is_folder_safe(label))
        throw ScenarioError(where, "sweep", "labels of at most 200 folder-safe characters",
                            fmt::format("label `{}`", label));
    if (std::find(study.labels.begin(), study.labels.end(), label) != study.labels.end())
        throw ScenarioError(where, "sweep", "sweep values that give distinct run labels",
                            fmt::format("label `{}` twice", label));
}

void resolve_baseline(Study& study, const StudyHead& head) {
    if (head.baseline) {
        if (std::find(study.variants.begin(), study.variants.end(), *head.baseline) ==
            study.variants.end()) {
            std::string expected = "the label of a variant: ";
            for (std::size_t i = 0; i < study.variants.size(); ++i)
                expected += (i ? ", " : "") + study.variants[i];
            const std::string close = detail::closest_match(*head.baseline, study.variants);
            if (!close.empty()) expected += fmt::format(" (did you mean `{}`?)", close);
            throw ScenarioError(head.baseline_where, "study.baseline", expected,
                                fmt::format("string \"{}\"", *head.baseline));
        }
        study.baseline = head.baseline;
        return;
    }
    for (const StudyRun& run : study.runs)
        if (run.scenario.world.algorithm.kind == sim::ScheduleKind::sync) {
            study.baseline = run.variant;
            return;
        }
}

// Everything needed to expand one (variant, sweep point) of a study file.
struct Expansion {
    std::string_view text;
    const std::string& source;
    const StudyHead& head;
    std::span<const std::string> run_overrides;
};

// The runs of one (variant, sweep point), one per seed, each resolved and so validated; a
// ScenarioError names the run it happened in.
void add_runs(Study& study, const Expansion& x, std::optional<std::size_t> variant,
              const std::vector<std::size_t>& point) {
    const std::string& variant_label = study.variants.back();
    std::string label = variant_label;
    json sweep = json::object();
    for (std::size_t a = 0; a < x.head.axes.size(); ++a) {
        label += "__" + x.head.axes[a].name + "-" + x.head.axes[a].texts[point[a]];
        sweep[x.head.axes[a].key] = x.head.axes[a].values[point[a]];
    }
    check_label(label, study,
                !x.head.axes.empty() ? x.head.axes.front().where
                : variant            ? x.head.variants[*variant].where
                                     : SourcePosition{x.source, 1, 1});
    study.labels.push_back(label);
    const toml::table table =
        expand_table(x.text, x.source, x.head, variant, point, x.run_overrides);
    for (int r = 0; r < study.repeats; ++r) {
        StudyRun run{study.runs.size(), label, variant_label, sweep,
                     study.first_seed + static_cast<std::uint64_t>(r), {}};
        LoadOptions load;
        load.seed = run.seed;
        try {
            run.scenario = detail::resolve_scenario(table, x.source, load);
        } catch (const ScenarioError& e) {
            throw ScenarioError(e.where(), e.key(), e.expected(),
                                fmt::format("{} (in run {}: {}, seed {})", e.found(), run.index,
                                            label, run.seed));
        }
        run.scenario.name = study.name + "/" + label;
        study.runs.push_back(std::move(run));
    }
}

// `--set study.repeats=5` changes the study; every other override changes each run.
std::pair<std::vector<std::string>, std::vector<std::string>> split_overrides(
    const std::vector<std::string>& overrides) {
    std::pair<std::vector<std::string>, std::vector<std::string>> out;
    for (const std::string& o : overrides) {
        const std::string_view key = std::string_view(o).substr(0, o.find('='));
        const auto start = key.find_first_not_of(" \t");
        const bool study = start != std::string_view::npos && key.substr(start).starts_with("study.");
        (study ? out.first : out.second).push_back(o);
    }
    return out;
}

}  // namespace

namespace detail {

void reject_study_keys(const toml::table& root) {
    for (const std::string_view key : kStudyKeys)
        if (const auto it = root.find(key); it != root.end())
            throw ScenarioError(position_of(it->first.source()), std::string(key),
                                "a single scenario (this file is a study: `hetsim run` and "
                                "`hetsim validate` expand it into its runs)",
                                fmt::format("the study key `{}`", key));
}

}  // namespace detail

std::filesystem::path StudyRun::dir() const {
    return std::filesystem::path(label) / std::to_string(seed);
}

std::optional<std::string> Study::baseline_label(const std::string& run_label) const {
    if (!baseline) return std::nullopt;
    const auto run = std::find_if(runs.begin(), runs.end(),
                                  [&](const StudyRun& r) { return r.label == run_label; });
    if (run == runs.end()) return std::nullopt;
    for (const StudyRun& r : runs)
        if (r.variant == *baseline && r.sweep == run->sweep) return r.label;
    return std::nullopt;
}

bool is_folder_safe(std::string_view label) {
    if (label.empty() || label.size() > kMaxLabel || label.front() == '.') return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
               c == '+';
    });
}

bool is_study_file(const std::filesystem::path& file) {
    const std::string text = detail::read_scenario_file(file);
    const toml::table root = detail::parse_scenario_toml(text, file.string());
    return std::any_of(std::begin(kStudyKeys), std::end(kStudyKeys),
                       [&](std::string_view key) { return root.contains(key); });
}

Study parse_study(std::string_view toml_text, const std::string& source_name,
                  const LoadOptions& options) {
    const auto [study_overrides, run_overrides] = split_overrides(options.overrides);
    toml::table root = detail::parse_scenario_toml(toml_text, source_name);
    detail::apply_overrides(root, study_overrides);
    Study study;
    study.source = source_name;
    study.name = study_name(root, source_name);
    const StudyHead head = read_head(root, study, options);
    const auto points = detail::sweep_points(head.axes);
    for (const SweepAxis& axis : head.axes) study.sweep_keys.push_back(axis.key);
    const std::size_t variants = std::max<std::size_t>(1, head.variants.size());
    if (variants * points.size() * study.repeats > kMaxRuns)
        throw ScenarioError(SourcePosition{source_name, 1, 1}, "study",
                            fmt::format("at most {} runs (variants x sweep points x repeats)",
                                        kMaxRuns),
                            fmt::format("{} x {} x {}", variants, points.size(), study.repeats));
    std::string base = detail::sanitised(study.name);
    if (!is_folder_safe(base)) base = "base";
    const Expansion x{toml_text, source_name, head, run_overrides};
    for (std::size_t v = 0; v < variants; ++v) {
        const bool has_variant = !head.variants.empty();
        study.variants.push_back(has_variant ? head.variants[v].label : base);
        for (const auto& point : points)
            add_runs(study, x, has_variant ? std::optional(v) : std::nullopt, point);
    }
    resolve_baseline(study, head);
    return study;
}

Study load_study(const std::filesystem::path& file, const LoadOptions& options) {
    return parse_study(detail::read_scenario_file(file), file.string(), options);
}

json comparable_scenario_json(json scenario_json) {
    if (!scenario_json.is_object()) return scenario_json;
    scenario_json.erase("source");
    if (!scenario_json.value("model_bytes_explicit", false)) scenario_json.erase("model_bytes");
    return scenario_json;
}

}  // namespace hetsim::scenarios
