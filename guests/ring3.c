/* SPDX-License-Identifier: MIT */
/*
 * ring3: drops to CPL 3 and executes VMCALL, which mica must turn into a
 * #UD for the guest (DESIGN.md section 6), then a privileged HLT whose #GP
 * brings it back to CPL 0 through the guest's own exception handler.
 */
#include "guests/lib/guest.h"

#define PML4	  0x2000
#define PDPT	  0x3000
#define PD	  0x4000
#define PTE_U	  (1ULL << 2)
#define TSS	  0x1800
#define SEL_UDATA 0x33
#define SEL_UCODE 0x3b

static u64 gdt[8] __attribute__((aligned(16)));
u8 ring3_stack[4096] __attribute__((aligned(16)));
u64 ring3_saved_rsp;
static int user_vmcall_vector = -1, user_hlt_vector = -1;
static u64 user_cs_seen;

void ring3_run(void);
extern char ring3_code[], ring3_back[];
__asm__(".text\n"
	"ring3_run:\n"
	"  push %rbx\n  push %rbp\n  push %r12\n"
	"  push %r13\n  push %r14\n  push %r15\n"
	"  mov %rsp, ring3_saved_rsp(%rip)\n"
	"  pushq $0x33\n" /* SS: user data */
	"  lea ring3_stack+4096(%rip), %rax\n"
	"  push %rax\n"	  /* RSP */
	"  pushq $0x2\n"  /* RFLAGS */
	"  pushq $0x3b\n" /* CS: user code */
	"  lea ring3_code(%rip), %rax\n"
	"  push %rax\n" /* RIP */
	"  iretq\n"
	"ring3_code:\n"
	"  vmcall\n" /* #UD, skipped by the hook */
	"  hlt\n"    /* #GP: back to CPL 0 */
	"  jmp ring3_code\n"
	"ring3_back:\n"
	"  pop %r15\n  pop %r14\n  pop %r13\n"
	"  pop %r12\n  pop %rbp\n  pop %rbx\n"
	"  ret\n");

static bool hook(u64 vector, u64 error, struct g_iret *f)
{
	(void)error;
	if ((f->cs & 3) != 3)
		return false;
	user_cs_seen = f->cs;
	if (vector == 6) {
		user_vmcall_vector = 6;
		f->rip += 3;
		return true;
	}
	user_hlt_vector = (int)vector;
	f->rip = (u64)ring3_back;
	f->cs = 0x08;
	f->ss = 0x10;
	f->rsp = ring3_saved_rsp;
	return true;
}

static void make_user_accessible(void)
{
	u64 *pml4 = (u64 *)PML4, *pdpt = (u64 *)PDPT, *pd = (u64 *)PD;
	u64 cr3;

	pml4[0] |= PTE_U;
	pdpt[0] |= PTE_U;
	for (unsigned i = 0; i < 8; i++) /* the first 16 MiB */
		pd[i] |= PTE_U;
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3)::"memory");
}

static void load_gdt(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr = {sizeof(gdt) - 1, (u64)gdt};
	const u64 *old = (const u64 *)0x1000;

	for (unsigned i = 0; i < 6; i++) /* keep mica's entries and TSS */
		gdt[i] = old[i];
	gdt[SEL_UDATA >> 3] = 0x00cff3000000ffffULL; /* data, DPL 3 */
	gdt[SEL_UCODE >> 3] = 0x00affb000000ffffULL; /* 64-bit code, DPL 3 */
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
}

int guest_main(u32 magic, u32 info)
{
	u64 rsp;

	(void)magic;
	(void)info;
	g_idt_init();
	load_gdt();
	make_user_accessible();
	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	*(volatile u64 *)(TSS + 4) = (rsp - 1024) & ~15ULL; /* RSP0 */
	g_set_fault_hook(hook);
	ring3_run();
	g_set_fault_hook(0);
	g_ok(user_cs_seen == (SEL_UCODE | 3), "ran at CPL 3 (CS 0x%lx)",
	     (unsigned long)user_cs_seen);
	g_ok(user_vmcall_vector == 6,
	     "VMCALL at CPL 3 raised #UD in the guest");
	g_ok(user_hlt_vector == 13, "HLT at CPL 3 raised #GP (vector %d)",
	     user_hlt_vector);
	g_ok(g_hypercall(HC_TEST_COUNTER, CNT_EXIT_VMCALL, 0, 0, 0, 0) == 1,
	     "the CPL 3 VMCALL was not served as a hypercall");
	return (int)g_tap_failed();
}
