"""Benchmark 6 (docs/performance.md): the GUI's frame time on the big trace, under Xvfb.

The trace is benchmark 5's (the 10,000-mail scenario recorded by `maillab run --record`, about a
million events; --smoke: 100 mails). `maillab-gui TRACE --bench-frames N --bench-mode MODE`
(gui/frame_bench.cpp) opens it with the cursor in the middle and measures N frames:

  play            the cursor steps one event every frame (every panel follows it)
  scroll-log      the mouse wheel turns three notches over the event log every frame
  scroll-diagram  the same over the sequence diagram

It prints each frame's CPU time: the GUI thread's own work (panels, draw lists, GL calls) and
the whole process's (with Mesa's software rasteriser, which a GPU would do). Goal: the GUI's
CPU time per frame under 10 ms; the rows give the median and the p95, the notes the maximum.
Xvfb is started here on a display it picks itself and stopped by its process id.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import Row, finish, maillab_bin, need, parse_args, run_measured  # noqa: E402
from make_mail_scenario import make_scenario  # noqa: E402

SIZE = (1600, 1000)
MODES = ("play", "scroll-log", "scroll-diagram")


class Xvfb:
    """A private X server on a display number it chooses itself (-displayfd)."""

    def __init__(self):
        read_end, write_end = os.pipe()
        self.proc = subprocess.Popen(
            [need("Xvfb", "xvfb"), "-displayfd", str(write_end), "-screen", "0",
             f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_end)
        with os.fdopen(read_end) as r:
            number = r.readline().strip()
        if not number:
            self.stop()
            raise RuntimeError("bench gui: Xvfb did not start")
        self.display = f":{number}"

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def main():
    args = parse_args(__doc__.splitlines()[0])
    maillab, gui = maillab_bin(), maillab_bin("maillab-gui")
    mails, users, domains = (100, 20, 4) if args.smoke else (10000, 100, 10)
    frames = 20 if args.smoke else 300
    rows = []
    xvfb = Xvfb()
    try:
        env = dict(os.environ, DISPLAY=xvfb.display)
        with tempfile.TemporaryDirectory(prefix="maillab-bench-gui-") as tmp:
            scenario = Path(tmp) / "mails.json"
            scenario.write_text(json.dumps(make_scenario(mails, users, domains)))
            trace = Path(tmp) / "mails.jsonl"
            run_measured([maillab, "run", str(scenario), "--quiet", "--record", str(trace)])
            for mode in MODES:
                m = run_measured([gui, str(trace), "--bench-frames", str(frames), "--bench-mode",
                                  mode, "--size", f"{SIZE[0]}x{SIZE[1]}"], env=env)
                report = json.loads(m.stdout.strip().splitlines()[-1])
                ui, proc = report["ui_cpu_ms"], report["process_cpu_ms"]
                print(f"{mode:15} {report['events']} events, {report['frames']} frames: GUI CPU "
                      f"median {ui['median']:.2f} ms p95 {ui['p95']:.2f} max {ui['max']:.2f}; "
                      f"process CPU median {proc['median']:.2f} ms; whole run {m.seconds:.1f} s, "
                      f"peak RSS {m.max_rss_mb:.0f} MB")
                extra = {k: report[k] for k in ("events", "frames", "ui_cpu_ms", "process_cpu_ms",
                                                "wall_ms")}
                extra |= {"run_seconds": m.seconds, "max_rss_mb": m.max_rss_mb}
                for stat in ("median", "p95"):
                    rows.append(Row("gui", f"{mode}: GUI CPU per frame, {stat}", "ms", ui[stat],
                                    better="lower", goal="< 10 ms",
                                    goal_met=None if args.smoke else ui[stat] < 10.0,
                                    note=f"max {ui['max']:.1f} ms; with Mesa's rasteriser "
                                         f"{proc[stat]:.1f} ms",
                                    extra=extra if stat == "median" else {}))
    finally:
        xvfb.stop()
    finish(args, rows)


if __name__ == "__main__":
    main()
