/* SPDX-License-Identifier: MIT */
/*
 * Emulated local APIC in xAPIC mode (pure): the register page at
 * 0xFEE00000 (SDM Vol 3A 11.4.1, Table 11-1), IRR/ISR/TPR/PPR priority
 * logic (11.8.3), self-IPIs through the ICR (11.6.1) and the timer in
 * one-shot, periodic and TSC-deadline modes (11.5.4). One CPU: IPIs to
 * "all excluding self" (INIT/SIPI of SMP start-up) are accepted and
 * ignored.
 *
 * Time comes from the clock callback, in guest TSC ticks; the timer counts
 * at that rate before its divider. The model is passive: the caller runs
 * vlapic_timer_tick() when the clock may have passed timer_deadline.
 */
#ifndef MICA_VMM_DEV_VLAPIC_H
#define MICA_VMM_DEV_VLAPIC_H

#include "mm/base/types.h"

#define LAPIC_BASE_DEFAULT 0xfee00000ULL
#define LAPIC_SIZE	   0x1000

#define LAPIC_ID	0x20
#define LAPIC_VERSION	0x30
#define LAPIC_TPR	0x80
#define LAPIC_APR	0x90
#define LAPIC_PPR	0xa0
#define LAPIC_EOI	0xb0
#define LAPIC_LDR	0xd0
#define LAPIC_DFR	0xe0
#define LAPIC_SPIV	0xf0
#define LAPIC_ISR	0x100
#define LAPIC_TMR	0x180
#define LAPIC_IRR	0x200
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

#define LAPIC_SPIV_ENABLE BIT(8)

#define LAPIC_LVT_MASKED	   BIT(16)
#define LAPIC_LVT_EXTINT	   (7U << 8)
#define LAPIC_LVT_NMI		   (4U << 8)
#define LAPIC_TIMER_MODE(lvt)	   (((lvt) >> 17) & 3)
#define LAPIC_TIMER_ONESHOT	   0
#define LAPIC_TIMER_PERIODIC	   1
#define LAPIC_TIMER_TSC_DEADLINE   2
#define LAPIC_ESR_RECV_ILLEGAL_VEC BIT(6)

struct vlapic {
	/* The register page, each register at its offset (Table 11-1); it
	 * doubles as the virtual-APIC page (vlapic_set_hw). */
	u32 regs[LAPIC_SIZE / 4] __aligned(LAPIC_SIZE);
	u32 irr_count;	    /* nonzero: look at the APIC before the next entry
			  * (trap mode: bits set in the IRR plus nmi_pending;
			  * with APIC virtualization also any change for
			  * vlapic_hw_sync) */
	u32 nmi_pending;    /* NMIs sent to self, not yet taken by the CPU */
	bool hw;	    /* the CPU virtualizes the APIC on this page */
	bool tmr_changed;   /* TMR bits changed since vlapic_tmr_word() */
	u8 timer_lvt_mode;  /* timer mode in force (LVT timer bits 18:17) */
	u64 timer_deadline; /* clock value of the next expiry; 0: disarmed */
	u64 timer_period;   /* one-shot/periodic: clock ticks per count */
	u64 tsc_deadline;   /* IA32_TSC_DEADLINE as armed; 0 once fired */
	u64 (*clock)(void *ctx);
	void *clock_ctx;
	/* EOI of a level-triggered vector (TMR set): to the I/O APIC. */
	void (*eoi_level)(void *ctx, u8 vector);
	void *eoi_ctx;
	u64 ipis_self, ipis_ignored, eois, timer_fires;
};

/* Reset state (SDM Vol 3A 11.4.7.1); the clock reads as 0 until set. */
void vlapic_init(struct vlapic *a);
void vlapic_set_clock(struct vlapic *a, u64 (*clock)(void *), void *ctx);

/* 4-byte register access at offset off (16-byte aligned registers); other
 * sizes read/write the bytes of the register they fall in. */
u32 vlapic_read(struct vlapic *a, u32 off);
void vlapic_write(struct vlapic *a, u32 off, u32 val);

/* Highest pending vector that the current priority lets through, or -1
 * (SDM Vol 3A 11.8.3: its class must exceed the PPR's). */
int vlapic_pending(const struct vlapic *a);

/* With a TPR shadow and no virtual-interrupt delivery: the TPR threshold
 * (SDM Vol 3C "TPR Virtualization") that makes the CPU exit when the
 * guest lowers its TPR below the class of the highest requested vector,
 * or 0 when the TPR holds nothing back. */
u8 vlapic_tpr_threshold(const struct vlapic *a);

/* The CPU accepts vector v (from vlapic_pending): IRR -> ISR. */
void vlapic_accept(struct vlapic *a, int v);

/* The CPU takes one pending NMI. */
void vlapic_accept_nmi(struct vlapic *a);

/* An interrupt message from the I/O APIC (SDM Vol 3A 11.6.1, 11.8.4):
 * fixed or lowest-priority sets the vector's IRR bit and its TMR bit to
 * the trigger mode (vectors below 16 set ESR "received illegal vector");
 * NMI makes an NMI pending. */
void vlapic_set_irq(struct vlapic *a, u8 vector, bool level);
void vlapic_nmi(struct vlapic *a);

/* LINT0 takes an external interrupt from the 8259 (virtual wire, MP spec
 * 3.6.2.2): unmasked with delivery mode ExtINT. */
bool vlapic_extint_enabled(const struct vlapic *a);

/* Processor priority (11.8.3.1). */
u32 vlapic_ppr(const struct vlapic *a);

/* The timer expires if the clock has reached timer_deadline: the LVT
 * vector becomes pending unless masked; a periodic timer re-arms (missed
 * periods coalesce, as in one IRR bit), the others disarm. */
void vlapic_timer_tick(struct vlapic *a);

/* The timer is armed and its expiry would raise an interrupt. */
bool vlapic_timer_can_wake(const struct vlapic *a);

/* IA32_TSC_DEADLINE (MSR 0x6E0, 11.5.4.1): reads 0 and ignores writes
 * outside TSC-deadline mode; writing 0 disarms. val is a guest TSC value,
 * tsc_offset what the guest's TSC is ahead of the clock. */
u64 vlapic_read_tsc_deadline(const struct vlapic *a);
void vlapic_write_tsc_deadline(struct vlapic *a, u64 val, u64 tsc_offset);

/*
 * APIC virtualization (SDM Vol 3C "APIC Virtualization and Virtual
 * Interrupts"): regs is the virtual-APIC page. The CPU delivers pending
 * vectors from the IRR, retires EOIs and tracks TPR/PPR itself; mica runs
 * vlapic_write() on the value the CPU stored for an APIC-write exit, and
 * vlapic_eoi_exit() for an EOI-induced exit (the CPU has cleared the ISR
 * bit). Vectors are raised as in trap mode; irr_count then says the CPU
 * must be told.
 */
void vlapic_set_hw(struct vlapic *a, bool on);

/* The guest interrupt status for the VMCS, RVI | SVI << 8 (the highest
 * vector requested and in service), after updating PPR in the page;
 * clears irr_count but for pending NMIs. */
u16 vlapic_hw_sync(struct vlapic *a);

/* EOI-induced exit for vector (its EOI-exit bitmap bit was set). */
void vlapic_eoi_exit(struct vlapic *a, u8 vector);

/* TMR bits 32w..32w+31, for the EOI-exit bitmap (a level-triggered
 * vector's EOI must reach the I/O APIC); clears tmr_changed. */
u32 vlapic_tmr_word(struct vlapic *a, unsigned w);

/* A register as stored in the page (tests, diagnostics). */
static inline u32 *vlapic_reg(struct vlapic *a, u32 off)
{
	return &a->regs[(off & ~0xfU) >> 2];
}

#endif /* MICA_VMM_DEV_VLAPIC_H */
