/* SPDX-License-Identifier: MIT */
/*
 * ACPI PM timer (ACPI 6.5, 4.8.3.3 "Power Management Timer"): TMR_VAL counts
 * at 3.579545 MHz, whatever the processor does, and is read only. The count
 * is a function of the clock, computed in 64-bit integers without a 128-bit
 * division, so that the kernel build needs no libgcc helper.
 */
#include "vmm/dev/vpmtimer.h"

/* The clock, or 0 while none is attached. */
static u64 now(const struct vpmtimer *t)
{
	return t->clock ? t->clock(t->clock_ctx) : 0;
}

/*
 * floor(dt * 3579545 / tsc_hz) mod 2^24, exact: whole seconds of dt give
 * 3579545 counts each, and the remainder (below tsc_hz <= 2^40) times
 * 3579545 (< 2^22) fits in 64 bits. A clock behind base counts as base.
 */
static u32 count(const struct vpmtimer *t, u64 at)
{
	u64 dt = at > t->base ? at - t->base : 0;
	u64 n = dt / t->tsc_hz * VPMTIMER_HZ +
		dt % t->tsc_hz * VPMTIMER_HZ / t->tsc_hz;

	return (u32)((t->start + n) & VPMTIMER_MASK);
}

/* Counts from 0 once a clock is attached; tsc_hz bounds the math. */
void vpmtimer_init(struct vpmtimer *t, u64 tsc_hz)
{
	BUG_ON(!tsc_hz || tsc_hz > VPMTIMER_TSC_HZ_MAX);
	mem_set(t, 0, sizeof(*t));
	t->tsc_hz = tsc_hz;
}

/* The count carries on across a change of clock: no jump for the guest. */
void vpmtimer_set_clock(struct vpmtimer *t, u64 (*clock)(void *), void *ctx)
{
	t->start = count(t, now(t));
	t->clock = clock;
	t->clock_ctx = ctx;
	t->base = now(t);
}

/* TMR_VAL at the clock's now. */
u32 vpmtimer_value(const struct vpmtimer *t)
{
	return count(t, now(t));
}

/* The timer's ports: the 4 bytes of PM_TMR. */
static bool is_timer_port(u16 port)
{
	return port >= VPMTIMER_PORT && port < VPMTIMER_PORT + 4;
}

/* A byte-lane view of the 32-bit register, as the I/O bus gives it. */
bool vpmtimer_read(struct vpmtimer *t, u16 port, unsigned size, u32 *val)
{
	unsigned k = port - VPMTIMER_PORT;
	u32 v;

	*val = 0;
	if (!is_timer_port(port))
		return false;
	v = vpmtimer_value(t) >> (8 * k);
	*val = size >= 4 ? v : v & ((1U << (8 * size)) - 1);
	return true;
}

/* TMR_VAL is read-only: writes are claimed and dropped. */
bool vpmtimer_write(struct vpmtimer *t, u16 port, unsigned size, u32 val)
{
	(void)t;
	(void)size;
	(void)val;
	return is_timer_port(port);
}
