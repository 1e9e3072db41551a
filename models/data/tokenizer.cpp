#include "models/data/tokenizer.hpp"

#include "sim/error.hpp"

namespace hetsim::models {

std::vector<std::int32_t> ByteTokenizer::encode(std::string_view text) const {
    std::vector<std::int32_t> ids(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) ids[i] = static_cast<unsigned char>(text[i]);
    return ids;
}

std::string ByteTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    std::string text(ids.size(), '\0');
    for (std::size_t i = 0; i < ids.size(); ++i) {
        HETSIM_ASSERT(ids[i] >= 0 && ids[i] < 256, "byte token {} out of range", ids[i]);
        text[i] = static_cast<char>(static_cast<unsigned char>(ids[i]));
    }
    return text;
}

}  // namespace hetsim::models
