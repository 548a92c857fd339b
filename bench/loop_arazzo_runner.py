#!/usr/bin/env python3
"""N sequential runs of the Amberflo workflow in one Python process through Jentic
arazzo-runner's library API, the peer of `arazzo run --repeat N --concurrency 1`.
Run with the Python of the venv bench/run.sh installs arazzo-runner into, on a copy of the
files whose OpenAPI servers point at the mock (arazzo-runner cannot override a server).

  loop_arazzo_runner.py WORKFLOW.yml --inputs inputs.json -n 1000 [--mode reuse|reuse-reset]

reuse: one ArazzoRunner, execute_workflow() N times (how a service would embed it).
reuse-reset: the same, emptying runner.event_callbacks and runner.execution_states after
each run (execute_workflow keeps every run's state: plain reuse slows down and grows).
Every run's status and outputs are checked. Prints one JSON object: runs/s and the resident
memory after 1, 10, 100... runs.
"""

import argparse
import json
import logging
import sys
import time

from arazzo_runner import ArazzoRunner
from arazzo_runner.models import WorkflowExecutionStatus


def resident_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workflow")
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--workflow-id", default="launch-usage-based-product")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--mode", choices=["reuse", "reuse-reset"], default="reuse")
    args = parser.parse_args()
    if not 1 <= args.n <= 1_000_000:
        sys.exit("n must be in 1..1000000")
    for name in ("arazzo-runner", "arazzo_runner"):
        logging.getLogger(name).setLevel(logging.ERROR)
    inputs = json.load(open(args.inputs))

    runner = ArazzoRunner.from_arazzo_path(args.workflow)
    memory, next_sample, failed = [], 1, 0
    start = time.perf_counter()
    for run in range(1, args.n + 1):
        result = runner.execute_workflow(args.workflow_id, dict(inputs))
        if args.mode == "reuse-reset":
            for callbacks in runner.event_callbacks.values():
                callbacks.clear()
            runner.execution_states.clear()
        outputs = result.outputs or {}
        if not (
            result.status == WorkflowExecutionStatus.WORKFLOW_COMPLETE
            and outputs.get("customerId") == inputs["customerId"]
        ):
            failed += 1
        if run == next_sample or run == args.n:
            memory.append({"runs": run, "rss_bytes": resident_bytes()})
            next_sample *= 10
    seconds = time.perf_counter() - start
    print(json.dumps({
        "tool": f"arazzo-runner library loop ({args.mode})",
        "runs": args.n,
        "failed": failed,
        "seconds": round(seconds, 4),
        "runs_per_second": round(args.n / seconds, 2),
        "memory": memory,
    }))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
