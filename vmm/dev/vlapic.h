/* SPDX-License-Identifier: MIT */
/*
 * Emulated local APIC in xAPIC mode (pure): the register page at
 * 0xFEE00000 (SDM Vol 3A 11.4.1, Table 11-1), IRR/ISR/TPR/PPR priority
 * logic (11.8.3) and self-IPIs through the ICR (11.6.1). One CPU: IPIs to
 * "all excluding self" (INIT/SIPI of SMP start-up) are accepted and
 * ignored; there is no timer.
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
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

#define LAPIC_SPIV_ENABLE BIT(8)

struct vlapic {
	u32 irr[8], isr[8];
	u32 tpr, ldr, dfr, spiv, esr, icr_lo, icr_hi;
	u32 lvt[7]; /* timer, thermal, perf, LINT0, LINT1, error, CMCI */
	u32 timer_icr, timer_dcr;
	u32 irr_count; /* bits set in irr: lets the exit path test one word */
	u64 ipis_self, ipis_ignored, eois;
};

void vlapic_init(struct vlapic *a);

/* 4-byte register access at offset off (16-byte aligned registers); other
 * sizes read/write the bytes of the register they fall in. */
u32 vlapic_read(struct vlapic *a, u32 off);
void vlapic_write(struct vlapic *a, u32 off, u32 val);

/* Highest pending vector that the current priority lets through, or -1
 * (SDM Vol 3A 11.8.3: its class must exceed the PPR's). */
int vlapic_pending(const struct vlapic *a);

/* The CPU accepts vector v (from vlapic_pending): IRR -> ISR. */
void vlapic_accept(struct vlapic *a, int v);

/* Processor priority (11.8.3.1). */
u32 vlapic_ppr(const struct vlapic *a);

#endif /* MICA_VMM_DEV_VLAPIC_H */
