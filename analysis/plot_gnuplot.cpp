// Running gnuplot on the figure scripts: found through $HETSIM_GNUPLOT or $PATH, started with
// posix_spawn in the figures folder (so scripts name their data files relatively and a user can
// rerun them there), its messages captured in a log file kept only when it fails.

#include "analysis/plot.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hetsim::analysis {

namespace fs = std::filesystem;

namespace {

bool executable(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string missing_message(const fs::path& dir) {
    return fmt::format(
        "gnuplot not found, so no PNG or SVG was drawn: install the Debian package gnuplot-nox "
        "(sudo apt-get install gnuplot-nox; tools/setup does it), then run `gnuplot NAME.gp` in "
        "{} or this command again. The data files and scripts are written.",
        dir.string());
}

// Runs `gnuplot script` in `dir`; returns its exit status and leaves stderr in `log`.
int spawn_gnuplot(const fs::path& gnuplot, const fs::path& dir_in, const std::string& script,
                  const fs::path& log_in) {
    // The child changes into `dir` before opening `log`: both must be absolute, or a relative
    // log path would be resolved a second time from inside `dir`.
    const fs::path dir = fs::absolute(dir_in);
    const fs::path log = fs::absolute(log_in);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::string program = gnuplot.string();
    std::string arg = script;
    char* argv[] = {program.data(), arg.data(), nullptr};
    pid_t pid = 0;
    const int err = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string last_lines(const fs::path& file, std::size_t n) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    std::string out;
    for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
        out += (out.empty() ? "" : " | ") + lines[i];
    return out;
}

}  // namespace

std::optional<fs::path> find_gnuplot() {
    if (const char* forced = std::getenv("HETSIM_GNUPLOT"); forced && *forced) {
        if (executable(forced)) return fs::path(forced);
        return std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    for (std::string d; std::getline(dirs, d, ':');)
        if (!d.empty() && executable(fs::path(d) / "gnuplot")) return fs::path(d) / "gnuplot";
    return std::nullopt;
}

void render_figures(FigureSet& set) {
    const std::optional<fs::path> gnuplot = find_gnuplot();
    if (!gnuplot) {
        set.gnuplot_ok = false;
        set.message = missing_message(set.dir);
        return;
    }
    for (Figure& f : set.figures) {
        const fs::path log = set.dir / (f.name + ".gnuplot.log");
        const int status = spawn_gnuplot(*gnuplot, set.dir, f.name + ".gp", log);
        std::error_code ec;
        f.drawn = status == 0 && fs::exists(set.dir / (f.name + ".png"), ec) &&
                  fs::exists(set.dir / (f.name + ".svg"), ec);
        if (f.drawn) {
            fs::remove(log, ec);
            continue;
        }
        set.gnuplot_ok = false;
        if (set.message.empty())
            set.message = fmt::format("gnuplot {} failed on {} (exit {}): {} (full output in {})",
                                      gnuplot->string(), f.script.string(), status,
                                      last_lines(log, 3), log.string());
    }
}

FigureSet write_figures(const Study& study, const fs::path& dir, const ReportOptions& options,
                        std::ostream& log) {
    FigureSet set = write_figure_files(study, dir, options);
    if (options.figures) render_figures(set);
    for (const Figure& f : set.figures)
        if (f.drawn) fmt::print(log, "  figure  {}  ({})\n", (dir / (f.name + ".png")).string(), f.title);
    if (!set.gnuplot_ok) fmt::print(log, "warning: {}\n", set.message);
    return set;
}

}  // namespace hetsim::analysis
