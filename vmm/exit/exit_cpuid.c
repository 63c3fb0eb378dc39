/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits: the host's leaves, filtered to what a guest of mica really
 * has (one CPU, no VMX/SMX, no PMU, no SGX/PT), with OSXSAVE/OSPKE showing
 * the guest's own CR4, plus the hypervisor leaves 0x40000000-0x40000001
 * (signature "MicaMicaMica").
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "vmm/exit/exit.h"
#include "vmm/hypercall_abi.h"
#include "vmm/vm.h"

#define HV_LEAF_BASE	 0x40000000U
#define HV_LEAF_FEATURES 0x40000001U
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

static void filter_leaf1(struct cpuid_regs *r, u64 cr4)
{
	/* No x2APIC and no TSC-deadline timer: the local APIC is an xAPIC
	 * without a timer (vmm/dev/vlapic.c). */
	r->ecx &= ~(u32)(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_PDCM |
			 CPUID_1_ECX_MONITOR | CPUID_1_ECX_OSXSAVE |
			 CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DL);
	r->ecx |= CPUID_1_ECX_HYPERVISOR;
	if (cr4 & CR4_OSXSAVE)
		r->ecx |= CPUID_1_ECX_OSXSAVE;
	/* APIC ID 0, one logical processor (EBX 31:24 and 23:16). */
	r->ebx = (r->ebx & 0xffff) | (1U << 16);
}

static void filter_leaf7(struct cpuid_regs *r, u32 sub, u64 cr4)
{
	if (sub != 0) {
		*r = (struct cpuid_regs){0, 0, 0, 0};
		return;
	}
	r->ebx &= ~(u32)(CPUID_7_EBX_SGX | CPUID_7_EBX_PT);
	r->ecx &= ~(u32)(CPUID_7_ECX_SGX_LC | CPUID_7_ECX_OSPKE);
	if (cr4 & CR4_PKE)
		r->ecx |= CPUID_7_ECX_OSPKE;
}

static struct cpuid_regs guest_cpuid(u32 leaf, u32 sub, u64 cr4)
{
	struct cpuid_regs r;

	if (leaf == HV_LEAF_BASE)
		return (struct cpuid_regs){HV_LEAF_FEATURES, HV_SIG_EBX,
					   HV_SIG_ECX, HV_SIG_EDX};
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
		filter_leaf7(&r, sub, cr4);
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
	struct cpuid_regs r =
	    guest_cpuid((u32)v->gpr[GPR_RAX], (u32)v->gpr[GPR_RCX], cr4);

	v->vm->counters[CNT_EXIT_CPUID]++;
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	vcpu_skip_insn(v);
}
