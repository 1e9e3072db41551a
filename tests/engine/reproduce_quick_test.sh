#!/usr/bin/env bash
# The paper reproductions in small form (tools/reproduce --quick): every study under
# scenarios/paper/ must run to the end with every run done, and write its report with the
# figures. Labelled `slow` (a few minutes on 2 cores).
#   reproduce_quick_test.sh HETSIM_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
hetsim="$1" src="$2" work="$3"
rm -rf "$work"
HETSIM="$hetsim" OUT="$work" "$src/tools/reproduce" --quick
fail=0
for file in "$src"/scenarios/paper/*.toml; do
    study="$(basename "$file" .toml)"
    dir="$work/$study"
    for f in study.json study.csv report.html report.md figures; do
        [ -e "$dir/$f" ] || { echo "FAIL: $study: no $f"; fail=1; }
    done
    # Every run of the study finished.
    python3 - "$dir/study.json" <<'PY' || fail=1
import json, sys
study = json.load(open(sys.argv[1]))
bad = [r for r in study["runs"] if r["status"] != "done"]
if bad or not study["runs"]:
    print("FAIL:", sys.argv[1], "runs not done:", [(r["label"], r["seed"], r["status"]) for r in bad])
    sys.exit(1)
PY
    ls "$dir"/figures/*.png >/dev/null 2>&1 || { echo "FAIL: $study: no PNG figure"; fail=1; }
done
[ "$fail" = 0 ] && echo "reproduce --quick: every study done"
exit "$fail"
