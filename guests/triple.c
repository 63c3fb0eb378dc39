/* SPDX-License-Identifier: MIT */
/* triple: loads an empty IDT and executes UD2; mica reflects the #UD, which
 * cannot be delivered, nor the #GP, nor the #DF: a triple fault
 * (expect=stop:triple). INT3 is avoided: Bochs' built-in debugger stops on
 * it (docs/platforms.md). */
#include "guests/lib/guest.h"

int guest_main(u32 magic, u32 info)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = {0, 0};

	(void)magic;
	(void)info;
	g_printf("triple: loading an empty IDT and executing ud2\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(idtr));
	g_printf("not ok 1 - survived a triple fault\n");
	return 1;
}
