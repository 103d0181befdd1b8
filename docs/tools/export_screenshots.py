#!/usr/bin/env python3
"""Pictures of `maillab export` for docs/export.md, taken in headless Chromium.

Exports scenarios/classic.json as an HTML page and as an SVG, then shoots:

    docs/images/export-html-en.png   the stepping page at its 11th event (AUTH PLAIN)
    docs/images/export-html-zh.png   the same page in Chinese (--lang zh)
    docs/images/export-svg.png       the SVG of seq 36-100 (the message text, the queue, the MX
                                     lookup and the relay hop), as a browser renders it

Needs Debian's chromium, chromium-driver and python3-selenium (run it with /usr/bin/python3):

    /usr/bin/python3 docs/tools/export_screenshots.py [--maillab build/cli/maillab] [--out docs/images]

Chromium and chromedriver are stopped at the end, also when something fails.
"""

from __future__ import annotations

import argparse
import shutil
import xml.etree.ElementTree as ET
import subprocess
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "classic.json"


def export(maillab: str, out: Path, *args: str) -> None:
    subprocess.run([maillab, "export", str(SCENARIO), "-o", str(out), *args], check=True)


def browser(profile: Path, width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--user-data-dir={profile}", f"--window-size={width},{height}",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


def shoot_page(driver: webdriver.Chrome, page: Path, target: Path, steps: int) -> None:
    driver.get(page.resolve().as_uri())
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "ev-seq").text.strip())
    body = driver.find_element(By.TAG_NAME, "body")
    for _ in range(steps):
        body.send_keys(Keys.ARROW_RIGHT)
    driver.save_screenshot(str(target))
    print(f"wrote {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maillab", default=str(ROOT / "build" / "cli" / "maillab"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="maillab-export-shots-") as tmp_name:
        tmp = Path(tmp_name)
        export(args.maillab, tmp / "classic.html")
        export(args.maillab, tmp / "classic-zh.html", "--lang", "zh")
        export(args.maillab, tmp / "classic.svg", "--from", "36", "--until", "100")
        driver = browser(tmp / "profile", 1440, 900)
        try:
            # The 11th event is AUTH PLAIN: a command, its bytes, both explanations.
            shoot_page(driver, tmp / "classic.html", out / "export-html-en.png", 10)
            shoot_page(driver, tmp / "classic-zh.html", out / "export-html-zh.png", 10)
            width = float(ET.parse(tmp / "classic.svg").getroot().get("width"))
            driver.set_window_size(min(int(width) + 20, 1920), 1000)
            driver.get((tmp / "classic.svg").resolve().as_uri())
            driver.save_screenshot(str(out / "export-svg.png"))
            print(f"wrote {out / 'export-svg.png'}")
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
