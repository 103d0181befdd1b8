"""The seed's own Java client (SMTPDemo from seed 003) against `maillab serve`.

The class is cut out of the seed text at test time and changed only where the seed's own
comment tells its users to change it (sender, receiver, server, port). Everything that makes
it a sloppy client stays: lowercase verbs, `helo` without a domain, LF line ends from
println, a header with 8-bit text and no blank line after it, and data / . / rset / quit
written without reading any reply (the socket is closed right after `quit`).

Run:
    MAILLAB_BIN=/work/main/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s /work/main/tests/integration -p 'test_*.py' -v
Environment: MAILLAB_SEEDS (default <repo>/../shared/seeds).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maillab_server import MaillabServer, strip_received  # noqa: E402
from seed_java import (compile_java, extract_smtpdemo, require_java, run_java,  # noqa: E402
                       seed_text, substitute_smtpdemo)

BOB = "bob@example.org"
# Java's println ends lines with line.separator, "\n" on Linux: the seed sends bare LFs and
# maillab keeps the message text exactly as received (after the lenient end-of-data ".\n").
EXPECTED_MESSAGE = b"subject: \xe4\xbd\xa0\xe5\xa5\xbd\nni hao\nwo shi li jian\n"
EXPECTED_WIRE_DATA = EXPECTED_MESSAGE + b".\n"


class SeedSmtpDemoTest(unittest.TestCase):
    server: MaillabServer

    @classmethod
    def setUpClass(cls):
        require_java()
        cls.seed_text = seed_text()
        cls.server = MaillabServer(smtps=False)  # --smtps-port 0: that listener is off
        cls.addClassCleanup(cls.server.cleanup)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

        cls.java_dir = Path(tempfile.mkdtemp(prefix="maillab-seed-"))
        cls.addClassCleanup(shutil.rmtree, cls.java_dir, True)
        compile_java(cls.java_dir, {"SMTPDemo": substitute_smtpdemo(
            extract_smtpdemo(cls.seed_text), cls.server.smtp_port)})
        cls.run_result = run_java(cls.java_dir, "SMTPDemo")
        cls.stdout = cls.run_result.stdout.decode("utf-8", errors="replace")

        # The client does not wait for the server after "data": find its delivery (polling),
        # then its connection, then wait for that session to end.
        store = cls.server.delivered(BOB, b"wo shi li jian", timeout=10.0)
        cls.store = store[0] if store else None
        cls.conn = cls.store["conn"] if cls.store else None
        if cls.conn is not None:
            cls.server.wait_events(lambda e: e.get("to_state") == "CLOSED",
                                   timeout=5.0, kind="state", conn=cls.conn)

    def test_java_client_ran_and_printed_replies(self):
        self.assertEqual(self.run_result.returncode, 0,
                         self.run_result.stderr.decode(errors="replace"))
        s_lines = [l for l in self.stdout.splitlines() if l.startswith("S:")]
        # Four readLine() calls: greeting, helo, mail from, rcpt to.
        self.assertEqual(len(s_lines), 4, self.stdout)
        self.assertTrue(s_lines[0].startswith("S:220"), s_lines)
        for line in s_lines[1:]:
            self.assertTrue(line.startswith("S:250"), s_lines)
        self.assertNotIn("Exception", self.stdout)

    def test_message_stored_exactly(self):
        self.assertIsNotNone(self.store, "no store event for bob@example.org from SMTPDemo; "
                             f"client output:\n{self.stdout}")
        self.assertEqual(self.store.get("mailbox"), "INBOX")
        self.assertEqual(strip_received(self.store["raw_bytes"]), EXPECTED_MESSAGE)
        # What the client actually put on the wire between DATA and the end mark.
        data = self.server.events("data", conn=self.conn)
        self.assertEqual(len(data), 1, data)
        self.assertEqual(data[0]["raw_bytes"], EXPECTED_WIRE_DATA)

    def test_commands_as_the_seed_sends_them(self):
        self.assertIsNotNone(self.conn)
        cmds = [e["raw_bytes"] for e in self.server.events("command", conn=self.conn)]
        self.assertEqual(cmds, [b"helo\n",
                                b"mail from: <alice@example.org>\n",
                                b"rcpt to: <bob@example.org>\n",
                                b"data\n",
                                b"rset\n",
                                b"quit\n"])

    def test_teaching_notes(self):
        self.assertIsNotNone(self.conn)
        keys = {e.get("explain") for e in self.server.events("note", conn=self.conn)}
        for key in ("smtp.note.helo_without_domain", "smtp.note.lowercase_verb",
                    "smtp.note.bare_lf", "smtp.note.header_8bit",
                    "smtp.note.no_blank_line_after_header"):
            self.assertIn(key, keys, f"note {key} missing; notes on conn {self.conn}: "
                                     f"{sorted(k for k in keys if k)}")

    def test_session_closed_by_quit(self):
        self.assertIsNotNone(self.conn)
        states = self.server.events("state", conn=self.conn)
        closed = [e for e in states if e.get("to_state") == "CLOSED"]
        self.assertTrue(closed, [f"{e.get('from_state')}->{e.get('to_state')} "
                                 f"({e.get('reason')})" for e in states])
        self.assertEqual(closed[0].get("reason"), "QUIT",
                         [f"{e.get('from_state')}->{e.get('to_state')} ({e.get('reason')})"
                          for e in states])
        replies = [e.get("code") for e in self.server.events("reply", conn=self.conn)]
        self.assertEqual(replies, [220, 250, 250, 250, 354, 250, 250, 221], replies)


if __name__ == "__main__":
    unittest.main()
