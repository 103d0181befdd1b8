"""Real SMTP clients (Python smtplib, raw sockets, curl) against `maillab serve`.

Run:
    MAILLAB_BIN=/work/main/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s /work/main/tests/integration -p 'test_*.py' -v

One server per test class. Every test sends its own message, marked with a uuid in the
Subject and Message-ID, and finds its own store events in the trace by that marker.
Messages are given to the clients as bytes that already use CRLF and end in CRLF, so the
only change a client makes on the wire is dot-stuffing, which the server undoes: the stored
bytes minus the server's Received: header must equal the bytes the client was given.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maillab_server import LOCALHOST, MaillabServer, strip_received  # noqa: E402

ALICE, ALICE_PW = "alice@example.org", "alicepw"
BOB, BOB_PW = "bob@example.org", "bobpw"
FOREIGN = "someone@elsewhere.test"
CRLF = b"\r\n"
TIMEOUT = 20  # seconds for any one client operation


def unverified_tls() -> ssl.SSLContext:
    """The server's certificate is self-signed: the clients must not verify it."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def make_message(body: bytes = b"Hello Bob.\r\n", subject: str = "test",
                 extra_headers: bytes = b"") -> tuple[bytes, bytes]:
    """(marker, message bytes); the marker is unique and sits in Subject and Message-ID."""
    tag = uuid.uuid4().hex
    marker = tag.encode()
    msg = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.org>\r\n"
           b"Subject: " + subject.encode() + b" " + marker + b"\r\n"
           b"Message-ID: <" + marker + b"@client.test>\r\n"
           + extra_headers +
           b"\r\n" + body)
    assert msg.endswith(CRLF)
    return marker, msg


class RawSmtp:
    """A bare socket SMTP client, for what smtplib will not send."""

    def __init__(self, port: int):
        self.sock = socket.create_connection((LOCALHOST, port), timeout=TIMEOUT)
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    @property
    def local_port(self) -> int:
        return self.sock.getsockname()[1]

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> tuple[int, list[bytes]]:
        lines = []
        while True:
            line = self.file.readline(65536)
            if not line:
                raise ConnectionError(f"connection closed; reply so far {lines!r}")
            lines.append(line.rstrip(b"\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]), lines

    def cmd(self, line: bytes) -> tuple[int, list[bytes]]:
        self.send(line + CRLF)
        return self.reply()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


class ServerTestCase(unittest.TestCase):
    server: MaillabServer

    @classmethod
    def setUpClass(cls):
        cls.server = MaillabServer()
        # Registered before start(): the server is stopped by pid even if a later step fails.
        cls.addClassCleanup(cls.server.cleanup)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    # ----- helpers ---------------------------------------------------------------------------
    def smtp(self) -> smtplib.SMTP:
        s = smtplib.SMTP(LOCALHOST, self.server.smtp_port, local_hostname="client.test",
                         timeout=TIMEOUT)
        self.addCleanup(self._close, s)
        return s

    def smtp_ssl(self) -> smtplib.SMTP_SSL:
        s = smtplib.SMTP_SSL(LOCALHOST, self.server.smtps_port, local_hostname="client.test",
                             timeout=TIMEOUT, context=unverified_tls())
        self.addCleanup(self._close, s)
        return s

    def raw(self, port: int | None = None) -> RawSmtp:
        r = RawSmtp(port or self.server.smtp_port)
        self.addCleanup(r.close)
        return r

    @staticmethod
    def _close(s: smtplib.SMTP) -> None:
        try:
            s.close()
        except Exception:
            pass

    def conn_of(self, s) -> int:
        sock = s.sock if hasattr(s, "sock") else s
        return self.server.conn_of_client_port(sock.getsockname()[1])

    def assert_delivered_exactly(self, user: str, marker: bytes, sent: bytes) -> dict:
        """Exactly one store event for user carries marker, and its bytes minus the first
        Received: header equal the bytes sent."""
        events = self.server.delivered(user, marker, timeout=5.0)
        self.assertEqual(len(events), 1,
                         f"expected one delivery to {user} of message {marker!r}, "
                         f"trace has {len(events)}")
        ev = events[0]
        self.assertEqual(ev.get("mailbox"), "INBOX")
        self.assertIsInstance(ev.get("uid"), int)
        stored = ev["raw_bytes"]
        self.assertEqual(ev.get("size"), len(stored), "store event size != stored bytes")
        body = strip_received(stored)
        if body != sent:
            self.fail(f"stored bytes differ from sent bytes for {user}: first difference at "
                      f"offset {_first_diff(body, sent)}; stored[:200]={body[:200]!r} "
                      f"sent[:200]={sent[:200]!r} (len stored {len(body)}, sent {len(sent)})")
        return ev


def _first_diff(a: bytes, b: bytes) -> int:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


class SmtplibTests(ServerTestCase):
    """Python's smtplib, the way a user agent uses it."""

    def test_ehlo_advertises_extensions(self):
        s = self.smtp()
        code, text = s.ehlo()
        self.assertEqual(code, 250, text)
        lines = text.decode().split("\n")
        keywords = [line.split(" ")[0].upper() for line in lines[1:]]
        for kw in ("PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES", "AUTH",
                   "STARTTLS", "HELP"):
            self.assertIn(kw, keywords, f"EHLO reply lacks {kw}: {lines}")
        self.assertEqual(s.esmtp_features.get("size"), "33554432")
        self.assertEqual(set(s.esmtp_features.get("auth", "").upper().split()),
                         {"PLAIN", "LOGIN"})
        for kw in ("pipelining", "8bitmime", "enhancedstatuscodes", "starttls", "help"):
            self.assertTrue(s.has_extn(kw), kw)

    def test_smtps_ehlo_does_not_offer_starttls(self):
        s = self.smtp_ssl()
        code, text = s.ehlo()
        self.assertEqual(code, 250, text)
        self.assertFalse(s.has_extn("starttls"), f"STARTTLS offered inside TLS: {text!r}")
        self.assertTrue(s.has_extn("auth"))
        self.assertTrue(s.has_extn("8bitmime"))

    def test_local_delivery_without_auth(self):
        # The server is the MX for example.org: mail to a local user needs no AUTH.
        marker, msg = make_message(subject="unauthenticated")
        s = self.smtp()
        s.ehlo()
        self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        self.assert_delivered_exactly(BOB, marker, msg)

    def test_auth_plain_and_send(self):
        s = self.smtp()
        s.ehlo()
        s.user, s.password = "alice", ALICE_PW  # local part is accepted as the login name
        code, text = s.auth("PLAIN", s.auth_plain)
        self.assertEqual(code, 235, text)
        conn = self.conn_of(s)
        auth_cmds = self.server.events("command", conn=conn, verb="AUTH")
        self.assertTrue(auth_cmds and auth_cmds[0]["args"].upper().startswith("PLAIN"),
                        auth_cmds)
        marker, msg = make_message(subject="auth plain")
        self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        self.assert_delivered_exactly(BOB, marker, msg)

    def test_auth_login_and_send(self):
        # smtplib's two ways: AUTH LOGIN with the user name as initial response, and the
        # classic three-step exchange (334 Username / 334 Password).
        for initial_response_ok in (True, False):
            with self.subTest(initial_response_ok=initial_response_ok):
                s = self.smtp()
                s.ehlo()
                s.user, s.password = ALICE, ALICE_PW  # the full address works too
                code, text = s.auth("LOGIN", s.auth_login,
                                    initial_response_ok=initial_response_ok)
                self.assertEqual(code, 235, text)
                marker, msg = make_message(subject=f"auth login {initial_response_ok}")
                self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
                self.assert_delivered_exactly(BOB, marker, msg)
                s.quit()

    def test_login_picks_a_mechanism(self):
        s = self.smtp()
        s.ehlo()
        code, text = s.login("bob", BOB_PW)
        self.assertEqual(code, 235, text)

    def test_auth_wrong_password_is_535(self):
        for mech in ("PLAIN", "LOGIN"):
            with self.subTest(mechanism=mech):
                s = self.smtp()
                s.ehlo()
                s.user, s.password = "alice", "not-the-password"
                obj = s.auth_plain if mech == "PLAIN" else s.auth_login
                with self.assertRaises(smtplib.SMTPAuthenticationError) as cm:
                    s.auth(mech, obj)
                self.assertEqual(cm.exception.smtp_code, 535, cm.exception.smtp_error)
                # The session survives a failed AUTH.
                self.assertEqual(s.noop()[0], 250)
        s = self.smtp()
        s.ehlo()
        with self.assertRaises(smtplib.SMTPAuthenticationError) as cm:
            s.login("alice", "wrong")
        self.assertEqual(cm.exception.smtp_code, 535)

    def test_starttls_ehlo_auth_send(self):
        s = self.smtp()
        s.ehlo()
        self.assertTrue(s.has_extn("starttls"))
        conn = self.conn_of(s)
        code, text = s.starttls(context=unverified_tls())
        self.assertEqual(code, 220, text)
        client_version = s.sock.version()
        self.assertIn(client_version, ("TLSv1.2", "TLSv1.3"))
        code, text = s.ehlo()
        self.assertEqual(code, 250, text)
        self.assertFalse(s.has_extn("starttls"),
                         f"STARTTLS still offered after TLS was established: {text!r}")
        self.assertEqual(s.login("alice", ALICE_PW)[0], 235)
        marker, msg = make_message(subject="starttls")
        self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        self.assert_delivered_exactly(BOB, marker, msg)

        tls = [e for e in self.server.events("tls", conn=conn) if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1, self.server.events("tls", conn=conn))
        self.assertIn(tls[0].get("version"), ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(tls[0].get("version"), client_version)
        self.assertTrue(tls[0].get("cipher"))

    def test_smtps_implicit_tls_send(self):
        s = self.smtp_ssl()
        conn = self.conn_of(s)
        self.assertEqual(s.ehlo()[0], 250)
        self.assertEqual(s.login("alice", ALICE_PW)[0], 235)
        marker, msg = make_message(subject="smtps")
        self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        self.assert_delivered_exactly(BOB, marker, msg)
        tls = [e for e in self.server.events("tls", conn=conn) if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1)
        self.assertIn(tls[0].get("version"), ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(tls[0].get("version"), s.sock.version())

    def test_several_recipients_one_transaction(self):
        marker, msg = make_message(subject="two recipients",
                                   extra_headers=b"Cc: alice@example.org\r\n")
        s = self.smtp()
        s.ehlo()
        self.assertEqual(s.sendmail(ALICE, [BOB, ALICE], msg), {})
        conn = self.conn_of(s)
        data_cmds = self.server.events("command", conn=conn, verb="DATA")
        self.assertEqual(len(data_cmds), 1, "one transaction, one DATA")
        ev_bob = self.assert_delivered_exactly(BOB, marker, msg)
        ev_alice = self.assert_delivered_exactly(ALICE, marker, msg)
        self.assertIsNot(ev_bob, ev_alice)
        self.assertNotEqual(ev_bob["seq"], ev_alice["seq"])

    def test_8bitmime_utf8_body(self):
        body = ("你好，鲍勃。\r\n这是一封用 UTF-8 写的中文邮件，正文是八位的。\r\n"
                "电子邮件协议：SMTP、POP3、IMAP。\r\n").encode("utf-8")
        marker, msg = make_message(
            body=body, subject="8bit",
            extra_headers=b"MIME-Version: 1.0\r\n"
                          b"Content-Type: text/plain; charset=utf-8\r\n"
                          b"Content-Transfer-Encoding: 8bit\r\n")
        s = self.smtp()
        s.ehlo()
        self.assertTrue(s.has_extn("8bitmime"))
        self.assertEqual(s.sendmail(ALICE, [BOB], msg, mail_options=["BODY=8BITMIME"]), {})
        conn = self.conn_of(s)
        mail = self.server.events("command", conn=conn, verb="MAIL")
        self.assertEqual(len(mail), 1)
        self.assertIn("BODY=8BITMIME", mail[0]["args"].upper())
        self.assert_delivered_exactly(BOB, marker, msg)

    def test_5mb_message(self):
        line_no = 0
        parts = []
        size = 0
        while size < 5 * 1024 * 1024:
            line = (f"{line_no:07d} the quick brown fox jumps over the lazy dog "
                    f"{'abcdefghij'[line_no % 10] * 20}\r\n").encode()
            if line_no % 1000 == 999:
                line = b"." + line  # a few dot lines inside the big body too
            parts.append(line)
            size += len(line)
            line_no += 1
        marker, msg = make_message(body=b"".join(parts), subject="5 MB")
        self.assertGreaterEqual(len(msg), 5 * 1024 * 1024)
        s = self.smtp()
        s.ehlo()
        self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        self.assert_delivered_exactly(BOB, marker, msg)

    def test_dot_stuffing_round_trip(self):
        body = (b"A line before.\r\n"
                b".\r\n"                     # a line that is a single dot
                b".leading dot\r\n"
                b"..two leading dots\r\n"
                b"...\r\n"
                b"  .\r\n"                   # not at line start: no stuffing
                b"end.\r\n"
                b".\r\n")                    # a lone dot as the last line of the message
        marker, msg = make_message(body=body, subject="dots")
        s = self.smtp()
        s.ehlo()
        self.assertEqual(s.sendmail(ALICE, [BOB], msg), {})
        conn = self.conn_of(s)
        self.assert_delivered_exactly(BOB, marker, msg)
        # On the wire each of those lines carried one more dot.
        data = self.server.events("data", conn=conn)
        self.assertEqual(len(data), 1)
        wire = data[0]["raw_bytes"]
        self.assertIn(b"\r\n..\r\n..leading dot\r\n...two leading dots\r\n....\r\n", wire)
        self.assertTrue(wire.endswith(b"\r\n..\r\n.\r\n"), wire[-40:])


class ErrorReplyTests(ServerTestCase):
    """Replies a strict client must see; the session goes on after each error."""

    def test_mail_before_ehlo_is_503(self):
        s = self.smtp()
        code, text = s.docmd("MAIL", f"FROM:<{ALICE}>")
        self.assertEqual(code, 503, text)

    def test_unknown_command_is_500(self):
        s = self.smtp()
        s.ehlo()
        code, text = s.docmd("FROBNICATE", "now")
        self.assertEqual(code, 500, text)
        self.assertEqual(s.noop()[0], 250)

    def test_mail_bad_syntax_is_501(self):
        s = self.smtp()
        s.ehlo()
        code, text = s.docmd("MAIL FROM:bad syntax <")
        self.assertEqual(code, 501, text)
        self.assertEqual(s.docmd("MAIL", f"FROM:<{ALICE}>")[0], 250)

    def test_overlong_line_is_500_and_session_goes_on(self):
        r = self.raw()
        self.assertEqual(r.greeting[0], 220)
        self.assertEqual(r.cmd(b"EHLO client.test")[0], 250)
        line = b"NOOP " + b"x" * (1500 - 5 - 2) + CRLF
        self.assertEqual(len(line), 1500)
        r.send(line)
        code, text = r.reply()
        self.assertEqual(code, 500, text)
        code, text = r.cmd(b"NOOP")
        self.assertEqual(code, 250, text)
        code, text = r.cmd(b"MAIL FROM:<alice@example.org>")
        self.assertEqual(code, 250, text)

    def test_size_too_big_is_552(self):
        s = self.smtp()
        s.ehlo()
        code, text = s.docmd("MAIL", f"FROM:<{ALICE}> SIZE=999999999")
        self.assertEqual(code, 552, text)
        # within the limit is fine
        self.assertEqual(s.docmd("MAIL", f"FROM:<{ALICE}> SIZE=1000")[0], 250)

    def test_rcpt_unknown_local_user_is_550(self):
        s = self.smtp()
        s.ehlo()
        self.assertEqual(s.mail(ALICE)[0], 250)
        code, text = s.rcpt("nosuch@example.org")
        self.assertEqual(code, 550, text)
        self.assertEqual(s.rcpt(BOB)[0], 250)

    def test_foreign_rcpt_without_auth_is_554(self):
        s = self.smtp()
        s.ehlo()
        self.assertEqual(s.mail(ALICE)[0], 250)
        code, text = s.rcpt(FOREIGN)
        self.assertEqual(code, 554, text)
        self.assertTrue(text.startswith(b"5.7.1"), text)

    def test_foreign_rcpt_with_auth_is_queued(self):
        s = self.smtp()
        s.ehlo()
        self.assertEqual(s.login("alice", ALICE_PW)[0], 235)
        conn = self.conn_of(s)
        self.assertEqual(s.mail(ALICE)[0], 250)
        code, text = s.rcpt(FOREIGN)
        self.assertEqual(code, 250, text)
        marker, msg = make_message(subject="relay")
        code, text = s.data(msg)
        self.assertEqual(code, 250, text)
        queued = self.server.wait_events(lambda e: marker in e.get("raw_bytes", b""),
                                         timeout=5.0, kind="queue", conn=conn)
        self.assertEqual(len(queued), 1, self.server.events("queue"))
        self.assertEqual(strip_received(queued[0]["raw_bytes"]), msg)
        # and nothing was stored locally for it
        self.assertEqual([e for e in self.server.events("store")
                          if marker in e.get("raw_bytes", b"")], [])

    def test_data_before_rcpt_is_503(self):
        s = self.smtp()
        s.ehlo()
        code, text = s.docmd("DATA")
        self.assertEqual(code, 503, text)  # before MAIL
        self.assertEqual(s.mail(ALICE)[0], 250)
        code, text = s.docmd("DATA")
        self.assertEqual(code, 503, text)  # after MAIL, before RCPT

    def test_vrfy_noop_rset_quit(self):
        s = self.smtp()
        s.ehlo()
        code, text = s.verify(BOB)
        self.assertEqual(code, 252, text)
        self.assertEqual(s.noop()[0], 250)
        self.assertEqual(s.mail(ALICE)[0], 250)
        self.assertEqual(s.rset()[0], 250)
        self.assertEqual(s.rcpt(BOB)[0], 503, "RSET must drop the transaction")
        code, text = s.docmd("QUIT")
        self.assertEqual(code, 221, text)

    def test_pipelined_envelope(self):
        # PIPELINING is offered: MAIL, RCPT and DATA in one write get their replies in order.
        r = self.raw()
        self.assertEqual(r.cmd(b"EHLO client.test")[0], 250)
        marker, msg = make_message(subject="pipelined")
        r.send(b"MAIL FROM:<alice@example.org>\r\nRCPT TO:<nosuch@example.org>\r\n"
               b"RCPT TO:<bob@example.org>\r\nDATA\r\n")
        self.assertEqual([r.reply()[0] for _ in range(4)], [250, 550, 250, 354])
        r.send(msg + b".\r\nQUIT\r\n")
        self.assertEqual([r.reply()[0] for _ in range(2)], [250, 221])
        self.assert_delivered_exactly(BOB, marker, msg)


@unittest.skipIf(shutil.which("curl") is None, "curl is not installed")
class CurlTests(ServerTestCase):
    """curl's SMTP client: plain, STARTTLS (--ssl-reqd) and implicit TLS (smtps://)."""

    def curl(self, url: str, *extra: str) -> bytes:
        body = (b"One line.\r\n"
                b".\r\n"
                b".dot at start\r\n"
                b"Last line.\r\n")
        marker, msg = make_message(body=body, subject="curl " + url.split(":")[0])
        path = self.server.dir / f"{marker.decode()}.eml"
        path.write_bytes(msg)
        cmd = ["curl", "-sS", "--url", url, "--mail-from", ALICE, "--mail-rcpt", BOB,
               "--upload-file", str(path), "--user", f"alice:{ALICE_PW}", *extra]
        r = subprocess.run(cmd, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0,
                         f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.decode(errors='replace')}")
        ev = self.assert_delivered_exactly(BOB, marker, msg)
        return ev

    def test_curl_plain(self):
        ev = self.curl(f"smtp://{LOCALHOST}:{self.server.smtp_port}")
        auth = self.server.events("command", conn=ev["conn"], verb="AUTH")
        self.assertTrue(auth, "curl --user should authenticate")
        self.assertEqual([e for e in self.server.events("tls", conn=ev["conn"])], [])

    def test_curl_starttls(self):
        ev = self.curl(f"smtp://{LOCALHOST}:{self.server.smtp_port}", "--ssl-reqd", "-k")
        self.assertTrue(self.server.events("command", conn=ev["conn"], verb="STARTTLS"))
        tls = [e for e in self.server.events("tls", conn=ev["conn"])
               if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1)
        self.assertIn(tls[0].get("version"), ("TLSv1.2", "TLSv1.3"))

    def test_curl_smtps(self):
        ev = self.curl(f"smtps://{LOCALHOST}:{self.server.smtps_port}", "-k")
        tls = [e for e in self.server.events("tls", conn=ev["conn"])
               if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1)
        self.assertIn(tls[0].get("version"), ("TLSv1.2", "TLSv1.3"))


class LifecycleTests(unittest.TestCase):
    def test_sigterm_stops_with_exit_0_and_trace_header(self):
        srv = MaillabServer()
        self.addCleanup(srv.cleanup)
        self.addCleanup(srv.stop)
        srv.start()
        self.assertIn("ready", srv.output())
        rc = srv.stop()
        self.assertEqual(rc, 0, srv.output())
        srv.trace.refresh()
        self.assertEqual(srv.trace.header.get("format"), "maillab-trace")
        self.assertEqual(srv.trace.header.get("version"), 1)
        with self.assertRaises(OSError):
            socket.create_connection((LOCALHOST, srv.smtp_port), timeout=1).close()


if __name__ == "__main__":
    unittest.main()
