"""The merged view of a class network on one machine: two `maillab serve classic.json --as HOST
--publish-trace 0` on 127.0.0.1 ports, `maillab replay --attach` following both, smtplib and
poplib sending Alice's mail across. Runs everywhere (no namespaces): the publish/subscribe path,
the merged trace (every hop, in order, ids not colliding), a wrong token, an unreachable
publisher, garbage instead of a stream, a publisher that goes away, and merging the two
machines' recordings after the fact."""

from __future__ import annotations

import poplib
import re
import smtplib
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from maillab_server import LOCALHOST, free_port, maillab_bin, stop_process, wait_until_ready
from merged_trace import ReplayAttach, check_ids, check_mail_path, read_trace

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "classic.json"
ENDPOINT = re.compile(r"^(\S+)\s+(\S+)\s+127\.0\.0\.1:(\d+)", re.M)
PUBLISHED = re.compile(r"trace published on (\S+) \(token (\S+)\)")
TOKEN = "class-2026"

MESSAGE = ("From: Alice <alice@a.example>\r\nTo: bob@b.example\r\nSubject: merged\r\n"
           "Message-ID: <merged@a.example>\r\n\r\nSeen from one screen.\r\n")


class Host:
    """`maillab serve classic.json --as HOST --base-port 0 --publish-trace 0`."""

    def __init__(self, host: str, workdir: Path, peers: list[str], token: str | None,
                 publish: str = "0") -> None:
        self.host = host
        self.record = workdir / f"{host}.jsonl"
        self.log_path = workdir / f"{host}.log"
        self.token_file = workdir / f"{host}.token"
        command = [maillab_bin(), "serve", str(SCENARIO), "--as", host, "--base-port", "0",
                   "--bind", LOCALHOST, "--record", str(self.record), "--tls-dir",
                   str(workdir / "tls"), "--quiet", "--publish-trace", publish,
                   "--trace-token-file", str(self.token_file)]
        if token:
            command += ["--trace-token", token]
        for p in peers:
            command += ["--peer", p]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        text = self.wait_ready()
        self.ports = {(h, s): int(p) for h, s, p in ENDPOINT.findall(text)}
        match = PUBLISHED.search(text)
        assert match, text
        self.published, self.token = match.group(1), match.group(2)

    def wait_ready(self) -> str:
        text = wait_until_ready(self.proc, self.log_path)
        if text is None:
            raise AssertionError(f"serve did not get ready:\n{self.log_path.read_text(errors='replace')}")
        return text

    def port(self, service: str) -> int:
        return self.ports[(self.host, service)]

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()


def send_and_read(a: Host, b: Host) -> str:
    with smtplib.SMTP(LOCALHOST, a.port("submission"), timeout=10) as s:
        s.login("alice", "alice-pw")
        s.sendmail("alice@a.example", ["bob@b.example"], MESSAGE)
    deadline = time.monotonic() + 20
    while True:
        pop = poplib.POP3(LOCALHOST, b.port("pop3"), timeout=10)
        pop.user("bob")
        pop.pass_("bob-pw")
        count, _ = pop.stat()
        if count or time.monotonic() > deadline:
            break
        pop.quit()
        time.sleep(0.2)
    text = b"\r\n".join(pop.retr(1)[1]).decode() if count else ""
    pop.quit()
    return text


class TracePublishing(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-publish-")
        self.dir = Path(self.tmp.name)
        self.hosts: list[Host] = []
        self.replays: list[ReplayAttach] = []
        self.b = self.start("mail.b.example", [], TOKEN)
        self.a = self.start("mail.a.example",
                            [f"mail.b.example={LOCALHOST}:{self.b.port('smtp')}"], None)

    def tearDown(self) -> None:
        for r in self.replays:
            r.stop()
        for h in self.hosts:
            h.stop()
        self.tmp.cleanup()

    def start(self, host: str, peers: list[str], token: str | None, publish: str = "0") -> Host:
        h = Host(host, self.dir, peers, token, publish)
        self.hosts.append(h)
        return h

    def replay(self, *args: str, name: str = "replay") -> ReplayAttach:
        record = self.dir / f"{name}.jsonl"
        r = ReplayAttach([maillab_bin(), "replay", "--no-explain", "--hold", "0.3", *args,
                          "--record", str(record)], record, self.dir / f"{name}.log")
        self.replays.append(r)
        return r

    def test_token_printed_and_written(self):
        self.assertEqual(self.b.token, TOKEN)
        self.assertRegex(self.a.token, r"^[0-9a-f]{24}$")  # a random one when none is given
        self.assertEqual(self.a.token_file.read_text().strip(), self.a.token)
        self.assertEqual(self.a.token_file.stat().st_mode & 0o777, 0o600)

    def test_merged_live_trace_has_every_hop_in_order(self):
        r = self.replay("--attach", f"{self.a.token}@{self.a.published}",
                        "--attach", f"{self.b.published}", "--token", TOKEN)
        started = r.wait_text("merged view started")
        # Each source with its host and estimated clock offset, said at start.
        self.assertRegex(started, r"source mail\.a\.example\s+127\.0\.0\.1:\d+\s+clock "
                                  r"[-+0-9.]+ m?s \(estimated\)\s+live")
        self.assertRegex(started, r"source mail\.b\.example\s+127\.0\.0\.1:\d+\s+clock ")
        text = send_and_read(self.a, self.b)
        self.assertIn("Seen from one screen.", text)
        r.wait_event(kind="command", verb="RETR")
        self.assertEqual(r.stop(), 0)
        header, events = read_trace(r.record)
        self.assertEqual(header["mode"], "merged")
        self.assertEqual(header["scenario"], "classic")
        self.assertEqual([s["name"] for s in header["sources"]],
                         ["mail.a.example", "mail.b.example"])
        for s in header["sources"]:
            self.assertEqual(s["clock_offset"], "estimated")
            self.assertLess(abs(s["clock_offset_us"]), 1_000_000)  # one machine, one clock
        check_ids(self, events)
        check_mail_path(self, events)
        # The transcript was printed live, from both machines.
        out = r.text()
        self.assertIn("RETR 1", out)
        self.assertIn("MAIL FROM:<alice@a.example>", out)
        self.assertIn("events merged; recorded to", out)
        # The merged recording is a recording like any other.
        replay = subprocess.run([maillab_bin(), "replay", str(r.record), "--proto", "pop3",
                                 "--no-explain"], capture_output=True, text=True, timeout=30)
        self.assertEqual(replay.returncode, 0, replay.stderr)
        self.assertIn("RETR 1", replay.stdout)
        export = subprocess.run([maillab_bin(), "export", str(r.record), "--to", "mermaid",
                                 "-o", str(self.dir / "merged.mmd")],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(export.returncode, 0, export.stderr)
        self.assertIn("mail.b.example", (self.dir / "merged.mmd").read_text())

    def test_wrong_token_is_refused(self):
        r = self.replay("--attach", f"not-the-token@{self.b.published}")
        r.proc.wait(timeout=20)
        self.assertEqual(r.stop(), 1)
        self.assertIn(f"{self.b.published}: the publisher refused: wrong token", r.text())
        self.assertIn("no source could be followed", r.text())
        # The publisher traced the refusal.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(e.get("proto") == "trace" and e.get("action") == "refused"
                   for e in read_trace(self.b.record)[1]):
                break
            time.sleep(0.1)
        else:
            self.fail("the refusal is not in mail.b.example's trace")

    def test_bad_sources_are_said_and_the_others_go_on(self):
        closed = free_port()
        r = self.replay("--attach", f"{self.a.token}@{self.a.published}",
                        "--attach", f"x@{LOCALHOST}:{closed}",
                        "--attach", f"x@{LOCALHOST}:{self.b.port('smtp')}",  # an SMTP server
                        "--attach", f"{TOKEN}@{self.b.published}")
        r.wait_text("merged view started")
        out = r.text()
        self.assertIn(f"{LOCALHOST}:{closed}: cannot connect: Connection refused", out)
        self.assertIn(f"{LOCALHOST}:{self.b.port('smtp')}: not a maillab trace stream: the first "
                      f"line is \"220 ", out)
        send_and_read(self.a, self.b)
        r.wait_event(kind="command", verb="RETR")
        # mail.b.example's serve stops: said, and mail.a.example is still followed.
        self.b.stop()
        r.wait_text(f"{self.b.published}: the publisher went away mid-stream")
        self.assertIsNone(r.proc.poll())
        with smtplib.SMTP(LOCALHOST, self.a.port("submission"), timeout=10) as s:
            s.noop()
        r.wait_event(kind="command", verb="NOOP")
        # The last publisher gone: the merged view ends by itself, its recording complete.
        self.a.stop()
        r.wait_text("every publisher has gone")
        self.assertEqual(r.proc.wait(timeout=10), 0)
        header, events = read_trace(r.record)
        self.assertEqual(len(header["sources"]), 2)
        check_ids(self, events)
        check_mail_path(self, events)

    def test_reconnect_follows_a_server_restarted_on_its_port(self):
        r = self.replay("--attach", f"{TOKEN}@{self.b.published}", "--reconnect")
        r.wait_text("merged view started")
        with smtplib.SMTP(LOCALHOST, self.b.port("smtp"), timeout=10) as s:
            s.noop()
        r.wait_event(kind="command", verb="NOOP")
        # The student's server stops: said once, and tried again rather than ended.
        publish_port = self.b.published.rsplit(":", 1)[1]
        self.b.stop()
        r.wait_text("(trying again every 2 s)")
        self.assertIsNone(r.proc.poll())
        # ... and is started again on the same trace port: a new run, a new session.
        b2 = self.start("mail.b.example", [], TOKEN, publish=publish_port)
        r.wait_text("mail.b.example was restarted; its new session follows the earlier one")
        pop = poplib.POP3(LOCALHOST, b2.port("pop3"), timeout=10)
        pop.user("bob")
        pop.pass_("bob-pw")
        pop.stat()
        pop.quit()
        r.wait_event(kind="command", verb="STAT")
        self.assertEqual(r.stop(), 0)
        header, events = read_trace(r.record)
        check_ids(self, events)
        noop = next(e for e in events if e.get("verb") == "NOOP")
        stat = next(e for e in events if e.get("verb") == "STAT")
        self.assertLess(noop["seq"], stat["seq"])
        self.assertNotEqual(noop["conn"], stat["conn"])  # both were connection 1 on their run
        # Without --reconnect a publisher that goes away ends its source (the other tests).
        bad = subprocess.run([maillab_bin(), "replay", "--reconnect", str(r.record)],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("--reconnect goes with --attach ADDR:PORT", bad.stderr)

    def test_recordings_merged_after_the_fact(self):
        send_and_read(self.a, self.b)
        for h in self.hosts:
            h.stop()
        merged = self.dir / "after.jsonl"
        result = subprocess.run([maillab_bin(), "replay", str(self.a.record), str(self.b.record),
                                 "--clock-offset", "mail.b.example=0.5", "--record", str(merged),
                                 "--no-explain"], capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"mail\.a\.example\s+\S+mail\.a\.example\.jsonl\s+clock as "
                                        r"recorded")
        self.assertRegex(result.stdout, r"mail\.b\.example\s+\S+mail\.b\.example\.jsonl\s+clock "
                                        r"\+0\.5 ms \(given\)")
        self.assertIn("replay of merged view", result.stdout)
        header, events = read_trace(merged)
        self.assertEqual(header["sources"][1]["clock_offset_us"], 500)
        check_ids(self, events)
        check_mail_path(self, events)
        bad = subprocess.run([maillab_bin(), "replay", str(self.a.record), str(self.b.record),
                              "--clock-offset", "mail.b.example=soon"],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("\"soon\" is not a number of milliseconds", bad.stderr)


if __name__ == "__main__":
    unittest.main()
