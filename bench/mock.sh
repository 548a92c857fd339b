#!/usr/bin/env bash
# Throughput of the built-in mock (`arazzo mock`), the engine's benchmark target: requests/s on
# one core over HTTP/1.1 keep-alive, against the 20,000 requests/s target, and the mock's CPU
# time per request. Not part of CI.
#
#   bench/mock.sh                     # 10 s, 32 connections
#   DURATION=30s CONNECTIONS=64 bench/mock.sh
#
# Needs wrk (Debian/Ubuntu: apt-get install -y wrk) and taskset (util-linux). The mock is pinned
# to CPU $MOCK_CPU (default 0), wrk to CPU $LOAD_CPU (default 1). Each request is one of the four
# Amberflo calls of the reference workflow, in turn, with its X-API-KEY and JSON body: the mock
# routes, checks the key, validates the body against its schema and echoes it into the example.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
MOCK_CPU=${MOCK_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
TARGET=20000

for tool in wrk taskset; do
    command -v "$tool" >/dev/null || { echo "bench/mock.sh: needs $tool (apt-get install -y wrk util-linux)" >&2; exit 2; }
done

cargo build --profile dist --locked -p arazzo-cli
bin=target/dist/arazzo
work=$(mktemp -d)
mock_pid=
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

taskset -c "$MOCK_CPU" "$bin" mock specs/amberflo/openapi/*.yaml --port 0 --quiet >"$work/mock.out" 2>&1 &
mock_pid=$!
url=
for _ in $(seq 100); do
    url=$(sed -n 's/^mock of .* on \(http:[^ ]*\) .*/\1/p' "$work/mock.out")
    [ -n "$url" ] && break
    kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.out" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "bench/mock.sh: the mock did not start" >&2; cat "$work/mock.out" >&2; exit 1; }

cat >"$work/amberflo.lua" <<'LUA'
local calls = {
  {"/meters", '{"meterApiName":"api-calls","displayName":"API Calls","type":"sum_of_all_usage","dimensions":[]}'},
  {"/customers", '{"customerId":"cust-0001","customerName":"Acme Corp","customerEmail":"billing@acme.example","lifecycleStage":"ACTIVE"}'},
  {"/payments/pricing/amberflo/customer-pricing", '{"customerId":"cust-0001","productId":"1"}'},
  {"/ingest", '{"meterApiName":"api-calls","customerId":"cust-0001","meterValue":5,"meterTimeInMillis":1718153645993}'},
}
local requests = {}
local next_call = 0
function init(args)
  for i, call in ipairs(calls) do
    requests[i] = wrk.format("POST", call[1],
      {["Content-Type"] = "application/json", ["X-API-KEY"] = "bench-key"}, call[2])
  end
end
function request()
  next_call = next_call % #requests + 1
  return requests[next_call]
end
LUA

# CPU time of the mock (user + system, in clock ticks) from /proc.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$mock_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)

echo "mock: $url on CPU $MOCK_CPU; wrk: $CONNECTIONS connections for $DURATION on CPU $LOAD_CPU"
before=$(cpu_ticks)
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/amberflo.lua" "$url" | tee "$work/wrk.out"
after=$(cpu_ticks)

if grep -q "Non-2xx or 3xx responses" "$work/wrk.out"; then
    echo "bench/mock.sh: some answers were not 2xx (see above)" >&2
    exit 1
fi
rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
awk -v rps="$rps" -v target="$TARGET" -v total="$total" -v ticks=$((after - before)) -v hz="$ticks_per_second" 'BEGIN {
    printf "\nrequests/s: %.0f (%.2fx the %d target)\n", rps, rps / target, target
    if (total > 0) printf "mock CPU per request: %.1f us (%d requests, %.2f s CPU)\n", ticks / hz / total * 1e6, total, ticks / hz
}'
