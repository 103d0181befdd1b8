"""The seed's Java clients (seed 003: SMTPDemo and POP3Demo), cut out of the seed text.

Shared by test_seed_smtpdemo.py and test_seed_pop3demo.py. Each class is taken from the seed
page as it is and changed only where the seed's own comments tell its users to change it.

Environment: MAILLAB_SEEDS (default <repo>/../shared/seeds).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

SEED_FILE = "003_cd3b5f5a1bb49c75.txt"
JAVA_IMPORTS = "import java.io.*; import java.net.*;\n"
# The seed page had "<xxx>" placeholders that the web page turned into HTML elements; their
# closing tags survive as text after the closing brace of POP3Demo's for loop: "} </xxx></xxx>".
POP3DEMO_HTML_RESIDUE = "</xxx></xxx>"


def seeds_dir() -> Path:
    env = os.environ.get("MAILLAB_SEEDS")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "seeds"
    if not (path / SEED_FILE).is_file():
        raise RuntimeError(f"seed file {SEED_FILE} not found in {path}; "
                           f"set MAILLAB_SEEDS to the directory holding the seed pages")
    return path


def seed_text() -> str:
    return (seeds_dir() / SEED_FILE).read_text(encoding="utf-8")


def _check_class(code: str, name: str) -> str:
    if not code.endswith("}") or code.count("{") != code.count("}"):
        raise RuntimeError(f"seed 003: the {name} class text does not end its class cleanly")
    return code


def extract_smtpdemo(seed_text: str) -> str:
    """The text from "class SMTPDemo {" to the end of that class (before "分享到")."""
    start = seed_text.find("class SMTPDemo {")
    if start < 0:
        raise RuntimeError("seed 003 has no 'class SMTPDemo {'")
    end = seed_text.find("分享到", start)
    if end < 0:
        raise RuntimeError("seed 003: no '分享到' after class SMTPDemo")
    code = seed_text[start:end].rstrip()
    # The page's HTML residue ("</xxx></xxx>") sits in POP3Demo, not here. If such a stray
    # closing tag ever shows up in the SMTPDemo part, strip exactly that residue and nothing else.
    residue = re.findall(r"</[A-Za-z]+>", code)
    if residue:
        code = re.sub(r"</[A-Za-z]+>", "", code)
    return _check_class(code, "SMTPDemo")


def extract_pop3demo(seed_text: str) -> str:
    """The text from "class POP3Demo {" to the end of that class (SMTPDemo follows it).

    The only change: the HTML residue "</xxx></xxx>" after the for loop's closing brace
    ("} </xxx></xxx>") is removed, exactly that string, once; it is not Java and the class
    does not compile with it. Nothing else in the class is touched.
    """
    start = seed_text.find("class POP3Demo {")
    if start < 0:
        raise RuntimeError("seed 003 has no 'class POP3Demo {'")
    end = seed_text.find("class SMTPDemo {", start)
    if end < 0:
        raise RuntimeError("seed 003: no 'class SMTPDemo {' after class POP3Demo")
    code = seed_text[start:end].rstrip()
    if code.count(POP3DEMO_HTML_RESIDUE) != 1:
        raise RuntimeError(f"seed 003: expected the residue {POP3DEMO_HTML_RESIDUE!r} once in "
                           f"POP3Demo, found it {code.count(POP3DEMO_HTML_RESIDUE)} times")
    if "} " + POP3DEMO_HTML_RESIDUE not in code:
        raise RuntimeError("seed 003: the POP3Demo residue is not right after a closing brace")
    code = code.replace(POP3DEMO_HTML_RESIDUE, "")
    return _check_class(code, "POP3Demo")


def _replace_each_once(code: str, replacements: list[tuple[str, str]], name: str) -> str:
    for old, new in replacements:
        if code.count(old) != 1:
            raise RuntimeError(f"seed {name}: expected exactly one {old!r}, "
                               f"found {code.count(old)}")
        code = code.replace(old, new)
    return code


def substitute_smtpdemo(code: str, port: int) -> str:
    """Only the substitutions the seed's comment asks users to make."""
    return _replace_each_once(code, [
        ('"sender"', '"alice@example.org"'),
        ('"receiver"', '"bob@example.org"'),
        ('"smtpserver"', '"127.0.0.1"'),
        ("int SMTPPort = 25;", f"int SMTPPort = {port};"),
    ], "SMTPDemo")


def substitute_pop3demo(code: str, port: int, username: str, password: str) -> str:
    """Only the substitutions the seed's comments ask for: server, user name, password, port."""
    return _replace_each_once(code, [
        ('"pop.126.com"', '"127.0.0.1"'),
        ('"username"', f'"{username}"'),
        ('"password"', f'"{password}"'),
        ("int POP3Port = 110;", f"int POP3Port = {port};"),
    ], "POP3Demo")


def require_java() -> None:
    for tool in ("javac", "java"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} (OpenJDK 17) is needed for the seed client tests")


def java_env() -> dict[str, str]:
    return dict(os.environ, LANG="C.UTF-8")


def compile_java(java_dir: Path, sources: dict[str, str]) -> None:
    """Write {class name: class text} as <name>.java (with the imports) and compile them all
    with one javac run (javac is slow to start on a small machine)."""
    paths = []
    for name, code in sources.items():
        path = java_dir / f"{name}.java"
        path.write_text(JAVA_IMPORTS + code + "\n", encoding="utf-8")
        paths.append(str(path))
    comp = subprocess.run(["javac", "-encoding", "UTF-8", "-d", str(java_dir), *paths],
                          capture_output=True, env=java_env(), timeout=120)
    if comp.returncode != 0:
        listing = "\n".join(f"--- {n}.java\n{JAVA_IMPORTS}{c}" for n, c in sources.items())
        raise RuntimeError(f"javac failed ({comp.returncode}):\n"
                           f"{comp.stderr.decode(errors='replace')}\nsources:\n{listing}")


def run_java(java_dir: Path, class_name: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["java", "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-cp", str(java_dir),
         class_name],
        capture_output=True, env=java_env(), timeout=timeout)
