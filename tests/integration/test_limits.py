"""The limits of `maillab serve` (docs/security.md) against real sockets and real clients:
idle timeouts (SMTP commands and DATA, POP3, IMAP with IDLE), a slowloris client, commands per
session, connection caps with the protocol's polite refusal, failed logins delayed and cut off,
recipients, header fields, line length and the IMAP literal size.

Timeouts are set to a second or two with the --idle-timeout-* options, so nothing waits minutes.
"""

from __future__ import annotations

import base64
import imaplib
import poplib
import shutil
import smtplib
import socket
import subprocess
import time
import unittest
import urllib.request
import urllib.error
from email.message import EmailMessage

from maillab_server import LOCALHOST, MaillabServer


def connect(port: int, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection((LOCALHOST, port), timeout=timeout)


def read_until_closed(sock: socket.socket, timeout: float = 10.0) -> tuple[bytes, float]:
    """Everything the server sends until it closes; and when it closed (monotonic seconds)."""
    sock.settimeout(timeout)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data, time.monotonic()
        data += chunk


def read_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def plain_message(sender: str, to: str, subject: str, extra_fields: int = 0) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    for i in range(extra_fields):
        msg[f"X-Extra-{i}"] = str(i)
    msg.set_content("hello\n")
    return msg


class IdleTimeouts(unittest.TestCase):
    def test_smtp_idle_timeout_between_commands_is_421(self):
        with MaillabServer(smtps=False, extra_args=["--idle-timeout-smtp", "1"]) as srv:
            with connect(srv.smtp_port) as s:
                started = time.monotonic()
                greeting = read_line(s)
                self.assertTrue(greeting.startswith(b"220 "))
                rest, closed = read_until_closed(s)
            self.assertIn(b"421 4.4.2", rest)
            self.assertGreaterEqual(closed - started, 0.9)
            self.assertLess(closed - started, 4.0)
            self.assertTrue(srv.wait_events(lambda e: e.get("explain") == "smtp.note.idle_timeout",
                                            kind="note"))

    def test_smtp_data_gets_its_own_longer_timeout_and_delivers_nothing(self):
        args = ["--idle-timeout-smtp", "1", "--data-timeout-smtp", "3"]
        with MaillabServer(smtps=False, extra_args=args) as srv:
            with connect(srv.smtp_port) as s:
                read_line(s)
                s.sendall(b"EHLO c\r\nMAIL FROM:<alice@example.org>\r\n"
                          b"RCPT TO:<bob@example.org>\r\nDATA\r\n")
                time.sleep(0.3)
                s.sendall(b"Subject: never finished\r\n\r\nhalf a line")
                started = time.monotonic()
                rest, closed = read_until_closed(s)
            # Well past the 1 s command timeout: the DATA timeout of 3 s applied.
            self.assertGreaterEqual(closed - started, 2.5)
            self.assertIn(b"421 4.4.2", rest)
            self.assertEqual(srv.delivered("bob@example.org", timeout=0.5, minimum=1), [])

    def test_slowloris_is_dropped_at_the_timeout_and_costs_no_thread(self):
        with MaillabServer(smtps=False, extra_args=["--idle-timeout-smtp", "1.5"]) as srv:
            threads_before = int(_status(srv.proc.pid)["Threads"])
            socks = [connect(srv.smtp_port) for _ in range(20)]
            for s in socks:
                read_line(s)
            started = time.monotonic()
            # One byte every 0.2 s on each connection, never a whole command.
            dropped_at = {}
            payload = b"EHLO slowly-but-never-finishing.example"
            for i in range(len(payload)):
                for n, s in enumerate(socks):
                    if n in dropped_at:
                        continue
                    try:
                        s.sendall(payload[i:i + 1])
                    except OSError:
                        dropped_at[n] = time.monotonic() - started
                if i == 2:
                    threads_during = int(_status(srv.proc.pid)["Threads"])
                if len(dropped_at) == len(socks):
                    break
                time.sleep(0.2)
            replies = []
            for s in socks:
                data, closed = read_until_closed(s, timeout=5)
                replies.append(data)
                s.close()
            self.assertTrue(all(b"421 4.4.2" in r for r in replies), replies[:2])
            # Bytes kept coming, yet every connection ended near the 1.5 s timeout.
            elapsed = time.monotonic() - started
            self.assertLess(elapsed, 6.0)
            self.assertEqual(threads_during, threads_before,
                             "20 slow connections must not add threads to the server")

    def test_http_keep_alive_idle_timeout(self):
        with MaillabServer(smtps=False, http=True, extra_args=["--idle-timeout-http", "1"]) as srv:
            with connect(srv.http_port) as s:
                started = time.monotonic()
                s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
                data, closed = read_until_closed(s)
            self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:100])
            self.assertGreaterEqual(closed - started, 0.9)
            self.assertLess(closed - started, 4.0)

    def test_http_slowloris_is_dropped_at_the_timeout(self):
        with MaillabServer(smtps=False, http=True, extra_args=["--idle-timeout-http", "1.5"]) as srv:
            with connect(srv.http_port) as s:
                started = time.monotonic()
                payload = b"GET /login HTTP/1.1\r\nHost: slowly-but-never-finishing.example\r\n"
                closed_at = None
                for i in range(len(payload)):
                    try:
                        s.sendall(payload[i:i + 1])
                    except OSError:
                        closed_at = time.monotonic()
                        break
                    time.sleep(0.2)
                    s.settimeout(0.001)
                    try:
                        if s.recv(1) == b"":
                            closed_at = time.monotonic()
                            break
                    except (socket.timeout, BlockingIOError):
                        pass
                    except OSError:
                        closed_at = time.monotonic()
                        break
            self.assertIsNotNone(closed_at, "the slow HTTP client was never dropped")
            self.assertLess(closed_at - started, 4.0)
            self.assertGreaterEqual(closed_at - started, 1.3)

    def test_pop3_idle_timeout(self):
        with MaillabServer(smtp=False, smtps=False, pop3=True,
                           extra_args=["--idle-timeout-pop3", "1"]) as srv:
            with connect(srv.pop3_port) as s:
                self.assertTrue(read_line(s).startswith(b"+OK"))
                s.sendall(b"USER bob@example.org\r\n")
                self.assertTrue(read_line(s).startswith(b"+OK"))
                rest, _ = read_until_closed(s)
            self.assertTrue(rest.startswith(b"-ERR [SYS/TEMP] idle"), rest)

    def test_imap_idle_updates_from_the_server_do_not_keep_the_connection(self):
        args = ["--idle-timeout-imap", "2"]
        with MaillabServer(smtps=False, imap=True, extra_args=args) as srv:
            with connect(srv.imap_port) as s:
                read_line(s)
                s.sendall(b"a LOGIN bob@example.org bobpw\r\nb SELECT INBOX\r\nc IDLE\r\n")
                data = b""
                while b"+ " not in data:
                    data += s.recv(4096)
                started = time.monotonic()
                # New mail while idling: the server pushes EXISTS, which is not client activity.
                time.sleep(0.5)
                with smtplib.SMTP(LOCALHOST, srv.smtp_port, timeout=10) as c:
                    c.sendmail("alice@example.org", ["bob@example.org"],
                               plain_message("alice@example.org", "bob@example.org",
                                             "during idle").as_bytes())
                rest, closed = read_until_closed(s)
            self.assertIn(b"EXISTS", rest)
            self.assertIn(b"* BYE Autologout", rest)
            self.assertGreaterEqual(closed - started, 1.4)
            self.assertLess(closed - started, 5.0)


def _status(pid: int) -> dict[str, str]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


class CommandsPerSession(unittest.TestCase):
    def test_each_protocol_ends_a_session_politely_after_too_many_commands(self):
        args = ["--max-commands", "5"]
        with MaillabServer(smtps=False, pop3=True, imap=True, extra_args=args) as srv:
            with connect(srv.smtp_port) as s:
                read_line(s)
                s.sendall(b"NOOP\r\n" * 6)
                rest, _ = read_until_closed(s)
            self.assertEqual(rest.count(b"250 "), 5)
            self.assertIn(b"421 4.7.0", rest)
            with connect(srv.pop3_port) as s:
                read_line(s)
                s.sendall(b"NOOP\r\n" * 6)
                rest, _ = read_until_closed(s)
            self.assertIn(b"-ERR [SYS/TEMP] too many commands", rest)
            with connect(srv.imap_port) as s:
                read_line(s)
                s.sendall(b"".join(b"t%d NOOP\r\n" % i for i in range(6)))
                rest, _ = read_until_closed(s)
            self.assertIn(b"t4 OK", rest)
            self.assertIn(b"* BYE too many commands", rest)
            self.assertNotIn(b"t5 OK", rest)


class ConnectionCaps(unittest.TestCase):
    def test_over_the_per_address_cap_each_protocol_refuses_in_its_words(self):
        args = ["--max-connections-per-ip", "2"]
        with MaillabServer(smtps=False, pop3=True, imap=True, http=True, extra_args=args) as srv:
            # _wait_ready's probe connections are gone once their close is seen.
            time.sleep(0.3)
            held = [connect(srv.smtp_port), connect(srv.pop3_port)]
            for s in held:
                read_line(s)
            expected = {srv.smtp_port: b"421 4.7.0", srv.pop3_port: b"-ERR [SYS/TEMP]",
                        srv.imap_port: b"* BYE"}
            for port, words in expected.items():
                with connect(port) as s:
                    data, _ = read_until_closed(s, timeout=5)
                self.assertTrue(data.startswith(words), (port, data))
                self.assertIn(b"too many connections from 127.0.0.1", data)
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"http://{LOCALHOST}:{srv.http_port}/login", timeout=5)
            self.assertEqual(caught.exception.code, 503)
            self.assertEqual(caught.exception.headers["Retry-After"], "30")
            notes = srv.wait_events(
                lambda e: e.get("explain") == "net.note.too_many_connections", kind="note",
                minimum=4)
            self.assertGreaterEqual(len(notes), 4)
            # A place given back is a place a new client gets.
            held.pop().close()
            time.sleep(0.3)
            with connect(srv.imap_port) as s:
                self.assertTrue(read_line(s).startswith(b"* OK"))
            for s in held:
                s.close()

    def test_global_cap_counts_every_service(self):
        args = ["--max-connections", "2"]
        with MaillabServer(smtps=False, imap=True, extra_args=args) as srv:
            time.sleep(0.3)
            a = connect(srv.smtp_port)
            b = connect(srv.imap_port)
            read_line(a)
            read_line(b)
            with connect(srv.smtp_port) as s:
                data, _ = read_until_closed(s, timeout=5)
            self.assertTrue(data.startswith(b"421 4.7.0"), data)
            self.assertIn(b"limit 2", data)
            a.close()
            b.close()


class FailedLogins(unittest.TestCase):
    ARGS = ["--auth-failure-delay-ms", "300", "--max-auth-failures", "3"]

    def test_smtp_auth_failures_are_delayed_growing_and_closed_after_three(self):
        # One AUTH PLAIN per attempt (smtplib.login would try PLAIN and LOGIN: two failures).
        wrong = base64.b64encode(b"\0alice@example.org\0guess").decode()
        with MaillabServer(smtps=False, extra_args=self.ARGS) as srv:
            c = smtplib.SMTP(LOCALHOST, srv.smtp_port, timeout=10)
            c.ehlo("guesser")
            times = []
            for attempt in range(2):
                started = time.monotonic()
                self.assertEqual(c.docmd("AUTH", f"PLAIN {wrong}")[0], 535)
                times.append(time.monotonic() - started)
            self.assertGreaterEqual(times[0], 0.25)
            self.assertGreaterEqual(times[1], 0.55)  # twice as long
            started = time.monotonic()
            self.assertEqual(c.docmd("AUTH", f"PLAIN {wrong}")[0], 535)
            self.assertGreaterEqual(time.monotonic() - started, 1.1)
            code, text = c.getreply()
            self.assertEqual(code, 421, text)
            self.assertIn(b"4.7.0", text)
            with self.assertRaises(smtplib.SMTPServerDisconnected):
                c.noop()
            c.close()
            self.assertTrue(srv.wait_events(lambda e: e.get("explain") == "net.note.reply_delayed",
                                            kind="note", minimum=3))
            # The right password on a new connection still works.
            with smtplib.SMTP(LOCALHOST, srv.smtp_port, timeout=10) as fresh:
                fresh.ehlo("c")
                good = base64.b64encode(b"\0alice@example.org\0alicepw").decode()
                self.assertEqual(fresh.docmd("AUTH", f"PLAIN {good}")[0], 235)

    def test_pop3_and_imap_close_after_three_failures(self):
        with MaillabServer(smtp=False, smtps=False, pop3=True, imap=True,
                           extra_args=self.ARGS) as srv:
            p = poplib.POP3(LOCALHOST, srv.pop3_port, timeout=10)
            for attempt in range(3):
                p.user("bob@example.org")
                with self.assertRaises(poplib.error_proto):
                    p.pass_(f"guess{attempt}")
            with self.assertRaises((poplib.error_proto, OSError, EOFError)):
                p.noop()
            p.close()
            m = imaplib.IMAP4(LOCALHOST, srv.imap_port, timeout=10)
            for attempt in range(2):
                with self.assertRaises(imaplib.IMAP4.error):
                    m.login("bob@example.org", f"guess{attempt}")
            with self.assertRaises(imaplib.IMAP4.error):
                m.login("bob@example.org", "guess2")
            with self.assertRaises((imaplib.IMAP4.abort, OSError)):
                m.noop()
            m.shutdown()
            # The right password on a new connection still works: the limit is per connection.
            m2 = imaplib.IMAP4(LOCALHOST, srv.imap_port, timeout=10)
            self.assertEqual(m2.login("bob@example.org", "bobpw")[0], "OK")
            m2.logout()


class MessageLimits(unittest.TestCase):
    def test_recipients_over_the_limit_get_452(self):
        with MaillabServer(smtps=False, extra_args=["--max-recipients", "2"]) as srv:
            with smtplib.SMTP(LOCALHOST, srv.smtp_port, timeout=10) as c:
                c.ehlo("c")
                c.mail("alice@example.org")
                self.assertEqual(c.rcpt("bob@example.org")[0], 250)
                self.assertEqual(c.rcpt("alice@example.org")[0], 250)
                code, text = c.rcpt("bob@example.org")
                self.assertEqual(code, 452)
                self.assertIn(b"4.5.3", text)

    def test_too_many_header_fields_are_refused_with_554(self):
        with MaillabServer(smtps=False, extra_args=["--max-header-fields", "30"]) as srv:
            with smtplib.SMTP(LOCALHOST, srv.smtp_port, timeout=10) as c:
                big = plain_message("alice@example.org", "bob@example.org", "big", 40)
                with self.assertRaises(smtplib.SMTPDataError) as caught:
                    c.sendmail("alice@example.org", ["bob@example.org"], big.as_bytes())
                self.assertEqual(caught.exception.smtp_code, 554)
                self.assertIn(b"5.6.0", caught.exception.smtp_error)
                small = plain_message("alice@example.org", "bob@example.org", "small", 10)
                c.sendmail("alice@example.org", ["bob@example.org"], small.as_bytes())
            self.assertEqual(len(srv.delivered("bob@example.org", timeout=2)), 1)

    def test_line_length_limits(self):
        with MaillabServer(smtps=False, pop3=True, extra_args=[]) as srv:
            with connect(srv.smtp_port) as s:
                read_line(s)
                s.sendall(b"NOOP " + b"x" * 1200 + b"\r\nNOOP\r\n")
                self.assertTrue(read_line(s).startswith(b"500 5.5.2 Line too long"))
                self.assertTrue(read_line(s).startswith(b"250"))  # and the session goes on
            with connect(srv.pop3_port) as s:
                read_line(s)
                s.sendall(b"USER " + b"x" * 300 + b"\r\n")
                self.assertTrue(read_line(s).startswith(b"-ERR line too long"))

    def test_imap_literal_over_the_message_size_is_refused_before_continuation(self):
        with MaillabServer(smtps=False, imap=True,
                           extra_args=["--max-message-size", "1000"]) as srv:
            with connect(srv.imap_port) as s:
                read_line(s)
                s.sendall(b"a LOGIN bob@example.org bobpw\r\n")
                self.assertIn(b"a OK", _until(s, b"a "))
                # A synchronising literal: refused instead of "+", and the session goes on.
                s.sendall(b"b APPEND INBOX {5000}\r\n")
                self.assertTrue(read_line(s).startswith(b"b BAD literal of 5000 octets is over"))
                s.sendall(b"c NOOP\r\n")
                self.assertIn(b"c OK", _until(s, b"c "))
                # LITERAL+ sends the bytes without waiting: the server cannot skip them, so BYE.
                s.sendall(b"d APPEND INBOX {5000+}\r\n")
                data, _ = read_until_closed(s, timeout=5)
            self.assertTrue(data.startswith(b"* BYE literal of 5000 octets"), data)


class TlsVersions(unittest.TestCase):
    def s_client(self, port: int, version_flag: str) -> subprocess.CompletedProcess:
        # SECLEVEL=0 lets this client offer TLS 1.1 at all: the refusal must be the server's.
        return subprocess.run(
            ["openssl", "s_client", "-connect", f"{LOCALHOST}:{port}", version_flag,
             "-cipher", "DEFAULT:@SECLEVEL=0", "-ign_eof"],
            input=b"QUIT\r\n", capture_output=True, timeout=20)

    @unittest.skipUnless(shutil.which("openssl"), "the openssl command is not installed")
    def test_tls_1_1_is_refused_and_tls_1_2_accepted(self):
        with MaillabServer(smtp=False, smtps=True) as srv:
            old = self.s_client(srv.smtps_port, "-tls1_1")
            self.assertNotIn(b"220 ", old.stdout)
            failed = srv.wait_events(lambda e: e.get("phase") == "failed", kind="tls")
            self.assertTrue(failed, old.stderr[-500:])
            self.assertRegex(failed[-1].get("reason", "") + failed[-1].get("text", ""),
                             r"(?i)version|protocol")
            new = self.s_client(srv.smtps_port, "-tls1_2")
            self.assertIn(b"220 ", new.stdout, new.stderr[-500:])
            self.assertIn(b"Protocol  : TLSv1.2", new.stdout)


def _until(sock: socket.socket, tag: bytes) -> bytes:
    data = b""
    while True:
        line = read_line(sock)
        if not line:
            return data
        data += line
        if line.startswith(tag):
            return data


if __name__ == "__main__":
    unittest.main()
