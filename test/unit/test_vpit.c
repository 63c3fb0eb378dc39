/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the 8254 PIT model in vmm/dev/vpit.c against the Intel 8254
 * datasheet (231164): the six modes' OUT waveforms and counts, the
 * read/write formats and their flip-flops, the counter latch and read-back
 * commands with the status byte, GATE on counter 2 through port 0x61, the
 * port's other bits, count 0 and BCD, and the IRQ 0 poll/next interface.
 * Then a seeded random run against a reference model that steps one PIT
 * clock at a time. Most tests run the TSC at PIT_HZ, so that TSC value k is
 * PIT clock k; the others check the conversion.
 */
#include "mm/base/types.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "vmm/dev/vpit.h"

#define CTRL 0x43
#define PB   0x61

static u64 tsc;

static u64 clock_fn(void *ctx)
{
	(void)ctx;
	return tsc;
}

static void setup(struct vpit *p, u64 hz)
{
	tsc = 0;
	vpit_init(p, hz);
	vpit_set_clock(p, clock_fn, NULL);
}

static void out8(struct vpit *p, u16 port, u8 v)
{
	if (!vpit_write(p, port, v))
		tap_diag("write to %#x not claimed", port);
}

static u8 in8(struct vpit *p, u16 port)
{
	u8 v = 0x5a;

	if (!vpit_read(p, port, &v))
		tap_diag("read of %#x not claimed", port);
	return v;
}

/* Program counter n: control word cw, then the count in its format. */
static void program(struct vpit *p, unsigned n, u8 cw, u16 count)
{
	out8(p, CTRL, cw);
	if (((cw >> 4) & 3) != 2)
		out8(p, (u16)(0x40 + n), (u8)count);
	if (((cw >> 4) & 3) != 1)
		out8(p, (u16)(0x40 + n), (u8)(count >> 8));
}

/* Counter n's CE through the counter latch command (RW = 3 counters). */
static u16 count_of(struct vpit *p, unsigned n)
{
	u16 lo;

	out8(p, CTRL, (u8)(n << 6));
	lo = in8(p, (u16)(0x40 + n));
	return (u16)(lo | in8(p, (u16)(0x40 + n)) << 8);
}

/* Counter n's status byte through the read-back command. */
static u8 status_of(struct vpit *p, unsigned n)
{
	out8(p, CTRL, (u8)(0xe0 | 2U << n));
	return in8(p, (u16)(0x40 + n));
}

static bool out_of(struct vpit *p, unsigned n)
{
	return status_of(p, n) & VPIT_STATUS_OUT;
}

/*
 * Compare counter n's CE and OUT at clocks from..from+len-1 with the
 * expected strings (OUT as 'H'/'L'); counts how many differ.
 */
static unsigned wave(struct vpit *p, unsigned n, u64 from, const u16 *ce,
		     const char *out)
{
	unsigned bad = 0;

	for (unsigned i = 0; out[i]; i++) {
		tsc = from + i;
		if (ce && count_of(p, n) != ce[i])
			bad++;
		if (out_of(p, n) != (out[i] == 'H'))
			bad++;
	}
	return bad;
}

/* Mode 0: OUT low, high N + 1 pulses after the count; a new count restarts
 * the count and a two-byte count's first byte stops it; GATE low stops it
 * without touching OUT. */
static void test_mode0(void)
{
	static const u16 ce[] = {0x1234, 5, 4, 3, 2, 1, 0, 0xffff, 0xfffe};
	struct vpit p;
	unsigned bad;
	u8 st;

	setup(&p, PIT_HZ);
	tsc = 10;
	out8(&p, CTRL, 0x30);
	st = status_of(&p, 0);
	out8(&p, 0x40, 5);
	out8(&p, 0x40, 0);
	tap_ok(st == 0x70 && status_of(&p, 0) == 0x70,
	       "mode 0: a control word sets OUT low and null count; the count "
	       "keeps it until loaded (status %#x)",
	       st);
	tsc = 11;
	st = status_of(&p, 0);
	bad = wave(&p, 0, 11, ce + 1, "LLLLLHHH");
	tap_ok(!bad && st == 0x30,
	       "mode 0: count 5 written at clock 10 loads at 11 (null count "
	       "clears), reaches 0 and OUT rises at 16, then wraps (%u wrong)",
	       bad);
	tsc = 20;
	out8(&p, 0x40, 9); /* first byte: counting stops, OUT low */
	st = status_of(&p, 0);
	tsc = 25;
	bad = count_of(&p, 0) != 0xfffc;
	out8(&p, 0x40, 0);
	bad += wave(&p, 0, 26, NULL, "LLLLLLLLLH");
	tap_ok(!(st & VPIT_STATUS_OUT) && !bad,
	       "mode 0: a two-byte count's first byte stops the count and "
	       "sets OUT low; the second loads 9 (OUT at 26 + 9)");

	/* counter 2: GATE is port 0x61 bit 0 */
	tsc = 100;
	out8(&p, PB, 0);
	program(&p, 2, 0xb0, 4);
	bad = 0;
	for (tsc = 101; tsc < 110; tsc++)
		bad += count_of(&p, 2) != 4 || out_of(&p, 2);
	out8(&p, PB, VPIT_PORTB_GATE2);
	tsc = 112;
	bad += count_of(&p, 2) != 2;
	out8(&p, PB, 0); /* stop at 2 */
	tsc = 200;
	bad += count_of(&p, 2) != 2 || out_of(&p, 2);
	out8(&p, PB, VPIT_PORTB_GATE2);
	bad += wave(&p, 2, 201, NULL, "LH");
	tap_ok(!bad,
	       "mode 0, counter 2: the count loads with GATE low but "
	       "counts only while it is high (%u wrong)",
	       bad);
}

/* Mode 1: a GATE rising edge loads the count on the next pulse and sets OUT
 * low until terminal count; retriggerable; GATE level does not matter. */
static void test_mode1(void)
{
	static const u16 ce[] = {3, 2, 1, 0, 0xffff};
	struct vpit p;
	unsigned bad;
	u8 st;

	setup(&p, PIT_HZ);
	out8(&p, PB, 0);
	tsc = 10;
	program(&p, 2, 0xb2, 3);
	tsc = 20;
	bad = !out_of(&p, 2);
	st = status_of(&p, 2);
	out8(&p, PB, VPIT_PORTB_GATE2);
	bad += wave(&p, 2, 21, ce, "LL");
	out8(&p, PB, 0); /* GATE low at 22: no effect */
	bad += wave(&p, 2, 23, ce + 2, "LHH");
	tap_ok(!bad && (st & VPIT_STATUS_NULL),
	       "mode 1: without a trigger OUT stays high (null count set); "
	       "after one OUT is low 3 pulses from the next clock (%u wrong)",
	       bad);
	tsc = 30;
	out8(&p, PB, VPIT_PORTB_GATE2);
	tsc = 32;
	out8(&p, PB, 0);
	out8(&p, PB, VPIT_PORTB_GATE2); /* retrigger at CE 2 */
	bad = wave(&p, 2, 33, ce, "LL");
	out8(&p, 0x42, 10); /* a new count waits for a trigger */
	out8(&p, 0x42, 0);
	bad += wave(&p, 2, 35, ce + 2, "LH");
	bad += !(status_of(&p, 2) & VPIT_STATUS_NULL);
	out8(&p, PB, 0);
	out8(&p, PB, VPIT_PORTB_GATE2);
	tsc = 37;
	bad += count_of(&p, 2) != 10 || out_of(&p, 2) ||
	       (status_of(&p, 2) & VPIT_STATUS_NULL);
	tap_ok(!bad,
	       "mode 1: a retrigger restarts the one-shot; a new count waits "
	       "for the next trigger (%u wrong)",
	       bad);
}

/* Mode 2: N .. 1, OUT low while 1, period N; a new count takes effect at
 * the next reload; GATE low forces OUT high and stops, its rising edge
 * reloads. Mode 6 is mode 2. */
static void test_mode2(void)
{
	static const u16 ce[] = {4, 3, 2, 1, 4, 3, 2, 1, 6, 5, 4, 3, 2, 1, 6};
	struct vpit p;
	unsigned bad;
	bool null_before, null_after;

	setup(&p, PIT_HZ);
	program(&p, 0, 0x34, 4);
	bad = wave(&p, 0, 1, ce, "HHHLHH");
	out8(&p, 0x40, 6); /* at clock 6, CE 3 */
	out8(&p, 0x40, 0);
	bad += wave(&p, 0, 7, ce + 6, "HL");
	null_before = status_of(&p, 0) & VPIT_STATUS_NULL;
	bad += wave(&p, 0, 9, ce + 8, "HHHHHLH");
	null_after = status_of(&p, 0) & VPIT_STATUS_NULL;
	tap_ok(!bad && null_before && !null_after,
	       "mode 2: count 4 gives OUT low one pulse in 4; count 6 written "
	       "mid-cycle loads at the reload (null count until then) (%u "
	       "wrong)",
	       bad);

	setup(&p, PIT_HZ);
	out8(&p, PB, VPIT_PORTB_GATE2);
	program(&p, 2, 0xbc, 5); /* mode 6 */
	tsc = 5;
	bad = out_of(&p, 2) || count_of(&p, 2) != 1;
	out8(&p, PB, 0);
	bad += !out_of(&p, 2);
	tsc = 10;
	bad += count_of(&p, 2) != 1 || !out_of(&p, 2);
	out8(&p, PB, VPIT_PORTB_GATE2);
	bad += wave(&p, 2, 11, (const u16[]){5, 4, 3, 2, 1, 5}, "HHHHLH");
	bad += (status_of(&p, 2) & 0x3f) != 0x3c;
	tap_ok(
	    !bad,
	    "mode 2 (written as 6): GATE low sets OUT high at once and holds "
	    "the count; GATE rising reloads on the next pulse; status shows "
	    "M = 6 (%u wrong)",
	    bad);
}

/* Mode 3: even N falls by 2 and toggles at each expiry; odd N loads N - 1,
 * high (N + 1) / 2 and low (N - 1) / 2. Mode 7 is mode 3. */
static void test_mode3(void)
{
	static const u16 even[] = {4, 2, 4, 2, 4, 2};
	static const u16 odd[] = {4, 2, 0, 4, 2, 4, 2, 0, 4};
	struct vpit p;
	unsigned bad;

	setup(&p, PIT_HZ);
	program(&p, 0, 0x36, 4);
	bad = wave(&p, 0, 1, even, "HHLLHH");
	tap_ok(!bad, "mode 3, count 4: 4 2 high, 4 2 low (%u wrong)", bad);
	tsc = 100;
	program(&p, 0, 0x3e, 5); /* mode 7 */
	bad = wave(&p, 0, 101, odd, "HHHLLHHHL");
	tap_ok(!bad,
	       "mode 3 (written as 7), count 5: loads 4, high 3 pulses (4 2 0) "
	       "and low 2 (4 2) (%u wrong)",
	       bad);
	/* a new count waits for the end of the half-cycle */
	tsc = 200;
	program(&p, 0, 0x36, 8);
	bad = wave(&p, 0, 201, (const u16[]){8, 6}, "HH");
	out8(&p, 0x40, 3); /* at clock 202 */
	out8(&p, 0x40, 0);
	bad += wave(&p, 0, 203, (const u16[]){4, 2, 2, 2, 0, 2}, "HHLHHL");
	tap_ok(!bad,
	       "mode 3: count 3 written in count 8's high half takes over at "
	       "its end, starting low (1 pulse), then high 2 (%u wrong)",
	       bad);
	setup(&p, PIT_HZ);
	out8(&p, PB, VPIT_PORTB_GATE2);
	program(&p, 2, 0xb6, 6);
	tsc = 4;
	bad = out_of(&p, 2);
	out8(&p, PB, 0);
	bad += !out_of(&p, 2);
	tsc = 50;
	bad += !out_of(&p, 2) || count_of(&p, 2) != 6;
	out8(&p, PB, VPIT_PORTB_GATE2);
	bad += wave(&p, 2, 51, (const u16[]){6, 4, 2, 6}, "HHHL");
	tap_ok(!bad,
	       "mode 3, counter 2: GATE low sets OUT high and holds; rising "
	       "reloads (%u wrong)",
	       bad);
}

/* Mode 4: OUT strobes low for one pulse N + 1 pulses after the count,
 * once; GATE stops counting. Mode 5: the same from a GATE rising edge. */
static void test_mode45(void)
{
	static const u16 ce[] = {3, 2, 1, 0, 0xffff};
	struct vpit p;
	unsigned bad;

	setup(&p, PIT_HZ);
	program(&p, 0, 0x38, 3);
	bad = wave(&p, 0, 0, NULL, "H") + wave(&p, 0, 1, ce, "HHHLH");
	tsc = 4 + 0x10000;
	bad += count_of(&p, 0) != 0 || !out_of(&p, 0);
	tap_ok(!bad,
	       "mode 4: strobe low at the count's end for one pulse, not again "
	       "when the count wraps (%u wrong)",
	       bad);
	setup(&p, PIT_HZ);
	out8(&p, PB, VPIT_PORTB_GATE2);
	program(&p, 2, 0xb8, 3);
	tsc = 2;
	out8(&p, PB, 0);
	tsc = 40;
	bad = count_of(&p, 2) != 2 || !out_of(&p, 2);
	out8(&p, PB, VPIT_PORTB_GATE2);
	bad += wave(&p, 2, 41, (const u16[]){1, 0, 0xffff}, "HLH");
	tap_ok(!bad, "mode 4, counter 2: GATE low holds the count (%u wrong)",
	       bad);
	tsc = 100;
	program(&p, 2, 0xb8, 3);
	tsc = 104; /* terminal count */
	out8(&p, PB, 0);
	bad = wave(&p, 2, 104, (const u16[]){0, 0, 0}, "LHH");
	out8(&p, PB, VPIT_PORTB_GATE2);
	bad += wave(&p, 2, 107, (const u16[]){0xffff, 0xfffe}, "HH");
	tap_ok(!bad,
	       "mode 4: GATE falling at terminal count holds the count, but "
	       "the strobe still ends after one pulse (%u wrong)",
	       bad);

	setup(&p, PIT_HZ);
	out8(&p, PB, 0);
	program(&p, 2, 0xba, 3);
	tsc = 10;
	bad = !out_of(&p, 2);
	out8(&p, PB, VPIT_PORTB_GATE2);
	bad += wave(&p, 2, 11, ce, "HHHLH");
	tsc = 20;
	out8(&p, PB, 0);
	out8(&p, PB, VPIT_PORTB_GATE2);
	tsc = 22;
	out8(&p, PB, 0);
	out8(&p, PB, VPIT_PORTB_GATE2); /* retrigger */
	bad += wave(&p, 2, 23, ce, "HHHLH");
	tap_ok(!bad,
	       "mode 5: a GATE rising edge loads the count; strobe N + 1 "
	       "pulses later; retriggerable (%u wrong)",
	       bad);
}

/* Read/write formats: LSB only, MSB only, LSB then MSB with independent
 * read and write flip-flops (the datasheet's interleaved sequence); a
 * control word resets both. */
static void test_access(void)
{
	struct vpit p;
	unsigned bad = 0;
	u8 a, b, c, d;

	setup(&p, PIT_HZ);
	out8(&p, CTRL, 0x10); /* LSB only, mode 0 */
	out8(&p, 0x40, 0x47);
	tsc = 1;
	bad += in8(&p, 0x40) != 0x47 || in8(&p, 0x40) != 0x47;
	out8(&p, CTRL, 0x24); /* MSB only, mode 2 */
	out8(&p, 0x40, 0x02);
	tsc = 2;
	bad += in8(&p, 0x40) != 0x02;
	tsc = 3;
	bad += in8(&p, 0x40) != 0x01; /* 0x1ff */
	tap_ok(!bad,
	       "LSB-only and MSB-only formats: one byte each way, the "
	       "other byte of the count 0 (%u wrong)",
	       bad);

	out8(&p, CTRL, 0x30);
	out8(&p, 0x40, 0x34);
	out8(&p, 0x40, 0x12);
	tsc = 4; /* loaded: 0x1234 */
	a = in8(&p, 0x40);
	out8(&p, 0x40, 0x78); /* LSB of a new count: counting stops */
	b = in8(&p, 0x40);
	out8(&p, 0x40, 0x56);
	tsc = 5;
	c = in8(&p, 0x40);
	d = in8(&p, 0x40);
	tap_ok(a == 0x34 && b == 0x12 && c == 0x78 && d == 0x56,
	       "LSB then MSB: read LSB, write LSB, read MSB, write MSB "
	       "interleave, the flip-flops independent (%#x %#x %#x %#x)",
	       a, b, c, d);
	a = in8(&p, 0x40);	      /* read flip-flop now at the MSB */
	out8(&p, 0x40, 0x11);	      /* write flip-flop now at the MSB */
	program(&p, 0, 0x34, 0x0100); /* control word resets both */
	tsc = 6;
	b = in8(&p, 0x40);
	c = in8(&p, 0x40);
	tap_ok(a == 0x78 && b == 0x00 && c == 0x01,
	       "a control word resets the read and write flip-flops");
}

/* Counter latch command: the latched count stays until read as counting
 * goes on, a second latch is ignored, the format is the counter's; a
 * control word drops it. */
static void test_latch(void)
{
	struct vpit p;
	u8 lo, hi, l1;
	u16 live;

	setup(&p, PIT_HZ);
	program(&p, 0, 0x34, 1000);
	tsc = 10;
	out8(&p, CTRL, 0x00);
	tsc = 20;
	out8(&p, CTRL, 0x00); /* ignored */
	tsc = 500;
	lo = in8(&p, 0x40);
	tsc = 700;
	hi = in8(&p, 0x40);
	tsc = 800;
	live = (u16)(in8(&p, 0x40) | in8(&p, 0x40) << 8);
	tap_ok(lo == (991 & 0xff) && hi == 991 >> 8 && live == 201,
	       "latch: the count at clock 10 (991) reads at 500 and 700 in two "
	       "bytes, a second latch before it is read is ignored; then live "
	       "reads again (%u)",
	       live);
	out8(&p, CTRL, 0x00);
	program(&p, 0, 0x34, 50);
	tsc = 802;
	l1 = in8(&p, 0x40);
	out8(&p, CTRL, 0x14); /* LSB only */
	out8(&p, 0x40, 50);
	tsc = 810;
	out8(&p, CTRL, 0x00);
	tsc = 820;
	lo = in8(&p, 0x40);
	hi = in8(&p, 0x40);
	tap_ok(l1 == 49 && lo == 43 && hi == 33,
	       "a control word drops an unread latch; an LSB-only counter "
	       "latches one byte (%u %u %u)",
	       l1, lo, hi);
}

/* Read-back command: status (OUT, null count, RW, M, BCD), status before
 * count when both are latched, several counters at once, and the first of
 * several latches kept. */
static void test_readback(void)
{
	struct vpit p;
	u8 s0, s1, s2, a, b, c;

	setup(&p, PIT_HZ);
	out8(&p, CTRL, 0x35); /* counter 0, mode 2, BCD */
	s0 = status_of(&p, 0);
	out8(&p, 0x40, 0x00);
	out8(&p, 0x40, 0x01);
	s1 = status_of(&p, 0);
	tsc = 1;
	s2 = status_of(&p, 0);
	tap_ok(s0 == 0xf5 && s1 == 0xf5 && s2 == 0xb5,
	       "status: OUT, null count after the control word and the count, "
	       "cleared at the load; RW, M and BCD as written (%#x %#x %#x)",
	       s0, s1, s2);
	tsc = 3;
	out8(&p, CTRL, 0xc2); /* count and status of counter 0 */
	tsc = 9;
	a = in8(&p, 0x40);
	b = in8(&p, 0x40);
	c = in8(&p, 0x40);
	tap_ok(a == 0xb5 && b == 0x98 && c == 0x00,
	       "read-back of count and status: status first, then the count "
	       "latched at clock 3 (BCD 98) (%#x %#x %#x)",
	       a, b, c);
	program(&p, 1, 0x74, 18);
	out8(&p, PB, 0);
	program(&p, 2, 0xb0, 7);
	tsc = 20;
	out8(&p, CTRL, 0xee); /* status of all three */
	tsc = 30;
	out8(&p, CTRL, 0xee); /* ignored: not yet read */
	s0 = in8(&p, 0x40);
	s1 = in8(&p, 0x41);
	s2 = in8(&p, 0x42);
	a = in8(&p, 0x42);
	tap_ok(s0 == 0xb5 && s1 == 0xb4 && s2 == 0x30 && a == 7,
	       "read-back of three counters' status at once; a later status "
	       "latch before the read is ignored (%#x %#x %#x, then CE %u)",
	       s0, s1, s2, a);
}

/* Count 0 is 2^16 binary and 10^4 BCD; BCD counts in decades. */
static void test_count0_bcd(void)
{
	struct vpit p;
	unsigned bad = 0;

	setup(&p, PIT_HZ);
	program(&p, 0, 0x34, 0);
	tsc = 1;
	bad += count_of(&p, 0) != 0;
	tsc = 2;
	bad += count_of(&p, 0) != 0xffff;
	tsc = 0x10000;
	bad += count_of(&p, 0) != 1 || out_of(&p, 0);
	tsc = 0x10001;
	bad += count_of(&p, 0) != 0 || !out_of(&p, 0);
	tsc = 0x10000 * 3;
	bad += out_of(&p, 0);
	tap_ok(!bad, "binary count 0: 65536 pulses a period (%u wrong)", bad);

	bad = 0;
	tsc = 1000000;
	program(&p, 0, 0x35, 0);
	tsc = 1000002;
	bad += count_of(&p, 0) != 0x9999;
	tsc = 1000001 + 9999;
	bad += count_of(&p, 0) != 1 || out_of(&p, 0);
	tsc = 1000001 + 10000;
	bad += count_of(&p, 0) != 0 || !out_of(&p, 0);
	tsc = 2000000;
	program(&p, 0, 0x31, 0x1234);
	tsc = 2000001 + 35;
	bad += count_of(&p, 0) != 0x1199;
	tsc = 3000000;
	program(&p, 0, 0x31, 0x0002);
	tsc = 3000001 + 3;
	bad += count_of(&p, 0) != 0x9999 || !out_of(&p, 0);
	tap_ok(!bad,
	       "BCD: count 0 is 10000 (0000 9999 .. 1), 1234 - 35 = 1199, "
	       "0002 - 3 wraps to 9999 (%u wrong)",
	       bad);
}

/* Port 0x61 and the decode. */
static void test_port_b(void)
{
	static const u16 pit[] = {0x40, 0x41, 0x42, 0x43, 0x61};
	static const u16 other[] = {0x3f, 0x44, 0x60, 0x62, 0x20, 0x80};
	struct vpit p;
	unsigned bad = 0, toggles = 0;
	u8 v = 0x5a, last;

	setup(&p, PIT_HZ);
	for (size_t i = 0; i < ARRAY_SIZE(pit); i++)
		bad += !vpit_read(&p, pit[i], &v);
	v = 0x5a;
	for (size_t i = 0; i < ARRAY_SIZE(other); i++)
		bad += vpit_read(&p, other[i], &v) ||
		       vpit_write(&p, other[i], 0) || v != 0x5a;
	bad += in8(&p, CTRL) != 0;
	tap_ok(!bad,
	       "ports 0x40-0x43 and 0x61 are the PIT's, others not (and *val "
	       "is left alone); 0x43 reads 0 (%u wrong)",
	       bad);
	out8(&p, PB, 0xff);
	v = in8(&p, PB);
	out8(&p, PB, 0xf2);
	tap_ok((v & 0xcf) == 0x0f && (in8(&p, PB) & 0xcf) == 0x02,
	       "port 0x61: bits 3:0 (GATE2, speaker data, ...) read back, "
	       "bits 7:6 read 0 (%#x)",
	       v);
	last = in8(&p, PB) & VPIT_PORTB_REFRESH;
	for (tsc = 0; tsc < 18 * 100; tsc++) {
		v = in8(&p, PB) & VPIT_PORTB_REFRESH;
		toggles += v != last;
		bad += v != (((tsc / 18) & 1) ? VPIT_PORTB_REFRESH : 0);
		last = v;
	}
	tap_ok(!bad && toggles == 99,
	       "port 0x61 bit 4 toggles every 18 PIT clocks (15.09 us): %u "
	       "toggles in 1800",
	       toggles);
	setup(&p, PIT_HZ);
	out8(&p, PB, VPIT_PORTB_GATE2);
	program(&p, 2, 0xb0, 3);
	bad = 0;
	for (tsc = 0; tsc < 8; tsc++)
		bad += !!(in8(&p, PB) & VPIT_PORTB_OUT2) != (tsc >= 4);
	tap_ok(!bad, "port 0x61 bit 5 is counter 2's OUT (%u wrong)", bad);
}

/* The PIT clock the model must see at TSC t, independently. */
static u64 ref_clk(u64 t, u64 hz)
{
	return (u64)((unsigned __int128)t * PIT_HZ / hz);
}

/* The first TSC value at which PIT clock c has happened. */
static u64 ref_tsc(u64 c, u64 hz)
{
	return (u64)(((unsigned __int128)c * hz + PIT_HZ - 1) / PIT_HZ);
}

/* Counts at arbitrary TSC values and rates: floor(t * PIT_HZ / tsc_hz)
 * exactly, up to 2^60 ticks. */
static void test_time(void)
{
	static const u64 hz[] = {2000000000ULL, 1000000ULL, 3579545ULL,
				 2999999999ULL, VPIT_TSC_HZ_MAX};
	struct vpit p;
	struct rng r;
	unsigned bad = 0;

	rng_seed(&r, 1);
	for (size_t i = 0; i < ARRAY_SIZE(hz); i++) {
		for (unsigned k = 0; k < 2000; k++) {
			u64 t0 = rng_next(&r) >> (4 + rng_below(&r, 60));
			u64 t1 = t0 + (rng_next(&r) >> (4 + rng_below(&r, 60)));
			u64 c0, c1;
			u16 want;

			setup(&p, hz[i]);
			tsc = t0;
			program(&p, 0, 0x30, 0);
			tsc = t1;
			c0 = ref_clk(t0, hz[i]);
			c1 = ref_clk(t1, hz[i]);
			if (c1 == c0)
				continue; /* CE not loaded yet */
			want = c1 > c0 ? (u16)(0 - (c1 - c0 - 1)) : 0;
			bad += count_of(&p, 0) != want;
		}
	}
	tap_ok(!bad,
	       "elapsed PIT clocks are floor(tsc * PIT_HZ / tsc_hz) exactly at "
	       "5 rates and TSC values to 2^60 (%u of 10000 wrong)",
	       bad);
}

/* Drive IRQ 0 as the glue would: sleep until vpit_irq0_next, poll. Returns
 * the edges seen in [start, end]; counts disagreements in *bad. */
static unsigned run_irq(struct vpit *p, u64 end, u64 hz, u64 load, u64 period,
			unsigned *bad)
{
	unsigned edges = 0;
	u64 t;

	while ((t = vpit_irq0_next(p)) && t <= end) {
		edges++;
		*bad += t != ref_tsc(load + edges * period, hz);
		tsc = t - 1;
		*bad += vpit_irq0_poll(p);
		tsc = t;
		*bad += !vpit_irq0_poll(p);
	}
	return edges;
}

/* The IRQ 0 interface: mode 2 at ~1 kHz gives 1000 edges in a second of
 * TSC time; missed edges coalesce; no next edge after mode 0's terminal
 * count; a control word that raises OUT0 is an edge. */
static void test_irq0(void)
{
	static const u64 hz[] = {2000000000ULL, 1000000ULL};
	struct vpit p;
	unsigned bad = 0, edges[2];
	bool first, second;

	for (size_t i = 0; i < 2; i++) {
		setup(&p, hz[i]);
		vpit_irq0_poll(&p);
		program(&p, 0, 0x34, 1193);
		edges[i] = run_irq(&p, hz[i] - 1, hz[i], 1, 1193, &bad);
	}
	tap_ok(edges[0] == 1000 && edges[1] == 1000 && !bad,
	       "mode 2, count 1193: %u and %u edges in one second at 2 GHz and "
	       "1 MHz, each at the TSC vpit_irq0_next gave (%u wrong)",
	       edges[0], edges[1], bad);

	setup(&p, 2000000000ULL);
	program(&p, 0, 0x34, 1193);
	vpit_irq0_poll(&p);
	tsc = 20000000; /* 10 ms: ten edges */
	first = vpit_irq0_poll(&p);
	second = vpit_irq0_poll(&p);
	tap_ok(first && !second,
	       "ten edges unpolled are one poll, then none until the next");

	setup(&p, PIT_HZ);
	program(&p, 0, 0x30, 100);
	vpit_irq0_poll(&p);
	bad = vpit_irq0_next(&p) != 101;
	tsc = 100;
	bad += vpit_irq0_poll(&p);
	tsc = 101;
	bad += !vpit_irq0_poll(&p) || vpit_irq0_next(&p) != 0;
	tsc = 1000000;
	bad += vpit_irq0_poll(&p) || vpit_irq0_next(&p) != 0;
	tap_ok(!bad, "mode 0: next is terminal count, then 0: no more edges");

	tsc = 1000010;
	program(&p, 0, 0x30, 100); /* OUT0 low */
	vpit_irq0_poll(&p);
	out8(&p, CTRL, 0x34); /* mode 2: OUT0 high at once */
	first = vpit_irq0_poll(&p);
	bad = vpit_irq0_next(&p) != 0; /* waits for its count */
	out8(&p, CTRL, 0x38);
	program(&p, 0, 0x38, 5);
	tap_ok(first && !bad && vpit_irq0_next(&p) == tsc + 7,
	       "a control word raising OUT0 is an edge; mode 4's next edge "
	       "ends its strobe, N + 2 pulses on");
	setup(&p, PIT_HZ);
	tap_ok(vpit_irq0_next(&p) == 0x10000 && !vpit_irq0_poll(&p) &&
		   status_of(&p, 0) == 0xb6 && status_of(&p, 2) == 0xb6,
	       "reset state: mode 3, count 65536, running from TSC 0 (IRQ 0 "
	       "at 18.2 Hz)");
}

/* ---- reference model: one PIT clock at a time --------------------------- */

struct ref_ctr {
	u8 ctrl, mode, rw, wlsb, ol_left, st;
	bool bcd, wmsb, rmsb, cr_set, gate, out, null, loaded, load_next;
	bool armed, st_latched;
	u16 cr, ce, cur, ol;
};

struct ref {
	struct ref_ctr c[3];
	u8 port_b;
	u64 clk;
	bool edge;
};

static u16 ref_dec(u16 v, bool bcd)
{
	if (!bcd)
		return (u16)(v - 1);
	for (unsigned i = 0; i < 16; i += 4) {
		if ((v >> i) & 0xf)
			return (u16)(v - (1U << i));
		v |= (u16)(9U << i); /* 0 -> 9, borrow */
	}
	return v;
}

static u16 ref_adj(const struct ref_ctr *c, u16 r)
{
	if (r == 1 && c->mode == 2)
		return 2;
	if (r == 1 && c->mode == 3)
		return 0;
	return r;
}

static void ref_reload3(struct ref_ctr *c)
{
	c->cur = ref_adj(c, c->cr);
	c->ce = c->cur & 1 ? ref_dec(c->cur, c->bcd) : c->cur;
	c->null = false;
}

static void ref_load(struct ref_ctr *c)
{
	c->load_next = false;
	c->loaded = true;
	c->null = false;
	c->ce = c->cr;
	if (c->mode == 1)
		c->out = false;
	if (c->mode >= 4) {
		c->out = true;
		c->armed = true;
	}
	if (c->mode == 2) {
		c->ce = ref_adj(c, c->cr);
		c->out = true;
	}
	if (c->mode == 3) {
		ref_reload3(c);
		c->out = true;
	}
}

static void ref_square(struct ref_ctr *c)
{
	bool odd = c->cur & 1;

	if (c->out && odd && c->ce == 0) {
		c->out = false;
		ref_reload3(c);
		return;
	}
	c->ce = ref_dec(ref_dec(c->ce, c->bcd), c->bcd);
	if (c->ce == 0 && (!c->out || !odd)) {
		c->out = !c->out;
		ref_reload3(c);
	}
}

/* One CLK pulse, as the mode sections describe it. */
static void ref_pulse(struct ref_ctr *c)
{
	if (c->load_next) {
		ref_load(c);
		return;
	}
	if (!c->loaded)
		return;
	switch (c->mode) {
	case 0:
	case 1:
		if (c->mode == 1 || c->gate) {
			c->ce = ref_dec(c->ce, c->bcd);
			if (c->ce == 0)
				c->out = true;
		}
		break;
	case 2:
		if (!c->gate)
			break;
		if (c->ce == 1) {
			c->ce = ref_adj(c, c->cr);
			c->null = false;
			c->out = true;
		} else {
			c->ce = ref_dec(c->ce, c->bcd);
			c->out = c->ce != 1;
		}
		break;
	case 3:
		if (c->gate)
			ref_square(c);
		break;
	default:
		c->out = true;
		if (c->mode == 4 && !c->gate)
			break;
		c->ce = ref_dec(c->ce, c->bcd);
		if (c->ce == 0 && c->armed) {
			c->out = false;
			c->armed = false;
		}
		break;
	}
}

static void ref_init(struct ref *m)
{
	mem_set(m, 0, sizeof(*m));
	for (unsigned i = 0; i < 3; i++) {
		struct ref_ctr *c = &m->c[i];

		c->ctrl = 0x36;
		c->mode = 3;
		c->rw = 3;
		c->gate = i != 2;
		c->cr_set = true;
		c->loaded = true;
		c->out = true;
		c->cur = 0;
	}
}

/* Step the reference to PIT clock clk; returns the first clock in the
 * interval at which OUT0 rose, or 0. */
static u64 ref_advance(struct ref *m, u64 clk)
{
	u64 first = 0;

	while (m->clk < clk) {
		bool was = m->c[0].out;

		m->clk++;
		for (unsigned i = 0; i < 3; i++)
			ref_pulse(&m->c[i]);
		if (!was && m->c[0].out) {
			m->edge = true;
			if (!first)
				first = m->clk;
		}
	}
	return first;
}

static void ref_count(struct ref_ctr *c, u8 v)
{
	u16 r;

	if (c->rw == 3 && !c->wmsb) {
		c->wlsb = v;
		c->wmsb = true;
		if (c->mode == 0) {
			c->loaded = c->load_next = false;
			c->out = false;
		}
		return;
	}
	r = c->rw == 1	 ? v
	    : c->rw == 2 ? (u16)(v << 8)
			 : (u16)(c->wlsb | v << 8);
	c->wmsb = false;
	c->cr = r;
	c->cr_set = true;
	c->null = true;
	if (c->mode == 0)
		c->out = false;
	if (c->mode == 0 || c->mode == 4 ||
	    ((c->mode == 2 || c->mode == 3) && !c->loaded))
		c->load_next = true;
}

static void ref_latch(struct ref_ctr *c, bool count, bool status)
{
	if (count && !c->ol_left) {
		c->ol = c->ce;
		c->ol_left = c->rw == 3 ? 2 : 1;
	}
	if (status && !c->st_latched) {
		c->st = (u8)(c->out << 7 | c->null << 6 | c->ctrl);
		c->st_latched = true;
	}
}

static void ref_control(struct ref *m, u8 v)
{
	struct ref_ctr *c = &m->c[v >> 6 & 3];
	u8 mo = (v >> 1) & 7;

	if ((v >> 6) == 3) {
		for (unsigned i = 0; i < 3; i++)
			if (v & (2U << i))
				ref_latch(&m->c[i], !(v & 0x20), !(v & 0x10));
		return;
	}
	if (!(v & 0x30)) {
		ref_latch(c, true, false);
		return;
	}
	c->ctrl = v & 0x3f;
	c->rw = (v >> 4) & 3;
	c->mode = mo > 5 ? mo - 4 : mo;
	c->bcd = v & 1;
	c->wmsb = c->rmsb = false;
	c->ol_left = 0;
	c->cr_set = false;
	c->null = true;
	c->loaded = c->load_next = c->armed = false;
	c->out = c->mode != 0;
}

static void ref_gate(struct ref_ctr *c, bool g)
{
	if (g == c->gate)
		return;
	if (!g && (c->mode == 2 || c->mode == 3))
		c->out = true;
	if (g && c->mode != 0 && c->mode != 4 && c->cr_set)
		c->load_next = true;
	c->gate = g;
}

static void ref_write(struct ref *m, u16 port, u8 v)
{
	bool was = m->c[0].out;

	if (port == CTRL)
		ref_control(m, v);
	else if (port == PB) {
		m->port_b = v & 0x0f;
		ref_gate(&m->c[2], v & 1);
	} else
		ref_count(&m->c[port - 0x40], v);
	if (!was && m->c[0].out)
		m->edge = true;
}

static u8 ref_read(struct ref *m, u16 port)
{
	struct ref_ctr *c;
	bool msb;

	if (port == CTRL)
		return 0;
	if (port == PB)
		return (u8)(m->port_b | ((m->clk / 18) & 1) << 4 |
			    m->c[2].out << 5);
	c = &m->c[port - 0x40];
	if (c->st_latched) {
		c->st_latched = false;
		return c->st;
	}
	if (c->ol_left) {
		msb = c->rw == 2 || (c->rw == 3 && c->ol_left == 1);
		c->ol_left--;
		return (u8)(msb ? c->ol >> 8 : c->ol);
	}
	msb = c->rw == 2 || (c->rw == 3 && c->rmsb);
	if (c->rw == 3)
		c->rmsb = !c->rmsb;
	return (u8)(msb ? c->ce >> 8 : c->ce);
}

/* ---- the random run ------------------------------------------------------ */

#define LOG_N 24

struct run {
	struct vpit p;
	struct ref m;
	struct rng r;
	u64 hz, next; /* vpit_irq0_next after the last operation */
	u64 ops;
	const char *why;
	char log[LOG_N][48]; /* the last operations, for the diagnosis */
};

/* Note operation number s->ops for the failure report. */
__attribute__((format(printf, 2, 3))) static void note(struct run *s,
						       const char *fmt, ...)
{
	va_list ap;
	int k;

	k = snprintf(s->log[s->ops % LOG_N], sizeof(s->log[0]),
		     "%llu @%llu: ", (unsigned long long)s->ops,
		     (unsigned long long)tsc);
	va_start(ap, fmt);
	vsnprintf(s->log[s->ops % LOG_N] + k, sizeof(s->log[0]) - (size_t)k,
		  fmt, ap);
	va_end(ap);
}

/* A count byte: mostly small (short periods keep the reference fast). */
static u8 count_byte(struct rng *r)
{
	u64 k = rng_below(r, 16);

	return k < 10 ? (u8)rng_below(r, 10) : k < 14 ? 0 : (u8)rng_next(r);
}

static u8 control_byte(struct rng *r)
{
	u64 k = rng_below(r, 20);
	u8 sc = (u8)(k < 8 ? 0 : k < 16 ? 2 : k < 18 ? 1 : 3);
	u8 rw = (u8)rng_below(r, 4), m = (u8)rng_below(r, 8);
	u8 bcd = rng_below(r, 6) == 0;

	if (sc == 3)
		return (u8)(0xc0 | (rng_next(r) & 0x3e));
	if (rw == 0 && rng_below(r, 2))
		rw = 3;
	return (u8)(sc << 6 | rw << 4 | m << 1 | bcd);
}

/* Advance the clock a little (sometimes a lot) and check the edge the model
 * predicted. */
static void advance(struct run *s)
{
	u64 k = rng_below(&s->r, 1000), clocks, first;

	clocks = k < 600   ? rng_below(&s->r, 4)
		 : k < 995 ? rng_below(&s->r, 60)
			   : rng_below(&s->r, 70000);
	tsc += rng_below(&s->r, clocks * s->hz / PIT_HZ + 2);
	first = ref_advance(&s->m, ref_clk(tsc, s->hz));
	if (first && (!s->next || s->next != ref_tsc(first, s->hz)))
		s->why = "OUT0 rose where vpit_irq0_next did not say";
	if (!first && s->next && s->next <= tsc)
		s->why = "vpit_irq0_next named an edge that did not come";
}

static void one_op(struct run *s)
{
	static const u16 rd[] = {0x40, 0x41, 0x42, 0x42, CTRL, PB};
	u64 k = rng_below(&s->r, 100);
	u16 port;
	u8 v, want, got = 0;
	bool pe, me;

	if (k < 30) {
		advance(s);
		note(s, "advance");
	} else if (k < 45) {
		v = control_byte(&s->r);
		note(s, "out 0x43, %#x", v);
		vpit_write(&s->p, CTRL, v);
		ref_write(&s->m, CTRL, v);
	} else if (k < 65) {
		port = (u16)(0x40 + (rng_below(&s->r, 4) % 3));
		v = count_byte(&s->r);
		note(s, "out %#x, %#x", port, v);
		vpit_write(&s->p, port, v);
		ref_write(&s->m, port, v);
	} else if (k < 88) {
		port = rd[rng_below(&s->r, ARRAY_SIZE(rd))];
		vpit_read(&s->p, port, &got);
		want = ref_read(&s->m, port);
		note(s, "in %#x = %#x", port, got);
		if (got != want) {
			s->why = "a read differs";
			tap_diag("port %#x: model %#x, reference %#x", port,
				 got, want);
		}
	} else if (k < 94) {
		v = (u8)rng_next(&s->r);
		note(s, "out 0x61, %#x", v);
		vpit_write(&s->p, PB, v);
		ref_write(&s->m, PB, v);
	} else {
		pe = vpit_irq0_poll(&s->p);
		me = s->m.edge;
		s->m.edge = false;
		note(s, "poll = %d", pe);
		if (pe != me)
			s->why = "vpit_irq0_poll differs";
	}
	s->next = vpit_irq0_next(&s->p);
	if (s->next && s->next <= tsc)
		s->why = "vpit_irq0_next is not in the future";
}

/* Both models' counters, for the failure report. */
static void dump(const struct run *s)
{
	for (unsigned i = 0; i < 3; i++) {
		const struct ref_ctr *c = &s->m.c[i];
		const struct vpit_counter *v = &s->p.c[i];

		tap_diag("  ref %u: ctrl %#x ce %#x cr %#x cur %#x out %d gate "
			 "%d loaded %d load_next %d null %d",
			 i, c->ctrl, c->ce, c->cr, c->cur, c->out, c->gate,
			 c->loaded, c->load_next, c->null);
		tap_diag(
		    "  vpit %u: run %d load %llu ref %llu acc %llu r %#x n "
		    "%u pend %d r2 %#x sw %llu low %d/%d frozen %#x/%d",
		    i, v->run, (unsigned long long)v->load,
		    (unsigned long long)v->ref, (unsigned long long)v->acc,
		    v->r, v->n, v->pend, v->r2, (unsigned long long)v->sw,
		    v->low, v->low2, v->frozen, v->frozen_out);
	}
	tap_diag("  clock %llu", (unsigned long long)s->m.clk);
}

/* Random operations against the reference at four TSC rates. */
static void test_random(void)
{
	static const u64 hz[] = {PIT_HZ, 2000000000ULL, 1000000ULL,
				 3000000017ULL};
	static struct run s;
	u64 iters = env_u64("MICA_ITERS", 250000), seed, failed = 0;
	struct rng top;

	seed = rng_seed_env(&top, 0x8254);
	tap_diag("seed 0x%llx (MICA_SEED to reproduce, MICA_ITERS for length)",
		 (unsigned long long)seed);
	for (size_t i = 0; i < ARRAY_SIZE(hz); i++) {
		rng_seed(&s.r, rng_next(&top));
		setup(&s.p, hz[i]);
		ref_init(&s.m);
		s.hz = hz[i];
		s.next = vpit_irq0_next(&s.p);
		s.why = NULL;
		for (s.ops = 0; s.ops < iters && !s.why; s.ops++)
			one_op(&s);
		if (s.why) {
			failed++;
			tap_diag("tsc_hz %llu: %s at op %llu (tsc %llu)",
				 (unsigned long long)hz[i], s.why,
				 (unsigned long long)s.ops - 1,
				 (unsigned long long)tsc);
			for (u64 j = s.ops > LOG_N ? s.ops - LOG_N : 0;
			     j < s.ops; j++)
				tap_diag("  %s", s.log[j % LOG_N]);
			dump(&s);
		}
	}
	tap_ok(!failed,
	       "random: %llu operations at each of 4 TSC rates agree with a "
	       "one-clock-at-a-time reference (reads, polls, next edge)",
	       (unsigned long long)iters);
}

int main(void)
{
	test_mode0();
	test_mode1();
	test_mode2();
	test_mode3();
	test_mode45();
	test_access();
	test_latch();
	test_readback();
	test_count0_bcd();
	test_port_b();
	test_time();
	test_irq0();
	test_random();
	return tap_done();
}
