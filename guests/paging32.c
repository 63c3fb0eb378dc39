/* SPDX-License-Identifier: MIT */
/*
 * paging32: the paging64 comparison (guests/paging.c) for the two 32-bit
 * paging modes: 32-bit paging (with PSE 4 MiB pages for the identity map)
 * and PAE. Every combination of leaf P/RW/US/A/D (and XD under PAE with
 * EFER.NXE), PDE RW/US, CR0.WP, CR4.SMAP, EFLAGS.AC and read/write is
 * accessed at CPL 0 natively and through mica's emulator; fault, error
 * code, CR2, the leaf's A/D bits and the data must be identical. Where
 * the CPU has no SMAP, the cases with CR4.SMAP or EFLAGS.AC are left out.
 */
#include "guests/lib/guest.h"

#define TEST_VA	 0x40000000U
#define P	 (1ULL << 0)
#define W	 (1ULL << 1)
#define U	 (1ULL << 2)
#define A	 (1ULL << 5)
#define D	 (1ULL << 6)
#define PS	 (1ULL << 7)
#define XD	 (1ULL << 63)
#define CR0_PG	 (1U << 31)
#define CR0_WP	 (1U << 16)
#define CR4_PSE	 (1U << 4)
#define CR4_PAE	 (1U << 5)
#define CR4_SMAP (1U << 21)
#define MSR_EFER 0xc0000080

static u32 pd32[1024] __attribute__((aligned(4096)));
static u32 pt32[1024] __attribute__((aligned(4096)));
static u64 pdpt[4] __attribute__((aligned(32)));
static u64 pd_low[512] __attribute__((aligned(4096)));
static u64 pd_test[512] __attribute__((aligned(4096)));
static u64 pt64[512] __attribute__((aligned(4096)));
static u32 data[1024] __attribute__((aligned(4096)));
static bool pae, smap;

struct record {
	int vector;
	u32 error, cr2;
	u64 pte;
	u32 value;
};

static void paging_on(bool use_pae)
{
	pae = use_pae;
	g_write_cr0(g_read_cr0() & ~CR0_PG);
	if (use_pae) {
		g_wrmsr(MSR_EFER, 1U << 11);
		g_write_cr4((g_read_cr4() | CR4_PAE) & ~CR4_PSE);
		g_write_cr3((u32)pdpt);
	} else {
		g_write_cr4((g_read_cr4() | CR4_PSE) & ~CR4_PAE);
		g_write_cr3((u32)pd32);
	}
	g_write_cr0(g_read_cr0() | CR0_PG);
}

static void paging_off(void)
{
	g_write_cr0(g_read_cr0() & ~CR0_PG);
	g_write_cr4(g_read_cr4() & ~(CR4_PAE | CR4_SMAP));
}

static void build_tables(void)
{
	for (u32 i = 0; i < 4; i++) /* 0..16 MiB, 4 MiB pages */
		pd32[i] = i * 0x400000 | P | W | PS;
	pd32[TEST_VA >> 22] = (u32)pt32 | P | A;
	for (u32 i = 0; i < 8; i++) /* 0..16 MiB, 2 MiB pages */
		pd_low[i] = (u64)i * 0x200000 | P | W | PS;
	pdpt[0] = (u32)pd_low | P;
	pdpt[1] = (u32)pd_test | P;
	pd_test[0] = (u32)pt64 | P | A;
}

static void set_entries(unsigned c)
{
	u64 pte = (u32)data | P, pde = P | A;

	if (!(c & 2)) /* bit 1 of c: present */
		pte &= ~P;
	pte |= (c & 4 ? W : 0) | (c & 8 ? U : 0) | (c & 16 ? A : 0) |
	       (c & 32 ? D : 0);
	pde |= (c & 128 ? W : 0) | (c & 256 ? U : 0);
	if (pae) {
		pt64[1] = pte | (c & 64 ? XD : 0);
		pd_test[0] = (u32)pt64 | pde;
	} else {
		pt32[1] = (u32)pte;
		pd32[TEST_VA >> 22] = (u32)pt32 | (u32)pde;
	}
}

static void run_case(unsigned c, bool emulate, struct record *r)
{
	volatile u32 *va = (volatile u32 *)(TEST_VA + 0x1000 + 4 * (c & 7));

	set_entries(c);
	g_write_cr0(c & 512 ? g_read_cr0() | CR0_WP : g_read_cr0() & ~CR0_WP);
	if (smap)
		g_write_cr4(c & 1024 ? g_read_cr4() | CR4_SMAP
				     : g_read_cr4() & ~CR4_SMAP);
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	g_write_cr2(0);
	data[c & 7] = 0x5a5a0000 + c;
	if (c & 2048)
		__asm__ volatile("stac" ::: "cc");
	r->value = (u32)g_probe(c & 1, emulate, va, 0xc0de0000 + c);
	if (c & 2048)
		__asm__ volatile("clac" ::: "cc");
	r->vector = g_fault_vector();
	r->error = (u32)g_fault_error();
	r->cr2 = g_read_cr2();
	r->pte = pae ? pt64[1] : pt32[1];
	if (c & 1)
		r->value = data[c & 7];
}

static unsigned compare_mode(bool use_pae, unsigned *faults, unsigned *cases)
{
	unsigned diffs = 0;

	paging_on(use_pae);
	for (unsigned c = 0; c < 4096; c++) {
		struct record n, e;

		if (!use_pae && (c & 64))
			continue; /* no XD bit in 32-bit paging */
		if (!smap && (c & (1024 | 2048)))
			continue;
		(*cases)++;
		run_case(c, false, &n);
		run_case(c, true, &e);
		*faults += n.vector >= 0;
		if (n.vector == e.vector && n.error == e.error &&
		    n.cr2 == e.cr2 && n.pte == e.pte && n.value == e.value)
			continue;
		if (diffs++ < 6)
			g_printf("# %s case 0x%x: native %d/0x%x/0x%x/0x%llx/"
				 "0x%x emulated %d/0x%x/0x%x/0x%llx/0x%x\n",
				 use_pae ? "PAE" : "32-bit", c, n.vector,
				 n.error, n.cr2, (unsigned long long)n.pte,
				 n.value, e.vector, e.error, e.cr2,
				 (unsigned long long)e.pte, e.value);
	}
	paging_off();
	return diffs;
}

int guest_main(u32 magic, u32 info)
{
	unsigned f32 = 0, fpae = 0, n32 = 0, npae = 0, d32, dpae;
	u32 r[4];

	(void)magic;
	(void)info;
	g_idt_init();
	g_cpuid(7, 0, r);
	smap = r[1] & (1u << 20);
	build_tables();
	d32 = compare_mode(false, &f32, &n32);
	g_ok(d32 == 0,
	     "32-bit paging%s: %u cases (%u faulting), native = emulated: "
	     "%u differences",
	     smap ? "" : " (no SMAP)", n32, f32, d32);
	dpae = compare_mode(true, &fpae, &npae);
	g_ok(dpae == 0,
	     "PAE paging%s: %u cases (%u faulting), native = emulated: %u "
	     "differences",
	     smap ? "" : " (no SMAP)", npae, fpae, dpae);
	return (int)g_tap_failed();
}
