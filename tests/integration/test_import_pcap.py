"""`maillab import` on a real capture: tcpdump records Python's smtplib, poplib and imaplib
talking to `maillab serve` over loopback, and the imported trace must show what the server's
own trace shows.

Run:
    MAILLAB_BIN=/work/main/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s /work/main/tests/integration -p 'test_import_pcap.py' -v

One server and one capture for the class: tcpdump listens on lo for the server's ports only,
then the clients run (SMTP with AUTH and a message, SMTP with a refused recipient, SMTP with
STARTTLS, POP3, IMAP), tcpdump is stopped with SIGINT, and `maillab import` turns the capture
into a trace. Connections are matched by the client's port, which both traces name
("127.0.0.1:PORT"). For each plain connection the two traces must have the same commands, the
same replies, and the same state changes of the server's machine, in the same order; for the
STARTTLS one, the same up to the handshake, then TLS events and encrypted records only.

The tests are skipped, saying why, only when tcpdump is missing or may not capture here (not
root, no permission on lo); anything else that goes wrong fails.
"""

from __future__ import annotations

import imaplib
import json
import os
import poplib
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maillab_server import LOCALHOST, MaillabServer, maillab_bin, unverified_tls  # noqa: E402

ALICE, ALICE_PW = "alice@example.org", "alicepw"
BOB, BOB_PW = "bob@example.org", "bobpw"
TIMEOUT = 20
# libpcap hands captured packets to tcpdump in blocks, after at most its 1 s buffer timeout;
# packets still in the kernel when SIGINT comes are never written.
CAPTURE_SETTLE_S = 2.5
MESSAGE = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.org>\r\n"
           b"Subject: captured\r\n"
           b"Message-ID: <captured-1@client.test>\r\n"
           b"\r\n"
           b"A line.\r\n"
           b".a line with a leading dot\r\n"
           b"Last line.\r\n")
# What tcpdump says when it may not open the interface.
NO_CAPTURE_HINTS = ("permission", "not permitted", "no suitable device", "socket: ",
                    "you don't have")


def read_trace(path: Path) -> tuple[dict, list[dict]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line.strip()]


def conn_of(events: list[dict], client_port: int) -> int:
    """The conn id of the connection whose client is 127.0.0.1:client_port."""
    peer = f"{LOCALHOST}:{client_port}"
    for e in events:
        if e.get("kind") == "tcp" and e.get("action") == "connect" and e.get("from") == peer:
            return e["conn"]
    raise AssertionError(f"no tcp connect from {peer} in the trace")


def conversation(events: list[dict], conn: int) -> dict[str, list]:
    """What a connection said and did, in order: commands, replies, server state changes."""
    mine = [e for e in events if e.get("conn") == conn]
    return {
        "commands": [(e.get("verb"), e["text"]) for e in mine if e["kind"] == "command"],
        "replies": [(e.get("explain"), e.get("code"), e.get("status"), e.get("tag"), e["text"])
                    for e in mine if e["kind"] == "reply"],
        "states": [(e["machine"], e["from_state"], e["to_state"]) for e in mine
                   if e["kind"] == "state" and e["machine"].endswith(".server")],
        "data": [(e.get("size"), e.get("lines"), e.get("message_id")) for e in mine
                 if e["kind"] == "data"],
    }


class ImportCaptureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tcpdump = shutil.which("tcpdump") or ("/usr/bin/tcpdump" if os.path.exists("/usr/bin/tcpdump")
                                               else None)
        if not tcpdump:
            raise unittest.SkipTest("tcpdump is not installed (Debian package tcpdump)")
        cls.server = MaillabServer(smtp=True, smtps=False, pop3=True, imap=True).start()
        # tcpdump writes the file after dropping to its own user: a directory it may write in.
        cls.capture_dir = Path(tempfile.mkdtemp(prefix="maillab-capture-"))
        os.chmod(cls.capture_dir, 0o777)
        cls.pcap = cls.capture_dir / "lab.pcap"
        try:
            cls._capture(tcpdump)
            cls.imported_path = cls.capture_dir / "lab.jsonl"
            run = subprocess.run([maillab_bin(), "import", str(cls.pcap), "-o",
                                  str(cls.imported_path)],
                                 capture_output=True, text=True, timeout=120)
            if run.returncode != 0:
                raise AssertionError(f"maillab import failed ({run.returncode}):\n"
                                     f"{run.stdout}\n{run.stderr}")
            cls.import_output = run.stdout + run.stderr
            cls.header, cls.imported = read_trace(cls.imported_path)
            # The server's trace is flushed per event; every session has ended by now.
            cls.served = cls.server.events()
        except BaseException:
            cls.server.stop()
            cls.server.cleanup()
            shutil.rmtree(cls.capture_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()
        shutil.rmtree(cls.capture_dir, ignore_errors=True)

    @classmethod
    def _capture(cls, tcpdump: str) -> None:
        ports = [cls.server.smtp_port, cls.server.pop3_port, cls.server.imap_port]
        expression = " or ".join(f"tcp port {p}" for p in ports)
        err_path = cls.capture_dir / "tcpdump.err"
        with open(err_path, "wb") as err:
            # Not --immediate-mode: with whole packets (-s 0) its ring holds only a few of
            # loopback's 64 KiB frames and the kernel drops the rest. The default hands packets
            # over in blocks, at the latest a second after they came (see CAPTURE_SETTLE_S).
            proc = subprocess.Popen([tcpdump, "-i", "lo", "-U", "-n", "-s", "0", "-w",
                                     str(cls.pcap), expression],
                                    stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while b"listening on" not in err_path.read_bytes():
                if proc.poll() is not None:
                    said = err_path.read_text(errors="replace").strip()
                    if any(h in said.lower() for h in NO_CAPTURE_HINTS):
                        raise unittest.SkipTest(f"tcpdump cannot capture on lo here: {said}")
                    raise AssertionError(f"tcpdump exited with {proc.returncode}: {said}")
                if time.monotonic() > deadline:
                    raise AssertionError("tcpdump did not start listening within 15 s: "
                                         + err_path.read_text(errors="replace"))
                time.sleep(0.05)
            cls.ports = cls._talk()
            # The last block of packets reaches the file only after the buffer timeout.
            time.sleep(CAPTURE_SETTLE_S)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGINT)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        cls.tcpdump_said = err_path.read_text(errors="replace")
        # A capture that lost packets would make every comparison below fail for no fault of
        # the import: say so plainly instead.
        dropped = re.search(r"(\d+) packets? dropped by kernel", cls.tcpdump_said)
        if dropped and int(dropped.group(1)) > 0:
            raise AssertionError(f"tcpdump lost packets, the capture is incomplete:\n"
                                 f"{cls.tcpdump_said}")

    @classmethod
    def _talk(cls) -> dict[str, int]:
        """Runs the client sessions; returns each one's client port."""
        ports = {}
        s = smtplib.SMTP(LOCALHOST, cls.server.smtp_port, timeout=TIMEOUT)
        ports["smtp"] = s.sock.getsockname()[1]
        s.ehlo("capture.test")
        s.login(ALICE, ALICE_PW)
        s.sendmail(ALICE, [BOB], MESSAGE)
        s.quit()

        s = smtplib.SMTP(LOCALHOST, cls.server.smtp_port, timeout=TIMEOUT)
        ports["smtp_refused"] = s.sock.getsockname()[1]
        s.helo("capture.test")
        code, _ = s.docmd("MAIL FROM:<alice@example.org>")
        assert code == 250, code
        code, _ = s.docmd("RCPT TO:<nobody@example.org>")
        assert code == 550, code
        s.rset()
        s.noop()
        s.quit()

        s = smtplib.SMTP(LOCALHOST, cls.server.smtp_port, timeout=TIMEOUT)
        ports["smtp_starttls"] = s.sock.getsockname()[1]
        s.ehlo("capture.test")
        s.starttls(context=unverified_tls())
        s.ehlo("capture.test")
        s.login(ALICE, ALICE_PW)
        s.sendmail(ALICE, [BOB], MESSAGE.replace(b"captured-1", b"captured-2"))
        s.quit()

        p = poplib.POP3(LOCALHOST, cls.server.pop3_port, timeout=TIMEOUT)
        ports["pop3"] = p.sock.getsockname()[1]
        p.user(BOB)
        p.pass_(BOB_PW)
        p.stat()
        p.list()
        p.uidl()
        p.retr(1)
        p.top(2, 0)
        p.quit()

        m = imaplib.IMAP4(LOCALHOST, cls.server.imap_port, timeout=TIMEOUT)
        ports["imap"] = m.sock.getsockname()[1]
        m.login(BOB, BOB_PW)
        m.select("INBOX")
        m.fetch("1", "(UID FLAGS BODY.PEEK[HEADER])")
        m.uid("FETCH", "1:*", "(RFC822.SIZE BODY[])")
        m.store("1", "+FLAGS", "(\\Flagged)")
        m.select("NoSuchBox")  # NO; the open mailbox is closed anyway (RFC 3501 6.3.1)
        m.select("INBOX", readonly=True)  # EXAMINE
        m.close()
        m.logout()
        return ports

    # ----- tests --------------------------------------------------------------------------
    def test_header_says_where_the_trace_came_from(self):
        self.assertEqual(self.header["format"], "maillab-trace")
        self.assertEqual(self.header["mode"], "import")
        self.assertEqual(self.header["capture"], "lab.pcap")
        self.assertEqual(self.header["clock"], "real")
        self.assertEqual(self.header["link_type"], "EN10MB")
        self.assertLessEqual(self.header["first_packet_t_us"], self.header["last_packet_t_us"])
        times = [e["t_us"] for e in self.imported]
        self.assertEqual(times, sorted(times))
        self.assertGreaterEqual(times[0], self.header["first_packet_t_us"])
        self.assertLessEqual(times[-1], self.header["last_packet_t_us"])
        self.assertEqual([e["seq"] for e in self.imported], list(range(1, len(self.imported) + 1)))
        self.assertIn("TCP connections", self.import_output)

    def test_plain_connections_match_the_servers_trace(self):
        for name in ("smtp", "smtp_refused", "pop3", "imap"):
            with self.subTest(connection=name):
                port = self.ports[name]
                served = conversation(self.served, conn_of(self.served, port))
                imported = conversation(self.imported, conn_of(self.imported, port))
                self.assertTrue(served["commands"], "the server traced no commands")
                self.assertEqual(imported["commands"], served["commands"])
                self.assertEqual(imported["replies"], served["replies"])
                self.assertEqual(imported["states"], served["states"])
                self.assertEqual(imported["data"], served["data"])

    def test_hosts_are_the_capture_addresses(self):
        conn = conn_of(self.imported, self.ports["smtp"])
        client = f"{LOCALHOST}:{self.ports['smtp']}"
        server = f"{LOCALHOST}:{self.server.smtp_port}"
        commands = [e for e in self.imported if e.get("conn") == conn and e["kind"] == "command"]
        self.assertTrue(all(e["from"] == client and e["to"] == server for e in commands))
        replies = [e for e in self.imported if e.get("conn") == conn and e["kind"] == "reply"]
        self.assertTrue(all(e["from"] == server and e["to"] == client for e in replies))
        # Every reply points at the command it answers (or the data event, after DATA).
        by_seq = {e["seq"]: e for e in self.imported}
        for r in replies[1:]:
            self.assertIn(by_seq[r["cause"]]["kind"], ("command", "data"))
        # What AUTH PLAIN's base64 said: an eavesdropper reads it too.
        decoded = [e for e in self.imported
                   if e.get("conn") == conn and e.get("explain") == "smtp.note.auth_decoded"]
        self.assertEqual(decoded[0]["decoded"]["password"], ALICE_PW)
        kinds = {e["kind"] for e in self.imported if e.get("conn") == conn}
        self.assertTrue({"tcp", "bytes", "command", "reply", "state", "data"} <= kinds)
        actions = [e["action"] for e in self.imported if e.get("conn") == conn and e["kind"] == "tcp"]
        self.assertEqual(actions, ["connect", "close"])

    def test_starttls_shows_the_handshake_and_no_commands_after_it(self):
        port = self.ports["smtp_starttls"]
        served_conn = conn_of(self.served, port)
        imported_conn = conn_of(self.imported, port)
        served = [e for e in self.served if e.get("conn") == served_conn]
        imported = [e for e in self.imported if e.get("conn") == imported_conn]
        # Up to the handshake: what the server traced before TLS.
        served_plain = [e for e in served if not e.get("tls") and e["kind"] != "tls"]
        before = {"commands": [(e.get("verb"), e["text"]) for e in served_plain
                               if e["kind"] == "command"],
                  "replies": [(e.get("code"), e["text"]) for e in served_plain
                              if e["kind"] == "reply"]}
        self.assertEqual([c[0] for c in before["commands"]], ["EHLO", "STARTTLS"])
        self.assertEqual([(e.get("verb"), e["text"]) for e in imported if e["kind"] == "command"],
                         before["commands"])
        self.assertEqual([(e.get("code"), e["text"]) for e in imported if e["kind"] == "reply"],
                         before["replies"])
        states = [(e["from_state"], e["to_state"]) for e in imported if e["kind"] == "state"]
        self.assertEqual(states, [("CONNECTED", "WAIT_HELO"), ("WAIT_HELO", "READY"),
                                  ("READY", "TLS_HANDSHAKE"), ("TLS_HANDSHAKE", "WAIT_HELO")])
        served_states = [(e["from_state"], e["to_state"]) for e in served
                         if e["kind"] == "state" and e["machine"] == "smtp.server"]
        self.assertEqual(served_states[:4], states)
        tls = [e for e in imported if e["kind"] == "tls"]
        self.assertEqual([e["phase"] for e in tls], ["handshake_start", "established"])
        self.assertEqual(tls[0]["mode"], "starttls")
        served_tls = [e for e in served if e["kind"] == "tls" and e["phase"] == "established"]
        self.assertEqual(tls[1]["version"], served_tls[0]["version"])
        self.assertEqual(tls[1]["cipher"], served_tls[0]["cipher"])
        # After the 220: records, never plaintext. The server's trace has the mail; this not.
        start = imported.index(tls[0])
        after = [e for e in imported[start:] if e["kind"] == "bytes"]
        self.assertTrue(after)
        self.assertTrue(all(e["explain"] == "capture.tls.records" and e.get("tls") for e in after))
        self.assertFalse(any(e["kind"] in ("command", "reply", "data") for e in imported[start:]))
        self.assertTrue(any(e["kind"] == "data" for e in served))
        self.assertTrue(any(e.get("explain") == "capture.tls.hidden" for e in imported))

    def test_bad_files_get_clear_errors(self):
        binary = maillab_bin()
        out = self.capture_dir / "out.jsonl"
        text = self.capture_dir / "notes.txt"
        text.write_text("not a capture\n")
        run = subprocess.run([binary, "import", str(text), "-o", str(out)],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 1)
        self.assertIn(str(text), run.stderr)
        self.assertIn("not a capture file", run.stderr)
        self.assertFalse(out.exists())
        # The real capture cut in the middle of its last packet.
        data = self.pcap.read_bytes()
        cut = self.capture_dir / "cut.pcap"
        cut.write_bytes(data[:-10])
        run = subprocess.run([binary, "import", str(cut), "-o", str(out)],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertIn(str(cut), run.stderr)
        self.assertIn("--partial", run.stderr)
        run = subprocess.run([binary, "import", str(cut), "-o", str(out), "--partial"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("warning", run.stderr)
        self.assertTrue(out.exists())


if __name__ == "__main__":
    unittest.main()
