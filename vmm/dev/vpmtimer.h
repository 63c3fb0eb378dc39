/* SPDX-License-Identifier: MIT */
/*
 * ACPI power-management timer of QEMU's "pc" machine (pure): the PIIX4 PM
 * block at I/O 0xB000 puts the timer register PM_TMR at 0xB008, a 24-bit
 * up-counter at 3.579545 MHz that wraps to 0 (the FADT does not set
 * TMR_VAL_EXT). Derived from the clock callback, in guest TSC ticks at
 * tsc_hz: floor((now - base) * 3579545 / tsc_hz) mod 2^24. Read-only.
 */
#ifndef MICA_VMM_DEV_VPMTIMER_H
#define MICA_VMM_DEV_VPMTIMER_H

#include "mm/base/types.h"

#define VPMTIMER_PORT	    0xb008
#define VPMTIMER_HZ	    3579545ULL
#define VPMTIMER_MASK	    0xffffffU
#define VPMTIMER_TSC_HZ_MAX (1ULL << 40)

struct vpmtimer {
	u64 tsc_hz;
	u64 base;  /* clock value at which the count was start */
	u32 start; /* count at base */
	u64 (*clock)(void *ctx);
	void *clock_ctx;
};

/* The count starts at 0; tsc_hz is 1..VPMTIMER_TSC_HZ_MAX (panics
 * otherwise). The clock reads 0 until set. */
void vpmtimer_init(struct vpmtimer *t, u64 tsc_hz);

/* Attach a clock: the count carries on from its value under the previous
 * clock, starting at the new clock's now. */
void vpmtimer_set_clock(struct vpmtimer *t, u64 (*clock)(void *), void *ctx);

/* TMR_VAL now: bits 23:0 of the count, bits 31:24 zero. */
u32 vpmtimer_value(const struct vpmtimer *t);

/*
 * Port access of 1, 2 or 4 bytes. Ports 0xB008-0xB00B are the timer's
 * (returns true); a read at 0xB008 + k returns bytes k.. of TMR_VAL, so a
 * narrow read at 0xB008 returns its low bytes; bytes past 0xB00B read 0.
 * *val is set either way (0 when the port is not the timer's). Writes are
 * ignored.
 */
bool vpmtimer_read(struct vpmtimer *t, u16 port, unsigned size, u32 *val);
bool vpmtimer_write(struct vpmtimer *t, u16 port, unsigned size, u32 val);

#endif /* MICA_VMM_DEV_VPMTIMER_H */
