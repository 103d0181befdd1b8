"""What every benchmark harness shares: options, finding maillab, free ports, processes
started and stopped by pid, and the result rows that tests/bench/run gathers into one table.

A harness is tests/bench/bench_NAME.py. It measures maillab and its reference in the SAME run
(the machines are shared and noisy: a ratio taken in one run holds where absolute numbers
drift), prints its own rows, and with --out FILE writes them as JSON for the summary. With
--smoke it runs a few seconds on a tiny workload: the test command runs every harness that way
so a harness cannot rot, but smoke figures mean nothing.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, asdict, field
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[2]


@dataclass
class Row:
    """One figure: maillab's value, the reference's value in the same run, and the goal."""
    harness: str          # "smtp", "imap", ...
    figure: str           # what was measured, e.g. "APPEND 5000 msgs"
    unit: str             # "msgs/s", "ms", "MB/s", ...
    maillab: float | None
    reference: float | None = None
    reference_name: str = ""
    # "higher" when more is better (throughput), "lower" when less is better (times).
    better: str = "higher"
    goal: str = ""        # the issue's goal in words, e.g. "maillab >= Dovecot"
    goal_met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def ratio(self):
        """maillab / reference, oriented so that > 1 means maillab is better."""
        if not self.maillab or not self.reference:
            return None
        return self.maillab / self.reference if self.better == "higher" else self.reference / self.maillab


def parse_args(description, extra=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true",
                   help="tiny workload, seconds: checks the harness works, figures mean nothing")
    p.add_argument("--out", help="write the result rows as JSON to this file")
    if extra:
        extra(p)
    return p.parse_args()


def maillab_bin(name="maillab"):
    """The maillab binary under test: MAILLAB_BIN (or MAILLAB_GUI_BIN for the GUI), else the
    benchmark build's, else the plain build's."""
    env = {"maillab": "MAILLAB_BIN", "maillab-gui": "MAILLAB_GUI_BIN"}[name]
    if os.environ.get(env):
        return os.environ[env]
    sub = "cli" if name == "maillab" else "gui"
    for build in ("build-bench", "build"):
        candidate = SOURCE_DIR / build / sub / name
        if candidate.exists():
            return str(candidate)
    sys.exit(f"bench: no {name} binary: set {env} or build in build-bench/ (tests/bench/run does)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=20.0, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"bench: nothing listens on {host}:{port} after {timeout} s")


def start(cmd, **kw):
    """Starts a process in its own process group so stop() ends it and its children."""
    kw.setdefault("stdout", subprocess.DEVNULL)
    kw.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(cmd, start_new_session=True, **kw)


def stop(proc, timeout=10.0):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def need(tool, package):
    """The path of a reference tool, or exit with the Debian package that brings it."""
    path = shutil.which(tool) or (tool if os.path.exists(tool) else None)
    if not path:
        sys.exit(f"bench: {tool} is missing: install the Debian package {package} (tests/bench/deps)")
    return path


def fmt(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def print_rows(rows, out=sys.stdout):
    print(f"{'harness':8} {'figure':44} {'maillab':>12} {'reference':>12} {'ref':12} {'ratio':>7} goal",
          file=out)
    for r in rows:
        ratio = r.ratio()
        met = "" if r.goal_met is None else ("met" if r.goal_met else "NOT met")
        print(f"{r.harness:8} {r.figure + ' (' + r.unit + ')':44} {fmt(r.maillab):>12} "
              f"{fmt(r.reference):>12} {r.reference_name:12} "
              f"{(f'{ratio:.2f}' if ratio else '-'):>7} {r.goal} {met}".rstrip(), file=out)


def finish(args, rows):
    """Prints the rows and writes them for tests/bench/run."""
    print_rows(rows)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w") as f:
            json.dump([asdict(r) | {"ratio": r.ratio()} for r in rows], f, indent=1)



@dataclass
class Measured:
    """One finished child process: wall time, CPU time and its own peak resident memory."""
    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(cmd, check=True, **kw):
    """Runs cmd to its end and measures it alone: os.wait4 gives this child's own rusage (not
    the maximum over every child, as RUSAGE_CHILDREN would). Output goes through temporary
    files, so a chatty child never blocks on a full pipe while we wait."""
    import tempfile
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, **kw)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        measured = Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                            proc.returncode, out.read().decode(errors="replace"),
                            err.read().decode(errors="replace"))
    if check and measured.returncode != 0:
        raise RuntimeError(f"bench: {' '.join(map(str, cmd))} exited with {measured.returncode}:"
                           f"\n{measured.stderr[-2000:]}")
    return measured
