"""`maillab mime --json` against Python's email package (policy=default) on the project's own
corpus (tests/mime/corpus) and, when the machine has it, Python's own test corpus
(test/test_email/data/msg_*.txt, Debian package libpython3.11-testsuite).

Compared: the tree, content types and parameters, decoded Subject/From/To, raw Date, and for
each leaf the transfer encoding, disposition, decoded file name, decoded size and SHA-256, and
the SHA-256 of the text converted to UTF-8. Defects are named differently by the two parsers and
are not compared. Where Python is wrong, the file is listed in KNOWN with the reason, and
docs/mime.md carries the same list."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from python_canonical import canonical_bytes  # noqa: E402

HERE = Path(__file__).resolve().parent
MAILLAB = os.environ.get("MAILLAB_BIN", "")

# file name -> why maillab and Python disagree (and why maillab's answer is the right one)
KNOWN: dict[str, str] = {
    "bad_base64.eml": "9 base64 characters (one more than a multiple of 4) after a stray '*': "
                      "Python gives up and returns the undecoded text (InvalidBase64LengthDefect); "
                      "maillab decodes the 6 complete bytes and records base64_padding and "
                      "invalid_base64_character, so a reader gets the data that is there.",
    "msg_15.txt": "Python does not remove trailing whitespace from quoted-printable lines; "
                  "RFC 2045 6.7 rule 3 says a decoder must (transport agents add it), so "
                  "'Some removed test. ' decodes to 19 bytes, not 20. The inner multipart reuses "
                  "the outer boundary; maillab gives its empty body 0 bytes, Python 1 (a lone LF "
                  "that belongs to the next delimiter line, RFC 2046 5.1.1).",
    "msg_37.txt": "Consecutive delimiter lines: RFC 2046 5.1.1 makes every delimiter start a body "
                  "part, so maillab reports the empty parts between them (7 parts); Python "
                  "skips them (3 parts).",
    "msg_42.txt": "An enclosed multipart whose only delimiter is the close delimiter: maillab "
                  "keeps its 8 body bytes (the close delimiter line), Python reports an empty body.",
}


def corpus_files() -> list[Path]:
    files = sorted((HERE / "corpus").glob("*.eml"))
    stdlib = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"
    files += sorted(stdlib.glob("msg_*.txt"))
    return files


def strip_defects(node: dict) -> dict:
    node = dict(node)
    node.pop("defects", None)
    if "parts" in node:
        node["parts"] = [strip_defects(p) for p in node["parts"]]
    return node


def differences(ours: dict, theirs: dict, path: str = "") -> list[str]:
    out = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key, "<missing>"), theirs.get(key, "<missing>")
        if key == "parts" and isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"{path}/parts: {len(a)} parts here, {len(b)} in Python")
                continue
            for i, (x, y) in enumerate(zip(a, b)):
                out += differences(x, y, f"{path}/parts[{i}]")
        elif a != b:
            out.append(f"{path}/{key}: maillab {a!r} vs Python {b!r}")
    return out


class MimeAgreesWithPython(unittest.TestCase):
    def test_corpus(self):
        if not MAILLAB:
            self.fail("set MAILLAB_BIN to the maillab binary")
        files = corpus_files()
        self.assertGreaterEqual(len(files), 10)
        result = subprocess.run([MAILLAB, "mime", "--json", *map(str, files)],
                                capture_output=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr.decode(errors="replace"))
        lines = result.stdout.decode("utf-8").splitlines()
        self.assertEqual(len(lines), len(files))
        failures = []
        agreed = 0
        for path, line in zip(files, lines):
            ours = strip_defects(json.loads(line))
            theirs = strip_defects(canonical_bytes(path.read_bytes()))
            diff = differences(ours, theirs)
            if not diff:
                agreed += 1
                if path.name in KNOWN:
                    failures.append(f"{path.name}: listed in KNOWN but now agrees; remove it "
                                    "from KNOWN and docs/mime.md")
            elif path.name not in KNOWN:
                failures.append(f"{path.name}:\n  " + "\n  ".join(diff[:6]))
        print(f"\n{agreed}/{len(files)} messages agree with Python's email package; "
              f"{len(KNOWN)} known disagreements", file=sys.stderr)
        self.assertFalse(failures, "\n" + "\n".join(failures))


if __name__ == "__main__":
    unittest.main()
