/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor page-table builder: kernel sections with the right rights at
 * HPT_KERNEL_BASE + phys, the direct map of RAM (unaligned and reserved
 * ranges) with the fewest leaves possible, and refused layouts.
 */
#include <stdio.h>

#include "mm/pt/hpt.h"
#include "mm/pt/pt_format_x86.h"
#include "test/unit/support/pt_host_pool.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* Rights a page must have: -1 unmapped, else attrs bits RW|NX (+ G). */
static bool page_is(const struct pt *pt, u64 va, hpa_t pa, u64 want)
{
	u64 pte;
	unsigned lvl;

	if (pt_lookup(pt, va, &pte, &lvl))
		return want == ~0ULL;
	if (want == ~0ULL)
		return false;
	return pt_leaf_pa(pt->fmt, pte, lvl) +
		       (va & (pt_level_size(lvl) - 1)) ==
		   pa &&
	       (pte & (X86_PTE_RW | X86_PTE_NX | X86_PTE_G | X86_PTE_US)) ==
		   want &&
	       (pte & X86_PTE_P);
}

/* Fewest leaves covering [s, e) with va - pa aligned to 1G: greedy. */
static u64 min_leaves(u64 s, u64 e, unsigned maxl, u64 *per_level)
{
	u64 n = 0;

	while (s < e) {
		unsigned l = maxl;

		while (l && (!IS_ALIGNED(s, pt_level_size(l)) ||
			     e - s < pt_level_size(l)))
			l--;
		per_level[l]++;
		s += pt_level_size(l);
		n++;
	}
	return n;
}

struct count {
	u64 per_level[3];
};

static int count_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct count *c = arg;

	(void)va;
	(void)ptep;
	c->per_level[level]++;
	return 0;
}

int main(void)
{
	/* an odd but realistic layout: text not 2M aligned, data spanning a
	 * 2M boundary, bss large enough for a 2M page */
	const struct hpt_kernel k = {
	    .text = {1 * MiB, 3 * MiB + 64 * 1024},
	    .rodata = {3 * MiB + 64 * 1024, 4 * MiB},
	    .data = {4 * MiB, 4 * MiB + 20 * 1024},
	    .bss = {4 * MiB + 20 * 1024, 9 * MiB},
	};
	/* BIOS-like map: low RAM with an unaligned end, a reserved hole, a
	 * big range with unaligned start, and a range above 4G */
	const struct hpt_range ram[] = {
	    {0, 0x9FC00},
	    {1 * MiB, 3 * GiB - 64 * 1024},
	    {4 * GiB + 0x123, 9 * GiB + 2 * MiB},
	    {0x500, 0xF00}, /* nothing left after trimming */
	};
	const u64 G = X86_PTE_G, RW = X86_PTE_RW, NX = X86_PTE_NX;
	struct host_pool hp = {0};
	struct pt pt;
	bool ok = true;

	if (pt_init(&pt, &pt_format_x86_4level, &host_pool_ops, &hp))
		abort();
	ok = hpt_build(&pt, &k, ram, ARRAY_SIZE(ram), true) == 0;
	tap_ok(ok, "hpt_build of a 4-level table: %llu table pages",
	       (unsigned long long)pt.nr_tables);

	/* kernel sections, every page */
	bool kok = true;
	for (hpa_t pa = 0; pa < 10 * MiB; pa += PAGE_SIZE) {
		u64 want = ~0ULL;

		if (pa >= k.text.start && pa < k.text.end)
			want = G;
		else if (pa >= k.rodata.start && pa < k.rodata.end)
			want = G | NX;
		else if (pa >= k.data.start && pa < k.bss.end)
			want = G | RW | NX;
		kok &= page_is(&pt, HPT_KERNEL_BASE + pa, pa, want);
	}
	tap_ok(kok, "kernel: text RO+X, rodata RO+NX, data/bss RW+NX, nothing "
		    "else in the first 10 MiB");
	/* kernel leaves: 4K around the unaligned boundaries, a 2M page in
	 * bss at 6M..8M */
	u64 pte;
	unsigned lvl;
	ok = pt_lookup(&pt, HPT_KERNEL_BASE + 6 * MiB, &pte, &lvl) == 0 &&
	     lvl == PT_LEVEL_2M;
	ok &= pt_lookup(&pt, HPT_KERNEL_BASE + 2 * MiB, &pte, &lvl) == 0 &&
	      lvl == PT_LEVEL_4K; /* text 2M..3M64K cannot take 2M: rodata */
	tap_ok(ok, "kernel: 2M pages inside sections, 4K at section edges");

	/* direct map: sampled pages against the RAM map */
	bool pok = true;
	for (hpa_t pa = 0; pa < 10 * GiB; pa += 4 * MiB + 3 * PAGE_SIZE) {
		bool in = false;

		for (unsigned i = 0; i < ARRAY_SIZE(ram); i++)
			in |= pa >= ALIGN_UP(ram[i].start, PAGE_SIZE) &&
			      pa < ALIGN_DOWN(ram[i].end, PAGE_SIZE);
		if (!page_is(&pt, HPT_PHYSMAP_BASE + pa, pa,
			     in ? RW | NX : ~0ULL)) {
			tap_diag("physmap page %#llx wrong (RAM: %d)",
				 (unsigned long long)pa, in);
			pok = false;
		}
	}
	/* the trimmed edges exactly */
	pok &= page_is(&pt, HPT_PHYSMAP_BASE + 0x9E000, 0x9E000, RW | NX) &&
	       page_is(&pt, HPT_PHYSMAP_BASE + 0x9F000, 0, ~0ULL) &&
	       page_is(&pt, HPT_PHYSMAP_BASE + 0, 0, RW | NX) &&
	       page_is(&pt, HPT_PHYSMAP_BASE + 4 * GiB, 0, ~0ULL) &&
	       page_is(&pt, HPT_PHYSMAP_BASE + 4 * GiB + 4096, 4 * GiB + 4096,
		       RW | NX) &&
	       page_is(&pt, HPT_PHYSMAP_BASE + 3 * GiB - 65536, 0, ~0ULL) &&
	       page_is(&pt, HPT_PHYSMAP_BASE + 3 * GiB - 65536 - 4096,
		       3 * GiB - 65536 - 4096, RW | NX);
	tap_ok(pok, "physmap: RAM RW+NX at the physmap base, holes and "
		    "trimmed edges unmapped");

	/* largest pages: the leaf count equals the greedy minimum */
	struct count c = {0};
	u64 want[3] = {0};

	for (unsigned i = 0; i < ARRAY_SIZE(ram); i++) {
		hpa_t s = ALIGN_UP(ram[i].start, PAGE_SIZE);
		hpa_t e = ALIGN_DOWN(ram[i].end, PAGE_SIZE);

		if (e > s)
			min_leaves(s, e, PT_LEVEL_1G, want);
	}
	pt_for_each_leaf(&pt, HPT_PHYSMAP_BASE, HPT_PHYSMAP_SIZE, count_fn, &c);
	tap_ok(!memcmp(c.per_level, want, sizeof(want)),
	       "physmap: fewest leaves (1G %llu, 2M %llu, 4K %llu; minimum "
	       "%llu/%llu/%llu)",
	       (unsigned long long)c.per_level[2],
	       (unsigned long long)c.per_level[1],
	       (unsigned long long)c.per_level[0], (unsigned long long)want[2],
	       (unsigned long long)want[1], (unsigned long long)want[0]);
	pt_destroy(&pt);

	/* without 1G pages: 2M at most */
	struct count c2 = {0};
	u64 want2[3] = {0};
	if (pt_init(&pt, &pt_format_x86_4level, &host_pool_ops, &hp))
		abort();
	ok = hpt_build(&pt, &k, ram + 1, 1, false) == 0;
	min_leaves(1 * MiB, 3 * GiB - 64 * 1024, PT_LEVEL_2M, want2);
	pt_for_each_leaf(&pt, HPT_PHYSMAP_BASE, HPT_PHYSMAP_SIZE, count_fn,
			 &c2);
	ok &= !memcmp(c2.per_level, want2, sizeof(want2)) && want2[1] > 0;
	pt_destroy(&pt);
	tap_ok(ok, "physmap without 1G support: 2M/4K only, minimal count");

	/* refused layouts change nothing */
	struct hpt_kernel bad = k;
	ok = true;
	if (pt_init(&pt, &pt_format_x86_4level, &host_pool_ops, &hp))
		abort();
	bad.text.end += 1;
	ok &= hpt_build(&pt, &bad, ram, 1, true) == -EINVAL;
	bad = k;
	bad.rodata.start = k.text.start; /* overlaps text */
	ok &= hpt_build(&pt, &bad, ram, 1, true) == -EINVAL;
	bad = k;
	bad.bss.end = 3 * GiB; /* beyond the 2 GiB kernel window */
	ok &= hpt_build(&pt, &bad, ram, 1, true) == -EINVAL;
	struct hpt_range far = {0, HPT_PHYSMAP_SIZE + 4096};
	ok &= hpt_build(&pt, &k, &far, 1, true) == -EINVAL;
	ok &= pt.nr_tables == 1;
	hp.limit = 3;
	ok &= hpt_build(&pt, &k, ram, ARRAY_SIZE(ram), true) == -ENOMEM;
	pt_destroy(&pt);
	tap_ok(ok && hp.live == 0 && !hp.violation,
	       "misaligned/overlapping/out-of-window layouts -EINVAL, "
	       "page shortage -ENOMEM");
	return tap_done();
}
