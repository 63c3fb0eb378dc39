/* SPDX-License-Identifier: MIT */
/*
 * A host-side machine for mica's exit paths: the kernel's own vmm/ and
 * arch/x86/ sources, built with -DMICA_HOST_HW (the one seam in
 * arch/x86/vmcs.h and arch/x86/cpu.h), run over a fake CPU (VMCS store that
 * checks every access, CPUID table, MSRs with #GP, TSC, control registers),
 * a physmap that is a host buffer under ASan, and a console that captures.
 * Used by test/fuzz/fuzz_exit.c and test/unit/test_exit_*.c.
 */
#ifndef MICA_TEST_HOSTVM_HOSTVM_H
#define MICA_TEST_HOSTVM_HOSTVM_H

#include "mm/base/types.h"

/* The CPU the VM runs on: capabilities reported through the VMX MSRs. */
struct hostvm_profile {
	bool unrestricted;   /* secondary control "unrestricted guest" */
	bool spp;	     /* sub-page write permissions */
	bool ept_2m, ept_1g; /* EPT large pages */
	bool preempt_timer;  /* VMX-preemption timer */
	bool invept_single;  /* single-context INVEPT */
	u64 xcr0;	     /* what fpu_xcr0() reports: guest XCR0 */
};

/* The default profile: a recent server CPU without SPP. */
extern const struct hostvm_profile hostvm_default_profile;

/*
 * Power on: empty VMCS store with no current VMCS, MSRs, CR2 and TSC at
 * their reset values, vector registers zero, every observation cleared.
 * The physmap must be empty (every page freed). Call before vmx_probe().
 */
void hostvm_reset(const struct hostvm_profile *p);

/* ---- fake VMCS (test/hostvm/hw_vmcs.c) ---------------------------------- */

/*
 * What the processor itself stores: read or set any field that exists,
 * read-only ones included, without the checks mica's accesses get. Panics
 * for an encoding that is not a field of this CPU.
 */
u64 hostvm_vmcs_get(u32 field);
void hostvm_vmcs_put(u32 field, u64 value);

/* Whether field is an existing VMCS component on this CPU. */
bool hostvm_vmcs_exists(u32 field);

/* ---- observations of one exit ------------------------------------------- */

struct hostvm_obs {
	u32 intr_info_writes; /* VMWRITEs of a valid entry interruption info */
	bool cr2_written;
	u64 cr2;
	u32 invepts;
	u64 port_io; /* host port I/O attempts (none allowed) */
};

extern struct hostvm_obs hostvm_obs;

/* Clear the per-exit observations. */
void hostvm_obs_clear(void);

/* ---- fake CPU (test/hostvm/hw_cpu.c) ------------------------------------ */

/* Every rdtsc() advances the TSC by step (at least 1). */
void hostvm_set_tsc_step(u64 step);

/* CPUID.80000008H:EAX[7:0] of the fake CPU. */
#define HOSTVM_MAXPHYADDR 46

/* ---- physmap (test/hostvm/physmap.c) ------------------------------------ */

/*
 * Frames handed out by mm_alloc_pages() and not yet freed. Every frame
 * outside them, and one guard frame around each allocation, is poisoned for
 * ASan: any access there is a report.
 */
u64 hostvm_mem_allocated_pages(void);

/* With enable, mm_alloc_pages() succeeds ok_calls more times, then fails
 * with -ENOMEM (as a host out of frames would); without, never fails. */
void hostvm_mem_fail_after(u64 ok_calls, bool enable);

/* ---- console (test/hostvm/console_host.c) ------------------------------- */

/* printk() output goes to stderr when MICA_HOSTVM_VERBOSE is set; the
 * last line is kept for messages. */
const char *hostvm_console_last(void);

/* ---- SDM rules (test/hostvm/entry_rules.c) ------------------------------ */

/*
 * The checks VM entry applies to what mica left for it (SDM Vol 3C
 * "Checks on VM-Entry Control Fields", event injection, and the guest-state
 * checks on RIP, RFLAGS, interruptibility and activity state). NULL when
 * entry would succeed, else the rule broken.
 */
const char *hostvm_entry_event_check(void);
const char *hostvm_entry_state_check(void);

/* Hardware exceptions that push an error code in protected mode. */
bool hostvm_exc_has_error(unsigned vector);

#endif /* MICA_TEST_HOSTVM_HOSTVM_H */
