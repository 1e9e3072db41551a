#include "scenarios/scenario_loader.hpp"
#include "scenarios/training_json.hpp"

namespace hetsim::scenarios {
namespace {

using nlohmann::json;

// A distribution as {"dist": name, <parameters>}; `unit` is appended to parameter names that
// carry one (e.g. "_s" for downtime in seconds).
json distribution_json(const sim::Distribution& d, const std::string& unit = "") {
    using Kind = sim::Distribution::Kind;
    json out = {{"dist", sim::Distribution::kind_name(d.kind)}};
    switch (d.kind) {
    case Kind::constant: out["value" + unit] = d.a; break;
    case Kind::uniform: out["low" + unit] = d.a, out["high" + unit] = d.b; break;
    case Kind::normal: out["mean" + unit] = d.a, out["stddev" + unit] = d.b; break;
    case Kind::lognormal: out["mu"] = d.a, out["sigma"] = d.b; break;
    case Kind::exponential: out["mean" + unit] = d.a; break;
    }
    out["expected_value" + unit] = d.mean();
    return out;
}

template <class T, class F>
json optional_json(const std::optional<T>& value, F format) {
    return value ? json(format(*value)) : json(nullptr);
}

// `device`: the client_id of the worker's device in a device trace, or null.
json worker_json(std::size_t index, const sim::WorkerSpec& w, const std::string* device) {
    json scripted = json::array();
    for (const auto& f : w.failures.scripted)
        scripted.push_back(
            {{"at", sim::format_duration(f.at)}, {"downtime", sim::format_duration(f.downtime)}});
    return {
        {"worker", index},
        {"group", w.group},
        {"device", device ? json(*device) : json(nullptr)},
        {"step_time", sim::format_duration(w.step_time)},
        {"multiplier", w.multiplier},
        {"effective_step_time", sim::format_duration(w.effective_step_time())},
        {"jitter", w.jitter ? distribution_json(*w.jitter) : json(nullptr)},
        {"stragglers",
         {{"probability", w.stragglers.probability}, {"factor", w.stragglers.factor}}},
        {"link",
         {{"latency", sim::format_duration(w.link.latency)},
          {"up_bandwidth", sim::format_bandwidth(w.link.up)},
          {"down_bandwidth", sim::format_bandwidth(w.link.down)}}},
        {"failures",
         {{"mtbf", optional_json(w.failures.mtbf, sim::format_duration)},
          {"downtime", distribution_json(w.failures.downtime_s, "_s")},
          {"scripted", scripted}}},
        {"preemption",
         {{"mean_interval", optional_json(w.preemption.mean_interval, sim::format_duration)},
          {"delay", distribution_json(w.preemption.delay_s, "_s")}}},
    };
}

json algorithm_json(const sim::AlgorithmSpec& a) {
    return {
        {"kind", sim::to_string(a.kind)},
        {"inner_steps", a.inner_steps},
        {"local_steps", sim::to_string(a.local_steps)},
        {"dylu_min_steps", a.dylu_min_steps},
        {"grace_period", sim::format_duration(a.grace_period)},
        {"buffer", a.buffer},
        {"collective", sim::to_string(a.collective)},
        {"drop_failed_after", optional_json(a.drop_failed_after, sim::format_duration)},
        {"drop_probability", a.drop_probability},
    };
}

// [[timeline]], [elastic] and traces, as resolved events (sim/timeline.hpp).
json timeline_json(const sim::TimelineSpec& t) {
    json events = json::array();
    for (const sim::WorldEvent& e : t.events) {
        json j = {{"at", sim::format_duration(e.at)}, {"action", sim::to_string(e.kind)},
                  {"workers", e.workers}};
        if (e.kind == sim::WorldEventKind::slowdown || e.kind == sim::WorldEventKind::link) {
            j["factor"] = e.factor;
            j["until"] = optional_json(e.until, sim::format_duration);
        }
        if (e.kind == sim::WorldEventKind::link)
            j["latency"] = optional_json(e.latency, sim::format_duration);
        if (e.kind == sim::WorldEventKind::server_outage)
            j["duration"] = sim::format_duration(e.duration);
        events.push_back(std::move(j));
    }
    json patterns = json::array();
    for (const sim::SpeedPattern& p : t.patterns)
        patterns.push_back({{"workers", p.workers},
                            {"period", sim::format_duration(p.period)},
                            {"amplitude", p.amplitude},
                            {"phase", p.phase},
                            {"resolution", sim::format_duration(p.resolution)}});
    return {{"events", events}, {"patterns", patterns}};
}

}  // namespace

nlohmann::json to_json(const Scenario& scenario) {
    const sim::WorldSpec& world = scenario.world;
    json workers = json::array();
    for (std::size_t w = 0; w < world.workers.size(); ++w)
        workers.push_back(worker_json(
            w, world.workers[w],
            w < scenario.trace_devices.size() ? &scenario.trace_devices[w] : nullptr));
    const auto identity = [](std::int64_t v) { return v; };
    return {
        {"name", scenario.name},
        {"description", scenario.description},
        {"source", scenario.source},
        {"seed", world.seed},
        {"model_bytes", sim::format_bytes(world.model_bytes)},
        {"model_bytes_explicit", scenario.model_bytes_explicit},
        {"training", to_json(scenario.training)},
        {"workers", {{"count", world.workers.size()}, {"list", workers}}},
        {"network",
         {{"server",
           {{"shared", world.network.shared_server_link},
            {"bandwidth", sim::format_bandwidth(world.network.server_bandwidth)}}}}},
        {"algorithm", algorithm_json(world.algorithm)},
        {"timeline", timeline_json(world.timeline)},
        {"run",
         {{"duration", optional_json(world.stop.duration, sim::format_duration)},
          {"server_updates", optional_json(world.stop.server_updates, identity)},
          {"inner_steps", optional_json(world.stop.inner_steps, identity)}}},
    };
}

}  // namespace hetsim::scenarios
