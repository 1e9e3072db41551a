// Every fixture in tests/data/bad_scenarios/ fails with its exact position and message.
#include "scenarios/scenario_loader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

namespace {

namespace fs = std::filesystem;
using hetsim::ScenarioError;
using hetsim::scenarios::load_scenario;

const fs::path kBadDir = fs::path(HETSIM_TEST_DATA_DIR) / "bad_scenarios";

// Fixture file -> the message after the fixture's directory: "file:line:column: key: expected
// X, found Y" (unit lists from sim/time.cpp are left out).
const std::map<std::string, std::string> kExpected = {
    {"bad_duration_unit.toml",
     R"x(bad_duration_unit.toml:4:13: workers.step_time: expected a duration with a unit )x"
     R"x(like "50ms", found string "100 parsecs": unknown unit "parsecs")x"},
    {"bad_rate_unit.toml",
     R"x(bad_rate_unit.toml:13:13: network.bandwidth: expected a rate with a unit like )x"
     R"x("100Mbps" or "1GB/s", or "unlimited", found string "100Mbit": unknown unit "Mbit")x"},
    {"bad_size_unit.toml",
     R"x(bad_size_unit.toml:3:9: model.bytes: expected a size like "4MB" or a number of )x"
     R"x(bytes >= 0, found string "4 megabytes": unknown unit "megabytes")x"},
    {"bad_step_times_element.toml",
     R"x(bad_step_times_element.toml:3:28: workers.step_times[2]: expected a duration with a )x"
     R"x(unit like "50ms", found integer 3)x"},
    {"bfloat16_on_cpu.toml",
     R"x(bfloat16_on_cpu.toml:4:9: model.dtype: expected "float32" with device = "cpu" (bfloat16 )x"
     R"x(needs device = "cuda" or "auto"), found string "bfloat16")x"},
    {"both_step_time_and_step_times.toml",
     R"x(both_step_time_and_step_times.toml:4:14: workers.step_times: expected either )x"
     R"x(`step_time` or `step_times`, not both, found both)x"},
    {"buffer_with_async.toml",
     R"x(buffer_with_async.toml:8:10: algorithm.buffer: expected no `buffer` with kind = )x"
     R"x("async" (it applies to kind = "fedbuff" only), found integer 4)x"},
    {"cnn_on_gaussian_mixture.toml",
     R"x(cnn_on_gaussian_mixture.toml:6:10: data.source: expected "mnist" (the data model.kind = )x"
     R"x("cnn" trains on), found string "gaussian-mixture")x"},
    {"collective_with_async.toml",
     R"x(collective_with_async.toml:8:14: algorithm.collective: expected no `collective` )x"
     R"x(with kind = "async" (it applies to kind = "sync" or "ddp" only), found string "ring")x"},
    {"cosine_without_total_steps.toml",
     R"x(cosine_without_total_steps.toml:2:1: inner.schedule.total_steps: expected the cosine )x"
     R"x(schedule's length in steps (it is derived from run.server_updates or run.inner_steps, )x"
     R"x(never from run.duration), found nothing)x"},
    {"count_is_string.toml",
     R"x(count_is_string.toml:3:9: workers.count: expected an integer in 1..1000000, found )x"
     R"x(string "4")x"},
    {"d_model_not_multiple_of_heads.toml",
     R"x(d_model_not_multiple_of_heads.toml:4:11: model.d_model: expected a multiple of heads = )x"
     R"x(2, found integer 65)x"},
    {"ddp_inner_steps.toml",
     R"x(ddp_inner_steps.toml:8:15: algorithm.inner_steps: expected 1 or nothing with kind = )x"
     R"x("ddp" (ddp exchanges gradients after every step), found integer 8)x"},
    {"ddp_with_dylu.toml",
     R"x(ddp_with_dylu.toml:8:15: algorithm.local_steps: expected "fixed" with kind = "ddp" )x"
     R"x((every ddp round is one step), found string "dylu")x"},
    {"delayed_nesterov_activation_above_inverse_buffer.toml",
     R"x(delayed_nesterov_activation_above_inverse_buffer.toml:7:14: )x"
     R"x(outer.delayed_nesterov.activation: expected a number in [0, 0.25], found float 0.5)x"},
    {"delayed_nesterov_table_with_nesterov.toml",
     R"x(delayed_nesterov_table_with_nesterov.toml:5:1: outer.delayed_nesterov: expected )x"
     R"x([outer.delayed_nesterov] only with optimizer = "delayed-nesterov", found optimizer = )x"
     R"x("nesterov")x"},
    {"delayed_nesterov_zero_buffer.toml",
     R"x(delayed_nesterov_zero_buffer.toml:6:10: outer.delayed_nesterov.buffer: expected an )x"
     R"x(integer in 1..1000000, found integer 0)x"},
    {"dirichlet_partition_on_brown.toml",
     R"x(dirichlet_partition_on_brown.toml:6:13: data.partition: expected "iid" or "genre" with )x"
     R"x(data.source = "brown", found string "dirichlet")x"},
    {"dirichlet_partition_on_linear.toml",
     R"x(dirichlet_partition_on_linear.toml:6:13: data.partition: expected "iid" with )x"
     R"x(data.source = "linear-synthetic" (no genres, no labels), found string "dirichlet")x"},
    {"downtime_distribution_without_unit.toml",
     R"x(downtime_distribution_without_unit.toml:14:43: workers.failures.downtime.mean: )x"
     R"x(expected a duration with a unit like "50ms", found integer 30)x"},
    {"drop_failed_after_with_fedbuff.toml",
     R"x(drop_failed_after_with_fedbuff.toml:9:21: algorithm.drop_failed_after: expected no )x"
     R"x(`drop_failed_after` with kind = "fedbuff" (it applies to kind = "sync" or "ddp" )x"
     R"x(only), found string "30s")x"},
    {"duplicate_key.toml",
     R"x(duplicate_key.toml:4:9: expected valid TOML, found a syntax error: error while )x"
     R"x(parsing key-value pair: cannot redefine existing integer 'count')x"},
    {"duration_without_unit.toml",
     R"x(duration_without_unit.toml:4:13: workers.step_time: expected a duration with a unit )x"
     R"x(like "50ms", found integer 5)x"},
    {"dylu_min_steps_above_inner_steps.toml",
     R"x(dylu_min_steps_above_inner_steps.toml:12:13: algorithm.dylu.min_steps: expected at )x"
     R"x(most inner_steps (10), found integer 20)x"},
    {"dylu_table_without_dylu.toml",
     R"x(dylu_table_without_dylu.toml:9:1: algorithm.dylu: expected [algorithm.dylu] only )x"
     R"x(with local_steps = "dylu", found local_steps = "fixed")x"},
    {"empty_hidden.toml",
     R"x(empty_hidden.toml:4:10: model.hidden: expected a non-empty list of layer widths like )x"
     R"x([128], found an empty list)x"},
    {"empty_run.toml",
     R"x(empty_run.toml:9:1: run: expected at least one of duration, server_updates, )x"
     R"x(inner_steps, found none)x"},
    {"empty_step_times.toml",
     R"x(empty_step_times.toml:3:14: workers.step_times: expected a non-empty list of )x"
     R"x(durations like ["0.58s", "0.75s"], found an empty list)x"},
    {"eval_every_without_unit.toml",
     R"x(eval_every_without_unit.toml:3:9: eval.every: expected a duration with a unit like )x"
     R"x("50ms", found integer 10)x"},
    {"fused_not_boolean.toml",
     R"x(fused_not_boolean.toml:3:9: inner.fused: expected true or false, found integer 1)x"},
    {"fused_on_cuda.toml",
     R"x(fused_on_cuda.toml:7:9: inner.fused: expected false with model.device = "cuda" (the )x"
     R"x(fused kernel runs on CPU float32 parameters only), found boolean true)x"},
    {"fused_with_clip_fraction.toml",
     R"x(fused_with_clip_fraction.toml:4:9: inner.fused: expected false with clip_fraction > 0 )x"
     R"x((the fused kernel does not clip coordinates), found boolean true)x"},
    {"fused_with_sgd.toml",
     R"x(fused_with_sgd.toml:4:9: inner.fused: expected false with optimizer = "sgd" (the fused )x"
     R"x(kernel is AdamW's), found boolean true)x"},
    {"genre_partition_on_mnist.toml",
     R"x(genre_partition_on_mnist.toml:7:13: data.partition: expected "iid" or "dirichlet" )x"
     R"x((genres exist in the Brown corpus only), found string "genre")x"},
    {"gpt_on_mnist.toml",
     R"x(gpt_on_mnist.toml:6:10: data.source: expected "brown" (the data model.kind = "gpt" )x"
     R"x(trains on), found string "mnist")x"},
    {"grace_period_with_sync.toml",
     R"x(grace_period_with_sync.toml:8:16: algorithm.grace_period: expected no )x"
     R"x(`grace_period` with kind = "sync" (it applies to kind = "async" only), found string )x"
     R"x("1s")x"},
    {"heads_not_dividing_d_model.toml",
     R"x(heads_not_dividing_d_model.toml:5:9: model.heads: expected a number of heads that )x"
     R"x(divides d_model = 64, found integer 3)x"},
    {"huge_count.toml",
     R"x(huge_count.toml:3:9: workers.count: expected at most 1000000 workers (larger worlds )x"
     R"x(are not supported), found integer 2000000)x"},
    {"infinite_jitter.toml",
     R"x(infinite_jitter.toml:5:48: workers.jitter.high: expected a number > 0, found float )x"
     R"x(inf)x"},
    {"inner_momentum_one.toml",
     R"x(inner_momentum_one.toml:4:12: inner.momentum: expected a number in [0, 1), found float )x"
     R"x(1.0)x"},
    {"inner_steps_is_float.toml",
     R"x(inner_steps_is_float.toml:8:15: algorithm.inner_steps: expected an integer in )x"
     R"x(1..1000000000, found float 50.5)x"},
    {"jitter_not_a_table.toml",
     R"x(jitter_not_a_table.toml:5:10: workers.jitter: expected a distribution table like { )x"
     R"x(dist = "uniform", low = 0.9, high = 1.1 }, found float 1.1)x"},
    {"missing_algorithm_kind.toml",
     R"x(missing_algorithm_kind.toml:6:1: algorithm.kind: expected the schedule, one of )x"
     R"x("sync", "async", "fedbuff", "ddp", found nothing)x"},
    {"missing_count.toml",
     R"x(missing_count.toml:2:1: workers.count: expected the number of workers, 1..1000000, )x"
     R"x(found nothing)x"},
    {"missing_distribution_name.toml",
     R"x(missing_distribution_name.toml:5:14: workers.multiplier.dist: expected the )x"
     R"x(distribution's name, one of "constant", "uniform", "normal", "lognormal", )x"
     R"x("exponential", found nothing)x"},
    {"missing_fedbuff_buffer.toml",
     R"x(missing_fedbuff_buffer.toml:6:1: algorithm.buffer: expected the number of updates )x"
     R"x(per server step with kind = "fedbuff", an integer >= 1, found nothing)x"},
    {"missing_run.toml",
     R"x(missing_run.toml:1:1: run: expected a [run] table with duration, server_updates or )x"
     R"x(inner_steps, found nothing)x"},
    {"missing_server_bandwidth.toml",
     R"x(missing_server_bandwidth.toml:12:1: network.server.bandwidth: expected the server )x"
     R"x(link's rate (required when shared = true), found nothing)x"},
    {"missing_step_time.toml",
     R"x(missing_step_time.toml:2:1: workers.step_time: expected `step_time` (a duration > )x"
     R"x(0) or `step_times` (a list), found nothing)x"},
    {"missing_straggler_factor.toml",
     R"x(missing_straggler_factor.toml:5:14: workers.stragglers.factor: expected a number >= )x"
     R"x(1, found nothing)x"},
    {"missing_workers.toml",
     R"x(missing_workers.toml:1:1: workers: expected a [workers] table, found nothing)x"},
    {"misspelt_required_key.toml",
     R"x(misspelt_required_key.toml:4:1: workers.step_tim: expected a known key (did you )x"
     R"x(mean `step_time`?), found unknown key `step_tim`)x"},
    {"mtbf_without_downtime.toml",
     R"x(mtbf_without_downtime.toml:12:1: workers.failures.downtime: expected how long a )x"
     R"x(random failure lasts (a duration > 0 or a distribution table), required with mtbf, )x"
     R"x(found nothing)x"},
    {"multiplier_is_string.toml",
     R"x(multiplier_is_string.toml:5:14: workers.multiplier: expected a number > 0, a list )x"
     R"x(of numbers, or a distribution table, found string "fast")x"},
    {"multiplier_list_length_mismatch.toml",
     R"x(multiplier_list_length_mismatch.toml:5:14: workers.multiplier: expected a list of 4 )x"
     R"x(numbers (one per worker), found a list of 2 values)x"},
    {"name_is_integer.toml",
     R"x(name_is_integer.toml:2:8: name: expected a string, found integer 5)x"},
    {"nan_inner_lr.toml",
     R"x(nan_inner_lr.toml:3:6: inner.lr: expected a number > 0, found float nan)x"},
    {"nan_multiplier.toml",
     R"x(nan_multiplier.toml:5:14: workers.multiplier: expected a number > 0, found float nan)x"},
    {"negative_bytes.toml",
     R"x(negative_bytes.toml:3:9: model.bytes: expected a size like "4MB" or a number of )x"
     R"x(bytes >= 0, found integer -1)x"},
    {"negative_drop_above.toml",
     R"x(negative_drop_above.toml:3:14: aggregation.drop_above: expected an integer >= 0, found )x"
     R"x(integer -1)x"},
    {"negative_inner_lr.toml",
     R"x(negative_inner_lr.toml:3:6: inner.lr: expected a number > 0, found float -0.1)x"},
    {"negative_lognormal_sigma.toml",
     R"x(negative_lognormal_sigma.toml:5:54: workers.multiplier.sigma: expected a number >= )x"
     R"x(0, found float -0.5)x"},
    {"negative_multiplier.toml",
     R"x(negative_multiplier.toml:5:14: workers.multiplier: expected a number > 0, found )x"
     R"x(float -2.0)x"},
    {"negative_seed.toml",
     R"x(negative_seed.toml:2:8: seed: expected an integer >= 0, found integer -1)x"},
    {"nesterov_without_momentum.toml",
     R"x(nesterov_without_momentum.toml:4:12: inner.nesterov: expected false with inner.momentum )x"
     R"x(= 0 (Nesterov needs a momentum > 0), found boolean true)x"},
    {"network_override_without_settings.toml",
     R"x(network_override_without_settings.toml:12:1: network.override[0]: expected at least )x"
     R"x(one of latency, bandwidth, up_bandwidth, down_bandwidth, found only the choice of )x"
     R"x(workers)x"},
    {"network_override_worker_out_of_range.toml",
     R"x(network_override_worker_out_of_range.toml:13:15: network.override[0].workers[1]: )x"
     R"x(expected a worker index in 0..3 (workers.count = 4), found integer -1)x"},
    {"normal_mean_not_positive.toml",
     R"x(normal_mean_not_positive.toml:5:40: workers.multiplier.mean: expected a number > 0, )x"
     R"x(found float 0.0)x"},
    {"override_duplicate_worker.toml",
     R"x(override_duplicate_worker.toml:13:18: workers.override[0].workers[2]: expected each )x"
     R"x(worker at most once, found worker 1 again)x"},
    {"override_mtbf_without_downtime.toml",
     R"x(override_mtbf_without_downtime.toml:14:8: workers.override[0].mtbf: expected a )x"
     R"x(`downtime` in [workers.failures] as well (how long a failure lasts), found an mtbf )x"
     R"x(without a downtime)x"},
    {"override_without_settings.toml",
     R"x(override_without_settings.toml:12:1: workers.override[0]: expected at least one of )x"
     R"x(step_time, multiplier, jitter, stragglers, mtbf, found only the choice of workers)x"},
    {"override_without_workers.toml",
     R"x(override_without_workers.toml:12:1: workers.override[0].worker: expected `worker = )x"
     R"x(<index>` or `workers = [<index>, ...]`, found nothing)x"},
    {"override_worker_and_workers.toml",
     R"x(override_worker_and_workers.toml:14:11: workers.override[0].workers: expected )x"
     R"x(either `worker` or `workers`, not both, found both)x"},
    {"override_worker_out_of_range.toml",
     R"x(override_worker_out_of_range.toml:13:10: workers.override[0].worker: expected a )x"
     R"x(worker index in 0..3 (workers.count = 4), found integer 4)x"},
    {"preset_with_layers.toml",
     R"x(preset_with_layers.toml:5:10: model.layers: expected no `layers` with preset = "nano" )x"
     R"x((the preset sets the sizes), found integer 4)x"},
    {"preset_without_gpt.toml",
     R"x(preset_without_gpt.toml:4:10: model.preset: expected no `preset` with kind = "mlp" )x"
     R"x((presets are gpt sizes), found string "nano")x"},
    {"qsr_cosine_without_min_lr.toml",
     R"x(qsr_cosine_without_min_lr.toml:2:1: inner.schedule.min_lr: expected a number > 0 with )x"
     R"x(local_steps = "qsr" (QSR's H = (alpha / lr)^2 needs lr > 0 once the cosine has )x"
     R"x(decayed), found nothing (min_lr defaults to 0))x"},
    {"qsr_table_without_qsr.toml",
     R"x(qsr_table_without_qsr.toml:9:1: algorithm.qsr: expected [algorithm.qsr] only with )x"
     R"x(local_steps = "qsr", found local_steps = "fixed")x"},
    {"qsr_with_ddp.toml",
     R"x(qsr_with_ddp.toml:8:15: algorithm.local_steps: expected "fixed" with kind = "ddp" )x"
     R"x((every ddp round is one step), found string "qsr")x"},
    {"replica_batch_timing_only.toml",
     R"x(replica_batch_timing_only.toml:11:17: run.replica_batch: expected 1 with model.kind = )x"
     R"x("none" (a timing-only run computes no rounds), found integer 4)x"},
    {"replica_batch_with_threads.toml",
     R"x(replica_batch_with_threads.toml:15:17: run.replica_batch: expected 1 with run.threads )x"
     R"x(= 2 (batched rounds are computed on one thread: leave run.threads out or set it to 1), )x"
     R"x(found integer 4)x"},
    {"replica_batch_zero.toml",
     R"x(replica_batch_zero.toml:14:17: run.replica_batch: expected an integer in 1..4096, )x"
     R"x(found integer 0)x"},
    {"rate_without_unit.toml",
     R"x(rate_without_unit.toml:13:13: network.bandwidth: expected a rate with a unit like )x"
     R"x("100Mbps" or "1GB/s", or "unlimited", found integer 100)x"},
    {"scripted_failure_missing_at.toml",
     R"x(scripted_failure_missing_at.toml:12:1: workers.failures.scripted[0].at: expected )x"
     R"x(the virtual time of the failure, a duration >= 0, found nothing)x"},
    {"scripted_failure_worker_out_of_range.toml",
     R"x(scripted_failure_worker_out_of_range.toml:13:10: )x"
     R"x(workers.failures.scripted[0].worker: expected a worker index in 0..3 (workers.count )x"
     R"x(= 4), found integer 9)x"},
    {"scripted_failures_overlap.toml",
     R"x(scripted_failures_overlap.toml:19:6: workers.failures.scripted[1].at: expected a )x"
     R"x(time >= 15s, when worker 2's previous scripted failure ends, found string "12s")x"},
    {"shared_not_boolean.toml",
     R"x(shared_not_boolean.toml:13:10: network.server.shared: expected true or false, found )x"
     R"x(string "yes")x"},
    {"step_times_length_mismatch.toml",
     R"x(step_times_length_mismatch.toml:4:14: workers.step_times: expected a list of 4 )x"
     R"x(durations (workers.count = 4), found a list of 3 durations)x"},
    {"straggler_factor_below_one.toml",
     R"x(straggler_factor_below_one.toml:5:44: workers.stragglers.factor: expected a number )x"
     R"x(>= 1, found float 0.5)x"},
    {"straggler_probability_above_one.toml",
     R"x(straggler_probability_above_one.toml:5:30: workers.stragglers.probability: expected )x"
     R"x(a number in [0, 1], found float 1.5)x"},
    {"syntax_error.toml",
     R"x(syntax_error.toml:4:19: expected valid TOML, found a syntax error: error while )x"
     R"x(parsing string: unescaped control characters other than TAB (U+0009) are explicitly )x"
     R"x(prohibited)x"},
    {"uniform_high_below_low.toml",
     R"x(uniform_high_below_low.toml:5:48: workers.jitter.high: expected a value >= low )x"
     R"x((1.1), found float 0.9)x"},
    {"unknown_algorithm_kind.toml",
     R"x(unknown_algorithm_kind.toml:7:8: algorithm.kind: expected one of "sync", "async", )x"
     R"x("fedbuff", "ddp" (did you mean "async"?), found string "asnyc")x"},
    {"unknown_collective.toml",
     R"x(unknown_collective.toml:8:14: algorithm.collective: expected one of )x"
     R"x("parameter-server", "ring", found string "allreduce")x"},
    {"unknown_distribution.toml",
     R"x(unknown_distribution.toml:5:23: workers.multiplier.dist: expected one of )x"
     R"x("constant", "uniform", "normal", "lognormal", "exponential", found string "gaussian")x"},
    {"unknown_distribution_parameter.toml",
     R"x(unknown_distribution_parameter.toml:5:41: workers.jitter.hgh: expected a known key )x"
     R"x((did you mean `high`?), found unknown key `hgh`)x"},
    {"unknown_inner_optimizer.toml",
     R"x(unknown_inner_optimizer.toml:3:13: inner.optimizer: expected one of "sgd", "adamw", )x"
     R"x("rmsprop", "delta-sgd" (did you mean "adamw"?), found string "adam")x"},
    {"unknown_key.toml",
     R"x(unknown_key.toml:5:1: workers.step_tme: expected one of trace, count, step_time, )x"
     R"x(device_flops, mfu, step_times, heterogeneity, group, multiplier, jitter, stragglers, )x"
     R"x(failures, preemption, override (did you mean `step_time`?), found unknown key )x"
     R"x(`step_tme`)x"},
    {"unknown_key_no_suggestion.toml",
     R"x(unknown_key_no_suggestion.toml:11:1: run.colour: expected one of duration, )x"
     R"x(server_updates, inner_steps, threads, replica_batch, found unknown key `colour`)x"},
    {"unknown_model_kind.toml",
     R"x(unknown_model_kind.toml:3:8: model.kind: expected one of "none", "gpt", "mlp", )x"
     R"x("cnn", "linear" (did you mean "gpt"?), found string "gpt2")x"},
    {"unknown_model_preset.toml",
     R"x(unknown_model_preset.toml:4:10: model.preset: expected one of "nano", "tiny", "20M", )x"
     R"x("60M", "150M" (did you mean "150M"?), found string "150m")x"},
    {"unknown_schedule_key.toml",
     R"x(unknown_schedule_key.toml:4:1: inner.schedule.total_step: expected one of kind, )x"
     R"x(warmup_steps, total_steps, min_lr, indexed_by (did you mean `total_steps`?), found )x"
     R"x(unknown key `total_step`)x"},
    {"unknown_schedule_kind.toml",
     R"x(unknown_schedule_kind.toml:3:8: inner.schedule.kind: expected one of "constant", )x"
     R"x("cosine" (did you mean "cosine"?), found string "cosin")x"},
    {"unknown_staleness.toml",
     R"x(unknown_staleness.toml:3:13: aggregation.staleness: expected one of "constant", )x"
     R"x("polynomial", "hinge" (did you mean "polynomial"?), found string "polynomal")x"},
    {"unknown_table.toml",
     R"x(unknown_table.toml:6:2: algoritm: expected one of name, description, seed, model, data, )x"
     R"x(workers, network, algorithm, inner, outer, aggregation, eval, pretrain, run, timeline, )x"
     R"x(elastic (did you mean `algorithm`?), found unknown key `algoritm`)x"},
    {"unknown_table_optimizer.toml",
     R"x(unknown_table_optimizer.toml:2:2: optimizer: expected one of name, description, seed, )x"
     R"x(model, data, workers, network, algorithm, inner, outer, aggregation, eval, pretrain, run, )x"
     R"x(timeline, elastic, found unknown key `optimizer`)x"},
    {"validation_fraction_one.toml",
     R"x(validation_fraction_one.toml:6:23: data.validation_fraction: expected a number in (0, )x"
     R"x(1), found float 1.0)x"},
    {"vocab_size_out_of_range.toml",
     R"x(vocab_size_out_of_range.toml:7:14: data.vocab_size: expected an integer in 260..65536, )x"
     R"x(found integer 100)x"},
    {"workers_not_a_table.toml",
     R"x(workers_not_a_table.toml:2:11: workers: expected a table, found integer 4)x"},
    {"zero_batch_size.toml",
     R"x(zero_batch_size.toml:6:14: data.batch_size: expected an integer in 1..1048576, found )x"
     R"x(integer 0)x"},
    {"zero_count.toml",
     R"x(zero_count.toml:3:9: workers.count: expected an integer in 1..1000000, found )x"
     R"x(integer 0)x"},
    {"zero_downtime.toml",
     R"x(zero_downtime.toml:14:12: workers.failures.downtime: expected a duration > 0, found )x"
     R"x(string "0s")x"},
    {"zero_eval_every.toml",
     R"x(zero_eval_every.toml:3:9: eval.every: expected a duration > 0, found string "0s")x"},
    {"zero_hidden_width.toml",
     R"x(zero_hidden_width.toml:4:16: model.hidden[1]: expected an integer in 1..1000000, found )x"
     R"x(integer 0)x"},
    {"zero_inner_lr.toml",
     R"x(zero_inner_lr.toml:3:6: inner.lr: expected a number > 0, found integer 0)x"},
    {"zero_rate.toml",
     R"x(zero_rate.toml:13:16: network.up_bandwidth: expected a rate with a unit like )x"
     R"x("100Mbps" or "1GB/s", or "unlimited", found string "0Mbps": must be greater than )x"
     R"x(zero)x"},
    {"zero_run_duration.toml",
     R"x(zero_run_duration.toml:10:12: run.duration: expected a duration > 0, found string )x"
     R"x("0s")x"},
    {"zero_step_time.toml",
     R"x(zero_step_time.toml:4:13: workers.step_time: expected a duration > 0, found string )x"
     R"x("0ms")x"},
    {"zero_threads.toml",
     R"x(zero_threads.toml:11:11: run.threads: expected an integer in 1..1024, found integer 0)x"},
};

// The ScenarioError message for `file`, or a note that it loaded or threw something else.
std::string error_of(const fs::path& file) {
    try {
        (void)load_scenario(file);
    } catch (const ScenarioError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not a ScenarioError: ") + e.what();
    }
    return "loaded without error";
}

}  // namespace

TEST_CASE("every bad scenario fixture fails with its expected position and message") {
    for (const auto& [file, fragment] : kExpected) {
        CAPTURE(file);
        const std::string message = error_of(kBadDir / file);
        CAPTURE(message);
        const std::string prefix = (kBadDir / "").string();
        REQUIRE(message.starts_with(prefix));
        CHECK(message.substr(prefix.size()).starts_with(fragment));
    }
}

TEST_CASE("every fixture in bad_scenarios is covered by the table and every entry exists") {
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kBadDir)) {
        if (entry.path().extension() != ".toml") continue;
        // workers-*.toml: the worker-language fixtures, listed in workers_language_test.cpp.
        if (entry.path().filename().string().starts_with("workers-")) continue;
        // trace-*.toml: the trace fixtures, listed in trace_errors_test.cpp.
        if (entry.path().filename().string().starts_with("trace-")) continue;
        // timeline-*.toml: listed in timeline_keys_test.cpp.
        if (entry.path().filename().string().starts_with("timeline-")) continue;
        ++files;
        CAPTURE(entry.path().filename().string());
        CHECK(kExpected.count(entry.path().filename().string()) == 1);
    }
    CHECK(files == static_cast<int>(kExpected.size()));
    for (const auto& [file, fragment] : kExpected) {
        CAPTURE(file);
        CHECK(fs::exists(kBadDir / file));
    }
}

TEST_CASE("a fixture error carries the file, line, column, key, expected and found parts") {
    try {
        (void)load_scenario(kBadDir / "duration_without_unit.toml");
        FAIL("the scenario loaded");
    } catch (const ScenarioError& e) {
        CHECK(e.where().file == (kBadDir / "duration_without_unit.toml").string());
        CHECK(e.where().line == 4);
        CHECK(e.where().column == 13);
        CHECK(e.key() == "workers.step_time");
        CHECK(e.expected() == R"(a duration with a unit like "50ms")");
        CHECK(e.found() == "integer 5");
    }
}

TEST_CASE("a missing required key is reported at the position of its enclosing table") {
    try {
        (void)load_scenario(kBadDir / "missing_step_time.toml");
        FAIL("the scenario loaded");
    } catch (const ScenarioError& e) {
        CHECK(e.where().line == 2);  // the [workers] header
        CHECK(e.where().column == 1);
        CHECK(e.key() == "workers.step_time");
        CHECK(e.found() == "nothing");
    }
}
