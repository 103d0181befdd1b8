"""Record, annotate and replay through the real command.

`maillab run scenarios/classic.json --record F` writes the recording; `maillab annotate` adds
notes, bookmarks and views to it; `maillab replay F` prints it filtered, step by step (driven
through a pseudo-terminal, and through a pipe), and in real time; `maillab serve --record`
(single server and scenario) records a live session with smtplib whose replay shows the
commands the client really sent.

The maillab binary comes from MAILLAB_BIN (see maillab_server.py).
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from maillab_server import LOCALHOST, free_ports, maillab_bin, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "classic.jsonl"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A replayed event starts with its seq, then the time: "   14     0.012s  #1 C: ..."
EVENT_LINE = re.compile(r"^\s*(\d+)\s+\d+\.\d{3}s\s")
CLASSIC_SMTP_COMMANDS = [
    "EHLO pc.alice",
    "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3",
    "MAIL FROM:<alice@a.example> SIZE=366",
    "RCPT TO:<bob@b.example>",
    "DATA",
    "QUIT",
    "EHLO mail.a.example",
    "MAIL FROM:<alice@a.example> SIZE=499",
    "RCPT TO:<bob@b.example>",
    "DATA",
    "QUIT",
]


def maillab(*args: str, check: bool = True, timeout: float = 60,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    result = subprocess.run([maillab_bin(), *args], capture_output=True, text=True,
                            timeout=timeout, cwd=ROOT, env=env, input=stdin)
    if check and result.returncode != 0:
        raise AssertionError(f"maillab {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def read_jsonl(path: Path) -> tuple[dict, list[dict], list[dict]]:
    """Header, events and annotations of a recording."""
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    events = [x for x in lines[1:] if "annotation" not in x]
    notes = [x["annotation"] for x in lines[1:] if list(x) == ["annotation"]]
    return lines[0], events, notes


def shown_seqs(output: str) -> list[int]:
    """The seqs of the events a replay printed, in order."""
    seqs = []
    for line in output.splitlines():
        line = ANSI.sub("", line).split("\r")[-1]  # a terminal prompt erased with \r
        m = EVENT_LINE.match(line)
        if m:
            seqs.append(int(m.group(1)))
    return seqs


def command_lines(output: str) -> list[str]:
    """The client commands a replay printed ("C: EHLO pc.alice\\r\\n" -> "EHLO pc.alice")."""
    found = []
    for line in output.splitlines():
        m = re.search(r" C: (.*?)(?:\\r\\n)?   \(", ANSI.sub("", line))
        if m:
            found.append(m.group(1))
    return found


class RecordAnnotateReplay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="maillab-replay-")
        cls.dir = Path(cls.tmp.name)
        cls.recording = cls.dir / "classic.jsonl"
        # Run from the source tree with the relative path, as the golden traces were made.
        cls.run_result = maillab("run", "scenarios/classic.json", "--record", str(cls.recording))
        cls.header, cls.events, _ = read_jsonl(cls.recording)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def copy(self, name: str) -> Path:
        path = self.dir / name
        shutil.copy(self.recording, path)
        return path

    def seq_of(self, kind: str, text: str) -> int:
        return next(e["seq"] for e in self.events if e["kind"] == kind and e["text"] == text)

    def test_recording_is_the_scenario_trace_byte_for_byte(self):
        self.assertIn("5 of 5 expectation(s) met; trace written to", self.run_result.stdout)
        self.assertEqual(self.recording.read_bytes(), GOLDEN.read_bytes())
        self.assertEqual(self.header["version"], 1)  # no annotations yet
        # --trace is the old name of --record: same file.
        old_name = self.dir / "old-name.jsonl"
        maillab("run", "scenarios/classic.json", "--quiet", "--trace", str(old_name))
        self.assertEqual(old_name.read_bytes(), self.recording.read_bytes())

    def test_replay_filters_by_protocol_and_kind(self):
        result = maillab("replay", str(self.recording), "--proto", "smtp", "--kind", "command",
                         "--no-explain")
        self.assertEqual(command_lines(result.stdout), CLASSIC_SMTP_COMMANDS)
        expected = [e["seq"] for e in self.events
                    if e.get("proto") == "smtp" and e["kind"] == "command"]
        self.assertEqual(shown_seqs(result.stdout), expected)
        self.assertIn(f"{len(self.events)} events, {len(expected)} shown", result.stdout)
        self.assertIn(f"end of replay: {len(expected)} event(s) shown", result.stdout)
        # Two kinds, one host: mail.b.example's side of the relay hop only.
        result = maillab("replay", str(self.recording), "--kind", "command,reply",
                         "--host", "mail.b.example", "--proto", "smtp")
        shown = shown_seqs(result.stdout)
        expected = [e["seq"] for e in self.events
                    if e.get("proto") == "smtp" and e["kind"] in ("command", "reply")
                    and "mail.b.example" in (e.get("from"), e.get("to"))]
        self.assertEqual(shown, expected)
        self.assertTrue(shown)

    def test_replay_from_to_and_connection(self):
        result = maillab("replay", str(self.recording), "--from", "10", "--to", "20")
        expected = [e["seq"] for e in self.events if 10 <= e["seq"] <= 20 and e["kind"] != "bytes"]
        self.assertEqual(shown_seqs(result.stdout), expected)
        # With --bytes the tap's chunks are there too: every seq from 10 to 20.
        result = maillab("replay", str(self.recording), "--from", "10", "--to", "20", "--bytes")
        self.assertEqual(shown_seqs(result.stdout), list(range(10, 21)))
        result = maillab("replay", str(self.recording), "--conn", "2", "--kind", "command")
        expected = [e["seq"] for e in self.events if e.get("conn") == 2 and e["kind"] == "command"]
        self.assertEqual(shown_seqs(result.stdout), expected)
        self.assertTrue(expected)
        bad = maillab("replay", str(self.recording), "--from", "20", "--to", "10", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("--from 20 is after --to 10", bad.stderr)
        bad = maillab("replay", str(self.recording), "--kind", "comand", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn('unknown event kind "comand"', bad.stderr)

    def test_annotate_then_replay_shows_notes_below_their_events(self):
        path = self.copy("annotated.jsonl")
        mail_from = self.seq_of("command", "MAIL FROM:<alice@a.example> SIZE=366")
        added = maillab("annotate", str(path), "--seq", str(mail_from), "--note",
                        "The envelope sender: not the From: header!",
                        "--zh", "信封发件人：不是 From: 头！")
        self.assertEqual(added.stdout.strip(),
                         f"added note 1 on #{mail_from} to {path} (1 annotation(s))")
        quit_seq = self.seq_of("command", "QUIT")
        maillab("annotate", str(path), "--bookmark", "alice is done", "--seq", str(quit_seq))
        maillab("annotate", str(path), "--view", "relay hop", "--proto", "smtp", "--kind",
                "command", "--host", "mail.b.example")

        header, events, notes = read_jsonl(path)
        self.assertEqual(header["version"], 2)
        self.assertEqual(events, self.events)  # the events are untouched
        self.assertEqual([n["id"] for n in notes], [1, 2, 3])
        self.assertEqual(notes[0], {"id": 1, "type": "note", "seq": mail_from,
                                    "text": "The envelope sender: not the From: header!",
                                    "text_zh": "信封发件人：不是 From: 头！"})

        listing = maillab("annotate", str(path), "--list").stdout
        self.assertIn(f"1    note      #{mail_from:<5} The envelope sender", listing)
        self.assertIn(f"2    bookmark  #{quit_seq:<5} alice is done", listing)
        self.assertIn("3    view      relay hop (proto smtp; host mail.b.example; kind command)",
                      listing)
        self.assertIn("zh: 信封发件人", listing)

        out = maillab("replay", str(path), "--proto", "smtp", "--kind", "command",
                      "--no-explain").stdout
        lines = [ANSI.sub("", line) for line in out.splitlines()]
        at = next(i for i, line in enumerate(lines) if "C: MAIL FROM:<alice@a.example> SIZE=366" in line)
        self.assertIn("✎ teacher's note 1: The envelope sender: not the From: header!", lines[at + 1])
        at = next(i for i, line in enumerate(lines) if EVENT_LINE.match(line)
                  and int(EVENT_LINE.match(line).group(1)) == quit_seq)
        self.assertIn("★ bookmark 2: alice is done", lines[at + 1])
        self.assertIn("3 annotation(s)", out)
        zh = maillab("replay", str(path), "--proto", "smtp", "--kind", "command", "--lang", "zh",
                     "--no-explain").stdout
        self.assertIn("✎ 教师注释 1：信封发件人：不是 From: 头！", zh)

        # The saved view filters the replay like the options it was saved with.
        view = maillab("replay", str(path), "--view", "relay hop", "--no-explain").stdout
        self.assertEqual(command_lines(view), CLASSIC_SMTP_COMMANDS[6:])
        missing = maillab("replay", str(path), "--view", "nope", check=False)
        self.assertEqual(missing.returncode, 1)
        self.assertIn('no saved view named "nope" (the file has: relay hop)', missing.stderr)

        removed = maillab("annotate", str(path), "--remove", "1").stdout
        self.assertIn("removed note 1", removed)
        self.assertNotIn("teacher's note", maillab("replay", str(path)).stdout)
        self.assertEqual([n["id"] for n in read_jsonl(path)[2]], [2, 3])

    def test_annotate_refuses_what_does_not_fit(self):
        path = self.copy("refuse.jsonl")
        before = path.read_bytes()
        last = self.events[-1]["seq"]
        bad = maillab("annotate", str(path), "--seq", str(last + 1), "--note", "x", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn(f"no event #{last + 1} (the file has #1 to #{last})", bad.stderr)
        bad = maillab("annotate", str(path), "--remove", "4", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("no annotation with id 4", bad.stderr)
        bad = maillab("annotate", str(path), check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("say what to do", bad.stderr)
        bad = maillab("annotate", str(ROOT / "scenarios" / "classic.json"), "--list", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("is a scenario, not a recording", bad.stderr)
        self.assertEqual(path.read_bytes(), before)

    def test_step_through_a_pseudo_terminal(self):
        expected = [e["seq"] for e in self.events
                    if e.get("proto") == "smtp" and e["kind"] == "command"]
        pid, fd = pty.fork()
        if pid == 0:  # the child: maillab on the terminal; never returns into the tests
            try:
                os.environ["NO_COLOR"] = "1"
                os.execv(maillab_bin(), [maillab_bin(), "replay", str(self.recording), "--proto",
                                         "smtp", "--kind", "command", "--no-explain", "--step"])
            finally:
                os._exit(127)
        output = b""

        def read_until(pattern: bytes, count: int = 1, timeout: float = 10.0) -> None:
            """Reads the terminal until `pattern` has appeared `count` times."""
            nonlocal output
            deadline = time.monotonic() + timeout
            while output.count(pattern) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {pattern!r} in {output.decode(errors='replace')}")
                ready, _, _ = select.select([fd], [], [], remaining)
                if ready:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        raise AssertionError(f"replay ended early: {output.decode(errors='replace')}")
                    output += chunk

        n = len(expected)
        try:
            read_until(f"[1/{n}]".encode())
            os.write(fd, b" ")
            read_until(f"[2/{n}]".encode())
            os.write(fd, b" ")
            read_until(f"[3/{n}]".encode())
            os.write(fd, b"b")
            read_until(f"[2/{n}]".encode(), count=2)  # back at the second event
            os.write(fd, b"q")
            read_until(b"end of replay")
            _, status = os.waitpid(pid, 0)
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            os.close(fd)
        text = output.decode(errors="replace")
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, text)
        self.assertEqual(shown_seqs(text), [expected[0], expected[1], expected[2], expected[1]])
        self.assertIn("end of replay: 4 event(s) shown", text)

    def test_step_reads_lines_from_a_pipe(self):
        expected = [e["seq"] for e in self.events
                    if e.get("proto") == "smtp" and e["kind"] == "command"]
        result = maillab("replay", str(self.recording), "--proto", "smtp", "--kind", "command",
                         "--step", "--no-explain", stdin="\n\nb\nq\n")
        self.assertEqual(shown_seqs(result.stdout), [expected[0], expected[1], expected[2], expected[1]])
        # Back from the first event: nothing to go back to; the end of the input quits.
        result = maillab("replay", str(self.recording), "--proto", "smtp", "--kind", "command",
                         "--step", stdin="b\n")
        self.assertEqual(shown_seqs(result.stdout), [expected[0]])
        self.assertIn("(this is the first event)", result.stdout)

    def test_speed_plays_the_recording_rhythm_in_bounded_time(self):
        shown = [e for e in self.events if e["kind"] != "bytes"]
        pauses = [min((b["t_us"] - a["t_us"]) / 100 / 1e6, 2.0)
                  for a, b in zip(shown, shown[1:]) if b["t_us"] > a["t_us"]]
        expected = sum(pauses)
        self.assertGreater(expected, 0.3)  # the scenario spans more than 30 s of virtual time
        start = time.monotonic()
        result = maillab("replay", str(self.recording), "--speed", "100", "--no-explain",
                         timeout=60)
        elapsed = time.monotonic() - start
        self.assertEqual(shown_seqs(result.stdout), [e["seq"] for e in shown])
        self.assertGreaterEqual(elapsed, expected * 0.9)
        self.assertLess(elapsed, expected + 10)
        self.assertIn("2 s", maillab("replay", "--help").stdout)

    def test_a_scenario_is_refused_with_a_pointer_to_run(self):
        result = maillab("replay", "scenarios/classic.json", check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("scenarios/classic.json is a scenario, not a recording: run it with "
                      "`maillab run scenarios/classic.json`", result.stderr)

    def test_cut_off_recording_replays_with_a_warning(self):
        data = self.recording.read_bytes()
        lines = data.split(b"\n")
        cut = self.dir / "cut.jsonl"
        cut.write_bytes(b"\n".join(lines[:40]) + b"\n" + lines[40][:25])  # crash mid-line 41
        result = maillab("replay", str(cut), "--bytes")
        self.assertIn(f"maillab replay: warning: {cut}:41: last line is incomplete "
                      "(recording cut off?); it was skipped", result.stderr)
        self.assertEqual(shown_seqs(result.stdout), list(range(1, 40)))

    def test_damaged_or_newer_recording_is_an_error_naming_the_line(self):
        lines = self.recording.read_text().split("\n")
        damaged = self.dir / "damaged.jsonl"
        lines[4] = lines[4][:30]
        damaged.write_text("\n".join(lines))
        result = maillab("replay", str(damaged), check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{damaged}:5: not valid JSON at column", result.stderr)
        newer = self.dir / "newer.jsonl"
        newer.write_text('{"format":"maillab-trace","version":9}\n')
        result = maillab("replay", str(newer), check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{newer}:1: format version 9 is newer than this maillab reads (2)",
                      result.stderr)


class LiveRecording(unittest.TestCase):
    """`maillab serve --record`: real timestamps and every byte the client sent."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-live-")
        self.dir = Path(self.tmp.name)
        self.proc = None

    def tearDown(self):
        self.stop()
        self.tmp.cleanup()

    def start(self, args: list[str]) -> str:
        log = self.dir / "serve.log"
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([maillab_bin(), "serve", *args], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        text = wait_until_ready(self.proc, log, timeout=15)
        if text is None:
            raise AssertionError(f"serve did not get ready:\n{log.read_text(errors='replace')}")
        return text

    def stop(self) -> str:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        if self.proc is not None:
            self.log.close()
            self.proc = None
        return (self.dir / "serve.log").read_text(errors="replace")

    def test_single_server_recording_replays_what_smtplib_sent(self):
        recording = self.dir / "live.jsonl"
        smtp_port, pop3_port = free_ports(2)
        banner = self.start(["--domain", "example.org", "--user", "alice@example.org:alicepw",
                             "--user", "bob@example.org:bobpw", "--smtp-port", str(smtp_port),
                             "--smtps-port", "0", "--pop3-port", str(pop3_port),
                             "--pop3s-port", "0", "--imap-port", "0", "--imaps-port", "0",
                             "--http-port", "0", "--bind", LOCALHOST, "--record",
                             str(recording), "--tls-dir", str(self.dir / "tls"), "--quiet"])
        self.assertIn(f"recording every event to {recording}", banner)
        before_us = time.time_ns() // 1000
        with smtplib.SMTP(LOCALHOST, smtp_port, timeout=10) as s:
            s.ehlo("classroom-pc")
            s.sendmail("alice@example.org", ["bob@example.org"],
                       "Subject: recorded live\r\n\r\nHello from the lab.\r\n")
        # Each event is on disk as it happens, before the server stops.
        deadline = time.monotonic() + 10
        while b"recorded live" not in recording.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn(b'"action":"deliver"', recording.read_bytes())
        after_us = time.time_ns() // 1000
        log = self.stop()
        self.assertRegex(log, rf"\d+ events recorded to {re.escape(str(recording))}")

        header, events, _ = read_jsonl(recording)
        self.assertEqual(header["clock"], "real")
        self.assertEqual(header["version"], 1)
        smtp = [e for e in events if e.get("proto") == "smtp"]
        for e in smtp:  # wall-clock times of this test, not a virtual clock
            self.assertGreaterEqual(e["t_us"], before_us - 1_000_000)
            self.assertLessEqual(e["t_us"], after_us + 1_000_000)
        # The tap recorded the client's bytes exactly as smtplib sent them (it writes its
        # commands in lower case, "mail FROM:"), and the server's.
        client_bytes = b"".join(e["raw"].encode() for e in smtp
                                if e["kind"] == "bytes" and e["to"] == "mail.example.org"
                                and "raw" in e)
        size = len("Subject: recorded live\r\n\r\nHello from the lab.\r\n")
        self.assertEqual(client_bytes,
                         b"ehlo classroom-pc\r\n"
                         + f"mail FROM:<alice@example.org> size={size}\r\n".encode()
                         + b"rcpt TO:<bob@example.org>\r\ndata\r\n"
                         b"Subject: recorded live\r\n\r\nHello from the lab.\r\n.\r\nQUIT\r\n")
        server_bytes = [e for e in smtp if e["kind"] == "bytes" and e["from"] == "mail.example.org"]
        self.assertTrue(server_bytes[0]["raw"].startswith("220 "), server_bytes[0])
        self.assertTrue(any(e["raw"].startswith("354 ") for e in server_bytes))

        # The replay shows each command as the client wrote it.
        replay = maillab("replay", str(recording), "--proto", "smtp", "--kind", "command",
                         "--no-explain").stdout
        self.assertEqual(command_lines(replay),
                         ["ehlo classroom-pc", f"mail FROM:<alice@example.org> size={size}",
                          "rcpt TO:<bob@example.org>", "data", "QUIT"])
        self.assertIn("real clock (recorded live)", replay)

    def test_scenario_recording_has_the_relay_hop(self):
        recording = self.dir / "scenario.jsonl"
        banner = self.start([str(ROOT / "scenarios" / "classic.json"), "--bind", LOCALHOST,
                             "--record", str(recording), "--tls-dir", str(self.dir / "tls"),
                             "--quiet"])
        ports = {(h, s): int(p) for h, s, p in
                 re.findall(r"^(\S+)\s+(\S+)\s+127\.0\.0\.1:(\d+)", banner, re.M)}
        with smtplib.SMTP(LOCALHOST, ports[("mail.a.example", "submission")], timeout=10) as s:
            s.login("alice", "alice-pw")
            s.sendmail("alice@a.example", ["bob@b.example"],
                       "Subject: relayed\r\nMessage-ID: <rec@a.example>\r\n\r\nhop\r\n")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if b'"from":"mail.b.example","kind":"store"' in recording.read_bytes():
                break
            time.sleep(0.05)
        self.stop()
        header, events, _ = read_jsonl(recording)
        self.assertEqual((header["scenario"], header["mode"], header["clock"]),
                         ("classic", "live", "real"))
        delivered = [e for e in events if e["kind"] == "store" and e.get("action") == "deliver"]
        self.assertEqual([e["from"] for e in delivered], ["mail.b.example"])
        # Both legs' client bytes are in the recording: smtplib's, and the relay's own.
        sent = "".join(e.get("raw", "") for e in events if e["kind"] == "bytes")
        self.assertIn("AUTH PLAIN", sent)
        self.assertIn("EHLO mail.a.example\r\n", sent)
        replay = maillab("replay", str(recording), "--host", "mail.b.example", "--proto", "smtp",
                         "--kind", "command", "--no-explain").stdout
        commands = command_lines(replay)
        self.assertEqual(commands[0], "EHLO mail.a.example")
        self.assertEqual(commands[2:], ["RCPT TO:<bob@b.example>", "DATA", "QUIT"])


if __name__ == "__main__":
    unittest.main()
