/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: a table indexed by basic exit reason. Exits a guest can
 * cause but mica does not serve stop that VM with a diagnostic; nothing a
 * guest does reaches panic().
 */
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "drivers/console.h"
#include "vmm/exit.h"
#include "vmm/mmio_emulate.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"
#include "vmm/vm_mem.h"

typedef void (*exit_handler_fn)(struct vcpu *v);

void vcpu_skip_insn(struct vcpu *v)
{
	vmcs_writel(VMCS_GUEST_RIP, v->rip + vmcs_read32(VMCS_EXIT_INSN_LEN));
	/* Skipping an instruction ends STI/MOV-SS blocking (SDM Vol 3C,
	 * "Guest Non-Register State"). */
	if (unlikely(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & 3))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
}

void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error,
			   u32 error)
{
	u32 info = vector | INTR_INFO_VALID |
		   (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT);

	if (has_error) {
		info |= INTR_INFO_DELIVER_ERROR;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
	v->vm->counters[CNT_EXCEPTIONS_REFLECTED]++;
}

u64 vcpu_read_cr0(struct vcpu *v)
{
	return (vmcs_readl(VMCS_GUEST_CR0) & ~v->cr0_mask) |
	       (vmcs_readl(VMCS_CR0_SHADOW) & v->cr0_mask);
}

u64 vcpu_read_cr4(struct vcpu *v)
{
	return (vmcs_readl(VMCS_GUEST_CR4) & ~v->cr4_mask) |
	       (vmcs_readl(VMCS_CR4_SHADOW) & v->cr4_mask);
}

static void stop_with_state(struct vcpu *v, const char *what)
{
	vm_stop(v->vm,
		"%s at RIP 0x%lx (CR0 0x%lx CR3 0x%lx CR4 0x%lx EFER 0x%lx)",
		what, v->rip, vcpu_read_cr0(v), vmcs_readl(VMCS_GUEST_CR3),
		vcpu_read_cr4(v), vmcs_read64(VMCS_GUEST_EFER));
}

static void handle_triple_fault(struct vcpu *v)
{
	stop_with_state(v, "triple fault");
}

static void handle_unexpected(struct vcpu *v)
{
	u32 basic = VMX_EXIT_REASON_BASIC(v->exit_reason);

	vm_stop(v->vm, "unhandled exit %u (%s), qualification 0x%lx, RIP 0x%lx",
		basic, vmx_exit_reason_name(basic), v->exit_qual, v->rip);
}

static void handle_entry_failure(struct vcpu *v)
{
	u32 basic = VMX_EXIT_REASON_BASIC(v->exit_reason);
	const char *check = vmx_entry_check_guest();

	vm_stop(v->vm, "VM entry failed: %s (qualification %lu): %s",
		vmx_exit_reason_name(basic), v->exit_qual,
		check ? check : "no guest-state check of mica's names it");
}

static void handle_external_intr(struct vcpu *v)
{
	(void)v; /* acknowledged on exit; the host has no use for it */
}

static void handle_intr_window(struct vcpu *v)
{
	vm_inject_pending(v);
}

static void handle_preemption_timer(struct vcpu *v)
{
	if (vm_arm_budget(v->vm))
		return;
	vm_stop(v->vm, "time budget of %lu instructions exhausted at RIP 0x%lx",
		v->vm->cfg.budget, v->rip);
}

static const exit_handler_fn exit_handlers[VMX_EXIT_REASON_MAX] = {
    /* 0 - 15 */
    [VMX_EXIT_EXCEPTION_NMI] = handle_exception_nmi,
    [VMX_EXIT_EXTERNAL_INTR] = handle_external_intr,
    [VMX_EXIT_TRIPLE_FAULT] = handle_triple_fault,
    [VMX_EXIT_INTR_WINDOW] = handle_intr_window,
    [VMX_EXIT_CPUID] = handle_cpuid,
    [VMX_EXIT_HLT] = handle_hlt,
    [VMX_EXIT_INVD] = handle_cache_flush,
    /* 16 - 31 */
    [VMX_EXIT_VMCALL] = handle_vmcall,
    [VMX_EXIT_CR_ACCESS] = handle_cr_access,
    [VMX_EXIT_IO] = handle_io,
    [VMX_EXIT_RDMSR] = handle_rdmsr,
    /* 32 - 47 */
    [VMX_EXIT_WRMSR] = handle_wrmsr,
    [VMX_EXIT_ENTRY_INVALID_GUEST] = handle_entry_failure,
    [VMX_EXIT_ENTRY_MSR_LOAD] = handle_entry_failure,
    [VMX_EXIT_ENTRY_MACHINE_CHECK] = handle_entry_failure,
    /* 48 - 63 */
    [VMX_EXIT_EPT_VIOLATION] = handle_ept_violation,
    [VMX_EXIT_EPT_MISCONFIG] = handle_ept_misconfig,
    [VMX_EXIT_PREEMPTION_TIMER] = handle_preemption_timer,
    [VMX_EXIT_WBINVD] = handle_cache_flush,
    [VMX_EXIT_XSETBV] = handle_xsetbv,
};

void vmx_handle_exit(struct vcpu *v)
{
	u32 basic;
	exit_handler_fn fn;

	v->exit_reason = vmcs_read32(VMCS_EXIT_REASON);
	basic = VMX_EXIT_REASON_BASIC(v->exit_reason);
	v->rip = vmcs_readl(VMCS_GUEST_RIP);
	v->exits_total++;
	if (unlikely(basic >= VMX_EXIT_REASON_MAX)) {
		v->exit_qual = vmcs_readl(VMCS_EXIT_QUALIFICATION);
		handle_unexpected(v);
		return;
	}
	v->exit_count[basic]++;
	if (unlikely(v->exit_reason & VMX_EXIT_REASON_ENTRY_FAIL)) {
		v->exit_qual = vmcs_readl(VMCS_EXIT_QUALIFICATION);
		handle_entry_failure(v);
		return;
	}
	fn = exit_handlers[basic];
	if (unlikely(!fn)) {
		v->exit_qual = vmcs_readl(VMCS_EXIT_QUALIFICATION);
		fn = handle_unexpected;
	}
	fn(v);
}
