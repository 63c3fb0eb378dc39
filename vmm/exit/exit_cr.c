/* SPDX-License-Identifier: MIT */
/*
 * Control-register exits. CR0/CR4 bits that VMX fixes are host-owned
 * (guest/host masks with read shadows): a guest write that changes one of
 * them exits here, and mica applies the rest of the write as the CPU would,
 * including the switch into and out of IA-32e mode when CR0.PG changes with
 * EFER.LME set (SDM Vol 3A 10.8.5 "Initializing IA-32e Mode"). Without
 * unrestricted guest a guest with CR0.PG = 0 runs on mica's identity page
 * table, its CR3 virtualized (cr_sync_paging). CR8 is kept per vCPU (no
 * TPR shadow). XSETBV is checked and executed for the guest.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/exit/exit.h"
#include "vmm/access/guest_access.h"
#include "vmm/gwalk/gwalk.h"
#include "vmm/vm.h"
#include "vmm/cpu/xcr0.h"

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

/* CR4 bits that differ from the guest's while it runs on the identity
 * table: 32-bit paging with 4-MByte pages, no SMEP/SMAP/protection keys
 * (which would apply to its U/S = 1 pages). The guest reads them from the
 * CR4 read shadow (setup_cr_masks makes them host-owned). */
#define CR4_IDMAP_OWNED (CR4_PSE | CR4_PAE | CR4_SMEP | CR4_SMAP | CR4_PKE)
/* CR4 bits a change of which invalidates the TLBs (SDM Vol 3A 4.10.4.1) */
#define CR4_TLB_BITS (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP | CR4_LA57)

/* What a MOV that switched paging would have flushed (SDM Vol 3A
 * 4.10.4.1): every translation of the guest's VPID. */
static void flush_guest_tlb(struct vcpu *v)
{
	u64 type = (vmx_caps()->ept_vpid & VMX_VPID_INVVPID_SINGLE)
		       ? INVVPID_SINGLE_CONTEXT
		       : INVVPID_ALL_CONTEXT;

	if (invvpid(type, v->vpid, 0))
		vm_stop(v->vm, "INVVPID failed");
}

u64 cr4_idmap_owned(void)
{
	return vmx_has_unrestricted_guest() ? 0 : CR4_IDMAP_OWNED;
}

/*
 * Without unrestricted guest VMX requires CR0.PE = CR0.PG = 1 (SDM Vol 3C
 * 26.3.1.1, IA32_VMX_CR0_FIXED0). A guest whose own CR0.PG is 0 then runs
 * as KVM runs it: CR3 is mica's identity page table (VM_IDMAP_GPA),
 * CR4.PSE is 1 and CR4_IDMAP_OWNED's other bits 0; the guest's own CR3 is
 * kept in v->cr3 behind CR3-load and CR3-store exiting. The "load
 * IA32_EFER" entry control is off meanwhile, so that an EFER.LME the guest
 * set before paging does not meet CR0.PG = 1 at VM entry (SDM Vol 3C
 * 26.3.1.1): entry then sets LME = LMA = 0 and keeps the host's NXE and
 * SCE, which 32-bit paging and legacy mode ignore. The guest's EFER stays
 * in the VMCS field (the "save IA32_EFER" exit control is off too).
 * old_cr4: the CPU's CR4 before the guest's MOV, for the TLB flush.
 */
static void sync_paging(struct vcpu *v, u64 old_cr4)
{
	const struct vmx_caps *c = vmx_caps();
	const u32 cr3_exits = VMX_PROC_CR3_LOAD_EXIT | VMX_PROC_CR3_STORE_EXIT;
	bool idmap =
	    !vmx_has_unrestricted_guest() && !(vcpu_read_cr0(v) & CR0_PG);
	u32 proc = vmcs_read32(VMCS_PROC_CTLS);
	u32 entry = vmcs_read32(VMCS_ENTRY_CTLS);
	u64 cr4 = (vcpu_read_cr4(v) | c->cr4_fixed0) & c->cr4_fixed1;

	if (idmap) {
		cr4 = (cr4 & ~CR4_IDMAP_OWNED) | CR4_PSE;
		proc |= cr3_exits;
		entry &= ~VMX_ENTRY_LOAD_EFER | c->entry.must1;
	} else {
		proc = (proc & ~cr3_exits) | (c->proc.must1 & cr3_exits);
		entry |= VMX_ENTRY_LOAD_EFER & c->entry.may1;
	}
	vmcs_write32(VMCS_PROC_CTLS, proc);
	vmcs_write32(VMCS_ENTRY_CTLS, entry);
	vmcs_writel(VMCS_GUEST_CR4, cr4);
	if (idmap != v->cr_idmap) {
		if (idmap)
			v->cr3 = vmcs_readl(VMCS_GUEST_CR3);
		vmcs_writel(VMCS_GUEST_CR3, idmap ? VM_IDMAP_GPA : v->cr3);
		v->cr_idmap = idmap;
	} else if (!((cr4 ^ old_cr4) & CR4_TLB_BITS)) {
		return;
	}
	flush_guest_tlb(v);
}

void cr_sync_paging(struct vcpu *v)
{
	sync_paging(v, vmcs_readl(VMCS_GUEST_CR4));
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
	/* Real mode cannot run in VMX non-root without unrestricted guest;
	 * mica does not emulate it. */
	if (!(val & CR0_PE) && !vmx_has_unrestricted_guest()) {
		vm_stop(v->vm,
			"CR0.PE cleared at RIP 0x%lx: real mode needs "
			"unrestricted guest, which this CPU lacks",
			v->rip);
		return true;
	}
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
		   !load_pdptes(v, vcpu_read_cr3(v))) {
		return false;
	}
	vmcs_writel(VMCS_CR0_SHADOW, val);
	vmcs_writel(VMCS_GUEST_CR0,
		    (val | effective_cr0_fixed0()) & vmx_caps()->cr0_fixed1);
	cr_sync_paging(v);
	return true;
}

bool vcpu_write_cr0(struct vcpu *v, u64 val)
{
	return guest_write_cr0(v, val);
}

/*
 * MOV to CR3, which exits while the guest runs on the identity table (its
 * CR0.PG is 0, so it is not in IA-32e mode and the operand is 32 bits:
 * only kept), or where the CPU cannot clear CR3-load exiting: then loaded
 * as the CPU would, bits 63:MAXPHYADDR reserved in IA-32e mode (bit 63
 * with CR4.PCIDE: no flush, not stored), PDPTEs loaded for PAE paging (SDM
 * Vol 2B "MOV-Move to/from Control Registers", Vol 3A 4.4.1).
 */
static bool guest_write_cr3(struct vcpu *v, u64 val)
{
	u64 rflags, cr4 = vcpu_read_cr4(v);
	unsigned maxpa = guest_paging_ctx(v, &rflags)->maxphyaddr;
	bool lma = vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA;
	bool noflush = lma && (cr4 & CR4_PCIDE) && (val & BIT(63));

	if (v->cr_idmap) {
		v->cr3 = (u32)val;
		return true;
	}
	if (!lma)
		val = (u32)val;
	else if ((val & ~BIT(63)) >> maxpa)
		return false;
	val &= ~BIT(63);
	if (!lma && (cr4 & CR4_PAE) && !load_pdptes(v, val))
		return false;
	vmcs_writel(VMCS_GUEST_CR3, val);
	if (!noflush)
		flush_guest_tlb(v);
	return true;
}

static bool guest_write_cr4(struct vcpu *v, u64 val)
{
	const struct vmx_caps *c = vmx_caps();
	u64 cr0 = vcpu_read_cr0(v);
	bool lma = vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA;

	/* A bit of a feature CPUID does not advertise is reserved (#GP),
	 * as is one VMX does not allow in VMX operation. */
	if (val & ~(v->vm->cpu.cr4 & c->cr4_fixed1))
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
	u64 old_cr4 = vmcs_readl(VMCS_GUEST_CR4);

	switch (cr) {
	case 0:
		return guest_write_cr0(v, val);
	case 3:
		return guest_write_cr3(v, val);
	case 4:
		if (!guest_write_cr4(v, val))
			return false;
		sync_paging(v, old_cr4);
		return true;
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
	case CR_QUAL_TYPE_MOV_FROM: /* CR8, and CR3 under CR3-store exiting */
		write_gpr(v, gpr,
			  cr == 3 ? vcpu_read_cr3(v)
				  : vlapic_read(&v->vm->lapic, LAPIC_TPR) >> 4);
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
 * the components the guest's CPUID advertises (leaf 0xD EDX:EAX, the
 * model's xcr0); anything else is #GP(0) in the guest. */
void handle_xsetbv(struct vcpu *v)
{
	u32 idx = (u32)v->gpr[GPR_RCX];
	u64 val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];
	u64 supported = v->vm->cpu.xcr0;

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
