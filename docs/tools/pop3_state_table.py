#!/usr/bin/env python3
"""Print the POP3 server's state table (Markdown) from the command table in the source.

It reads sim/pop3/server_commands.cpp (the `command_table()` array and the state-set and
message constants above it) and sim/pop3/server_session.hpp (the order of `server_state`), so
the table in docs/pop3-in-maillab.md can be regenerated after the code changes:

    python3 docs/tools/pop3_state_table.py > /tmp/table.md

This is a text reader, not a compiler: if the table stops looking like
`{"VERB", <states>, &s::handler, <message>},` it fails loudly instead of guessing.
The unit test "POP3: every command in every state is run or refused with -ERR, never a crash"
checks the same table at run time.
"""
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
header = (root / "sim/pop3/server_session.hpp").read_text()
source = (root / "sim/pop3/server_commands.cpp").read_text()

enum_body = re.search(r"enum class server_state \{(.*?)\};", header, re.S).group(1)
states = re.findall(r"^\s*(\w+),", enum_body, re.M)
if not states:
    sys.exit("cannot read enum class server_state")

# constexpr std::uint32_t in_auth = bit(server_state::authorization);
state_consts = dict(re.findall(r"constexpr std::uint32_t (\w+) =\s*(.*?);", source, re.S))
# constexpr std::string_view login_first = "...";
text_consts = dict(re.findall(r'constexpr std::string_view (\w+) =\s*"([^"]*)";', source))


def state_set(expr: str) -> set:
    result = set()
    for part in expr.split("|"):
        part = part.strip()
        m = re.fullmatch(r"bit\(server_state::(\w+)\)", part)
        if m:
            result.add(m.group(1))
        elif part in state_consts:
            result |= state_set(state_consts[part])
        else:
            sys.exit(f"cannot read state expression {part!r}")
    return result


def message(expr: str) -> str:
    expr = expr.strip()
    if expr.startswith('"'):
        return "".join(re.findall(r'"([^"]*)"', expr))
    if expr in text_consts:
        return text_consts[expr]
    sys.exit(f"cannot read message expression {expr!r}")


table = re.search(r"command_table\(\) \{.*?table\{\{(.*?)\}\};", source, re.S).group(1)
entries = re.findall(r'\{"(\w+)",\s*([^,]*?),\s*&s::(\w+),\s*((?:"[^"]*"\s*)+|\w+)\}', table,
                     re.S)
if not entries:
    sys.exit("no command table entries found")

# Only these states read command lines. UPDATE is passed through inside the QUIT handler
# (TRANSACTION -> UPDATE -> CLOSED in one step), TLS_HANDSHAKE drops incoming plaintext,
# CLOSED ignores everything.
shown = [s for s in states if s in ("authorization", "transaction")]
print("| command | " + " | ".join(s.upper() for s in shown)
      + " | handler | text after \"-ERR <VERB> is not allowed in the <STATE> state:\" |")
print("| --- | " + " | ".join("---" for _ in shown) + " | --- | --- |")
for verb, expr, handler, msg in entries:
    allowed = state_set(expr)
    text = message(msg)
    cells = ["allowed" if s in allowed else "**-ERR**" for s in shown]
    print(f"| {verb} | " + " | ".join(cells) + f" | `{handler}` | {text or '-'} |")
