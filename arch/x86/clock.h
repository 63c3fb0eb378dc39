/* SPDX-License-Identifier: MIT */
/* The host's clocks: the TSC's frequency and the CMOS RTC's date
 * (arch/x86/clock.c). */
#ifndef MICA_ARCH_X86_CLOCK_H
#define MICA_ARCH_X86_CLOCK_H

#include "mm/base/types.h"

/* Find the frequency once at boot: CPUID leaf 0x15 where it names the
 * crystal, else a measurement against the 8254's channel 2. Prints it. */
void tsc_calibrate(void);

/* TSC ticks per second, as tsc_calibrate() found it. */
u64 tsc_hz(void);

/* The host RTC's date and time as seconds since 1970-01-01 00:00 UTC
 * (the RTC is taken to hold UTC, as on QEMU's default), read at boot by
 * tsc_calibrate(); 0 if it could not be read. */
u64 cmos_epoch(void);

#endif /* MICA_ARCH_X86_CLOCK_H */
