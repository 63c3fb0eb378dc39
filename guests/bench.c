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

/* Sub-page protection rows: a plain page, and a page whose even subpages
 * are writable (docs/spp.md). */
#define PLAIN_PAGE 0x900000UL
#define SPP_PAGE   0x901000UL
#define SPP_EVEN   0x55555555u

enum what {
	W_EMPTY,
	W_VMCALL,
	W_CPUID,
	W_OUT,
	W_IN,
	W_PLAIN_WRITE,
	W_SPP_ALLOWED,
	W_SPP_DENIED,
};

static inline u64 once(enum what w)
{
	u64 t0, t1;
	u32 r[4];

	/* Bochs 2.7 lets a write to a protected subpage through after an
	 * allowed one until the next exit: take one outside the window. */
	if (w == W_SPP_DENIED)
		g_hypercall(HC_NULL, 0, 0, 0, 0, 0);
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
	case W_PLAIN_WRITE:
		*(volatile u64 *)PLAIN_PAGE = t0;
		break;
	case W_SPP_ALLOWED:
		*(volatile u64 *)SPP_PAGE = t0; /* subpage 0: writable */
		break;
	case W_SPP_DENIED:
		*(volatile u64 *)(SPP_PAGE + 128) = t0; /* subpage 1 */
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
	    {W_PLAIN_WRITE, "write_plain_page"},
	};
	static const struct {
		enum what w;
		const char *name;
	} spp_rows[] = {
	    {W_SPP_ALLOWED, "spp_write_allowed"},
	    {W_SPP_DENIED, "spp_write_denied"},
	};
	static u32 map = SPP_EVEN;
	u64 base = best(W_EMPTY);

	(void)magic;
	(void)info;
	g_printf("bench rdtsc_pair %lu\n", (unsigned long)base);
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		g_printf("bench %s %lu\n", rows[i].name,
			 (unsigned long)(best(rows[i].w) - base));
	/* SPP last: enabling it changes nothing for the rows above. */
	if (g_hypercall(HC_ENABLE_SPP, 0, 0, 0, 0, 0) ||
	    g_hypercall(HC_SUBPAGE_SET_ACCESS, SPP_PAGE >> 12, 1,
			(unsigned long)&map, 0, 0))
		return 1;
	g_printf("bench spp_path %s\n",
		 g_hypercall(HC_CHECK_EXTENSION, EXT_SPP, 0, 0, 0, 0) == 2
		     ? "hardware"
		     : "software");
	for (unsigned i = 0; i < sizeof(spp_rows) / sizeof(spp_rows[0]); i++)
		g_printf("bench %s %lu\n", spp_rows[i].name,
			 (unsigned long)(best(spp_rows[i].w) - base));
	return 0;
}
