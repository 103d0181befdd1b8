"""Benchmark 4 (docs/performance.md): MIME parsing with every part decoded, maillab against
GMime 3 and Python's email package, on the same generated corpus (make_mime_corpus.py, about
200 MB; --smoke: 2 MB).

Each parser reads the same files and does the same work: every message (nested ones too) has
its Subject and From decoded, every leaf part its body decoded (text parts to Unicode). Each
reports the messages and leaf parts it saw; the harness fails unless the three counts agree, so
none of them can look fast by skipping work. The figure is input MB per second of the whole
loop (reading the file included), page cache warm.

The drivers are tests/bench/mime_parse_maillab.cpp and mime_parse_gmime.c, built by CMake
(MAILLAB_BENCH_BUILD, else build-bench/ or build/); Python's side runs in this process.
"""
import email
import email.policy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import SOURCE_DIR, Row, finish, parse_args  # noqa: E402
from make_mime_corpus import make_corpus  # noqa: E402


def driver(name):
    """The driver built beside maillab: the build that holds MAILLAB_BIN, else the usual ones."""
    builds = []
    if os.environ.get("MAILLAB_BENCH_BUILD"):
        builds.append(Path(os.environ["MAILLAB_BENCH_BUILD"]))
    if os.environ.get("MAILLAB_BIN"):
        builds.append(Path(os.environ["MAILLAB_BIN"]).resolve().parents[1])
    builds += [SOURCE_DIR / "build-bench", SOURCE_DIR / "build"]
    for b in builds:
        if (b / "tests" / "bench" / name).exists():
            return str(b / "tests" / "bench" / name)
    return None


def run_driver(path, files):
    out = subprocess.run([path, *files], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def python_walk(msg, tally):
    tally["messages"] += 1
    tally["decoded_bytes"] += len(str(msg["Subject"] or "")) + len(str(msg["From"] or ""))
    stack = [msg]
    while stack:
        part = stack.pop()
        if part.get_content_maintype() == "multipart":
            stack.extend(reversed(part.get_payload()))
        elif part.get_content_type() == "message/rfc822":
            for inner in part.get_payload():
                python_walk(inner, tally)
        else:
            tally["leaf_parts"] += 1
            if part.get_content_maintype() == "text":
                tally["decoded_bytes"] += len(part.get_content())
            else:
                tally["decoded_bytes"] += len(part.get_payload(decode=True) or b"")


def run_python(files):
    tally = {"files": len(files), "bytes": 0, "messages": 0, "leaf_parts": 0, "decoded_bytes": 0}
    start = time.perf_counter()
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        tally["bytes"] += len(data)
        python_walk(email.message_from_bytes(data, policy=email.policy.default), tally)
    tally["seconds"] = time.perf_counter() - start
    return tally


def mb_per_s(result):
    return result["bytes"] / 1e6 / result["seconds"]


def main():
    args = parse_args(__doc__.splitlines()[0])
    maillab_driver = driver("mime_parse_maillab")
    gmime_driver = driver("mime_parse_gmime")
    if not maillab_driver:
        sys.exit("bench mime: mime_parse_maillab is not built (cmake builds it in tests/bench/)")
    if not gmime_driver:
        sys.exit("bench mime: mime_parse_gmime is not built: install libgmime-3.0-dev "
                 "(.ci/deps) and run cmake again")
    megabytes = 2 if args.smoke else 200
    with tempfile.TemporaryDirectory(prefix="maillab-bench-mime-") as tmp:
        t0 = time.perf_counter()
        files, total = make_corpus(Path(tmp) / "corpus", megabytes)
        print(f"corpus: {len(files)} messages, {total / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - t0:.1f} s)")
        for f in files:  # warm the page cache so that no parser pays for the disk
            Path(f).read_bytes()
        results = {"maillab": run_driver(maillab_driver, files),
                   "GMime": run_driver(gmime_driver, files),
                   "Python email": run_python(files)}
    for name, r in results.items():
        print(f"{name:13} {r['messages']:7} messages {r['leaf_parts']:7} leaf parts "
              f"{r['seconds']:8.3f} s {mb_per_s(r):9.1f} MB/s")
    counts = {name: (r["files"], r["bytes"], r["messages"], r["leaf_parts"])
              for name, r in results.items()}
    if len(set(counts.values())) != 1:
        sys.exit(f"bench mime: the parsers disagree on (files, bytes, messages, leaf parts): {counts}")
    m, g, p = (mb_per_s(results[k]) for k in ("maillab", "GMime", "Python email"))
    rows = [
        Row("mime", "parse + decode every part vs GMime", "MB/s", m, g, "GMime 3",
            goal="maillab > GMime", goal_met=None if args.smoke else m > g,
            note=f"{len(files)} messages, {total / 1e6:.0f} MB"),
        Row("mime", "parse + decode every part vs Python", "MB/s", m, p, "Python email",
            note=f"{results['maillab']['leaf_parts']} leaf parts"),
    ]
    finish(args, rows)


if __name__ == "__main__":
    main()
