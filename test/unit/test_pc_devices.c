/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/dev/pc_devices.c: fw_cfg signature and CPU count, the
 * 8259A initialisation sequences and masks, the 0xE0 latch at every offset
 * and size, ports these devices do not own, and the platform's wiring: ISA
 * IRQs to the PIC and the I/O APIC (IRQ 0 on pin 2), I/O APIC messages to
 * the local APIC and its EOIs back, the PIT's IRQ 0 through the PIC as an
 * ExtINT, the PM timer at 0xB008.
 */
#include "test/unit/support/tap.h"
#include "vmm/dev/pc_devices.h"

#define TSC_HZ 1193182ULL /* one TSC tick a PIT clock */

static struct vlapic lapic;
static u64 clk;

static u64 clock_fn(void *ctx)
{
	(void)ctx;
	return clk;
}

static void setup(struct pc_devices *d)
{
	clk = 1000;
	vlapic_init(&lapic);
	pc_devices_init(d, &lapic, TSC_HZ, 0, clock_fn, NULL);
}

static u32 rd(struct pc_devices *d, u16 port, unsigned size)
{
	u32 v = 0xdeadbeef;

	if (!pc_devices_read(d, port, size, &v))
		return 0xdeadbeef;
	return v;
}

static bool wr(struct pc_devices *d, u16 port, unsigned size, u32 v)
{
	return pc_devices_write(d, port, size, v);
}

static void test_fwcfg(void)
{
	struct pc_devices d;
	char sig[6] = {0};
	bool ok = true;

	setup(&d);
	ok = wr(&d, FWCFG_PORT_SEL, 2, FWCFG_KEY_SIGNATURE);
	for (int i = 0; i < 5; i++)
		sig[i] = (char)rd(&d, FWCFG_PORT_DATA, 1);
	tap_ok(ok && sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' &&
		   sig[3] == 'U' && sig[4] == 0,
	       "fw_cfg key 0 reads \"QEMU\" byte by byte, then zeros");
	wr(&d, FWCFG_PORT_SEL, 2, FWCFG_KEY_SIGNATURE);
	tap_ok(rd(&d, FWCFG_PORT_DATA, 4) == 0x554d4551,
	       "fw_cfg key 0 as one 4-byte read");
	wr(&d, FWCFG_PORT_SEL, 2, FWCFG_KEY_SIGNATURE);
	rd(&d, FWCFG_PORT_DATA, 1);
	rd(&d, FWCFG_PORT_DATA, 1);
	wr(&d, FWCFG_PORT_SEL, 2, FWCFG_KEY_SIGNATURE);
	tap_ok(rd(&d, FWCFG_PORT_DATA, 1) == 'Q',
	       "reselecting a key restarts at offset 0");
	wr(&d, FWCFG_PORT_SEL, 2, FWCFG_KEY_NB_CPUS);
	tap_ok(rd(&d, FWCFG_PORT_DATA, 1) == 1 &&
		   rd(&d, FWCFG_PORT_DATA, 1) == 0 &&
		   rd(&d, FWCFG_PORT_DATA, 1) == 0,
	       "key 5: one CPU as a 16-bit little-endian value");
	wr(&d, FWCFG_PORT_SEL, 2, FWCFG_KEY_NB_CPUS);
	tap_ok(rd(&d, FWCFG_PORT_DATA, 2) == 1, "key 5 as one 16-bit read");
	wr(&d, FWCFG_PORT_SEL, 2, 0x19);
	tap_ok(rd(&d, FWCFG_PORT_DATA, 4) == 0 &&
		   rd(&d, FWCFG_PORT_DATA, 4) == 0,
	       "an unknown key (0x19) reads as zeros");
	wr(&d, FWCFG_PORT_SEL, 2, 0x8005);
	tap_ok(rd(&d, FWCFG_PORT_SEL, 2) == 0x8005 &&
		   rd(&d, FWCFG_PORT_DATA, 1) == 0,
	       "the 16-bit selector reads back whole; 0x8005 is not key 5");
	wr(&d, FWCFG_PORT_SEL, 2, FWCFG_KEY_SIGNATURE);
	tap_ok(wr(&d, FWCFG_PORT_DATA, 1, 0x55) &&
		   rd(&d, FWCFG_PORT_DATA, 1) == 'Q',
	       "data port writes are claimed and ignored");
}

/* Run an initialisation sequence on the PIC at base, then return IMR. */
static u32 pic_seq(struct pc_devices *d, u16 base, const u8 *icw, int n)
{
	wr(d, base, 1, icw[0]);
	for (int i = 1; i < n; i++)
		wr(d, base + 1, 1, icw[i]);
	return rd(d, base + 1, 1);
}

static void test_pic(void)
{
	static const u8 master[] = {0x11, 0x20, 0x04, 0x01},
			slave[] = {0x11, 0x28, 0x02, 0x01};
	static const u8 no_icw4[] = {0x10, 0x20, 0x04},
			sngl_icw4[] = {0x13, 0x20, 0x01}, sngl[] = {0x12, 0x20};
	struct pc_devices d;

	setup(&d);
	tap_ok(rd(&d, 0x21, 1) == 0xff && rd(&d, 0xa1, 1) == 0xff &&
		   rd(&d, 0x20, 1) == 0 && rd(&d, 0xa0, 1) == 0,
	       "8259s reset masked; command ports read 0 (no IRR/ISR bits)");
	wr(&d, 0x21, 1, 0xfb);
	wr(&d, 0xa1, 1, 0x7f);
	tap_ok(rd(&d, 0x21, 1) == 0xfb && rd(&d, 0xa1, 1) == 0x7f,
	       "OCW1 masks read back, master and slave separately");
	/* 8259A datasheet, ICW1: "The Interrupt Mask Register is cleared". */
	tap_ok(pic_seq(&d, 0x20, master, 4) == 0 &&
		   pic_seq(&d, 0xa0, slave, 4) == 0,
	       "ICW1..ICW4 consume ICW2-4 and leave the mask cleared");
	wr(&d, 0x21, 1, 0xfb);
	wr(&d, 0xa1, 1, 0xff);
	tap_ok(rd(&d, 0x21, 1) == 0xfb && rd(&d, 0xa1, 1) == 0xff,
	       "after a full sequence the next data write is OCW1");
	wr(&d, 0x20, 1, 0x20); /* OCW2: non-specific EOI */
	wr(&d, 0x20, 1, 0x0b); /* OCW3: read ISR */
	wr(&d, 0x21, 1, 0xfd);
	tap_ok(rd(&d, 0x21, 1) == 0xfd,
	       "OCW2/OCW3 on the command port do not start initialisation");
	pic_seq(&d, 0x20, no_icw4, 3);
	wr(&d, 0x21, 1, 0xee);
	tap_ok(rd(&d, 0x21, 1) == 0xee,
	       "ICW1 without IC4: ICW2, ICW3, then OCW1");
	pic_seq(&d, 0x20, sngl_icw4, 3);
	wr(&d, 0x21, 1, 0xdd);
	tap_ok(rd(&d, 0x21, 1) == 0xdd,
	       "ICW1 with SNGL and IC4: ICW2, ICW4 (no ICW3), then OCW1");
	pic_seq(&d, 0x20, sngl, 2);
	wr(&d, 0x21, 1, 0xcc);
	tap_ok(rd(&d, 0x21, 1) == 0xcc && rd(&d, 0xa1, 1) == 0xff,
	       "ICW1 with SNGL, no IC4: ICW2 only, then OCW1; slave untouched");
}

static void test_latch(void)
{
	static const unsigned sizes[] = {1, 2, 4};
	struct pc_devices d;
	unsigned n = 0, bad = 0;

	setup(&d);
	tap_ok(rd(&d, LATCH_PORT, 4) == 0, "latch resets to zero");
	for (unsigned si = 0; si < 3; si++) {
		for (unsigned k = 0; k < 4; k++) {
			u8 want[4] = {0x44, 0x33, 0x22, 0x11};
			u32 val = 0xaabbccdd;

			wr(&d, LATCH_PORT, 4, 0x11223344);
			if (!wr(&d, LATCH_PORT + k, sizes[si], val))
				bad++;
			for (unsigned i = 0; i < sizes[si] && k + i < 4; i++)
				want[k + i] = (u8)(val >> (8 * i));
			for (unsigned rs = 0; rs < 3; rs++) {
				for (unsigned j = 0; j < 4; j++) {
					u32 exp = 0, got;

					for (unsigned i = 0;
					     i < sizes[rs] && j + i < 4; i++)
						exp |= (u32)want[j + i]
						       << (8 * i);
					got = rd(&d, LATCH_PORT + j, sizes[rs]);
					n++;
					if (got != exp) {
						bad++;
						tap_diag("write %u@%u, read "
							 "%u@%u: %#x want %#x",
							 sizes[si], k,
							 sizes[rs], j, got,
							 exp);
					}
				}
			}
		}
	}
	tap_ok(!bad,
	       "latch: 1/2/4-byte writes at 0xE0..0xE3 (cut at 0xE3), "
	       "%u reads of every size and offset, %u wrong",
	       n, bad);
}

static void test_unclaimed(void)
{
	static const u16 ports[] = {0xdf,	   0xe4,  0x50f, 0x512, 0x22,
				    0xa2,	   0x1f,  0x9f,	 0x60,	0x3f8,
				    0x510 + 0x100, 0xcf8, 0x0};
	struct pc_devices d, before;
	unsigned bad = 0;

	setup(&d);
	before = d;
	for (unsigned i = 0; i < ARRAY_SIZE(ports); i++) {
		u32 v;

		for (unsigned s = 1; s <= 4; s *= 2)
			if (pc_devices_read(&d, ports[i], s, &v) ||
			    pc_devices_write(&d, ports[i], s, 0x12345678))
				bad++;
	}
	tap_ok(!bad && !mem_cmp(&d, &before, sizeof(d)),
	       "%zu unowned ports are not claimed and change nothing",
	       ARRAY_SIZE(ports));
}

static bool irr(unsigned v)
{
	return vlapic_read(&lapic, LAPIC_IRR + 0x10 * (v / 32)) &
	       (1U << (v % 32));
}

static void redir(struct pc_devices *d, unsigned pin, u32 lo)
{
	vioapic_write_reg(&d->ioapic, (u8)(IOAPIC_REG_REDIR + 2 * pin), lo);
	vioapic_write_reg(&d->ioapic, (u8)(IOAPIC_REG_REDIR + 2 * pin + 1), 0);
}

static void test_routing(void)
{
	struct pc_devices d;
	u32 pm0, pm1;
	u64 next;
	bool early;
	int vec;

	setup(&d);
	vlapic_write(&lapic, LAPIC_SPIV, LAPIC_SPIV_ENABLE | 0xff);
	redir(&d, 2, 0x30); /* edge, fixed, physical 0 */
	redir(&d, 8, 0x38 | IOAPIC_RTE_LEVEL);
	pc_irq(&d, PC_IRQ_PIT, true);
	pc_irq(&d, PC_IRQ_RTC, true);
	tap_ok(irr(0x30) && irr(0x38) &&
		   (vlapic_read(&lapic, LAPIC_TMR + 0x10) & (1U << 24)) &&
		   !(vlapic_read(&lapic, LAPIC_TMR + 0x10) & (1U << 16)),
	       "ISA IRQ 0 reaches I/O APIC pin 2, IRQ 8 pin 8; the level one "
	       "sets its TMR bit");
	vlapic_accept(&lapic, 0x38);
	vlapic_write(&lapic, LAPIC_EOI, 0);
	tap_ok(irr(0x38),
	       "the local APIC's EOI of a level vector reaches the "
	       "I/O APIC, which sends it again while the line is up");
	vlapic_accept(&lapic, 0x38);
	pc_irq(&d, PC_IRQ_RTC, false);
	vlapic_write(&lapic, LAPIC_EOI, 0);
	tap_ok(!irr(0x38) && !(vioapic_read_reg(&d.ioapic, 0x10 + 16) &
			       IOAPIC_RTE_REMOTE_IRR),
	       "with the line down the EOI clears Remote IRR, nothing more");

	/* the PIT through the PIC: mode 2, count 100, IRQ 0 unmasked */
	setup(&d);
	wr(&d, 0x21, 1, 0xfe);
	wr(&d, 0x43, 1, 0x34);
	wr(&d, 0x40, 1, 100);
	wr(&d, 0x40, 1, 0);
	pc_devices_poll(&d);
	next = pc_devices_next(&d);
	/* the count loads on the next clock, then runs 100 (8254 mode 2) */
	tap_ok(!vpic_has_intr(&d.pic) && next >= 1100 && next <= 1102,
	       "PIT channel 0 armed: its IRQ 0 comes at the count's end "
	       "(next %lu)",
	       (unsigned long)next);
	clk = next - 1;
	pc_devices_poll(&d);
	early = vpic_has_intr(&d.pic);
	clk = next;
	pc_devices_poll(&d);
	tap_ok(!early && pc_extint_pending(&d, false) &&
		   !pc_extint_pending(&d, true),
	       "then the PIC interrupts: taken with the APIC disabled, not "
	       "through a masked LINT0");
	*vlapic_reg(&lapic, LAPIC_LVT_LINT0) = LAPIC_LVT_EXTINT;
	vec = pc_extint_pending(&d, true) ? pc_extint_ack(&d) : -1;
	tap_ok(vec == 0x08,
	       "LINT0 in ExtINT mode: the INTA cycle gives IRQ "
	       "0's vector as a BIOS programs it (%#x)",
	       vec);
	pm0 = rd(&d, 0xb008, 4);
	clk += TSC_HZ;
	pm1 = rd(&d, 0xb008, 4);
	tap_ok(((pm1 - pm0) & 0xffffff) == 3579545 % (1U << 24),
	       "the PM timer at 0xB008 counts 3,579,545 a second, 24 bits "
	       "(%u)",
	       (pm1 - pm0) & 0xffffff);
}

/* ICH9 "Reset Control Register" at 0xCF9; the 8042's pulse-reset. */
static void test_reset(void)
{
	struct pc_devices d;

	setup(&d);
	wr(&d, 0xcf9, 1, 0x02);
	tap_ok(d.reset == PC_RESET_NONE && rd(&d, 0xcf9, 1) == 0x02,
	       "0xCF9 keeps the reset type; without bit 2 nothing happens");
	wr(&d, 0xcf9, 1, 0x06);
	tap_ok(d.reset == PC_RESET_CF9, "0xCF9 bit 2 requests a reset");
	setup(&d);
	tap_ok(!wr(&d, 0x64, 1, 0xd1) && d.reset == PC_RESET_NONE &&
		   rd(&d, 0x64, 1) == 0xdeadbeef,
	       "other 8042 commands and reads of 0x64 are not claimed");
	tap_ok(wr(&d, 0x64, 1, 0xfe) && d.reset == PC_RESET_KBC,
	       "0xFE to port 0x64 pulses the reset line");
}

int main(void)
{
	test_fwcfg();
	test_pic();
	test_latch();
	test_unclaimed();
	test_routing();
	test_reset();
	return tap_done();
}
