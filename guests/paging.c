/* SPDX-License-Identifier: MIT */
/*
 * paging: mica's guest page walker against the CPU, from inside a guest.
 * For every combination of leaf PTE bits (P, R/W, U/S, A, D, XD), PDE bits
 * (R/W, U/S), CR0.WP, CR4.SMAP, EFLAGS.AC, protection keys (CR4.PKE off, or
 * on with PKRU allowing, access-disabling or write-disabling the leaf's
 * key 1; SDM Vol 3A 4.6.2) and access (read, write) a 4K page is mapped and
 * accessed twice from CPL 0: natively, and through mica's emulator
 * (forced-emulation prefix). Fault/no fault, error code, CR2 and the A/D
 * bits left in the PTE must be identical. 4-level paging. Where the CPU
 * has no SMAP or no PKU, the cases that need them are left out. Bochs 2.7
 * checks keys against supervisor-mode pages and ignores access-disable at
 * CPL 0 (docs/platforms.md); where a probe finds that, the cases in which
 * its rule and the SDM's give a different key verdict are left out and
 * counted (the walker's unit tests hold them against the SDM).
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
#define PTE_KEY1  (1ULL << 59) /* protection key 1 (bits 62:59) */
#define CR4_SMAP  (1ULL << 21)
#define CR4_PKE	  (1ULL << 22)
#define PKRU_AD1  (1U << 2) /* key 1: access disable */
#define PKRU_WD1  (1U << 3) /* key 1: write disable */
/* case bits 12-13: PKE off; on with PKRU 0, AD for key 1, WD for key 1 */
#define CASE_SMAP (3U << 10) /* CR4.SMAP and EFLAGS.AC */
#define CASE_PK	  (3U << 12)
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

static void wrpkru(u32 v)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xef" : : "a"(v), "c"(0), "d"(0));
}

static void set_pkeys(unsigned mode)
{
	static const u32 pkru[4] = {0, 0, PKRU_AD1, PKRU_WD1};

	g_write_cr4(mode ? g_read_cr4() | CR4_PKE : g_read_cr4() & ~CR4_PKE);
	if (mode)
		wrpkru(pkru[mode]);
}

static void run_case(unsigned c, bool emulate, struct record *r)
{
	/* key 1 in every leaf: ignored while CR4.PKE is 0 */
	u64 pte = (u64)(uintptr_t)data | PTE_P | PTE_KEY1;
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
	set_pkeys((c & CASE_PK) >> 12);
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	g_write_cr2(0);
	data[c & 7] = 0x5a5a0000 + c;
	if (c & 2048)
		set_ac(true);
	r->value = g_probe(write, emulate, va, 0xc0de0000 + c);
	if (c & 2048)
		set_ac(false);
	r->vector = g_fault_vector();
	r->error = g_fault_error();
	r->cr2 = g_read_cr2();
	r->pte = pt[1];
	if (write)
		r->value = data[c & 7];
	set_pkeys(0);
}

/* Whether case c's access is denied by its protection key: the SDM's rule
 * (Vol 3A 4.6.1: keys guard user-mode addresses, also against supervisor
 * accesses; write-disable binds CPL 0 only with CR0.WP) or, bochs, Bochs
 * 2.7's (every page; access-disable at CPL 3 only). */
static bool key_denies(unsigned c, bool bochs)
{
	unsigned mode = (c & CASE_PK) >> 12;
	bool user_page = (c & 8) && (c & 256), write = c & 1, wp = c & 512;

	if (!mode || !(c & 2) || (!bochs && !user_page))
		return false;
	if (mode == 2)
		return !bochs;
	return mode == 3 && write && wp;
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
	unsigned ncases = 0, faults = 0, diffs = 0, quirk_cases = 0;
	bool smap, pku, bochs_keys = false;
	u64 cr0 = g_read_cr0(), cr4 = g_read_cr4();

	(void)magic;
	(void)info;
	g_idt_init();
	g_cpuid(7, 0, r7);
	smap = r7[1] & (1u << 20);
	pku = r7[2] & (1u << 3);
	/* EFER.NXE is on at entry, so XD is a real permission bit. */
	for (unsigned i = 0; i < 512; i++)
		pt[i] = 0;
	/* U/S must be set at every upper level for the leaf's U to count. */
	pml4[0] |= PTE_U;
	pdpt[1] = (u64)(uintptr_t)pd | PTE_P | PTE_W | PTE_U;
	if (pku) {
		struct record r;

		/* a CPL 0 read of a user page whose key is access-disabled */
		run_case(0x210a, false, &r);
		bochs_keys = r.vector < 0;
	}
	for (unsigned c = 0; c < 16384; c++) {
		if ((!smap && (c & CASE_SMAP)) || (!pku && (c & CASE_PK)))
			continue;
		if (bochs_keys && key_denies(c, true) != key_denies(c, false)) {
			quirk_cases++;
			continue;
		}
		ncases++;
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
	     "4-level%s%s: %u cases (%u faulting), native = emulated walk: %u "
	     "differences",
	     smap ? ", SMAP" : " (no SMAP)", pku ? ", PKU" : " (no PKU)",
	     ncases, faults, diffs);
	if (bochs_keys)
		g_printf("# %u key cases left out: this CPU checks keys as "
			 "Bochs 2.7 does (docs/platforms.md)\n",
			 quirk_cases);
	g_ok(g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0) >=
		 (long)ncases,
	     "every emulated case went through mica's emulator");
	return (int)g_tap_failed();
}
