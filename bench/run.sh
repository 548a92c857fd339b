#!/usr/bin/env bash
# The benchmark of `arazzo` against its peers (issue 8), as one script that anyone can re-run:
# it builds the `dist` binary (fat LTO, the function layout), installs the peers from their registries into a scratch folder
# outside the repository, starts `arazzo mock` on the Amberflo OpenAPI files, measures, and
# prints the tables of BENCHMARKS.md (Markdown) on stdout. Raw results go to $OUT.
#
#   bench/run.sh                 # everything (about 10 minutes on 2 cores, peers installed)
#   bench/run.sh process         # only some parts: setup process loop engine validate load
#
# Environment:
#   BENCH_TOOLS   where the peers are installed (default ${TMPDIR:-/tmp}/arazzo-bench-tools)
#   OUT           where raw results go (default: a new folder under ${TMPDIR:-/tmp})
#   ROUNDS, WARMUP            process timings: rounds of interleaved runs (30) and warm-up (3)
#   LOOP_RUNS                 sequential in-process runs of arazzo and the floor (100000)
#   PEER_LOOP_RUNS            runs of arazzo-runner's library loop (1000; it does ~100 runs/s)
#   LOAD_RUNS                 runs of the load mode per concurrency (50000)
#   LOAD_REPEATS              load-mode runs per concurrency; the median is shown (3)
#   REDOCLY_CLI_VERSION       default 2.77.0;  ARAZZO_RUNNER_VERSION  default 0.9.6
#   STREFETHEN    path to a strefethen/arazzo-cli binary (not published: build it from its
#                 source, see BENCHMARKS.md); measured when set
#
# Needs: cargo, python3 >= 3.10 (venv), node >= 20.19 and npm, curl, nm (binutils).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(setup process loop engine validate load)
want() { local part; for part in "${PARTS[@]}"; do [ "$part" = "$1" ] && return 0; done; return 1; }

BENCH_TOOLS=${BENCH_TOOLS:-${TMPDIR:-/tmp}/arazzo-bench-tools}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/arazzo-bench.XXXXXX")}
ROUNDS=${ROUNDS:-30}
WARMUP=${WARMUP:-3}
LOOP_RUNS=${LOOP_RUNS:-100000}
PEER_LOOP_RUNS=${PEER_LOOP_RUNS:-1000}
LOAD_RUNS=${LOAD_RUNS:-50000}
LOAD_REPEATS=${LOAD_REPEATS:-3}
REDOCLY_CLI_VERSION=${REDOCLY_CLI_VERSION:-2.77.0}
ARAZZO_RUNNER_VERSION=${ARAZZO_RUNNER_VERSION:-0.9.6}
REDOCLY=$BENCH_TOOLS/respect/node_modules/.bin/redocly
VENV=$BENCH_TOOLS/venv
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

WF_DIR=$ROOT/specs/amberflo/workflows
WF_FILE=amberflo-launch-usage-based-product-workflow.yml
WF_ID=launch-usage-based-product
INPUTS=$ROOT/specs/amberflo/inputs.json
BIN=$ROOT/target/dist/arazzo
mkdir -p "$OUT"

log() { echo "bench: $*" >&2; }

# --- build and install -------------------------------------------------------------------
log "building the dist binary, the raw floor and the engine benchmark"
cargo build --profile dist --locked -p arazzo-cli >&2
cargo build --profile dist --locked -p arazzo-exec --example raw_floor >&2
FLOOR=$ROOT/target/dist/examples/raw_floor

if want setup || [ ! -x "$REDOCLY" ] || [ ! -x "$VENV/bin/arazzo-runner" ]; then
    log "installing @redocly/cli@$REDOCLY_CLI_VERSION and arazzo-runner==$ARAZZO_RUNNER_VERSION into $BENCH_TOOLS"
    mkdir -p "$BENCH_TOOLS/respect"
    [ -f "$BENCH_TOOLS/respect/package.json" ] || (cd "$BENCH_TOOLS/respect" && npm init -y >/dev/null)
    npm install --prefix "$BENCH_TOOLS/respect" --no-audit --no-fund --silent "@redocly/cli@$REDOCLY_CLI_VERSION" >&2
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "arazzo-runner==$ARAZZO_RUNNER_VERSION" >&2
fi

# --- the mock ------------------------------------------------------------------------------
mock_pid=
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
"$BIN" mock specs/amberflo/openapi/*.yaml --port 0 --quiet >"$OUT/mock.out" 2>&1 &
mock_pid=$!
URL=
for _ in $(seq 100); do
    URL=$(sed -n 's/^mock of .* on \(http:[^ ]*\) .*/\1/p' "$OUT/mock.out")
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { log "the mock did not start"; cat "$OUT/mock.out" >&2; exit 1; }
URL=${URL%/}
log "mock on $URL (pid $mock_pid); raw results in $OUT"

# arazzo-runner and strefethen/arazzo-cli cannot replace a server URL: they run a copy whose
# OpenAPI servers[0].url is the mock (the workflow file unchanged).
LOCAL=$OUT/amberflo
mkdir -p "$LOCAL/workflows" "$LOCAL/openapi"
cp "$WF_DIR/$WF_FILE" "$LOCAL/workflows/"
cp "$INPUTS" "$LOCAL/inputs.json"
for file in specs/amberflo/openapi/*.yaml; do
    sed "s#^  - url: https://app.amberflo.io\$#  - url: $URL#" "$file" >"$LOCAL/openapi/$(basename "$file")"
done
grep -q "url: $URL" "$LOCAL/openapi/"*.yaml || { log "could not retarget the OpenAPI copies"; exit 1; }

# --- versions -------------------------------------------------------------------------------
{
    echo "## Machine and versions"
    echo
    echo "- $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
    echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- arazzo: $("$BIN" --version) at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo ' + local changes'); $(rustc --version)"
    echo "- respect: Redocly CLI $("$REDOCLY" --version 2>/dev/null | grep -E "^[0-9]") on Node.js $(node --version)"
    echo "- arazzo-runner: $("$VENV/bin/pip" show arazzo-runner | awk '/^Version/ {print $2}') on $("$VENV/bin/python" --version)"
    if [ -n "${STREFETHEN:-}" ]; then echo "- strefethen/arazzo-cli: $("$STREFETHEN" --version) ($STREFETHEN)"; fi
    # Stale names (after a dependency or compiler update) lose the layout: bench/symbol-order.sh.
    order=arazzo-cli/link/symbol-order.txt
    found=$(comm -12 <(sort -u "$order") <(nm --defined-only "$BIN" | awk '{print $3}' | sort -u) | wc -l)
    echo "- function layout: $found of the $(wc -l <"$order") functions of $order found in the binary"
    echo
} | tee "$OUT/versions.md"

inputs_json=$(cat "$INPUTS")

# --- 1. one workflow run per process ---------------------------------------------------------
if want process; then
    log "1. one run per process: $ROUNDS interleaved rounds after $WARMUP"
    python3 - "$OUT/process.spec.json" <<PY
import json, sys
url, local, wf = "$URL", "$LOCAL", "$WF_FILE"
inputs = open("$INPUTS").read()
specs = [
    {"group": "run", "label": "arazzo run", "cwd": "$WF_DIR", "argv": ["$BIN", "run", wf, "--inputs", "$INPUTS",
        "--server", f"meteringApi={url}", "--server", f"billingApi={url}"]},
    {"group": "run", "label": "respect (Redocly CLI)", "cwd": "$WF_DIR", "argv": ["$REDOCLY", "respect", wf, "--input", inputs,
        "--server", f"meteringApi={url},billingApi={url}"]},
    {"group": "run", "label": "arazzo-runner CLI", "cwd": f"{local}/workflows", "argv": ["$VENV/bin/arazzo-runner",
        "execute-workflow", wf, "--workflow-id", "$WF_ID", "--inputs", inputs]},
]
strefethen = "${STREFETHEN:-}"
if strefethen:
    # One --input-json flag per input: it has no whole-object form.
    flags = [flag for name, value in json.loads(inputs).items() for flag in ("--input-json", f"{name}={json.dumps(value)}")]
    specs.append({"group": "run", "label": "strefethen/arazzo-cli", "cwd": f"{local}/workflows",
        "argv": [strefethen, "run", wf, "$WF_ID"] + flags})
specs += [
    {"group": "start-up", "label": "arazzo --version", "argv": ["$BIN", "--version"]},
    {"group": "start-up", "label": "redocly --version", "argv": ["$REDOCLY", "--version"]},
    {"group": "start-up", "label": "python -c 'import arazzo_runner.__main__'", "argv": ["$VENV/bin/python", "-c", "import arazzo_runner.__main__"]},
    {"group": "start-up", "label": "/bin/true (the harness's own floor)", "argv": ["/bin/true"]},
]
if strefethen:
    specs.insert(-1, {"group": "start-up", "label": "strefethen arazzo-cli --version", "argv": [strefethen, "--version"]})
json.dump(specs, open(sys.argv[1], "w"))
PY
    # Each tool passes the workflow against this mock (checked once, output kept).
    (cd "$WF_DIR" && "$BIN" run "$WF_FILE" --inputs "$INPUTS" --server "meteringApi=$URL" --server "billingApi=$URL") >"$OUT/check-arazzo.txt" 2>&1
    (cd "$WF_DIR" && "$REDOCLY" respect "$WF_FILE" --input "$inputs_json" --server "meteringApi=$URL,billingApi=$URL") >"$OUT/check-respect.txt" 2>&1
    (cd "$LOCAL/workflows" && "$VENV/bin/arazzo-runner" execute-workflow "$WF_FILE" --workflow-id "$WF_ID" --inputs "$inputs_json") >"$OUT/check-arazzo-runner.txt" 2>&1
    grep -q "Workflows: 1 passed" "$OUT/check-respect.txt" || { log "respect did not pass: $OUT/check-respect.txt"; exit 1; }
    grep -q "workflow_complete" "$OUT/check-arazzo-runner.txt" || { log "arazzo-runner did not pass: $OUT/check-arazzo-runner.txt"; exit 1; }
    echo "## 1. One workflow run per process (Amberflo, 4 steps, against \`arazzo mock\`)"
    echo
    python3 bench/measure.py "$OUT/process.spec.json" --rounds "$ROUNDS" --warmup "$WARMUP" --json "$OUT/process.json"
    echo
fi

# --- 2. many runs in one process, sequential ----------------------------------------------
if want loop; then
    log "2. sequential runs in one process: arazzo and the raw floor x $LOOP_RUNS, arazzo-runner x $PEER_LOOP_RUNS"
    (cd "$WF_DIR" && "$BIN" run "$WF_FILE" --inputs "$INPUTS" --server "meteringApi=$URL" --server "billingApi=$URL" \
        --repeat "$LOOP_RUNS" --concurrency 1 --format json) >"$OUT/loop-arazzo.json"
    "$FLOOR" "$URL/" "$LOOP_RUNS" >"$OUT/loop-floor.json"
    "$VENV/bin/python" bench/loop_arazzo_runner.py "$LOCAL/workflows/$WF_FILE" --inputs "$INPUTS" \
        -n "$PEER_LOOP_RUNS" --mode reuse >"$OUT/loop-arazzo-runner.json" || true
    "$VENV/bin/python" bench/loop_arazzo_runner.py "$LOCAL/workflows/$WF_FILE" --inputs "$INPUTS" \
        -n "$PEER_LOOP_RUNS" --mode reuse-reset >"$OUT/loop-arazzo-runner-reset.json" || true
    echo "## 2. Many runs in one process, sequential (concurrency 1, against \`arazzo mock\`)"
    echo
    python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def load(name):
    return json.load(open(f"{out}/{name}"))
arazzo, floor = load("loop-arazzo.json"), load("loop-floor.json")
peers = [load("loop-arazzo-runner.json"), load("loop-arazzo-runner-reset.json")]
def mem(samples, key):
    return ", ".join(f"{s[key]:,}: {s['rss_bytes'] / 1048576:.1f}" for s in samples if s[key] >= 1000)
rows = [
    ("`arazzo run --repeat N --concurrency 1`", arazzo["runs"], arazzo["runs_per_second"], mem(arazzo["memory"], "runs"), arazzo["runs"] - arazzo["passed"]),
    ("raw reqwest loop, same 4 requests (the floor)", floor["iterations"], floor["iterations_per_second"], mem(floor["memory"], "iterations"), floor["not_ok"]),
] + [(p["tool"], p["runs"], p["runs_per_second"], mem(p["memory"], "runs"), p["failed"]) for p in peers]
print("| loop | runs | runs/s | arazzo's speed ÷ this | RSS MiB after N runs | failed |")
print("|---|---|---|---|---|---|")
for label, runs, rate, memory, failed in rows:
    print(f"| {label} | {runs:,} | {rate:,.0f} | {arazzo['runs_per_second'] / rate:.2f} | {memory} | {failed} |")
print()
print(f"arazzo per run: {1e6 / arazzo['runs_per_second']:.0f} µs; floor per iteration: "
      f"{1e6 / floor['iterations_per_second']:.0f} µs; arazzo is {floor['iterations_per_second'] / arazzo['runs_per_second']:.2f}× the floor's time.")
PY
    echo
fi

# --- 3. engine overhead without the network ---------------------------------------------------
if want engine; then
    log "3. engine overhead: cargo bench -p arazzo-exec --bench engine"
    cargo bench --locked -p arazzo-exec --bench engine >"$OUT/engine.txt" 2>&1
    echo "## 3. Engine overhead without the network (divan, \`cargo bench -p arazzo-exec --bench engine\`)"
    echo
    echo "| benchmark | median per run | per step (4 steps) | fastest | slowest |"
    echo "|---|---|---|---|---|"
    # divan: name  fastest │ slowest │ median │ mean │ samples │ iters
    sed 's/[│├╰─]/ /g' "$OUT/engine.txt" | awk '/^ *run_/ {
        unit = $7; median = $6; scale = (unit == "ns") ? 0.001 : (unit == "ms") ? 1000 : 1;
        printf "| %s | %s %s | %.1f µs | %s %s | %s %s |\n", $1, $6, $7, median * scale / 4, $2, $3, $4, $5 }'
    echo
fi

# --- 4. cold start: validate --------------------------------------------------------------
if want validate; then
    log "4. cold start of arazzo validate"
    python3 - "$OUT/validate.spec.json" <<PY
import json, sys
examples = "$ROOT/specs/upstream/examples/1.0.0"
specs = [
    {"group": "v", "label": "arazzo validate (Amberflo: workflow + 2 OpenAPI files)", "argv": ["$BIN", "validate", "$WF_DIR/$WF_FILE"]},
    {"group": "v", "label": "arazzo validate bnpl-arazzo.yaml (largest official example; 4 errors, exit 3)", "argv": ["$BIN", "validate", f"{examples}/bnpl-arazzo.yaml"]},
    {"group": "v", "label": "arazzo validate FAPI-PAR.arazzo.yaml (largest OpenAPI source, 24 KB)", "argv": ["$BIN", "validate", f"{examples}/FAPI-PAR.arazzo.yaml"]},
    {"group": "v", "label": "arazzo validate (all 6 official examples at once)", "argv": ["$BIN", "validate"] + [f"{examples}/{name}" for name in
        ["bnpl-arazzo.yaml", "FAPI-PAR.arazzo.yaml", "oauth.arazzo.yaml", "pet-coupons.arazzo.yaml", "LoginAndRetrievePets.arazzo.yaml", "ExtendedParametersExample.arazzo.yaml"]]},
    {"group": "v", "label": "redocly lint (Amberflo workflow)", "argv": ["$REDOCLY", "lint", "$WF_DIR/$WF_FILE"]},
]
json.dump(specs, open(sys.argv[1], "w"))
PY
    echo "## 4. Cold start: \`arazzo validate\`"
    echo
    python3 bench/measure.py "$OUT/validate.spec.json" --rounds "$ROUNDS" --warmup "$WARMUP" --json "$OUT/validate.json"
    echo
fi

# --- load mode ---------------------------------------------------------------------------------
if want load; then
    log "load mode: $LOAD_RUNS runs at concurrency 1, 8, 64 against the in-process mock, $LOAD_REPEATS times each"
    echo "## Load mode: \`arazzo run --mock --repeat $LOAD_RUNS --concurrency C\` (engine and mock in one process)"
    echo
    echo "Median of $LOAD_REPEATS runs at each concurrency (the other runs' runs/s in brackets)."
    echo
    echo "| concurrency | runs/s | requests/s | passed | workflow p50 ms | p99 ms | max ms | RSS MiB at the end | vs 5,000 runs/s |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for concurrency in 1 8 64; do
        for repeat in $(seq "$LOAD_REPEATS"); do
            (cd "$WF_DIR" && "$BIN" run "$WF_FILE" --inputs "$INPUTS" --mock --input 'customerId=cust-{n}' \
                --repeat "$LOAD_RUNS" --concurrency "$concurrency" --format json) >"$OUT/load-$concurrency-$repeat.json"
        done
        python3 - "$OUT"/load-"$concurrency"-*.json <<'PY'
import json, sys
reports = sorted((json.load(open(path)) for path in sys.argv[1:]), key=lambda r: r["runs_per_second"])
r = reports[len(reports) // 2]
others = ", ".join(f"{o['runs_per_second']:,.0f}" for o in reports if o is not r)
w = r["workflow"]
print(f"| {r['concurrency']} | {r['runs_per_second']:,.0f} ({others}) | {r['requests_per_second']:,.0f} | {r['passed']:,}/{r['runs']:,} | "
      f"{w['p50']:.2f} | {w['p99']:.2f} | {w['max']:.2f} | {r['memory'][-1]['rss_bytes'] / 1048576:.1f} | {r['runs_per_second'] / 5000:.2f}× |")
PY
    done
    echo
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
