#!/usr/bin/env bash
# `hetsim run --emit slurm` against a real single-node Slurm: starts slurmctld and slurmd on
# localhost (Debian's slurm-wlm, no systemd, no munge: auth/none) with a private config in a
# temporary folder, submits the study's job array with `sbatch --wait`, collects it, and checks
# that every run matches the same study run locally. Exits 77 (skipped) without Slurm or root.
# Usage: slurm_study_test.sh HETSIM_BINARY SOURCE_DIR
set -euo pipefail
hetsim=$(realpath "$1")
study=$(realpath "$2/tests/data/studies/small.toml")

for tool in slurmctld slurmd sbatch; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not installed (apt-get install slurm-wlm)"
        exit 77
    fi
done
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: slurmd needs root"
    exit 77
fi

tmp=$(mktemp -d /tmp/hetsim-slurm-XXXXXX)
cleanup() {
    # Only the daemons this script started, by their pid files.
    for pid_file in "$tmp/slurmd.pid" "$tmp/slurmctld.pid"; do
        if [ -s "$pid_file" ]; then kill "$(cat "$pid_file")" 2>/dev/null || true; fi
    done
    sleep 1
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/state" "$tmp/spool"
node=$(hostname -s)
port=$((20000 + $$ % 20000))  # two test runs at once get different ports
cat > "$tmp/slurm.conf" <<EOF
ClusterName=hetsim-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"
# A machine where the daemons cannot run at all (no permission for their sockets, a container
# without the kernel features they need) skips; the job-array script itself is still tested
# locally by test_engine (study_test.cpp runs every array task with SLURM_ARRAY_TASK_ID set).
slurmctld -f "$SLURM_CONF" || { echo "SKIP: slurmctld does not start here"; exit 77; }
slurmd -f "$SLURM_CONF" || { echo "SKIP: slurmd does not start here"; exit 77; }
for _ in $(seq 30); do
    if sinfo -h -o %t 2>/dev/null | grep -q idle; then break; fi
    sleep 1
done
if ! sinfo -h -o %t | grep -q idle; then
    echo "SKIP: the single-node Slurm did not come up on this machine; its logs:"
    cat "$tmp/slurmctld.log" "$tmp/slurmd.log" || true
    exit 77
fi

"$hetsim" run --emit slurm "$study" --out "$tmp/out" --set run.duration=20s
sbatch --test-only "$tmp/out/study.sbatch"
timeout 120 sbatch --wait "$tmp/out/study.sbatch"
collected=$("$hetsim" collect "$tmp/out")
echo "$collected"
grep -q ": 8 done, 0 failed, 0 pending" <<<"$collected"

# The same study run by hetsim itself gives the same index and the same bytes.
"$hetsim" run "$study" --out "$tmp/local" --set run.duration=20s >/dev/null
cmp "$tmp/out/study.csv" "$tmp/local/study.csv"
for run in "$tmp"/local/*/*/; do
    rel=${run#"$tmp/local/"}
    cmp "$tmp/local/$rel/updates.csv" "$tmp/out/$rel/updates.csv"
done
echo "slurm study test: 8 array tasks ran and match the local runs"
