#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/NAME) from real inputs.

Run from anywhere: python3 tests/fuzz/make_seeds.py. It rewrites the generated seeds and
leaves other files in corpus/ alone (the MIME messages, reproducers of fixed findings, the
small pcap made with tcpdump: see docs/security.md).

- smtp_server, pop3_server, imap_server, http_webmail: every client's bytes of every
  connection in the golden traces (tests/golden), plus sessions written here for the fuzz
  world's accounts (session_driver.hpp) that reach STARTTLS, AUTH, DATA, literals, IDLE, the
  webmail's login, reading, download, flagging and sending. Each starts with the byte that
  chooses the cuts: "@" (chunks of up to 64 bytes), "\\x01" (one byte at a time) or
  "\\xc0" (chunks of up to 64 bytes that also end at each line feed: what gets a session past
  STARTTLS, after which the server drops pipelined bytes).
- scenario_loader: scenarios/*.json; lab_loader: labs/*.json; trace_loader: the golden
  traces cut to their first 60 lines (a cut-off last line included, as a crash leaves it).
"""
import base64
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"
CHUNKS_64 = b"@"
ONE_BYTE = b"\x01"
LINE_BY_LINE_64 = bytes([0x80 + 64])


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def plain_b64(text):
    return base64.b64encode(text.encode()).decode()


def client_bytes_of_golden_traces():
    """{proto: [(name, client bytes)]} from every connection of every golden trace."""
    out = {}
    for path in sorted((ROOT / "tests" / "golden").glob("*.jsonl")):
        conns = {}
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            e = json.loads(line)
            if e.get("kind") != "bytes" or e.get("proto") not in ("smtp", "pop3", "imap", "http"):
                continue
            raw = base64.b64decode(e["raw_b64"]) if "raw_b64" in e else e["raw"].encode()
            conns.setdefault((e["conn"], e["proto"]), []).append((e["from"], raw))
        for (conn, proto), chunks in conns.items():
            # The server speaks first in SMTP, POP3 and IMAP; the browser speaks first in HTTP.
            first = chunks[0][0]
            client = [raw for who, raw in chunks if (who != first) == (proto != "http")]
            if client:
                out.setdefault(proto, []).append((f"golden-{path.stem}-conn{conn}", b"".join(client)))
    return out


SMTP_SESSIONS = {
    "starttls-auth-plain-data": (
        "EHLO client.example\r\nSTARTTLS\r\nEHLO client.example\r\n"
        f"AUTH PLAIN {plain_b64(chr(0) + 'alice@example.org' + chr(0) + 'alice-pw')}\r\n"
        "MAIL FROM:<alice@example.org> SIZE=120 BODY=8BITMIME\r\n"
        "RCPT TO:<bob@example.org>\r\nRCPT TO:<carol@c.example>\r\nRCPT TO:<nobody@example.org>\r\n"
        "DATA\r\nFrom: alice@example.org\r\nSubject: =?UTF-8?B?5pyf5pyr?=\r\n\r\n"
        "Hello\r\n..a dot-stuffed line\r\n.\r\nQUIT\r\n"),
    "auth-login-pipelined": (
        "EHLO c\r\nAUTH LOGIN\r\n" + plain_b64("bob@example.org") + "\r\n" + plain_b64("bob-pw") +
        "\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n"
        "Subject: pipelined\r\n\r\nbody\r\n.\r\nRSET\r\nNOOP\r\nVRFY bob\r\nHELP\r\nQUIT\r\n"),
    "seed003-smtpdemo-lowercase": (
        "helo\r\nmail from:<alice@example.org>\r\nrcpt to:<bob@example.org>\r\ndata\r\n"
        "subject: demo\nbare lf line\n.\r\nrset\r\nquit\r\n"),
    "wrong-order-and-bad-auth": (
        "MAIL FROM:<a@b>\r\nHELO x\r\nDATA\r\nAUTH PLAIN\r\n" + plain_b64("\0x\0y") +
        "\r\nAUTH PLAIN *\r\nAUTH CRAM-MD5\r\nRCPT TO:<bob@example.org>\r\n"
        "MAIL FROM:<>\r\nRCPT TO:<postmaster>\r\nDATA\r\n.\r\nQUIT\r\n"),
}

POP3_SESSIONS = {
    "user-pass-every-command": (
        "CAPA\r\nUSER bob@example.org\r\nPASS bob-pw\r\nSTAT\r\nLIST\r\nLIST 2\r\nUIDL\r\n"
        "UIDL 1\r\nTOP 1 2\r\nRETR 2\r\nDELE 1\r\nLIST 1\r\nRSET\r\nDELE 3\r\nNOOP\r\nQUIT\r\n"),
    "stls-auth-plain": (
        "STLS\r\nCAPA\r\nAUTH PLAIN\r\n" + plain_b64("\0bob@example.org\0bob-pw") +
        "\r\nRETR 1\r\nDELE 2\r\nQUIT\r\n"),
    "auth-plain-initial-and-errors": (
        "PASS early\r\nUSER nobody\r\nPASS x\r\nAUTH PLAIN " + plain_b64("\0bob@example.org\0bob-pw") +
        "\r\nRETR 9\r\nTOP x y\r\nDELE 1\r\nDELE 1\r\nRETR 1\r\nAPOP bob x\r\nQUIT\r\n"),
    "seed003-pop3demo-lowercase": "user bob@example.org\r\npass bob-pw\r\nstat\r\nlist\r\nretr 1\r\nquit\r\n",
}

def literal(text, plus=False):
    return "{%d%s}\r\n%s" % (len(text.encode()), "+" if plus else "", text)


IMAP_SESSIONS = {
    "login-select-fetch-store-expunge": (
        "a1 CAPABILITY\r\na2 LOGIN bob@example.org bob-pw\r\na3 LIST \"\" \"*\"\r\n"
        "a4 SELECT INBOX\r\na5 FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)\r\n"
        "a6 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY[1] BODY[2.MIME] BODY[]<0.10>)\r\n"
        "a7 UID STORE 1:2 +FLAGS (\\Seen \\Flagged)\r\na8 STORE 3 +FLAGS.SILENT (\\Deleted)\r\n"
        "a9 SEARCH UNSEEN FROM carol SUBJECT \"sec\"\r\na10 UID SEARCH ALL\r\na11 EXPUNGE\r\n"
        "a12 CLOSE\r\na13 LOGOUT\r\n"),
    "starttls-authenticate-literals": (
        "s1 STARTTLS\r\ns2 CAPABILITY\r\ns3 AUTHENTICATE PLAIN\r\n" + plain_b64("\0bob@example.org\0bob-pw") +
        "\r\ns4 CREATE {7}\r\nArchive\r\ns5 APPEND Archive (\\Seen) " + literal("Subject: a\r\n\r\nappended") +
        "\r\ns6 APPEND INBOX " + literal("Subject: b\r\n\r\nplus\r\n", plus=True) + "\r\n"
        "s7 SELECT Archive\r\ns8 COPY 1 INBOX\r\ns9 RENAME Archive Old\r\ns10 SUBSCRIBE Old\r\n"
        "s11 LSUB \"\" *\r\ns12 STATUS INBOX (MESSAGES UIDNEXT UNSEEN)\r\ns13 DELETE Old\r\ns14 LOGOUT\r\n"),
    "idle-with-new-mail": (
        "i1 LOGIN {15+}\r\nbob@example.org {6+}\r\nbob-pw\r\ni2 EXAMINE INBOX\r\ni3 IDLE\r\n"
        "DONE\r\ni4 NOOP\r\ni5 IDLE\r\nDONE\r\ni6 UID FETCH 1:* (FLAGS)\r\ni7 LOGOUT\r\n"),
    "errors-in-every-state": (
        "x1 SELECT INBOX\r\nx2 LOGIN bob@example.org wrong\r\nx3 FETCH 1 BODY[]\r\n"
        "x4 LOGIN \"bob@example.org\" \"bob-pw\"\r\nx5 FETCH 1 BODY[]\r\nx6 SELECT \"&ZeVnLIqe-\"\r\n"
        "x7 SELECT INBOX\r\nx8 FETCH 99 FLAGS\r\nx9 FETCH 1:* (BODY[1.2.3] BINARY[1])\r\nx10 STORE * FLAGS ()\r\n"
        "x11 BOGUS\r\n* BAD\r\nx12 LOGIN {5}\r\nx13 LOGOUT\r\n"),
}

HTTP_HOST = "Host: webmail.example.org\r\n"
PRE = "ml_pre_webmail_example_org"
SESSION = "ml_session_webmail_example_org"


def http_post(path, cookie, body, content_type="application/x-www-form-urlencoded"):
    return (f"POST {path} HTTP/1.1\r\n{HTTP_HOST}Cookie: {cookie}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body.encode())}\r\n\r\n{body}")


def http_get(path, cookie=None):
    return f"GET {path} HTTP/1.1\r\n{HTTP_HOST}" + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n"


def webmail_session():
    # Tokens of memory_mail_backend: 1 the login form's, 2 the session id, 3 its CSRF token.
    s = f"{SESSION}=token0002"
    boundary = "----maillabfuzz"
    multipart = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken0003\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nalice@example.org\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n期末考试\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nHi\r\n.\r\nAlice\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.bin\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n\x00\x01\x02 data\r\n--{boundary}--\r\n")
    return "".join([
        http_get("/login?lang=zh"),
        http_post("/login", f"{PRE}=token0001", "user=bob%40example.org&password=bob-pw&csrf=token0001"),
        http_get("/mailbox?folder=INBOX&page=1", s),
        http_get("/message?folder=INBOX&uid=1", s),
        http_get("/part?folder=INBOX&uid=1&part=2&download=1", s),
        http_post("/flag", s, "folder=INBOX&uid=2&action=delete&back=%2Fmailbox&csrf=token0003"),
        http_get("/compose?reply=1&folder=INBOX", s),
        http_post("/send", s, multipart, f"multipart/form-data; boundary={boundary}"),
        http_get("/style.css", s),
        http_post("/logout", s, "csrf=token0003"),
    ])


HTTP_SESSIONS = {
    "login-read-send-logout": webmail_session(),
    "bad-requests": (
        "GET /../../etc/passwd HTTP/1.1\r\n" + HTTP_HOST + "\r\n"
        "POST /login HTTP/1.1\r\n" + HTTP_HOST + "Content-Length: 12\r\n\r\nuser=x&csrf="
        "GET /message?folder=INBOX&uid=abc HTTP/1.0\r\n\r\n"),
    "head-and-chunked": (
        "HEAD / HTTP/1.1\r\n" + HTTP_HOST + "\r\n"
        "POST /login HTTP/1.1\r\n" + HTTP_HOST + "Transfer-Encoding: chunked\r\n\r\n"
        "5\r\nuser=\r\n0\r\n\r\nGET /mailbox HTTP/1.1\r\n" + HTTP_HOST + "Connection: close\r\n\r\n"),
}


def main():
    golden = client_bytes_of_golden_traces()
    for target, proto, handwritten in (("smtp_server", "smtp", SMTP_SESSIONS),
                                       ("pop3_server", "pop3", POP3_SESSIONS),
                                       ("imap_server", "imap", IMAP_SESSIONS),
                                       ("http_webmail", "http", HTTP_SESSIONS)):
        for name, text in handwritten.items():
            data = text.encode("utf-8")
            write(target, f"{name}.txt", CHUNKS_64 + data)
            write(target, f"{name}-line-by-line.txt", LINE_BY_LINE_64 + data)
        first = next(iter(handwritten))
        write(target, f"{first}-byte-by-byte.txt", ONE_BYTE + handwritten[first].encode("utf-8"))
        for name, data in golden.get(proto, []):
            write(target, f"{name}.txt", LINE_BY_LINE_64 + data)
    for path in sorted((ROOT / "scenarios").glob("*.json")):
        write("scenario_loader", path.name, path.read_bytes())
    for path in sorted((ROOT / "labs").glob("*.json")):
        write("lab_loader", path.name, path.read_bytes())
    for path in sorted((ROOT / "tests" / "golden").glob("*.jsonl")):
        lines = path.read_bytes().split(b"\n")[:60]
        write("trace_loader", path.name, b"\n".join(lines) + b"\n")
        write("trace_loader", f"cut-{path.name}", b"\n".join(lines[:12])[:-40])


if __name__ == "__main__":
    main()
