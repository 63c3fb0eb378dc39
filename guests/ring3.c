/* SPDX-License-Identifier: MIT */
/*
 * ring3: VMCALL at CPL 3 must not be a hypercall: mica injects #UD
 * (docs/design.md section 6), which the guest's own handler sees.
 */
#include "guests/lib/guest.h"

static u64 user_cs_seen;

void user_vmcall(void);
__asm__(".text\nuser_vmcall: vmcall\n hlt\n");

static bool see_cs(u64 vector, u64 error, struct g_iret *f)
{
	(void)vector;
	(void)error;
	user_cs_seen = f->cs;
	return false; /* let the expected-fault handling skip it */
}

int guest_main(u32 magic, u32 info)
{
	long served;

	(void)magic;
	(void)info;
	g_idt_init();
	g_user_setup();
	g_expect_fault(3);
	g_user_run(user_vmcall, see_cs);
	g_ok(user_cs_seen == (0x3b | 3), "ran at CPL 3 (CS 0x%lx)",
	     (unsigned long)user_cs_seen);
	g_ok(g_fault_vector() == 6, "VMCALL at CPL 3 raised #UD in the guest");
	served = g_hypercall(HC_TEST_COUNTER, CNT_EXIT_VMCALL, 0, 0, 0, 0);
	g_ok(served == 1,
	     "the CPL 3 VMCALL was not served as a hypercall "
	     "(%ld served: this counter call only)",
	     served);
	return (int)g_tap_failed();
}
