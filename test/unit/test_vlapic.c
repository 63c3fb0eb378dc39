/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/dev/vlapic.c: xAPIC registers (SDM Vol 3A 11.4.1,
 * Table 11-1), PPR (11.8.3.1), self-IPIs through the ICR (11.6.1), and
 * the IRR/ISR/TPR priority logic (11.8.3, 11.8.4, 11.8.5).
 */
#include "vmm/dev/vlapic.h"
#include "test/unit/support/tap.h"

#define ICR_SELF    (1U << 18)
#define ICR_ALL	    (2U << 18)
#define ICR_ALL_BUT (3U << 18)
#define ICR_INIT    (5U << 8)
#define ICR_SIPI    (6U << 8)
#define ICR_DS	    (1U << 12)
#define LVT_MASK    (1U << 16)
#define LVT_LINT0   0x350
#define LVT_LINT1   0x360

static bool irr_has(struct vlapic *a, unsigned v)
{
	return vlapic_read(a, LAPIC_IRR + 0x10 * (v / 32)) & (1U << (v % 32));
}

static bool isr_has(struct vlapic *a, unsigned v)
{
	return vlapic_read(a, LAPIC_ISR + 0x10 * (v / 32)) & (1U << (v % 32));
}

static void enabled(struct vlapic *a)
{
	vlapic_init(a);
	vlapic_write(a, LAPIC_SPIV, LAPIC_SPIV_ENABLE | 0xff);
}

static void test_reset(void)
{
	struct vlapic a;
	bool lvts = true;

	vlapic_init(&a);
	for (u32 off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 0x10)
		lvts &= vlapic_read(&a, off) == LVT_MASK;
	tap_ok(vlapic_read(&a, LAPIC_ID) == 0 &&
		   vlapic_read(&a, LAPIC_VERSION) == 0x00050014 &&
		   vlapic_read(&a, LAPIC_TPR) == 0 &&
		   vlapic_read(&a, LAPIC_PPR) == 0 &&
		   vlapic_read(&a, LAPIC_SPIV) == 0xff &&
		   vlapic_read(&a, LAPIC_DFR) == 0xffffffff &&
		   vlapic_read(&a, LAPIC_LDR) == 0 &&
		   vlapic_read(&a, LAPIC_ESR) == 0 && lvts,
	       "reset state (11.4.7.1): ID 0, version 0x14 with 6 LVTs, SPIV "
	       "0xFF, DFR all ones, LVTs masked");
}

static void test_registers(void)
{
	struct vlapic a;

	enabled(&a);
	vlapic_write(&a, LAPIC_ID, 0x05000000);
	vlapic_write(&a, LAPIC_VERSION, 0);
	vlapic_write(&a, LAPIC_PPR, 0xff);
	tap_ok(vlapic_read(&a, LAPIC_ID) == 0 &&
		   vlapic_read(&a, LAPIC_VERSION) == 0x00050014 &&
		   vlapic_read(&a, LAPIC_PPR) == 0,
	       "ID, version and PPR ignore writes");
	vlapic_write(&a, LAPIC_TPR, 0x12345678);
	tap_ok(vlapic_read(&a, LAPIC_TPR) == 0x78 &&
		   vlapic_read(&a, LAPIC_TPR + 4) == 0x78,
	       "TPR keeps bits 7:0; an offset inside reaches the register");
	vlapic_write(&a, LAPIC_SPIV, 0xffffffff);
	tap_ok(vlapic_read(&a, LAPIC_SPIV) == 0x3ff,
	       "SPIV keeps vector, APIC enable and focus bits");
	vlapic_write(&a, LAPIC_DFR, 0);
	tap_ok(vlapic_read(&a, LAPIC_DFR) == 0x0fffffff,
	       "DFR bits 27:0 read as ones (flat model 0xF, cluster 0x0)");
	vlapic_write(&a, LAPIC_LDR, 0x12345678);
	tap_ok(vlapic_read(&a, LAPIC_LDR) == 0x12000000,
	       "LDR keeps bits 31:24");
	vlapic_write(&a, LAPIC_ICR_HI, 0x01ffffff);
	tap_ok(vlapic_read(&a, LAPIC_ICR_HI) == 0x01000000,
	       "ICR high keeps the destination field only");
	vlapic_write(&a, LAPIC_ICR_LO, ICR_DS | ICR_SELF | 0x4040);
	tap_ok(vlapic_read(&a, LAPIC_ICR_LO) == (ICR_SELF | 0x4040),
	       "ICR delivery status reads idle (0)");
	*vlapic_reg(&a, LAPIC_ESR) = 0x40;
	vlapic_write(&a, LAPIC_ESR, 0x1234);
	tap_ok(vlapic_read(&a, LAPIC_ESR) == 0, "a write to ESR clears it");
	vlapic_write(&a, LAPIC_TIMER_DCR, 0xffffffff);
	vlapic_write(&a, LAPIC_TIMER_ICR, 0x12345678);
	tap_ok(vlapic_read(&a, LAPIC_TIMER_DCR) == 0xb &&
		   vlapic_read(&a, LAPIC_TIMER_ICR) == 0x12345678 &&
		   vlapic_read(&a, LAPIC_TIMER_CCR) == 0x12345678,
	       "timer divide keeps bits 0,1,3; initial count reads back, the "
	       "current count starts at it (clock not running)");
	vlapic_write(&a, LAPIC_IRR, 0xffffffff);
	vlapic_write(&a, LAPIC_ISR + 0x70, 0xffffffff);
	vlapic_write(&a, LAPIC_TMR, 0xffffffff);
	tap_ok(vlapic_read(&a, LAPIC_IRR) == 0 &&
		   vlapic_read(&a, LAPIC_ISR + 0x70) == 0 &&
		   vlapic_read(&a, LAPIC_TMR) == 0 && vlapic_pending(&a) < 0,
	       "IRR, ISR and TMR are read-only");
}

/*
 * SDM Vol 3A Figure 11-8: delivery status (bit 12) and remote IRR (bit
 * 14) are read-only; the mask is bit 16.
 */
static void test_lvt(void)
{
	struct vlapic a;

	enabled(&a);
	vlapic_write(&a, LVT_LINT0, 0x0000a7ff);
	vlapic_write(&a, LVT_LINT1, 0x00000400);
	tap_ok(vlapic_read(&a, LVT_LINT0) == 0xa7ff &&
		   vlapic_read(&a, LVT_LINT1) == 0x400,
	       "LVT LINT0/LINT1: vector, mode, polarity, trigger, unmask");
	vlapic_write(&a, LVT_LINT0, 0xffffffff);
	tap_ok(vlapic_read(&a, LVT_LINT0) == 0x1a7ff,
	       "LVT: read-only delivery status and remote IRR do not stick");
	vlapic_write(&a, LAPIC_LVT_ERROR, 0x000000fe);
	tap_ok(vlapic_read(&a, LAPIC_LVT_ERROR) == 0xfe &&
		   vlapic_read(&a, LAPIC_LVT_TIMER) == LVT_MASK,
	       "LVT error is its own register");
	/* 11.4.7.2: software disable sets every LVT mask, and while
	 * disabled attempts to clear them are ignored. */
	vlapic_write(&a, LAPIC_SPIV, 0xff);
	tap_ok(vlapic_read(&a, LVT_LINT1) == (0x400 | LVT_MASK) &&
		   vlapic_read(&a, LAPIC_LVT_ERROR) == (0xfe | LVT_MASK),
	       "software disable masks every LVT");
	vlapic_write(&a, LVT_LINT1, 0x400);
	tap_ok(vlapic_read(&a, LVT_LINT1) == (0x400 | LVT_MASK),
	       "while disabled an LVT cannot be unmasked");
}

static void test_ppr(void)
{
	static const struct {
		u32 tpr;
		int isr;
		u32 ppr;
	} t[] = {
	    {0x00, -1, 0x00},	{0x35, -1, 0x35},   {0x35, 0x41, 0x40},
	    {0x45, 0x41, 0x45}, {0x4f, 0x4a, 0x4f}, {0x3f, 0x41, 0x40},
	    {0x40, 0xff, 0xf0}, {0xf0, 0x20, 0xf0}, {0x00, 0x10, 0x10},
	};
	struct vlapic a;
	unsigned bad = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		u32 got;

		enabled(&a);
		vlapic_write(&a, LAPIC_TPR, t[i].tpr);
		if (t[i].isr >= 0) {
			vlapic_write(&a, LAPIC_ICR_LO,
				     ICR_SELF | (u32)t[i].isr);
			vlapic_accept(&a, t[i].isr);
		}
		got = vlapic_read(&a, LAPIC_PPR);
		if (got != t[i].ppr || vlapic_ppr(&a) != got) {
			bad++;
			tap_diag("TPR %#x ISR %#x: PPR %#x want %#x", t[i].tpr,
				 t[i].isr, got, t[i].ppr);
		}
	}
	tap_ok(!bad,
	       "PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0 "
	       "(11.8.3.1), %zu cases",
	       ARRAY_SIZE(t));
}

static void test_ipis(void)
{
	struct vlapic a;

	enabled(&a);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x40);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_ALL | 0x61);
	vlapic_write(&a, LAPIC_ICR_HI, 0);
	vlapic_write(&a, LAPIC_ICR_LO, 0xfe);
	tap_ok(irr_has(&a, 0x40) && irr_has(&a, 0x61) && irr_has(&a, 0xfe) &&
		   a.ipis_self == 3 && a.ipis_ignored == 0,
	       "fixed IPIs to self, to all-including-self and to APIC ID 0 "
	       "set IRR");
	enabled(&a);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_ALL_BUT | ICR_INIT | 0x4000);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_ALL_BUT | ICR_SIPI | 0x4008);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_ALL_BUT | 0x50);
	vlapic_write(&a, LAPIC_ICR_HI, 0x01000000);
	vlapic_write(&a, LAPIC_ICR_LO, 0x51);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | ICR_INIT | 0x52);
	tap_ok(a.ipis_ignored == 5 && a.ipis_self == 0 && !irr_has(&a, 0x08) &&
		   !irr_has(&a, 0x50) && !irr_has(&a, 0x51) &&
		   !irr_has(&a, 0x52) && vlapic_pending(&a) < 0,
	       "INIT/SIPI/fixed to others and non-fixed to self are ignored");
	enabled(&a);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x0f);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x00);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x10);
	tap_ok(!irr_has(&a, 0x0f) && !irr_has(&a, 0) && irr_has(&a, 0x10) &&
		   a.ipis_ignored == 2 && a.ipis_self == 1,
	       "vectors 0..15 are not delivered, 16 is");
}

/* A fixed IPI with no shorthand to dest; true if it reached this CPU. */
static bool ipi_to(struct vlapic *a, u32 dest, bool logical, unsigned vec)
{
	vlapic_write(a, LAPIC_ICR_HI, dest << 24);
	vlapic_write(a, LAPIC_ICR_LO, (logical ? 1U << 11 : 0) | vec);
	return irr_has(a, vec);
}

/* Destinations (SDM Vol 3A 11.6.2): physical 0 (the APIC ID) and 0xFF
 * (broadcast); logical 0xFF (broadcast), in the flat model a destination
 * that shares a bit with the LDR, in the cluster model one of the LDR's
 * cluster that shares a member bit. */
static void test_destinations(void)
{
	struct vlapic a;
	bool phys, flat, cluster;

	enabled(&a);
	phys = ipi_to(&a, 0xff, false, 0x60) && !ipi_to(&a, 0x02, false, 0x61);
	vlapic_write(&a, LAPIC_LDR, 0x01000000);
	flat = ipi_to(&a, 0x01, true, 0x62) && ipi_to(&a, 0x03, true, 0x63) &&
	       !ipi_to(&a, 0x02, true, 0x64) && ipi_to(&a, 0xff, true, 0x65);
	vlapic_write(&a, LAPIC_DFR, 0x0fffffff);
	vlapic_write(&a, LAPIC_LDR, 0x21000000);
	cluster = ipi_to(&a, 0x21, true, 0x66) &&
		  !ipi_to(&a, 0x11, true, 0x67) &&
		  !ipi_to(&a, 0x22, true, 0x68) && ipi_to(&a, 0xff, true, 0x69);
	tap_ok(
	    phys && flat && cluster && a.ipis_ignored == 4,
	    "fixed IPIs reach this CPU at physical 0/0xFF and at its logical "
	    "destinations, flat and cluster (%u others ignored)",
	    (unsigned)a.ipis_ignored);
}

/* NMIs do not queue (SDM Vol 3A 6.7.1): while one is pending, another is
 * lost; once the CPU took it, the next one is pending again. */
static void test_nmi_latch(void)
{
	struct vlapic a;
	bool ok;

	enabled(&a);
	for (int i = 0; i < 3; i++)
		vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | (4U << 8));
	ok = a.nmi_pending == 1 && a.irr_count == 1;
	vlapic_accept_nmi(&a);
	ok &= a.nmi_pending == 0 && a.irr_count == 0;
	vlapic_nmi(&a);
	vlapic_nmi(&a);
	tap_ok(ok && a.nmi_pending == 1 && a.irr_count == 1,
	       "three self-NMIs leave one pending; taken, the next is pending "
	       "again, one more is lost");
}

static void test_priority(void)
{
	struct vlapic a;
	bool ok;

	enabled(&a);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x41);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0xe0);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x80);
	tap_ok(vlapic_pending(&a) == 0xe0, "the highest IRR vector is pending");
	vlapic_write(&a, LAPIC_TPR, 0xe0);
	ok = vlapic_pending(&a) < 0;
	vlapic_write(&a, LAPIC_TPR, 0xdf);
	ok &= vlapic_pending(&a) == 0xe0;
	vlapic_write(&a, LAPIC_TPR, 0xff);
	ok &= vlapic_pending(&a) < 0;
	tap_ok(ok, "TPR: a vector's class must exceed TPR[7:4]");
	vlapic_write(&a, LAPIC_TPR, 0);
	vlapic_accept(&a, 0xe0);
	tap_ok(!irr_has(&a, 0xe0) && isr_has(&a, 0xe0) &&
		   vlapic_read(&a, LAPIC_PPR) == 0xe0 && vlapic_pending(&a) < 0,
	       "accept moves IRR to ISR; lower classes then wait");
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0xef);
	ok = vlapic_pending(&a) < 0;
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0xf0);
	ok &= vlapic_pending(&a) == 0xf0;
	tap_ok(ok, "same class as in-service waits, a higher class is pending");
	vlapic_accept(&a, 0xf0);
	vlapic_write(&a, LAPIC_EOI, 0);
	tap_ok(!isr_has(&a, 0xf0) && isr_has(&a, 0xe0) && a.eois == 1 &&
		   vlapic_pending(&a) < 0,
	       "EOI clears the highest ISR bit only");
	vlapic_write(&a, LAPIC_EOI, 0);
	tap_ok(!isr_has(&a, 0xe0) && vlapic_pending(&a) == 0xef,
	       "after the second EOI the waiting vector is pending");
	/* nested in rising priority, as the CPU would take them */
	vlapic_accept(&a, 0x41);
	vlapic_accept(&a, 0x80);
	vlapic_accept(&a, 0xef);
	ok = isr_has(&a, 0xef) && isr_has(&a, 0x80) && isr_has(&a, 0x41);
	vlapic_write(&a, LAPIC_EOI, 0);
	ok &= !isr_has(&a, 0xef) && isr_has(&a, 0x80) &&
	      vlapic_read(&a, LAPIC_PPR) == 0x80;
	for (int i = 0; i < 3; i++)
		vlapic_write(&a, LAPIC_EOI, 0);
	tap_ok(ok && !isr_has(&a, 0xef) && !isr_has(&a, 0x80) &&
		   !isr_has(&a, 0x41) && vlapic_pending(&a) < 0 && a.eois == 6,
	       "EOIs retire nested vectors; an EOI with none in service is "
	       "harmless");
	vlapic_init(&a);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x40);
	ok = vlapic_pending(&a) < 0;
	vlapic_write(&a, LAPIC_SPIV, LAPIC_SPIV_ENABLE | 0xff);
	tap_ok(ok && vlapic_pending(&a) == 0x40,
	       "a software-disabled APIC delivers nothing; enabling it does");
}

/* SDM Vol 3C "TPR Virtualization": without virtual-interrupt delivery the
 * CPU exits when VTPR[7:4] drops below the threshold; the threshold must
 * be the class of the highest requested vector the TPR holds back. */
static void test_tpr_threshold(void)
{
	struct vlapic a;
	bool ok;

	enabled(&a);
	ok = vlapic_tpr_threshold(&a) == 0;
	vlapic_write(&a, LAPIC_TPR, 0xf0);
	ok &= vlapic_tpr_threshold(&a) == 0;
	tap_ok(ok, "TPR threshold 0 with nothing requested");
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x41);
	vlapic_write(&a, LAPIC_ICR_LO, ICR_SELF | 0x93);
	ok = vlapic_tpr_threshold(&a) == 9;
	vlapic_write(&a, LAPIC_TPR, 0x90);
	ok &= vlapic_tpr_threshold(&a) == 9 && vlapic_pending(&a) < 0;
	tap_ok(ok, "a vector held back by the TPR sets the threshold to its "
		   "class (TPR above or equal to it)");
	vlapic_write(&a, LAPIC_TPR, 0x8f);
	ok = vlapic_tpr_threshold(&a) == 0 && vlapic_pending(&a) == 0x93;
	vlapic_accept(&a, 0x93);
	ok &= vlapic_tpr_threshold(&a) == 4;
	vlapic_write(&a, LAPIC_TPR, 0x30);
	ok &= vlapic_tpr_threshold(&a) == 0;
	tap_ok(ok,
	       "below the vector's class the threshold is 0 (the vector "
	       "is deliverable or waits for an EOI); the next vector counts "
	       "after it is taken");
}

int main(void)
{
	test_reset();
	test_registers();
	test_lvt();
	test_ppr();
	test_ipis();
	test_destinations();
	test_nmi_latch();
	test_priority();
	test_tpr_threshold();
	return tap_done();
}
