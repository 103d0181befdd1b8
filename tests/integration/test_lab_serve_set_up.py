"""`maillab lab --serve` for labs whose scenario fills a mailbox with a set-up script first: the
script runs in the simulation and its mail is copied into the live stores, so real clients find
it. Lab 03 with Python's poplib (three mails, RETR, QUIT, UPDATE); lab 04 with two imaplib
connections open at once, Bob's phone and tablet: the phone STOREs \\Seen and the tablet, still
selected, is told by the server (an untagged FETCH with \\Seen on its NOOP) - IMAP keeps two
clients in sync. Each lab process is stopped by its pid."""
from __future__ import annotations

import imaplib
import json
import os
import poplib
import queue
import re
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

from maillab_server import maillab_bin

ROOT = Path(__file__).resolve().parents[2]


class LiveLab:
    """`maillab lab LAB --serve` with its terminal read on a thread and written to by `say`."""

    def __init__(self, test: unittest.TestCase, lab: str, report: Path):
        self.proc = subprocess.Popen([maillab_bin(), "lab", str(ROOT / "labs" / lab), "--serve", "--no-explain",
                                      "--report", str(report)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=dict(os.environ, NO_COLOR="1"))
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(x) for x in self.proc.stdout], daemon=True).start()
        test.addCleanup(self.stop)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            for i, line in enumerate(self.seen):
                m = re.search(pattern, line)
                if m:
                    del self.seen[: i + 1]
                    return m
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {pattern!r} in:\n" + "".join(self.seen))
            try:
                self.seen.append(self.lines.get(timeout=remaining))
            except queue.Empty:
                pass

    def say(self, text: str) -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


class LabsWithASetUpOnRealSockets(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-lab-serve-")
        self.addCleanup(self.tmp.cleanup)
        self.report = Path(self.tmp.name) / "report.json"

    def test_lab_03_with_poplib_finds_the_set_up_mail(self):
        lab = LiveLab(self, "03-pop3-states.json", self.report)
        port = int(lab.wait_for(r"mail\.b\.example\s+pop3\s+127\.0\.0\.1:(\d+)").group(1))
        lab.wait_for(r"Question:")
        lab.say("AUTHORIZATION")
        lab.wait_for(r"Right\.")
        pop = poplib.POP3("127.0.0.1", port, timeout=20)
        pop.user("bob")
        pop.pass_("bob-pw")
        count, _ = pop.stat()
        self.assertEqual(count, 3, "the set-up's three mails are in the live mailbox")
        _, listing, _ = pop.list()
        self.assertEqual(len(listing), 3)
        _, lines, _ = pop.retr(1)
        self.assertTrue(any(b"alice" in line.lower() for line in lines), lines[:8])
        pop.quit()
        lab.wait_for(r"C: QUIT")
        lab.say(":done")
        lab.wait_for(r"Step ended: checkpoints (\d+)/\1, questions 1/1")
        lab.say(":quit")
        self.assertEqual(lab.proc.wait(timeout=20), 1)  # the other steps were not done
        report = json.loads(self.report.read_text())
        self.assertEqual(report["mode"], "live")
        first = report["steps"][0]
        self.assertTrue(all(c["passed"] for c in first["checkpoints"]), first)

    def test_lab_04_two_imap_clients_open_at_once_stay_in_sync(self):
        lab = LiveLab(self, "04-imap-flags-partial.json", self.report)
        port = int(lab.wait_for(r"mail\.b\.example\s+imap\s+127\.0\.0\.1:(\d+)").group(1))
        lab.wait_for(r"Question:")
        lab.say("AUTHENTICATED")
        lab.wait_for(r"Right\.")
        phone = imaplib.IMAP4("127.0.0.1", port, timeout=20)
        tablet = imaplib.IMAP4("127.0.0.1", port, timeout=20)
        for client in (phone, tablet):
            client.login("bob", "bob-pw")
            typ, data = client.select("INBOX")
            self.assertEqual((typ, data), ("OK", [b"1"]), "the set-up's mail is in the live INBOX")
        typ, data = tablet.fetch("1", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])
        typ, data = phone.fetch("1", "(BODY.PEEK[1])")
        self.assertEqual(typ, "OK")
        self.assertIn(b"read this first", data[0][1])
        typ, _ = phone.store("1", "+FLAGS", "(\\Seen)")
        self.assertEqual(typ, "OK")
        # The tablet, selected on the same mailbox all along, is told of the change.
        typ, _ = tablet.noop()
        self.assertEqual(typ, "OK")
        untagged = tablet.untagged_responses.get("FETCH", [])
        self.assertTrue(any(b"\\Seen" in u for u in untagged), f"no FETCH FLAGS on the tablet: {tablet.untagged_responses}")
        phone.logout()
        tablet.logout()
        lab.wait_for(r"C: \S+ LOGOUT")
        lab.say(":done")
        lab.wait_for(r"Step ended: checkpoints 4/4, questions 1/1")
        lab.say(":quit")
        lab.proc.wait(timeout=20)
        report = json.loads(self.report.read_text())
        phone_step = report["steps"][0]
        self.assertTrue(all(c["passed"] for c in phone_step["checkpoints"]), phone_step)


if __name__ == "__main__":
    unittest.main()
