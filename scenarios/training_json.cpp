// The training half of a resolved scenario as JSON (run.json).
#include "scenarios/training_json.hpp"

namespace hetsim::scenarios {

using nlohmann::json;

namespace {

template <class T>
json maybe(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json model_json(const ModelSpec& m) {
    return {{"kind", m.kind},       {"preset", m.preset},   {"layers", m.layers},
            {"d_model", m.d_model}, {"heads", m.heads},     {"context", m.context},
            {"hidden", m.hidden},   {"device", m.device},   {"dtype", m.dtype},
            {"bytes_per_parameter", m.bytes_per_parameter}};
}

json data_json(const DataSpec& d) {
    return {{"source", d.source},
            {"tokenizer", d.tokenizer},
            {"vocab_size", d.vocab_size},
            {"partition", d.partition},
            {"alpha", d.dirichlet_alpha},
            {"shards", d.shards},
            {"assignment", d.assignment},
            {"fixed_shards", d.fixed_shards},
            {"batch_size", d.batch_size},
            {"validation_fraction", d.validation_fraction},
            {"validation_examples", d.validation_examples},
            {"classes", d.classes},
            {"clusters_per_class", d.clusters_per_class},
            {"dimension", d.dimension},
            {"noise", d.noise},
            {"examples", d.examples}};
}

json inner_json(const InnerOptimizerSpec& i) {
    const LrScheduleSpec& s = i.schedule;
    json j = {{"optimizer", i.kind},
              {"lr", i.lr},
              {"momentum", i.momentum},
              {"nesterov", i.nesterov},
              {"beta1", i.beta1},
              {"beta2", i.beta2},
              {"alpha", i.alpha},
              {"eps", i.eps},
              {"weight_decay", i.weight_decay},
              {"delta_sgd",
               {{"eta0", i.delta_eta0},
                {"theta0", i.delta_theta0},
                {"gamma", i.delta_gamma},
                {"delta", i.delta_delta}}},
              {"reset_each_round", i.reset_each_round},
              {"clip_norm", i.clip_norm},
              {"clip_fraction", i.clip_fraction},
              {"schedule",
               {{"kind", s.kind},
                {"warmup_steps", s.warmup_steps},
                {"total_steps", s.total_steps},
                {"min_lr", s.min_lr},
                {"indexed_by", s.indexed_by}}}};
    // Only when on: run.json files and pretraining cache keys written before the key existed
    // stay equal to a scenario without it (a study resumes, a cached model is found).
    if (i.fused) j["fused"] = true;
    return j;
}

}  // namespace

json to_json(const TrainingSpec& t) {
    const OuterOptimizerSpec& o = t.outer;
    const AggregationSpec& a = t.aggregation;
    return {
        {"model", model_json(t.model)},
        {"data", data_json(t.data)},
        {"inner", inner_json(t.inner)},
        {"outer",
         {{"optimizer", o.kind},
          {"lr", o.lr},
          {"momentum", o.momentum},
          {"beta1", o.beta1},
          {"beta2", o.beta2},
          {"eps", o.eps},
          {"delayed_nesterov", {{"buffer", o.buffer}, {"activation", o.activation}}}}},
        {"aggregation",
         {{"staleness", a.staleness},
          {"weight", a.weight},
          {"a", a.a},
          {"b", a.b},
          {"drop_above", maybe(a.drop_above)}}},
        {"qsr", {{"enabled", t.qsr.enabled}, {"alpha", t.qsr.alpha}}},
        {"eval",
         {{"every_ns", maybe(t.eval.every_ns)},
          {"every_updates", maybe(t.eval.every_updates)},
          {"batch_size", t.eval.batch_size}}},
        {"pretrain",
         {{"steps", t.pretrain.steps},
          {"lr", t.pretrain.lr},
          {"warmup_steps", t.pretrain.warmup_steps},
          {"batch_size", t.pretrain.batch_size},
          {"seed", t.pretrain.seed}}},
        {"threads", t.threads},
        {"replica_batch", t.replica_batch},
    };
}

}  // namespace hetsim::scenarios
