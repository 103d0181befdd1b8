"""Labs through the real command.

Every lab in labs/ is run with `maillab lab LAB --solution` (every checkpoint and question
passes) and with each of its wrong attempts (`--wrong NAME`: exactly the named checkpoints and
questions fail); `maillab lab check` proves them all; a folder of saved attempts is graded with
`maillab lab grade DIR -o OUT` (JSON and Markdown per student, a summary, the same bytes twice);
a broken lab file is refused with its line and column; a student completes lab 1 at a
pseudo-terminal (readline), saving the attempt, which then grades as complete; and lab 1 is
completed with a real client, Python's smtplib, against the lab's loopback ports
(`maillab lab --serve`).

The maillab binary comes from MAILLAB_BIN (see maillab_server.py).
"""

from __future__ import annotations

import json
import os
import pty
import re
import queue
import select
import smtplib
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

from maillab_server import maillab_bin

ROOT = Path(__file__).resolve().parents[2]
LABS = sorted((ROOT / "labs").glob("*.json"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([maillab_bin(), *args], capture_output=True, text=True, env=env,
                          timeout=120, **kwargs)


def failed_items(report: dict) -> set[str]:
    out = set()
    for step in report["steps"]:
        for item in step["checkpoints"] + step["questions"]:
            if not item["passed"]:
                out.add(f'{step["id"]}/{item["id"]}')
    return out


class LabsThroughTheCommand(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def test_at_least_three_labs(self):
        names = [p.name for p in LABS]
        for name in ("01-smtp-by-hand.json", "03-pop3-states.json", "09-debug-smtpdemo.json"):
            self.assertIn(name, names)

    def test_every_solution_passes(self):
        for lab in LABS:
            with self.subTest(lab=lab.name):
                report_path = self.dir / f"{lab.stem}.solution.json"
                result = run("lab", str(lab), "--solution", "--report", str(report_path))
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                report = json.loads(report_path.read_text())
                self.assertTrue(report["complete"])
                self.assertEqual(failed_items(report), set())
                self.assertIn("Score:", result.stdout)
                # The student's lines reached the server: the transcript shows its replies.
                self.assertRegex(result.stdout, r"S: (2\d\d |\+OK|\* |\w+ OK)")

    def test_every_wrong_attempt_fails_exactly_what_it_names(self):
        for lab in LABS:
            spec = json.loads(lab.read_text())
            self.assertTrue(spec.get("wrong_attempts"), lab.name)
            for wrong in spec["wrong_attempts"]:
                with self.subTest(lab=lab.name, wrong=wrong["name"]):
                    report_path = self.dir / f"{lab.stem}.{wrong['name']}.json"
                    result = run("lab", str(lab), "--wrong", wrong["name"], "--report",
                                 str(report_path))
                    self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                    report = json.loads(report_path.read_text())
                    self.assertEqual(failed_items(report), set(wrong["fails"]))
                    for item in wrong["fails"]:
                        self.assertIn(f"[FAIL] {item}", result.stdout)

    def test_lab_check(self):
        result = run("lab", "check", *map(str, LABS))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertNotIn("[FAIL]", result.stdout)

    def test_grade_a_folder_of_attempts(self):
        lab = ROOT / "labs" / "03-pop3-states.json"
        spec = json.loads(lab.read_text())
        students = self.dir / "attempts"
        students.mkdir()
        good = {"maillab_lab_attempt": 1, "lab": str(lab), "student": "Ann",
                "steps": spec["solution"]["steps"]}
        bad = {"maillab_lab_attempt": 1, "lab": str(lab), "student": "Ben",
               "steps": spec["wrong_attempts"][0]["steps"]}
        # Ben stopped after two steps and claims nothing: what counts is what the server saw.
        early = {"maillab_lab_attempt": 1, "lab": str(lab), "student": "Cai",
                 "steps": spec["solution"]["steps"][:1]}
        for name, attempt in (("ann", good), ("ben", bad), ("cai", early)):
            (students / f"{name}.json").write_text(json.dumps(attempt, ensure_ascii=False))
        (students / "notes.json").write_text("{}")  # not an attempt: skipped

        outputs = []
        for run_no in (1, 2):
            out = self.dir / f"out{run_no}"
            result = run("lab", "grade", str(students), "-o", str(out))
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
        self.assertEqual(outputs[0], outputs[1], "grading is not deterministic")
        files = outputs[0]
        for name in ("ann", "ben", "cai"):
            self.assertIn(f"{name}.report.json", files)
            self.assertIn(f"{name}.report.md", files)
        self.assertIn("summary.md", files)
        ann = json.loads(files["ann.report.json"])
        ben = json.loads(files["ben.report.json"])
        cai = json.loads(files["cai.report.json"])
        self.assertTrue(ann["complete"])
        self.assertEqual(failed_items(ben), set(spec["wrong_attempts"][0]["fails"]))
        self.assertEqual(ben["steps"][2]["failed_checks"], 2)
        self.assertEqual(ben["steps"][0]["questions"][0]["attempts"], 2)
        self.assertFalse(cai["steps"][1]["attempted"])
        self.assertIn("Not attempted.", files["cai.report.md"].decode())
        summary = files["summary.md"].decode()
        self.assertIn("| ann.json | Ann |", summary)

    def test_a_broken_lab_names_its_line_and_column(self):
        broken = self.dir / "broken.json"
        text = (ROOT / "labs" / "01-smtp-by-hand.json").read_text()
        broken.write_text(text.replace('"verb": "MAIL"', '"verb": "MIAL"', 1))
        result = run("lab", str(broken), "--solution")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"^maillab: .*broken\.json:\d+:\d+: steps\[1\]\.checkpoints\[0\]"
                                        r"\.check\.reply\.cause\.verb: .*\"MIAL\"")
        scenario = run("lab", str(ROOT / "scenarios" / "classic.json"))
        self.assertEqual(scenario.returncode, 1)
        self.assertIn("this is a scenario, not a lab", scenario.stderr)

    def test_a_student_at_a_terminal(self):
        """Lab 1 typed at a pseudo-terminal, with a wrong answer, a failed check and its hint."""
        saved = self.dir / "me.json"
        pid, fd = pty.fork()
        if pid == 0:  # the child: maillab on the terminal; never returns into the tests
            try:
                os.environ["NO_COLOR"] = "1"
                os.environ["TERM"] = "dumb"
                os.execv(maillab_bin(), [maillab_bin(), "lab", str(ROOT / "labs" / "01-smtp-by-hand.json"),
                                         "--save", str(saved), "--student", "Dee", "--no-explain"])
            finally:
                os._exit(127)
        output = b""

        def read_until(pattern: str, timeout: float = 20.0) -> None:
            nonlocal output
            start = len(output)
            deadline = time.monotonic() + timeout
            while pattern.encode() not in output[start:] and pattern.encode() not in output:
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
                        raise AssertionError(f"maillab ended early: {output.decode(errors='replace')}")
                    output += chunk

        def consume() -> None:
            nonlocal output
            output = b""

        def say(line: str, then: str) -> None:
            consume()
            os.write(fd, line.encode() + b"\r")
            read_until(then)

        try:
            read_until("answer> ")  # the greeting code, asked before connecting
            say("250", "Not right.")
            read_until("answer> ")
            say("220", "smtp> ")
            self.assertIn(b"S: 220", output)
            say("HELO pc.student", "smtp> ")
            self.assertIn(b"checkpoint: HELO or EHLO got a 250", output)
            say(":check", "smtp> ")
            self.assertIn(b"[FAIL]", output)
            self.assertIn(b"Hint:", output)
            say("QUIT", "smtp> ")
            say(":done", "answer> ")  # step 2 asks its prediction first
            say("354", "smtp> ")
            for line in ("HELO pc.student", "MAIL FROM:<student@a.example>", "RCPT TO:<bob@b.example>",
                         "RCPT TO:<carol@b.example>", "DATA", "Subject: Lab 1", "", "Hi both.", "."):
                say(line, "smtp> ")
            self.assertIn(b"the mail was stored for Bob and for Carol", output)
            say("QUIT", "smtp> ")
            say(":done", "answer> ")
            say("b", "answer> ")
            say("READY", "Score: 13 / 13")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                select.select([fd], [], [], 0.2)
                try:
                    os.read(fd, 4096)
                except OSError:
                    pass
            else:
                self.fail("maillab lab did not end")
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        finally:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(fd)

        attempt = json.loads(saved.read_text())
        self.assertEqual(attempt["student"], "Dee")
        self.assertEqual(attempt["steps"][0]["answers"]["greeting-code"], ["250", "220"])
        graded = run("lab", "grade", str(saved), "-o", str(self.dir / "graded"))
        self.assertEqual(graded.returncode, 0, graded.stdout + graded.stderr)
        report = json.loads((self.dir / "graded" / "me.report.json").read_text())
        self.assertTrue(report["complete"])
        self.assertEqual(report["steps"][0]["failed_checks"], 1)
        self.assertEqual(report["steps"][0]["questions"][0]["attempts"], 2)


    def test_a_real_client_against_the_labs_ports(self):
        """Lab 1 with smtplib on the lab's real port; this terminal only answers and says :done."""
        report_path = self.dir / "live.json"
        env = dict(os.environ, NO_COLOR="1")
        proc = subprocess.Popen([maillab_bin(), "lab", str(ROOT / "labs" / "01-smtp-by-hand.json"), "--serve",
                                 "--no-explain", "--student", "Eve", "--report", str(report_path)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env)
        lines: queue.Queue[str] = queue.Queue()
        seen: list[str] = []
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

        def wait_for(pattern: str, timeout: float = 20.0) -> re.Match:
            deadline = time.monotonic() + timeout
            while True:
                for line in seen:
                    m = re.search(pattern, line)
                    if m:
                        seen.remove(line)
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
            port = int(wait_for(r"mail\.b\.example\s+smtp\s+127\.0\.0\.1:(\d+)").group(1))
            wait_for(r"Which reply code does its greeting carry")
            say("220")
            wait_for(r"Right\.")
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                code, _ = client.helo("pc.student")
                self.assertEqual(code, 250)
            wait_for(r"(?i)C: quit")  # the trace has the session before we check it
            say(":done")
            wait_for(r"Step ended: checkpoints 2/2, questions 1/1")
            wait_for(r"what will the server answer to DATA")
            say("354")
            wait_for(r"Right\.")
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                refused = client.sendmail("student@a.example", ["bob@b.example", "carol@b.example"],
                                          "Subject: Lab 1\r\n\r\nHello Bob and Carol, from smtplib.\r\n")
                self.assertEqual(refused, {})
            wait_for(r"(?i)C: quit")
            say(":done")
            wait_for(r"How did the server know")
            say("b")
            wait_for(r"which state was it in")
            say("READY")
            wait_for(r"Score: 13 / 13")
            self.assertEqual(proc.wait(timeout=20), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdin.close()
            proc.stdout.close()
        report = json.loads(report_path.read_text())
        self.assertTrue(report["complete"])
        self.assertEqual(report["mode"], "live")
        self.assertEqual(report["student"], "Eve")

    def test_save_and_resume(self):
        """Step 1 of lab 3 in one sitting (then Ctrl-D), the rest after --resume; the saved file
        grades complete, with the first sitting's failed check counted."""
        lab = str(ROOT / "labs" / "03-pop3-states.json")
        saved = self.dir / "progress.json"
        first = run("lab", lab, "--save", str(saved), "--student", "Fay", "--no-explain",
                    input="AUTHORIZATION\nUSER bob\nPASS bob-pw\n:check\nLIST\nRETR 1\nQUIT\n:done\n")
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        self.assertIn("Hint:", first.stdout)
        attempt = json.loads(saved.read_text())
        self.assertEqual([s["step"] for s in attempt["steps"]], ["look"])
        second = run("lab", lab, "--resume", str(saved), "--save", str(saved), "--no-explain",
                     input="USER bob\nPASS bob-pw\nDELE 1\nRSET\nQUIT\n:done\na\n"
                           "USER bob\nPASS bob-pw\nDELE 2\nQUIT\n:done\nb\nQUIT\n")
        self.assertEqual(second.returncode, 0, second.stdout + second.stderr)
        self.assertIn("resumed from", second.stdout)
        self.assertIn("Score: 15 / 15", second.stdout)
        graded = run("lab", "grade", str(saved), "-o", str(self.dir / "g"))
        self.assertEqual(graded.returncode, 0, graded.stdout + graded.stderr)
        report = json.loads((self.dir / "g" / "progress.report.json").read_text())
        self.assertTrue(report["complete"])
        self.assertEqual(report["student"], "Fay")
        self.assertEqual(report["steps"][0]["failed_checks"], 1)

    # Labs with a set-up script under --serve: tests/integration/test_lab_serve_set_up.py.


if __name__ == "__main__":
    unittest.main()
