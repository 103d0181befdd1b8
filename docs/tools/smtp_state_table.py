#!/usr/bin/env python3
"""Print the SMTP server's state table (Markdown) from the command table in the source.

It reads sim/smtp/server_commands.cpp (the `command_table()` array and the two state-set
constants above it) and sim/smtp/server_session.hpp (the order of `server_state`), so the
table in docs/smtp-in-maillab.md can be regenerated after the code changes:

    python3 docs/tools/smtp_state_table.py > /tmp/table.md

This is a text reader, not a compiler: if the table stops looking like
`{"VERB", <states>, &s::handler, "message"},` it fails loudly instead of guessing.
The unit test "every verb in every state: allowed or 503" checks the same table at run time.
"""
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
header = (root / "sim/smtp/server_session.hpp").read_text()
source = (root / "sim/smtp/server_commands.cpp").read_text()

enum_body = re.search(r"enum class server_state \{(.*?)\};", header, re.S).group(1)
states = re.findall(r"^\s*(\w+),", enum_body, re.M)
names = {s: s.upper() for s in states}

consts = {}
for name, expr in re.findall(r"constexpr std::uint32_t (\w+) =\s*(.*?);", source, re.S):
    consts[name] = expr


def state_set(expr: str) -> set:
    result = set()
    for part in expr.split("|"):
        part = part.strip()
        m = re.fullmatch(r"bit\(server_state::(\w+)\)", part)
        if m:
            result.add(m.group(1))
        elif part in consts:
            result |= state_set(consts[part])
        else:
            sys.exit(f"cannot read state expression {part!r}")
    return result


table = re.search(r"command_table\(\) \{.*?table\{\{(.*?)\}\};", source, re.S).group(1)
entries = re.findall(r'\{"(\w+)",\s*(.*?),\s*&s::(\w+),\s*((?:"[^"]*"\s*)+)\}', table, re.S)
if not entries:
    sys.exit("no command table entries found")

# Only these states read command lines. In DATA the input is message text, in AUTH it is a
# base64 response, in TLS_HANDSHAKE it is dropped, in CLOSED it is ignored; CONNECTED ends
# when the transport calls start(), before any input is read.
shown = [s for s in states if s in ("wait_helo", "ready", "mail", "rcpt")]
# The 503 reply is "503 5.5.1 Bad sequence of commands: VERB is not allowed in state STATE
# (text)"; the last column is that text (server_session.cpp, handle_command_line()).
print("| verb | " + " | ".join(names[s] for s in shown) + " | handler | text in the parentheses of the 503 |")
print("| --- | " + " | ".join("---" for _ in shown) + " | --- | --- |")
for verb, expr, handler, message in entries:
    allowed = state_set(expr)
    text = "".join(re.findall(r'"([^"]*)"', message))
    cells = ["allowed" if s in allowed else "**503**" for s in shown]
    print(f"| {verb} | " + " | ".join(cells) + f" | `{handler}` | {text or '-'} |")
