/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR exits (every MSR access exits: no MSR bitmaps). An allow-list
 * of MSRs a guest kernel needs; anything else raises #GP(0) in the guest,
 * as an unimplemented MSR does on hardware, and is counted.
 * MSRs held in the VMCS guest area are read and written there; the SYSCALL
 * MSRs and KERNEL_GS_BASE are left live in the CPU while the guest runs
 * (the hypervisor never uses SYSCALL or SWAPGS) and reset per VM.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "vmm/exit/exit.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"

#define MSR_IA32_TSC	    0x10
#define MSR_IA32_APIC_BASE  0x1b
#define MSR_IA32_TSC_ADJUST 0x3b
#define MSR_STAR	    0xc0000081
#define MSR_LSTAR	    0xc0000082
#define MSR_CSTAR	    0xc0000083
#define MSR_SFMASK	    0xc0000084
#define MSR_TSC_AUX	    0xc0000103
#define MSR_TSC_DEADLINE    0x6e0

#define EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

static bool is_live_msr(u32 msr)
{
	return msr == MSR_STAR || msr == MSR_LSTAR || msr == MSR_CSTAR ||
	       msr == MSR_SFMASK || msr == MSR_KERNEL_GS_BASE ||
	       msr == MSR_TSC_AUX;
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
	case MSR_IA32_TSC:
		*val = rdtsc() + v->vm->tsc_offset;
		return 0;
	case MSR_IA32_APIC_BASE:
		*val = v->vm->apic_base;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*val = v->vm->tsc_adjust;
		return 0;
	case MSR_TSC_DEADLINE:
		*val = vlapic_read_tsc_deadline(&v->vm->lapic);
		return 0;
	default:
		if (is_live_msr(msr))
			return rdmsr_safe(msr, val);
		return -1;
	}
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/* PAT entries must be valid memory types: 0, 1, 4, 5, 6, 7 (SDM Vol 3A
 * 12.12.2 "IA32_PAT MSR"). */
static bool pat_valid(u64 pat)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
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

static int msr_write_efer(struct vcpu *v, u64 val)
{
	u64 old = vmcs_read64(VMCS_GUEST_EFER);

	if (val & ~EFER_ALLOWED)
		return -1;
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
		if (!pat_valid(val))
			return -1;
		vmcs_write64(VMCS_GUEST_PAT, val);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(VMCS_GUEST_SYSENTER_CS, val);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!canonical(val))
			return -1;
		vmcs_write_raw(address_msr_field(msr), val);
		return 0;
	case MSR_IA32_APIC_BASE:
		return vm_write_apic_base(v->vm, val) ? -1 : 0;
	case MSR_IA32_TSC:
		set_tsc_offset(v->vm, val - rdtsc());
		return 0;
	case MSR_IA32_TSC_ADJUST:
		set_tsc_offset(v->vm,
			       v->vm->tsc_offset + (val - v->vm->tsc_adjust));
		return 0;
	case MSR_TSC_DEADLINE:
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
	u64 val;

	v->vm->counters[CNT_EXIT_MSR]++;
	if (msr_read(v, msr, &val)) {
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

	v->vm->counters[CNT_EXIT_MSR]++;
	if (msr_write(v, msr, val)) {
		msr_fault(v);
		return;
	}
	vcpu_skip_insn(v);
}

void vcpu_reset_live_msrs(void)
{
	static const u32 live[] = {MSR_STAR,   MSR_LSTAR,	   MSR_CSTAR,
				   MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX};

	/* An MSR absent on this CPU has nothing to reset: ignore #GP. */
	for (unsigned i = 0; i < ARRAY_SIZE(live); i++)
		if (wrmsr_safe(live[i], 0) < 0)
			continue;
}
