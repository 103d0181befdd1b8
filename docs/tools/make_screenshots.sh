#!/usr/bin/env bash
# Regenerates the GUI pictures in docs/images from the built-in demo, with the GUI itself
# (under Xvfb when there is no display). Usage: bash docs/tools/make_screenshots.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=docs/images
mkdir -p "$out"
trace=$(mktemp --suffix=.jsonl)
trap 'rm -f "$trace"' EXIT
"$build/cli/maillab" run --quiet --trace "$trace"

# The seq of the first event whose text starts with $1 (the demo is deterministic).
seq_of() { python3 -c '
import json,sys
for line in open(sys.argv[1]):
    e=json.loads(line)
    if e.get("text","").startswith(sys.argv[2]): print(e["seq"]); break' "$trace" "$1"; }

shot() {  # name, then maillab-gui options
  local name=$1; shift
  xvfb-run -a -s "-screen 0 1600x1000x24" "$build/gui/maillab-gui" "$trace" --size 1600x1000 \
    --screenshot "$out/$name.png" "$@"
}
data=$(seq_of "354 ")
stored=$(seq_of "delivered to bob")
retr=$(seq_of "+OK 430 octets")
ehlo=$(seq_of "250 mail.example.org Hello")
imap_part=$(seq_of "* 1 FETCH (UID 1 BODY[1]")
shot gui-smtp-en --cursor "$stored"
shot gui-smtp-zh --cursor "$stored" --lang zh
shot gui-smtp-data-en --cursor "$data"
shot gui-pop3-en --cursor "$retr"
shot gui-pop3-zh --cursor "$retr" --lang zh
shot gui-imap-en --cursor "$imap_part"
shot gui-imap-zh --cursor "$imap_part" --lang zh
shot gui-present-hide-en --cursor "$ehlo" --present --future hide
shot gui-present-hide-zh --cursor "$ehlo" --present --future hide --lang zh
ls -l "$out"
