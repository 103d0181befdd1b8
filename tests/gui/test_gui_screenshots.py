"""maillab-gui renders real frames under Xvfb: the panels are drawn, Chinese switches the
interface, a recording from `maillab run` opens, and a damaged file gets a clear error."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from png_reader import read_png, region_stats

GUI = os.environ.get("MAILLAB_GUI_BIN", "")
CLI = os.environ.get("MAILLAB_BIN", "")


def render(*args: str, size: str = "1280x800") -> subprocess.CompletedProcess:
    w, h = size.split("x")
    cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {w}x{h}x24", GUI, *args, "--size", size]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


class GuiScreenshots(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not GUI or not Path(GUI).exists():
            raise RuntimeError("set MAILLAB_GUI_BIN to the maillab-gui binary")
        if not shutil.which("xvfb-run"):
            raise RuntimeError("xvfb-run is missing (Debian package xvfb)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="maillab-gui-")
        cls.dir = Path(cls.tmp.name)
        cls.trace = cls.dir / "demo.jsonl"
        subprocess.run([CLI, "run", "--quiet", "--trace", str(cls.trace)], check=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def shot(self, name: str, *args: str, size: str = "1280x800") -> tuple[int, int, list[bytes]]:
        out = self.dir / name
        result = render(*args, "--screenshot", str(out), size=size)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertTrue(out.exists(), result.stderr)
        return read_png(out)

    def test_every_panel_is_drawn(self):
        w, h, rows = self.shot("en.png", str(self.trace), "--cursor", "40")
        self.assertEqual((w, h), (1280, 800))
        colours, busy = region_stats(rows, 0, 0, w, h)
        self.assertGreater(colours, 100, "a real frame has text, lines and colours")
        # Each quadrant of the layout has drawn content, not an empty background.
        for name, box in {"timeline": (0, 0, w, 90), "sequence": (0, 110, int(w * 0.58), 480),
                          "log": (0, 520, int(w * 0.58), h), "inspector": (int(w * 0.6), 110, w, 400),
                          "states": (int(w * 0.6), 460, w, h)}.items():
            c, share = region_stats(rows, *box)
            self.assertGreater(c, 8, f"{name} looks empty")
            self.assertGreater(share, 0.02, f"{name} looks empty")

    def test_a_clients_state_change_draws_the_clients_machine(self):
        """Selecting ua.alice's EHLO -> AUTH draws the SMTP client's machine (AUTH lit in SMTP
        blue, the edge from EHLO in gold); selecting the server's WAIT_HELO -> READY of the same
        connection draws the server's, which has no AUTH lit: the two panels differ."""
        import json
        from test_gui_live import count_colour
        seqs = {}
        with open(self.trace, encoding="utf-8") as f:
            next(f)
            for line in f:
                e = json.loads(line)
                if e["kind"] == "state" and e.get("conn") == 1:
                    seqs.setdefault((e["machine"], e["to_state"]), e["seq"])
        client = seqs[("smtp.client", "AUTH")]
        server = seqs[("smtp.server", "READY")]
        w, h, client_rows = self.shot("client-machine.png", str(self.trace), "--cursor", str(client))
        _, _, server_rows = self.shot("server-machine.png", str(self.trace), "--cursor", str(server))
        states = (int(w * 0.6), 460, w, h)

        def lit_rows(rows):  # (pixels, mean row) of the lit state's SMTP blue
            x0, y0, x1, y1 = states
            ys = [y for y in range(y0, y1) for x in range(x0, x1)
                  if all(abs(rows[y][3 * x + i] - c) <= 25 for i, c in enumerate((76, 141, 217)))]
            return len(ys), sum(ys) / max(len(ys), 1)

        self.assertGreater(count_colour(client_rows, states, (255, 220, 60), 10), 30,
                           "no gold last transition in the client's machine")
        client_lit, client_y = lit_rows(client_rows)
        server_lit, server_y = lit_rows(server_rows)
        self.assertGreater(client_lit, 300, "the client's current state is not lit")
        self.assertGreater(server_lit, 300, "the server's current state is not lit")
        # AUTH sits on the client's second row; READY on the server's first.
        self.assertGreater(client_y, server_y + 25, "the server's machine was drawn for the client")

    def test_chinese_interface_differs_from_english(self):
        _, _, en = self.shot("en2.png", str(self.trace), "--cursor", "20")
        _, _, zh = self.shot("zh.png", str(self.trace), "--cursor", "20", "--lang", "zh")
        timeline_en = b"".join(r[: 3 * 700] for r in en[:60])
        timeline_zh = b"".join(r[: 3 * 700] for r in zh[:60])
        self.assertNotEqual(timeline_en, timeline_zh)

    def test_built_in_demo_and_presentation_mode(self):
        w, h, rows = self.shot("present.png", "--run", "--present", "--future", "hide",
                               "--cursor", "12")
        colours, _ = region_stats(rows, 0, 0, w, h)
        self.assertGreater(colours, 50)

    def test_hidden_future_is_not_drawn(self):
        _, _, hidden = self.shot("hidden.png", str(self.trace), "--cursor", "3", "--future", "hide")
        _, _, shown = self.shot("shown.png", str(self.trace), "--cursor", "3", "--future", "show")
        w = 1280
        # Below the first rows of the diagram (under the view tabs): only lifelines when the
        # future is hidden.
        box = (0, 340, int(w * 0.58), 520)
        _, hidden_share = region_stats(hidden, *box)
        _, shown_share = region_stats(shown, *box)
        self.assertLess(hidden_share * 2, shown_share, "later rows appear only when shown")

    def test_teacher_notes_show_and_a_cut_off_recording_warns(self):
        annotated = self.dir / "annotated.jsonl"
        shutil.copy(self.trace, annotated)
        subprocess.run([CLI, "annotate", str(annotated), "--seq", "40", "--note",
                        "Look: the server stores the message only after the lone dot."],
                       check=True, timeout=60, capture_output=True)
        w, h, plain = self.shot("plain40.png", str(self.trace), "--cursor", "40")
        _, _, noted = self.shot("noted40.png", str(annotated), "--cursor", "40")
        inspector = (int(w * 0.6), 110, w, 400)
        def crop(rows, box):
            x0, y0, x1, y1 = box
            return b"".join(r[3 * x0: 3 * x1] for r in rows[y0:y1])
        self.assertNotEqual(crop(plain, inspector), crop(noted, inspector),
                            "the note is drawn in the inspector")
        # A recording cut off mid-line opens, and the warning names the line.
        cut = self.dir / "cut.jsonl"
        data = self.trace.read_bytes()
        cut.write_bytes(data[: data.index(b"\n", len(data) // 2) + 30])
        result = render(str(cut), "--screenshot", str(self.dir / "cut.png"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stderr, r"cut\.jsonl:\d+: last line is incomplete")

    def test_bad_file_and_bad_cursor_get_clear_errors(self):
        bad = self.dir / "bad.jsonl"
        bad.write_text('{"format":"maillab-trace","version":1}\n{"seq":1}\n')
        result = subprocess.run([GUI, str(bad)], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1)
        self.assertIn("bad.jsonl:2", result.stderr)
        result = render(str(self.trace), "--cursor", "999999", "--screenshot",
                        str(self.dir / "x.png"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("no event with that seq", result.stderr)


if __name__ == "__main__":
    unittest.main()
