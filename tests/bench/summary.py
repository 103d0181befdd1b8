"""Gathers the JSON rows the harnesses wrote (tests/bench/run) into one Markdown table, the form
docs/performance.md keeps."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import fmt  # noqa: E402


def main(results_dir):
    rows = []
    # In the order of docs/performance.md's sections, whatever the file names sort to.
    order = ["smtp", "imap", "pop3", "mime", "trace", "gui", "engine"]
    files = sorted(Path(results_dir).glob("*.json"),
                   key=lambda f: (order.index(f.stem) if f.stem in order else len(order), f.stem))
    for f in files:
        rows += json.loads(f.read_text())
    print("| harness | figure | unit | maillab | reference | ratio (>1: maillab better) | goal |")
    print("|---|---|---|---:|---:|---:|---|")
    for r in rows:
        ref = f"{fmt(r['reference'])} ({r['reference_name']})" if r["reference"] else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        met = "" if r["goal_met"] is None else (" ✔" if r["goal_met"] else " ✘ not met")
        print(f"| {r['harness']} | {r['figure']} | {r['unit']} | {fmt(r['maillab'])} | {ref} | "
              f"{ratio} | {r['goal']}{met} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build-bench/bench-results")
