/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: a table indexed by basic exit reason. Exits a guest can
 * cause but mica does not serve stop that VM with a diagnostic; nothing a
 * guest does reaches panic().
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "mm/base/console.h"
#include "vmm/exit/exit.h"
#include "vmm/access/mmio_emulate.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"
#include "vmm/mem/vm_ram.h"

typedef void (*exit_handler_fn)(struct vcpu *v);

__cold static void stop_with_state(struct vcpu *v, const char *what)
{
	vm_stop(v->vm,
		"%s at RIP 0x%lx (CR0 0x%lx CR3 0x%lx CR4 0x%lx EFER 0x%lx)",
		what, v->rip, vcpu_read_cr0(v), vcpu_read_cr3(v),
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

/* A task switch (CALL/JMP to a TSS or task gate, IRET with NT, an
 * interrupt through a task gate) always exits (SDM Vol 3C 26.4.2); mica
 * does not emulate it (docs/emulation.md). */
__cold static void handle_task_switch(struct vcpu *v)
{
	static const char *const how[4] = {"CALL", "IRET", "JMP",
					   "a task gate in the IDT"};
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);

	vm_stop(v->vm,
		"task switch by %s to TSS selector 0x%lx at RIP 0x%lx: task "
		"switches are not emulated",
		how[(q >> 30) & 3], q & 0xffff, v->rip);
}

__cold static void handle_entry_failure(struct vcpu *v)
{
	u32 basic = VMX_EXIT_REASON_BASIC(v->exit_reason);
	const char *check = vmx_entry_check_guest();

	vm_stop(v->vm, "VM entry failed: %s (qualification %lu): %s",
		vmx_exit_reason_name(basic), v->exit_qual,
		check ? check : "no guest-state check of mica's names it");
}

/* Acknowledged on exit; the host has no use for it. An interrupt being
 * injected when it arrived is delivered again. */
static void handle_external_intr(struct vcpu *v)
{
	vcpu_redeliver(v);
}

/* The guest can take the interrupt (interrupt window) or virtual-NMI
 * blocking ended at its IRET (NMI window): inject what waits. */
static void handle_event_window(struct vcpu *v)
{
	vm_inject_pending(v);
}

static void handle_preemption_timer(struct vcpu *v)
{
	struct vm *vm = v->vm;

	/* The guest's timer deadline, not the budget: give the chunk back;
	 * the expiry is handled before the next entry. */
	if (vm->preempt_cut) {
		vmcs_write32(VMCS_PREEMPTION_TIMER, vm->preempt_cut);
		vm->preempt_cut = 0;
		return;
	}
	if (vm_arm_budget(vm))
		return;
	vm_stop(v->vm, "time budget of %lu instructions exhausted at RIP 0x%lx",
		v->vm->cfg.budget, v->rip);
}

static const exit_handler_fn exit_handlers[VMX_EXIT_REASON_MAX] = {
    /* 0 - 15 */
    [VMX_EXIT_EXCEPTION_NMI] = handle_exception_nmi,
    [VMX_EXIT_EXTERNAL_INTR] = handle_external_intr,
    [VMX_EXIT_TRIPLE_FAULT] = handle_triple_fault,
    [VMX_EXIT_INTR_WINDOW] = handle_event_window,
    [VMX_EXIT_NMI_WINDOW] = handle_event_window,
    [VMX_EXIT_TASK_SWITCH] = handle_task_switch,
    [VMX_EXIT_CPUID] = handle_cpuid,
    [VMX_EXIT_GETSEC] = handle_absent_insn,
    [VMX_EXIT_HLT] = handle_hlt,
    [VMX_EXIT_INVD] = handle_cache_flush,
    /* 16 - 31 */
    [VMX_EXIT_VMCALL] = handle_vmcall,
    [VMX_EXIT_VMCLEAR] = handle_absent_insn,
    [VMX_EXIT_VMLAUNCH] = handle_absent_insn,
    [VMX_EXIT_VMPTRLD] = handle_absent_insn,
    [VMX_EXIT_VMPTRST] = handle_absent_insn,
    [VMX_EXIT_VMREAD] = handle_absent_insn,
    [VMX_EXIT_VMRESUME] = handle_absent_insn,
    [VMX_EXIT_VMWRITE] = handle_absent_insn,
    [VMX_EXIT_VMXOFF] = handle_absent_insn,
    [VMX_EXIT_VMXON] = handle_absent_insn,
    [VMX_EXIT_CR_ACCESS] = handle_cr_access,
    [VMX_EXIT_IO] = handle_io,
    [VMX_EXIT_RDPMC] = handle_rdpmc,
    [VMX_EXIT_RDMSR] = handle_rdmsr,
    /* 32 - 47 */
    [VMX_EXIT_WRMSR] = handle_wrmsr,
    [VMX_EXIT_ENTRY_INVALID_GUEST] = handle_entry_failure,
    [VMX_EXIT_ENTRY_MSR_LOAD] = handle_entry_failure,
    [VMX_EXIT_MWAIT] = handle_absent_insn,
    [VMX_EXIT_MONITOR] = handle_absent_insn,
    [VMX_EXIT_TPR_BELOW] = handle_tpr_below,
    [VMX_EXIT_ENTRY_MACHINE_CHECK] = handle_entry_failure,
    /* 48 - 63 */
    [VMX_EXIT_EPT_VIOLATION] = handle_ept_violation,
    [VMX_EXIT_EPT_MISCONFIG] = handle_ept_misconfig,
    [VMX_EXIT_INVEPT] = handle_absent_insn,
    [VMX_EXIT_PREEMPTION_TIMER] = handle_preemption_timer,
    [VMX_EXIT_INVVPID] = handle_absent_insn,
    [VMX_EXIT_WBINVD] = handle_cache_flush,
    [VMX_EXIT_XSETBV] = handle_xsetbv,
    [VMX_EXIT_VMFUNC] = handle_absent_insn,
    [VMX_EXIT_SPP] = handle_spp,
    [VMX_EXIT_APIC_ACCESS] = handle_apic_access,
    [VMX_EXIT_VIRTUAL_EOI] = handle_eoi_induced,
    [VMX_EXIT_APIC_WRITE] = handle_apic_write,
};

/* Everything off the fast path: unknown reasons, entry failures, exits
 * without a handler. Kept out of line so the fast path saves no
 * registers it does not use. */
static __attribute__((noinline, cold)) void exit_slow(struct vcpu *v)
{
	u32 basic = VMX_EXIT_REASON_BASIC(v->exit_reason);

	v->exit_qual = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	if (basic < VMX_EXIT_REASON_MAX)
		v->exit_count[basic]++;
	if (basic < VMX_EXIT_REASON_MAX &&
	    (v->exit_reason & VMX_EXIT_REASON_ENTRY_FAIL))
		handle_entry_failure(v);
	else
		handle_unexpected(v);
}

void vmx_handle_exit(struct vcpu *v)
{
	u32 reason = vmcs_read32(VMCS_EXIT_REASON);
	u32 basic = VMX_EXIT_REASON_BASIC(reason);
	exit_handler_fn fn;

	v->exit_reason = reason;
	v->rip = vmcs_readl(VMCS_GUEST_RIP);
	v->exits_total++;
	if (likely(basic < VMX_EXIT_REASON_MAX && (s32)reason >= 0)) {
		fn = exit_handlers[basic];
		if (likely(fn)) {
			v->exit_count[basic]++;
			fn(v);
			return;
		}
	}
	exit_slow(v);
}

bool c_vmx_exit(struct vcpu *v)
{
	vmx_handle_exit(v);
	if (unlikely(v->vm->lapic.irr_count | v->vm->preempt_cut |
		     v->vm->pc_intr) ||
	    unlikely(v->vm->lapic.timer_deadline | v->vm->pc_next))
		vm_before_entry(v);
	return v->vm->state == VM_RUNNING;
}
