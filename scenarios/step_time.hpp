#pragma once
// Where a worker's base step time comes from: a duration written in the file, a FLOP count over
// the device's rate (`device_flops` x `mfu`), or a measurement of the real inner step at start.
// The last two need the model, which only the engine builds (with LibTorch), so the loader
// records the source here and the engine resolves it before virtual time 0.

#include "sim/time.hpp"

#include <string>
#include <string_view>

namespace hetsim::scenarios {

/// How a worker's base step time is obtained.
enum class StepTimeKind {
    duration,  ///< written in the scenario (`step_time = "100ms"`, `step_times`, a preset)
    flops,     ///< FLOPs per inner step / (device_flops x mfu)
    measure    ///< `step_time = "measure"`: the median of timed real inner steps
};

/// One worker's step-time source. The resolved time is divided by `speed`.
struct StepTimeSource {
    StepTimeKind kind = StepTimeKind::duration;
    double device_flops = 0.0;  ///< flops: the device's peak rate, in FLOP/s
    double mfu = 0.0;           ///< flops: model FLOPs utilisation, in (0, 1]
    double speed = 1.0;         ///< relative speed of a [[workers.group]] (2 = twice as fast)

    friend bool operator==(const StepTimeSource&, const StepTimeSource&) = default;
};

/// "duration", "flops", "measure".
const char* to_string(StepTimeKind kind);

/// Parses a compute rate: "989TFLOP/s", "1.5PFLOP/s", "312e12FLOP/s" with prefixes k, M, G, T,
/// P, E (powers of 1000). Throws hetsim::Error on a bad string, a rate <= 0 or an overflow.
double parse_flop_rate(std::string_view text);

/// "989TFLOP/s": the largest prefix that leaves a number >= 1.
std::string format_flop_rate(double flop_per_second);

/// FLOPs of one inner step of one worker: the model's forward + backward FLOPs per example
/// (already 3x the forward FLOPs, see models::Model::flops_per_example) x the batch size.
double flops_per_step(double flops_per_example, int batch_size);

/// flops_per_step / (device_flops x mfu x speed), rounded to the nearest nanosecond. Throws
/// hetsim::Error when the result is not a positive duration below about 292 years.
sim::Time flops_step_time(double flops_per_step, const StepTimeSource& source);

/// `base` / speed, rounded to the nearest nanosecond (throws like flops_step_time).
sim::Time scale_by_speed(sim::Time base, double speed);

}  // namespace hetsim::scenarios
