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

static inline __attribute__((always_inline)) void skip_rip(struct vcpu *v)
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

__cold __attribute__((noinline)) static void
skip_insn_traced(struct vcpu *v, u64 rflags, u64 dbg)
{
	skip_rip(v);
	vcpu_insn_done(v, rflags, rflags, dbg);
}

/* Inlined into both entry points: the plain skip is on the fast path of
 * most exits, where dbg folds away. The instructions that exit leave
 * RFLAGS as they were at their start. */
static inline __attribute__((always_inline)) void skip_insn(struct vcpu *v,
							    u64 dbg)
{
	u64 rflags = vmcs_readl(VMCS_GUEST_RFLAGS);

	if (unlikely((rflags & (RFLAGS_TF | RFLAGS_RF)) | dbg))
		skip_insn_traced(v, rflags, dbg);
	else
		skip_rip(v);
}

void vcpu_skip_insn(struct vcpu *v)
{
	skip_insn(v, 0);
}

void vcpu_skip_insn_dbg(struct vcpu *v, u64 dbg)
{
	skip_insn(v, dbg);
}

/*
 * The single-step trap of SDM Vol 3B 18.3.1.4 comes after an instruction
 * that began with TF = 1, unless DEBUGCTL.BTF asks for branches only (the
 * instructions mica completes are not branches). An instruction that exits
 * is not completed by the CPU, so its trap is mica's to raise (KVM:
 * kvm_skip_emulated_instruction).
 */
__cold void vcpu_insn_done(struct vcpu *v, u64 before, u64 after, u64 dbg)
{
	/* RF is cleared once an instruction completes (SDM Vol 3B
	 * 18.3.1.1). */
	if (after & RFLAGS_RF)
		vmcs_writel(VMCS_GUEST_RFLAGS, after & ~RFLAGS_RF);
	if ((before & RFLAGS_TF) &&
	    !(vmcs_read64(VMCS_GUEST_DEBUGCTL) & DEBUGCTL_BTF))
		dbg |= DR6_BS;
	if (dbg) {
		/* A trap the CPU held for this instruction (the single-step
		 * of a MOV SS before it) is this same #DB. */
		u64 pend = vmcs_readl(VMCS_GUEST_PENDING_DBG);

		if (pend) {
			dbg |= pend & DR6_BS;
			if (pend & DR6_PENDING_BP)
				dbg |= pend & 0xf;
			vmcs_writel(VMCS_GUEST_PENDING_DBG, 0);
		}
		vcpu_queue_db(v, dbg);
	}
}

/*
 * DR6 as the CPU writes it when it delivers a #DB (SDM Vol 3B 18.2.3),
 * from a payload in the format of a #DB exit's qualification (B0-B3, BD,
 * BS; RTM active high): B0-B3 are replaced, BD and BS accumulate until
 * software clears them, RTM is active low in DR6 (the rule KVM applies
 * to a #DB payload).
 */
static u64 dr6_with(u64 dr6, u64 payload)
{
	dr6 &= ~0xfULL;
	dr6 |= DR6_ACTIVE_LOW | payload;
	dr6 ^= payload & DR6_RTM;
	return dr6 & ~DR6_PENDING_BP & 0xffffffffULL;
}

__cold void vcpu_queue_db(struct vcpu *v, u64 payload)
{
	u64 dr7 = vmcs_readl(VMCS_GUEST_DR7);

	write_dr6(dr6_with(read_dr(6), payload));
	/* Entering the #DB handler clears DR7.GD, so the handler may use the
	 * debug registers (SDM Vol 3B 18.2.4); an injected #DB does not
	 * (SDM Vol 3C "Event Injection"). */
	if (dr7 & DR7_GD)
		vmcs_writel(VMCS_GUEST_DR7, dr7 & ~DR7_GD);
	vcpu_inject_exception(v, X86_EXC_DB, false, 0);
}

/* Exceptions of the trap or abort class, and #DB: its faults (instruction
 * breakpoint, DR7.GD) push RF as it was, the handler sets it (SDM Vol 3B
 * 18.3.1.1); all other vectors are faults (SDM Vol. 3A Table 6-1). */
#define EXC_NOT_FAULT                                                          \
	(BIT(X86_EXC_DB) | BIT(X86_EXC_NMI) | BIT(X86_EXC_BP) |                \
	 BIT(X86_EXC_OF) | BIT(X86_EXC_DF) | BIT(X86_EXC_MC))

/* Contributory exceptions (SDM Vol. 3A Table 6-4): #DE, #TS, #NP, #SS,
 * #GP, #CP. */
#define EXC_CONTRIBUTORY                                                       \
	(BIT(X86_EXC_DE) | BIT(10) | BIT(11) | BIT(12) | BIT(X86_EXC_GP) |     \
	 BIT(21))

enum exc_class { EXC_BENIGN, EXC_CONTRIB, EXC_PAGE, EXC_DOUBLE };

__cold static enum exc_class exc_class(u32 info)
{
	unsigned vec = info & INTR_INFO_VECTOR_MASK;

	if (((info >> INTR_INFO_TYPE_SHIFT) & 7) != INTR_TYPE_HW_EXCEPTION)
		return EXC_BENIGN;
	if (vec == X86_EXC_PF)
		return EXC_PAGE;
	if (vec == X86_EXC_DF)
		return EXC_DOUBLE;
	return vec < 32 && (EXC_CONTRIBUTORY & BIT(vec)) ? EXC_CONTRIB
							 : EXC_BENIGN;
}

/*
 * An exception found while the exit's event was being delivered (IDT-
 * vectoring information valid) combines with it as the CPU would (SDM
 * Vol. 3A 6.15, Table 6-5): a contributory exception or #PF after a
 * contributory one, or anything but benign after a #PF, is a #DF(0); a
 * contributory exception or #PF while delivering #DF shuts the processor
 * down (a triple fault); otherwise the new exception is delivered alone.
 * Returns the vector to deliver, or -1 after a triple fault.
 */
__cold static int merge_exception(struct vcpu *v, unsigned vector)
{
	u32 first = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	enum exc_class a, b;

	if (likely(!(first & INTR_INFO_VALID)))
		return (int)vector;
	a = exc_class(first);
	b = exc_class(vector |
		      (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	if (b == EXC_BENIGN || a == EXC_BENIGN)
		return (int)vector;
	if (a == EXC_DOUBLE) {
		vm_stop(v->vm,
			"triple fault: exception %u while delivering #DF at "
			"RIP 0x%lx",
			vector, v->rip);
		return -1;
	}
	if (a == EXC_PAGE || b == EXC_CONTRIB)
		return X86_EXC_DF;
	return (int)vector; /* contributory, then #PF: the #PF alone */
}

__cold void vcpu_inject_exception(struct vcpu *v, unsigned vector,
				  bool has_error, u32 error)
{
	int merged = merge_exception(v, vector);
	u32 info;

	if (merged < 0)
		return;
	if ((unsigned)merged != vector) {
		vector = (unsigned)merged;
		has_error = true;
		error = 0;
	}
	info = vector | INTR_INFO_VALID |
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
	unsigned type;

	(void)v;
	if (likely(!(info & INTR_INFO_VALID)))
		return;
	type = (info >> INTR_INFO_TYPE_SHIFT) & 7;
	/* Only what VM entry can inject (SDM Vol 3C "Checks on VM-Entry
	 * Control Fields"): a CPU reports nothing else, and a VMCS field
	 * that says otherwise must not turn into a failed entry. */
	if (unlikely(type == 1 || type == 7 ||
		     (type == INTR_TYPE_HW_EXCEPTION &&
		      (info & INTR_INFO_VECTOR_MASK) > 31) ||
		     (type == INTR_TYPE_NMI &&
		      (info & INTR_INFO_VECTOR_MASK) != X86_EXC_NMI)))
		return;
	if (info & INTR_INFO_DELIVER_ERROR)
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR,
			     vmcs_read32(VMCS_IDT_VECTORING_ERROR));
	/* The exit's instruction length is that of the INT n, INT3, INTO or
	 * INT1 whose delivery it interrupted (SDM Vol. 3C "VM-Exit
	 * Instruction Length"); injection needs it to push the return RIP. */
	if (type >= INTR_TYPE_SW_INTR)
		vmcs_write32(VMCS_ENTRY_INSN_LEN,
			     vmcs_read32(VMCS_EXIT_INSN_LEN));
	/* RFLAGS (RF included) were saved as the delivery would have pushed
	 * them. Bit 12 is undefined here and reserved in the entry field. */
	vmcs_write32(VMCS_ENTRY_INTR_INFO,
		     info &
			 (INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR | 0x7ff));
}

u64 vcpu_read_cr0(struct vcpu *v)
{
	return (vmcs_readl(VMCS_GUEST_CR0) & ~v->cr0_mask) |
	       (vmcs_readl(VMCS_CR0_SHADOW) & v->cr0_mask);
}

u64 vcpu_read_cr3(struct vcpu *v)
{
	return v->cr_idmap ? v->cr3 : vmcs_readl(VMCS_GUEST_CR3);
}

u64 vcpu_read_cr4(struct vcpu *v)
{
	return (vmcs_readl(VMCS_GUEST_CR4) & ~v->cr4_mask) |
	       (vmcs_readl(VMCS_CR4_SHADOW) & v->cr4_mask);
}
