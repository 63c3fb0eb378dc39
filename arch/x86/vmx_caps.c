/* SPDX-License-Identifier: MIT */
/*
 * VMX capability probing and the boot-time capability report. Everything
 * comes from CPUID and the IA32_VMX_* MSRs (SDM Vol 3D Appendix A,
 * "VMX Capability Reporting Facility"); nothing is assumed per CPU model.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/console.h"
#include "mm/base/errno.h"

static struct vmx_caps caps;

static int read_ctl(u32 msr, struct vmx_ctl_caps *c)
{
	u64 v;
	int err = rdmsr_safe(msr, &v);

	if (err)
		return err;
	c->must1 = (u32)v;
	c->may1 = (u32)(v >> 32);
	return 0;
}

/* Every MSR in the list must be readable, or VMX is unusable. */
static int read_caps(void)
{
	bool true_ctls;
	int err = 0;

	err |= rdmsr_safe(MSR_IA32_VMX_BASIC, &caps.basic);
	if (err)
		return -EIO;
	true_ctls = caps.basic & VMX_BASIC_TRUE_CTLS;
	err |= read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
				  : MSR_IA32_VMX_PINBASED_CTLS,
			&caps.pin);
	err |= read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
				  : MSR_IA32_VMX_PROCBASED_CTLS,
			&caps.proc);
	err |= read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS
				  : MSR_IA32_VMX_EXIT_CTLS,
			&caps.exit);
	err |= read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS
				  : MSR_IA32_VMX_ENTRY_CTLS,
			&caps.entry);
	err |= rdmsr_safe(MSR_IA32_VMX_MISC, &caps.misc);
	err |= rdmsr_safe(MSR_IA32_VMX_CR0_FIXED0, &caps.cr0_fixed0);
	err |= rdmsr_safe(MSR_IA32_VMX_CR0_FIXED1, &caps.cr0_fixed1);
	err |= rdmsr_safe(MSR_IA32_VMX_CR4_FIXED0, &caps.cr4_fixed0);
	err |= rdmsr_safe(MSR_IA32_VMX_CR4_FIXED1, &caps.cr4_fixed1);
	err |= rdmsr_safe(MSR_IA32_VMX_VMCS_ENUM, &caps.vmcs_enum);
	if (err)
		return -EIO;
	/* Secondary controls and EPT/VPID caps exist only if advertised. */
	if (caps.proc.may1 & VMX_PROC_SECONDARY) {
		if (read_ctl(MSR_IA32_VMX_PROCBASED_CTLS2, &caps.proc2))
			return -EIO;
		if (caps.proc2.may1 & (VMX_PROC2_EPT | VMX_PROC2_VPID) &&
		    rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &caps.ept_vpid))
			return -EIO;
		if (caps.proc2.may1 & VMX_PROC2_VMFUNC &&
		    rdmsr_safe(MSR_IA32_VMX_VMFUNC, &caps.vmfunc))
			return -EIO;
	}
	return 0;
}

int vmx_probe(const char **why)
{
	u64 fc;

	if (!(cpuid(1).ecx & CPUID_1_ECX_VMX)) {
		*why = "CPUID.1:ECX.VMX[bit 5] is 0";
		return -ENODEV;
	}
	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc)) {
		*why = "IA32_FEATURE_CONTROL is not readable";
		return -ENODEV;
	}
	/* SDM Vol 3C 24.7 "Enabling and Entering VMX Operation". */
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |=
		    FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		if (wrmsr_safe(MSR_IA32_FEATURE_CONTROL, fc)) {
			*why = "cannot lock IA32_FEATURE_CONTROL";
			return -ENODEV;
		}
	}
	caps.feature_control = fc;
	if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		*why = "VMXON disabled by firmware (IA32_FEATURE_CONTROL)";
		return -EPERM;
	}
	if (read_caps()) {
		*why = "a VMX capability MSR raised #GP";
		return -EIO;
	}
	*why = NULL;
	return 0;
}

const struct vmx_caps *vmx_caps(void)
{
	return &caps;
}

bool vmx_has_proc2(u32 ctl)
{
	return (caps.proc.may1 & VMX_PROC_SECONDARY) &&
	       (caps.proc2.may1 & ctl) == ctl;
}

bool vmx_has_ept(void)
{
	return vmx_has_proc2(VMX_PROC2_EPT) &&
	       (caps.ept_vpid & VMX_EPT_WALK_4) &&
	       (caps.ept_vpid & VMX_EPT_MT_WB);
}

bool vmx_has_vpid(void)
{
	return vmx_has_proc2(VMX_PROC2_VPID) &&
	       (caps.ept_vpid & VMX_VPID_INVVPID);
}

bool vmx_has_unrestricted_guest(void)
{
	return vmx_has_ept() && vmx_has_proc2(VMX_PROC2_UNRESTRICTED);
}

bool vmx_has_ept_2m(void)
{
	return vmx_has_ept() && (caps.ept_vpid & VMX_EPT_2M);
}

bool vmx_has_ept_1g(void)
{
	return vmx_has_ept() && (caps.ept_vpid & VMX_EPT_1G);
}

bool vmx_has_ept_ad(void)
{
	return vmx_has_ept() && (caps.ept_vpid & VMX_EPT_AD);
}

bool vmx_has_pml(void)
{
	return vmx_has_ept_ad() && vmx_has_proc2(VMX_PROC2_PML);
}

bool vmx_has_spp(void)
{
	return vmx_has_ept() && vmx_has_proc2(VMX_PROC2_SPP);
}

bool vmx_has_preemption_timer(void)
{
	return caps.pin.may1 & VMX_PIN_PREEMPT_TIMER;
}

u32 vmx_revision_id(void)
{
	return (u32)(caps.basic & VMX_BASIC_REVISION_MASK);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

struct cap_name {
	u64 bit;
	const char *name;
};

static void report_bits(const char *title, u64 bits,
			const struct cap_name *names, size_t n)
{
	printk("  %-10s", title);
	for (size_t i = 0; i < n; i++)
		if (bits & names[i].bit)
			printk(" %s", names[i].name);
	printk("\n");
}

static const struct cap_name proc2_names[] = {
    {VMX_PROC2_VIRT_APIC, "virt-apic"},
    {VMX_PROC2_EPT, "ept"},
    {VMX_PROC2_DESC_EXIT, "desc-exit"},
    {VMX_PROC2_RDTSCP, "rdtscp"},
    {VMX_PROC2_X2APIC, "x2apic"},
    {VMX_PROC2_VPID, "vpid"},
    {VMX_PROC2_WBINVD_EXIT, "wbinvd-exit"},
    {VMX_PROC2_UNRESTRICTED, "unrestricted"},
    {VMX_PROC2_APIC_REG_VIRT, "apic-reg-virt"},
    {VMX_PROC2_VINTR_DELIVERY, "vintr-delivery"},
    {VMX_PROC2_PAUSE_LOOP, "ple"},
    {VMX_PROC2_RDRAND_EXIT, "rdrand-exit"},
    {VMX_PROC2_INVPCID, "invpcid"},
    {VMX_PROC2_VMFUNC, "vmfunc"},
    {VMX_PROC2_VMCS_SHADOW, "vmcs-shadow"},
    {VMX_PROC2_RDSEED_EXIT, "rdseed-exit"},
    {VMX_PROC2_PML, "pml"},
    {VMX_PROC2_EPT_VE, "ept-ve"},
    {VMX_PROC2_XSAVES, "xsaves"},
    {VMX_PROC2_MBEC, "mbec"},
    {VMX_PROC2_SPP, "spp"},
    {VMX_PROC2_TSC_SCALING, "tsc-scaling"},
};

static const struct cap_name ept_names[] = {
    {VMX_EPT_EXEC_ONLY, "exec-only"},
    {VMX_EPT_WALK_4, "4-level"},
    {VMX_EPT_WALK_5, "5-level"},
    {VMX_EPT_MT_UC, "uc"},
    {VMX_EPT_MT_WB, "wb"},
    {VMX_EPT_2M, "2m"},
    {VMX_EPT_1G, "1g"},
    {VMX_EPT_INVEPT, "invept"},
    {VMX_EPT_AD, "a/d"},
    {VMX_EPT_ADV_EXIT_INFO, "adv-exit-info"},
    {VMX_EPT_INVEPT_SINGLE, "invept-single"},
    {VMX_EPT_INVEPT_ALL, "invept-all"},
    {VMX_VPID_INVVPID, "invvpid"},
    {VMX_VPID_INVVPID_ADDR, "invvpid-addr"},
    {VMX_VPID_INVVPID_SINGLE, "invvpid-single"},
    {VMX_VPID_INVVPID_ALL, "invvpid-all"},
};

static const struct cap_name pin_names[] = {
    {VMX_PIN_EXT_INTR_EXIT, "ext-intr-exit"},
    {VMX_PIN_NMI_EXIT, "nmi-exit"},
    {VMX_PIN_VIRTUAL_NMI, "virtual-nmi"},
    {VMX_PIN_PREEMPT_TIMER, "preempt-timer"},
    {VMX_PIN_POSTED_INTR, "posted-intr"},
};

void vmx_caps_report(void)
{
	printk("vmx: revision 0x%x, region %lu bytes, memtype %lu, "
	       "true-ctls %s, feature-control 0x%lx\n",
	       vmx_revision_id(), (caps.basic >> 32) & 0x1fff,
	       (caps.basic >> 50) & 0xf, yes_no(caps.basic & BIT(55)),
	       caps.feature_control);
	printk("vmx: pin      0x%08x/0x%08x\n", caps.pin.must1, caps.pin.may1);
	printk("vmx: proc     0x%08x/0x%08x\n", caps.proc.must1,
	       caps.proc.may1);
	printk("vmx: proc2    0x%08x/0x%08x\n", caps.proc2.must1,
	       caps.proc2.may1);
	printk("vmx: exit     0x%08x/0x%08x\n", caps.exit.must1,
	       caps.exit.may1);
	printk("vmx: entry    0x%08x/0x%08x\n", caps.entry.must1,
	       caps.entry.may1);
	printk("vmx: misc     0x%016lx (preempt-timer rate 2^%lu, "
	       "cr3-targets %lu)\n",
	       caps.misc, caps.misc & 0x1f, (caps.misc >> 16) & 0x1ff);
	printk("vmx: ept/vpid 0x%016lx\n", caps.ept_vpid);
	printk("vmx: cr0 fixed0 0x%lx fixed1 0x%lx, cr4 fixed0 0x%lx "
	       "fixed1 0x%lx\n",
	       caps.cr0_fixed0, caps.cr0_fixed1, caps.cr4_fixed0,
	       caps.cr4_fixed1);
	printk("vmx: decoded:\n");
	report_bits("pin:", caps.pin.may1, pin_names, ARRAY_SIZE(pin_names));
	report_bits("proc2:", caps.proc2.may1, proc2_names,
		    ARRAY_SIZE(proc2_names));
	report_bits("ept/vpid:", caps.ept_vpid, ept_names,
		    ARRAY_SIZE(ept_names));
	printk("vmx: EPT %s, VPID %s, unrestricted guest %s, EPT 2M %s, "
	       "EPT 1G %s, EPT A/D %s, PML %s\n",
	       yes_no(vmx_has_ept()), yes_no(vmx_has_vpid()),
	       yes_no(vmx_has_unrestricted_guest()), yes_no(vmx_has_ept_2m()),
	       yes_no(vmx_has_ept_1g()), yes_no(vmx_has_ept_ad()),
	       yes_no(vmx_has_pml()));
	printk("vmx: SPP %s, preemption timer %s\n",
	       vmx_has_spp() ? "supported" : "not supported",
	       yes_no(vmx_has_preemption_timer()));
}
