"""Writes the MIME benchmark's corpus: one message per file, deterministic for a seed, in the
shapes real mail takes: plain text, multipart/alternative (text and HTML), multipart/mixed with
base64 attachments up to 1 MB, quoted-printable bodies, GBK and UTF-8 encoded words in the
header, and messages forwarded whole as message/rfc822 parts (nested up to three deep).

    python3 tests/bench/make_mime_corpus.py --megabytes 200 DIR
"""
import argparse
import base64
import quopri
import random
from pathlib import Path

WORDS = ("mail server relay queue header body part boundary charset encoding message client "
         "protocol envelope recipient sender mailbox folder flag network packet student lab "
         "teacher trace event session reply command").split()
CHINESE = "邮件服务器协议客户端发送接收附件主题学生老师实验网络数据包"


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def paragraph_text(rng, lines):
    return "".join(words(rng, rng.randint(6, 12)).capitalize() + ".\r\n" for _ in range(lines))


def encoded_word(rng, charset):
    text = "".join(rng.choice(CHINESE) for _ in range(rng.randint(3, 10)))
    data = text.encode("gbk" if charset == "GBK" else "utf-8")
    if rng.random() < 0.5:
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    q = "".join(f"={b:02X}" for b in data)
    return f"=?{charset}?Q?{q}?="


def header(rng, n, content_type, extra=""):
    charset = rng.choice(("GBK", "UTF-8"))
    subject = f"{words(rng, 3)} {encoded_word(rng, charset)} {n}"
    sender = f"{encoded_word(rng, rng.choice(('GBK', 'UTF-8')))} <user{rng.randrange(100)}@a.example>"
    return (f"From: {sender}\r\nTo: user{rng.randrange(100)}@b.example\r\n"
            f"Subject: {subject}\r\nDate: Mon, 6 Jan 2025 09:{n % 60:02d}:00 +0000\r\n"
            f"Message-ID: <bench-{n}-{rng.randrange(10**9)}@a.example>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {content_type}\r\n{extra}\r\n")


def base64_lines(data):
    text = base64.b64encode(data).decode()
    return "".join(text[i:i + 76] + "\r\n" for i in range(0, len(text), 76))


def qp_body(rng, lines):
    text = "".join(words(rng, rng.randint(8, 20)) + " café naïve — “quoted” " +
                   "".join(rng.choice(CHINESE) for _ in range(5)) + "\n" for _ in range(lines))
    return quopri.encodestring(text.encode("utf-8")).decode().replace("\n", "\r\n")


def attachment_size(rng):
    # Mostly small, some large: a log-uniform size from 1 KB to 1 MB.
    return int(2 ** rng.uniform(10, 20))


def plain(rng, n):
    return header(rng, n, "text/plain; charset=us-ascii") + paragraph_text(rng, rng.randint(5, 80))


def alternative(rng, n):
    b = f"=_alt_{n}_{rng.randrange(10**9)}"
    text = paragraph_text(rng, rng.randint(5, 60))
    html = "<html><body>" + "".join(f"<p>{words(rng, 12)}</p>\r\n" for _ in range(rng.randint(5, 60)))
    return (header(rng, n, f'multipart/alternative; boundary="{b}"') +
            f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{qp_body(rng, 20)}{text}"
            f"--{b}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}</body></html>\r\n"
            f"--{b}--\r\n")


def mixed(rng, n):
    b = f"=_mix_{n}_{rng.randrange(10**9)}"
    out = [header(rng, n, f'multipart/mixed; boundary="{b}"'),
           f"--{b}\r\nContent-Type: text/plain; charset=GBK\r\n"
           f"Content-Transfer-Encoding: base64\r\n\r\n",
           base64_lines(("".join(rng.choice(CHINESE) for _ in range(400))).encode("gbk"))]
    for k in range(rng.randint(1, 3)):
        data = rng.randbytes(attachment_size(rng))
        name = encoded_word(rng, "UTF-8") if k == 0 else f"file{k}.bin"
        out.append(f"--{b}\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\n"
                   f"Content-Disposition: attachment; filename=\"{name}\"\r\n"
                   f"Content-Transfer-Encoding: base64\r\n\r\n{base64_lines(data)}")
    out.append(f"--{b}--\r\n")
    return "".join(out)


def quoted_printable(rng, n):
    return (header(rng, n, "text/plain; charset=utf-8",
                   "Content-Transfer-Encoding: quoted-printable\r\n") + qp_body(rng, rng.randint(20, 200)))


def forwarded(rng, n, depth=1):
    b = f"=_fwd_{n}_{depth}_{rng.randrange(10**9)}"
    inner = (forwarded(rng, n, depth + 1) if depth < 3 and rng.random() < 0.4
             else rng.choice((plain, alternative, mixed, quoted_printable))(rng, n))
    return (header(rng, n, f'multipart/mixed; boundary="{b}"') +
            f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nForwarded below.\r\n"
            f"--{b}\r\nContent-Type: message/rfc822\r\n\r\n{inner}--{b}--\r\n")


SHAPES = ((plain, 30), (alternative, 20), (mixed, 25), (quoted_printable, 15), (forwarded, 10))


def make_corpus(directory, megabytes, seed=13):
    rng = random.Random(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    shapes = [s for s, weight in SHAPES for _ in range(weight)]
    total, n, files = 0, 0, []
    while total < megabytes * 1_000_000:
        data = rng.choice(shapes)(rng, n).encode("ascii")
        path = directory / f"{n:06d}.eml"
        path.write_bytes(data)
        files.append(str(path))
        total += len(data)
        n += 1
    return files, total


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--megabytes", type=float, default=200)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("directory")
    a = p.parse_args()
    files, total = make_corpus(a.directory, a.megabytes, a.seed)
    print(f"{len(files)} messages, {total / 1e6:.1f} MB in {a.directory}")


if __name__ == "__main__":
    main()
