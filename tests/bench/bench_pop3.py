"""POP3: 4 parallel clients, each on its own mailbox (both servers lock a maildrop for the
session, RFC 1939 8, so one mailbox cannot be read by 4 at once), together 5,000 messages of
2-20 KB: STAT, LIST, UIDL, then RETR of every message, against Dovecot's POP3 (the reference)
and `maillab serve --store DIR`. The mail is put into each Maildir before the servers start
(the same files for both), and each client logs in once before the timing so neither server is
timed building its index. Figure: RETR messages per second (all 4 clients together) and the
STAT+LIST+UIDL time, maillab/Dovecot.

Each client (a process of its own, tests/bench/pop3_wire.py, pipelined) checks what it got:
STAT's count and octets, LIST's sizes, one UIDL per message, and every RETR's text equal to a
message put in. Run as: python3 tests/bench/bench_pop3.py [--smoke] [--out FILE].
"""
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import Row, finish, parse_args  # noqa: E402
from bench_messages import messages  # noqa: E402
from dovecot_server import DovecotServer  # noqa: E402
from maillab_serve import MaillabServe  # noqa: E402
from pop3_wire import Pop3Wire  # noqa: E402

CLIENTS = 4
PASSWORD = "benchpw"
FULL = {"messages": 5000}
SMOKE = {"messages": 200}
USERS = {f"pop{i}@bench.example": PASSWORD for i in range(CLIENTS)}


def share(corpus, i):
    return corpus[i::CLIENTS]


def client(port, user, texts, start_at, out):
    """One POP3 session; puts (times, error) on out. Waits until start_at (a shared
    time.monotonic() instant) so the 4 sessions run together."""
    try:
        pop = Pop3Wire(port)
        pop.login(user, PASSWORD)
        while time.monotonic() < start_at:
            time.sleep(0.0005)
        t0 = time.monotonic()
        count, octets = (int(x) for x in pop.command(b"STAT").split()[1:3])
        _, listing = pop.multiline(b"LIST")
        _, uidls = pop.multiline(b"UIDL")
        t1 = time.monotonic()
        got = pop.retr_all(range(1, count + 1))
        t2 = time.monotonic()
        pop.quit()
        want = sorted(texts)
        sizes = sorted(int(line.split()[1]) for line in listing.splitlines())
        errors = []
        if count != len(texts) or octets != sum(len(t) for t in texts):
            errors.append(f"STAT {count} {octets}, put in {len(texts)} {sum(len(t) for t in texts)}")
        if sizes != sorted(len(t) for t in texts):
            errors.append("LIST sizes differ from the messages put in")
        if len(uidls.splitlines()) != count:
            errors.append(f"UIDL gave {len(uidls.splitlines())} lines for {count} messages")
        if sorted(got) != want:
            errors.append("RETR texts differ from the messages put in")
        out.put((user, t0, t1, t2, "; ".join(errors)))
    except Exception as e:  # reported to the parent, which fails the run
        out.put((user, 0, 0, 0, f"{type(e).__name__}: {e}"))


def warm_up(port):
    for user in USERS:
        pop = Pop3Wire(port)
        pop.login(user, PASSWORD)
        pop.command(b"STAT")
        pop.quit()


def measure(port, corpus, server):
    """(RETR msgs/s over all clients, STAT+LIST+UIDL ms: the slowest client)."""
    warm_up(port)
    out = multiprocessing.Queue()
    start_at = time.monotonic() + 0.5
    procs = [multiprocessing.Process(target=client, args=(port, user, share(corpus, i), start_at, out))
             for i, user in enumerate(USERS)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    errors = [f"{user}: {err}" for user, _, _, _, err in results if err]
    if errors:
        raise RuntimeError(f"bench pop3: {server}: " + " | ".join(errors))
    retr_span = max(r[3] for r in results) - min(r[2] for r in results)
    listing_ms = 1000 * max(r[2] - r[1] for r in results)
    return len(corpus) / retr_span, listing_ms


def main():
    args = parse_args(__doc__.splitlines()[0])
    workload = SMOKE if args.smoke else FULL
    corpus = messages(workload["messages"], seed=110)
    dovecot = DovecotServer(USERS)
    for i, user in enumerate(USERS):
        dovecot.put_maildir(user, share(corpus, i))
    with dovecot:
        ref_rate, ref_listing = measure(dovecot.pop3_port, corpus, "Dovecot")
    server = MaillabServe(USERS, pop3=True, store=True)
    for i, user in enumerate(USERS):
        server.put_maildir(user, share(corpus, i))
    with server:
        cpu_before = server.cpu_seconds()
        rate, listing = measure(server.pop3_port, corpus, "maillab")
        cpu_ms = 1000 * (server.cpu_seconds() - cpu_before) / len(corpus)
    shape = f"{len(corpus)} msgs of 2-20 KB, {CLIENTS} clients, a mailbox each"
    rows = [
        Row(harness="pop3", figure="RETR, 4 parallel clients", unit="msgs/s", maillab=rate,
            reference=ref_rate, reference_name="Dovecot", goal="maillab >= Dovecot",
            goal_met=None if args.smoke else rate >= ref_rate,
            note=f"{shape}; maillab --store, tracing on; maillab CPU {cpu_ms:.3f} ms/msg"),
        Row(harness="pop3", figure="STAT+LIST+UIDL, slowest client", unit="ms", maillab=listing,
            reference=ref_listing, reference_name="Dovecot", better="lower",
            goal="maillab <= Dovecot", goal_met=None if args.smoke else listing <= ref_listing,
            note=shape),
    ]
    print(f"pop3: RETR maillab {rate:,.0f} msgs/s ({cpu_ms:.3f} ms CPU/msg), Dovecot "
          f"{ref_rate:,.0f} msgs/s; STAT+LIST+UIDL maillab {listing:.1f} ms, Dovecot "
          f"{ref_listing:.1f} ms", flush=True)
    finish(args, rows)


if __name__ == "__main__":
    main()
