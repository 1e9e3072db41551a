#pragma once
// Studies from the command line: `hetsim run STUDY.toml` runs every (variant, sweep point, seed)
// of a study file into OUT/<label>/<seed>/, in parallel child processes with -j N, skipping runs
// already complete; `--emit slurm` writes a Slurm job array instead; `hetsim collect OUT`
// rebuilds the study index from the run folders.

#include "engine/commands.hpp"

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace hetsim::engine {

/// What `hetsim run` takes beyond RunOptions when the file is a study.
struct StudyOptions {
    RunOptions run;  ///< the study file, --out (default out/<study name>), --set, --seed, ...
    int jobs = 1;    ///< -j: runs at once (child processes when > 1)
    /// --only: run just these indices (study.json's `index`), in this process, without writing
    /// study.json (the parent or `hetsim collect` does).
    std::vector<std::size_t> only;
    std::string emit;     ///< --emit: "" (run), or "slurm" (write OUT/study.sbatch)
    /// false (--no-report): no report.html / report.md / figures at the end (the summary
    /// table is still printed).
    bool report = true;
    /// --child: started by a parent with -j; the parent captures the output into log.txt.
    bool child = false;
    /// The hetsim binary children and Slurm tasks run; empty: this process's own executable.
    std::filesystem::path executable;
};

/// `hetsim run`: a study file goes to study_command, anything else to run_command (where the
/// study-only flags are an error).
void run_any_command(const StudyOptions& options, std::ostream& log);

/// Expands and validates the whole study (nothing runs if any run is invalid), then runs the
/// runs that are not complete yet, writing OUT/study.json and study.csv after each; prints the
/// summary. Throws hetsim::Error naming the failed runs' logs when any failed (the others still
/// ran), ConfigError when a run folder holds a different run and --overwrite was not given.
void study_command(const StudyOptions& options, std::ostream& log);

/// `hetsim validate` for both kinds of file: a study lists its runs.
void validate_any_command(const RunOptions& options, std::ostream& log);

/// `hetsim collect OUT`: rebuilds OUT/study.json and study.csv from the run folders (after
/// Slurm array tasks), prints the summary and, when `report`, writes the report.
void collect_command(const std::filesystem::path& out, bool report, std::ostream& log);

}  // namespace hetsim::engine
