"""`maillab serve SCENARIO.json` with real clients: every server host of a scenario on its own
loopback ports, relaying to the others over real TCP with MX answers from the scenario.

Python's smtplib submits (plain with AUTH, and SMTPS), poplib and imaplib read at the
recipient's server, and the recorded trace must show the DNS lookup, the queue and the relay.
"""

from __future__ import annotations

import imaplib
import json
import os
import poplib
import re
import signal
import smtplib
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from maillab_server import LOCALHOST, Trace, maillab_bin, unverified_tls, wait_until_ready

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
ENDPOINT = re.compile(r"^(\S+)\s+(\S+)\s+127\.0\.0\.1:(\d+)", re.M)


class ScenarioServer:
    """One `maillab serve SCENARIO.json` process; ports as it printed them."""

    def __init__(self, scenario: Path):
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-scn-")
        self.dir = Path(self.tmp.name)
        self.trace_path = self.dir / "trace.jsonl"
        self.log_path = self.dir / "serve.log"
        self.command = [maillab_bin(), "serve", str(scenario), "--bind", LOCALHOST,
                        "--trace", str(self.trace_path), "--tls-dir", str(self.dir / "tls"),
                        "--quiet"]
        self.ports: dict[tuple[str, str], int] = {}
        self.proc: subprocess.Popen | None = None
        self.trace = Trace(self.trace_path)

    def __enter__(self) -> "ScenarioServer":
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        text = wait_until_ready(self.proc, self.log_path, timeout=15)
        if text is not None:
            for host, service, port in ENDPOINT.findall(text):
                self.ports[(host, service)] = int(port)
            return self
        self.__exit__(None, None, None)
        raise RuntimeError(f"serve did not get ready:\n{self.log_path.read_text(errors='replace')}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self.tmp.cleanup()

    def port(self, host: str, service: str) -> int:
        return self.ports[(host, service)]

    def wait_for_event(self, timeout: float = 10.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.trace.refresh():
                if all(e.get(k) == v for k, v in match.items()):
                    return e
            time.sleep(0.05)
        raise AssertionError(f"no event {match} in the trace within {timeout} s")


MESSAGE = ("From: Alice <alice@a.example>\r\nTo: bob@b.example\r\nSubject: relayed for real\r\n"
           "Message-ID: <{id}@a.example>\r\n\r\nThis crossed two servers over real TCP.\r\n")


class ClassicScenarioLive(unittest.TestCase):
    def test_submission_relays_over_tcp_and_pop3_reads_it(self):
        with ScenarioServer(SCENARIOS / "classic.json") as srv:
            with smtplib.SMTP(LOCALHOST, srv.port("mail.a.example", "submission"), timeout=10) as s:
                s.login("alice", "alice-pw")
                s.sendmail("alice@a.example", ["bob@b.example"], MESSAGE.format(id="live-classic"))
            delivered = srv.wait_for_event(kind="store", action="deliver", **{"from": "mail.b.example"})
            self.assertEqual(delivered["message_id"], "<live-classic@a.example>")
            pop = poplib.POP3(LOCALHOST, srv.port("mail.b.example", "pop3"), timeout=10)
            pop.user("bob")
            pop.pass_("bob-pw")
            count, _ = pop.stat()
            self.assertEqual(count, 1)
            lines = pop.retr(1)[1]
            pop.quit()
            text = b"\r\n".join(lines).decode()
            self.assertIn("This crossed two servers over real TCP.", text)
            # Two Received: headers, newest first: b.example's MX, then a.example's submission.
            received = re.findall(r"^Received: from \S+ \(\S+\)\r\n\tby (\S+)", text, re.M)
            self.assertEqual(received, ["mail.b.example", "mail.a.example"])
            events = srv.trace.refresh()
            dns = [e for e in events if e["kind"] == "dns"]
            self.assertEqual([e["action"] for e in dns], ["query", "answer"])
            self.assertEqual(dns[1]["records"], [{"preference": 10, "host": "mail.b.example"}])
            actions = [e["action"] for e in events if e["kind"] == "queue"]
            self.assertEqual(actions[0], "enqueue")
            self.assertIn("delivered", actions)
            self.assertEqual(actions[-1], "removed")
            relay = [e for e in events if e["kind"] == "tcp" and e.get("to") == "mail.b.example"
                     and e.get("from") == "mail.a.example"]
            self.assertTrue(relay, "the relay's own connection to mail.b.example is traced")

    def test_stranger_cannot_relay_and_submission_wants_auth(self):
        with ScenarioServer(SCENARIOS / "classic.json") as srv:
            with smtplib.SMTP(LOCALHOST, srv.port("mail.a.example", "smtp"), timeout=10) as s:
                with self.assertRaises(smtplib.SMTPRecipientsRefused) as refused:
                    s.sendmail("boss@bank.example", ["bob@b.example"], MESSAGE.format(id="spam"))
                code, text = refused.exception.recipients["bob@b.example"]
                self.assertEqual(code, 554)
                self.assertIn(b"Relay access denied", text)
            with smtplib.SMTP(LOCALHOST, srv.port("mail.a.example", "submission"), timeout=10) as s:
                with self.assertRaises(smtplib.SMTPSenderRefused) as refused:
                    s.sendmail("alice@a.example", ["bob@b.example"], MESSAGE.format(id="noauth"))
                self.assertEqual(refused.exception.smtp_code, 530)
            # Mail for the MX's own domain needs no AUTH (that is what port 25 is for).
            with smtplib.SMTP(LOCALHOST, srv.port("mail.b.example", "smtp"), timeout=10) as s:
                s.sendmail("carol@c.example", ["bob@b.example"], MESSAGE.format(id="inbound"))
            srv.wait_for_event(kind="store", action="deliver", message_id="<inbound@a.example>")


class SecureScenarioLive(unittest.TestCase):
    def test_smtps_submission_starttls_relay_and_imaps(self):
        with ScenarioServer(SCENARIOS / "secure.json") as srv:
            ctx = unverified_tls()
            with smtplib.SMTP_SSL(LOCALHOST, srv.port("mail.a.example", "smtps"), context=ctx,
                                  timeout=10) as s:
                s.login("alice", "alice-pw")
                s.sendmail("alice@a.example", ["bob@b.example"], MESSAGE.format(id="tls-all"))
            srv.wait_for_event(kind="store", action="deliver", message_id="<tls-all@a.example>")
            events = srv.trace.refresh()
            relay_tls = [e for e in events if e["kind"] == "tls" and e.get("phase") == "established"
                         and e.get("from") == "mail.a.example"]
            self.assertTrue(relay_tls, "the relay to mail.b.example used STARTTLS")
            imap = imaplib.IMAP4_SSL(LOCALHOST, srv.port("mail.b.example", "imaps"), ssl_context=ctx)
            imap.login("bob", "bob-pw")
            imap.select("INBOX")
            typ, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            self.assertEqual(typ, "OK")
            self.assertIn(b"<tls-all@a.example>", data[0][1])
            imap.logout()


FALLBACK_AND_BOUNCE = {
    "maillab_scenario": 1,
    "title": "live fallback and bounce",
    "hosts": [
        {"name": "mail.a.example", "roles": ["submission", "imap"], "domains": ["a.example"]},
        {"name": "mx1.b.example", "roles": ["mx"], "domains": ["b.example"]},
        {"name": "mx2.b.example", "roles": ["mx", "pop3"], "domains": ["b.example"]},
        {"name": "pc", "roles": ["user_agent"]},
    ],
    "users": [{"address": "alice@a.example", "password": "pw-a"},
              {"address": "bob@b.example", "password": "pw-b"}],
    "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx1.b.example"},
                                 {"preference": 20, "host": "mx2.b.example"}]}},
    "relay": {"connect_timeout": "200ms", "retry": ["1s"]},
    "faults": [{"host": "mx1.b.example", "action": "unreachable"}],
    "script": [],
}


class FaultsLive(unittest.TestCase):
    def test_unreachable_mx_falls_back_and_unknown_user_bounces(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "fallback.json"
            path.write_text(json.dumps(FALLBACK_AND_BOUNCE))
            with ScenarioServer(path) as srv:
                with smtplib.SMTP(LOCALHOST, srv.port("mail.a.example", "submission"), timeout=10) as s:
                    s.login("alice", "pw-a")
                    s.sendmail("alice@a.example", ["bob@b.example", "nobody@b.example"],
                               MESSAGE.format(id="fallback"))
                srv.wait_for_event(kind="queue", action="removed", timeout=15)
                events = srv.trace.refresh()
                failed = [e for e in events if e["kind"] == "tcp" and e.get("action") == "connect_failed"]
                self.assertEqual(failed[0]["to"], "mx1.b.example")
                delivered = [e for e in events if e["kind"] == "queue" and e.get("action") == "delivered"]
                self.assertEqual(delivered[0]["mx"], "mx2.b.example")
                self.assertEqual(delivered[0]["delivered"], ["bob@b.example"])
                imap = imaplib.IMAP4(LOCALHOST, srv.port("mail.a.example", "imap"))
                imap.login("alice", "pw-a")
                imap.select("INBOX")
                typ, data = imap.fetch("1", "(BODY.PEEK[])")
                imap.logout()
                dsn = data[0][1].decode()
                self.assertIn("multipart/report; report-type=delivery-status", dsn)
                self.assertIn("Final-Recipient: rfc822; nobody@b.example", dsn)
                self.assertIn("Status: 5.1.1", dsn)
                self.assertIn("Remote-MTA: dns; mx2.b.example", dsn)
                self.assertIn("<fallback@a.example>", dsn)


class BadScenario(unittest.TestCase):
    def test_a_mistake_is_reported_with_file_line_and_column(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "broken.json"
            path.write_text('{\n  "maillab_scenario": 1,\n  "title": "x",\n  "hosts": [\n'
                            '    {"name": "a", "roles": ["mxx"]}\n  ],\n  "script": []\n}\n')
            run = subprocess.run([maillab_bin(), "serve", str(path)], capture_output=True,
                                 text=True, timeout=20)
            self.assertEqual(run.returncode, 1)
            self.assertIn(f"{path}:5:29: hosts[0].roles[0]: \"mxx\" is not one of", run.stderr)


if __name__ == "__main__":
    unittest.main()
