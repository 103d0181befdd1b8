"""The teacher's merged view in maillab-gui, under Xvfb: two `maillab serve classic.json --as
HOST --publish-trace 0` on 127.0.0.1 (the two students' machines), Alice's mail sent with smtplib
and read with poplib, then `maillab-gui --attach ADDR:PORT --attach ADDR:PORT` follows both
traces merged and takes a screenshot that must show the live line and the whole path (SMTP on
both hosts, POP3). A wrong token and an unreachable publisher are said and the other source goes
on; the existing --attach FILE keeps working beside it (test_gui_live.py). Every process is
stopped by its pid."""
from __future__ import annotations

import json
import re
import shutil
import signal
import smtplib
import poplib
import tempfile
import time
import unittest
from pathlib import Path

from png_reader import read_png, region_stats
from test_gui_live import CLI, GUI, HOST, LIVE_RED, Process, Xvfb, count_colour, free_ports

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "classic.json"
ENDPOINT = re.compile(r"^(\S+)\s+(\S+)\s+127\.0\.0\.1:(\d+)", re.M)
PUBLISHED = re.compile(r"trace published on (\S+) \(token (\S+)\)")
TOKEN = "gui-class"
SMTP_BLUE = (76, 141, 217)
POP3_GREEN = (76, 184, 87)



class ClassPair:
    """mail.b.example and mail.a.example, each a serve of its own publishing its trace."""

    def __init__(self, workdir: Path, env: dict) -> None:
        self.dir = workdir
        self.env = env
        self.processes: list[Process] = []
        self.b = self.serve("mail.b.example", [])
        self.b_ports, self.b_published = self.ready(self.b)
        self.a = self.serve("mail.a.example",
                            [f"mail.b.example={HOST}:{self.b_ports[('mail.b.example', 'smtp')]}"])
        self.a_ports, self.a_published = self.ready(self.a)

    def serve(self, host: str, peers: list[str], publish: str = "0") -> Process:
        cmd = [CLI, "serve", str(SCENARIO), "--as", host, "--base-port", "0",
               "--bind", HOST,
               "--tls-dir", str(self.dir / "tls"), "--quiet", "--record",
               str(self.dir / f"{host}.jsonl"), "--publish-trace", publish, "--trace-token", TOKEN]
        for p in peers:
            cmd += ["--peer", p]
        p = Process(cmd, self.dir, host, env=self.env)
        self.processes.append(p)
        return p

    @staticmethod
    def ready(p: Process) -> tuple[dict, str]:
        p.wait_for(r"^ready; Ctrl-C stops$")
        text = p.output()
        ports = {(h, s): int(n) for h, s, n in ENDPOINT.findall(text)}
        return ports, PUBLISHED.search(text).group(1)

    def send(self) -> None:
        """Alice submits her mail to mail.a.example, which relays it to mail.b.example."""
        message = ("From: Alice <alice@a.example>\r\nTo: bob@b.example\r\nSubject: one screen\r\n"
                   "Message-ID: <gui-merged@a.example>\r\n\r\nAcross two machines.\r\n")
        with smtplib.SMTP(HOST, self.a_ports[("mail.a.example", "submission")], timeout=20) as s:
            s.login("alice", "alice-pw")
            s.sendmail("alice@a.example", ["bob@b.example"], message)

    def send_and_read(self) -> None:
        self.send()
        deadline = time.monotonic() + 20
        while True:
            pop = poplib.POP3(HOST, self.b_ports[("mail.b.example", "pop3")], timeout=20)
            pop.user("bob")
            pop.pass_("bob-pw")
            count, _ = pop.stat()
            if count or time.monotonic() > deadline:
                break
            pop.quit()
            time.sleep(0.2)
        assert count, "bob's mailbox stayed empty"
        pop.retr(1)
        pop.quit()

    def events_recorded(self) -> int:
        n = 0
        for host in ("mail.a.example", "mail.b.example"):
            data = (self.dir / f"{host}.jsonl").read_bytes()
            n += max(data[: data.rfind(b"\n") + 1].count(b"\n") - 1, 0)
        return n

    def wait_settled(self) -> int:
        """Waits until both recordings stop growing (the relay's last events written)."""
        last, same = -1, 0
        while same < 5:
            time.sleep(0.2)
            now = self.events_recorded()
            same = same + 1 if now == last else 0
            last = now
        return last

    def stop(self) -> None:
        for p in self.processes:
            p.stop()


class GuiClassView(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not GUI or not Path(GUI).exists():
            raise RuntimeError("set MAILLAB_GUI_BIN to the maillab-gui binary")
        if not CLI or not Path(CLI).exists():
            raise RuntimeError("set MAILLAB_BIN to the maillab binary")
        if not shutil.which("Xvfb"):
            raise RuntimeError("Xvfb is missing (Debian package xvfb)")
        cls.xvfb = Xvfb()
        cls.env = dict(__import__("os").environ, DISPLAY=cls.xvfb.display)

    @classmethod
    def tearDownClass(cls):
        cls.xvfb.stop()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-gui-class-")
        self.dir = Path(self.tmp.name)
        self.pair = ClassPair(self.dir, self.env)
        self.processes: list[Process] = []

    def tearDown(self):
        for p in self.processes:
            p.stop()
        self.pair.stop()
        self.tmp.cleanup()

    def gui(self, *args: str) -> Process:
        p = Process([GUI, "--size", "1280x800", *args], self.dir, "gui", env=self.env)
        self.processes.append(p)
        return p

    def test_merged_view_of_two_machines(self):
        self.pair.send_and_read()
        recorded = self.pair.wait_settled()
        png = self.dir / "merged.png"
        # The publishers add a note each when the GUI attaches: wait for at least the mail's.
        gui = self.gui("--token", TOKEN, "--attach", self.pair.a_published,
                       "--attach", self.pair.b_published, "--screenshot", str(png),
                       "--after-events", str(recorded + 2))
        found = gui.wait_for(r"^source (\S+)\s+127\.0\.0\.1:\d+\s+clock (\S+ m?s) \(estimated\)",
                             count=2)
        self.assertEqual(sorted(m.group(1) for m in found), ["mail.a.example", "mail.b.example"])
        gui.wait_for(r"^wrote .* at (\d+) events$")
        w, h, rows = read_png(png)
        self.assertEqual((w, h), (1280, 800))
        colours, _ = region_stats(rows, 0, 0, w, h)
        self.assertGreater(colours, 100)
        self.assertGreater(count_colour(rows, (0, 0, 260, 60), LIVE_RED), 20,
                           "no red MERGED indicator in the live line")
        # The whole path on the scrubber and in the views: SMTP (submission, relay) and POP3.
        for name, colour in (("SMTP", SMTP_BLUE), ("POP3", POP3_GREEN)):
            self.assertGreater(count_colour(rows, (0, 90, w, 138), colour), 10,
                               f"no {name} tick on the scrubber")
        self.assertGreater(count_colour(rows, (0, 180, int(w * 0.58), h), SMTP_BLUE), 200)
        self.assertEqual(gui.stop(), 0)

    def test_bad_sources_are_said_and_the_good_one_is_shown(self):
        closed = free_ports(1)[0]
        png = self.dir / "partial.png"
        gui = self.gui("--attach", f"{TOKEN}@{self.pair.a_published}",
                       "--attach", f"wrong@{self.pair.b_published}",
                       "--attach", f"{TOKEN}@{HOST}:{closed}",
                       "--screenshot", str(png), "--after-events", "1")
        gui.wait_for(r"the publisher refused: wrong token", stream="err")
        gui.wait_for(rf"{HOST}:{closed}: cannot connect", stream="err")
        gui.wait_for(r"^source mail\.a\.example\s")
        self.pair.send_and_read()
        gui.wait_for(r"^wrote .* at (\d+) events$")
        self.assertIsNone(gui.proc.poll())
        self.assertEqual(gui.stop(), 0)

    def test_a_restarted_machine_rejoins_the_view(self):
        png = self.dir / "rejoined.png"
        gui = self.gui("--token", TOKEN, "--attach", self.pair.b_published,
                       "--screenshot", str(png), "--after-events", "1")
        gui.wait_for(r"^source mail\.b\.example\s")
        # The student's server stops: the GUI says so once and keeps trying.
        port = self.pair.b_published.rsplit(":", 1)[1]
        self.pair.b.stop()
        gui.wait_for(r"went away mid-stream .*\(trying again every 2 s\)", stream="err")
        # ... and is started again on its trace port: a new session of the same machine.
        b2 = self.pair.serve("mail.b.example", [], publish=port)
        ports, _ = self.pair.ready(b2)
        gui.wait_for(r"mail\.b\.example was restarted; its new session follows the earlier one")
        pop = poplib.POP3(HOST, ports[("mail.b.example", "pop3")], timeout=20)
        pop.user("bob")
        pop.pass_("bob-pw")
        pop.stat()
        pop.quit()
        # The new session's POP3 events reach the view (after the merge's one-second hold).
        first = int(gui.wait_for(r"^wrote .* at (\d+) events$")[0].group(1))
        for shot in range(2, 30):
            gui.signal(signal.SIGUSR1)
            now = int(gui.wait_for(r"^wrote .* at (\d+) events$", count=shot)[-1].group(1))
            if now > first + 10:
                break
            time.sleep(0.3)
        self.assertGreater(now, first + 10, "the restarted machine's events never came")
        self.assertIsNone(gui.proc.poll())
        self.assertEqual(gui.stop(), 0)

    def test_bad_options_are_named(self):
        for args, message in (
                (["--attach", "10.0.0.1:4700"], "no token"),
                (["--attach", f"{TOKEN}@10.0.0.1:99999"], "\"99999\" is not a port number"),
                (["--attach", "a.jsonl", "--clock-offset", "x=1"], "--clock-offset go with"),
                (["--token", TOKEN, "--attach", "h:1", "--clock-offset", "mail.a.example=soon"],
                 "\"soon\" is not a number of milliseconds")):
            p = self.gui(*args)
            p.proc.wait(timeout=20)
            self.assertEqual(p.proc.returncode, 2, p.describe())
            self.assertIn(message, p.errors())
            self.processes.remove(p)
            p.stop()


if __name__ == "__main__":
    unittest.main()
