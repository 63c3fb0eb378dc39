/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch and the exit handlers, one per basic exit reason (the
 * vCPU helpers they share are in vmm/vcpu.h).
 */
#ifndef MICA_VMM_EXIT_EXIT_H
#define MICA_VMM_EXIT_EXIT_H

#include "mm/base/types.h"
#include "vmm/vcpu.h"

/* Handle the exit that just happened on vcpu (its VMCS is current). */
void vmx_handle_exit(struct vcpu *v);

/* Exit handlers, one per basic reason (vmm/exit/). */
void handle_cpuid(struct vcpu *v);
/* The CPU the VM's guest sees (vm->cpu), once its controls are set. */
void vm_cpu_init(struct vm *vm);
/* Its MSRs (vm->msr_env, vm->msrs at their reset values); after
 * vm_cpu_init. */
void vm_msr_init(struct vm *vm);
void handle_io(struct vcpu *v);
void handle_rdmsr(struct vcpu *v);
void handle_wrmsr(struct vcpu *v);
void handle_rdpmc(struct vcpu *v);
void handle_cr_access(struct vcpu *v);
/*
 * Bring CR3, CR4, CR3 exiting and the "load IA32_EFER" entry control in
 * line with the guest's CR0 and CR4 as it sees them: without unrestricted
 * guest, paging off runs on mica's identity page table (vmm/exit/exit_cr.c).
 * Flushes the guest's TLB when that changes its translations. Call after
 * the controls and CR read shadows are set, and after each CR0/CR4 change.
 */
void cr_sync_paging(struct vcpu *v);
/* The CR4 bits mica must own (guest/host mask) for cr_sync_paging. */
u64 cr4_idmap_owned(void);
void handle_xsetbv(struct vcpu *v);
void handle_vmcall(struct vcpu *v);
void handle_hlt(struct vcpu *v);
void handle_cache_flush(struct vcpu *v);
/* VMX, SMX, MONITOR/MWAIT instructions: #UD, the guest has no such feature. */
void handle_absent_insn(struct vcpu *v);
void handle_exception_nmi(struct vcpu *v);
/* EPT violation and misconfiguration, SPP miss (vmm/exit/exit_ept.c). */
void handle_ept_violation(struct vcpu *v);
void handle_ept_misconfig(struct vcpu *v);
void handle_spp(struct vcpu *v);
/* APIC virtualization's exits (vmm/exit/exit_apic.c). */
void handle_apic_access(struct vcpu *v);
void handle_tpr_below(struct vcpu *v);
void handle_apic_write(struct vcpu *v);
void handle_eoi_induced(struct vcpu *v);

/* Zero the SYSCALL MSRs a previous guest may have left in the CPU. */
void vcpu_reset_live_msrs(void);

/* Name the first guest-state check a failed VM entry broke (SDM Vol 3C
 * "Checks on the Guest State Area"), or NULL if none of mica's checks
 * finds the fault (vmm/exit/entry_check.c). */
const char *vmx_entry_check_guest(void);

#endif /* MICA_VMM_EXIT_EXIT_H */
