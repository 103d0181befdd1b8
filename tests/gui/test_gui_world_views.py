"""The whole-world views of maillab-gui under Xvfb: the topology during the webmail scenario's
HTTP path, the mailboxes with a MIME part's encoded body highlighted, the relay queue in the
state panel, POP3 and IMAP side by side, and following one mail. Each test renders real frames
and looks at the pixels of the region where the view is drawn (the layout is fixed for
screenshots: at 1280x800 the views take the left 58 % below the 112-pixel timeline)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from png_reader import read_png, region_stats

GUI = os.environ.get("MAILLAB_GUI_BIN", "")
ROOT = Path(__file__).resolve().parents[2]
SIZE = (1280, 800)
TIMELINE_H = 112


def views_box(w: int, h: int) -> tuple[int, int, int, int]:
    """The main view area (gui/app.cpp's fixed layout), below its title and tab bar."""
    return (0, TIMELINE_H + 30, int(w * 0.58), TIMELINE_H + int((h - TIMELINE_H) * 0.62))


VIEWS = views_box(*SIZE)
STATES = (int(SIZE[0] * 0.58), TIMELINE_H + int((SIZE[1] - TIMELINE_H) * 0.55), SIZE[0], SIZE[1])

# gui/colors.cpp's protocol colours (normal contrast: each channel x 0.85).
HTTP = (173, 98, 217)
POP3 = (76, 184, 87)
IMAP = (217, 130, 43)
SMTP = (76, 141, 217)
HOP_TAG = (56, 42, 2)  # the background of the followed mail's hop numbers


def golden_seq(scenario: str, prefix: str, **fields) -> int:
    """The seq of the first event of a scenario's golden trace whose text starts with `prefix`
    (a scenario gives the same trace every run, so the GUI shows the same seq)."""
    with open(ROOT / "tests" / "golden" / f"{scenario}.jsonl", encoding="utf-8") as f:
        next(f)
        for line in f:
            e = json.loads(line)
            if e.get("text", "").startswith(prefix) and all(e.get(k) == v for k, v in fields.items()):
                return e["seq"]
    raise AssertionError(f"no event in {scenario} starting with {prefix!r}")


def count_colour(rows, box, colour, tolerance=22) -> int:
    x0, y0, x1, y1 = box
    n = 0
    for y in range(y0, y1):
        row = rows[y]
        for x in range(x0, x1):
            r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
            if abs(r - colour[0]) <= tolerance and abs(g - colour[1]) <= tolerance and abs(b - colour[2]) <= tolerance:
                n += 1
    return n


def count_where(rows, box, test) -> int:
    x0, y0, x1, y1 = box
    return sum(1 for y in range(y0, y1) for x in range(x0, x1)
               if test(rows[y][3 * x], rows[y][3 * x + 1], rows[y][3 * x + 2]))


class GuiScreenshots(unittest.TestCase):
    """maillab-gui frames under xvfb-run, written to a temporary folder and read back as rows of
    RGB; `size` is the window's unless a call names another. Shared by the GUI's view tests."""
    size = SIZE

    @classmethod
    def setUpClass(cls):
        if not GUI or not Path(GUI).exists():
            raise RuntimeError("set MAILLAB_GUI_BIN to the maillab-gui binary")
        if not shutil.which("xvfb-run"):
            raise RuntimeError("xvfb-run is missing (Debian package xvfb)")
        cls.tmp = tempfile.TemporaryDirectory(prefix=f"maillab-gui-{cls.__name__}-")
        cls.dir = Path(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_gui(self, *args: str, size=None) -> subprocess.CompletedProcess:
        w, h = size or self.size
        cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {w}x{h}x24", GUI, *args, "--size", f"{w}x{h}"]
        # Scenario paths are relative to the source tree, as in class.
        return subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=ROOT)

    def shot(self, name: str, *args: str, size=None):
        out = self.dir / name
        result = self.run_gui(*args, "--screenshot", str(out), size=size)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        return read_png(out)[2]


class WorldViews(GuiScreenshots):
    def test_topology_during_the_webmail_http_path(self):
        post = golden_seq("webmail", "POST /send")
        rows = self.shot("topology.png", "scenarios/webmail.json", "--cursor", str(post),
                         "--view", "topology")
        colours, busy = region_stats(rows, *VIEWS)
        self.assertGreater(colours, 40, "the topology is drawn")
        self.assertGreater(busy, 0.05)
        # The HTTP legs (and the envelope's link) in their colour, the relay and the
        # submission in SMTP's, the retrieval legs in IMAP's.
        self.assertGreater(count_colour(rows, VIEWS, HTTP), 150, "HTTP links drawn")
        self.assertGreater(count_colour(rows, VIEWS, SMTP), 100, "SMTP links drawn")
        self.assertGreater(count_colour(rows, VIEWS, IMAP), 100, "IMAP links drawn")
        # The envelope on the HTTP link: a near-white block.
        self.assertGreater(count_where(rows, VIEWS, lambda r, g, b: r > 240 and g > 240 and b > 230), 150)
        sequence = self.shot("sequence.png", "scenarios/webmail.json", "--cursor", str(post))
        self.assertNotEqual(b"".join(rows[VIEWS[1]:VIEWS[3]]), b"".join(sequence[VIEWS[1]:VIEWS[3]]),
                            "--view topology shows another picture than the sequence diagram")

    def test_mailbox_mime_part_highlighted_in_the_raw_source(self):
        # Large enough for the whole image part (its boundary, header and base64 lines) in view.
        size = (1600, 1000)
        image = self.shot("mime2.png", "scenarios/webmail.json", "--view", "mailboxes", "--part", "2", size=size)
        text = self.shot("mime1.png", "scenarios/webmail.json", "--view", "mailboxes", "--part", "1", size=size)
        views = views_box(*size)
        source = (int(size[0] * 0.2), views[1] + 150, views[2], views[3])
        def green(r, g, b):
            return g > r + 30 and g > b + 15 and g > 60 and r < 120
        def magenta(r, g, b):
            return r > g + 50 and b > g + 50
        # Part 2 is base64: its encoded lines are highlighted; part 1 (7bit text) has none (only
        # the legend's swatch is that green).
        self.assertGreater(count_where(image, source, green), 3000, "encoded body highlighted")
        self.assertLess(count_where(text, source, green), 600)
        # Both show the boundary lines of the selected part.
        self.assertGreater(count_where(image, source, magenta), 3000)
        self.assertGreater(count_where(text, source, magenta), 3000)

    def test_relay_queue_in_the_state_panel(self):
        deferred = golden_seq("failures", "queue 2: deferred")
        rows = self.shot("queue.png", "scenarios/failures.json", "--cursor", str(deferred))
        x0, y0, x1, y1 = STATES
        queue_part = (x0, y0 + int((y1 - y0) * 0.6), x1, y1 - 4)
        colours, busy = region_stats(rows, *queue_part)
        self.assertGreater(colours, 20, "the queue's machine and entries are drawn")
        self.assertGreater(busy, 0.05)
        # The lit state of the entry (the queue machine is an SMTP one).
        self.assertGreater(count_colour(rows, queue_part, SMTP, 30), 150)

    def test_pop3_and_imap_side_by_side(self):
        rows = self.shot("side.png", "scenarios/pop3-vs-imap.json", "--view", "side-by-side")
        x0, y0, x1, y1 = VIEWS
        middle = (x0 + x1) // 2
        left, right = (x0, y0, middle, y1), (middle, y0, x1, y1)
        # The default pair: the desktop's POP3 on the left, the phone's IMAP on the right.
        self.assertGreater(count_colour(rows, left, POP3), 150, "POP3 lane")
        self.assertGreater(count_colour(rows, right, IMAP), 150, "IMAP lane")
        self.assertLess(count_colour(rows, left, IMAP), count_colour(rows, right, IMAP) // 3)
        self.assertLess(count_colour(rows, right, POP3), count_colour(rows, left, POP3) // 3)

    def test_follow_one_mail_and_clear_errors(self):
        mail = "<590fc4ab7f57b05fde3d3ed962e60fe4@webmail.a.example>"
        rows = self.shot("follow.png", "scenarios/webmail.json", "--view", "topology", "--follow", mail)
        self.assertGreater(count_colour(rows, VIEWS, HOP_TAG, 10), 500, "the mail's hop numbers")
        plain = self.shot("nofollow.png", "scenarios/webmail.json", "--view", "topology")
        self.assertLess(count_colour(plain, VIEWS, HOP_TAG, 10), 50)
        result = self.run_gui("scenarios/webmail.json", "--follow", "<nobody@nowhere>", "--screenshot",
                              str(self.dir / "x.png"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("no event carries that Message-ID", result.stderr)
        result = self.run_gui("scenarios/pop3-vs-imap.json", "--compare", "5,99", "--screenshot",
                              str(self.dir / "y.png"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("no connection 99", result.stderr)


if __name__ == "__main__":
    unittest.main()
