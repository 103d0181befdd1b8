#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time from its seed corpus (the ctest entries
# fuzz_NAME; docs/security.md, "Fuzzing and sanitizers").
# Usage: run_fuzzer.sh TARGET_BINARY SEED_CORPUS_DIR FINDINGS_DIR SECONDS
# The seeds are copied to a scratch corpus so the inputs the fuzzer adds never land in the
# source tree. Exit status 0: no finding. Otherwise the reproducer files are named, with the
# command that replays one, and the status is 1.
set -euo pipefail
target=$1
seeds=$2
findings=$3
seconds=$4
name=$(basename "$target")
mkdir -p "$findings"
work=$(mktemp -d "${TMPDIR:-/tmp}/maillab-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work"/
before=$(ls -1 "$findings" | grep -c "^$name-" || true)
# -timeout: an input that takes over 10 s is a hang; -rss_limit_mb: over 2 GB is unbounded
# memory; -max_len: sessions and files up to 64 KB (the seeds are smaller).
# The whole log is kept beside the findings; its end (the report of a finding, the final
# stats) is printed.
status=0
"$target" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$findings/$name-" >"$findings/$name.log" 2>&1 ||
  status=$?
tail -n 80 "$findings/$name.log"
after=$(ls -1 "$findings" | grep -c "^$name-" || true)
if [ "$status" -ne 0 ] || [ "$after" -ne "$before" ]; then
  echo "FUZZ FINDING in $name. Reproducer(s):"
  ls -1t "$findings" | grep "^$name-" | head -n $((after - before > 0 ? after - before : 5)) |
    sed "s|^|  $findings/|"
  echo "Replay one: $target REPRODUCER   (MAILLAB_FUZZ_ECHO=1 prints a session's bytes)"
  exit 1
fi
echo "$name: no finding in ${seconds} s"
