#include "scenarios/study_sweep.hpp"

#include "scenarios/value_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <utility>

namespace hetsim::scenarios::detail {
namespace {

using nlohmann::json;

constexpr std::string_view kReservedKeys[] = {"seed", "name", "study", "variant", "sweep"};

json to_json_value(const toml::node& node) {
    if (const auto* v = node.as_integer()) return v->get();
    if (const auto* v = node.as_floating_point()) return v->get();
    if (const auto* v = node.as_string()) return v->get();
    if (const auto* v = node.as_boolean()) return v->get();
    if (const auto* a = node.as_array()) {
        json out = json::array();
        for (const toml::node& e : *a) out.push_back(to_json_value(e));
        return out;
    }
    if (const auto* t = node.as_table()) {
        json out = json::object();
        for (const auto& [k, v] : *t) out[std::string(k.str())] = to_json_value(v);
        return out;
    }
    std::ostringstream text;  // dates and times: their TOML text
    node.visit([&](const auto& n) { text << n; });
    return text.str();
}

// A sweep value in a label; lists and tables are named by their position in the sweep list.
std::string label_text(const toml::node& node, std::size_t index) {
    std::string text;
    if (node.is_array() || node.is_table())
        text = std::to_string(index);
    else if (const auto* s = node.as_string())
        text = s->get();
    else if (const auto* f = node.as_floating_point())
        text = fmt::format("{}", f->get());
    else {
        const json j = to_json_value(node);
        text = j.is_string() ? j.get<std::string>() : j.dump();
    }
    return detail::sanitised(std::move(text));
}

std::vector<std::string> split_dots(std::string_view key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t dot; (dot = key.find('.', start)) != std::string_view::npos; start = dot + 1)
        parts.emplace_back(key.substr(start, dot - start));
    parts.emplace_back(key.substr(start));
    return parts;
}

// Flattens [sweep] into axes: nested tables are walked, every leaf must be a non-empty list.
void collect_axes(const toml::table& table, std::vector<std::string>& at,
                  std::vector<SweepAxis>& axes) {
    for (const auto& [k, node] : table) {
        at.emplace_back(k.str());
        std::string key;
        for (const std::string& segment : at) key += (key.empty() ? "" : ".") + segment;
        const std::string where = "sweep." + key;
        if (const auto* sub = node.as_table()) {
            collect_axes(*sub, at, axes);
            at.pop_back();
            continue;
        }
        SweepAxis axis{at, split_dots(key), key, "", {}, {}, position_of(k.source())};
        for (const std::string& part : axis.key_parts)
            if (part.empty() || !std::all_of(part.begin(), part.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                }))
                throw ScenarioError(axis.where, where,
                                    "a dotted scenario key of letters, digits, `_` and `-`",
                                    fmt::format("key `{}`", key));
        if (reserved(axis.key_parts.front())) reserved_key(k, where);
        const toml::array* list = node.as_array();
        if (list == nullptr || list->empty())
            fail(node, where, "a non-empty list of values to sweep over");
        for (std::size_t i = 0; i < list->size(); ++i) {
            axis.texts.push_back(label_text(*list->get(i), i));
            axis.values.push_back(to_json_value(*list->get(i)));
        }
        axis.name = axis.key_parts.back();
        axes.push_back(std::move(axis));
        at.pop_back();
    }
}

// Two axes ending in the same word would give ambiguous labels: those use their whole key.
void name_axes(std::vector<SweepAxis>& axes) {
    for (SweepAxis& a : axes) {
        const auto same = std::count_if(axes.begin(), axes.end(), [&](const SweepAxis& b) {
            return b.key_parts.back() == a.key_parts.back();
        });
        if (same > 1) a.name = a.key;
    }
}

}  // namespace

// Characters outside the folder-safe set (and `_`, the separator's) become `_`.
std::string sanitised(std::string text) {
    for (char& c : text)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+')
            c = '_';
    return text;
}

bool reserved(std::string_view key) {
    return std::find(std::begin(kReservedKeys), std::end(kReservedKeys), key) !=
           std::end(kReservedKeys);
}

[[noreturn]] void reserved_key(const toml::key& key, const std::string& path) {
    throw ScenarioError(position_of(key.source()), path,
                        fmt::format("a scenario key other than `{}` (seeds come from the file's "
                                    "`seed` and `study.repeats`; labels name the runs)",
                                    key.str()),
                        fmt::format("key `{}`", key.str()));
}

// The sweep points in order: the first axis varies slowest.
std::vector<std::vector<std::size_t>> sweep_points(const std::vector<SweepAxis>& axes) {
    std::vector<std::vector<std::size_t>> points{{}};
    for (const SweepAxis& axis : axes) {
        std::vector<std::vector<std::size_t>> next;
        for (const auto& point : points)
            for (std::size_t i = 0; i < axis.values.size(); ++i) {
                next.push_back(point);
                next.back().push_back(i);
            }
        points = std::move(next);
    }
    return points;
}

std::vector<SweepAxis> read_sweep(const toml::table& sweep) {
    std::vector<SweepAxis> axes;
    std::vector<std::string> at;
    collect_axes(sweep, at, axes);
    // toml++ iterates keys sorted; labels and the grid follow the file's order instead.
    std::stable_sort(axes.begin(), axes.end(), [](const SweepAxis& a, const SweepAxis& b) {
        return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    name_axes(axes);
    return axes;
}

}  // namespace hetsim::scenarios::detail
