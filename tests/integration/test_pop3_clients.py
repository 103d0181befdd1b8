"""Real POP3 clients (Python poplib, curl) against `maillab serve`.

Run:
    MAILLAB_BIN=/work/main/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s /work/main/tests/integration -p 'test_*.py' -v

One server per test class (in-memory store). Mail reaches bob@example.org through the
server's own SMTP listener (smtplib), so the SMTP store event ("deliver", with the stored
bytes) says exactly what POP3 must hand out: RETR must give those bytes back, byte for byte.
Messages are written with CRLF line ends, so the stored bytes, the POP3 sizes and the RETR
result are all the same octets.

Every POP3 session a test opens is ended in cleanup (QUIT, or a close when QUIT is not
possible) and the cleanup waits until the trace shows that session CLOSED, so the maildrop
lock is free for the next test.
"""

from __future__ import annotations

import base64
import hashlib
import poplib
import re
import shutil
import smtplib
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maillab_server import (LOCALHOST, MaillabServer, strip_received,  # noqa: E402
                            unverified_tls)

ALICE, ALICE_PW = "alice@example.org", "alicepw"
BOB, BOB_PW = "bob@example.org", "bobpw"
CRLF = b"\r\n"
TIMEOUT = 20  # seconds for any one client operation
POP3 = "pop3.server"
# Dot lines in every test message: RETR must stuff them on the wire and the client unstuff them.
DOT_BODY = (b"First line of the body.\r\n"
            b".leading dot\r\n"
            b"..two leading dots\r\n"
            b".\r\n"
            b"Last line.\r\n")


def make_message(subject: str, body: bytes = DOT_BODY) -> tuple[bytes, bytes]:
    """(marker, message bytes with CRLF line ends); the marker is unique."""
    marker = uuid.uuid4().hex.encode()
    msg = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.org>\r\n"
           b"Subject: " + subject.encode() + b" " + marker + b"\r\n"
           b"Message-ID: <" + marker + b"@client.test>\r\n"
           b"\r\n" + body)
    assert msg.endswith(CRLF)
    return marker, msg


def describe_states(events: list[dict]) -> list[str]:
    return [f"#{e.get('seq')} {e.get('from_state')}->{e.get('to_state')} ({e.get('reason')})"
            for e in events]


class Pop3TestCase(unittest.TestCase):
    server: MaillabServer

    @classmethod
    def setUpClass(cls):
        cls.server = MaillabServer(pop3=True, pop3s=True)
        # Registered before start(): the server is stopped by pid even if a later step fails.
        cls.addClassCleanup(cls.server.cleanup)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    # ----- SMTP side -------------------------------------------------------------------------
    def deliver(self, subject: str, body: bytes = DOT_BODY) -> dict:
        """Send a message to bob with smtplib; return its store event (raw_bytes, uid)."""
        marker, msg = make_message(subject, body)
        with smtplib.SMTP(LOCALHOST, self.server.smtp_port, local_hostname="client.test",
                          timeout=TIMEOUT) as s:
            self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        events = self.server.delivered(BOB, marker, timeout=5.0)
        self.assertEqual(len(events), 1, f"one store event expected for {marker!r}")
        ev = events[0]
        self.assertEqual(strip_received(ev["raw_bytes"]), msg)
        self.assertIsInstance(ev.get("uid"), int)
        return ev

    def expected_maildrop(self) -> dict[int, bytes]:
        """bob's maildrop as the trace tells it: delivered minus expunged, {uid: bytes}."""
        drop = {}
        for e in self.server.events("store"):
            if e.get("user") != BOB or e.get("mailbox") != "INBOX":
                continue
            if e.get("action") == "deliver":
                drop[e["uid"]] = e["raw_bytes"]
            elif e.get("action") == "expunge":
                drop.pop(e["uid"], None)
        return dict(sorted(drop.items()))

    # ----- POP3 side -------------------------------------------------------------------------
    def pop(self, tls: bool = False) -> poplib.POP3:
        if tls:
            p = poplib.POP3_SSL(LOCALHOST, self.server.pop3s_port, timeout=TIMEOUT,
                                context=unverified_tls())
        else:
            p = poplib.POP3(LOCALHOST, self.server.pop3_port, timeout=TIMEOUT)
        p.conn = None
        self.addCleanup(self._finish, p)
        p.conn = self.server.conn_of_client_port(p.sock.getsockname()[1])
        return p

    def _finish(self, p: poplib.POP3) -> None:
        try:
            if p.sock is not None:
                p.quit()
        except Exception:
            try:
                p.close()
            except Exception:
                pass
        if p.conn is not None:
            self.wait_closed(p.conn)

    def wait_closed(self, conn: int, timeout: float = 5.0) -> dict | None:
        found = self.server.wait_events(lambda e: e.get("to_state") == "CLOSED", timeout=timeout,
                                        kind="state", conn=conn, machine=POP3)
        return found[0] if found else None

    def login(self, user: str = "bob", password: str = BOB_PW, tls: bool = False) -> poplib.POP3:
        p = self.pop(tls)
        self.assertTrue(p.user(user).startswith(b"+OK"))
        self.assertTrue(p.pass_(password).startswith(b"+OK"))
        return p

    def states(self, conn: int) -> list[dict]:
        return self.server.events("state", conn=conn, machine=POP3)

    def notes(self, conn: int) -> set[str]:
        return {e.get("explain") for e in self.server.events("note", conn=conn)}

    @staticmethod
    def uidl_map(p: poplib.POP3) -> dict[int, str]:
        """{message number: unique id} from UIDL."""
        resp, lines, _ = p.uidl()
        out = {}
        for line in lines:
            number, uid = line.decode().split(" ", 1)
            out[int(number)] = uid
        return out

    def number_of(self, p: poplib.POP3, uid: int) -> int:
        """The message number of the stored UID in this session (UIDL is <uidvalidity>.<uid>)."""
        for number, unique_id in self.uidl_map(p).items():
            if unique_id.split(".")[-1] == str(uid):
                return number
        self.fail(f"UID {uid} not in UIDL listing {self.uidl_map(p)}")

    def expunges(self, uid: int) -> list[dict]:
        return [e for e in self.server.events("store", action="expunge")
                if e.get("uid") == uid and e.get("user") == BOB]


class PoplibTests(Pop3TestCase):
    """Python's poplib, the way a user agent uses it."""

    def setUp(self):
        # A maildrop that is never empty: every test has at least one message of its own.
        self.ev = self.deliver(self.id().rsplit(".", 1)[-1])

    def test_user_pass_login(self):
        for name in ("bob", BOB):  # the local part and the full address
            with self.subTest(user=name):
                p = self.pop()
                welcome = p.getwelcome()
                self.assertTrue(welcome.startswith(b"+OK"), welcome)
                self.assertEqual(p.user(name)[:3], b"+OK")
                resp = p.pass_(BOB_PW)
                self.assertTrue(resp.startswith(b"+OK"), resp)
                states = self.states(p.conn)
                self.assertEqual([(e["from_state"], e["to_state"], e["reason"]) for e in states],
                                 [("CONNECTED", "AUTHORIZATION", "greeting sent"),
                                  ("AUTHORIZATION", "TRANSACTION", "PASS accepted")],
                                 describe_states(states))
                self.assertTrue(p.quit().startswith(b"+OK"))
                closed = self.wait_closed(p.conn)
                self.assertIsNotNone(closed, describe_states(self.states(p.conn)))
                self.assertEqual(closed["reason"], "UPDATE done")

    def test_apop_login(self):
        p = self.pop()
        welcome = p.getwelcome()
        m = re.search(rb"<\d+\.\d+@mail\.example\.org>$", welcome)
        self.assertIsNotNone(m, f"greeting has no APOP timestamp at its end: {welcome!r}")
        resp = p.apop("bob", BOB_PW)
        self.assertTrue(resp.startswith(b"+OK"), resp)
        # What went over the wire: the digest, never the password.
        apop = self.server.events("command", conn=p.conn, verb="APOP")
        self.assertEqual(len(apop), 1)
        digest = hashlib.md5(m.group(0) + BOB_PW.encode()).hexdigest()
        self.assertEqual(apop[0]["raw_bytes"], f"APOP bob {digest}\r\n".encode())
        self.assertNotIn(BOB_PW.encode(), apop[0]["raw_bytes"])
        states = self.states(p.conn)
        self.assertEqual([(e["to_state"], e["reason"]) for e in states][-1],
                         ("TRANSACTION", "APOP accepted"), describe_states(states))
        self.assertGreaterEqual(p.stat()[0], 1)

    def test_apop_wrong_digest_refused(self):
        p = self.pop()
        with self.assertRaises(poplib.error_proto) as cm:
            p.apop("bob", "not-the-password")
        self.assertTrue(cm.exception.args[0].startswith(b"-ERR [AUTH]"), cm.exception.args)
        # The session goes on in AUTHORIZATION: the right digest works now.
        self.assertTrue(p.apop("bob", BOB_PW).startswith(b"+OK"))

    def test_auth_plain(self):
        p = self.pop()
        caps = p.capa()
        self.assertIn("PLAIN", caps.get("SASL", []), caps)
        token = base64.b64encode(b"\0bob\0" + BOB_PW.encode()).decode()
        resp = p._shortcmd(f"AUTH PLAIN {token}")
        self.assertTrue(resp.startswith(b"+OK"), resp)
        self.assertEqual(self.states(p.conn)[-1]["reason"], "AUTH PLAIN accepted")
        self.assertGreaterEqual(p.stat()[0], 1)

    def test_stat_and_list(self):
        expected = self.expected_maildrop()
        p = self.login()
        count, size = p.stat()
        # Every message here has CRLF line ends: the POP3 size is the stored size.
        self.assertEqual((count, size),
                         (len(expected), sum(len(b) for b in expected.values())),
                         "STAT differs from the deliveries minus expunges in the trace")
        resp, lines, _ = p.list()
        self.assertTrue(resp.startswith(b"+OK"), resp)
        listing = [tuple(int(x) for x in line.split()) for line in lines]
        self.assertEqual(listing,
                         [(n, len(b)) for n, b in enumerate(expected.values(), start=1)])
        # LIST n, the single-line form, for the message of this test.
        n = self.number_of(p, self.ev["uid"])
        self.assertEqual(p.list(n), f"+OK {n} {len(self.ev['raw_bytes'])}".encode())
        # A number that is not there is -ERR, and the session goes on.
        with self.assertRaises(poplib.error_proto) as cm:
            p.list(count + 1)
        self.assertTrue(cm.exception.args[0].startswith(b"-ERR"))
        self.assertEqual(p.stat(), (count, size))

    def test_uidl_identical_across_two_sessions(self):
        p1 = self.login()
        first = self.uidl_map(p1)
        single = {n: p1.uidl(n).decode().split(" ")[2] for n in first}  # "+OK n uid"
        self.assertTrue(p1.quit().startswith(b"+OK"))
        self.wait_closed(p1.conn)
        p2 = self.login()
        second = self.uidl_map(p2)
        self.assertEqual(first, second)
        self.assertEqual(first, single, "UIDL n disagrees with the UIDL listing")
        self.assertEqual(len(set(first.values())), len(first), f"UIDLs not unique: {first}")
        for uid in first.values():
            self.assertRegex(uid, r"^\d+\.\d+$")
        self.assertEqual(len({u.split(".")[0] for u in first.values()}), 1,
                         f"one UIDVALIDITY expected: {first}")
        # The UID part is the store's UID of the message.
        n = self.number_of(p2, self.ev["uid"])
        self.assertEqual(second[n].split(".")[1], str(self.ev["uid"]))

    def test_top_0_is_header_and_empty_line(self):
        p = self.login()
        n = self.number_of(p, self.ev["uid"])
        resp, lines, octets = p.top(n, 0)
        self.assertTrue(resp.startswith(b"+OK"), resp)
        stored = self.ev["raw_bytes"]
        header = stored[:stored.index(b"\r\n\r\n") + 2]
        self.assertEqual(lines, header[:-2].split(CRLF) + [b""])
        self.assertEqual(lines[-1], b"")
        self.assertEqual(octets, len(header) + 2)
        self.assertTrue(lines[0].startswith(b"Received:"), lines)
        # TOP n 1: one body line more.
        _, lines1, _ = p.top(n, 1)
        self.assertEqual(lines1, lines + [b"First line of the body."])

    def test_retr_equals_stored_bytes(self):
        p = self.login()
        n = self.number_of(p, self.ev["uid"])
        resp, lines, octets = p.retr(n)
        stored = self.ev["raw_bytes"]
        got = CRLF.join(lines) + CRLF
        self.assertEqual(got, stored, f"RETR {n} differs from what SMTP delivered")
        self.assertEqual(octets, len(stored))
        self.assertTrue(resp.startswith(b"+OK"), resp)
        # On the wire the dot lines were stuffed.
        retr = self.server.events("command", conn=p.conn, verb="RETR")
        self.assertEqual(len(retr), 1)
        replies = [e for e in self.server.events("reply", conn=p.conn)
                   if e.get("cause") == retr[0]["seq"]]
        self.assertEqual(len(replies), 1, replies)
        wire = replies[0]["raw_bytes"]
        self.assertTrue(wire.endswith(b"\r\n.\r\n"), wire[-40:])
        self.assertIn(b"\r\n..leading dot\r\n...two leading dots\r\n..\r\nLast line.\r\n.\r\n",
                      wire)
        self.assertIn("pop3.note.dot_stuffing", self.notes(p.conn))

    def test_dele_rset_quit_keeps_the_message(self):
        uid = self.ev["uid"]
        p = self.login()
        count, size = p.stat()
        n = self.number_of(p, uid)
        unique_id = self.uidl_map(p)[n]
        self.assertTrue(p.dele(n).startswith(b"+OK"))
        self.assertIn("pop3.note.marked_deleted", self.notes(p.conn))
        self.assertEqual(p.stat(), (count - 1, size - len(self.ev["raw_bytes"])))
        with self.assertRaises(poplib.error_proto) as cm:  # marked: not retrievable any more
            p.retr(n)
        self.assertTrue(cm.exception.args[0].startswith(b"-ERR"), cm.exception.args)
        self.assertTrue(p.rset().startswith(b"+OK"))
        self.assertEqual(p.stat(), (count, size))
        self.assertTrue(p.quit().startswith(b"+OK"))
        self.wait_closed(p.conn)
        self.assertEqual(self.expunges(uid), [])
        states = self.states(p.conn)
        self.assertEqual([(e["to_state"], e["reason"]) for e in states][-2:],
                         [("UPDATE", "QUIT received"), ("CLOSED", "UPDATE done")],
                         describe_states(states))
        p2 = self.login()
        self.assertEqual(p2.stat(), (count, size))
        self.assertIn(unique_id, self.uidl_map(p2).values())

    def test_dele_quit_removes_the_message(self):
        uid = self.ev["uid"]
        p = self.login()
        count, size = p.stat()
        n = self.number_of(p, uid)
        unique_id = self.uidl_map(p)[n]
        self.assertTrue(p.dele(n).startswith(b"+OK"))
        # Only marked: nothing removed before QUIT.
        self.assertEqual(self.expunges(uid), [])
        self.assertTrue(p.quit().startswith(b"+OK"))
        self.wait_closed(p.conn)
        # The trace: TRANSACTION -> UPDATE (QUIT received), the expunge, UPDATE -> CLOSED.
        states = self.states(p.conn)
        update = [e for e in states if e["to_state"] == "UPDATE"]
        self.assertEqual(len(update), 1, describe_states(states))
        self.assertEqual((update[0]["from_state"], update[0]["reason"]),
                         ("TRANSACTION", "QUIT received"))
        expunged = self.expunges(uid)
        self.assertEqual(len(expunged), 1, self.server.events("store", conn=p.conn))
        self.assertEqual(expunged[0]["conn"], p.conn)
        self.assertEqual(expunged[0]["mailbox"], "INBOX")
        closed = [e for e in states if e["to_state"] == "CLOSED"]
        self.assertEqual(len(closed), 1, describe_states(states))
        self.assertLess(update[0]["seq"], expunged[0]["seq"])
        self.assertLess(expunged[0]["seq"], closed[0]["seq"])
        self.assertEqual((closed[0]["from_state"], closed[0]["reason"]), ("UPDATE", "UPDATE done"))
        p2 = self.login()
        self.assertEqual(p2.stat(), (count - 1, size - len(self.ev["raw_bytes"])))
        self.assertNotIn(unique_id, self.uidl_map(p2).values())

    def test_commands_in_the_wrong_state_refused(self):
        p = self.pop()
        with self.assertRaises(poplib.error_proto) as cm:
            p.stat()  # before login
        resp = cm.exception.args[0]
        self.assertTrue(resp.startswith(b"-ERR"), resp)
        self.assertIn(b"is not allowed in the AUTHORIZATION state", resp)
        with self.assertRaises(poplib.error_proto) as cm:
            p.retr(1)
        self.assertIn(b"is not allowed in the AUTHORIZATION state", cm.exception.args[0])
        # The session goes on.
        self.assertTrue(p.user("bob").startswith(b"+OK"))
        self.assertTrue(p.pass_(BOB_PW).startswith(b"+OK"))
        with self.assertRaises(poplib.error_proto) as cm:
            p.user("bob")  # after login
        resp = cm.exception.args[0]
        self.assertTrue(resp.startswith(b"-ERR"), resp)
        self.assertIn(b"is not allowed in the TRANSACTION state", resp)
        with self.assertRaises(poplib.error_proto) as cm:
            p.apop("bob", BOB_PW)
        self.assertIn(b"is not allowed in the TRANSACTION state", cm.exception.args[0])
        count, _ = p.stat()
        self.assertGreaterEqual(count, 1)
        states = self.states(p.conn)
        self.assertEqual([e["to_state"] for e in states], ["AUTHORIZATION", "TRANSACTION"],
                         describe_states(states))

    def test_wrong_password_refused(self):
        p = self.pop()
        p.user("bob")
        with self.assertRaises(poplib.error_proto) as cm:
            p.pass_("not-the-password")
        resp = cm.exception.args[0]
        self.assertTrue(resp.startswith(b"-ERR [AUTH]"), resp)
        p.user("nosuchuser")
        with self.assertRaises(poplib.error_proto) as cm:
            p.pass_(BOB_PW)
        self.assertTrue(cm.exception.args[0].startswith(b"-ERR [AUTH]"), cm.exception.args)
        self.assertEqual([e["to_state"] for e in self.states(p.conn)], ["AUTHORIZATION"])
        # Still in AUTHORIZATION; STAT is refused, and the right password works.
        with self.assertRaises(poplib.error_proto):
            p.stat()
        p.user("bob")
        self.assertTrue(p.pass_(BOB_PW).startswith(b"+OK"))
        self.assertEqual(self.states(p.conn)[-1]["to_state"], "TRANSACTION")

    def test_stls_then_login(self):
        p = self.pop()
        caps = p.capa()
        self.assertIn("STLS", caps)
        resp = p.stls(context=unverified_tls())
        self.assertTrue(resp.startswith(b"+OK"), resp)
        version = p.sock.version()
        self.assertIn(version, ("TLSv1.2", "TLSv1.3"))
        self.assertNotIn("STLS", p.capa(), "STLS still offered inside TLS")
        self.assertTrue(p.user("bob").startswith(b"+OK"))
        self.assertTrue(p.pass_(BOB_PW).startswith(b"+OK"))
        n = self.number_of(p, self.ev["uid"])
        _, lines, _ = p.retr(n)
        self.assertEqual(CRLF.join(lines) + CRLF, self.ev["raw_bytes"])
        self.assertTrue(self.server.events("command", conn=p.conn, verb="STLS"))
        tls = [e for e in self.server.events("tls", conn=p.conn)
               if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1, self.server.events("tls", conn=p.conn))
        self.assertEqual(tls[0].get("version"), version)
        # PASS went inside TLS: no password-in-clear note.
        self.assertNotIn("pop3.note.password_in_clear", self.notes(p.conn))
        states = self.states(p.conn)
        self.assertEqual([e["to_state"] for e in states],
                         ["AUTHORIZATION", "TLS_HANDSHAKE", "AUTHORIZATION", "TRANSACTION"],
                         describe_states(states))

    def test_pop3s_implicit_tls(self):
        p = self.pop(tls=True)
        self.assertTrue(p.getwelcome().startswith(b"+OK"))
        self.assertNotIn("STLS", p.capa(), "STLS offered on the implicit-TLS port")
        self.assertTrue(p.user("bob").startswith(b"+OK"))
        self.assertTrue(p.pass_(BOB_PW).startswith(b"+OK"))
        n = self.number_of(p, self.ev["uid"])
        _, lines, octets = p.retr(n)
        self.assertEqual(CRLF.join(lines) + CRLF, self.ev["raw_bytes"])
        tls = [e for e in self.server.events("tls", conn=p.conn)
               if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1, self.server.events("tls", conn=p.conn))
        self.assertEqual(tls[0].get("version"), p.sock.version())
        self.assertNotIn("pop3.note.password_in_clear", self.notes(p.conn))

    def test_second_login_in_use_until_first_quits(self):
        p1 = self.login()
        count, size = p1.stat()
        p2 = self.pop()
        for name in ("bob", BOB):  # the lock is on the maildrop, whatever the login name
            p2.user(name)
            with self.assertRaises(poplib.error_proto) as cm:
                p2.pass_(BOB_PW)
            resp = cm.exception.args[0]
            self.assertTrue(resp.startswith(b"-ERR [IN-USE]"), resp)
        self.assertIn("pop3.note.maildrop_locked", self.notes(p2.conn))
        self.assertEqual([e["to_state"] for e in self.states(p2.conn)], ["AUTHORIZATION"])
        # APOP is locked out too.
        with self.assertRaises(poplib.error_proto) as cm:
            p2.apop("bob", BOB_PW)
        self.assertTrue(cm.exception.args[0].startswith(b"-ERR [IN-USE]"), cm.exception.args)
        # The first session is unaffected.
        self.assertEqual(p1.stat(), (count, size))
        self.assertTrue(p1.quit().startswith(b"+OK"))
        self.wait_closed(p1.conn)
        # The same second session logs in now.
        p2.user("bob")
        self.assertTrue(p2.pass_(BOB_PW).startswith(b"+OK"))
        self.assertEqual(p2.stat(), (count, size))
        self.assertEqual(self.states(p2.conn)[-1]["to_state"], "TRANSACTION")

    def test_dropped_connection_deletes_nothing(self):
        uid = self.ev["uid"]
        p = self.login()
        count, size = p.stat()
        n = self.number_of(p, uid)
        unique_id = self.uidl_map(p)[n]
        self.assertTrue(p.dele(n).startswith(b"+OK"))
        conn = p.conn
        p.close()  # the socket closes; no QUIT
        closed = self.wait_closed(conn)
        states = self.states(conn)
        self.assertIsNotNone(closed, describe_states(states))
        self.assertEqual((closed["from_state"], closed["reason"]),
                         ("TRANSACTION", "connection lost"), describe_states(states))
        self.assertNotIn("UPDATE", [e["to_state"] for e in states], describe_states(states))
        dropped = self.server.events("note", conn=conn, explain="pop3.note.dropped_without_quit")
        self.assertEqual(len(dropped), 1, sorted(k for k in self.notes(conn) if k))
        self.assertEqual(dropped[0].get("marked"), 1)
        self.assertEqual(self.expunges(uid), [])
        p2 = self.login()
        self.assertEqual(p2.stat(), (count, size))
        self.assertEqual(self.uidl_map(p2).get(n), unique_id)
        _, lines, _ = p2.retr(n)
        self.assertEqual(CRLF.join(lines) + CRLF, self.ev["raw_bytes"])


@unittest.skipIf(shutil.which("curl") is None, "curl is not installed")
class CurlTests(Pop3TestCase):
    """curl's POP3 client: list and retrieve; plain, STLS (--ssl-reqd) and implicit TLS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = None

    def setUp(self):
        # Message 1 has dot lines; the maildrop has at least two messages. Nothing is deleted
        # in this class, so message 1 stays the first message delivered.
        if type(self).first is None:
            type(self).first = self.deliver("curl message 1")
            self.deliver("curl message 2", body=b"Second message.\r\n")
        self.drop = self.expected_maildrop()
        self.assertEqual(next(iter(self.drop)), self.first["uid"])

    def curl(self, url: str, *extra: str) -> tuple[bytes, list[int]]:
        """Run curl; return its output and the trace conns of the connections it opened."""
        mark = self.server.last_seq()
        cmd = ["curl", "-sS", url, "-u", f"bob:{BOB_PW}", "--max-time", str(TIMEOUT), *extra]
        r = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT + 10)
        self.assertEqual(r.returncode, 0, f"{' '.join(cmd)} exited {r.returncode}: "
                                          f"{r.stderr.decode(errors='replace')}")
        connects = self.server.wait_events(lambda e: e["seq"] > mark and e.get("action") == "connect",
                                           timeout=2.0, kind="tcp")
        conns = [e["conn"] for e in connects]
        self.assertEqual(len(conns), 1, f"curl should open one connection: {connects}")
        closed = self.wait_closed(conns[0])
        self.assertIsNotNone(closed, describe_states(self.states(conns[0])))
        return r.stdout, conns

    def check_session(self, conn: int, tls: str | None) -> None:
        states = self.states(conn)
        to_states = [e["to_state"] for e in states]
        self.assertIn("TRANSACTION", to_states, describe_states(states))
        self.assertEqual(states[-1]["reason"], "UPDATE done", describe_states(states))
        established = [e for e in self.server.events("tls", conn=conn)
                       if e.get("phase") == "established"]
        if tls is None:
            self.assertEqual(established, [])
        else:
            self.assertEqual(len(established), 1, self.server.events("tls", conn=conn))
            self.assertIn(established[0].get("version"), ("TLSv1.2", "TLSv1.3"))
            stls = self.server.events("command", conn=conn, verb="STLS")
            self.assertEqual(len(stls), 1 if tls == "stls" else 0)
            self.assertNotIn("pop3.note.password_in_clear", self.notes(conn))

    def check_list(self, out: bytes) -> None:
        listing = [tuple(int(x) for x in line.split()) for line in out.splitlines()]
        self.assertEqual(listing,
                         [(n, len(b)) for n, b in enumerate(self.drop.values(), start=1)],
                         out)

    def check_retr(self, out: bytes) -> None:
        stored = self.first["raw_bytes"]
        self.assertEqual(out, stored, "curl's message 1 differs from what SMTP delivered")

    def test_curl_list(self):
        out, conns = self.curl(f"pop3://{LOCALHOST}:{self.server.pop3_port}/")
        self.check_list(out)
        self.check_session(conns[0], None)
        self.assertTrue(self.server.events("command", conn=conns[0], verb="LIST"))

    def test_curl_retr(self):
        out, conns = self.curl(f"pop3://{LOCALHOST}:{self.server.pop3_port}/1")
        self.check_retr(out)
        self.check_session(conns[0], None)
        retr = self.server.events("command", conn=conns[0], verb="RETR")
        self.assertEqual([e["args"] for e in retr], ["1"])

    def test_curl_stls_list(self):
        out, conns = self.curl(f"pop3://{LOCALHOST}:{self.server.pop3_port}/", "--ssl-reqd", "-k")
        self.check_list(out)
        self.check_session(conns[0], "stls")

    def test_curl_stls_retr(self):
        out, conns = self.curl(f"pop3://{LOCALHOST}:{self.server.pop3_port}/1",
                               "--ssl-reqd", "-k")
        self.check_retr(out)
        self.check_session(conns[0], "stls")

    def test_curl_pop3s_list(self):
        out, conns = self.curl(f"pop3s://{LOCALHOST}:{self.server.pop3s_port}/", "-k")
        self.check_list(out)
        self.check_session(conns[0], "implicit")

    def test_curl_pop3s_retr(self):
        out, conns = self.curl(f"pop3s://{LOCALHOST}:{self.server.pop3s_port}/1", "-k")
        self.check_retr(out)
        self.check_session(conns[0], "implicit")


if __name__ == "__main__":
    unittest.main()
