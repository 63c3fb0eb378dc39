/* SPDX-License-Identifier: MIT */
/*
 * mode32: entered in 32-bit flat protected mode with paging off, following
 * the multiboot1 contract: EAX = 0x2BADB002, EBX = the information block
 * with mem_lower/mem_upper (flags bit 0) and the module command line
 * (flags bit 2).
 */
#include "guests/lib/guest.h"

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
};

int guest_main(u32 magic, u32 info)
{
	const struct mb1_info *mi = (const struct mb1_info *)(uintptr_t)info;
	u32 cr0;

	g_ok(magic == 0x2badb002, "EAX holds the multiboot1 magic");
	g_ok((mi->flags & 5) == 5, "info flags announce memory and cmdline");
	g_ok(mi->mem_lower == 639, "mem_lower is 639 KiB");
	g_ok(mi->mem_upper == (16u << 10) - 1024,
	     "mem_upper is RAM above 1 MiB in KiB (%u)", mi->mem_upper);
	g_ok(g_has_word((const char *)(uintptr_t)mi->cmdline, "mode32"),
	     "cmdline holds the module line (\"%s\")",
	     (const char *)(uintptr_t)mi->cmdline);
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	g_ok((cr0 & 0x80000001) == 1, "CR0: PE=1, PG=0 (0x%x)", cr0);
	g_ok(g_rdmsr(0xc0000080) == 0, "EFER is 0");
	g_ok(g_hypercall(HC_VERSION, 0, 0, 0, 0, 0) == MICA_HC_VERSION_VALUE,
	     "VMCALL works from 32-bit mode");
	return (int)g_tap_failed();
}
