#pragma once
// A small reader for hetsim's own CSV files (no quoting: no field holds a comma). Columns are
// found by header name, so a file with an extra column (metrics.csv with host_s) still reads;
// every error names the file and the line.

#include "sim/time.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hetsim::analysis {

class CsvTable {
public:
    /// Reads `file`. Throws DataError naming it when it is missing, empty, or a row has a
    /// different number of fields than the header.
    static CsvTable read(const std::filesystem::path& file);

    /// Index of the column named `name`; throws DataError ("file:1: no column 'name'").
    std::size_t column(const std::string& name) const;
    std::size_t rows() const { return cells_.size(); }

    /// "file:line" of data row `row` (0-based; the header is line 1).
    std::string where(std::size_t row) const;
    const std::string& text(std::size_t row, std::size_t col) const { return cells_[row][col]; }
    /// The field as a number; throws DataError naming file, line and column otherwise.
    double real(std::size_t row, std::size_t col) const;
    std::int64_t integer(std::size_t row, std::size_t col) const;
    /// The field as exact virtual time from seconds with up to nine decimals ("12.500000000").
    sim::Time time(std::size_t row, std::size_t col) const;

private:
    [[noreturn]] void bad(std::size_t row, std::size_t col, const char* expected) const;

    std::filesystem::path file_;
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> cells_;
    std::vector<int> lines_;  ///< file line of each row (blank lines are skipped)
};

}  // namespace hetsim::analysis
