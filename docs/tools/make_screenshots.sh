#!/usr/bin/env bash
# Regenerates the GUI pictures in docs/images with the GUI itself (under Xvfb when there is no
# display): the built-in demo's pictures of gui.md, and one picture per shipped scenario for
# scenarios.md (docs/images/scenario-<name>.png).
# Usage: bash docs/tools/make_screenshots.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=docs/images
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trace="$work/demo.jsonl"
"$build/cli/maillab" run --quiet --trace "$trace"

# The seq of the first event of trace $1 whose text starts with $2 and whose fields have the
# values given as KEY=VALUE in $3... (runs are deterministic, so the seq is stable).
seq_in() { python3 -c '
import json,sys
path, prefix, conditions = sys.argv[1], sys.argv[2], [c.split("=", 1) for c in sys.argv[3:]]
for number, line in enumerate(open(path, encoding="utf-8")):
    e = json.loads(line)
    if number == 0: continue
    if e.get("text", "").startswith(prefix) and all(str(e.get(k)) == v for k, v in conditions):
        print(e["seq"]); break
else:
    sys.exit("no event in %s whose text starts with %r and has %s" % (path, prefix, conditions))' "$@"; }
seq_of() { seq_in "$trace" "$@"; }

gui() {  # OUT.png, WxH, then what to open and maillab-gui options
  local png=$1 size=$2; shift 2
  xvfb-run -a -s "-screen 0 ${size}x24" "$build/gui/maillab-gui" "$@" --size "$size" \
    --screenshot "$png"
}
shot() {  # name, then maillab-gui options (on the demo's trace)
  local name=$1; shift
  gui "$out/$name.png" 1600x1000 "$trace" "$@"
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
client_state=$(seq_of "EHLO -> " machine=smtp.client)
shot gui-smtp-client-en --cursor "$client_state"
shot gui-present-hide-en --cursor "$ehlo" --present --future hide
shot gui-present-hide-zh --cursor "$ehlo" --present --future hide --lang zh

# One picture per scenario, the GUI opening the scenario file itself (it runs it on the virtual
# clock, as `maillab-gui scenarios/NAME.json` does in class). The cursor's seq is read from the
# trace `maillab run` writes for the same file: the same scenario gives the same trace. The
# window is wider than the demo's so that five hosts' lifelines fit in the sequence diagram.
scenario_shot() {  # name, text prefix, then KEY=VALUE conditions
  local name=$1 prefix=$2; shift 2
  local file="scenarios/$name.json"
  "$build/cli/maillab" run "$file" --quiet --trace "$work/$name.jsonl"
  local seq
  seq=$(seq_in "$work/$name.jsonl" "$prefix" "$@")
  gui "$out/scenario-$name.png" 1920x1080 "$file" --cursor "$seq"
}
# classic: the DNS answer that turns bob@b.example into "connect to mail.b.example"
scenario_shot classic "b.example MX " kind=dns action=answer
# pop3-vs-imap: the tablet's FETCH already carries the \Seen flag the phone set
scenario_shot pop3-vs-imap '* 1 FETCH (UID 1 FLAGS (\Seen)' to=tablet.bob
# mime: the phone fetches only part 1.1 (the text/plain alternative)
scenario_shot mime "* 1 FETCH (UID 1 BODY[1.1]"
# secure: bob's server finishes the STARTTLS handshake on the relay hop
scenario_shot secure "TLS established" from=mail.b.example mode=starttls conn=2
# auth-and-relay: no open relay
scenario_shot auth-and-relay "554 5.7.1"
# failures: the DSN is stored in alice's INBOX
scenario_shot failures "delivered the bounce to alice"
# textbook: SMTPDemo's bare "helo" and the note on what a strict server would do
scenario_shot textbook "HELO/EHLO without a domain" explain=smtp.note.helo_without_domain
# webmail: the webmail, not the browser, opens the SMTP submission connection for alice's POST
scenario_shot webmail "the webmail submits the mail" explain=webmail.leg.smtp
# The whole-world views of gui.md, on the traces the scenario pictures above were read from.
world_shot() {  # name, scenario, then maillab-gui options
  local name=$1 scenario=$2; shift 2
  gui "$out/$name.png" 1600x1000 "scenarios/$scenario.json" "$@"
}
webmail_mail="<590fc4ab7f57b05fde3d3ed962e60fe4@webmail.a.example>"
# topology: Alice's browser posts the mail to her webmail (the envelope on the HTTP leg)
post=$(seq_in "$work/webmail.jsonl" "POST /send")
world_shot gui-topology-en webmail --view topology --cursor "$post"
world_shot gui-topology-zh webmail --view topology --cursor "$post" --lang zh
# follow one mail: the relay's DATA, hop by hop numbers on the links
relay_data=$(seq_in "$work/webmail.jsonl" "message text:" from=mail.a.example)
world_shot gui-follow-en webmail --view topology --cursor "$relay_data" --follow "$webmail_mail"
# mailboxes: Bob's mail with its PNG attachment selected in the MIME tree and the raw source
world_shot gui-mailbox-mime-en webmail --view mailboxes --part 2
# the relay queue beside the IMAP machine: Alice's IMAP client finds the bounce
bounce_seen=$(seq_in "$work/failures.jsonl" "* 1 EXISTS" conn=11)
world_shot gui-queue-en failures --cursor "$bounce_seen"
# POP3 vs IMAP side by side: the phone flags \Seen on the server, the desktop downloads and
# marks for deletion (removed at its QUIT)
dele=$(seq_in "$work/pop3-vs-imap.jsonl" "+OK message 1 marked for deletion")
world_shot gui-side-by-side-en pop3-vs-imap --view side-by-side --cursor "$dele"
# A live class: maillab-gui --serve with Python's smtplib, poplib and imaplib as the students
python3 docs/tools/live_screenshot.py "$build" "$out/gui-live-en.png" 1600x1000
# The teacher's merged view of a class network: two serves publishing their traces, the GUI
# attached to both (docs/class-network.md)
python3 docs/tools/class_view_screenshot.py "$build" "$out/gui-class-merged.png" 1600x1000
# what if: the relay's RCPT names a user bob's server does not have; the branch (550, then 503
# for the pipelined DATA) beside the original (250, 354, delivered)
relay_rcpt=$(seq_in "$work/classic.jsonl" "RCPT TO:<bob@b.example>" kind=command from=mail.a.example)
world_shot gui-whatif-en classic --whatif-at "$relay_rcpt" --whatif-replace "RCPT TO:<nobody@b.example>"
world_shot gui-whatif-zh classic --whatif-at "$relay_rcpt" --whatif-replace "RCPT TO:<nobody@b.example>" --lang zh
# A lab in progress in the Lab panel: lab 01's first step done, the second typed up to the lone
# dot (QUIT not yet sent), fed as if typed (--lab-input), in English and in Chinese
printf '%s\n' 220 "HELO pc.student" QUIT :done 354 "HELO pc.student" "MAIL FROM:<student@a.example>" \
  "RCPT TO:<bob@b.example>" "RCPT TO:<carol@b.example>" DATA "Subject: Lab 1" "" \
  "Hello Bob and Carol, this came by hand." . >"$work/lab01.txt"
gui "$out/gui-lab-en.png" 1600x1000 --lab labs/01-smtp-by-hand.json --lab-input "$work/lab01.txt" >/dev/null
gui "$out/gui-lab-zh.png" 1600x1000 --lab labs/01-smtp-by-hand.json --lab-input "$work/lab01.txt" --lang zh >/dev/null
ls -l "$out"
