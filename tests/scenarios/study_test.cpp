// Study files: [[variant]], [sweep] and [study] expand into validated runs (scenarios/study.hpp).
#include "scenarios/scenario_loader.hpp"
#include "scenarios/study.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using hetsim::ScenarioError;
using hetsim::scenarios::LoadOptions;
using hetsim::scenarios::Study;
using hetsim::sim::ScheduleKind;

const std::string kBase = R"(name = "demo"
seed = 5

[workers]
count = 2
step_time = "100ms"

[algorithm]
kind = "async"
inner_steps = 20

[run]
server_updates = 10
)";

const std::string kStudy = kBase + R"(
[study]
repeats = 3

[[variant]]
label = "sync"
algorithm.kind = "sync"

[[variant]]
label = "async-dylu"
algorithm = { local_steps = "dylu" }

[sweep]
"algorithm.inner_steps" = [10, 50]
"workers.count" = [4, 8]
)";

Study study(const std::string& text, LoadOptions options = {}) {
    return hetsim::scenarios::parse_study(text, "s.toml", options);
}

// The message of the ScenarioError that loading `text` as a study causes, or "no error".
std::string error_of(const std::string& text, LoadOptions options = {}) {
    try {
        (void)study(text, std::move(options));
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("variants x sweep points x repeats expand in order, with labels and seeds") {
    const Study s = study(kStudy);
    CHECK(s.name == "demo");
    CHECK(s.repeats == 3);
    CHECK(s.first_seed == 5);
    REQUIRE(s.runs.size() == 2 * 4 * 3);
    CHECK(s.variants == std::vector<std::string>{"sync", "async-dylu"});
    CHECK(s.sweep_keys == std::vector<std::string>{"algorithm.inner_steps", "workers.count"});
    CHECK(s.labels == std::vector<std::string>{
                          "sync__inner_steps-10__count-4", "sync__inner_steps-10__count-8",
                          "sync__inner_steps-50__count-4", "sync__inner_steps-50__count-8",
                          "async-dylu__inner_steps-10__count-4",
                          "async-dylu__inner_steps-10__count-8",
                          "async-dylu__inner_steps-50__count-4",
                          "async-dylu__inner_steps-50__count-8"});
    for (std::size_t i = 0; i < s.runs.size(); ++i) {
        const auto& run = s.runs[i];
        CAPTURE(i);
        CHECK(run.index == i);
        CHECK(run.label == s.labels[i / 3]);
        CHECK(run.seed == 5 + i % 3);
        CHECK(run.scenario.world.seed == run.seed);
        CHECK(run.dir() == std::filesystem::path(run.label) / std::to_string(run.seed));
        CHECK(run.scenario.name == "demo/" + run.label);
        const bool sync = i < 12;
        CHECK(run.variant == (sync ? "sync" : "async-dylu"));
        CHECK(run.scenario.world.algorithm.kind == (sync ? ScheduleKind::sync : ScheduleKind::async));
        const int steps = (i / 6) % 2 ? 50 : 10;
        const std::size_t count = (i / 3) % 2 ? 8 : 4;
        CHECK(run.scenario.world.algorithm.inner_steps == steps);
        CHECK(run.scenario.world.workers.size() == count);
        CHECK(run.sweep == nlohmann::json{{"algorithm.inner_steps", steps}, {"workers.count", count}});
    }
    CHECK(s.baseline == "sync");
    CHECK(s.baseline_label("async-dylu__inner_steps-50__count-4") ==
          "sync__inner_steps-50__count-4");
}

TEST_CASE("a variant's tables merge key by key over the base") {
    const Study s = study(kBase + R"(
[[variant]]
label = "a"
algorithm = { kind = "sync" }
workers = { step_time = "1s" }
[[variant]]
label = "b"
)");
    REQUIRE(s.runs.size() == 2);
    const auto& a = s.runs[0].scenario.world;
    CHECK(a.algorithm.kind == ScheduleKind::sync);
    CHECK(a.algorithm.inner_steps == 20);  // kept from the base
    CHECK(a.workers.size() == 2);
    CHECK(a.workers[0].step_time == 1s);
    CHECK(s.runs[1].scenario.world.algorithm.kind == ScheduleKind::async);
    CHECK(s.runs[1].scenario.world.workers[0].step_time == 100ms);
    CHECK(s.baseline == "a");  // the first variant whose algorithm is sync
}

TEST_CASE("without variants the base is the single variant, named after the study") {
    Study s = study(kBase + "[sweep.workers]\ncount = [3, 6]\n");
    CHECK(s.labels == std::vector<std::string>{"demo__count-3", "demo__count-6"});
    CHECK(s.runs[1].scenario.world.workers.size() == 6);
    CHECK(s.variants == std::vector<std::string>{"demo"});
    CHECK_FALSE(s.baseline.has_value());  // async only

    std::string unnamed = kBase.substr(kBase.find('\n') + 1);
    s = hetsim::scenarios::parse_study(unnamed + "[study]\nrepeats = 2\n", "dir/my study.toml");
    CHECK(s.name == "my study");
    CHECK(s.labels == std::vector<std::string>{"my_study"});
    CHECK(s.runs.size() == 2);
    CHECK(s.runs[1].seed == 6);
}

TEST_CASE("sweep labels: strings, floats, lists by position, and ambiguous names in full") {
    const Study s = study(kBase + R"(
[sweep]
"workers.step_time" = ["250ms", "1.5s"]
"workers.multiplier" = [[1.0, 2.0], 0.5]
"algorithm.dylu.min_steps" = [1]
"algorithm.local_steps" = ["dylu"]
)");
    CHECK(s.labels.front() == "demo__step_time-250ms__multiplier-0__min_steps-1__local_steps-dylu");
    CHECK(s.labels.back() == "demo__step_time-1.5s__multiplier-0.5__min_steps-1__local_steps-dylu");
    CHECK(s.runs.front().scenario.world.workers[1].multiplier == 2.0);
    CHECK(s.runs.front().sweep["workers.multiplier"] == nlohmann::json{1.0, 2.0});

    const Study twice = study(kBase + R"(
[sweep]
"workers.step_time" = ["1s"]
"workers.failures.scripted" = [[]]
"network.override" = [[]]
"workers.override" = [[]]
)");
    CHECK(twice.labels.front() ==
          "demo__step_time-1s__scripted-0__network.override-0__workers.override-0");
}

TEST_CASE("--set applies to every run after its variant; study.* keys change the study") {
    LoadOptions o;
    o.overrides = {"algorithm.inner_steps=7", "study.repeats=2", "workers.count=3"};
    o.seed = 100;
    const Study s = study(kStudy, o);
    CHECK(s.repeats == 2);
    CHECK(s.runs.size() == 2 * 4 * 2);
    CHECK(s.runs[0].seed == 100);
    CHECK(s.runs[1].seed == 101);
    for (const auto& run : s.runs) {
        CHECK(run.scenario.world.algorithm.inner_steps == 7);  // the command line wins
        CHECK(run.scenario.world.workers.size() == 3);
    }
    CHECK(s.runs[0].label == "sync__inner_steps-10__count-4");  // labels keep the sweep values
}

TEST_CASE("study.baseline names the variant speed-ups are measured against") {
    std::string text = kStudy;
    text.replace(text.find("repeats = 3"), 11,
                 "repeats = 1\ntarget = 20.5\nbaseline = \"async-dylu\"");
    const Study s = study(text);
    CHECK(s.baseline == "async-dylu");
    CHECK(s.target == 20.5);
    CHECK(s.baseline_label("sync__inner_steps-10__count-8") ==
          "async-dylu__inner_steps-10__count-8");
    CHECK_FALSE(s.baseline_label("no-such-label").has_value());
}

TEST_CASE("study errors point at the offending key, naming the run") {
    SUBCASE("an error in one run stops the whole study") {
        CHECK(error_of(kBase + R"(
[sweep]
"workers.count" = [4, 0]
)") == "s.toml:16:23: workers.count: expected an integer in 1..1000000, found integer 0 "
       "(in run 1: demo__count-0, seed 5)");
    }
    SUBCASE("a typo in a variant") {
        CHECK(error_of(kBase + R"(
[[variant]]
label = "ok"
[[variant]]
label = "typo"
workers.count = -1
)") == "s.toml:19:17: workers.count: expected an integer in 1..1000000, found integer -1 "
       "(in run 1: typo, seed 5)");
    }
    SUBCASE("labels") {
        CHECK(error_of(kBase + "[[variant]]\nlabel = \"a\"\n[[variant]]\nlabel = \"a\"\n") ==
              "s.toml:17:9: variant[1].label: expected a label not used by an earlier variant "
              "(line 15), found string \"a\"");
        CHECK(error_of(kBase + "[[variant]]\nlabel = \"a/b\"\n") ==
              "s.toml:15:9: variant[0].label: expected a folder-safe label (letters, digits, "
              "`.`, `_`, `-`, `+`; not starting with `.`; at most 200 characters), found string "
              "\"a/b\"");
        CHECK(error_of(kBase + "[[variant]]\nalgorithm.kind = \"sync\"\n") ==
              "s.toml:14:1: variant[0].label: expected a label naming the variant (label = "
              "\"sync\"), found nothing");
        CHECK(error_of(kBase + "[sweep]\n\"workers.step_time\" = [\"1s\", \"1 s\", \"1_s\"]\n") ==
              "s.toml:15:1: sweep: expected sweep values that give distinct run labels, found "
              "label `demo__step_time-1_s` twice");
    }
    SUBCASE("study keys") {
        CHECK(error_of(kBase + "[study]\nrepeat = 3\n") ==
              "s.toml:15:1: study.repeat: expected one of repeats, target, baseline (did you "
              "mean `repeats`?), found unknown key `repeat`");
        CHECK(error_of(kBase + "[study]\nrepeats = 0\n") ==
              "s.toml:15:11: study.repeats: expected an integer in 1..10000, found integer 0");
        CHECK(error_of(kBase + "[study]\nbaseline = \"snyc\"\n[[variant]]\nlabel = \"sync\"\n") ==
              "s.toml:15:12: study.baseline: expected the label of a variant: sync (did you mean "
              "`sync`?), found string \"snyc\"");
        CHECK(error_of(kBase + "[sweep]\n\"workers.count\" = 4\n") ==
              "s.toml:15:19: sweep.workers.count: expected a non-empty list of values to sweep "
              "over, found integer 4");
        CHECK(error_of(kBase + "[sweep]\n\"workers.count\" = []\n") ==
              "s.toml:15:19: sweep.workers.count: expected a non-empty list of values to sweep "
              "over, found an empty list");
        CHECK(error_of(kBase + "[[variant]]\nlabel = \"a\"\nseed = 3\n") ==
              "s.toml:16:1: variant[0].seed: expected a scenario key other than `seed` (seeds "
              "come from the file's `seed` and `study.repeats`; labels name the runs), found "
              "key `seed`");
        CHECK(error_of(kBase + "[sweep]\n\"workers..count\" = [1]\n") ==
              "s.toml:15:1: sweep.workers..count: expected a dotted scenario key of letters, "
              "digits, `_` and `-`, found key `workers..count`");
    }
}

TEST_CASE("a single-scenario load refuses a study file, pointing at the study key") {
    try {
        (void)hetsim::scenarios::parse_scenario(kStudy, "s.toml");
        FAIL("no error");
    } catch (const ScenarioError& e) {
        CHECK(std::string(e.what()) ==
              "s.toml:15:2: study: expected a single scenario (this file is a study: `hetsim "
              "run` and `hetsim validate` expand it into its runs), found the study key `study`");
    }
}

TEST_CASE("folder-safe labels") {
    using hetsim::scenarios::is_folder_safe;
    CHECK(is_folder_safe("async-dn_dylu.v2+x"));
    CHECK_FALSE(is_folder_safe(""));
    CHECK_FALSE(is_folder_safe(".hidden"));
    CHECK_FALSE(is_folder_safe("a/b"));
    CHECK_FALSE(is_folder_safe("a b"));
    CHECK_FALSE(is_folder_safe(std::string(201, 'a')));
}

TEST_CASE("the comparable scenario JSON ignores the source path and a derived model size") {
    const Study s = study(kStudy);
    nlohmann::json a = hetsim::scenarios::to_json(s.runs[0].scenario);
    nlohmann::json b = a;
    b["source"] = "elsewhere/s.toml";
    b["model_bytes"] = "4MB";  // set by the engine once the model is built
    using hetsim::scenarios::comparable_scenario_json;
    CHECK(comparable_scenario_json(a) == comparable_scenario_json(b));
    b["seed"] = 99;
    CHECK(comparable_scenario_json(a) != comparable_scenario_json(b));
}

TEST_CASE("every example study expands into bounded, valid runs") {
    namespace fs = std::filesystem;
    int studies = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(HETSIM_SOURCE_DIR) / "scenarios")) {
        if (!entry.path().filename().string().starts_with("study-")) continue;
        ++studies;
        CAPTURE(entry.path().string());
        CHECK(hetsim::scenarios::is_study_file(entry.path()));
        const Study s = hetsim::scenarios::load_study(entry.path());
        CHECK(s.name == entry.path().stem().string());
        CHECK(s.baseline.has_value());
        for (const auto& run : s.runs) {
            CHECK(run.scenario.training.model.kind == "none");
            REQUIRE(run.scenario.world.stop.inner_steps.has_value());
            CHECK(*run.scenario.world.stop.inner_steps <= 20000);
        }
    }
    CHECK(studies >= 1);
    const Study s = hetsim::scenarios::load_study(fs::path(HETSIM_SOURCE_DIR) / "scenarios" /
                                                  "study-sync-vs-async.toml");
    CHECK(s.runs.size() == 3 * 2 * 3);
    CHECK(s.labels.front() == "sync__inner_steps-25");
    CHECK(s.labels.back() == "async-dylu__inner_steps-100");
}
