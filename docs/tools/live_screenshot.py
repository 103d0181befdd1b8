"""The live-class picture of docs/gui.md: maillab-gui --serve under a private Xvfb, Python's
smtplib sends alice's mail, poplib and imaplib read it as bob, then SIGUSR1 asks the GUI for a
screenshot of the moment and SIGTERM stops it (the same helpers as tests/gui/test_gui_live.py).

Usage: python3 docs/tools/live_screenshot.py BUILD_DIR OUT.png [WxH]"""
from __future__ import annotations

import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "gui"))
import test_gui_live as live  # noqa: E402


def main() -> int:
    build, out = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
    size = tuple(int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "1600x1000").split("x"))
    gui_bin = str((build / "gui" / "maillab-gui").resolve())
    xvfb = live.Xvfb(size)
    env = dict(live.os.environ, DISPLAY=xvfb.display)
    with tempfile.TemporaryDirectory(prefix="maillab-live-shot-") as tmp:
        work = Path(tmp)
        smtp, pop3, imap = live.free_ports(3)
        cmd = [gui_bin, "--serve", "--smtp-port", str(smtp), "--smtps-port", "0",
               "--pop3-port", str(pop3), "--pop3s-port", "0", "--imap-port", str(imap),
               "--imaps-port", "0", "--http-port", "0", "--tls-dir", str(work / "tls"),
               "--record", str(work / "class.jsonl"), "--screenshot", str(out),
               "--after-events", "1000000000", "--size", f"{size[0]}x{size[1]}"]
        for user in live.USERS:
            cmd += ["--user", user]
        gui = live.Process(cmd, work, "gui", env=env)
        try:
            gui.wait_for(r"^ready; close the window to stop$")
            live.send_and_read_mail(smtp, pop3, imap, "Live class")
            time.sleep(1.0)  # the last events reach the GUI; it follows the newest
            gui.signal(signal.SIGUSR1)
            print(gui.wait_for(r"^wrote .*$")[0].group(0))
        finally:
            rc = gui.stop()
            xvfb.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
