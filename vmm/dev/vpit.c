/* SPDX-License-Identifier: MIT */
/*
 * 8254 PIT model. Section names are those of the Intel 8254 datasheet
 * (231164). A counter's count and OUT at PIT clock c are closed forms of
 * the decrements made since its count was loaded; a write first brings the
 * counter's run up to date, then starts the next one. Only 64-bit integer
 * arithmetic: the kernel build has no 128-bit division helper.
 */
#include "vmm/dev/vpit.h"

#define NEVER	  (~0ULL)
#define CLK_LIMIT (1ULL << 62) /* PIT clocks saturate here (~122,000 years) */

/* What clears a counter's "null count" (Read-Back Command: set by a control
 * word or a count, cleared when the count register reaches the CE). */
enum {
	NULL_NONE,   /* clear */
	NULL_WAIT,   /* set until a trigger or count loads the CE */
	NULL_LOAD,   /* set until clock load */
	NULL_SWITCH, /* set until the pending count takes over */
};

/* ---- time -------------------------------------------------------------- */

/*
 * PIT clock pulses by TSC value t: floor(t * PIT_HZ / tsc_hz), split at
 * whole seconds so that nothing overflows (the remainder is below
 * tsc_hz <= 2^40, PIT_HZ < 2^21). Saturates at CLK_LIMIT.
 */
static u64 tsc_to_clk(const struct vpit *p, u64 t)
{
	u64 q = t / p->tsc_hz, r = t % p->tsc_hz;

	if (q >= CLK_LIMIT / PIT_HZ)
		return CLK_LIMIT;
	return q * PIT_HZ + r * PIT_HZ / p->tsc_hz;
}

/*
 * The first TSC value at which pulse clk has happened: ceil(clk * tsc_hz /
 * PIT_HZ), the inverse of tsc_to_clk. 0 when that is past the TSC's range
 * (or clk is NEVER).
 */
static u64 clk_to_tsc(const struct vpit *p, u64 clk)
{
	u64 q = clk / PIT_HZ, r = clk % PIT_HZ;
	u64 rt = (r * p->tsc_hz + PIT_HZ - 1) / PIT_HZ;

	if (clk >= CLK_LIMIT || q > (~0ULL - rt) / p->tsc_hz)
		return 0;
	return q * p->tsc_hz + rt;
}

/* The guest TSC now, never behind a value already seen. */
static u64 read_tsc(const struct vpit *p)
{
	u64 t = p->clock ? p->clock(p->clock_ctx) : 0;

	return MAX(t, p->tsc_seen);
}

/* The PIT clock now; remembers the TSC so that time cannot go back. */
static u64 now_clk(struct vpit *p)
{
	p->tsc_seen = read_tsc(p);
	return tsc_to_clk(p, p->tsc_seen);
}

/* ---- count arithmetic --------------------------------------------------- */

/*
 * Pulses a count pattern lasts: "initial count 0" is 2^16 binary or 10^4
 * BCD (Write Operations). BCD digits A-F count down from their value and
 * wrap to 9 after 0, so 0xFFFF lasts 16665 pulses (as measured for MAME).
 */
static u32 count_len(u16 r, bool bcd)
{
	u32 v;

	if (!bcd)
		return r ? r : 0x10000;
	v = (r >> 12 & 0xf) * 1000 + (r >> 8 & 0xf) * 100 +
	    (r >> 4 & 0xf) * 10 + (r & 0xf);
	return v ? v : 10000;
}

/*
 * Pattern r after k decrements: binary modulo 2^16, BCD digit by digit,
 * each digit wrapping 0 -> 9 and borrowing from the next, 0000 -> 9999.
 */
static u16 ce_sub(u16 r, u64 k, bool bcd)
{
	u16 out = 0;

	if (!bcd)
		return (u16)(r - (u16)k);
	for (unsigned i = 0; i < 16; i += 4) {
		u64 d = (r >> i) & 0xf;

		if (k <= d) {
			d -= k;
			k = 0;
		} else {
			k -= d; /* decrements past this digit's 0 */
			d = (10 - k % 10) % 10;
			k = (k + 9) / 10; /* borrows into the next digit */
		}
		out |= (u16)(d << i);
	}
	return out;
}

/*
 * Modes 2 and 3 take no count of 1 (Figure "Minimum and Maximum Initial
 * Counts"); measured 8254s run mode 2 as 2 and mode 3 as 0 (65536), as
 * MAME documents.
 */
static u16 adjust(const struct vpit_counter *c, u16 r)
{
	if (r != 1)
		return r;
	return c->mode == 2 ? 2 : c->mode == 3 ? 0 : 1;
}

/* ---- a counter's run ---------------------------------------------------- */

/* Gate Pin Operations Summary: the GATE level stops counting in modes 0, 2,
 * 3, 4; modes 1 and 5 count whatever it is. */
static bool counting(const struct vpit_counter *c)
{
	return c->mode == 1 || c->mode == 5 || c->gate;
}

/* Decrements made by clock clk (clk >= load). */
static u64 decs(const struct vpit_counter *c, u64 clk)
{
	if (!counting(c) || clk < c->ref)
		return c->acc;
	return c->acc + (clk - c->ref);
}

/* The clock at which the e-th decrement falls, e >= acc; NEVER when
 * stopped. */
static u64 clk_of(const struct vpit_counter *c, u64 e)
{
	return counting(c) && e >= c->acc ? c->ref + (e - c->acc) : NEVER;
}

/* The CE takes pattern r at clock at; counting starts with the next pulse
 * ("the initial count is loaded on the next CLK pulse ... this pulse does
 * not decrement the count", Mode 0). */
static void start_run(struct vpit_counter *c, u64 at, u16 r)
{
	c->run = true;
	c->load = c->ref = at;
	c->acc = 0;
	c->r = r;
	c->n = count_len(r, c->bcd);
	c->pend = false;
	c->low = false;
	c->tc_clk = NEVER;
}

/*
 * Bring a run to clock clk: a count loads, or a pending count of mode 2 or
 * 3 takes over at the end of the cycle (half-cycle) it was written in. Only
 * changes the representation, never what the counter shows.
 */
static void normalize(struct vpit_counter *c, u64 clk)
{
	bool low2 = c->low2;

	if (!c->run || clk < c->load)
		return;
	if (c->null_src == NULL_LOAD)
		c->null_src = NULL_NONE;
	if (c->pend && decs(c, clk) >= c->sw) {
		start_run(c, c->ref + (c->sw - c->acc), c->r2);
		c->low = low2;
		if (c->null_src == NULL_SWITCH)
			c->null_src = NULL_NONE;
	}
}

/* Mode 4's terminal count: the one clock its strobe is low. */
static u64 tc_clock(const struct vpit_counter *c)
{
	return c->acc < c->n ? clk_of(c, c->n) : c->tc_clk;
}

/*
 * Mode 3 (Square Wave Mode): an even count N is loaded and falls by two a
 * pulse, OUT toggling and the count reloading when it expires; an odd count
 * loads as N - 1, and OUT stays high one pulse after it expires, so OUT is
 * high (N + 1) / 2 pulses and low (N - 1) / 2.
 */
static void square(const struct vpit_counter *c, u64 e, u16 *ce, bool *out)
{
	u64 h = (c->n + 1) / 2, ph = (e + (c->low ? h : 0)) % c->n;
	u16 base = c->n & 1 ? ce_sub(c->r, 1, c->bcd) : c->r;

	*out = ph < h;
	*ce = ce_sub(base, 2 * (ph < h ? ph : ph - h), c->bcd);
}

/* The CE and OUT of a counter at clock clk (no earlier than its last
 * write), per the mode sections of the datasheet. */
static void eval(const struct vpit_counter *c0, u64 clk, u16 *ce, bool *out)
{
	struct vpit_counter c = *c0;
	u64 e;

	normalize(&c, clk);
	if (!c.run || clk < c.load) {
		*ce = c.frozen;
		*out = c.frozen_out;
	} else {
		e = decs(&c, clk);
		switch (c.mode) {
		case 0: /* low until terminal count, then high */
		case 1: /* low from the trigger's load to terminal count */
			*ce = ce_sub(c.r, e, c.bcd);
			*out = e >= c.n;
			break;
		case 2: /* N .. 1, low while 1, reload at the next pulse */
			*ce = ce_sub(c.r, e % c.n, c.bcd);
			*out = e % c.n != c.n - 1;
			break;
		case 3:
			square(&c, e, ce, out);
			break;
		default: /* 4, 5: low for the one pulse at terminal count */
			*ce = ce_sub(c.r, e, c.bcd);
			*out = clk != tc_clock(&c);
			break;
		}
	}
	/* Modes 2, 3: "GATE = 0 ... sets OUT high immediately" */
	if ((c.mode == 2 || c.mode == 3) && !c.gate)
		*out = true;
}

static bool out_at(const struct vpit_counter *c, u64 clk)
{
	u16 ce;
	bool out;

	eval(c, clk, &ce, &out);
	return out;
}

/* Mode 3: the first decrement after e0 at which OUT rises, across a pending
 * count, which starts with the level the half-cycle it ends leaves. */
static u64 square_rise(const struct vpit_counter *c, u64 e0)
{
	u64 h = (c->n + 1) / 2;
	u64 e = e0 + c->n - (e0 + (c->low ? h : 0)) % c->n;

	if (c->pend && e > c->sw)
		e = c->sw + (c->low2 ? c->n2 / 2 : c->n2);
	return e;
}

/*
 * The first clock after a at which OUT rises while nothing is written:
 * the load itself (mode 4 or 5 retriggered during its strobe), terminal
 * count (modes 0, 1), the end of a strobe (4, 5), a reload (2) or the end of
 * a low half (3). NEVER if none.
 */
static u64 next_rise(const struct vpit_counter *c0, u64 a)
{
	struct vpit_counter c = *c0;
	u64 e0 = 0, t;

	normalize(&c, a);
	if (!c.run)
		return NEVER;
	if (a < c.load) {
		if (!out_at(&c, a) && out_at(&c, c.load))
			return c.load;
	} else {
		e0 = decs(&c, a);
	}
	switch (c.mode) {
	case 0:
	case 1:
		return e0 < c.n ? clk_of(&c, c.n) : NEVER;
	case 2:
		return clk_of(&c, (e0 / c.n + 1) * c.n);
	case 3:
		return clk_of(&c, square_rise(&c, e0));
	default:
		t = tc_clock(&c);
		return t != NEVER && t + 1 > a ? t + 1 : NEVER;
	}
}

/* Null count at clock clk (Read-Back Command, "Null Count Operation"). */
static bool null_count(const struct vpit_counter *c0, u64 clk)
{
	struct vpit_counter c = *c0;

	normalize(&c, clk);
	switch (c.null_src) {
	case NULL_NONE:
		return false;
	case NULL_LOAD:
		return clk < c.load;
	default:
		return true;
	}
}

/* ---- writes ------------------------------------------------------------- */

/* Hold what the CE and OUT show at clock w, for the time before a new run
 * loads (or for good, when it stops). */
static void freeze(struct vpit_counter *c, u64 w)
{
	eval(c, w, &c->frozen, &c->frozen_out);
}

/*
 * A control word: "all control logic is immediately reset", OUT goes low
 * in mode 0 and high in the others, the CE stops until a count comes, and
 * the flip-flops restart with the LSB. A latched count is dropped ("held
 * until read or the counter is reprogrammed", Counter Latch Command).
 */
static void control(struct vpit_counter *c, u8 val, u64 w)
{
	u8 m = (val >> 1) & 7;

	freeze(c, w);
	c->ctrl = val & 0x3f;
	c->rw = (val >> 4) & 3;
	c->mode = m > 5 ? m - 4 : m;
	c->bcd = val & 1;
	c->wmsb = c->rmsb = false;
	c->ol_left = 0;
	c->cr_set = false;
	c->null_src = NULL_WAIT;
	c->run = c->pend = false;
	c->frozen_out = c->mode != 0;
}

/* Modes 2, 3: a count written while counting "does not affect the current
 * counting sequence" and loads at the end of the cycle (half-cycle). */
static void pending(struct vpit_counter *c, u16 r, u64 w)
{
	u64 e = decs(c, w), h = (c->n + 1) / 2, ph;

	if (!c->pend) {
		if (c->mode == 2) {
			c->sw = e + c->n - e % c->n;
		} else {
			ph = (e + (c->low ? h : 0)) % c->n;
			c->low2 = ph < h;
			c->sw = e + (ph < h ? h : c->n) - ph;
		}
	}
	c->pend = true;
	c->r2 = r;
	c->n2 = count_len(r, c->bcd);
	c->null_src = NULL_SWITCH;
}

/* A whole count reaches the count register (Write Operations); when the
 * CE takes it depends on the mode. */
static void load_cr(struct vpit_counter *c, u16 r, u64 w)
{
	c->cr = r;
	c->cr_set = true;
	switch (c->mode) {
	case 1: /* one-shots wait for a trigger; one just made loads this */
	case 5:
		if (!c->run || w >= c->load) {
			c->null_src = NULL_WAIT;
			return;
		}
		start_run(c, c->load, r);
		break;
	case 2:
	case 3:
		if (c->run && w >= c->load) {
			pending(c, adjust(c, r), w);
			return;
		}
		freeze(c, w);
		start_run(c, w + 1, adjust(c, r));
		break;
	default: /* 0, 4: loads on the next pulse, counting restarts */
		freeze(c, w);
		if (c->mode == 0)
			c->frozen_out = false;
		start_run(c, w + 1, r);
		break;
	}
	c->null_src = NULL_LOAD;
}

/*
 * A byte written to a counter, per its RW field; the other byte of a
 * one-byte format is 0. In mode 0 the first byte of a two-byte count
 * "disables counting" and sets OUT low at once.
 */
static void write_count(struct vpit_counter *c, u8 v, u64 w)
{
	u16 r;

	if (c->rw == 1) {
		r = v;
	} else if (c->rw == 2) {
		r = (u16)(v << 8);
	} else if (!c->wmsb) {
		c->wlsb = v;
		c->wmsb = true;
		if (c->mode == 0) {
			freeze(c, w);
			c->frozen_out = false;
			c->run = c->pend = false;
			if (c->null_src == NULL_LOAD)
				c->null_src = NULL_WAIT;
		}
		return;
	} else {
		c->wmsb = false;
		r = (u16)(c->wlsb | v << 8);
	}
	load_cr(c, r, w);
}

/* GATE changes in modes 0 and 4, or falls in 2 and 3: the decrements so
 * far become acc, counted on from w if the gate is (to be) high. */
static void stop_or_go(struct vpit_counter *c, u64 w)
{
	u64 e;

	if (!c->run || w < c->load)
		return;
	e = decs(c, w);
	if (c->mode == 4 && c->acc < c->n && e >= c->n)
		c->tc_clk = c->ref + (c->n - c->acc);
	c->acc = e;
	c->ref = w;
}

/*
 * GATE at clock w (Gate Pin Operations Summary): its level starts and stops
 * modes 0, 2, 3, 4; its rising edge reloads the count register on the next
 * pulse in modes 1, 2, 3, 5 (a trigger).
 */
static void set_gate(struct vpit_counter *c, bool g, u64 w)
{
	bool level = c->mode == 0 || c->mode == 4;

	if (g == c->gate)
		return;
	if (level || (!g && (c->mode == 2 || c->mode == 3)))
		stop_or_go(c, w);
	if (g && !level && c->cr_set) {
		freeze(c, w);
		start_run(c, w + 1, adjust(c, c->cr));
		if (c->null_src != NULL_NONE)
			c->null_src = NULL_LOAD;
	}
	c->gate = g;
}

/* Counter Latch Command: a second latch before the first is read is
 * ignored. */
static void latch_count(struct vpit_counter *c, u64 w)
{
	bool out;

	if (c->ol_left)
		return;
	eval(c, w, &c->ol, &out);
	c->ol_left = c->rw == 3 ? 2 : 1;
}

/* Read-Back Command, status: OUT, null count, then the control word's RW,
 * M and BCD bits as written. Only the first of several latches counts. */
static void latch_status(struct vpit_counter *c, u64 w)
{
	if (c->st_latched)
		return;
	c->st = (u8)((out_at(c, w) ? VPIT_STATUS_OUT : 0) |
		     (null_count(c, w) ? VPIT_STATUS_NULL : 0) | c->ctrl);
	c->st_latched = true;
}

/* Port 0x43: SC = 3 is the read-back command (bit 5 low latches counts,
 * bit 4 low latches status, bits 3:1 select counters 2:0); RW = 0 is a
 * counter latch command. */
static void write_control(struct vpit *p, u8 val, u64 w)
{
	unsigned sc = val >> 6;

	if (sc == 3) {
		for (unsigned i = 0; i < 3; i++) {
			if (!(val & (2U << i)))
				continue;
			if (!(val & 0x20))
				latch_count(&p->c[i], w);
			if (!(val & 0x10))
				latch_status(&p->c[i], w);
		}
	} else if (!(val & 0x30)) {
		latch_count(&p->c[sc], w);
	} else {
		control(&p->c[sc], val, w);
	}
}

/* ---- reads -------------------------------------------------------------- */

/*
 * A counter's read (Read Operations): a latched status first, then a
 * latched count in its format (two bytes, LSB first, for RW = 3), else the
 * live CE, its two bytes alternating through the read flip-flop.
 */
static u8 read_counter(struct vpit_counter *c, u64 w)
{
	u16 ce;
	bool out, msb;

	if (c->st_latched) {
		c->st_latched = false;
		return c->st;
	}
	if (c->ol_left) {
		msb = c->rw == 2 || (c->rw == 3 && c->ol_left == 1);
		c->ol_left--;
		return (u8)(msb ? c->ol >> 8 : c->ol);
	}
	eval(c, w, &ce, &out);
	msb = c->rw == 2 || (c->rw == 3 && c->rmsb);
	if (c->rw == 3)
		c->rmsb = !c->rmsb;
	return (u8)(msb ? ce >> 8 : ce);
}

/* Port 0x61 as the PC/AT reads it: bits 3:0 as written, the refresh
 * toggle, OUT2; bits 7:6 (parity and channel check) 0. */
static u8 read_port_b(const struct vpit *p, u64 w)
{
	u8 v = p->port_b;

	if ((w / VPIT_REFRESH_CLKS) & 1)
		v |= VPIT_PORTB_REFRESH;
	if (out_at(&p->c[2], w))
		v |= VPIT_PORTB_OUT2;
	return v;
}

/* ---- interface ---------------------------------------------------------- */

void vpit_init(struct vpit *p, u64 tsc_hz)
{
	BUG_ON(!tsc_hz || tsc_hz > VPIT_TSC_HZ_MAX);
	mem_set(p, 0, sizeof(*p));
	p->tsc_hz = tsc_hz;
	for (unsigned i = 0; i < 3; i++) {
		struct vpit_counter *c = &p->c[i];

		c->ctrl = 0x36;
		c->rw = 3;
		c->mode = 3;
		c->gate = i != 2;
		c->cr_set = true;
		c->frozen_out = true;
		start_run(c, 0, 0);
	}
}

void vpit_set_clock(struct vpit *p, u64 (*clock)(void *), void *ctx)
{
	p->clock = clock;
	p->clock_ctx = ctx;
}

/* The ports the PIT decodes on the PC. */
static bool is_pit_port(u16 port)
{
	return (port >= VPIT_PORT_COUNTER && port <= VPIT_PORT_CONTROL) ||
	       port == VPIT_PORT_B;
}

bool vpit_read(struct vpit *p, u16 port, u8 *val)
{
	u64 w;

	if (!is_pit_port(port))
		return false;
	w = now_clk(p);
	if (port == VPIT_PORT_B)
		*val = read_port_b(p, w);
	else if (port == VPIT_PORT_CONTROL)
		*val = 0; /* the control word register is write-only */
	else
		*val = read_counter(&p->c[port - VPIT_PORT_COUNTER], w);
	return true;
}

/*
 * Every write goes through here: counter 0's rises up to the write are
 * noted for the next poll before the write changes its run, and so is a
 * rise the write makes itself (a control word sets OUT high).
 */
bool vpit_write(struct vpit *p, u16 port, u8 val)
{
	struct vpit_counter *c0 = &p->c[0];
	u64 w;
	bool out0;

	if (!is_pit_port(port))
		return false;
	w = now_clk(p);
	if (next_rise(c0, p->irq_clk) <= w)
		p->irq_edge = true;
	out0 = out_at(c0, w);
	for (unsigned i = 0; i < 3; i++)
		normalize(&p->c[i], w);
	if (port == VPIT_PORT_B) {
		p->port_b = val & 0x0f;
		set_gate(&p->c[2], val & VPIT_PORTB_GATE2, w);
	} else if (port == VPIT_PORT_CONTROL) {
		write_control(p, val, w);
	} else {
		write_count(&p->c[port - VPIT_PORT_COUNTER], val, w);
	}
	if (!out0 && out_at(c0, w))
		p->irq_edge = true;
	p->irq_clk = w;
	return true;
}

bool vpit_irq0_poll(struct vpit *p)
{
	u64 w = now_clk(p);
	bool edge = p->irq_edge || next_rise(&p->c[0], p->irq_clk) <= w;

	p->irq_edge = false;
	p->irq_clk = w;
	return edge;
}

u64 vpit_irq0_next(const struct vpit *p)
{
	u64 w = MAX(tsc_to_clk(p, read_tsc(p)), p->irq_clk);

	return clk_to_tsc(p, next_rise(&p->c[0], w));
}
