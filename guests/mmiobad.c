/* SPDX-License-Identifier: MIT */
/*
 * mmiobad: the MMIO path under hostile conditions. The module option
 * "mode" of this guest (from its command line) picks one case:
 *   toctou  the instruction is rewritten between the EPT exit and mica's
 *           fetch (test hypercall): mica must notice that the new
 *           instruction does not access the faulting GPA and let the guest
 *           run it natively instead of emulating the old one;
 *   unsupp  an instruction the emulator does not know (x87 FLD) on MMIO at
 *           CPL 0: the VM is stopped with a diagnostic;
 *   fetch   a jump into MMIO: instruction fetch from MMIO stops the VM.
 */
#include "guests/lib/guest.h"

#define IORAM 0xc0010000UL

static bool has_word(const char *s, const char *w)
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

extern char toctou_insn[];
static volatile u32 ram_target;

static void test_toctou(void)
{
	volatile u32 *io = (volatile u32 *)IORAM;
	long skipped;

	io[0] = 0;
	/* 89 03 = mov %eax,(%rbx) (MMIO); 89 01 = mov %eax,(%rcx) (RAM) */
	g_ok(g_hypercall(HC_TEST_PATCH_NEXT, (unsigned long)toctou_insn, 2,
			 0x0189, 0, 0) == 0,
	     "arm the instruction patch");
	__asm__ volatile("toctou_insn: mov %%eax, (%%rbx)"
			 :
			 : "a"(0x1234), "b"(io), "c"(&ram_target)
			 : "memory");
	skipped =
	    g_hypercall(HC_TEST_COUNTER, CNT_EMULATION_SKIPPED, 0, 0, 0, 0);
	g_ok(skipped == 1,
	     "mica saw the rewritten instruction and did not "
	     "emulate it (%ld skipped)",
	     skipped);
	g_ok(ram_target == 0x1234 && io[0] == 0,
	     "the guest then ran the new instruction natively: the store "
	     "reached RAM, not MMIO");
}

int guest_main(u32 magic, u32 info)
{
	const char *cl =
	    (const char *)(uintptr_t)((const u32 *)(uintptr_t)info)[4];

	(void)magic;
	g_idt_init();
	if (has_word(cl, "case=toctou")) {
		test_toctou();
		return (int)g_tap_failed();
	}
	if (has_word(cl, "case=unsupp")) {
		__asm__ volatile("flds (%0)" : : "r"(IORAM) : "memory");
		g_printf("not ok 1 - an unsupported MMIO instruction ran on\n");
		return 1;
	}
	if (has_word(cl, "case=fetch")) {
		((void (*)(void))IORAM)();
		g_printf("not ok 1 - executed from MMIO\n");
		return 1;
	}
	g_printf("not ok 1 - no case= given\n");
	return 1;
}
