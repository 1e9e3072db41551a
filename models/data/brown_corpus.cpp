#include "models/data/brown_corpus.hpp"

#include "models/data/partition.hpp"
#include "sim/error.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hetsim::models {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Marks that attach to the previous word, and marks that attach to the next one.
bool closes(std::string_view w) {
    return w == "," || w == "." || w == ";" || w == ":" || w == "?" || w == "!" || w == ")" ||
           w == "'" || w == "''";
}
bool opens(std::string_view w) { return w == "(" || w == "`" || w == "``"; }

// The stripped words of one sentence line.
std::vector<std::string_view> sentence_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        std::size_t j = i;
        while (j < line.size() && !is_space(line[j])) ++j;
        if (j > i) words.push_back(strip_tag(line.substr(i, j - i)));
        i = j;
    }
    return words;
}

bool is_brown_name(const std::string& name) {
    return name.size() == 4 && name[0] == 'c' && name[1] >= 'a' && name[1] <= 'r' &&
           std::isdigit(static_cast<unsigned char>(name[2])) &&
           std::isdigit(static_cast<unsigned char>(name[3]));
}

}  // namespace

std::string_view strip_tag(std::string_view token) {
    const std::size_t slash = token.rfind('/');
    // "//in" is the word "/" tagged "in": a slash in first place is part of the word.
    if (slash == std::string_view::npos || slash == 0) return token;
    return token.substr(0, slash);
}

std::string detokenize(const std::vector<std::string_view>& words) {
    std::string out;
    bool glue_next = true;  // no space before the first word or after an opening mark
    for (std::string_view w : words) {
        if (!glue_next && !closes(w)) out += ' ';
        out += (w == "``" || w == "''") ? std::string_view("\"") : w;
        glue_next = opens(w);
    }
    return out;
}

std::string brown_plain_text(std::string_view tagged) {
    std::string text;
    std::string paragraph;
    auto end_paragraph = [&] {
        if (paragraph.empty()) return;
        if (!text.empty()) text += '\n';
        text += paragraph;
        paragraph.clear();
    };
    std::size_t pos = 0;
    while (pos <= tagged.size()) {
        std::size_t eol = tagged.find('\n', pos);
        if (eol == std::string_view::npos) eol = tagged.size();
        const std::string sentence = detokenize(sentence_words(tagged.substr(pos, eol - pos)));
        if (sentence.empty()) {
            end_paragraph();
        } else {
            if (!paragraph.empty()) paragraph += ' ';
            paragraph += sentence;
        }
        pos = eol + 1;
    }
    end_paragraph();
    return text;
}

std::vector<BrownDocument> load_brown_documents(const std::filesystem::path& folder) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && is_brown_name(name)) names.push_back(name);
    }
    if (ec) throw DataError(fmt::format("cannot list {}: {}", folder.string(), ec.message()));
    if (names.empty())
        throw DataError(fmt::format("{} holds no Brown corpus files (c[a-r]NN)", folder.string()));
    std::sort(names.begin(), names.end());
    std::vector<BrownDocument> documents;
    documents.reserve(names.size());
    for (const std::string& name : names) {
        std::ifstream in(folder / name, std::ios::binary);
        std::ostringstream content;
        content << in.rdbuf();
        if (!in) throw DataError(fmt::format("cannot read {}", (folder / name).string()));
        documents.push_back({name, name[1], brown_plain_text(content.str())});
    }
    return documents;
}

std::vector<bool> brown_validation_documents(const std::vector<BrownDocument>& documents,
                                             double validation_fraction) {
    std::vector<std::int64_t> genres;
    for (const BrownDocument& d : documents) genres.push_back(d.genre);
    return held_out_per_group(genres, validation_fraction);
}

}  // namespace hetsim::models
