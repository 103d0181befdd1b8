#!/usr/bin/env python3
"""Screenshots of the webmail for the docs, taken in a real browser (headless Chromium).

Starts `maillab serve` on a scenario with two mail systems and a webmail in front of each,
puts a few mails in Bob's inbox (with Python's smtplib, straight to his MX), has Alice write to
Bob in her webmail (the compose page is shot before she presses Send), then shoots Bob's webmail
in English and in Chinese (?lang=zh):

    docs/images/webmail-login-en.png     the login page
    docs/images/webmail-compose-en.png   Alice's compose page, filled in, an attachment chosen
    docs/images/webmail-inbox-en.png     Bob's inbox
    docs/images/webmail-message-en.png   Alice's mail opened, with its attachment
    docs/images/webmail-inbox-zh.png     the inbox in Chinese
    docs/images/webmail-message-zh.png   the mail in Chinese
    docs/images/webmail-html-en.png      an HTML mail with a script and a tracking pixel, sanitized

Needs Debian's chromium, chromium-driver and python3-selenium (run it with /usr/bin/python3):

    /usr/bin/python3 docs/tools/webmail_screenshots.py [--maillab build/cli/maillab] [--out docs/images]

Every process it starts (maillab serve, chromedriver and Chromium) is stopped at the end, also
when something fails.
"""

from __future__ import annotations

import argparse
import email.message
import email.utils
import json
import os
import re
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1600, 1000
HOST = "127.0.0.1"

SCENARIO = {
    "maillab_scenario": 1,
    "title": "webmail screenshots",
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
    "users": [{"address": "alice@a.example", "password": "alice-pw", "name": "Alice"},
              {"address": "bob@b.example", "password": "bob-pw", "name": "Bob"}],
    "dns": {"mx": {"a.example": [{"preference": 10, "host": "mail.a.example"}],
                   "b.example": [{"preference": 10, "host": "mail.b.example"}]}},
    "script": [],
}

# Mails already in Bob's inbox before Alice writes (oldest first).
EARLIER_MAILS = [
    ("Carol <carol@c.example>", "Lab 3: SMTP by hand", "text",
     "Hi Bob,\n\nfor lab 3 we talk to the server with telnet: HELO, MAIL FROM, RCPT TO, DATA.\n"
     "Bring your notes.\n\nCarol\n"),
    ("教务处 <office@school.example>", "课程通知：期中考试安排", "text",
     "各位同学：\n\n计算机网络期中考试定于下周三上午九点，在教学楼 301 教室。\n"
     "考试范围：应用层（HTTP、SMTP、POP3、IMAP、DNS）。\n\n教务处\n"),
    ("Newsletter <news@shop.example>", "Spring sale: 50% off", "html",
     "<h2>Spring sale</h2><p>Everything <b>50% off</b> this week.</p>"
     "<script>document.title='gotcha'</script>"
     "<img src=\"https://tracker.example/pixel.gif\" width=\"1\" height=\"1\">"
     "<p><a href=\"https://shop.example/\">Visit the shop</a></p>"),
]

ALICE_SUBJECT = "Report 报告"
ALICE_BODY = ("Hi Bob,\n\nthe measurements from Monday's lab are attached.\n"
              "你好，周一实验的数据在附件里。\n\nAlice")


class Serve:
    """`maillab serve SCENARIO --base-port 0`; the ports as it printed them; stopped by pid."""

    def __init__(self, maillab: str, workdir: Path):
        self.scenario = workdir / "webmail.json"
        self.scenario.write_text(json.dumps(SCENARIO, indent=2))
        self.log_path = workdir / "serve.log"
        self.command = [maillab, "serve", str(self.scenario), "--base-port", "0", "--bind", HOST,
                        "--trace", str(workdir / "trace.jsonl"), "--tls-dir",
                        str(workdir / "tls"), "--quiet"]
        self.proc: subprocess.Popen | None = None
        self.ports: dict[tuple[str, str], int] = {}

    def start(self) -> None:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            if "ready; Ctrl-C stops" in text:
                for host, service, port in re.findall(r"^(\S+)\s+(\S+)\s+127\.0\.0\.1:(\d+)",
                                                      text, re.M):
                    self.ports[(host, service)] = int(port)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"maillab serve did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "_log", None):
            self._log.close()

    def url(self, host: str, path: str) -> str:
        return f"http://{HOST}:{self.ports[(host, 'http')]}{path}"


def browser(profile: Path, downloads: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", "--lang=en-US",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--no-first-run"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.set_page_load_timeout(20)
        # Exactly WIDTH x HEIGHT CSS pixels of page, whatever the window decorations.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
                                "mobile": False})
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
    except BaseException:
        driver.quit()
        raise
    return driver


def wait_css(driver, css: str):
    return WebDriverWait(driver, 15).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def wait_path(driver, path: str) -> None:
    WebDriverWait(driver, 15).until(lambda d: urllib.parse.urlsplit(d.current_url).path == path,
                                    f"not at {path}: {driver.current_url}")


def log_in(driver, url: str, user: str, password: str) -> None:
    driver.get(url)
    wait_css(driver, "input[name=user]").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait_path(driver, "/mailbox")
    wait_css(driver, "a[href='/compose']")


def shoot(driver, out: Path, name: str) -> None:
    # No focus ring and no text cursor in the picture; the top of the page.
    driver.execute_script("document.activeElement && document.activeElement.blur();"
                          "window.scrollTo(0, 0)")
    # Web fonts: none; but let layout and the sandboxed frame settle.
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState")
                                    == "complete")
    time.sleep(0.3)
    path = out / f"{name}.png"
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"no screenshot for {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def open_message(driver, url: str, subject: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        driver.get(url)
        for link in driver.find_elements(By.CSS_SELECTOR, "a[href*='/message?']"):
            if link.text.strip() == subject:
                href = link.get_attribute("href")
                driver.get(href)
                wait_css(driver, "h1")
                return
        time.sleep(0.25)
    raise RuntimeError(f"{subject!r} did not arrive in the inbox")


def fill_bob_inbox(serve: Serve) -> None:
    port = serve.ports[("mail.b.example", "smtp")]
    with smtplib.SMTP(HOST, port, timeout=10) as s:
        for i, (sender, subject, kind, body) in enumerate(EARLIER_MAILS):
            m = email.message.EmailMessage()
            m["From"] = sender
            m["To"] = "Bob <bob@b.example>"
            m["Subject"] = subject
            m["Message-ID"] = f"<shot-{i}@screenshots.example>"
            m["Date"] = email.utils.formatdate(localtime=False)
            if kind == "html":
                m.set_content("Spring sale: everything 50% off this week.\n")
                m.add_alternative(f"<html><body>{body}</body></html>\n", subtype="html")
            else:
                m.set_content(body)
            s.send_message(m)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--maillab", default=os.environ.get("MAILLAB_BIN",
                                                            str(ROOT / "build/cli/maillab")))
    parser.add_argument("--out", default=str(ROOT / "docs/images"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="maillab-shots-") as tmp:
        work = Path(tmp)
        serve = Serve(args.maillab, work)
        drivers = []
        try:
            serve.start()
            fill_bob_inbox(serve)
            attachment = work / "upload" / "measurements-测量.csv"
            attachment.parent.mkdir()
            attachment.write_text("time,voltage\n0,0.00\n1,1.25\n2,2.50\n" * 200)

            alice = browser(work / "profile-alice", work / "downloads-alice")
            drivers.append(alice)
            bob = browser(work / "profile-bob", work / "downloads-bob")
            drivers.append(bob)

            # The login page, the user name typed in.
            bob.get(serve.url("webmail.b.example", "/login?lang=en"))
            wait_css(bob, "input[name=user]").send_keys("bob@b.example")
            shoot(bob, out, "webmail-login-en")

            # Alice writes; the page is shot just before Send.
            log_in(alice, serve.url("webmail.a.example", "/login?lang=en"), "alice@a.example",
                   "alice-pw")
            alice.find_element(By.CSS_SELECTOR, "a[href='/compose']").click()
            wait_path(alice, "/compose")
            form = wait_css(alice, "form[action='/send']")
            form.find_element(By.NAME, "to").send_keys("Bob <bob@b.example>")
            form.find_element(By.NAME, "subject").send_keys(ALICE_SUBJECT)
            form.find_element(By.NAME, "body").send_keys(ALICE_BODY)
            form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(attachment))
            shoot(alice, out, "webmail-compose-en")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            wait_path(alice, "/mailbox")

            # Bob reads, in English, then in Chinese.
            bob.delete_all_cookies()
            log_in(bob, serve.url("webmail.b.example", "/login?lang=en"), "bob@b.example",
                   "bob-pw")
            inbox = serve.url("webmail.b.example", "/mailbox?lang=en")
            # Carol's mail has been read already: the list shows read and unread rows.
            open_message(bob, inbox, EARLIER_MAILS[0][1])
            open_message(bob, inbox, ALICE_SUBJECT)  # waits until the relayed mail is there
            bob.find_element(By.CSS_SELECTOR, "form[action='/flag'] button[value=unread]").click()
            wait_path(bob, "/mailbox")
            bob.get(inbox)
            wait_css(bob, "table")
            shoot(bob, out, "webmail-inbox-en")
            open_message(bob, inbox, ALICE_SUBJECT)
            shoot(bob, out, "webmail-message-en")
            bob.get(serve.url("webmail.b.example", "/mailbox?lang=zh"))
            wait_css(bob, "table")
            shoot(bob, out, "webmail-inbox-zh")
            open_message(bob, serve.url("webmail.b.example", "/mailbox?lang=zh"), ALICE_SUBJECT)
            shoot(bob, out, "webmail-message-zh")
            # Last, because reading it marks the newsletter read: the sanitizer's list of what it
            # removed (the script, the tracking pixel) above the mail's sandboxed frame.
            open_message(bob, serve.url("webmail.b.example", "/mailbox?lang=en"),
                         EARLIER_MAILS[2][1])
            wait_css(bob, "iframe.mail-html")
            shoot(bob, out, "webmail-html-en")
        finally:
            for d in drivers:
                d.quit()
            serve.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
