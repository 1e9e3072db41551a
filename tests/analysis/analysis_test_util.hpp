#pragma once
// Helpers of the analysis tests: the hand-made fixture study (tests/data/analysis/study, made by
// make_fixture.py), a scratch folder, PNG sizes and SVG series read back from files.

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace hetsim::analysis::test {

/// tests/data/analysis/study
std::filesystem::path fixture_study();

/// A fresh empty folder below the system temp folder, removed by the destructor.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& name);
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// Copies the fixture study into `to` (tests write figures and reports beside it).
void copy_fixture(const std::filesystem::path& to);

/// Width and height from a PNG's IHDR chunk; throws when the file is not a PNG.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::filesystem::path& file);

/// Parses an SVG as XML (throws when it does not parse) and returns the titles of gnuplot's
/// plot groups (<g id="gnuplot_plot_N"><title>..</title>) that contain at least one path or
/// other drawn element, in document order.
std::vector<std::string> svg_series(const std::filesystem::path& file);

std::string read_file(const std::filesystem::path& file);

}  // namespace hetsim::analysis::test
