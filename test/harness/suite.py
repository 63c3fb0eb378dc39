#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make test`: every layer of mica's tests as one TAP stream.

Layers: lint and image checks, host unit tests (ASan/UBSan), short fuzz runs,
and boots of the ISO on Bochs / QEMU (test/harness/boots.py). Independent
jobs run two at a time. The run ends with "N passed, N failed[, N skipped]".
"""
import argparse
import concurrent.futures as cf
import difflib
import glob
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boots  # noqa: E402
import guests  # noqa: E402
import perfcheck  # noqa: E402
import platforms  # noqa: E402

TAP_RE = re.compile(r"^(?:\[([\w.-]+)\] )?(not ok|ok)\b\s*\d*\s*(?:- )?(.*)$")


class Tap:
    """Numbers and prints test points from all jobs; counts the outcome."""

    def __init__(self):
        self.n = self.passed = self.failed = self.skipped = 0
        self.skips = []
        self.failures = []
        self.lock = threading.Lock()

    def point(self, ok, desc, skip=None, diag=None):
        with self.lock:
            self.n += 1
            if skip is not None:
                self.skipped += 1
                self.skips.append((desc, skip))
                print("ok %d - %s # SKIP %s" % (self.n, desc, skip))
            elif ok:
                self.passed += 1
                print("ok %d - %s" % (self.n, desc))
            else:
                self.failed += 1
                self.failures.append(desc)
                print("not ok %d - %s" % (self.n, desc))
                for line in (diag or "").rstrip().splitlines()[-40:]:
                    print("#   " + line)
            sys.stdout.flush()

    def diag(self, text):
        with self.lock:
            for line in text.rstrip().splitlines():
                print("# " + line)
            sys.stdout.flush()


def relay_tap(tap, prefix, text):
    """Turn the TAP lines of a sub-run into points; return how many."""
    count = 0
    for line in text.splitlines():
        m = TAP_RE.match(line.strip())
        if not m:
            continue
        guest, verdict, desc = m.groups()
        skip = None
        sm = re.search(r"#\s*SKIP\b\s*(.*)$", desc, re.I)
        if sm:
            skip = sm.group(1) or "skipped"
            desc = desc[: sm.start()].rstrip()
        name = prefix + (guest + ": " if guest else "") + desc
        tap.point(verdict == "ok", name, skip=skip)
        count += 1
    return count


TAP_SHAPES = {}  # boot name -> its guests' TAP lines, measurements left out
TAP_SHAPES_LOCK = threading.Lock()


def tap_shape(log):
    """The guests' TAP lines of a boot log without what they measured:
    numbers and parenthesised details go, verdicts and wording stay."""
    out = []
    for line in log.splitlines():
        m = TAP_RE.match(line.strip())
        if m and m.group(1):
            desc = re.sub(r"\([^()]*\)|0x[0-9a-fA-F]+|\d+", "#", m.group(3))
            out.append("[%s] %s - %s" % (m.group(1), m.group(2), desc))
    return out


def job_same_tap(tap, spec):
    """A boot that must print the TAP of another, path aside."""
    name, other = spec["name"], spec["same_tap_as"]
    a, b = TAP_SHAPES.get(name), TAP_SHAPES.get(other)
    diff = [x for x in difflib.unified_diff(b or [], a or [], other, name,
                                            lineterm="")]
    tap.point(bool(a) and not diff,
              "boot/%s: the same %d guest TAP lines as boot/%s" %
              (name, len(a or []), other), diag="\n".join(diff))


def run_cmd(cmd, timeout, env=None):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout, env=env)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out + "\n(timed out after %d s)" % timeout


def job_lint(tap, args):
    rc, out = run_cmd(["make", "--no-print-directory", "lint"], 600)
    tap.point(rc == 0, "lint: clang-format, cppcheck and the layout rules are clean", diag=out)


def job_multiboot(tap, args):
    kernel = os.path.join(args.build, "mica.elf")
    rc, out = run_cmd(["grub-file", "--is-x86-multiboot2", kernel], 30)
    tap.point(rc == 0, "image: grub-file accepts mica.elf as multiboot2", diag=out)


def job_host_test(tap, args, path):
    name = os.path.basename(path)
    env = dict(os.environ)
    env.setdefault("MICA_SEED", str(args.seed))
    if args.long:
        env.setdefault("MICA_LONG", "1")
    rc, out = run_cmd([path], 1800 if args.long else 300, env)
    n = relay_tap(tap, "host/%s: " % name, out)
    tap.point(rc == 0 and n > 0,
              "host/%s: exits 0 after %d test points" % (name, n), diag=out)


def job_fuzz(tap, args, path):
    name = os.path.basename(path)
    target = name[len("fuzz_"):]
    seconds = args.fuzz_seconds
    corpus = os.path.join("test", "fuzz", "corpus", target)
    with tempfile.TemporaryDirectory(prefix="mica-fuzz-") as work:
        cmd = [path, "-max_total_time=%d" % seconds, "-print_final_stats=1",
               "-seed=%d" % args.seed, work]
        if os.path.isdir(corpus):
            cmd.append(corpus)
        rc, out = run_cmd(cmd, seconds + 120)
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    tap.point(rc == 0, "fuzz/%s: %ds, %s executions, seed %d, no crash" %
              (target, seconds, runs.group(1) if runs else "?", args.seed),
              diag=out)


def job_boot(tap, args, spec):
    name, plat = spec["name"], spec["platform"]
    prefix = "boot/%s: " % name
    if plat == "qemu-kvm":
        why = platforms.kvm_nested_reason()
        if why:
            tap.point(True, prefix + "QEMU+KVM nested suite", skip=why)
            return
    iso = os.path.join(args.build, "iso", name + ".iso")
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    cmd = ["sh", "test/harness/mkiso.sh", iso, os.path.join(args.build, "mica.elf"),
           "--cmdline", spec.get("cmdline", "")]
    extra = spec.get("guest_args", "")
    for mod, margs in guests.modules(args.build, spec.get("guests", [])):
        # Right after the name: the first of a repeated option counts,
        # so the boot's words override the guest's own.
        gname, _, own = margs.partition(" ")
        cmd += ["--module", mod, " ".join(w for w in (gname, extra, own) if w)]
    rc, out = run_cmd(cmd, 120)
    if rc != 0:
        tap.point(False, prefix + "ISO builds", diag=out)
        return
    logdir = os.path.join(args.build, "logs", name)
    inputs = spec.get("input", [])
    res = platforms.boot(plat, iso, timeout=spec.get("timeout", 120),
                         keep_dir=logdir, inputs=inputs)
    relay_tap(tap, prefix, res.log)
    with TAP_SHAPES_LOCK:
        TAP_SHAPES[name] = tap_shape(res.log)
    if inputs:
        tap.point(res.inputs_sent == len(inputs),
                  prefix + "all %d serial inputs were sent" % len(inputs),
                  diag="%d sent\n%s" % (res.inputs_sent, res.log))
    for desc, rx in spec.get("expect", []):
        tap.point(re.search(rx, res.log, re.M) is not None, prefix + desc,
                  diag=res.log)
    for desc, rx in spec.get("reject", []):
        tap.point(re.search(rx, res.log, re.M) is None, prefix + desc,
                  diag=res.log)
    want = spec.get("status", 0)
    what = ("timed out after %ds" % spec.get("timeout", 120)) if res.timed_out \
        else "status %s" % res.status
    tap.point(not res.timed_out and res.status == want and not res.note,
              prefix + "ends with status %d (%s, %.1fs)%s" %
              (want, what, res.seconds, "; " + res.note if res.note else ""),
              diag=res.log + "\n(serial log and bochsrc in %s)" % logdir)


def job_perf(tap, args):
    """Bochs benchmark figures against the committed docs/performance.md."""
    for ok, desc, diag in perfcheck.check(args.build, "docs/performance.md"):
        tap.point(ok, desc, diag=diag)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="",
                    help="comma list: lint,image,host,fuzz,boot,perf")
    ap.add_argument("--boots", default="",
                    help="comma list of boot names (test/harness/boots.py); "
                    "default all")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed for random tests and fuzzers (default: fixed "
                    "for make test, time-based for make test-long)")
    args = ap.parse_args()
    if args.seed is None:
        # make test is reproducible; make test-long explores new seeds.
        args.seed = int(time.time()) % 100000 if args.long else 20261122
    args.fuzz_seconds = 600 if args.long else 60
    layers = set((args.only or "lint,image,host,fuzz,boot,perf").split(","))

    picked = [b for b in boots.BOOTS
              if not args.boots or b["name"] in args.boots.split(",")]
    tap = Tap()
    tap.diag("mica test suite, seed %d, %d parallel jobs" % (args.seed, args.jobs))
    jobs = []
    if "lint" in layers:
        jobs.append((job_lint, ()))
    if "image" in layers:
        jobs.append((job_multiboot, ()))
    if "boot" in layers:
        jobs += [(job_boot, (b,)) for b in picked]
    if "perf" in layers:
        jobs.append((job_perf, ()))
    if "host" in layers:
        jobs += [(job_host_test, (p,)) for p in
                 sorted(glob.glob(os.path.join(args.build, "h", "test_*")))
                 if os.access(p, os.X_OK) and not p.endswith((".o", ".d"))]
    if "fuzz" in layers:
        jobs += [(job_fuzz, (p,)) for p in
                 sorted(glob.glob(os.path.join(args.build, "fuzz", "fuzz_*")))]
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(fn, tap, args, *a) for fn, a in jobs]
        for f in futs:
            try:
                f.result()
            except Exception as e:  # a harness bug is a failure, not a crash
                tap.point(False, "harness: %s: %s" % (type(e).__name__, e))
    if "boot" in layers:
        names = set(b["name"] for b in picked)
        for b in picked:
            if b.get("same_tap_as") in names:
                job_same_tap(tap, b)
    print("1..%d" % tap.n)
    for desc, why in tap.skips:
        print("# skipped: %s: %s" % (desc, why))
    for desc in tap.failures:
        print("# failed: %s" % desc)
    line = "%d passed, %d failed" % (tap.passed, tap.failed)
    if tap.skipped:
        line += ", %d skipped" % tap.skipped
    print(line)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
