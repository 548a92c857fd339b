#!/usr/bin/env bash
# The fuzz harness (`fuzz/`, stable toolchain): mutated documents, expressions and criteria
# seeded from specs/, each input under a 2 s watchdog, panics caught, resident memory under
# 512 MiB. Prints the inputs tried per target, panics, hangs and the maximum RSS; exits 1 on any
# finding, whose input is saved in fuzz/findings/. Not part of CI (a 20 s smoke run is).
#
#   bench/fuzz.sh             # 600 s
#   bench/fuzz.sh 60          # 60 s
#   SEED=42 bench/fuzz.sh 60  # repeat a run
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN=${1:-600}
args=(--seconds "$SECONDS_TO_RUN")
if [[ -n ${SEED:-} ]]; then
    args+=(--seed "$SEED")
fi
cargo run --release --locked -p arazzo-fuzz -- "${args[@]}"
