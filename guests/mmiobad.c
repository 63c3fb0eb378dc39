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
 *   fetch   a jump into MMIO: instruction fetch from MMIO stops the VM;
 *   user    CPL 3: MMIO on a supervisor-only page faults (#PF U=1);
 *           an unsupported instruction on MMIO is #UD, not a stopped VM;
 *           an emulated REP MOVSB from MMIO to a supervisor-only RAM page
 *           gets the #PF the CPU would raise (P|W|U, CR2 = destination).
 */
#include "guests/lib/guest.h"

#define IORAM 0xc0010000UL

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

/*
 * remap: the same linear code page is remapped (PTE change + INVLPG, no
 * CR3 write) from a page holding "mov %eax,(%rbx)" to one holding
 * "mov %eax,4(%rbx)", each followed by RET. Both store to ioram through
 * MMIO emulation at the same RIP; mica must fetch the new bytes (its fetch
 * translation cache is revalidated against the paging entries).
 */
#define PDPT_MICA 0x3000UL
#define CODE_VA	  0x40000000UL

static u64 remap_pd[512] __attribute__((aligned(4096)));
static u64 remap_pt[512] __attribute__((aligned(4096)));
static u8 code_a[4096] __attribute__((aligned(4096)));
static u8 code_b[4096] __attribute__((aligned(4096)));

static void map_code(const u8 *page)
{
	remap_pt[0] = (u64)(uintptr_t)page | 3;
	__asm__ volatile("invlpg (%0)" : : "r"(CODE_VA) : "memory");
}

static void test_remap(void)
{
	volatile u32 *io = (volatile u32 *)IORAM;
	static const u8 a[] = {0x89, 0x03, 0xc3};	/* mov %eax,(%rbx) */
	static const u8 b[] = {0x89, 0x43, 0x04, 0xc3}; /* mov %eax,4(%rbx) */

	for (unsigned i = 0; i < sizeof(a); i++)
		code_a[i] = a[i];
	for (unsigned i = 0; i < sizeof(b); i++)
		code_b[i] = b[i];
	remap_pd[0] = (u64)(uintptr_t)remap_pt | 3;
	((u64 *)PDPT_MICA)[1] = (u64)(uintptr_t)remap_pd | 3;
	io[0] = io[1] = 0;
	map_code(code_a);
	__asm__ volatile("call *%2"
			 :
			 : "a"(0x11), "b"(io), "r"(CODE_VA)
			 : "memory");
	map_code(code_b);
	__asm__ volatile("call *%2"
			 :
			 : "a"(0x22), "b"(io), "r"(CODE_VA)
			 : "memory");
	g_ok(io[0] == 0x11 && io[1] == 0x22,
	     "after remapping the code page mica emulated the new "
	     "instruction (ioram 0x%x 0x%x)",
	     io[0], io[1]);
	((u64 *)PDPT_MICA)[1] = 0;
}

#define PD_MICA	   0x4000UL
#define SUPER_PAGE 0xe00000UL /* 14 MiB: made supervisor-only below */

void user_read(void), user_fld(void), user_movs(void);
__asm__(".text\n"
	"user_read: mov $0xc0010000, %rbx\n mov (%rbx), %eax\n hlt\n"
	"user_fld: mov $0xc0010000, %rbx\n flds (%rbx)\n hlt\n"
	"user_movs: mov $0xc0010000, %rsi\n mov $0xe00000, %rdi\n"
	"  mov $4, %ecx\n rep movsb\n hlt\n");

static void test_user(void)
{
	u64 cr2, cr3;

	g_user_setup();
	g_expect_fault(2);
	g_user_run(user_read, 0);
	g_ok(g_fault_vector() == 14 && g_fault_error() == 5,
	     "CPL 3 read of a supervisor-only MMIO page: #PF error 0x%lx",
	     (unsigned long)g_fault_error());
	g_user_map(0xc0010000);
	g_expect_fault(2);
	g_user_run(user_fld, 0);
	g_ok(g_fault_vector() == 6,
	     "CPL 3 unsupported instruction on MMIO: #UD, the VM runs on");
	((u64 *)PD_MICA)[SUPER_PAGE >> 21] &= ~(1ULL << 2);
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3)::"memory");
	g_expect_fault(2);
	g_user_run(user_movs, 0);
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	g_ok(g_fault_vector() == 14 && g_fault_error() == 7 &&
		 cr2 == SUPER_PAGE,
	     "CPL 3 emulated REP MOVSB into a supervisor page: #PF error "
	     "0x%lx, CR2 0x%lx",
	     (unsigned long)g_fault_error(), (unsigned long)cr2);
}

int guest_main(u32 magic, u32 info)
{
	const char *cl = g_cmdline(info);

	(void)magic;
	g_idt_init();
	if (g_has_word(cl, "case=toctou")) {
		test_toctou();
		return (int)g_tap_failed();
	}
	if (g_has_word(cl, "case=unsupp")) {
		__asm__ volatile("flds (%0)" : : "r"(IORAM) : "memory");
		g_printf("not ok 1 - an unsupported MMIO instruction ran on\n");
		return 1;
	}
	if (g_has_word(cl, "case=remap")) {
		test_remap();
		return (int)g_tap_failed();
	}
	if (g_has_word(cl, "case=user")) {
		test_user();
		return (int)g_tap_failed();
	}
	if (g_has_word(cl, "case=fetch")) {
		((void (*)(void))IORAM)();
		g_printf("not ok 1 - executed from MMIO\n");
		return 1;
	}
	g_printf("not ok 1 - no case= given\n");
	return 1;
}
