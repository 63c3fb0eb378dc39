/* SPDX-License-Identifier: MIT */
/*
 * bench: exit-path costs measured inside the guest with RDTSC. Under Bochs
 * with clock: sync=none the TSC counts retired instructions, so the figures
 * are exact instruction counts of the whole round trip (guest exit, mica's
 * handler, VM entry). The RDTSC pair's own cost is measured first and
 * subtracted. Prints "bench <name> <count>" lines for make bench
 * (test/harness/bench.py); docs/performance.md explains each figure.
 *
 * Needs mem=160M: the memslot figures alias pool offsets 64-128 MiB.
 */
#include "guests/lib/guest.h"

#define ROUNDS	  64
#define SCRATCH	  0x3ff
#define UNCLAIMED 0x2f0

#define MB	      (1UL << 20)
#define IORAM	      0xc0010000UL
#define IORAM_SIZE    0x10000UL
#define MMIO_ZAP_GPA  0xc0100000UL /* in ioram's 2 MiB block, no device */
#define SLOT_GPA      0x80000000UL /* 2 GiB: a 1 GiB block with no RAM */
#define SLOT_POOL     (64 * MB)
#define SLOT_SIZE     (64 * MB)
#define SLOT_MMIO_ZAP 10
#define SLOT_BENCH    11
#define LOCK_RW	      3
#define REP_BYTES     4096
#define LOCK_ROUNDS   3

/* Sub-page protection rows: a plain page, and a page whose even subpages
 * are writable (docs/spp.md). */
#define PLAIN_PAGE 0x900000UL
#define SPP_PAGE   0x901000UL
#define SPP_EVEN   0x55555555u

#define APIC	0xfee00000UL
#define TESTMEM 0xff000000UL
#define IPI_VEC 0x40

enum what {
	W_EMPTY,
	W_VMCALL,
	W_CPUID,
	W_OUT,
	W_IN,
	W_MMIO_LD,
	W_MMIO_ST,
	W_APIC_EOI,
	W_APIC_ICR,
	W_TESTMEM_ST,
	W_PLAIN_WRITE,
	W_SPP_ALLOWED,
	W_SPP_DENIED,
};

static u64 entry_tsc;
static u64 tsc_base;
static unsigned failures;

static long hc(unsigned long nr, unsigned long a0, unsigned long a1,
	       unsigned long a2, unsigned long a3, unsigned long a4)
{
	return g_hypercall(nr, a0, a1, a2, a3, a4);
}

static long set_region(unsigned long slot, unsigned long gpa,
		       unsigned long size, unsigned long off)
{
	return hc(HC_SET_MEMORY_REGION, slot, 0, gpa, size, off);
}

/* A hypercall the measurement depends on failed: say so, skip the row. */
static bool check(long rc, const char *what)
{
	if (!rc)
		return true;
	g_printf("bench: %s failed: %ld\n", what, rc);
	failures++;
	return false;
}

/* "_apicv_off" and "_apic_access" for the apicv=off and apicv=access
 * runs. */
static const char *suffix = "";

static void put(const char *name, u64 v)
{
	g_printf("bench %s%s %lu\n", name, suffix, (unsigned long)v);
}

static inline u64 once(enum what w)
{
	/* Bochs 2.7 lets a write to a protected subpage through after an
	 * allowed one until the next exit (docs/platforms.md): take one
	 * outside the measured window. */
	if (w == W_SPP_DENIED)
		g_hypercall(HC_NULL, 0, 0, 0, 0, 0);
	volatile u32 *io = (volatile u32 *)IORAM;
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
	case W_MMIO_LD:
		(void)*io;
		break;
	case W_MMIO_ST:
		*io = 0x12345678;
		break;
	case W_APIC_EOI:
		*(volatile u32 *)(APIC + 0xb0) = 0;
		break;
	case W_APIC_ICR: /* fixed, shorthand self */
		*(volatile u32 *)(APIC + 0x300) = 0x40000 | IPI_VEC;
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
	case W_TESTMEM_ST:
		*(volatile u32 *)TESTMEM = 0x12345678;
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
	return m - tsc_base;
}

/*
 * First touch of ioram: no EPT entry covers its GPA, so the access is an
 * EPT violation that finds no slot, installs a cached MMIO entry and
 * emulates. The entry covers ioram's 2 MiB block (not its 1 GiB one: the
 * local APIC page is in that, and MMIO entries leave it out). Creating a
 * slot in the same 2 MiB block drops the entry the previous round left (a
 * memslot change zaps every leaf overlapping the new range); deleting it
 * changes nothing there, so each round starts with no entry for ioram.
 */
static u64 mmio_first_touch(enum what w)
{
	u64 m = ~0ULL;

	for (unsigned i = 0; i < ROUNDS / 4; i++) {
		u64 d;

		if (!check(set_region(SLOT_MMIO_ZAP, MMIO_ZAP_GPA, 4096, 0),
			   "create the zapping slot") ||
		    !check(set_region(SLOT_MMIO_ZAP, 0, 0, 0), "delete it"))
			return 0;
		hc(HC_TEST_RESET_COUNTERS, 0, 0, 0, 0, 0);
		d = once(w);
		if (d < m)
			m = d;
		if (g_counter(CNT_EXIT_EPT_VIOLATION) != 1 ||
		    g_counter(CNT_EXIT_EPT_MISCONFIG) != 0) {
			g_printf("bench: MMIO first touch was not exactly one "
				 "EPT violation\n");
			failures++;
		}
	}
	return m - tsc_base;
}

/* REP MOVSB of REP_BYTES from RAM into ioram (cached MMIO entries), whole
 * instruction; best of 3 (and the exits it took). */
static u64 mmio_rep_movsb(long *exits)
{
	static u8 src[REP_BYTES];
	u64 m = ~0ULL;

	for (unsigned i = 0; i < REP_BYTES; i++)
		src[i] = (u8)i;
	for (unsigned i = 0; i < 3; i++) {
		void *d = (void *)IORAM;
		const void *s = src;
		unsigned long n = REP_BYTES;
		u64 t0, t1;

		hc(HC_TEST_RESET_COUNTERS, 0, 0, 0, 0, 0);
		t0 = g_rdtsc();
		__asm__ volatile("rep movsb"
				 : "+D"(d), "+S"(s), "+c"(n)
				 :
				 : "memory");
		t1 = g_rdtsc();
		if (t1 - t0 < m)
			m = t1 - t0;
		*exits = g_counter(CNT_EXIT_EPT_MISCONFIG) +
			 g_counter(CNT_EXIT_EPT_VIOLATION);
	}
	for (unsigned i = 0; i < REP_BYTES; i++)
		if (((volatile u8 *)IORAM)[i] != (u8)i) {
			g_printf("bench: REP MOVSB into ioram: byte %u wrong\n",
				 i);
			failures++;
			break;
		}
	return m - tsc_base;
}

/*
 * First touch of RAM: a load from a page of a fresh slot is an EPT
 * violation that maps one leaf. The 4K case uses a pool offset that is not
 * 2 MiB aligned (so only 4K leaves fit) and touches pages of one 2 MiB
 * block after its first, whose table page then exists; the 2M case touches
 * 2 MiB blocks of an aligned slot after its first. Best of 31 touches.
 */
static u64 ram_first_touch(unsigned long off, unsigned long step)
{
	u64 m = ~0ULL;

	if (!check(set_region(SLOT_BENCH, SLOT_GPA, SLOT_SIZE, off),
		   "create the first-touch slot"))
		return 0;
	(void)*(volatile u64 *)SLOT_GPA;
	for (unsigned long i = 1; i < 32; i++) {
		volatile u64 *p = (volatile u64 *)(SLOT_GPA + i * step);
		u64 t0 = g_rdtsc(), t1;

		(void)*p;
		t1 = g_rdtsc();
		if (t1 - t0 < m)
			m = t1 - t0;
	}
	check(set_region(SLOT_BENCH, 0, 0, 0), "delete the first-touch slot");
	return m - tsc_base;
}

static void eoi_hook(unsigned vector)
{
	if (vector == IPI_VEC)
		*(volatile u32 *)(APIC + 0xb0) = 0;
}

static u64 irq_tsc; /* TSC in the handler of the last timer interrupt */

/* For the timer rows only: an RDTSC in the handler would change what the
 * self-IPI rows count. */
static void timer_hook(unsigned vector)
{
	irq_tsc = g_rdtsc();
	eoi_hook(vector);
}

#define LVT_TIMER	 0x320
#define LVT_TSC_DEADLINE (2U << 17)
#define MSR_TSC_DEADLINE 0x6e0
#define TIMER_AHEAD	 20000

/*
 * Local APIC timer in TSC-deadline mode, from the deadline to the first
 * instruction of the guest's handler (the VMX-preemption timer's exit,
 * mica's expiry and injection, the IDT delivery): spinning with IF = 1, or
 * halted (HLT waited in the HLT activity state). Each round must deliver
 * exactly one interrupt.
 */
static u64 timer_latency(bool hlt)
{
	u64 m = ~0ULL;

	g_set_irq_hook(timer_hook);
	*(volatile u32 *)(APIC + LVT_TIMER) = LVT_TSC_DEADLINE | IPI_VEC;
	for (unsigned i = 0; i < ROUNDS / 4; i++) {
		u64 n = g_irq_count(IPI_VEC), dl = g_rdtsc() + TIMER_AHEAD;

		g_wrmsr(MSR_TSC_DEADLINE, dl);
		if (hlt)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
		else
			while (g_irq_count(IPI_VEC) == n)
				__asm__ volatile("sti; nop; cli" ::: "memory");
		if (g_irq_count(IPI_VEC) != n + 1 || irq_tsc < dl) {
			g_printf("bench: timer round %u: %lu interrupts, "
				 "handler at deadline %+ld\n",
				 i, (unsigned long)(g_irq_count(IPI_VEC) - n),
				 (long)(irq_tsc - dl));
			failures++;
			return 0;
		}
		if (irq_tsc - dl < m)
			m = irq_tsc - dl;
	}
	*(volatile u32 *)(APIC + LVT_TIMER) = 1U << 16;
	g_set_irq_hook(eoi_hook);
	return m;
}

/*
 * xAPIC self-IPI: with IF = 1 the whole round trip, from the ICR write's
 * exit through the injected interrupt, its handler's EOI write and IRET;
 * with IF = 0 the ICR write alone (the vector stays pending and is taken
 * outside the timed part). Each round must deliver exactly one interrupt.
 */
static u64 self_ipi(bool deliver)
{
	u64 m = ~0ULL;

	for (unsigned i = 0; i < ROUNDS; i++) {
		u64 n = g_irq_count(IPI_VEC), d;

		if (deliver) {
			__asm__ volatile("sti" ::: "memory");
			d = once(W_APIC_ICR);
			__asm__ volatile("cli" ::: "memory");
		} else {
			d = once(W_APIC_ICR);
			__asm__ volatile("sti; nop; cli" ::: "memory");
		}
		if (g_irq_count(IPI_VEC) != n + 1) {
			g_printf("bench: self-IPI %u not delivered once\n", i);
			failures++;
			return 0;
		}
		if (d < m)
			m = d;
	}
	return m - tsc_base;
}

/* Exits taken between two readings of the exit counter, less the
 * readings' own. */
static long exits_since(long before)
{
	static long calib = -1;

	if (calib < 0) {
		long a = g_counter(CNT_EXITS_TOTAL);

		calib = g_counter(CNT_EXITS_TOTAL) - a;
	}
	return g_counter(CNT_EXITS_TOTAL) - before - calib;
}

static u64 eoi_best = ~0ULL;
static long eoi_exits = -1;

/* For the in-service EOI row only: the EOI of the self-IPI, timed, and
 * the exits it took. */
static void eoi_timed_hook(unsigned vector)
{
	long e;
	u64 t0, t1;

	if (vector != IPI_VEC)
		return;
	e = g_counter(CNT_EXITS_TOTAL);
	t0 = g_rdtsc();
	*(volatile u32 *)(APIC + 0xb0) = 0;
	t1 = g_rdtsc();
	eoi_exits = exits_since(e);
	if (t1 - t0 < eoi_best)
		eoi_best = t1 - t0;
}

/* EOI of a vector in service (the handler of a self-IPI). */
static void eoi_in_service(void)
{
	g_set_irq_hook(eoi_timed_hook);
	for (unsigned i = 0; i < ROUNDS / 4; i++) {
		*(volatile u32 *)(APIC + 0x300) = 0x40000 | IPI_VEC;
		__asm__ volatile("sti; nop; cli" ::: "memory");
	}
	g_set_irq_hook(eoi_hook);
	put("xapic_eoi_in_service", eoi_best - tsc_base);
	put("xapic_eoi_in_service_exits", (u64)eoi_exits);
}

#define RTC_VEC	     0x51
#define LEVEL_ROUNDS 8

static volatile unsigned rtc_hits;
static u64 rtc_eoi_tsc, rtc_best = ~0ULL;

/* The RTC's periodic flag holds IRQ 8 high until register C is read: each
 * EOI of the level-triggered vector brings it again through the I/O APIC
 * (remote IRR clears, the pin is still asserted). The handler times from
 * its EOI to the next entry. */
static void rtc_hook(unsigned vector)
{
	u64 t = g_rdtsc();

	if (vector != RTC_VEC)
		return;
	if (rtc_hits++ && t - rtc_eoi_tsc < rtc_best)
		rtc_best = t - rtc_eoi_tsc;
	if (rtc_hits == LEVEL_ROUNDS)
		(void)g_cmos_read(0x0c); /* lowers IRQ 8: the last round */
	rtc_eoi_tsc = g_rdtsc();
	*(volatile u32 *)(APIC + 0xb0) = 0;
}

static void ioapic_level_redeliver(void)
{
	u64 spins = 0;

	g_set_irq_hook(rtc_hook);
	(void)g_cmos_read(0x0c);
	g_ioapic_write(0x10 + 2 * 8, RTC_VEC | (1U << 15)); /* level */
	g_ioapic_write(0x10 + 2 * 8 + 1, 0);
	g_outb(0x70, 0x0a);
	g_outb(0x71, 0x23); /* divider on, rate 3: 8192 Hz */
	g_outb(0x70, 0x0b);
	g_outb(0x71, (u8)(g_inb(0x71) | 0x40)); /* PIE */
	__asm__ volatile("sti" ::: "memory");
	while (rtc_hits < LEVEL_ROUNDS && ++spins < 100000000)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
	g_outb(0x70, 0x0b);
	g_outb(0x71, (u8)(g_inb(0x71) & ~0x40));
	(void)g_cmos_read(0x0c);
	g_ioapic_write(0x10 + 2 * 8, 1U << 16);
	g_set_irq_hook(eoi_hook);
	if (rtc_hits < LEVEL_ROUNDS) {
		g_printf("bench: RTC level interrupt: %u rounds\n", rtc_hits);
		failures++;
		return;
	}
	put("ioapic_level_eoi_to_handler", rtc_best);
}

/* The local APIC and I/O APIC rows; the apicv=off and apicv=access runs
 * measure only these, each name with its suffix. */
static void apic_rows(void)
{
	g_idt_init();
	g_set_irq_hook(eoi_hook);
	*(volatile u32 *)(APIC + 0xf0) = 0x1ff; /* SPIV: software enable */
	put("xapic_eoi", best(W_APIC_EOI));
	eoi_in_service();
	put("xapic_icr_write", self_ipi(false));
	put("xapic_icr_self_ipi", self_ipi(true));
	put("lapic_timer_to_handler", timer_latency(false));
	put("lapic_timer_hlt_wake", timer_latency(true));
	ioapic_level_redeliver();
}

/* HC_LOCK_MEMSLOT round trip for a fresh 64 MiB slot; best of a few. */
static u64 lock_slot(unsigned long off)
{
	u64 m = ~0ULL;

	for (unsigned i = 0; i < LOCK_ROUNDS; i++) {
		u64 t0, t1;
		long rc;

		if (!check(set_region(SLOT_BENCH, SLOT_GPA, SLOT_SIZE, off),
			   "create the 64 MiB slot"))
			return 0;
		t0 = g_rdtsc();
		rc = hc(HC_LOCK_MEMSLOT, SLOT_BENCH, LOCK_RW, 0, 0, 0);
		t1 = g_rdtsc();
		if (!check(rc, "lock the 64 MiB slot"))
			return 0;
		if (t1 - t0 < m)
			m = t1 - t0;
		/* locked means mapped: a touch must not exit */
		hc(HC_TEST_RESET_COUNTERS, 0, 0, 0, 0, 0);
		(void)*(volatile u64 *)(SLOT_GPA + SLOT_SIZE - 8);
		if (hc(HC_TEST_COUNTER, CNT_EXIT_EPT_VIOLATION, 0, 0, 0, 0)) {
			g_printf("bench: locked slot took an EPT violation\n");
			failures++;
		}
		if (!check(hc(HC_UNLOCK_MEMSLOT, SLOT_BENCH, 0, 0, 0, 0),
			   "unlock") ||
		    !check(set_region(SLOT_BENCH, 0, 0, 0), "delete the slot"))
			return 0;
	}
	return m - tsc_base;
}

/*
 * Sub-page protection: the cost of a write to a writable subpage of a
 * protected page (hardware path: no exit at all) and of a denied one.
 * Keys name the path mica reports, so the tigerlake run (hardware) and the
 * spp=soft run give different figures.
 */
static void spp_rows(void)
{
	static u32 map = SPP_EVEN;
	bool hw;
	long before, calib;

	*(volatile u64 *)SPP_PAGE = 0; /* map the pages before measuring */
	*(volatile u64 *)PLAIN_PAGE = 0;
	if (!check(hc(HC_ENABLE_SPP, 0, 0, 0, 0, 0), "enable SPP") ||
	    !check(hc(HC_SUBPAGE_SET_ACCESS, SPP_PAGE >> 12, 1,
		      (unsigned long)&map, 0, 0),
		   "subpage_set_access"))
		return;
	hw = hc(HC_CHECK_EXTENSION, EXT_SPP, 0, 0, 0, 0) == 2;
	put("write_plain_page", best(W_PLAIN_WRITE));
	/* warm up: the EPT violation that maps the page with its SPP bit,
	 * then the SPP-miss exits that build the SPPT leaf (two under
	 * Bochs 2.7) */
	for (int i = 0; i < 3; i++)
		(void)once(W_SPP_ALLOWED);
	/* exits of one allowed write: counter deltas with and without it */
	before = g_counter(CNT_EXITS_TOTAL);
	calib = g_counter(CNT_EXITS_TOTAL) - before;
	before = g_counter(CNT_EXITS_TOTAL);
	(void)once(W_SPP_ALLOWED);
	if (hw)
		put("spp_hw_allowed_write_exits",
		    (u64)(g_counter(CNT_EXITS_TOTAL) - before - calib));
	put(hw ? "spp_hw_allowed_write" : "spp_sw_allowed_write",
	    best(W_SPP_ALLOWED));
	put(hw ? "spp_hw_denied_write" : "spp_sw_denied_write",
	    best(W_SPP_DENIED));
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
	long exits = 0;

	entry_tsc = g_rdtsc();
	(void)magic;
	(void)info;
	tsc_base = 0;
	tsc_base = best(W_EMPTY);
	if (g_has_word(g_cmdline(info), "case=apicv-off") ||
	    g_has_word(g_cmdline(info), "case=apic-access")) {
		suffix = g_has_word(g_cmdline(info), "case=apicv-off")
			     ? "_apicv_off"
			     : "_apic_access";
		apic_rows();
		return (int)failures;
	}
	if (g_has_word(g_cmdline(info), "case=spp")) {
		spp_rows(); /* the spp=soft run measures only these */
		return (int)failures;
	}
	if (g_has_word(g_cmdline(info), "case=nocache")) {
		(void)once(W_MMIO_LD); /* install the cached MMIO entry */
		put("gwalk_emulated_access_nocache", best(W_MMIO_LD));
		return (int)failures;
	}
	g_printf("bench guest_entry_tsc %lu\n", (unsigned long)entry_tsc);
	put("rdtsc_pair", tsc_base);
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		put(rows[i].name, best(rows[i].w));

	put("mmio_first_touch_load", mmio_first_touch(W_MMIO_LD));
	put("mmio_first_touch_store", mmio_first_touch(W_MMIO_ST));
	(void)once(W_MMIO_LD); /* install the cached MMIO entry */
	put("mmio_cached_load", best(W_MMIO_LD));
	put("mmio_cached_store", best(W_MMIO_ST));
	put("mmio_rep_movsb_4k", mmio_rep_movsb(&exits));
	put("mmio_rep_movsb_4k_exits", (u64)exits);

	put("ept_first_touch_4k", ram_first_touch(SLOT_POOL + 4096, 4096));
	put("ept_first_touch_2m", ram_first_touch(SLOT_POOL, 2 * MB));
	put("lock_64m_4k", lock_slot(SLOT_POOL + 4096));
	put("lock_64m_2m", lock_slot(SLOT_POOL));

	apic_rows();
	(void)once(W_TESTMEM_ST); /* install the cached MMIO entry */
	put("testdev_4byte", best(W_TESTMEM_ST));
	spp_rows(); /* last: enabling SPP changes nothing above */
	return (int)failures;
}
