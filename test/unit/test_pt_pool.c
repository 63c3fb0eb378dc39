/* SPDX-License-Identifier: MIT */
/*
 * Page-table page pool: the engine running on a fixed pool whose physical
 * addresses differ from its virtual ones, until it runs dry (-ENOMEM with
 * the table unchanged), then recycling every page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ept/ept_format.h"
#include "mm/pt/pt_pool.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"

#define NPAGES	64
#define FAKE_PA 0x7654321000ULL

int main(void)
{
	u8 *mem = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
	struct pt_pool pool;
	struct pt pt;
	u64 attrs = ept_ram_attrs(EPT_R | EPT_W), pte, mapped = 0;
	bool ok = true;
	unsigned lvl;
	int rc = 0;

	memset(mem, 0xEE, NPAGES * PAGE_SIZE);
	pt_pool_init(&pool, mem, FAKE_PA, NPAGES);
	ok &= pt_init(&pt, &ept_format_4level, &pt_pool_ops, &pool) == 0;
	ok &=
	    pt.root_pa >= FAKE_PA && pt.root_pa < FAKE_PA + NPAGES * PAGE_SIZE;
	/* each 4K page in a new 1G region needs a PD and a PT (below the one
	 * PDPT); go on until the pool runs dry */
	for (u64 i = 0; rc == 0; i++) {
		rc = pt_map(&pt, i * (1ULL << 30) + 4096 * i, 0x1000 * i, 4096,
			    attrs, 0, 0);
		if (rc == 0)
			mapped++;
	}
	ok &= rc == -ENOMEM;
	ok &= pt.nr_tables == NPAGES - pool.nfree && pool.reserved == 0;
	/* 1 root + 1 PDPT + 2 per mapping, the failed one changed nothing */
	ok &= mapped == (NPAGES - 2) / 2 && pool.nfree == 0;
	for (u64 i = 0; i <= mapped; i++) {
		int r = pt_lookup(&pt, i * (1ULL << 30) + 4096 * i, &pte, &lvl);

		ok &= i < mapped ? r == 0 && lvl == 0 &&
				       pt_leaf_pa(&ept_format_4level, pte, 0) ==
					   0x1000 * i
				 : r == -ENOENT;
	}
	tap_ok(ok,
	       "pool of %u pages: %llu mappings, then -ENOMEM, table "
	       "unchanged, entries hold pool physical addresses",
	       NPAGES, (unsigned long long)mapped);

	/* unmap frees every table but the root; pages come back zeroed */
	ok = pt_unmap(&pt, 0, mapped << 30) == 0 && pt.nr_tables == 1 &&
	     pool.nfree == NPAGES - 1;
	ok &= pt_map(&pt, 5ULL << 30, 0, 2ULL << 20, attrs, 0, 0) == 0;
	ok &= pt_lookup(&pt, (5ULL << 30) + 4096, &pte, &lvl) == 0 && lvl == 0;
	/* the new PT has 512 leaves and the PD one entry: nothing stale */
	ok &= pt_lookup(&pt, (6ULL << 30) - 4096, NULL, &lvl) == -ENOENT;
	pt_destroy(&pt);
	ok &= pool.nfree == NPAGES && pool.reserved == 0 &&
	      pt_pool_available(&pool) == NPAGES;
	tap_ok(ok, "unmap and destroy give every page back");

	/* reservations: what is reserved cannot be promised twice */
	pt_pool_init(&pool, mem, FAKE_PA, NPAGES);
	ok = pt_pool_ops.reserve(&pool, NPAGES - 1) &&
	     !pt_pool_ops.reserve(&pool, 2) && pt_pool_ops.reserve(&pool, 1);
	hpa_t pa;
	void *v = pt_pool_ops.alloc(&pool, &pa);
	ok &= v && pt_pool_ops.phys_to_virt(&pool, pa) == v && *(u64 *)v == 0 &&
	      pool.reserved == NPAGES - 1;
	pt_pool_ops.unreserve(&pool, NPAGES - 1);
	ok &= pt_pool_ops.alloc(&pool, &pa) == NULL; /* not reserved */
	tap_ok(ok, "reserve/alloc/unreserve accounting");
	free(mem);
	return tap_done();
}
