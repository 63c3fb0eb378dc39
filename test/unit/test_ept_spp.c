/* SPDX-License-Identifier: MIT */
/*
 * The EPT builder's sub-page protection hooks (force_4k, write_protect,
 * ept_spp_refresh) against a model of the access maps: random faults, map
 * changes and locks, after which every protected page is mapped only by a
 * 4K leaf without W (with EPT_SPP on the hardware path), no large leaf
 * covers one, writes to protected pages go to emulation, and restoring full
 * access gives W back in place. ept_check runs throughout.
 */
#include <stdio.h>

#include "ept/ept_spp.h"
#include "test/unit/support/pt_host_pool.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "ept/vm_memory.h"

#define MiB	  (1ULL << 20)
#define SLOT_SIZE (64 * MiB)
#define NPAGES	  (SLOT_SIZE >> 12)
#define SLOT_GPA  (256 * MiB)

struct env {
	struct memslot_table *t;
	bool hw;
};

static hpa_t pool_hpa(void *ctx, u64 off, u64 *contig)
{
	(void)ctx;
	*contig = (1ULL << 30) - (off & ((1ULL << 30) - 1));
	return (1ULL << 40) + off;
}

static bool force_4k(void *ctx, gfn_t gfn, u64 n)
{
	struct env *e = ctx;

	for (u64 i = 0; i < n; i++) {
		const struct memslot *s = memslot_find(e->t, gfn + i);

		if (s && memslot_spp_get(s, gfn + i) != MEMSLOT_SPP_FULL_ACCESS)
			return true;
	}
	return false;
}

static bool write_protect(void *ctx, gfn_t gfn, u64 *extra)
{
	struct env *e = ctx;
	const struct memslot *s = memslot_find(e->t, gfn);

	if (!s || memslot_spp_get(s, gfn) == MEMSLOT_SPP_FULL_ACCESS)
		return false;
	*extra = e->hw ? EPT_SPP : 0;
	return true;
}

static void flush(void *ctx)
{
	(void)ctx;
}

static const struct ept_vm_ops ops = {
    .pool_hpa = pool_hpa,
    .force_4k = force_4k,
    .write_protect = write_protect,
};
static const struct vm_memory_ops vops = {.flush = flush};

struct check {
	const u32 *maps;
	bool hw;
	u64 bad;
};

/* Every leaf of the slot against the maps. */
static int check_leaf(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct check *c = arg;
	u64 e = *ptep, first = (va - SLOT_GPA) >> 12;
	u64 n = pt_level_size(level) >> 12;

	if (ept_is_mmio(e))
		return 0;
	for (u64 i = 0; i < n && level > 0; i++)
		if (c->maps[first + i] != MEMSLOT_SPP_FULL_ACCESS)
			c->bad++; /* a large leaf over a protected page */
	if (level > 0)
		return 0;
	if (c->maps[first] != MEMSLOT_SPP_FULL_ACCESS)
		c->bad += (e & EPT_W) || !!(e & EPT_SPP) != c->hw;
	else
		c->bad += !!(e & EPT_SPP);
	return 0;
}

static u64 run(struct rng *rs, u64 iters, bool hw, u64 counts[5])
{
	static u32 maps[NPAGES];
	struct host_pool hp = {0};
	struct memslot_table t;
	struct vm_memory vm;
	struct env env = {.t = &t, .hw = hw};
	void *store = malloc(memslot_table_storage_size(4));
	struct memslot_region r = {
	    .slot = 0, .gpa = SLOT_GPA, .size = SLOT_SIZE};
	struct memslot_change c;
	struct ept_check_report rep;
	u64 bad = 0;

	if (memslot_table_init(&t, store, 4, SLOT_SIZE, 1ULL << 39) ||
	    vm_memory_init(&vm, &t, SLOT_SIZE, &host_pool_ops, &hp, &ops, &env,
			   EPT_CAP_2M | EPT_CAP_1G, &vops, NULL) ||
	    vm_set_memory_region(&vm, &r, &c) ||
	    memslot_spp_attach(&t, 0, maps))
		abort();
	for (u64 i = 0; i < iters; i++) {
		/* Protected pages cluster in a few 2M regions. */
		u64 pg = rng_below(rs, 4) * 512 * 7 + rng_below(rs, 1024);
		gpa_t gpa = SLOT_GPA + (pg << 12) + rng_below(rs, 4096);
		const struct memslot *s = memslot_get(&t, 0);
		unsigned op = (unsigned)rng_below(rs, 10);

		if (op < 3) {
			u32 m = rng_below(rs, 2) ? (u32)rng_next(rs)
						 : MEMSLOT_SPP_FULL_ACCESS;

			memslot_spp_set(s, s->base_gfn + pg, m);
			u64 pte = 0;
			unsigned l;

			ept_spp_refresh(&vm.ept, s->base_gfn + pg);
			/* in place: full access is writable at once, a
			 * protected page has no W and no large leaf */
			if (!pt_lookup(&vm.ept.pt, gpa, &pte, &l)) {
				if (m == MEMSLOT_SPP_FULL_ACCESS)
					bad +=
					    l == PT_LEVEL_4K &&
					    (!(pte & EPT_W) || (pte & EPT_SPP));
				else
					bad += l != PT_LEVEL_4K ||
					       (pte & EPT_W) ||
					       !!(pte & EPT_SPP) != hw;
			}
			counts[0]++;
		} else if (op < 9) {
			u32 acc = BIT(rng_below(rs, 3));
			bool prot = maps[pg] != MEMSLOT_SPP_FULL_ACCESS;
			int rc = vm_ept_violation(&vm, gpa, acc);
			int want = prot && acc == EPT_ACC_WRITE
				       ? EPT_FAULT_MMIO
				       : EPT_FAULT_FIXED;
			u64 pte = 0;
			unsigned l;

			bad += rc != want;
			bad += pt_lookup(&vm.ept.pt, gpa, &pte, &l) != 0;
			if (!prot && acc == EPT_ACC_WRITE)
				bad += !(pte & EPT_W);
			if (prot)
				bad += l != PT_LEVEL_4K || (pte & EPT_W) ||
				       !!(pte & EPT_SPP) != hw;
			counts[1]++;
			counts[3] += rc == EPT_FAULT_MMIO;
		} else if (rng_below(rs, 2)) {
			/* as a memslot change would: drop the 2M around gpa */
			ept_zap(&vm.ept, ALIGN_DOWN(gpa, 2 * MiB), 2 * MiB);
			counts[4]++;
		} else {
			if (vm_lock_memslot(&vm, 0, rng_below(rs, 2) ? 3 : 1))
				bad++;
			if (vm_unlock_memslot(&vm, 0))
				bad++;
			counts[2]++;
		}
		if (i % 256 == 0 || i + 1 == iters) {
			struct check ck = {.maps = maps, .hw = hw};

			pt_for_each_leaf(&vm.ept.pt, SLOT_GPA, SLOT_SIZE,
					 check_leaf, &ck);
			bad += ck.bad;
			if (ept_check(&vm.ept, &rep)) {
				tap_diag("ept_check: %s at %#llx", rep.what,
					 (unsigned long long)rep.gpa);
				bad++;
			}
		}
	}
	vm_memory_destroy(&vm);
	free(store);
	memset(maps, 0, sizeof(maps));
	return bad + (hp.live != 0);
}

int main(void)
{
	struct rng rs;
	u64 seed = rng_seed_env(&rs, rng_clock_seed());
	u64 iters = env_u64("MICA_ITERS", 20000);

	tap_diag("seed %lu (MICA_SEED), iterations %lu (MICA_ITERS)",
		 (unsigned long)seed, (unsigned long)iters);
	for (int hw = 0; hw < 2; hw++) {
		u64 counts[5] = {0}, bad = run(&rs, iters, hw, counts);

		tap_ok(!bad,
		       "%s path: %lu map changes, %lu faults (%lu to "
		       "emulation), %lu zaps, %lu locks: %lu violations",
		       hw ? "hardware" : "software", (unsigned long)counts[0],
		       (unsigned long)counts[1], (unsigned long)counts[3],
		       (unsigned long)counts[4], (unsigned long)counts[2],
		       (unsigned long)bad);
	}
	return tap_done();
}
