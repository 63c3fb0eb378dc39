/* SPDX-License-Identifier: MIT */
/*
 * EPT build cost on the host: locking (eagerly mapping) a 1 GiB slot with
 * 4K leaves, in ns per leaf and as a ratio to a plain memset of the same
 * amount of table memory, plus table pages per GiB at 4K/2M/1G leaves
 * against the arithmetic minimum. Table pages come from a preallocated
 * pool zeroed on allocation, as the hypervisor's per-VM pool does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ept/ept_build.h"

#define GiB	(1ULL << 30)
#define POOL_PG 520u /* just above the 515 pages of 1 GiB at 4K */

struct bpool {
	u8 *mem;
	u32 free[POOL_PG], nfree;
	u64 reserved;
};

static bool bp_reserve(void *ctx, u64 n)
{
	struct bpool *p = ctx;

	if (p->reserved + n > p->nfree)
		return false;
	p->reserved += n;
	return true;
}

static void bp_unreserve(void *ctx, u64 n)
{
	((struct bpool *)ctx)->reserved -= n;
}

static void *bp_alloc(void *ctx, hpa_t *pa)
{
	struct bpool *p = ctx;
	u8 *v = p->mem + (u64)p->free[--p->nfree] * PAGE_SIZE;

	p->reserved--;
	memset(v, 0, PAGE_SIZE);
	*pa = (hpa_t)(uintptr_t)v;
	return v;
}

static void bp_free(void *ctx, void *va, hpa_t pa)
{
	struct bpool *p = ctx;

	(void)pa;
	p->free[p->nfree++] = (u32)(((u8 *)va - p->mem) / PAGE_SIZE);
}

static void *bp_p2v(void *ctx, hpa_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static const struct pt_ops bp_ops = {
    .reserve = bp_reserve,
    .unreserve = bp_unreserve,
    .alloc = bp_alloc,
    .free = bp_free,
    .phys_to_virt = bp_p2v,
};

/* Guest pool: one physically contiguous 1 GiB-aligned range at 64 GiB. */
static hpa_t guest_pool_hpa(void *ctx, u64 off, u64 *contig)
{
	(void)ctx;
	*contig = 4 * GiB - off;
	return 64 * GiB + off;
}

static const struct ept_vm_ops gops = {.pool_hpa = guest_pool_hpa};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Lock a size-byte slot at GPA 0 on a fresh EPT; returns ns, *tables. */
static double lock_once(struct bpool *bp, u32 caps, u64 size, u64 *tables)
{
	struct memslot s = {.base_gfn = 0, .npages = size >> PAGE_SHIFT};
	struct ept_vm v;
	bool flush;
	double t0, t1;

	if (ept_vm_init(&v, NULL, 4 * GiB, &bp_ops, bp, &gops, NULL, caps))
		abort();
	t0 = now_ns();
	if (ept_map_slot(&v, &s, MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE,
			 &flush))
		abort();
	t1 = now_ns();
	*tables = v.pt.nr_tables;
	ept_vm_destroy(&v);
	return t1 - t0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	static struct bpool bp;
	enum { REPS = 15 };
	double tl[REPS], tm[REPS];
	u64 tables = 0;
	const u64 leaves = GiB >> PAGE_SHIFT;
	volatile u8 sink;

	bp.mem = aligned_alloc(PAGE_SIZE, (u64)POOL_PG * PAGE_SIZE);
	for (u32 i = 0; i < POOL_PG; i++)
		bp.free[bp.nfree++] = POOL_PG - 1 - i;
	memset(bp.mem, 1, (u64)POOL_PG * PAGE_SIZE); /* fault it in */
	for (int r = 0; r < REPS; r++) {
		tl[r] = lock_once(&bp, 0, GiB, &tables);
		double t0 = now_ns();

		memset(bp.mem, r, tables * PAGE_SIZE); /* the same pages */
		sink = bp.mem[(tables - 1) * PAGE_SIZE];
		tm[r] = now_ns() - t0;
	}
	(void)sink;
	qsort(tl, REPS, sizeof(double), cmp_d);
	qsort(tm, REPS, sizeof(double), cmp_d);
	printf("# 1 GiB slot, 4K leaves, %d runs, median; memset of the same "
	       "%llu table pages\n",
	       REPS, (unsigned long long)tables);
	printf("bench ept_lock_4k_ns_per_leaf %.2f\n", tl[REPS / 2] / leaves);
	printf("bench ept_lock_4k_memset_ns_per_leaf %.2f\n",
	       tm[REPS / 2] / leaves);
	printf("bench ept_lock_4k_ratio %.2f\n", tl[REPS / 2] / tm[REPS / 2]);

	static const char *const names[] = {"4k", "2m", "1g"};
	static const u32 caps[] = {0, EPT_CAP_2M, EPT_CAP_2M | EPT_CAP_1G};
	for (unsigned l = 0; l < 3; l++) {
		u64 n, min = 0;
		double t = lock_once(&bp, caps[l], GiB, &n);

		/* one table per level from the leaf level to the root */
		for (unsigned lv = l; lv < 4; lv++)
			min += lv == 3 ? 1
				       : (GiB + pt_level_size(lv + 1) - 1) /
					     pt_level_size(lv + 1);
		printf("bench ept_tables_per_gib_%s %llu\n", names[l],
		       (unsigned long long)n);
		printf("bench ept_tables_per_gib_%s_min %llu\n", names[l],
		       (unsigned long long)min);
		printf("bench ept_lock_1gib_%s_us %.1f\n", names[l], t / 1e3);
	}
	free(bp.mem);
	return 0;
}
