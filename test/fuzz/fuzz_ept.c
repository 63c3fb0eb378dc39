/* SPDX-License-Identifier: MIT */
/*
 * Fuzz guest memory (memslots + EPT builder): the input is a sequence of
 * set_memory_region / lock / unlock / get_dirty_log calls and guest
 * accesses with fuzzer-chosen arguments over an 8 MiB guest space, on a
 * small table-page pool that runs dry. After every operation ept_check
 * must pass, the pool accounting must balance, and an access the fault
 * handler reports as fixed must then be allowed by the EPT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/pt/pt_pool.h"
#include "mm/base/errno.h"
#include "ept/vm_memory.h"
#include "test/unit/support/fuzz_input.h"

#define SLOTS	 8
#define SPACE	 2048 /* pages: 8 MiB */
#define POOL	 (4ULL << 20)
#define PT_PAGES 48

static void fail(const char *why, u64 a)
{
	fprintf(stderr, "fuzz_ept: %s (%#llx)\n", why, (unsigned long long)a);
	abort();
}

/* Pool in two 2M-aligned halves, swapped: contiguity ends mid-pool. */
static hpa_t pool_hpa(void *ctx, u64 off, u64 *contig)
{
	(void)ctx;
	*contig = POOL / 2 - (off & (POOL / 2 - 1));
	return (1ULL << 32) + (off ^ (POOL / 2));
}

static void flush(void *ctx)
{
	(void)ctx;
}

static const struct ept_vm_ops eops = {.pool_hpa = pool_hpa};
static const struct vm_memory_ops vops = {.flush = flush};

static u64 bitmaps[SLOTS][SPACE / 64];
static u64 out[SPACE / 64];

static void guest_access(struct vm_memory *vm, gpa_t gpa, u32 acc)
{
	u64 need = acc == EPT_ACC_READ	  ? EPT_R
		   : acc == EPT_ACC_WRITE ? EPT_W
					  : EPT_X;

	for (int step = 0; step < 4; step++) {
		u64 pte;
		unsigned lvl;
		int rc;

		if (pt_lookup(&vm->ept.pt, gpa, &pte, &lvl) == 0) {
			if (ept_is_mmio(pte)) {
				rc = vm_ept_misconfig(vm, gpa);
				if (rc == EPT_FAULT_RETRY)
					continue;
				if (rc != EPT_FAULT_MMIO)
					fail("misconfig result", (u64)rc);
				return;
			}
			if ((pte & need) == need)
				return;
		}
		rc = vm_ept_violation(vm, gpa, acc);
		if (rc == EPT_FAULT_MMIO || rc == -ENOMEM)
			return;
		if (rc != EPT_FAULT_FIXED)
			fail("violation result", (u64)rc);
	}
	fail("access does not converge", gpa);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 *ptmem, *tstore;
	struct fuzz_input in = {data, size};
	struct memslot_table t;
	struct pt_pool pool;
	struct vm_memory vm;
	struct ept_check_report r;

	if (!ptmem) {
		ptmem = aligned_alloc(PAGE_SIZE, PT_PAGES * PAGE_SIZE);
		tstore = malloc(memslot_table_storage_size(SLOTS));
	}
	pt_pool_init(&pool, ptmem, (hpa_t)(uintptr_t)ptmem, PT_PAGES);
	if (memslot_table_init(&t, tstore, SLOTS, POOL, SPACE * PAGE_SIZE) ||
	    vm_memory_init(&vm, &t, POOL, &pt_pool_ops, &pool, &eops, NULL,
			   EPT_CAP_2M | EPT_CAP_1G, &vops, NULL))
		abort();
	while (in.n) {
		u32 op = (u32)fuzz_take(&in, 1), id = (op >> 4) % (SLOTS + 1);
		struct memslot_region reg;
		struct memslot_change c;
		int rc = 0;

		switch (op & 7) {
		case 0:
		case 1:
			reg = (struct memslot_region){
			    .slot = id,
			    .flags = (u32)fuzz_take(&in, 1) & 7,
			    .gpa = fuzz_take(&in, 2) % SPACE * PAGE_SIZE,
			    .size = fuzz_take(&in, 2) % (SPACE / 2) * PAGE_SIZE,
			    .pool_offset = fuzz_take(&in, 2) %
					   (POOL / PAGE_SIZE) * PAGE_SIZE,
			    .dirty_bitmap = id < SLOTS ? bitmaps[id] : NULL,
			};
			if (op & 8) /* 2M-aligned variant: large leaves */
				reg.gpa &= ~(SIZE_2M - 1),
				    reg.pool_offset &= ~(SIZE_2M - 1);
			rc = vm_set_memory_region(&vm, &reg, &c);
			break;
		case 2:
			rc = vm_lock_memslot(&vm, id, 1 + 2 * ((op >> 3) & 1));
			break;
		case 3:
			rc = vm_unlock_memslot(
			    &vm, (op & 8) ? MEMSLOT_UNLOCK_ALL : id);
			break;
		case 4:
			rc = vm_get_dirty_log(&vm, id, out);
			break;
		default:
			guest_access(&vm,
				     fuzz_take(&in, 3) % (SPACE * PAGE_SIZE),
				     (u32)BIT((op >> 3) % 3));
			break;
		}
		(void)rc;
		if (ept_check(&vm.ept, &r))
			fail(r.what, r.gpa);
		if (vm.ept.pt.nr_tables != PT_PAGES - pool.nfree ||
		    pool.reserved || vm.ept.pt.count_slack)
			fail("table page accounting", vm.ept.pt.nr_tables);
	}
	vm_memory_destroy(&vm);
	if (pool.nfree != PT_PAGES)
		fail("pages leaked", pool.nfree);
	return 0;
}
