#!/usr/bin/env python3
"""Interleaved whole-process timing: wall time and peak RSS of each command, one run of each
per round (the order rotates every round), after warm-up rounds. Used by bench/run.sh.

  measure.py SPEC.json --rounds 30 --warmup 3 [--json OUT.json]

SPEC.json is a list of {"label", "argv", "cwd" (optional), "group" (optional)}. Within a
group, the first command is the reference: each other command's ratio is the median over
rounds of (its wall / the reference's wall in the same round). Prints a Markdown table.

Wall time is measured around posix_spawn + wait4 with perf_counter_ns. Peak RSS comes from
GNU time (/usr/bin/time -f %M), which launches each command: a child's ru_maxrss includes the
memory of the process it was forked or vforked from before exec, so measuring it from this
Python process (about 15 MiB) would floor every figure at Python's size; GNU time is small.
The launcher costs the same for every command: the /bin/true row shows the floor.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def run_once(command):
    rss_file = tempfile.NamedTemporaryFile(prefix="measure-", suffix=".rss", delete=False)
    rss_file.close()
    argv = [GNU_TIME, "-f", "%M", "-o", rss_file.name] + command["argv"]
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 0),
        (os.POSIX_SPAWN_DUP2, devnull, 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
    ]
    cwd = command.get("cwd")
    previous = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        start = time.perf_counter_ns()
        pid = os.posix_spawn(GNU_TIME, argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter_ns() - start
    finally:
        os.chdir(previous)
        os.close(devnull)
    with open(rss_file.name) as rss:
        lines = [line for line in rss.read().split() if line.isdigit()]
    os.unlink(rss_file.name)
    return {
        "wall_ms": wall / 1e6,
        "rss_kib": int(lines[-1]) if lines else 0,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
        "exit": os.waitstatus_to_exitcode(status),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("spec")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", help="write every sample here")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 1000:
        sys.exit("rounds must be in 1..1000")
    commands = json.load(open(args.spec))
    samples = {command["label"]: [] for command in commands}
    for round_index in range(args.warmup + args.rounds):
        shift = round_index % len(commands)
        for command in commands[shift:] + commands[:shift]:
            sample = run_once(command)
            if round_index >= args.warmup:
                samples[command["label"]].append(sample)

    groups = {}
    for command in commands:
        groups.setdefault(command.get("group", ""), []).append(command["label"])
    print("| command | median wall ms | min | max | median CPU ms | median peak RSS MiB | wall ratio to the first of its group | non-zero exits |")
    print("|---|---|---|---|---|---|---|---|")
    for group, labels in groups.items():
        reference = samples[labels[0]]
        for label in labels:
            rows = samples[label]
            wall = [row["wall_ms"] for row in rows]
            ratios = [row["wall_ms"] / ref["wall_ms"] for row, ref in zip(rows, reference)]
            ratio = "1" if label == labels[0] else f"{statistics.median(ratios):.1f}×"
            print(
                f"| {label} | {statistics.median(wall):.2f} | {min(wall):.2f} | {max(wall):.2f} | "
                f"{statistics.median(row['cpu_ms'] for row in rows):.1f} | "
                f"{statistics.median(row['rss_kib'] for row in rows) / 1024:.1f} | {ratio} | "
                f"{sum(1 for row in rows if row['exit'] != 0)} |"
            )
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rounds": args.rounds, "warmup": args.warmup, "samples": samples}, out)


if __name__ == "__main__":
    main()
