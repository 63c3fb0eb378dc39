/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the CMOS RTC (vmm/dev/vrtc.c): the input picks tsc_hz and the
 * initial time, then is a sequence of port reads and writes, clock steps
 * from one tick to a day, polls, firmware CMOS writes and clock changes.
 * After every operation: irq_next is 0 or not before now, and when it is
 * not 0 the edge comes at exactly that tick, not one before; the flags
 * and IRQF agree with register B; UIP reads 1 only while the clock
 * counts; register D reads 0x80; the RAM and alarm bytes read back what
 * was last written (every read defines its byte); and once an update
 * has counted on from what the guest wrote, the time bytes are a valid
 * date in the current format (valid BCD in DM=0), garbage or not.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test/unit/support/fuzz_input.h"
#include "vmm/dev/vrtc.h"

#define CLOCK_CAP (1ULL << 62)

struct fx {
	struct vrtc r;
	u64 hz;
	u8 shadow[VRTC_CMOS_SIZE]; /* RAM and alarm bytes as last written */
	bool fw[VRTC_CMOS_SIZE];
	bool attached; /* the model reads clk; 0 otherwise */
};

static u64 clk;

/* The model's clock: a variable the input moves. */
static u64 clock_fn(void *ctx)
{
	(void)ctx;
	return clk;
}

/* An invariant broke: libFuzzer keeps the input. */
static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vrtc: %s\n", why);
	abort();
}

/* RAM or alarm byte: reads back what was written. */
static bool plain(unsigned i)
{
	return i == VRTC_SECONDS_ALARM || i == VRTC_MINUTES_ALARM ||
	       i == VRTC_HOURS_ALARM ||
	       (i >= VRTC_RAM_FIRST && i < VRTC_CMOS_SIZE && i != VRTC_CENTURY);
}

/* A register as the guest would read it, leaving the guest's index. */
static u8 peek(struct vrtc *r, unsigned idx)
{
	u8 saved = r->index, v = 0x5a;

	vrtc_write(r, VRTC_PORT_INDEX, (u8)idx);
	if (!vrtc_read(r, VRTC_PORT_DATA, &v))
		fail("port 0x71 not claimed");
	r->index = saved;
	return v;
}

/* Days in month m (1..12) of year y, Gregorian. */
static unsigned month_days(unsigned y, unsigned m)
{
	static const u8 n[12] = {31, 28, 31, 30, 31, 30,
				 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

/* A field in range and, in BCD, made of decimal digits. */
static bool field(u8 b_reg, u8 v, unsigned lo, unsigned hi, unsigned *out)
{
	if (!(b_reg & VRTC_B_DM)) {
		if ((v & 0xf) > 9 || (v >> 4) > 9)
			return false;
		v = (u8)((v >> 4) * 10 + (v & 0xf));
	}
	*out = v;
	return v >= lo && v <= hi;
}

/* Once an update counted on from them, the time bytes form a date. */
static void check_time(struct vrtc *r)
{
	u8 b = r->cmos[VRTC_REG_B], h;
	unsigned s, mi, hr, dow, d, m, y, c;
	bool ok;

	if (r->latched)
		return; /* the guest's bytes until the next update */
	h = peek(r, VRTC_HOURS);
	ok = field(b, peek(r, VRTC_SECONDS), 0, 59, &s) &&
	     field(b, peek(r, VRTC_MINUTES), 0, 59, &mi) &&
	     field(b, peek(r, VRTC_DAY_OF_WEEK), 1, 7, &dow) &&
	     field(b, peek(r, VRTC_MONTH), 1, 12, &m) &&
	     field(b, peek(r, VRTC_YEAR), 0, 99, &y) &&
	     field(b, peek(r, VRTC_CENTURY), 0, 99, &c);
	if (b & VRTC_B_24H)
		ok = ok && field(b, h, 0, 23, &hr);
	else
		ok = ok && field(b, h & 0x7f, 1, 12, &hr);
	ok = ok && field(b, peek(r, VRTC_DAY_OF_MONTH), 1,
			 month_days(c * 100 + y, m), &d);
	if (!ok)
		fail("time bytes after an update are not a valid date");
}

/* Register A, D and the interrupt state agree with the datasheet. */
static void check_regs(struct fx *f)
{
	struct vrtc *r = &f->r;
	u8 a = peek(r, VRTC_REG_A), b = r->cmos[VRTC_REG_B];
	bool counting = VRTC_A_DV(a) == VRTC_DV_32KHZ && !(b & VRTC_B_SET);

	if ((a & VRTC_A_UIP) && !counting)
		fail("UIP while the clock stands");
	if (peek(r, VRTC_REG_D) != VRTC_D_VRT)
		fail("register D is not 0x80");
	if (r->flags & ~(VRTC_C_PF | VRTC_C_AF | VRTC_C_UF))
		fail("stray flag bits");
	if (r->irq_line != !!(r->flags & b & 0x70))
		fail("IRQF is not PF.PIE + AF.AIE + UF.UIE");
}

/* Bytes lo..hi-1 that are plain read back their shadow. */
static void check_ram(struct fx *f, unsigned lo, unsigned hi)
{
	for (unsigned i = lo; i < hi && i < VRTC_CMOS_SIZE; i++)
		if (plain(i) && peek(&f->r, i) != f->shadow[i])
			fail("RAM or alarm byte changed");
}

/* irq_next never names the past. */
static void check_next(struct fx *f)
{
	u64 n = vrtc_irq_next(&f->r);

	if (n && n < (f->attached ? clk : 0))
		fail("irq_next in the past");
}

/* Step to irq_next: no edge a tick before it, one at it. */
static void step_to_next(struct fx *f)
{
	u64 n;

	if (!f->attached)
		return;
	vrtc_irq_poll(&f->r); /* what is due now */
	n = vrtc_irq_next(&f->r);
	if (!n || n >= CLOCK_CAP)
		return;
	if (n <= clk)
		fail("irq_next not after a poll at now");
	clk = n - 1;
	if (vrtc_irq_poll(&f->r))
		fail("edge before irq_next");
	clk = n;
	if (!vrtc_irq_poll(&f->r))
		fail("no edge at irq_next");
}

/* A register index: mostly the clock's, sometimes any. */
static u8 pick_index(struct fuzz_input *in)
{
	u8 sel = (u8)fuzz_take(in, 1);

	if (sel < 160)
		return sel % 14;
	if (sel < 176)
		return VRTC_CENTURY;
	return (u8)fuzz_take(in, 1);
}

/* A guest write to port 0x71, tracked for the RAM shadow. */
static void data_write(struct fx *f, u8 v)
{
	unsigned i = f->r.index;

	vrtc_write(&f->r, VRTC_PORT_DATA, v);
	if (plain(i) && !f->fw[i])
		f->shadow[i] = v;
}

/* A guest read of port 0x71, checked where its value is known. */
static void data_read(struct fx *f)
{
	unsigned i = f->r.index;
	u8 b = f->r.cmos[VRTC_REG_B], v = 0x5a;

	if (!vrtc_read(&f->r, VRTC_PORT_DATA, &v))
		fail("port 0x71 not claimed");
	if (plain(i) && v != f->shadow[i])
		fail("RAM or alarm byte reads back wrong");
	if (i == VRTC_REG_C && ((v & 0x0f) || !(v & 0x80) != !(v & b & 0x70)))
		fail("register C inconsistent");
}

/* Ports other than 0x70/0x71 are not the RTC's. */
static void other_port(struct fx *f, struct fuzz_input *in)
{
	u16 port = (u16)fuzz_take(in, 2);
	u8 v = 0;
	bool ours = port == VRTC_PORT_INDEX || port == VRTC_PORT_DATA;

	if (ours)
		return;
	if (vrtc_read(&f->r, port, &v) || v != 0xff ||
	    vrtc_write(&f->r, port, v))
		fail("claims a port not its own");
}

/* A firmware byte: accepted only for RAM, then read-only to the guest. */
static void set_cmos(struct fx *f, struct fuzz_input *in)
{
	unsigned i = (unsigned)fuzz_take(in, 1);
	u8 v = (u8)fuzz_take(in, 1);
	bool want =
	    i >= VRTC_RAM_FIRST && i < VRTC_CMOS_SIZE && i != VRTC_CENTURY;

	if (vrtc_set_cmos(&f->r, i, v) != want)
		fail("vrtc_set_cmos accepts the wrong bytes");
	if (want) {
		f->shadow[i] = v;
		f->fw[i] = true;
	}
}

/* Move the clock, short of the cap that keeps sums in 64 bits. */
static void advance(struct fx *f, u64 d)
{
	if (clk + d < CLOCK_CAP)
		clk += d;
	(void)f;
}

/* One operation of the script. */
static void one_op(struct fx *f, struct fuzz_input *in)
{
	switch (fuzz_take(in, 1) % 14) {
	case 0:
		advance(f, fuzz_take(in, 1));
		break;
	case 1:
		advance(f, fuzz_take(in, 3));
		break;
	case 2:
		advance(f, f->hz / 256 * fuzz_take(in, 1) + fuzz_take(in, 1));
		break;
	case 3:
		advance(f, f->hz * fuzz_take(in, 2));
		break;
	case 4:
		vrtc_write(&f->r, VRTC_PORT_INDEX, (u8)fuzz_take(in, 1));
		break;
	case 5:
		data_write(f, (u8)fuzz_take(in, 1));
		break;
	case 6:
		data_read(f);
		break;
	case 7:
		vrtc_write(&f->r, VRTC_PORT_INDEX, pick_index(in));
		data_write(f, (u8)fuzz_take(in, 1));
		break;
	case 8:
		vrtc_write(&f->r, VRTC_PORT_INDEX, pick_index(in));
		data_read(f);
		break;
	case 9:
		vrtc_irq_poll(&f->r);
		break;
	case 10:
		step_to_next(f);
		break;
	case 11:
		set_cmos(f, in);
		break;
	case 12:
		other_port(f, in);
		break;
	default:
		f->attached = fuzz_take(in, 1) % 8;
		vrtc_set_clock(&f->r, f->attached ? clock_fn : NULL, NULL);
		break;
	}
}

/* TSC rates: common ones, extremes, or any in range. */
static u64 pick_hz(struct fuzz_input *in)
{
	static const u64 hz[8] = {1000000,	   2500000000ULL,
				  3000000000ULL,   32768,
				  14318180,	   1,
				  VRTC_TSC_HZ_MAX, 7};
	u64 sel = fuzz_take(in, 1);

	if (sel < 200)
		return hz[sel % 8];
	return fuzz_take(in, 5) % VRTC_TSC_HZ_MAX + 1;
}

/* libFuzzer entry point. */
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fx f;
	struct fuzz_input in = {data, size};

	mem_set(&f, 0, sizeof(f));
	f.hz = pick_hz(&in);
	clk = fuzz_take(&in, 4);
	vrtc_init(&f.r, f.hz, fuzz_take(&in, 5));
	vrtc_set_clock(&f.r, clock_fn, NULL);
	f.attached = true;
	for (unsigned i = 0; i < VRTC_CMOS_SIZE; i++)
		f.shadow[i] = f.r.cmos[i];
	for (unsigned ops = 0; in.n && ops < 4096; ops++) {
		one_op(&f, &in);
		check_next(&f);
		check_regs(&f);
		check_time(&f.r);
		check_ram(&f, ops * 8 % VRTC_CMOS_SIZE,
			  ops * 8 % VRTC_CMOS_SIZE + 8);
	}
	check_ram(&f, 0, VRTC_CMOS_SIZE);
	return 0;
}
