/* SPDX-License-Identifier: MIT */
/*
 * Guest state a guest can reach between exits, written straight into the
 * VMCS guest area as the CPU would save it at the next exit: operating
 * mode, the control-register bits it owns (host-owned ones keep their
 * fixed values and show the guest's view through the read shadows, as
 * mica's own CR emulation leaves them), CPL, segment attributes, RIP,
 * RFLAGS, interruptibility. Every state written here passes the VM-entry
 * guest-state checks of SDM Vol 3C "Checks on the Guest State Area" that
 * test/hostvm/entry_rules.c applies.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "test/hostvm/exit_model.h"
#include "test/hostvm/hostvm.h"

#define RFLAGS_IF      BIT(9)
#define RFLAGS_VALID   0x3f7fd5ULL /* flags software can set */
#define RFLAGS_VM      BIT(17)
#define AR_TYPE_CODE   0xb
#define AR_TYPE_CODE_C 0xf /* conforming */
#define AR_TYPE_DATA   0x3
#define AR_SEG	       (VMX_AR_S | VMX_AR_P)
#define PDPTE_RESERVED                                                         \
	(GENMASK(63, HOSTVM_MAXPHYADDR) | GENMASK(8, 5) | GENMASK(2, 1))

static u64 g(u32 f)
{
	return hostvm_vmcs_get(f);
}

static void s(u32 f, u64 v)
{
	hostvm_vmcs_put(f, v);
}

bool hostvm_guest_64(void)
{
	return (g(VMCS_GUEST_EFER) & EFER_LMA) &&
	       (g(VMCS_GUEST_CS_AR) & VMX_AR_L);
}

unsigned hostvm_guest_cpl(void)
{
	return (g(VMCS_GUEST_SS_AR) >> VMX_AR_DPL_SHIFT) & 3;
}

static bool unrestricted(void)
{
	return (g(VMCS_PROC_CTLS) & VMX_PROC_SECONDARY) &&
	       (g(VMCS_PROC_CTLS2) & VMX_PROC2_UNRESTRICTED);
}

/* CR0 as the guest sees it (flags: the bits the guest chose). */
static u64 cr0_view(enum hostvm_mode m, u32 f)
{
	u64 v = CR0_ET;

	if (m != HOSTVM_MODE_REAL)
		v |= CR0_PE;
	if (m >= HOSTVM_MODE_PAGED32)
		v |= CR0_PG;
	v |= (f & BIT(3) ? CR0_WP : 0) | (f & BIT(4) ? CR0_AM : 0) |
	     (f & BIT(5) ? CR0_TS : 0) | (f & BIT(6) ? CR0_MP : 0) |
	     (f & BIT(7) ? CR0_EM : 0) | (f & BIT(10) ? 0 : CR0_NE);
	if (f & BIT(8)) /* CD, optionally with NW */
		v |= CR0_CD | (f & BIT(9) ? CR0_NW : 0);
	return v;
}

static u64 cr4_view(enum hostvm_mode m, u32 f)
{
	static const u64 bit_of[] = {CR4_PSE,
				     CR4_PGE,
				     CR4_PCIDE,
				     CR4_OSXSAVE,
				     CR4_SMEP,
				     CR4_SMAP,
				     CR4_PKE,
				     CR4_OSFXSR,
				     BIT(11) /* UMIP */,
				     BIT(16) /* FSGSBASE */,
				     CR4_VME,
				     BIT(2)};
	bool lma = m >= HOSTVM_MODE_COMPAT;
	u64 v = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(bit_of); i++)
		if (f & BIT(11 + i))
			v |= bit_of[i];
	if (lma || (m == HOSTVM_MODE_PAGED32 && (f & BIT(2))))
		v |= CR4_PAE;
	if (!lma)
		v &= ~CR4_PCIDE;
	return v & vmx_caps()->cr4_fixed1 & ~CR4_VMXE;
}

static void write_crs(u64 cr0, u64 cr4)
{
	const struct vmx_caps *c = vmx_caps();
	u64 fixed0 = c->cr0_fixed0;

	if (unrestricted())
		fixed0 &= ~(CR0_PE | CR0_PG);
	s(VMCS_CR0_SHADOW, cr0);
	s(VMCS_GUEST_CR0, (cr0 | fixed0) & c->cr0_fixed1);
	s(VMCS_CR4_SHADOW, cr4);
	s(VMCS_GUEST_CR4, (cr4 | c->cr4_fixed0) & c->cr4_fixed1);
}

static void write_efer(enum hostvm_mode m, u32 f)
{
	u64 efer = (f & BIT(24) ? EFER_NXE : 0) | (f & BIT(25) ? EFER_SCE : 0);
	u32 entry = (u32)g(VMCS_ENTRY_CTLS) & ~VMX_ENTRY_IA32E_GUEST;

	if (m >= HOSTVM_MODE_COMPAT) {
		efer |= EFER_LME | EFER_LMA;
		entry |= VMX_ENTRY_IA32E_GUEST;
	} else if (m < HOSTVM_MODE_PAGED32 && (f & BIT(29))) {
		efer |= EFER_LME; /* enabled, not active: paging is off */
	}
	s(VMCS_GUEST_EFER, efer);
	s(VMCS_ENTRY_CTLS, entry);
}

static void write_code_stack(enum hostvm_mode m, u32 f, u64 raw)
{
	unsigned cpl = m == HOSTVM_MODE_REAL ? 0 : f & 3;
	bool conf = (f & BIT(26)) && m != HOSTVM_MODE_REAL;
	u32 dpl_cs = conf ? 0 : cpl;
	u32 cs = (conf ? AR_TYPE_CODE_C : AR_TYPE_CODE) | AR_SEG |
		 dpl_cs << VMX_AR_DPL_SHIFT;
	u32 ss = AR_TYPE_DATA | AR_SEG | cpl << VMX_AR_DPL_SHIFT;
	u16 cs_sel = (u16)((raw & 0xfff8) | cpl),
	    ss_sel = (u16)(((raw >> 16) & 0xfff8) | cpl);
	u32 limit = 0xffffffff;

	if (m == HOSTVM_MODE_LONG64)
		cs |= VMX_AR_L | VMX_AR_G;
	else if (m == HOSTVM_MODE_COMPAT)
		cs |= VMX_AR_G | (f & BIT(27) ? VMX_AR_DB : 0);
	else if (m == HOSTVM_MODE_PROT32 || m == HOSTVM_MODE_PAGED32)
		cs |= VMX_AR_G | VMX_AR_DB;
	if (m == HOSTVM_MODE_REAL || m == HOSTVM_MODE_PROT16) {
		cs &= ~(u32)(VMX_AR_G | VMX_AR_DB);
		limit = 0xffff;
		cs_sel = (u16)raw;
		ss_sel = (u16)(raw >> 16);
	} else {
		ss |= VMX_AR_DB | VMX_AR_G;
	}
	s(VMCS_GUEST_CS_SEL, cs_sel);
	s(VMCS_GUEST_CS_AR, cs);
	s(VMCS_GUEST_CS_LIMIT, limit);
	s(VMCS_GUEST_CS_BASE, m == HOSTVM_MODE_REAL ? (u64)cs_sel << 4 : 0);
	s(VMCS_GUEST_SS_SEL, ss_sel);
	s(VMCS_GUEST_SS_AR, ss);
	s(VMCS_GUEST_SS_LIMIT, limit);
	s(VMCS_GUEST_SS_BASE, m == HOSTVM_MODE_REAL ? (u64)ss_sel << 4 : 0);
}

void hostvm_guest_set_mode(enum hostvm_mode m, u32 f, u64 raw)
{
	if (m >= HOSTVM_MODE_COUNT)
		m = HOSTVM_MODE_LONG64;
	if (!unrestricted() && m < HOSTVM_MODE_PAGED32)
		m = HOSTVM_MODE_PAGED32; /* PE and PG are fixed to 1 */
	write_crs(cr0_view(m, f), cr4_view(m, f));
	write_efer(m, f);
	write_code_stack(m, f, raw);
	for (unsigned seg = 0; seg < 6; seg++)
		if (seg != 1 && seg != 2)
			hostvm_guest_set_data_seg(seg, 0, 0, 0xffffffff);
	hostvm_guest_set_rip(g(VMCS_GUEST_RIP));
	hostvm_guest_set_rflags(g(VMCS_GUEST_RFLAGS));
	if (m != HOSTVM_MODE_PAGED32 || !(f & BIT(2)))
		for (unsigned i = 0; i < 4; i++)
			s(VMCS_GUEST_PDPTE0 + 2 * i, 0);
}

void hostvm_guest_set_rip(u64 rip)
{
	u32 cs = (u32)g(VMCS_GUEST_CS_AR);

	if (hostvm_guest_64())
		rip = (u64)((s64)(rip << 16) >> 16);
	else if (!(cs & VMX_AR_DB))
		rip &= 0xffff;
	else
		rip &= 0xffffffff;
	s(VMCS_GUEST_RIP, rip);
}

void hostvm_guest_set_rflags(u64 rflags)
{
	rflags = (rflags & RFLAGS_VALID & ~RFLAGS_VM) | BIT(1);
	s(VMCS_GUEST_RFLAGS, rflags);
	if (!(rflags & RFLAGS_IF))
		s(VMCS_GUEST_INTERRUPTIBILITY,
		  g(VMCS_GUEST_INTERRUPTIBILITY) &
		      ~(u64)VMX_INTERRUPTIBILITY_STI);
}

void hostvm_guest_set_interruptibility(u32 bits)
{
	bits &= VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS | BIT(3);
	if ((bits & 3) == 3)
		bits &= ~VMX_INTERRUPTIBILITY_MOV_SS;
	if (!(g(VMCS_GUEST_RFLAGS) & RFLAGS_IF))
		bits &= ~VMX_INTERRUPTIBILITY_STI;
	s(VMCS_GUEST_INTERRUPTIBILITY, bits);
}

void hostvm_guest_set_cr3(u64 cr3, const u64 pdpte[4])
{
	bool pae32 =
	    (g(VMCS_GUEST_CR4) & CR4_PAE) && !(g(VMCS_GUEST_EFER) & EFER_LMA);

	s(VMCS_GUEST_CR3, cr3 & GENMASK(HOSTVM_MAXPHYADDR - 1, 0));
	for (unsigned i = 0; i < 4; i++) {
		u64 e = pae32 ? pdpte[i] : 0;

		if (e & 1)
			e &= ~PDPTE_RESERVED;
		s(VMCS_GUEST_PDPTE0 + 2 * i, e);
	}
}

/*
 * A data segment (ES, DS, FS, GS): flags bit 0 unusable, bits 2:1 type
 * (read/write, read-only, expand-down, readable code), bit 3 DPL 0
 * instead of 3. Limit and G agree, the accessed bit is set (VM entry
 * checks both).
 */
void hostvm_guest_set_data_seg(unsigned seg, u32 flags, u64 base, u32 limit)
{
	static const u8 types[4] = {0x3, 0x1, 0x7, 0xb};
	u32 ar = types[(flags >> 1) & 3] | AR_SEG |
		 (flags & BIT(3) ? 0 : 3u << VMX_AR_DPL_SHIFT);
	u32 d = 2 * seg;

	if (seg == 1 || seg == 2 || seg > 5)
		return;
	if ((limit & 0xfff) != 0xfff)
		limit &= 0xfffff;
	else if (limit > 0xfffff)
		ar |= VMX_AR_G;
	if (g(VMCS_GUEST_CS_AR) & VMX_AR_DB)
		ar |= VMX_AR_DB;
	if (flags & 1)
		ar = VMX_AR_UNUSABLE;
	if (!hostvm_guest_64() || seg < 4)
		base &= 0xffffffff;
	else
		base = (u64)((s64)(base << 16) >> 16);
	if (!(g(VMCS_GUEST_CR0) & CR0_PE)) /* real mode: base = sel << 4 */
		base &= 0xffff0;
	s(VMCS_GUEST_ES_SEL + d, (base >> 4) & 0xffff);
	s(VMCS_GUEST_ES_BASE + d, base);
	s(VMCS_GUEST_ES_LIMIT + d, limit);
	s(VMCS_GUEST_ES_AR + d, ar);
}
