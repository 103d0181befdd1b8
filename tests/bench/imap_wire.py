"""A small IMAP client on a raw socket for the benchmarks, so the client is not what is measured.

imaplib waits for each command's answer (and for "+" before each APPEND literal), so a phase of
5,000 APPENDs would time Python's round trips. This client pipelines: up to `window` commands
are in flight (RFC 3501 5.5 allows it), APPEND literals are sent as LITERAL+ "{n+}" (RFC 7888,
which both Dovecot and maillab announce) so no "+" is awaited, and responses are split with
bytes.find over one buffer. Responses are returned whole (the line with its literals) for the
harness to check.
"""
import re
import socket

LITERAL_AT_END = re.compile(rb"\{(\d+)\+?\}$")


class ImapError(RuntimeError):
    pass


class ImapWire:
    def __init__(self, port, host="127.0.0.1", timeout=120.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.tag_number = 0
        self.greeting = self.read_response()[0]
        if not self.greeting.startswith(b"* OK"):
            raise ImapError(f"greeting is not * OK: {self.greeting[:200]!r}")

    # ----- reading ---------------------------------------------------------------------------
    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ImapError("the server closed the connection")
        self.buf += data

    def _line_end(self, start):
        while True:
            end = self.buf.find(b"\r\n", start)
            if end >= 0:
                return end
            start = max(start, len(self.buf) - 1)
            self._fill()

    def read_response(self):
        """One response: (its first line without CRLF, [literals], its whole text)."""
        if self.pos > (1 << 20):  # drop what was read, only between responses
            del self.buf[:self.pos]
            self.pos = 0
        start = self.pos
        literals = []
        scan = start
        while True:
            end = self._line_end(scan)
            m = LITERAL_AT_END.search(self.buf, scan, end) if self.buf[end - 1:end] == b"}" else None
            if not m:
                break
            size = int(m.group(1))
            while len(self.buf) < end + 2 + size:
                self._fill()
            literals.append(bytes(self.buf[end + 2:end + 2 + size]))
            scan = end + 2 + size
        first_end = self.buf.find(b"\r\n", start)
        first = bytes(self.buf[start:first_end])
        self.pos = end + 2
        return first, literals, bytes(self.buf[start:end])

    # ----- commands --------------------------------------------------------------------------
    def next_tag(self):
        self.tag_number += 1
        return f"a{self.tag_number}".encode()

    def pipeline(self, commands, window=64):
        """Sends commands (bytes without tag and CRLF; an APPEND's literal included) with up to
        `window` in flight. Returns (the tagged status lines in the order the commands were
        sent, every untagged response in the order received); each untagged response is
        (first line, literals, whole text). A server may run pipelined commands at once and
        finish them in any order (RFC 3501 5.5; Dovecot does), so untagged responses are not
        attributed to commands. A tagged NO or BAD raises."""
        statuses = {}
        untagged = []
        pending = set()
        order = []
        it = iter(commands)
        done = False

        def send_some(n):
            nonlocal done
            chunk = []
            for _ in range(n):
                try:
                    command = next(it)
                except StopIteration:
                    done = True
                    break
                tag = self.next_tag()
                pending.add(tag)
                order.append(tag)
                chunk.append(tag + b" " + command + b"\r\n")
            if chunk:
                self.sock.sendall(b"".join(chunk))

        send_some(window)
        while pending:
            first, literals, whole = self.read_response()
            tag = first.split(b" ", 1)[0]
            if tag in pending:
                pending.discard(tag)
                status = first[len(tag) + 1:]
                if not status.startswith(b"OK"):
                    raise ImapError(f"{tag.decode()} failed: {first[:300]!r}")
                statuses[tag] = status
                if not done:
                    send_some(1 if len(pending) > window // 2 else window - len(pending))
            elif first.startswith(b"+"):
                raise ImapError(f"unexpected continuation {first!r}: LITERAL+ not honoured?")
            elif first.startswith(b"* "):
                untagged.append((first, literals, whole))
            else:
                raise ImapError(f"a response that is neither untagged nor ours: {first[:200]!r}")
        return [statuses[t] for t in order], untagged

    def run(self, command):
        """One command; its untagged responses."""
        return self.pipeline([command])[1]

    def close(self):
        try:
            self.pipeline([b"LOGOUT"])
        except (ImapError, OSError):
            pass
        self.sock.close()


def append_command(mailbox, message):
    return b"APPEND " + mailbox.encode() + b" {" + str(len(message)).encode() + b"+}\r\n" + message
