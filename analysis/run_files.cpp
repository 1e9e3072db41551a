#include "analysis/run_files.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <unistd.h>
#include <vector>

namespace hetsim::analysis {

using sim::format_seconds;

void write_updates_csv(std::ostream& out, const sim::RunResult& result) {
    out << "time_s,worker,round,version_pulled,version_applied,staleness,inner_steps,bytes,"
           "weight,norm\n";
    for (const sim::UpdateRecord& u : result.updates) {
        const std::string norm = std::isnan(u.norm) ? "" : fmt::format("{:.9g}", u.norm);
        fmt::print(out, "{},{},{},{},{},{},{},{},{:.9g},{}\n", format_seconds(u.time), u.worker,
                   u.round, u.version_pulled, u.version_applied, u.staleness, u.inner_steps,
                   u.bytes, u.weight, norm);
    }
}

void write_workers_csv(std::ostream& out, const sim::RunResult& result) {
    out << "worker,local_steps,compute_s,communication_s,idle_s,down_s,lost_compute_s,"
           "utilisation,updates,inner_steps,rounds_lost,failures,updates_dropped,preemptions,"
           "leaves\n";
    const double end = sim::to_seconds(result.end_time);
    for (std::size_t w = 0; w < result.workers.size(); ++w) {
        const sim::WorkerStats& s = result.workers[w];
        const double utilisation = end > 0 ? sim::to_seconds(s.compute) / end : 0.0;
        fmt::print(out, "{},{},{},{},{},{},{},{:.6f},{},{},{},{},{},{},{}\n", w, s.local_steps,
                   format_seconds(s.compute), format_seconds(s.communication),
                   format_seconds(s.idle), format_seconds(s.down), format_seconds(s.lost_compute),
                   utilisation, s.updates, s.inner_steps, s.rounds_lost, s.failures,
                   s.updates_dropped, s.preemptions, s.leaves);
    }
}

void write_trace_csv(std::ostream& out, const sim::RunResult& result) {
    out << "time_s,worker,event,version\n";
    for (const sim::TraceEvent& e : result.trace)
        fmt::print(out, "{},{},{},{}\n", format_seconds(e.time), e.worker, sim::to_string(e.kind),
                   e.version);
}

void write_timeline_csv(std::ostream& out, const sim::RunResult& result) {
    std::vector<sim::WorkerInterval> rows = result.timeline;
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return a.worker != b.worker ? a.worker < b.worker : a.start < b.start;
    });
    out << "worker,start_s,end_s,state\n";
    for (const sim::WorkerInterval& i : rows)
        fmt::print(out, "{},{},{},{}\n", i.worker, format_seconds(i.start), format_seconds(i.end),
                   sim::to_string(i.state));
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
    const std::filesystem::path tmp =
        path.parent_path() / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw DataError(fmt::format("cannot write {}", tmp.string()));
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throw DataError(fmt::format("cannot write {} (disk full?)", tmp.string()));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw DataError(fmt::format("cannot move {} into place: {}", path.string(), ec.message()));
    }
}

}  // namespace hetsim::analysis
