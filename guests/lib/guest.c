/* SPDX-License-Identifier: MIT */
/*
 * Guest library: polled 16550 output, printf over mm/lib/fmt.c, TAP,
 * hypercalls and the command-line search. No globals need initialising
 * beyond the zeroed BSS (mica zeroes each ELF segment's BSS when it loads
 * the guest).
 */
#include "mm/lib/fmt.h"
#include "guests/lib/guest.h"

#define COM1	 0x3f8
#define LSR	 5
#define LSR_THRE 0x20

static unsigned tap_count, tap_fail;

void g_putc(char c)
{
	while (!(g_inb(COM1 + LSR) & LSR_THRE))
		;
	g_outb(COM1, (u8)c);
}

static void putc_cb(void *ctx, char c)
{
	(void)ctx;
	g_putc(c);
}

void g_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(putc_cb, NULL, fmt, ap);
	va_end(ap);
}

bool g_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_fail++;
	g_printf("%sok %u - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	fmt_vformat(putc_cb, NULL, fmt, ap);
	va_end(ap);
	g_putc('\n');
	return cond;
}

unsigned g_tap_failed(void)
{
	return tap_fail;
}

bool g_has_word(const char *s, const char *w)
{
	for (; *s; s++) {
		unsigned i = 0;

		while (w[i] && s[i] == w[i])
			i++;
		if (!w[i])
			return true;
	}
	return false;
}

void g_exit(int code)
{
	g_hypercall(HC_EXIT, (unsigned long)code, 0, 0, 0, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void g_pic_init(u8 master_mask)
{
	g_outb(0x20, 0x11);
	g_outb(0x21, 0x20);
	g_outb(0x21, 0x04);
	g_outb(0x21, 0x01);
	g_outb(0xa0, 0x11);
	g_outb(0xa1, 0x28);
	g_outb(0xa1, 0x02);
	g_outb(0xa1, 0x01);
	g_outb(0x21, master_mask);
	g_outb(0xa1, 0xff);
}
