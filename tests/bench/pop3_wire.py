"""A small POP3 client on a raw socket for the benchmarks, so the client is not what is measured.

poplib reads a message line by line and waits for each answer. This client pipelines up to
`window` commands (RFC 2449 PIPELINING, announced by both Dovecot and maillab) and finds the end
of a multi-line answer (CRLF "." CRLF) with one bytes.find; RETR's text is returned with
dot-stuffing undone (RFC 1939 3).
"""
import socket


class Pop3Error(RuntimeError):
    pass


class Pop3Wire:
    def __init__(self, port, host="127.0.0.1", timeout=120.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.greeting = self._status()

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise Pop3Error("the server closed the connection")
        self.buf += data

    def _status(self):
        """The next status line ("+OK ..."), without CRLF; -ERR raises."""
        if self.pos > (1 << 20):  # drop what was read, only between responses
            del self.buf[:self.pos]
            self.pos = 0
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                break
            self._fill()
        line = bytes(self.buf[self.pos:end])
        self.pos = end + 2
        if not line.startswith(b"+OK"):
            raise Pop3Error(f"-ERR or garbage: {line[:300]!r}")
        return line

    def _multiline(self):
        """The status line and the data after it, up to CRLF "." CRLF, dot-stuffing undone."""
        status = self._status()
        start = scan = self.pos
        while True:
            if self.buf[start:start + 3] == b".\r\n":  # empty data
                self.pos = start + 3
                return status, b""
            end = self.buf.find(b"\r\n.\r\n", scan)
            if end >= 0:
                break
            scan = max(start, len(self.buf) - 4)
            self._fill()
        data = bytes(self.buf[start:end + 2])
        self.pos = end + 5
        if data.startswith(b"..") or b"\r\n.." in data:
            data = data.replace(b"\r\n..", b"\r\n.")
            if data.startswith(b".."):
                data = data[1:]
        return status, data

    def command(self, line):
        self.sock.sendall(line + b"\r\n")
        return self._status()

    def multiline(self, line):
        self.sock.sendall(line + b"\r\n")
        return self._multiline()

    def login(self, user, password):
        self.command(b"USER " + user.encode())
        self.command(b"PASS " + password.encode())

    def retr_all(self, numbers, window=32):
        """RETR each message number, pipelined; the message texts in order."""
        out = []
        numbers = list(numbers)
        sent = 0
        while len(out) < len(numbers):
            if sent < len(numbers) and sent - len(out) < window // 2:
                batch = numbers[sent:sent + window - (sent - len(out))]
                self.sock.sendall(b"".join(b"RETR %d\r\n" % n for n in batch))
                sent += len(batch)
            out.append(self._multiline()[1])
        return out

    def quit(self):
        try:
            self.command(b"QUIT")
        except (Pop3Error, OSError):
            pass
        self.sock.close()
