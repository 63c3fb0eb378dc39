#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: mica's figures, printed as a table as they are measured.

Bochs figures are retired-instruction counts (clock: sync=none makes the TSC
count instructions), deterministic from run to run. Host figures come from
the optimised programs under test/bench, run in this process's machine and
reported as ratios to a reference measured in the same run.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guests  # noqa: E402
import platforms  # noqa: E402

rows = []


def row(name, value, unit, target="", source=""):
    rows.append((name, value, unit, target, source))
    print("bench: %-40s %14s %-12s %s" % (name, value, unit, target))
    sys.stdout.flush()


def image_sizes(build):
    out = subprocess.run(["size", "-A", os.path.join(build, "mica.elf")],
                         capture_output=True, text=True, check=True).stdout
    sec = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("."):
            sec[parts[0]] = int(parts[1])
    text = sec.get(".text", 0) + sec.get(".boot", 0)
    data = sec.get(".rodata", 0) + sec.get(".data", 0)
    bss = sec.get(".bss", 0) + sec.get(".boot.bss", 0)
    row("image text (.boot + .text)", text, "bytes")
    row("image data (.rodata + .data)", data, "bytes")
    row("image bss", bss, "bytes")
    row("image loaded size (text + data)", text + data, "bytes", "< 131072")


def boot_cost(build):
    iso = os.path.join(build, "iso", "bench.iso")
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    subprocess.run(["sh", "test/harness/mkiso.sh", iso,
                    os.path.join(build, "mica.elf")], check=True)
    res = platforms.boot("bochs-tigerlake", iso, timeout=120, mem=128)
    m = re.search(r"mica: ready after (\d+) instructions", res.log)
    row("boot: multiboot entry to ready (128 MiB)",
        m.group(1) if m else "n/a", "instructions", "< 2000000",
        "Bochs tigerlake TSC delta")


EXIT_TARGETS = {
    "exit_null_hypercall": ("<= 150", "null VMCALL round trip"),
    "exit_cpuid": ("<= 250", "CPUID leaf 0 round trip"),
    "exit_pio_out_uart": ("<= 300", "1-byte OUT to the vUART scratch register"),
    "exit_pio_in_unclaimed": ("", "1-byte IN from an unclaimed port"),
    "write_plain_page": ("", "8-byte write to a writable page (no exit)"),
}


SPP_ROWS = {
    "spp_write_allowed": ("write to a writable subpage of a protected page",
                          {"hardware": "0 exits (as write_plain_page)",
                           "software": "<= 1200"}),
    "spp_write_denied": ("write to a protected subpage (denied)", {}),
}


def guest_exit_costs(build):
    """Round-trip instruction counts measured by the bench guest, booted
    as is (hardware SPP on tigerlake) and with spp=soft."""
    iso = os.path.join(build, "iso", "bench-guest.iso")
    cmd = ["sh", "test/harness/mkiso.sh", iso, os.path.join(build, "mica.elf")]
    for path, line in guests.modules(build, ["bench", "bench-spp-soft"]):
        cmd += ["--module", path, line]
    subprocess.run(cmd, check=True)
    res = platforms.boot("bochs-tigerlake", iso, timeout=180)
    src = "Bochs tigerlake, RDTSC in the guest, min of 64"
    paths = dict(re.findall(r"^\[(\S+)\] bench spp_path (\S+)$", res.log,
                            re.M))
    for m in re.finditer(r"^\[(\S+)\] bench (\S+) (\d+)$", res.log, re.M):
        guest, name, val = m.group(1), m.group(2), m.group(3)
        if name in SPP_ROWS:
            path = paths.get(guest, "?")
            what, targets = SPP_ROWS[name]
            row("SPP %s path: %s" % (path, what), val, "instructions",
                targets.get(path, ""), src)
        elif guest == "bench":
            target, what = EXIT_TARGETS.get(name, ("", name))
            row("exit: " + what, val, "instructions", target, src)


def host_benches(build):
    for path in sorted(glob.glob(os.path.join(build, "bench", "bench_*"))):
        out = subprocess.run([path], capture_output=True, text=True)
        for line in out.stdout.splitlines():
            m = re.match(r"bench (\S+) (.*)$", line)
            if m:
                row(os.path.basename(path) + ": " + m.group(1), m.group(2), "")
        if out.returncode:
            row(os.path.basename(path), "FAILED rc %d" % out.returncode, "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    print("bench: building host benchmark programs")
    subprocess.run(["make", "--no-print-directory", "bench-host"], check=True)
    image_sizes(args.build)
    boot_cost(args.build)
    guest_exit_costs(args.build)
    host_benches(args.build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
