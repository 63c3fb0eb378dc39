/* SPDX-License-Identifier: MIT */
/* triple: loads an empty IDT and raises #BP; the #BP cannot be delivered,
 * nor the #GP, nor the #DF: a triple fault (expect=stop:triple). */
#include "guests/lib/guest.h"

int guest_main(u32 magic, u32 info)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = {0, 0};

	(void)magic;
	(void)info;
	g_printf("triple: loading an empty IDT and executing int3\n");
	__asm__ volatile("lidt %0; int3" : : "m"(idtr));
	g_printf("not ok 1 - survived a triple fault\n");
	return 1;
}
