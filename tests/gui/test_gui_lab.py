"""The Lab panel of maillab-gui under Xvfb: lab 01 done to the end by typing into the real
window with xdotool (answers, protocol lines, an empty line inside DATA, :done), as a student
would; the panel's checkpoints are green in the screenshot taken at the end, the other panels
follow the lab's trace, and the score is the grader's. The same lab typed from a file
(--lab-input) gives a screenshot without a window manager or keyboard, and bad options get
clear messages. Every process is stopped by its pid."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from png_reader import read_png, region_stats
from test_gui_live import Process, Xvfb
from test_gui_world_views import GuiScreenshots, count_colour

GUI = os.environ.get("MAILLAB_GUI_BIN", "")
ROOT = Path(__file__).resolve().parents[2]
SIZE = (1280, 800)
TIMELINE_H = 112
LAB = ROOT / "labs" / "01-smtp-by-hand.json"
# The Lab panel is the right 36 % below the timeline (gui/app.cpp); its checkpoint squares and
# passed texts are this green (gui/lab_panel.cpp).
LAB_BOX = (int(SIZE[0] * 0.64) + 4, TIMELINE_H, SIZE[0], SIZE[1])
PASSED_GREEN = (60, 205, 90)
SMTP = (76, 141, 217)


def typed_lines(lab: Path) -> list[str]:
    """What a student types for the lab's model solution: each step's predictions, its lines,
    then the questions asked after the checks (the order of the Lab panel's input line)."""
    spec = json.loads(lab.read_text(encoding="utf-8"))
    out: list[str] = []
    for script in spec["solution"]["steps"]:
        step = next(s for s in spec["steps"] if s["id"] == script["step"])
        answers = script.get("answers", {})

        def answer(q) -> str:
            given = answers[q["id"]]
            return given[-1] if isinstance(given, list) else str(given)

        out += [answer(q) for q in step.get("questions", []) if q.get("when") == "before"]
        out += script["input"]
        out += [answer(q) for q in step.get("questions", []) if q.get("when", "after") == "after"]
    return out


class LabPanelByKeyboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not GUI or not Path(GUI).exists():
            raise RuntimeError("set MAILLAB_GUI_BIN to the maillab-gui binary")
        for tool in ("Xvfb", "xdotool"):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} is missing (Debian packages xvfb, xdotool)")
        cls.xvfb = Xvfb(SIZE)
        cls.env = dict(os.environ, DISPLAY=cls.xvfb.display)

    @classmethod
    def tearDownClass(cls):
        cls.xvfb.stop()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="maillab-gui-lab-")
        self.dir = Path(self.tmp.name)
        self.gui: Process | None = None

    def tearDown(self):
        if self.gui:
            self.gui.stop()
        self.tmp.cleanup()

    def xdotool(self, *args: str) -> str:
        result = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30, env=self.env)
        self.assertEqual(result.returncode, 0, f"xdotool {' '.join(args)}: {result.stderr}")
        return result.stdout

    def press_enter(self):
        # Down and up apart, so the GUI sees Enter held in at least one frame.
        self.xdotool("keydown", "Return")
        time.sleep(0.15)
        self.xdotool("keyup", "Return")
        time.sleep(0.25)

    def test_lab_01_typed_into_the_window_to_the_end(self):
        png = self.dir / "lab.png"
        self.gui = Process([GUI, "--lab", str(LAB), "--screenshot", str(png), "--after-events", "0",
                            "--size", f"{SIZE[0]}x{SIZE[1]}"], self.dir, "gui", env=self.env)
        self.gui.wait_for(r"^wrote .* at \d+ events$")
        w, h, rows = read_png(png)
        self.assertEqual((w, h), SIZE)
        self.assertLess(count_colour(rows, LAB_BOX, PASSED_GREEN, tolerance=12), 50,
                        "nothing has passed yet, so nothing is green")
        window = self.xdotool("search", "--sync", "--name", "maillab — lab 01-smtp-by-hand").split()[0]
        # No window manager: give the window the keyboard and put the pointer on it.
        self.xdotool("windowfocus", "--sync", window)
        self.xdotool("mousemove", "--window", window, "640", "400")
        lines = typed_lines(LAB)
        self.assertIn("", lines, "the solution has an empty line (the end of the header in DATA)")
        for line in lines:
            if line:
                self.xdotool("type", "--delay", "15", line)
            self.press_enter()
        self.gui.wait_for(r"^lab: Score: (\d+) / \1 ", timeout=30)
        out = self.gui.output()
        checkpoints = sum(len(s.get("checkpoints", [])) for s in json.loads(LAB.read_text())["steps"])
        self.assertEqual(out.count("lab: ✓ checkpoint: "), checkpoints, out)
        self.assertNotIn("lab: [FAIL]", out)
        self.assertNotIn("Not right.", out)
        self.gui.signal(signal.SIGUSR1)
        self.gui.wait_for(r"^wrote .* at \d+ events$", count=2)
        w, h, rows = read_png(png)
        green = count_colour(rows, LAB_BOX, PASSED_GREEN, tolerance=12)
        self.assertGreater(green, 600, "the passed checkpoints are green in the Lab panel")
        # The sequence diagram (left of the panel) shows the SMTP session the student typed.
        self.assertGreater(count_colour(rows, (0, TIMELINE_H + 30, int(w * 0.64 * 0.58), h), SMTP), 200,
                           "the sequence diagram follows the lab's trace")


class LabPanelScripted(GuiScreenshots):
    def test_lab_input_file_screenshot_and_score(self):
        script = self.dir / "lab01.txt"
        script.write_text("\n".join(typed_lines(LAB)) + "\n", encoding="utf-8")
        out = self.dir / "scripted.png"
        result = self.run_gui("--lab", str(LAB), "--lab-input", str(script), "--screenshot", str(out))
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertRegex(result.stdout, r"(?m)^lab: Score: (\d+) / \1 ")
        _, _, rows = read_png(out)
        self.assertGreater(count_colour(rows, LAB_BOX, PASSED_GREEN, tolerance=12), 600)
        colours, busy = region_stats(rows, *LAB_BOX)
        self.assertGreater(colours, 30, "the panel has text in several colours")

    def test_chinese_panel_and_a_wrong_answer(self):
        script = self.dir / "wrong.txt"
        script.write_text("250\n220\nHELO pc.student\n:check\n", encoding="utf-8")
        out = self.dir / "zh.png"
        result = self.run_gui("--lab", str(LAB), "--lab-input", str(script), "--screenshot", str(out),
                              "--lang", "zh")
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("lab: Not right.", result.stdout)
        self.assertIn("lab: [FAIL] ", result.stdout)  # QUIT not sent yet
        self.assertIn("lab: ✓ checkpoint: ", result.stdout)

    def test_bad_options(self):
        result = self.run_gui("--lab", "scenarios/classic.json", "--screenshot", str(self.dir / "x.png"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("maillab-gui: ", result.stderr)
        self.assertIn("not a lab", result.stderr)
        result = self.run_gui("--lab-input", "x.txt")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--lab", result.stderr)
        result = self.run_gui("--lab", str(LAB), "--lab-input", str(self.dir / "missing.txt"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("cannot read it", result.stderr)
        result = self.run_gui("--lab", str(LAB), "scenarios/classic.json")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--lab opens a lab on its own", result.stderr)


if __name__ == "__main__":
    unittest.main()
