/* SPDX-License-Identifier: MIT */
/*
 * GDT, TSS and IDT of the hypervisor (one CPU). Double fault, NMI and
 * machine check run on their own IST stacks so that a blown stack still
 * produces a register dump instead of a triple fault.
 */
#include "arch/x86/desc.h"
#include "arch/x86/trap.h"

#define IST_STACK_SIZE 8192
#define IST_DF	       1
#define IST_NMI	       2
#define IST_MC	       3

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

extern const u64 isr_stub_table[32];

static u64 gdt[5] __aligned(16);
static struct tss64 tss __aligned(16);
static struct idt_gate idt[256] __aligned(16);
static u8 ist_stacks[3][IST_STACK_SIZE] __aligned(16);

/* 64-bit interrupt gate, DPL 0, present (SDM Vol 3A 6.14.1, Figure 6-8). */
static void idt_set(unsigned vec, u64 handler, u8 ist)
{
	idt[vec] = (struct idt_gate){
	    .offset_lo = (u16)handler,
	    .selector = GDT_SEL_CODE64,
	    .ist = ist,
	    .type_attr = 0x8e,
	    .offset_mid = (u16)(handler >> 16),
	    .offset_hi = (u32)(handler >> 32),
	};
}

static void gdt_set_tss(void)
{
	u64 base = (u64)&tss;
	u64 limit = sizeof(tss) - 1;

	/* Available 64-bit TSS descriptor, type 9, present (SDM Vol 3A 8.2.3). */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
}

void desc_init(void)
{
	struct desc_ptr gdtr, idtr;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL; /* code: L=1, P, DPL0, execute/read */
	gdt[2] = 0x00cf92000000ffffULL; /* data: P, DPL0, read/write */
	tss.ist[IST_DF - 1] = (u64)&ist_stacks[0][IST_STACK_SIZE];
	tss.ist[IST_NMI - 1] = (u64)&ist_stacks[1][IST_STACK_SIZE];
	tss.ist[IST_MC - 1] = (u64)&ist_stacks[2][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O bitmap */
	gdt_set_tss();

	for (unsigned v = 0; v < 32; v++)
		idt_set(v, isr_stub_table[v], 0);
	idt[X86_EXC_DF].ist = IST_DF;
	idt[X86_EXC_NMI].ist = IST_NMI;
	idt[X86_EXC_MC].ist = IST_MC;

	gdtr = (struct desc_ptr){sizeof(gdt) - 1, (u64)gdt};
	idtr = (struct desc_ptr){sizeof(idt) - 1, (u64)idt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movw %%ax, %%fs\n\t"
			 "movw %%ax, %%gs\n\t"
			 "ltr %w3\n\t"
			 "lidt %4"
			 :
			 : "m"(gdtr), "i"(GDT_SEL_CODE64), "r"(GDT_SEL_DATA),
			   "r"(GDT_SEL_TSS), "m"(idtr)
			 : "rax", "memory");
}

u64 desc_gdt_base(void)
{
	return (u64)gdt;
}

u64 desc_idt_base(void)
{
	return (u64)idt;
}

u64 desc_tss_base(void)
{
	return (u64)&tss;
}
