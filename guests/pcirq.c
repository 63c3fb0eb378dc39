/* SPDX-License-Identifier: MIT */
/*
 * pcirq: the PC interrupt platform as a kernel programs it.
 *   - The 8254's channel 0 in mode 2 through the 8259 (re-initialised to
 *     vectors 0x20/0x28 as Linux does): one IRQ 0 a period, with the
 *     master's EOI (8254 and 8259A datasheets).
 *   - Channel 2 gated by port 0x61 bit 0, mode 0: OUT2 (port 0x61 bit 5)
 *     rises after the count, measured in TSC ticks against CPUID 0x15.
 *   - The I/O APIC: the PIT's IRQ 0 on pin 2, edge-triggered, to a vector
 *     of the local APIC; the RTC's IRQ 8 on pin 8 programmed level-
 *     triggered: while register C is unread the line stays up, so the
 *     local APIC's EOI brings the interrupt again; reading C ends it
 *     (82093AA Remote IRR; MC146818 register C).
 *   - The ACPI PM timer at 0xB008: 24 bits, 3,579,545 Hz against the TSC.
 *   - The RTC's date registers: BCD, in range, the century byte, VRT.
 *     (A guest second is some 2.4 * 10^9 Bochs instructions: the UIP
 *     window and the update are checked by the host tests of vrtc.c.)
 */
#include "guests/lib/guest.h"

#define APIC	      0xfee00000UL
#define APIC_EOI      0xb0
#define APIC_SPIV     0xf0
#define PIT_HZ	      1193182ULL
#define PM_HZ	      3579545ULL
#define VEC_PIC0      0x20
#define VEC_IOAPIC    0x50
#define VEC_RTC_LEVEL 0x51

static u64 tsc_hz;
static volatile unsigned rtc_reads_c; /* handler reads C from this hit on */
static volatile u64 rtc_hits;

static u32 inl(u16 port)
{
	u32 v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void apic_wr(u32 off, u32 v)
{
	*(volatile u32 *)(APIC + off) = v;
}

static void irq_hook(unsigned vector)
{
	if (vector == VEC_PIC0) {
		g_outb(0x20, 0x20); /* non-specific EOI */
	} else if (vector == VEC_IOAPIC) {
		apic_wr(APIC_EOI, 0);
	} else if (vector == VEC_RTC_LEVEL) {
		rtc_hits++;
		if (rtc_hits > rtc_reads_c)
			(void)g_cmos_read(0x0c); /* lowers IRQ 8 */
		apic_wr(APIC_EOI, 0);
	}
}

static void wait_ticks(u64 t)
{
	u64 end = g_rdtsc() + t;

	__asm__ volatile("sti" ::: "memory");
	while (g_rdtsc() < end)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
}

static void pit_periodic(u16 count)
{
	g_outb(0x43, 0x34); /* channel 0, LSB then MSB, mode 2 */
	g_outb(0x40, (u8)count);
	g_outb(0x40, (u8)(count >> 8));
}

static void pit_stop(void)
{
	g_outb(0x43, 0x30); /* mode 0 without a count: OUT0 stays low */
}

static void test_pic_pit(void)
{
	const u16 count = 100; /* 83.8 us */
	u64 period = count * tsc_hz / PIT_HZ, n;

	g_pic_init(0xfe);
	pit_periodic(count);
	n = g_irq_count(VEC_PIC0);
	wait_ticks(10 * period + period / 2);
	n = g_irq_count(VEC_PIC0) - n;
	pit_stop();
	g_outb(0x21, 0xff);
	g_ok(n >= 9 && n <= 11,
	     "PIT channel 0, mode 2, through the 8259 at vector 0x20: %lu "
	     "interrupts in 10.5 periods",
	     (unsigned long)n);
}

static void test_pit_ch2(void)
{
	const u16 count = 1000;
	u64 t0, t1, want = count * tsc_hz / PIT_HZ;
	u8 p61 = g_inb(0x61);
	unsigned spins = 0;
	bool low;

	g_outb(0x61, (u8)(p61 & ~3));
	g_outb(0x43, 0xb0); /* channel 2, LSB then MSB, mode 0 */
	g_outb(0x42, (u8)count);
	g_outb(0x42, (u8)(count >> 8));
	low = !(g_inb(0x61) & 0x20);
	g_outb(0x61, (u8)((p61 & ~2) | 1));
	t0 = g_rdtsc();
	while (!(g_inb(0x61) & 0x20) && ++spins < 1000000)
		;
	t1 = g_rdtsc();
	g_outb(0x61, p61);
	g_ok(low && spins < 1000000 && t1 - t0 >= want * 99 / 100 &&
		 t1 - t0 <= want * 105 / 100,
	     "PIT channel 2 gated by port 0x61: OUT2 rises after %lu TSC "
	     "ticks for %u PIT clocks (%lu expected)",
	     (unsigned long)(t1 - t0), count, (unsigned long)want);
}

static void test_ioapic_edge(void)
{
	const u16 count = 100;
	u64 period = count * tsc_hz / PIT_HZ, n;

	g_outb(0x21, 0xff); /* PIC masked: the I/O APIC alone */
	g_ioapic_write(0x10 + 2 * 2,
		       VEC_IOAPIC); /* pin 2, edge, fixed, dest 0 */
	g_ioapic_write(0x10 + 2 * 2 + 1, 0);
	pit_periodic(count);
	n = g_irq_count(VEC_IOAPIC);
	wait_ticks(10 * period + period / 2);
	n = g_irq_count(VEC_IOAPIC) - n;
	pit_stop();
	g_ioapic_write(0x10 + 2 * 2, 1U << 16);
	g_ok(n >= 9 && n <= 11,
	     "I/O APIC pin 2 (ISA IRQ 0), edge: %lu PIT interrupts in 10.5 "
	     "periods",
	     (unsigned long)n);
}

static void test_ioapic_level(void)
{
	u64 n;

	(void)g_cmos_read(0x0c);
	g_ioapic_write(0x10 + 2 * 8, VEC_RTC_LEVEL | (1U << 15)); /* level */
	g_ioapic_write(0x10 + 2 * 8 + 1, 0);
	/* 1024 Hz: three deliveries with every EOI trapped (no APIC-register
	 * virtualization) fit well inside one period */
	u64 period = tsc_hz / 1024, spins = 0;

	rtc_hits = 0;
	rtc_reads_c = 2; /* the first two hits leave register C unread */
	g_outb(0x70, 0x0a);
	g_outb(0x71, 0x26); /* divider on, rate 6: 1024 Hz */
	g_outb(0x70, 0x0b);
	g_outb(0x71, (u8)(g_inb(0x71) | 0x40)); /* PIE */
	__asm__ volatile("sti" ::: "memory");
	while (!rtc_hits && ++spins < 100000000)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
	wait_ticks(period / 2); /* the next period's flag is not due yet */
	n = rtc_hits;
	g_outb(0x70, 0x0b);
	g_outb(0x71, (u8)(g_inb(0x71) & ~0x40));
	(void)g_cmos_read(0x0c);
	g_ioapic_write(0x10 + 2 * 8, 1U << 16);
	g_ok(n == 3,
	     "I/O APIC pin 8 (RTC), level: with register C unread each EOI "
	     "brings the interrupt again, reading C ends it (%lu "
	     "interrupts for one periodic flag)",
	     (unsigned long)n);
}

static void test_pm_timer(void)
{
	u32 a, b, prev;
	u64 t0, t1, ticks, want;
	bool mono = true;

	a = inl(0xb008) & 0xffffff;
	t0 = g_rdtsc();
	prev = a;
	for (unsigned i = 0; i < 50; i++) {
		u32 v = inl(0xb008) & 0xffffff;

		mono &= ((v - prev) & 0xffffff) < 0x800000;
		prev = v;
	}
	wait_ticks(tsc_hz / 1000);
	b = inl(0xb008) & 0xffffff;
	t1 = g_rdtsc();
	ticks = (b - a) & 0xffffff;
	want = (t1 - t0) * PM_HZ / tsc_hz;
	g_ok(mono && ticks + 2 >= want * 99 / 100 && ticks <= want + 2,
	     "ACPI PM timer at 0xB008: monotonic, %lu ticks in %lu TSC ticks "
	     "(%lu at 3.579545 MHz)",
	     (unsigned long)ticks, (unsigned long)(t1 - t0),
	     (unsigned long)want);
}

static bool bcd_ok(u8 v, unsigned max)
{
	return (v & 0xfu) <= 9 && (v >> 4) * 10u + (v & 0xfu) <= max;
}

static void test_rtc(void)
{
	u8 s, mi, h, d, mo, y, c, regb = g_cmos_read(0x0b),
				  regd = g_cmos_read(0x0d);

	s = g_cmos_read(0);
	mi = g_cmos_read(2);
	h = g_cmos_read(4);
	d = g_cmos_read(7);
	mo = g_cmos_read(8);
	y = g_cmos_read(9);
	c = g_cmos_read(0x32);
	g_ok((regd & 0x80) && !(regb & 0x04) && (regb & 0x02) &&
		 bcd_ok(s, 59) && bcd_ok(mi, 59) && bcd_ok(h, 23) &&
		 bcd_ok(d, 31) && d && bcd_ok(mo, 12) && mo && bcd_ok(y, 99) &&
		 c == 0x20,
	     "RTC: VRT set, BCD and 24-hour mode, date in range: "
	     "%02x%02x-%02x-%02x %02x:%02x:%02x",
	     c, y, mo, d, h, mi, s);
}

int guest_main(u32 magic, u32 info)
{
	u32 r[4];

	(void)magic;
	(void)info;
	g_idt_init();
	g_set_irq_hook(irq_hook);
	apic_wr(APIC_SPIV, 0x1ff);
	g_cpuid(0x15, 0, r);
	tsc_hz = r[0] && r[1] ? (u64)r[2] * r[1] / r[0] : 0;
	if (!tsc_hz) {
		g_printf("# no CPUID 0x15 crystal: cannot time the PIT\n");
		return 1;
	}
	test_pic_pit();
	test_pit_ch2();
	test_ioapic_edge();
	test_ioapic_level();
	test_pm_timer();
	test_rtc();
	return (int)g_tap_failed();
}
