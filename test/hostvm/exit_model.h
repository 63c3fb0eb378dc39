/* SPDX-License-Identifier: MIT */
/*
 * What the CPU reports at a VM exit (test/hostvm/exit_model.c) and what a
 * guest can do to its own state between two exits without causing one
 * (test/hostvm/guest_state.c), both from the SDM, for inputs that drive the
 * exit handlers the way hardware can.
 */
#ifndef MICA_TEST_HOSTVM_EXIT_MODEL_H
#define MICA_TEST_HOSTVM_EXIT_MODEL_H

#include "mm/base/types.h"

struct vcpu;

/* Raw material for the exit-information fields; each reason takes what
 * it defines from here and every undefined field keeps its raw value
 * (real CPUs leave stale values there: handlers must not read them). */
struct hostvm_exit_raw {
	u64 qual;
	u64 gla;
	u64 gpa;
	u32 insn_info;
	u32 idt_info, idt_err;
	u32 intr_info, intr_err;
	u8 insn_len;
	u8 pick; /* choices among the forms the reason allows */
};

/* How an exit may move RIP. */
enum hostvm_exit_class {
	HOSTVM_EXIT_OTHER, /* RIP stays */
	HOSTVM_EXIT_INSN,  /* RIP stays, or advances by the exit's length */
	HOSTVM_EXIT_EMUL,  /* RIP stays, or advances by a decoded length */
};

/*
 * Basic exit reasons the CPU can deliver now, given the VM-execution
 * controls in the VMCS and the guest's mode and CPL (exceptions that have
 * priority over the exit excluded). Fills up to max entries; returns n.
 */
unsigned hostvm_exit_possible(u32 *reasons, unsigned max);

/*
 * Store in the VMCS what the CPU reports for an exit with reason
 * (a possible one: bit 31 set for VM-entry failures), taking the free
 * choices from raw and the guest's registers (v). An EPT exit becomes a
 * violation or a misconfiguration as the EPT entry of the GPA decides.
 * Clears the valid bit of the VM-entry interruption information, as every
 * VM exit does. False when the EPT turns out to allow no such exit there
 * (the fields are written all the same).
 */
bool hostvm_exit_emit(struct vcpu *v, u32 reason,
		      const struct hostvm_exit_raw *raw, u64 mem_size);

/* Any value at all, for the exit reason field and the information fields:
 * what no CPU reports, for the dispatcher's robustness. */
void hostvm_exit_emit_garbage(u32 reason, const struct hostvm_exit_raw *raw);

enum hostvm_exit_class hostvm_exit_class(u32 reason);

/* ---- guest_state.c ------------------------------------------------------ */

/* The paging/operating mode a guest may be in. */
enum hostvm_mode {
	HOSTVM_MODE_REAL,
	HOSTVM_MODE_PROT16,
	HOSTVM_MODE_PROT32,
	HOSTVM_MODE_PAGED32, /* 32-bit or PAE paging, by flags */
	HOSTVM_MODE_COMPAT,
	HOSTVM_MODE_LONG64,
	HOSTVM_MODE_COUNT,
};

/*
 * Put the guest in mode with choices from flags and raw (control-register
 * bits the guest may set, CPL, segment attributes): a state the guest
 * could be in when it exits. Real mode falls back to 32-bit protected
 * mode without unrestricted guest.
 */
void hostvm_guest_set_mode(enum hostvm_mode mode, u32 flags, u64 raw);

/* RIP, RFLAGS, interruptibility, CR3 and PDPTEs, data segments: the
 * guest's own changes, made consistent with its current mode. */
void hostvm_guest_set_rip(u64 rip);
void hostvm_guest_set_rflags(u64 rflags);
void hostvm_guest_set_interruptibility(u32 bits);
void hostvm_guest_set_cr3(u64 cr3, const u64 pdpte[4]);
void hostvm_guest_set_data_seg(unsigned seg, u32 flags, u64 base, u32 limit);

/* Is the guest in 64-bit mode (IA-32e and CS.L)? Its CPL? */
bool hostvm_guest_64(void);
unsigned hostvm_guest_cpl(void);

#endif /* MICA_TEST_HOSTVM_EXIT_MODEL_H */
