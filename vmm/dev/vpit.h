/* SPDX-License-Identifier: MIT */
/*
 * Intel 8254 programmable interval timer as the PC wires it (pure; Intel
 * 8254 datasheet, order 231164): counters 0-2 at ports 0x40-0x42 and the
 * control word at 0x43, clocked at PIT_HZ. Counter 0's OUT is IRQ 0;
 * counter 2's GATE is port 0x61 bit 0 and its OUT reads at port 0x61 bit 5;
 * counter 1 (DRAM refresh on the PC/AT) counts with nothing attached.
 *
 * Time comes from the clock callback, in guest TSC ticks at tsc_hz. The
 * PIT's clock pulse k falls at the first TSC value t with floor(t * PIT_HZ
 * / tsc_hz) >= k; counts and OUT levels are computed from the pulses since
 * the last write, never simulated pulse by pulse. The model is passive: the
 * interrupt glue asks vpit_irq0_next() when to look and vpit_irq0_poll()
 * whether IRQ 0 rose.
 */
#ifndef MICA_VMM_DEV_VPIT_H
#define MICA_VMM_DEV_VPIT_H

#include "mm/base/types.h"

#define PIT_HZ		  1193182ULL
#define VPIT_TSC_HZ_MAX	  (1ULL << 40)
#define VPIT_PORT_COUNTER 0x40 /* 0x40 + n: counter n */
#define VPIT_PORT_CONTROL 0x43
#define VPIT_PORT_B	  0x61

/* Port 0x61 (PC/AT "port B"): bits 3:0 read back as written. */
#define VPIT_PORTB_GATE2   BIT(0) /* counter 2's GATE */
#define VPIT_PORTB_SPEAKER BIT(1) /* speaker data: stored only */
#define VPIT_PORTB_REFRESH BIT(4) /* toggles every VPIT_REFRESH_CLKS */
#define VPIT_PORTB_OUT2	   BIT(5) /* counter 2's OUT */
#define VPIT_REFRESH_CLKS  18	  /* 15.09 us: the AT's refresh period */

/* Status byte of the read-back command (datasheet "Read-Back Command"). */
#define VPIT_STATUS_OUT	 BIT(7)
#define VPIT_STATUS_NULL BIT(6)

/* One counter. Between writes its state is a "run": the count element
 * (CE) takes r at PIT clock load, and then has made dec(clk) =
 * acc + (clk - ref) decrements by clock clk while counting (gate high, or
 * modes 1 and 5), acc while stopped. Before load, or without a run, the CE
 * holds frozen and OUT is frozen_out. */
struct vpit_counter {
	u8 ctrl;	 /* bits 5:0 of the control word: RW, M, BCD */
	u8 mode;	 /* 0-5: modes 6 and 7 are 2 and 3 */
	u8 rw;		 /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;	 /* four-decade BCD counting */
	bool wmsb;	 /* write flip-flop: the MSB comes next */
	bool rmsb;	 /* read flip-flop: the next live read is the MSB */
	u8 wlsb;	 /* the LSB of a two-byte count, until its MSB */
	u16 cr;		 /* count register, as written */
	bool cr_set;	 /* a count was written since the control word */
	bool gate;	 /* GATE input level */
	u8 null_src;	 /* what ends "null count" (vpit.c) */
	u8 ol_left;	 /* latched count bytes still to be read */
	u16 ol;		 /* output latch */
	bool st_latched; /* status byte latched, not yet read */
	u8 st;		 /* latched status */
	bool run;	 /* a count is loaded (or is loaded at load) */
	bool low;	 /* mode 3: the run starts in the low half */
	bool pend;	 /* modes 2, 3: r2 takes over at dec() == sw */
	bool low2;	 /* mode 3: the level r2 starts with */
	bool frozen_out;
	u16 frozen;
	u16 r, r2; /* count patterns (BCD or binary) */
	u32 n, n2; /* their length in pulses: 1..0x10000 */
	u64 load, ref, acc, sw;
	u64 tc_clk; /* mode 4: clock of a terminal count before ref */
};

struct vpit {
	struct vpit_counter c[3];
	u8 port_b;     /* bits 3:0 of port 0x61 */
	bool irq_edge; /* OUT0 rose at a write since irq_clk */
	u64 irq_clk;   /* PIT clock of the last poll or write */
	u64 tsc_hz;
	u64 tsc_seen; /* latest clock value read: time never goes back */
	u64 (*clock)(void *ctx);
	void *clock_ctx;
};

/*
 * Reset to the state the PC BIOS leaves (and QEMU's reset gives): every
 * counter in mode 3, LSB then MSB, binary, count 0 (65536) loaded at TSC 0,
 * so counter 0 raises IRQ 0 at 18.2 Hz; counter 2's GATE low, port 0x61
 * all 0. tsc_hz is 1..VPIT_TSC_HZ_MAX (panics otherwise). The clock reads
 * as 0 until set.
 */
void vpit_init(struct vpit *p, u64 tsc_hz);

/* Attach the guest TSC clock. A clock that goes back reads as standing
 * still at the latest value seen. */
void vpit_set_clock(struct vpit *p, u64 (*clock)(void *), void *ctx);

/*
 * One-byte port access. Returns true when the port is the PIT's (0x40-0x43,
 * 0x61); then a read sets *val (0x43 reads 0), otherwise *val is untouched.
 */
bool vpit_read(struct vpit *p, u16 port, u8 *val);
bool vpit_write(struct vpit *p, u16 port, u8 val);

/*
 * True when OUT0 rose at least once since the previous poll (or since init):
 * several rises coalesce into one, as on an edge-triggered IRQ line the PIC
 * has not yet taken.
 */
bool vpit_irq0_poll(struct vpit *p);

/*
 * The TSC value at which OUT0 next rises, later than the clock now; 0 when
 * it will not rise without another write (mode 0 after terminal count, a
 * counter waiting for its count) or not before the TSC wraps.
 */
u64 vpit_irq0_next(const struct vpit *p);

#endif /* MICA_VMM_DEV_VPIT_H */
