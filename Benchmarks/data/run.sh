#!/usr/bin/env bash
# The data benchmark: mmp's CSV and Parquet loading against pandas.read_csv (C engine),
# pyarrow.csv.read_csv and pandas.read_parquet on the same files, each implementation in its
# own process (its peak memory is its own), in the same run; then `mmp train` end to end from
# CSV against pandas + LightGBM.
#
#   flock /work/bench.lock Benchmarks/data/run.sh
#   REPEAT=5 Benchmarks/data/run.sh     runs per implementation and file (default 3)
#
# Prints a Markdown report (Benchmarks/data/report.py) and keeps the raw JSON lines under
# Benchmarks/data/results/. Python comes from scripts/requirements/bench-data.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
HERE=Benchmarks/data
FILES=${FILES:-$HERE/files}
REPEAT=${REPEAT:-3}
mkdir -p "$HERE/results"
OUT=$HERE/results/$(date +%Y%m%d-%H%M%S).jsonl
: > "$OUT"

PYTHON="$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env bench-data)/bin/python" || exit 1
echo "== building mmp and mmp-bench (release)" >&2
swift build -c release --product mmp-bench >&2 && swift build -c release --product mmp >&2 || exit 1
BIN=$(swift build -c release --show-bin-path)
echo "== data" >&2
"$PYTHON" "$HERE/make_data.py" "$FILES" >&2 || exit 1

record() {  # record command... : every JSON line it prints goes to the results
    local lines
    if lines=$("$@" 2>/tmp/mmp-data-bench.err); then
        printf '%s\n' "$lines" | grep '^{' >> "$OUT"
        printf '%s\n' "$lines" | sed 's/^/   /' >&2
    else
        "$PYTHON" -c 'import json,sys; print(json.dumps({"impl": sys.argv[1], "error": sys.argv[2][-400:]}))' "$*" "$(cat /tmp/mmp-data-bench.err)" >> "$OUT"
        echo "   FAILED: $*" >&2
    fi
}

for file in num_200k.csv mixed_200k.csv num_2m.csv; do
    echo "== $file" >&2
    record "$BIN/mmp-bench" data --file "$FILES/$file" --repeat "$REPEAT"
    record "$PYTHON" "$HERE/anchors.py" load --impl pandas_csv --file "$FILES/$file" --repeat "$REPEAT"
    record "$PYTHON" "$HERE/anchors.py" load --impl pyarrow_csv --file "$FILES/$file" --repeat "$REPEAT"
done
echo "== num_2m.parquet" >&2
record "$BIN/mmp-bench" data --file "$FILES/num_2m.parquet" --repeat "$REPEAT"
record "$PYTHON" "$HERE/anchors.py" load --impl pandas_parquet --file "$FILES/num_2m.parquet" --repeat "$REPEAT"

echo "== mmp train end to end (num_200k.csv)" >&2
ARTIFACTS=$(mktemp -d)
CONFIG=$(mktemp -d)
cp config/base.yaml "$CONFIG/base.yaml"
printf 'environment: {name: local}\nadapters:\n  local_files: {base_path: %s}\n  filesystem: {root: %s}\n' "$PWD" "$ARTIFACTS" > "$CONFIG/local.yaml"
for run in $(seq 1 "$REPEAT"); do
    start=$(date +%s.%N)
    if json=$("$BIN/mmp" train "$HERE/train_200k.yaml" --json --config-dir "$CONFIG" 2>/tmp/mmp-data-train.err); then
        end=$(date +%s.%N)
        "$PYTHON" - "$json" "$start" "$end" "$run" /tmp/mmp-data-train.err >> "$OUT" <<'PY'
import json, re, sys
result = json.loads(sys.argv[1])
stages = {}
for line in open(sys.argv[5]):
    m = re.search(r"\b(load|split|preprocess|fit|evaluate|save)\b.*?([0-9.]+) ?s\b", line)
    if m:
        stages[m.group(1)] = float(m.group(2))
print(json.dumps({"impl": "mmp train", "run": int(sys.argv[4]), "seconds": float(sys.argv[3]) - float(sys.argv[2]),
                  "stages": stages, "roc_auc": result["metrics"].get("roc_auc")}))
PY
        tail -n 1 "$OUT" | sed 's/^/   /' >&2
    else
        echo "   FAILED: mmp train ($(tail -3 /tmp/mmp-data-train.err))" >&2
    fi
    record "$PYTHON" "$HERE/anchors.py" train --file "$FILES/num_200k.csv"
done
rm -rf "$ARTIFACTS" "$CONFIG"

"$PYTHON" "$HERE/report.py" "$OUT"
