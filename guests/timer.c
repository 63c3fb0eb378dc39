/* SPDX-License-Identifier: MIT */
/*
 * timer: the local APIC timer as a guest's kernel uses it (SDM Vol 3A
 * 11.5.4): one-shot and periodic counts with the divider, the current
 * count, masking, TSC-deadline mode through IA32_TSC_DEADLINE, mode
 * changes, and HLT woken by the timer. mica's timer counts at the TSC's
 * rate before the divider (docs/guests.md), so every expectation is a
 * number of TSC ticks; under Bochs those are instructions, which keeps
 * the windows below tight.
 */
#include "guests/lib/guest.h"
#include "mm/base/types.h"

#define APIC		 0xfee00000UL
#define APIC_EOI	 0xb0
#define APIC_SPIV	 0xf0
#define APIC_LVT_TIMER	 0x320
#define APIC_TIMER_ICR	 0x380
#define APIC_TIMER_CCR	 0x390
#define APIC_TIMER_DCR	 0x3e0
#define LVT_MASK	 (1U << 16)
#define LVT_PERIODIC	 (1U << 17)
#define LVT_TSC_DEADLINE (2U << 17)
#define DCR_DIV1	 0xb
#define DCR_DIV2	 0x0
#define DCR_DIV16	 0x3
#define MSR_TSC_DEADLINE 0x6e0
#define VEC		 0x40
#define CNT_TIMER_FIRES	 18
#define CNT_HLT_WAITS	 19

static u32 apic_rd(u32 off)
{
	return *(volatile u32 *)(APIC + off);
}

static void apic_wr(u32 off, u32 v)
{
	*(volatile u32 *)(APIC + off) = v;
}

static u64 irq_tsc; /* TSC in the handler of the last timer interrupt */

static void eoi_hook(unsigned vector)
{
	if (vector == VEC) {
		irq_tsc = g_rdtsc();
		apic_wr(APIC_EOI, 0);
	}
}

static u64 fired(void)
{
	return g_irq_count(VEC);
}

/* Spin with interrupts enabled until the TSC passes t. */
/* Spin with interrupts enabled until the TSC passes t. Nothing may print
 * while a timer runs: each character is a VM exit of some thousand
 * ticks, so the checks below gather their values first. */
static void wait_until(u64 t)
{
	__asm__ volatile("sti" ::: "memory");
	while (g_rdtsc() < t)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
}

/* The current count read at a time in [*tb, *ta]. */
static u32 read_ccr(u64 *tb, u64 *ta)
{
	u32 c;

	*tb = g_rdtsc();
	c = apic_rd(APIC_TIMER_CCR);
	*ta = g_rdtsc();
	return c;
}

/* Armed in [a0, a1], read in [r0, r1], n counts of div ticks: the count
 * the SDM allows, give or take the one being counted. */
static bool count_ok(u32 c, u32 n, u64 div, u64 a0, u64 a1, u64 r0, u64 r1)
{
	u64 most = r0 > a1 ? (r0 - a1) / div : 0, least = (r1 - a0) / div;
	u64 hi = n - MIN(most, (u64)n) + 1;
	u64 lo = least + 1 >= n ? 0 : n - least - 1;

	return c <= n && c <= hi && c >= lo;
}

static void timer_off(void)
{
	apic_wr(APIC_LVT_TIMER, LVT_MASK | VEC);
	apic_wr(APIC_TIMER_ICR, 0);
}

static void test_cpuid(void)
{
	u32 r[4];

	g_cpuid(1, 0, r);
	g_ok(r[2] & (1U << 24),
	     "CPUID.1:ECX.TSC_DEADLINE[bit 24] is set (ECX %#x)", r[2]);
}

/* One-shot, divide by 1: the current count starts at the initial count,
 * falls by one a tick, and one interrupt comes when it reaches 0. */
static void test_oneshot(void)
{
	const u32 n = 40000;
	u64 before = fired(), a0, a1, r0, r1, s0, s1, half, after;
	u32 c0, c1, icr, end;

	apic_wr(APIC_TIMER_DCR, DCR_DIV1);
	apic_wr(APIC_LVT_TIMER, VEC);
	a0 = g_rdtsc();
	apic_wr(APIC_TIMER_ICR, n);
	a1 = g_rdtsc();
	c0 = read_ccr(&r0, &r1);
	c1 = read_ccr(&s0, &s1);
	icr = apic_rd(APIC_TIMER_ICR);
	wait_until(a0 + n / 2);
	half = fired() - before;
	wait_until(a1 + 2 * n);
	after = fired() - before;
	end = apic_rd(APIC_TIMER_CCR);
	g_ok(count_ok(c0, n, 1, a0, a1, r0, r1) &&
		 count_ok(c1, n, 1, a0, a1, s0, s1) && c1 < c0,
	     "one-shot: the current count starts at the initial count and "
	     "falls a count a tick (%u, then %u, of %u)",
	     c0, c1, n);
	g_ok(icr == n, "one-shot: initial count reads %u", icr);
	g_ok(half == 0, "one-shot: no interrupt half-way (%lu)",
	     (unsigned long)half);
	g_ok(after == 1 && end == 0,
	     "one-shot: exactly one interrupt, then the count stays 0 "
	     "(%lu interrupts, count %u)",
	     (unsigned long)after, end);
	timer_off();
}

/* The divider: at 16 the count falls once every 16 ticks, at 2 every
 * 2 (Figure 11-10). */
static void test_divide(void)
{
	static const struct {
		u32 dcr;
		u64 div;
	} d[] = {{DCR_DIV16, 16}, {DCR_DIV2, 2}, {0x8, 32}, {0xa, 128}};
	const u32 n = 5000;
	unsigned bad = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(d); i++) {
		u64 a0, a1, r0, r1;
		u32 c;

		apic_wr(APIC_LVT_TIMER, LVT_MASK | VEC);
		apic_wr(APIC_TIMER_DCR, d[i].dcr);
		a0 = g_rdtsc();
		apic_wr(APIC_TIMER_ICR, n);
		a1 = g_rdtsc();
		wait_until(a1 + d[i].div * 1000);
		c = read_ccr(&r0, &r1);
		if (!count_ok(c, n, d[i].div, a0, a1, r0, r1) ||
		    apic_rd(APIC_TIMER_DCR) != d[i].dcr) {
			g_printf("# divide by %lu: %lu ticks after arming the "
				 "count is %u of %u\n",
				 (unsigned long)d[i].div,
				 (unsigned long)(r0 - a1), c, n);
			bad++;
		}
		timer_off();
	}
	g_ok(!bad, "divide by 16, 2, 32 and 128: the count falls at the "
		   "divided rate, the configuration reads back");
}

/* Periodic: one interrupt a period, the count reloading each time. */
static void test_periodic(void)
{
	const u32 p = 30000;
	u64 before = fired(), a1, n, again;
	u32 c;

	apic_wr(APIC_TIMER_DCR, DCR_DIV1);
	apic_wr(APIC_LVT_TIMER, LVT_PERIODIC | VEC);
	apic_wr(APIC_TIMER_ICR, p);
	a1 = g_rdtsc();
	wait_until(a1 + 5 * p + p / 2);
	n = fired() - before;
	c = apic_rd(APIC_TIMER_CCR);
	/* one-shot <-> periodic keeps the timer running (11.5.4) */
	apic_wr(APIC_LVT_TIMER, VEC);
	before = fired();
	wait_until(g_rdtsc() + 3 * p);
	again = fired() - before;
	g_ok(n == 5 && c != 0,
	     "periodic: 5 interrupts in 5.5 periods, still counting (%lu, "
	     "count %u)",
	     (unsigned long)n, c);
	g_ok(again == 1,
	     "periodic -> one-shot: the running count ends once more (%lu)",
	     (unsigned long)again);
	timer_off();
}

/* A masked timer counts and expires but raises nothing. */
static void test_masked(void)
{
	const u32 n = 20000;
	u64 before = fired(), t0;
	long fires = g_counter(CNT_TIMER_FIRES);
	u32 c;

	apic_wr(APIC_TIMER_DCR, DCR_DIV1);
	apic_wr(APIC_LVT_TIMER, LVT_MASK | VEC);
	t0 = g_rdtsc();
	apic_wr(APIC_TIMER_ICR, n);
	wait_until(t0 + 3 * n);
	c = apic_rd(APIC_TIMER_CCR);
	g_ok(fired() == before && c == 0,
	     "masked: the count runs out, no interrupt (%lu, count %u)",
	     (unsigned long)(fired() - before), c);
	g_ok(g_counter(CNT_TIMER_FIRES) == fires + 1,
	     "masked: mica counted the expiry");
	timer_off();
}

static void test_tsc_deadline(void)
{
	const u64 d = 30000;
	u64 before, t0, dl0, rd, early, at_dl, after, past, zero, left;
	u32 icr, ccr;

	apic_wr(APIC_LVT_TIMER, LVT_MASK | VEC);
	g_wrmsr(MSR_TSC_DEADLINE, g_rdtsc() + d);
	rd = g_rdmsr(MSR_TSC_DEADLINE);
	g_ok(rd == 0,
	     "outside TSC-deadline mode IA32_TSC_DEADLINE ignores writes and "
	     "reads 0 (%#lx)",
	     (unsigned long)rd);
	apic_wr(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC);
	apic_wr(APIC_TIMER_ICR, 1000);
	icr = apic_rd(APIC_TIMER_ICR);
	ccr = apic_rd(APIC_TIMER_CCR);
	g_ok(icr == 0 && ccr == 0,
	     "TSC-deadline mode: initial-count writes are ignored, counts read "
	     "0 (%u, %u)",
	     icr, ccr);

	before = fired();
	t0 = g_rdtsc();
	dl0 = t0 + d;
	g_wrmsr(MSR_TSC_DEADLINE, dl0);
	rd = g_rdmsr(MSR_TSC_DEADLINE);
	wait_until(t0 + d / 2);
	early = fired() - before;
	wait_until(t0 + 2 * d);
	at_dl = fired() - before;
	after = g_rdmsr(MSR_TSC_DEADLINE);
	/* a deadline already past fires at once */
	before = fired();
	__asm__ volatile("sti" ::: "memory");
	g_wrmsr(MSR_TSC_DEADLINE, 1);
	__asm__ volatile("nop; cli" ::: "memory");
	past = fired() - before;
	/* writing 0 disarms */
	before = fired();
	t0 = g_rdtsc();
	g_wrmsr(MSR_TSC_DEADLINE, t0 + d);
	g_wrmsr(MSR_TSC_DEADLINE, 0);
	wait_until(t0 + 2 * d);
	zero = fired() - before;
	g_ok(rd == dl0, "TSC-deadline mode: the deadline reads back");
	g_ok(early == 0 && at_dl == 1 && after == 0,
	     "TSC-deadline: nothing before the deadline, one interrupt at it, "
	     "then the MSR reads 0 (%lu, %lu, %#lx)",
	     (unsigned long)early, (unsigned long)at_dl, (unsigned long)after);
	g_ok(past == 1, "TSC-deadline: a past deadline fires at once (%lu)",
	     (unsigned long)past);
	g_ok(zero == 0, "TSC-deadline: writing 0 disarms (%lu)",
	     (unsigned long)zero);
	/* leaving TSC-deadline mode disarms the timer and clears the deadline */
	before = fired();
	t0 = g_rdtsc();
	g_wrmsr(MSR_TSC_DEADLINE, t0 + d);
	apic_wr(APIC_LVT_TIMER, VEC);
	apic_wr(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC);
	wait_until(t0 + 2 * d);
	left = g_rdmsr(MSR_TSC_DEADLINE);
	g_ok(fired() == before && left == 0,
	     "leaving TSC-deadline mode disarms the timer and clears the "
	     "deadline (%#lx)",
	     (unsigned long)left);
	timer_off();
}

/* STI; HLT with the timer armed waits for it instead of stopping. */
static void test_hlt(void)
{
	const u32 n = 50000;
	u64 before = fired(), t0, t1;
	long waits = g_counter(CNT_HLT_WAITS);

	apic_wr(APIC_TIMER_DCR, DCR_DIV1);
	apic_wr(APIC_LVT_TIMER, VEC);
	t0 = g_rdtsc();
	apic_wr(APIC_TIMER_ICR, n);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	t1 = g_rdtsc();
	g_ok(fired() == before + 1 && t1 - t0 >= n,
	     "HLT wakes on the one-shot timer, not before it (%lu ticks of "
	     "%u)",
	     (unsigned long)(t1 - t0), n);
	g_ok(g_counter(CNT_HLT_WAITS) == waits + 1,
	     "mica waited in the HLT state (%ld)",
	     g_counter(CNT_HLT_WAITS) - waits);
	apic_wr(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC);
	before = fired();
	t0 = g_rdtsc();
	g_wrmsr(MSR_TSC_DEADLINE, t0 + n);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	t1 = g_rdtsc();
	g_ok(fired() == before + 1 && t1 - t0 >= n,
	     "HLT wakes on the TSC deadline (%lu ticks of %u)",
	     (unsigned long)(t1 - t0), n);
	timer_off();
}

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_idt_init();
	g_set_irq_hook(eoi_hook);
	apic_wr(APIC_SPIV, 0x1ff);
	test_cpuid();
	test_oneshot();
	test_divide();
	test_periodic();
	test_masked();
	test_tsc_deadline();
	test_hlt();
	return (int)g_tap_failed();
}
