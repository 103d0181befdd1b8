"""`maillab serve --store DIR` keeps mail, UIDLs and POP3 deletions across a SIGKILL.

Run:
    MAILLAB_BIN=/work/main/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s /work/main/tests/integration -p 'test_*.py' -v

Three servers run one after the other on the same store directory (each on new ports). Each
of the first two is killed with SIGKILL (os.kill by pid), never SIGTERM: the server gets no
chance to flush or tidy up, as in a crash. The stored bytes come from the first server's trace
(the SMTP store events), so after each restart RETR is compared with what SMTP delivered.
"""

from __future__ import annotations

import poplib
import shutil
import smtplib
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maillab_server import LOCALHOST, MaillabServer, strip_received  # noqa: E402

ALICE = "alice@example.org"
BOB, BOB_PW = "bob@example.org", "bobpw"
CRLF = b"\r\n"
TIMEOUT = 20


def make_message(n: int) -> tuple[bytes, bytes]:
    marker = uuid.uuid4().hex.encode()
    msg = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.org>\r\n"
           b"Subject: restart test " + str(n).encode() + b" " + marker + b"\r\n"
           b"Message-ID: <" + marker + b"@client.test>\r\n"
           b"\r\n"
           b"Message number " + str(n).encode() + b".\r\n"
           b".a line with a leading dot\r\n"
           b"The end.\r\n")
    return marker, msg


class StoreRestartTest(unittest.TestCase):
    def setUp(self):
        self.store = Path(tempfile.mkdtemp(prefix="maillab-store-"))
        self.addCleanup(shutil.rmtree, self.store, True)
        self.bob_dir = self.store / BOB

    # ----- helpers ---------------------------------------------------------------------------
    def start_server(self) -> MaillabServer:
        srv = MaillabServer(smtps=False, pop3=True, store_dir=self.store)
        # Registered before start(): stopped by pid even if the test fails half-way.
        self.addCleanup(srv.cleanup)
        self.addCleanup(srv.stop)
        srv.start()
        return srv

    def kill(self, srv: MaillabServer) -> None:
        rc = srv.kill()
        self.assertEqual(rc, -9, f"the server should have died of SIGKILL, status {rc}")

    def deliver(self, srv: MaillabServer, n: int) -> dict:
        marker, msg = make_message(n)
        with smtplib.SMTP(LOCALHOST, srv.smtp_port, local_hostname="client.test",
                          timeout=TIMEOUT) as s:
            self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        events = srv.delivered(BOB, marker, timeout=5.0)
        self.assertEqual(len(events), 1)
        self.assertEqual(strip_received(events[0]["raw_bytes"]), msg)
        return events[0]

    def pop(self, srv: MaillabServer) -> poplib.POP3:
        p = poplib.POP3(LOCALHOST, srv.pop3_port, timeout=TIMEOUT)
        self.addCleanup(p.close)
        p.user("bob")
        p.pass_(BOB_PW)
        return p

    @staticmethod
    def uidls(p: poplib.POP3) -> list[str]:
        _, lines, _ = p.uidl()
        out = []
        for i, line in enumerate(lines, start=1):
            number, unique_id = line.decode().split(" ", 1)
            assert int(number) == i, lines
            out.append(unique_id)
        return out

    def read_all(self, srv: MaillabServer) -> tuple[list[str], list[bytes]]:
        """(UIDLs, RETR bytes) of bob's maildrop in message-number order, in one session."""
        p = self.pop(srv)
        count, size = p.stat()
        uidls = self.uidls(p)
        self.assertEqual(len(uidls), count)
        bodies = []
        for n in range(1, count + 1):
            _, lines, _ = p.retr(n)
            bodies.append(CRLF.join(lines) + CRLF)
        self.assertEqual(size, sum(len(b) for b in bodies))  # CRLF messages: sizes are octets
        self.assertTrue(p.quit().startswith(b"+OK"))
        return uidls, bodies

    def check_maildir(self, expected: list[bytes]) -> None:
        """No file in tmp/; the messages are exactly the files in new/ and cur/."""
        for user_dir in sorted(p for p in self.store.iterdir() if p.is_dir()):
            leftovers = sorted(f.name for f in (user_dir / "tmp").iterdir())
            self.assertEqual(leftovers, [], f"files left in {user_dir / 'tmp'}")
        files = [f for sub in ("new", "cur") for f in (self.bob_dir / sub).iterdir()
                 if f.is_file()]
        self.assertEqual(sorted(f.read_bytes() for f in files), sorted(expected),
                         f"{self.bob_dir}/new and cur hold {sorted(f.name for f in files)}")

    # ----- the test --------------------------------------------------------------------------
    def test_sigkill_restart_keeps_mail_uidls_and_deletions(self):
        # Run 1: deliver three messages, read their UIDLs, SIGKILL.
        srv1 = self.start_server()
        delivered = [self.deliver(srv1, n) for n in (1, 2, 3)]
        stored = [e["raw_bytes"] for e in delivered]
        uids = [e["uid"] for e in delivered]
        self.assertEqual(uids, sorted(uids))
        uidls1, bodies1 = self.read_all(srv1)
        self.assertEqual(bodies1, stored)
        self.assertEqual(len(set(uidls1)), 3, uidls1)
        self.assertEqual([u.split(".")[1] for u in uidls1], [str(u) for u in uids])
        self.kill(srv1)
        self.check_maildir(stored)

        # Run 2: the same mail, UIDLs and bytes; delete message 2 with DELE + QUIT; SIGKILL.
        srv2 = self.start_server()
        self.assertEqual(srv2.events("store", action="deliver"), [], "nothing new delivered")
        uidls2, bodies2 = self.read_all(srv2)
        self.assertEqual(uidls2, uidls1, "UIDLs changed across the restart")
        self.assertEqual(bodies2, stored, "RETR after the restart differs from what SMTP "
                                          "delivered before it")
        self.check_maildir(stored)
        p = self.pop(srv2)
        self.assertEqual(p.stat()[0], 3)
        self.assertTrue(p.dele(2).startswith(b"+OK"))
        self.assertTrue(p.quit().startswith(b"+OK"))
        expunged = srv2.wait_events(lambda e: e.get("action") == "expunge", timeout=5.0,
                                    kind="store")
        self.assertEqual([(e["user"], e["uid"]) for e in expunged], [(BOB, uids[1])])
        self.kill(srv2)
        kept = [stored[0], stored[2]]
        self.check_maildir(kept)

        # Run 3: the deletion persisted; the other UIDLs are unchanged; a new message gets a
        # UIDL never used before (not even the deleted message's).
        srv3 = self.start_server()
        uidls3, bodies3 = self.read_all(srv3)
        self.assertEqual(uidls3, [uidls1[0], uidls1[2]])
        self.assertEqual(bodies3, kept)
        new = self.deliver(srv3, 4)
        self.assertGreater(new["uid"], max(uids))
        uidls4, bodies4 = self.read_all(srv3)
        self.assertEqual(uidls4[:2], uidls3)
        self.assertEqual(len(uidls4), 3)
        self.assertNotIn(uidls4[2], uidls1, "a UIDL was reused")
        self.assertEqual(uidls4[2].split(".")[0], uidls1[0].split(".")[0],
                         "UIDVALIDITY changed across restarts")
        self.assertEqual(bodies4, kept + [new["raw_bytes"]])
        self.check_maildir(kept + [new["raw_bytes"]])
        self.assertEqual(srv3.stop(), 0, srv3.output())


if __name__ == "__main__":
    unittest.main()
