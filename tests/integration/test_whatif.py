"""`maillab whatif` through the real command: a changed RCPT on the relay hop gets 550 and the
delivery expectation turns from ok to FAIL; a wrong POP3 password gets -ERR; a skipped EHLO ends
with the hanging connection explained; the branch recorded with --record is a trace whose first
events are the golden trace's and whose header names the edit; a seq that is not a client
command is refused naming what it is; --replace and --skip together are refused.

The seqs come from the golden trace of scenarios/classic.json (a scenario gives the same trace
every run). The maillab binary comes from MAILLAB_BIN (see maillab_server.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from maillab_server import maillab_bin

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "classic.jsonl"
SCENARIO = "scenarios/classic.json"


def golden_events() -> list[dict]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:] if line.strip()]


def command_seq(sender: str, prefix: str) -> int:
    for e in golden_events():
        if e["kind"] == "command" and e.get("from") == sender and e["text"].startswith(prefix):
            return e["seq"]
    raise AssertionError(f"no command {prefix!r} from {sender} in {GOLDEN}")


def whatif(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    result = subprocess.run([maillab_bin(), "whatif", SCENARIO, *args], capture_output=True,
                            text=True, timeout=60, cwd=ROOT, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"maillab whatif {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


class WhatIfCommand(unittest.TestCase):
    def test_unknown_recipient_on_the_relay_hop(self):
        seq = command_seq("mail.a.example", "RCPT TO:")
        out = whatif("--at", str(seq), "--replace", "RCPT TO:<nobody@b.example>").stdout
        self.assertIn(f"seq {seq}, mail.a.example -> mail.b.example", out)
        self.assertIn("replaced by: RCPT TO:<nobody@b.example>", out)
        self.assertIn("── Original run, connection 2 ──", out)
        self.assertIn("── What if, connection 2 ──", out)
        self.assertIn("what if: mail.a.example sends \"RCPT TO:<nobody@b.example>\"", out)
        # The paired replies: the original's 250 for bob, the branch's 550 for nobody.
        lines = out.splitlines()
        differing = [i for i, line in enumerate(lines) if line.startswith("  ≠ original: 250")]
        self.assertTrue(differing, out)
        self.assertIn("what if:  550", lines[differing[0] + 1])
        # Bob never got the mail: the delivery expectation goes from ok to FAIL.
        self.assertRegex(out, r"\[ok -> FAIL\] \* .*delivered")

    def test_wrong_pop3_password(self):
        seq = command_seq("pc.bob", "PASS ")
        out = whatif("--at", str(seq), "--replace", "PASS guess").stdout
        self.assertIn("(pop3): PASS bob-pw", out)
        self.assertRegex(out, r"≠ original: \+OK.*\n    what if:  -ERR")
        self.assertIn("Mailboxes at the end that differ:", out)
        self.assertIn("bob@b.example INBOX on mail.b.example", out)

    def test_skip_ehlo_ends_and_explains(self):
        seq = command_seq("pc.alice", "EHLO")
        result = whatif("--at", str(seq), "--skip")
        out = result.stdout
        self.assertIn("skipped: the client does not send it", out)
        self.assertIn("How the branch ended:", out)
        self.assertIn("Connection 1 (pc.alice -> mail.a.example) was still open", out)
        self.assertIn("never finishes in the branch", out)

    def test_record_writes_the_branch(self):
        seq = command_seq("pc.alice", "RCPT TO:")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "branch.jsonl"
            out = whatif("--at", str(seq), "--replace", "RCPT TO:<nobody@a.example>",
                         "--record", str(path)).stdout
            self.assertIn(f"branch trace written to {path}", out)
            lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        header, events = lines[0], lines[1:]
        self.assertEqual(header["what_if"]["original_seq"], seq)
        self.assertEqual(header["what_if"]["replacement"], "RCPT TO:<nobody@a.example>\r\n")
        golden = golden_events()
        divergence = next(i for i, e in enumerate(events) if e["explain"].startswith("world.whatif."))
        self.assertGreater(divergence, 0)
        self.assertEqual(events[:divergence], golden[:divergence])
        self.assertTrue(any(e["kind"] == "reply" and e["text"].startswith("550")
                            for e in events[divergence:]))

    def test_not_a_command(self):
        rcpt = command_seq("pc.alice", "RCPT TO:")
        reply = next(e["seq"] for e in golden_events() if e["kind"] == "reply" and e.get("cause") == rcpt)
        result = whatif("--at", str(reply), "--skip", check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn(f"seq {reply} is a reply from mail.a.example", result.stderr)
        self.assertIn("not a client command", result.stderr)
        self.assertIn(f"it answers the client command seq {rcpt}", result.stderr)

    def test_replace_and_skip_exclude_each_other(self):
        result = whatif("--at", "9", "--skip", "--replace", "HELO x", check=False)
        self.assertNotEqual(result.returncode, 0)
        result = whatif("--at", "9", check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--replace", result.stderr)


if __name__ == "__main__":
    unittest.main()
