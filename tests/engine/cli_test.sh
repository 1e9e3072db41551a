#!/usr/bin/env bash
# The hetsim binary end to end: exit codes, messages, and that bad input writes nothing.
# Usage: cli_test.sh HETSIM_BINARY SOURCE_DIR
set -u
hetsim="$1"
src="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

expect() {  # expect NAME WANTED_CODE PATTERN -- command...
    local name="$1" want="$2" pattern="$3"
    shift 4
    local out code
    out=$("$@" 2>&1)
    code=$?
    if [ "$code" -eq "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name: exit $code (wanted $want), output:"
        echo "$out" | head -20
    fi
}

expect "version" 0 '^hetsim [0-9]+\.[0-9]+\.[0-9]+$' -- "$hetsim" --version
expect "help" 0 'run.*validate|validate.*run' -- "$hetsim" --help
expect "no subcommand" 2 'subcommand' -- "$hetsim"
expect "unknown flag" 2 'unknown|not expected|extra' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --bogus
expect "validate ok" 0 'ok' -- "$hetsim" validate "$src/scenarios/straggler-8.toml"
expect "explain" 0 '   7  t4 .* 880ms .*2h' -- "$hetsim" explain "$src/scenarios/groups-8.toml"
expect "explain bad preset" 2 'workers.heterogeneity: .*did you mean "moderate"' -- "$hetsim" explain "$src/tests/data/bad_scenarios/workers-unknown-preset.toml"
expect "run ok" 0 'staleness' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/a"
expect "run wrote files" 0 '' -- test -s "$tmp/a/updates.csv" -a -s "$tmp/a/workers.csv" -a -s "$tmp/a/run.json"
expect "no overwrite" 2 'already holds a finished run' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/a"
expect "bad --set" 2 'workers.count' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --set workers.count=-3 --out "$tmp/b"
expect "bad --set wrote nothing" 1 '' -- test -e "$tmp/b"
expect "missing file" 2 'nope.toml' -- "$hetsim" validate "$tmp/nope.toml"
printf '[workers]\ncount = 4\nstep_tme = "1s"\n' >"$tmp/typo.toml"
expect "did you mean" 2 'typo.toml:3:1: .*step_time' -- "$hetsim" validate "$tmp/typo.toml"
expect "overwrite" 0 'staleness' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/a" --overwrite --seed 3

# Studies: validate lists the runs; a bad run stops everything with exit 2 and writes nothing;
# -j N and --only belong to study files; a second run resumes (nothing left to run).
study="$src/tests/data/studies/small.toml"
expect "study validate" 0 'ok, study small: 8 runs' -- "$hetsim" validate "$study"
expect "study bad run" 2 '--set:1:15: workers.count: .*\(in run 0: sync__inner_steps-5, seed 11\)' -- "$hetsim" run "$study" --set workers.count=0 --out "$tmp/s"
expect "study bad run wrote nothing" 1 '' -- test -e "$tmp/s"
expect "-j on a scenario" 2 'apply to study files' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" -j 2 --out "$tmp/c"
expect "study run" 0 '8 runs \(0 complete, 8 to run, 2 at a time\)' -- "$hetsim" run "$study" -j 2 --set run.duration=10s --out "$tmp/s"
expect "study resume" 0 '8 runs \(8 complete, 0 to run' -- "$hetsim" run "$study" --set run.duration=10s --out "$tmp/s"
expect "study changed" 2 'different scenario' -- "$hetsim" run "$study" --set run.duration=11s --out "$tmp/s"
expect "study --only out of range" 2 'found 9' -- "$hetsim" run "$study" --only 9 --out "$tmp/s"
expect "collect" 0 '8 done, 0 failed, 0 pending' -- "$hetsim" collect "$tmp/s"

# Figures and reports (hetsim plot / report) of the run in $tmp/a and of the study in $tmp/s.
expect "run writes a report" 0 'report .*report.html' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/r"
expect "run --no-report" 0 'outputs' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/nr" --no-report
expect "no report written" 1 '' -- test -e "$tmp/nr/report.html"
expect "plot" 0 'gantt.png' -- "$hetsim" plot "$tmp/a" --window 0,60
expect "plot wrote svg" 0 '' -- test -s "$tmp/a/figures/utilisation.svg"
expect "plot bad --x" 2 'time, updates or steps' -- "$hetsim" plot "$tmp/a" --x walltime
expect "plot bad --window" 2 'T0,T1' -- "$hetsim" plot "$tmp/a" --window 5
expect "plot not a run" 1 'no such folder' -- "$hetsim" plot "$tmp"/nope-dir-is-missing
expect "plot without gnuplot" 1 'gnuplot-nox' -- env HETSIM_GNUPLOT=/nonexistent "$hetsim" plot "$tmp/a" --out "$tmp/nog"
expect "data kept without gnuplot" 0 '' -- test -s "$tmp/nog/gantt.gp" -a -s "$tmp/nog/gantt_0.dat"
expect "report without gnuplot still writes" 0 'gnuplot-nox' -- env HETSIM_GNUPLOT=/nonexistent "$hetsim" report "$tmp/a"
expect "report of a study" 0 'report.html' -- "$hetsim" report "$tmp/s"
expect "report bad --target" 2 'positive number' -- "$hetsim" report "$tmp/a" --target -3

# --quiet: nothing on stdout, errors still on stderr with the usual exit code. --log-format
# json: every stdout line is a JSON object (docs/outputs.md), errors too.
expect "quiet" 0 '^quiet$' -- bash -c 'out=$("$0" run "$1" --out "$2" --quiet --no-report); [ -z "$out" ] && test -s "$2/run.json" && echo quiet' "$hetsim" "$src/scenarios/homogeneous-8.toml" "$tmp/q"
expect "quiet error" 2 'already holds a finished run' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/q" --quiet
json_check='import json,sys
events = [json.loads(l) for l in sys.stdin]
print(" ".join(e["event"] for e in events))
for e in events:
    if e["event"] == "progress": assert set(e) >= {"virtual_time_s", "server_updates", "inner_steps", "eval", "host_s", "eta_s"}, e
    if e["event"] == "summary": assert e["outputs"] and e["server_updates"] > 0 and "final" in e, e
    if e["event"] == "error": print("exit", e["exit_code"], e["message"])
    if e["event"] == "study_done": print("done", e["done"], "of", e["runs"], "rows", len(e["summary"]))'
expect "json run" 0 '^(progress )+summary$' -- bash -c '"$0" run "$1" --out "$2" --no-report --log-format json | python3 -c "$3"' "$hetsim" "$src/scenarios/homogeneous-8.toml" "$tmp/jr" "$json_check"
expect "json error" 0 '^error$' -- bash -c '"$0" run "$1" --out "$2" --log-format json 2>/dev/null | python3 -c "$3"' "$hetsim" "$src/scenarios/homogeneous-8.toml" "$tmp/jr" "$json_check"
expect "json error exit code" 2 'exit 2 .*already holds' -- bash -c '"$0" run "$1" --out "$2" --log-format json 2>/dev/null | python3 -c "$3"; exit ${PIPESTATUS[0]}' "$hetsim" "$src/scenarios/homogeneous-8.toml" "$tmp/jr" "$json_check"
expect "json bad flag" 2 'exit 2 .*--bogus' -- bash -c '"$0" run "$1" --bogus --log-format json 2>/dev/null | python3 -c "$2"; exit ${PIPESTATUS[0]}' "$hetsim" "$src/scenarios/homogeneous-8.toml" "$json_check"
expect "bad --log-format" 2 'log-format' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --log-format xml
expect "json study" 0 '^(run_done ){8}study_done' -- bash -c '"$0" run "$1" --set run.duration=10s --out "$2" -j 2 --no-report --log-format json | python3 -c "$3"' "$hetsim" "$study" "$tmp/js" "$json_check"
expect "json study summary" 0 'done 8 of 8 rows 4' -- bash -c '"$0" run "$1" --set run.duration=10s --out "$2" --log-format json | python3 -c "$3"' "$hetsim" "$study" "$tmp/js" "$json_check"
expect "quiet study" 0 '^quiet$' -- bash -c 'out=$("$0" run "$1" --set run.duration=10s --out "$2" --quiet --no-report); [ -z "$out" ] && test -s "$2/study.json" && echo quiet' "$hetsim" "$study" "$tmp/qs"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
