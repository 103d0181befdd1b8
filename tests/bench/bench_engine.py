"""Benchmark 7 (docs/performance.md): the engine. `maillab run --quiet` on every shipped
scenario (scenarios/*.json), and on a generated scenario of 10,000 mails between 100 users
across 10 domains (make_mail_scenario.py: each mail submitted with AUTH, relayed by MX, then
every user reads their mail with POP3 or IMAP). There is no reference implementation of a
simulated world: the figure is the time, against the issue's goal (10,000 mails under 2 s).
--smoke: 100 mails between 20 users across 4 domains, every scenario once.
"""
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import SOURCE_DIR, Row, finish, maillab_bin, parse_args, run_measured  # noqa: E402
from make_mail_scenario import make_scenario  # noqa: E402


def time_run(maillab, scenario, repeats):
    """The median wall time of `maillab run --quiet` over repeats, the median CPU time (user +
    system: on a shared machine the wall time also counts the other users' processes), and the
    last run's figures."""
    runs = [run_measured([maillab, "run", str(scenario), "--quiet"]) for _ in range(repeats)]
    return (statistics.median(r.seconds for r in runs),
            statistics.median(r.cpu_seconds for r in runs), runs[-1])


def main():
    args = parse_args(__doc__.splitlines()[0])
    maillab = maillab_bin()
    repeats = 1 if args.smoke else 5
    rows = []
    for scenario in sorted((SOURCE_DIR / "scenarios").glob("*.json")):
        seconds, cpu, last = time_run(maillab, scenario, repeats)
        rows.append(Row("engine", f"run {scenario.name}", "ms", seconds * 1000, better="lower",
                        note=f"median of {repeats}; CPU {cpu * 1000:.0f} ms; "
                             f"peak RSS {last.max_rss_mb:.0f} MB"))
    mails, users, domains = (100, 20, 4) if args.smoke else (10000, 100, 10)
    with tempfile.TemporaryDirectory(prefix="maillab-bench-engine-") as tmp:
        big = Path(tmp) / f"mails-{mails}.json"
        big.write_text(json.dumps(make_scenario(mails, users, domains)))
        seconds, cpu, last = time_run(maillab, big, 1 if args.smoke else 3)
        # One more run, recorded, only to count the events the run made (not timed).
        trace = Path(tmp) / "big.jsonl"
        run_measured([maillab, "run", str(big), "--quiet", "--record", str(trace)])
        with open(trace, "rb") as f:
            events = sum(1 for _ in f) - 1
    print(f"{mails} mails: {seconds:.2f} s (CPU {cpu:.2f} s), {events} events, "
          f"peak RSS {last.max_rss_mb:.0f} MB")
    figure = f"run {mails} mails, {users} users, {domains} domains"
    extra = {"events": events, "max_rss_mb": last.max_rss_mb, "cpu_seconds": cpu}
    rows.append(Row("engine", figure, "s", seconds, better="lower", goal="< 2 s",
                    goal_met=None if args.smoke else seconds < 2.0,
                    note=f"{events} events, peak RSS {last.max_rss_mb:.0f} MB", extra=extra))
    rows.append(Row("engine", figure + ", CPU time", "s", cpu, better="lower", goal="< 2 s",
                    goal_met=None if args.smoke else cpu < 2.0,
                    note="user + system: what the wall time would be on an idle machine"))
    finish(args, rows)


if __name__ == "__main__":
    main()
