#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: measure mica, print a table, write docs/performance.md and
the plots in docs/.

Bochs figures are retired-instruction counts (clock: sync=none makes the TSC
count instructions), deterministic from run to run. Host figures come from
the optimised programs under test/bench, each run RUNS times; the report
gives the median of each figure (ratios included) over the runs. The
figures, their targets and references are listed in figures.py.
"""
import argparse
import glob
import os
import platform as pyplatform
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figures  # noqa: E402
import guests  # noqa: E402
import platforms  # noqa: E402

RUNS = 5
START = time.monotonic()
DOC = "docs/performance.md"
FIG_BEGIN = "```figures"


def progress(msg):
    print("[%4.0fs] %s" % (time.monotonic() - START, msg))
    sys.stdout.flush()


class Results:
    """Measured values by figure key, plus the memslot curve."""

    def __init__(self, quiet=False):
        self.quiet = quiet
        self.values = {}
        self.curve = {}  # nslots -> (random ns, hit ns)
        self.errors = []

    def set(self, key, value):
        self.values[key] = value
        if not self.quiet:
            print("  %-34s %s" % (key, fmt(value)))
            sys.stdout.flush()


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        if v >= 100:
            return "{:,.0f}".format(v)
        if v >= 10:
            return "%.1f" % v
        return "%.2f" % v
    return "{:,}".format(v)


# ------------------------------------------------------------------ measures
def image_sizes(build, res):
    out = subprocess.run(["size", "-A", os.path.join(build, "mica.elf")],
                         capture_output=True, text=True, check=True).stdout
    sec = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("."):
            sec[parts[0]] = int(parts[1])
    text = sec.get(".text", 0) + sec.get(".boot", 0)
    data = sec.get(".rodata", 0) + sec.get(".data", 0)
    res.set("image_text", text)
    res.set("image_data", data)
    res.set("image_bss", sec.get(".bss", 0) + sec.get(".boot.bss", 0))
    res.set("image_loaded", text + data)


def boot_ready(build, res):
    """Bare boot with 128 MiB: entry to "ready"."""
    iso = os.path.join(build, "iso", "bench.iso")
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    subprocess.run(["sh", "test/harness/mkiso.sh", iso,
                    os.path.join(build, "mica.elf")], check=True)
    boot = platforms.boot("bochs-tigerlake", iso, timeout=120, mem=128)
    m = re.search(r"mica: ready after (\d+) instructions", boot.log)
    if m:
        res.set("boot_ready_128m", int(m.group(1)))
    else:
        res.errors.append("bare boot did not reach ready:\n" + boot.log[-2000:])


def guest_figures(build, res):
    """Boot the bench guest; its "bench name N" lines become figures."""
    iso = os.path.join(build, "iso", "bench-guest.iso")
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    cmd = ["sh", "test/harness/mkiso.sh", iso, os.path.join(build, "mica.elf")]
    for path, line in guests.modules(build, ["bench", "bench-spp-soft",
                                             "bench-nocache",
                                             "bench-apicv-off",
                                             "bench-apic-access"]):
        cmd += ["--module", path, line]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    boot = platforms.boot("bochs-tigerlake", iso, timeout=300)
    got = dict((m.group(1), int(m.group(2))) for m in re.finditer(
        r"^\[bench(?:-spp-soft|-nocache|-apicv-off|-apic-access)?\] bench (\S+) (\d+)$", boot.log,
        re.M))
    if boot.status != 0 or "exit_null_hypercall" not in got:
        res.errors.append("bench guest failed (status %s):\n%s"
                          % (boot.status, boot.log[-3000:]))
    entry = re.search(r"^mica: TSC at multiboot entry (\d+)$", boot.log, re.M)
    if entry and "guest_entry_tsc" in got:
        res.set("boot_first_vm_entry",
                got.pop("guest_entry_tsc") - int(entry.group(1)))
    for key, val in got.items():
        if key == "mmio_rep_movsb_4k":
            res.set("mmio_rep_movsb_per_byte", round(val / 4096.0, 1))
        elif key.startswith("lock_64m_"):
            res.set(key, val)
            null = got.get("exit_null_hypercall", 0)
            leaves = 16384 if key.endswith("4k") else 32
            res.set(key + "_per_leaf", round((val - null) / leaves, 1))
        else:
            res.set(key, val)
    if "mmio_cached_load" in got:
        res.set("gwalk_emulated_access_cache", got["mmio_cached_load"])
    return boot


def host_figures(build, res, runs):
    """Each test/bench program `runs` times; median of every figure."""
    progs = sorted(p for p in glob.glob(os.path.join(build, "bench", "bench_*"))
                   if os.access(p, os.X_OK) and not p.endswith((".o", ".d")))
    samples = {}
    curve = {}
    for path in progs:
        name = os.path.basename(path)
        for r in range(runs):
            progress("host: %s, run %d of %d" % (name, r + 1, runs))
            out = subprocess.run([path], capture_output=True, text=True)
            if out.returncode:
                res.errors.append("%s exited %d:\n%s" % (
                    name, out.returncode, (out.stdout + out.stderr)[-2000:]))
            for line in out.stdout.splitlines():
                f = line.split()
                if len(f) < 3 or f[0] != "bench":
                    continue
                if len(f) == 4:  # per slot count: name nslots value
                    curve.setdefault((f[1], int(f[2])), []).append(float(f[3]))
                    key = "%s_%s" % (f[1], f[2])
                    samples.setdefault(key, []).append(float(f[3]))
                else:
                    samples.setdefault(f[1], []).append(float(f[2]))
    known = set(f[0] for f in figures.FIGURES)
    for key, vals in sorted(samples.items()):
        med = statistics.median(vals)
        if key.startswith("ept_tables_per_gib"):
            med = int(med)
        if key in known:
            res.set(key, med)
        else:
            res.values[key] = med
    for (name, n), vals in curve.items():
        if name in ("memslot_lookup_ns", "memslot_lookup_hit_ns"):
            res.curve.setdefault(n, {})[name] = statistics.median(vals)


# ------------------------------------------------------------------ report
def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            return m.group(1).strip() if m else pyplatform.machine()
    except OSError:
        return pyplatform.machine()


def target_text(t):
    if t is None:
        return ""
    want = t[1]
    if isinstance(want, float) and want.is_integer() and want >= 10:
        want = int(want)
    return "%s %s (%s)" % (t[0].replace("==", "="), fmt(want), t[2])


def table_rows(res):
    """(area, key, label, value, unit, target, verdict, reference)."""
    out = []
    for key, area, kind, label, unit, target, ref in figures.FIGURES:
        v = res.values.get(key)
        out.append((area, key, label, v, unit, target,
                    figures.verdict(v, target), ref, kind))
    return out


def print_table(res):
    rows = table_rows(res)
    print()
    print("%-62s %14s %-12s %-26s %s" % ("figure", "value", "unit", "target",
                                        "met"))
    for area, title in figures.AREAS:
        print("-- " + title)
        for r in rows:
            if r[0] != area:
                continue
            print("%-62s %14s %-12s %-26s %s" % (
                r[2][:62], fmt(r[3]), r[4], target_text(r[5]), r[6]))
    met = sum(1 for r in rows if r[6] == "met")
    total = sum(1 for r in rows if r[6])
    print("\n%d of %d targets met" % (met, total))


def write_doc(res, path):
    rows = table_rows(res)
    met = [r for r in rows if r[6] == "met"]
    missed = [r for r in rows if r[6] in ("not met", "not measured")]
    L = []
    L.append("# Performance")
    L.append("")
    L.append("Generated by `make bench` (`test/harness/bench.py`); do not "
             "edit by hand. The figures, targets and references are listed "
             "in `test/harness/figures.py`.")
    L.append("")
    L.append("**Bochs figures are retired-instruction counts, not cycles.** "
             "Under Bochs 2.7 with `clock: sync=none` the TSC advances by "
             "one per retired instruction (a REP iteration counts as one), "
             "so a guest's RDTSC delta is the exact number of instructions "
             "of the whole round trip: the guest's exit, mica's handler and "
             "VM entry (`docs/platforms.md`). They are deterministic, and "
             "`make test` checks that a fresh run matches this file (below). "
             "They are not comparable one-to-one with published KVM "
             "figures: those are cycles on real hardware (for example the "
             "vmexit test of kvm-unit-tests), where the VM exit and entry "
             "transitions themselves cost hundreds of cycles and cache "
             "misses dominate, while here they count as one instruction "
             "each. No instruction count of KVM's exit paths is published "
             "to compare like with like, so the reference of each row is "
             "mica's own goal for that path, set when the path was built, and, where "
             "one exists, a figure measured on the same Bochs.")
    L.append("")
    L.append("Host figures come from the optimised programs in `test/bench/`"
             " on this machine (%s), each run %d times; the table gives the "
             "median of each figure over the runs (each program already "
             "reports medians of its own repetitions). Ratios compare mica "
             "with a reference measured in the same process and are the "
             "figures to read; absolute times vary with the machine and its "
             "load." % (host_cpu(), RUNS))
    L.append("")
    L.append("**%d of %d targets met.** Not met: %s." % (
        len(met), len(met) + len(missed),
        "; ".join("%s (%s)" % (r[2].strip(), r[6]) for r in missed)
        or "none"))
    L.append("")
    for area, title in figures.AREAS:
        L.append("## " + title)
        L.append("")
        L.append("| figure | value | unit | target | met | reference and "
                 "source |")
        L.append("|---|---:|---|---|---|---|")
        for r in rows:
            if r[0] != area:
                continue
            L.append("| %s | %s | %s | %s | %s | %s |" % (
                r[2].strip() if not r[2].startswith("  ") else
                "&nbsp;&nbsp;" + r[2].strip(),
                fmt(r[3]), r[4], target_text(r[5]), r[6] or "-", r[7]))
        L.append("")
        if area == "exit":
            L.append("![Exit-path instruction counts](perf-exit-paths.png)")
            L.append("")
        if area == "mem":
            L.append("![Memslot lookup cost](perf-memslot-lookup.png)")
            L.append("")
    L.append("## How each Bochs figure is measured")
    L.append("")
    L.append("The bench guest (`guests/bench.c`, module line `bench "
             "mem=160M`) times each operation between two RDTSC "
             "instructions and subtracts the cost of the RDTSC pair. Round "
             "trips are the best of 64; first touches are best of several "
             "fresh pages or rounds.")
    L.append("")
    L.append("- *MMIO first touch*: before each round the guest creates "
             "and deletes a one-page slot in ioram's 1 GiB block, which "
             "drops the cached MMIO entry, so the access is an EPT "
             "violation that finds no slot, installs the MMIO entry and "
             "emulates; the guest checks with mica's exit counters that "
             "each timed access took exactly one EPT violation and no "
             "misconfiguration. The memslot change also invalidates "
             "mica's host pointers to the guest's paging entries, so the "
             "instruction fetch looks them up again (no walk); the "
             "instruction's decoding is reused from the rounds before.")
    L.append("- *MMIO cached*: later accesses to ioram hit the "
             "write-without-read MMIO entry: an EPT misconfiguration "
             "exit, then fetch (revalidated translation), decode (from "
             "the cache of decoded instructions), verify through the MMIO "
             "GVA cache and emulate.")
    L.append("- *REP MOVSB*: 4,096 bytes from RAM into ioram, one "
             "instruction; the emulator moves each run of bytes that "
             "stays within one source and one destination page at once, "
             "up to 4,096 elements per exit (the exit count is its own "
             "row); divided by 4,096.")
    L.append("- *EPT first touch*: a load from a page of a fresh slot "
             "aliasing pool offset 64 MiB; the 4K case uses an offset "
             "that is not 2 MiB aligned so only 4K leaves fit, and skips "
             "the first page of the 2 MiB block (whose fault also "
             "allocates the table page).")
    L.append("- *lock_memslot*: the whole hypercall for a fresh 64 MiB "
             "slot, read/write, 16,384 4K leaves or 32 2M leaves; the "
             "guest checks that a touch of the locked slot takes no EPT "
             "violation.")
    L.append("- *xAPIC*: stores to the local APIC page at 0xFEE00000 "
             "(software-enabled through SPIV first), emulated through the "
             "MMIO path; the self-IPI rounds check that each delivers "
             "exactly one interrupt.")
    L.append("- *Boot to first VM entry*: the bench guest's first RDTSC "
             "minus the TSC mica saved at its multiboot entry (printed as "
             "`mica: TSC at multiboot entry`).")
    L.append("")
    L.append("## Machine-readable figures")
    L.append("")
    L.append("`test/harness/perfcheck.py` (part of `make test`) boots the "
             "bench guest again and fails when a `bochs` figure below is "
             "more than 5% higher than in a fresh run; host figures are "
             "listed for reference only. Format: kind, key, value.")
    L.append("")
    L.append(FIG_BEGIN)
    for r in rows:
        if r[3] is not None:
            L.append("%s %s %s" % (r[8], r[1], r[3]))
    listed = set(r[1] for r in rows)
    for n in sorted(res.curve):
        for name, v in sorted(res.curve[n].items()):
            if "%s_%d" % (name, n) not in listed:
                L.append("host %s_%d %s" % (name, n, v))
    L.append("```")
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


def read_doc(path):
    """{key: (kind, value)} from the machine-readable block of path."""
    out = {}
    inside = False
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line == FIG_BEGIN:
                inside = True
            elif inside and line.startswith("```"):
                break
            elif inside and line:
                kind, key, val = line.split()
                num = float(val)
                out[key] = (kind, int(num) if num.is_integer() and
                            "." not in val else num)
    return out


# ------------------------------------------------------------------ plots
EXIT_BARS = [
    ("exit_null_hypercall", "VMCALL"),
    ("exit_cpuid", "CPUID"),
    ("exit_pio_out_uart", "OUT"),
    ("exit_pio_in_unclaimed", "IN"),
    ("mmio_cached_load", "MMIO load\\ncached"),
    ("mmio_cached_store", "MMIO store\\ncached"),
    ("mmio_first_touch_load", "MMIO load\\n1st touch"),
    ("mmio_first_touch_store", "MMIO store\\n1st touch"),
    ("mmio_rep_movsb_per_byte", "REP MOVSB\\nper byte"),
    ("ept_first_touch_4k", "EPT 1st\\ntouch 4K"),
    ("ept_first_touch_2m", "EPT 1st\\ntouch 2M"),
]


def plot(res, docdir):
    targets = dict((f[0], f[5]) for f in figures.FIGURES)
    with tempfile.TemporaryDirectory(prefix="mica-plot-") as tmp:
        exits = os.path.join(tmp, "exits.dat")
        with open(exits, "w") as f:
            for i, (key, label) in enumerate(EXIT_BARS):
                v = res.values.get(key)
                t = targets.get(key)
                f.write('%d "%s" %s %s\n' % (i, label,
                                             v if v is not None else "NaN",
                                             t[1] if t else "NaN"))
        curve = os.path.join(tmp, "memslot.dat")
        with open(curve, "w") as f:
            for n in sorted(res.curve):
                c = res.curve[n]
                f.write("%d %s %s\n" % (n, c.get("memslot_lookup_ns", "NaN"),
                                        c.get("memslot_lookup_hit_ns", "NaN")))
        script = """
set terminal pngcairo size 1100,560 font "DejaVu Sans,11"
set output "{docdir}/perf-exit-paths.png"
set title "mica exit paths under Bochs: retired instructions per round trip\\n(instruction counts, not cycles; lower is better)"
set style fill solid 0.8 border -1
set boxwidth 0.6
set ylabel "instructions (log scale)"
set grid ytics
set logscale y
set yrange [10:20000]
set xrange [-0.6:{nb}-0.4]
set bmargin 4
set xtics rotate by 0 font ",9"
set key top left
plot "{exits}" using 1:3:xtic(2) with boxes lc rgb "#3a6ea5" title "measured", \\
     "" using 1:4 with points pt 9 ps 1.8 lc rgb "#c0392b" title "target (MMIO-path and exit-path goals)", \\
     "" using 1:3:(sprintf("%.0f", $3)) with labels offset 0,-0.8 font ",9" tc rgb "white" notitle

set output "{docdir}/perf-memslot-lookup.png"
set terminal pngcairo size 900,520 font "DejaVu Sans,11"
set title "memslot lookup cost on the host (median, ns per lookup)"
unset logscale y
set logscale x 2
set xrange [0.8:50000]
set yrange [0:*]
set xtics ("1" 1, "4" 4, "16" 16, "64" 64, "256" 256, "1024" 1024, "4096" 4096, "16384" 16384, "32764" 32764) font ",9"
set xlabel "slots in the table"
set ylabel "ns per lookup"
set grid xtics ytics
set key top left
plot "{curve}" using 1:2 with linespoints pt 7 lw 2 lc rgb "#3a6ea5" title "random GPAs (90% in slots)", \\
     "" using 1:3 with linespoints pt 5 lw 2 lc rgb "#27ae60" title "same slot (last-hit cache)"
""".format(docdir=docdir, exits=exits, curve=curve, nb=len(EXIT_BARS))
        sp = os.path.join(tmp, "plot.gp")
        with open(sp, "w") as f:
            f.write(script)
        r = subprocess.run(["gnuplot", sp], capture_output=True, text=True)
        if r.returncode:
            res.errors.append("gnuplot failed:\n" + r.stderr)


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=RUNS,
                    help="runs of each host program (median)")
    ap.add_argument("--doc", default=DOC)
    ap.add_argument("--plot-only", action="store_true",
                    help="redraw the plots from the figures in --doc")
    ap.add_argument("--no-host", action="store_true",
                    help="Bochs figures only (the report keeps host rows empty)")
    args = ap.parse_args()
    res = Results()
    if args.plot_only:
        for key, (kind, val) in read_doc(args.doc).items():
            res.values[key] = val
            m = re.match(r"(memslot_lookup(?:_hit)?_ns)_(\d+)$", key)
            if m:
                res.curve.setdefault(int(m.group(2)), {})[m.group(1)] = val
        plot(res, os.path.dirname(os.path.abspath(args.doc)))
        for e in res.errors:
            print("bench: ERROR: " + e)
        return 1 if res.errors else 0
    steps = 4 if args.no_host else 5
    progress("[1/%d] image sizes" % steps)
    image_sizes(args.build, res)
    progress("[2/%d] Bochs: bare boot, 128 MiB" % steps)
    boot_ready(args.build, res)
    progress("[3/%d] Bochs: bench guest (exits, MMIO, EPT, memslot lock)"
             % steps)
    guest_figures(args.build, res)
    if not args.no_host:
        progress("[4/%d] host programs, %d runs each" % (steps, args.runs))
        host_figures(args.build, res, args.runs)
    res.set("bench_seconds", round(time.monotonic() - START))
    progress("[%d/%d] report: %s and plots" % (steps, steps, args.doc))
    docdir = os.path.dirname(os.path.abspath(args.doc))
    os.makedirs(docdir, exist_ok=True)
    plot(res, docdir)
    write_doc(res, args.doc)
    print_table(res)
    for e in res.errors:
        print("bench: ERROR: " + e)
    progress("done: %s, %s/perf-exit-paths.png, %s/perf-memslot-lookup.png"
             % (args.doc, os.path.relpath(docdir), os.path.relpath(docdir)))
    return 1 if res.errors else 0


if __name__ == "__main__":
    sys.exit(main())
