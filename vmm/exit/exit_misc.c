/* SPDX-License-Identifier: MIT */
/*
 * Small exits: HLT, INVD/WBINVD, and intercepted exceptions (#UD, #DB).
 * HLT: mica emulates no interrupt sources, so a halted vCPU would never
 * wake; the VM ends with that diagnosis instead of hanging the host.
 * INVD is never executed for a guest (it would discard the host's dirty
 * cache lines): both it and WBINVD complete as no-ops, since guest memory
 * is coherent write-back RAM.
 * Instructions of features a guest of mica does not have (VMX, SMX,
 * MONITOR/MWAIT; CPUID hides them) exit unconditionally or by a control the
 * CPU forces on; they raise #UD, as on a CPU without the feature, at any
 * CPL.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "vmm/exit/exit.h"
#include "vmm/access/guest_access.h"
#include "vmm/gwalk/gwalk.h"
#include "vmm/access/mmio_emulate.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"

void handle_hlt(struct vcpu *v)
{
	vcpu_skip_insn(v);
	/* woken at once by an interrupt or by the single-step #DB after
	 * the HLT: the event is injected on entry */
	if ((vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) ||
	    vm_interrupt_deliverable(v))
		return;
	if (vm_can_wait(v)) {
		/* Wait in the guest's HLT state; the CPU idles there until
		 * the preemption timer (the guest's deadline) or a host
		 * interrupt exits. */
		vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_HLT);
		v->vm->counters[CNT_HLT_WAITS]++;
		return;
	}
	vuart_flush(&v->vm->uart);
	vm_stop(v->vm, "guest halted at RIP 0x%lx with no wake-up source",
		v->rip);
}

void handle_cache_flush(struct vcpu *v)
{
	vcpu_skip_insn(v);
}

void handle_absent_insn(struct vcpu *v)
{
	v->vm->counters[CNT_ABSENT_INSN]++;
	vcpu_inject_exception(v, X86_EXC_UD, false, 0);
}

/* Reflect an intercepted exception to the guest unchanged. */
static void reflect(struct vcpu *v, u32 info)
{
	bool has_err = info & INTR_INFO_DELIVER_ERROR;

	vcpu_inject_exception(v, info & INTR_INFO_VECTOR_MASK, has_err,
			      has_err ? vmcs_read32(VMCS_EXIT_INTR_ERROR) : 0);
}

/* Read len bytes at CS:RIP as a probe: no fault injected, no VM stopped,
 * false if any byte is not mapped RAM (the #UD then stands as it is). */
static bool peek_code(struct vcpu *v, u8 *buf, unsigned len)
{
	u64 rflags;
	bool b64 = (guest_paging_ctx(v, &rflags)->efer & EFER_LMA) &&
		   (vmcs_read32(VMCS_GUEST_CS_AR) & VMX_AR_L);
	u64 base = b64 ? 0 : guest_seg_base(SEG_CS);

	for (unsigned i = 0; i < len; i++) {
		gva_t la = b64 ? v->rip + i : (u32)(base + v->rip + i);
		const u8 *p;
		gpa_t gpa;

		if (!guest_translate_peek(v, la, GWALK_ACC_FETCH, &gpa) ||
		    !(p = vm_gpa_ptr(v->vm, gpa, 1)))
			return false;
		buf[i] = *p;
	}
	return true;
}

/*
 * Forced emulation (module option forced-emu): "ud2; .ascii \"mica\"" (or
 * KVM's "ud2; .ascii \"kvm\"") before an instruction makes mica emulate
 * that instruction, so the same test runs natively and through the
 * emulator, and tests written for KVM's forced emulation run unchanged.
 */
static bool forced_emulation(struct vcpu *v)
{
	u8 sig[FORCED_EMU_SIG_LEN];
	unsigned len;

	if (!v->vm->cfg.forced_emu || !peek_code(v, sig, sizeof(sig)))
		return false;
	if (!mem_cmp(sig, FORCED_EMU_SIG, FORCED_EMU_SIG_LEN))
		len = FORCED_EMU_SIG_LEN;
	else if (!mem_cmp(sig, FORCED_EMU_KVM_SIG, FORCED_EMU_KVM_SIG_LEN))
		len = FORCED_EMU_KVM_SIG_LEN;
	else
		return false;
	v->rip += len;
	vmcs_writel(VMCS_GUEST_RIP, v->rip);
	mmio_emulate(v, NULL);
	return true;
}

/*
 * #DB is intercepted, as KVM does, so that no chain of debug exceptions
 * runs in the guest without an exit (a breakpoint on the #DB handler's own
 * stack). A #DB that exits has not touched DR6 or DR7 (SDM Vol 3C 27.1):
 * mica delivers it as the CPU would have. INT1 (ICEBP) exits as a
 * privileged software exception and is delivered again as one, past the
 * instruction; any other #DB from the qualification's bits. In a STI or
 * MOV SS shadow a single-step trap stays pending in the VMCS: the CPU does
 * not record it for an intercepted #DB, and VM entry requires it with TF
 * set and DEBUGCTL.BTF clear (SDM Vol 3C "Checks on Guest Non-Register
 * State").
 */
static void handle_db(struct vcpu *v, u32 info)
{
	if (((info >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_PRIV_SW_EXC) {
		u64 dr7 = vmcs_readl(VMCS_GUEST_DR7);

		if (dr7 & DR7_GD)
			vmcs_writel(VMCS_GUEST_DR7, dr7 & ~DR7_GD);
		vmcs_write32(VMCS_ENTRY_INSN_LEN,
			     vmcs_read32(VMCS_EXIT_INSN_LEN));
		vmcs_write32(VMCS_ENTRY_INTR_INFO,
			     info & (INTR_INFO_VALID | 0x7ff));
		v->vm->counters[CNT_EXCEPTIONS_REFLECTED]++;
		return;
	}
	if ((vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_TF) &&
	    (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
	     (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)) &&
	    !(vmcs_read64(VMCS_GUEST_DEBUGCTL) & DEBUGCTL_BTF))
		vmcs_writel(VMCS_GUEST_PENDING_DBG,
			    vmcs_readl(VMCS_GUEST_PENDING_DBG) | DR6_BS);
	vcpu_queue_db(v, vmcs_readl(VMCS_EXIT_QUALIFICATION));
}

void handle_exception_nmi(struct vcpu *v)
{
	u32 info = vmcs_read32(VMCS_EXIT_INTR_INFO);
	unsigned type = (info >> INTR_INFO_TYPE_SHIFT) & 7;

	if (type == INTR_TYPE_NMI) { /* a host NMI: nothing to forward */
		vcpu_redeliver(v);
		return;
	}
	if ((info & INTR_INFO_VECTOR_MASK) == X86_EXC_UD && forced_emulation(v))
		return;
	if ((info & INTR_INFO_VECTOR_MASK) == X86_EXC_DB) {
		handle_db(v, info);
		return;
	}
	reflect(v, info);
}
