/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the local APIC timer in vmm/dev/vlapic.c against SDM Vol 3A
 * 11.5.4: the divide configuration (Figure 11-10), one-shot and periodic
 * counts with the current-count register, masking, the LVT timer's mode
 * field and the effect of changing it, TSC-deadline mode and its MSR
 * (11.5.4.1), and software disable (11.4.7.2). The clock is a variable the
 * test moves; the model reads it through its clock callback.
 */
#include "mm/base/types.h"
#include "test/unit/support/tap.h"
#include "vmm/dev/vlapic.h"

#define VEC	     0x40
#define LVT_MASK     (1U << 16)
#define LVT_PERIODIC (1U << 17)
#define LVT_TSC_DL   (2U << 17)

static u64 clk;

static u64 clock_fn(void *ctx)
{
	(void)ctx;
	return clk;
}

static void setup(struct vlapic *a, u32 lvt, u32 dcr)
{
	vlapic_init(a);
	vlapic_set_clock(a, clock_fn, NULL);
	vlapic_write(a, LAPIC_SPIV, LAPIC_SPIV_ENABLE | 0xff);
	vlapic_write(a, LAPIC_TIMER_DCR, dcr);
	vlapic_write(a, LAPIC_LVT_TIMER, lvt);
}

static bool pending(struct vlapic *a, unsigned v)
{
	return vlapic_read(a, LAPIC_IRR + 0x10 * (v / 32)) & (1U << (v % 32));
}

static u32 ccr(struct vlapic *a)
{
	return vlapic_read(a, LAPIC_TIMER_CCR);
}

/* Figure 11-10: bits 3 and 1:0 select 2, 4, 8, 16, 32, 64, 128, 1. */
static void test_divide(void)
{
	static const struct {
		u32 dcr, div;
	} d[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
		 {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};
	struct vlapic a;
	unsigned bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
		clk = 1000;
		setup(&a, VEC, d[i].dcr);
		vlapic_write(&a, LAPIC_TIMER_ICR, 100);
		clk += d[i].div * 10;
		bad += ccr(&a) != 90;
		clk += d[i].div - 1; /* the tenth count is not over yet */
		bad += ccr(&a) != 90;
		clk += 1;
		bad += ccr(&a) != 89;
		bad += vlapic_read(&a, LAPIC_TIMER_DCR) != d[i].dcr;
	}
	setup(&a, VEC, 0xff);
	bad += vlapic_read(&a, LAPIC_TIMER_DCR) != 0xb;
	tap_ok(!bad,
	       "divide configuration: each of the 8 values divides as Figure "
	       "11-10 says (%u wrong); bits other than 3,1:0 read 0",
	       bad);
}

static void test_oneshot(void)
{
	struct vlapic a;
	u32 c0, c1, c99;
	bool early, fired, again;

	clk = 5000;
	setup(&a, VEC, 0xb);
	vlapic_write(&a, LAPIC_TIMER_ICR, 100);
	c0 = ccr(&a);
	clk = 5001;
	c1 = ccr(&a);
	clk = 5099;
	c99 = ccr(&a);
	vlapic_timer_tick(&a);
	early = pending(&a, VEC);
	clk = 5100;
	vlapic_timer_tick(&a);
	fired = pending(&a, VEC) && ccr(&a) == 0 && !a.timer_deadline;
	vlapic_accept(&a, VEC);
	clk = 5300;
	vlapic_timer_tick(&a);
	again = pending(&a, VEC);
	tap_ok(c0 == 100 && c1 == 99 && c99 == 1,
	       "one-shot: the count starts at the initial count and falls one "
	       "a tick (%u, %u, %u)",
	       c0, c1, c99);
	tap_ok(!early && fired && !again && a.timer_fires == 1,
	       "one-shot: expires once when the count reaches 0, then stays 0 "
	       "and disarmed");
	tap_ok(vlapic_read(&a, LAPIC_TIMER_ICR) == 100,
	       "one-shot: the initial count keeps its value");
	clk = 6000;
	vlapic_write(&a, LAPIC_TIMER_ICR, 50);
	vlapic_write(&a, LAPIC_TIMER_ICR, 0);
	clk = 7000;
	vlapic_timer_tick(&a);
	tap_ok(!pending(&a, VEC) && ccr(&a) == 0 && !a.timer_deadline,
	       "an initial count of 0 stops the timer");
}

static void test_periodic(void)
{
	struct vlapic a;
	u32 c;
	bool first, coalesced;

	clk = 0;
	setup(&a, LVT_PERIODIC | VEC, 0x0); /* divide by 2: period 20 */
	vlapic_write(&a, LAPIC_TIMER_ICR, 10);
	clk = 20;
	vlapic_timer_tick(&a);
	first = pending(&a, VEC) && a.timer_deadline == 40;
	vlapic_accept(&a, VEC);
	clk = 75; /* two more periods ended, one IRR bit */
	vlapic_timer_tick(&a);
	coalesced =
	    pending(&a, VEC) && a.timer_fires == 2 && a.timer_deadline == 80;
	c = ccr(&a);
	tap_ok(first && coalesced,
	       "periodic: expires every period and re-arms; missed periods "
	       "raise one interrupt (deadline %lu)",
	       (unsigned long)a.timer_deadline);
	tap_ok(c == 3,
	       "periodic: the count reloads (%u at 5 ticks before the "
	       "end, divide by 2)",
	       c);
	/* periodic -> one-shot keeps it running; it then ends once */
	vlapic_write(&a, LAPIC_LVT_TIMER, VEC);
	vlapic_accept(&a, VEC);
	clk = 80;
	vlapic_timer_tick(&a);
	tap_ok(pending(&a, VEC) && !a.timer_deadline,
	       "periodic -> one-shot: the running count ends, no re-arm");
}

static void test_mask_and_vector(void)
{
	struct vlapic a;

	clk = 0;
	setup(&a, LVT_MASK | VEC, 0xb);
	vlapic_write(&a, LAPIC_TIMER_ICR, 10);
	clk = 10;
	vlapic_timer_tick(&a);
	tap_ok(!pending(&a, VEC) && a.timer_fires == 1 && ccr(&a) == 0 &&
		   !vlapic_timer_can_wake(&a),
	       "masked: counts and expires without an interrupt");
	clk = 0;
	setup(&a, 0x05, 0xb);
	vlapic_write(&a, LAPIC_TIMER_ICR, 10);
	tap_ok(!vlapic_timer_can_wake(&a), "vector below 16: cannot wake");
	clk = 10;
	vlapic_timer_tick(&a);
	tap_ok(!a.irr_count &&
		   (vlapic_read(&a, LAPIC_ESR) & LAPIC_ESR_RECV_ILLEGAL_VEC),
	       "vector below 16: no interrupt, ESR 'received illegal vector' "
	       "(11.5.3)");
	clk = 0;
	setup(&a, VEC, 0xb);
	vlapic_write(&a, LAPIC_TIMER_ICR, 10);
	vlapic_write(&a, LAPIC_SPIV, 0xff);
	clk = 10;
	vlapic_timer_tick(&a);
	tap_ok(!pending(&a, VEC) &&
		   (vlapic_read(&a, LAPIC_LVT_TIMER) & LVT_MASK),
	       "software disable masks the timer's LVT (11.4.7.2)");
	setup(&a, 0xffffffff, 0xb);
	tap_ok(vlapic_read(&a, LAPIC_LVT_TIMER) == 0x700ff,
	       "LVT timer: vector, mask and mode are writable, delivery status "
	       "and reserved bits read 0 (%#x)",
	       vlapic_read(&a, LAPIC_LVT_TIMER));
}

static void test_tsc_deadline(void)
{
	struct vlapic a;
	bool ignored, readback, early, fired, after;

	clk = 100;
	setup(&a, VEC, 0xb);
	vlapic_write_tsc_deadline(&a, 500, 0);
	ignored = vlapic_read_tsc_deadline(&a) == 0 && !a.timer_deadline;
	vlapic_write(&a, LAPIC_LVT_TIMER, LVT_TSC_DL | VEC);
	vlapic_write(&a, LAPIC_TIMER_ICR, 77);
	tap_ok(ignored && vlapic_read(&a, LAPIC_TIMER_ICR) == 0 && ccr(&a) == 0,
	       "outside TSC-deadline mode the MSR ignores writes; in it the "
	       "initial count does, and both counts read 0");
	vlapic_write_tsc_deadline(&a, 500, 0);
	readback = vlapic_read_tsc_deadline(&a) == 500;
	clk = 499;
	vlapic_timer_tick(&a);
	early = pending(&a, VEC);
	clk = 500;
	vlapic_timer_tick(&a);
	fired = pending(&a, VEC);
	after = vlapic_read_tsc_deadline(&a) == 0 && !a.timer_deadline;
	tap_ok(readback && !early && fired && after,
	       "TSC-deadline: reads back, expires when the TSC reaches it, "
	       "then reads 0");
	vlapic_accept(&a, VEC);
	vlapic_write_tsc_deadline(&a, 900, 0);
	vlapic_write_tsc_deadline(&a, 0, 0);
	clk = 1000;
	vlapic_timer_tick(&a);
	tap_ok(!pending(&a, VEC), "TSC-deadline: writing 0 disarms");
	vlapic_write_tsc_deadline(&a, 1500, 0);
	vlapic_write(&a, LAPIC_LVT_TIMER, VEC);
	vlapic_write(&a, LAPIC_LVT_TIMER, LVT_TSC_DL | VEC);
	clk = 2000;
	vlapic_timer_tick(&a);
	tap_ok(!pending(&a, VEC) && vlapic_read_tsc_deadline(&a) == 0,
	       "leaving TSC-deadline mode disarms and clears the deadline");
	clk = 0;
	setup(&a, VEC, 0xb);
	vlapic_write(&a, LAPIC_TIMER_ICR, 1000);
	vlapic_write(&a, LAPIC_LVT_TIMER, LVT_TSC_DL | VEC);
	clk = 1000;
	vlapic_timer_tick(&a);
	tap_ok(!pending(&a, VEC) && vlapic_read(&a, LAPIC_TIMER_ICR) == 0,
	       "entering TSC-deadline mode stops a running count and clears "
	       "the initial count");
}

int main(void)
{
	test_divide();
	test_oneshot();
	test_periodic();
	test_mask_and_vector();
	test_tsc_deadline();
	return tap_done();
}
