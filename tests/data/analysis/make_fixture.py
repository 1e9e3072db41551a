#!/usr/bin/env python3
"""Writes the small hand-made study under study/ (used by tests/analysis): two labels,
sync (seeds 1, 2) and async (seed 1), 2 workers, 10 virtual seconds each. Every number is
chosen so the expected results can be worked out by hand (see tests/analysis/*_test.cpp)."""
import json, os

def worker(i, step):
    return {"worker": i, "effective_step_time": step, "step_time": step, "multiplier": 1.0,
            "link": {"latency": "20ms", "up_bandwidth": "1Gbps", "down_bandwidth": "1Gbps"},
            "failures": {"mtbf": None, "scripted": []}}

def run(label, seed, kind, evals, updates, timeline):
    d = os.path.join("study", label, str(seed))
    os.makedirs(d, exist_ok=True)
    end = 10
    steps = sum(u[5] for u in updates)
    versions = len({u[4] for u in updates})
    scenario = {"name": "fixture-" + label, "description": "hand-made <fixture> & test",
                "algorithm": {"kind": kind, "local_steps": "fixed", "inner_steps": 2,
                              "collective": "parameter-server"},
                "model_bytes": "100B", "run": {"duration": "10s", "server_updates": None,
                                               "inner_steps": None},
                "training": {"model": {"kind": "gpt"}, "outer": {"optimizer": "nesterov"}},
                "workers": {"count": 2, "list": [worker(0, "1s"), worker(1, "2s")]}}
    j = {"hetsim_version": "0.1.0", "seed": seed, "scenario": scenario,
         "result": {"virtual_time_s": float(end), "stop_reason": "duration",
                    "server_updates": versions, "updates_applied": len(updates),
                    "inner_steps": steps},
         "training": {"model": "gpt (test)", "parameters": 1234}}
    open(os.path.join(d, "run.json"), "w").write(json.dumps(j, indent=2) + "\n")
    with open(os.path.join(d, "metrics.csv"), "w") as f:
        f.write("time_s,server_updates,inner_steps,examples,tokens,loss,perplexity,bits_per_byte,accuracy\n")
        for t, v, s, ppl in evals:
            import math
            f.write(f"{t:.9f},{v},{s},{s*16},{s*1024},{math.log(ppl):.9g},{ppl},1,0.1\n")
    with open(os.path.join(d, "updates.csv"), "w") as f:
        f.write("time_s,worker,round,version_pulled,version_applied,staleness,inner_steps,bytes,weight,norm\n")
        for t, w, r, vp, va, h, b in updates:
            f.write(f"{t:.9f},{w},{r},{vp},{va},{va-vp},{h},{b},1,0.5\n")
    totals = {0: [0, 0, 0, 0], 1: [0, 0, 0, 0]}
    states = ["compute", "communicate", "idle", "down"]
    with open(os.path.join(d, "timeline.csv"), "w") as f:
        f.write("worker,start_s,end_s,state\n")
        for w, a, b, s in timeline:
            f.write(f"{w},{a:.9f},{b:.9f},{s}\n")
            totals[w][states.index(s)] += b - a
    with open(os.path.join(d, "workers.csv"), "w") as f:
        f.write("worker,local_steps,compute_s,communication_s,idle_s,down_s,lost_compute_s,utilisation,updates,inner_steps,rounds_lost,failures\n")
        for w in (0, 1):
            c, m, i, dn = totals[w]
            n = sum(1 for u in updates if u[1] == w)
            f.write(f"{w},2,{c:.9f},{m:.9f},{i:.9f},{dn:.9f},0.000000000,{c/end:.6f},{n},{2*n},0,{1 if dn else 0}\n")

sync_timeline = [(0, 0, 3, "compute"), (0, 3, 4, "communicate"), (0, 4, 7, "compute"),
                 (0, 7, 8, "communicate"), (0, 8, 10, "idle"),
                 (1, 0, 2, "compute"), (1, 2, 3, "idle"), (1, 3, 4, "communicate"),
                 (1, 4, 6, "compute"), (1, 6, 7, "down"), (1, 7, 8, "communicate"),
                 (1, 8, 10, "idle")]
sync_updates = [(4, 0, 0, 0, 0, 2, 200), (4, 1, 0, 0, 0, 2, 200),
                (8, 0, 1, 1, 1, 2, 200), (8, 1, 1, 1, 1, 2, 200)]
run("sync", 1, "sync", [(0, 0, 0, 100), (4, 1, 4, 60), (8, 2, 8, 30), (10, 2, 8, 25)],
    sync_updates, sync_timeline)
run("sync", 2, "sync", [(0, 0, 0, 100), (4, 1, 4, 70), (8, 2, 8, 40), (10, 2, 8, 35)],
    sync_updates, sync_timeline)
async_timeline = [(0, 0, 1.5, "compute"), (0, 1.5, 2, "communicate"), (0, 2, 9.5, "compute"),
                  (0, 9.5, 10, "communicate"),
                  (1, 0, 3.5, "compute"), (1, 3.5, 4, "communicate"), (1, 4, 10, "compute")]
async_updates = [(2, 0, 0, 0, 0, 2, 100), (3, 0, 1, 1, 1, 2, 100), (4, 1, 0, 0, 2, 2, 100),
                 (5, 0, 2, 2, 3, 2, 100), (6, 0, 3, 3, 4, 2, 100), (8, 1, 1, 3, 5, 2, 100)]
run("async", 1, "async", [(0, 0, 0, 100), (2, 1, 2, 80), (4, 3, 6, 45), (6, 5, 10, 30),
                          (10, 6, 12, 20)], async_updates, async_timeline)
