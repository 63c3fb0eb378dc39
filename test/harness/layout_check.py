#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make lint: the source tree's layout rules (docs/design.md section 1).

- A file in a pure folder (the Makefile's PURE_DIRS) includes only headers
  of pure folders and the base headers every layer may use: no arch/
  header and no hardware glue.
- No folder holds more than MAX_FILES source files.
- No include cycle crosses a folder boundary: the folder graph (an edge
  from a file's folder to each folder whose header it includes) is acyclic.
- One style: every C, header and assembly file starts with the licence in
  a block comment, and "unsigned int" is written "unsigned".
- No .c file includes another .c file.
Prints each violation and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

MAX_FILES = 20
BASE_HEADERS = {"mm/base/types.h", "mm/base/errno.h", "drivers/uart.h",
                "vmm/hypercall_abi.h"}
KERNEL_DIRS = ("boot/", "arch/", "mm/", "ept/", "vmm/", "drivers/")
LICENCE = {".c": "/* SPDX-License-Identifier: MIT */",
           ".h": "/* SPDX-License-Identifier: MIT */",
           ".asm": "; SPDX-License-Identifier: MIT"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def tracked():
    out = subprocess.check_output(["git", "ls-files"], text=True)
    return [f for f in out.split() if os.path.isfile(f)]


def pure_dirs():
    out = subprocess.check_output(
        ["make", "--no-print-directory", "-s", "pure-dirs"], text=True)
    return set(out.split())


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def main():
    files = tracked()
    pure = pure_dirs()
    bad = []
    kernel = [f for f in files if f.startswith(KERNEL_DIRS)
              and f.endswith((".c", ".h", ".asm", ".inc"))]
    edges = {}
    per_dir = {}
    for f in kernel:
        d = os.path.dirname(f)
        per_dir[d] = per_dir.get(d, 0) + 1
        if f.endswith(".inc"):
            continue
        text = open(f).read()
        for inc in INCLUDE.findall(strip_comments(text)):
            idir = os.path.dirname(inc)
            if idir != d:
                edges.setdefault(d, {}).setdefault(idir, f)
            if d in pure and idir not in pure and inc not in BASE_HEADERS:
                bad.append("%s: a pure file includes %s (not pure)" % (f, inc))
    for d, n in sorted(per_dir.items()):
        if n > MAX_FILES:
            bad.append("%s/: %d source files (more than %d)" % (d, n,
                                                              MAX_FILES))
    bad += cycles(edges)
    for f in files:
        ext = os.path.splitext(f)[1]
        if ext not in LICENCE or not f.startswith(
                KERNEL_DIRS + ("guests/", "test/")):
            continue
        text = open(f).read()
        if not text.startswith(LICENCE[ext]):
            bad.append("%s: first line is not '%s'" % (f, LICENCE[ext]))
        if ext == ".asm":
            continue
        code = strip_comments(text)
        if re.search(r"\bunsigned\s+int\b", code):
            bad.append("%s: writes 'unsigned int' (the style is 'unsigned')"
                       % f)
        for inc in INCLUDE.findall(code):
            if inc.endswith(".c"):
                bad.append("%s: includes a .c file (%s)" % (f, inc))
    for b in bad:
        print("layout: " + b)
    print("layout: %s (%d folders, %d files)" % (
        "clean" if not bad else "%d problems" % len(bad), len(per_dir),
        len(kernel)))
    return 1 if bad else 0


def cycles(edges):
    """One line per folder cycle, naming a file behind each arrow."""
    found, seen = [], set()

    def walk(node, path):
        for nxt in sorted(edges.get(node, {})):
            if nxt in path:
                loop = path[path.index(nxt):] + [nxt]
                key = frozenset(loop)
                if key not in seen:
                    seen.add(key)
                    hops = ", ".join("%s -> %s (%s)" % (a, b, edges[a][b])
                                     for a, b in zip(loop, loop[1:]))
                    found.append("include cycle between folders: " + hops)
            elif nxt not in done:
                walk(nxt, path + [nxt])
        done.add(node)

    done = set()
    for start in sorted(edges):
        if start not in done:
            walk(start, [start])
    return found


if __name__ == "__main__":
    sys.exit(main())
