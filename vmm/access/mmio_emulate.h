/* SPDX-License-Identifier: MIT */
/* Emulating the instruction at the guest's RIP (vmm/access/mmio_emulate.c). */
#ifndef MICA_VMM_ACCESS_MMIO_EMULATE_H
#define MICA_VMM_ACCESS_MMIO_EMULATE_H

#include "mm/base/types.h"

struct vcpu;

/* What the exit said about the access that could not be satisfied. */
struct mmio_fault {
	gpa_t gpa;
	u64 qual;	/* EPT violation qualification, 0 for misconfig */
	bool gla_valid; /* qual bit 7: gla is the faulting linear address */
	gva_t gla;
};

/*
 * Fetch, decode and emulate the instruction at CS:RIP. With a fault, the
 * decoded access must target f->gpa (and f->gla when valid); if it does
 * not (the guest changed the instruction or its page tables since the
 * exit), nothing is emulated and the guest simply runs again. With f NULL
 * (forced emulation) the instruction is emulated unconditionally.
 * Exceptions are injected; an unsupported instruction stops the VM with
 * the decoded form named.
 */
void mmio_emulate(struct vcpu *v, const struct mmio_fault *f);

/* The forced-emulation prefixes (docs/guests.md): ud2 followed by "mica",
 * and KVM's, ud2 followed by "kvm" (its force_emulation_prefix). */
#define FORCED_EMU_SIG	       "\x0f\x0bmica"
#define FORCED_EMU_SIG_LEN     6
#define FORCED_EMU_KVM_SIG     "\x0f\x0bkvm"
#define FORCED_EMU_KVM_SIG_LEN 5

#endif /* MICA_VMM_ACCESS_MMIO_EMULATE_H */
