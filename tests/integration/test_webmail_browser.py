"""The webmail in a real browser: headless Chromium driven by Selenium against `maillab serve`.

One scenario, two mail systems, each with a webmail in front of its IMAP and submission
server. Alice logs in to webmail.a.example, writes to Bob with a Chinese subject and a binary
attachment; her webmail submits with AUTH, her server looks up b.example's MX and relays to
mail.b.example; Bob logs in to webmail.b.example in a second browser, reads the mail and
downloads the attachment, which must be byte for byte the file Alice uploaded. The trace must
show every leg: the HTTP requests, the webmail's SMTP submission, the DNS lookup, the relay and
the webmail's own IMAP sessions.

Then the defences, in the same real browser: a hostile HTML mail (script, onerror) shown to Bob
runs nothing and the page says what was removed; every page carries a Content-Security-Policy
that allows no script; a POST without the CSRF token is refused with 403, and a subject with a
line break (a Bcc: header smuggled in) with 400, and nothing is sent.

Needs Debian's chromium, chromium-driver and python3-selenium (the test is skipped without
them) and MAILLAB_BIN:

    MAILLAB_BIN=$PWD/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s tests/integration -p 'test_webmail_browser.py' -v
"""

from __future__ import annotations

import email.message
import http.client
import imaplib
import json
import os
import re
import shutil
import base64
import smtplib
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also run as tests.integration.<module>

from maillab_server import LOCALHOST  # noqa: E402
from test_scenario_serve import ScenarioServer  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    _SELENIUM_ERROR = None
except ImportError as e:  # pragma: no cover - depends on the machine
    _SELENIUM_ERROR = e


def _browser_missing() -> str | None:
    if _SELENIUM_ERROR is not None:
        return (f"selenium cannot be imported by {sys.executable} ({_SELENIUM_ERROR}); install "
                "Debian's python3-selenium and run with /usr/bin/python3")
    for what, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{what} not found at {path}; install Debian's chromium and chromium-driver"
    return None


BROWSER_MISSING = _browser_missing()

PASSWORDS = {"alice@a.example": "alice-pw", "bob@b.example": "bob-pw"}

SCENARIO = {
    "maillab_scenario": 1,
    "title": "webmail in a real browser",
    "hosts": [
        {"name": "pc.alice", "roles": ["browser"]},
        {"name": "pc.bob", "roles": ["browser"]},
        {"name": "webmail.a.example", "roles": ["webmail"],
         "imap_server": "mail.a.example", "submission_server": "mail.a.example"},
        {"name": "mail.a.example", "roles": ["submission", "mx", "imap"], "domains": ["a.example"]},
        {"name": "mail.b.example", "roles": ["submission", "mx", "imap"], "domains": ["b.example"]},
        {"name": "webmail.b.example", "roles": ["webmail"],
         "imap_server": "mail.b.example", "submission_server": "mail.b.example"},
    ],
    "users": [{"address": a, "password": p} for a, p in PASSWORDS.items()],
    "dns": {"mx": {"a.example": [{"preference": 10, "host": "mail.a.example"}],
                   "b.example": [{"preference": 10, "host": "mail.b.example"}]}},
    "script": [],
}

WAIT = 15  # seconds for one page or one download; every wait in this file is bounded


def start_browser(download_dir: Path, profile_dir: Path) -> "webdriver.Chrome":
    """Headless Chromium with its own profile; downloads go to download_dir without asking."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--user-data-dir={profile_dir}", "--window-size=1280,900", "--lang=en-US",
                "--no-first-run", "--no-default-browser-check"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir),
        "download.prompt_for_download": False,
        "intl.accept_languages": "en-US,en",
    })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(WAIT)
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(download_dir)})
    except BaseException:
        driver.quit()
        raise
    return driver


def wait_css(driver, css: str, timeout: float = WAIT):
    return WebDriverWait(driver, timeout).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)),
        f"no element {css!r} on {driver.current_url}")


def wait_path(driver, path: str, timeout: float = WAIT) -> None:
    try:
        WebDriverWait(driver, timeout).until(
            lambda d: urllib.parse.urlsplit(d.current_url).path == path)
    except TimeoutException:
        raise AssertionError(f"the browser did not get to {path}; it is at {driver.current_url}:\n"
                             f"{driver.find_element(By.TAG_NAME, 'body').text[:800]}") from None


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def http_call(port: int, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One plain HTTP/1.1 exchange (no redirect following, no cookie jar)."""
    conn = http.client.HTTPConnection(LOCALHOST, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


def multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it; values are sent byte for byte."""
    boundary = "----maillabTest" + uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                .encode() + value.encode("utf-8") + b"\r\n")
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


@unittest.skipUnless(BROWSER_MISSING is None, BROWSER_MISSING or "")
class WebmailInRealBrowser(unittest.TestCase):
    """One `maillab serve` and two browsers (Alice's, Bob's) for the whole class."""

    @classmethod
    def setUpClass(cls):
        # Class cleanups run even when setUpClass fails half-way, newest first: the browsers
        # quit, then serve is stopped by its pid, then the temp dir goes.
        tmp = tempfile.TemporaryDirectory(prefix="maillab-browser-")
        cls.addClassCleanup(tmp.cleanup)
        cls.dir = Path(tmp.name)
        scenario = cls.dir / "webmail.json"
        scenario.write_text(json.dumps(SCENARIO, indent=2))
        srv = ScenarioServer(scenario)
        srv.command += ["--base-port", "0"]
        srv.__enter__()
        cls.addClassCleanup(srv.__exit__, None, None, None)
        cls.srv = srv
        cls.port_a = srv.port("webmail.a.example", "http")
        cls.port_b = srv.port("webmail.b.example", "http")
        cls.browsers = {}
        for who in ("alice", "bob"):
            downloads = cls.dir / f"downloads-{who}"
            downloads.mkdir()
            driver = start_browser(downloads, cls.dir / f"profile-{who}")
            cls.addClassCleanup(driver.quit)
            cls.browsers[who] = (driver, downloads)

    # ----- helpers ------------------------------------------------------------------------------
    def events(self) -> list[dict]:
        return self.srv.trace.refresh()

    def login(self, who: str, port: int) -> "webdriver.Chrome":
        driver = self.browsers[who][0]
        user = f"{who}@{'a' if who == 'alice' else 'b'}.example"
        driver.get(f"http://{LOCALHOST}:{port}/login")
        field = wait_css(driver, "input[name=user]")
        field.clear()
        field.send_keys(user)
        driver.find_element(By.CSS_SELECTOR, "input[name=password]").send_keys(PASSWORDS[user])
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        wait_path(driver, "/mailbox")
        wait_css(driver, "a[href='/compose']")
        self.assertIn(user, page_text(driver), "the page says who is logged in")
        return driver

    def open_in_inbox(self, driver, port: int, subject: str, timeout: float = 20):
        """Reload the inbox until a message with this subject is listed (bounded); open it."""
        deadline = time.monotonic() + timeout
        while True:
            driver.get(f"http://{LOCALHOST}:{port}/mailbox")
            for link in driver.find_elements(By.CSS_SELECTOR, "a[href*='/message?']"):
                if link.text.strip() == subject:
                    link.click()
                    wait_path(driver, "/message")
                    wait_css(driver, "h1")
                    return
            if time.monotonic() > deadline:
                self.fail(f"{subject!r} not in the inbox after {timeout} s:\n{page_text(driver)}")
            time.sleep(0.25)

    def session_cookie(self, driver) -> str:
        # Each webmail names its cookie after its host (ml_session_webmail_b_example), so two
        # webmails on 127.0.0.1 do not overwrite each other's session in one browser.
        cookies = {c["name"]: c["value"] for c in driver.get_cookies()
                   if c["name"].startswith("ml_session_")}
        self.assertEqual(len(cookies), 1, cookies)
        name, value = next(iter(cookies.items()))
        return f"{name}={value}"

    def inbox_count(self, user: str) -> int:
        """Bob's INBOX as a real IMAP client (Python's imaplib) sees it."""
        imap = imaplib.IMAP4(LOCALHOST, self.srv.port("mail.b.example", "imap"), timeout=10)
        try:
            imap.login(user, PASSWORDS[user])
            typ, data = imap.select("INBOX", readonly=True)
            self.assertEqual(typ, "OK")
            return int(data[0])
        finally:
            imap.logout()

    @staticmethod
    def one(events, what: str, **match) -> dict:
        found = [e for e in events if all(e.get(k) == v for k, v in match.items())]
        if not found:
            raise AssertionError(f"no {what} in the trace ({match})")
        return found[0]

    # ----- 1: the whole journey ---------------------------------------------------------------
    def test_alice_sends_with_attachment_and_bob_downloads_it_byte_exact(self):
        subject = "Report 报告"
        body_lines = ["Hello Bob,", "the numbers are attached.", "你好，数据在附件里。"]
        payload = os.urandom(20 * 1024)
        upload = self.dir / "upload" / "data-数据.bin"
        upload.parent.mkdir()
        upload.write_bytes(payload)

        # Alice: log in, compose, attach, send.
        alice = self.login("alice", self.port_a)
        compose = alice.find_element(By.CSS_SELECTOR, "a[href='/compose']")
        self.assertEqual(compose.text.strip(), "Compose")
        compose.click()
        wait_path(alice, "/compose")
        form = wait_css(alice, "form[action='/send']")
        self.assertEqual(form.get_attribute("enctype"), "multipart/form-data")
        form.find_element(By.NAME, "to").send_keys("bob@b.example")
        form.find_element(By.NAME, "subject").send_keys(subject)
        form.find_element(By.NAME, "body").send_keys("\n".join(body_lines))
        form.find_element(By.CSS_SELECTOR, "input[type=file][name=attachment]").send_keys(str(upload))
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_path(alice, "/mailbox")
        notice = wait_css(alice, "[role=status]")
        self.assertEqual(notice.text.strip(), "Mail sent.")
        # A copy in Alice's Sent folder (the webmail's IMAP APPEND), listed like any folder.
        sent_folder = alice.find_element(By.CSS_SELECTOR, "nav a[href*='folder=Sent']")
        sent_folder.click()
        wait_css(alice, "table")
        self.assertIn(subject, [a.text.strip() for a in
                                alice.find_elements(By.CSS_SELECTOR, "a[href*='/message?']")])

        # Bob, in his own browser: the mail arrives (relayed by MX), he reads it.
        bob, downloads = self.browsers["bob"]
        self.login("bob", self.port_b)
        self.open_in_inbox(bob, self.port_b, subject)
        self.assertEqual(bob.find_element(By.CSS_SELECTOR, "h1").text.strip(), subject)
        text = page_text(bob)
        for line in body_lines:
            self.assertIn(line, text)
        self.assertIn("alice@a.example", text)

        # The attachment link downloads exactly what Alice uploaded.
        links = bob.find_elements(By.CSS_SELECTOR, "a[href*='/part?'][href*='download=1']")
        self.assertEqual([a.text.strip() for a in links], ["data-数据.bin"])
        href = links[0].get_attribute("href")
        part = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["part"][0]
        links[0].click()
        target = downloads / "data-数据.bin"
        deadline = time.monotonic() + WAIT
        while not (target.exists() and not list(downloads.glob("*.crdownload"))):
            if time.monotonic() > deadline:
                self.fail(f"no download within {WAIT} s; the directory has "
                          f"{sorted(p.name for p in downloads.iterdir())}")
            time.sleep(0.1)
        self.assertEqual(target.read_bytes(), payload, "the downloaded file is the uploaded one")

        # The trace: every leg, tied together.
        ev = self.events()
        send = self.one(ev, "POST /send request", kind="http", direction="request",
                        to="webmail.a.example", method="POST", path="/send")
        files = [f for f in send["form"] if f.get("filename") is not None]
        self.assertEqual(files, [{"name": "attachment", "filename": "data-数据.bin",
                                  "content_type": "application/octet-stream", "size": len(payload)}])
        self.assertIn({"name": "subject", "value": subject}, send["form"])
        answer = self.one(ev, "answer to POST /send", kind="http", direction="response",
                          cause=send["seq"])
        self.assertEqual((answer["status"], answer["location"]), (303, "/mailbox"))

        # The webmail's own submission: to mail.a.example's submission port, with AUTH.
        leg = self.one(ev, "webmail SMTP leg", kind="note", explain="webmail.leg.smtp",
                       cause=send["seq"])
        self.assertEqual(leg["server"], "mail.a.example")
        message_id = leg["message_id"]
        sent = [e for e in ev if e["kind"] == "bytes" and e["proto"] == "smtp"
                and e["from"] == "webmail.a.example" and e.get("cause") == leg["seq"]]
        sent_text = "".join(e.get("raw", "") for e in sent)
        self.assertRegex(sent_text, r"^EHLO webmail\.a\.example\r\n")
        self.assertIn("\r\nAUTH PLAIN ", sent_text)
        self.assertIn("RCPT TO:<bob@b.example>\r\n", sent_text)
        self.assertIn(f"Message-ID: {message_id}\r\n", sent_text)
        connect = self.one(ev, "webmail's SMTP connect", kind="tcp", action="connect",
                           conn=sent[0]["conn"], **{"from": "webmail.a.example"})
        submission_port = self.srv.port("mail.a.example", "submission")
        self.assertTrue(connect["text"].endswith(f"-> {LOCALHOST}:{submission_port}"), connect["text"])
        peer = connect["text"].split()[1]  # the webmail's side, as mail.a.example saw it
        verbs = [e["verb"] for e in ev if e["kind"] == "command" and e["proto"] == "smtp"
                 and e["from"] == peer and e["to"] == "mail.a.example"]
        self.assertEqual(verbs[:5], ["EHLO", "AUTH", "MAIL", "RCPT", "DATA"])
        self.one(ev, "235 to the webmail's AUTH", kind="reply", code=235, to=peer,
                 **{"from": "mail.a.example"})

        # DNS, then the relay from mail.a.example to mail.b.example's port 25 equivalent.
        query = self.one(ev, "MX query", kind="dns", action="query", name="b.example", qtype="MX",
                         **{"from": "mail.a.example"})
        dns_answer = self.one(ev, "MX answer", kind="dns", action="answer", name="b.example",
                              cause=query["seq"])
        self.assertEqual(dns_answer["records"], [{"host": "mail.b.example", "preference": 10}])
        relay_connect = self.one(ev, "relay connect", kind="tcp", action="connect",
                                 to="mail.b.example", **{"from": "mail.a.example"})
        mx_port = self.srv.port("mail.b.example", "smtp")
        self.assertTrue(relay_connect["text"].endswith(f"-> {LOCALHOST}:{mx_port}"),
                        relay_connect["text"])
        relayed = "".join(e.get("raw", "") for e in ev if e["kind"] == "bytes"
                          and e["from"] == "mail.a.example" and e.get("to") == "mail.b.example")
        self.assertIn("RCPT TO:<bob@b.example>\r\n", relayed)
        self.assertIn(f"Message-ID: {message_id}\r\n", relayed)
        self.assertNotIn("AUTH", relayed, "server to server: no AUTH on the relay hop")
        self.one(ev, "relay delivered", kind="queue", action="delivered", mx="mail.b.example",
                 message_id=message_id)
        stored = self.one(ev, "delivery to bob", kind="store", action="deliver",
                          user="bob@b.example", message_id=message_id)

        # Bob's webmail reads with its own IMAP sessions, one per page.
        fetch_leg = self.one(ev, "webmail IMAP leg for the part", kind="note",
                             explain="webmail.leg.imap", purpose=f"fetch part {part} of message "
                             f"{stored['uid']}", **{"from": "webmail.b.example"})
        imap_sent = "".join(e.get("raw", "") for e in ev if e["kind"] == "bytes"
                            and e["proto"] == "imap" and e["from"] == "webmail.b.example"
                            and e.get("cause") == fetch_leg["seq"])
        self.assertIn('LOGIN "bob@b.example"', imap_sent)
        self.assertIn(f"UID FETCH {stored['uid']} (BODY.PEEK[{part}.MIME] BODY.PEEK[{part}])",
                      imap_sent)
        get_part = self.one(ev, "GET /part", kind="http", direction="request", method="GET",
                            path="/part", to="webmail.b.example", seq=fetch_leg["cause"])
        part_answer = self.one(ev, "answer to GET /part", kind="http", direction="response",
                               cause=get_part["seq"])
        self.assertEqual(part_answer["status"], 200)
        download = self.one(ev, "download note", kind="note", explain="webmail.attachment.download",
                            cause=get_part["seq"])
        self.assertEqual((download["filename"], download["size"]), ("data-数据.bin", len(payload)))

        # In that order: browser -> webmail -> submission -> DNS -> relay -> store -> browser.
        order = [send["seq"], leg["seq"], connect["seq"], query["seq"], relay_connect["seq"],
                 stored["seq"], get_part["seq"]]
        self.assertEqual(order, sorted(order))

    # ----- 2: a hostile HTML mail -------------------------------------------------------------
    def test_hostile_html_runs_nothing_in_bobs_browser(self):
        subject = f"Hostile HTML {uuid.uuid4().hex[:8]}"
        msg = email.message.EmailMessage()
        msg["From"] = "mallory@evil.example"
        msg["To"] = "bob@b.example"
        msg["Subject"] = subject
        msg["Message-ID"] = f"<{uuid.uuid4().hex}@evil.example>"
        msg.set_content("Plain text: nothing to see.\n")
        msg.add_alternative(
            "<html><body><p>Hello <b>Bob</b>, a nice picture:</p>"
            "<script>document.title='pwned';alert('script')</script>"
            "<img src=x onerror=\"document.title='pwned';alert('onerror')\">"
            "<p><a href=\"javascript:alert('link')\">click me</a></p>"
            "</body></html>\n", subtype="html")
        # Straight to Bob's MX (port 25's job: mail for its own domain needs no AUTH).
        with smtplib.SMTP(LOCALHOST, self.srv.port("mail.b.example", "smtp"), timeout=10) as s:
            s.send_message(msg)
        self.srv.wait_for_event(kind="store", action="deliver", message_id=msg["Message-ID"])

        bob = self.login("bob", self.port_b)
        self.open_in_inbox(bob, self.port_b, subject, timeout=5)
        time.sleep(0.5)  # the broken <img> fails to load at once; give an onerror the time
        self.assertNotIn("pwned", bob.title)
        self.assertTrue(bob.title.startswith(subject), bob.title)
        with self.assertRaises(NoAlertPresentException):
            bob.switch_to.alert.text
        self.assertIn("removed", page_text(bob), "the page says what was taken out")

        frame = bob.find_element(By.CSS_SELECTOR, "iframe[srcdoc]")
        # A sandbox (opaque origin) that grants nothing that could run or reach the page.
        sandbox = frame.get_attribute("sandbox")
        self.assertIsNotNone(sandbox)
        for power in ("allow-scripts", "allow-same-origin", "allow-forms", "allow-top-navigation",
                      "allow-modals"):
            self.assertNotIn(power, sandbox.split())
        bob.switch_to.frame(frame)
        try:
            self.assertIn("Hello Bob", page_text(bob))
            self.assertEqual(bob.find_elements(By.TAG_NAME, "script"), [])
            for img in bob.find_elements(By.TAG_NAME, "img"):
                self.assertIsNone(img.get_attribute("onerror"))
            for a in bob.find_elements(By.TAG_NAME, "a"):
                self.assertFalse((a.get_attribute("href") or "").lower().startswith("javascript:"))
        finally:
            bob.switch_to.default_content()
        self.assertNotIn("pwned", bob.title)
        with self.assertRaises(NoAlertPresentException):
            bob.switch_to.alert.text

        sanitized = [e for e in self.events() if e["kind"] == "note"
                     and e.get("explain") == "webmail.html.sanitized" and e["from"] == "webmail.b.example"]
        self.assertTrue(sanitized, "the trace notes the sanitizing")
        self.assertGreaterEqual(sanitized[-1]["count"], 2)

    def test_inline_image_shows_in_the_mail(self):
        # An 8x8 red PNG referred to as cid: from the HTML, in multipart/related (RFC 2392).
        png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4"
                               "ISeHFTEMLQkAkL9BAbKfPiIAAAAASUVORK5CYII=")
        subject = f"Inline picture {uuid.uuid4().hex[:8]}"
        msg = email.message.EmailMessage()
        msg["From"] = "alice@a.example"
        msg["To"] = "bob@b.example"
        msg["Subject"] = subject
        msg["Message-ID"] = f"<{uuid.uuid4().hex}@a.example>"
        msg.set_content("A picture.\n")
        msg.add_alternative('<p>A picture: <img id="pic" src="cid:pic1@a.example" width="64" '
                            'height="64"></p>', subtype="html")
        msg.get_payload()[1].add_related(png, "image", "png", cid="<pic1@a.example>")
        with smtplib.SMTP(LOCALHOST, self.srv.port("mail.b.example", "smtp"), timeout=10) as s:
            s.send_message(msg)
        self.srv.wait_for_event(kind="store", action="deliver", message_id=msg["Message-ID"])

        bob = self.login("bob", self.port_b)
        self.open_in_inbox(bob, self.port_b, subject, timeout=5)
        bob.switch_to.frame(bob.find_element(By.CSS_SELECTOR, "iframe[srcdoc]"))
        try:
            img = bob.find_element(By.TAG_NAME, "img")  # the sanitizer drops id attributes
            # Loaded (the sandboxed frame sends no cookie, so the picture must not need one).
            deadline = time.monotonic() + WAIT
            while img.get_property("naturalWidth") == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(img.get_property("naturalWidth"), 8)
        finally:
            bob.switch_to.default_content()

    # ----- 3: headers --------------------------------------------------------------------------
    def test_every_page_has_a_csp_that_allows_no_script(self):
        bob = self.login("bob", self.port_b)
        cookie = self.session_cookie(bob)
        for path, with_cookie in (("/login", False), ("/mailbox", True), ("/compose", True),
                                  ("/no-such-page", True)):
            status, headers, body = http_call(self.port_b, "GET", path,
                                              headers={"Cookie": cookie} if with_cookie else {})
            with self.subTest(path=path):
                self.assertEqual(status, 404 if path == "/no-such-page" else 200)
                self.assertTrue(headers["content-type"].startswith("text/html"))
                csp = headers.get("content-security-policy", "")
                directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
                # No script-src of any kind: scripts fall back to default-src 'none'.
                self.assertEqual(directives.get("default-src"), ["'none'"], csp)
                self.assertFalse([d for d in directives if d.startswith("script-src")], csp)
                self.assertEqual(directives.get("frame-ancestors"), ["'none'"], csp)
                self.assertEqual(directives.get("base-uri"), ["'none'"], csp)
                self.assertEqual(headers.get("x-content-type-options"), "nosniff")
                self.assertNotIn(b"<script", body.lower())

    # ----- 4: CSRF and header injection -------------------------------------------------------
    def test_send_without_csrf_is_403_and_a_line_break_in_a_header_is_400(self):
        bob = self.login("bob", self.port_b)
        cookie = self.session_cookie(bob)
        before = self.inbox_count("bob@b.example")
        mark = self.srv.trace.refresh()[-1]["seq"]

        # No token, then a wrong one: 403, and nothing goes to the submission server.
        for fields in ([], [("csrf", "0" * 32)]):
            body, ctype = multipart(fields + [("to", "bob@b.example"),
                                              ("subject", "csrf probe"), ("body", "x")])
            status, _, page = http_call(self.port_b, "POST", "/send", body,
                                        {"Cookie": cookie, "Content-Type": ctype})
            self.assertEqual(status, 403, page[:300])

        # With the right token from the compose page, a CR LF in the subject: 400.
        status, _, compose = http_call(self.port_b, "GET", "/compose", headers={"Cookie": cookie})
        self.assertEqual(status, 200)
        token = re.search(rb'<input[^>]*name="csrf"[^>]*value="([^"]+)"', compose).group(1).decode()
        injected = "Quarterly numbers\r\nBcc: x@y"
        body, ctype = multipart([("csrf", token), ("to", "bob@b.example"), ("subject", injected),
                                 ("body", "x")])
        status, _, page = http_call(self.port_b, "POST", "/send", body,
                                    {"Cookie": cookie, "Content-Type": ctype})
        self.assertEqual(status, 400, page[:300])
        form = urllib.parse.urlencode({"csrf": token, "to": "bob@b.example", "subject": injected,
                                       "body": "x"}).encode()
        status, _, page = http_call(self.port_b, "POST", "/send", form,
                                    {"Cookie": cookie,
                                     "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400, page[:300])

        # The control: the same token and a clean subject is sent (so the refusals above were
        # about the token and the line break, nothing else).
        body, ctype = multipart([("csrf", token), ("to", "bob@b.example"),
                                 ("subject", "clean control"), ("body", "x")])
        status, headers, _ = http_call(self.port_b, "POST", "/send", body,
                                       {"Cookie": cookie, "Content-Type": ctype})
        self.assertEqual((status, headers.get("location")), (303, "/mailbox"))
        deadline = time.monotonic() + 10
        while True:
            new = [e for e in self.srv.trace.refresh() if e["seq"] > mark]
            if any(e["kind"] == "store" and e.get("action") == "deliver" for e in new):
                break
            if time.monotonic() > deadline:
                self.fail("the control mail was not delivered within 10 s")
            time.sleep(0.05)

        refused = [e for e in new if e.get("explain") == "webmail.csrf.refused"]
        self.assertEqual([e["token_present"] for e in refused], [False, True])
        self.assertEqual([e["field"] for e in new
                          if e.get("explain") == "webmail.header_injection.refused"],
                         ["subject", "subject"])
        legs = [e for e in new if e.get("explain") == "webmail.leg.smtp"]
        self.assertEqual(len(legs), 1, "only the control went to the submission server")
        deliveries = [e for e in new if e["kind"] == "store" and e.get("action") == "deliver"]
        self.assertEqual([e["message_id"] for e in deliveries], [legs[0]["message_id"]])
        self.assertFalse([e for e in new if "x@y" in e.get("raw", "") and e["proto"] != "http"],
                         "x@y reached no SMTP or IMAP conversation")
        self.assertEqual(self.inbox_count("bob@b.example"), before + 1)


if __name__ == "__main__":
    unittest.main()
