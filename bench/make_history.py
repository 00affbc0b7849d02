#!/usr/bin/env python3
"""Writes a git fast-import stream of N clawmit versions of one agent.

Usage: make_history.py SLUG N | git --git-dir=DIR/.clawmit fast-import --quiet
PROMPT_BYTES=50000 pads every prompt to about that size (default: one line).

The commits follow docs/FORMAT.md byte for byte (tree of config.json,
prompt.md, tools.json; trailers; whole-second +0000 times), so clawmit reads
them as its own and `git log` walks exactly the same commits.
"""
import os
import sys

slug, count = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
tools = b'[\n  {\n    "description": "Search the help center",\n    "name": "search",\n    "parameters": {\n      "query": "string"\n    }\n  }\n]\n'
config = b'{\n  "temperature": 0.5\n}\n'
pad_to = int(os.environ.get("PROMPT_BYTES", "0"))
filler = b"Answer with care, cite the policy, keep it short and kind.\n"
padding = filler * (pad_to // len(filler))


def data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


out.write(b"blob\nmark :1\n" + data(tools) + b"blob\nmark :2\n" + data(config))
for n in range(1, count + 1):
    prompt = b"You are the support agent.\nRevision %d of the prompt.\n" % n + padding
    message = b"Version %d\n\nClawmit-Agent: %s\nClawmit-Version: %d\n" % (n, slug.encode(), n)
    ident = b"Bench <bench@example.com> %d +0000" % (1700000000 + n)
    out.write(b"commit refs/agents/%s\n" % slug.encode())
    out.write(b"author " + ident + b"\ncommitter " + ident + b"\n" + data(message))
    if n == 1:
        out.write(b"deleteall\n")
    out.write(b"M 100644 :2 config.json\nM 100644 inline prompt.md\n" + data(prompt))
    out.write(b"M 100644 :1 tools.json\n\n")
