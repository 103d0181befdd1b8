"""The merged-view picture of docs/class-network.md: two `maillab serve classic.json --as HOST
--publish-trace 0` (the students' machines) and `maillab-gui --attach ... --attach ...` under a
private Xvfb following both traces merged; Alice's mail is sent with smtplib and relayed from one
machine to the other, and SIGUSR1 asks for the picture once the relay hop has ended (the views
follow the newest event, so the hop between the machines is on screen). The same helpers as
tests/gui/test_gui_class_view.py.

Usage: python3 docs/tools/class_view_screenshot.py BUILD_DIR OUT.png [WxH]"""
from __future__ import annotations

import os
import signal
import sys
import time
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "gui"))
build = Path(sys.argv[1]).resolve()
os.environ.setdefault("MAILLAB_BIN", str(build / "cli" / "maillab"))
os.environ.setdefault("MAILLAB_GUI_BIN", str(build / "gui" / "maillab-gui"))
import test_gui_class_view as cv  # noqa: E402
import test_gui_live as live  # noqa: E402


def main() -> int:
    out = Path(sys.argv[2]).resolve()
    size = sys.argv[3] if len(sys.argv) > 3 else "1600x1000"
    w, h = (int(v) for v in size.split("x"))
    xvfb = live.Xvfb((w, h))
    env = dict(os.environ, DISPLAY=xvfb.display)
    with tempfile.TemporaryDirectory(prefix="maillab-class-shot-") as tmp:
        work = Path(tmp)
        pair = cv.ClassPair(work, env)
        gui = None
        try:
            gui = live.Process([cv.GUI, "--size", size, "--token", cv.TOKEN,
                                "--attach", pair.a_published, "--attach", pair.b_published,
                                "--view", "sequence", "--screenshot", str(out),
                                "--after-events", "1000000000"], work, "gui", env=env)
            gui.wait_for(r"^source mail\.\w\.example\s", count=2)
            pair.send()
            pair.wait_settled()
            time.sleep(2.0)  # past the GUI's one-second hold: every event is on screen
            gui.signal(signal.SIGUSR1)
            print(gui.wait_for(r"^wrote .*$", timeout=60)[0].group(0))
        finally:
            rc = gui.stop() if gui else 1
            pair.stop()
            xvfb.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
