#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make run`: boot mica on the best platform here and show its console.

QEMU+KVM with -cpu host when /dev/kvm exposes nested VMX, else Bochs with
the tigerlake CPU model. The run ends by itself when mica exits.

--kernel PATH boots that kernel (ELF, multiboot1 or flat) as the only
guest, as "qemu -kernel" does: --args is its command line after its name
(the words after "--" on its module line), --mem and --mode its mem= and
mode= (mode 32 for an ELF32 or multiboot1 kernel unless given), --opts
more of mica's module options (docs/guests.md).

Lines typed on the terminal go to COM1, the guest's UART (docs/guests.md,
"Typing into a guest"). --input 'REGEX=>TEXT' (repeatable) scripts serial
input instead: once the output matches REGEX (after the previous input's
match), TEXT goes to COM1. TEXT takes the escapes \\n \\r \\t \\0 \\\\
and \\xNN; the first "=>" splits.
"""
import argparse
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guests  # noqa: E402
import platforms  # noqa: E402

NAMES = {0: "ok", 1: "fail", 2: "panic", 3: "no-vmx", 4: "bad-boot"}
ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0", "\\": b"\\"}
ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|.)", re.S)


def unescape(text):
    """TEXT of --input as bytes: \\n \\r \\t \\0 \\\\ and \\xNN decoded."""
    out, pos = bytearray(), 0
    for m in ESCAPE_RE.finditer(text):
        esc = m.group(1)
        if esc[0] == "x" and len(esc) == 3:
            byte = bytes([int(esc[1:], 16)])
        elif esc in ESCAPES:
            byte = ESCAPES[esc]
        else:
            raise ValueError("unknown escape \\%s" % esc)
        out += text[pos:m.start()].encode() + byte
        pos = m.end()
    return bytes(out + text[pos:].encode())


def parse_input(spec):
    """'REGEX=>TEXT' as (regex, bytes)."""
    rx, sep, text = spec.partition("=>")
    if not sep:
        raise ValueError("%r has no '=>'" % spec)
    re.compile(rx)
    return rx, unescape(text)


# Characters GRUB's script reader takes as they are; a word with any other
# is single-quoted in grub.cfg.
GRUB_PLAIN = re.compile(r"[A-Za-z0-9_.,:/=+@%^~-]+")


def grub_word(word):
    """word as grub.cfg must spell it for GRUB to pass it unchanged."""
    if GRUB_PLAIN.fullmatch(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def kernel_mode(path):
    """"32" for an ELF32 or multiboot1 kernel, else None (mica's default,
    64)."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if head[:4] == b"\x7fELF":
        return "32" if head[4] == 1 else None
    for off in range(0, len(head) - 11, 4):
        magic, flags, csum = struct.unpack_from("<III", head, off)
        if magic == 0x1BADB002 and (magic + flags + csum) & 0xffffffff == 0:
            return "32"
    return None


def kernel_module(args):
    """(path, module line) for --kernel: named after the file, mica's
    options, then "--" and the kernel's arguments."""
    path = args.kernel
    if not os.path.isfile(path):
        sys.exit("run: --kernel %s: no such file" % path)
    name = re.sub(r"[^A-Za-z0-9_.-]", "_",
                  os.path.splitext(os.path.basename(path))[0])[:23] or "kernel"
    mode = args.mode or kernel_mode(path)
    words = [name] + (["mem=" + args.mem] if args.mem else []) + \
        (["mode=" + mode] if mode else []) + args.opts.split() + ["--"] + \
        [grub_word(w) for w in args.args.split()]
    return path, " ".join(words)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--platform", default="auto")
    ap.add_argument("--guests", default="")
    ap.add_argument("--kernel", default="",
                    help="boot this kernel as the only guest")
    ap.add_argument("--args", default="",
                    help="--kernel: its command line after its name")
    ap.add_argument("--mem", default="", help="--kernel: its mem=")
    ap.add_argument("--mode", default="",
                    help="--kernel: its mode= (64, 32, real)")
    ap.add_argument("--opts", default="",
                    help="--kernel: more module options for mica")
    ap.add_argument("--cmdline", default="")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--input", action="append", default=[],
                    metavar="REGEX=>TEXT",
                    help="send TEXT to COM1 once the output matches REGEX "
                    "(repeatable, in order; escapes \\n \\r \\t \\0 \\\\ "
                    "\\xNN)")
    args = ap.parse_args()
    try:
        inputs = [parse_input(spec) for spec in args.input]
    except (ValueError, re.error) as e:
        sys.exit("run: --input: %s" % e)

    plat = args.platform
    if plat == "auto":
        why = platforms.kvm_nested_reason()
        plat = "qemu-kvm" if why is None else "bochs-tigerlake"
        print("run: platform %s%s" % (plat, "" if why is None else
                                      " (QEMU+KVM unavailable: %s)" % why))
    if plat not in platforms.PLATFORMS:
        sys.exit("run: unknown platform %s (one of %s)" %
                 (plat, ", ".join(platforms.PLATFORMS)))
    if args.kernel:
        mods = [kernel_module(args)]
        print("run: module line: %s" % mods[0][1])
    else:
        names = args.guests.replace(",", " ").split() or guests.DEMO
        unknown = [n for n in names if n not in guests.GUESTS]
        if unknown:
            sys.exit("run: unknown guest(s) %s; known: %s" %
                     (", ".join(unknown), ", ".join(sorted(guests.GUESTS))))
        mods = guests.modules(args.build, names)
    iso = os.path.join(args.build, "iso", "run.iso")
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    cmd = ["sh", "test/harness/mkiso.sh", iso,
           os.path.join(args.build, "mica.elf"), "--cmdline", args.cmdline]
    for path, line in mods:
        cmd += ["--module", path, line]
    subprocess.run(cmd, check=True)
    # Without scripted input, what is typed on a terminal goes to COM1
    # (a line at a time: the terminal stays in its own line mode).
    keyboard = None if inputs or not sys.stdin.isatty() else sys.stdin.fileno()
    res = platforms.boot(plat, iso, timeout=args.timeout, inputs=inputs,
                         keyboard=keyboard,
                         stream=lambda t: (sys.stdout.write(t.replace("\r", "")),
                                           sys.stdout.flush()))
    if inputs:
        print("run: %d of %d inputs sent" % (res.inputs_sent, len(inputs)))
    if res.timed_out:
        print("run: no exit after %d s, stopped" % args.timeout)
        return 1
    print("run: mica ended with status %s (%s) after %.1f s on %s" %
          (res.status, NAMES.get(res.status, "?"), res.seconds, plat))
    return 0 if res.status in (0, 3) else 1


if __name__ == "__main__":
    sys.exit(main())
