// The `hetsim` command line. Thin on purpose: parse flags, call a command, turn errors into
// one message and an exit code (2 for bad input: scenario or flags; 1 for anything else).

#include "engine/commands.hpp"
#include "hetsim/version.hpp"
#include "sim/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace {

void add_scenario_options(CLI::App* cmd, hetsim::engine::RunOptions& o) {
    cmd->add_option("scenario", o.scenario, "Scenario file (TOML)")->required();
    cmd->add_option("--set", o.overrides,
                    "Override a scenario key, e.g. --set workers.count=16 (repeatable)")
        ->take_all()
        ->allow_extra_args(false);
    cmd->add_option("--seed", o.seed, "Seed of the run (wins over the file's seed)");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"hetsim: discrete-event simulator of heterogeneous, asynchronous distributed "
                 "training"};
    app.set_version_flag("--version", fmt::format("hetsim {}", hetsim::kVersion));
    app.require_subcommand(1);

    hetsim::engine::RunOptions options;
    CLI::App* run = app.add_subcommand("run", "Run a scenario and write its outputs");
    add_scenario_options(run, options);
    run->add_option("--out", options.out, "Output folder (default: out/<scenario name>)");
    run->add_flag("--trace", options.trace, "Also write trace.csv with every event");
    run->add_flag("--overwrite", options.overwrite, "Replace a finished run in the output folder");
    run->add_flag("--host-time", options.host_time,
                  "Add host seconds to metrics.csv (then it differs between identical runs)");
    CLI::App* validate = app.add_subcommand("validate", "Check a scenario without running it");
    add_scenario_options(validate, options);
    std::vector<std::filesystem::path> compare_dirs;
    CLI::App* compare =
        app.add_subcommand("compare", "Print a Markdown table comparing finished runs");
    compare->add_option("runs", compare_dirs, "Run folders (each with a run.json)")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        if (run->parsed())
            hetsim::engine::run_command(options, std::cout);
        else if (validate->parsed())
            hetsim::engine::validate_command(options, std::cout);
        else
            hetsim::engine::compare_command(compare_dirs, std::cout);
        return 0;
    } catch (const hetsim::ScenarioError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    } catch (const hetsim::ConfigError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
