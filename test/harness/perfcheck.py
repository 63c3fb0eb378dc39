#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regression check of the Bochs figures against docs/performance.md.

Boots the bench guest (and a bare 128 MiB boot) as `make bench` does and
compares every Bochs figure with the machine-readable block of the
committed docs/performance.md. Bochs figures are instruction counts and
deterministic, so a figure more than 5% above the committed one is a
regression and fails. A figure more than 5% below passes with a note that
the report is stale (rerun `make bench`). Host figures are noisy and are
not checked. Standalone, it prints TAP and exits non-zero on failure.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import figures  # noqa: E402

TOLERANCE = 0.05


def check(build, doc):
    """[(ok, description, diagnostic)]: one point per checked figure."""
    try:
        committed = bench.read_doc(doc)
    except (OSError, ValueError) as e:
        return [(False, "perf: read the figures of %s" % doc, str(e))]
    if not committed:
        return [(False, "perf: %s has a figures block" % doc, "")]
    res = bench.Results(quiet=True)
    bench.boot_ready(build, res)
    bench.guest_figures(build, res)
    points = []
    for e in res.errors:
        points.append((False, "perf: the benchmark boots ran", e))
    for key in figures.CHECKED:
        old = committed.get(key, (None, None))[1]
        new = res.values.get(key)
        if old is None and new is None:
            continue  # not measured by this tree, nor committed
        desc = "perf/%s: " % key
        if old is None:
            points.append((True, desc + "%s now, not in %s yet" % (
                bench.fmt(new), doc), ""))
            continue
        if new is None:
            points.append((False, desc + "committed %s, missing from a fresh"
                           " run" % bench.fmt(old), ""))
            continue
        change = (new - old) / old if old else (0.0 if new == old else 1.0)
        desc += "%s now, %s committed (%+.1f%%, limit +%d%%)" % (
            bench.fmt(new), bench.fmt(old), 100 * change, 100 * TOLERANCE)
        if change < -TOLERANCE:
            desc += "; faster than the report: rerun make bench"
        points.append((change <= TOLERANCE, desc,
                       "regression: %s costs %s instructions, %s committed in "
                       "%s" % (key, bench.fmt(new), bench.fmt(old), doc)))
    return points


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--doc", default=bench.DOC)
    args = ap.parse_args()
    points = check(args.build, args.doc)
    failed = 0
    for i, (ok, desc, diag) in enumerate(points, 1):
        print("%sok %d - %s" % ("" if ok else "not ", i, desc))
        if not ok:
            failed += 1
            for line in diag.splitlines():
                print("#   " + line)
    print("1..%d" % len(points))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
