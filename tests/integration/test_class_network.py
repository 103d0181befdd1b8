"""A class network on one machine: each host of the classic scenario in its own network namespace.

Three namespaces joined by veth pairs stand for three students' machines:

    clients (pc.alice, pc.bob) --- mail.a.example --- mail.b.example
                 \\______________________________________/

`maillab serve scenarios/classic.json --as HOST --peer ...` runs one mail host in each of the
two server namespaces, on the standard ports of its own address; smtplib and poplib run in the
third. Alice's mail crosses real TCP between the namespaces (submission, relay to the MX named
by the scenario's DNS, POP3), and each host's recording shows its part of the path. Both serves
publish their trace (--publish-trace); `maillab replay --attach` in the clients' namespace, the
teacher's machine, merges the two live traces and records the merged one, which must hold every
hop in order with ids that do not collide; a wrong token is refused.

Needs root and `ip netns` (iproute2); skipped with the reason where namespaces cannot be made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from maillab_server import maillab_bin, stop_process, wait_until_ready
from merged_trace import ReplayAttach, check_ids, check_mail_path, read_trace

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "classic.json"
TRACE_PORT = 4700
TOKEN = "teacher-2026"


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


class Namespaces:
    """Three network namespaces and the veth links between them; removed on close."""

    def __init__(self) -> None:
        tag = f"{os.getpid() % 100000}"
        self.names = {"clients": f"mlc{tag}", "a": f"mla{tag}", "b": f"mlb{tag}"}
        # (namespace, address) pairs at the two ends of each link.
        self.links = [
            (("a", "10.77.1.1"), ("b", "10.77.1.2"), f"vab{tag}", f"vba{tag}"),
            (("clients", "10.77.2.3"), ("a", "10.77.2.1"), f"vca{tag}", f"vac{tag}"),
            (("clients", "10.77.3.3"), ("b", "10.77.3.2"), f"vcb{tag}", f"vbc{tag}"),
        ]
        self.made: list[str] = []

    def create(self) -> None:
        for ns in self.names.values():
            result = run("ip", "netns", "add", ns)
            if result.returncode != 0:
                raise OSError(f"ip netns add {ns}: {result.stderr.strip()}")
            self.made.append(ns)
            self.check(run("ip", "-n", ns, "link", "set", "lo", "up"))
        for (left, left_ip), (right, right_ip), left_dev, right_dev in self.links:
            self.check(run("ip", "link", "add", left_dev, "netns", self.names[left], "type",
                           "veth", "peer", "name", right_dev, "netns", self.names[right]))
            for side, dev, ip in ((left, left_dev, left_ip), (right, right_dev, right_ip)):
                self.check(run("ip", "-n", self.names[side], "addr", "add", f"{ip}/24", "dev", dev))
                self.check(run("ip", "-n", self.names[side], "link", "set", dev, "up"))

    @staticmethod
    def check(result: subprocess.CompletedProcess) -> None:
        if result.returncode != 0:
            raise OSError(f"{' '.join(result.args)}: {result.stderr.strip()}")

    def exec_prefix(self, which: str) -> list[str]:
        return ["ip", "netns", "exec", self.names[which]]

    def close(self) -> None:
        # Deleting a namespace deletes the veth ends in it, and with them their peers.
        for ns in self.made:
            run("ip", "netns", "del", ns)
        self.made.clear()


def can_make_namespaces() -> str | None:
    """None when namespaces can be made here, or the reason they cannot."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not shutil.which("ip"):
        return "the ip command (iproute2) is not installed"
    probe = f"mlprobe{os.getpid() % 100000}"
    result = run("ip", "netns", "add", probe)
    if result.returncode != 0:
        return f"ip netns add failed: {result.stderr.strip()}"
    run("ip", "netns", "del", probe)
    return None


class HostProcess:
    """`maillab serve classic.json --as HOST` inside a namespace."""

    def __init__(self, prefix: list[str], host: str, peers: list[str], workdir: Path) -> None:
        self.record = workdir / f"{host}.jsonl"
        self.log_path = workdir / f"{host}.log"
        command = prefix + [maillab_bin(), "serve", str(SCENARIO), "--as", host,
                            "--bind", "0.0.0.0", "--record", str(self.record),
                            "--tls-dir", str(workdir / "tls"), "--quiet",
                            "--publish-trace", str(TRACE_PORT), "--trace-token", TOKEN]
        for peer in peers:
            command += ["--peer", peer]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def wait_ready(self) -> str:
        text = wait_until_ready(self.proc, self.log_path)
        if text is None:
            raise AssertionError(f"serve did not get ready:\n{self.log_path.read_text(errors='replace')}")
        return text

    def events(self) -> list[dict]:
        if not self.record.exists():
            return []
        lines = self.record.read_text(errors="replace").splitlines()
        # The first line is the header; a last line may be half written.
        out = []
        for line in lines[1:]:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return out

    def wait_for(self, timeout: float = 20.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events():
                if all(e.get(k) == v for k, v in match.items()):
                    return e
            time.sleep(0.1)
        raise AssertionError(f"no event {match} in {self.record} within {timeout} s")

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()


CLIENT = r"""
import poplib, smtplib, sys, time
message = ("From: Alice <alice@a.example>\r\nTo: bob@b.example\r\nSubject: across the class\r\n"
           "Message-ID: <class-net@a.example>\r\n\r\nFrom one namespace to another.\r\n")
with smtplib.SMTP("10.77.2.1", 587, timeout=10) as s:
    s.login("alice", "alice-pw")
    s.sendmail("alice@a.example", ["bob@b.example"], message)
deadline = time.monotonic() + 20
while True:
    pop = poplib.POP3("10.77.3.2", 110, timeout=10)
    pop.user("bob")
    pop.pass_("bob-pw")
    count, _ = pop.stat()
    if count or time.monotonic() > deadline:
        break
    pop.quit()
    time.sleep(0.2)
if not count:
    sys.exit("bob's mailbox on mail.b.example stayed empty")
text = b"\r\n".join(pop.retr(1)[1]).decode()
pop.quit()
print(text)
"""


class ClassNetwork(unittest.TestCase):
    def setUp(self) -> None:
        reason = can_make_namespaces()
        if reason:
            self.skipTest(f"class network test skipped: {reason}")
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-class-")
        self.dir = Path(self.tmp.name)
        self.ns = Namespaces()
        self.hosts: list[HostProcess] = []
        try:
            self.ns.create()
        except OSError as err:
            self.ns.close()
            self.skipTest(f"class network test skipped: {err}")

    def tearDown(self) -> None:
        for h in self.hosts:
            h.stop()
        self.ns.close()
        self.tmp.cleanup()

    def test_mail_crosses_three_namespaces_over_real_tcp(self):
        a = HostProcess(self.ns.exec_prefix("a"), "mail.a.example",
                        ["mail.b.example=10.77.1.2"], self.dir)
        self.hosts.append(a)
        b = HostProcess(self.ns.exec_prefix("b"), "mail.b.example",
                        ["mail.a.example=10.77.1.1"], self.dir)
        self.hosts.append(b)
        listing = a.wait_ready()
        self.assertIn("mail.a.example       submission  0.0.0.0:587", listing)
        self.assertIn("mail.b.example       smtp        on another machine: 10.77.1.2:25", listing)
        b_listing = b.wait_ready()
        self.assertIn(f"trace published on 0.0.0.0:{TRACE_PORT} (token {TOKEN})", b_listing)

        # The teacher's machine follows both hosts' traces, merged.
        merged = self.dir / "merged.jsonl"
        teacher = ReplayAttach(self.ns.exec_prefix("clients") + [
            maillab_bin(), "replay", "--no-explain", "--hold", "0.3", "--token", TOKEN,
            "--attach", f"10.77.2.1:{TRACE_PORT}", "--attach", f"10.77.3.2:{TRACE_PORT}",
            "--record", str(merged)], merged, self.dir / "teacher.log")
        try:
            self._send_and_check(a, b)
            teacher.wait_event(kind="command", verb="RETR")
        finally:
            self.assertEqual(teacher.stop(), 0, teacher.text())
        started = teacher.text()
        self.assertRegex(started, rf"source mail\.a\.example\s+10\.77\.2\.1:{TRACE_PORT}\s+clock "
                                  r"[-+0-9.]+ m?s \(estimated\)")
        header, events = read_trace(merged)
        self.assertEqual([s["name"] for s in header["sources"]],
                         ["mail.a.example", "mail.b.example"])
        check_ids(self, events)
        check_mail_path(self, events, a_address="10.77.1.1", b_address="10.77.1.2")

        wrong = subprocess.run(self.ns.exec_prefix("clients") + [
            maillab_bin(), "replay", "--attach", f"guess@10.77.3.2:{TRACE_PORT}"],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(wrong.returncode, 1)
        self.assertIn(f"10.77.3.2:{TRACE_PORT}: the publisher refused: wrong token", wrong.stderr)

    def _send_and_check(self, a: HostProcess, b: HostProcess) -> None:
        client = subprocess.run(self.ns.exec_prefix("clients") + ["python3", "-c", CLIENT],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(client.returncode, 0, client.stderr)
        self.assertIn("From one namespace to another.", client.stdout)
        # Two Received: headers, newest first: b.example's MX, then a.example's submission.
        self.assertRegex(client.stdout, r"Received: from mail\.a\.example \(\[10\.77\.1\.1\]\)\r?\n\tby mail\.b\.example")

        # mail.a.example's part: the submission, the MX lookup from the scenario, the relay
        # over real TCP to mail.b.example's address, delivered.
        submitted = a.wait_for(kind="queue", action="enqueue")
        answer = a.wait_for(kind="dns", action="answer")
        self.assertEqual(answer["records"], [{"preference": 10, "host": "mail.b.example"}])
        relay = a.wait_for(kind="tcp", action="connect", to="mail.b.example")
        self.assertIn("10.77.1.2", relay["text"])
        delivered = a.wait_for(kind="queue", action="delivered")
        # mail.b.example's part: the relay arrives from mail.a.example's address, is stored,
        # and bob's POP3 session retrieves it.
        stored = b.wait_for(kind="store", action="deliver")
        self.assertEqual(stored["message_id"], "<class-net@a.example>")
        retr = b.wait_for(kind="command", verb="RETR")
        arrival = next(e for e in b.events() if e.get("kind") == "command" and e.get("verb") == "MAIL")
        self.assertIn("10.77.1.1", arrival["from"])
        # Both recordings share the machine's clock: the hops are in order across them.
        self.assertLess(submitted["t_us"], relay["t_us"])
        self.assertLessEqual(relay["t_us"], stored["t_us"])
        self.assertLessEqual(stored["t_us"], delivered["t_us"])
        self.assertLess(stored["t_us"], retr["t_us"])


if __name__ == "__main__":
    unittest.main()
