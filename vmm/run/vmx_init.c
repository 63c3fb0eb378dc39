/* SPDX-License-Identifier: MIT */
/*
 * VMX root entry (SDM Vol 3C, "Enabling and Entering VMX Operation"): the
 * fixed CR0/CR4 bits are applied, the VMXON region carries the revision id
 * from IA32_VMX_BASIC, and VMXON's status flags are checked.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/layout.h"
#include "mm/base/console.h"
#include "mm/mm.h"
#include "mm/base/errno.h"
#include "vmm/run/vmx_init.h"

#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_7_ECX_PKU	  BIT(3)

/* Host CR4 extras: XSETBV on behalf of guests needs OSXSAVE; reading the
 * guest's PKRU for emulated accesses needs PKE (RDPKRU is #UD without it).
 * PKE constrains only accesses to user-mode pages, and mica maps none. */
static void host_cr4_extras(void)
{
	if (cpuid(1).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
	if (cpuid_count(7, 0).ecx & CPUID_7_ECX_PKU)
		write_cr4(read_cr4() | CR4_PKE);
}

int vmx_init(void)
{
	const struct vmx_caps *c = vmx_caps();
	u64 cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
	hpa_t region;
	int rc;

	host_cr4_extras();
	fpu_init();
	cr4 = read_cr4() | CR4_VMXE;
	cr0 = (cr0 | c->cr0_fixed0) & c->cr0_fixed1;
	cr4 = (cr4 | c->cr4_fixed0) & c->cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);
	if (mm_alloc_pages(1, PAGE_SIZE, &region)) {
		printk("vmx: no memory for the VMXON region\n");
		return -ENOMEM;
	}
	*(u32 *)phys_ptr(region) = vmx_revision_id();
	rc = vmxon(region);
	if (rc) {
		vmx_report_failure("vmxon", rc);
		mm_free_pages(region, 1);
		return -EIO;
	}
	printk("vmx: VMX root operation entered (VMXON region 0x%lx)\n",
	       region);
	return 0;
}
