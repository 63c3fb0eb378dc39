/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch and the helpers exit handlers share: advancing RIP,
 * injecting exceptions, the guest's CPL.
 */
#ifndef MICA_VMM_EXIT_EXIT_H
#define MICA_VMM_EXIT_EXIT_H

#include "arch/x86/vmcs.h"
#include "mm/base/types.h"
#include "vmm/vcpu.h"

/* Handle the exit that just happened on vcpu (its VMCS is current). */
void vmx_handle_exit(struct vcpu *v);

/* Advance guest RIP past the exiting instruction (VM-exit instruction
 * length is valid for instruction-caused exits, SDM Vol 3C, "VM-Exit
 * Instruction Length"). Not for EPT exits. */
void vcpu_skip_insn(struct vcpu *v);

/* Queue a hardware exception for the next VM entry. */
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error,
			   u32 error);

/* Current privilege level (SS.DPL, SDM Vol 3C "Guest Register State");
 * v's VMCS must be current. */
static inline unsigned vcpu_cpl(struct vcpu *v)
{
	(void)v;
	return (vmcs_read32(VMCS_GUEST_SS_AR) >> VMX_AR_DPL_SHIFT) & 3;
}

/*
 * The exit interrupted the delivery of an external interrupt or NMI
 * (IDT-vectoring information valid, SDM Vol 3C "Information for VM Exits
 * During Event Delivery"): queue it again for the next VM entry. Nothing
 * else brings it back (an interrupt mica injected is already in service in
 * the local APIC), whereas a fault or software event recurs when its
 * instruction runs again. For handlers that resume the guest without
 * injecting anything.
 */
void vcpu_redeliver(struct vcpu *v);

/* CR0/CR4 as the guest sees them: host-owned bits from the read shadow. */
u64 vcpu_read_cr0(struct vcpu *v);
u64 vcpu_read_cr4(struct vcpu *v);

/* Exit handlers, one per basic reason (vmm/exit_*.c, vmm/exit/hypercall.c). */
void handle_cpuid(struct vcpu *v);
void handle_io(struct vcpu *v);
void handle_rdmsr(struct vcpu *v);
void handle_wrmsr(struct vcpu *v);
void handle_cr_access(struct vcpu *v);
void handle_xsetbv(struct vcpu *v);
void handle_vmcall(struct vcpu *v);
void handle_hlt(struct vcpu *v);
void handle_cache_flush(struct vcpu *v);
/* VMX, SMX, MONITOR/MWAIT instructions: #UD, the guest has no such feature. */
void handle_absent_insn(struct vcpu *v);
void handle_exception_nmi(struct vcpu *v);

/* Zero the SYSCALL MSRs a previous guest may have left in the CPU. */
void vcpu_reset_live_msrs(void);

/* Name the first guest-state check a failed VM entry broke (SDM Vol 3C
 * "Checks on the Guest State Area"), or NULL if none of mica's checks
 * finds the fault (vmm/exit/entry_check.c). */
const char *vmx_entry_check_guest(void);

#endif /* MICA_VMM_EXIT_EXIT_H */
