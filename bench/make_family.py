#!/usr/bin/env python3
"""Writes a git fast-import stream of one family of N agents (a0 … aN-1).

Usage: make_family.py N | git --git-dir=DIR/.clawmit fast-import --quiet

Agent a<i> (i > 0) is a tool_mutation fork of a<(i-1)//2>'s version 1, so
the family is a binary tree of forks; every agent has one version. Commits
follow docs/FORMAT.md byte for byte.
"""
import sys

count = int(sys.argv[1])
out = sys.stdout.buffer
prompt = b"You are the support agent.\n"
tools = b"[]\n"


def data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


out.write(b"blob\nmark :1\n" + data(prompt) + b"blob\nmark :2\n" + data(tools))
for i in range(count):
    slug = b"a%d" % i
    config = b'{\n  "seed": %d\n}\n' % i
    message = b"Agent %d\n\nClawmit-Agent: %s\nClawmit-Version: 1\n" % (i, slug)
    if i > 0:
        parent = (i - 1) // 2
        message += b"Clawmit-Fork-Type: tool_mutation\nClawmit-Forked-From: a%d@v1\n" % parent
    ident = b"Bench <bench@example.com> %d +0000" % (1700000000 + i)
    out.write(b"commit refs/agents/%s\nmark :%d\n" % (slug, i + 10))
    out.write(b"author " + ident + b"\ncommitter " + ident + b"\n" + data(message))
    if i > 0:
        out.write(b"from :%d\n" % ((i - 1) // 2 + 10))
    out.write(b"deleteall\nM 100644 inline config.json\n" + data(config))
    out.write(b"M 100644 :1 prompt.md\nM 100644 :2 tools.json\n\n")
