#pragma once
// The index of a study folder: study.json and study.csv, one entry per run with its status and
// final numbers (docs/outputs.md). The summary table printed at the end of a study is the
// report's (analysis/report.hpp).

#include "scenarios/study.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hetsim::engine {

/// One run's entry in study.json and study.csv.
struct StudyRecord {
    std::size_t index = 0;
    std::string label;    ///< the run's label (variant and sweep point)
    std::string variant;  ///< the variant's label
    nlohmann::json sweep = nlohmann::json::object();  ///< sweep key -> value
    std::uint64_t seed = 0;
    std::string dir;                 ///< "<label>/<seed>", relative to the study folder
    std::string status = "pending";  ///< "done", "failed" or "pending"
    /// The run's final numbers (from run.json and metrics.csv) when done, else null.
    nlohmann::json metrics = nullptr;
};

/// study.json in memory.
struct StudyIndex {
    std::string name;
    std::string source;                ///< the study file, absolute
    std::optional<double> target;      ///< target perplexity (or accuracy), if any
    std::optional<std::string> baseline;  ///< the baseline variant's label, if any
    int repeats = 1;
    std::uint64_t first_seed = 0;
    std::vector<std::string> sweep_keys;  ///< in file order
    std::vector<StudyRecord> runs;        ///< in index order
};

/// The index of a freshly expanded study, every run pending.
StudyIndex make_study_index(const scenarios::Study& study);

/// Reads OUT/study.json. Throws hetsim::DataError naming the file when it is missing or not a
/// study index.
StudyIndex read_study_index(const std::filesystem::path& file);

/// Sets `record`'s status and numbers from its folder below `out`: "done" with the numbers of
/// run.json (and the time to `target` from metrics.csv), "failed" when the folder holds a
/// log.txt but no run.json, else "pending". Throws DataError on a corrupt run.json.
void refresh_record(StudyRecord& record, const std::filesystem::path& out,
                    std::optional<double> target);

/// Writes OUT/study.json and OUT/study.csv, each atomically.
void write_study_index(const std::filesystem::path& out, const StudyIndex& index);

}  // namespace hetsim::engine
