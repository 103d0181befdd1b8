"""Load: hundreds of concurrent SMTP, POP3 and IMAP sessions against one
`maillab serve --store DIR` on loopback, for a bounded time.

What it proves (each is an assertion):
- every message the server accepted (250 after the final ".") is in the recipient's mailbox
  exactly once, found by its Message-ID over IMAP, and its Maildir file exists once in DIR;
  no message appears that was not sent, and a message whose 250 never arrived is there at
  most once;
- the server's memory stays bounded: its resident set size (VmRSS in /proc/PID/status, sampled
  every 0.25 s) never exceeds the RSS before the load plus a fixed allowance (LOAD_RSS_MB, for
  sessions, buffers and the allocator) plus 4 times the bytes of mail stored (the store keeps
  each message in memory as well as on disk, with its index);
- the server still answers new SMTP, POP3 and IMAP clients at the end.

The figures (sessions, messages per second, peak RSS) are printed, so docs/security.md can quote
them. Knobs (environment): MAILLAB_LOAD_SECONDS (default 60), MAILLAB_LOAD_SESSIONS (concurrent
client sessions, default 300: half SMTP, a quarter each POP3 and IMAP), MAILLAB_BIN (required).
"""

from __future__ import annotations

import imaplib
import os
import poplib
import random
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from pathlib import Path

LOCALHOST = "127.0.0.1"
SECONDS = float(os.environ.get("MAILLAB_LOAD_SECONDS", "60"))
SESSIONS = int(os.environ.get("MAILLAB_LOAD_SESSIONS", "300"))
USERS = [f"user{i}@load.example" for i in range(40)]
PASSWORD = "pw"
LOAD_RSS_MB = 96
# In the sanitizer build (.ci/test) AddressSanitizer gives every allocation redzones and keeps
# freed memory in a quarantine (256 MiB by default) before reusing it: memory that is ASan's,
# not the server's. There the server runs with a small quarantine, which the bound adds, and the
# allowance for the server's own memory is tripled for the redzones and the shadow memory.
SANITIZED = "ASAN_OPTIONS" in os.environ
ASAN_QUARANTINE_MB = 16
ASAN_OVERHEAD = 3
MESSAGE_ID = re.compile(rb"Message-ID:\s*<([^>]+)>", re.I)


def free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((LOCALHOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Tally:
    """What the clients saw, shared by every worker thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: dict[str, str] = {}   # Message-ID -> recipient, 250 seen
        self.uncertain: dict[str, str] = {}  # sent, but no final reply seen
        self.accepted_bytes = 0
        self.sessions = {"smtp": 0, "pop3": 0, "imap": 0}
        self.errors: list[str] = []
        self.busy = 0      # POP3 [IN-USE]: another session holds that maildrop (RFC 1939 8)
        self.live = 0      # client sessions open right now
        self.peak_live = 0

    def opened(self):
        with self.lock:
            self.live += 1
            self.peak_live = max(self.peak_live, self.live)

    def closed(self, proto: str):
        with self.lock:
            self.live -= 1
            self.sessions[proto] += 1

    def error(self, what: str):
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(what)


class LoadTest(unittest.TestCase):
    def setUp(self):
        binary = os.environ.get("MAILLAB_BIN")
        if not binary:
            self.fail("MAILLAB_BIN is not set (the built maillab executable)")
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-load-")
        self.store = Path(self.tmp.name) / "store"
        self.smtp_port, self.pop3_port, self.imap_port = free_ports(3)
        cmd = [binary, "serve", "--store", str(self.store), "--bind", LOCALHOST,
               "--smtp-port", str(self.smtp_port), "--pop3-port", str(self.pop3_port),
               "--imap-port", str(self.imap_port), "--smtps-port", "0", "--pop3s-port", "0",
               "--imaps-port", "0", "--http-port", "0", "--tls-dir", str(Path(self.tmp.name) / "tls"),
               "--max-connections", str(SESSIONS + 100),
               "--max-connections-per-ip", str(SESSIONS + 100), "--quiet"]
        for u in USERS:
            cmd += ["--user", f"{u}:{PASSWORD}"]
        self.log = open(Path(self.tmp.name) / "serve.log", "wb")
        env = dict(os.environ)
        if SANITIZED:
            env["ASAN_OPTIONS"] += f":quarantine_size_mb={ASAN_QUARANTINE_MB}"
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 15
        for port in (self.smtp_port, self.pop3_port, self.imap_port):
            while True:
                try:
                    socket.create_connection((LOCALHOST, port), timeout=1).close()
                    break
                except OSError:
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        self.fail("maillab serve did not start:\n" +
                                  (Path(self.tmp.name) / "serve.log").read_text(errors="replace"))
                    time.sleep(0.05)

    def tearDown(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()
        self.tmp.cleanup()

    # ----- the clients ------------------------------------------------------------------------
    def smtp_worker(self, tally: Tally, stop: float, rng: random.Random):
        while time.monotonic() < stop:
            tally.opened()
            try:
                with smtplib.SMTP(LOCALHOST, self.smtp_port, timeout=30) as c:
                    c.ehlo("load.client")
                    for _ in range(rng.randint(1, 3)):
                        rcpt = rng.choice(USERS)
                        mid = f"{uuid.uuid4().hex}@load.client"
                        body = (f"From: load@load.client\r\nTo: {rcpt}\r\n"
                                f"Subject: load {mid[:8]}\r\nMessage-ID: <{mid}>\r\n\r\n" +
                                "x" * rng.randint(100, 2000) + "\r\n").encode()
                        with tally.lock:
                            tally.uncertain[mid] = rcpt
                        c.sendmail("load@load.client", [rcpt], body)  # raises unless 250
                        with tally.lock:
                            del tally.uncertain[mid]
                            tally.accepted[mid] = rcpt
                            tally.accepted_bytes += len(body)
            except (OSError, smtplib.SMTPException) as err:
                tally.error(f"smtp: {err!r}")
            finally:
                tally.closed("smtp")

    def pop3_worker(self, tally: Tally, stop: float, rng: random.Random):
        while time.monotonic() < stop:
            tally.opened()
            try:
                p = poplib.POP3(LOCALHOST, self.pop3_port, timeout=30)
                try:
                    p.user(rng.choice(USERS))
                    try:
                        p.pass_(PASSWORD)
                    except poplib.error_proto as err:
                        if b"IN-USE" in str(err).encode():
                            with tally.lock:
                                tally.busy += 1
                            continue
                        raise
                    count, _ = p.stat()
                    if count:
                        p.retr(rng.randint(1, count))  # read only: nothing is deleted
                    time.sleep(rng.uniform(0.05, 0.3))  # a session stays open a while
                    p.quit()
                finally:
                    p.close()
            except (OSError, poplib.error_proto) as err:
                tally.error(f"pop3: {err!r}")
            finally:
                tally.closed("pop3")

    def imap_worker(self, tally: Tally, stop: float, rng: random.Random):
        while time.monotonic() < stop:
            tally.opened()
            try:
                m = imaplib.IMAP4(LOCALHOST, self.imap_port, timeout=30)
                try:
                    m.login(rng.choice(USERS), PASSWORD)
                    _, data = m.select("INBOX", readonly=True)
                    exists = int(data[0])
                    if exists:
                        m.fetch(str(rng.randint(1, exists)), "(FLAGS BODY.PEEK[HEADER])")
                    time.sleep(rng.uniform(0.05, 0.3))
                    m.logout()
                finally:
                    try:
                        m.shutdown()
                    except OSError:
                        pass
            except (OSError, imaplib.IMAP4.error) as err:
                tally.error(f"imap: {err!r}")
            finally:
                tally.closed("imap")

    # ----- the test ---------------------------------------------------------------------------
    def test_concurrent_sessions_lose_nothing_and_memory_stays_bounded(self):
        tally = Tally()
        base_rss = rss_kib(self.proc.pid)
        samples: list[int] = []
        started = time.monotonic()
        stop = started + SECONDS
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                samples.append(rss_kib(self.proc.pid))
                time.sleep(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        n_smtp = SESSIONS // 2
        n_pop3 = SESSIONS // 4
        n_imap = SESSIONS - n_smtp - n_pop3
        threading.stack_size(256 * 1024)
        workers = []
        for i in range(SESSIONS):
            target = (self.smtp_worker if i < n_smtp else
                      self.pop3_worker if i < n_smtp + n_pop3 else self.imap_worker)
            t = threading.Thread(target=target, args=(tally, stop, random.Random(i)), daemon=True)
            workers.append(t)
            t.start()
        for t in workers:
            t.join(timeout=SECONDS + 120)
        elapsed = time.monotonic() - started
        sampling.set()
        sampler.join()
        self.assertFalse([t for t in workers if t.is_alive()], "a client hung")
        self.assertIsNone(self.proc.poll(), "the server died under load")

        # The server still answers new clients.
        with smtplib.SMTP(LOCALHOST, self.smtp_port, timeout=10) as c:
            self.assertEqual(c.noop()[0], 250)
        p = poplib.POP3(LOCALHOST, self.pop3_port, timeout=10)
        self.assertTrue(p.getwelcome().startswith(b"+OK"))
        p.quit()

        # Every accepted message exactly once, by Message-ID, over IMAP.
        found: dict[str, int] = {}
        stored_files = 0
        for user in USERS:
            m = imaplib.IMAP4(LOCALHOST, self.imap_port, timeout=30)
            m.login(user, PASSWORD)
            _, data = m.select("INBOX", readonly=True)
            if int(data[0]):
                _, fetched = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                for item in fetched:
                    if isinstance(item, tuple):
                        got = MESSAGE_ID.search(item[1])
                        self.assertIsNotNone(got, item[1][:200])
                        mid = got.group(1).decode()
                        found[mid] = found.get(mid, 0) + 1
            m.logout()
        for path in self.store.rglob("*"):
            if path.is_file() and path.parent.name in ("new", "cur"):
                stored_files += 1

        missing = [mid for mid in tally.accepted if found.get(mid, 0) == 0]
        doubled = [mid for mid, n in found.items() if n > 1]
        unknown = [mid for mid in found if mid not in tally.accepted and mid not in tally.uncertain]
        self.assertEqual(missing, [], "accepted (250) but not in the mailbox")
        self.assertEqual(doubled, [], "delivered more than once")
        self.assertEqual(unknown, [], "in a mailbox but never sent")
        self.assertEqual(stored_files, sum(found.values()), "Maildir files vs IMAP messages")

        peak = max(samples) if samples else 0
        allowance_kib = LOAD_RSS_MB * 1024 + 4 * tally.accepted_bytes // 1024
        if SANITIZED:
            allowance_kib = ASAN_OVERHEAD * allowance_kib + ASAN_QUARANTINE_MB * 1024
        figures = (f"load: {SESSIONS} concurrent client sessions for {elapsed:.0f} s "
                   f"(peak {tally.peak_live} open at once): "
                   f"{sum(tally.sessions.values())} sessions "
                   f"(smtp {tally.sessions['smtp']}, pop3 {tally.sessions['pop3']}, "
                   f"imap {tally.sessions['imap']}), {len(tally.accepted)} messages accepted "
                   f"({len(tally.accepted) / elapsed:.1f}/s, {tally.accepted_bytes // 1024} KiB), "
                   f"{len(tally.uncertain)} without a final reply, {tally.busy} POP3 [IN-USE], "
                   f"{len(tally.errors)} client errors; server RSS {base_rss // 1024} MiB before, "
                   f"peak {peak // 1024} MiB (bound {(base_rss + allowance_kib) // 1024} MiB)")
        print("\n" + figures, file=sys.stderr)
        self.assertLessEqual(peak, base_rss + allowance_kib, figures)
        self.assertEqual(tally.errors, [], figures)
        self.assertGreater(len(tally.accepted), 0)


if __name__ == "__main__":
    unittest.main()
