/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the ACPI PM timer in vmm/dev/vpmtimer.c: the count after
 * 10 s of TSC time at 1 MHz, 2.5 GHz and 3 GHz (35,795,450 ticks mod 2^24),
 * random instants over years against floor(dt * 3579545 / hz) computed
 * here in 128 bits, monotonic between wraps, the 24-bit wrap itself, the
 * port interface (narrow reads, bytes of 0xB008-0xB00B, writes ignored)
 * and a change of clock. MICA_SEED picks the random instants.
 */
#include "mm/base/types.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "vmm/dev/vpmtimer.h"

#define CENTURY_SECS 3155760000ULL

static u64 clk, clk2;

/* The model's clock: a variable the test moves. */
static u64 clock_fn(void *ctx)
{
	(void)ctx;
	return clk;
}

/* Another clock, for the change of clock. */
static u64 clock2_fn(void *ctx)
{
	(void)ctx;
	return clk2;
}

/* A fresh timer with its clock attached at at. */
static void setup(struct vpmtimer *t, u64 hz, u64 at)
{
	clk = at;
	vpmtimer_init(t, hz);
	vpmtimer_set_clock(t, clock_fn, NULL);
}

/* The reference: the exact quotient in 128 bits. */
static u32 expect(u64 dt, u64 hz)
{
	return (u32)((unsigned __int128)dt * 3579545 / hz) & 0xffffff;
}

/* The count before the 24-bit truncation. */
static u64 full_count(u64 dt, u64 hz)
{
	return (u64)((unsigned __int128)dt * 3579545 / hz);
}

/* A 4-byte read of PM_TMR. */
static u32 port32(struct vpmtimer *t)
{
	u32 v = 0xdeadbeef;

	vpmtimer_read(t, VPMTIMER_PORT, 4, &v);
	return v;
}

/* The brief's figure: 10 s at three TSC rates. */
static void test_ten_seconds(void)
{
	static const u64 hzs[] = {1000000, 2500000000ULL, 3000000000ULL};
	struct vpmtimer t;
	unsigned bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(hzs); i++) {
		setup(&t, hzs[i], 12345);
		clk += 10 * hzs[i];
		bad += port32(&t) != 35795450U % (1U << 24);
		clk -= 1;
		bad += port32(&t) != expect(10 * hzs[i] - 1, hzs[i]);
	}
	tap_ok(!bad,
	       "10 s of TSC time at 1 MHz, 2.5 GHz and 3 GHz: 35,795,450 "
	       "counts mod 2^24 = %u, one tick earlier floor math's (%u wrong)",
	       35795450U % (1U << 24), bad);
}

/* Exactness where the split arithmetic could go wrong: large dt and
 * large, odd tsc_hz. */
static void test_random(void)
{
	struct rng g;
	u64 seed = rng_seed_env(&g, 1);
	unsigned bad = 0, n = 20000;
	struct vpmtimer t;

	tap_diag("random PM timer instants: seed %llu (MICA_SEED)",
		 (unsigned long long)seed);
	for (unsigned i = 0; i < n; i++) {
		u64 hz = rng_below(&g, 2)
			     ? 1 + rng_below(&g, VPMTIMER_TSC_HZ_MAX)
			     : 1000000 + rng_below(&g, 5000000000ULL);
		u64 base = rng_below(&g, 1ULL << 62);
		u64 century = hz > (1ULL << 62) / CENTURY_SECS
				  ? 1ULL << 62
				  : CENTURY_SECS * hz;
		u64 dt = rng_below(&g, 4) ? rng_below(&g, century)
					  : rng_below(&g, 1ULL << 20);

		setup(&t, hz, base);
		clk = base + dt;
		bad += port32(&t) != expect(dt, hz);
	}
	tap_ok(!bad,
	       "%u random instants up to a century, tsc_hz up to 2^40: the "
	       "count is floor(dt * 3579545 / hz) mod 2^24 exactly (%u wrong)",
	       n, bad);
}

/* A guest computing elapsed time needs monotonic counts and a wrap
 * exactly at 2^24. */
static void test_monotonic_wrap(void)
{
	struct rng g;
	struct vpmtimer t;
	u32 prev, v;
	unsigned back = 0, wraps = 0, bad_wrap = 0;
	u64 hz = 2893421117ULL, w;

	rng_seed(&g, 7);
	setup(&t, hz, 0);
	prev = port32(&t);
	for (unsigned i = 0; i < 200000; i++) {
		u64 was = clk;

		clk += rng_below(&g, 1U << 20);
		v = port32(&t);
		/* the value falls only where the exact count passes 2^24k */
		if ((v < prev) !=
		    (full_count(clk, hz) >> 24 != full_count(was, hz) >> 24))
			back++;
		wraps += v < prev;
		back += v != expect(clk, hz);
		prev = v;
	}
	tap_ok(!back && wraps >= 2,
	       "monotonic between wraps over %u random steps (%u wraps, %u "
	       "off the reference)",
	       200000, wraps, back);

	/* the wrap itself: at 3 GHz a tick is under one count */
	setup(&t, 3000000000ULL, 0);
	w = ((1ULL << 24) * 3000000000ULL + 3579544) /
	    3579545; /* first tick at 2^24 */
	clk = w - 1;
	bad_wrap += port32(&t) != 0xffffff;
	clk = w;
	bad_wrap += port32(&t) != 0;
	clk = w + 1000;
	bad_wrap += port32(&t) != expect(w + 1000, 3000000000ULL) ||
		    port32(&t) > 0xffff;
	tap_ok(!bad_wrap, "24-bit wrap: 0xFFFFFF at the tick before 2^24 "
			  "counts, 0 at it, bits 31:24 always 0");
}

/* Byte lanes of the register and the ports around it. */
static void test_ports(void)
{
	struct vpmtimer t;
	u32 v, full, b8, w8, b9, b11, w10;
	bool ok;

	setup(&t, 1000000, 0);
	clk = 4686100; /* count 0xFFF4xx: three non-zero bytes */
	full = port32(&t);
	vpmtimer_read(&t, VPMTIMER_PORT, 1, &b8);
	vpmtimer_read(&t, VPMTIMER_PORT, 2, &w8);
	vpmtimer_read(&t, VPMTIMER_PORT + 1, 1, &b9);
	vpmtimer_read(&t, VPMTIMER_PORT + 3, 1, &b11);
	vpmtimer_read(&t, VPMTIMER_PORT + 2, 4, &w10);
	tap_ok(full == expect(clk, 1000000) && b8 == (full & 0xff) &&
		   w8 == (full & 0xffff) && b9 == ((full >> 8) & 0xff) &&
		   b11 == 0 && w10 == full >> 16,
	       "narrow reads at 0xB008 return the low bytes, at 0xB008+k "
	       "bytes k..; byte 3 and bytes past 0xB00B read 0 (%#x)",
	       full);
	ok = vpmtimer_write(&t, VPMTIMER_PORT, 4, 0) && port32(&t) == full;
	v = 1;
	ok = ok && !vpmtimer_read(&t, VPMTIMER_PORT - 1, 1, &v) && v == 0 &&
	     !vpmtimer_read(&t, VPMTIMER_PORT + 4, 4, &v) &&
	     !vpmtimer_write(&t, VPMTIMER_PORT + 4, 1, 0);
	tap_ok(ok, "writes are ignored; 0xB007 and 0xB00C are not the "
		   "timer's");
}

/* A second clock, elsewhere in time, takes over without a jump. */
static void test_clock_change(void)
{
	struct vpmtimer t;
	u32 before;
	bool same;

	setup(&t, 1000000, 500);
	clk = 500 + 1000000;
	before = port32(&t);
	clk2 = 99999999;
	vpmtimer_set_clock(&t, clock2_fn, NULL);
	same = port32(&t) == before;
	clk2 += 1000000;
	tap_ok(same && before == 3579545 && port32(&t) == 2 * 3579545,
	       "attaching another clock carries the count on from where it "
	       "was");
}

/* Each test on its own timer. */
int main(void)
{
	test_ten_seconds();
	test_random();
	test_monotonic_wrap();
	test_ports();
	test_clock_change();
	return tap_done();
}
