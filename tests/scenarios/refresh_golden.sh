#!/usr/bin/env bash
# Rewrites the expected traces under tests/golden/ from the scenarios in scenarios/, for when a
# change of behaviour is intended. Review `git diff tests/golden` before committing: it is the
# behaviour change, event by event.
# Usage: tests/scenarios/refresh_golden.sh [MAILLAB_BIN]   (default build/cli/maillab)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$(realpath "${1:-$root/build/cli/maillab}")"
mkdir -p "$root/tests/golden"
rm -f "$root/tests/golden/"*.jsonl
# Relative scenario paths, as run_all.sh uses: the trace names where expectations are defined.
cd "$root"
for scenario in scenarios/*.json; do
    name="$(basename "$scenario" .json)"
    # The expectations decide nothing here: a scenario that fails is still recorded, and the
    # test run says it fails.
    "$bin" run "$scenario" --quiet --trace "$root/tests/golden/$name.jsonl" || true
    echo "$name: $(grep -c . "$root/tests/golden/$name.jsonl") events"
done
