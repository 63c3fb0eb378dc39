/* SPDX-License-Identifier: MIT */
/*
 * The host's clocks: the TSC's frequency, which the guests' timers and
 * clocks are counted in, and the date the guests' RTC starts from. CPUID leaf 0x15 gives it as crystal Hz x EBX / EAX where the
 * crystal is named (SDM Vol 3B 18.7.3); otherwise it is measured: the
 * 8254's channel 2 counts 2,048 ticks of its 1,193,182 Hz clock (1.7 ms)
 * in mode 0 with the speaker off, gated by port 0x61 bit 0, and the TSC
 * is read around it. The TSC is invariant on every CPU with VMX that mica
 * supports, so one reading holds.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/clock.h"
#include "mm/base/console.h"

#define PIT_HZ	      1193182ULL
#define PIT_TICKS     2048
#define PIT_CH2	      0x42
#define PIT_CMD	      0x43
#define PORT_61	      0x61
#define P61_GATE2     BIT(0)
#define P61_SPEAKER   BIT(1)
#define P61_OUT2      BIT(5)
#define PIT_CH2_MODE0 0xb0 /* channel 2, LSB then MSB, mode 0, binary */

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define CMOS_NMI_OFF 0x80 /* keep NMIs off while selecting a register */
#define RTC_A_UIP    BIT(7)
#define RTC_B_24H    BIT(1)
#define RTC_B_BINARY BIT(2)
#define HOUR_PM	     BIT(7)

static u64 hz, epoch;

static u8 cmos(u8 reg)
{
	outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
	return inb(CMOS_DATA);
}

static unsigned bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, the civil-from-days
 * inverse in H. Hinnant's "chrono-compatible low-level date algorithms"). */
static u64 days_from_civil(unsigned y, unsigned m, unsigned d)
{
	unsigned era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (u64)era * 146097 + doe - 719468;
}

/* MC146818 registers 0-9 and 0x32 (century), read between updates: UIP
 * clear, then the same seconds twice (a read across an update is
 * retried). */
static u64 read_cmos_epoch(void)
{
	u8 b = cmos(0xb), s0, s, mi, h, d, mo, y, c;
	bool bin = b & RTC_B_BINARY;
	unsigned hour, tries = 0;

	do {
		while ((cmos(0xa) & RTC_A_UIP) && ++tries < 1000000)
			cpu_relax();
		s0 = cmos(0);
		mi = cmos(2);
		h = cmos(4);
		d = cmos(7);
		mo = cmos(8);
		y = cmos(9);
		c = cmos(0x32);
		s = cmos(0);
	} while (s != s0 && ++tries < 1000000);
	hour = bcd(h & (u8)~HOUR_PM, bin);
	if (!(b & RTC_B_24H))
		hour = hour % 12 + ((h & HOUR_PM) ? 12 : 0);
	if (bcd(mo, bin) < 1 || bcd(mo, bin) > 12 || !bcd(d, bin))
		return 0;
	return (days_from_civil(bcd(c, bin) * 100 + bcd(y, bin), bcd(mo, bin),
				bcd(d, bin)) *
		    24 +
		hour) *
		   3600 +
	       bcd(mi, bin) * 60 + bcd(s, bin);
}

static u64 measure_pit(void)
{
	u8 p61 = inb(PORT_61);
	u64 t0, t1;
	u32 spins = 0;

	outb(PORT_61, (u8)((p61 & ~P61_SPEAKER) & ~P61_GATE2));
	outb(PIT_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2, PIT_TICKS & 0xff);
	outb(PIT_CH2, PIT_TICKS >> 8);
	outb(PORT_61, (u8)((p61 & ~P61_SPEAKER) | P61_GATE2));
	t0 = rdtsc();
	/* OUT2 rises at terminal count; give up after ~100 ms of polls */
	while (!(inb(PORT_61) & P61_OUT2) && ++spins < 10000000)
		cpu_relax();
	t1 = rdtsc();
	outb(PORT_61, p61);
	if (spins >= 10000000)
		return 0;
	return (t1 - t0) * PIT_HZ / PIT_TICKS;
}

void tsc_calibrate(void)
{
	struct cpuid_regs r = cpuid(0);
	const char *how = "CPUID 0x15";

	if (r.eax >= 0x15) {
		r = cpuid(0x15);
		if (r.eax && r.ebx && r.ecx)
			hz = (u64)r.ecx * r.ebx / r.eax;
	}
	if (!hz) {
		hz = measure_pit();
		how = "the 8254";
	}
	if (!hz) {
		hz = 1000000000ULL;
		how = "no source: assumed";
	}
	epoch = read_cmos_epoch();
	printk("mica: TSC at %lu Hz (%s), RTC at %lu s since 1970\n", hz, how,
	       epoch);
}

u64 cmos_epoch(void)
{
	return epoch;
}

u64 tsc_hz(void)
{
	return hz;
}
