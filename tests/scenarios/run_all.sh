#!/usr/bin/env bash
# Every scenario in scenarios/ through the real command: `maillab run` must meet all its
# expectations (exit code 0) and write the same trace, byte for byte, twice.
# Usage: run_all.sh MAILLAB_BIN SCENARIO_DIR
set -euo pipefail
bin="$1"
dir="$2"
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
    echo "ok   $name: $(grep -c . "$work/$name.1.jsonl") lines, $(grep -o '[0-9]* of [0-9]* expectation(s) met' "$work/$name.out")"
done
if [ "$count" -eq 0 ]; then
    echo "no scenario found in $dir"
    exit 1
fi
exit $status
