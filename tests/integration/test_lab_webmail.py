"""Lab 06, the webmail path, with a real client: `maillab lab labs/06-webmail-path.json --serve`
opens the lab's webmail, mail and DNS hosts on loopback ports, and Python's http.client is the
browser (GET /login, the pre-session cookie and the form's csrf field, POST /login, GET /compose,
POST /send, then Bob's login and his message page), exactly the requests the student types by
hand. The lab's terminal gets :done and the quiz's answers; every checkpoint is read from the
live trace, and the report is complete. Stopped by its pid."""
from __future__ import annotations

import http.client
import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
from pathlib import Path

from maillab_server import maillab_bin

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "labs" / "06-webmail-path.json"


class Browser:
    """A browser by hand: one connection per request, cookies kept, the page's csrf read."""

    def __init__(self, port: int, host: str):
        self.port, self.host = port, host
        self.cookies: dict[str, str] = {}
        self.page = ""

    def request(self, method: str, path: str, form: dict | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        self.page = res.read().decode("utf-8", "replace")
        for name, value in res.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return res.status

    def csrf(self, action: str) -> str:
        m = re.search(r'action="' + re.escape(action) + r'"[^>]*><input type="hidden" name="csrf" value="([0-9a-f]+)"',
                      self.page)
        assert m, f"no csrf for {action} in the page:\n{self.page[:2000]}"
        return m.group(1)


class WebmailLabWithARealBrowser(unittest.TestCase):
    def test_lab_06_with_http_client_against_serve(self):
        tmp = tempfile.TemporaryDirectory(prefix="maillab-lab06-")
        self.addCleanup(tmp.cleanup)
        report_path = Path(tmp.name) / "report.json"
        proc = subprocess.Popen([maillab_bin(), "lab", str(LAB), "--serve", "--no-explain", "--student", "Ida",
                                 "--report", str(report_path)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=dict(os.environ, NO_COLOR="1"))
        lines: queue.Queue[str] = queue.Queue()
        seen: list[str] = []
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

        def wait_for(pattern: str, timeout: float = 30.0) -> re.Match:
            deadline = time.monotonic() + timeout
            while True:
                for i, line in enumerate(seen):
                    m = re.search(pattern, line)
                    if m:
                        del seen[: i + 1]
                        return m
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {pattern!r} in:\n" + "".join(seen))
                try:
                    seen.append(lines.get(timeout=remaining))
                except queue.Empty:
                    pass

        def say(text: str) -> None:
            proc.stdin.write(text + "\n")
            proc.stdin.flush()

        try:
            port_a = int(wait_for(r"webmail\.a\.example\s+http\s+127\.0\.0\.1:(\d+)").group(1))
            port_b = int(wait_for(r"webmail\.b\.example\s+http\s+127\.0\.0\.1:(\d+)").group(1))
            alice = Browser(port_a, "webmail.a.example")
            self.assertEqual(alice.request("GET", "/login"), 200)
            self.assertEqual(alice.request("POST", "/login", {"user": "alice@a.example", "password": "alice-pw",
                                                                "csrf": alice.csrf("/login")}), 303)
            self.assertIn("ml_session_webmail_a_example", alice.cookies)
            wait_for(r"http HTTP/1\.1 303")
            say(":done")
            wait_for(r"Step ended: checkpoints 3/3")
            self.assertEqual(alice.request("GET", "/compose"), 200)
            self.assertEqual(alice.request("POST", "/send", {"to": "bob@b.example", "subject": "Typed by http.client",
                                                               "body": "Hello Bob, I am the browser.",
                                                               "csrf": alice.csrf("/send")}), 303)
            # The relay runs on its own: wait until mail.b.example has stored the mail.
            wait_for(r"store: delivered to bob@b\.example")
            say(":done")
            wait_for(r"Step ended: checkpoints 5/5")
            bob = Browser(port_b, "webmail.b.example")
            self.assertEqual(bob.request("GET", "/login"), 200)
            self.assertEqual(bob.request("POST", "/login", {"user": "bob@b.example", "password": "bob-pw",
                                                              "csrf": bob.csrf("/login")}), 303)
            self.assertEqual(bob.request("GET", "/message?folder=INBOX&uid=1"), 200)
            self.assertIn("Typed by http.client", bob.page)
            wait_for(r"http HTTP/1\.1 200")
            say(":done")
            for answer in ["HTTP", "SMTP", "DNS MX", "SMTP", "IMAP", "HTTP", "b"]:
                wait_for(r"(?:Question:|问题：)|Hop|Seed 000", timeout=30)
                say(answer)
            wait_for(r"Score: (\d+) / \1 ")
            self.assertEqual(proc.wait(timeout=20), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdin.close()
            proc.stdout.close()
        report = json.loads(report_path.read_text())
        self.assertTrue(report["complete"], json.dumps(report, indent=1)[:3000])
        self.assertEqual(report["mode"], "live")


if __name__ == "__main__":
    unittest.main()
