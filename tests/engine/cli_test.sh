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
expect "run ok" 0 'staleness' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/a"
expect "run wrote files" 0 '' -- test -s "$tmp/a/updates.csv" -a -s "$tmp/a/workers.csv" -a -s "$tmp/a/run.json"
expect "no overwrite" 2 'already holds a finished run' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/a"
expect "bad --set" 2 'workers.count' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --set workers.count=-3 --out "$tmp/b"
expect "bad --set wrote nothing" 1 '' -- test -e "$tmp/b"
expect "missing file" 2 'nope.toml' -- "$hetsim" validate "$tmp/nope.toml"
printf '[workers]\ncount = 4\nstep_tme = "1s"\n' >"$tmp/typo.toml"
expect "did you mean" 2 'typo.toml:3:1: .*step_time' -- "$hetsim" validate "$tmp/typo.toml"
expect "overwrite" 0 'staleness' -- "$hetsim" run "$src/scenarios/homogeneous-8.toml" --out "$tmp/a" --overwrite --seed 3

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
