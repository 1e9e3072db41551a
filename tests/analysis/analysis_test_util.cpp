#include "analysis_test_util.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace hetsim::analysis::test {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

fs::path fixture_study() { return fs::path(HETSIM_TEST_DATA_DIR) / "analysis" / "study"; }

ScratchDir::ScratchDir(const std::string& name)
    : path_(fs::temp_directory_path() / ("hetsim-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void copy_fixture(const fs::path& to) {
    fs::copy(fixture_study(), to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::pair<std::uint32_t, std::uint32_t> png_size(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    unsigned char b[24] = {};
    in.read(reinterpret_cast<char*>(b), sizeof b);
    // 8-byte signature, then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4).
    const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!in || !std::equal(signature, signature + 8, b) || std::string(b + 12, b + 16) != "IHDR")
        throw std::runtime_error(file.string() + " is not a PNG");
    const auto be32 = [](const unsigned char* p) {
        return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
               std::uint32_t{p[3]};
    };
    return {be32(b + 16), be32(b + 20)};
}

namespace {

void collect(const pt::ptree& node, std::vector<std::string>& out) {
    for (const auto& [name, child] : node) {
        if (name == "g") {
            const std::string id = child.get("<xmlattr>.id", "");
            if (id.rfind("gnuplot_plot_", 0) == 0) {
                const std::string title = child.get("title", "");
                const bool drawn = child.count("path") + child.count("g") + child.count("use") +
                                       child.count("rect") > 0;
                if (drawn) out.push_back(title);
                continue;
            }
        }
        collect(child, out);
    }
}

}  // namespace

std::vector<std::string> svg_series(const fs::path& file) {
    pt::ptree tree;
    std::ifstream in(file);
    pt::read_xml(in, tree);  // throws xml_parser_error on malformed XML
    std::vector<std::string> out;
    collect(tree, out);
    return out;
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace hetsim::analysis::test
