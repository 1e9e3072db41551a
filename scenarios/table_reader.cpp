#include "scenarios/table_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hetsim::scenarios::detail {
namespace {

bool before(const toml::source_position& a, const toml::source_position& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
}

// Stand-in for absent optional tables; never modified, so sharing it is safe.
const toml::table& empty_table() {
    static const toml::table kEmpty;
    return kEmpty;
}

}  // namespace

TableReader::TableReader(const toml::table& table, std::string path)
    : table_(&table), path_(std::move(path)), fallback_(position_of(table.source())) {}

std::string TableReader::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

SourcePosition TableReader::position() const {
    const SourcePosition own = position_of(table_->source());
    return own.line > 0 || own.file.size() > 0 ? own : fallback_;
}

const toml::node* TableReader::get(std::string_view key) {
    if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) asked_.emplace_back(key);
    return table_->get(key);
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, IntRange range) {
    return read(key, [&](const auto& node, const auto& k) { return to_integer(node, k, range); });
}

std::optional<double> TableReader::number(std::string_view key, NumberRange range) {
    return read(key, [&](const auto& node, const auto& k) { return to_number(node, k, range); });
}

std::optional<std::string> TableReader::string(std::string_view key) {
    return read(key, [](const auto& node, const auto& k) { return to_string(node, k); });
}

std::optional<bool> TableReader::boolean(std::string_view key) {
    return read(key, [](const auto& node, const auto& k) { return to_boolean(node, k); });
}

std::optional<sim::Time> TableReader::duration(std::string_view key, TimeRange range) {
    return read(key, [&](const auto& node, const auto& k) { return to_duration(node, k, range); });
}

std::optional<sim::Bandwidth> TableReader::bandwidth(std::string_view key) {
    return read(key, [](const auto& node, const auto& k) { return to_bandwidth(node, k); });
}

std::optional<std::int64_t> TableReader::bytes(std::string_view key) {
    return read(key, [](const auto& node, const auto& k) { return to_bytes(node, k); });
}

std::optional<std::size_t> TableReader::choice(std::string_view key,
                                               std::span<const std::string_view> choices) {
    return read(key, [&](const auto& node, const auto& k) { return to_choice(node, k, choices); });
}

std::optional<TableReader> TableReader::table(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_table()) fail(*node, key_path(key), "a table");
    return TableReader(*node->as_table(), key_path(key));
}

TableReader TableReader::table_or_empty(std::string_view key) {
    if (auto sub = table(key)) return *sub;
    TableReader empty(empty_table(), key_path(key));
    empty.fallback_ = position();
    return empty;
}

const toml::array* TableReader::array(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_array()) fail(*node, key_path(key), "a list");
    return node->as_array();
}

std::vector<TableReader> TableReader::tables(std::string_view key, std::string_view entry) {
    std::vector<TableReader> out;
    const toml::array* list = array(key);
    if (list == nullptr) return out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string name = fmt::format("{}[{}]", key_path(key), i);
        const toml::node& node = *list->get(i);
        if (!node.is_table()) fail(node, name, std::string(entry));
        out.emplace_back(*node.as_table(), name);
    }
    return out;
}

void TableReader::missing(std::string_view key, std::string expected) const {
    // A missing key is often a misspelt one: point at the misspelling rather than the table.
    for (const auto& [k, v] : *table_) {
        if (std::find(asked_.begin(), asked_.end(), k.str()) != asked_.end()) continue;
        const std::string wanted(key);
        if (closest_match(k.str(), std::span(&wanted, 1)) != wanted) continue;
        throw ScenarioError(position_of(k.source()), key_path(k.str()),
                            fmt::format("a known key (did you mean `{}`?)", wanted),
                            fmt::format("unknown key `{}`", k.str()));
    }
    throw ScenarioError(position(), key_path(key), std::move(expected), "nothing");
}

void TableReader::finish() const {
    const toml::key* first = nullptr;
    for (const auto& [k, v] : *table_) {
        if (std::find(asked_.begin(), asked_.end(), k.str()) != asked_.end()) continue;
        if (first == nullptr || before(k.source().begin, first->source().begin)) first = &k;
    }
    if (first != nullptr) unknown_key(*first);
}

void TableReader::unknown_key(const toml::key& key) const {
    std::string expected = expected_keys();
    const std::string suggestion = closest_match(key.str(), asked_);
    if (!suggestion.empty()) expected += fmt::format(" (did you mean `{}`?)", suggestion);
    throw ScenarioError(position_of(key.source()), key_path(key.str()), std::move(expected),
                        fmt::format("unknown key `{}`", key.str()));
}

std::string TableReader::expected_keys() const {
    if (asked_.empty()) return "no keys here";
    if (asked_.size() == 1) return "only `" + asked_.front() + "`";
    std::string out = "one of ";
    for (std::size_t i = 0; i < asked_.size(); ++i) out += (i ? ", " : "") + asked_[i];
    return out;
}

}  // namespace hetsim::scenarios::detail
