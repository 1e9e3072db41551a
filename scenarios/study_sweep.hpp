#pragma once
// The [sweep] table of a study file: its keys, their lists of values and the label text of each
// value; and the keys variants and sweeps may not set. Internal to hetsim::scenarios.

#include "sim/error.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hetsim::scenarios::detail {

/// One key of [sweep]: where its list sits in the sweep table, the scenario key it sets, and
/// the label text of each of its values.
struct SweepAxis {
    std::vector<std::string> table_path;  ///< segments inside [sweep], as written
    std::vector<std::string> key_parts;   ///< the scenario key, split at dots
    std::string key;                      ///< "algorithm.inner_steps"
    std::string name;                     ///< in labels: "inner_steps" (the key if ambiguous)
    std::vector<std::string> texts;       ///< label text of each value
    std::vector<nlohmann::json> values;   ///< each value, for study.json
    SourcePosition where;                 ///< the key's position
};

/// The axes of a [sweep] table, in file order. Nested tables are walked; every leaf must be a
/// non-empty list, under a dotted key of bare parts that is not reserved.
std::vector<SweepAxis> read_sweep(const toml::table& sweep);

/// The sweep points (one value index per axis) in order: the first axis varies slowest.
std::vector<std::vector<std::size_t>> sweep_points(const std::vector<SweepAxis>& axes);

/// `text` with characters outside letters, digits, `.`, `-`, `+` replaced by `_`.
std::string sanitised(std::string text);

/// Whether a variant or a sweep may not set `key` (seed, name, study, variant, sweep): the study
/// owns the seeds and the names.
bool reserved(std::string_view key);
/// Throws the error for a reserved key at `key`, named `path`.
[[noreturn]] void reserved_key(const toml::key& key, const std::string& path);

}  // namespace hetsim::scenarios::detail
