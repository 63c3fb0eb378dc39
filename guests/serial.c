/* SPDX-License-Identifier: MIT */
/*
 * serial: the 16550's receive interrupt with input typed on mica's console
 * (the harness types it: test/harness/boots.py). The UART runs as Linux's
 * 8250 driver runs it: FIFO on, the received-data interrupt enabled, OUT2
 * set so the PC routes the interrupt (PC16550D datasheet, IER bit 0, MCR
 * bit 3). A line is received through the I/O APIC (pin 4, edge), then one
 * through the 8259 (IRQ 4); each handler drains the FIFO while LSR.DR is
 * set. After each line the UART reports no interrupt pending.
 */
#include "guests/lib/guest.h"

#define COM1	   0x3f8
#define APIC	   0xfee00000UL
#define VEC_IOAPIC 0x54
#define VEC_PIC	   0x24			   /* 8259 master at 0x20: IR4 */
#define WAIT_TSC   (60ULL * 2419200000ULL) /* a minute of Bochs' TSC */

static char buf[64];
static volatile unsigned len, irqs;

static void drain(void)
{
	while ((g_inb(COM1 + 5) & 0x01) && len < sizeof(buf) - 1)
		buf[len++] = (char)g_inb(COM1);
	irqs++;
}

static void irq_hook(unsigned vector)
{
	if (vector == VEC_IOAPIC) {
		drain();
		*(volatile u32 *)(APIC + 0xb0) = 0;
	} else if (vector == VEC_PIC) {
		drain();
		g_outb(0x20, 0x20); /* non-specific EOI */
	}
}

/* Wait halted, with interrupts on, for a line ending in '\n'. */
static bool wait_line(void)
{
	u64 end = g_rdtsc() + WAIT_TSC;

	while ((!len || buf[len - 1] != '\n') && g_rdtsc() < end)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	buf[len] = 0;
	return len && buf[len - 1] == '\n';
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void receive(const char *route, const char *want)
{
	bool got;
	u8 iir;

	len = irqs = 0;
	g_printf("serial: type a line for the %s\n", route);
	got = wait_line();
	iir = g_inb(COM1 + 2);
	g_ok(got && same(buf, want),
	     "a line typed on the console arrives by the receive interrupt "
	     "through the %s (%u bytes in %u interrupts)",
	     route, len, irqs);
	g_ok((g_inb(COM1 + 5) & 0x01) == 0 && iir == 0xc1,
	     "after the line: LSR.DR clear, IIR 0x%02x (0xC1: FIFOs on, "
	     "none pending)",
	     iir);
}

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_idt_init();
	g_set_irq_hook(irq_hook);
	*(volatile u32 *)(APIC + 0xf0) = 0x1ff; /* SPIV: software enable */
	g_pic_init(0xff);
	g_outb(COM1 + 3, 0x03);	       /* 8N1 */
	g_outb(COM1 + 2, 0x07);	       /* FIFO on and cleared, trigger 1 */
	g_outb(COM1 + 4, 0x0b);	       /* DTR, RTS, OUT2 */
	while (g_inb(COM1 + 5) & 0x01) /* nothing typed before now counts */
		(void)g_inb(COM1);
	g_outb(COM1 + 1, 0x01); /* received-data interrupt */

	g_ioapic_write(0x10 + 2 * 4, VEC_IOAPIC); /* pin 4: edge, unmasked */
	g_ioapic_write(0x10 + 2 * 4 + 1, 0);
	receive("I/O APIC", "mica\n");
	g_ioapic_write(0x10 + 2 * 4, 1U << 16);

	g_pic_init((u8) ~(1U << 4)); /* IRQ 4 only */
	receive("8259", "hello, guest\n");
	g_pic_init(0xff);
	g_outb(COM1 + 1, 0);
	return (int)g_tap_failed();
}
