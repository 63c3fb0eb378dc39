/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR exits (every MSR access exits: no MSR bitmaps). Which MSRs
 * a guest has, and which values it may write, is vmm/cpu/msr_model.c's
 * table: an MSR outside it, or one whose CPUID bit the guest lacks, raises
 * #GP(0) as an unimplemented MSR does on hardware; so does a reserved bit.
 * Every #GP is counted. The model stores the MSRs that are only state
 * (MISC_ENABLE, MTRRs, MCG_STATUS); here are those held in the VMCS guest
 * area, the TSC and the local APIC's, and those left live in the CPU while
 * the guest runs (the SYSCALL MSRs, KERNEL_GS_BASE, TSC_AUX, SPEC_CTRL:
 * the hypervisor uses none of them), reset per VM.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/clock.h"
#include "arch/x86/vmcs.h"
#include "vmm/exit/exit.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"

void vm_msr_init(struct vm *vm)
{
	u64 caps = 0;

	if (cpu_model_has(&vm->cpu, 7, 0, CPUID_EDX, 29) &&
	    rdmsr_safe(IA32_ARCH_CAPABILITIES, &caps))
		caps = 0;
	vm->msr_env = (struct msr_env){
	    .cpu = &vm->cpu,
	    .maxphyaddr = cpu_maxphyaddr(),
	    .tsc_hz = tsc_hz(),
	    .host_arch_caps = caps,
	};
	msr_store_reset(&vm->msrs);
}

static const u32 live_msrs[] = {
    IA32_STAR,	  IA32_LSTAR,	  IA32_CSTAR,	      IA32_FMASK,
    IA32_TSC_AUX, IA32_SPEC_CTRL, IA32_KERNEL_GS_BASE};

static bool is_live_msr(u32 msr)
{
	for (unsigned i = 0; i < ARRAY_SIZE(live_msrs); i++)
		if (live_msrs[i] == msr)
			return true;
	return false;
}

static int msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_IA32_EFER:
		*val = vmcs_read64(VMCS_GUEST_EFER);
		return 0;
	case MSR_IA32_PAT:
		*val = vmcs_read64(VMCS_GUEST_PAT);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read32(VMCS_GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_readl(VMCS_GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_readl(VMCS_GUEST_SYSENTER_EIP);
		return 0;
	case MSR_FS_BASE:
		*val = vmcs_readl(VMCS_GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*val = vmcs_readl(VMCS_GUEST_GS_BASE);
		return 0;
	case MSR_IA32_DEBUGCTL:
		*val = vmcs_read64(VMCS_GUEST_DEBUGCTL);
		return 0;
	case IA32_TSC:
		*val = rdtsc() + v->vm->tsc_offset;
		return 0;
	case IA32_APIC_BASE:
		*val = v->vm->apic_base;
		return 0;
	case IA32_TSC_ADJUST:
		*val = v->vm->tsc_adjust;
		return 0;
	case IA32_TSC_DEADLINE:
		*val = vlapic_read_tsc_deadline(&v->vm->lapic);
		return 0;
	default:
		if (is_live_msr(msr))
			return rdmsr_safe(msr, val);
		return -1;
	}
}

/* The VMCS field holding an address-valued MSR. */
static u32 address_msr_field(u32 msr)
{
	switch (msr) {
	case MSR_IA32_SYSENTER_ESP:
		return VMCS_GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return VMCS_GUEST_SYSENTER_EIP;
	case MSR_FS_BASE:
		return VMCS_GUEST_FS_BASE;
	default:
		return VMCS_GUEST_GS_BASE;
	}
}

/* The model has checked the bits against CPUID. */
static int msr_write_efer(struct vcpu *v, u64 val)
{
	u64 old = vmcs_read64(VMCS_GUEST_EFER);

	/* LME may not change while paging is on (SDM Vol 3A 10.8.5). */
	if ((vcpu_read_cr0(v) & CR0_PG) && ((val ^ old) & EFER_LME))
		return -1;
	/* LMA is read-only: keep the CPU's value. */
	val = (val & ~EFER_LMA) | (old & EFER_LMA);
	vmcs_write64(VMCS_GUEST_EFER, val);
	return 0;
}

/*
 * The guest's TSC moves by the offset: a write to IA32_TSC or to
 * IA32_TSC_ADJUST changes the other by the same amount (SDM Vol 3B
 * 17.17.3), and an armed TSC deadline keeps its guest-TSC value.
 */
static void set_tsc_offset(struct vm *vm, u64 offset)
{
	u64 dl = vlapic_read_tsc_deadline(&vm->lapic);

	vm->tsc_adjust += offset - vm->tsc_offset;
	vm->tsc_offset = offset;
	vmcs_write64(VMCS_TSC_OFFSET, offset);
	if (dl)
		vlapic_write_tsc_deadline(&vm->lapic, dl, offset);
}

static int msr_write(struct vcpu *v, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_IA32_EFER:
		return msr_write_efer(v, val);
	case MSR_IA32_PAT:
		vmcs_write64(VMCS_GUEST_PAT, val);
		return 0;
	case MSR_IA32_DEBUGCTL:
		vmcs_write64(VMCS_GUEST_DEBUGCTL, val);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(VMCS_GUEST_SYSENTER_CS, val);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		vmcs_write_raw(address_msr_field(msr), val);
		return 0;
	case IA32_APIC_BASE:
		return vm_write_apic_base(v->vm, val) ? -1 : 0;
	case IA32_TSC:
		set_tsc_offset(v->vm, val - rdtsc());
		return 0;
	case IA32_PRED_CMD:
	case IA32_FLUSH_CMD:
		return val ? wrmsr_safe(msr, val) : 0;
	case IA32_TSC_ADJUST:
		set_tsc_offset(v->vm,
			       v->vm->tsc_offset + (val - v->vm->tsc_adjust));
		return 0;
	case IA32_TSC_DEADLINE:
		vlapic_write_tsc_deadline(&v->vm->lapic, val,
					  v->vm->tsc_offset);
		return 0;
	default:
		if (is_live_msr(msr))
			return wrmsr_safe(msr, val) ? -1 : 0;
		return -1;
	}
}

static void msr_fault(struct vcpu *v)
{
	v->vm->counters[CNT_MSR_DENIED]++;
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
}

void handle_rdmsr(struct vcpu *v)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	struct vm *vm = v->vm;
	u64 val = 0;
	int rc;

	vm->counters[CNT_EXIT_MSR]++;
	rc = msr_model_read(&vm->msr_env, &vm->msrs, msr, &val);
	if (rc == MSR_PASS)
		rc = msr_read(v, msr, &val) ? MSR_GP : MSR_DONE;
	if (rc != MSR_DONE) {
		msr_fault(v);
		return;
	}
	v->gpr[GPR_RAX] = (u32)val;
	v->gpr[GPR_RDX] = val >> 32;
	vcpu_skip_insn(v);
}

void handle_wrmsr(struct vcpu *v)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	u64 val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];

	struct vm *vm = v->vm;
	int rc;

	vm->counters[CNT_EXIT_MSR]++;
	rc = msr_model_write(&vm->msr_env, &vm->msrs, msr, val);
	if (rc == MSR_PASS)
		rc = msr_write(v, msr, val) ? MSR_GP : MSR_DONE;
	if (rc != MSR_DONE) {
		msr_fault(v);
		return;
	}
	vcpu_skip_insn(v);
}

/* RDPMC: the guest has no performance counters (CPUID leaf 0xA reads 0),
 * so every counter it names is invalid: #GP(0) (SDM Vol 2B "RDPMC"), and
 * the host's counters stay unread. */
void handle_rdpmc(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
}

void vcpu_reset_live_msrs(void)
{
	/* An MSR absent on this CPU has nothing to reset: ignore #GP. */
	for (unsigned i = 0; i < ARRAY_SIZE(live_msrs); i++)
		if (wrmsr_safe(live_msrs[i], 0) < 0)
			continue;
}
