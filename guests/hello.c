/* SPDX-License-Identifier: MIT */
/* hello: the smallest guest. Prints through the emulated UART, reports one
 * TAP point, and exits through the exit hypercall. */
#include "guests/lib/guest.h"

int guest_main(u32 magic, u32 info)
{
	g_printf("hello from a 64-bit guest (magic 0x%x, info 0x%x)\n", magic,
		 info);
	g_ok(magic == 0x2badb002, "entered with the multiboot1 magic in EAX");
	return (int)g_tap_failed();
}
