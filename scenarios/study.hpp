#pragma once
// Studies: one scenario file that describes many runs. A base scenario, `[[variant]]` blocks of
// key overrides over it, a `[sweep]` grid (cartesian product) over any keys, and `repeats` seeds
// of each; expanded here into fully resolved scenarios, every one of them validated before any
// run starts (all-or-nothing). Torch-free.

#include "scenarios/scenario.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hetsim::scenarios {

/// One run of a study: a (variant, sweep point, seed) with its resolved scenario.
struct StudyRun {
    std::size_t index = 0;  ///< position in the expansion: variants, then sweep points, then seeds
    /// Folder-safe label of the (variant, sweep point): `sync__inner_steps-10__count-4`.
    std::string label;
    std::string variant;  ///< the variant's own label (`sync`)
    /// The sweep point: {"algorithm.inner_steps": 10, "workers.count": 4}; {} without a sweep.
    nlohmann::json sweep = nlohmann::json::object();
    std::uint64_t seed = 0;
    /// The run's folder below the study's output folder: `<label>/<seed>`.
    std::filesystem::path dir() const;
    Scenario scenario;  ///< resolved, with name "<study name>/<label>" and seed `seed`
};

/// A study file after expansion and validation of every run.
struct Study {
    std::string name;    ///< the file's `name`, else its stem
    std::string source;  ///< the file as given
    int repeats = 1;     ///< `study.repeats`: seeds seed .. seed + repeats - 1
    std::uint64_t first_seed = 0;
    std::optional<double> target;  ///< `study.target`: target perplexity
    /// The variant speed-ups are measured against: `study.baseline`, else the first variant
    /// whose algorithm is "sync", else none.
    std::optional<std::string> baseline;
    std::vector<std::string> variants;  ///< variant labels in file order
    std::vector<std::string> sweep_keys;  ///< the sweep's keys in file order (first: slowest)
    std::vector<std::string> labels;    ///< run labels in expansion order, each once
    std::vector<StudyRun> runs;         ///< every run, in index order

    /// The label of `run_label`'s baseline: the baseline variant at the same sweep point, or
    /// nullopt without a baseline.
    std::optional<std::string> baseline_label(const std::string& run_label) const;
};

/// The keys that make a scenario file a study.
inline constexpr std::string_view kStudyKeys[] = {"study", "variant", "sweep"};

/// Whether `file` holds a study (a top-level `study`, `variant` or `sweep` key). Throws
/// hetsim::ScenarioError when the file cannot be read or is not valid TOML.
bool is_study_file(const std::filesystem::path& file);

/// Reads, expands and validates the study in `file`. `options.seed` replaces the file's seed as
/// the first seed; `options.overrides` apply to every run after its variant and sweep values
/// (so the command line wins), except `study.*` ones, which change the study table itself.
/// Throws hetsim::ScenarioError at the offending key; an error in one run names its label.
Study load_study(const std::filesystem::path& file, const LoadOptions& options = {});

/// As load_study, from TOML text; `source_name` stands for the file.
Study parse_study(std::string_view toml_text, const std::string& source_name,
                  const LoadOptions& options = {});

/// Whether `label` may name a run folder: letters, digits, `.`, `_`, `-`, `+`, not starting
/// with `.`, at most 200 characters.
bool is_folder_safe(std::string_view label);

/// The resolved scenario JSON compared to decide whether a finished run belongs to a study run:
/// to_json(scenario) without the source path and, when the model size is derived at run time,
/// without the model size.
nlohmann::json comparable_scenario_json(nlohmann::json scenario_json);

}  // namespace hetsim::scenarios
