/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits: the host's leaves, filtered to what a guest of mica really
 * has (one CPU, no VMX/SMX, no PMU, no SGX/PT, no instruction the VMCS
 * leaves #UD), with OSXSAVE/OSPKE showing the guest's own CR4, leaf 0x15
 * giving the TSC and the local APIC timer's clock, plus the hypervisor
 * leaves 0x40000000-0x40000001 (signature "MicaMicaMica") and the timing
 * leaf 0x40000010 as VMware and KVM define it (TSC and bus kHz).
 */
#include "arch/x86/clock.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/exit/exit.h"
#include "vmm/hypercall_abi.h"
#include "vmm/vm.h"

#define HV_LEAF_BASE	 0x40000000U
#define HV_LEAF_FEATURES 0x40000001U
#define HV_LEAF_TIMING	 0x40000010U
#define HV_SIG_EBX	 0x6163694dU /* "Mica" */
#define HV_SIG_ECX	 0x6163694dU
#define HV_SIG_EDX	 0x6163694dU

#define CPUID_1_ECX_SMX	    BIT(6)
#define CPUID_1_ECX_PDCM    BIT(15)
#define CPUID_1_ECX_OSXSAVE BIT(27)
#define CPUID_1_ECX_MONITOR BIT(3)
#define CPUID_1_ECX_X2APIC  BIT(21)
#define CPUID_1_ECX_TSC_DL  BIT(24)
#define CPUID_7_EBX_SGX	    BIT(2)
#define CPUID_7_ECX_OSPKE   BIT(4)
#define CPUID_7_ECX_SGX_LC  BIT(30)
#define CPUID_7_EBX_PT	    BIT(25)
#define CPUID_7_EBX_INVPCID BIT(10)
#define CPUID_7_ECX_WAITPKG BIT(5)
#define CPUID_7_ECX_RDPID   BIT(22)
#define CPUID_7_ECX_PKS	    BIT(31)
#define CPUID_7_EDX_PCONFIG BIT(18)
#define CPUID_D1_EAX_XSAVES BIT(3)
#define CPUID_81_EDX_RDTSCP BIT(27)

static void filter_leaf1(struct cpuid_regs *r, u64 cr4)
{
	/* No x2APIC: the local APIC is an xAPIC (vmm/dev/vlapic.c), whose
	 * timer has TSC-deadline mode whatever the host's has. */
	r->ecx &= ~(u32)(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_PDCM |
			 CPUID_1_ECX_MONITOR | CPUID_1_ECX_OSXSAVE |
			 CPUID_1_ECX_X2APIC);
	r->ecx |= CPUID_1_ECX_HYPERVISOR | CPUID_1_ECX_TSC_DL;
	if (cr4 & CR4_OSXSAVE)
		r->ecx |= CPUID_1_ECX_OSXSAVE;
	/* APIC ID 0, one logical processor (EBX 31:24 and 23:16). */
	r->ebx = (r->ebx & 0xffff) | (1U << 16);
}

/*
 * Leaf 7: no SGX, PT or supervisor protection keys (IA32_PKRS is not
 * switched); instructions that the VMCS leaves #UD are not advertised:
 * INVPCID without "enable INVPCID", RDPID without "enable RDTSCP",
 * TPAUSE/UMONITOR/UMWAIT ("enable user wait and pause") and PCONFIG
 * ("enable PCONFIG") always.
 */
static void filter_leaf7(struct cpuid_regs *r, u32 sub, u64 cr4, u32 proc2)
{
	if (sub != 0) {
		*r = (struct cpuid_regs){0, 0, 0, 0};
		return;
	}
	r->ebx &= ~(u32)(CPUID_7_EBX_SGX | CPUID_7_EBX_PT);
	if (!(proc2 & VMX_PROC2_INVPCID))
		r->ebx &= ~(u32)CPUID_7_EBX_INVPCID;
	r->ecx &= ~(u32)(CPUID_7_ECX_SGX_LC | CPUID_7_ECX_OSPKE |
			 CPUID_7_ECX_WAITPKG | CPUID_7_ECX_PKS);
	if (!(proc2 & VMX_PROC2_RDTSCP))
		r->ecx &= ~(u32)CPUID_7_ECX_RDPID;
	r->edx &= ~(u32)CPUID_7_EDX_PCONFIG;
	if (cr4 & CR4_PKE)
		r->ecx |= CPUID_7_ECX_OSPKE;
}

/* Leaf 0xD sub-leaf 1: no XSAVES/XRSTORS and no supervisor state
 * components (IA32_XSS is not switched, so the instructions are #UD). */
static void filter_leaf_d(struct cpuid_regs *r, u32 sub)
{
	if (sub == 1) {
		r->eax &= ~(u32)CPUID_D1_EAX_XSAVES;
		r->ecx = r->edx = 0;
	} else if (sub >= 2 && (r->ecx & 1)) {
		*r = (struct cpuid_regs){0, 0, 0, 0}; /* an XSS component */
	}
}

static struct cpuid_regs guest_cpuid(u32 leaf, u32 sub, u64 cr4, u32 proc2)
{
	struct cpuid_regs r;

	if (leaf == HV_LEAF_BASE)
		return (struct cpuid_regs){HV_LEAF_TIMING, HV_SIG_EBX,
					   HV_SIG_ECX, HV_SIG_EDX};
	if (leaf == HV_LEAF_TIMING)
		return (struct cpuid_regs){(u32)(tsc_hz() / 1000),
					   (u32)(tsc_hz() / 1000), 0, 0};
	if (leaf == HV_LEAF_FEATURES)
		return (struct cpuid_regs){MICA_HC_VERSION_VALUE, 0, 0, 0};
	if ((leaf & 0xf0000000U) == HV_LEAF_BASE)
		return (struct cpuid_regs){0, 0, 0, 0};
	r = cpuid_count(leaf, sub);
	switch (leaf) {
	case 1:
		filter_leaf1(&r, cr4);
		break;
	case 5:	   /* MONITOR/MWAIT: hidden above */
	case 6:	   /* thermal and power management */
	case 0xa:  /* architectural PMU */
	case 0x12: /* SGX */
	case 0x14: /* processor trace */
		r = (struct cpuid_regs){0, 0, 0, 0};
		break;
	case 7:
		filter_leaf7(&r, sub, cr4, proc2);
		break;
	case 0xd:
		filter_leaf_d(&r, sub);
		break;
	case 0x15:
		/* The local APIC timer counts the TSC (vmm/dev/vlapic.c):
		 * the "crystal" is the TSC, ratio 1/1, so a guest timing its
		 * APIC timer from this leaf times it right (SDM Vol 3B
		 * 18.7.3). Not enumerated past 32 bits of Hz. */
		r = tsc_hz() >> 32
			? (struct cpuid_regs){0, 0, 0, 0}
			: (struct cpuid_regs){1, 1, (u32)tsc_hz(), 0};
		break;
	case 0x80000001:
		if (!(proc2 & VMX_PROC2_RDTSCP))
			r.edx &= ~(u32)CPUID_81_EDX_RDTSCP;
		break;
	case 0xb:
	case 0x1f: /* topology: this CPU is x2APIC id 0 */
		r.edx = 0;
		break;
	default:
		break;
	}
	return r;
}

void handle_cpuid(struct vcpu *v)
{
	u64 cr4 = vcpu_read_cr4(v);
	struct cpuid_regs r = guest_cpuid(
	    (u32)v->gpr[GPR_RAX], (u32)v->gpr[GPR_RCX], cr4, v->vm->proc2);

	v->vm->counters[CNT_EXIT_CPUID]++;
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	vcpu_skip_insn(v);
}
