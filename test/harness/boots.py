# SPDX-License-Identifier: MIT
"""The boots `make test` performs: which platform, which command line and
guest modules, and what the serial log must show.

Each boot contributes its own checks below plus every TAP line mica or its
guests print ("ok N - ..." / "not ok N - ...", optionally "[guest] "-prefixed).
Keep the number of Bochs boots small: put many guests in one boot.
"""

import guests

# status: the mica exit status the boot must end with (mm/base/platform.h).
# expect: (description, regex that must match the serial log).
# reject: (description, regex that must NOT match).
# guest_args: words added to every guest's module line, ahead of the
#   guest's own (the first of a repeated option counts).
# same_tap_as: another boot whose guests' TAP lines these must equal, with
#   measured values (numbers, parenthesised details) left out.
# input: (regex, text) pairs typed into COM1, in order: each is sent once
#   the serial output after the previous one's match matches regex (see
#   platforms.boot and docs/platforms.md, "Serial input"); the boot checks
#   that all were sent.

# The CPU models that get two boots (mica takes at most 32 modules): the
# VMX and SPP guests in one, the hostile and interrupt guests in the other
# (hello, last of both suites, runs once, last).
VMX_SPP = guests.VMX_SUITE + guests.SPP_SUITE
HOSTILE_IRQ = guests.HOSTILE_SUITE[:-1] + guests.IRQ_SUITE
# Without unrestricted guest real mode is refused before entry, and the
# broken CR0 fails the entry check on its PE/PG rule.
NOUG = {"real16": "real16-noug", "broken-cr0": "broken-cr0-noug"}
VMX_SPP_NOUG = [NOUG.get(g, g) for g in VMX_SPP]



def hostile_irq_boot(model):
    """The hostile and interrupt guests on Bochs model (an older CPU):
    the local APIC on its TPR-shadow path."""
    return {
        "name": "hostile-irq-" + model,
        "platform": "bochs-" + model,
        "cmdline": "",
        "guests": HOSTILE_IRQ,
        "input": guests.SERIAL_INPUT,
        "status": 0,
        "timeout": 600,
        "expect": [
            ("every hostile, interrupt and timer guest ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(HOSTILE_IRQ)),
            ("the local APIC without APIC-register virtualization",
             r"proc2:\s+virt-apic(?!.*apic-reg-virt)"),
        ],
    }


BOOTS = [
    {
        "name": "tigerlake",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "status": 0,
        "timeout": 180,
        "expect": [
            ("boot reaches ready", r"mica: ready"),
            ("VMX capability report", r"vmx: EPT yes, VPID yes, unrestricted guest yes"),
            ("tigerlake reports SPP supported", r"vmx: SPP supported"),
        ],
    },
    {
        "name": "skylake",
        "platform": "bochs-skylake",
        "cmdline": "",
        "status": 0,
        "timeout": 180,
        "expect": [
            ("boot reaches ready", r"mica: ready"),
            ("corei7_skylake_x reports SPP not supported", r"vmx: SPP not supported"),
        ],
    },
    {
        "name": "qemu-tcg",
        "platform": "qemu-tcg",
        "cmdline": "",
        "status": 3,
        "timeout": 120,
        "expect": [
            ("TCG reports VMX not available with a reason",
             r"VMX not available: \S+"),
        ],
    },
    {
        "name": "fault",
        "platform": "bochs-tigerlake",
        "cmdline": "mica.selftest=fault",
        "status": 2,
        "timeout": 60,
        "expect": [
            ("deliberate #UD is reported with its vector",
             r"EXCEPTION #UD \(vector 6\)"),
            ("register dump shows the marked RAX", r"RAX 5afe5afe5afe5afe"),
            ("register dump includes CR2/CR3",
             r"CR2 [0-9a-f]{16}[\s\S]*CR3 [0-9a-f]{16}"),
        ],
    },
    {
        "name": "text-readonly",
        "platform": "bochs-tigerlake",
        "cmdline": "mica.selftest=write-text",
        "status": 2,
        "timeout": 60,
        "expect": [
            ("a write to kernel text is a #PF (present, write)",
             r"EXCEPTION #PF \(vector 14\) error 0x3\b"),
        ],
    },
    {
        "name": "data-noexec",
        "platform": "bochs-tigerlake",
        "cmdline": "mica.selftest=exec-data",
        "status": 2,
        "timeout": 60,
        "expect": [
            ("executing kernel data is a #PF (present, fetch)",
             r"EXCEPTION #PF \(vector 14\) error 0x11\b"),
        ],
    },
    {
        "name": "vmx-tigerlake",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": guests.VMX_SUITE,
        "status": 0,
        "timeout": 300,
        "expect": [
            ("every guest ran and ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.VMX_SUITE)),
            ("triple fault is diagnosed with guest state",
             r"guest triple: stopped: triple fault at RIP 0x[0-9a-f]+ \(CR0"),
            ("a kernel linked at 0x8000 gets its information block below "
             "it and its stack clear of it",
             r"guest mb1low: image at 0x8000-0x[0-9a-f]+: GDT at 0x1000, "
             r"information at 0x2000, stack top 0x8000\b"),
            ("an image at 0x1000 gets its GDT and page tables above it",
             r"guest hellolow: image at 0x1000-0x[0-9a-f]+: GDT at "
             r"0x(?!1000,)[0-9a-f]+, information at 0x[0-9a-f]+, stack top "
             r"0x80000, page tables at 0x(?!2000\b)[0-9a-f]+\b"),
        ],
    },
    {
        # corei7_sandy_bridge_2600k: EPT with unrestricted guest, but no
        # EPT A/D, PML, SPP, APIC-register virtualization or virtual-
        # interrupt delivery: every guest runs on mica's software paths
        # (guests that test a feature this CPU lacks check its absence).
        "name": "vmx-sandybridge",
        "platform": "bochs-sandybridge",
        "cmdline": "",
        "guests": VMX_SPP,
        "status": 0,
        "timeout": 600,
        "expect": [
            ("every VMX and SPP guest ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(VMX_SPP)),
            ("unrestricted guest, no EPT A/D or PML",
             r"vmx: EPT yes, VPID yes, unrestricted guest yes, .*"
             r"EPT A/D no, PML no"),
            ("no SPP: the software path",
             r"\[spp\] SPP enabled \(software path\)"),
        ],
    },
    hostile_irq_boot("sandybridge"),
    {
        # corei5_lynnfield_750: as sandybridge, and no unrestricted guest:
        # 32-bit guests with paging off run on mica's identity page table,
        # real mode is refused before entry with the reason.
        "name": "vmx-lynnfield",
        "platform": "bochs-lynnfield",
        "cmdline": "",
        "guests": VMX_SPP_NOUG,
        "status": 0,
        "timeout": 600,
        "expect": [
            ("every VMX and SPP guest ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(VMX_SPP_NOUG)),
            ("no unrestricted guest",
             r"vmx: EPT yes, VPID yes, unrestricted guest no"),
            ("a real-mode guest is refused before entry with the reason",
             r"guest real16-noug: stopped: real mode \(mode=real\) needs "
             r"unrestricted guest, which this CPU lacks \(after 0 exits\)"),
            ("no SPP: the software path",
             r"\[spp\] SPP enabled \(software path\)"),
        ],
    },
    hostile_irq_boot("lynnfield"),
    {
        "name": "hostile-tigerlake",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": guests.HOSTILE_SUITE,
        "status": 0,
        "timeout": 300,
        "expect": [
            ("every hostile guest ended as on hardware, mica kept running",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.HOSTILE_SUITE)),
        ],
    },
    {
        "name": "interrupts-tigerlake",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": guests.IRQ_SUITE,
        "input": guests.SERIAL_INPUT,
        "status": 0,
        "timeout": 300,
        "expect": [
            ("every interrupt and timer guest ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.IRQ_SUITE)),
            ("the local APIC is virtualized (TPR shadow, APIC-register "
             "virtualization, virtual-interrupt delivery)",
             r"proc2:.* apic-reg-virt vintr-delivery"),
        ],
    },
    {
        # The same guests on the trap-and-emulate local APIC: each TAP
        # line must read as on the virtualized path.
        "name": "interrupts-apicv-off",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": guests.IRQ_SUITE,
        "guest_args": "apicv=off",
        "same_tap_as": "interrupts-tigerlake",
        "input": guests.SERIAL_INPUT,
        "status": 0,
        "timeout": 300,
        "expect": [
            ("every interrupt and timer guest ended as expected with "
             "apicv=off",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.IRQ_SUITE)),
        ],
    },
    {
        # A CPU with TPR shadow and APIC-access virtualization but no
        # APIC-register virtualization or virtual-interrupt delivery (as
        # Nehalem to Sandy Bridge): the same TAP again.
        "name": "interrupts-apic-access",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": guests.IRQ_SUITE,
        "guest_args": "apicv=access",
        "same_tap_as": "interrupts-tigerlake",
        "input": guests.SERIAL_INPUT,
        "status": 0,
        "timeout": 300,
        "expect": [
            ("every interrupt and timer guest ended as expected with "
             "apicv=access",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.IRQ_SUITE)),
        ],
    },
    {
        "name": "emulator",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": ["emu", "taskswitch"],
        "status": 0,
        "timeout": 400,
        "expect": [
            ("every form agrees natively, on MMIO and emulated",
             r"guest emu ended as expected"),
            ("a task switch stops the VM with what it was",
             r"guest taskswitch: stopped: task switch by JMP to TSS "
             r"selector 0x30 at RIP 0x[0-9a-f]+: task switches are not "
             r"emulated"),
        ],
    },
    {
        "name": "spp-tigerlake",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": guests.SPP_SUITE,
        "status": 0,
        "timeout": 300,
        "expect": [
            ("every SPP guest ran and ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.SPP_SUITE)),
            ("tigerlake runs the hardware SPP path",
             r"\[spp\] SPP enabled \(hardware path\)"),
            ("spp=soft forces the software path",
             r"\[spp-soft\] SPP enabled \(software path\)"),
        ],
        "reject": [
            ("no SPPT misconfiguration", r"SPPT misconfiguration"),
        ],
    },
    {
        "name": "spp-skylake",
        "platform": "bochs-skylake",
        "cmdline": "",
        "guests": ["spp"],
        "status": 0,
        "timeout": 300,
        "expect": [
            ("the SPP guest ran and ended as expected",
             r"mica: 1 guests ran, 0 did not end as expected"),
            ("corei7_skylake_x runs the software SPP path",
             r"\[spp\] SPP enabled \(software path\)"),
        ],
    },
    {
        "name": "qemu-kvm",
        "platform": "qemu-kvm",
        "cmdline": "",
        "guests": guests.VMX_SUITE,
        "status": 0,
        "timeout": 300,
        "expect": [
            ("boot reaches ready", r"mica: ready"),
            ("every guest ran and ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.VMX_SUITE)),
        ],
    },
]
