#pragma once
// A reader over one TOML table that remembers which keys it was asked for. Asking for a key
// marks it as valid whether or not it is present; finish() then reports any other key in the
// table as unknown, suggesting the closest valid one. Internal to hetsim::scenarios.

#include "scenarios/value_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hetsim::scenarios::detail {

/// Reads one TOML table's keys with checked conversions and reports unknown keys.
class TableReader {
public:
    /// Reads `table`, named `path` in errors ("" for the document root, "workers", ...).
    TableReader(const toml::table& table, std::string path);

    /// The table's own dotted path ("" for the root).
    const std::string& path() const { return path_; }
    /// `path.key` (or `key` at the root): the name of one of this table's keys in errors.
    std::string key_path(std::string_view key) const;
    /// Where the table starts (its header, or 1:1 for the root).
    SourcePosition position() const;
    /// The value at `key`, or nullptr; marks `key` as valid.
    const toml::node* get(std::string_view key);

    /// The value at `key` converted and checked as the to_* function of the same name does
    /// (value_reader.hpp), or nullopt when absent; each marks `key` as valid.
    std::optional<std::int64_t> integer(std::string_view key, IntRange range);
    std::optional<double> number(std::string_view key, NumberRange range);
    std::optional<std::string> string(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<sim::Time> duration(std::string_view key, TimeRange range);
    std::optional<sim::Bandwidth> bandwidth(std::string_view key);
    std::optional<std::int64_t> bytes(std::string_view key);
    std::optional<std::size_t> choice(std::string_view key,
                                      std::span<const std::string_view> choices);

    /// The sub-table at `key` (an error when `key` holds anything else), or nullopt.
    std::optional<TableReader> table(std::string_view key);
    /// The sub-table at `key`, or an empty one (positioned at this table) when absent.
    TableReader table_or_empty(std::string_view key);
    /// The array at `key` (an error when `key` holds anything else), or nullptr.
    const toml::array* array(std::string_view key);
    /// The entries of the list of tables at `key` (`[[key]]`), named `path.key[i]`; none when
    /// absent. `entry` says what one entry should be, for the error when one is not a table.
    std::vector<TableReader> tables(std::string_view key, std::string_view entry);

    /// Throws "key: expected <expected>, found nothing" at this table's position; when the
    /// table holds an unasked key that looks like a typo of `key`, reports that key instead.
    [[noreturn]] void missing(std::string_view key, std::string expected) const;
    /// Throws for the first (in source order) key of the table that was never asked for.
    void finish() const;

    /// The value at `key` passed through `convert(node, key_path(key))`, or nullopt when
    /// absent; for values with readers of their own (distributions, straggler tables).
    template <class Convert>
    auto read(std::string_view key, Convert convert)
        -> std::optional<std::invoke_result_t<Convert, const toml::node&, const std::string&>> {
        const toml::node* node = get(key);
        if (node == nullptr) return std::nullopt;
        return convert(*node, key_path(key));
    }

private:
    [[noreturn]] void unknown_key(const toml::key& key) const;
    std::string expected_keys() const;

    const toml::table* table_;
    std::string path_;
    SourcePosition fallback_;  // position of an empty stand-in table: its parent's
    std::vector<std::string> asked_;
};

}  // namespace hetsim::scenarios::detail
