#!/usr/bin/env python3
"""Check a recorded trace against the explanation catalog.

For every event with an "explain" key: the key must exist in sim/explain/catalog/*.json, with
non-empty "en" and "zh" texts, and every {placeholder} in those texts must be a field of the
event (otherwise the transcript would print the placeholder as written).

    maillab run --trace /tmp/demo.jsonl --quiet
    python3 docs/tools/check_explanations.py /tmp/demo.jsonl

Exit code 0 when everything is found, 1 otherwise. It reads the JSON files in the source tree,
so it also checks entries you have added but not built yet.
"""
import json
import re
import sys
from pathlib import Path

CORE = {"seq", "t_us", "cause", "conn", "proto", "from", "to", "kind", "text", "raw",
        "raw_b64", "explain"}

root = Path(__file__).resolve().parents[2]
catalog = {}
for path in sorted((root / "sim/explain/catalog").glob("*.json")):
    catalog.update(json.loads(path.read_text(encoding="utf-8")))

problems = []
seen = set()
for trace_path in sys.argv[1:]:
    with open(trace_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if number == 1 or not line.strip():
                continue  # line 1 is the header
            event = json.loads(line)
            key = event.get("explain")
            if not key:
                continue
            seen.add(key)
            entry = catalog.get(key)
            if entry is None:
                problems.append(f"{trace_path}:{number}: key {key} is not in the catalog")
                continue
            fields = {k for k in event if k not in CORE}
            for lang in ("en", "zh"):
                if not entry.get(lang):
                    problems.append(f"{trace_path}:{number}: {key} has no {lang} text")
                for name in re.findall(r"\{(\w+)\}", entry.get(lang, "")):
                    if name not in fields:
                        problems.append(f"{trace_path}:{number}: {key} ({lang}) uses "
                                        f"{{{name}}} but the event has no field {name}")

for p in problems:
    print(p)
print(f"{len(seen)} distinct keys checked, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
