/* SPDX-License-Identifier: MIT */
/*
 * Running guest code at CPL 3 (64-bit guests). g_user_setup() loads a GDT
 * with user segments, points the TSS's RSP0 at the current stack and makes
 * the first 16 MiB user-accessible; g_user_run(fn) calls fn at CPL 3. fn
 * returns to CPL 0 by executing HLT: its #GP is caught and turned into a
 * return from g_user_run(). Exceptions expected inside fn use
 * g_expect_fault() as at CPL 0.
 */
#include "guests/lib/guest.h"

#define PML4	  0x2000UL /* mica's identity tables (vmm/load/guest_layout.h) */
#define PDPT	  0x3000UL
#define PD	  0x4000UL
#define TSS	  0x1800UL
#define PTE_U	  (1ULL << 2)
#define SEL_UDATA 0x33
#define SEL_UCODE 0x3b
#define X86_GP	  13

static u64 gdt[8] __attribute__((aligned(16)));
static u8 user_stack[8192] __attribute__((aligned(16)));
u64 g_user_saved_rsp, g_user_stack_top, g_user_fn;
static g_fault_hook_fn prev_hook;

void g_user_enter(void);
extern char g_user_back[];
__asm__(".text\n"
	"g_user_enter:\n"
	"  push %rbx\n  push %rbp\n  push %r12\n"
	"  push %r13\n  push %r14\n  push %r15\n"
	"  mov %rsp, g_user_saved_rsp(%rip)\n"
	"  pushq $0x33\n"
	"  pushq g_user_stack_top(%rip)\n"
	"  pushq $0x2\n"
	"  pushq $0x3b\n"
	"  pushq g_user_fn(%rip)\n"
	"  iretq\n"
	"g_user_back:\n"
	"  pop %r15\n  pop %r14\n  pop %r13\n"
	"  pop %r12\n  pop %rbp\n  pop %rbx\n"
	"  ret\n");

static bool back_to_kernel(u64 vector, u64 error, struct g_iret *f)
{
	if ((f->cs & 3) != 3 || vector != X86_GP)
		return prev_hook ? prev_hook(vector, error, f) : false;
	f->rip = (u64)g_user_back;
	f->cs = 0x08;
	f->ss = 0x10;
	f->rsp = g_user_saved_rsp;
	return true;
}

void g_user_map(u64 va)
{
	u64 *pml4 = (u64 *)PML4, *pdpt = (u64 *)PDPT, *pd = (u64 *)PD;
	u64 cr3;

	pml4[0] |= PTE_U;
	pdpt[(va >> 30) & 3] |= PTE_U;
	pd[(va >> 21) & 2047] |= PTE_U; /* four contiguous PDs */
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3)::"memory");
}

void g_user_setup(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr = {sizeof(gdt) - 1, (u64)gdt};
	const u64 *old = (const u64 *)0x1000;
	u64 rsp;

	for (unsigned i = 0; i < 6; i++) /* keep mica's entries and TSS */
		gdt[i] = old[i];
	gdt[SEL_UDATA >> 3] = 0x00cff3000000ffffULL; /* data, DPL 3 */
	gdt[SEL_UCODE >> 3] = 0x00affb000000ffffULL; /* 64-bit code, DPL 3 */
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	for (u64 va = 0; va < (16ULL << 20); va += 2ULL << 20)
		g_user_map(va);
	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	*(volatile u64 *)(TSS + 4) = (rsp - 1024) & ~15ULL; /* RSP0 */
	g_user_stack_top = (u64)(user_stack + sizeof(user_stack));
}

void g_user_run(void (*fn)(void), g_fault_hook_fn hook)
{
	prev_hook = hook;
	g_user_fn = (u64)fn;
	g_set_fault_hook(back_to_kernel);
	g_user_enter();
	g_set_fault_hook(0);
}
