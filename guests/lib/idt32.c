/* SPDX-License-Identifier: MIT */
/*
 * Exception handling for 32-bit test guests, with the same interface as
 * the 64-bit one (guests/lib/idt64.c): g_idt_init, g_expect_fault,
 * g_fault_vector, g_fault_error, g_fault_count, g_set_fault_hook (the hook
 * sees RSP and SS as 0: they are not in a same-privilege frame).
 */
#include "guests/lib/fault.h"
#include "guests/lib/guest.h"

struct frame32 {
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax; /* PUSHAD */
	u32 vector, error, eip, cs, eflags;
};

struct gate32 {
	u16 off_lo, sel;
	u8 zero, attr;
	u16 off_hi;
} __attribute__((packed));

extern const u32 g_isr32_table[32];
static struct gate32 idt[32] __attribute__((aligned(8)));
static g_fault_hook_fn fault_hook;

void g_exception32(struct frame32 *f);

void g_exception32(struct frame32 *f)
{
	unsigned skip;

	if (fault_hook) {
		struct g_iret r = {f->eip, f->cs, f->eflags, 0, 0};

		/* Same privilege: no stack switch, ESP and SS not in the
		 * frame (SDM Vol. 3A 6.12.1). */
		if (fault_hook(f->vector, f->error, &r)) {
			f->eip = (u32)r.rip;
			f->eflags = (u32)r.rflags;
			return;
		}
	}
	skip = g_fault_take(f->vector, f->error);
	if (skip) {
		f->eip += skip;
		return;
	}
	g_printf("unexpected exception %u error 0x%x at EIP 0x%x\n", f->vector,
		 f->error, f->eip);
	g_exit(99);
}

void g_idt_init(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (u32)idt};
	u16 cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < 32; v++) {
		u32 h = g_isr32_table[v];

		idt[v] = (struct gate32){(u16)h, cs, 0, 0x8e, (u16)(h >> 16)};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void g_set_fault_hook(g_fault_hook_fn fn)
{
	fault_hook = fn;
}
