/* SPDX-License-Identifier: MIT */
/*
 * Control-register exits. CR0/CR4 bits that VMX fixes are host-owned
 * (guest/host masks with read shadows): a guest write that changes one of
 * them exits here, and mica applies the rest of the write as the CPU would,
 * including the switch into and out of IA-32e mode when CR0.PG changes with
 * EFER.LME set (SDM Vol 3A 10.8.5 "Initializing IA-32e Mode"). CR8 is kept
 * per vCPU (no TPR shadow). XSETBV is checked and executed for the guest.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/exit/exit.h"
#include "vmm/access/guest_access.h"
#include "vmm/gwalk/gwalk.h"
#include "vmm/vm.h"
#include "vmm/xcr0.h"

/* MOV to CR0 faults on bits 63:32; reserved bits below are ignored and ET
 * is hardwired to 1 (SDM Vol 3A 2.5, Vol 2B "MOV-Move to/from Control
 * Registers"). */
#define CR0_HIGH_RESERVED (~0xffffffffULL)
#define CR0_LOW_RESERVED  (GENMASK(28, 19) | BIT(17) | GENMASK(15, 6))

static u64 read_gpr(struct vcpu *v, unsigned n)
{
	return n == GPR_RSP ? vmcs_readl(VMCS_GUEST_RSP) : v->gpr[n];
}

static void write_gpr(struct vcpu *v, unsigned n, u64 val)
{
	if (n == GPR_RSP)
		vmcs_writel(VMCS_GUEST_RSP, val);
	else
		v->gpr[n] = val;
}

static u64 effective_cr0_fixed0(void)
{
	u64 f = vmx_caps()->cr0_fixed0;

	return vmx_has_unrestricted_guest() ? f & ~(CR0_PE | CR0_PG) : f;
}

/* Load PAE PDPTEs from guest CR3 into the VMCS (SDM Vol 3A 4.4.1); false
 * (#GP(0), nothing loaded) if the PDPT is not in RAM or a present entry
 * has a reserved bit set, which VM entry would refuse. */
static bool load_pdptes(struct vcpu *v, u64 cr3)
{
	u64 *pdpte = vm_gpa_ptr(v->vm, cr3 & 0xffffffe0ULL, 32);
	u64 rflags;
	unsigned maxpa = guest_paging_ctx(v, &rflags)->maxphyaddr;

	if (!pdpte)
		return false;
	for (unsigned i = 0; i < 4; i++)
		if (!gwalk_pdpte_valid(pdpte[i], maxpa))
			return false;
	vmcs_write64(VMCS_GUEST_PDPTE0, pdpte[0]);
	vmcs_write64(VMCS_GUEST_PDPTE1, pdpte[1]);
	vmcs_write64(VMCS_GUEST_PDPTE2, pdpte[2]);
	vmcs_write64(VMCS_GUEST_PDPTE3, pdpte[3]);
	return true;
}

static void set_long_mode_active(bool on)
{
	u64 efer = vmcs_read64(VMCS_GUEST_EFER);
	u32 entry = vmcs_read32(VMCS_ENTRY_CTLS);

	efer = on ? efer | EFER_LMA : efer & ~EFER_LMA;
	entry =
	    on ? entry | VMX_ENTRY_IA32E_GUEST : entry & ~VMX_ENTRY_IA32E_GUEST;
	vmcs_write64(VMCS_GUEST_EFER, efer);
	vmcs_write32(VMCS_ENTRY_CTLS, entry);
}

/* Returns false when the write must raise #GP(0). */
static bool guest_write_cr0(struct vcpu *v, u64 val)
{
	u64 old = vcpu_read_cr0(v);
	u64 efer = vmcs_read64(VMCS_GUEST_EFER);
	u64 cr4 = vcpu_read_cr4(v);
	bool pg_on = (val & CR0_PG) && !(old & CR0_PG);
	bool pg_off = !(val & CR0_PG) && (old & CR0_PG);

	val = (val & ~CR0_LOW_RESERVED) | CR0_ET;
	if ((val & CR0_HIGH_RESERVED) || ((val & CR0_NW) && !(val & CR0_CD)) ||
	    ((val & CR0_PG) && !(val & CR0_PE)))
		return false;
	/* 64-bit mode cannot turn paging off, only compatibility mode can,
	 * and not with CR4.PCIDE set (SDM Vol 2B "MOV-Move to/from Control
	 * Registers": #GP(0)). */
	if (pg_off && (cr4 & CR4_PCIDE))
		return false;
	if (pg_off && (efer & EFER_LMA) &&
	    (vmcs_read32(VMCS_GUEST_CS_AR) & VMX_AR_L))
		return false;
	if (pg_on && (efer & EFER_LME)) {
		if (!(cr4 & CR4_PAE))
			return false;
		set_long_mode_active(true);
	} else if (pg_off && (efer & EFER_LMA)) {
		set_long_mode_active(false);
	} else if (pg_on && (cr4 & CR4_PAE) &&
		   !load_pdptes(v, vmcs_readl(VMCS_GUEST_CR3))) {
		return false;
	}
	vmcs_writel(VMCS_CR0_SHADOW, val);
	vmcs_writel(VMCS_GUEST_CR0,
		    (val | effective_cr0_fixed0()) & vmx_caps()->cr0_fixed1);
	return true;
}

static bool guest_write_cr4(struct vcpu *v, u64 val)
{
	const struct vmx_caps *c = vmx_caps();
	u64 shown_fixed1 = c->cr4_fixed1 & ~CR4_VMXE;
	u64 cr0 = vcpu_read_cr0(v);
	bool lma = vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA;

	/* Bits VMX does not allow are features this guest does not have. */
	if (val & ~shown_fixed1)
		return false;
	if (lma && !(val & CR4_PAE))
		return false;
	/* PCIDE only in IA-32e mode, and set only with CR3[11:0] = 0 (SDM
	 * Vol 2B "MOV-Move to/from Control Registers": #GP(0)). */
	if ((val & CR4_PCIDE) &&
	    (!lma || (!(vcpu_read_cr4(v) & CR4_PCIDE) &&
		      (vmcs_readl(VMCS_GUEST_CR3) & 0xfff))))
		return false;
	if ((cr0 & CR0_PG) && (val & CR4_PAE) &&
	    !(vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA) &&
	    !load_pdptes(v, vmcs_readl(VMCS_GUEST_CR3)))
		return false;
	vmcs_writel(VMCS_CR4_SHADOW, val);
	vmcs_writel(VMCS_GUEST_CR4, (val | c->cr4_fixed0) & c->cr4_fixed1);
	return true;
}

static bool mov_to_cr(struct vcpu *v, unsigned cr, u64 val)
{
	switch (cr) {
	case 0:
		return guest_write_cr0(v, val);
	case 4:
		return guest_write_cr4(v, val);
	case 8: /* CR8 is TPR[7:4] (SDM Vol 3A 11.8.6.1) */
		if (val & ~0xfULL)
			return false;
		vlapic_write(&v->vm->lapic, LAPIC_TPR, (u32)val << 4);
		return true;
	default:
		return false;
	}
}

void handle_cr_access(struct vcpu *v)
{
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	unsigned cr = CR_QUAL_NUM(q), gpr = CR_QUAL_GPR(q);
	bool ok = true;

	switch (CR_QUAL_TYPE(q)) {
	case CR_QUAL_TYPE_MOV_TO:
		ok = mov_to_cr(v, cr, read_gpr(v, gpr));
		break;
	case CR_QUAL_TYPE_MOV_FROM: /* only CR8 reads exit here */
		write_gpr(v, gpr, vlapic_read(&v->vm->lapic, LAPIC_TPR) >> 4);
		break;
	case CR_QUAL_TYPE_CLTS:
		ok = guest_write_cr0(v, vcpu_read_cr0(v) & ~CR0_TS);
		break;
	default: /* LMSW: loads CR0[3:0], cannot clear PE (SDM Vol 2A) */
		ok = guest_write_cr0(v, (vcpu_read_cr0(v) & ~0xeULL) |
					    (CR_QUAL_LMSW_SRC(q) & 0xf));
		break;
	}
	if (!ok) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return;
	}
	vcpu_skip_insn(v);
}

/* XSETBV (SDM Vol 2C): CPL 0, XCR0 only, a value xcr0_valid() accepts for
 * the host CPU's components (CPUID.(EAX=0DH,ECX=0):EDX:EAX, which the guest
 * sees unchanged); anything else is #GP(0) in the guest. */
void handle_xsetbv(struct vcpu *v)
{
	u32 idx = (u32)v->gpr[GPR_RCX];
	u64 val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];
	struct cpuid_regs r = cpuid_count(0xd, 0);
	u64 supported = ((u64)r.edx << 32) | r.eax;

	if (!(vcpu_read_cr4(v) & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
		return;
	}
	if (vcpu_cpl(v) || idx != 0 || !xcr0_valid(val, supported)) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return;
	}
	__asm__ volatile("xsetbv"
			 :
			 : "c"(idx), "a"((u32)val), "d"((u32)(val >> 32)));
	vcpu_skip_insn(v);
}
