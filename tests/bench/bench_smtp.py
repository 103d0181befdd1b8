"""SMTP acceptance: Postfix's smtp-source drives 20 parallel sessions sending 20,000 messages
of 2 KB at Postfix's smtp-sink (a do-nothing sink: the reference), at `maillab serve` with the
in-memory store and at `maillab serve --store DIR`; once with a new connection per message and
once with connections kept open (smtp-source -d). Figure: messages per second, maillab/smtp-sink.

After each maillab run the harness counts what maillab stored (POP3 STAT on the recipient's
mailbox, and with --store the Maildir files): a figure counts only if every message is there.
Run as: python3 tests/bench/bench_smtp.py [--smoke] [--out FILE] (MAILLAB_BIN: the maillab to
measure). docs/performance.md, section 1, has the figures and what bounds them.
"""
import os
import poplib
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import Row, finish, free_port, need, parse_args, start, stop, wait_for_port  # noqa: E402
from maillab_serve import MaillabServe  # noqa: E402

USER = "bench@bench.example"
PASSWORD = "benchpw"
FULL = {"sessions": 20, "messages": 20000, "size": 2048}
SMOKE = {"sessions": 4, "messages": 200, "size": 2048}


def smtp_source(port, workload, keep_connections):
    """Runs smtp-source to 127.0.0.1:port; the seconds it took. Fails on any error it reports."""
    cmd = [need("/usr/sbin/smtp-source", "postfix"),
           "-s", str(workload["sessions"]), "-m", str(workload["messages"]),
           "-l", str(workload["size"]), "-f", USER, "-t", USER, "-M", "client.bench.example"]
    if keep_connections:
        cmd.append("-d")
    cmd.append(f"127.0.0.1:{port}")
    began = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
    took = time.monotonic() - began
    said = done.stdout.decode(errors="replace")
    if done.returncode != 0 or "fatal" in said or "warning" in said:
        raise RuntimeError(f"bench: smtp-source failed ({done.returncode}): {' '.join(cmd)}\n{said[-2000:]}")
    return took


def sink_rate(workload, keep_connections):
    """Messages per second smtp-sink accepts (it stores nothing: there is nothing to count)."""
    port = free_port()
    cmd = [need("/usr/sbin/smtp-sink", "postfix")]
    if os.getuid() == 0:
        cmd += ["-u", "nobody"]  # smtp-sink refuses to keep root's privileges
    sink = start(cmd + [f"127.0.0.1:{port}", "1024"])
    try:
        wait_for_port(port)
        return workload["messages"] / smtp_source(port, workload, keep_connections)
    finally:
        stop(sink)


def stored_count(server):
    """Messages in the recipient's mailbox, by POP3 STAT (what a mail client would see)."""
    pop = poplib.POP3("127.0.0.1", server.pop3_port, timeout=120)
    try:
        pop.user(USER)
        pop.pass_(PASSWORD)
        return pop.stat()[0]
    finally:
        pop.quit()


def maildir_files(store_dir):
    return sum(1 for p in Path(store_dir).rglob("*")
               if p.is_file() and p.parent.name in ("new", "cur"))


def maillab_rate(workload, keep_connections, store):
    """Messages per second maillab accepts, after checking it stored every one; and the
    server's CPU milliseconds per message."""
    with MaillabServe({USER: PASSWORD}, smtp=True, pop3=True, store=store) as server:
        wait_for_port(server.smtp_port)
        cpu_before = server.cpu_seconds()
        took = smtp_source(server.smtp_port, workload, keep_connections)
        cpu = server.cpu_seconds() - cpu_before
        count = stored_count(server)
        if count != workload["messages"]:
            raise RuntimeError(f"bench: maillab stored {count} of {workload['messages']} messages"
                               f"\n{server.log()[-2000:]}")
        if store:
            files = maildir_files(server.store_dir)
            if files != workload["messages"]:
                raise RuntimeError(f"bench: {files} Maildir files for {workload['messages']} messages")
        return workload["messages"] / took, 1000.0 * cpu / workload["messages"]


def main():
    args = parse_args(__doc__.splitlines()[0])
    workload = SMOKE if args.smoke else FULL
    shape = f"{workload['messages']} x {workload['size']} B, {workload['sessions']} sessions"
    rows = []
    for keep, mode in ((False, "new connection per msg"), (True, "kept connections (-d)")):
        sink = sink_rate(workload, keep)
        for store, where in ((False, "in-memory"), (True, "--store DIR")):
            rate, cpu_ms = maillab_rate(workload, keep, store)
            rows.append(Row(
                harness="smtp", figure=f"accept, {mode}, {where}", unit="msgs/s",
                maillab=rate, reference=sink, reference_name="smtp-sink",
                goal="maillab >= smtp-sink",
                goal_met=None if args.smoke else rate >= sink,
                note=f"{shape}; tracing on; maillab CPU {cpu_ms:.3f} ms/msg; "
                     f"all {workload['messages']} stored (POP3 STAT)",
                extra={"maillab_cpu_ms_per_msg": cpu_ms, "workload": workload}))
            print(f"smtp: {mode}, {where}: maillab {rate:,.0f} msgs/s "
                  f"({cpu_ms:.3f} ms CPU/msg), smtp-sink {sink:,.0f} msgs/s", flush=True)
    finish(args, rows)


if __name__ == "__main__":
    main()
