"""The messages the IMAP and POP3 benchmarks store: n messages of sizes spread evenly between
2 and 20 KB (seeded, so every run and both servers get the same bytes), CRLF line ends, no line
starting with "." (what is compared after POP3's dot-stuffing is then the message itself).

Every tenth message has the subject "quarterly report N", the others "note N": SEARCH SUBJECT
"quarterly" must find exactly those.
"""
import random

SEARCH_WORD = "quarterly"
WORDS = ("mail", "server", "relay", "mailbox", "envelope", "header", "body", "reply", "queue",
         "message", "student", "teacher", "protocol", "literal", "flag", "session")


def subject_of(i):
    return f"{SEARCH_WORD} report {i}" if i % 10 == 0 else f"note {i}"


def expected_search_hits(count):
    """Sequence numbers (1-based) whose subject holds SEARCH_WORD, for messages 0..count-1."""
    return {i + 1 for i in range(count) if i % 10 == 0}


def message(i, size, rng):
    head = (f"From: Sender {i % 50} <sender{i % 50}@bench.example>\r\n"
            f"To: bench@bench.example\r\n"
            f"Subject: {subject_of(i)}\r\n"
            f"Date: Mon, 07 Dec 2026 03:00:00 +0000\r\n"
            f"Message-ID: <bench-{i}@bench.example>\r\n"
            f"\r\n").encode()
    lines = []
    left = size - len(head)
    while left > 0:
        line = " ".join(rng.choice(WORDS) for _ in range(10))[:max(0, left - 2)]
        lines.append(line.encode() + b"\r\n")
        left -= len(line) + 2
    return head + b"".join(lines)


def messages(count, seed=13, smallest=2048, largest=20480):
    rng = random.Random(seed)
    return [message(i, rng.randint(smallest, largest), rng) for i in range(count)]
