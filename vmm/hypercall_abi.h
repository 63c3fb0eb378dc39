/* SPDX-License-Identifier: MIT */
/*
 * The hypercall ABI shared by mica and its guests (docs/hypercalls.md).
 * VMCALL with RAX = call number, arguments in RDI, RSI, RDX, RCX, R8; the
 * result (0 / positive, or a negative errno) comes back in RAX. A VMCALL
 * from CPL > 0 raises #UD in the guest. Plain C, no kernel headers: guests
 * include it as it is.
 */
#ifndef MICA_VMM_HYPERCALL_ABI_H
#define MICA_VMM_HYPERCALL_ABI_H

#define MICA_HC_VERSION_VALUE 0x00000100 /* 0.1: major << 16 | minor << 8 */

enum mica_hypercall {
	HC_VERSION = 0,		/* () -> MICA_HC_VERSION_VALUE */
	HC_CHECK_EXTENSION = 1, /* (ext) -> 0 absent, > 0 present/value */
	HC_EXIT = 2,		/* (code) -> does not return */
	HC_NULL = 3,		/* () -> 0; the cheapest round trip */
	HC_SET_MEMORY_REGION = 4,
	HC_LOCK_MEMSLOT = 5,
	HC_UNLOCK_MEMSLOT = 6,
	HC_GET_DIRTY_LOG = 7,
	HC_ENABLE_SPP = 8,
	HC_SUBPAGE_SET_ACCESS = 9,
	HC_SUBPAGE_GET_ACCESS = 10,
	HC_SUBPAGE_GET_DENIED = 11,  /* per-page denied-write counts */
	HC_TEST_COUNTER = 64,	     /* (counter) -> value; test hook */
	HC_TEST_RESET_COUNTERS = 65, /* () -> 0; test hook */
	HC_TEST_PATCH_NEXT = 66,     /* (gpa, len <= 8, bytes) -> 0; test hook:
				  * written just before the next emulation */
	HC_MAX,
};

/* check_extension arguments. */
enum mica_extension {
	EXT_HYPERCALL_VERSION = 0, /* returns MICA_HC_VERSION_VALUE */
	EXT_READONLY_MEM = 1,
	EXT_LOCK_MEMSLOT = 2,
	EXT_DIRTY_LOG = 3,
	EXT_MAX_MEMSLOTS = 4,
	EXT_SPP = 5, /* 0 none, 1 software path, 2 hardware SPP */
	EXT_FORCED_EMULATION = 6,
};

/* HC_TEST_COUNTER arguments: per-VM event counters. */
enum mica_counter {
	CNT_EXITS_TOTAL = 0,
	CNT_EXIT_CPUID = 1,
	CNT_EXIT_IO = 2,
	CNT_EXIT_VMCALL = 3,
	CNT_EXIT_MSR = 4,
	CNT_EXIT_EPT_VIOLATION = 5,
	CNT_EXIT_EPT_MISCONFIG = 6,
	CNT_PIO_UNCLAIMED = 7,
	CNT_MSR_DENIED = 8,
	CNT_EXCEPTIONS_REFLECTED = 9,
	CNT_EMULATED = 10,	    /* instructions emulated (MMIO, forced) */
	CNT_MMIO_UNBACKED = 11,	    /* accesses to GPAs no device claims */
	CNT_EMULATION_SKIPPED = 12, /* decoded access missed the fault GPA */
	CNT_READONLY_WRITES = 13,   /* writes to read-only slots dropped */
	CNT_SPP_DENIED = 14,	    /* writes sub-page protection dropped */
	CNT_EXIT_SPP = 15,	    /* SPP-related exits (SPPT misses) */
	CNT_ABSENT_INSN = 16,	    /* VMX/SMX/MONITOR instructions: #UD */
	CNT_EPT_RECLAIMS = 17,	    /* EPT table pool ran out: cache dropped */
	CNT_TIMER_FIRES = 18,	    /* local APIC timer expiries (masked too) */
	CNT_HLT_WAITS = 19,	    /* HLTs that waited for the timer */
	CNT_EXIT_APIC = 20,	    /* APIC-access, APIC-write, EOI exits */
	CNT_MAX,
};

#endif /* MICA_VMM_HYPERCALL_ABI_H */
