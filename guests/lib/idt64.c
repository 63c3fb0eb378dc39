/* SPDX-License-Identifier: MIT */
/*
 * Exception handling for 64-bit test guests: an IDT over the stubs of
 * isr64.asm and a handler that either resumes after an expected fault or
 * reports an unexpected one and ends the guest.
 */
#include "guests/lib/guest.h"

struct frame {
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error;
	struct g_iret iret;
};

struct gate {
	u16 off_lo, sel;
	u8 ist, attr;
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

extern const u64 g_isr_table[256];
static struct gate idt[256] __attribute__((aligned(16)));
static u64 irq_seen[256];
static g_irq_hook_fn irq_hook;
static unsigned skip_len;
static int last_vector = -1;
static u64 last_error, fault_total;
static g_fault_hook_fn fault_hook;

void g_exception(struct frame *f);

void g_exception(struct frame *f)
{
	if (f->vector >= 32) {
		irq_seen[f->vector]++;
		if (irq_hook)
			irq_hook((unsigned)f->vector);
		return;
	}
	fault_total++;
	if (fault_hook && fault_hook(f->vector, f->error, &f->iret))
		return;
	if (skip_len) {
		last_vector = (int)f->vector;
		last_error = f->error;
		f->iret.rip += skip_len;
		skip_len = 0;
		return;
	}
	g_printf("unexpected exception %lu error 0x%lx at RIP 0x%lx\n",
		 (unsigned long)f->vector, (unsigned long)f->error,
		 (unsigned long)f->iret.rip);
	g_exit(99);
}

void g_idt_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (u64)idt};
	u16 cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < 256; v++) {
		u64 h = g_isr_table[v];

		idt[v] = (struct gate){
		    (u16)h, cs, 0, 0x8e, (u16)(h >> 16), (u32)(h >> 32), 0};
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

void g_set_fault_hook(g_fault_hook_fn fn)
{
	fault_hook = fn;
}

void g_set_irq_hook(g_irq_hook_fn fn)
{
	irq_hook = fn;
}

u64 g_irq_count(unsigned vector)
{
	return irq_seen[vector & 255];
}
