#!/usr/bin/env bash
# How much of a corpus of Arazzo documents `arazzo validate` accepts.
#
#   bench/corpus.sh CORPUS_DIR [--strict] [--list] [--fix]
#
# CORPUS_DIR holds one folder per repository (`<owner>-<repo>/`, the paths inside as in the
# repository), as in the corpus this project is measured on. Every YAML/JSON file whose root is
# an object with an `arazzo` member is validated from its repository's folder (as a user would, in their
# checkout), sources read from disk only. Prints documents valid / total, the documents each
# error rule refuses, and the compat rules that fired (documents per rule). `--list` also
# prints each refused document with its first error. `--fix` then checks `arazzo fix` on a
# copy of the corpus: every valid document read with compat warnings is fixed in place and
# validated with `--strict`; prints how many pass, and the errors left (by rule) in the others.
# Uses target/debug/arazzo (built if missing).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${1:?usage: bench/corpus.sh CORPUS_DIR [--strict] [--list] [--fix]}
CORPUS=$(cd "$CORPUS" && pwd)
shift
STRICT=
LIST=
FIX=
for arg in "$@"; do
    case "$arg" in
        --strict) STRICT=--strict ;;
        --list) LIST=1 ;;
        --fix) FIX=1 ;;
        *) echo "unknown option $arg" >&2; exit 2 ;;
    esac
done
BIN=${ARAZZO:-$ROOT/target/debug/arazzo}
[ -x "$BIN" ] || cargo build --quiet --locked -p arazzo-cli --manifest-path "$ROOT/Cargo.toml"

python3 - "$CORPUS" "$BIN" "$STRICT" "$LIST" "$FIX" <<'PY'
import collections, json, os, re, shutil, subprocess, sys, tempfile
corpus, binary, strict, show, fix = sys.argv[1:6]

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
fixable = []
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
                if any(d["rule"].startswith("compat-") for d in diagnostics):
                    fixable.append((repo, rel))
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
if fix:
    copy = tempfile.mkdtemp(prefix="arazzo-corpus-fix-")
    try:
        shutil.copytree(corpus, copy, dirs_exist_ok=True)
        passed, left, unfixed = 0, collections.Counter(), []
        for repo, rel in fixable:
            folder = os.path.join(copy, repo)
            done = subprocess.run([binary, "fix", "--write", rel], cwd=folder, capture_output=True, text=True)
            if done.returncode != 0:
                left["(fix refused)"] += 1
                unfixed.append(f"{repo}/{rel}: fix exit {done.returncode}: {done.stderr.strip()[:160]}")
                continue
            checked = subprocess.run([binary, "validate", "--strict", "--format", "json", rel], cwd=folder, capture_output=True, text=True)
            report = json.loads(checked.stdout)["files"][0]
            rules = sorted({d["rule"] for d in report.get("diagnostics", []) if d["severity"] == "error"})
            if rules:
                for rule in rules:
                    left[rule] += 1
                unfixed.append(f"{repo}/{rel}: " + ", ".join(rules))
            else:
                passed += 1
        print(f"fix: {passed} of {len(fixable)} documents read with compat warnings pass validate --strict once fixed")
        print("left after fix, documents per error rule: " + ", ".join(f"{r} {c}" for r, c in left.most_common()))
        if show:
            for line in unfixed:
                print(line)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
PY
