"""Benchmark 5 (docs/performance.md): a one-million-event trace. The trace is real: the
engines make it, running the generated mail scenario (make_mail_scenario.py: 10,000 mails between
100 users across 10 domains, about a million events) with `maillab run --record`. Then:

  write   `maillab run --quiet --record FILE` against the same run without --record
  load    `maillab replay FILE --from 1 --to 1`: the whole file read and checked, one event shown
  filter  `maillab replay FILE --proto pop3 --kind command`: loaded, filtered, printed
  export  `maillab export FILE --to transcript`: the RFC-style transcript of the whole trace

each with its wall time and peak resident memory (os.wait4 of that process alone). Goals: load
under 1 s, memory under 1 GB. There is no reference program for maillab's own format, so the
rows carry the goal and no ratio. --smoke: 100 mails (about 12,000 events).
"""
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import Row, finish, maillab_bin, parse_args, run_measured  # noqa: E402
from make_mail_scenario import make_scenario  # noqa: E402


def main():
    args = parse_args(__doc__.splitlines()[0])
    maillab = maillab_bin()
    mails, users, domains = (100, 20, 4) if args.smoke else (10000, 100, 10)
    rows = []
    with tempfile.TemporaryDirectory(prefix="maillab-bench-trace-") as tmp:
        scenario = Path(tmp) / "mails.json"
        scenario.write_text(json.dumps(make_scenario(mails, users, domains)))
        trace = Path(tmp) / "mails.jsonl"
        plain = run_measured([maillab, "run", str(scenario), "--quiet"])
        recorded = run_measured([maillab, "run", str(scenario), "--quiet", "--record", str(trace)])
        with open(trace, "rb") as f:
            events = sum(1 for _ in f) - 1
        size_mb = trace.stat().st_size / 1e6
        print(f"trace: {events} events, {size_mb:.0f} MB; run {plain.seconds:.2f} s "
              f"(CPU {plain.cpu_seconds:.2f} s), run --record {recorded.seconds:.2f} s "
              f"(CPU {recorded.cpu_seconds:.2f} s)")
        label = f"{events / 1e6:.2f}M events" if not args.smoke else f"{events} events"
        rows.append(Row("trace", f"write ({label}, {size_mb:.0f} MB): run --record", "s",
                        recorded.seconds, better="lower",
                        note=f"CPU {recorded.cpu_seconds:.2f} s; the same run without --record: "
                             f"{plain.seconds:.2f} s, CPU {plain.cpu_seconds:.2f} s; "
                             f"peak RSS {recorded.max_rss_mb:.0f} MB",
                        extra={"events": events, "bytes": trace.stat().st_size,
                               "run_seconds": plain.seconds, "cpu_seconds": recorded.cpu_seconds,
                               "run_cpu_seconds": plain.cpu_seconds,
                               "max_rss_mb": recorded.max_rss_mb}))
        steps = [
            ("load: replay --from 1 --to 1", [maillab, "replay", str(trace), "--from", "1", "--to", "1"],
             "< 1 s", 1.0),
            ("filter: replay --proto pop3 --kind command",
             [maillab, "replay", str(trace), "--proto", "pop3", "--kind", "command"], "", None),
            ("export --to transcript",
             [maillab, "export", str(trace), "--to", "transcript", "-o", str(Path(tmp) / "t.txt")],
             "", None),
        ]
        for figure, cmd, goal, limit in steps:
            m = run_measured(cmd)
            print(f"{figure}: {m.seconds:.2f} s, CPU {m.cpu_seconds:.2f} s, "
                  f"peak RSS {m.max_rss_mb:.0f} MB")
            rows.append(Row("trace", figure, "s", m.seconds, better="lower", goal=goal,
                            goal_met=None if args.smoke or limit is None else m.seconds < limit,
                            note=f"CPU {m.cpu_seconds:.2f} s",
                            extra={"max_rss_mb": m.max_rss_mb, "cpu_seconds": m.cpu_seconds}))
            if limit is not None:
                # On a shared machine the wall time counts the other users too; the CPU time
                # (user + system) is what it would be on an idle one.
                rows.append(Row("trace", f"{figure.split(':')[0]}: CPU time", "s", m.cpu_seconds,
                                better="lower", goal=goal,
                                goal_met=None if args.smoke else m.cpu_seconds < limit))
            rows.append(Row("trace", f"{figure.split(':')[0]}: peak RSS", "MB", m.max_rss_mb,
                            better="lower", goal="< 1 GB",
                            goal_met=None if args.smoke else m.max_rss_mb < 1024))
    finish(args, rows)


if __name__ == "__main__":
    main()
