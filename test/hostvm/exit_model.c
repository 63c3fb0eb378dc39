/* SPDX-License-Identifier: MIT */
/*
 * What the CPU stores in the VMCS at a VM exit (SDM Vol 3C "VM Exits",
 * "Basic VM-Exit Information", "Information for VM Exits Due to Vectored
 * Events", "Information for VM Exits Occurring During Event Delivery",
 * "Information for VM Exits Due to Instruction Execution"), for the exits
 * a guest can cause under the controls mica set. Fields a reason leaves
 * undefined keep their raw values; the exit qualification is cleared for
 * reasons that do not define it, as the SDM says.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/dev/vlapic.h"
#include "ept/ept_format.h"
#include "vmm/load/guest_layout.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "test/hostvm/exit_model.h"
#include "test/hostvm/hostvm.h"

#define RFLAGS_IF  BIT(9)
#define RFLAGS_VM  BIT(17)
#define ENTRY_FAIL VMX_EXIT_REASON_ENTRY_FAIL

/* The controls and guest facts that decide which exits can happen. */
struct now {
	u32 pin, proc, proc2, exc_bitmap;
	unsigned cpl;
	bool pe, vm86, lma, l, osxsave;
	u64 cr0_mask, cr0_shadow;
};

static u64 g(u32 f)
{
	return hostvm_vmcs_get(f);
}

static void s(u32 f, u64 v)
{
	hostvm_vmcs_put(f, v);
}

static void now_read(struct now *n)
{
	u64 cr4_mask = g(VMCS_CR4_MASK);
	u64 cr4 =
	    (g(VMCS_GUEST_CR4) & ~cr4_mask) | (g(VMCS_CR4_SHADOW) & cr4_mask);

	n->pin = (u32)g(VMCS_PIN_CTLS);
	n->proc = (u32)g(VMCS_PROC_CTLS);
	n->proc2 = n->proc & VMX_PROC_SECONDARY ? (u32)g(VMCS_PROC_CTLS2) : 0;
	n->exc_bitmap = (u32)g(VMCS_EXCEPTION_BITMAP);
	n->cpl = (g(VMCS_GUEST_SS_AR) >> VMX_AR_DPL_SHIFT) & 3;
	n->pe = g(VMCS_GUEST_CR0) & CR0_PE;
	n->vm86 = g(VMCS_GUEST_RFLAGS) & RFLAGS_VM;
	n->lma = g(VMCS_GUEST_EFER) & EFER_LMA;
	n->l = g(VMCS_GUEST_CS_AR) & VMX_AR_L;
	n->osxsave = cr4 & CR4_OSXSAVE;
	n->cr0_mask = g(VMCS_CR0_MASK);
	n->cr0_shadow = g(VMCS_CR0_SHADOW);
}

/* ---- control-register accesses ---------------------------------------- */

enum cr_form {
	CR_TO0,
	CR_TO4,
	CR_TO3,
	CR_FROM3,
	CR_TO8,
	CR_FROM8,
	CR_CLTS,
	CR_LMSW,
	CR_FORMS,
};

/* The forms that exit under the current controls and masks (SDM Vol 3C
 * "Instructions That Cause VM Exits Conditionally"). */
static u32 cr_forms(const struct now *n)
{
	u32 f = BIT(CR_TO0) | BIT(CR_TO4);
	bool b64 = n->lma && n->l; /* CR8 exists in 64-bit mode only */

	if (n->proc & VMX_PROC_CR3_LOAD_EXIT)
		f |= BIT(CR_TO3);
	if (n->proc & VMX_PROC_CR3_STORE_EXIT)
		f |= BIT(CR_FROM3);
	if (b64 && (n->proc & VMX_PROC_CR8_LOAD_EXIT))
		f |= BIT(CR_TO8);
	if (b64 && (n->proc & VMX_PROC_CR8_STORE_EXIT))
		f |= BIT(CR_FROM8);
	if ((n->cr0_mask & CR0_TS) && (n->cr0_shadow & CR0_TS))
		f |= BIT(CR_CLTS);
	if (n->cr0_mask & 0xf)
		f |= BIT(CR_LMSW);
	return f;
}

/* The n-th set bit of mask (n taken modulo their number); mask != 0. */
static unsigned nth_bit(u64 mask, unsigned n)
{
	n %= (unsigned)__builtin_popcountll(mask);
	while (n--)
		mask &= mask - 1;
	return (unsigned)__builtin_ctzll(mask);
}

static u64 cr_qual(const struct now *n, const struct hostvm_exit_raw *r)
{
	static const u8 num[CR_FORMS] = {0, 4, 3, 3, 8, 8, 0, 0};
	static const u8 type[CR_FORMS] = {0, 0, 0, 1, 0, 1, 2, 3};
	unsigned f = nth_bit(cr_forms(n), r->pick);
	u64 q = num[f] | (u64)type[f] << 4;

	if (type[f] <= 1)
		return q | (r->qual & 0xf00); /* the GPR */
	if (type[f] == 3) /* LMSW: operand type and source data */
		return q | (r->qual & BIT(6)) | (r->qual & 0xffff0000ULL);
	return q;
}

/* ---- which exits are possible ----------------------------------------- */

static bool vmx_insn_exits(const struct now *n)
{
	/* #UD has priority: real mode, virtual-8086, compatibility mode. */
	return n->pe && !n->vm86 && !(n->lma && !n->l);
}

static bool possible(const struct now *n, u32 r)
{
	switch (r) {
	case VMX_EXIT_EXCEPTION_NMI:
		return (n->pin & VMX_PIN_NMI_EXIT) || n->exc_bitmap;
	case VMX_EXIT_EXTERNAL_INTR:
		return n->pin & VMX_PIN_EXT_INTR_EXIT;
	case VMX_EXIT_INTR_WINDOW:
		return n->proc & VMX_PROC_INTR_WINDOW;
	case VMX_EXIT_TASK_SWITCH:
		return n->pe && !n->lma;
	case VMX_EXIT_HLT:
		return (n->proc & VMX_PROC_HLT_EXIT) && !n->cpl;
	case VMX_EXIT_INVD:
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		return !n->cpl;
	case VMX_EXIT_VMCLEAR:
	case VMX_EXIT_VMLAUNCH:
	case VMX_EXIT_VMPTRLD:
	case VMX_EXIT_VMPTRST:
	case VMX_EXIT_VMREAD:
	case VMX_EXIT_VMRESUME:
	case VMX_EXIT_VMWRITE:
	case VMX_EXIT_VMXOFF:
	case VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
		return vmx_insn_exits(n);
	case VMX_EXIT_CR_ACCESS:
		return !n->cpl;
	case VMX_EXIT_IO:
		return n->proc &
		       (VMX_PROC_UNCOND_IO_EXIT | VMX_PROC_IO_BITMAPS);
	case VMX_EXIT_EPT_VIOLATION:
	case VMX_EXIT_EPT_MISCONFIG:
		return n->proc2 & VMX_PROC2_EPT;
	case VMX_EXIT_PREEMPTION_TIMER:
		return n->pin & VMX_PIN_PREEMPT_TIMER;
	case VMX_EXIT_WBINVD:
		return (n->proc2 & VMX_PROC2_WBINVD_EXIT) && !n->cpl;
	case VMX_EXIT_XSETBV: /* #UD without CR4.OSXSAVE, #GP at CPL > 0 */
		return n->osxsave && !n->cpl;
	case VMX_EXIT_SPP:
		return n->proc2 & VMX_PROC2_SPP;
	case VMX_EXIT_TRIPLE_FAULT:
	case VMX_EXIT_INIT:
	case VMX_EXIT_CPUID:
	case VMX_EXIT_VMCALL:
	case VMX_EXIT_ENTRY_INVALID_GUEST | ENTRY_FAIL:
	case VMX_EXIT_ENTRY_MSR_LOAD | ENTRY_FAIL:
	case VMX_EXIT_ENTRY_MACHINE_CHECK | ENTRY_FAIL:
		return true;
	default:
		return false;
	}
}

static const u32 candidates[] = {
    VMX_EXIT_EXCEPTION_NMI,
    VMX_EXIT_EXTERNAL_INTR,
    VMX_EXIT_TRIPLE_FAULT,
    VMX_EXIT_INIT,
    VMX_EXIT_INTR_WINDOW,
    VMX_EXIT_TASK_SWITCH,
    VMX_EXIT_CPUID,
    VMX_EXIT_HLT,
    VMX_EXIT_INVD,
    VMX_EXIT_VMCALL,
    VMX_EXIT_VMCLEAR,
    VMX_EXIT_VMLAUNCH,
    VMX_EXIT_VMPTRLD,
    VMX_EXIT_VMPTRST,
    VMX_EXIT_VMREAD,
    VMX_EXIT_VMRESUME,
    VMX_EXIT_VMWRITE,
    VMX_EXIT_VMXOFF,
    VMX_EXIT_VMXON,
    VMX_EXIT_CR_ACCESS,
    VMX_EXIT_IO,
    VMX_EXIT_RDMSR,
    VMX_EXIT_WRMSR,
    VMX_EXIT_ENTRY_INVALID_GUEST | ENTRY_FAIL,
    VMX_EXIT_ENTRY_MSR_LOAD | ENTRY_FAIL,
    VMX_EXIT_ENTRY_MACHINE_CHECK | ENTRY_FAIL,
    VMX_EXIT_EPT_VIOLATION,
    VMX_EXIT_EPT_MISCONFIG,
    VMX_EXIT_INVEPT,
    VMX_EXIT_PREEMPTION_TIMER,
    VMX_EXIT_INVVPID,
    VMX_EXIT_WBINVD,
    VMX_EXIT_XSETBV,
    VMX_EXIT_SPP,
};

unsigned hostvm_exit_possible(u32 *reasons, unsigned max)
{
	struct now n;
	unsigned k = 0;

	now_read(&n);
	for (unsigned i = 0; i < ARRAY_SIZE(candidates) && k < max; i++)
		if (possible(&n, candidates[i]))
			reasons[k++] = candidates[i];
	return k;
}

enum hostvm_exit_class hostvm_exit_class(u32 reason)
{
	switch (reason) {
	case VMX_EXIT_EXCEPTION_NMI: /* forced emulation */
	case VMX_EXIT_EPT_VIOLATION:
	case VMX_EXIT_EPT_MISCONFIG:
		return HOSTVM_EXIT_EMUL;
	case VMX_EXIT_CPUID:
	case VMX_EXIT_GETSEC:
	case VMX_EXIT_HLT:
	case VMX_EXIT_INVD:
	case VMX_EXIT_INVLPG:
	case VMX_EXIT_RDPMC:
	case VMX_EXIT_RDTSC:
	case VMX_EXIT_VMCALL:
	case VMX_EXIT_VMCLEAR:
	case VMX_EXIT_VMLAUNCH:
	case VMX_EXIT_VMPTRLD:
	case VMX_EXIT_VMPTRST:
	case VMX_EXIT_VMREAD:
	case VMX_EXIT_VMRESUME:
	case VMX_EXIT_VMWRITE:
	case VMX_EXIT_VMXOFF:
	case VMX_EXIT_VMXON:
	case VMX_EXIT_CR_ACCESS:
	case VMX_EXIT_DR_ACCESS:
	case VMX_EXIT_IO:
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
	case VMX_EXIT_MWAIT:
	case VMX_EXIT_MONITOR:
	case VMX_EXIT_PAUSE:
	case VMX_EXIT_GDTR_IDTR:
	case VMX_EXIT_LDTR_TR:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_RDTSCP:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_WBINVD:
	case VMX_EXIT_XSETBV:
	case VMX_EXIT_RDRAND:
	case VMX_EXIT_INVPCID:
	case VMX_EXIT_VMFUNC:
	case VMX_EXIT_ENCLS:
	case VMX_EXIT_RDSEED:
	case VMX_EXIT_XSAVES:
	case VMX_EXIT_XRSTORS:
	case VMX_EXIT_PCONFIG:
	case VMX_EXIT_UMWAIT:
	case VMX_EXIT_TPAUSE:
	case VMX_EXIT_LOADIWKEY:
		return HOSTVM_EXIT_INSN;
	default:
		return HOSTVM_EXIT_OTHER;
	}
}

/* ---- the information fields ------------------------------------------- */

static u32 exc_info(unsigned vec, bool pe, u32 type)
{
	u32 info = vec | INTR_INFO_VALID | type << INTR_INFO_TYPE_SHIFT;

	if (type == INTR_TYPE_HW_EXCEPTION && pe && hostvm_exc_has_error(vec))
		info |= INTR_INFO_DELIVER_ERROR;
	return info;
}

/*
 * An event being delivered when the exit happened (IDT-vectoring info).
 * External interrupts and NMIs reach the guest's IDT only by injection
 * (both exit when they arrive): with raw bit 30 and an event injected by
 * the entry before, it is that event; else one the guest raised itself (an
 * exception, INT n, INT1, INT3/INTO).
 */
static u32 vectoring_info(const struct now *n, u32 raw, u32 injected)
{
	unsigned type = (raw >> INTR_INFO_TYPE_SHIFT) & 7, vec = raw & 0xff;

	if ((raw & BIT(30)) && (injected & INTR_INFO_VALID))
		return injected & ~GENMASK(30, 12);
	switch (type) {
	case INTR_TYPE_PRIV_SW_EXC:
		vec = 1;
		break;
	case INTR_TYPE_SW_EXCEPTION:
		vec = 3 + (vec & 1); /* INT3, INTO */
		break;
	case INTR_TYPE_SW_INTR:
		break;
	default:
		type = INTR_TYPE_HW_EXCEPTION;
		vec &= 31;
		if (vec == 2 || vec == 15 || vec > 21)
			vec = X86_EXC_GP; /* NMI, reserved: not raised */
		break;
	}
	return exc_info(vec, n->pe, type) | (raw & BIT(12));
}

static bool vectoring_allowed(u32 reason, u32 exit_intr)
{
	switch (reason) {
	case VMX_EXIT_EXCEPTION_NMI: /* an NMI may arrive during delivery */
		return ((exit_intr >> INTR_INFO_TYPE_SHIFT) & 7) ==
		       INTR_TYPE_NMI;
	case VMX_EXIT_EXTERNAL_INTR:
	case VMX_EXIT_TASK_SWITCH:
	case VMX_EXIT_EPT_VIOLATION:
	case VMX_EXIT_EPT_MISCONFIG:
	case VMX_EXIT_SPP:
		return true;
	default:
		return false;
	}
}

static u64 canon(u64 a)
{
	return (u64)((s64)(a << 16) >> 16);
}

/* The faulting linear address: raw, a register plus a displacement (the
 * memory operand of the instruction), or the instruction pointer. */
static u64 pick_gla(struct vcpu *v, u64 raw)
{
	switch (raw >> 62) {
	case 1:
		return v->gpr[(raw >> 56) & 15] + (u64)(s64)(s16)raw;
	case 2:
		return g(VMCS_GUEST_RIP) + (raw & 0xf);
	default:
		return canon(raw);
	}
}

/* The guest-physical address: raw (MAXPHYADDR bits), the linear address
 * under an identity map, a device of the VM, or RAM. */
static u64 pick_gpa(u64 raw, u64 gla, u64 mem_size)
{
	switch ((raw >> 60) & 7) {
	case 2:
		return gla & 0xffffffffULL;
	case 3:
		return GUEST_MMIO_UART + (raw & 0xfff);
	case 4:
		return GUEST_MMIO_IORAM + raw % GUEST_IORAM_SIZE;
	case 5:
		return LAPIC_BASE_DEFAULT + (raw & 0xfff);
	case 6:
		return GUEST_TESTMEM + raw % GUEST_TESTMEM_SIZE;
	case 7:
		return raw % mem_size;
	default:
		return raw & GENMASK(HOSTVM_MAXPHYADDR - 1, 0);
	}
}

static void emit_exception(const struct now *n, const struct hostvm_exit_raw *r)
{
	u32 info;
	unsigned vec;

	if (!n->exc_bitmap || ((r->pick & 1) && (n->pin & VMX_PIN_NMI_EXIT))) {
		s(VMCS_EXIT_INTR_INFO,
		  exc_info(2, n->pe, INTR_TYPE_NMI) | (r->intr_info & BIT(12)));
		s(VMCS_EXIT_QUALIFICATION, 0);
		return;
	}
	vec = nth_bit(n->exc_bitmap, r->pick >> 1);
	info = exc_info(vec, n->pe,
			(vec == 3 || vec == 4) ? INTR_TYPE_SW_EXCEPTION
					       : INTR_TYPE_HW_EXCEPTION);
	s(VMCS_EXIT_INTR_INFO, info | (r->intr_info & BIT(12)));
	s(VMCS_EXIT_INTR_ERROR, r->intr_err & 0xffff);
	s(VMCS_EXIT_QUALIFICATION, vec == X86_EXC_PF   ? r->qual
				   : vec == X86_EXC_DB ? r->qual & 0x600f
						       : 0);
}

static void emit_io(const struct hostvm_exit_raw *r)
{
	static const u8 size_code[4] = {0, 1, 3, 0};
	u64 q = size_code[r->qual & 3] | (r->qual & (BIT(3) | BIT(4) | BIT(6)));
	bool imm = q & BIT(6);
	u32 asz = hostvm_guest_64() ? 1 + (r->insn_info & 1) : r->insn_info & 1;

	if (q & BIT(4))
		q |= r->qual & BIT(5); /* REP only with a string form */
	q |= ((r->qual >> 16) & (imm ? 0xff : 0xffff)) << 16;
	s(VMCS_EXIT_QUALIFICATION, q);
	/* Address size (9:7) and segment (17:15) defined, the rest is not. */
	s(VMCS_EXIT_INSN_INFO, (r->insn_info & ~0x38380u) | asz << 7 |
				   (u32)((r->insn_info >> 15) % 6) << 15);
}

/* The EPT leaf mapping gpa, 0 if none. */
static u64 ept_leaf(struct vcpu *v, u64 gpa)
{
	u64 pte = 0;

	if (pt_lookup(&v->vm->mem.ept.pt, gpa, &pte, NULL))
		return 0;
	return pte;
}

/*
 * An EPT exit at a GPA for an access, as the EPT decides it: a
 * misconfiguration where the entry is misconfigured (W without R: mica's
 * MMIO entries), else a violation for an access the entry does not permit
 * (qualification bits 5:3 its permissions, SDM Vol 3C "Exit Qualification
 * for EPT Violations"). False when the EPT permits every access there: no
 * EPT exit is possible at that GPA.
 */
static bool emit_ept(struct vcpu *v, const struct hostvm_exit_raw *r,
		     u64 mem_size, bool idt_valid)
{
	u64 q = r->qual &
		(EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_XLAT | EPT_QUAL_NMI_UNBLOCK);
	u64 gla = pick_gla(v, r->gla), gpa = pick_gpa(r->gpa, gla, mem_size);
	u64 pte = ept_leaf(v, gpa), perm = pte & EPT_RWX, acc = r->qual & 7;

	s(VMCS_GUEST_LINEAR_ADDR, gla);
	s(VMCS_GUEST_PHYS_ADDR, gpa);
	if ((pte & (EPT_R | EPT_W)) == EPT_W) {
		s(VMCS_EXIT_REASON, VMX_EXIT_EPT_MISCONFIG);
		s(VMCS_EXIT_QUALIFICATION, 0);
		return true;
	}
	if (!acc)
		acc = EPT_QUAL_READ;
	if (!(acc & ~perm))
		acc = (perm & EPT_W) == 0   ? EPT_QUAL_WRITE
		      : (perm & EPT_X) == 0 ? EPT_QUAL_FETCH
					    : acc;
	if (!(q & EPT_QUAL_GLA_VALID))
		q &= ~EPT_QUAL_GLA_XLAT;
	if (idt_valid)
		q &= ~EPT_QUAL_NMI_UNBLOCK; /* undefined then: 0 */
	s(VMCS_EXIT_REASON, VMX_EXIT_EPT_VIOLATION);
	s(VMCS_EXIT_QUALIFICATION, q | acc | perm << 3);
	return (acc & ~perm) != 0;
}

/* The fields reason defines; false if the exit cannot happen after all. */
static bool emit_defined(struct vcpu *v, u32 reason, const struct now *n,
			 const struct hostvm_exit_raw *r, u64 mem_size)
{
	bool idt = hostvm_vmcs_get(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID;
	u64 pte;

	switch (reason) {
	case VMX_EXIT_EXCEPTION_NMI:
		emit_exception(n, r);
		break;
	case VMX_EXIT_EXTERNAL_INTR:
		s(VMCS_EXIT_INTR_INFO, INTR_INFO_VALID | (r->intr_info & 0xff));
		break;
	case VMX_EXIT_INTR_WINDOW: /* the guest became interruptible */
		s(VMCS_GUEST_RFLAGS, g(VMCS_GUEST_RFLAGS) | RFLAGS_IF);
		s(VMCS_GUEST_INTERRUPTIBILITY,
		  g(VMCS_GUEST_INTERRUPTIBILITY) & ~3ULL);
		break;
	case VMX_EXIT_TASK_SWITCH:
		s(VMCS_EXIT_QUALIFICATION, r->qual & 0xc000ffffULL);
		break;
	case VMX_EXIT_CR_ACCESS:
		s(VMCS_EXIT_QUALIFICATION, cr_qual(n, r));
		break;
	case VMX_EXIT_IO:
		emit_io(r);
		break;
	case VMX_EXIT_ENTRY_INVALID_GUEST | ENTRY_FAIL:
		s(VMCS_EXIT_QUALIFICATION, r->qual % 5);
		break;
	case VMX_EXIT_ENTRY_MSR_LOAD | ENTRY_FAIL:
		s(VMCS_EXIT_QUALIFICATION, 1 + (r->qual & 0x1ff));
		break;
	case VMX_EXIT_EPT_VIOLATION:
	case VMX_EXIT_EPT_MISCONFIG:
		return emit_ept(v, r, mem_size, idt);
	case VMX_EXIT_PREEMPTION_TIMER:
		s(VMCS_PREEMPTION_TIMER, 0);
		break;
	case VMX_EXIT_SPP: /* an SPPT miss: a write to a 4K leaf with SPP */
		s(VMCS_EXIT_QUALIFICATION, BIT(11));
		s(VMCS_GUEST_PHYS_ADDR, r->gpa % mem_size);
		pte = ept_leaf(v, r->gpa % mem_size);
		return (pte & EPT_SPP) && !(pte & EPT_LEAF);
	default:
		break;
	}
	return true;
}

/* An instruction length, 1..15 (raw values in that range kept). */
static u32 insn_len(u8 raw)
{
	return raw >= 1 && raw <= 15 ? raw : 1 + raw % 15;
}

/* Fields whose only defined content is "no": cleared qualification,
 * invalid interruption and vectoring information. */
static void emit_base(u32 reason, const struct now *n,
		      const struct hostvm_exit_raw *r, u32 injected)
{
	u32 basic = VMX_EXIT_REASON_BASIC(reason);
	u32 intr = r->intr_info & ~INTR_INFO_VALID;

	s(VMCS_EXIT_REASON, reason);
	s(VMCS_EXIT_QUALIFICATION, 0);
	s(VMCS_GUEST_LINEAR_ADDR, r->gla);
	s(VMCS_GUEST_PHYS_ADDR, r->gpa);
	s(VMCS_EXIT_INSN_INFO, r->insn_info);
	s(VMCS_EXIT_INSN_LEN, r->insn_len);
	s(VMCS_EXIT_INTR_INFO, intr);
	s(VMCS_EXIT_INTR_ERROR, r->intr_err);
	s(VMCS_IDT_VECTORING_INFO, r->idt_info & ~INTR_INFO_VALID);
	s(VMCS_IDT_VECTORING_ERROR, r->idt_err);
	if (hostvm_exit_class(basic) == HOSTVM_EXIT_INSN)
		s(VMCS_EXIT_INSN_LEN, insn_len(r->insn_len));
	/* The vectoring information depends on the exit's own info: the
	 * exception exits decide it after their event. */
	if (basic != VMX_EXIT_EXCEPTION_NMI &&
	    (r->idt_info & INTR_INFO_VALID) && vectoring_allowed(basic, 0))
		s(VMCS_IDT_VECTORING_INFO,
		  vectoring_info(n, r->idt_info, injected));
}

/* Length and error code of the event in delivery: the injected event's
 * own, or the guest's. */
static void emit_vectoring_len(const struct hostvm_exit_raw *r, u32 injected)
{
	u32 idt = (u32)g(VMCS_IDT_VECTORING_INFO);
	unsigned type = (idt >> INTR_INFO_TYPE_SHIFT) & 7;
	bool same = (injected & INTR_INFO_VALID) &&
		    (idt & ~BIT(12)) == (injected & ~GENMASK(30, 12));

	if (!(idt & INTR_INFO_VALID))
		return;
	if (type >= INTR_TYPE_SW_INTR && type <= INTR_TYPE_SW_EXCEPTION)
		s(VMCS_EXIT_INSN_LEN,
		  same ? g(VMCS_ENTRY_INSN_LEN) : insn_len(r->insn_len));
	if (idt & INTR_INFO_DELIVER_ERROR)
		s(VMCS_IDT_VECTORING_ERROR,
		  same ? g(VMCS_ENTRY_EXCEPTION_ERROR) : r->idt_err & 0xffff);
}

/* A CPU in the HLT activity state runs no instruction: it leaves it only
 * through an event, so only event exits can come (SDM Vol 3C "Activity
 * State"). */
static bool exits_from_hlt(u32 reason)
{
	switch (VMX_EXIT_REASON_BASIC(reason)) {
	case VMX_EXIT_EXTERNAL_INTR:
	case VMX_EXIT_INTR_WINDOW:
	case VMX_EXIT_NMI_WINDOW:
	case VMX_EXIT_PREEMPTION_TIMER:
		return true;
	default:
		return false;
	}
}

bool hostvm_exit_emit(struct vcpu *v, u32 reason,
		      const struct hostvm_exit_raw *r, u64 mem_size)
{
	u32 injected = (u32)g(VMCS_ENTRY_INTR_INFO); /* at the last entry */
	struct now n;
	bool possible;

	if (g(VMCS_GUEST_ACTIVITY_STATE) == VMX_ACTIVITY_HLT &&
	    !(injected & INTR_INFO_VALID) && !exits_from_hlt(reason))
		reason = VMX_EXIT_PREEMPTION_TIMER;
	now_read(&n);
	emit_base(reason, &n, r, injected);
	possible = emit_defined(v, reason, &n, r, mem_size);
	reason = (u32)g(VMCS_EXIT_REASON);
	if (reason == VMX_EXIT_EXCEPTION_NMI &&
	    (r->idt_info & INTR_INFO_VALID) &&
	    vectoring_allowed(reason, (u32)g(VMCS_EXIT_INTR_INFO)))
		s(VMCS_IDT_VECTORING_INFO,
		  vectoring_info(&n, r->idt_info, injected));
	emit_vectoring_len(r, injected);
	s(VMCS_ENTRY_INTR_INFO, g(VMCS_ENTRY_INTR_INFO) & ~INTR_INFO_VALID);
	/* A state the exit moved to CPL > 0 ran instructions: not halted. */
	if (g(VMCS_GUEST_ACTIVITY_STATE) == VMX_ACTIVITY_HLT &&
	    ((g(VMCS_GUEST_SS_AR) >> VMX_AR_DPL_SHIFT) & 3))
		s(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	return possible;
}

void hostvm_exit_emit_garbage(u32 reason, const struct hostvm_exit_raw *r)
{
	s(VMCS_EXIT_REASON, reason);
	s(VMCS_EXIT_QUALIFICATION, r->qual);
	s(VMCS_GUEST_LINEAR_ADDR, r->gla);
	s(VMCS_GUEST_PHYS_ADDR, r->gpa);
	s(VMCS_EXIT_INSN_INFO, r->insn_info);
	s(VMCS_EXIT_INSN_LEN, r->insn_len);
	s(VMCS_EXIT_INTR_INFO, r->intr_info);
	s(VMCS_EXIT_INTR_ERROR, r->intr_err);
	s(VMCS_IDT_VECTORING_INFO, r->idt_info);
	s(VMCS_IDT_VECTORING_ERROR, r->idt_err);
	s(VMCS_ENTRY_INTR_INFO, g(VMCS_ENTRY_INTR_INFO) & ~INTR_INFO_VALID);
}
