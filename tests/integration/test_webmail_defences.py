"""The webmail's defences through its real HTTP server (`maillab serve --http-port`), with
Python's http.client as the attacker's tool (no browser needed): CSRF tokens, header injection
through form fields (checked in the SMTP bytes the webmail sends), HTML mail sanitised, session
expiry, and no path traversal in the attachment download or anywhere else.
"""

from __future__ import annotations

import html
import http.client
import re
import smtplib
import time
import unittest
import urllib.parse
from email.message import EmailMessage

from maillab_server import LOCALHOST, MaillabServer

CSRF_FIELD = re.compile(rb'<input[^>]*name="csrf"[^>]*value="([^"]+)"')


class Browser:
    """A minimal cookie-keeping HTTP client for one webmail user."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(LOCALHOST, self.port, timeout=10)
        try:
            h = dict(headers or {})
            if self.cookies:
                h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=h)
            res = conn.getresponse()
            for name, value in res.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    if val and "Max-Age=0" not in value:
                        self.cookies[key.strip()] = val.strip()
                    else:
                        self.cookies.pop(key.strip(), None)
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
        finally:
            conn.close()

    def post(self, path: str, fields: dict[str, str]):
        body = urllib.parse.urlencode(fields).encode()
        return self.call("POST", path, body,
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def token(self, path: str) -> str:
        status, _, page = self.call("GET", path)
        assert status == 200, (path, status, page[:200])
        return CSRF_FIELD.search(page).group(1).decode()

    def login(self, user: str, password: str) -> None:
        token = self.token("/login")
        status, headers, page = self.post("/login", {"csrf": token, "user": user,
                                                     "password": password})
        assert status == 303 and headers.get("location") == "/mailbox", (status, page[:300])


class WebmailDefences(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = MaillabServer(smtp=True, smtps=False, imap=True, http=True,
                                extra_args=["--webmail-session-timeout", "2"])
        cls.srv.start()
        cls.addClassCleanup(cls.srv.cleanup)
        cls.addClassCleanup(cls.srv.stop)

    def smtp_bytes_since(self, seq: int) -> bytes:
        """Every byte any SMTP connection carried after event `seq`."""
        return b"".join(e.get("raw_bytes", b"") for e in self.srv.trace.refresh()
                        if e.get("seq", 0) > seq and e.get("proto") == "smtp")

    def wait_delivery_since(self, seq: int, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.srv.trace.refresh() if e.get("seq", 0) > seq
                     and e.get("kind") == "store" and e.get("action") == "deliver"]
            if found:
                return found
            time.sleep(0.05)
        return []

    def test_csrf_missing_wrong_or_another_sessions_token_is_refused(self):
        alice = Browser(self.srv.http_port)
        alice.login("alice@example.org", "alicepw")
        other = Browser(self.srv.http_port)
        other.login("alice@example.org", "alicepw")
        others_token = other.token("/compose")
        mark = self.srv.last_seq()
        for fields in ({}, {"csrf": "0" * 32}, {"csrf": others_token}):
            status, _, page = alice.post("/send", dict(fields, to="bob@example.org",
                                                       subject="csrf probe", body="x"))
            self.assertEqual(status, 403, page[:200])
        # A login form posted from elsewhere has no pre-session token: refused too.
        stranger = Browser(self.srv.http_port)
        status, _, _ = stranger.post("/login", {"user": "alice@example.org",
                                                "password": "alicepw", "csrf": "x" * 32})
        self.assertEqual(status, 403)
        self.assertNotIn(b"csrf probe", self.smtp_bytes_since(mark))
        # The control: the right token is accepted.
        status, headers, _ = alice.post("/send", {"csrf": alice.token("/compose"),
                                                  "to": "bob@example.org",
                                                  "subject": "csrf control", "body": "x"})
        self.assertEqual((status, headers.get("location")), (303, "/mailbox"))
        self.assertTrue(self.wait_delivery_since(mark))

    def test_line_breaks_in_to_or_subject_never_reach_the_smtp_conversation(self):
        alice = Browser(self.srv.http_port)
        alice.login("alice@example.org", "alicepw")
        mark = self.srv.last_seq()
        attacks = [
            {"to": "bob@example.org", "subject": "hi\r\nBcc: injected1@evil.invalid"},
            {"to": "bob@example.org", "subject": "hi\nBcc: injected2@evil.invalid"},
            {"to": "bob@example.org", "subject": "hi\rBcc: injected3@evil.invalid"},
            {"to": "bob@example.org\r\nBcc: injected4@evil.invalid", "subject": "hi"},
            {"to": "bob@example.org", "subject": "hi\r\n\r\nfake body injected5"},
        ]
        for fields in attacks:
            status, _, page = alice.post("/send", dict(fields, csrf=alice.token("/compose"),
                                                       body="x"))
            self.assertEqual(status, 400, (fields, page[:200]))
        # Percent-encoded CR LF arrive decoded, and are refused the same way.
        raw = ("csrf=" + alice.token("/compose") + "&to=bob%40example.org"
               "&subject=hi%0D%0ABcc%3A%20injected6%40evil.invalid&body=x").encode()
        status, _, _ = alice.call("POST", "/send", raw,
                                  {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        # A clean mail goes through; its SMTP bytes carry no injected address.
        status, _, _ = alice.post("/send", {"csrf": alice.token("/compose"),
                                            "to": "bob@example.org",
                                            "subject": "clean 你好", "body": "x"})
        self.assertEqual(status, 303)
        self.assertTrue(self.wait_delivery_since(mark))
        wire = self.smtp_bytes_since(mark)
        self.assertIn(b"RCPT TO:<bob@example.org>", wire)
        self.assertNotIn(b"injected", wire)
        self.assertNotIn(b"evil.invalid", wire)
        rcpts = [e.get("text") for e in self.srv.trace.refresh()
                 if e.get("seq", 0) > mark and e.get("proto") == "smtp"
                 and e.get("kind") == "command" and e.get("verb") == "RCPT"]
        self.assertEqual(rcpts, ["RCPT TO:<bob@example.org>"])

    def test_hostile_html_mail_is_sanitised(self):
        hostile = EmailMessage()
        hostile["From"] = "mallory@example.org"
        hostile["To"] = "bob@example.org"
        hostile["Subject"] = "hostile html"
        hostile.set_content("plain part")
        hostile.add_alternative(
            '<p onclick="steal()">Hi</p><script>alert("xss")</script>'
            '<a href="javascript:alert(2)">click</a>'
            '<img src="http://tracker.invalid/pixel.gif" onerror="alert(3)">'
            '<a href="https://example.org/ok">fine link</a>', subtype="html")
        mark = self.srv.last_seq()
        with smtplib.SMTP(LOCALHOST, self.srv.smtp_port, timeout=10) as c:
            c.send_message(hostile)
        deliveries = self.wait_delivery_since(mark)
        self.assertTrue(deliveries)
        uid = deliveries[0]["uid"]
        bob = Browser(self.srv.http_port)
        bob.login("bob@example.org", "bobpw")
        status, headers, page = bob.call("GET", f"/message?uid={uid}")
        self.assertEqual(status, 200, page[:300])
        # The mail's HTML is the iframe's srcdoc; the page around it may name what was removed.
        srcdoc = re.search(rb'class="mail-html"[^>]*srcdoc="([^"]*)"', page)
        self.assertIsNotNone(srcdoc, page[:500])
        mail_html = html.unescape(srcdoc.group(1).decode("utf-8")).lower()
        self.assertIn("fine link", mail_html)
        for bad in ("<script", "onclick", "onerror", "javascript:", "tracker.invalid", "alert("):
            self.assertNotIn(bad, mail_html, f"{bad!r} survived the sanitizer")
        self.assertIn("&lt;script&gt; element", page.decode("utf-8"))  # and the reader is told
        csp = headers.get("content-security-policy", "")
        self.assertTrue("script-src 'none'" in csp or "default-src 'none'" in csp, csp)

    def test_session_expires_after_the_idle_timeout(self):
        bob = Browser(self.srv.http_port)
        bob.login("bob@example.org", "bobpw")
        self.assertEqual(bob.call("GET", "/mailbox")[0], 200)
        time.sleep(2.5)
        status, headers, _ = bob.call("GET", "/mailbox")
        self.assertEqual(status, 303)
        self.assertEqual(headers.get("location"), "/login?expired=1")
        # And the old cookie stays dead.
        status, headers, _ = bob.call("GET", "/mailbox")
        self.assertEqual((status, headers.get("location")), (303, "/login"))
        self.assertTrue(self.srv.wait_events(
            lambda e: e.get("explain") == "webmail.session.expired", kind="note"))

    def test_no_path_traversal_in_attachment_download_or_paths(self):
        mail = EmailMessage()
        mail["From"] = "alice@example.org"
        mail["To"] = "bob@example.org"
        mail["Subject"] = "with attachment"
        mail.set_content("see attached")
        mail.add_attachment(b"attachment bytes", maintype="application",
                            subtype="octet-stream", filename="../../../etc/evil.sh")
        mark = self.srv.last_seq()
        with smtplib.SMTP(LOCALHOST, self.srv.smtp_port, timeout=10) as c:
            c.send_message(mail)
        deliveries = self.wait_delivery_since(mark)
        uid = deliveries[0]["uid"]
        bob = Browser(self.srv.http_port)
        bob.login("bob@example.org", "bobpw")
        # The real attachment downloads under a bare file name.
        status, headers, body = bob.call("GET", f"/part?uid={uid}&part=2&download=1")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"attachment bytes")
        disposition = headers["content-disposition"]
        self.assertNotIn("..", disposition)
        self.assertNotIn("/", disposition.split("filename*=")[0])
        self.assertIn('filename="evil.sh"', disposition)
        # Traversal in every parameter and in the path itself: never a file of the machine.
        probes = [
            f"/part?uid={uid}&part=../../../../etc/passwd",
            f"/part?uid={uid}&part=%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            f"/part?uid={uid}&part=/etc/passwd",
            f"/part?folder=../../../../etc&uid=1&part=1",
            f"/part?folder=%2e%2e%2f%2e%2e%2fetc&uid=1&part=1",
            f"/part?folder=/etc&uid=1&part=1",
            f"/message?folder=../../..&uid={uid}",
            "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/style.css/../../../etc/passwd",
            "//etc/passwd",
        ]
        for probe in probes:
            status, _, body = bob.call("GET", probe)
            if probe.startswith("/part"):
                self.assertNotEqual(status, 200, probe)
            self.assertNotIn(b"root:", body, probe)
            self.assertNotIn(b"attachment bytes", body, probe)
        self.assertTrue(self.srv.proc.poll() is None, "the server is still running")


if __name__ == "__main__":
    unittest.main()
