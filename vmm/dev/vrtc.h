/* SPDX-License-Identifier: MIT */
/*
 * CMOS real-time clock of a PC (pure): a Motorola MC146818A as QEMU's
 * "mc146818rtc" presents it, at port 0x70 (index in bits 6:0, NMI disable
 * in bit 7) and port 0x71 (data). Time, calendar and alarm bytes 0x00-0x09
 * and the century byte 0x32 in BCD or binary, 12- or 24-hour; registers
 * A-D; the periodic, alarm and update-ended interrupt flags behind IRQ 8;
 * bytes 0x0E-0x7F as battery RAM.
 *
 * Time comes from the clock callback, in guest TSC ticks at tsc_hz. The
 * model is passive: it works out what happened since it last looked
 * whenever it is accessed, and tells the glue when IRQ 8 would next rise
 * (vrtc_irq_next) so that the glue can poll it then (vrtc_irq_poll).
 */
#ifndef MICA_VMM_DEV_VRTC_H
#define MICA_VMM_DEV_VRTC_H

#include "mm/base/types.h"

#define VRTC_PORT_INDEX 0x70
#define VRTC_PORT_DATA	0x71
#define VRTC_IRQ	8

/* CMOS indices (MC146818A "Address Map"; 0x32 is the PC century byte) */
#define VRTC_SECONDS	   0x00
#define VRTC_SECONDS_ALARM 0x01
#define VRTC_MINUTES	   0x02
#define VRTC_MINUTES_ALARM 0x03
#define VRTC_HOURS	   0x04
#define VRTC_HOURS_ALARM   0x05
#define VRTC_DAY_OF_WEEK   0x06
#define VRTC_DAY_OF_MONTH  0x07
#define VRTC_MONTH	   0x08
#define VRTC_YEAR	   0x09
#define VRTC_REG_A	   0x0a
#define VRTC_REG_B	   0x0b
#define VRTC_REG_C	   0x0c
#define VRTC_REG_D	   0x0d
#define VRTC_RAM_FIRST	   0x0e
#define VRTC_CENTURY	   0x32
#define VRTC_CMOS_SIZE	   128

#define VRTC_A_UIP	 BIT(7)
#define VRTC_A_DV(a)	 (((a) >> 4) & 7)
#define VRTC_A_RS(a)	 ((a)&0xf)
#define VRTC_DV_32KHZ	 2 /* the one time base that keeps time on a PC */
#define VRTC_B_SET	 BIT(7)
#define VRTC_B_PIE	 BIT(6)
#define VRTC_B_AIE	 BIT(5)
#define VRTC_B_UIE	 BIT(4)
#define VRTC_B_SQWE	 BIT(3)
#define VRTC_B_DM	 BIT(2) /* 1: binary, 0: BCD */
#define VRTC_B_24H	 BIT(1)
#define VRTC_B_DSE	 BIT(0)
#define VRTC_C_IRQF	 BIT(7)
#define VRTC_C_PF	 BIT(6)
#define VRTC_C_AF	 BIT(5)
#define VRTC_C_UF	 BIT(4)
#define VRTC_D_VRT	 BIT(7)
#define VRTC_HOURS_PM	 BIT(7)
#define VRTC_ALARM_ANY	 0xc0 /* alarm bytes 0xC0-0xFF match every value */
#define VRTC_TSC_HZ_MAX	 (1ULL << 40)
#define VRTC_EPOCH_MAX	 253402300799ULL /* 9999-12-31 23:59:59 UTC */
#define VRTC_RESET_REG_A 0x26 /* 32.768 kHz time base, 1024 Hz rate */
#define VRTC_RESET_REG_B 0x02 /* 24-hour, BCD */

struct vrtc {
	u8 cmos[VRTC_CMOS_SIZE]; /* RAM, registers A/B, alarm bytes; the
				    time bytes when latched */
	u8 index;
	bool nmi_disabled;
	bool latched;  /* the time bytes in cmos[] are the time (as of second
			  sec_n), not secs: the guest wrote them or the clock
			  is stopped */
	bool irq_line; /* IRQF: the level of IRQ 8, read by the glue */
	bool irq_edge; /* IRQF rose since the last vrtc_irq_poll */
	u8 flags;      /* register C: PF, AF, UF */
	u8 dow;	       /* day of week at sec_n (not latched) */
	u64 fw_ro[2];  /* bytes the glue set: read-only to the guest */
	u64 tsc_hz;
	u64 div_t0, div_c0; /* the 32.768 kHz divider count was div_c0 at
			       clock div_t0 */
	u64 last_c;	    /* divider count up to which events are done */
	u64 secs;	    /* seconds since -0400-03-01 at second sec_n */
	u64 sec_n;	    /* second (last_c / 32768) that secs or the
			       latched bytes belong to */
	u64 (*clock)(void *ctx);
	void *clock_ctx;
};

/*
 * Reset state as QEMU's (registers A 0x26, B 0x02, C 0, D 0x80) with the
 * time epoch_seconds (Unix time, clamped to VRTC_EPOCH_MAX) at the moment
 * the clock is attached, which starts the divider on a second boundary.
 * tsc_hz is the clock's rate, 1..VRTC_TSC_HZ_MAX (panics otherwise). The
 * clock reads 0 until set.
 */
void vrtc_init(struct vrtc *r, u64 tsc_hz, u64 epoch_seconds);

/* Attach a clock: the time and the divider's phase carry on from where
 * they were under the previous clock, starting at the new clock's now. */
void vrtc_set_clock(struct vrtc *r, u64 (*clock)(void *), void *ctx);

/*
 * Byte access to port 0x70 or 0x71. Returns whether the port is the RTC's;
 * *val is set either way (0xFF when not: nothing drives the bus). Port
 * 0x70 is write-only and reads 0xFF, as on QEMU.
 */
bool vrtc_read(struct vrtc *r, u16 port, u8 *val);
bool vrtc_write(struct vrtc *r, u16 port, u8 val);

/* NMI disable bit, bit 7 of the last index written to port 0x70. */
bool vrtc_nmi_disabled(const struct vrtc *r);

/*
 * Firmware set-up of a CMOS byte (memory sizes 0x15-0x18, 0x30-0x31,
 * 0x34-0x35, 0x5B-0x5D, ...), which then ignores guest writes. Only RAM
 * bytes 0x0E-0x7F other than the century byte; returns false otherwise.
 */
bool vrtc_set_cmos(struct vrtc *r, unsigned idx, u8 val);

/* IRQF rose (an enabled flag PF&PIE, AF&AIE or UF&UIE became set) since
 * the last poll: the edge IRQ 8 delivers through the 8259. */
bool vrtc_irq_poll(struct vrtc *r);

/*
 * Clock value at which IRQF would next rise, or 0 if nothing can raise it
 * (IRQF already set, no enabled source, divider stopped). Never below the
 * clock's now: an event already due returns now.
 */
u64 vrtc_irq_next(const struct vrtc *r);

#endif /* MICA_VMM_DEV_VRTC_H */
