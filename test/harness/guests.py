# SPDX-License-Identifier: MIT
"""The test guests and the module command line each boots with.

Each entry: name -> (file under build/guests/, module arguments). The module
line is "<name> <arguments>"; see docs/guests.md for the options.
"""

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
    "bench": ("bench.elf", "mem=160M"),
    "bench-spp-soft": ("bench.elf", "spp=soft case=spp"),
    "bench-nocache": ("bench.elf", "case=nocache no-mmio-cache"),
    "mmio": ("mmio.elf", ""),
    "memslots": ("memslots.elf", ""),
    "paging": ("paging.elf", "forced-emu budget=4000000000"),
    # multiboot1 test kernel: status 1 = (0 failures << 1) | 1, as QEMU
    "pcenv": ("pcenv.elf", "mode=32 mem=128M expect=exit:1 mods=pcenv-blob"),
    "pcenv-blob": ("hello.elf", "data"),
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
    "spp-soft": ("spp.elf", "spp=soft"),
}

# What `make run` shows when GUESTS is not given.
DEMO = ["hello", "mode32", "real16", "mmio", "memslots", "triple"]

# The issue-10 suite: every entry mode, every exit, every bad guest.
VMX_SUITE = ["hello", "mode32", "real16", "exits", "ring3", "probe",
             "udstorm", "triple", "loop", "broken-cr0", "broken-cs",
             "broken-rflags", "memslots", "mmio", "paging", "pcenv",
             "toctou", "mmio-unsupported", "mmio-fetch", "paging32",
             "mmio-user", "mmio-remap", "emu32"]

# Guests written to break mica: each must end as on hardware, and the next
# one must find the CPU in its reset state.
HOSTILE_SUITE = ["hostile-xsetbv", "hostile-apic", "hostile-vmx",
                 "hostile-rep67", "hostile-dirty", "hostile-clean",
                 "hostile-ptram", "hostile-repstorm", "hostile-pdpte",
                 "hostile-idtram", "hostile-exit64", "hostile-eptpool",
                 "hostile-hcfuzz", "hello"]

# Sub-page protection: the same guest on whatever path the CPU offers, and
# with the software path forced.
SPP_SUITE = ["spp", "spp-soft"]


def with_data(names):
    """names plus the data modules they pass on (mods=), each once."""
    out = []
    for n in names:
        for word in GUESTS[n][1].split():
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
