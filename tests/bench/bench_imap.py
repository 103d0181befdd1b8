"""IMAP: the same scripted workload against Dovecot (the reference, started by the harness with
its own configuration, tests/bench/dovecot_server.py) and against `maillab serve --store DIR`
(Maildir on disk, like Dovecot) and `maillab serve` (in memory):

  APPEND 5,000 messages of 2-20 KB; SELECT; FETCH 1:* (FLAGS UID RFC822.SIZE);
  FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]; SEARCH SUBJECT; 500 random FETCH BODY[];
  STORE 1:* +FLAGS (\\Seen)

Figure: milliseconds per phase, maillab/Dovecot. The client (tests/bench/imap_wire.py) pipelines
on a raw socket so that it is not what is measured; its CPU time is reported beside the figures.
Every answer is checked on both servers: counts, sizes, header fields, search hits and bodies
must match what was appended. Run as: python3 tests/bench/bench_imap.py [--smoke] [--out FILE].
"""
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import Row, finish, parse_args  # noqa: E402
from bench_messages import SEARCH_WORD, expected_search_hits, messages, subject_of  # noqa: E402
from dovecot_server import DovecotServer  # noqa: E402
from imap_wire import ImapWire, append_command  # noqa: E402
from maillab_serve import MaillabServe  # noqa: E402

USER = "bench@bench.example"
PASSWORD = "benchpw"
FULL = {"messages": 5000, "random_fetches": 500}
SMOKE = {"messages": 200, "random_fetches": 50}
FETCH_SIZE = re.compile(rb"^\* (\d+) FETCH \(.*RFC822\.SIZE (\d+)")
FETCH_SEQ = re.compile(rb"^\* (\d+) FETCH ")


class CheckFailed(RuntimeError):
    pass


def check(condition, server, what):
    if not condition:
        raise CheckFailed(f"bench imap: {server}: {what}")


def fetches(untagged):
    return [u for u in untagged if FETCH_SEQ.match(u[0])]


def run_workload(port, corpus, random_fetches, server):
    """Runs every phase against the IMAP server on port; {phase: (seconds, client CPU s)}."""
    n = len(corpus)
    imap = ImapWire(port)
    imap.run(f"LOGIN {USER} {PASSWORD}".encode())
    times = {}

    def phase(name, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    appended = phase(f"APPEND {n} msgs", lambda: imap.pipeline(
        (append_command("INBOX", m) for m in corpus), window=32))
    check(len(appended[0]) == n, server, f"{len(appended[0])} APPENDs answered of {n}")

    selected = phase("SELECT", lambda: imap.run(b"SELECT INBOX"))
    check(any(u[0] == f"* {n} EXISTS".encode() for u in selected), server,
          f"SELECT does not say {n} EXISTS: {[u[0] for u in selected][:5]}")

    listing = fetches(phase("FETCH 1:* (FLAGS UID RFC822.SIZE)",
                            lambda: imap.run(b"FETCH 1:* (FLAGS UID RFC822.SIZE)")))
    check(len(listing) == n, server, f"FETCH 1:* gave {len(listing)} of {n}")
    for u in listing:
        m = FETCH_SIZE.match(u[0])
        check(m, server, f"no RFC822.SIZE in {u[0][:200]!r}")
        seq, size = int(m.group(1)), int(m.group(2))
        check(size == len(corpus[seq - 1]), server,
              f"message {seq}: RFC822.SIZE {size}, appended {len(corpus[seq - 1])}")

    headers = fetches(phase("FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", lambda: imap.run(
        b"FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]")))
    check(len(headers) == n, server, f"header FETCH gave {len(headers)} of {n}")
    for u in headers:
        seq = int(FETCH_SEQ.match(u[0]).group(1))
        check(u[1] and f"Subject: {subject_of(seq - 1)}\r\n".encode() in u[1][0], server,
              f"message {seq}: header fields {u[1][:1]!r}")

    found = phase(f"SEARCH SUBJECT {SEARCH_WORD}",
                  lambda: imap.run(f"SEARCH SUBJECT {SEARCH_WORD}".encode()))
    hits = {int(x) for u in found if u[0].startswith(b"* SEARCH") for x in u[0].split()[2:]}
    check(hits == expected_search_hits(n), server,
          f"SEARCH found {len(hits)}, expected {len(expected_search_hits(n))}")

    picks = random.Random(7).choices(range(1, n + 1), k=random_fetches)
    bodies = phase(f"{random_fetches} random FETCH BODY[]", lambda: imap.pipeline(
        (f"FETCH {seq} BODY[]".encode() for seq in picks), window=16))
    got = {}
    for u in fetches(bodies[1]):
        got.setdefault(int(FETCH_SEQ.match(u[0]).group(1)), []).extend(u[1])
    check(sum(len(v) for v in got.values()) == len(picks), server,
          f"{sum(len(v) for v in got.values())} bodies for {len(picks)} FETCH BODY[]")
    for seq in set(picks):
        check(got.get(seq) and all(b == corpus[seq - 1] for b in got[seq]), server,
              f"FETCH {seq} BODY[] is not the appended message")

    stored = fetches(phase("STORE 1:* +FLAGS (\\Seen)",
                           lambda: imap.run(b"STORE 1:* +FLAGS (\\Seen)")))
    # A server may leave out messages whose flags did not change (Dovecot does: the random
    # FETCH BODY[] set \\Seen already); so afterwards, untimed, every message must have it.
    check(len(stored) <= n and all(b"\\Seen" in u[0] for u in stored), server,
          f"STORE answered {len(stored)} of {n}, not all with \\Seen")
    seen = fetches(imap.run(b"FETCH 1:* FLAGS"))
    check(len(seen) == n and all(b"\\Seen" in u[0] for u in seen), server,
          "after STORE 1:* +FLAGS (\\Seen) not every message has \\Seen")
    imap.close()
    return times


def main():
    args = parse_args(__doc__.splitlines()[0])
    workload = SMOKE if args.smoke else FULL
    corpus = messages(workload["messages"])
    users = {USER: PASSWORD}
    with DovecotServer(users) as dovecot:
        reference = run_workload(dovecot.imap_port, corpus, workload["random_fetches"], "Dovecot")
    results = {}
    for store, where in ((True, "--store DIR"), (False, "in-memory")):
        with MaillabServe(users, imap=True, store=store) as server:
            cpu_before = server.cpu_seconds()
            results[where] = run_workload(server.imap_port, corpus, workload["random_fetches"],
                                          f"maillab {where}")
            results[where + " cpu"] = server.cpu_seconds() - cpu_before
    rows = []
    for where in ("--store DIR", "in-memory"):
        for name, (seconds, client_cpu) in results[where].items():
            ref_seconds, ref_client_cpu = reference[name]
            ms, ref_ms = 1000 * seconds, 1000 * ref_seconds
            rows.append(Row(
                harness="imap", figure=f"{name}, maillab {where}", unit="ms",
                maillab=ms, reference=ref_ms, reference_name="Dovecot", better="lower",
                goal="maillab <= Dovecot", goal_met=None if args.smoke else ms <= ref_ms,
                note=f"client CPU {1000 * client_cpu:.0f} ms with maillab, "
                     f"{1000 * ref_client_cpu:.0f} ms with Dovecot; tracing on",
                extra={"client_cpu_ms": 1000 * client_cpu, "ref_client_cpu_ms": 1000 * ref_client_cpu}))
            print(f"imap: {name}, maillab {where}: {ms:.1f} ms (client CPU {1000 * client_cpu:.0f}"
                  f" ms), Dovecot {ref_ms:.1f} ms (client CPU {1000 * ref_client_cpu:.0f} ms)",
                  flush=True)
    finish(args, rows)


if __name__ == "__main__":
    main()
