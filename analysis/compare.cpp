#include "analysis/compare.hpp"

#include "analysis/run_data.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace hetsim::analysis {

RunRecord read_run(const std::filesystem::path& dir) {
    const std::filesystem::path file = dir / "run.json";
    std::ifstream in(file);
    if (!in) throw DataError(fmt::format("{}: no run.json (is this a finished run?)", file.string()));
    try {
        const nlohmann::json j = nlohmann::json::parse(in);
        RunRecord r;
        r.label = std::filesystem::absolute(dir).lexically_normal().filename().string();
        if (r.label.empty()) r.label = std::filesystem::absolute(dir).parent_path().filename();
        r.schedule = describe_schedule(j.at("scenario"));
        const auto& result = j.at("result");
        r.virtual_time_s = result.at("virtual_time_s").get<double>();
        r.server_updates = result.at("server_updates").get<std::int64_t>();
        r.inner_steps = result.at("inner_steps").get<std::int64_t>();
        r.staleness_mean = result.at("staleness_mean").get<double>();
        r.utilisation_mean = result.at("utilisation_mean").get<double>();
        const auto& training = j.at("training");
        if (!training.is_null() && training.contains("final")) {
            r.trained = true;
            r.loss = training.at("final").at("loss").get<double>();
            r.perplexity = training.at("final").at("perplexity").get<double>();
            r.accuracy = training.at("final").at("accuracy").get<double>();
        }
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw DataError(fmt::format("{}: corrupt run.json ({})", file.string(), e.what()));
    }
}

std::string format_run_table(const std::vector<RunRecord>& runs) {
    std::string out =
        "| run | schedule | virtual time | server updates | inner steps | staleness (mean) | "
        "utilisation | final loss | final perplexity / accuracy |\n"
        "|---|---|---|---|---|---|---|---|---|\n";
    for (const RunRecord& r : runs) {
        std::string quality = "-";
        if (r.trained)
            // Diverged runs reach astronomic perplexities: keep them readable.
            quality = r.perplexity <= 0    ? fmt::format("{:.2f}%", 100 * r.accuracy)
                      : r.perplexity < 1e5 ? fmt::format("{:.3f}", r.perplexity)
                                           : fmt::format("{:.3e}", r.perplexity);
        out += fmt::format("| {} | {} | {:.1f} s | {} | {} | {:.2f} | {:.1f}% | {} | {} |\n",
                           r.label, r.schedule, r.virtual_time_s, r.server_updates, r.inner_steps,
                           r.staleness_mean, 100 * r.utilisation_mean,
                           r.trained ? fmt::format("{:.4f}", r.loss) : "-", quality);
    }
    return out;
}

}  // namespace hetsim::analysis
