/* SPDX-License-Identifier: MIT */
/*
 * taskswitch: a far JMP to an available 32-bit TSS. Task switches always
 * exit in VMX non-root operation (SDM Vol 3C 26.4.2; the busy-TSS and
 * descriptor checks that come first pass here) and mica does not emulate
 * them: the VM must stop with the reason, "task switch by JMP to TSS
 * selector 0x30", never run on or panic. Entered in 32-bit mode (a task
 * switch in IA-32e mode is #GP instead).
 */
#include "guests/lib/guest.h"

#define TSS_SEL 0x30 /* descriptor 6: after mica's five (the TSS is two) */

struct __attribute__((packed)) dtr {
	u16 limit;
	u32 base;
};

static u64 gdt[8] __attribute__((aligned(8)));
static u32 tss[26] __attribute__((aligned(128))); /* 104 bytes */

int guest_main(u32 magic, u32 info)
{
	struct dtr old, new;
	u32 base = (u32)(uintptr_t)tss, limit = sizeof(tss) - 1;

	(void)magic;
	(void)info;
	__asm__ volatile("sgdt %0" : "=m"(old));
	for (unsigned i = 0; i < 6 && i * 8 < old.limit; i++)
		gdt[i] = ((const u64 *)(uintptr_t)old.base)[i];
	/* present, DPL 0, type 9: available 32-bit TSS (SDM Vol 3A 8.2.2) */
	gdt[6] = (u64)(limit & 0xffff) | (u64)(base & 0xffffff) << 16 |
		 0x89ULL << 40 | (u64)(base >> 24) << 56;
	new = (struct dtr){sizeof(gdt) - 1, (u32)(uintptr_t)gdt};
	__asm__ volatile("lgdt %0" : : "m"(new));
	g_printf("taskswitch: far JMP to TSS selector 0x%x\n", TSS_SEL);
	__asm__ volatile("ljmp %0, $0" : : "i"(TSS_SEL) : "memory");
	g_printf("taskswitch: the JMP returned\n");
	return 1;
}
