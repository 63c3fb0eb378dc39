/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the CMOS RTC in vmm/dev/vrtc.c against the MC146818A
 * datasheet and QEMU's "mc146818rtc" reset state: BCD and binary, 12- and
 * 24-hour formats; dates rolling over (seconds, minutes, midnight, month
 * ends, Feb 28/29 in leap and common years and across 2000 and 2100, the
 * year and the century) both from the initial time and from a time the
 * guest set; SET; UIP against the second boundary; the divider reset;
 * register C and IRQF; the periodic rates; the alarm with don't-care
 * bytes, checked against a brute-force search; register D, the NMI bit,
 * the battery RAM and the firmware bytes; and a random test comparing
 * the date the model shows after random clock steps with a calendar this
 * file computes by counting days (MICA_SEED, MICA_ITERS).
 */
#include "mm/base/types.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "vmm/dev/vrtc.h"

#define T0 5000ULL /* the clock when attached: second boundaries T0 + k*hz */

static u64 clk;

/* The model's clock: a variable the test moves. */
static u64 clock_fn(void *ctx)
{
	(void)ctx;
	return clk;
}

/* Read CMOS byte idx as a guest does: index to 0x70, data from 0x71. */
static u8 rd(struct vrtc *r, unsigned idx)
{
	u8 v = 0;

	vrtc_write(r, VRTC_PORT_INDEX, (u8)idx);
	vrtc_read(r, VRTC_PORT_DATA, &v);
	return v;
}

/* Write CMOS byte idx as a guest does. */
static void wr(struct vrtc *r, unsigned idx, u8 v)
{
	vrtc_write(r, VRTC_PORT_INDEX, (u8)idx);
	vrtc_write(r, VRTC_PORT_DATA, v);
}

/* A fresh RTC at epoch, its clock attached at T0. */
static void setup(struct vrtc *r, u64 hz, u64 epoch)
{
	clk = T0;
	vrtc_init(r, hz, epoch);
	vrtc_set_clock(r, clock_fn, NULL);
}

/* ---- an independent calendar: counting days one by one ------------------- */

struct date {
	u64 y;
	unsigned m, d, h, mi, s, dow;
};

/* Gregorian leap years: every 4th, not centuries, but every 400th. */
static bool leap(u64 y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month m of year y. */
static unsigned month_days(u64 y, unsigned m)
{
	static const unsigned n[12] = {31, 28, 31, 30, 31, 30,
				       31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* Unix seconds of a date from 1970 on, counting year by year. */
static u64 unix_of(struct date t)
{
	u64 days = 0;

	for (u64 y = 1970; y < t.y; y++)
		days += leap(y) ? 366 : 365;
	for (unsigned m = 1; m < t.m; m++)
		days += month_days(t.y, m);
	days += t.d - 1;
	return days * 86400 + t.h * 3600ULL + t.mi * 60ULL + t.s;
}

/* The date of Unix second t, subtracting whole years and months. */
static struct date civil_of(u64 t)
{
	struct date c;
	u64 days = t / 86400, tod = t % 86400;

	c.dow = (unsigned)((days + 4) % 7) + 1; /* 1970-01-01: Thursday */
	c.h = (unsigned)(tod / 3600);
	c.mi = (unsigned)(tod / 60 % 60);
	c.s = (unsigned)(tod % 60);
	for (c.y = 1970; days >= (leap(c.y) ? 366U : 365U); c.y++)
		days -= leap(c.y) ? 366 : 365;
	for (c.m = 1; days >= month_days(c.y, c.m); c.m++)
		days -= month_days(c.y, c.m);
	c.d = (unsigned)days + 1;
	return c;
}

/* Every field, the day of week included. */
static bool same_date(struct date a, struct date b)
{
	return a.y == b.y && a.m == b.m && a.d == b.d && a.h == b.h &&
	       a.mi == b.mi && a.s == b.s && a.dow == b.dow;
}

/* ---- the register formats, written here from the datasheet --------------- */

/* A value as a time byte: binary if DM is set, else two BCD digits. */
static u8 enc(u8 b_reg, unsigned v)
{
	return b_reg & VRTC_B_DM ? (u8)v : (u8)((v / 10) << 4 | v % 10);
}

/* A time byte as a value. */
static unsigned dec(u8 b_reg, u8 v)
{
	return b_reg & VRTC_B_DM ? v : (v >> 4) * 10U + (v & 15);
}

/* An hour 0..23 as the hours byte: 12-hour mode has 12, 1..11 and PM. */
static u8 enc_hour(u8 b_reg, unsigned h)
{
	if (b_reg & VRTC_B_24H)
		return enc(b_reg, h);
	return enc(b_reg, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

/* The hours byte as 0..23. */
static unsigned dec_hour(u8 b_reg, u8 v)
{
	if (b_reg & VRTC_B_24H)
		return dec(b_reg, v);
	return dec(b_reg, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

/* The date the registers show, decoded as register B says. */
static struct date shown(struct vrtc *r)
{
	u8 b = rd(r, VRTC_REG_B);
	struct date c;

	c.s = dec(b, rd(r, VRTC_SECONDS));
	c.mi = dec(b, rd(r, VRTC_MINUTES));
	c.h = dec_hour(b, rd(r, VRTC_HOURS));
	c.dow = dec(b, rd(r, VRTC_DAY_OF_WEEK));
	c.d = dec(b, rd(r, VRTC_DAY_OF_MONTH));
	c.m = dec(b, rd(r, VRTC_MONTH));
	c.y = dec(b, rd(r, VRTC_CENTURY)) * 100ULL + dec(b, rd(r, VRTC_YEAR));
	return c;
}

/* Set the time through the registers the way a BIOS does: SET, the ten
 * bytes in the current format, SET cleared. */
static void guest_set(struct vrtc *r, struct date t)
{
	u8 b = rd(r, VRTC_REG_B);

	wr(r, VRTC_REG_B, b | VRTC_B_SET);
	wr(r, VRTC_SECONDS, enc(b, t.s));
	wr(r, VRTC_MINUTES, enc(b, t.mi));
	wr(r, VRTC_HOURS, enc_hour(b, t.h));
	wr(r, VRTC_DAY_OF_WEEK, enc(b, t.dow));
	wr(r, VRTC_DAY_OF_MONTH, enc(b, t.d));
	wr(r, VRTC_MONTH, enc(b, t.m));
	wr(r, VRTC_YEAR, enc(b, (unsigned)(t.y % 100)));
	wr(r, VRTC_CENTURY, enc(b, (unsigned)(t.y / 100)));
	wr(r, VRTC_REG_B, b & ~VRTC_B_SET);
}

/* A date with its day of week from the test's calendar. */
static struct date D(u64 y, unsigned m, unsigned d, unsigned h, unsigned mi,
		     unsigned s) {
	struct date c = {y, m, d, h, mi, s, 0};

	c.dow = civil_of(unix_of(c)).dow;
	return c;
}

/* ---- tests ---------------------------------------------------------------- */

/* QEMU's reset state and the port map. */
static void
test_reset(void)
{
	struct vrtc r;
	u8 v = 0;
	bool idx_ok, other;

	setup(&r, 1000000, 0);
	idx_ok = vrtc_read(&r, VRTC_PORT_INDEX, &v) && v == 0xff;
	other = !vrtc_read(&r, 0x72, &v) && v == 0xff &&
		!vrtc_write(&r, 0x72, 0) && !vrtc_read(&r, 0x6f, &v);
	tap_ok(rd(&r, VRTC_REG_A) == 0x26 && rd(&r, VRTC_REG_B) == 0x02 &&
		   rd(&r, VRTC_REG_C) == 0 && rd(&r, VRTC_REG_D) == 0x80,
	       "reset: A 0x26 (32.768 kHz, 1024 Hz), B 0x02 (24 h, BCD), C 0, "
	       "D 0x80, as QEMU's mc146818rtc");
	tap_ok(idx_ok && other,
	       "ports 0x70/0x71 are the RTC's, 0x70 reads 0xFF (write-only), "
	       "0x6F and 0x72 are not");
	tap_ok(same_date(shown(&r), D(1970, 1, 1, 0, 0, 0)) &&
		   shown(&r).dow == 5,
	       "epoch 0 reads 1970-01-01 00:00:00, a Thursday (day 5)");
}

/* Time, calendar and alarm data modes: BCD, binary, 12/24 hour. */
static void test_formats(void)
{
	static const u8 bcd[8] = {0x30, 0x45, 0x13, 0x04,
				  0x28, 0x02, 0x24, 0x20};
	static const u8 bin[8] = {30, 45, 13, 4, 28, 2, 24, 20};
	static const unsigned idx[8] = {
	    VRTC_SECONDS,      VRTC_MINUTES, VRTC_HOURS, VRTC_DAY_OF_WEEK,
	    VRTC_DAY_OF_MONTH, VRTC_MONTH,   VRTC_YEAR,	 VRTC_CENTURY};
	static const struct {
		unsigned h;
		u8 bcd12, bin12;
	} h12[] = {{0, 0x12, 12},    {1, 0x01, 1},     {11, 0x11, 11},
		   {12, 0x92, 0x8c}, {13, 0x81, 0x81}, {23, 0x91, 0x8b}};
	struct vrtc r;
	unsigned bad_bcd = 0, bad_bin = 0, bad12 = 0;

	setup(&r, 1000000, unix_of(D(2024, 2, 28, 13, 45, 30)));
	for (unsigned i = 0; i < 8; i++)
		bad_bcd += rd(&r, idx[i]) != bcd[i];
	wr(&r, VRTC_REG_B, VRTC_B_24H | VRTC_B_DM);
	for (unsigned i = 0; i < 8; i++)
		bad_bin += rd(&r, idx[i]) != bin[i];
	tap_ok(!bad_bcd,
	       "BCD: 2024-02-28 13:45:30 Wednesday reads 30 45 13 "
	       "04 28 02 24, century 20 (%u wrong)",
	       bad_bcd);
	tap_ok(!bad_bin, "binary (DM=1): the same time in binary (%u wrong)",
	       bad_bin);
	for (size_t i = 0; i < ARRAY_SIZE(h12); i++) {
		setup(&r, 1000000, unix_of(D(2024, 2, 28, h12[i].h, 5, 0)));
		wr(&r, VRTC_REG_B, 0);
		bad12 += rd(&r, VRTC_HOURS) != h12[i].bcd12;
		wr(&r, VRTC_REG_B, VRTC_B_DM);
		bad12 += rd(&r, VRTC_HOURS) != h12[i].bin12;
	}
	tap_ok(!bad12,
	       "12-hour mode: 12 AM, 1-11, 12 PM, PM in bit 7, in BCD and "
	       "binary (%u wrong)",
	       bad12);
}

/* One rollover case: the shown time at start, a tick before the next
 * second boundary and at it. */
static bool rolls(struct vrtc *r, u64 hz, u64 at, struct date from,
		  struct date to)
{
	bool ok;

	clk = at + hz - 1;
	ok = same_date(shown(r), from);
	clk = at + hz;
	return ok && same_date(shown(r), to);
}

/* The update cycle's carries: end of month, leap years, century. */
static void test_rollover(void)
{
	static const struct {
		struct date from, to;
		const char *what;
	} c[] = {
	    {{2023, 6, 15, 10, 0, 59, 0}, {2023, 6, 15, 10, 1, 0, 0}, "minute"},
	    {{2023, 6, 15, 10, 59, 59, 0}, {2023, 6, 15, 11, 0, 0, 0}, "hour"},
	    {{2023, 6, 15, 23, 59, 59, 0}, {2023, 6, 16, 0, 0, 0, 0}, "day"},
	    {{2023, 1, 31, 23, 59, 59, 0}, {2023, 2, 1, 0, 0, 0, 0}, "Jan 31"},
	    {{2023, 4, 30, 23, 59, 59, 0}, {2023, 5, 1, 0, 0, 0, 0}, "Apr 30"},
	    {{2024, 2, 28, 23, 59, 59, 0},
	     {2024, 2, 29, 0, 0, 0, 0},
	     "Feb 28 leap"},
	    {{2024, 2, 29, 23, 59, 59, 0}, {2024, 3, 1, 0, 0, 0, 0}, "Feb 29"},
	    {{2023, 2, 28, 23, 59, 59, 0},
	     {2023, 3, 1, 0, 0, 0, 0},
	     "Feb 28 2023"},
	    {{2000, 2, 28, 23, 59, 59, 0},
	     {2000, 2, 29, 0, 0, 0, 0},
	     "Feb 28 2000"},
	    {{2100, 2, 28, 23, 59, 59, 0},
	     {2100, 3, 1, 0, 0, 0, 0},
	     "Feb 28 2100"},
	    {{1999, 12, 31, 23, 59, 59, 0},
	     {2000, 1, 1, 0, 0, 0, 0},
	     "1999->2000"},
	    {{2023, 12, 31, 23, 59, 59, 0}, {2024, 1, 1, 0, 0, 0, 0}, "year"},
	    {{2099, 12, 31, 23, 59, 59, 0},
	     {2100, 1, 1, 0, 0, 0, 0},
	     "century"},
	};
	static const u8 modes[4] = {0x02, 0x06, 0x00, 0x04};
	struct vrtc r;
	unsigned bad_init = 0, bad_set = 0;

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct date from = D(c[i].from.y, c[i].from.m, c[i].from.d,
				     c[i].from.h, c[i].from.mi, c[i].from.s);
		struct date to = D(c[i].to.y, c[i].to.m, c[i].to.d, c[i].to.h,
				   c[i].to.mi, c[i].to.s);
		bool ok;

		setup(&r, 1000000, unix_of(from));
		ok = rolls(&r, 1000000, T0, from, to);
		if (!ok)
			tap_diag("rollover from the initial time: %s",
				 c[i].what);
		bad_init += !ok;
		for (unsigned m = 0; m < 4; m++) {
			setup(&r, 2500000000ULL, 0);
			wr(&r, VRTC_REG_B, modes[m]);
			clk = T0 + 1700000000ULL; /* 0.68 s into a second */
			guest_set(&r, from);
			ok = rolls(&r, 2500000000ULL, T0, from, to);
			if (!ok)
				tap_diag("rollover of a guest-set time, B %#x: "
					 "%s",
					 modes[m], c[i].what);
			bad_set += !ok;
		}
	}
	tap_ok(!bad_init,
	       "rollovers from the initial time: second->minute->hour->day, "
	       "month ends, Feb 28/29 in 2000, 2023, 2024, 2100, year and "
	       "century (%u of %zu wrong)",
	       bad_init, ARRAY_SIZE(c));
	tap_ok(!bad_set,
	       "the same rollovers of a time the guest set under SET, in BCD "
	       "and binary, 24- and 12-hour (%u wrong)",
	       bad_set);
	tap_ok(D(2000, 1, 1, 0, 0, 0).dow == 7 &&
		   D(2100, 1, 1, 0, 0, 0).dow == 6 &&
		   D(2024, 2, 29, 0, 0, 0).dow == 5,
	       "the test's own calendar: 2000-01-01 Saturday, 2100-01-01 "
	       "Friday, 2024-02-29 Thursday");
}

/* Register B SET: updates stop, UIE clears, counting resumes. */
static void test_set(void)
{
	struct vrtc r;
	struct date t = D(2038, 1, 19, 3, 14, 7), t1 = t;
	u64 hz = 1000000;
	bool frozen, no_uf, no_uip, resumed_late, resumed, uie;

	setup(&r, hz, unix_of(D(2024, 5, 5, 5, 5, 5)));
	wr(&r, VRTC_REG_A, 0x20); /* no periodic flag */
	clk = T0 + 300000;
	wr(&r, VRTC_REG_B, VRTC_B_SET | VRTC_B_UIE | VRTC_B_24H);
	uie = rd(&r, VRTC_REG_B) == (VRTC_B_SET | VRTC_B_24H);
	rd(&r, VRTC_REG_C);
	wr(&r, VRTC_SECONDS, 0x07);
	wr(&r, VRTC_MINUTES, 0x14);
	wr(&r, VRTC_HOURS, 0x03);
	wr(&r, VRTC_DAY_OF_WEEK, (u8)t.dow);
	wr(&r, VRTC_DAY_OF_MONTH, 0x19);
	wr(&r, VRTC_MONTH, 0x01);
	wr(&r, VRTC_YEAR, 0x38);
	wr(&r, VRTC_CENTURY, 0x20);
	clk = T0 + 5 * hz - 100; /* would be in UIP */
	no_uip = !(rd(&r, VRTC_REG_A) & VRTC_A_UIP);
	clk = T0 + 5 * hz + 300000;
	frozen = same_date(shown(&r), t);
	no_uf = !(rd(&r, VRTC_REG_C) & VRTC_C_UF);
	wr(&r, VRTC_REG_B, VRTC_B_24H);
	clk = T0 + 6 * hz - 1;
	resumed_late = same_date(shown(&r), t);
	clk = T0 + 6 * hz;
	t1.s = 8;
	resumed = same_date(shown(&r), t1);
	tap_ok(uie, "writing SET clears UIE (Register B)");
	tap_ok(frozen && no_uf && no_uip,
	       "SET=1: the written time stays through 5 s, no update ends (UF "
	       "0), UIP reads 0");
	tap_ok(resumed_late && resumed,
	       "SET cleared: counting goes on from the written time at the "
	       "divider's next second (the divider keeps its phase)");

	clk = T0 + 7 * hz + 400000;
	wr(&r, VRTC_SECONDS, 0x20);
	frozen = rd(&r, VRTC_SECONDS) == 0x20 && rd(&r, VRTC_MINUTES) == 0x14;
	clk = T0 + 8 * hz;
	tap_ok(frozen && rd(&r, VRTC_SECONDS) == 0x21,
	       "a write while running reads back as written and counts on at "
	       "the next update");

	/* garbage under SET: read back as written, valid after one update */
	wr(&r, VRTC_REG_B, VRTC_B_SET | VRTC_B_24H);
	wr(&r, VRTC_SECONDS, 0x7a);
	wr(&r, VRTC_DAY_OF_WEEK, 0x09);
	frozen = rd(&r, VRTC_SECONDS) == 0x7a;
	wr(&r, VRTC_REG_B, VRTC_B_24H);
	clk = T0 + 9 * hz;
	t1 = shown(&r); /* 03:14:80 normalised is 03:15:20, then +1 */
	tap_ok(frozen && t1.h == 3 && t1.mi == 15 && t1.s == 21 && t1.dow == 3,
	       "a non-BCD second byte reads back as written; the first update "
	       "carries it over (03:14:80 -> 03:15:21) and a day of week of 9 "
	       "restarts from the date's (%u:%u:%u dow %u)",
	       t1.h, t1.mi, t1.s, t1.dow);

	/* the day of week is a counter of its own */
	clk = T0 + 10 * hz + 10;
	t = D(2038, 1, 19, 23, 59, 59);
	t.dow = 2;
	guest_set(&r, t);
	clk = T0 + 11 * hz;
	tap_ok(rd(&r, VRTC_DAY_OF_WEEK) == 3 &&
		   rd(&r, VRTC_DAY_OF_MONTH) == 0x20,
	       "the day of week the guest wrote (2, the date says 3) counts on "
	       "at midnight (3)");
}

/* Register A UIP (Table 6) and the divider reset (Table 4). */
static void test_uip(void)
{
	static const u64 hzs[] = {1000000, 2500000000ULL, 3000000000ULL,
				  14318180};
	struct vrtc r;
	unsigned bad = 0;
	bool edge, sec, loop = true;

	for (size_t i = 0; i < ARRAY_SIZE(hzs); i++) {
		u64 hz = hzs[i], b1 = T0 + 3 * hz;

		setup(&r, hz, 59);
		clk = b1 - hz * 245 / 1000000; /* 245 us before */
		bad += !!(rd(&r, VRTC_REG_A) & VRTC_A_UIP);
		clk = b1 - hz * 243 / 1000000;
		bad += !(rd(&r, VRTC_REG_A) & VRTC_A_UIP);
		clk = b1 - 1;
		bad += !(rd(&r, VRTC_REG_A) & VRTC_A_UIP) ||
		       rd(&r, VRTC_SECONDS) != 0x01;
		clk = b1;
		bad += !!(rd(&r, VRTC_REG_A) & VRTC_A_UIP) ||
		       rd(&r, VRTC_SECONDS) != 0x02;
	}
	setup(&r, 1000000, 0);
	clk = T0 + 999755;
	edge = !(rd(&r, VRTC_REG_A) & VRTC_A_UIP);
	clk = T0 + 999756;
	edge = edge && (rd(&r, VRTC_REG_A) & VRTC_A_UIP);
	tap_ok(!bad && edge,
	       "UIP reads 1 from 244 us (8 counts of 32.768 kHz) before each "
	       "second boundary until it, the seconds change at it (hz 1e6, "
	       "2.5e9, 3e9, 14.31818e6; %u wrong); at 1 MHz from tick 999756",
	       bad);

	/* a guest waiting for UIP 1 -> 0 in 7 us steps */
	setup(&r, 1000000, 100);
	clk = T0 + 500000;
	while (!(rd(&r, VRTC_REG_A) & VRTC_A_UIP) && clk < T0 + 3000000)
		clk += 7;
	loop = clk >= T0 + 999756 && clk < T0 + 1000000;
	while ((rd(&r, VRTC_REG_A) & VRTC_A_UIP) && clk < T0 + 3000000)
		clk += 7;
	sec = rd(&r, VRTC_SECONDS) == 0x41; /* 100 s = 01:40 -> :41 */
	tap_ok(loop && sec && clk >= T0 + 1000000 && clk < T0 + 1000007,
	       "a guest polling UIP sees it rise in the last 244 us and fall "
	       "at the boundary, then reads the new second");

	/* UIP cannot be written; divider reset stops it and the clock */
	setup(&r, 1000000, 0);
	wr(&r, VRTC_REG_A, 0xa6);
	edge = rd(&r, VRTC_REG_A) == 0x26;
	clk = T0 + 100;
	wr(&r, VRTC_REG_A, 0x76); /* divider reset */
	clk = T0 + 5 * 1000000 - 10;
	sec = !(rd(&r, VRTC_REG_A) & VRTC_A_UIP) && rd(&r, VRTC_SECONDS) == 0;
	tap_ok(edge && sec && rd(&r, VRTC_REG_A) == 0x76,
	       "UIP is read-only; with the divider in reset (DV 11x) time "
	       "stands and UIP reads 0");
	clk = T0 + 7 * 1000000 + 123;
	wr(&r, VRTC_REG_A, 0x26);
	clk += 499999;
	sec = rd(&r, VRTC_SECONDS) == 0;
	clk += 1;
	tap_ok(sec && rd(&r, VRTC_SECONDS) == 1,
	       "leaving divider reset, the first update comes half a second "
	       "later (Register A, DV2-DV0)");
}

/* Register C: flags, IRQF, read-to-clear, and the IRQ 8 edge. */
static void test_flags(void)
{
	struct vrtc r;
	u64 hz = 1000000;
	bool quiet, c1, c2, next;

	setup(&r, hz, 0);
	wr(&r, VRTC_REG_A, 0x20); /* rate 0: no PF */
	clk = T0 + hz;
	quiet = !vrtc_irq_poll(&r);
	c1 = rd(&r, VRTC_REG_C) == VRTC_C_UF;
	c2 = rd(&r, VRTC_REG_C) == 0;
	tap_ok(quiet && c1 && c2,
	       "UF rises at each update with UIE off, without IRQF or an "
	       "interrupt; reading C clears it");

	wr(&r, VRTC_REG_B, VRTC_B_UIE | VRTC_B_24H);
	next = vrtc_irq_next(&r) == T0 + 2 * hz;
	clk = T0 + 2 * hz - 1;
	quiet = !vrtc_irq_poll(&r);
	clk = T0 + 2 * hz;
	c1 = vrtc_irq_poll(&r) && !vrtc_irq_poll(&r);
	c2 = rd(&r, VRTC_REG_C) == (VRTC_C_IRQF | VRTC_C_UF) &&
	     rd(&r, VRTC_REG_C) == 0;
	tap_ok(next && quiet && c1 && c2,
	       "UIE: irq_next is the next boundary; IRQF and one edge at it; "
	       "C reads 0x90 once, then 0");

	clk = T0 + 3 * hz;
	c1 = vrtc_irq_poll(&r);
	next = vrtc_irq_next(&r) == 0;
	clk = T0 + 4 * hz;
	c2 = !vrtc_irq_poll(&r);
	tap_ok(c1 && next && c2 &&
		   rd(&r, VRTC_REG_C) == (VRTC_C_IRQF | VRTC_C_UF),
	       "while C is unread IRQF stays set: no new edge, irq_next 0");

	wr(&r, VRTC_REG_B, VRTC_B_24H);
	clk = T0 + 5 * hz;
	quiet = !vrtc_irq_poll(&r);
	wr(&r, VRTC_REG_B, VRTC_B_UIE | VRTC_B_24H);
	c1 = vrtc_irq_poll(&r);
	wr(&r, VRTC_REG_B, VRTC_B_24H);
	c2 = rd(&r, VRTC_REG_C) == VRTC_C_UF;
	tap_ok(quiet && c1 && c2,
	       "enabling UIE with UF set raises IRQF at once; disabling it "
	       "drops IRQF (IRQF = PF.PIE + AF.AIE + UF.UIE)");

	setup(&r, hz, 0);
	clk = T0 + 1000;
	c1 = rd(&r, VRTC_REG_C) == VRTC_C_PF && !vrtc_irq_poll(&r);
	tap_ok(c1, "PF rises at the periodic rate with PIE off (1024 Hz: "
		   "within 1 ms), no IRQF");
	wr(&r, VRTC_REG_C, 0xff);
	wr(&r, VRTC_REG_D, 0x00);
	tap_ok(rd(&r, VRTC_REG_C) == 0 && rd(&r, VRTC_REG_D) == VRTC_D_VRT,
	       "C and D are read-only; D reads VRT=1, the rest 0");
}

/* Periodic interrupts over one second at every rate, stepping the clock
 * to irq_next. */
static unsigned periodic_count(u64 hz, unsigned rs, unsigned *bad)
{
	struct vrtc r;
	unsigned n = 0;
	u64 t;

	setup(&r, hz, 0);
	wr(&r, VRTC_REG_A, (u8)(0x20 | rs));
	wr(&r, VRTC_REG_B, VRTC_B_PIE | VRTC_B_24H);
	while ((t = vrtc_irq_next(&r)) && t <= T0 + hz && n <= 32768) {
		*bad += t <= clk; /* each edge later than the last */
		clk = t - 1;
		*bad += vrtc_irq_poll(&r);
		clk = t;
		*bad += !vrtc_irq_poll(&r);
		*bad += !(rd(&r, VRTC_REG_C) & VRTC_C_PF);
		n++;
	}
	return n;
}

/* Register A rate select: the periodic interrupt rate table. */
static void test_periodic(void)
{
	static const u64 hzs[] = {32768000, 1000000, 2500000000ULL};
	unsigned bad = 0, wrong = 0;

	for (size_t h = 0; h < ARRAY_SIZE(hzs); h++) {
		for (unsigned rs = 0; rs < 16; rs++) {
			unsigned want = !rs	  ? 0
					: rs <= 2 ? 256U >> (rs - 1)
						  : 32768U >> (rs - 1);
			unsigned got = periodic_count(hzs[h], rs, &bad);

			if (got != want)
				tap_diag("hz %llu rate %u: %u interrupts in "
					 "1 s, want %u",
					 (unsigned long long)hzs[h], rs, got,
					 want);
			wrong += got != want;
		}
	}
	tap_ok(!wrong && !bad,
	       "periodic: rate r gives 32768 >> (r-1) Hz for r >= 3, 256 and "
	       "128 Hz for 1, 2, none for 0; each edge at irq_next exactly "
	       "(%u rates wrong, %u edges)",
	       wrong, bad);
}

/* The first second (1..86400) after t whose time matches the alarm bytes,
 * by trying each in turn, in the formats of b_reg; 0 if none. */
static u64 brute_alarm(u64 t, u8 b_reg, const u8 al[3])
{
	for (u64 k = 1; k <= 86400; k++) {
		struct date c = civil_of(t + k);
		u8 tm[3] = {enc(b_reg, c.s), enc(b_reg, c.mi),
			    enc_hour(b_reg, c.h)};
		bool ok = true;

		for (unsigned i = 0; i < 3; i++)
			ok = ok && ((al[i] & 0xc0) == 0xc0 || al[i] == tm[i]);
		if (ok)
			return k;
	}
	return 0;
}

/* The three alarm bytes. */
static void set_alarm(struct vrtc *r, u8 s, u8 m, u8 h)
{
	wr(r, VRTC_SECONDS_ALARM, s);
	wr(r, VRTC_MINUTES_ALARM, m);
	wr(r, VRTC_HOURS_ALARM, h);
}

/* The alarm: exact times, don't-care codes, formats, long jumps. */
static void test_alarm(struct rng *g)
{
	u64 hz = 1000000, e = unix_of(D(2024, 2, 28, 13, 45, 30)), t;
	struct vrtc r;
	bool next, early, fired;
	unsigned bad = 0;

	setup(&r, hz, e);
	wr(&r, VRTC_REG_A, 0x20);
	set_alarm(&r, 0x00, 0x46, 0x13);
	wr(&r, VRTC_REG_B, VRTC_B_AIE | VRTC_B_24H);
	next = vrtc_irq_next(&r) == T0 + 30 * hz;
	clk = T0 + 29 * hz;
	early = !vrtc_irq_poll(&r) && !(rd(&r, VRTC_REG_C) & VRTC_C_AF);
	clk = T0 + 30 * hz;
	fired = vrtc_irq_poll(&r) &&
		rd(&r, VRTC_REG_C) == (VRTC_C_IRQF | VRTC_C_AF | VRTC_C_UF);
	tap_ok(next && early && fired,
	       "alarm 13:46:00 from 13:45:30: irq_next +30 s, AF and IRQF at "
	       "the update that reaches it, not before");
	tap_ok(vrtc_irq_next(&r) == T0 + (30 + 86400) * hz,
	       "the same alarm next fires a day later");
	clk += 3 * 86400 * hz;
	tap_ok((rd(&r, VRTC_REG_C) & VRTC_C_AF) && vrtc_irq_poll(&r),
	       "an alarm passed during a 3-day jump is flagged");

	setup(&r, hz, e);
	set_alarm(&r, 0x10, 0xff, 0xc0);
	wr(&r, VRTC_REG_B, VRTC_B_AIE | VRTC_B_24H);
	t = vrtc_irq_next(&r);
	clk = t;
	rd(&r, VRTC_REG_C);
	tap_ok(t == T0 + 40 * hz && vrtc_irq_next(&r) == T0 + 100 * hz,
	       "don't-care hours and minutes (0xC0-0xFF): every minute at :10");
	set_alarm(&r, 0xc3, 0xd0, 0xff);
	tap_ok(vrtc_irq_next(&r) == T0 + 41 * hz,
	       "all three don't care: every second");
	set_alarm(&r, 0x75, 0xc0, 0xc0);
	clk += 2 * 86400 * hz;
	tap_ok(!vrtc_irq_next(&r) && !(rd(&r, VRTC_REG_C) & VRTC_C_AF),
	       "an alarm byte no time can equal (0x75 in BCD) never fires");

	setup(&r, hz, e);
	wr(&r, VRTC_REG_B, VRTC_B_AIE); /* 12-hour BCD */
	set_alarm(&r, 0x00, 0x46, 0x81);
	next = vrtc_irq_next(&r) == T0 + 30 * hz;
	set_alarm(&r, 0x00, 0x46, 0x01);
	tap_ok(next && vrtc_irq_next(&r) == T0 + (30 + 12 * 3600) * hz,
	       "12-hour alarm: 0x81 is 1 PM, 0x01 is 1 AM");

	/* random alarm bytes and formats against the brute-force search */
	for (unsigned i = 0; i < 300; i++) {
		static const u8 modes[4] = {0x02, 0x06, 0x00, 0x04};
		u8 b = modes[rng_below(g, 4)] | VRTC_B_AIE, al[3];
		u64 e2 = unix_of(D(2020, 1, 1, 0, 0, 0)) +
			 rng_below(g, 40 * 86400 * 365ULL),
		    want;

		for (unsigned k = 0; k < 3; k++) {
			unsigned lim = k == 2 ? 24 : 60;
			u64 sel = rng_below(g, 8);

			al[k] = sel < 2	  ? (u8)(0xc0 | rng_below(g, 64))
				: sel < 3 ? (u8)rng_below(g, 256)
				: k == 2
				    ? enc_hour(b, (unsigned)rng_below(g, lim))
				    : enc(b, (unsigned)rng_below(g, lim));
		}
		setup(&r, hz, e2);
		wr(&r, VRTC_REG_A, 0x20);
		wr(&r, VRTC_REG_B, b);
		set_alarm(&r, al[0], al[1], al[2]);
		want = brute_alarm(e2, b, al);
		t = vrtc_irq_next(&r);
		if (t != (want ? T0 + want * hz : 0)) {
			tap_diag(
			    "alarm %02x:%02x:%02x B %#x at %llu: next %llu, "
			    "want +%llu s",
			    al[2], al[1], al[0], b, (unsigned long long)e2,
			    (unsigned long long)t, (unsigned long long)want);
			bad++;
		}
	}
	tap_ok(!bad,
	       "300 random alarms (values, don't cares, garbage) in the four "
	       "formats: irq_next is the first matching second a brute-force "
	       "search finds (%u wrong)",
	       bad);
}

/* The NMI bit, the index, battery RAM and the firmware bytes. */
static void test_ports_ram(void)
{
	struct vrtc r;
	unsigned bad = 0;
	bool fw, refused;

	setup(&r, 1000000, 0);
	vrtc_write(&r, VRTC_PORT_INDEX, 0x80 | VRTC_REG_D);
	fw = vrtc_nmi_disabled(&r) && rd(&r, VRTC_REG_D) == 0x80;
	vrtc_write(&r, VRTC_PORT_INDEX, VRTC_REG_D);
	tap_ok(fw && !vrtc_nmi_disabled(&r),
	       "port 0x70 bit 7 is the NMI disable bit, stored apart from the "
	       "index");
	vrtc_write(&r, VRTC_PORT_INDEX, 0x80 | 0x0e);
	vrtc_write(&r, VRTC_PORT_DATA, 0x5a);
	tap_ok(rd(&r, 0x0e) == 0x5a, "the index is bits 6:0 of port 0x70");

	for (unsigned i = VRTC_RAM_FIRST; i < VRTC_CMOS_SIZE; i++)
		if (i != VRTC_CENTURY)
			wr(&r, i, (u8)(i * 37 + 5));
	wr(&r, VRTC_SECONDS_ALARM, 0x12);
	wr(&r, VRTC_MINUTES_ALARM, 0x34);
	wr(&r, VRTC_HOURS_ALARM, 0xc7);
	for (unsigned i = VRTC_RAM_FIRST; i < VRTC_CMOS_SIZE; i++)
		if (i != VRTC_CENTURY)
			bad += rd(&r, i) != (u8)(i * 37 + 5);
	bad += rd(&r, VRTC_SECONDS_ALARM) != 0x12;
	bad += rd(&r, VRTC_MINUTES_ALARM) != 0x34;
	bad += rd(&r, VRTC_HOURS_ALARM) != 0xc7;
	tap_ok(!bad,
	       "battery RAM 0x0E-0x7F and the alarm bytes read back "
	       "what was written (%u wrong)",
	       bad);

	fw = vrtc_set_cmos(&r, 0x15, 0x80) && vrtc_set_cmos(&r, 0x5d, 0x01);
	wr(&r, 0x15, 0);
	wr(&r, 0x5d, 0);
	fw = fw && rd(&r, 0x15) == 0x80 && rd(&r, 0x5d) == 0x01;
	refused = !vrtc_set_cmos(&r, VRTC_REG_B, 0) &&
		  !vrtc_set_cmos(&r, VRTC_CENTURY, 0) &&
		  !vrtc_set_cmos(&r, 0x80, 0) && !vrtc_set_cmos(&r, 0x0d, 0);
	tap_ok(fw && refused && rd(&r, VRTC_REG_B) == 0x02,
	       "vrtc_set_cmos sets firmware bytes (memory sizes) that the "
	       "guest cannot overwrite; it refuses clock registers and the "
	       "century");
}

/* A detached clock stops the divider where it was; re-attaching counts on
 * from the new clock's now. */
static void test_clock_change(void)
{
	struct vrtc r;
	bool held;

	setup(&r, 1000000, 1000);
	clk = T0 + 2500000;
	vrtc_set_clock(&r, NULL, NULL);
	clk += 5000000;
	held = rd(&r, VRTC_SECONDS) == 0x42; /* 1002 s = 16:42 */
	vrtc_set_clock(&r, clock_fn, NULL);
	clk += 500000;
	tap_ok(held && rd(&r, VRTC_SECONDS) == 0x43,
	       "changing the clock keeps the time and the divider's phase");
}

/* ns nanoseconds in ticks at hz, without overflow. */
static u64 ticks_of_ns(u64 ns, u64 hz)
{
	return ns / 1000000000ULL * hz +
	       ns % 1000000000ULL * hz / 1000000000ULL;
}

/* Random dates and steps against the counted calendar. */
static void test_random(struct rng *g)
{
	static const u8 modes[4] = {0x02, 0x06, 0x00, 0x04};
	static const u64 hzs[3] = {1000000, 2500000000ULL, 3000000000ULL};
	u64 seed = env_u64("MICA_SEED", 1), iters = env_u64("MICA_ITERS", 400);
	u64 lo = unix_of(D(2000, 1, 1, 0, 0, 0));
	u64 span = unix_of(D(2099, 12, 31, 23, 59, 59)) - lo;
	unsigned bad = 0, checks = 0;

	tap_diag("random RTC test: seed %llu, %llu runs (MICA_SEED, "
		 "MICA_ITERS)",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (u64 it = 0; it < iters; it++) {
		u64 hz = rng_below(g, 4) ? hzs[rng_below(g, 3)]
					 : 1000 + rng_below(g, 4000000000ULL);
		u64 ref = lo + rng_below(g, span), ref_k = 0;
		struct vrtc r;

		if (rng_below(g, 2)) /* the last second of some day */
			ref = ref / 86400 * 86400 + 86399;
		setup(&r, hz, ref);
		wr(&r, VRTC_REG_B, modes[rng_below(g, 4)]);
		for (unsigned step = 0; step < 12; step++) {
			static const u64 scale[5] = {1, 1000, 1000000000ULL,
						     3600000000000ULL,
						     86400000000000ULL};
			u64 k, want;
			struct date got;

			clk += ticks_of_ns(rng_below(g, scale[rng_below(g, 5)]),
					   hz) +
			       rng_below(g, 3);
			if (rng_below(g, 8) == 0) {
				u64 t = lo + rng_below(g, span);

				ref = t;
				ref_k = (clk - T0) / hz;
				guest_set(&r, civil_of(t));
			}
			k = (clk - T0) / hz;
			want = ref + (k - ref_k);
			if (want > lo + span) /* past 2099: leave the range */
				break;
			got = shown(&r);
			checks++;
			if (!same_date(got, civil_of(want))) {
				struct date w = civil_of(want);

				if (bad++ < 5)
					tap_diag(
					    "hz %llu B %#x: shows %llu-%u-%u "
					    "%u:%u:%u dow %u, want %llu-%u-%u "
					    "%u:%u:%u dow %u",
					    (unsigned long long)hz,
					    rd(&r, VRTC_REG_B),
					    (unsigned long long)got.y, got.m,
					    got.d, got.h, got.mi, got.s,
					    got.dow, (unsigned long long)w.y,
					    w.m, w.d, w.h, w.mi, w.s, w.dow);
			}
		}
	}
	tap_ok(!bad,
	       "random: after random clock steps and guest time sets the "
	       "registers show the date a day-counting calendar gives (%u of "
	       "%u wrong)",
	       bad, checks);
}

/* One seeded stream for the random parts, printed by test_random. */
int main(void)
{
	struct rng g;

	rng_seed_env(&g, 1);
	test_reset();
	test_formats();
	test_rollover();
	test_set();
	test_uip();
	test_flags();
	test_periodic();
	test_alarm(&g);
	test_ports_ram();
	test_clock_change();
	test_random(&g);
	return tap_done();
}
