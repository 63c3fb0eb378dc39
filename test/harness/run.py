#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make run`: boot mica on the best platform here and show its console.

QEMU+KVM with -cpu host when /dev/kvm exposes nested VMX, else Bochs with
the tigerlake CPU model. The run ends by itself when mica exits.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guests  # noqa: E402
import platforms  # noqa: E402

NAMES = {0: "ok", 1: "fail", 2: "panic", 3: "no-vmx", 4: "bad-boot"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--platform", default="auto")
    ap.add_argument("--guests", default="")
    ap.add_argument("--cmdline", default="")
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args()

    plat = args.platform
    if plat == "auto":
        why = platforms.kvm_nested_reason()
        plat = "qemu-kvm" if why is None else "bochs-tigerlake"
        print("run: platform %s%s" % (plat, "" if why is None else
                                      " (QEMU+KVM unavailable: %s)" % why))
    if plat not in platforms.PLATFORMS:
        sys.exit("run: unknown platform %s (one of %s)" %
                 (plat, ", ".join(platforms.PLATFORMS)))
    names = args.guests.replace(",", " ").split() or guests.DEMO
    unknown = [n for n in names if n not in guests.GUESTS]
    if unknown:
        sys.exit("run: unknown guest(s) %s; known: %s" %
                 (", ".join(unknown), ", ".join(sorted(guests.GUESTS))))
    iso = os.path.join(args.build, "iso", "run.iso")
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    cmd = ["sh", "test/harness/mkiso.sh", iso,
           os.path.join(args.build, "mica.elf"), "--cmdline", args.cmdline]
    for path, line in guests.modules(args.build, names):
        cmd += ["--module", path, line]
    subprocess.run(cmd, check=True)
    res = platforms.boot(plat, iso, timeout=args.timeout,
                         stream=lambda t: (sys.stdout.write(t.replace("\r", "")),
                                           sys.stdout.flush()))
    if res.timed_out:
        print("run: no exit after %d s, stopped" % args.timeout)
        return 1
    print("run: mica ended with status %s (%s) after %.1f s on %s" %
          (res.status, NAMES.get(res.status, "?"), res.seconds, plat))
    return 0 if res.status in (0, 3) else 1


if __name__ == "__main__":
    sys.exit(main())
