/* SPDX-License-Identifier: MIT */
/* udstorm: 20,000 invalid opcodes, each intercepted by mica (#UD exits)
 * and reflected into the guest's own handler, which skips it. */
#include "guests/lib/guest.h"

#define STORM 20000

int guest_main(u32 magic, u32 info)
{
	unsigned caught = 0;

	(void)magic;
	(void)info;
	g_idt_init();
	for (unsigned i = 0; i < STORM; i++) {
		g_expect_fault(2);
		__asm__ volatile("ud2");
		caught += g_fault_vector() == 6;
	}
	g_ok(caught == STORM, "%u of %u ud2 raised #UD in the guest", caught,
	     STORM);
	g_ok(g_hypercall(HC_TEST_COUNTER, CNT_EXCEPTIONS_REFLECTED, 0, 0, 0,
			 0) == STORM,
	     "mica reflected every #UD");
	return (int)g_tap_failed();
}
