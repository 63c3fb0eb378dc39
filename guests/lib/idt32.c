/* SPDX-License-Identifier: MIT */
/*
 * Exception handling for 32-bit test guests, with the same interface as
 * the 64-bit one (guests/lib/idt64.c): g_idt_init, g_expect_fault,
 * g_fault_vector, g_fault_error, g_fault_count.
 */
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
static unsigned skip_len;
static int last_vector = -1;
static u64 last_error, fault_total;

void g_exception32(struct frame32 *f);

void g_exception32(struct frame32 *f)
{
	fault_total++;
	if (skip_len) {
		last_vector = (int)f->vector;
		last_error = f->error;
		f->eip += skip_len;
		skip_len = 0;
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

void g_expect_fault(unsigned insn_len)
{
	last_vector = -1;
	last_error = 0;
	skip_len = insn_len;
}

int g_fault_vector(void)
{
	skip_len = 0;
	return last_vector;
}

u64 g_fault_error(void)
{
	return last_error;
}

u64 g_fault_count(void)
{
	return fault_total;
}
