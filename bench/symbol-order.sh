#!/usr/bin/env bash
# Regenerates arazzo-cli/link/symbol-order.txt: the functions that a one-workflow run executes,
# which arazzo-cli/build.rs asks the linker (lld) to place next to each other. Without it they
# are scattered over the 13 MiB of code, and the kernel maps the 64 KiB around every page a
# run touches: 7.9 MiB of code resident instead of 2.3 (BENCHMARKS.md, "Peak RSS").
#
#   bench/symbol-order.sh
#
# Re-run it after a toolchain or dependency update: symbol names carry a hash of their crate's
# version and of the compiler, so an update leaves old names that match nothing (the link
# still succeeds; bench/run.sh prints how many names the binary still has).
#
# Needs: cargo, valgrind (callgrind), nm (binutils), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/target/dist/arazzo
ORDER=$ROOT/arazzo-cli/link/symbol-order.txt
WORK=$(mktemp -d "${TMPDIR:-/tmp}/arazzo-symbol-order.XXXXXX")

log() { echo "symbol-order: $*" >&2; }

cargo build --profile dist --locked -p arazzo-cli >&2

mock_pid=
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
"$BIN" mock specs/amberflo/openapi/*.yaml --port 0 --quiet >"$WORK/mock.out" 2>&1 &
mock_pid=$!
URL=
for _ in $(seq 100); do
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/mock.out" | head -1 || true)
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { log "the mock did not start"; cat "$WORK/mock.out" >&2; exit 1; }

# The paths a user waits on: a run, a validation, the version.
profile() {
    local name=$1
    shift
    (cd specs/amberflo/workflows && valgrind --tool=callgrind --demangle=no --compress-strings=no \
        --callgrind-out-file="$WORK/$name.callgrind" "$BIN" "$@" >/dev/null 2>"$WORK/$name.err") ||
        { log "$name failed"; cat "$WORK/$name.err" >&2; exit 1; }
}
WF=amberflo-launch-usage-based-product-workflow.yml
profile run run "$WF" --inputs ../inputs.json --server "meteringApi=$URL" --server "billingApi=$URL"
profile validate validate "$WF"
profile version --version

nm --defined-only "$BIN" >"$WORK/symbols"
python3 - "$BIN" "$WORK" "$ORDER" <<'PY'
import glob, os, re, sys

binary, work, order = sys.argv[1:]
# The binary's functions, by address (the file keeps their present order).
address = {}
for line in open(os.path.join(work, "symbols")):
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        address[parts[2]] = int(parts[0], 16)
executed = set()
for path in glob.glob(os.path.join(work, "*.callgrind")):
    in_binary = False
    for line in open(path):
        if line.startswith("ob="):
            in_binary = os.path.realpath(line[3:].strip()) == os.path.realpath(binary)
        elif line.startswith("fn=") and in_binary:
            # Callgrind marks recursion levels with a 'N suffix.
            executed.add(re.sub(r"'\d+$", "", line[3:].strip()))
names = sorted((name for name in executed if name in address), key=address.get)
with open(order, "w") as out:
    out.write("\n".join(names) + "\n")
print(f"symbol-order: {len(names)} functions written to {order}", file=sys.stderr)
PY
