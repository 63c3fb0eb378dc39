/* SPDX-License-Identifier: MIT */
/*
 * bench: exit round-trip costs measured inside the guest with RDTSC. Under
 * Bochs with clock: sync=none the TSC counts retired instructions, so the
 * figures are exact instruction counts of the whole round trip (guest exit,
 * mica's handler, VM entry). The RDTSC pair's own cost is measured first and
 * subtracted. Prints "bench <name> <count>" lines for make bench.
 */
#include "guests/lib/guest.h"

#define ROUNDS	  64
#define SCRATCH	  0x3ff
#define UNCLAIMED 0x2f0

enum what { W_EMPTY, W_VMCALL, W_CPUID, W_OUT, W_IN };

static inline u64 once(enum what w)
{
	u64 t0, t1;
	u32 r[4];

	t0 = g_rdtsc();
	switch (w) {
	case W_VMCALL:
		g_hypercall(HC_NULL, 0, 0, 0, 0, 0);
		break;
	case W_CPUID:
		g_cpuid(0, 0, r);
		break;
	case W_OUT:
		g_outb(SCRATCH, 0x5a);
		break;
	case W_IN:
		(void)g_inb(UNCLAIMED);
		break;
	default:
		break;
	}
	t1 = g_rdtsc();
	return t1 - t0;
}

static u64 best(enum what w)
{
	u64 m = ~0ULL;

	for (unsigned i = 0; i < ROUNDS; i++) {
		u64 d = once(w);

		if (d < m)
			m = d;
	}
	return m;
}

int guest_main(u32 magic, u32 info)
{
	static const struct {
		enum what w;
		const char *name;
	} rows[] = {
	    {W_VMCALL, "exit_null_hypercall"},
	    {W_CPUID, "exit_cpuid"},
	    {W_OUT, "exit_pio_out_uart"},
	    {W_IN, "exit_pio_in_unclaimed"},
	};
	u64 base = best(W_EMPTY);

	(void)magic;
	(void)info;
	g_printf("bench rdtsc_pair %lu\n", (unsigned long)base);
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		g_printf("bench %s %lu\n", rows[i].name,
			 (unsigned long)(best(rows[i].w) - base));
	return 0;
}
