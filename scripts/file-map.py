#!/usr/bin/env python3
"""Prints the map of src/ for docs/ARCHITECTURE.md: per layer, each file with its length
and the first sentence of the comment it opens with (every file says its job there).
    python3 scripts/file-map.py > /tmp/map.md"""
import glob, os, re

LAYERS = ["core", "turns", "events", "http", "engines", "tools", "mcp", "store",
          "inference", "owner", "js", "cli"]

def first_sentence(path):
    text = open(path, encoding="utf-8").read()
    m = re.match(r'\s*/\*(.*?)\*/', text, re.S) or re.match(r'\s*((?://[^\n]*\n)+)', text)
    if not m:
        return "(no opening comment)"
    t = re.sub(r'\s*\n\s*(\*|//)\s?', ' ', m.group(1)).strip().lstrip('/ ').strip()
    s = re.split(r'(?<=\.)\s', t)[0]
    return s if len(s) <= 240 else s[:237].rstrip() + "..."

for layer in LAYERS:
    files = sorted(glob.glob(f"src/{layer}/*.[ch]"))
    if not files:
        continue
    print(f"\n### src/{layer}/\n")
    for f in files:
        n = sum(1 for _ in open(f, encoding="utf-8"))
        print(f"- `{os.path.basename(f)}` ({n}): {first_sentence(f)}")
