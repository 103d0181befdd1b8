"""Reading and checking a merged trace (`maillab replay --attach ... --record FILE`, or several
recordings given to `maillab replay`): shared by the class network tests."""

from __future__ import annotations

import json
import subprocess
import time
import unittest
from pathlib import Path

from maillab_server import stop_process


def read_trace(path: Path) -> tuple[dict, list[dict]]:
    """The header and the events of a recording; a half-written last line is left out."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    if not lines:
        return {}, []
    header = json.loads(lines[0])
    events = []
    for line in lines[1:]:
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return header, events


def first(events: list[dict], **match) -> dict | None:
    for e in events:
        if all(e.get(k) == v for k, v in match.items()):
            return e
    return None


def check_ids(test: unittest.TestCase, events: list[dict]) -> None:
    """seq runs 1, 2, 3 ...; every cause is an earlier event of the same source; a connection
    id belongs to one source only."""
    test.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
    by_seq = {e["seq"]: e for e in events}
    owners: dict[int, set[str]] = {}
    for e in events:
        test.assertIn("source", e, e)
        if "cause" in e:
            test.assertLess(e["cause"], e["seq"])
            test.assertEqual(by_seq[e["cause"]]["source"], e["source"], e)
        if e.get("conn"):
            owners.setdefault(e["conn"], set()).add(e["source"])
    shared = {conn: srcs for conn, srcs in owners.items() if len(srcs) > 1}
    test.assertEqual(shared, {}, "connection ids used by two sources")


def check_mail_path(test: unittest.TestCase, events: list[dict], a_address: str | None = None,
                    b_address: str | None = None) -> list[dict]:
    """Every hop of Alice's mail from mail.a.example to Bob's POP3 on mail.b.example, in order
    in the merged trace; returns the hops."""
    a, b = "mail.a.example", "mail.b.example"
    hops = [
        ("submission queued on mail.a", dict(source=a, kind="queue", action="enqueue")),
        ("MX answer on mail.a", dict(source=a, kind="dns", action="answer")),
        ("relay connects from mail.a to mail.b", dict(source=a, kind="tcp", action="connect",
                                                      to=b)),
        ("relay arrives on mail.b", dict(source=b, kind="command", verb="MAIL")),
        ("stored on mail.b", dict(source=b, kind="store", action="deliver")),
        ("POP3 RETR on mail.b", dict(source=b, kind="command", verb="RETR")),
    ]
    found = []
    for name, match in hops:
        e = first(events, **match)
        test.assertIsNotNone(e, f"{name}: no event {match} in the merged trace")
        found.append(e)
    answer = found[1]
    test.assertEqual(answer["records"], [{"preference": 10, "host": b}])
    if b_address:
        test.assertIn(b_address, found[2]["text"])
    # The relay's arrival on mail.b.example came from mail.a.example's address; the merge names
    # it by the host, keeping the address.
    test.assertEqual(found[3]["from"], a, found[3])
    test.assertIn("peer_address", found[3])
    if a_address:
        test.assertIn(a_address, found[3]["peer_address"])
    seqs = [e["seq"] for e in found]
    test.assertEqual(seqs, sorted(seqs), [h[0] for h in hops])
    times = [e["t_us"] for e in found]
    test.assertEqual(times, sorted(times))
    return found


class ReplayAttach:
    """`maillab replay --attach ... --record FILE` running until stopped."""

    def __init__(self, command: list[str], record: Path, log: Path) -> None:
        self.record = record
        self.log_path = log
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_text(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text:
                return text
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"replay --attach never said {needle!r}:\n{self.text()}")

    def wait_event(self, timeout: float = 20.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            e = first(read_trace(self.record)[1], **match)
            if e:
                return e
            time.sleep(0.1)
        raise AssertionError(f"no event {match} in {self.record}:\n{self.text()}")

    def stop(self) -> int:
        stop_process(self.proc)
        self.log.close()
        return self.proc.returncode

