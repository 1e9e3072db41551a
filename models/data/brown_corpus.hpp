#pragma once
// The Brown corpus (form C, POS-tagged) as plain text: tags stripped, tokens joined back into
// sentences, one paragraph per line, with each document's name and genre kept.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hetsim::models {

/// One Brown document, e.g. "ca01" (genre 'a', press: reportage).
struct BrownDocument {
    std::string name;  ///< file name, "ca01" .. "cr09"
    char genre = 'a';  ///< the second letter of the name: 'a' .. 'r' (15 genres)
    std::string text;  ///< plain text: paragraphs separated by '\n', no trailing newline
};

/// The word of one tagged token: everything before the last '/' ("1/2/cd" -> "1/2",
/// "The/at" -> "The"); a token without '/' is returned unchanged.
std::string_view strip_tag(std::string_view token);

/// Joins words with single spaces, except that closing punctuation (, . ; : ? ! ) ' '')
/// attaches to the word before and opening marks (( ` ``) to the word after; `` and '' become
/// a double quote.
std::string detokenize(const std::vector<std::string_view>& words);

/// The plain text of one tagged file: blank lines separate paragraphs, each non-blank line is a
/// sentence of whitespace-separated word/tag tokens.
std::string brown_plain_text(std::string_view tagged);

/// Reads every file named c[a-r]NN in `folder`, sorted by name. Throws DataError when the folder
/// holds none or a file cannot be read. Does not check the stamp (see data_store.hpp).
std::vector<BrownDocument> load_brown_documents(const std::filesystem::path& folder);

/// The held-out documents: held_out_per_group (partition.hpp) by genre, documents in name order.
/// A fixed rule, so every seed validates on the same text and a BPE model trained on the rest
/// can be cached. Returns one flag per document.
std::vector<bool> brown_validation_documents(const std::vector<BrownDocument>& documents,
                                             double validation_fraction);

}  // namespace hetsim::models
