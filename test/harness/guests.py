# SPDX-License-Identifier: MIT
"""The test guests and the module command line each boots with.

Each entry: name -> (file under build/guests/, module arguments). The module
line is "<name> <arguments>"; see docs/guests.md for the options. The files
are the programs of guests/guests.list, the list the Makefile builds: on
import, every file an entry names must be a program of the list and every
program must be named by an entry (`guests.py --check` says so).
"""
import os
import re
import sys

LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "guests", "guests.list")
KINDS = ("64", "32", "real", "mb1")

GUESTS = {
    "hello": ("hello.elf", ""),
    "exits": ("exits.elf", "expect=stop:halted"),
    "mode32": ("mode32.elf", "mode=32"),
    "real16": ("real16.bin", "mode=real load=0x10000 expect=exit:1"),
    "ring3": ("ring3.elf", ""),
    "probe": ("probe.elf", ""),
    "udstorm": ("udstorm.elf", ""),
    "triple": ("triple.elf", "expect=stop:triple"),
    "loop": ("loop.elf", "budget=20000000 expect=stop:budget"),
    "broken-cr0": ("hello.elf", "broken=cr0 expect=stop:CR0.PG_is_1"),
    "broken-cs": ("hello.elf", "broken=cs expect=stop:both_L_and_D/B"),
    "broken-rflags": ("hello.elf", "broken=rflags expect=stop:RFLAGS_bit_1"),
    # the same two on a CPU without unrestricted guest: refused with the
    # reason before entry, and the entry check's reason for CR0
    "real16-noug": ("real16.bin", "mode=real load=0x10000 "
                    "expect=stop:needs_unrestricted_guest"),
    "broken-cr0-noug": ("hello.elf", "broken=cr0 "
                        "expect=stop:CR0.PG_is_0_without"),
    "bench": ("bench.elf", "mem=160M"),
    "bench-spp-soft": ("bench.elf", "spp=soft case=spp"),
    "bench-nocache": ("bench.elf", "case=nocache no-mmio-cache"),
    "bench-apicv-off": ("bench.elf", "apicv=off case=apicv-off"),
    "bench-apic-access": ("bench.elf", "apicv=access case=apic-access"),
    "mmio": ("mmio.elf", ""),
    "memslots": ("memslots.elf", ""),
    "paging": ("paging.elf", "forced-emu budget=4000000000"),
    # multiboot1 test kernel: status 1 = (0 failures << 1) | 1, as QEMU
    "pcenv": ("pcenv.elf", "mode=32 mem=128M expect=exit:1 mods=pcenv-blob"),
    "pcenv-blob": ("hello.elf", "data"),
    # hello linked at 0x1000: GDT, page tables and information above it
    "hellolow": ("hellolow.elf", ""),
    # linked at 0x8000, over the default information page and stack; its
    # own arguments after "--"
    "mb1low": ("mb1low.elf", "mode=32 mem=64M mods=pcenv-blob expect=exit:1 "
               "-- alpha beta=2"),
    # a task switch: not emulated, the VM stops with the reason
    "taskswitch": ("taskswitch.elf",
                   "mode=32 expect=stop:task_switch_by_JMP_to_TSS"),
    "toctou": ("mmiobad.elf", "case=toctou"),
    "mmio-unsupported": ("mmiobad.elf", "case=unsupp expect=stop:cannot_emulate"),
    "mmio-fetch": ("mmiobad.elf", "case=fetch expect=stop:fetch_from_MMIO"),
    "mmio-user": ("mmiobad.elf", "case=user"),
    "mmio-remap": ("mmiobad.elf", "case=remap"),
    "emu": ("emu.elf", "forced-emu budget=2000000000"),
    "paging32": ("paging32.elf", "mode=32 forced-emu budget=4000000000"),
    "emu32": ("emu32.elf", "mode=32 forced-emu budget=2000000000"),
    "spp": ("spp.elf", ""),
    "hostile-xsetbv": ("hostile.elf", "case=xsetbv"),
    "hostile-apic": ("hostile.elf", "case=apic"),
    "hostile-vmx": ("hostile.elf", "case=vmx"),
    "hostile-rep67": ("hostile.elf", "case=rep67"),
    # dirty leaves CPU state set; the guest after it must find it reset
    "hostile-dirty": ("hostile.elf", "case=dirty"),
    "hostile-clean": ("hostile.elf", "case=clean"),
    "hostile-ptram": ("hostile.elf",
                      "case=ptram expect=stop:guest_page_tables_at"),
    "hostile-repstorm": ("hostile.elf",
                         "case=repstorm budget=30000000 expect=stop:budget"),
    "hostile-pdpte": ("hostile32.elf", "mode=32"),
    "hostile-idtram": ("hostile.elf",
                       "case=idtram expect=stop:delivery_of_vector_6"),
    "hostile-exit64": ("hostile.elf", "case=exit64 expect=exit:4294967296"),
    "hostile-eptpool": ("hostile.elf", "case=eptpool"),
    # hypercall garbage sweep; case= is the PRNG seed
    "hostile-hcfuzz": ("hcfuzz.elf", "case=0x6d696361"),
    # every exit CPL 3 can cause ends as on hardware
    "hostile-cpl3": ("cpl3.elf", ""),
    "timer": ("timer.elf", ""),
    # apicv=access: Bochs 2.7 reports stale IDT-vectoring information for
    # an exit during virtual-interrupt delivery (docs/platforms.md), and
    # this guest makes such exits on purpose
    "deliver": ("deliver.elf", "apicv=access"),
    "pcirq": ("pcirq.elf", ""),
    "tsc": ("tsc.elf", ""),
    # the CPU a guest sees against the SDM: CR4, XCR0 and MSRs as CPUID says
    "cpufeat": ("cpufeat.elf", ""),
    # debug registers and #DB as on a CPU without VMX (SDM Vol 3B 18)
    "dbg": ("dbg.elf", "forced-emu"),
    # waits for typed input: no budget; boots.py types the lines
    "serial": ("serial.elf", "budget=0"),
    "reset-cf9": ("reset.elf",
                  "case=cf9 expect=stop:through_port_0xCF9"),
    "reset-kbd": ("reset.elf",
                  "case=kbd expect=stop:through_the_8042"),
    "spp-soft": ("spp.elf", "spp=soft"),
}

# What `make run` shows when GUESTS is not given.
DEMO = ["hello", "mode32", "real16", "mmio", "memslots", "triple"]

# The VMX suite: every entry mode, every exit, every bad guest.
VMX_SUITE = ["hello", "mode32", "real16", "exits", "ring3", "probe",
             "udstorm", "triple", "loop", "broken-cr0", "broken-cs",
             "broken-rflags", "memslots", "mmio", "paging", "pcenv",
             "toctou", "mmio-unsupported", "mmio-fetch", "paging32",
             "mmio-user", "mmio-remap", "emu32", "cpufeat", "hellolow",
             "mb1low", "dbg"]

# Guests written to break mica: each must end as on hardware, and the next
# one must find the CPU in its reset state.
HOSTILE_SUITE = ["hostile-xsetbv", "hostile-apic", "hostile-vmx",
                 "hostile-rep67", "hostile-dirty", "hostile-clean",
                 "hostile-ptram", "hostile-repstorm", "hostile-pdpte",
                 "hostile-idtram", "hostile-exit64", "hostile-eptpool",
                 "hostile-hcfuzz", "hostile-cpl3", "hello"]

# Interrupts and time: the local APIC timer in its modes, HLT woken by it.
IRQ_SUITE = ["timer", "deliver", "pcirq", "tsc", "serial", "reset-cf9",
             "reset-kbd", "hello"]

# What the serial guest waits for (test/harness/boots.py types it).
SERIAL_INPUT = [("type a line for the I/O APIC", "mica\n"),
                ("type a line for the 8259", "hello, guest\n")]

# Sub-page protection: the same guest on whatever path the CPU offers, and
# with the software path forced.
SPP_SUITE = ["spp", "spp-soft"]


def programs(path=LIST):
    """{name: (kind, source)} for each program of guests/guests.list, in
    order; ValueError for a malformed line."""
    out = {}
    with open(path) as f:
        for num, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) not in (2, 3) or words[1] not in KINDS or \
                    not re.fullmatch(r"[a-z][a-z0-9_]*", words[0]) or \
                    words[0] in out:
                raise ValueError("%s:%d: not 'name kind [source]' with a new"
                                 " lower-case name and kind one of %s" %
                                 (path, num, "/".join(KINDS)))
            out[words[0]] = (words[1], words[-1] if len(words) == 3
                             else words[0])
    return out


def program_file(name, kind):
    """The file under build/guests/ the Makefile builds for a program."""
    return name + (".bin" if kind == "real" else ".elf")


def check(progs):
    """The mismatches between GUESTS and the programs, one line each."""
    built = {program_file(n, k): n for n, (k, _) in progs.items()}
    named = {f for f, _ in GUESTS.values()}
    bad = ["entry %s boots %s, which no program of guests/guests.list "
           "builds" % (n, f) for n, (f, _) in GUESTS.items() if f not in built]
    bad += ["program %s (%s) is booted by no entry of GUESTS" % (n, f)
            for f, n in built.items() if f not in named]
    return bad


PROGRAMS = programs()
_bad = check(PROGRAMS)
if _bad:
    raise ValueError("test/harness/guests.py: " + "; ".join(_bad))


def options(args):
    """The option words of a module line's arguments: those before "--"
    (after it come the kernel's own)."""
    words = args.split()
    return words[:words.index("--")] if "--" in words else words


def with_data(names):
    """names plus the data modules they pass on (mods=), each once."""
    out = []
    for n in names:
        for word in options(GUESTS[n][1]):
            if word.startswith("mods="):
                out += [d for d in word[5:].split(",") if d not in out]
        if n not in out:
            out.append(n)
    return out


def modules(build, names):
    """[(path, module line)] for names and the data modules they use, in
    order; KeyError for unknown."""
    out = []
    for n in with_data(names):
        f, args = GUESTS[n]
        out.append(("%s/guests/%s" % (build, f), ("%s %s" % (n, args)).strip()))
    return out


if __name__ == "__main__":
    if sys.argv[1:] != ["--check"]:
        sys.exit("usage: guests.py --check")
    print("guests: %d programs in %s, %d entries, each file a program and "
          "each program booted" % (len(PROGRAMS), "guests/guests.list",
                                   len(GUESTS)))
