#include "scenarios/overrides.hpp"

#include "sim/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace hetsim::scenarios::detail {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

[[noreturn]] void bad_override(const std::string& key, std::string expected,
                               std::string_view text) {
    throw ScenarioError(SourcePosition{std::string(kOverrideSource)}, key, std::move(expected),
                        fmt::format("\"{}\"", text));
}

bool is_bare_key(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
}

// "a.b.c" -> {"a", "b", "c"}; every part a bare TOML key.
std::vector<std::string> split_key(std::string_view key, std::string_view text) {
    std::vector<std::string> parts;
    for (std::string_view rest = key;;) {
        const std::size_t dot = rest.find('.');
        const std::string_view part = trim(rest.substr(0, dot));
        if (!is_bare_key(part))
            bad_override(std::string(key), "a dotted key of letters, digits, `_` and `-`", text);
        parts.emplace_back(part);
        if (dot == std::string_view::npos) return parts;
        rest.remove_prefix(dot + 1);
    }
}

std::string toml_quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\')
            out += fmt::format("\\{}", c);
        else if (std::iscntrl(static_cast<unsigned char>(c)))
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    return out + "\"";
}

// Parses "key = value" as TOML so that the value keeps its position in the override text;
// a value that is not TOML is retried as a quoted string.
toml::table parse_override(std::string_view text, std::size_t equals) {
    try {
        return toml::parse(text, kOverrideSource);
    } catch (const toml::parse_error&) {
    }
    const std::string_view value = text.substr(equals + 1);
    const std::size_t lead = std::min(value.find_first_not_of(" \t"), value.size());
    const std::string quoted =
        std::string(text.substr(0, equals + 1 + lead)) + toml_quoted(trim(value));
    try {
        return toml::parse(quoted, kOverrideSource);
    } catch (const toml::parse_error& e) {
        bad_override("", fmt::format("key.path=value ({})", e.description()), text);
    }
}

// Moves `node` into `table` at `key`, keeping the source positions of both.
void insert(toml::table& table, const toml::key& key, toml::node&& node) {
    std::move(node).visit([&](auto&& n) { table.insert_or_assign(key, std::move(n)); });
}

void apply_override(toml::table& root, const std::string& text) {
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos) bad_override("", "key.path=value", text);
    const std::string_view key = trim(std::string_view(text).substr(0, equals));
    if (key.empty()) bad_override("", "a key before `=` (key.path=value)", text);
    const std::vector<std::string> parts = split_key(key, text);
    toml::table parsed = parse_override(text, equals);
    toml::table* target = &root;
    toml::table* source = &parsed;
    std::string path;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto from = source->find(parts[i]);
        path += (i ? "." : "") + parts[i];
        toml::node* existing = target->get(parts[i]);
        const bool last = i + 1 == parts.size();
        if (last || existing == nullptr)
            return insert(*target, from->first, std::move(from->second));
        if (!existing->is_table())
            bad_override(path, fmt::format("a table to set `{}` in", parts[i + 1]), text);
        target = existing->as_table();
        source = from->second.as_table();
    }
}

}  // namespace

void apply_overrides(toml::table& root, std::span<const std::string> overrides) {
    for (const std::string& text : overrides) apply_override(root, text);
}

void merge_overrides(toml::table& root, toml::table&& overrides) {
    for (auto&& [key, node] : overrides) {
        toml::node* existing = root.get(key);
        if (existing != nullptr && existing->is_table() && node.is_table())
            merge_overrides(*existing->as_table(), std::move(*node.as_table()));
        else
            insert(root, key, std::move(node));
    }
}

void merge_override(toml::table& root, std::span<const std::string> path, toml::node&& value) {
    toml::table* target = &root;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        toml::node* existing = target->get(path[i]);
        // A value that is not a table is replaced by one, as a later TOML key would be.
        if (existing == nullptr || !existing->is_table())
            existing = &target->insert_or_assign(path[i], toml::table{}).first->second;
        target = existing->as_table();
    }
    toml::node* existing = target->get(path.back());
    if (existing != nullptr && existing->is_table() && value.is_table())
        return merge_overrides(*existing->as_table(), std::move(*value.as_table()));
    insert(*target, toml::key(path.back()), std::move(value));
}

}  // namespace hetsim::scenarios::detail
