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
#define ICR_MODE_NMI	   4
#define ICR_SHORTHAND(x)   (((x) >> 18) & 3)
#define ICR_SH_NONE	   0
#define ICR_SH_SELF	   1
#define ICR_SH_ALL	   2
#define ICR_DELIV_STATUS   BIT(12)
#define LVT_MASKED	   LAPIC_LVT_MASKED
#define LVT_TIMER	   0

/* Writable bits of each LVT entry (SDM Vol 3A Figure 11-8): timer
 * vector, mask and mode; thermal and performance vector, delivery mode
 * and mask; LINT0/1 also polarity and trigger (remote IRR and delivery
 * status read-only); error vector and mask. */
static const u32 lvt_writable[6] = {0x700ff, 0x107ff, 0x107ff,
				    0x1a7ff, 0x1a7ff, 0x100ff};

void vlapic_init(struct vlapic *a)
{
	mem_set(a, 0, sizeof(*a));
	a->dfr = 0xffffffff;
	a->spiv = 0xff;
	for (unsigned i = 0; i < ARRAY_SIZE(a->lvt); i++)
		a->lvt[i] = LVT_MASKED;
}

void vlapic_set_clock(struct vlapic *a, u64 (*clock)(void *), void *ctx)
{
	a->clock = clock;
	a->clock_ctx = ctx;
}

static u64 now(const struct vlapic *a)
{
	return a->clock ? a->clock(a->clock_ctx) : 0;
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

void vlapic_accept_nmi(struct vlapic *a)
{
	if (a->nmi_pending) {
		a->nmi_pending--;
		a->irr_count--;
	}
}

static void set_irr(struct vlapic *a, unsigned vec)
{
	if (!(a->irr[vec / 32] & (1U << (vec % 32))))
		a->irr_count++;
	a->irr[vec / 32] |= 1U << (vec % 32);
}

/* EOI retires the highest vector in service; a level-triggered one is
 * broadcast to the I/O APIC (SDM Vol 3A 11.8.5). */
static void eoi(struct vlapic *a)
{
	int v = highest(a->isr);
	u32 bit;

	a->eois++;
	if (v < 0)
		return;
	bit = 1U << (v % 32);
	a->isr[v / 32] &= ~bit;
	if ((a->tmr[v / 32] & bit) && a->eoi_level)
		a->eoi_level(a->eoi_ctx, (u8)v);
}

void vlapic_nmi(struct vlapic *a)
{
	a->nmi_pending++;
	a->irr_count++;
}

void vlapic_set_irq(struct vlapic *a, u8 vector, bool level)
{
	u32 bit = 1U << (vector % 32);

	if (vector < 16) {
		a->esr |= LAPIC_ESR_RECV_ILLEGAL_VEC;
		return;
	}
	if (level)
		a->tmr[vector / 32] |= bit;
	else
		a->tmr[vector / 32] &= ~bit;
	set_irr(a, vector);
}

#define LVT_LINT0	3
#define LVT_MODE(x)	(((x) >> 8) & 7)
#define LVT_MODE_EXTINT 7

bool vlapic_extint_enabled(const struct vlapic *a)
{
	u32 lvt = a->lvt[LVT_LINT0];

	return !(lvt & LVT_MASKED) && LVT_MODE(lvt) == LVT_MODE_EXTINT;
}

static void send_ipi(struct vlapic *a, u32 lo)
{
	unsigned sh = ICR_SHORTHAND(lo), vec = ICR_VECTOR(lo);
	bool to_self = sh == ICR_SH_SELF || sh == ICR_SH_ALL ||
		       (sh == ICR_SH_NONE && (a->icr_hi >> 24) == 0);

	/* NMI delivery ignores the vector (SDM Vol 3A 11.6.1); NMIs to self
	 * do not latch in the IRR: one more waits for the CPU. */
	if (to_self && ICR_MODE(lo) == ICR_MODE_NMI) {
		vlapic_nmi(a);
		return;
	}
	if (!to_self || ICR_MODE(lo) != ICR_MODE_FIXED || vec < 16) {
		a->ipis_ignored++; /* INIT/SIPI to other CPUs: none exist */
		return;
	}
	a->tmr[vec / 32] &= ~(1U << (vec % 32)); /* IPIs are edge */
	set_irr(a, vec);
	a->ipis_self++;
}

/* ---- timer (SDM Vol 3A 11.5.4) ------------------------------------------ */

static unsigned timer_mode(const struct vlapic *a)
{
	return LAPIC_TIMER_MODE(a->lvt[LVT_TIMER]);
}

/* Divide configuration (Figure 11-10): bits 3,1:0; 111b divides by 1. */
static u64 timer_divisor(const struct vlapic *a)
{
	u32 v = ((a->timer_dcr >> 1) & 4) | (a->timer_dcr & 3);

	return v == 7 ? 1 : 2ULL << v;
}

static void write_initial_count(struct vlapic *a, u32 val)
{
	if (timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
		return; /* ignored in TSC-deadline mode */
	a->timer_icr = val;
	a->timer_period = (u64)val * timer_divisor(a);
	a->timer_deadline = val ? now(a) + a->timer_period : 0;
}

/* Counts left, rounded up: the initial count just after arming, 0 once a
 * one-shot count has run out. */
static u32 current_count(const struct vlapic *a)
{
	u64 t = now(a), div = timer_divisor(a), left;

	if (timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE || !a->timer_deadline)
		return 0;
	if (t < a->timer_deadline)
		left = a->timer_deadline - t;
	else if (timer_mode(a) == LAPIC_TIMER_PERIODIC && a->timer_period)
		left =
		    a->timer_period - (t - a->timer_deadline) % a->timer_period;
	else
		return 0;
	return (u32)MIN((left + div - 1) / div, (u64)a->timer_icr);
}

/* Changing to or from TSC-deadline mode disarms the timer and clears the
 * count and the deadline; one-shot <-> periodic keeps it running. */
static void write_lvt_timer(struct vlapic *a, u32 val)
{
	bool was_dl = timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE;

	a->lvt[LVT_TIMER] = val;
	if (was_dl != (timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)) {
		a->timer_icr = 0;
		a->timer_period = 0;
		a->timer_deadline = 0;
		a->tsc_deadline = 0;
	}
}

void vlapic_timer_tick(struct vlapic *a)
{
	u64 t, k;
	u32 lvt = a->lvt[LVT_TIMER];

	if (!a->timer_deadline || (t = now(a)) < a->timer_deadline)
		return;
	a->timer_fires++;
	if (!(lvt & LVT_MASKED)) {
		if ((lvt & 0xff) < 16)
			a->esr |= LAPIC_ESR_RECV_ILLEGAL_VEC;
		else
			set_irr(a, lvt & 0xff);
	}
	if (timer_mode(a) == LAPIC_TIMER_PERIODIC && a->timer_period) {
		k = (t - a->timer_deadline) / a->timer_period + 1;
		a->timer_deadline += k * a->timer_period;
	} else {
		a->timer_deadline = 0;
		a->tsc_deadline = 0;
	}
}

bool vlapic_timer_can_wake(const struct vlapic *a)
{
	return a->timer_deadline && !(a->lvt[LVT_TIMER] & LVT_MASKED) &&
	       (a->lvt[LVT_TIMER] & 0xff) >= 16;
}

u64 vlapic_read_tsc_deadline(const struct vlapic *a)
{
	return timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE ? a->tsc_deadline : 0;
}

void vlapic_write_tsc_deadline(struct vlapic *a, u64 val, u64 tsc_offset)
{
	if (timer_mode(a) != LAPIC_TIMER_TSC_DEADLINE)
		return;
	a->tsc_deadline = val;
	a->timer_deadline = val ? val - tsc_offset : 0;
	a->timer_deadline += val && !a->timer_deadline; /* 0 is "off" */
}

static u32 *bank(struct vlapic *a, u32 off)
{
	if (off >= LAPIC_ISR && off < LAPIC_ISR + 0x80)
		return &a->isr[(off - LAPIC_ISR) / 16];
	if (off >= LAPIC_IRR && off < LAPIC_IRR + 0x80)
		return &a->irr[(off - LAPIC_IRR) / 16];
	if (off >= LAPIC_TMR && off < LAPIC_TMR + 0x80)
		return &a->tmr[(off - LAPIC_TMR) / 16];
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
	case LAPIC_TIMER_CCR:
		return current_count(a);
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
		write_initial_count(a, val);
		break;
	case LAPIC_TIMER_DCR:
		a->timer_dcr = val & 0xb;
		break;
	default:
		/* while software-disabled the masks cannot be cleared */
		if (!(a->spiv & LAPIC_SPIV_ENABLE))
			val |= LVT_MASKED;
		if (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR + 0xf) {
			u32 i = ((off & ~0xfU) - LAPIC_LVT_TIMER) / 16;

			if (i == LVT_TIMER)
				write_lvt_timer(a, val & lvt_writable[i]);
			else
				a->lvt[i] = val & lvt_writable[i];
		}
		break; /* ID, version, ISR/IRR/TMR, PPR: read-only */
	}
}
