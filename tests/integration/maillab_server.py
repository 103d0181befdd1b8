"""Run `maillab serve` for real-client integration tests and read its trace.

Only the Python standard library is used. Every socket is on 127.0.0.1.

The maillab binary comes from the environment variable MAILLAB_BIN (required):

    MAILLAB_BIN=/work/main/build/cli/maillab python3 -m unittest discover \
        -s tests/integration -p 'test_*.py' -v
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

LOCALHOST = "127.0.0.1"
DOMAIN = "example.org"
USERS = {"alice@example.org": "alicepw", "bob@example.org": "bobpw"}


def maillab_bin() -> str:
    """The maillab executable named by MAILLAB_BIN; a clear error when it is not usable."""
    path = os.environ.get("MAILLAB_BIN")
    if not path:
        raise RuntimeError(
            "MAILLAB_BIN is not set: point it at the built maillab executable, e.g. "
            "MAILLAB_BIN=/work/main/build/cli/maillab")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise RuntimeError(f"MAILLAB_BIN={path!r} is not an executable file")
    return path


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> int | None:
    """Asks a process we started to stop (SIGTERM, as Ctrl-C would), kills it if it does not
    within `timeout`, and returns its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def wait_until_ready(proc: subprocess.Popen, log_path: Path, timeout: float = 20.0) -> str | None:
    """The console of a `maillab serve` (or of a script running one) that writes to `log_path`,
    once it has printed its "ready; Ctrl-C stops" line; None when the process exited first or
    `timeout` seconds passed. The listeners' addresses are in that console."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if "ready; Ctrl-C stops" in text:
            return text
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def free_ports(count: int = 1) -> list[int]:
    """Ports the OS says are free on 127.0.0.1 right now.

    All sockets are held open until every port is chosen, so the ports are distinct.
    """
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((LOCALHOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_port() -> int:
    return free_ports(1)[0]


def strip_received(stored: bytes) -> bytes:
    """The stored message without its first Received: header.

    The header is the "Received:" line plus its continuation lines (those beginning with a
    space or a tab). Line ends may be CRLF or LF; they are kept in the rest untouched.
    """
    if not stored[:9].lower() == b"received:":
        raise AssertionError(f"stored message does not start with Received: {stored[:80]!r}")
    pos = 0
    while True:
        nl = stored.find(b"\n", pos)
        if nl < 0:
            return b""
        pos = nl + 1
        if stored[pos:pos + 1] not in (b" ", b"\t"):
            return stored[pos:]


def unverified_tls() -> ssl.SSLContext:
    """A client TLS context for the server's self-signed certificate: no verification."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def event_bytes(event: dict) -> bytes | None:
    """The exact bytes of an event: raw (UTF-8 text) or raw_b64 (decoded)."""
    if "raw_b64" in event:
        return base64.b64decode(event["raw_b64"])
    if "raw" in event:
        return event["raw"].encode("utf-8")
    return None


class Trace:
    """Incremental reader of a maillab JSON Lines trace (the server appends while we read)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.header: dict | None = None
        self.events: list[dict] = []
        self._offset = 0

    def refresh(self) -> list[dict]:
        """Read complete lines appended since the last call; return all events so far."""
        if not self.path.exists():
            return self.events
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        end = chunk.rfind(b"\n")
        if end < 0:
            return self.events  # no complete line yet
        for line in chunk[:end].split(b"\n"):
            if not line.strip():
                continue
            obj = json.loads(line)
            if self.header is None and obj.get("format") == "maillab-trace":
                self.header = obj
                continue
            if "raw_b64" in obj:
                obj["raw_bytes"] = base64.b64decode(obj["raw_b64"])
            elif "raw" in obj:
                obj["raw_bytes"] = obj["raw"].encode("utf-8")
            self.events.append(obj)
        self._offset += end + 1
        return self.events


class MaillabServer:
    """One `maillab serve` process with its own temp dir for the trace and the TLS certificate."""

    def __init__(self, smtp: bool = True, smtps: bool = True, domain: str = DOMAIN,
                 users: dict[str, str] | None = None, extra_args: list[str] | None = None,
                 pop3: bool = False, pop3s: bool = False, store_dir: Path | None = None,
                 imap: bool = False, imaps: bool = False, http: bool = False):
        self.binary = maillab_bin()
        self.domain = domain
        self.users = dict(USERS if users is None else users)
        ports = free_ports(7)
        self.smtp_port = ports[0] if smtp else 0
        self.smtps_port = ports[1] if smtps else 0
        self.pop3_port = ports[2] if pop3 else 0
        self.pop3s_port = ports[3] if pop3s else 0
        self.imap_port = ports[4] if imap else 0
        self.imaps_port = ports[5] if imaps else 0
        self.http_port = ports[6] if http else 0
        self.store_dir = store_dir
        self.extra_args = list(extra_args or [])
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-it-")
        self.dir = Path(self.tmp.name)
        self.trace_path = self.dir / "trace.jsonl"
        self.tls_dir = self.dir / "tls"
        self.log_path = self.dir / "serve.log"
        self.trace = Trace(self.trace_path)
        self.proc: subprocess.Popen | None = None
        self._log = None

    # ----- lifecycle -------------------------------------------------------------------------
    def command(self) -> list[str]:
        cmd = [self.binary, "serve", "--domain", self.domain]
        for user, password in self.users.items():
            cmd += ["--user", f"{user}:{password}"]
        cmd += ["--smtp-port", str(self.smtp_port), "--smtps-port", str(self.smtps_port),
                "--pop3-port", str(self.pop3_port), "--pop3s-port", str(self.pop3s_port),
                "--imap-port", str(self.imap_port), "--imaps-port", str(self.imaps_port),
                "--http-port", str(self.http_port), "--bind", LOCALHOST, "--trace", str(self.trace_path),
                "--tls-dir", str(self.tls_dir), "--quiet"]
        if self.store_dir is not None:
            cmd += ["--store", str(self.store_dir)]
        return cmd + self.extra_args

    def start(self, timeout: float = 10.0) -> "MaillabServer":
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = [p for p in (self.smtp_port, self.smtps_port, self.pop3_port, self.pop3s_port,
                               self.imap_port, self.imaps_port, self.http_port) if p]
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"maillab serve exited with {self.proc.returncode} before it was ready\n"
                    f"command: {' '.join(self.command())}\noutput:\n{self.output()}")
            port = pending[0]
            try:
                with socket.create_connection((LOCALHOST, port), timeout=0.5):
                    pending.pop(0)
                    continue
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"maillab serve did not accept connections on 127.0.0.1:{port} within "
                    f"{timeout} s\ncommand: {' '.join(self.command())}\noutput:\n{self.output()}")
            time.sleep(0.05)

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM by process id, then SIGKILL after timeout. Returns the exit status."""
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                os.kill(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.kill(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout)
            rc = self.proc.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        return rc

    def kill(self, timeout: float = 5.0) -> int | None:
        """SIGKILL by process id (no chance to clean up), as a crash would. Returns the status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.proc.returncode

    def cleanup(self) -> None:
        self.tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()

    # ----- trace -----------------------------------------------------------------------------
    def events(self, kind: str | None = None, conn: int | None = None, **fields) -> list[dict]:
        """Events read so far (refreshed), filtered by kind, conn and exact field values."""
        out = []
        for e in self.trace.refresh():
            if kind is not None and e.get("kind") != kind:
                continue
            if conn is not None and e.get("conn") != conn:
                continue
            if any(e.get(k) != v for k, v in fields.items()):
                continue
            out.append(e)
        return out

    def last_seq(self) -> int:
        """The seq of the newest event read so far (0 when none): a mark for "events after"."""
        events = self.trace.refresh()
        return events[-1].get("seq", 0) if events else 0

    def wait_events(self, predicate, timeout: float = 5.0, minimum: int = 1, **filters) -> list[dict]:
        """Poll the trace until at least `minimum` events match filters and predicate."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events(**filters) if predicate(e)]
            if len(found) >= minimum or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def delivered(self, user: str, marker: bytes | None = None, timeout: float = 0.0,
                  minimum: int = 1) -> list[dict]:
        """Store "deliver" events for user, optionally only those whose bytes contain marker."""
        def match(e):
            return (e.get("action") == "deliver" and e.get("user") == user
                    and (marker is None or marker in e.get("raw_bytes", b"")))
        return self.wait_events(match, timeout=timeout, minimum=minimum, kind="store")

    def delivered_messages(self, user: str, marker: bytes | None = None,
                           timeout: float = 0.0, minimum: int = 1) -> list[bytes]:
        """Stored bytes minus the first Received: header, for each matching delivery."""
        return [strip_received(e["raw_bytes"])
                for e in self.delivered(user, marker, timeout=timeout, minimum=minimum)]

    def conn_of_client_port(self, port: int, timeout: float = 2.0) -> int:
        """The trace's conn id for the TCP connection from 127.0.0.1:port."""
        peer = f"{LOCALHOST}:{port}"
        found = self.wait_events(lambda e: e.get("action") == "connect" and e.get("from") == peer,
                                 timeout=timeout, kind="tcp")
        if not found:
            raise AssertionError(f"no tcp connect event from {peer} in the trace")
        return found[-1]["conn"]
