/* SPDX-License-Identifier: MIT */
/* loop: spins forever without a single exit; mica's preemption-timer budget
 * stops it (module line: budget=..., expect=stop:budget). */
#include "guests/lib/guest.h"

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_printf("loop: spinning\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
