/* SPDX-License-Identifier: MIT */
/*
 * After a VM entry fails with "invalid guest state" the CPU does not say
 * which check failed. This re-runs the checks of SDM Vol 3C "Checks on the
 * Guest State Area" that a hypervisor bug or a broken VMCS most often
 * violates, in the SDM's order, and names the first one that fails.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/exit/exit.h"

#define RFLAGS_RESERVED (GENMASK(63, 22) | BIT(15) | BIT(5) | BIT(3))
#define RFLAGS_VM	BIT(17)
#define EFER_RESERVED	(~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))

struct guest_regs {
	u64 cr0, cr3, cr4, efer, rflags;
	u32 entry, proc2, cs_ar, tr_ar, ldtr_ar, activity;
	u64 link;
};

static void read_regs(struct guest_regs *g)
{
	g->cr0 = vmcs_readl(VMCS_GUEST_CR0);
	g->cr3 = vmcs_readl(VMCS_GUEST_CR3);
	g->cr4 = vmcs_readl(VMCS_GUEST_CR4);
	g->efer = vmcs_read64(VMCS_GUEST_EFER);
	g->rflags = vmcs_readl(VMCS_GUEST_RFLAGS);
	g->entry = vmcs_read32(VMCS_ENTRY_CTLS);
	g->proc2 = vmcs_read32(VMCS_PROC_CTLS2);
	g->cs_ar = vmcs_read32(VMCS_GUEST_CS_AR);
	g->tr_ar = vmcs_read32(VMCS_GUEST_TR_AR);
	g->ldtr_ar = vmcs_read32(VMCS_GUEST_LDTR_AR);
	g->activity = vmcs_read32(VMCS_GUEST_ACTIVITY_STATE);
	g->link = vmcs_read64(VMCS_LINK_POINTER);
}

/* "Checks on Guest Control Registers, Debug Registers, and MSRs" */
static const char *check_control_regs(const struct guest_regs *g)
{
	const struct vmx_caps *c = vmx_caps();
	u64 fixed0 = c->cr0_fixed0;
	bool ia32e = g->entry & VMX_ENTRY_IA32E_GUEST;

	if (g->proc2 & VMX_PROC2_UNRESTRICTED)
		fixed0 &= ~(CR0_PE | CR0_PG);
	else if (!(g->cr0 & CR0_PE) || !(g->cr0 & CR0_PG))
		return "guest CR0.PE or CR0.PG is 0 without unrestricted guest "
		       "(IA32_VMX_CR0_FIXED0)";
	if ((g->cr0 & fixed0) != fixed0 || (g->cr0 & ~c->cr0_fixed1))
		return "guest CR0 violates IA32_VMX_CR0_FIXED0/FIXED1";
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return "guest CR0.PG is 1 while CR0.PE is 0";
	if ((g->cr4 & c->cr4_fixed0) != c->cr4_fixed0 ||
	    (g->cr4 & ~c->cr4_fixed1))
		return "guest CR4 violates IA32_VMX_CR4_FIXED0/FIXED1";
	if (g->cr3 >> cpu_maxphyaddr())
		return "guest CR3 has bits set beyond the physical-address "
		       "width";
	if (ia32e && (!(g->cr0 & CR0_PG) || !(g->cr4 & CR4_PAE)))
		return "IA-32e mode guest requires CR0.PG = 1 and CR4.PAE = 1";
	if (!ia32e && (g->cr4 & CR4_PCIDE))
		return "CR4.PCIDE is 1 outside IA-32e mode";
	if ((g->entry & VMX_ENTRY_LOAD_EFER) && (g->efer & EFER_RESERVED))
		return "guest IA32_EFER has reserved bits set";
	if ((g->entry & VMX_ENTRY_LOAD_EFER) && !!(g->efer & EFER_LMA) != ia32e)
		return "guest IA32_EFER.LMA differs from the IA-32e mode guest "
		       "entry control";
	if ((g->entry & VMX_ENTRY_LOAD_EFER) && (g->cr0 & CR0_PG) &&
	    !!(g->efer & EFER_LME) != !!(g->efer & EFER_LMA))
		return "guest IA32_EFER.LME differs from LMA while CR0.PG = 1";
	return NULL;
}

/* "Checks on Guest Segment Registers" (the ones that bite in practice) */
static const char *check_segments(const struct guest_regs *g)
{
	bool ia32e = g->entry & VMX_ENTRY_IA32E_GUEST;
	unsigned cs_type = g->cs_ar & VMX_AR_TYPE_MASK;
	unsigned tr_type = g->tr_ar & VMX_AR_TYPE_MASK;

	if (!(g->cs_ar & VMX_AR_P) || !(g->cs_ar & VMX_AR_S))
		return "guest CS is not a present code/data segment";
	if (!(cs_type & 8) &&
	    !(cs_type == 3 && (g->proc2 & VMX_PROC2_UNRESTRICTED)))
		return "guest CS type is not an accessed code segment";
	if (ia32e && (g->cs_ar & VMX_AR_L) && (g->cs_ar & VMX_AR_DB))
		return "guest CS has both L and D/B set in IA-32e mode";
	if ((g->tr_ar & VMX_AR_UNUSABLE) || (g->tr_ar & VMX_AR_S) ||
	    !(g->tr_ar & VMX_AR_P))
		return "guest TR must be a usable, present system segment";
	if (tr_type != 11 && !(tr_type == 3 && !ia32e))
		return "guest TR type must be a busy TSS (11, or 3 outside "
		       "IA-32e mode)";
	if (!(g->ldtr_ar & VMX_AR_UNUSABLE) &&
	    ((g->ldtr_ar & VMX_AR_TYPE_MASK) != 2 || (g->ldtr_ar & VMX_AR_S) ||
	     !(g->ldtr_ar & VMX_AR_P)))
		return "guest LDTR is usable but not a present LDT descriptor";
	return NULL;
}

/* "Checks on Guest RIP, RSP, and RFLAGS" and non-register state */
static const char *check_rflags_state(const struct guest_regs *g)
{
	if (!(g->rflags & BIT(1)))
		return "guest RFLAGS bit 1 (reserved, must be 1) is 0";
	if (g->rflags & RFLAGS_RESERVED)
		return "guest RFLAGS has reserved bits set";
	if ((g->rflags & RFLAGS_VM) &&
	    ((g->entry & VMX_ENTRY_IA32E_GUEST) || !(g->cr0 & CR0_PE)))
		return "guest RFLAGS.VM is 1 in IA-32e mode or with CR0.PE = 0";
	if (g->activity > VMX_ACTIVITY_SHUTDOWN + 1)
		return "guest activity state is not a valid state";
	if (g->link != ~0ULL)
		return "VMCS link pointer is not FFFFFFFF_FFFFFFFFH";
	return NULL;
}

const char *vmx_entry_check_guest(void)
{
	struct guest_regs g;
	const char *why;

	read_regs(&g);
	why = check_control_regs(&g);
	if (!why)
		why = check_segments(&g);
	if (!why)
		why = check_rflags_state(&g);
	return why;
}
