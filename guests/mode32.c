/* SPDX-License-Identifier: MIT */
/*
 * mode32: entered in 32-bit flat protected mode with paging off, following
 * the multiboot1 contract: EAX = 0x2BADB002, EBX = the information block
 * with mem_lower/mem_upper (flags bit 0) and the module command line
 * (flags bit 2). CR3, CR4 and EFER.LME read back as written while paging
 * is off, as on a CPU without VMX (mica may run the guest on a page table
 * of its own, docs/design.md).
 */
#include "guests/lib/guest.h"

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
};

#define CR4_PSE	 (1U << 4)
#define CR4_PAE	 (1U << 5)
#define CR4_PGE	 (1U << 7)
#define MSR_EFER 0xc0000080
#define EFER_LME (1U << 8)

/* Registers that mean nothing until paging is on keep what was written. */
static void check_paging_off_state(void)
{
	const u32 cr3 = 0x00abc018; /* PWT and PCD set */
	u32 cr4 = (u32)g_read_cr4();

	g_write_cr3(cr3);
	g_ok(g_read_cr3() == cr3, "CR3 reads back as written, paging off");
	g_write_cr4(cr4 | CR4_PSE | CR4_PAE | CR4_PGE);
	g_ok(g_read_cr4() == (cr4 | CR4_PSE | CR4_PAE | CR4_PGE),
	     "CR4.PSE, PAE and PGE read back as written, paging off");
	g_write_cr4(cr4);
	g_ok(g_read_cr4() == cr4, "and clear again (CR4 0x%x)", cr4);
	g_wrmsr(MSR_EFER, EFER_LME);
	g_ok(g_rdmsr(MSR_EFER) == EFER_LME && (g_read_cr0() & 0x80000001) == 1,
	     "EFER.LME set with paging off: no IA-32e mode yet");
	g_wrmsr(MSR_EFER, 0);
	g_write_cr3(0);
	g_ok(g_read_cr3() == 0 && g_rdmsr(MSR_EFER) == 0,
	     "CR3 and EFER back to 0");
}

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
	check_paging_off_state();
	g_ok(g_hypercall(HC_VERSION, 0, 0, 0, 0, 0) == MICA_HC_VERSION_VALUE,
	     "VMCALL works from 32-bit mode");
	return (int)g_tap_failed();
}
