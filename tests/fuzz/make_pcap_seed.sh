#!/usr/bin/env bash
# Writes corpus/pcap_import/loopback-smtp-pop3-imap-http.pcap: tcpdump on loopback (root, or
# CAP_NET_RAW) while Python's smtplib, poplib and imaplib and one HTTP request talk to
# `maillab serve`. A few KB: one short session of each protocol.
# Usage: make_pcap_seed.sh PATH/TO/maillab
set -euo pipefail
maillab=$1
here=$(cd "$(dirname "$0")" && pwd)
out="$here/corpus/pcap_import"
mkdir -p "$out"
work=$(mktemp -d)
"$maillab" serve --smtp-port 32525 --smtps-port 0 --pop3-port 31110 --pop3s-port 0 \
  --imap-port 31143 --imaps-port 0 --http-port 38080 >"$work/serve.log" 2>&1 &
serve=$!
tcpdump -i lo -U -s 0 -w "$work/cap.pcap" \
  'tcp port 32525 or tcp port 31110 or tcp port 31143 or tcp port 38080' 2>"$work/tcpdump.log" &
dump=$!
sleep 1.5
python3 - <<'PY'
import imaplib, poplib, smtplib, urllib.request
with smtplib.SMTP("127.0.0.1", 32525) as s:
    s.ehlo("seed.example")
    s.sendmail("alice@example.org", ["bob@example.org"],
               "Subject: seed\r\n\r\nfor the pcap fuzz corpus\r\n..dot\r\n")
p = poplib.POP3("127.0.0.1", 31110)
p.user("bob@example.org"); p.pass_("bob"); p.list(); p.retr(1); p.quit()
m = imaplib.IMAP4("127.0.0.1", 31143)
m.login("bob@example.org", "bob"); m.select("INBOX"); m.fetch("1", "(FLAGS BODY.PEEK[])"); m.logout()
urllib.request.urlopen("http://127.0.0.1:38080/login").read()
PY
sleep 1
kill "$dump"; wait "$dump" || true
kill "$serve"; wait "$serve" || true
cp "$work/cap.pcap" "$out/loopback-smtp-pop3-imap-http.pcap"
# The same capture cut off mid-packet, as a killed tcpdump leaves it.
head -c 3000 "$work/cap.pcap" >"$out/cut-off.pcap"
rm -rf "$work"
ls -l "$out"
