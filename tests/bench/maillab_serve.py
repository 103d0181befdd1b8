"""`maillab serve` as the benchmarks run it: one mail server for the bench users on free loopback
ports, only the listeners a harness needs, stopped by its process id.

Tracing stays on as it is by default: every command, reply, state change and store action is
built as a trace event and handed to the trace's subscribers. `--quiet` only stops the live
transcript being printed (which would measure the terminal); `record=True` also writes every
event to a JSON Lines file, as `serve --record` does in class.

Limits (docs/security.md) that would refuse a benchmark's load are raised, and only those:
`--max-commands` (10,000 a session by default; one IMAP session of the benchmark sends more
than 5,000 commands, and a kept SMTP connection of smtp-source about 4,000) and
`--max-connections-per-ip` / `--max-connections` (50 and 500: every client is 127.0.0.1).
"""
import os
import shutil
import tempfile
from pathlib import Path

from bench_common import free_port, maillab_bin, start, stop, wait_for_port
from maildir_files import write_maildir

RAISED_LIMITS = ["--max-commands", "1000000", "--max-connections-per-ip", "0",
                 "--max-connections", "0"]


class MaillabServe:
    """`with MaillabServe(users, smtp=True, store=True) as m:` then m.smtp_port, m.pop3_port,
    m.imap_port; m.store_dir when store=True; m.cpu_seconds() for the server's CPU so far."""

    def __init__(self, users, smtp=False, pop3=False, imap=False, store=False, record=False):
        self.users = dict(users)
        self.dir = Path(tempfile.mkdtemp(prefix="maillab-bench-serve-"))
        self.smtp_port = free_port() if smtp else 0
        self.pop3_port = free_port() if pop3 else 0
        self.imap_port = free_port() if imap else 0
        self.store_dir = self.dir / "store" if store else None
        self.record_path = self.dir / "trace.jsonl" if record else None
        self.log_path = self.dir / "serve.log"
        self.proc = None

    def command(self):
        cmd = [maillab_bin(), "serve", "--quiet", "--bind", "127.0.0.1",
               "--smtp-port", str(self.smtp_port), "--smtps-port", "0",
               "--pop3-port", str(self.pop3_port), "--pop3s-port", "0",
               "--imap-port", str(self.imap_port), "--imaps-port", "0", "--http-port", "0",
               "--tls-dir", str(self.dir / "tls")] + RAISED_LIMITS
        for user, password in self.users.items():
            cmd += ["--user", f"{user}:{password}"]
        if self.store_dir:
            cmd += ["--store", str(self.store_dir)]
        if self.record_path:
            cmd += ["--record", str(self.record_path)]
        return cmd

    def put_maildir(self, user, texts):
        """With store=True, before start(): messages dropped into the user's INBOX Maildir."""
        write_maildir(self.store_dir / user, texts)

    def start(self):
        self._log = open(self.log_path, "wb")
        self.proc = start(self.command(), stdout=self._log, stderr=self._log)
        try:
            for port in (self.smtp_port, self.pop3_port, self.imap_port):
                if port:
                    wait_for_port(port)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"bench: maillab serve did not start: {' '.join(self.command())}"
                               f"\n{self.log()}")
        return self

    def cpu_seconds(self):
        """User + system CPU the server process has used so far (from /proc/PID/stat)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            stop(self.proc)
            self.proc = None
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
