#include "scenarios/step_time_reader.hpp"

#include <fmt/format.h>

namespace hetsim::scenarios::detail {
namespace {

constexpr std::string_view kMeasure = "measure";

double to_flop_rate(const toml::node& node, const std::string& key) {
    const std::string kind = R"(a compute rate with a unit like "989TFLOP/s")";
    const auto* s = node.as_string();
    if (s == nullptr) fail(node, key, kind);
    try {
        return parse_flop_rate(**s);
    } catch (const Error& e) {
        // "bad compute rate "x": <reason>": keep the reason only.
        std::string_view message = e.what();
        const std::string quoted = fmt::format("\"{}\": ", **s);
        if (const auto at = message.find(quoted); at != std::string_view::npos)
            message.remove_prefix(at + quoted.size());
        if (message.starts_with("expected")) fail(node, key, kind);
        fail(node, key, kind, describe(node) + ": " + std::string(message));
    }
}

}  // namespace

StepTimeSetting read_step_time_setting(TableReader& table) {
    StepTimeSetting s;
    if (const toml::node* node = table.get("step_time")) {
        s.node = node;
        s.key = table.key_path("step_time");
        if (const auto* text = node->as_string(); text != nullptr && **text == kMeasure)
            s.measure = true;
        else
            s.duration = to_duration(*node, s.key, TimeRange::positive());
    }
    if (const toml::node* node = table.get("device_flops")) {
        const std::string key = table.key_path("device_flops");
        if (s.node != nullptr)
            fail(*node, key, "either `step_time` or `device_flops`, not both", "both");
        s.device_flops = to_flop_rate(*node, key);
        s.node = node;
        s.key = key;
    }
    s.mfu_node = table.get("mfu");
    s.mfu = table.number("mfu", NumberRange{0.0, true, 1.0, false});
    return s;
}

void check_model_for(const StepTimeSetting& setting, const std::string& model_kind) {
    if (model_kind != "none" || setting.node == nullptr) return;
    if (setting.measure)
        fail(*setting.node, setting.key,
             R"(a duration (step_time = "measure" times the model's inner step, and )"
             R"(model.kind = "none" has no model))");
    if (setting.device_flops)
        fail(*setting.node, setting.key,
             R"(no device_flops with model.kind = "none" (the FLOPs of a step are counted )"
             R"(on the model; write step_time instead))");
}

StepTimeSource to_source(const StepTimeSetting& setting, std::optional<double> fallback_mfu,
                         const TableReader& table) {
    StepTimeSource source;
    if (setting.measure) source.kind = StepTimeKind::measure;
    if (setting.device_flops) {
        source.kind = StepTimeKind::flops;
        source.device_flops = *setting.device_flops;
        const std::optional<double> mfu = setting.mfu ? setting.mfu : fallback_mfu;
        if (!mfu)
            table.missing("mfu",
                          "the model FLOPs utilisation in (0, 1] that goes with device_flops, "
                          "e.g. mfu = 0.4");
        source.mfu = *mfu;
    }
    return source;
}

}  // namespace hetsim::scenarios::detail
