/* SPDX-License-Identifier: MIT */
/*
 * What VM entry would refuse in the state mica leaves after an exit: the
 * event-injection checks (SDM Vol 3C "Checks on VM-Entry Control Fields",
 * event injection) and the guest-state checks mica's handlers can break
 * (SDM Vol 3C "Checks on the Guest State Area": control registers and
 * EFER, RIP and RFLAGS, non-register state, PDPTEs). The CPU here has
 * IA32_VMX_BASIC[56] = 0 and IA32_VMX_MISC[30] = 0, so the strict forms
 * apply. Each function names the first broken rule, or returns NULL.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "test/hostvm/hostvm.h"

#define RFLAGS_IF	BIT(9)
#define RFLAGS_VM	BIT(17)
#define RFLAGS_RESERVED (GENMASK(63, 22) | BIT(15) | BIT(5) | BIT(3))
#define EFER_RESERVED	(~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
#define PDPTE_RESERVED                                                         \
	(GENMASK(63, HOSTVM_MAXPHYADDR) | GENMASK(8, 5) | GENMASK(2, 1))

bool hostvm_exc_has_error(unsigned vector)
{
	/* #DF #TS #NP #SS #GP #PF #AC #CP */
	return vector < 32 && ((0x00227d00u >> vector) & 1);
}

static u64 get(u32 f)
{
	return hostvm_vmcs_get(f);
}

static bool ia32e(void)
{
	return get(VMCS_ENTRY_CTLS) & VMX_ENTRY_IA32E_GUEST;
}

static const char *check_event_fields(u32 info)
{
	unsigned type = (info >> INTR_INFO_TYPE_SHIFT) & 7;
	unsigned vec = info & INTR_INFO_VECTOR_MASK;
	bool err = info & INTR_INFO_DELIVER_ERROR;
	bool pe = get(VMCS_GUEST_CR0) & CR0_PE;
	u32 len = (u32)get(VMCS_ENTRY_INSN_LEN);

	if (info & GENMASK(30, 12))
		return "entry interruption info: reserved bits 30:12 set";
	if (type == 1 || (type == 7 && vec != 0))
		return "entry interruption info: reserved type";
	if (type == INTR_TYPE_NMI && vec != 2)
		return "entry interruption info: NMI with vector other than 2";
	if (type == INTR_TYPE_HW_EXCEPTION && vec > 31)
		return "entry interruption info: hardware exception vector > "
		       "31";
	if (err !=
	    (type == INTR_TYPE_HW_EXCEPTION && pe && hostvm_exc_has_error(vec)))
		return err ? "entry interruption info: error code delivered "
			     "for an event that has none (or CR0.PE = 0)"
			   : "entry interruption info: error code missing";
	if (err && (get(VMCS_ENTRY_EXCEPTION_ERROR) & GENMASK(31, 16)))
		return "entry exception error code: bits 31:16 set";
	if (type >= INTR_TYPE_SW_INTR && type <= INTR_TYPE_SW_EXCEPTION &&
	    (len < 1 || len > 15))
		return "entry instruction length not 1..15 for a software "
		       "event";
	return NULL;
}

/* "Checks on Guest Non-Register State" that involve the event. */
static const char *check_event_state(u32 info)
{
	unsigned type = (info >> INTR_INFO_TYPE_SHIFT) & 7;
	unsigned vec = info & INTR_INFO_VECTOR_MASK;
	u32 intr = (u32)get(VMCS_GUEST_INTERRUPTIBILITY);
	u32 act = (u32)get(VMCS_GUEST_ACTIVITY_STATE);

	if (type == INTR_TYPE_EXT_INTR && (intr & 3))
		return "external interrupt injected under STI/MOV-SS blocking";
	if (type == INTR_TYPE_EXT_INTR && !(get(VMCS_GUEST_RFLAGS) & RFLAGS_IF))
		return "external interrupt injected with RFLAGS.IF = 0";
	if (type == INTR_TYPE_NMI && (intr & VMX_INTERRUPTIBILITY_MOV_SS))
		return "NMI injected under MOV-SS blocking";
	if (act == VMX_ACTIVITY_HLT &&
	    !(type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI ||
	      (type == INTR_TYPE_HW_EXCEPTION && (vec == 1 || vec == 18)) ||
	      (type == 7 && vec == 0)))
		return "event injected that HLT activity state does not allow";
	if (act == VMX_ACTIVITY_SHUTDOWN &&
	    !(type == INTR_TYPE_NMI ||
	      (type == INTR_TYPE_HW_EXCEPTION && vec == 18)))
		return "event injected in shutdown activity state";
	if (act > VMX_ACTIVITY_SHUTDOWN)
		return "event injected in wait-for-SIPI state";
	return NULL;
}

const char *hostvm_entry_event_check(void)
{
	u32 info = (u32)get(VMCS_ENTRY_INTR_INFO);
	const char *why;

	if (!(info & INTR_INFO_VALID))
		return NULL;
	why = check_event_fields(info);
	return why ? why : check_event_state(info);
}

static const char *check_crs(void)
{
	const struct vmx_caps *c = vmx_caps();
	u64 cr0 = get(VMCS_GUEST_CR0), cr4 = get(VMCS_GUEST_CR4);
	u64 efer = get(VMCS_GUEST_EFER), fixed0 = c->cr0_fixed0;

	if (get(VMCS_PROC_CTLS2) & VMX_PROC2_UNRESTRICTED)
		fixed0 &= ~(CR0_PE | CR0_PG);
	if ((cr0 & fixed0) != fixed0 || (cr0 & ~c->cr0_fixed1))
		return "guest CR0 outside IA32_VMX_CR0_FIXED0/1";
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		return "guest CR0.PG = 1 with CR0.PE = 0";
	if ((cr4 & c->cr4_fixed0) != c->cr4_fixed0 || (cr4 & ~c->cr4_fixed1))
		return "guest CR4 outside IA32_VMX_CR4_FIXED0/1";
	if (ia32e() && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
		return "IA-32e mode guest without CR0.PG and CR4.PAE";
	if (!ia32e() && (cr4 & CR4_PCIDE))
		return "CR4.PCIDE = 1 outside IA-32e mode";
	if (!(get(VMCS_ENTRY_CTLS) & VMX_ENTRY_LOAD_EFER))
		return NULL;
	if (efer & EFER_RESERVED)
		return "guest IA32_EFER reserved bits set";
	if (!!(efer & EFER_LMA) != ia32e())
		return "guest IA32_EFER.LMA differs from IA-32e mode guest";
	if ((cr0 & CR0_PG) && !!(efer & EFER_LMA) != !!(efer & EFER_LME))
		return "guest IA32_EFER.LME differs from LMA with CR0.PG = 1";
	return NULL;
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

static const char *check_rip_rflags(void)
{
	u64 rip = get(VMCS_GUEST_RIP), rflags = get(VMCS_GUEST_RFLAGS);
	bool cs_l = get(VMCS_GUEST_CS_AR) & VMX_AR_L;

	if ((!ia32e() || !cs_l) && (rip >> 32))
		return "guest RIP bits 63:32 set outside 64-bit mode";
	if (ia32e() && cs_l && !canonical(rip))
		return "guest RIP not canonical in 64-bit mode";
	if (!(rflags & BIT(1)) || (rflags & RFLAGS_RESERVED))
		return "guest RFLAGS reserved bits wrong";
	if ((rflags & RFLAGS_VM) &&
	    (ia32e() || !(get(VMCS_GUEST_CR0) & CR0_PE)))
		return "guest RFLAGS.VM in IA-32e mode or with CR0.PE = 0";
	return NULL;
}

static const char *check_non_register(void)
{
	u32 intr = (u32)get(VMCS_GUEST_INTERRUPTIBILITY);
	u32 act = (u32)get(VMCS_GUEST_ACTIVITY_STATE);
	unsigned ss_dpl = (get(VMCS_GUEST_SS_AR) >> VMX_AR_DPL_SHIFT) & 3;

	if (intr & GENMASK(31, 5))
		return "guest interruptibility reserved bits set";
	if ((intr & 3) == 3)
		return "guest blocked by both STI and MOV SS";
	if ((intr & VMX_INTERRUPTIBILITY_STI) &&
	    !(get(VMCS_GUEST_RFLAGS) & BIT(9)))
		return "guest blocked by STI with RFLAGS.IF = 0";
	if (act > 3)
		return "guest activity state invalid";
	if (act == VMX_ACTIVITY_HLT && ss_dpl != 0)
		return "guest in HLT state with SS.DPL != 0";
	return NULL;
}

static const char *check_pdptes(void)
{
	u64 cr0 = get(VMCS_GUEST_CR0), cr4 = get(VMCS_GUEST_CR4);

	if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE) || ia32e())
		return NULL;
	for (unsigned i = 0; i < 4; i++) {
		u64 e = get(VMCS_GUEST_PDPTE0 + 2 * i);

		if ((e & 1) && (e & PDPTE_RESERVED))
			return "guest PDPTE has reserved bits set";
	}
	return NULL;
}

const char *hostvm_entry_state_check(void)
{
	const char *why = check_crs();

	if (!why)
		why = check_rip_rflags();
	if (!why)
		why = check_non_register();
	if (!why)
		why = check_pdptes();
	return why;
}
