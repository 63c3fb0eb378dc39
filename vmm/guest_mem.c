/* SPDX-License-Identifier: MIT */
/*
 * Guest linear memory access for exit handlers (string I/O now, the
 * emulator later). Segmentation follows SDM Vol 3A 3.4 / 5.3 (64-bit mode:
 * only FS/GS bases apply); translation of paged addresses uses the guest
 * page walker.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "vmm/errno.h"
#include "vmm/exit.h"
#include "vmm/guest_mem.h"
#include "vmm/vm.h"

static const u32 seg_base_field[] = {
    [SEG_ES] = VMCS_GUEST_ES_BASE, [SEG_CS] = VMCS_GUEST_CS_BASE,
    [SEG_SS] = VMCS_GUEST_SS_BASE, [SEG_DS] = VMCS_GUEST_DS_BASE,
    [SEG_FS] = VMCS_GUEST_FS_BASE, [SEG_GS] = VMCS_GUEST_GS_BASE,
};

static bool long_mode(void)
{
	return vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA;
}

static u64 linear_address(unsigned seg, u64 offset)
{
	if (long_mode() && seg != SEG_FS && seg != SEG_GS)
		return offset;
	return vmcs_read_raw(seg_base_field[seg & 7]) + offset;
}

/* Guest physical address of linear, or -EIO after stopping the VM. */
static int translate(struct vcpu *v, u64 linear, unsigned len, gpa_t *gpa)
{
	if (!(vmcs_readl(VMCS_GUEST_CR0) & CR0_PG)) {
		*gpa = long_mode() ? linear : (u32)linear;
		return 0;
	}
	vm_stop(v->vm,
		"access to paged linear address 0x%lx (%u bytes) at "
		"RIP 0x%lx needs the guest page walker",
		linear, len, v->rip);
	return -EIO;
}

static int access(struct vcpu *v, unsigned seg, u64 offset, void *buf,
		  unsigned len, bool write)
{
	gpa_t gpa;
	void *p;
	int rc = translate(v, linear_address(seg, offset), len, &gpa);

	if (rc)
		return rc;
	p = vm_gpa_ptr(v->vm, gpa, len);
	if (!p) {
		vm_stop(v->vm,
			"string I/O to GPA 0x%lx outside guest RAM at "
			"RIP 0x%lx",
			gpa, v->rip);
		return -EIO;
	}
	if (write)
		mem_copy(p, buf, len);
	else
		mem_copy(buf, p, len);
	return 0;
}

int guest_read_seg(struct vcpu *v, unsigned seg, u64 offset, void *buf,
		   unsigned len)
{
	return access(v, seg, offset, buf, len, false);
}

int guest_write_seg(struct vcpu *v, unsigned seg, u64 offset, const void *buf,
		    unsigned len)
{
	return access(v, seg, offset, (void *)(uintptr_t)buf, len, true);
}
