/* SPDX-License-Identifier: MIT */
/*
 * Local APIC model, xAPIC register interface. The registers live in the
 * 4 KiB page regs[] at their architectural offsets, so the same page can
 * be the CPU's virtual-APIC page (SDM Vol 3C "Virtual-APIC Page"): with
 * APIC virtualization the CPU reads most registers, updates TPR, PPR, IRR
 * and ISR there itself, and mica runs vlapic_write() on what it stored.
 * Registers not modelled read as zero and ignore writes, as reserved
 * registers do on hardware; the ICR's delivery-status bit reads idle.
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
#define ICR_DEST_LOGICAL   BIT(11)
#define ICR_DELIV_STATUS   BIT(12)
#define LVT_MASKED	   LAPIC_LVT_MASKED
#define NR_LVT		   6 /* timer .. error: 0x320-0x370 */

#define REG(a, off)   ((a)->regs[(off) >> 2])
#define LVT(a, i)     REG(a, LAPIC_LVT_TIMER + 0x10 * (i))
#define WORD(a, b, w) REG(a, (b) + 0x10 * (w))

/* Writable bits of each LVT entry (SDM Vol 3A Figure 11-8): timer
 * vector, mask and mode; thermal and performance vector, delivery mode
 * and mask; LINT0/1 also polarity and trigger (remote IRR and delivery
 * status read-only); error vector and mask. */
static const u32 lvt_writable[NR_LVT] = {0x700ff, 0x107ff, 0x107ff,
					 0x1a7ff, 0x1a7ff, 0x100ff};

void vlapic_init(struct vlapic *a)
{
	mem_set(a, 0, sizeof(*a));
	REG(a, LAPIC_VERSION) = APIC_VERSION_VALUE;
	REG(a, LAPIC_DFR) = 0xffffffff;
	REG(a, LAPIC_SPIV) = 0xff;
	for (unsigned i = 0; i < NR_LVT; i++)
		LVT(a, i) = LVT_MASKED;
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

/* Highest bit set in the 256-bit register at base (IRR, ISR, TMR). */
static int highest(const struct vlapic *a, u32 base)
{
	for (int w = 7; w >= 0; w--) {
		u32 x = WORD(a, base, w);

		if (x)
			return w * 32 + 31 - __builtin_clz(x);
	}
	return -1;
}

static bool test_bit(const struct vlapic *a, u32 base, unsigned v)
{
	return WORD(a, base, v / 32) & (1U << (v % 32));
}

static void put_bit(struct vlapic *a, u32 base, unsigned v, bool on)
{
	if (on)
		WORD(a, base, v / 32) |= 1U << (v % 32);
	else
		WORD(a, base, v / 32) &= ~(1U << (v % 32));
}

u32 vlapic_ppr(const struct vlapic *a)
{
	int isrv = highest(a, LAPIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;
	u32 tpr = REG(a, LAPIC_TPR) & 0xff;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

u8 vlapic_tpr_threshold(const struct vlapic *a)
{
	int v = highest(a, LAPIC_IRR);
	u32 tpr = REG(a, LAPIC_TPR) & 0xff;

	if (v < 0 || ((u32)v & 0xf0) > (tpr & 0xf0))
		return 0;
	return (u8)((u32)v >> 4);
}

int vlapic_pending(const struct vlapic *a)
{
	int v = highest(a, LAPIC_IRR);

	if (v < 0 || !(REG(a, LAPIC_SPIV) & LAPIC_SPIV_ENABLE))
		return -1;
	return ((u32)v & 0xf0) > (vlapic_ppr(a) & 0xf0) ? v : -1;
}

/* The CPU must look at the APIC before the next entry: in trap mode one
 * count per IRR bit (taken back by vlapic_accept), with APIC
 * virtualization any change vlapic_hw_sync() must hand to the CPU. */
static void attention(struct vlapic *a)
{
	a->irr_count++;
}

void vlapic_accept(struct vlapic *a, int v)
{
	if (test_bit(a, LAPIC_IRR, (unsigned)v))
		a->irr_count--;
	put_bit(a, LAPIC_IRR, (unsigned)v, false);
	put_bit(a, LAPIC_ISR, (unsigned)v, true);
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
	if (a->hw || !test_bit(a, LAPIC_IRR, vec))
		attention(a);
	put_bit(a, LAPIC_IRR, vec, true);
}

static void set_tmr(struct vlapic *a, unsigned vec, bool level)
{
	if (test_bit(a, LAPIC_TMR, vec) != level)
		a->tmr_changed = true;
	put_bit(a, LAPIC_TMR, vec, level);
}

/* A level-triggered vector's EOI goes on to the I/O APIC (SDM Vol 3A
 * 11.8.5). */
static void eoi_done(struct vlapic *a, int v)
{
	a->eois++;
	if (v >= 0 && test_bit(a, LAPIC_TMR, (unsigned)v) && a->eoi_level)
		a->eoi_level(a->eoi_ctx, (u8)v);
}

/* EOI retires the highest vector in service. */
static void eoi(struct vlapic *a)
{
	int v = highest(a, LAPIC_ISR);

	if (v >= 0)
		put_bit(a, LAPIC_ISR, (unsigned)v, false);
	if (a->hw)
		attention(a); /* SVI and PPR change */
	eoi_done(a, v);
}

void vlapic_eoi_exit(struct vlapic *a, u8 vector)
{
	eoi_done(a, vector);
}

/* One NMI can be pending (SDM Vol 3A 6.7.1, "Handling Multiple NMIs"):
 * one that arrives while another waits is lost. */
void vlapic_nmi(struct vlapic *a)
{
	if (a->nmi_pending)
		return;
	a->nmi_pending = 1;
	a->irr_count++;
}

void vlapic_set_irq(struct vlapic *a, u8 vector, bool level)
{
	if (vector < 16) {
		REG(a, LAPIC_ESR) |= LAPIC_ESR_RECV_ILLEGAL_VEC;
		return;
	}
	set_tmr(a, vector, level);
	set_irr(a, vector);
}

#define LVT_LINT0	3
#define LVT_TIMER	0
#define LVT_MODE(x)	(((x) >> 8) & 7)
#define LVT_MODE_EXTINT 7

bool vlapic_extint_enabled(const struct vlapic *a)
{
	u32 lvt = LVT(a, LVT_LINT0);

	return !(lvt & LVT_MASKED) && LVT_MODE(lvt) == LVT_MODE_EXTINT;
}

static bool dest_is_self(const struct vlapic *a, u32 lo, u32 dest)
{
	u32 ldr = REG(a, LAPIC_LDR) >> 24;

	if (!(lo & ICR_DEST_LOGICAL))
		return dest == 0 || dest == 0xff;
	if (dest == 0xff)
		return true;
	if ((REG(a, LAPIC_DFR) >> 28) == 0xf) /* flat */
		return (dest & ldr) != 0;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf); /* cluster */
}

static void send_ipi(struct vlapic *a, u32 lo)
{
	unsigned sh = ICR_SHORTHAND(lo), vec = ICR_VECTOR(lo);
	u32 dest = REG(a, LAPIC_ICR_HI) >> 24;
	/* With no shorthand, physical destination 0 (this CPU's APIC ID)
	 * and 0xFF (broadcast) reach this CPU (SDM Vol 3A 11.6.2.1), as a
	 * logical destination does that has a bit of its LDR in the flat
	 * model or its cluster and a bit in the cluster model (11.6.2.2). */
	bool to_self = sh == ICR_SH_SELF || sh == ICR_SH_ALL ||
		       (sh == ICR_SH_NONE && dest_is_self(a, lo, dest));

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
	set_tmr(a, vec, false); /* IPIs are edge */
	set_irr(a, vec);
	a->ipis_self++;
}

/* ---- timer (SDM Vol 3A 11.5.4) ------------------------------------------ */

static unsigned timer_mode(const struct vlapic *a)
{
	return LAPIC_TIMER_MODE(LVT(a, LVT_TIMER));
}

/* Divide configuration (Figure 11-10): bits 3,1:0; 111b divides by 1. */
static u64 timer_divisor(const struct vlapic *a)
{
	u32 dcr = REG(a, LAPIC_TIMER_DCR);
	u32 v = ((dcr >> 1) & 4) | (dcr & 3);

	return v == 7 ? 1 : 2ULL << v;
}

static void write_initial_count(struct vlapic *a, u32 val)
{
	if (timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE) {
		REG(a, LAPIC_TIMER_ICR) = 0; /* ignored in this mode */
		return;
	}
	REG(a, LAPIC_TIMER_ICR) = val;
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
	return (u32)MIN((left + div - 1) / div, (u64)REG(a, LAPIC_TIMER_ICR));
}

/* Changing to or from TSC-deadline mode disarms the timer and clears the
 * count and the deadline; one-shot <-> periodic keeps it running. The
 * mode in force is timer_lvt_mode: with APIC virtualization the CPU has
 * already stored the new value in the page. */
static void write_lvt_timer(struct vlapic *a, u32 val)
{
	bool was_dl = a->timer_lvt_mode == LAPIC_TIMER_TSC_DEADLINE;

	LVT(a, LVT_TIMER) = val;
	a->timer_lvt_mode = (u8)timer_mode(a);
	if (was_dl != (timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)) {
		REG(a, LAPIC_TIMER_ICR) = 0;
		a->timer_period = 0;
		a->timer_deadline = 0;
		a->tsc_deadline = 0;
	}
}

void vlapic_timer_tick(struct vlapic *a)
{
	u64 t, k;
	u32 lvt = LVT(a, LVT_TIMER);

	if (!a->timer_deadline || (t = now(a)) < a->timer_deadline)
		return;
	a->timer_fires++;
	if (!(lvt & LVT_MASKED)) {
		if ((lvt & 0xff) < 16)
			REG(a, LAPIC_ESR) |= LAPIC_ESR_RECV_ILLEGAL_VEC;
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
	u32 lvt = LVT(a, LVT_TIMER);

	return a->timer_deadline && !(lvt & LVT_MASKED) && (lvt & 0xff) >= 16;
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

/* ---- register interface ------------------------------------------------- */

static bool in_bank(u32 off, u32 base)
{
	return off >= base && off < base + 0x80;
}

u32 vlapic_read(struct vlapic *a, u32 off)
{
	off &= ~0xfU;
	switch (off) {
	case LAPIC_PPR:
		return vlapic_ppr(a);
	case LAPIC_EOI: /* write-only */
		return 0;
	case LAPIC_TIMER_CCR:
		return current_count(a);
	case LAPIC_ICR_LO:
		return REG(a, off) & ~(u32)ICR_DELIV_STATUS;
	case LAPIC_ID:
	case LAPIC_VERSION:
	case LAPIC_TPR:
	case LAPIC_LDR:
	case LAPIC_DFR:
	case LAPIC_SPIV:
	case LAPIC_ESR:
	case LAPIC_ICR_HI:
	case LAPIC_TIMER_ICR:
	case LAPIC_TIMER_DCR:
		return REG(a, off);
	default:
		if (in_bank(off, LAPIC_ISR) || in_bank(off, LAPIC_TMR) ||
		    in_bank(off, LAPIC_IRR) ||
		    (off >= LAPIC_LVT_TIMER && off <= LAPIC_LVT_ERROR))
			return REG(a, off);
		return 0;
	}
}

/*
 * Every case leaves the page holding what a read returns, which matters
 * when the CPU has stored the guest's raw value first (APIC-write exits,
 * SDM Vol 3C "APIC-Write Emulation"). The registers the CPU never
 * virtualizes writes to (version, PPR, ISR/TMR/IRR, current count) are
 * not stored here either.
 */
void vlapic_write(struct vlapic *a, u32 off, u32 val)
{
	off &= ~0xfU;
	switch (off) {
	case LAPIC_ID:
		REG(a, off) = 0; /* one CPU: its ID is 0 */
		break;
	case LAPIC_TPR:
		REG(a, off) = val & 0xff;
		if (a->hw)
			attention(a); /* PPR changes */
		break;
	case LAPIC_EOI:
		REG(a, off) = 0;
		eoi(a);
		break;
	case LAPIC_LDR:
		REG(a, off) = val & 0xff000000;
		break;
	case LAPIC_DFR:
		REG(a, off) = val | 0x0fffffff;
		break;
	case LAPIC_SPIV:
		REG(a, off) = val & 0x3ff;
		/* 11.4.7.2: software disable sets every LVT mask bit */
		if (!(val & LAPIC_SPIV_ENABLE))
			for (unsigned i = 0; i < NR_LVT; i++)
				LVT(a, i) |= LVT_MASKED;
		break;
	case LAPIC_ESR:
		REG(a, off) = 0;
		break;
	case LAPIC_ICR_HI:
		REG(a, off) = val & 0xff000000;
		break;
	case LAPIC_ICR_LO:
		REG(a, off) = val & ~(u32)ICR_DELIV_STATUS;
		send_ipi(a, val);
		break;
	case LAPIC_TIMER_ICR:
		write_initial_count(a, val);
		break;
	case LAPIC_TIMER_DCR:
		REG(a, off) = val & 0xb;
		break;
	default:
		if (off < LAPIC_LVT_TIMER || off > LAPIC_LVT_ERROR)
			break; /* version, PPR, ISR/TMR/IRR: read-only */
		/* while software-disabled the masks cannot be cleared */
		if (!(REG(a, LAPIC_SPIV) & LAPIC_SPIV_ENABLE))
			val |= LVT_MASKED;
		u32 i = (off - LAPIC_LVT_TIMER) / 16;

		if (i == LVT_TIMER)
			write_lvt_timer(a, val & lvt_writable[i]);
		else
			LVT(a, i) = val & lvt_writable[i];
		break;
	}
}

/* ---- APIC virtualization ------------------------------------------------ */

void vlapic_set_hw(struct vlapic *a, bool on)
{
	a->hw = on;
	a->tmr_changed = on;
}

u16 vlapic_hw_sync(struct vlapic *a)
{
	int rvi = highest(a, LAPIC_IRR), svi = highest(a, LAPIC_ISR);

	REG(a, LAPIC_PPR) = vlapic_ppr(a);
	a->irr_count = a->nmi_pending;
	return (u16)((rvi < 0 ? 0 : rvi) | (svi < 0 ? 0 : svi) << 8);
}

u32 vlapic_tmr_word(struct vlapic *a, unsigned w)
{
	a->tmr_changed = false;
	return WORD(a, LAPIC_TMR, w);
}
