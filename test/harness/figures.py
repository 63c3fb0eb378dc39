# SPDX-License-Identifier: MIT
"""The figures `make bench` reports: what each is, its target and reference.

Every row of docs/performance.md is one entry here. A target is
(operator, number, where the target comes from); a figure without a target
is reported for information. Kinds:
  bochs  retired-instruction count under Bochs (deterministic), measured by
         the bench guest or a bare boot; regression-checked by `make test`
  host   host benchmark program (test/bench), median of runs; noisy
  image  size of the kernel image
"""

AREAS = [
    ("boot", "Boot and image"),
    ("exit", "Exit paths (Bochs, instructions per round trip)"),
    ("mmio", "MMIO and EPT (Bochs, instructions)"),
    ("insn", "Decoder and emulator (host)"),
    ("gwalk", "Guest page walker"),
    ("mem", "Memslots and EPT build (host)"),
]

def apic_path_rows(suffix, option, path, eoi_target, eoi_how, eoi_exits):
    """The local APIC rows of the bench guest's run with option."""
    def row(key, label, unit="instructions", target=None, note=None):
        return (key + suffix, "mmio", "bochs", option + ": " + label, unit,
                target, note or path + ", no target")
    return [
        row("xapic_eoi", "xAPIC EOI write (no vector in service)"),
        row("xapic_icr_write", "xAPIC ICR write, self-IPI left pending"),
        row("xapic_eoi_in_service",
            "xAPIC EOI write retiring the vector in service",
            target=eoi_target, note="%s; %s" % (path, eoi_how)),
        row("xapic_eoi_in_service_exits", "exits of that EOI write",
            unit="exits", note=eoi_exits),
        row("xapic_icr_self_ipi", "xAPIC self-IPI round trip"),
        row("lapic_timer_to_handler",
            "timer deadline to the handler, guest spinning"),
        row("lapic_timer_hlt_wake",
            "timer deadline to the handler of a halted guest"),
        row("ioapic_level_eoi_to_handler",
            "I/O APIC level interrupt, EOI to re-delivery"),
    ]



KVM_CYCLES = "KVM: cycles only, not compared (see above)"

# key, area, kind, label, unit, target, reference and source
FIGURES = [
    ("image_text", "boot", "image", "image text (.boot + .text)", "bytes",
     None, "size -A build/mica.elf"),
    ("image_data", "boot", "image", "image data (.rodata + .data)", "bytes",
     None, "size -A build/mica.elf"),
    ("image_bss", "boot", "image", "image bss", "bytes", None,
     "size -A build/mica.elf"),
    ("image_loaded", "boot", "image", "image loaded size (text + data)",
     "bytes", ("<", 131072, "boot goal"),
     "mica's boot goal (image under 128 KiB); size -A build/mica.elf"),
    ("boot_ready_128m", "boot", "bochs",
     "multiboot entry to \"ready\", 128 MiB", "instructions",
     ("<", 2000000, "boot goal"),
     "mica's boot goal; TSC delta printed by mica (boot/kmain.c), "
     "Bochs tigerlake with 128 MiB, no guests"),
    ("boot_first_vm_entry", "boot", "bochs",
     "multiboot entry to the guest's first instruction, 160 MiB guest",
     "instructions", None,
     "guest's first RDTSC minus mica's entry TSC (bench guest, Bochs "
     "256 MiB); includes zeroing the guest's 160 MiB pool"),

    ("bench_seconds", "boot", "host", "time `make bench` took to measure "
     "(build excluded)", "s", ("<", 600, "bench-time goal"),
     "mica's bench-time goal (under 10 minutes on 2 cores); wall clock of "
     "test/harness/bench.py"),

    ("rdtsc_pair", "exit", "bochs", "RDTSC pair (calibration, subtracted "
     "from every guest figure)", "instructions", None,
     "guests/bench.c, best of 64"),
    ("exit_null_hypercall", "exit", "bochs", "null hypercall (VMCALL)",
     "instructions", ("<=", 150, "exit-path goal"),
     "mica's exit-path goal; 104 measured for a trivial handler on "
     "the same Bochs; " + KVM_CYCLES),
    ("exit_cpuid", "exit", "bochs", "CPUID leaf 0", "instructions",
     ("<=", 250, "exit-path goal"), "mica's exit-path goal; " + KVM_CYCLES),
    ("exit_pio_out_uart", "exit", "bochs",
     "1-byte OUT to the vUART scratch register", "instructions",
     ("<=", 300, "exit-path goal"), "mica's exit-path goal (PIO); " + KVM_CYCLES),
    ("exit_pio_in_unclaimed", "exit", "bochs", "1-byte IN, unclaimed port",
     "instructions", ("<=", 300, "exit-path goal"),
     "mica's exit-path goal (PIO); " + KVM_CYCLES),

    ("mmio_cached_store", "mmio", "bochs",
     "4-byte MOV store to ioram, cached MMIO entry (EPT misconfig)",
     "instructions", ("<=", 1000, "MMIO-path goal"),
     "mica's MMIO-path goal; " + KVM_CYCLES),
    ("mmio_cached_load", "mmio", "bochs",
     "4-byte MOV load from ioram, cached MMIO entry (EPT misconfig)",
     "instructions", None, "measured for the MMIO path, no target"),
    ("mmio_first_touch_store", "mmio", "bochs",
     "4-byte MOV store to ioram, first touch (EPT violation)",
     "instructions", ("<=", 3000, "MMIO-path goal"), "mica's MMIO-path goal"),
    ("mmio_first_touch_load", "mmio", "bochs",
     "4-byte MOV load from ioram, first touch (EPT violation)",
     "instructions", ("<=", 3000, "MMIO-path goal"),
     "mica's MMIO-path goal (first touch)"),
    ("mmio_rep_movsb_per_byte", "mmio", "bochs",
     "REP MOVSB of 4 KiB RAM -> ioram, per byte", "instructions",
     ("<=", 30, "MMIO-path goal"), "mica's MMIO-path goal; whole instruction / 4096"),
    ("mmio_rep_movsb_4k_exits", "mmio", "bochs",
     "  EPT exits taken by that REP MOVSB", "exits", None,
     "CNT_EXIT_EPT_MISCONFIG + CNT_EXIT_EPT_VIOLATION; up to 4,096 "
     "elements per exit, moved in page runs"),
    ("ept_first_touch_4k", "mmio", "bochs",
     "first touch of a RAM page, 4K leaf (EPT violation)", "instructions",
     None, "measured for the memslot and EPT paths, no target; best of 31 pages"),
    ("ept_first_touch_2m", "mmio", "bochs",
     "first touch of a RAM page, 2M leaf (EPT violation)", "instructions",
     None, "measured for the memslot and EPT paths, no target; best of 31 blocks"),
    ("lock_64m_4k", "mmio", "bochs", "lock_memslot of 64 MiB, 4K leaves",
     "instructions", None,
     "measured for the memslot and EPT path, no target; hypercall round trip"),
    ("lock_64m_4k_per_leaf", "mmio", "bochs",
     "  per 4K leaf (minus a null hypercall)", "instructions", None,
     "(lock - null hypercall) / 16384"),
    ("lock_64m_2m", "mmio", "bochs", "lock_memslot of 64 MiB, 2M leaves",
     "instructions", None,
     "measured for the memslot and EPT path, no target; hypercall round trip"),
    ("lock_64m_2m_per_leaf", "mmio", "bochs",
     "  per 2M leaf (minus a null hypercall)", "instructions", None,
     "(lock - null hypercall) / 32"),
    ("spp_hw_allowed_write_exits", "mmio", "bochs",
     "SPP hardware path: write to a writable subpage", "exits",
     ("<=", 0, "SPP goal"), "mica's SPP goal; bench guest, write to subpage 0 of a page whose even subpages are writable"),
    ("spp_sw_allowed_write", "mmio", "bochs",
     "SPP software path: write to a writable subpage", "instructions",
     ("<=", 1200, "SPP goal"), "mica's SPP goal; bench guest, write to subpage 0 of a page whose even subpages are writable"),
    ("spp_hw_denied_write", "mmio", "bochs",
     "SPP hardware path: denied write", "instructions", None,
     "measured for sub-page protection; bench guest, write to subpage 1 (protected), an exit taken first (Bochs erratum)"),
    ("spp_sw_denied_write", "mmio", "bochs",
     "SPP software path: denied write", "instructions", None,
     "measured for sub-page protection; bench guest, write to subpage 1 (protected), an exit taken first (Bochs erratum)"),
    ("xapic_eoi", "mmio", "bochs", "xAPIC EOI write (no vector in service)",
     "instructions", None,
     "measured for the device models, no target; APIC virtualization on"),
    ("xapic_eoi_in_service", "mmio", "bochs",
     "xAPIC EOI write retiring the vector in service (self-IPI handler)",
     "instructions", None,
     "measured for the interrupt platform; APIC virtualization on"),
    ("xapic_eoi_in_service_exits", "mmio", "bochs",
     "exits of that EOI write", "exits",
     ("<=", 0, "interrupt platform goal"),
     "an edge-triggered EOI with virtual-interrupt delivery takes no exit"),
    ("xapic_icr_write", "mmio", "bochs",
     "xAPIC ICR write, self-IPI left pending (IF = 0)", "instructions", None,
     "measured for the device models, no target; APIC virtualization on"),
    ("xapic_icr_self_ipi", "mmio", "bochs",
     "xAPIC self-IPI round trip: ICR write, delivery, handler's EOI, IRET",
     "instructions", ("<=", 1000, "interrupt platform goal"),
     "APIC virtualization on; was 2,243 with trap-and-emulate MMIO"),
    ("lapic_timer_to_handler", "mmio", "bochs",
     "local APIC timer (TSC-deadline): deadline to the guest's handler, "
     "guest spinning with IF = 1", "instructions", None,
     "measured for the interrupt platform, no target; guests/bench.c"),
    ("lapic_timer_hlt_wake", "mmio", "bochs",
     "local APIC timer (TSC-deadline): deadline to the handler of a guest "
     "waiting in HLT", "instructions", None,
     "measured for the interrupt platform, no target; guests/bench.c"),
    ("ioapic_level_eoi_to_handler", "mmio", "bochs",
     "I/O APIC level interrupt (RTC, IRQ 8): EOI with the line still high "
     "to the handler of its re-delivery", "instructions", None,
     "measured for the interrupt platform, no target; guests/bench.c"),
] + apic_path_rows(
    "_apic_access", "apicv=access",
    "TPR shadow and APIC-access exits, no register virtualization",
    ("<=", 400, "interrupt platform goal"),
    "the EOI needs no decoding", "one APIC-access exit") + apic_path_rows(
    "_apicv_off", "apicv=off", "trap-and-emulate path", None,
    "emulated MMIO store", "one EPT misconfiguration exit") + [
    ("testdev_4byte", "mmio", "bochs",
     "4-byte store to the 0xFF000000 test region (cached MMIO entry)",
     "instructions", None, "measured for the device models, no target"),
    ("decode_ratio_full", "insn", "host",
     "mica decode / Zydis DecodeFull, per instruction", "ratio",
     ("<=", 0.5, "decoder goal"),
     "mica's decoder goal; same process, same corpus (gdb, libc, qemu "
     ".text); test/bench/bench_decode.c"),
    ("decode_ratio_insn", "insn", "host",
     "mica decode / Zydis DecodeInstruction, per instruction", "ratio",
     ("<=", 1.0, "decoder goal"), "mica's decoder goal; as above"),
    ("decode_ns_mica", "insn", "host", "mica decode", "ns/insn", None,
     "bench_decode"),
    ("decode_ns_zydis_insn", "insn", "host", "Zydis DecodeInstruction",
     "ns/insn", None, "bench_decode, reference measured in the same process"),
    ("decode_ns_zydis_full", "insn", "host", "Zydis DecodeFull", "ns/insn",
     None, "bench_decode, reference measured in the same process"),
    ("emulate_mov_store_ratio", "insn", "host",
     "emulate MOV store / its decode", "ratio", ("<=", 2.0, "decoder goal"),
     "mica's decoder goal; test/bench/bench_emulate.c"),
    ("emulate_mov_store_ns", "insn", "host", "emulate MOV [rbx], eax",
     "ns", None, "bench_emulate"),
    ("emulate_decode_ns", "insn", "host", "decode MOV [rbx], eax", "ns",
     None, "bench_emulate"),

    ("gwalk_4level_ratio", "gwalk", "host",
     "4-level walk hit / plain 4-load pointer chase", "ratio", None,
     "measured for the guest walker, no target; test/bench/bench_gwalk.c"),
    ("gwalk_4level_walk_ns", "gwalk", "host", "4-level walk (hit)", "ns",
     None, "bench_gwalk"),
    ("gwalk_4level_chase_ns", "gwalk", "host", "4-load pointer chase", "ns",
     None, "bench_gwalk, reference measured in the same process"),
    ("gwalk_emulated_access_nocache", "gwalk", "bochs",
     "emulated MMIO load (cached MMIO entry) without the MMIO GVA cache",
     "instructions", None,
     "guest walker; bench guest with the module option no-mmio-cache: the exit "
     "is verified by a guest page walk"),
    ("gwalk_emulated_access_cache", "gwalk", "bochs",
     "emulated MMIO load (cached MMIO entry) with the MMIO GVA cache",
     "instructions", None,
     "guest walker; = the cached-MMIO load above: the cache, confirmed by the "
     "exit's GPA, replaces the verifying walk"),

    ("memslot_lookup_growth", "mem", "host",
     "memslot lookup, 32,764 vs 16 slots", "ratio", ("<=", 4.0, "memslot goal"),
     "mica's memslot goal; random GPAs; test/bench/bench_memslot.c"),
    ("memslot_lookup_ns_16", "mem", "host", "memslot lookup, 16 slots",
     "ns", None, "bench_memslot, random GPAs (plot: perf-memslot-lookup.png)"),
    ("memslot_lookup_ns_32764", "mem", "host",
     "memslot lookup, 32,764 slots", "ns", None, "bench_memslot"),
    ("memslot_lookup_hit_ns_32764", "mem", "host",
     "memslot lookup, last-hit cache, 32,764 slots", "ns", None,
     "bench_memslot"),
    ("memslot_change_us_32764", "mem", "host",
     "create + delete a slot below 32,763 others", "us", None,
     "bench_memslot"),
    ("ept_lock_4k_ratio", "mem", "host",
     "lock 1 GiB at 4K / memset of the same table memory", "ratio", None,
     "measured for the memslot and EPT path, no target; test/bench/bench_ept.c"),
    ("ept_lock_4k_ns_per_leaf", "mem", "host", "lock 1 GiB, per 4K leaf",
     "ns", None, "bench_ept"),
    ("ept_lock_4k_memset_ns_per_leaf", "mem", "host",
     "memset of the table memory, per 4K leaf", "ns", None,
     "bench_ept, reference measured in the same process"),
    ("ept_tables_per_gib_4k", "mem", "host", "table pages per GiB, 4K leaves",
     "pages", ("==", 515, "memslot goal"),
     "exactly the arithmetic minimum (512 + 1 + 1 + 1)"),
    ("ept_tables_per_gib_2m", "mem", "host", "table pages per GiB, 2M leaves",
     "pages", ("==", 3, "memslot goal"),
     "exactly the arithmetic minimum (1 + 1 + 1)"),
    ("ept_tables_per_gib_1g", "mem", "host", "table pages per GiB, 1G leaves",
     "pages", ("==", 2, "memslot goal"),
     "exactly the arithmetic minimum (1 + 1)"),
    ("ept_lock_1gib_4k_us", "mem", "host", "lock 1 GiB, 4K leaves", "us",
     None, "bench_ept"),
    ("ept_lock_1gib_2m_us", "mem", "host", "lock 1 GiB, 2M leaves", "us",
     None, "bench_ept"),
]

# Bochs figures that `make test` re-measures and compares (perfcheck.py).
CHECKED = [f[0] for f in FIGURES if f[2] == "bochs"]


def verdict(value, target):
    """'met', 'not met', 'not measured' or '' (no target)."""
    if target is None:
        return ""
    if value is None:
        return "not measured"
    op, want = target[0], target[1]
    ok = {"<": value < want, "<=": value <= want, "==": value == want}[op]
    return "met" if ok else "not met"
