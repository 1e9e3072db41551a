#include "scenarios/sections.hpp"

#include <fmt/format.h>

namespace hetsim::scenarios::detail {

std::size_t to_worker_index(const toml::node& node, const std::string& key, std::size_t count) {
    const std::string expected =
        fmt::format("a worker index in 0..{} (workers.count = {})", count - 1, count);
    const auto* i = node.as_integer();
    if (i == nullptr || **i < 0 || static_cast<std::uint64_t>(**i) >= count)
        fail(node, key, expected);
    return static_cast<std::size_t>(**i);
}

std::vector<std::size_t> read_override_targets(TableReader& entry, std::size_t count) {
    const toml::node* one = entry.get("worker");
    const toml::node* many = entry.get("workers");
    if (one != nullptr && many != nullptr)
        fail(*many, entry.key_path("workers"), "either `worker` or `workers`, not both", "both");
    if (one == nullptr && many == nullptr)
        entry.missing("worker", "`worker = <index>` or `workers = [<index>, ...]`");
    if (one != nullptr) return {to_worker_index(*one, entry.key_path("worker"), count)};
    const auto* list = many->as_array();
    if (list == nullptr || list->empty())
        fail(*many, entry.key_path("workers"), "a non-empty list of worker indices");
    std::vector<std::size_t> targets;
    std::vector<bool> seen(count, false);
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string key = fmt::format("{}[{}]", entry.key_path("workers"), i);
        const std::size_t w = to_worker_index(*list->get(i), key, count);
        if (seen[w])
            fail(*list->get(i), key, "each worker at most once", fmt::format("worker {} again", w));
        seen[w] = true;
        targets.push_back(w);
    }
    return targets;
}

}  // namespace hetsim::scenarios::detail
