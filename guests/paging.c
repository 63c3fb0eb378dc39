/* SPDX-License-Identifier: MIT */
/*
 * paging: mica's guest page walker against the CPU, from inside a guest.
 * For every combination of leaf PTE bits (P, R/W, U/S, A, D, XD), PDE bits
 * (R/W, U/S), CR0.WP, CR4.SMAP, EFLAGS.AC and access (read, write) a 4K page
 * is mapped and accessed twice from CPL 0: natively, and through mica's
 * emulator (forced-emulation prefix). Fault/no fault, error code, CR2 and the
 * A/D bits left in the PTE must be identical. 4-level paging.
 */
#include "guests/lib/guest.h"

#define PML4_MICA 0x2000UL /* mica's identity PML4 (vmm/load/guest_layout.h) */
#define PDPT_MICA 0x3000UL /* and PDPT */
#define TEST_VA	  0x40000000UL /* PDPT[1]: the 1-2 GiB region */
#define PTE_P	  (1ULL << 0)
#define PTE_W	  (1ULL << 1)
#define PTE_U	  (1ULL << 2)
#define PTE_A	  (1ULL << 5)
#define PTE_D	  (1ULL << 6)
#define PTE_XD	  (1ULL << 63)
#define CR4_SMAP  (1ULL << 21)
#define CR0_WP	  (1ULL << 16)
#define EFER	  0xc0000080
#define EFER_NXE  (1ULL << 11)

static u64 pd[512] __attribute__((aligned(4096)));
static u64 pt[512] __attribute__((aligned(4096)));
static u64 data[512] __attribute__((aligned(4096)));

struct record {
	int vector;
	u64 error, cr2, pte;
	u64 value;
};

static void set_ac(bool ac)
{
	if (ac)
		__asm__ volatile("stac" ::: "memory", "cc");
	else
		__asm__ volatile("clac" ::: "memory", "cc");
}

static void run_case(unsigned c, bool emulate, struct record *r)
{
	u64 pte = (u64)(uintptr_t)data | PTE_P;
	u64 pde = (u64)(uintptr_t)pt | PTE_P | PTE_A;
	bool write = c & 1;
	u64 *va = (u64 *)(TEST_VA + 0x1000 + 8 * (c & 7));

	if (!(c & 2))
		pte &= ~PTE_P;
	if (c & 4)
		pte |= PTE_W;
	if (c & 8)
		pte |= PTE_U;
	if (c & 16)
		pte |= PTE_A;
	if (c & 32)
		pte |= PTE_D;
	if (c & 64)
		pte |= PTE_XD;
	if (c & 128)
		pde |= PTE_W;
	if (c & 256)
		pde |= PTE_U;
	pt[1] = pte;
	pd[0] = pde;
	g_write_cr0((c & 512) ? g_read_cr0() | CR0_WP : g_read_cr0() & ~CR0_WP);
	g_write_cr4((c & 1024) ? g_read_cr4() | CR4_SMAP
			       : g_read_cr4() & ~CR4_SMAP);
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	g_write_cr2(0);
	data[c & 7] = 0x5a5a0000 + c;
	set_ac(c & 2048);
	r->value = g_probe(write, emulate, va, 0xc0de0000 + c);
	set_ac(false);
	r->vector = g_fault_vector();
	r->error = g_fault_error();
	r->cr2 = g_read_cr2();
	r->pte = pt[1];
	if (write)
		r->value = data[c & 7];
}

static bool same(const struct record *a, const struct record *b)
{
	return a->vector == b->vector && a->error == b->error &&
	       a->cr2 == b->cr2 && a->pte == b->pte && a->value == b->value;
}

int guest_main(u32 magic, u32 info)
{
	u64 *pdpt = (u64 *)PDPT_MICA, *pml4 = (u64 *)PML4_MICA;
	u32 r7[4];
	unsigned ncases, faults = 0, diffs = 0;
	u64 cr0 = g_read_cr0(), cr4 = g_read_cr4();

	(void)magic;
	(void)info;
	g_idt_init();
	g_cpuid(7, 0, r7);
	if (!(r7[1] & (1u << 20))) {
		g_printf("ok 1 - paging matrix # SKIP CPU has no SMAP\n");
		return 0;
	}
	/* EFER.NXE is on at entry, so XD is a real permission bit. */
	for (unsigned i = 0; i < 512; i++)
		pt[i] = 0;
	/* U/S must be set at every upper level for the leaf's U to count. */
	pml4[0] |= PTE_U;
	pdpt[1] = (u64)(uintptr_t)pd | PTE_P | PTE_W | PTE_U;
	ncases = 4096;
	for (unsigned c = 0; c < ncases; c++) {
		struct record native, emul;

		run_case(c, false, &native);
		run_case(c, true, &emul);
		faults += native.vector >= 0;
		if (!same(&native, &emul)) {
			if (diffs++ < 8)
				g_printf("# case 0x%x: native vec %d err 0x%lx "
					 "cr2 0x%lx pte 0x%lx val 0x%lx; "
					 "emulated vec %d err 0x%lx cr2 0x%lx "
					 "pte 0x%lx val 0x%lx\n",
					 c, native.vector,
					 (unsigned long)native.error,
					 (unsigned long)native.cr2,
					 (unsigned long)native.pte,
					 (unsigned long)native.value,
					 emul.vector, (unsigned long)emul.error,
					 (unsigned long)emul.cr2,
					 (unsigned long)emul.pte,
					 (unsigned long)emul.value);
		}
	}
	g_write_cr0(cr0);
	g_write_cr4(cr4);
	pdpt[1] = 0;
	pml4[0] &= ~PTE_U;
	g_ok(diffs == 0,
	     "4-level: %u cases (%u faulting), native = emulated walk: %u "
	     "differences",
	     ncases, faults, diffs);
	g_ok(g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0) >=
		 (long)ncases,
	     "every emulated case went through mica's emulator");
	return (int)g_tap_failed();
}
