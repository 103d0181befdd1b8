"""`maillab export`: every format from the classic and the webmail scenario, checked by the
tools that read them.

- transcript: the RFC 5321 appendix D style lines are there;
- SVG: parses as XML (xml.etree), has the scenario's hosts as participants and at least N
  arrows, and a long one is paginated into files that all parse;
- HTML: loaded from file:// in headless Chromium (Selenium + chromedriver), stepped with the
  keys and the buttons, filtered by protocol, with no error in the browser's console;
- Mermaid: parsed by Mermaid's own parser (the `mermaid` package from npm, version 10, with
  jsdom for the DOM it expects), installed at test time into a cache directory; a broken
  diagram must fail the same check;
- PlantUML: Debian's `plantuml` checks the syntax and renders each diagram to SVG without an
  error, and the rendered text shows the trace's text (escaping works); a broken one fails.

A hand-made trace whose texts hold every character some format gives a meaning (";", "#",
"<tag>", creole markup, "</script>") goes through Mermaid, PlantUML, the SVG and the page too.

Needs MAILLAB_BIN; node and npm (reaching the npm registry: the Mermaid test is skipped with a
message only when the registry cannot be reached); plantuml; chromium, chromium-driver and
python3-selenium (run with Debian's /usr/bin/python3):

    MAILLAB_BIN=$PWD/build/cli/maillab /usr/bin/python3 -m unittest discover \
        -s tests/integration -p 'test_export.py' -v

MAILLAB_NPM_DIR names the npm cache directory (default: maillab-npm-mermaid10 in the temporary
directory; it is reused while it holds the right versions).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also run as tests.integration.<module>

from maillab_server import maillab_bin  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {"classic": ROOT / "scenarios" / "classic.json",
             "webmail": ROOT / "scenarios" / "webmail.json"}
EXTENSIONS = {"transcript": "txt", "mermaid": "mmd", "plantuml": "puml", "svg": "svg",
              "html": "html"}
SVG_NS = "{http://www.w3.org/2000/svg}"
# Hosts each scenario's diagram must show, and how many arrows at least.
PARTICIPANTS = {
    "classic": {"pc.alice", "mail.a.example", "dns.example", "mail.b.example", "pc.bob"},
    "webmail": {"pc.alice", "webmail.a.example", "mail.a.example", "mail.b.example",
                "webmail.b.example", "pc.bob"},
}
MIN_ARROWS = {"classic": 40, "webmail": 200}

# The npm packages Mermaid's parser needs in Node: jsdom 22 still runs on Debian 12's Node 18.
NPM_PACKAGES = ["mermaid@10", "jsdom@22"]
NPM_DIR = Path(os.environ.get("MAILLAB_NPM_DIR",
                              Path(tempfile.gettempdir()) / "maillab-npm-mermaid10"))
NETWORK_ERRORS = ("ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET",
                  "ENETUNREACH", "EHOSTUNREACH", "network", "getaddrinfo", "socket hang up")

# Mermaid's parse() in Node: prints one JSON object per file, {"file", "ok", "error"}.
MERMAID_CHECK = r"""
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  try {
    await mermaid.parse(text);
    console.log(JSON.stringify({ file, ok: true }));
  } catch (e) {
    console.log(JSON.stringify({ file, ok: false, error: String(e && e.message || e).slice(0, 400) }));
  }
}
"""

HOSTILE = ("</script><script>alert(1)</script> <!-- # ; \" ' & %% $$x$$ `x` **b** __u__ --s-- "
           "//i// ~~w~~ ==h== [[http://x]] <U+0041> <$sprite> <b>b</b> a\\nb \u2028 end 你好")


def run_export(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([maillab_bin(), "export", *args], capture_output=True, text=True,
                            timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"maillab export {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stderr}")
    return result


def write_hostile_trace(path: Path) -> None:
    """A small trace in the JSON Lines format whose texts are all hostile."""
    t0 = 1736154000000000
    lines = [{"format": "maillab-trace", "version": 1, "clock": "virtual", "title": "hostile " + HOSTILE},
             {"seq": 1, "t_us": t0, "conn": 1, "proto": "tcp", "from": "pc.x", "to": "mail.y",
              "kind": "tcp", "text": "pc.x connects to mail.y (port 25 (smtp), in-memory link)",
              "action": "connect", "transport": "memory"},
             {"seq": 2, "t_us": t0 + 1000, "conn": 1, "proto": "smtp", "from": "pc.x", "to": "mail.y",
              "kind": "command", "text": "MAIL FROM:<a@x> " + HOSTILE,
              "raw": "MAIL FROM:<a@x> " + HOSTILE + "\r\n", "explain": "smtp.cmd.MAIL",
              "verb": "MAIL", "args": HOSTILE},
             {"seq": 3, "t_us": t0 + 2000, "cause": 2, "conn": 1, "proto": "smtp", "from": "mail.y",
              "to": "pc.x", "kind": "reply", "text": "250 " + HOSTILE,
              "raw": "250 " + HOSTILE + "\r\n", "explain": "smtp.reply.250", "code": 250},
             {"seq": 4, "t_us": t0 + 3000, "conn": 1, "proto": "smtp", "from": "mail.y",
              "kind": "note", "text": "你好 " + HOSTILE, "explain": "smtp.note.bare_lf"},
             {"seq": 5, "t_us": t0 + 4000, "proto": "world", "kind": "note",
              "text": "teacher: " + HOSTILE, "explain": "world.teacher_note", "text_zh": "老师 " + HOSTILE}]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                    encoding="utf-8")


_EXPORTS: dict = {}


def setUpModule():
    """Exports both scenarios to every format once; the test classes read the files."""
    tmp = Path(tempfile.mkdtemp(prefix="maillab-export-"))
    files = {}
    for name, scenario in SCENARIOS.items():
        for fmt, ext in EXTENSIONS.items():
            out = tmp / f"{name}.{ext}"
            run_export(str(scenario), "--to", fmt, "-o", str(out))
            files[(name, fmt)] = out
        # The whole diagram in one SVG, for counting.
        whole = tmp / f"{name}-whole.svg"
        run_export(str(scenario), "--to", "svg", "--page-rows", "0", "-o", str(whole))
        files[(name, "svg-whole")] = whole
    hostile = tmp / "hostile.jsonl"
    write_hostile_trace(hostile)
    for fmt, ext in EXTENSIONS.items():
        out = tmp / f"hostile.{ext}"
        run_export(str(hostile), "--to", fmt, "-o", str(out))
        files[("hostile", fmt)] = out
    _EXPORTS.update(tmp=tmp, files=files)


def tearDownModule():
    if "tmp" in _EXPORTS:
        shutil.rmtree(_EXPORTS["tmp"], ignore_errors=True)


class ExportedFiles(unittest.TestCase):
    """Gives each test the files setUpModule exported and a directory for its own."""

    @property
    def tmp(self) -> Path:
        return _EXPORTS["tmp"]

    @property
    def files(self) -> dict:
        return _EXPORTS["files"]


class TestTranscript(ExportedFiles):
    def test_classic_reads_like_rfc_5321_appendix_d(self):
        text = self.files[("classic", "transcript")].read_text(encoding="utf-8")
        self.assertIn("Connection 1: pc.alice -> mail.a.example, SMTP, port 587 (submission)\n", text)
        self.assertIn("S: 220 mail.a.example ESMTP maillab ready\n", text)
        self.assertIn("C: EHLO pc.alice\n", text)
        self.assertIn("C: RCPT TO:<bob@b.example>\n", text)
        self.assertIn("C: .\n", text)
        self.assertIn("C: QUIT\n", text)
        self.assertIn("   [server state WAIT_HELO -> READY]\n", text)
        self.assertRegex(text, r"Connection \d+: pc\.bob -> mail\.b\.example, POP3, port 110")
        self.assertIn("C: RETR 1\n", text)

    def test_webmail_has_http_and_the_webmails_own_legs(self):
        text = self.files[("webmail", "transcript")].read_text(encoding="utf-8")
        self.assertRegex(text, r"Connection \d+: pc\.alice -> webmail\.a\.example, HTTP, port 80")
        self.assertIn("C: POST /send HTTP/1.1\n", text)
        self.assertRegex(text, r"S: HTTP/1\.1 303 See Other\n")
        self.assertRegex(text, r"Connection \d+: webmail\.a\.example -> mail\.a\.example, IMAP, port 143")
        self.assertRegex(text, r"Connection \d+: webmail\.a\.example -> mail\.a\.example, SMTP, port 587")

    def test_filters_and_chinese(self):
        out = run_export(str(SCENARIOS["classic"]), "--to", "transcript", "--proto", "pop3",
                         "--lang", "zh").stdout
        self.assertIn("连接", out)
        self.assertIn("POP3", out)
        self.assertNotIn("EHLO", out)
        out = run_export(str(SCENARIOS["classic"]), "--to", "transcript", "--from", "5",
                         "--until", "12", "--kind", "command,reply").stdout
        self.assertIn("C: EHLO pc.alice", out)
        self.assertNotIn("RCPT", out)

    def test_clear_errors(self):
        bad = run_export(str(SCENARIOS["classic"]), "--to", "svg", "--proto", "smpt", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("no protocol smpt", bad.stderr)
        bad = run_export(str(SCENARIOS["classic"]), "--to", "120", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("--until 120", bad.stderr)
        bad = run_export(str(SCENARIOS["classic"]), "-o", str(self.tmp / "x.pdf"), check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("--to", bad.stderr)


class TestAnnotatedRecording(ExportedFiles):
    """A teacher's notes, bookmarks and saved views (`maillab annotate`) reach the exports."""

    def test_notes_bookmarks_and_a_saved_view(self):
        recording = self.tmp / "annotated.jsonl"
        subprocess.run([maillab_bin(), "run", str(SCENARIOS["classic"]), "--trace", str(recording),
                        "--quiet"], check=True, capture_output=True, timeout=300)
        events = [json.loads(line) for line in recording.read_text(encoding="utf-8").splitlines()[1:]]
        ehlo = next(e["seq"] for e in events if e["kind"] == "command" and e["text"] == "EHLO pc.alice")
        greeting = next(e["seq"] for e in events if e["kind"] == "reply" and e["text"].startswith("220 "))
        for args in (["--seq", str(ehlo), "--note", "The client names itself", "--zh", "客户端报上名字"],
                     ["--bookmark", "the greeting", "--seq", str(greeting)],
                     ["--view", "pop3 only", "--proto", "pop3"]):
            subprocess.run([maillab_bin(), "annotate", str(recording), *args], check=True,
                           capture_output=True, timeout=60)
        text = run_export(str(recording), "--to", "transcript").stdout
        self.assertIn("C: EHLO pc.alice\n   >> Teacher: The client names itself\n", text)
        self.assertIn("S: 220 mail.a.example ESMTP maillab ready\n   >> Bookmark: the greeting\n", text)
        zh = run_export(str(recording), "--to", "mermaid", "--lang", "zh").stdout
        self.assertIn("教师批注：客户端报上名字", zh)
        view = run_export(str(recording), "--to", "transcript", "--view", "pop3 only").stdout
        self.assertIn("POP3", view)
        self.assertNotIn("EHLO", view)
        missing = run_export(str(recording), "--to", "svg", "--view", "nope", check=False)
        self.assertEqual(missing.returncode, 1)
        self.assertIn('no saved view named "nope" (the file has: pop3 only)', missing.stderr)
        page = self.tmp / "annotated.html"
        run_export(str(recording), "-o", str(page))
        self.assertIn("The client names itself", page.read_text(encoding="utf-8"))


class TestSvg(ExportedFiles):
    def parse(self, path: Path) -> ET.Element:
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, SVG_NS + "svg")
        for attr in ("width", "height"):
            self.assertGreater(float(root.get(attr)), 100, f"{path.name} {attr}")
        return root

    def test_participants_and_arrows(self):
        for name in SCENARIOS:
            with self.subTest(name):
                root = self.parse(self.files[(name, "svg-whole")])
                texts = [t.text for t in root.iter(SVG_NS + "text")]
                for host in PARTICIPANTS[name]:
                    self.assertEqual(texts.count(host), 2, f"{host}: a box at the top and the bottom")
                rows = [g for g in root.iter(SVG_NS + "g") if g.get("data-seq")]
                arrows = [g for g in rows if g.find(SVG_NS + "line") is not None]
                self.assertGreaterEqual(len(arrows), MIN_ARROWS[name])
                # Text is text again after parsing: the escaping round-trips.
                self.assertIn("MAIL FROM:<alice@a.example> SIZE=", " ".join(t or "" for t in texts))

    def test_long_diagram_is_paginated_into_files_that_parse(self):
        result = run_export(str(SCENARIOS["webmail"]), "--to", "svg", "--page-rows", "150",
                            "-o", str(self.tmp / "pages.svg"))
        pages = sorted(self.tmp.glob("pages*.svg"))
        self.assertGreaterEqual(len(pages), 3)
        self.assertIn("pages of at most 150 rows", result.stderr)
        total = 0
        for page in pages:
            root = self.parse(page)
            total += sum(1 for g in root.iter(SVG_NS + "g") if g.get("data-seq"))
        whole = self.parse(self.files[("webmail", "svg-whole")])
        self.assertEqual(total, sum(1 for g in whole.iter(SVG_NS + "g") if g.get("data-seq")))

    def test_standard_output_gets_one_page_and_says_so(self):
        result = run_export(str(SCENARIOS["webmail"]), "--to", "svg")
        self.assertIn("more rows were left out", result.stderr)
        root = ET.fromstring(result.stdout.encode("utf-8"))
        self.assertEqual(root.tag, SVG_NS + "svg")

    def test_hostile_text_parses(self):
        root = self.parse(self.files[("hostile", "svg")])
        joined = " ".join(t.text or "" for t in root.iter(SVG_NS + "text"))
        self.assertIn("</script>", joined)
        self.assertIn("你好", joined)


class NodeMermaid:
    """Mermaid 10 and jsdom from npm, installed once into NPM_DIR."""

    reason: str | None = None
    ready = False

    @classmethod
    def ensure(cls) -> None:
        if cls.ready or cls.reason:
            return
        for tool in ("node", "npm"):
            if not shutil.which(tool):
                raise AssertionError(f"{tool} is not installed (bash .ci/deps installs nodejs and npm)")
        if not cls._installed():
            NPM_DIR.mkdir(parents=True, exist_ok=True)
            result = subprocess.run(
                ["npm", "install", "--prefix", str(NPM_DIR), "--no-audit", "--no-fund",
                 "--loglevel=error", *NPM_PACKAGES],
                capture_output=True, text=True, timeout=600)
            if result.returncode != 0:
                output = result.stdout + result.stderr
                said = [line for line in output.splitlines()
                        if any(marker in line for marker in NETWORK_ERRORS)]
                if said:
                    cls.reason = ("npm cannot reach the registry, so Mermaid's parser could not be "
                                  "installed: " + said[0].strip()[:300])
                    return
                raise AssertionError(f"npm install {' '.join(NPM_PACKAGES)} failed:\n{output}")
            if not cls._installed():
                raise AssertionError(f"npm install finished but {NPM_DIR} has no mermaid 10")
        (NPM_DIR / "check_mermaid.mjs").write_text(MERMAID_CHECK, encoding="utf-8")
        cls.ready = True

    @staticmethod
    def _installed() -> bool:
        try:
            mermaid = json.loads((NPM_DIR / "node_modules/mermaid/package.json").read_text())
            jsdom = json.loads((NPM_DIR / "node_modules/jsdom/package.json").read_text())
        except (OSError, ValueError):
            return False
        return mermaid["version"].startswith("10.") and jsdom["version"].startswith("22.")

    @staticmethod
    def parse(paths: list[Path]) -> dict[str, dict]:
        result = subprocess.run(["node", str(NPM_DIR / "check_mermaid.mjs"), *map(str, paths)],
                                capture_output=True, text=True, timeout=300, cwd=NPM_DIR)
        if result.returncode != 0:
            raise AssertionError(f"node failed:\n{result.stderr}")
        verdicts = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        return {Path(v["file"]).name: v for v in verdicts}


class TestMermaid(ExportedFiles):
    def setUp(self):
        NodeMermaid.ensure()
        if NodeMermaid.reason:
            self.skipTest(NodeMermaid.reason)

    def test_mermaid_parses_every_export(self):
        paths = [self.files[(n, "mermaid")] for n in ("classic", "webmail", "hostile")]
        filtered = self.tmp / "webmail-imap-zh.mmd"
        run_export(str(SCENARIOS["webmail"]), "--to", "mermaid", "--proto", "imap", "--lang", "zh",
                   "-o", str(filtered))
        paths.append(filtered)
        verdicts = NodeMermaid.parse(paths)
        for path in paths:
            with self.subTest(path.name):
                self.assertTrue(verdicts[path.name]["ok"], verdicts[path.name].get("error"))

    def test_a_broken_diagram_fails_the_same_check(self):
        text = self.files[("classic", "mermaid")].read_text(encoding="utf-8")
        # What the escaping prevents: a raw ";" ends the statement in the middle of a label.
        broken = self.tmp / "broken.mmd"
        broken.write_text(text.replace("EHLO pc.alice", "EHLO pc.alice; x", 1), encoding="utf-8")
        verdict = NodeMermaid.parse([broken])["broken.mmd"]
        self.assertFalse(verdict["ok"], "a raw ';' inside a message was accepted")


@unittest.skipUnless(shutil.which("plantuml"), "plantuml is not installed (bash .ci/deps installs it)")
class TestPlantUml(ExportedFiles):
    def syntax(self, path: Path) -> str:
        result = subprocess.run(["plantuml", "-syntax"], input=path.read_bytes(),
                                capture_output=True, timeout=300)
        return result.stdout.decode("utf-8", "replace")

    def render(self, path: Path) -> tuple[int, str]:
        env = dict(os.environ, JAVA_TOOL_OPTIONS="-Djava.awt.headless=true")
        result = subprocess.run(["plantuml", "-tsvg", "-pipe"], input=path.read_bytes(),
                                capture_output=True, timeout=300, env=env)
        return result.returncode, result.stdout.decode("utf-8", "replace")

    def test_plantuml_accepts_and_renders_every_export(self):
        for name in ("classic", "webmail", "hostile"):
            with self.subTest(name):
                path = self.files[(name, "plantuml")]
                self.assertEqual(self.syntax(path).splitlines()[0], "SEQUENCE")
                code, svg = self.render(path)
                self.assertEqual(code, 0, svg[:500])
                self.assertNotIn("Syntax Error", svg)
                self.assertNotIn("An error has occured", svg)
                root = ET.fromstring(svg.encode("utf-8"))
                joined = " ".join(t.text or "" for t in root.iter(SVG_NS + "text"))
                if name == "classic":
                    self.assertIn("MAIL FROM:<alice@a.example> SIZE=", joined)
                if name == "hostile":
                    # Creole markup and tags arrive as the characters they are.
                    for literal in ("**b**", "__u__", "<b>b</b>", "[[http://x]]", "<U+0041>"):
                        self.assertIn(literal, joined.replace("\u200b", ""))

    def test_a_broken_diagram_fails_the_same_check(self):
        broken = self.tmp / "broken.puml"
        text = self.files[("classic", "plantuml")].read_text(encoding="utf-8")
        # What one_line() prevents: a line break inside a label starts a line PlantUML rejects.
        broken.write_text(text.replace("EHLO pc.alice", "EHLO pc.alice\nMAIL FROM:<a@b>", 1),
                          encoding="utf-8")
        self.assertNotEqual(self.syntax(broken).splitlines()[0], "SEQUENCE")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
    _SELENIUM_ERROR = None
except ImportError as e:  # pragma: no cover - depends on the machine
    _SELENIUM_ERROR = e


def _browser_missing() -> str | None:
    if _SELENIUM_ERROR is not None:
        return (f"selenium cannot be imported by {sys.executable} ({_SELENIUM_ERROR}); install "
                "Debian's python3-selenium and run with /usr/bin/python3")
    for what, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{what} not found at {path}; install Debian's chromium and chromium-driver"
    return None


BROWSER_MISSING = _browser_missing()


@unittest.skipUnless(BROWSER_MISSING is None, BROWSER_MISSING or "")
class TestHtmlPage(ExportedFiles):
    @classmethod
    def setUpClass(cls):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        profile = _EXPORTS["tmp"] / "chrome-profile"
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--user-data-dir={profile}", "--window-size=1400,900", "--lang=en-US",
                    "--no-first-run", "--no-default-browser-check"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        cls.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        cls.addClassCleanup(cls.driver.quit)
        cls.driver.set_page_load_timeout(30)

    def open(self, path: Path) -> None:
        self.driver.get(path.resolve().as_uri())
        WebDriverWait(self.driver, 15).until(
            lambda d: d.find_element(By.ID, "ev-seq").text.strip() != "")

    def seq(self) -> int:
        return int(self.driver.find_element(By.ID, "ev-seq").text)

    def press(self, key: str) -> None:
        self.driver.find_element(By.TAG_NAME, "body").send_keys(key)

    def console_errors(self) -> list[dict]:
        try:
            log = self.driver.get_log("browser")
        except Exception:  # noqa: BLE001 - not every driver keeps the log
            return []
        return [entry for entry in log if entry.get("level") == "SEVERE"]

    def highlighted(self) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, "#diagram-pane g.row.current")

    def test_steps_with_keys_and_buttons(self):
        self.open(self.files[("classic", "html")])
        self.assertIn("Classic", self.driver.title)
        first = self.seq()
        self.assertEqual(first, 1)
        seen = [first]
        for _ in range(3):
            self.press(Keys.ARROW_RIGHT)
            seen.append(self.seq())
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(len(set(seen)), 4, f"the shown event did not change: {seen}")
        self.assertTrue(self.driver.find_element(By.ID, "ev-explain").text.strip())
        self.assertEqual(len(self.highlighted()), 1)
        self.assertEqual(self.highlighted()[0].get_attribute("data-seq"), str(seen[-1]))
        self.press(Keys.ARROW_LEFT)
        self.assertEqual(self.seq(), seen[-2])
        self.press(Keys.SPACE)
        self.assertEqual(self.seq(), seen[-1])
        self.press(Keys.END)
        last = self.seq()
        self.assertGreater(last, 100)
        self.driver.find_element(By.ID, "btn-first").click()
        self.assertEqual(self.seq(), 1)
        self.driver.find_element(By.ID, "btn-next").click()
        self.driver.find_element(By.ID, "btn-next").click()
        self.assertEqual(self.seq(), seen[2])
        self.driver.find_element(By.ID, "btn-last").click()
        self.assertEqual(self.seq(), last)
        self.assertEqual(self.console_errors(), [])

    def test_explanation_raw_bytes_and_fields(self):
        self.open(self.files[("classic", "html")])
        # Step to EHLO: its explanation, in both languages, with the RFC section.
        for _ in range(40):
            if self.driver.find_element(By.ID, "ev-text").text == "EHLO pc.alice":
                break
            self.press(Keys.ARROW_RIGHT)
        self.assertEqual(self.driver.find_element(By.ID, "ev-text").text, "EHLO pc.alice")
        explain = self.driver.find_element(By.ID, "ev-explain").text
        self.assertIn("EHLO", explain)
        self.assertIn("RFC 5321 4.1.1.1", explain)
        self.assertRegex(explain, "[\u4e00-\u9fff]")  # the Chinese text is there too
        self.assertIn("EHLO pc.alice\\r\\n", self.driver.find_element(By.ID, "ev-raw").text)
        self.assertIn("verb", self.driver.find_element(By.ID, "ev-fields").text)
        self.assertEqual(self.console_errors(), [])

    def test_protocol_filter(self):
        self.open(self.files[("webmail", "html")])
        Select(self.driver.find_element(By.ID, "proto-filter")).select_by_value("imap")
        conns = json.loads(self.driver.execute_script(
            "return JSON.stringify(JSON.parse(document.getElementById('maillab-data').textContent).conns)"))

        def shown_is_imap() -> bool:
            route = self.driver.find_element(By.ID, "ev-route").text
            proto = self.driver.find_element(By.ID, "ev-proto").text
            return proto == "IMAP" or "(IMAP" in route

        self.assertTrue(shown_is_imap())
        before = self.seq()
        self.press(Keys.ARROW_RIGHT)
        self.press(Keys.ARROW_RIGHT)
        self.assertGreater(self.seq(), before)
        self.assertTrue(shown_is_imap())
        dimmed = self.driver.find_elements(By.CSS_SELECTOR, "#diagram-pane g.row.dim")
        self.assertGreater(len(dimmed), 50)
        self.assertIn("imap", {c["proto"] for c in conns.values()})
        # The event list view hides what the filter leaves out.
        self.driver.find_element(By.ID, "view-list").click()
        visible = [r for r in self.driver.find_elements(By.CSS_SELECTOR, "#event-list tbody tr")
                   if r.is_displayed()]
        self.assertTrue(visible)
        self.assertTrue(all(r.find_elements(By.TAG_NAME, "td")[2].text in ("imap", "tcp", "tls")
                            for r in visible[:30]))
        Select(self.driver.find_element(By.ID, "proto-filter")).select_by_value("")
        self.assertEqual(self.console_errors(), [])

    def test_chinese_page_and_hostile_text(self):
        zh = self.tmp / "classic-zh.html"
        run_export(str(SCENARIOS["classic"]), "--to", "html", "--lang", "zh", "-o", str(zh))
        self.open(zh)
        self.assertEqual(self.driver.find_element(By.ID, "btn-next").text, "下一个 ▶")
        self.open(self.files[("hostile", "html")])
        self.press(Keys.ARROW_RIGHT)
        self.assertIn("</script><script>alert(1)</script>",
                      self.driver.find_element(By.ID, "ev-text").text)
        self.assertEqual(len(self.driver.find_elements(By.TAG_NAME, "script")), 2)
        self.assertEqual(self.console_errors(), [])


if __name__ == "__main__":
    unittest.main()
