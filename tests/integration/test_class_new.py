"""`maillab class new`: the files it writes are a class network that works.

Two students' machines are played on this one: each student's start script (the file a student
runs in class) starts `maillab serve class.json --as mail.sN.lab`, with `--base-port 0` instead
of the standard ports and a `--peer` saying where the other student's server listens. Student 1
submits a mail to student 2 with smtplib, logging in with the password from the teacher's sheet
(commands.md); it is relayed over real TCP to student 2's server by the MX record of class.json
and read back with poplib. The generated scenario also runs in the simulation, and bad options
are refused with a message that names them.
"""

from __future__ import annotations

import json
import os
import poplib
import re
import smtplib
import subprocess
import tempfile
import time
import unittest
from email.message import EmailMessage
from pathlib import Path

from maillab_server import maillab_bin, stop_process, wait_until_ready

LISTENER = re.compile(r"^(\S+)\s+(submission|smtp|pop3|imap)\s+0\.0\.0\.0:(\d+)", re.M)
TRACE_PORT = re.compile(r"trace published on 0\.0\.0\.0:(\d+)")


def class_new(directory: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([maillab_bin(), "class", "new", "--out", str(directory), *options],
                          capture_output=True, text=True, timeout=30)


def sheet_passwords(sheet: str) -> dict[str, str]:
    """login -> password from the teacher's table in commands.md."""
    rows = re.findall(r"^\| \d+ \| \S+ \| \S+ \| \S+ \| (\S+) \| (\S+) \|", sheet, re.M)
    return dict(rows)


def sheet_trace_tokens(sheet: str) -> dict[str, str]:
    """server host -> the token of its published trace, from commands.md."""
    rows = re.findall(r"^\| \d+ \| \S+ \| (\S+) \| \S+ \| \S+ \| \S+ \| (\S+) \|", sheet, re.M)
    return dict(rows)


class StudentMachine:
    """One student's start script running; its listeners as it printed them."""

    def __init__(self, directory: Path, domain: str, *extra: str):
        self.log_path = directory / f"{domain}.log"
        self._log = open(self.log_path, "wb")
        # MAILLAB_TRACE_PORT=0: both machines publish their trace on this one computer.
        env = dict(os.environ, MAILLAB=maillab_bin(), MAILLAB_TRACE_PORT="0")
        self.proc = subprocess.Popen(["sh", str(directory / f"start-{domain}.sh"), "--base-port", "0",
                                      *extra], stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        self.ports: dict[str, int] = {}
        console = wait_until_ready(self.proc, self.log_path, timeout=15)
        self.console = console if console is not None else self.log_path.read_text(errors="replace")
        if console is not None:
            self.ports = {service: int(port) for _, service, port in LISTENER.findall(console)}
            self.trace_port = int(TRACE_PORT.search(console).group(1))
            return
        self.stop()
        raise RuntimeError(f"{domain}'s start script did not get ready:\n{self.console}")

    def stop(self) -> None:
        stop_process(self.proc)
        self._log.close()


class ClassNew(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-class-")
        self.dir = Path(self.tmp.name) / "class"

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def test_writes_a_scenario_scripts_and_a_sheet_that_runs_in_the_simulation(self):
        made = class_new(self.dir, "--students", "5", "--domain-pattern", "s{n}.lab",
                         "--address-pattern", "192.168.10.{n+100}")
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertIn("5 students, domains s1.lab to s5.lab", made.stdout)
        scripts = sorted(p.name for p in self.dir.glob("start-*.sh"))
        self.assertEqual(scripts, [f"start-s{n}.lab.sh" for n in range(1, 6)])
        self.assertTrue(os.access(self.dir / "start-s3.lab.sh", os.X_OK))
        self.assertTrue(os.access(self.dir / "attach.sh", os.X_OK))
        sheet = (self.dir / "commands.md").read_text()
        self.assertIn("| 3 | s3.lab | mail.s3.lab | 192.168.10.103 | student@s3.lab |", sheet)
        self.assertEqual(len(set(sheet_passwords(sheet).values())), 5, "passwords are not distinct")

        ran = subprocess.run([maillab_bin(), "run", str(self.dir / "class.json"), "--no-explain"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(ran.returncode, 0, ran.stdout[-2000:] + ran.stderr)
        self.assertIn("10 of 10 expectation(s) met", ran.stdout)

        again = class_new(self.dir, "--students", "2", "--domain-pattern", "s{n}.lab")
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("class.json exists: choose another --out or add --force", again.stderr)

    def test_two_students_machines_exchange_mail_over_tcp(self):
        made = class_new(self.dir, "--students", "2", "--domain-pattern", "s{n}.lab",
                         "--address-pattern", "127.0.0.{n+10}")
        self.assertEqual(made.returncode, 0, made.stderr)
        sheet = (self.dir / "commands.md").read_text()
        passwords = sheet_passwords(sheet)
        tokens = sheet_trace_tokens(sheet)
        self.assertEqual(set(tokens), {"mail.s1.lab", "mail.s2.lab"})
        merged = self.dir / "merged.jsonl"

        student2 = StudentMachine(self.dir, "s2.lab")
        try:
            student1 = StudentMachine(self.dir, "s1.lab", "--peer",
                                      f"mail.s2.lab=127.0.0.1:{student2.ports['smtp']}")
            try:
                # A student's console shows their own login, not the other students'.
                self.assertIn(f"student@s1.lab (password {passwords['student@s1.lab']})",
                              student1.console)
                self.assertNotIn(passwords["student@s2.lab"], student1.console)

                # The teacher's view: both machines' published traces, with the tokens of the sheet.
                teacher = subprocess.Popen(
                    [maillab_bin(), "replay", "--record", str(merged), "--hold", "0.2",
                     "--attach", f"{tokens['mail.s1.lab']}@127.0.0.1:{student1.trace_port}",
                     "--attach", f"{tokens['mail.s2.lab']}@127.0.0.1:{student2.trace_port}"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

                mail = EmailMessage()
                mail["From"] = "student@s1.lab"
                mail["To"] = "student@s2.lab"
                mail["Subject"] = "across the classroom"
                mail.set_content("From my machine to yours.\n")
                with smtplib.SMTP("127.0.0.1", student1.ports["submission"], timeout=10) as smtp:
                    smtp.login("student@s1.lab", passwords["student@s1.lab"])
                    smtp.send_message(mail)

                deadline = time.monotonic() + 15
                count = 0
                while time.monotonic() < deadline and count == 0:
                    pop = poplib.POP3("127.0.0.1", student2.ports["pop3"], timeout=10)
                    pop.user("student@s2.lab")
                    pop.pass_(passwords["student@s2.lab"])
                    count = pop.stat()[0]
                    if count:
                        text = b"\n".join(pop.retr(1)[1]).decode()
                    pop.quit()
                    time.sleep(0.2)
                self.assertEqual(count, 1, "the mail did not reach student 2's server")
                self.assertIn("Subject: across the classroom", text)
                self.assertRegex(text, r"Received: from mail\.s1\.lab")
            finally:
                student1.stop()
        finally:
            student2.stop()
        # With every publisher gone the teacher's replay ends by itself, its recording complete.
        try:
            _, errors = teacher.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            teacher.kill()
            raise
        self.assertEqual(teacher.returncode, 0, errors)
        events = [json.loads(line) for line in merged.read_text().splitlines()[1:]]
        relayed = next(i for i, e in enumerate(events)
                       if e.get("action") == "delivered" and e.get("source") == "mail.s1.lab")
        stored = next(i for i, e in enumerate(events)
                      if e.get("action") == "deliver" and e.get("user") == "student@s2.lab"
                      and e.get("source") == "mail.s2.lab")
        # Student 2's server stores the mail before student 1's server hears the 250.
        self.assertLess(stored, relayed)
        # Each start script records next to class.json.
        sent = (self.dir / "s1.lab.jsonl").read_text()
        kept = (self.dir / "s2.lab.jsonl").read_text()
        self.assertTrue('"action":"delivered"' in sent, "s1.lab.jsonl has no delivered relay")
        self.assertTrue('"action":"deliver"' in kept and '"user":"student@s2.lab"' in kept,
                        "s2.lab.jsonl has no delivery to student@s2.lab")

    def test_bad_options_are_named(self):
        cases = [
            (["--students", "1", "--domain-pattern", "s{n}.lab"], "--students: 1: a class network needs 2 to 500"),
            (["--students", "3", "--domain-pattern", "s.lab"], "--domain-pattern: \"s.lab\" has no {n}"),
            (["--students", "3", "--domain-pattern", "s{n}.lab", "--address-pattern", "10.0.0.{n+254}"],
             "student 2: \"10.0.0.256\" is not an IPv4 address"),
            (["--students", "3", "--domain-pattern", "s{k}.lab"], "\"{k}\" at column 2 is not a placeholder"),
        ]
        for options, message in cases:
            with self.subTest(options=options):
                result = class_new(self.dir, *options)
                self.assertEqual(result.returncode, 1)
                self.assertIn(message, result.stderr)
                self.assertFalse(self.dir.exists(), "a refused class wrote files")


if __name__ == "__main__":
    unittest.main()
