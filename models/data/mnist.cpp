#include "models/data/mnist.hpp"

#include "sim/error.hpp"

#include <torch/torch.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace hetsim::models {

namespace {

// The numbers of {"data": [v, v, ...]}. A small dedicated parser: the files are 2 MB each and a
// general JSON parser took several times longer.
std::vector<float> read_digit_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) throw DataError(fmt::format("cannot read {}", file.string()));
    const std::string text = content.str();
    const auto bad = [&](const char* what) {
        return DataError(fmt::format("{}: not an MNIST digit file ({})", file.string(), what));
    };
    const std::size_t key = text.find("\"data\"");
    const std::size_t open = key == std::string::npos ? key : text.find('[', key);
    if (open == std::string::npos) throw bad("no \"data\" array");
    std::vector<float> values;
    values.reserve(text.size() / 2);
    const char* p = text.data() + open + 1;
    const char* end = text.data() + text.size();
    while (true) {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
        if (p < end && *p == ']') break;
        float v = 0.0F;
        const auto [next, ec] = std::from_chars(p, end, v);
        if (ec != std::errc() || !(v >= 0.0F && v <= 1.0F)) throw bad("bad pixel value");
        values.push_back(v);
        p = next;
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
        if (p < end && *p == ',')
            ++p;
        else if (p < end && *p == ']')
            break;
        else
            throw bad("expected ',' or ']'");
    }
    if (values.empty() || values.size() % kMnistPixels != 0)
        throw bad(fmt::format("{} values, not a multiple of 784", values.size()).c_str());
    return values;
}

}  // namespace

LabelledData load_mnist(const std::filesystem::path& folder) {
    std::vector<at::Tensor> features;
    std::vector<at::Tensor> targets;
    for (int digit = 0; digit < 10; ++digit) {
        std::vector<float> pixels =
            read_digit_file(folder / "src" / "digits" / fmt::format("{}.json", digit));
        const auto n = static_cast<std::int64_t>(pixels.size()) / kMnistPixels;
        features.push_back(
            torch::from_blob(pixels.data(), {n, kMnistPixels}, torch::kFloat32).clone());
        targets.push_back(torch::full({n}, digit, torch::kInt64));
    }
    return {torch::cat(features), torch::cat(targets)};  // [N, 784], [N]
}

}  // namespace hetsim::models
