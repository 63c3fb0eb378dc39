/* SPDX-License-Identifier: MIT */
/*
 * What exit handlers, the emulator and the memory hypercalls do to a vCPU:
 * advance RIP, inject an exception with the architectural side effects,
 * bring back an event whose delivery an exit interrupted, and read CR0/CR4
 * as the guest sees them.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* The mask of RIP: EIP outside 64-bit mode, IP for 16-bit code. */
static u64 rip_mask(void)
{
	u32 cs = vmcs_read32(VMCS_GUEST_CS_AR);

	if ((cs & VMX_AR_L) && (vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA))
		return ~0ULL;
	return (cs & VMX_AR_DB) ? 0xffffffffULL : 0xffff;
}

void vcpu_skip_insn(struct vcpu *v)
{
	u64 rip = v->rip + vmcs_read32(VMCS_EXIT_INSN_LEN);

	/* Outside 64-bit mode the instruction pointer wraps (VM entry
	 * refuses RIP bits 63:32 there). Only an addition that carries past
	 * bit 15 can wrap: the mode is read then, not on every skip. */
	if (unlikely((rip ^ v->rip) >> 16))
		rip &= rip_mask();
	vmcs_writel(VMCS_GUEST_RIP, rip);
	/* Skipping an instruction ends STI/MOV-SS blocking (SDM Vol 3C,
	 * "Guest Non-Register State"). */
	if (unlikely(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & 3))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
}

#define RFLAGS_RF BIT(16)

/* Exceptions of the trap or abort class (#DB counts as a trap here: mica
 * injects no instruction breakpoints); all other vectors are faults (SDM
 * Vol. 3A Table 6-1). */
#define EXC_NOT_FAULT                                                          \
	(BIT(X86_EXC_DB) | BIT(X86_EXC_NMI) | BIT(X86_EXC_BP) |                \
	 BIT(X86_EXC_OF) | BIT(X86_EXC_DF) | BIT(X86_EXC_MC))

void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error,
			   u32 error)
{
	u32 info = vector | INTR_INFO_VALID |
		   (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT);

	/* Outside real mode a fault pushes EFLAGS with RF = 1 (SDM Vol. 3A
	 * "Instruction-Breakpoint Exception Condition"); injection pushes
	 * RFLAGS as the VMCS holds them, RF unmodified (SDM Vol. 3C "Details
	 * of Vectored-Event Injection"), so RF is set there. */
	if ((vmcs_readl(VMCS_GUEST_CR0) & CR0_PE) && vector < 32 &&
	    !(EXC_NOT_FAULT & BIT(vector)))
		vmcs_writel(VMCS_GUEST_RFLAGS,
			    vmcs_readl(VMCS_GUEST_RFLAGS) | RFLAGS_RF);
	/* Real mode delivers no error code, and VM entry refuses one when
	 * the guest's CR0.PE is 0 (SDM Vol. 3C "Checks on VM-Entry Control
	 * Fields", event injection). */
	if (has_error && (vmcs_readl(VMCS_GUEST_CR0) & CR0_PE)) {
		info |= INTR_INFO_DELIVER_ERROR;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
	v->vm->counters[CNT_EXCEPTIONS_REFLECTED]++;
}

void vcpu_redeliver(struct vcpu *v)
{
	u32 info = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	unsigned type = (info >> INTR_INFO_TYPE_SHIFT) & 7;

	(void)v;
	if (likely(!(info & INTR_INFO_VALID)) ||
	    (type != INTR_TYPE_EXT_INTR && type != INTR_TYPE_NMI))
		return;
	/* Bit 12 is undefined here and reserved in the entry field. */
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info & (INTR_INFO_VALID | 0x7ff));
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
