#!/usr/bin/env bash
# How much of a corpus of Arazzo documents `arazzo validate` accepts.
#
#   bench/corpus.sh CORPUS_DIR [--strict] [--list]
#
# CORPUS_DIR holds one folder per repository (`<owner>-<repo>/`, the paths inside as in the
# repository), as in the corpus this project is measured on. Every YAML/JSON file whose root is
# an object with an `arazzo` member is validated from its repository's folder (as a user would, in their
# checkout), sources read from disk only. Prints documents valid / total, the documents each
# error rule refuses, and the compat rules that fired (documents per rule). `--list` also
# prints each refused document with its first error. Uses target/debug/arazzo (built if
# missing).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${1:?usage: bench/corpus.sh CORPUS_DIR [--strict] [--list]}
CORPUS=$(cd "$CORPUS" && pwd)
shift
STRICT=
LIST=
for arg in "$@"; do
    case "$arg" in
        --strict) STRICT=--strict ;;
        --list) LIST=1 ;;
        *) echo "unknown option $arg" >&2; exit 2 ;;
    esac
done
BIN=${ARAZZO:-$ROOT/target/debug/arazzo}
[ -x "$BIN" ] || cargo build --quiet --locked -p arazzo-cli --manifest-path "$ROOT/Cargo.toml"

python3 - "$CORPUS" "$BIN" "$STRICT" "$LIST" <<'PY'
import collections, json, os, re, subprocess, sys
corpus, binary, strict, show = sys.argv[1:5]

def is_document(path):
    """A root object with an `arazzo` member (JSON, or YAML with the key at column 0)."""
    text = open(path, encoding="utf-8", errors="replace").read()
    try:
        value = json.loads(text)
        return isinstance(value, dict) and "arazzo" in value
    except ValueError:
        return re.search(r"""^['"]?arazzo['"]?\s*:""", text, re.M) is not None

valid, total = 0, 0
refusing, compat, refused = collections.Counter(), collections.Counter(), []
for repo in sorted(os.listdir(corpus)):
    folder = os.path.join(corpus, repo)
    if not os.path.isdir(folder):
        continue
    for dirpath, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml", ".json")):
                continue
            path = os.path.join(dirpath, name)
            if not is_document(path):
                continue
            total += 1
            rel = os.path.relpath(path, folder)
            shown = f"{repo}/{rel}"
            argv = [binary, "validate", "--format", "json"] + ([strict] if strict else []) + [rel]
            done = subprocess.run(argv, cwd=folder, capture_output=True, text=True)
            try:
                report = json.loads(done.stdout)["files"][0]
            except (ValueError, KeyError, IndexError):
                refusing["(no report)"] += 1
                refused.append((shown, f"(no report, exit {done.returncode}) {done.stderr.strip()[:200]}"))
                continue
            diagnostics = report.get("diagnostics", [])
            errors = [d for d in diagnostics if d["severity"] == "error"]
            for rule in {d["rule"] for d in diagnostics if d["rule"].startswith("compat-")}:
                compat[rule] += 1
            if "error" in report:
                refusing["load"] += 1
                refused.append((shown, "load: " + report["error"]["message"]))
            elif not errors:
                valid += 1
            else:
                for rule in {d["rule"] for d in errors}:
                    refusing[rule] += 1
                first = errors[0]
                at = first.get("location") or {}
                refused.append((shown, f"{first['rule']} {at.get('line', '?')}:{at.get('column', '?')} {first['message']}"))
print(f"{valid} of {total} documents valid ({100 * valid / max(total, 1):.1f} %)")
print("refused, documents per error rule: " + ", ".join(f"{r} {c}" for r, c in refusing.most_common()))
print("read with a compat warning, documents per rule: " + ", ".join(f"{r} {c}" for r, c in compat.most_common()))
if show:
    for name, why in refused:
        print(f"{name}: {why}")
PY
