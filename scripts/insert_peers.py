#!/usr/bin/env python3
"""Copies a peer run's table (bench/peers/run_peers.sh: DIR/peers.md) and the
default model's quality table (models/en.md) into docs/benchmarks.md, between
markers, so that the figures in the docs always come from a run's output.

    insert_peers.py [PEERS_DIR]     (default out/peers)
"""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
peers_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "out", "peers")
doc_path = os.path.join(root, "docs", "benchmarks.md")
doc = open(doc_path, encoding="utf-8").read()


def put(doc, name, body):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in doc:
        return re.sub(re.escape(begin) + ".*" + re.escape(end), lambda _: block, doc, flags=re.S)
    return doc.rstrip() + "\n\n" + block + "\n"


card = open(os.path.join(root, "models", "en.md"), encoding="utf-8").read()
m = re.search(r"## Quality on the public test file.*?(?=\n## )", card, flags=re.S)
if m:
    doc = put(doc, "quality", "## Suggestion quality of the default model (from models/en.md)\n\n"
              + m.group(0).split("\n", 1)[1].strip())
peers_md = os.path.join(peers_dir, "peers.md")
if os.path.exists(peers_md):
    body = open(peers_md, encoding="utf-8").read().replace("# Peer comparison", "## Peer comparison", 1)
    doc = put(doc, "peers", body)
open(doc_path + ".tmp", "w", encoding="utf-8").write(doc)
os.replace(doc_path + ".tmp", doc_path)
print(f"updated {doc_path}")
