/* SPDX-License-Identifier: MIT */
/*
 * CPUID exits: the CPU of vmm/cpu/cpuid_model.c, computed once per VM from
 * the host's CPUID and the VM-execution controls that gate instructions
 * (RDTSCP/RDPID, INVPCID are #UD unless enabled), then answered with the
 * guest's CR4 and XCR0.
 */
#include "arch/x86/clock.h"
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/exit/exit.h"
#include "vmm/hypercall_abi.h"
#include "vmm/vm.h"

static struct cpuid_regs host_cpuid(u32 leaf, u32 sub)
{
	return cpuid_count(leaf, sub);
}

void vm_cpu_init(struct vm *vm)
{
	u32 ctls = 0;

	if (vm->proc2 & VMX_PROC2_RDTSCP)
		ctls |= CPU_MODEL_RDTSCP;
	if (vm->proc2 & VMX_PROC2_INVPCID)
		ctls |= CPU_MODEL_INVPCID;
	cpu_model_init(&vm->cpu, host_cpuid, ctls);
	vm_msr_init(vm);
}

void handle_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->gpr[GPR_RAX];
	struct vm *vm = v->vm;
	struct cpuid_regs r;

	/* Most leaves are answered from the VM's cache, without its state. */
	if (unlikely(vm->msrs.misc_enable & MISC_ENABLE_CPUID_BITS) ||
	    !cpu_model_cached(&vm->cpu, leaf, &r)) {
		unsigned needs = cpu_model_needs(leaf);
		struct cpuid_state st = {
		    .cr4 = (needs & CPUID_NEEDS_CR4) ? vcpu_read_cr4(v) : 0,
		    .xcr0 = (needs & CPUID_NEEDS_XCR0) ? fpu_xcr0() : 0,
		    .tsc_hz = tsc_hz(),
		    .hc_version = MICA_HC_VERSION_VALUE,
		    .misc_enable = vm->msrs.misc_enable,
		    .apic_off = !(vm->apic_base & IA32_APIC_BASE_EN),
		};

		r = cpu_model_compute(&vm->cpu, host_cpuid, leaf,
				      (u32)v->gpr[GPR_RCX], &st);
	}
	vm->counters[CNT_EXIT_CPUID]++;
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	vcpu_skip_insn(v);
}
