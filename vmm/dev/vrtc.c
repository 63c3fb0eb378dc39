/* SPDX-License-Identifier: MIT */
/*
 * MC146818A model. The divider chain is a 32.768 kHz count derived from
 * the clock: an update cycle ends every 32768 counts (a second boundary),
 * the periodic flag rises at the tap register A selects. The time of day
 * is kept as seconds at a known second of the divider, so reading it is
 * arithmetic, and as the CMOS bytes themselves while the guest owns them
 * (it wrote one this second, or SET or the divider stopped the clock).
 * Calendar arithmetic is proleptic Gregorian (H. Hinnant's days_from_civil)
 * on years shifted by 400, so that every quantity is unsigned.
 *
 * Not modelled: daylight saving (DSE, which QEMU ignores too), the square
 * wave output, the IBM PS/2 century alias at 0x37, the test modes of the
 * divider (DV 011, 10x: they stop the clock here, as 000 and 001 do, which
 * would run it at the wrong rate off the PC's 32.768 kHz crystal).
 */
#include "vmm/dev/vrtc.h"

#define DIV_HZ	    32768
#define UIP_COUNTS  8 /* 244 us of the 32.768 kHz time base (Table 6) */
#define DAY_SECS    86400ULL
#define YEAR_SHIFT  400
#define UNIX_DAY    865565ULL /* 1970-01-01 in shifted days */
#define MIN_DAY	    146037ULL /* 0000-01-01 in shifted days */
#define ALARM_ANY   (-1)
#define ALARM_NEVER (-2)
#define DV_RESET    6 /* DV 11x holds the divider in reset */
#define C_FLAGS	    (VRTC_C_PF | VRTC_C_AF | VRTC_C_UF)
#define TIME_INDICES                                                           \
	((1U << VRTC_SECONDS) | (1U << VRTC_MINUTES) | (1U << VRTC_HOURS) |    \
	 (1U << VRTC_DAY_OF_WEEK) | (1U << VRTC_DAY_OF_MONTH) |                \
	 (1U << VRTC_MONTH) | (1U << VRTC_YEAR))

/* ---- calendar ------------------------------------------------------------ */

/* Days from shifted 0000-03-01 to y-m-d (y >= 1, m 1..12, d >= 1): the
 * year starts in March so that the leap day is its last. */
static u64 days_from_civil(u64 y, unsigned m, u64 d)
{
	u64 era, yoe, doy;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy;
}

/* The inverse of days_from_civil. */
static void civil_from_days(u64 z, u64 *y, unsigned *m, unsigned *d)
{
	u64 era = z / 146097, doe = z - era * 146097, yoe, doy, mp;

	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Day of week of shifted day z, 1 = Sunday as the PC BIOS counts (1970-01-01
 * was a Thursday). */
static u8 weekday(u64 z)
{
	return (u8)((z + 3) % 7 + 1);
}

/* The day-of-week counter counts 1..7 on its own, once a midnight. */
static u8 dow_after(u8 dow, u64 days)
{
	return (u8)((dow - 1 + days % 7) % 7 + 1);
}

/* ---- register formats (datasheet "Time, Calendar and Alarm Data Modes") -- */

static bool binary(const struct vrtc *r)
{
	return r->cmos[VRTC_REG_B] & VRTC_B_DM;
}

/* A value (below 100 unless the guest put more in) as the DM bit says. */
static u8 to_reg(const struct vrtc *r, unsigned v)
{
	return binary(r) ? (u8)v : (u8)(((v / 10) << 4) | (v % 10));
}

/* Any byte reads as a number: BCD digits A-F count as 10-15, so a byte the
 * guest wrote badly still gives a (normalised) time. */
static unsigned from_reg(const struct vrtc *r, u8 b)
{
	return binary(r) ? b : (b >> 4) * 10U + (b & 0xf);
}

/* 12-hour mode: 12, 1..11 with bit 7 for PM. */
static u8 hour_to_reg(const struct vrtc *r, unsigned h)
{
	if (r->cmos[VRTC_REG_B] & VRTC_B_24H)
		return to_reg(r, h);
	return to_reg(r, h % 12 ? h % 12 : 12) | (h >= 12 ? VRTC_HOURS_PM : 0);
}

/* The inverse of hour_to_reg, lenient as from_reg: 12 AM is hour 0. */
static unsigned hour_from_reg(const struct vrtc *r, u8 b)
{
	if (r->cmos[VRTC_REG_B] & VRTC_B_24H)
		return from_reg(r, b);
	return from_reg(r, b & 0x7f) % 12 + (b & VRTC_HOURS_PM ? 12 : 0);
}

/*
 * The time bytes as seconds. Out-of-range fields carry into the next one
 * (month 13 is January of the next year, day 0 the last of the month
 * before), as QEMU's mktimegm does: the first update after the guest
 * wrote garbage leaves a valid date.
 */
static u64 bytes_to_secs(const struct vrtc *r)
{
	const u8 *c = r->cmos;
	u64 year = from_reg(r, c[VRTC_YEAR]) +
		   100ULL * from_reg(r, c[VRTC_CENTURY]) + YEAR_SHIFT;
	u64 mon = year * 12 + from_reg(r, c[VRTC_MONTH]) - 1;
	u64 days = days_from_civil(mon / 12, (unsigned)(mon % 12 + 1), 1) +
		   from_reg(r, c[VRTC_DAY_OF_MONTH]) - 1;
	u64 s = days * DAY_SECS + hour_from_reg(r, c[VRTC_HOURS]) * 3600ULL +
		from_reg(r, c[VRTC_MINUTES]) * 60ULL +
		from_reg(r, c[VRTC_SECONDS]);

	return MAX(s, MIN_DAY * DAY_SECS);
}

/* Seconds to the time bytes in the current format; years past 9999 show
 * their last four digits. */
static void secs_to_bytes(struct vrtc *r, u64 secs, u8 dow)
{
	u64 tod = secs % DAY_SECS, y;
	unsigned m, d;

	civil_from_days(secs / DAY_SECS, &y, &m, &d);
	y -= YEAR_SHIFT;
	r->cmos[VRTC_SECONDS] = to_reg(r, (unsigned)(tod % 60));
	r->cmos[VRTC_MINUTES] = to_reg(r, (unsigned)(tod / 60 % 60));
	r->cmos[VRTC_HOURS] = hour_to_reg(r, (unsigned)(tod / 3600));
	r->cmos[VRTC_DAY_OF_WEEK] = to_reg(r, dow);
	r->cmos[VRTC_DAY_OF_MONTH] = to_reg(r, d);
	r->cmos[VRTC_MONTH] = to_reg(r, m);
	r->cmos[VRTC_YEAR] = to_reg(r, (unsigned)(y % 100));
	r->cmos[VRTC_CENTURY] = to_reg(r, (unsigned)(y / 100 % 100));
}

/* The bytes the update cycle advances (the century byte with them, as the
 * PC chipsets do), which the clock owns unless the guest latched them. */
static bool is_time_index(unsigned i)
{
	return i == VRTC_CENTURY || (i < 32 && (TIME_INDICES >> i & 1));
}

/* ---- divider chain (Register A: DV2-DV0, Table 4; RS3-RS0) --------------- */

static u64 now(const struct vrtc *r)
{
	return r->clock ? r->clock(r->clock_ctx) : 0;
}

/* The divider runs at the PC's 32.768 kHz time base (DV 010, Table 4). */
static bool running(const struct vrtc *r)
{
	return VRTC_A_DV(r->cmos[VRTC_REG_A]) == VRTC_DV_32KHZ;
}

/* Update cycles happen: the divider runs and SET does not inhibit them. */
static bool counting(const struct vrtc *r)
{
	return running(r) && !(r->cmos[VRTC_REG_B] & VRTC_B_SET);
}

/* Periodic interrupt period in divider counts: rate r taps 32768 >> (r-1)
 * Hz, except that rates 1 and 2 give 256 and 128 Hz on a 32.768 kHz time
 * base (datasheet periodic interrupt rate table); rate 0 is off. */
static u64 period(const struct vrtc *r)
{
	unsigned rs = VRTC_A_RS(r->cmos[VRTC_REG_A]);

	if (!rs)
		return 0;
	return rs <= 2 ? 1ULL << (rs + 6) : 1ULL << (rs - 1);
}

/* Divider count at clock t, split by whole seconds so that nothing
 * overflows for any uptime (tsc_hz <= 2^40). */
static u64 count_at(const struct vrtc *r, u64 t)
{
	u64 dt;

	if (t <= r->div_t0)
		return r->div_c0;
	dt = t - r->div_t0;
	return r->div_c0 + dt / r->tsc_hz * DIV_HZ +
	       dt % r->tsc_hz * DIV_HZ / r->tsc_hz;
}

/* The first clock value at which the divider count reaches c (> div_c0). */
static u64 time_of_count(const struct vrtc *r, u64 c)
{
	u64 d = c - r->div_c0;

	return r->div_t0 + d / DIV_HZ * r->tsc_hz +
	       (d % DIV_HZ * r->tsc_hz + DIV_HZ - 1) / DIV_HZ;
}

/* The divider count now; it never goes back, even if the clock does. */
static u64 count_now(const struct vrtc *r)
{
	return MAX(count_at(r, now(r)), r->last_c);
}

/* Leaving reset, the first update comes half a second later (Register A,
 * DV2-DV0); from any other stop the divider carries on where it was. */
static void start_divider(struct vrtc *r, bool from_reset)
{
	r->div_t0 = now(r);
	r->div_c0 =
	    from_reset ? r->last_c / DIV_HZ * DIV_HZ + DIV_HZ / 2 : r->last_c;
	r->last_c = r->div_c0;
}

/* ---- time of day --------------------------------------------------------- */

/* Seconds at divider second n (>= sec_n), from whichever form holds it. */
static u64 time_at(const struct vrtc *r, u64 n)
{
	return (r->latched ? bytes_to_secs(r) : r->secs) + (n - r->sec_n);
}

/* Bring the time bytes of cmos[] up to date from secs. */
static void refresh(struct vrtc *r)
{
	u64 s;

	if (r->latched)
		return;
	s = time_at(r, r->last_c / DIV_HZ);
	secs_to_bytes(r, s,
		      dow_after(r->dow, s / DAY_SECS - r->secs / DAY_SECS));
}

/* The guest takes over the time bytes: they hold the time from now on. */
static void latch(struct vrtc *r)
{
	if (r->latched)
		return;
	refresh(r);
	r->latched = true;
	r->sec_n = r->last_c / DIV_HZ;
}

/* The first update after the guest wrote the bytes counts on from them; a
 * day of week outside 1..7 restarts from the date's. */
static void unlatch(struct vrtc *r)
{
	unsigned dow = from_reg(r, r->cmos[VRTC_DAY_OF_WEEK]);

	r->secs = bytes_to_secs(r);
	r->dow = dow >= 1 && dow <= 7 ? (u8)dow : weekday(r->secs / DAY_SECS);
	r->latched = false;
}

/* ---- alarm (datasheet "Time, Calendar and Alarm Locations") -------------- */

/* An alarm byte: ALARM_ANY for the don't-care codes 0xC0-0xFF, the value
 * it matches, or ALARM_NEVER for a byte no time byte can equal. */
static int alarm_field(const struct vrtc *r, unsigned idx)
{
	u8 b = r->cmos[idx];
	unsigned v;

	if ((b & VRTC_ALARM_ANY) == VRTC_ALARM_ANY)
		return ALARM_ANY;
	if (idx == VRTC_HOURS_ALARM) {
		v = hour_from_reg(r, b);
		return v < 24 && hour_to_reg(r, v) == b ? (int)v : ALARM_NEVER;
	}
	v = from_reg(r, b);
	return v < 60 && to_reg(r, v) == b ? (int)v : ALARM_NEVER;
}

/* Seconds from a time whose field (of range values, unit seconds each,
 * below seconds into the current one) is have to the next start of want,
 * or of the next higher unit when want is not ahead. */
static u64 skip(int want, unsigned have, unsigned range, u64 unit, u64 below)
{
	unsigned to = (unsigned)want > have ? (unsigned)want : range;

	return (to - have) * unit - below;
}

/*
 * Seconds after base (1..86400) of the first update that leaves a time
 * matching the alarm, 0 if none can. Each step skips to the earliest time
 * at which the highest field that does not match can, the fields below it
 * at 0; no match is passed over, and at most seven steps (second, minute
 * and hour carrying to midnight, then hour, minute, second) reach one.
 */
static u64 alarm_delta(const struct vrtc *r, u64 base)
{
	int ah = alarm_field(r, VRTC_HOURS_ALARM);
	int am = alarm_field(r, VRTC_MINUTES_ALARM);
	int as = alarm_field(r, VRTC_SECONDS_ALARM);
	u64 t = base + 1, tod;

	if (ah == ALARM_NEVER || am == ALARM_NEVER || as == ALARM_NEVER)
		return 0;
	for (unsigned step = 0; step < 16 && t <= base + DAY_SECS; step++) {
		unsigned h, m, s;

		tod = t % DAY_SECS;
		h = (unsigned)(tod / 3600);
		m = (unsigned)(tod / 60 % 60);
		s = (unsigned)(tod % 60);
		if (ah >= 0 && h != (unsigned)ah)
			t += skip(ah, h, 24, 3600, tod % 3600);
		else if (am >= 0 && m != (unsigned)am)
			t += skip(am, m, 60, 60, s);
		else if (as >= 0 && s != (unsigned)as)
			t += skip(as, s, 60, 1, 0);
		else
			return t - base;
	}
	return 0;
}

/* ---- interrupts (Register C, "Interrupts") ------------------------------- */

/* IRQF = PF.PIE + AF.AIE + UF.UIE; IRQ 8 sees its rising edge. */
static void update_line(struct vrtc *r)
{
	bool line = r->flags & r->cmos[VRTC_REG_B] & C_FLAGS;

	if (line && !r->irq_line)
		r->irq_edge = true;
	r->irq_line = line;
}

/* k update cycles ended after divider second n0: UF, AF if one of them
 * left the alarm time, and the bytes the guest wrote are counted on. */
static void update_cycles(struct vrtc *r, u64 n0, u64 k)
{
	u64 a = alarm_delta(r, time_at(r, n0));

	r->flags |= VRTC_C_UF;
	if (a && a <= k)
		r->flags |= VRTC_C_AF;
	if (r->latched)
		unlatch(r);
}

/* Everything the divider did up to the clock's now. The flags only rise
 * until register C is read, so one look covers any stretch of time. */
static void sync(struct vrtc *r)
{
	u64 c, p = period(r), n0, n1;

	if (!running(r) || (c = count_now(r)) == r->last_c)
		return;
	if (p && c / p != r->last_c / p)
		r->flags |= VRTC_C_PF;
	n0 = r->last_c / DIV_HZ;
	n1 = c / DIV_HZ;
	if (n1 > n0 && counting(r))
		update_cycles(r, n0, n1 - n0);
	r->last_c = c;
	update_line(r);
}

/* UIP: 1 from 244 us before an update until it ends (Register A, UIP;
 * Table 6); the update itself is instantaneous here, so a guest that
 * waits for 1 -> 0 reads the new second. SET clears it. */
static bool uip(const struct vrtc *r)
{
	return counting(r) && count_now(r) % DIV_HZ >= DIV_HZ - UIP_COUNTS;
}

/* ---- registers ------------------------------------------------------------ */

/* Register A: UIP is read-only; stopping the divider freezes the time
 * bytes, starting it counts on from them. */
static void write_reg_a(struct vrtc *r, u8 v)
{
	bool was_counting = counting(r), was_running = running(r);
	bool from_reset = VRTC_A_DV(r->cmos[VRTC_REG_A]) >= DV_RESET;

	if (was_counting && VRTC_A_DV(v) != VRTC_DV_32KHZ)
		latch(r);
	r->cmos[VRTC_REG_A] = v & ~VRTC_A_UIP;
	if (!was_running && running(r))
		start_divider(r, from_reset);
	if (!was_counting && counting(r))
		r->sec_n = r->last_c / DIV_HZ;
}

/* Register B: SET inhibits updates and clears UIE (Register B, SET, UIE);
 * the divider keeps its phase, so the first update after SET is cleared
 * comes at its next second. Enabling a source whose flag is set raises
 * IRQF at once. */
static void write_reg_b(struct vrtc *r, u8 v)
{
	bool was_counting = counting(r);

	if (v & VRTC_B_SET)
		v &= ~VRTC_B_UIE;
	if (was_counting && (v & VRTC_B_SET))
		latch(r); /* in the old format: the guest then rewrites it */
	r->cmos[VRTC_REG_B] = v;
	if (!was_counting && counting(r))
		r->sec_n = r->last_c / DIV_HZ;
	update_line(r);
}

/* Register C: the flags and IRQF, all cleared by the read. */
static u8 read_reg_c(struct vrtc *r)
{
	u8 v = r->flags | (r->irq_line ? VRTC_C_IRQF : 0);

	r->flags = 0;
	update_line(r);
	return v;
}

/* Firmware bytes: what the glue told the guest about the machine. */
static bool fw_owned(const struct vrtc *r, unsigned i)
{
	return r->fw_ro[i / 64] >> (i % 64) & 1;
}

/* Port 0x71 read: the events up to now first, so the byte is current. */
static u8 read_data(struct vrtc *r)
{
	unsigned i = r->index;

	sync(r);
	switch (i) {
	case VRTC_REG_A:
		return (r->cmos[i] & ~VRTC_A_UIP) | (uip(r) ? VRTC_A_UIP : 0);
	case VRTC_REG_C:
		return read_reg_c(r);
	case VRTC_REG_D:
		return VRTC_D_VRT; /* the battery is always good */
	default:
		if (is_time_index(i))
			refresh(r);
		return r->cmos[i];
	}
}

/* Port 0x71 write: the events up to now happen under the old values. */
static void write_data(struct vrtc *r, u8 v)
{
	unsigned i = r->index;

	sync(r);
	if (is_time_index(i)) {
		latch(r);
		r->cmos[i] = v;
		return;
	}
	switch (i) {
	case VRTC_REG_A:
		write_reg_a(r, v);
		break;
	case VRTC_REG_B:
		write_reg_b(r, v);
		break;
	case VRTC_REG_C:
	case VRTC_REG_D:
		break; /* read-only */
	default:
		if (!fw_owned(r, i))
			r->cmos[i] = v; /* alarm bytes and RAM */
		break;
	}
}

/* ---- interface ------------------------------------------------------------ */

/* QEMU's reset values, the time at the start of a second. */
void vrtc_init(struct vrtc *r, u64 tsc_hz, u64 epoch_seconds)
{
	BUG_ON(!tsc_hz || tsc_hz > VRTC_TSC_HZ_MAX);
	mem_set(r, 0, sizeof(*r));
	r->tsc_hz = tsc_hz;
	r->cmos[VRTC_REG_A] = VRTC_RESET_REG_A;
	r->cmos[VRTC_REG_B] = VRTC_RESET_REG_B;
	r->cmos[VRTC_REG_D] = VRTC_D_VRT;
	r->secs = UNIX_DAY * DAY_SECS + MIN(epoch_seconds, VRTC_EPOCH_MAX);
	r->dow = weekday(r->secs / DAY_SECS);
	refresh(r);
}

/* Finish the events of the old clock, then carry the count on under the
 * new one from its now. */
void vrtc_set_clock(struct vrtc *r, u64 (*clock)(void *), void *ctx)
{
	sync(r);
	r->clock = clock;
	r->clock_ctx = ctx;
	r->div_t0 = now(r);
	r->div_c0 = r->last_c;
}

/* Ports 0x70 and 0x71 only; the glue routes byte accesses here. */
bool vrtc_read(struct vrtc *r, u16 port, u8 *val)
{
	*val = 0xff;
	if (port == VRTC_PORT_DATA)
		*val = read_data(r);
	return port == VRTC_PORT_INDEX || port == VRTC_PORT_DATA;
}

/* Port 0x70 holds the index and, in bit 7, the NMI mask of the PC. */
bool vrtc_write(struct vrtc *r, u16 port, u8 val)
{
	if (port == VRTC_PORT_INDEX) {
		r->index = val & 0x7f;
		r->nmi_disabled = val & 0x80;
	} else if (port == VRTC_PORT_DATA) {
		write_data(r, val);
	}
	return port == VRTC_PORT_INDEX || port == VRTC_PORT_DATA;
}

/* For the interrupt glue: NMIs stay blocked while bit 7 is set. */
bool vrtc_nmi_disabled(const struct vrtc *r)
{
	return r->nmi_disabled;
}

/* The glue fills what a BIOS would (memory sizes); the guest only reads. */
bool vrtc_set_cmos(struct vrtc *r, unsigned idx, u8 val)
{
	if (idx < VRTC_RAM_FIRST || idx >= VRTC_CMOS_SIZE ||
	    idx == VRTC_CENTURY)
		return false;
	r->cmos[idx] = val;
	r->fw_ro[idx / 64] |= BIT(idx % 64);
	return true;
}

/* The glue asks after I/O and at vrtc_irq_next: one edge, once. */
bool vrtc_irq_poll(struct vrtc *r)
{
	bool edge;

	sync(r);
	edge = r->irq_edge;
	r->irq_edge = false;
	return edge;
}

/* The earliest of the next periodic tap, update and alarm update whose
 * source is enabled, from the divider count the model last looked at. */
u64 vrtc_irq_next(const struct vrtc *r)
{
	u64 c = r->last_c, n = c / DIV_HZ, p = period(r), best = ~0ULL, k;
	u8 b = r->cmos[VRTC_REG_B];

	if (r->irq_line || !running(r))
		return 0;
	if ((b & VRTC_B_PIE) && p)
		best = MIN(best, time_of_count(r, (c / p + 1) * p));
	if (!(b & VRTC_B_SET) && (b & VRTC_B_UIE))
		best = MIN(best, time_of_count(r, (n + 1) * DIV_HZ));
	if (!(b & VRTC_B_SET) && (b & VRTC_B_AIE)) {
		k = alarm_delta(r, time_at(r, n));
		if (k)
			best = MIN(best, time_of_count(r, (n + k) * DIV_HZ));
	}
	return best == ~0ULL ? 0 : MAX(best, now(r));
}
