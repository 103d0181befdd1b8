#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs each for a bounded time from its seed corpus. Exit status 0 means no finding.
# Usage: run_fuzzers.sh OUT_DIR SECONDS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-/tmp/maillab-fuzz}
seconds=${2:-60}
mkdir -p "$out"
sources=(
  "$root/sim/mime/codecs.cpp" "$root/sim/mime/header.cpp" "$root/sim/mime/message.cpp"
  "$root/sim/mime/parameters.cpp" "$root/sim/mime/describe.cpp" "$root/sim/mime/address.cpp"
  "$root/sim/mime/date.cpp" "$root/sim/core/bytes.cpp"
)
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$root" "$here/fuzz_mime.cpp" "${sources[@]}" -lfmt -lcrypto -o "$out/fuzz_mime"
work="$out/corpus_mime"
mkdir -p "$work"
cp -n "$here"/corpus/mime/* "$work"/ 2>/dev/null || true
# -rss_limit_mb bounds memory; -timeout flags any input that takes over 5 s (a hang).
"$out/fuzz_mime" "$work" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 \
  -print_final_stats=1 -artifact_prefix="$out/"
