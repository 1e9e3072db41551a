#include "analysis/metrics.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>

namespace hetsim::analysis {

void write_metrics_csv(std::ostream& out, const std::vector<MetricsRow>& rows,
                       bool with_host_time) {
    out << "time_s,server_updates,inner_steps,examples,tokens,loss,perplexity,bits_per_byte,"
           "accuracy"
        << (with_host_time ? ",host_s\n" : "\n");
    for (const MetricsRow& r : rows) {
        fmt::print(out, "{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g}", sim::format_seconds(r.time),
                   r.server_updates, r.inner_steps, r.examples, r.tokens, r.loss, r.perplexity,
                   r.bits_per_byte, r.accuracy);
        if (with_host_time) fmt::print(out, ",{:.3f}", r.host_seconds);
        out << '\n';
    }
}

}  // namespace hetsim::analysis
