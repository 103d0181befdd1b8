"""The seed's own Java POP3 client (POP3Demo from seed 003) retrieving what SMTPDemo sent.

Both classes are cut out of the seed text at test time (seed_java.py) and changed only where
the seed's own comments tell its users to change them. POP3Demo: POP3Server -> "127.0.0.1",
USERNAME -> "bob", PASSWORD -> bob's password, `int POP3Port = 110;` -> the server's POP3
port; and the page's HTML residue "</xxx></xxx>" after the for loop's closing brace is
stripped (exactly that string: it is what is left of the page's `<xxx>` placeholders, not Java).

What stays is what makes POP3Demo a sloppy client: lowercase verbs, LF line ends from println,
and no QUIT at all: after the last "." it closes the socket, so the session never reaches
UPDATE and nothing may be deleted.

Run:
    MAILLAB_BIN=/work/main/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s /work/main/tests/integration -p 'test_*.py' -v
Environment: MAILLAB_SEEDS (default <repo>/../shared/seeds).
"""

from __future__ import annotations

import poplib
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maillab_server import LOCALHOST, MaillabServer, strip_received  # noqa: E402
from seed_java import (compile_java, extract_pop3demo, extract_smtpdemo,  # noqa: E402
                       require_java, run_java, seed_text, substitute_pop3demo,
                       substitute_smtpdemo)

BOB, BOB_PW = "bob@example.org", "bobpw"
POP3 = "pop3.server"
# What SMTPDemo sends (Java println: bare LFs), as test_seed_smtpdemo.py checks it is stored.
SMTPDEMO_MESSAGE = b"subject: \xe4\xbd\xa0\xe5\xa5\xbd\nni hao\nwo shi li jian\n"
SMTPDEMO_LINES = ["subject: 你好", "ni hao", "wo shi li jian"]


def describe_states(events: list[dict]) -> list[str]:
    return [f"#{e.get('seq')} {e.get('from_state')}->{e.get('to_state')} ({e.get('reason')})"
            for e in events]


class SeedPop3DemoTest(unittest.TestCase):
    server: MaillabServer

    @classmethod
    def setUpClass(cls):
        require_java()
        text = seed_text()
        cls.server = MaillabServer(smtps=False, pop3=True)
        cls.addClassCleanup(cls.server.cleanup)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

        cls.java_dir = Path(tempfile.mkdtemp(prefix="maillab-seed-"))
        cls.addClassCleanup(shutil.rmtree, cls.java_dir, True)
        compile_java(cls.java_dir, {
            "SMTPDemo": substitute_smtpdemo(extract_smtpdemo(text), cls.server.smtp_port),
            "POP3Demo": substitute_pop3demo(extract_pop3demo(text), cls.server.pop3_port,
                                            "bob", BOB_PW),
        })

        # 1. SMTPDemo sends; it does not wait for the server after "data", so poll the trace
        #    for the delivery and for the end of that SMTP session before POP3Demo runs.
        cls.smtp_result = run_java(cls.java_dir, "SMTPDemo")
        store = cls.server.delivered(BOB, b"wo shi li jian", timeout=10.0)
        cls.store = store[0] if store else None
        if cls.store is not None:
            cls.server.wait_events(lambda e: e.get("to_state") == "CLOSED", timeout=5.0,
                                   kind="state", conn=cls.store["conn"])

        # 2. POP3Demo retrieves.
        cls.pop_result = run_java(cls.java_dir, "POP3Demo")
        cls.stdout = cls.pop_result.stdout.decode("utf-8", errors="replace")
        cls.conn = None
        for e in cls.server.events("command"):
            if e.get("proto") == "pop3" and e.get("raw_bytes") == b"user bob\n":
                cls.conn = e["conn"]
        if cls.conn is not None:
            cls.server.wait_events(lambda e: e.get("to_state") == "CLOSED", timeout=5.0,
                                   kind="state", conn=cls.conn, machine=POP3)

    def setUp(self):
        self.assertEqual(self.smtp_result.returncode, 0,
                         self.smtp_result.stderr.decode(errors="replace"))
        self.assertIsNotNone(self.store, "SMTPDemo's message was not delivered to bob; "
                             f"output:\n{self.smtp_result.stdout.decode(errors='replace')}")
        self.assertEqual(strip_received(self.store["raw_bytes"]), SMTPDEMO_MESSAGE)

    def test_pop3demo_prints_the_smtpdemo_message(self):
        self.assertEqual(self.pop_result.returncode, 0,
                         self.pop_result.stderr.decode(errors="replace"))
        self.assertNotIn("Exception", self.stdout)
        lines = self.stdout.splitlines()
        s_lines = [line for line in lines if line.startswith("S:")]
        # Three readLine() calls printed with "S:": greeting, user, pass.
        self.assertEqual(len(s_lines), 3, self.stdout)
        for line in s_lines:
            self.assertTrue(line.startswith("S:+OK"), s_lines)
        # One message in the maildrop: one heading, then the RETR response up to ".".
        heading = "以下为第1封邮件的内容"
        self.assertEqual([line for line in lines if line.startswith("以下为第")], [heading],
                         self.stdout)
        after = lines[lines.index(heading) + 1:]
        self.assertTrue(after and after[0].startswith("+OK"), self.stdout)
        self.assertIn(".", after, self.stdout)
        message = after[1:after.index(".")]
        # The stored message is the Received: header the SMTP server added, then SMTPDemo's
        # lines; POP3 sent it with CRLF, and Java's readLine() took the line ends off.
        stored_lines = self.store["raw_bytes"].decode("utf-8").replace("\r\n", "\n").split("\n")
        self.assertEqual(stored_lines[-1], "")
        self.assertEqual(message, stored_lines[:-1], self.stdout)
        positions = [message.index(line) for line in SMTPDEMO_LINES]
        self.assertEqual(positions, sorted(positions), message)
        self.assertEqual(message[-3:], SMTPDEMO_LINES, message)

    def test_commands_as_the_seed_sends_them(self):
        self.assertIsNotNone(self.conn, f"no POP3 session with 'user bob' in the trace; "
                                        f"POP3Demo output:\n{self.stdout}")
        cmds = [e["raw_bytes"] for e in self.server.events("command", conn=self.conn)]
        self.assertEqual(cmds, [b"user bob\n", b"pass " + BOB_PW.encode() + b"\n",
                                b"stat\n", b"retr 1\n"])
        replies = [e.get("status") for e in self.server.events("reply", conn=self.conn)]
        self.assertEqual(replies, ["+OK"] * 5, replies)  # greeting, user, pass, stat, retr

    def test_session_reached_transaction_and_ended_without_update(self):
        self.assertIsNotNone(self.conn)
        states = self.server.events("state", conn=self.conn, machine=POP3)
        self.assertEqual([(e["from_state"], e["to_state"], e["reason"]) for e in states],
                         [("CONNECTED", "AUTHORIZATION", "greeting sent"),
                          ("AUTHORIZATION", "TRANSACTION", "PASS accepted"),
                          ("TRANSACTION", "CLOSED", "connection lost")],
                         describe_states(states))
        self.assertEqual(self.server.events("store", conn=self.conn), [])
        keys = {e.get("explain") for e in self.server.events("note", conn=self.conn)}
        self.assertIn("pop3.note.dropped_without_quit", keys, sorted(k for k in keys if k))

    def test_teaching_notes(self):
        self.assertIsNotNone(self.conn)
        keys = {e.get("explain") for e in self.server.events("note", conn=self.conn)}
        for key in ("pop3.note.bare_lf", "pop3.note.lowercase_verb"):
            self.assertIn(key, keys, f"note {key} missing; notes on conn {self.conn}: "
                                     f"{sorted(k for k in keys if k)}")

    def test_message_still_in_the_maildrop(self):
        self.assertIsNotNone(self.conn)
        p = poplib.POP3(LOCALHOST, self.server.pop3_port, timeout=20)
        try:
            p.user("bob")
            p.pass_(BOB_PW)
            stored = self.store["raw_bytes"]
            # The POP3 size counts every line end as CRLF.
            size = len(stored) + stored.count(b"\n") - stored.count(b"\r\n")
            self.assertEqual(p.stat(), (1, size))
            _, lines, _ = p.retr(1)
            self.assertEqual(b"\r\n".join(lines) + b"\r\n",
                             stored.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            self.assertTrue(p.quit().startswith(b"+OK"))
        finally:
            p.close()


if __name__ == "__main__":
    unittest.main()
