/* SPDX-License-Identifier: MIT */
/*
 * reset: a guest asking the platform to reset, as kernels reboot. The
 * module option picks the way: case=cf9 writes 0x06 (full reset) to the
 * reset control register at 0xCF9, case=kbd sends the 8042 its
 * pulse-reset command (0xFE to port 0x64) after waiting, as Linux does,
 * for the input buffer to empty (here nothing answers at 0x64, so the
 * wait times out). mica ends the guest naming the way; the harness
 * matches it with expect=stop:. Reaching the end is a failure.
 */
#include "guests/lib/guest.h"

int guest_main(u32 magic, u32 info)
{
	const char *cl = g_cmdline(info);

	(void)magic;
	g_printf("# reset through %s\n",
		 g_has_word(cl, "case=kbd") ? "the 8042" : "0xCF9");
	if (g_has_word(cl, "case=kbd")) {
		for (unsigned i = 0; i < 16 && (g_inb(0x64) & 2); i++)
			;
		g_outb(0x64, 0xfe);
	} else {
		g_outb(0xcf9, 0x02);
		g_outb(0xcf9, 0x06);
	}
	g_ok(0, "the reset request ended the guest");
	return 1;
}
