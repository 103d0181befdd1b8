"""maillab-gui live, under Xvfb, with real clients: `maillab-gui --serve` runs the servers in
its own process while Python's smtplib sends a mail and poplib and imaplib read it; the GUI
records the session (--record) and takes screenshots while it runs (--screenshot with
--after-events, and again on SIGUSR1). `maillab-gui --attach FILE` follows the recording of a
separate `maillab serve --record FILE`, started after the GUI, and starts again when serve is
restarted with the same file. Bad input (a port in use, a file
that is not a recording, a damaged line, live options without --serve) gets a clear message.
Every process is started on ports the OS said were free and stopped by its pid."""
from __future__ import annotations

import imaplib
import json
import os
import poplib
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest
from email.message import EmailMessage
from pathlib import Path

from png_reader import read_png, region_stats

GUI = os.environ.get("MAILLAB_GUI_BIN", "")
CLI = os.environ.get("MAILLAB_BIN", "")
HOST = "127.0.0.1"
SIZE = (1280, 800)
USERS = ["alice@example.org:alicepw", "bob@example.org:bobpw"]
LIVE_RED = (242, 64, 51)  # the live dot and word (gui/timeline_panel.cpp)


def free_ports(count: int) -> list[int]:
    """Ports the OS says are free right now (held open together so they are distinct)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def count_colour(rows, box, colour, tolerance=30) -> int:
    x0, y0, x1, y1 = box
    n = 0
    for y in range(y0, y1):
        row = rows[y]
        for x in range(x0, x1):
            if (abs(row[3 * x] - colour[0]) <= tolerance and abs(row[3 * x + 1] - colour[1]) <= tolerance
                    and abs(row[3 * x + 2] - colour[2]) <= tolerance):
                n += 1
    return n


class Xvfb:
    """A private X server on a display number it chooses itself (-displayfd)."""

    def __init__(self, size=SIZE):
        read_end, write_end = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{size[0]}x{size[1]}x24",
             "-nolisten", "tcp"], pass_fds=(write_end,), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(write_end)
        with os.fdopen(read_end) as r:
            number = r.readline().strip()
        if not number:
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


class Process:
    """A child process whose output goes to files that the test reads while it runs."""

    def __init__(self, cmd: list[str], workdir: Path, name: str, env: dict | None = None):
        self.cmd = cmd
        self.out_path = workdir / f"{name}.out"
        self.err_path = workdir / f"{name}.err"
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err,
                                     stdin=subprocess.DEVNULL, env=env, cwd=workdir)

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def errors(self) -> str:
        return self.err_path.read_text(errors="replace")

    def describe(self) -> str:
        return f"command: {' '.join(self.cmd)}\nstdout:\n{self.output()}\nstderr:\n{self.errors()}"

    def wait_for(self, pattern: str, timeout: float = 30.0, stream: str = "out", count: int = 1):
        """Waits until `pattern` (a regex) matches `count` times in the output; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.output() if stream == "out" else self.errors()
            found = list(re.finditer(pattern, text, re.M))
            if len(found) >= count:
                return found
            if self.proc.poll() is not None:
                raise AssertionError(f"exited with {self.proc.returncode} before {pattern!r}\n"
                                     + self.describe())
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} within {timeout} s\n" + self.describe())
            time.sleep(0.05)

    def signal(self, number: int):
        os.kill(self.proc.pid, number)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM by pid, then SIGKILL if it does not end. Returns the exit status."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout)
        self._out.close()
        self._err.close()
        return self.proc.returncode


def read_recording(path: Path) -> tuple[dict, list[dict]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    return header, [json.loads(line) for line in lines[1:] if line.strip()]


def events_so_far(path: Path) -> int:
    """Complete event lines a recording holds now (it is still being written)."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    return max(data[: data.rfind(b"\n") + 1].count(b"\n") - 1, 0)


def send_and_read_mail(smtp_port: int, pop3_port: int | None, imap_port: int | None,
                       subject: str) -> None:
    """alice sends bob a mail with smtplib; bob reads it with poplib and imaplib."""
    msg = EmailMessage()
    msg["From"] = "alice@example.org"
    msg["To"] = "bob@example.org"
    msg["Subject"] = subject
    msg.set_content("Hello Bob,\nthis mail was sent while the class watched.\n.\nA line with a dot.\n")
    with smtplib.SMTP(HOST, smtp_port, timeout=20) as smtp:
        smtp.ehlo("student-pc")
        smtp.send_message(msg)
    if pop3_port:
        pop = poplib.POP3(HOST, pop3_port, timeout=20)
        pop.user("bob@example.org")
        pop.pass_("bobpw")
        count, _ = pop.stat()
        assert count >= 1, count
        _, lines, _ = pop.retr(count)
        assert any(subject.encode() in line for line in lines), lines[:10]
        pop.quit()
    if imap_port:
        imap = imaplib.IMAP4(HOST, imap_port, timeout=20)
        imap.login("bob@example.org", "bobpw")
        imap.select("INBOX")
        typ, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK", (typ, data)
        imap.logout()


class GuiLive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not GUI or not Path(GUI).exists():
            raise RuntimeError("set MAILLAB_GUI_BIN to the maillab-gui binary")
        if not CLI or not Path(CLI).exists():
            raise RuntimeError("set MAILLAB_BIN to the maillab binary")
        if not shutil.which("Xvfb"):
            raise RuntimeError("Xvfb is missing (Debian package xvfb)")
        cls.xvfb = Xvfb()
        cls.env = dict(os.environ, DISPLAY=cls.xvfb.display)

    @classmethod
    def tearDownClass(cls):
        cls.xvfb.stop()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-gui-live-")
        self.dir = Path(self.tmp.name)
        self.processes: list[Process] = []

    def tearDown(self):
        for p in self.processes:
            p.stop()
        self.tmp.cleanup()

    def start(self, cmd: list[str], name: str) -> Process:
        p = Process(cmd, self.dir, name, env=self.env)
        self.processes.append(p)
        return p

    def single_server_args(self) -> tuple[list[str], dict[str, int]]:
        smtp, pop3, imap = free_ports(3)
        args = ["--smtp-port", str(smtp), "--smtps-port", "0", "--pop3-port", str(pop3),
                "--pop3s-port", "0", "--imap-port", str(imap), "--imaps-port", "0",
                "--http-port", "0", "--bind", HOST, "--tls-dir", str(self.dir / "tls")]
        for user in USERS:
            args += ["--user", user]
        return args, {"smtp": smtp, "pop3": pop3, "imap": imap}

    def screenshot_at_least(self, gui: Process, png: Path, events: int, shots_before: int) -> int:
        """Asks for a screenshot (SIGUSR1) until one shows at least `events` events; returns
        the number of 'wrote' lines so far."""
        shots = shots_before
        for _ in range(50):
            gui.signal(signal.SIGUSR1)
            found = gui.wait_for(r"^wrote .* at (\d+) events$", count=shots + 1)
            shots = len(found)
            if int(found[-1].group(1)) >= events:
                return shots
            time.sleep(0.1)
        raise AssertionError(f"the GUI never showed {events} events\n" + gui.describe())

    def check_live_picture(self, png: Path, protocols: list[tuple[str, tuple[int, int, int]]]):
        """The live line, the whole session on the scrubber (a tick per event coloured by
        protocol), and the newest event's protocol (the last one given) in the views, which
        follow it."""
        w, h, rows = read_png(png)
        self.assertEqual((w, h), SIZE)
        colours, busy = region_stats(rows, 0, 0, w, h)
        self.assertGreater(colours, 100, "a real frame has text, lines and colours")
        # The live line at the top of the timeline: the red dot and LIVE / ATTACHED.
        self.assertGreater(count_colour(rows, (0, 0, 260, 60), LIVE_RED), 20,
                           "no red live indicator in the timeline")
        # The scrubber, the timeline's last row (the timeline is 138 pixels high when live).
        for name, colour in protocols:
            self.assertGreater(count_colour(rows, (0, 90, w, 138), colour), 10,
                               f"no {name} tick on the scrubber")
        name, colour = protocols[-1]
        self.assertGreater(count_colour(rows, (0, 180, int(w * 0.58), h), colour), 200,
                           f"the views do not show the newest session ({name})")

    def test_serve_shows_real_clients_live_and_records_them(self):
        args, ports = self.single_server_args()
        record = self.dir / "class.jsonl"
        png = self.dir / "live.png"
        gui = self.start([GUI, "--serve", *args, "--record", str(record), "--screenshot", str(png),
                          "--after-events", "1", "--size", f"{SIZE[0]}x{SIZE[1]}"], "gui")
        gui.wait_for(r"^ready; close the window to stop$")
        out = gui.output()
        # It says where students connect, exactly the ports it bound.
        for name, port in ports.items():
            self.assertIn(f"{name} listening on {HOST}:{port}", out)
        self.assertIn(f"recording every event to {record}", out)

        send_and_read_mail(ports["smtp"], ports["pop3"], ports["imap"], "Live class 1")
        # The first screenshot was taken at the first event; now one with the whole session.
        first = gui.wait_for(r"^wrote .* at (\d+) events$")
        self.assertGreaterEqual(int(first[0].group(1)), 1)
        deadline = time.monotonic() + 20
        while "LOGOUT" not in record.read_text(errors="replace") and time.monotonic() < deadline:
            time.sleep(0.05)
        total = events_so_far(record)
        self.screenshot_at_least(gui, png, total, 1)
        self.check_live_picture(png, [("SMTP", (76, 141, 217)), ("POP3", (76, 184, 87)),
                                      ("IMAP", (217, 130, 43))])

        rc = gui.stop()
        self.assertEqual(rc, 0, gui.describe())
        out = gui.output()
        self.assertRegex(out, r"\d+ events recorded to " + re.escape(str(record)))
        self.assertIn("stopped", out)

        header, events = read_recording(record)
        self.assertEqual(header.get("mode"), "live")
        commands = [e["text"] for e in events if e.get("kind") == "command"]
        # smtplib writes its verbs in lower case ("mail FROM:"), as the recording keeps them.
        for expected in ("EHLO STUDENT-PC", "MAIL FROM:<ALICE@EXAMPLE.ORG>",
                         "RCPT TO:<BOB@EXAMPLE.ORG>", "DATA", "USER BOB@EXAMPLE.ORG", "RETR 1"):
            self.assertTrue(any(c.upper().startswith(expected) for c in commands),
                            f"{expected!r} not among the recorded commands {commands}")
        self.assertTrue(any("LOGIN" in c for c in commands), commands)
        self.assertTrue(any("LOGOUT" in c for c in commands), commands)
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, sorted(seqs))
        # The window closed cleanly: every connection's close is in the file, nothing cut off.
        self.assertTrue(record.read_bytes().endswith(b"\n"))

    def test_attach_follows_a_separate_serve_started_later(self):
        record = self.dir / "serve.jsonl"
        png = self.dir / "attach.png"
        gui = self.start([GUI, "--attach", str(record), "--screenshot", str(png),
                          "--after-events", "1", "--size", f"{SIZE[0]}x{SIZE[1]}"], "gui")
        # The file does not exist yet: the GUI says so and waits.
        gui.wait_for(r"^waiting for .*serve\.jsonl to appear")

        smtp, pop3 = free_ports(2)
        serve = self.start([CLI, "serve", "--smtp-port", str(smtp), "--smtps-port", "0",
                            "--pop3-port", str(pop3), "--pop3s-port", "0", "--imap-port", "0",
                            "--imaps-port", "0", "--http-port", "0", "--bind", HOST,
                            "--tls-dir", str(self.dir / "tls"), "--record", str(record),
                            "--quiet", *sum((["--user", u] for u in USERS), [])], "serve")
        serve.wait_for(r"^ready; Ctrl-C stops$")
        gui.wait_for(r"^following .*serve\.jsonl$")
        send_and_read_mail(smtp, pop3, None, "Attached class")
        deadline = time.monotonic() + 20
        while "QUIT" not in record.read_text(errors="replace") or events_so_far(record) < 10:
            if time.monotonic() > deadline:
                raise AssertionError("the recording did not grow\n" + serve.describe())
            time.sleep(0.05)
        time.sleep(0.3)  # the POP3 session's last events
        total = events_so_far(record)
        gui.wait_for(r"^wrote .* at (\d+) events$")
        self.screenshot_at_least(gui, png, total, 1)
        self.check_live_picture(png, [("SMTP", (76, 141, 217)), ("POP3", (76, 184, 87))])
        self.assertEqual(serve.stop(), 0, serve.describe())

        # serve restarted with the same --record FILE empties it: the GUI starts a new session.
        first_total = events_so_far(record)
        smtp, pop3 = free_ports(2)
        serve2 = self.start([CLI, "serve", "--smtp-port", str(smtp), "--smtps-port", "0",
                             "--pop3-port", "0", "--pop3s-port", "0", "--imap-port", "0",
                             "--imaps-port", "0", "--http-port", "0", "--bind", HOST,
                             "--tls-dir", str(self.dir / "tls"), "--record", str(record),
                             "--quiet", *sum((["--user", u] for u in USERS), [])], "serve2")
        serve2.wait_for(r"^ready; Ctrl-C stops$")
        send_and_read_mail(smtp, None, None, "Second class")
        deadline = time.monotonic() + 20
        while "221" not in record.read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise AssertionError("the new recording did not grow\n" + serve2.describe())
            time.sleep(0.05)
        time.sleep(0.3)
        second_total = events_so_far(record)
        self.assertLess(second_total, first_total)
        shots = len(gui.wait_for(r"^wrote .* at (\d+) events$", count=2))
        for _ in range(50):
            gui.signal(signal.SIGUSR1)
            found = gui.wait_for(r"^wrote .* at (\d+) events$", count=shots + 1)
            shots = len(found)
            if int(found[-1].group(1)) == second_total:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"the GUI did not start again with the new session's "
                                 f"{second_total} events\n" + gui.describe())
        self.assertEqual(serve2.stop(), 0, serve2.describe())
        self.assertEqual(gui.stop(), 0, gui.describe())

    def test_attach_reports_a_damaged_line_and_a_file_that_is_not_a_recording(self):
        record = self.dir / "damaged.jsonl"
        subprocess.run([CLI, "run", "--quiet", "--record", str(record)], check=True, timeout=60)
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[5] = '{"seq": 5, this is not json\n'
        record.write_text("".join(lines), encoding="utf-8")
        gui = self.start([GUI, "--attach", str(record), "--size", f"{SIZE[0]}x{SIZE[1]}"], "gui")
        gui.wait_for(re.escape(f"{record}:6: damaged line skipped"), stream="err")
        self.assertEqual(gui.stop(), 0, gui.describe())

        text = self.dir / "notes.txt"
        text.write_text("Subject: not a recording\n\nhello\n")
        gui = self.start([GUI, "--attach", str(text), "--size", f"{SIZE[0]}x{SIZE[1]}"], "gui2")
        gui.wait_for(re.escape(f"{text}:1: not a maillab recording"), stream="err")
        self.assertEqual(gui.stop(), 0, gui.describe())

    def test_a_port_in_use_and_misplaced_options_are_clear_errors(self):
        busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        busy.bind((HOST, 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        try:
            args, _ = self.single_server_args()
            args[args.index("--smtp-port") + 1] = str(port)
            r = subprocess.run([GUI, "--serve", *args], capture_output=True, text=True,
                               timeout=60, env=self.env)
        finally:
            busy.close()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"cannot listen for smtp on {HOST}:{port}", r.stderr)

        r = subprocess.run([GUI, "--record", str(self.dir / "x.jsonl")], capture_output=True,
                           text=True, timeout=60, env=self.env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--record goes with --serve", r.stderr)
        r = subprocess.run([GUI, "--serve", "--attach", "x.jsonl"], capture_output=True,
                           text=True, timeout=60, env=self.env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("do not go together", r.stderr)


if __name__ == "__main__":
    unittest.main()
