"""maillab-gui keeps the teacher's layout and choices between runs (gui/settings.hpp): the
window layout and a [Maillab][Choices] section in $XDG_CONFIG_HOME/maillab/maillab-gui.ini,
written when the GUI ends (here by SIGTERM, which closes it cleanly). A later run starts with
those choices; an option given on the command line wins; a damaged or foreign value in the file
is ignored rather than stopping the GUI."""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from test_gui_live import Xvfb

GUI = os.environ.get("MAILLAB_GUI_BIN", "")
SOURCE = Path(__file__).resolve().parents[2]
SETTLE_SECONDS = 5.0  # time for the window to open and draw frames before it is asked to end


@unittest.skipUnless(GUI, "MAILLAB_GUI_BIN is not set")
class SavedChoices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.xvfb = Xvfb()

    @classmethod
    def tearDownClass(cls):
        cls.xvfb.stop()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.config = Path(self.tmp.name) / "config"
        self.ini = self.config / "maillab" / "maillab-gui.ini"

    def tearDown(self):
        self.tmp.cleanup()

    def run_gui(self, *args: str) -> dict[str, str]:
        """Runs the GUI on the classic scenario, ends it with SIGTERM, returns the saved choices."""
        env = dict(os.environ, DISPLAY=self.xvfb.display, XDG_CONFIG_HOME=str(self.config))
        proc = subprocess.Popen([GUI, str(SOURCE / "scenarios" / "classic.json"), *args],
                                env=env, cwd=self.tmp.name, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        try:
            time.sleep(SETTLE_SECONDS)
            if proc.poll() is not None:
                self.fail("the GUI ended by itself: " + proc.stderr.read().decode(errors="replace"))
            os.kill(proc.pid, signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.assertEqual(proc.returncode, 0, err.decode(errors="replace"))
        self.assertTrue(self.ini.exists(), f"no {self.ini} after the GUI ended")
        return self.choices()

    def choices(self) -> dict[str, str]:
        section, found = None, {}
        for line in self.ini.read_text().splitlines():
            if line.startswith("["):
                section = line
            elif section == "[Maillab][Choices]" and "=" in line:
                key, value = line.split("=", 1)
                found[key] = value
        return found

    def test_choices_and_layout_survive_a_restart_and_the_command_line_wins(self):
        first = self.run_gui("--lang", "zh", "--view", "topology", "--future", "hide")
        self.assertEqual((first["lang"], first["view"], first["future"]), ("zh", "topology", "hide"))
        # The layout is in the same file: the windows the GUI draws.
        text = self.ini.read_text()
        for window in ("###timeline", "###log", "###inspector", "###states"):
            self.assertRegex(text, r"\[Window\]\[[^\]]*" + window + r"\]\nPos=")

        # No options: the saved choices are taken up (and written back as they are).
        second = self.run_gui()
        self.assertEqual((second["lang"], second["view"], second["future"]), ("zh", "topology", "hide"))

        # An option on the command line wins; the other choices stay.
        third = self.run_gui("--lang", "en")
        self.assertEqual((third["lang"], third["view"], third["future"]), ("en", "topology", "hide"))

    def test_a_damaged_value_is_ignored(self):
        self.ini.parent.mkdir(parents=True)
        self.ini.write_text("[Maillab][Choices]\nlang=klingon\nspeed=fast\nview=topology\n"
                            "future=sideways\nstep=exchange\nno equals sign\n")
        saved = self.run_gui()
        self.assertEqual(saved["lang"], "en")       # the default, not "klingon"
        self.assertEqual(saved["future"], "dim")    # the default, not "sideways"
        self.assertEqual(saved["speed"], "1")       # the default, not "fast"
        self.assertEqual(saved["view"], "topology")  # the good values are kept
        self.assertEqual(saved["step"], "exchange")


if __name__ == "__main__":
    unittest.main()
