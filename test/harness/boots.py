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
        ],
    },
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
        "status": 0,
        "timeout": 300,
        "expect": [
            ("every interrupt and timer guest ended as expected",
             r"mica: %d guests ran, 0 did not end as expected"
             % len(guests.IRQ_SUITE)),
        ],
    },
    {
        "name": "emulator",
        "platform": "bochs-tigerlake",
        "cmdline": "",
        "guests": ["emu"],
        "status": 0,
        "timeout": 400,
        "expect": [
            ("every form agrees natively, on MMIO and emulated",
             r"guest emu ended as expected"),
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
