/* SPDX-License-Identifier: MIT */
/*
 * Local APIC model, xAPIC register interface. Registers not modelled read
 * as zero and ignore writes, as reserved registers do on hardware; the
 * delivery-status bit of the ICR always reads idle.
 */
#include "vmm/dev/vlapic.h"

#define APIC_VERSION_VALUE 0x00050014 /* version 0x14, 6 LVT entries */
#define ICR_VECTOR(x)	   ((x)&0xff)
#define ICR_MODE(x)	   (((x) >> 8) & 7)
#define ICR_MODE_FIXED	   0
#define ICR_SHORTHAND(x)   (((x) >> 18) & 3)
#define ICR_SH_NONE	   0
#define ICR_SH_SELF	   1
#define ICR_SH_ALL	   2
#define ICR_DELIV_STATUS   BIT(12)
#define LVT_MASKED	   BIT(16)
#define LVT_WRITABLE	   0x1a7ffU /* Figure 11-8: bits 12, 14 read-only */

void vlapic_init(struct vlapic *a)
{
	mem_set(a, 0, sizeof(*a));
	a->dfr = 0xffffffff;
	a->spiv = 0xff;
	for (unsigned i = 0; i < ARRAY_SIZE(a->lvt); i++)
		a->lvt[i] = LVT_MASKED;
}

static int highest(const u32 bits[8])
{
	for (int w = 7; w >= 0; w--)
		if (bits[w])
			return w * 32 + 31 - __builtin_clz(bits[w]);
	return -1;
}

u32 vlapic_ppr(const struct vlapic *a)
{
	int isrv = highest(a->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

int vlapic_pending(const struct vlapic *a)
{
	int v = highest(a->irr);

	if (v < 0 || !(a->spiv & LAPIC_SPIV_ENABLE))
		return -1;
	return ((u32)v & 0xf0) > (vlapic_ppr(a) & 0xf0) ? v : -1;
}

void vlapic_accept(struct vlapic *a, int v)
{
	if (a->irr[v / 32] & (1U << (v % 32)))
		a->irr_count--;
	a->irr[v / 32] &= ~(1U << (v % 32));
	a->isr[v / 32] |= 1U << (v % 32);
}

static void eoi(struct vlapic *a)
{
	int v = highest(a->isr);

	if (v >= 0)
		a->isr[v / 32] &= ~(1U << (v % 32));
	a->eois++;
}

static void send_ipi(struct vlapic *a, u32 lo)
{
	unsigned sh = ICR_SHORTHAND(lo), vec = ICR_VECTOR(lo);
	bool to_self = sh == ICR_SH_SELF || sh == ICR_SH_ALL ||
		       (sh == ICR_SH_NONE && (a->icr_hi >> 24) == 0);

	if (!to_self || ICR_MODE(lo) != ICR_MODE_FIXED || vec < 16) {
		a->ipis_ignored++; /* INIT/SIPI to other CPUs: none exist */
		return;
	}
	if (!(a->irr[vec / 32] & (1U << (vec % 32))))
		a->irr_count++;
	a->irr[vec / 32] |= 1U << (vec % 32);
	a->ipis_self++;
}

static u32 *bank(struct vlapic *a, u32 off)
{
	if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80)
		return &a->isr[(off - LAPIC_ISR) / 16];
	if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80)
		return &a->irr[(off - LAPIC_IRR) / 16];
	if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR)
		return &a->lvt[(off - LAPIC_LVT_TIMER) / 16];
	return NULL;
}

u32 vlapic_read(struct vlapic *a, u32 off)
{
	u32 *b;

	switch (off & ~0xfU) {
	case LAPIC_ID:
		return 0;
	case LAPIC_VERSION:
		return APIC_VERSION_VALUE;
	case LAPIC_TPR:
		return a->tpr;
	case LAPIC_PPR:
		return vlapic_ppr(a);
	case LAPIC_LDR:
		return a->ldr;
	case LAPIC_DFR:
		return a->dfr;
	case LAPIC_SPIV:
		return a->spiv;
	case LAPIC_ESR:
		return a->esr;
	case LAPIC_ICR_LO:
		return a->icr_lo & ~(u32)ICR_DELIV_STATUS;
	case LAPIC_ICR_HI:
		return a->icr_hi;
	case LAPIC_TIMER_ICR:
		return a->timer_icr;
	case LAPIC_TIMER_DCR:
		return a->timer_dcr;
	default:
		b = bank(a, off & ~0xfU);
		return b ? *b : 0;
	}
}

void vlapic_write(struct vlapic *a, u32 off, u32 val)
{
	switch (off & ~0xfU) {
	case LAPIC_TPR:
		a->tpr = val & 0xff;
		break;
	case LAPIC_EOI:
		eoi(a);
		break;
	case LAPIC_LDR:
		a->ldr = val & 0xff000000;
		break;
	case LAPIC_DFR:
		a->dfr = val | 0x0fffffff;
		break;
	case LAPIC_SPIV:
		a->spiv = val & 0x3ff;
		/* 11.4.7.2: software disable sets every LVT mask bit */
		if (!(val & LAPIC_SPIV_ENABLE))
			for (unsigned i = 0; i < ARRAY_SIZE(a->lvt); i++)
				a->lvt[i] |= LVT_MASKED;
		break;
	case LAPIC_ESR:
		a->esr = 0;
		break;
	case LAPIC_ICR_HI:
		a->icr_hi = val & 0xff000000;
		break;
	case LAPIC_ICR_LO:
		a->icr_lo = val;
		send_ipi(a, val);
		break;
	case LAPIC_TIMER_ICR:
		a->timer_icr = val;
		break;
	case LAPIC_TIMER_DCR:
		a->timer_dcr = val & 0xb;
		break;
	default:
		/* while software-disabled the masks cannot be cleared */
		if (!(a->spiv & LAPIC_SPIV_ENABLE))
			val |= LVT_MASKED;
		if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR + 0xf)
			*bank(a, off & ~0xfU) = val & LVT_WRITABLE;
		break; /* ID, version, ISR/IRR/TMR, PPR: read-only */
	}
}
