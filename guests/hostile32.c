/* SPDX-License-Identifier: MIT */
/*
 * hostile32: PAE paging enabled by a MOV to CR0 that mica handles (it also
 * clears CR0.NE, a bit VMX makes mica own), first with a reserved bit in
 * a PDPTE, then with valid PDPTEs. The CPU refuses the first with #GP(0)
 * and leaves paging off (SDM Vol 3A 4.4.1); the second turns paging on.
 * Neither may end the VM.
 */
#include "guests/lib/guest.h"

#define CR0_PG	(1U << 31)
#define CR0_NE	(1U << 5)
#define CR4_PAE (1U << 5)

static u64 pdpt[4] __attribute__((aligned(32)));
static u64 pd[512] __attribute__((aligned(4096)));

/* MOV CR0 = v, with a #GP caught; returns the vector or -1. */
static int write_cr0(u32 v)
{
	g_expect_fault(3); /* 0f 22 c0 */
	__asm__ volatile("mov %0, %%cr0" : : "a"(v) : "memory");
	return g_fault_vector();
}

int guest_main(u32 magic, u32 info)
{
	u32 cr0 = (u32)g_read_cr0();
	int vec;

	(void)magic;
	(void)info;
	g_idt_init();
	for (unsigned i = 0; i < 512; i++) /* 1 GiB identity, 2 MiB pages */
		pd[i] = (u64)i << 21 | 0x83;
	pdpt[0] = (u32)pd | 1 | 2; /* bit 1 is reserved in a PAE PDPTE */
	g_write_cr4(g_read_cr4() | CR4_PAE);
	g_write_cr3((u32)pdpt);
	vec = write_cr0((cr0 | CR0_PG) & ~CR0_NE);
	g_ok(vec == 13 && !(g_read_cr0() & CR0_PG),
	     "MOV CR0 enabling PAE paging with a reserved PDPTE bit: #GP "
	     "(vector %d), paging stays off",
	     vec);
	pdpt[0] = (u32)pd | 1;
	vec = write_cr0((cr0 | CR0_PG) & ~CR0_NE);
	g_ok(vec == -1 && (g_read_cr0() & CR0_PG),
	     "with valid PDPTEs the same MOV CR0 turns PAE paging on");
	pdpt[1] = 1ULL << 62 | 1; /* beyond MAXPHYADDR: reserved */
	g_write_cr0(cr0);
	vec = write_cr0((cr0 | CR0_PG) & ~CR0_NE);
	g_ok(vec == 13 && !(g_read_cr0() & CR0_PG),
	     "a PDPTE with an address bit above MAXPHYADDR: #GP (vector %d)",
	     vec);
	g_write_cr4(g_read_cr4() & ~CR4_PAE);
	return (int)g_tap_failed();
}
