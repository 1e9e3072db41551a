#include "scenarios/trace_reader.hpp"

#include "scenarios/value_reader.hpp"
#include "sim/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>

namespace hetsim::scenarios {
namespace {

constexpr std::size_t kMaxQuotedChars = 40;

// A field as written, for "found ...": quoted, control bytes escaped, long ones cut.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < kMaxQuotedChars; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') out += '\\';
        if (std::iscntrl(c) || c >= 0x80)
            out += fmt::format("\\x{:02x}", c);
        else
            out += static_cast<char>(c);
    }
    if (s.size() > kMaxQuotedChars) out += "...";
    return out + "\"";
}

struct Field {
    std::string_view text;  // without surrounding blanks
    int column = 0;         // 1-based byte column of the field's first character
};

struct Row {
    int line = 0;
    std::vector<Field> fields;
};

bool blank(char c) { return c == ' ' || c == '\t'; }

// Splits one line at commas, trimming blanks; columns are 1-based byte offsets.
std::vector<Field> split(std::string_view line) {
    std::vector<Field> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = std::min(line.find(',', start), line.size());
        std::size_t b = start;
        std::size_t e = comma;
        while (b < e && blank(line[b])) ++b;
        while (e > b && blank(line[e - 1])) --e;
        fields.push_back({line.substr(b, e - b), static_cast<int>(b + 1)});
        if (comma == line.size()) break;
        start = comma + 1;
    }
    return fields;
}

// A CSV table: its header (column names) and rows, each with exactly one field per column.
// Knows which columns a trace kind accepts, and converts fields with positioned errors.
class CsvTable {
public:
    CsvTable(std::string_view text, std::string file, std::vector<std::string> accepted)
        : file_(std::move(file)), accepted_(std::move(accepted)) {
        if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a spreadsheet's BOM
        int line_number = 0;
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t end = std::min(text.find('\n', start), text.size());
            std::string_view line = text.substr(start, end - start);
            start = end + 1;
            ++line_number;
            if (line.ends_with('\r')) line.remove_suffix(1);
            const std::size_t first = line.find_first_not_of(" \t");
            if (first == std::string_view::npos || line[first] == '#') continue;
            if (header_.empty())
                read_header(line, line_number);
            else
                read_row(line, line_number);
        }
        last_line_ = line_number;
        if (header_.empty())
            throw ScenarioError({file_, std::max(line_number, 1), 1}, "",
                                "a header line `" + join(accepted_, ",") + "`",
                                line_number == 0 ? "an empty file"
                                                 : "only comments and blank lines");
        if (rows_.empty())
            throw ScenarioError({file_, last_line_ + 1, 1}, "", "at least one row after the header",
                                "none");
    }

    const std::string& file() const { return file_; }
    const std::vector<Row>& rows() const { return rows_; }

    /// The index of `column` in the header, or nullopt when the file has no such column.
    std::optional<std::size_t> find(std::string_view column) const {
        const auto it = std::find(header_.begin(), header_.end(), column);
        if (it == header_.end()) return std::nullopt;
        return static_cast<std::size_t>(it - header_.begin());
    }

    /// The index of `column`; an error at the header when it is missing.
    std::size_t require(std::string_view column) const {
        if (const auto index = find(column)) return *index;
        throw ScenarioError({file_, header_line_, 1}, "",
                            fmt::format("a column `{}` (columns: {})", column, join(accepted_, ", ")),
                            fmt::format("columns {}", join(header_, ", ")));
    }

    std::string_view name(std::size_t column) const { return header_[column]; }
    int header_line() const { return header_line_; }

    [[noreturn]] void fail(const Row& row, std::size_t column, std::string expected,
                           std::string found) const {
        throw ScenarioError({file_, row.line, row.fields[column].column}, header_[column],
                            std::move(expected), std::move(found));
    }

    /// A non-empty field.
    std::string_view text(const Row& row, std::size_t column) const {
        const std::string_view s = row.fields[column].text;
        if (s.empty()) fail(row, column, "a value", "an empty field");
        return s;
    }

    /// A finite number in `range`.
    double number(const Row& row, std::size_t column, const detail::NumberRange& range) const {
        const std::string_view s = text(row, column);
        double v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size())
            fail(row, column, range.describe(), quote(s));
        if (!std::isfinite(v)) fail(row, column, range.describe(), quote(s) + " (not finite)");
        if (!range.contains(v)) fail(row, column, range.describe(), quote(s));
        return v;
    }

    /// A time in seconds >= 0, to the nearest nanosecond.
    sim::Time seconds(const Row& row, std::size_t column) const {
        // 9.2e9 s is about 292 years: the range of int64 nanoseconds.
        const std::string_view s = text(row, column);
        double v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        const bool parsed = ec == std::errc() && end == s.data() + s.size();
        if (!parsed || !std::isfinite(v) || v < 0 || v > 9.2e9)
            fail(row, column, "a time in seconds, >= 0 and below about 292 years (9.2e9)",
                 quote(s) + (parsed && !std::isfinite(v) ? " (not finite)" : ""));
        return sim::scale(sim::Time{1'000'000'000}, v);
    }

    /// A whole number >= 0 (a worker index).
    std::int64_t index(const Row& row, std::size_t column) const {
        const std::string_view s = text(row, column);
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || v < 0)
            fail(row, column, "a worker index (an integer >= 0)", quote(s));
        return v;
    }

private:
    static std::string join(const std::vector<std::string>& names, std::string_view separator) {
        std::string out;
        for (const auto& n : names) out += (out.empty() ? "" : std::string(separator)) + n;
        return out;
    }

    void read_header(std::string_view line, int line_number) {
        header_line_ = line_number;
        for (const Field& f : split(line)) {
            const SourcePosition where{file_, line_number, f.column};
            const std::string name(f.text);
            if (std::find(accepted_.begin(), accepted_.end(), name) == accepted_.end()) {
                std::string expected = "one of " + join(accepted_, ", ");
                const std::string suggestion = detail::closest_match(name, accepted_);
                if (!suggestion.empty()) expected += fmt::format(" (did you mean `{}`?)", suggestion);
                throw ScenarioError(where, "", expected,
                                    name.empty() ? "an empty column name"
                                                 : fmt::format("unknown trace column {}", quote(name)));
            }
            if (std::find(header_.begin(), header_.end(), name) != header_.end())
                throw ScenarioError(where, "", "each column once",
                                    fmt::format("column `{}` again", name));
            header_.push_back(name);
        }
    }

    void read_row(std::string_view line, int line_number) {
        Row row{line_number, split(line)};
        if (row.fields.size() != header_.size()) {
            const int column = row.fields.size() > header_.size()
                                   ? row.fields[header_.size()].column
                                   : static_cast<int>(line.size()) + 1;
            throw ScenarioError({file_, line_number, column}, "",
                                fmt::format("{} fields ({})", header_.size(), join(header_, ",")),
                                fmt::format("{} fields", row.fields.size()));
        }
        for (std::size_t c = 0; c < row.fields.size(); ++c)
            if (row.fields[c].text.find('"') != std::string_view::npos)
                fail(row, c, "a plain field (quoting is not supported)",
                     quote(row.fields[c].text));
        rows_.push_back(std::move(row));
    }

    std::string file_;
    std::vector<std::string> accepted_;
    std::vector<std::string> header_;
    int header_line_ = 0;
    int last_line_ = 0;
    std::vector<Row> rows_;
};

std::string seconds_text(sim::Time t) { return fmt::format("{:g}", sim::to_seconds(t)); }

}  // namespace

DeviceTrace parse_device_trace(std::string_view text, const std::string& file) {
    const CsvTable csv(text, file,
                       {"client_id", "computation_ms_per_sample", "communication_kbps"});
    const std::size_t id = csv.require("client_id");
    const std::size_t computation = csv.require("computation_ms_per_sample");
    const std::size_t communication = csv.require("communication_kbps");
    DeviceTrace trace{file, {}};
    std::map<std::string, int, std::less<>> first_line;
    for (const Row& row : csv.rows()) {
        const std::string_view client = csv.text(row, id);
        if (const auto it = first_line.find(client); it != first_line.end())
            csv.fail(row, id, "each client_id once",
                     fmt::format("{} again (first on line {})", quote(client), it->second));
        first_line.emplace(std::string(client), row.line);
        trace.devices.push_back(
            {std::string(client),
             csv.number(row, computation, detail::NumberRange::positive()),
             csv.number(row, communication, detail::NumberRange::positive()), row.line});
    }
    return trace;
}

AvailabilityTrace parse_availability_trace(std::string_view text, const std::string& file) {
    const CsvTable csv(text, file, {"client_id", "worker", "start_s", "end_s"});
    const auto client = csv.find("client_id");
    const auto worker = csv.find("worker");
    if (client.has_value() == worker.has_value())
        throw ScenarioError({file, csv.header_line(), 1}, "",
                            "exactly one of the columns `client_id` and `worker`",
                            client ? "both" : "neither");
    const std::size_t id = client ? *client : *worker;
    const std::size_t start = csv.require("start_s");
    const std::size_t end = csv.require("end_s");
    AvailabilityTrace trace{file, worker.has_value(), {}};
    std::map<std::string, std::size_t, std::less<>> previous;  // id -> its last interval
    for (const Row& row : csv.rows()) {
        AvailabilityInterval interval;
        // Worker ids are normalised ("03" -> "3"): rows of one worker are one id.
        if (worker) interval.worker = csv.index(row, id);
        interval.id = worker ? std::to_string(interval.worker) : std::string(csv.text(row, id));
        interval.line = row.line;
        interval.id_column = row.fields[id].column;
        interval.start = csv.seconds(row, start);
        interval.end = csv.seconds(row, end);
        if (interval.end <= interval.start)
            csv.fail(row, end, fmt::format("a time > start_s = {}", seconds_text(interval.start)),
                     quote(row.fields[end].text));
        if (const auto it = previous.find(interval.id); it != previous.end()) {
            const AvailabilityInterval& before = trace.intervals[it->second];
            if (interval.start < before.end)
                csv.fail(row, start,
                         fmt::format("a time >= {} (the end of {} {}'s interval on line {})",
                                     seconds_text(before.end), csv.name(id), interval.id,
                                     before.line),
                         quote(row.fields[start].text) + " (times go backwards or overlap)");
        }
        previous[interval.id] = trace.intervals.size();
        trace.intervals.push_back(std::move(interval));
    }
    return trace;
}

SpeedTrace parse_speed_trace(std::string_view text, const std::string& file) {
    const CsvTable csv(text, file, {"worker", "time_s", "factor"});
    const std::size_t worker = csv.require("worker");
    const std::size_t time = csv.require("time_s");
    const std::size_t factor = csv.require("factor");
    SpeedTrace trace{file, {}};
    std::map<std::int64_t, std::pair<sim::Time, int>> previous;  // worker -> (time, line)
    for (const Row& row : csv.rows()) {
        SpeedChange change;
        change.worker = csv.index(row, worker);
        change.worker_column = row.fields[worker].column;
        change.at = csv.seconds(row, time);
        change.factor = csv.number(row, factor, detail::NumberRange::positive());
        change.line = row.line;
        if (const auto it = previous.find(change.worker); it != previous.end())
            if (change.at <= it->second.first)
                csv.fail(row, time,
                         fmt::format("a time > {} (worker {}'s row on line {})",
                                     seconds_text(it->second.first), change.worker,
                                     it->second.second),
                         quote(row.fields[time].text) + " (times go backwards)");
        previous[change.worker] = {change.at, change.line};
        trace.changes.push_back(change);
    }
    return trace;
}

}  // namespace hetsim::scenarios
