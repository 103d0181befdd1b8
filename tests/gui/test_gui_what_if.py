"""The What if tab of maillab-gui under Xvfb: opened straight into a branch of the classic
scenario (the relay's RCPT names a user bob's server does not have), it shows the edit in gold
and the differing replies in red in the view area, differently in Chinese; a seq that is not a
client command and --whatif-at on a recording are refused with a message."""
from __future__ import annotations

import unittest

from test_gui_world_views import ROOT, GuiScreenshots, count_colour, golden_seq, views_box

# Tall enough for the outcome lines, the shared rows and the changed reply in the view area.
SIZE = (1600, 1000)
VIEWS = views_box(*SIZE)
# gui/what_if_panel.cpp's cell backgrounds.
EDIT_GOLD = (100, 78, 10)
DIFFERS_RED = (125, 32, 32)


class WhatIfView(GuiScreenshots):
    size = SIZE

    def test_branch_beside_the_original(self):
        rcpt = golden_seq("classic", "RCPT TO:<bob@b.example>", kind="command", **{"from": "mail.a.example"})
        args = ["scenarios/classic.json", "--whatif-at", str(rcpt),
                "--whatif-replace", "RCPT TO:<nobody@b.example>"]
        en = self.shot("whatif-en.png", *args)
        self.assertGreater(count_colour(en, VIEWS, EDIT_GOLD, tolerance=6), 500, "the edit row in gold")
        self.assertGreater(count_colour(en, VIEWS, DIFFERS_RED, tolerance=6), 500, "differing replies in red")
        zh = self.shot("whatif-zh.png", *args, "--lang", "zh")
        self.assertNotEqual(b"".join(en[VIEWS[1]:VIEWS[3]]), b"".join(zh[VIEWS[1]:VIEWS[3]]))
        # Without the edit the same frame has neither colour in the view area.
        plain = self.shot("plain.png", "scenarios/classic.json", "--cursor", str(rcpt))
        self.assertLess(count_colour(plain, VIEWS, DIFFERS_RED, tolerance=6), 50)

    def test_refusals(self):
        result = self.run_gui("scenarios/classic.json", "--whatif-at", "1", "--whatif-skip",
                              "--screenshot", str(self.dir / "x.png"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("seq 1 is a note", result.stderr)
        result = self.run_gui(str(ROOT / "tests" / "golden" / "classic.jsonl"), "--whatif-at", "9",
                              "--whatif-skip", "--screenshot", str(self.dir / "y.png"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("needs a scenario file", result.stderr)


if __name__ == "__main__":
    unittest.main()
