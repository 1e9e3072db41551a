#include "analysis/csv_table.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>

namespace hetsim::analysis {

namespace {

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        out.push_back(line.substr(start, comma - start));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

}  // namespace

CsvTable CsvTable::read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(fmt::format("{}: cannot open", file.string()));
    CsvTable t;
    t.file_ = file;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::vector<std::string> fields = split(line);
        if (t.header_.empty()) {
            t.header_ = std::move(fields);
            continue;
        }
        if (fields.size() != t.header_.size())
            throw DataError(fmt::format("{}:{}: expected {} fields like the header, found {}",
                                        file.string(), number, t.header_.size(), fields.size()));
        t.cells_.push_back(std::move(fields));
        t.lines_.push_back(number);
    }
    if (t.header_.empty()) throw DataError(fmt::format("{}: empty file (no header)", file.string()));
    return t;
}

std::size_t CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header_.size(); ++i)
        if (header_[i] == name) return i;
    throw DataError(fmt::format("{}:1: no column '{}' in the header", file_.string(), name));
}

std::string CsvTable::where(std::size_t row) const {
    return fmt::format("{}:{}", file_.string(), lines_[row]);
}

void CsvTable::bad(std::size_t row, std::size_t col, const char* expected) const {
    throw DataError(fmt::format("{}: column '{}': expected {}, found '{}'", where(row),
                                header_[col], expected, cells_[row][col]));
}

double CsvTable::real(std::size_t row, std::size_t col) const {
    const std::string& s = cells_[row][col];
    double v = 0;
    // "nan"/"inf" are legitimate (a diverged run's perplexity), so from_chars' general form.
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) bad(row, col, "a number");
    return v;
}

std::int64_t CsvTable::integer(std::size_t row, std::size_t col) const {
    const std::string& s = cells_[row][col];
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) bad(row, col, "an integer");
    return v;
}

sim::Time CsvTable::time(std::size_t row, std::size_t col) const {
    // Exact: whole seconds and up to nine decimals become integer nanoseconds, so sums of
    // intervals compare exactly with workers.csv.
    const std::string& s = cells_[row][col];
    const std::size_t dot = s.find('.');
    const std::string whole = s.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
    std::int64_t seconds = 0;
    std::int64_t nanos = 0;
    const auto digits = [](const std::string& d) {
        return !d.empty() && d.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(whole) || (dot != std::string::npos && !digits(frac)) || frac.size() > 9 ||
        whole.size() > 10)
        bad(row, col, "seconds like 12.500000000");
    std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
    if (seconds > sim::kNever.count() / 1'000'000'000 - 1) bad(row, col, "a representable time");
    frac.resize(9, '0');
    std::from_chars(frac.data(), frac.data() + frac.size(), nanos);
    return sim::Time{seconds * 1'000'000'000 + nanos};
}

}  // namespace hetsim::analysis
