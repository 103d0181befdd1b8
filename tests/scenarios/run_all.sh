#!/usr/bin/env bash
# Every scenario in scenarios/ through the real command: `maillab run` must meet all its
# expectations (exit code 0), write the same trace, byte for byte, twice, and (with a golden
# directory) write exactly the expected trace kept under tests/golden/. When a change of
# behaviour is intended, refresh the expected traces with tests/scenarios/refresh_golden.sh and
# let the reviewer read the difference in the commit.
# Usage: run_all.sh MAILLAB_BIN SCENARIO_DIR [GOLDEN_DIR]
set -euo pipefail
bin="$1"
dir="$2"
golden="${3:-}"
bin="$(realpath "$bin")"
[ -z "$golden" ] || golden="$(realpath "$golden")"
# Scenario paths appear in the trace (where each expectation was defined): run them as
# "scenarios/NAME.json" from the directory above, so the trace is the same on every machine.
cd "$(dirname "$(realpath "$dir")")"
dir="$(basename "$dir")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
count=0
for scenario in "$dir"/*.json; do
    name="$(basename "$scenario" .json)"
    count=$((count + 1))
    if ! "$bin" run "$scenario" --trace "$work/$name.1.jsonl" > "$work/$name.out" 2>&1; then
        echo "FAIL $name: expectations not met or error:"
        tail -20 "$work/$name.out"
        status=1
        continue
    fi
    "$bin" run "$scenario" --quiet --trace "$work/$name.2.jsonl"
    if ! cmp -s "$work/$name.1.jsonl" "$work/$name.2.jsonl"; then
        echo "FAIL $name: two runs gave different traces"
        diff "$work/$name.1.jsonl" "$work/$name.2.jsonl" | head -5
        status=1
        continue
    fi
    if [ -n "$golden" ]; then
        if [ ! -f "$golden/$name.jsonl" ]; then
            echo "FAIL $name: no expected trace $golden/$name.jsonl (run tests/scenarios/refresh_golden.sh)"
            status=1
            continue
        fi
        if ! cmp -s "$work/$name.1.jsonl" "$golden/$name.jsonl"; then
            echo "FAIL $name: the trace differs from $golden/$name.jsonl (first differences below)."
            echo "     If the change is intended: bash tests/scenarios/refresh_golden.sh $bin"
            diff "$golden/$name.jsonl" "$work/$name.1.jsonl" | cut -c1-240 | head -12
            status=1
            continue
        fi
    fi
    echo "ok   $name: $(grep -c . "$work/$name.1.jsonl") lines, $(grep -o '[0-9]* of [0-9]* expectation(s) met' "$work/$name.out")"
done
if [ "$count" -eq 0 ]; then
    echo "no scenario found in $dir"
    exit 1
fi
exit $status
