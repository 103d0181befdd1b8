#!/usr/bin/env python3
"""Print the IMAP server's state table (Markdown) from the command table in the source.

It reads sim/imap/server_commands.cpp (the `command_table()` array and the state-set constants
above it), sim/imap/server_session.hpp (the order of `server_state`) and the refusal texts in
`server_session::handle()` (sim/imap/server_session.cpp), so the table in
docs/imap-in-maillab.md can be regenerated after the code changes:

    python3 docs/tools/imap_state_table.py > /tmp/table.md

This is a text reader, not a compiler: if the table stops looking like
`{"NAME", <states>, &s::handler},` or the refusal texts stop looking like
`state_ == server_state::x ? "text" : ... "text"`, it fails loudly instead of guessing.
"""
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
header = (root / "sim/imap/server_session.hpp").read_text()
source = (root / "sim/imap/server_commands.cpp").read_text()
session = (root / "sim/imap/server_session.cpp").read_text()

enum_body = re.search(r"enum class server_state \{(.*?)\};", header, re.S)
if not enum_body:
    sys.exit("cannot find enum class server_state")
states = re.findall(r"^\s*(\w+),", enum_body.group(1), re.M)
if not states:
    sys.exit("cannot read enum class server_state")

# constexpr std::uint32_t any = bit(server_state::not_authenticated) | ...;
state_consts = dict(re.findall(r"constexpr std::uint32_t (\w+) =\s*(.*?);", source, re.S))


def state_set(expr: str) -> set:
    result = set()
    for part in expr.split("|"):
        part = part.strip()
        m = re.fullmatch(r"bit\(server_state::(\w+)\)", part)
        if m:
            if m.group(1) not in states:
                sys.exit(f"unknown state {m.group(1)!r}")
            result.add(m.group(1))
        elif part in state_consts:
            result |= state_set(state_consts[part])
        else:
            sys.exit(f"cannot read state expression {part!r}")
    return result


table = re.search(r"command_table\(\) \{.*?table\{\{(.*?)\}\};", source, re.S)
if not table:
    sys.exit("cannot find the command_table() array")
entries = re.findall(r'\{"([\w]+)",\s*([^,]*?),\s*&s::(\w+)\}', table.group(1), re.S)
if not entries:
    sys.exit("no command table entries found")

# The refusal text: "<NAME> is not allowed in the <STATE> state: <why>", where <why> is chosen
# by a chain of `state_ == server_state::x ? "text" :` ending in a default "text".
handle = re.search(r"void server_session::handle\(.*?\n\}\n", session, re.S)
if not handle:
    sys.exit("cannot find server_session::handle()")
why = re.search(r"std::string_view why =(.*?);", handle.group(0), re.S)
if not why:
    sys.exit("cannot find the refusal text (std::string_view why = ...) in handle()")
why_by_state = dict(re.findall(r'state_ == server_state::(\w+)\s*\?\s*"([^"]*)"', why.group(1)))
default_why = re.findall(r':\s*"([^"]*)"\)?\s*$', why.group(1).strip())
if not why_by_state or not default_why:
    sys.exit("cannot read the refusal texts in handle()")

# Only these states read commands through the table. IDLE reads one line (DONE), TLS_HANDSHAKE
# drops incoming plaintext, LOGOUT reads nothing, CONNECTED is before the greeting.
shown = [s for s in states if s in ("not_authenticated", "authenticated", "selected")]
if len(shown) != 3:
    sys.exit("expected the states not_authenticated, authenticated and selected")

print("| command | " + " | ".join(s.upper() for s in shown) + " | handler |")
print("| --- | " + " | ".join("---" for _ in shown) + " | --- |")
for name, expr, handler in entries:
    allowed = state_set(expr)
    cells = []
    for s in shown:
        if s in allowed:
            cells.append("allowed")
        else:
            cells.append(f"**BAD** ({why_by_state.get(s, default_why[0])})")
    print(f"| {name} | " + " | ".join(cells) + f" | `{handler}` |")
