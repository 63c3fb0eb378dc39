/* SPDX-License-Identifier: MIT */
/*
 * probe: reads every I/O port a PC has (except COM1 and the debug-exit
 * port), writes garbage to a spread of them, and reads a few hundred MSRs
 * that mica does not allow. Every unclaimed read must return all ones,
 * every denied MSR #GP, and mica must still be there at the end.
 */
#include "guests/lib/guest.h"

/* Ports with a device behind them: COM1, debug exit, the PICs and ELCR,
 * the PIT and port 0x61, the RTC, the 0xE0 latch, fw_cfg, the reset
 * control register and the PM timer (docs/guests.md). */
static bool skip_port(u32 p)
{
	return (p >= 0x3f8 && p < 0x400) || p == 0xf4 || p == 0x20 ||
	       p == 0x21 || p == 0xa0 || p == 0xa1 || (p >= 0xe0 && p < 0xe4) ||
	       (p >= 0x40 && p < 0x44) || p == 0x61 || p == 0x70 || p == 0x71 ||
	       p == 0x4d0 || p == 0x4d1 || p == 0xcf9 ||
	       (p >= 0xb008 && p < 0xb00c) || p == 0x510 || p == 0x511 ||
	       p == 0x8900;
}

static unsigned probe_ports(void)
{
	unsigned bad = 0;

	for (u32 p = 0; p < 0x10000; p += (p < 0x1000 ? 1 : 0x101)) {
		if (skip_port(p))
			continue;
		bad += g_inb((u16)p) != 0xff;
	}
	return bad;
}

static unsigned write_ports(void)
{
	unsigned n = 0;

	for (u32 p = 0x22; p < 0x1000; p += 7) {
		if (!skip_port(p)) {
			g_outb((u16)p, (u8)(p * 13));
			n++;
		}
	}
	return n;
}

/* MSRs of mica's table in the probed ranges (docs/guests.md, "MSRs"):
 * TSC, PLATFORM_ID, APIC_BASE, FEATURE_CONTROL, TSC_ADJUST, and
 * ARCH_CAPABILITIES and FLUSH_CMD where CPUID has them (the cpufeat guest
 * checks those). */
static bool model_msr(u32 m)
{
	return m == 0x10 || m == 0x17 || m == 0x1b || m == 0x3a || m == 0x3b ||
	       m == 0x10a || m == 0x10b;
}

static unsigned probe_msrs(unsigned *tried)
{
	static const u32 bases[] = {0x0, 0x100, 0x400, 0x480, 0xc0010000};
	unsigned caught = 0;

	*tried = 0;
	for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		for (u32 m = bases[b]; m < bases[b] + 64; m++) {
			int vec;

			if (model_msr(m))
				continue;
			(*tried)++;
			g_rdmsr_catch(m, &vec);
			caught += vec == 13;
		}
	}
	return caught;
}

int guest_main(u32 magic, u32 info)
{
	unsigned tried, caught, written;
	long before, counted;

	(void)magic;
	(void)info;
	g_idt_init();
	g_ok(probe_ports() == 0, "every unclaimed port reads as ff");
	before = g_counter(CNT_PIO_UNCLAIMED);
	written = write_ports();
	counted = g_counter(CNT_PIO_UNCLAIMED) - before;
	g_ok(probe_ports() == 0 && counted == (long)written,
	     "writes to %u unclaimed ports were dropped: all still read ff, "
	     "%ld counted",
	     written, counted);
	caught = probe_msrs(&tried);
	g_ok(caught == tried, "%u of %u unknown MSRs raised #GP", caught,
	     tried);
	g_ok(g_hypercall(HC_TEST_COUNTER, CNT_MSR_DENIED, 0, 0, 0, 0) == tried,
	     "mica counted every denied MSR");
	g_ok(g_hypercall(HC_TEST_COUNTER, CNT_PIO_UNCLAIMED, 0, 0, 0, 0) > 4000,
	     "mica counted the unclaimed port accesses");
	return (int)g_tap_failed();
}
