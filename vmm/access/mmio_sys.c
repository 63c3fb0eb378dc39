/* SPDX-License-Identifier: MIT */
/*
 * System state for the emulator's SMSW/LMSW, descriptor-table, segment-load
 * and far-transfer forms and its MMX moves (struct em_ops): GDTR, IDTR and
 * the eight segment registers (ES..GS, LDTR, TR) in the current VMCS, CR0
 * through the CR-exit logic that keeps the guest/host masks and read
 * shadows right, and the MMX registers the guest left in the CPU.
 */
#include "arch/x86/fpu.h"
#include "arch/x86/vmcs.h"
#include "vmm/vcpu.h"
#include "vmm/access/mmio_sys.h"

/* The VMCS fields of segment register n (ES..GS, LDTR, TR) are 2 apart. */
#define SEG_FIELD(f, n) ((f) + 2 * (n))

void mmio_read_dtr(struct em_ctx *c, unsigned which, struct em_dtr *dtr)
{
	(void)c;
	if (which == EM_DTR_IDT) {
		dtr->base = vmcs_readl(VMCS_GUEST_IDTR_BASE);
		dtr->limit = (u16)vmcs_read32(VMCS_GUEST_IDTR_LIMIT);
	} else {
		dtr->base = vmcs_readl(VMCS_GUEST_GDTR_BASE);
		dtr->limit = (u16)vmcs_read32(VMCS_GUEST_GDTR_LIMIT);
	}
}

void mmio_write_dtr(struct em_ctx *c, unsigned which, const struct em_dtr *dtr)
{
	(void)c;
	if (which == EM_DTR_IDT) {
		vmcs_writel(VMCS_GUEST_IDTR_BASE, dtr->base);
		vmcs_write32(VMCS_GUEST_IDTR_LIMIT, dtr->limit);
	} else {
		vmcs_writel(VMCS_GUEST_GDTR_BASE, dtr->base);
		vmcs_write32(VMCS_GUEST_GDTR_LIMIT, dtr->limit);
	}
}

void mmio_read_seg(struct em_ctx *c, unsigned seg, struct em_segreg *s)
{
	(void)c;
	s->sel = (u16)vmcs_read_raw(SEG_FIELD(VMCS_GUEST_ES_SEL, seg));
	s->cache.base = vmcs_read_raw(SEG_FIELD(VMCS_GUEST_ES_BASE, seg));
	s->cache.limit =
	    (u32)vmcs_read_raw(SEG_FIELD(VMCS_GUEST_ES_LIMIT, seg));
	s->cache.ar = (u32)vmcs_read_raw(SEG_FIELD(VMCS_GUEST_ES_AR, seg));
}

void mmio_write_seg(struct em_ctx *c, unsigned seg, const struct em_segreg *s)
{
	(void)c;
	vmcs_write_raw(SEG_FIELD(VMCS_GUEST_ES_SEL, seg), s->sel);
	vmcs_write_raw(SEG_FIELD(VMCS_GUEST_ES_BASE, seg), s->cache.base);
	vmcs_write_raw(SEG_FIELD(VMCS_GUEST_ES_LIMIT, seg), s->cache.limit);
	vmcs_write_raw(SEG_FIELD(VMCS_GUEST_ES_AR, seg), s->cache.ar);
}

bool mmio_write_cr0(struct em_ctx *c, u64 val)
{
	return vcpu_write_cr0(c->opaque, val);
}

bool mmio_read_mmx(struct em_ctx *c, unsigned reg, u64 *val)
{
	(void)c;
	return fpu_read_mmx(reg, val);
}

bool mmio_write_mmx(struct em_ctx *c, unsigned reg, u64 val)
{
	(void)c;
	return fpu_write_mmx(reg, val);
}
