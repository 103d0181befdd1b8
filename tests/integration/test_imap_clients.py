"""Real IMAP clients (Python imaplib, a raw-socket client, curl, s-nail) against `maillab serve`.

Run:
    MAILLAB_BIN=/work/main/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s /work/main/tests/integration -p 'test_*.py' -v

One server per test class (in-memory store). Mail reaches bob@example.org through the server's
own SMTP listener (smtplib); the SMTP store event ("deliver", with the stored bytes) says exactly
what IMAP must hand out: BODY[] must be those bytes, byte for byte, and every section must be the
matching slice of them. Messages are written with CRLF line ends, so sizes agree as well.

Every test finds its own messages by a unique marker and by the UID from the store event (or from
APPENDUID/COPYUID), never by position, so the tests of a class do not depend on their order.

The terminal client test needs s-nail (Debian package `s-nail`); it is skipped when s-nail is not
installed, as the curl tests are without curl.

When maillab dies during a test, that test fails with the server's output and the class goes on
with a fresh server, so one crash does not hide the results of the other tests.
"""

from __future__ import annotations

import base64
import datetime
import email.policy
import email.utils
import imaplib
import os
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from maillab_server import (LOCALHOST, MaillabServer, strip_received,  # noqa: E402
                            unverified_tls)

ALICE, ALICE_PW = "alice@example.org", "alicepw"
BOB, BOB_PW = "bob@example.org", "bobpw"
CRLF = b"\r\n"
TIMEOUT = 20  # seconds for any one client operation
PUSH_TIMEOUT = 5.0  # seconds within which an IDLE client must hear about a change
IMAP = "imap.server"
SYSTEM_FLAGS = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"}
ATTACHMENT_NAME = "季度报告.pdf"
ATTACHMENT = bytes(range(256)) * 12  # 3072 octets, every byte value


# ----- modified UTF-7 (RFC 3501 5.1.3) -------------------------------------------------------
def mutf7_encode(name: str) -> str:
    out, pending = [], []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] != "&":
            out.append(text[i])
            i += 1
            continue
        end = text.index("-", i)
        if end == i + 1:
            out.append("&")
        else:
            b64 = text[i + 1:end].replace(",", "/")
            out.append(base64.b64decode(b64 + "=" * (-len(b64) % 4)).decode("utf-16-be"))
        i = end + 1
    return "".join(out)


assert mutf7_encode("台北/日本語") == "&U,BTFw-/&ZeVnLIqe-"  # the example of RFC 3501 5.1.3
assert mutf7_decode("&U,BTFw-/&ZeVnLIqe-") == "台北/日本語"


# ----- IMAP response data -> Python values ----------------------------------------------------
class Atom(bytes):
    """An IMAP atom (including flags and FETCH item names such as BODY[HEADER.FIELDS (X)]<0>)."""


class Str(bytes):
    """An IMAP quoted string or literal."""


_LP, _RP = object(), object()


def _tokenize(s: bytes, out: list) -> None:
    i = 0
    while i < len(s):
        c = s[i:i + 1]
        if c in (b" ", b"\r", b"\n"):
            i += 1
        elif c == b"(":
            out.append(_LP)
            i += 1
        elif c == b")":
            out.append(_RP)
            i += 1
        elif c == b"{" and re.match(rb"\{(\d+)\+?\}\r\n", s[i:]):
            m = re.match(rb"\{(\d+)\+?\}\r\n", s[i:])  # a literal inside a raw line
            start = i + m.end()
            out.append(Str(s[start:start + int(m.group(1))]))
            i = start + int(m.group(1))
        elif c == b'"':
            j, buf = i + 1, bytearray()
            while s[j:j + 1] != b'"':
                if j >= len(s):
                    raise ValueError(f"unterminated quoted string in {s!r}")
                if s[j:j + 1] == b"\\":
                    j += 1
                buf += s[j:j + 1]
                j += 1
            out.append(Str(bytes(buf)))
            i = j + 1
        else:
            j, depth = i, 0
            while j < len(s):
                ch = s[j:j + 1]
                if ch == b"[":
                    depth += 1
                elif ch == b"]":
                    depth -= 1
                elif depth == 0 and ch in (b" ", b"(", b")", b"\r", b"\n"):
                    break
                j += 1
            out.append(Atom(s[i:j]))
            i = j


def tokens_of(data) -> list:
    """Tokens of imaplib response data: bytes lines and (head ending in {n}, literal) tuples."""
    toks: list = []
    for el in data if isinstance(data, list) else [data]:
        if el is None:
            continue
        if isinstance(el, tuple):
            head, literal = el
            m = re.search(rb"\{(\d+)\+?\}\s*$", head)
            if not m:
                raise ValueError(f"literal without a {{n}} announcement: {head!r}")
            _tokenize(head[:m.start()], toks)
            toks.append(Str(literal))
        else:
            _tokenize(el, toks)
    return toks


def _values(toks: list, pos: int, until_rp: bool):
    items = []
    while pos < len(toks):
        t = toks[pos]
        if t is _RP:
            if until_rp:
                return items, pos + 1
            raise ValueError("unbalanced ')'")
        if t is _LP:
            inner, pos = _values(toks, pos + 1, True)
            items.append(inner)
            continue
        items.append(None if isinstance(t, Atom) and t.upper() == b"NIL" else t)
        pos += 1
    if until_rp:
        raise ValueError("unbalanced '('")
    return items, pos


def parse_values(data) -> list:
    """Top-level values of response data; lists become Python lists, NIL None."""
    return _values(tokens_of(data), 0, False)[0]


def parse_fetch(data) -> list[tuple[int, dict]]:
    """imaplib FETCH data -> [(message number, {ITEM NAME (upper case): value})]."""
    values = parse_values(data)
    out = []
    for k in range(0, len(values), 2):
        number, items = values[k], values[k + 1]
        out.append((int(number), {bytes(items[i]).decode().upper(): items[i + 1]
                                  for i in range(0, len(items), 2)}))
    return out


def parse_untagged_fetch(line: bytes) -> tuple[int, dict] | None:
    """A raw '* n FETCH (...)' line -> (n, items); None for other lines."""
    m = re.match(rb"\* (\d+) FETCH (.*)$", line, re.S)
    if not m:
        return None
    return parse_fetch([m.group(1) + b" " + m.group(2)])[0]


def flag_set(value) -> set[str]:
    return {bytes(f).decode() for f in value}


def as_dict(pairs: list) -> dict[str, object]:
    return {bytes(pairs[i]).decode().upper(): pairs[i + 1] for i in range(0, len(pairs), 2)}


def internaldate(value: bytes) -> datetime.datetime:
    return datetime.datetime.strptime(bytes(value).decode().strip(), "%d-%b-%Y %H:%M:%S %z")


def search_numbers(dat: list) -> list[int]:
    return [int(x) for x in b" ".join(d for d in dat if d).split()]


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def imap_date(d: datetime.date) -> str:
    return f"{d.day}-{MONTHS[d.month - 1]}-{d.year}"


def untagged_numbers(lines: list[bytes], word: str) -> list[int]:
    """n of every '* n WORD' line (EXISTS, EXPUNGE, RECENT), in order."""
    pattern = re.compile(rb"\* (\d+) " + word.encode() + rb"\r\n$")
    return [int(m.group(1)) for m in (pattern.match(x) for x in lines) if m]


# ----- messages ---------------------------------------------------------------------------------
def new_marker() -> str:
    return uuid.uuid4().hex


def plain_message(subject: str, marker: str, body: bytes = b"",
                  sender: str = "Alice <alice@example.org>", date: str | None = None) -> bytes:
    """A small text/plain message with CRLF line ends; the marker is in Message-ID and body."""
    lines = [f"From: {sender}", "To: Bob <bob@example.org>", f"Subject: {subject}",
             f"Date: {date or email.utils.formatdate(localtime=False)}",
             f"Message-ID: <{marker}@client.test>", "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=us-ascii"]
    msg = CRLF.join(x.encode() for x in lines) + CRLF + CRLF
    msg += f"Hello Bob, this is message {marker}.".encode() + CRLF + body
    if not msg.endswith(CRLF):
        msg += CRLF
    return msg


def multipart_message(marker: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "Alice <alice@example.org>"
    m["To"] = "Bob <bob@example.org>"
    m["Subject"] = f"季度报告 {marker[:8]}"
    m["Date"] = email.utils.formatdate(localtime=False)
    m["Message-ID"] = f"<{marker}@client.test>"
    m.set_content(f"你好 Bob,\nthe report {marker} is attached.\nAlice\n")
    m.add_attachment(ATTACHMENT, maintype="application", subtype="pdf", filename=ATTACHMENT_NAME)
    return m


def header_block(raw: bytes) -> bytes:
    """The header of a message or part, with the empty line that ends it."""
    return raw[:raw.index(b"\r\n\r\n") + 4]


def header_fields(header: bytes) -> list[tuple[str, bytes]]:
    """[(lower-case name, the field's raw lines including CRLF)] in order."""
    fields: list[tuple[str, bytes]] = []
    for line in header[:-2].split(CRLF)[:-1]:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + line + CRLF)
        else:
            fields.append((line.split(b":", 1)[0].decode().strip().lower(), line + CRLF))
    return fields


def mime_parts(raw: bytes, boundary: str) -> list[bytes]:
    """The raw parts (header + body) of a multipart entity (RFC 2046 5.1.1 delimiters)."""
    delim = b"--" + boundary.encode()
    body = raw[raw.index(b"\r\n\r\n") + 2:]  # keep the CRLF that precedes the first delimiter
    pieces = body.split(b"\r\n" + delim)
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break  # the close delimiter
        parts.append(piece[piece.index(CRLF) + 2:])
    return parts


# ----- a raw IMAP client --------------------------------------------------------------------------
class RawImap:
    """A line-level IMAP client on a plain socket: it sends exactly what a test writes."""

    def __init__(self, port: int, tls: bool = False):
        sock = socket.create_connection((LOCALHOST, port), timeout=TIMEOUT)
        if tls:
            sock = unverified_tls().wrap_socket(sock)
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.buf = b""
        self.count = 0
        self.transcript: list[bytes] = []
        self.greeting = self.read_line()

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("nothing more from the server in time; transcript so far:\n"
                                 + b"".join(self.transcript).decode(errors="replace"))
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection; transcript so far:\n"
                                  + b"".join(self.transcript).decode(errors="replace"))
        self.buf += chunk

    def read_line(self, timeout: float = TIMEOUT) -> bytes:
        """One response line including CRLF, literals included in it."""
        deadline = time.monotonic() + timeout
        line = b""
        while True:
            while CRLF not in self.buf:
                self._fill(deadline)
            nl = self.buf.index(CRLF) + 2
            part, self.buf = self.buf[:nl], self.buf[nl:]
            line += part
            m = re.search(rb"\{(\d+)\}\r\n$", part)
            if not m:
                self.transcript.append(b"S: " + line)
                return line
            n = int(m.group(1))
            while len(self.buf) < n:
                self._fill(deadline)
            line += self.buf[:n]
            self.buf = self.buf[n:]

    def send(self, data: bytes) -> None:
        self.transcript.append(b"C: " + data)
        self.sock.sendall(data)

    def next_tag(self) -> str:
        self.count += 1
        return f"r{self.count}"

    def command(self, text: str, timeout: float = TIMEOUT) -> tuple[list[bytes], bytes]:
        """Send `tag text`; return (untagged and continuation lines, the tagged line)."""
        tag = self.next_tag()
        self.send(f"{tag} {text}\r\n".encode())
        return self.until_tagged(tag, timeout)

    def until_tagged(self, tag: str, timeout: float = TIMEOUT) -> tuple[list[bytes], bytes]:
        lines = []
        while True:
            line = self.read_line(timeout)
            if line.startswith(tag.encode() + b" "):
                return lines, line
            lines.append(line)

    def close(self) -> None:
        try:
            self.command("LOGOUT", timeout=5)
        except Exception:
            pass
        try:
            self.sock.close()
        except Exception:
            pass


# ----- the base class -----------------------------------------------------------------------------
class ImapTestCase(unittest.TestCase):
    server: MaillabServer

    @classmethod
    def setUpClass(cls):
        cls.start_server()

    @classmethod
    def start_server(cls) -> None:
        server = MaillabServer(imap=True, imaps=True)
        cls.server = server
        # Registered before start(): the server is stopped by pid even if a later step fails.
        cls.addClassCleanup(server.cleanup)
        cls.addClassCleanup(server.stop)
        server.start()

    def setUp(self):
        # Registered first, so it runs after every other cleanup of the test.
        self.addCleanup(self._check_server_alive)

    def _check_server_alive(self) -> None:
        server = self.server
        if server.proc is None:
            return
        if server.proc.poll() is None:
            # Running; but a server that is dying still has its process for a moment, so ask it
            # for a greeting before saying it is fine.
            try:
                with socket.create_connection((LOCALHOST, server.imap_port), timeout=2) as s:
                    s.settimeout(2)
                    if s.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                pass
            try:
                server.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.fail("maillab serve is running but gave no IMAP greeting within 2 s")
        rc, output = server.proc.returncode, server.output()
        events = [f"#{e.get('seq')} conn {e.get('conn')} {e.get('kind')}: {e.get('text')}"
                  for e in server.events()[-12:]]
        type(self).start_server()  # the remaining tests of the class get a fresh server
        self.fail(f"maillab serve died during this test (exit status {rc}).\nits output:\n"
                  f"{output[-3000:]}\nthe last trace events:\n" + "\n".join(events))

    # ----- SMTP side -----------------------------------------------------------------------------
    def deliver(self, msg: bytes | EmailMessage, marker: str) -> dict:
        """Send a message to bob with smtplib; return its store event (raw_bytes, uid)."""
        data = msg.as_bytes(policy=email.policy.SMTP) if isinstance(msg, EmailMessage) else msg
        with smtplib.SMTP(LOCALHOST, self.server.smtp_port, local_hostname="client.test",
                          timeout=TIMEOUT) as s:
            self.assertEqual(s.sendmail(ALICE, [BOB], data), {})
        events = self.server.delivered(BOB, marker.encode(), timeout=5.0)
        self.assertEqual(len(events), 1, f"one store event expected for {marker}")
        ev = events[0]
        self.assertEqual(strip_received(ev["raw_bytes"]), data)
        self.assertEqual(ev.get("mailbox"), "INBOX")
        self.assertIsInstance(ev.get("uid"), int)
        return ev

    def deliver_plain(self, subject: str, **kw) -> tuple[str, dict]:
        marker = new_marker()
        return marker, self.deliver(plain_message(f"{subject} {marker}", marker, **kw), marker)

    def mailbox_uids(self, mailbox: str = "INBOX") -> list[int]:
        """bob's UIDs in a mailbox as the trace tells it: delivered + appended - expunged."""
        uids: set[int] = set()
        for e in self.server.events("store"):
            if e.get("user") != BOB or e.get("mailbox") != mailbox:
                continue
            if e.get("action") in ("deliver", "append"):
                uids.add(e["uid"])
            elif e.get("action") == "expunge":
                uids.discard(e["uid"])
        return sorted(uids)

    def highest_uid(self, mailbox: str = "INBOX") -> int:
        return max([e["uid"] for e in self.server.events("store")
                    if e.get("user") == BOB and e.get("mailbox") == mailbox
                    and e.get("action") in ("deliver", "append")] or [0])

    # ----- IMAP side -----------------------------------------------------------------------------
    def imap(self, tls: bool = False) -> imaplib.IMAP4:
        if tls:
            m = imaplib.IMAP4_SSL(LOCALHOST, self.server.imaps_port, ssl_context=unverified_tls(),
                                  timeout=TIMEOUT)
        else:
            m = imaplib.IMAP4(LOCALHOST, self.server.imap_port, timeout=TIMEOUT)
        self.addCleanup(self._logout, m)
        m.conn = self.server.conn_of_client_port(m.sock.getsockname()[1])
        return m

    @staticmethod
    def _logout(m: imaplib.IMAP4) -> None:
        try:
            if m.state != "LOGOUT":
                m.logout()
        except Exception:
            try:
                m.shutdown()
            except Exception:
                pass

    def login(self, user: str = "bob", password: str = BOB_PW, tls: bool = False,
              select: str | None = "INBOX") -> imaplib.IMAP4:
        m = self.imap(tls)
        typ, dat = m.login(user, password)
        self.assertEqual(typ, "OK", dat)
        if select is not None:
            typ, dat = m.select(select)
            self.assertEqual(typ, "OK", dat)
        return m

    def raw(self, tls: bool = False, login: bool = True, select: bool = True) -> RawImap:
        r = RawImap(self.server.imaps_port if tls else self.server.imap_port, tls=tls)
        self.addCleanup(r.close)
        r.conn = self.server.conn_of_client_port(r.port)
        self.assertTrue(r.greeting.startswith(b"* OK"), r.greeting)
        if login:
            _, tagged = r.command(f"LOGIN bob {BOB_PW}")
            self.assertIn(b" OK", tagged)
        if select:
            lines, tagged = r.command("SELECT INBOX")
            self.assertIn(b" OK", tagged, lines)
            r.exists = self.exists_of(lines)
        return r

    def exists_of(self, lines: list[bytes]) -> int:
        found = untagged_numbers(lines, "EXISTS")
        self.assertEqual(len(found), 1, lines)
        return found[0]

    def fetch_uid(self, m: imaplib.IMAP4, uid: int, items: str) -> tuple[int, dict]:
        """UID FETCH one message; (its message number, all items returned for it)."""
        typ, dat = m.uid("FETCH", str(uid), items)
        self.assertEqual(typ, "OK", dat)
        number, merged = None, {}
        for n, fields in parse_fetch(dat):
            if "UID" in fields and int(fields["UID"]) != uid:
                continue  # an unsolicited update for another message
            number = n if number is None else number
            self.assertEqual(n, number, dat)
            merged.update(fields)
        self.assertIsNotNone(number, f"UID FETCH {uid} {items} returned nothing: {dat!r}")
        self.assertEqual(int(merged["UID"]), uid, dat)
        return number, merged

    def seq_of(self, m: imaplib.IMAP4, uid: int) -> int:
        return self.fetch_uid(m, uid, "(UID)")[0]

    def flags_of(self, m: imaplib.IMAP4, uid: int) -> set[str]:
        return flag_set(self.fetch_uid(m, uid, "(FLAGS)")[1]["FLAGS"])

    def uid_map(self, m: imaplib.IMAP4) -> dict[int, int]:
        """{message number: UID} of the selected mailbox."""
        typ, dat = m.fetch("1:*", "(UID)")
        self.assertEqual(typ, "OK", dat)
        return {n: int(f["UID"]) for n, f in parse_fetch(dat) if "UID" in f}

    def status(self, m: imaplib.IMAP4, mailbox: str,
               items: str = "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)") -> dict[str, int]:
        typ, dat = m.status(mailbox, items)
        self.assertEqual(typ, "OK", dat)
        values = parse_values(dat)
        self.assertEqual(bytes(values[0]).decode(), mailbox, dat)
        return {k: int(v) for k, v in as_dict(values[1]).items()}

    def list_names(self, m: imaplib.IMAP4, pattern: str = "*",
                   command: str = "LIST") -> dict[str, tuple]:
        """{wire name: (attributes, delimiter)} from LIST or LSUB."""
        typ, dat = m.list('""', pattern) if command == "LIST" else m.lsub('""', pattern)
        self.assertEqual(typ, "OK", dat)
        out = {}
        for el in dat:
            if el is None:
                continue
            attrs, delim, name = parse_values(el)
            out[bytes(name).decode()] = (flag_set(attrs), bytes(delim).decode() if delim else None)
        return out

    # ----- trace -----------------------------------------------------------------------------
    def states(self, conn: int) -> list[dict]:
        return self.server.events("state", conn=conn, machine=IMAP)

    def state_path(self, conn: int) -> list[tuple[str, str]]:
        return [(e["to_state"], e.get("reason")) for e in self.states(conn)]

    def notes(self, conn: int) -> set[str]:
        return {e.get("explain") for e in self.server.events("note", conn=conn)}

    def tagged_reply(self, conn: int, verb: str) -> dict:
        """The tagged reply to the latest tagged command `verb` on conn."""
        commands = [e for e in self.server.events("command", conn=conn, verb=verb) if e.get("tag")]
        self.assertTrue(commands, f"no {verb} command on conn {conn} in the trace")
        cmd = commands[-1]
        found = self.server.wait_events(
            lambda e: e["seq"] > cmd["seq"] and e.get("tag") == cmd["tag"],
            timeout=2.0, kind="reply", conn=conn)
        self.assertEqual(len(found), 1, f"tagged reply to {cmd.get('text')}: {found}")
        return found[0]

    def expunged(self, uid: int, mailbox: str = "INBOX") -> list[dict]:
        return [e for e in self.server.events("store", action="expunge")
                if e.get("uid") == uid and e.get("user") == BOB and e.get("mailbox") == mailbox]

    def client_bytes(self, conn: int, after: int, before: int | None = None) -> bytes:
        """What the client sent on conn between two trace seqs."""
        return b"".join(e["raw_bytes"] for e in self.server.events("bytes", conn=conn)
                        if e["seq"] > after and (before is None or e["seq"] < before)
                        and e.get("to") == "mail.example.org")


# ================================================================================================
class ImaplibSessionTests(ImapTestCase):
    """imaplib: greeting, CAPABILITY, LOGIN/AUTHENTICATE, SELECT/EXAMINE, STARTTLS, IMAPS."""

    def test_greeting_and_capability(self):
        m = self.imap()
        self.assertTrue(m.welcome.startswith(b"* OK"), m.welcome)
        typ, dat = m.capability()
        self.assertEqual(typ, "OK", dat)
        caps = set(dat[0].decode().upper().split())
        for cap in ("IMAP4REV1", "LITERAL+", "IDLE", "UIDPLUS", "UNSELECT", "AUTH=PLAIN",
                    "SASL-IR", "STARTTLS"):
            self.assertIn(cap, caps)
        self.assertEqual(set(m.capabilities), caps)
        self.assertEqual(self.state_path(m.conn), [("NOT_AUTHENTICATED", "greeting sent")])

    def test_login_local_part_and_full_address(self):
        for name in ("bob", BOB):
            with self.subTest(user=name):
                m = self.imap()
                typ, dat = m.login(name, BOB_PW)
                self.assertEqual(typ, "OK", dat)
                self.assertEqual(self.tagged_reply(m.conn, "LOGIN")["status"], "OK")
                self.assertEqual(self.state_path(m.conn)[-1], ("AUTHENTICATED", "LOGIN accepted"))
                self.assertIn("imap.note.password_in_clear", self.notes(m.conn))
                typ, dat = m.logout()
                self.assertEqual(typ, "BYE", dat)
                found = self.server.wait_events(lambda e: e["to_state"] == "LOGOUT", timeout=2.0,
                                                kind="state", conn=m.conn, machine=IMAP)
                self.assertEqual(len(found), 1, self.state_path(m.conn))

    def test_wrong_password_is_no_and_the_session_goes_on(self):
        m = self.imap()
        for user, password in (("bob", "not-the-password"), ("nosuchuser", BOB_PW)):
            with self.assertRaises(imaplib.IMAP4.error) as cm:
                m.login(user, password)
            self.assertIn("AUTHENTICATIONFAILED", str(cm.exception))
            reply = self.tagged_reply(m.conn, "LOGIN")
            self.assertEqual(reply["status"], "NO", reply)
            self.assertEqual(self.state_path(m.conn), [("NOT_AUTHENTICATED", "greeting sent")])
        typ, dat = m.login("bob", BOB_PW)
        self.assertEqual(typ, "OK", dat)

    def test_authenticate_plain(self):
        m = self.imap()
        typ, dat = m.authenticate("PLAIN", lambda _: b"\0bob\0" + BOB_PW.encode())
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(self.state_path(m.conn)[-1], ("AUTHENTICATED", "AUTHENTICATE PLAIN accepted"))
        m2 = self.imap()
        with self.assertRaises(imaplib.IMAP4.error):
            m2.authenticate("PLAIN", lambda _: b"\0bob\0wrong")
        self.assertEqual(self.tagged_reply(m2.conn, "AUTHENTICATE")["status"], "NO")

    def test_raw_literals_and_errors(self):
        r = self.raw(login=False, select=False)
        # An unknown command is BAD, a command in the wrong state is refused; the session goes on.
        _, tagged = r.command("FROBNICATE")
        self.assertRegex(tagged, rb"^r\d+ BAD ")
        _, tagged = r.command("SELECT INBOX")
        self.assertRegex(tagged, rb"^r\d+ (BAD|NO) ")
        # LOGIN with synchronising literals: the server asks for each with "+".
        tag = r.next_tag()
        r.send(f"{tag} LOGIN {{3}}\r\n".encode())
        self.assertTrue(r.read_line().startswith(b"+"), r.transcript)
        r.send(b"bob {5}\r\n")
        self.assertTrue(r.read_line().startswith(b"+"), r.transcript)
        r.send(BOB_PW.encode() + CRLF)
        _, tagged = r.until_tagged(tag)
        self.assertRegex(tagged, rb"^r\d+ OK ")
        # LITERAL+ (non-synchronising): no continuation request, all in one go.
        lines, tagged = r.command("STATUS {5+}\r\nINBOX (MESSAGES)")
        self.assertRegex(tagged, rb"^r\d+ OK ", lines)
        self.assertTrue(any(x.startswith(b"* STATUS") for x in lines), lines)
        self.assertFalse(any(x.startswith(b"+") for x in lines), lines)

    def test_select_reports_the_mailbox(self):
        marker, ev = self.deliver_plain("select test")
        m = self.login(select=None)
        st = self.status(m, "INBOX")
        expected_uids = self.mailbox_uids()
        typ, dat = m.select("INBOX")
        self.assertEqual(typ, "OK", dat)
        u = m.untagged_responses
        exists = int(u["EXISTS"][-1])
        self.assertEqual(int(dat[0]), exists)
        self.assertEqual(exists, len(expected_uids), "EXISTS differs from the trace's deliveries")
        self.assertEqual(exists, st["MESSAGES"])
        self.assertEqual(int(u["UIDVALIDITY"][-1]), st["UIDVALIDITY"])
        self.assertGreater(st["UIDVALIDITY"], 0)
        self.assertEqual(int(u["UIDNEXT"][-1]), st["UIDNEXT"])
        self.assertEqual(int(u["UIDNEXT"][-1]), self.highest_uid() + 1)
        self.assertGreater(int(u["UIDNEXT"][-1]), ev["uid"])
        self.assertGreaterEqual(int(u["RECENT"][-1]), 1, "the new message is recent here")
        self.assertTrue(SYSTEM_FLAGS <= flag_set(parse_values(u["FLAGS"][-1])[0]), u["FLAGS"])
        permanent = flag_set(parse_values(u["PERMANENTFLAGS"][-1])[0])
        self.assertTrue(SYSTEM_FLAGS | {"\\*"} <= permanent, permanent)
        self.assertIn("READ-WRITE", u)
        # UNSEEN names the first message without \Seen.
        typ, fdat = m.fetch("1:*", "(FLAGS)")
        unseen = [n for n, f in parse_fetch(fdat) if "\\Seen" not in flag_set(f["FLAGS"])]
        self.assertTrue(unseen)
        self.assertEqual(int(u["UNSEEN"][-1]), min(unseen))
        # The message is \Recent in this session, and only in this one (RFC 3501 2.3.2).
        self.assertEqual(self.uid_map(m), dict(enumerate(expected_uids, start=1)))
        self.assertIn("\\Recent", self.flags_of(m, ev["uid"]))
        m2 = self.login()
        self.assertEqual(int(m2.untagged_responses["RECENT"][-1]), 0)
        self.assertNotIn("\\Recent", self.flags_of(m2, ev["uid"]))
        self.assertEqual(self.state_path(m.conn)[-1], ("SELECTED", "SELECT INBOX"))

    def test_examine_is_read_only(self):
        marker, ev = self.deliver_plain("examine test")
        m = self.login(select=None)
        typ, dat = m.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK", dat)
        self.assertIn("READ-ONLY", m.untagged_responses)
        self.assertEqual(parse_values(m.untagged_responses["PERMANENTFLAGS"][-1])[0], [])
        typ, dat = m.uid("STORE", str(ev["uid"]), "+FLAGS", r"(\Flagged)")
        self.assertEqual(typ, "NO", dat)
        # EXAMINE claims no \Recent and a body fetch there does not set \Seen.
        self.fetch_uid(m, ev["uid"], "(BODY[])")
        self.assertNotIn("\\Seen", self.flags_of(m, ev["uid"]))

    def test_starttls_then_login(self):
        marker, ev = self.deliver_plain("starttls test")
        m = self.imap()
        self.assertIn("STARTTLS", m.capabilities)
        typ, dat = m.starttls(ssl_context=unverified_tls())
        self.assertEqual(typ, "OK", dat)
        version = m.sock.version()
        self.assertIn(version, ("TLSv1.2", "TLSv1.3"))
        self.assertNotIn("STARTTLS", m.capabilities, "STARTTLS still offered inside TLS")
        typ, dat = m.login("bob", BOB_PW)
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(m.select("INBOX")[0], "OK")
        _, f = self.fetch_uid(m, ev["uid"], "(BODY.PEEK[])")
        self.assertEqual(f["BODY[]"], ev["raw_bytes"])
        tls = [e for e in self.server.events("tls", conn=m.conn) if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1, self.server.events("tls", conn=m.conn))
        self.assertEqual(tls[0].get("version"), version)
        self.assertNotIn("imap.note.password_in_clear", self.notes(m.conn))
        self.assertEqual([s for s, _ in self.state_path(m.conn)],
                         ["NOT_AUTHENTICATED", "TLS_HANDSHAKE", "NOT_AUTHENTICATED",
                          "AUTHENTICATED", "SELECTED"])

    def test_imaps_implicit_tls(self):
        marker, ev = self.deliver_plain("imaps test")
        m = self.imap(tls=True)
        self.assertTrue(m.welcome.startswith(b"* OK"), m.welcome)
        self.assertNotIn("STARTTLS", m.capabilities, "STARTTLS offered on the implicit-TLS port")
        self.assertEqual(m.login(BOB, BOB_PW)[0], "OK")
        self.assertEqual(m.select("INBOX")[0], "OK")
        _, f = self.fetch_uid(m, ev["uid"], "(BODY.PEEK[] RFC822.SIZE)")
        self.assertEqual(f["BODY[]"], ev["raw_bytes"])
        self.assertEqual(int(f["RFC822.SIZE"]), len(ev["raw_bytes"]))
        tls = [e for e in self.server.events("tls", conn=m.conn) if e.get("phase") == "established"]
        self.assertEqual(len(tls), 1, self.server.events("tls", conn=m.conn))
        self.assertEqual(tls[0].get("version"), m.sock.version())
        self.assertNotIn("imap.note.password_in_clear", self.notes(m.conn))


# ================================================================================================
class ImaplibMessageTests(ImapTestCase):
    """imaplib: APPEND, FETCH of every item, \\Seen, STORE, SEARCH, UID commands, COPY, EXPUNGE."""

    def test_append_with_flags_and_date(self):
        # APPEND in the authenticated state (no mailbox selected), as a client filing a sent
        # message does; a fresh session then reads what was stored.
        m = self.login(select=None)
        uidvalidity = self.status(m, "INBOX")["UIDVALIDITY"]
        appended = []
        for hours in (8, -7, 0):  # Beijing, California (a negative offset), UTC
            marker = new_marker()
            msg = plain_message(f"appended {marker}", marker, b"Appended, not sent.\r\n")
            when = datetime.datetime(2021, 3, 4, 5, 6, 7,
                                     tzinfo=datetime.timezone(datetime.timedelta(hours=hours)))
            date = imaplib.Time2Internaldate(when)
            typ, dat = m.append("INBOX", r"(\Flagged \Draft)", date, msg)
            self.assertEqual(typ, "OK", dat)
            code = re.search(rb"\[APPENDUID (\d+) (\d+)\]", dat[0])
            self.assertIsNotNone(code, dat)
            self.assertEqual(int(code.group(1)), uidvalidity)
            uid = int(code.group(2))
            appended.append((hours, uid, when, date, msg))
        self.assertEqual([u for _, u, *_ in appended], sorted(u for _, u, *_ in appended))
        reader = self.login()
        for hours, uid, when, date, msg in appended:
            with self.subTest(date=date):
                _, f = self.fetch_uid(reader, uid, "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
                self.assertEqual(flag_set(f["FLAGS"]) - {"\\Recent"}, {"\\Flagged", "\\Draft"})
                got = internaldate(f["INTERNALDATE"])
                self.assertEqual(got, when, f"APPEND date {date} came back as "
                                            f"{bytes(f['INTERNALDATE']).decode()}")
                self.assertEqual(f["BODY[]"], msg)
                self.assertEqual(int(f["RFC822.SIZE"]), len(msg))
                # SEARCH ON the internal date's day (in the zone the server gives it) finds it.
                typ, dat = reader.uid("SEARCH", f"ON {imap_date(got.date())} UID {uid}")
                self.assertEqual(search_numbers(dat), [uid], f"ON date of {date}")
        # A mailbox that is not there: NO [TRYCREATE].
        typ, dat = m.append(f"Missing-{new_marker()[:8]}", None, None, plain_message("x", "y"))
        self.assertEqual(typ, "NO", dat)
        self.assertIn(b"[TRYCREATE]", dat[0])
        # A session that has INBOX selected learns of an APPEND: EXISTS grows on its next command.
        exists = int(reader.untagged_responses["EXISTS"][-1])
        marker = new_marker()
        typ, dat = m.append("INBOX", None, None, plain_message(f"late {marker}", marker))
        self.assertEqual(typ, "OK", dat)
        reader.untagged_responses.pop("EXISTS", None)
        self.assertEqual(reader.noop()[0], "OK")
        self.assertEqual([int(x) for x in reader.untagged_responses.get("EXISTS", [])], [exists + 1])

    def test_append_is_in_the_trace(self):
        # The trace is what the visualizer shows: a message that APPEND stored must appear there
        # as a store event, as a delivery and a COPY do.
        m = self.login(select=None)
        marker = new_marker()
        typ, dat = m.append("INBOX", r"(\Seen)", None, plain_message(f"traced {marker}", marker))
        self.assertEqual(typ, "OK", dat)
        uid = int(re.search(rb"\[APPENDUID \d+ (\d+)\]", dat[0]).group(1))
        events = [e for e in self.server.events("store", conn=m.conn) if e.get("uid") == uid]
        self.assertEqual([(e.get("action"), e.get("mailbox")) for e in events], [("append", "INBOX")],
                         "APPEND left no store event; the APPEND's events: " +
                         repr([(e.get("kind"), e.get("text")) for e in self.server.events(conn=m.conn)
                               if e.get("kind") in ("command", "store", "note", "reply")][-6:]))

    def test_fetch_every_item_of_a_multipart_message(self):
        marker = new_marker()
        built = multipart_message(marker)
        ev = self.deliver(built, marker)
        stored, uid = ev["raw_bytes"], ev["uid"]
        boundary = built.get_boundary()
        header, text = header_block(stored), stored[len(header_block(stored)):]
        parts = mime_parts(stored, boundary)
        self.assertEqual(len(parts), 2)
        part1_header, part2_header = header_block(parts[0]), header_block(parts[1])
        part1_body, part2_body = parts[0][len(part1_header):], parts[1][len(part2_header):]
        self.assertEqual(base64.b64decode(part2_body), ATTACHMENT)  # the slicing is right

        m = self.login()
        before = datetime.datetime.now(datetime.timezone.utc)
        _, f = self.fetch_uid(m, uid, "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY UID)")
        self.assertNotIn("\\Seen", flag_set(f["FLAGS"]))
        self.assertLess(abs((internaldate(f["INTERNALDATE"]) - before).total_seconds()), 300,
                        f["INTERNALDATE"])
        self.assertEqual(int(f["RFC822.SIZE"]), len(stored))
        self.assertEqual(int(f["UID"]), uid)

        # ENVELOPE: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id.
        env = f["ENVELOPE"]
        self.assertEqual(len(env), 10, env)
        self.assertEqual(bytes(env[0]).decode(), built["Date"])
        self.assertEqual(str(make_header(decode_header(bytes(env[1]).decode()))), built["Subject"])
        self.assertIn(marker[:8], bytes(env[1]).decode())
        for i in (2, 3, 4):  # sender and reply-to default to from
            self.assertEqual([[bytes(x) if x is not None else None for x in a] for a in env[i]],
                             [[b"Alice", None, b"alice", b"example.org"]], env[i])
        self.assertEqual([[bytes(x) if x is not None else None for x in a] for a in env[5]],
                         [[b"Bob", None, b"bob", b"example.org"]], env[5])
        self.assertEqual(env[6:9], [None, None, None])
        self.assertEqual(bytes(env[9]).decode(), f"<{marker}@client.test>")

        # BODYSTRUCTURE (extensible) and BODY (basic).
        bs = f["BODYSTRUCTURE"]
        self.assertIsInstance(bs[0], list)
        self.assertIsInstance(bs[1], list)
        self.assertEqual(bytes(bs[2]).upper(), b"MIXED")
        self.assertEqual({k: bytes(v).decode() for k, v in as_dict(bs[3]).items()},
                         {"BOUNDARY": boundary})
        text_part, pdf_part = bs[0], bs[1]
        self.assertEqual((bytes(text_part[0]).upper(), bytes(text_part[1]).upper()), (b"TEXT", b"PLAIN"))
        self.assertEqual(bytes(as_dict(text_part[2])["CHARSET"]).lower(), b"utf-8")
        self.assertEqual(int(text_part[6]), len(part1_body))
        self.assertEqual(int(text_part[7]), part1_body.count(b"\n"))
        self.assertEqual((bytes(pdf_part[0]).upper(), bytes(pdf_part[1]).upper()),
                         (b"APPLICATION", b"PDF"))
        self.assertEqual(bytes(pdf_part[5]).upper(), b"BASE64")
        self.assertEqual(int(pdf_part[6]), len(part2_body))
        disposition = pdf_part[8]
        self.assertEqual(bytes(disposition[0]).upper(), b"ATTACHMENT", pdf_part)
        dparams = {k: bytes(v).decode() for k, v in as_dict(disposition[1]).items()}
        if "FILENAME*" in dparams:
            charset, _, encoded = dparams["FILENAME*"].split("'", 2)
            filename = urllib.parse.unquote(encoded, encoding=charset or "utf-8")
        else:
            filename = str(make_header(decode_header(dparams["FILENAME"])))
        self.assertEqual(filename, ATTACHMENT_NAME)
        body = f["BODY"]
        self.assertEqual(bytes(body[2]).upper(), b"MIXED")
        self.assertEqual(len(body), 3, f"BODY must not carry extension data: {body}")
        self.assertEqual(len(body[0]), 8, body[0])
        self.assertEqual(len(body[1]), 7, body[1])

        # Sections: each the exact slice of the stored bytes.
        _, f = self.fetch_uid(m, uid, "(BODY.PEEK[] BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[1] "
                                      "BODY.PEEK[1.MIME] BODY.PEEK[2] BODY.PEEK[2.MIME])")
        self.assertEqual(f["BODY[]"], stored, "BODY[] differs from what SMTP delivered")
        self.assertEqual(f["BODY[HEADER]"], header)
        self.assertEqual(f["BODY[TEXT]"], text)
        self.assertEqual(f["BODY[1]"], part1_body, "BODY[1] is not the stored first part")
        self.assertEqual(f["BODY[1.MIME]"], part1_header)
        self.assertEqual(f["BODY[2]"], part2_body)
        self.assertEqual(f["BODY[2.MIME]"], part2_header)
        fields = header_fields(header)
        wanted = b"".join(raw for name, raw in fields if name in ("subject", "message-id")) + CRLF
        without_received = b"".join(raw for name, raw in fields if name != "received") + CRLF
        _, f = self.fetch_uid(m, uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT MESSAGE-ID)] "
                                      "BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED)])")
        self.assertEqual(f["BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)]"], wanted)
        self.assertEqual(f["BODY[HEADER.FIELDS.NOT (RECEIVED)]"], without_received)

        # Partial fetches.
        n = len(stored)
        _, f = self.fetch_uid(m, uid, f"(BODY.PEEK[]<0.100> BODY.PEEK[]<100.50> BODY.PEEK[1]<0.5> "
                                      f"BODY.PEEK[]<{n - 10}.100>)")
        self.assertEqual(f["BODY[]<0>"], stored[:100])
        self.assertEqual(len(f["BODY[]<0>"]), 100)
        self.assertEqual(f["BODY[]<100>"], stored[100:150])
        self.assertEqual(f["BODY[1]<0>"], part1_body[:5])
        self.assertEqual(f[f"BODY[]<{n - 10}>"], stored[-10:])
        self.assertIn("imap.note.partial_fetch", self.notes(m.conn))

        # Macros.
        for macro, items in (("FAST", {"FLAGS", "INTERNALDATE", "RFC822.SIZE"}),
                             ("ALL", {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"}),
                             ("FULL", {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"})):
            with self.subTest(macro=macro):
                _, f = self.fetch_uid(m, uid, macro)
                self.assertEqual(set(f) - {"UID"}, items)

        # Nothing so far set \Seen.
        self.assertNotIn("\\Seen", self.flags_of(m, uid))
        # RFC822.HEADER is a peek; RFC822.TEXT and RFC822 are not.
        _, f = self.fetch_uid(m, uid, "(RFC822.HEADER)")
        self.assertEqual(f["RFC822.HEADER"], header)
        self.assertNotIn("\\Seen", self.flags_of(m, uid))
        _, f = self.fetch_uid(m, uid, "(RFC822.TEXT RFC822)")
        self.assertEqual(f["RFC822.TEXT"], text)
        self.assertEqual(f["RFC822"], stored)
        self.assertIn("\\Seen", self.flags_of(m, uid))

    def test_seen_set_by_body_fetch_not_by_peek(self):
        _, ev1 = self.deliver_plain("seen by BODY[]")
        _, ev2 = self.deliver_plain("seen by BODY[1]")
        m = self.login()
        for ev, section in ((ev1, ""), (ev2, "1")):
            with self.subTest(section=section):
                uid = ev["uid"]
                _, f = self.fetch_uid(m, uid, f"(BODY.PEEK[{section}])")
                self.assertNotIn("\\Seen", self.flags_of(m, uid), "BODY.PEEK set \\Seen")
                _, f = self.fetch_uid(m, uid, f"(BODY[{section}])")
                if not section:
                    self.assertEqual(f["BODY[]"], ev["raw_bytes"])
                self.assertIn("\\Seen", self.flags_of(m, uid), f"BODY[{section}] did not set \\Seen")
        # Another session sees the flag: it is in the store, not in the session.
        m2 = self.login()
        self.assertIn("\\Seen", self.flags_of(m2, ev1["uid"]))

    def test_implicit_seen_is_in_the_trace(self):
        # The trace is what the visualizer shows: a flag change made by FETCH BODY[] must be in it
        # as a store event, as a flag change made by STORE is.
        _, ev = self.deliver_plain("implicit seen trace")
        m = self.login()
        self.fetch_uid(m, ev["uid"], "(BODY[])")
        self.assertIn("\\Seen", self.flags_of(m, ev["uid"]))
        flag_events = [e for e in self.server.events("store", action="flags")
                       if e.get("uid") == ev["uid"]]
        self.assertEqual(len(flag_events), 1,
                         "no store flags event for the \\Seen that FETCH BODY[] set; the fetch's events: "
                         + repr([e.get("text") for e in self.server.events(conn=m.conn)
                                 if e.get("kind") in ("command", "store", "note")]))
        self.assertIn("\\Seen", flag_events[0].get("text", ""))

    def test_store_flags(self):
        _, ev = self.deliver_plain("store test")
        uid = ev["uid"]
        m = self.login()
        n = self.seq_of(m, uid)
        typ, dat = m.store(str(n), "+FLAGS", r"(\Flagged $Important)")
        self.assertEqual(typ, "OK", dat)
        echoed = [f for k, f in parse_fetch(dat) if k == n]
        self.assertTrue(echoed, dat)
        self.assertTrue({"\\Flagged", "$Important"} <= flag_set(echoed[-1]["FLAGS"]), dat)
        self.assertEqual(self.flags_of(m, uid) - {"\\Recent"}, {"\\Flagged", "$Important"})
        typ, dat = m.store(str(n), "-FLAGS", r"(\Flagged)")
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(self.flags_of(m, uid) - {"\\Recent"}, {"$Important"})
        typ, dat = m.store(str(n), "FLAGS", r"(\Answered \Seen)")
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(self.flags_of(m, uid) - {"\\Recent"}, {"\\Answered", "\\Seen"})
        typ, dat = m.store(str(n), "+FLAGS.SILENT", r"(\Draft)")
        self.assertEqual(typ, "OK", dat)
        self.assertEqual([d for d in dat if d is not None], [], ".SILENT still answered FETCH")
        self.assertEqual(self.flags_of(m, uid) - {"\\Recent"}, {"\\Answered", "\\Seen", "\\Draft"})
        # Persistent: a fresh session sees the same flags.
        m2 = self.login()
        self.assertEqual(self.flags_of(m2, uid) - {"\\Recent"}, {"\\Answered", "\\Seen", "\\Draft"})

    def test_search_combined_keys(self):
        marker = new_marker()
        short = marker[:10]
        sender = f"carol-{short}@example.net"
        m1 = plain_message(f"alpha {marker}", marker + "a", f"quokka{short}\r\n".encode(),
                           sender=f"Carol <{sender}>", date="Mon, 06 Jan 2020 09:00:00 +0000")
        ev1 = self.deliver(m1, marker + "a")
        big = EmailMessage()
        big["From"] = "Alice <alice@example.org>"
        big["To"] = "Bob <bob@example.org>"
        big["Subject"] = f"会议纪要 {short}"
        big["Date"] = email.utils.formatdate(localtime=False)
        big["Message-ID"] = f"<{marker}b@client.test>"
        big.set_content(f"Minutes {marker}\n" + "The meeting went on and on.\n" * 200)
        ev2 = self.deliver(big, marker + "b")
        self.assertGreater(len(ev2["raw_bytes"]), 4000)
        self.assertLess(len(ev1["raw_bytes"]), 4000)
        m = self.login(select=None)
        old = plain_message(f"old {marker}", marker + "c", date="Tue, 01 Jun 2021 12:00:00 +0000")
        typ, dat = m.append("INBOX", r"(\Seen)", '"01-Jun-2021 12:00:00 +0000"', old)
        self.assertEqual(typ, "OK", dat)
        u3 = int(re.search(rb"\[APPENDUID \d+ (\d+)\]", dat[0]).group(1))
        u1, u2 = ev1["uid"], ev2["uid"]
        self.assertEqual(m.select("INBOX")[0], "OK")

        def uids(criteria: str, charset: str | None = None) -> set[int]:
            typ, dat = m.uid("SEARCH", *((["CHARSET", charset] if charset else []) + [criteria]))
            self.assertEqual(typ, "OK", f"UID SEARCH {criteria}: {dat}")
            return set(search_numbers(dat))

        today = datetime.datetime.now(datetime.timezone.utc).date()
        cases = [
            (f'OR FROM "{sender}" SUBJECT "old {marker}"', {u1, u3}),
            (f"NOT SEEN TEXT {marker}", {u1, u2}),
            (f"LARGER 4000 TEXT {marker}", {u2}),
            (f"SMALLER 4000 TEXT {marker}", {u1, u3}),
            (f"(OR SEEN LARGER 4000) TEXT {marker}", {u2, u3}),
            (f"SINCE {imap_date(today - datetime.timedelta(days=1))} TEXT {marker}", {u1, u2}),
            (f"BEFORE 1-Jan-2022 TEXT {marker}", {u3}),
            (f"ON 1-Jun-2021 TEXT {marker}", {u3}),
            (f"SENTBEFORE 1-Jan-2021 TEXT {marker}", {u1}),
            (f"SENTSINCE 1-Jan-2021 TEXT {marker}", {u2, u3}),
            (f"HEADER Message-ID {marker}a", {u1}),
            (f"BODY quokka{short}", {u1}),
            (f"NOT OR FROM carol-{short} SEEN TEXT {marker}", {u2}),
            (f"UID {u1},{u3} TEXT {marker}", {u1, u3}),
            (f"{self.seq_of(m, u2)} TEXT {marker}", {u2}),
            (f"ALL UNDELETED UNFLAGGED TEXT {marker}", {u1, u2, u3}),
        ]
        for criteria, expected in cases:
            with self.subTest(criteria=criteria):
                self.assertEqual(uids(criteria), expected)
        # CHARSET UTF-8 with a Chinese SUBJECT, sent as a literal.
        m.literal = "会议".encode()
        typ, dat = m.uid("SEARCH", "CHARSET", "UTF-8", "TEXT", marker, "SUBJECT")
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(set(search_numbers(dat)), {u2})
        m.literal = "会议纪要".encode()
        typ, dat = m.uid("SEARCH", "CHARSET", "UTF-8", "SUBJECT")
        self.assertEqual(typ, "OK", dat)
        self.assertIn(u2, set(search_numbers(dat)))
        # Message numbers: SEARCH agrees with UID SEARCH through the UID map.
        typ, dat = m.search(None, f"TEXT {marker}")
        self.assertEqual(typ, "OK", dat)
        numbers = self.uid_map(m)
        self.assertEqual({numbers[k] for k in search_numbers(dat)}, {u1, u2, u3})
        # Flags change the answer.
        m.uid("STORE", str(u1), "+FLAGS", r"(\Seen)")
        self.assertEqual(uids(f"NOT SEEN TEXT {marker}"), {u2})
        # Unsupported charset: NO [BADCHARSET]; bad syntax: BAD; the session goes on.
        typ, dat = m.uid("SEARCH", "CHARSET", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO", dat)
        self.assertIn(b"BADCHARSET", dat[0])
        with self.assertRaises(imaplib.IMAP4.error):
            m.uid("SEARCH", "LARGER notanumber")
        self.assertEqual(self.tagged_reply(m.conn, "UID")["status"], "BAD")
        self.assertEqual(uids(f"LARGER 4000 TEXT {marker}"), {u2})

    def test_uid_fetch_store_copy_search_expunge(self):
        _, ev1 = self.deliver_plain("uid one")
        _, ev2 = self.deliver_plain("uid two")
        u1, u2 = ev1["uid"], ev2["uid"]
        target = f"UidCopies-{new_marker()[:8]}"
        m = self.login()
        self.assertEqual(m.create(target)[0], "OK")
        # UID FETCH of a UID range: both messages, numbered as FETCH numbers them.
        typ, dat = m.uid("FETCH", f"{u1}:{u2}", "(UID RFC822.SIZE)")
        self.assertEqual(typ, "OK", dat)
        got = {int(f["UID"]): (n, int(f["RFC822.SIZE"])) for n, f in parse_fetch(dat)}
        numbers = {u: n for n, u in self.uid_map(m).items()}
        self.assertEqual(got, {u1: (numbers[u1], len(ev1["raw_bytes"])),
                               u2: (numbers[u2], len(ev2["raw_bytes"]))})
        # UIDs that do not exist are left out, without an error.
        typ, dat = m.uid("FETCH", f"{u2 + 1000}:{u2 + 1010}", "(UID)")
        self.assertEqual(typ, "OK", dat)
        self.assertEqual([d for d in dat if d is not None], [])
        # UID STORE answers with the UID.
        typ, dat = m.uid("STORE", str(u1), "+FLAGS", r"(\Answered)")
        self.assertEqual(typ, "OK", dat)
        echoed = dict(parse_fetch(dat))
        self.assertEqual(int(echoed[numbers[u1]]["UID"]), u1)
        self.assertIn("\\Answered", flag_set(echoed[numbers[u1]]["FLAGS"]))
        # UID SEARCH.
        typ, dat = m.uid("SEARCH", f"UID {u1}:{u2} ANSWERED")
        self.assertEqual((typ, search_numbers(dat)), ("OK", [u1]))
        # UID COPY: COPYUID names the new UIDs.
        m.untagged_responses.pop("COPYUID", None)
        before = self.status(m, target)
        typ, dat = m.uid("COPY", f"{u1},{u2}", target)
        self.assertEqual(typ, "OK", dat)
        code = m.untagged_responses.pop("COPYUID", [b""])[-1].split()
        self.assertEqual(len(code), 3, m.untagged_responses)
        self.assertEqual(int(code[0]), before["UIDVALIDITY"])
        src = expand_set(code[1].decode())
        dst = expand_set(code[2].decode())
        self.assertEqual(src, [u1, u2])
        self.assertEqual(len(dst), 2)
        self.assertEqual(dst[0], before["UIDNEXT"])
        after = self.status(m, target)
        self.assertEqual(after["MESSAGES"], before["MESSAGES"] + 2)
        self.assertEqual(after["UIDNEXT"], max(dst) + 1)
        # UID EXPUNGE (UIDPLUS) removes only the UIDs named, of those marked \Deleted.
        typ, dat = m.uid("STORE", f"{u1},{u2}", "+FLAGS.SILENT", r"(\Deleted)")
        self.assertEqual(typ, "OK", dat)
        m.untagged_responses.pop("EXPUNGE", None)
        typ, dat = m.uid("EXPUNGE", str(u1))
        self.assertEqual(typ, "OK", dat)
        self.assertEqual([int(x) for x in m.untagged_responses.pop("EXPUNGE", [])], [numbers[u1]])
        self.assertEqual(len(self.expunged(u1)), 1)
        self.assertEqual(self.expunged(u2), [])
        remaining = set(self.uid_map(m).values())
        self.assertNotIn(u1, remaining)
        self.assertIn(u2, remaining)
        self.assertIn("\\Deleted", self.flags_of(m, u2))
        m.uid("STORE", str(u2), "-FLAGS.SILENT", r"(\Deleted)")
        # The copies are intact in the target mailbox, with the flags they had.
        self.assertEqual(m.select(target)[0], "OK")
        _, f = self.fetch_uid(m, dst[0], "(BODY.PEEK[] FLAGS)")
        self.assertEqual(f["BODY[]"], ev1["raw_bytes"])
        self.assertIn("\\Answered", flag_set(f["FLAGS"]))

    def test_copy_to_created_mailbox_then_status(self):
        _, ev = self.deliver_plain("copy test")
        target = f"Archive-{new_marker()[:8]}"
        m = self.login()
        typ, dat = m.create(target)
        self.assertEqual(typ, "OK", dat)
        st = self.status(m, target)
        self.assertEqual((st["MESSAGES"], st["UNSEEN"]), (0, 0))
        n = self.seq_of(m, ev["uid"])
        m.store(str(n), "+FLAGS", r"(\Flagged)")
        typ, dat = m.copy(str(n), target)
        self.assertEqual(typ, "OK", dat)
        code = re.search(rb"\[COPYUID (\d+) (\d+) (\d+)\]", dat[0])
        self.assertIsNotNone(code, dat)
        self.assertEqual(int(code.group(1)), st["UIDVALIDITY"])
        self.assertEqual(int(code.group(2)), ev["uid"])
        new_uid = int(code.group(3))
        self.assertEqual(new_uid, st["UIDNEXT"])
        st2 = self.status(m, target)
        self.assertEqual(st2, {"MESSAGES": 1, "RECENT": st2["RECENT"], "UIDNEXT": new_uid + 1,
                               "UIDVALIDITY": st["UIDVALIDITY"], "UNSEEN": 1})
        self.assertIn(st2["RECENT"], (0, 1))
        self.assertEqual(self.mailbox_uids(target), [new_uid])
        # To a mailbox that does not exist: NO [TRYCREATE].
        typ, dat = m.copy(str(n), f"Nowhere-{new_marker()[:8]}")
        self.assertEqual(typ, "NO", dat)
        self.assertIn(b"[TRYCREATE]", dat[0])
        # The copy is the same message with the same flags.
        m2 = self.login(select=target)
        self.assertEqual(int(m2.untagged_responses["EXISTS"][-1]), 1)
        _, f = self.fetch_uid(m2, new_uid, "(BODY.PEEK[] FLAGS)")
        self.assertEqual(f["BODY[]"], ev["raw_bytes"])
        self.assertIn("\\Flagged", flag_set(f["FLAGS"]))

    def test_expunge_returns_the_expunged_numbers(self):
        evs = [self.deliver_plain(f"expunge {i}")[1] for i in range(3)]
        doomed = {evs[0]["uid"], evs[2]["uid"]}
        m = self.login()
        view = [u for _, u in sorted(self.uid_map(m).items())]
        for uid in doomed:
            m.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
        m.untagged_responses.pop("EXPUNGE", None)
        typ, dat = m.expunge()
        self.assertEqual(typ, "OK", dat)
        numbers = [int(x) for x in dat if x is not None]
        self.assertEqual(len(numbers), 2, dat)
        # Each number is valid at the moment it is sent: replaying them removes exactly doomed.
        replay = list(view)
        removed = set()
        for k in numbers:
            self.assertTrue(1 <= k <= len(replay), (numbers, len(replay)))
            removed.add(replay.pop(k - 1))
        self.assertEqual(removed, doomed, f"EXPUNGE numbers {numbers} on view {view}")
        self.assertEqual([u for _, u in sorted(self.uid_map(m).items())], replay)
        for uid in doomed:
            found = self.expunged(uid)
            self.assertEqual(len(found), 1)
            self.assertEqual(found[0]["conn"], m.conn)
        self.assertIn("imap.note.expunge_renumbers", self.notes(m.conn))
        self.assertIn(evs[1]["uid"], self.mailbox_uids())

    def test_close_expunges_silently_and_unselect_does_not(self):
        _, ev1 = self.deliver_plain("close test")
        _, ev2 = self.deliver_plain("unselect test")
        m = self.login()
        count = int(m.untagged_responses["EXISTS"][-1])
        # UNSELECT: back to AUTHENTICATED, nothing removed.
        m.uid("STORE", str(ev2["uid"]), "+FLAGS.SILENT", r"(\Deleted)")
        typ, dat = m.unselect()
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(self.state_path(m.conn)[-1], ("AUTHENTICATED", "UNSELECT"))
        self.assertEqual(self.status(m, "INBOX")["MESSAGES"], count)
        self.assertEqual(self.expunged(ev2["uid"]), [])
        # CLOSE: \Deleted messages go, without untagged EXPUNGE responses.
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.uid("STORE", str(ev2["uid"]), "-FLAGS.SILENT", r"(\Deleted)")
        m.uid("STORE", str(ev1["uid"]), "+FLAGS.SILENT", r"(\Deleted)")
        m.untagged_responses.pop("EXPUNGE", None)
        typ, dat = m.close()
        self.assertEqual(typ, "OK", dat)
        self.assertNotIn("EXPUNGE", m.untagged_responses)
        close = self.server.events("command", conn=m.conn, verb="CLOSE")[-1]
        untagged = [e for e in self.server.events("reply", conn=m.conn)
                    if e.get("cause") == close["seq"] and e.get("untagged")]
        self.assertEqual(untagged, [], "CLOSE sent untagged responses")
        self.assertEqual(self.state_path(m.conn)[-1], ("AUTHENTICATED", "CLOSE"))
        self.assertEqual(len(self.expunged(ev1["uid"])), 1)
        self.assertEqual(self.status(m, "INBOX")["MESSAGES"], count - 1)
        self.assertNotIn(ev1["uid"], self.mailbox_uids())

    def test_create_rename_delete_list_lsub(self):
        base = f"Projects-{new_marker()[:8]}"
        m = self.login(select=None)
        self.assertEqual(m.create(base)[0], "OK")
        self.assertEqual(m.create(f"{base}.2024")[0], "OK")
        typ, dat = m.create(base)
        self.assertEqual(typ, "NO", dat)
        listing = self.list_names(m, f"{base}*")
        self.assertEqual(set(listing), {base, f"{base}.2024"})
        self.assertEqual({d for _, d in listing.values()}, {"."})
        self.assertIn("\\HasChildren", listing[base][0])
        self.assertIn("\\HasNoChildren", listing[f"{base}.2024"][0])
        self.assertEqual(set(self.list_names(m, f"{base}.%")), {f"{base}.2024"})
        self.assertEqual(set(self.list_names(m, f"{base}%")), {base})
        all_names = self.list_names(m, "*")
        self.assertIn("INBOX", all_names)
        typ, dat = m.list('""', '""')  # the hierarchy delimiter
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(bytes(parse_values(dat[0])[1]), b".")
        # SUBSCRIBE/LSUB/UNSUBSCRIBE.
        self.assertEqual(m.subscribe(base)[0], "OK")
        self.assertEqual(set(self.list_names(m, f"{base}*", "LSUB")), {base})
        self.assertEqual(m.unsubscribe(base)[0], "OK")
        self.assertEqual(set(self.list_names(m, f"{base}*", "LSUB")), set())
        # RENAME takes the inferior mailboxes along (RFC 3501 6.3.5).
        renamed = f"Done-{base}"
        typ, dat = m.rename(base, renamed)
        self.assertEqual(typ, "OK", dat)
        self.assertEqual(set(self.list_names(m, f"{base}*")), set())
        self.assertEqual(set(self.list_names(m, f"{renamed}*")), {renamed, f"{renamed}.2024"})
        typ, dat = m.rename(f"Nothing-{base}", f"Other-{base}")
        self.assertEqual(typ, "NO", dat)
        # DELETE.
        self.assertEqual(m.delete(f"{renamed}.2024")[0], "OK")
        self.assertEqual(m.delete(renamed)[0], "OK")
        self.assertEqual(set(self.list_names(m, f"{renamed}*")), set())
        typ, dat = m.select(renamed)
        self.assertEqual(typ, "NO", dat)
        self.assertEqual(m.delete(renamed)[0], "NO")
        self.assertEqual(m.delete("INBOX")[0], "NO")
        self.assertIn("INBOX", self.list_names(m, "*"))

    def test_chinese_mailbox_name_in_modified_utf7(self):
        tail = new_marker()[:6]
        parent, child = f"工作-{tail}", f"工作-{tail}.报告&总结"
        wire_parent, wire_child = mutf7_encode(parent), mutf7_encode(child)
        self.assertTrue(wire_parent.isascii() and "&" in wire_parent)
        self.assertIn("&-", wire_child)  # a literal "&" travels as "&-"
        m = self.login(select=None)
        self.assertEqual(m.create(wire_parent)[0], "OK")
        self.assertEqual(m.create(wire_child)[0], "OK")
        listing = self.list_names(m, "*")
        self.assertIn(wire_parent, listing, listing)
        self.assertIn(wire_child, listing, listing)
        self.assertEqual(mutf7_decode(wire_child), child)
        self.assertIn("\\HasChildren", listing[wire_parent][0])
        # A LIST pattern in modified UTF-7 finds it too.
        self.assertEqual(set(self.list_names(m, mutf7_encode(f"工作-{tail}.*"))), {wire_child})
        notes = [e for e in self.server.events("note", conn=m.conn)
                 if e.get("explain") == "imap.note.modified_utf7"]
        self.assertIn(child, {e.get("name") for e in notes})
        # APPEND, STATUS and SELECT by the encoded name.
        marker = new_marker()
        msg = plain_message(f"filed {marker}", marker)
        typ, dat = m.append(wire_child, None, None, msg)
        self.assertEqual(typ, "OK", dat)
        typ, dat = m.status(wire_child, "(MESSAGES)")
        self.assertEqual(typ, "OK", dat)
        values = parse_values(dat)
        self.assertEqual(bytes(values[0]).decode(), wire_child)
        self.assertEqual(int(as_dict(values[1])["MESSAGES"]), 1)
        typ, dat = m.select(wire_child)
        self.assertEqual((typ, dat), ("OK", [b"1"]))
        typ, dat = m.fetch("1", "(BODY.PEEK[])")
        self.assertEqual(parse_fetch(dat)[0][1]["BODY[]"], msg)
        # RENAME to another Chinese name, then DELETE.
        m.close()
        wire_new = mutf7_encode(f"归档-{tail}")
        self.assertEqual(m.rename(wire_child, wire_new)[0], "OK")
        listing = self.list_names(m, "*")
        self.assertIn(wire_new, listing)
        self.assertNotIn(wire_child, listing)
        self.assertEqual(m.delete(wire_new)[0], "OK")
        self.assertEqual(m.delete(wire_parent)[0], "OK")
        listing = self.list_names(m, "*")
        self.assertNotIn(wire_new, listing)
        self.assertNotIn(wire_parent, listing)


def expand_set(text: str) -> list[int]:
    out = []
    for piece in text.split(","):
        if ":" in piece:
            a, b = (int(x) for x in piece.split(":"))
            out.extend(range(min(a, b), max(a, b) + 1))
        else:
            out.append(int(piece))
    return out


# ================================================================================================
class TwoClientSyncTests(ImapTestCase):
    """Two sessions on one INBOX see each other's flag changes, expunges and new mail."""

    def fetch_lines(self, lines: list[bytes]) -> dict[int, dict]:
        return {p[0]: p[1] for p in (parse_untagged_fetch(x) for x in lines) if p}

    def test_flags_and_expunge_reach_the_other_client(self):
        _, ev_x = self.deliver_plain("sync x")
        _, ev_y = self.deliver_plain("sync y")
        ux, uy = ev_x["uid"], ev_y["uid"]
        a = self.login()
        b = self.raw()
        lines, tagged = b.command("FETCH 1:* (UID)")
        self.assertIn(b" OK", tagged)
        b_view = [int(f["UID"]) for _, f in sorted(self.fetch_lines(lines).items())]
        self.assertEqual(len(b_view), b.exists)
        bx = b_view.index(ux) + 1
        # A sets \Seen and \Flagged; B's NOOP brings the FETCH FLAGS.
        typ, dat = a.uid("STORE", str(ux), "+FLAGS", r"(\Seen \Flagged)")
        self.assertEqual(typ, "OK", dat)
        lines, tagged = b.command("NOOP")
        self.assertRegex(tagged, rb"^r\d+ OK")
        updates = self.fetch_lines(lines)
        self.assertIn(bx, updates, lines)
        self.assertTrue({"\\Seen", "\\Flagged"} <= flag_set(updates[bx]["FLAGS"]), lines)
        if "UID" in updates[bx]:
            self.assertEqual(int(updates[bx]["UID"]), ux)
        self.assertIn("imap.note.sync_update", self.notes(b.conn))
        # The other way round: B answers Y, A's NOOP shows it (imaplib keeps it).
        by = b_view.index(uy) + 1
        ay = self.seq_of(a, uy)
        a.untagged_responses.pop("FETCH", None)
        _, tagged = b.command(f"STORE {by} +FLAGS (\\Answered)")
        self.assertRegex(tagged, rb"^r\d+ OK")
        self.assertEqual(a.noop()[0], "OK")
        pushed = dict(parse_fetch(a.untagged_responses.pop("FETCH", [])))
        self.assertIn(ay, pushed, a.untagged_responses)
        self.assertIn("\\Answered", flag_set(pushed[ay]["FLAGS"]))
        # A deletes and expunges X; B's NOOP brings "* bx EXPUNGE".
        ax = self.seq_of(a, ux)
        a.uid("STORE", str(ux), "+FLAGS.SILENT", r"(\Deleted)")
        typ, dat = a.expunge()
        self.assertEqual(typ, "OK", dat)
        self.assertEqual([int(x) for x in dat if x is not None], [ax])
        lines, tagged = b.command("NOOP")
        self.assertRegex(tagged, rb"^r\d+ OK")
        expunges = untagged_numbers(lines, "EXPUNGE")
        self.assertEqual(expunges, [bx], lines)
        lines, tagged = b.command("FETCH 1:* (UID)")
        after = [int(f["UID"]) for _, f in sorted(self.fetch_lines(lines).items())]
        self.assertEqual(after, [u for u in b_view if u != ux])

    def test_new_mail_reaches_a_selected_client(self):
        b = self.raw()
        _, ev = self.deliver_plain("sync new mail")
        lines, tagged = b.command("NOOP")
        self.assertRegex(tagged, rb"^r\d+ OK")
        exists = untagged_numbers(lines, "EXISTS")
        self.assertEqual(exists, [b.exists + 1], lines)
        lines, _ = b.command(f"FETCH {b.exists + 1} (UID FLAGS)")
        fetched = self.fetch_lines(lines)
        self.assertEqual(int(fetched[b.exists + 1]["UID"]), ev["uid"])


# ================================================================================================
class IdleTests(ImapTestCase):
    """IDLE (RFC 2177) on a raw socket: changes are pushed without the client asking."""

    def start_idle(self, r: RawImap) -> tuple[str, int]:
        tag = r.next_tag()
        r.send(f"{tag} IDLE\r\n".encode())
        self.assertTrue(r.read_line().startswith(b"+ "), r.transcript)  # maillab: "+ idling"
        mark = self.server.wait_events(lambda e: e.get("verb") == "IDLE", timeout=2.0,
                                       kind="command", conn=r.conn)[-1]["seq"]
        return tag, mark

    def wait_pushed(self, r: RawImap, pattern: bytes) -> tuple[list[bytes], re.Match]:
        """Read (without sending) until a line matches; fail after PUSH_TIMEOUT seconds."""
        deadline = time.monotonic() + PUSH_TIMEOUT
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = r.read_line(timeout=max(remaining, 0.001))
            except socket.timeout:
                self.fail(f"no line matching {pattern!r} within {PUSH_TIMEOUT} s while idling; "
                          f"got {seen}")
            seen.append(line)
            m = re.match(pattern, line)
            if m:
                return seen, m

    def end_idle(self, r: RawImap, tag: str, mark: int) -> None:
        done_mark = self.server.last_seq()
        r.send(b"DONE\r\n")
        _, tagged = r.until_tagged(tag, timeout=5)
        self.assertRegex(tagged, rb"^" + tag.encode() + rb" OK")
        # Between IDLE and DONE the client sent nothing at all.
        done = self.server.wait_events(lambda e: e["seq"] > done_mark and e.get("verb") == "DONE",
                                       timeout=2.0, kind="command", conn=r.conn)
        self.assertEqual(len(done), 1)
        self.assertEqual(self.client_bytes(r.conn, mark, done[0]["seq"]), b"DONE\r\n")
        path = [s for s, _ in self.state_path(r.conn)]
        self.assertEqual(path[-2:], ["IDLE", "SELECTED"], self.state_path(r.conn))

    def test_idle_sees_a_message_delivered_by_smtp(self):
        r = self.raw()
        tag, mark = self.start_idle(r)
        t0 = time.monotonic()
        _, ev = self.deliver_plain("idle delivery")
        _, m = self.wait_pushed(r, rb"\* (\d+) EXISTS\r\n$")
        self.assertLess(time.monotonic() - t0, PUSH_TIMEOUT)
        self.assertEqual(int(m.group(1)), r.exists + 1)
        self.end_idle(r, tag, mark)
        lines, _ = r.command(f"FETCH {r.exists + 1} (UID BODY.PEEK[])")
        fetched = parse_untagged_fetch(lines[0])
        self.assertEqual(int(fetched[1]["UID"]), ev["uid"])
        self.assertEqual(fetched[1]["BODY[]"], ev["raw_bytes"])

    def test_idle_sees_flags_and_expunge_from_another_session(self):
        _, ev = self.deliver_plain("idle flags")
        uid = ev["uid"]
        r = self.raw()
        lines, _ = r.command(f"UID FETCH {uid} (UID)")
        number = parse_untagged_fetch(lines[0])[0]
        tag, mark = self.start_idle(r)
        a = self.login()
        a.uid("STORE", str(uid), "+FLAGS", r"(\Flagged)")
        _, m = self.wait_pushed(r, rb"\* (\d+) FETCH (.*)\r\n$")
        self.assertEqual(int(m.group(1)), number)
        self.assertIn("\\Flagged", flag_set(parse_untagged_fetch(m.group(0)[:-2])[1]["FLAGS"]))
        a.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
        self.assertEqual(a.expunge()[0], "OK")
        _, m = self.wait_pushed(r, rb"\* (\d+) EXPUNGE\r\n$")
        self.assertEqual(int(m.group(1)), number)
        self.end_idle(r, tag, mark)


# ================================================================================================
@unittest.skipIf(shutil.which("curl") is None, "curl is not installed")
class CurlTests(ImapTestCase):
    """curl's IMAP client: list, fetch by UID, search; plain, STARTTLS (--ssl-reqd), IMAPS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = None

    def setUp(self):
        super().setUp()
        if type(self).first is None:
            # A fresh server: the first delivery is UID 1 of INBOX.
            marker, type(self).first = self.deliver_plain("curl message 1")
            type(self).second_marker, type(self).second = self.deliver_plain("curl message 2")
            type(self).folder = f"CurlFolder-{new_marker()[:8]}"
            m = self.login(select=None)
            self.assertEqual(m.create(type(self).folder)[0], "OK")
        self.assertEqual(self.first["uid"], 1)

    def curl(self, url: str, *extra: str) -> tuple[bytes, int]:
        """Run curl; return its output and the trace conn of the one connection it opened."""
        mark = self.server.last_seq()
        cmd = ["curl", "-sS", url, "-u", f"bob:{BOB_PW}", "--max-time", str(TIMEOUT), *extra]
        r = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT + 10)
        self.assertEqual(r.returncode, 0, f"{' '.join(cmd)} exited {r.returncode}: "
                                          f"{r.stderr.decode(errors='replace')}")
        connects = self.server.wait_events(lambda e: e["seq"] > mark and e.get("action") == "connect",
                                           timeout=2.0, kind="tcp")
        self.assertEqual(len(connects), 1, f"curl should open one connection: {connects}")
        conn = connects[0]["conn"]
        logout = self.server.wait_events(lambda e: e["to_state"] == "LOGOUT", timeout=5.0,
                                         kind="state", conn=conn, machine=IMAP)
        self.assertEqual(len(logout), 1, self.state_path(conn))
        return r.stdout, conn

    def check_tls(self, conn: int, tls: str | None) -> None:
        established = [e for e in self.server.events("tls", conn=conn)
                       if e.get("phase") == "established"]
        starttls = self.server.events("command", conn=conn, verb="STARTTLS")
        if tls is None:
            self.assertEqual(established, [])
            self.assertEqual(starttls, [])
            return
        self.assertEqual(len(established), 1, self.server.events("tls", conn=conn))
        self.assertIn(established[0].get("version"), ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(len(starttls), 1 if tls == "starttls" else 0)
        # The credentials went inside TLS: every AUTHENTICATE/LOGIN came after the handshake.
        for verb in ("AUTHENTICATE", "LOGIN"):
            for e in self.server.events("command", conn=conn, verb=verb):
                self.assertGreater(e["seq"], established[0]["seq"])

    def check_fetch(self, out: bytes, conn: int) -> None:
        self.assertEqual(out, self.first["raw_bytes"], "curl's UID 1 differs from what SMTP delivered")
        fetches = [e["text"] for e in self.server.events("command", conn=conn, verb="UID")]
        self.assertEqual(len(fetches), 1, fetches)
        self.assertRegex(fetches[0], r"UID FETCH 1 BODY\[\]$")
        self.assertEqual(self.state_path(conn)[-2][0], "SELECTED", self.state_path(conn))

    def imaplib_listing(self) -> set[bytes]:
        m = self.login(select=None)
        typ, dat = m.list()
        self.assertEqual(typ, "OK", dat)
        return {b"* LIST " + d for d in dat if d}

    def test_curl_lists_mailboxes(self):
        out, conn = self.curl(f"imap://{LOCALHOST}:{self.server.imap_port}/")
        self.assertEqual(set(out.splitlines()), self.imaplib_listing())
        self.assertIn(f'"{self.folder}"'.encode(), out)
        self.check_tls(conn, None)

    def test_curl_lists_inbox(self):
        out, conn = self.curl(f"imap://{LOCALHOST}:{self.server.imap_port}/INBOX")
        self.assertEqual(out.splitlines(), [b'* LIST (\\HasNoChildren) "." "INBOX"'])
        self.assertTrue(self.server.events("command", conn=conn, verb="LIST"))
        self.check_tls(conn, None)

    def test_curl_fetches_uid_1(self):
        out, conn = self.curl(f"imap://{LOCALHOST}:{self.server.imap_port}/INBOX;UID=1")
        self.check_fetch(out, conn)
        self.check_tls(conn, None)
        # BODY[] is not a peek: the message is \Seen now.
        m = self.login()
        self.assertIn("\\Seen", self.flags_of(m, 1))

    def test_curl_search(self):
        query = urllib.parse.quote(f'SUBJECT "curl message 2 {self.second_marker}"')
        out, conn = self.curl(f"imap://{LOCALHOST}:{self.server.imap_port}/INBOX?{query}")
        m = self.login()
        self.assertEqual(out.splitlines(), [f"* SEARCH {self.seq_of(m, self.second['uid'])}".encode()])

    def test_curl_starttls_fetches_uid_1(self):
        out, conn = self.curl(f"imap://{LOCALHOST}:{self.server.imap_port}/INBOX;UID=1",
                              "--ssl-reqd", "-k")
        self.check_fetch(out, conn)
        self.check_tls(conn, "starttls")

    def test_curl_starttls_lists(self):
        out, conn = self.curl(f"imap://{LOCALHOST}:{self.server.imap_port}/", "--ssl-reqd", "-k")
        self.assertEqual(set(out.splitlines()), self.imaplib_listing())
        self.check_tls(conn, "starttls")

    def test_curl_imaps_fetches_uid_1(self):
        out, conn = self.curl(f"imaps://{LOCALHOST}:{self.server.imaps_port}/INBOX;UID=1", "-k")
        self.check_fetch(out, conn)
        self.check_tls(conn, "implicit")


# ================================================================================================
@unittest.skipIf(shutil.which("s-nail") is None,
                 "s-nail is not installed (Debian package s-nail)")
class SNailTests(ImapTestCase):
    """s-nail, a terminal mail client, in batch mode: commands on stdin, mail over IMAP."""

    def setUp(self):
        super().setUp()
        home = tempfile.TemporaryDirectory(prefix="maillab-snail-")
        self.addCleanup(home.cleanup)
        self.home = home.name

    def snail(self, commands: str, url: str, port: int, *options: str) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
               "LC_ALL": "C.UTF-8", "MAILRC": "/dev/null", "TERM": "dumb"}
        cmd = ["s-nail", "-:/", "-#", "-S", "v15-compat", "-S", "hold",
               "-S", f"password-bob@{LOCALHOST}:{port}={BOB_PW}", *options, "-f", url]
        r = subprocess.run(cmd, input=commands.encode(), capture_output=True, env=env,
                           timeout=TIMEOUT + 10)
        self.assertEqual(r.returncode, 0,
                         f"{' '.join(cmd)} exited {r.returncode}\nstdout:\n"
                         f"{r.stdout.decode(errors='replace')}\nstderr:\n"
                         f"{r.stderr.decode(errors='replace')}")
        return r

    def deliver_three(self) -> list[tuple[str, dict]]:
        return [self.deliver_plain(f"snail {i}", body=f"Body line of message {i}.\r\n".encode())
                for i in (1, 2, 3)]

    def test_read_flag_and_delete(self):
        # A fresh server per class: these three are messages 1, 2 and 3 of INBOX.
        msgs = self.deliver_three()
        self.assertEqual(self.mailbox_uids(), [ev["uid"] for _, ev in msgs])
        (m1, ev1), (m2, ev2), (m3, ev3) = msgs
        port = self.server.imap_port
        r = self.snail("headers\ntype 1\nflag 2\ndelete 3\nquit\n",
                       f"imap://bob@{LOCALHOST}:{port}/INBOX", port)
        out = r.stdout.decode(errors="replace")
        for i in (1, 2, 3):
            self.assertIn(f"snail {i}", out)  # the header summary
        self.assertIn(f"Hello Bob, this is message {m1}.", out)  # message 1 was read
        self.assertIn("Body line of message 1.", out)
        self.assertNotIn("Body line of message 2.", out)
        # The store changed: 3 is gone, 2 is flagged, 1 is seen.
        self.assertEqual(len(self.expunged(ev3["uid"])), 1)
        m = self.login()
        self.assertEqual(int(m.untagged_responses["EXISTS"][-1]), 2)
        typ, dat = m.uid("SEARCH", "ALL")
        self.assertEqual(search_numbers(dat), [ev1["uid"], ev2["uid"]])
        flags1, flags2 = self.flags_of(m, ev1["uid"]), self.flags_of(m, ev2["uid"])
        self.assertIn("\\Seen", flags1)
        self.assertNotIn("\\Flagged", flags1)
        self.assertIn("\\Flagged", flags2)
        self.assertNotIn("\\Deleted", flags2)
        _, f = self.fetch_uid(m, ev1["uid"], "(BODY.PEEK[])")
        self.assertEqual(f["BODY[]"], ev1["raw_bytes"])



@unittest.skipIf(shutil.which("s-nail") is None,
                 "s-nail is not installed (Debian package s-nail)")
class SNailTlsTests(SNailTests):
    """s-nail over STARTTLS and over IMAPS (its own server: the INBOX of SNailTests stays exact)."""

    test_read_flag_and_delete = None

    def test_header_summary_over_starttls_and_imaps(self):
        marker, ev = self.deliver_plain("snail over TLS")
        for label, url, port, extra in (
                ("starttls", f"imap://bob@{LOCALHOST}:{self.server.imap_port}/INBOX",
                 self.server.imap_port, ("-S", "imap-use-starttls", "-S", "tls-verify=ignore")),
                ("imaps", f"imaps://bob@{LOCALHOST}:{self.server.imaps_port}/INBOX",
                 self.server.imaps_port, ("-S", "tls-verify=ignore"))):
            with self.subTest(transport=label):
                mark = self.server.last_seq()
                r = self.snail("headers\nquit\n", url, port, *extra)
                self.assertIn("snail over TLS", r.stdout.decode(errors="replace"))
                connects = [e for e in self.server.events("tcp", action="connect") if e["seq"] > mark]
                self.assertEqual(len(connects), 1, connects)
                conn = connects[0]["conn"]
                tls = [e for e in self.server.events("tls", conn=conn)
                       if e.get("phase") == "established"]
                self.assertEqual(len(tls), 1, self.server.events("tls", conn=conn))
                logins = self.server.events("command", conn=conn, verb="LOGIN") + \
                    self.server.events("command", conn=conn, verb="AUTHENTICATE")
                self.assertTrue(logins)
                self.assertTrue(all(e["seq"] > tls[0]["seq"] for e in logins))
                self.assertEqual(len(self.server.events("command", conn=conn, verb="STARTTLS")),
                                 1 if label == "starttls" else 0)


if __name__ == "__main__":
    unittest.main()
