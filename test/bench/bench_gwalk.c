/* SPDX-License-Identifier: MIT */
/*
 * Host cost of a guest page walk: a 4-level translation that succeeds with
 * the accessed flags already set (no cmpxchg), through the read callback,
 * as a ratio to a plain chase of the same four entries in the same tables
 * (the floor any walker pays). Median ratio of 7 runs; prints
 * "bench gwalk_4level_ratio <x>" and the absolute times per walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm/base/types.h"
#include "mm/base/errno.h"
#include "vmm/gwalk/gwalk.h"

#define RAM_SIZE (8u << 20)
#define NPAGES	 512
#define ROUNDS	 2000
#define CHASE_X	 16 /* the chase is ~30x faster: run it longer */
#define RUNS	 7

static u8 *ram;

static int b_read(void *opaque, gpa_t gpa, void *buf, u32 size)
{
	(void)opaque;
	if (gpa + size > RAM_SIZE)
		return -EFAULT;
	/* Entries are naturally aligned: one load, as the kernel's does. */
	if (size == 8)
		*(u64 *)buf =
		    __atomic_load_n((u64 *)(ram + gpa), __ATOMIC_RELAXED);
	else
		memcpy(buf, ram + gpa, size);
	return 0;
}

static int b_cmpxchg(void *opaque, gpa_t gpa, u64 old, u64 new_val, u32 size)
{
	(void)opaque;
	if (gpa + size > RAM_SIZE || size != 8)
		return -EFAULT;
	return __atomic_compare_exchange_n((u64 *)(ram + gpa), &old, new_val,
					   false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST)
		   ? 0
		   : -EAGAIN;
}

static const gva_t la_base = 0x00007f5a3c000000ULL;

static u64 *ent(gpa_t gpa)
{
	return (u64 *)(ram + gpa);
}

/* A load the compiler may not hoist out of the loop or merge. */
static inline u64 load(gpa_t gpa)
{
	return *(volatile const u64 *)(ram + gpa);
}

/* CR3 at 0x10000; one PT fully populated, A and D already set. */
static void build(void)
{
	const u64 f = GWALK_PTE_P | GWALK_PTE_RW | GWALK_PTE_US | GWALK_PTE_A;
	unsigned i;

	*ent(0x10000 + ((la_base >> 39) & 511) * 8) = 0x11000 | f;
	*ent(0x11000 + ((la_base >> 30) & 511) * 8) = 0x12000 | f;
	*ent(0x12000 + ((la_base >> 21) & 511) * 8) = 0x13000 | f;
	for (i = 0; i < NPAGES; i++)
		*ent(0x13000 + i * 8) =
		    (0x40000000ULL + i * PAGE_SIZE) | f | GWALK_PTE_D;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static __attribute__((noinline)) u64 run_walker(const struct gwalk_ctx *ctx,
						const struct gwalk_ops *ops)
{
	struct gwalk_result r;
	u64 sum = 0;
	unsigned n, i;

	for (n = 0; n < ROUNDS; n++)
		for (i = 0; i < NPAGES; i++) {
			gwalk_translate(ctx, ops, la_base + i * PAGE_SIZE + 8,
					0, &r);
			sum += r.gpa;
		}
	return sum;
}

/* The same four dependent loads, each really performed, no checks. */
static __attribute__((noinline)) u64 run_chase(u64 cr3, unsigned rounds)
{
	const u64 mask = GENMASK(51, 12);
	u64 sum = 0;
	unsigned n, i;

	for (n = 0; n < rounds; n++)
		for (i = 0; i < NPAGES; i++) {
			gva_t la = la_base + i * PAGE_SIZE + 8;
			u64 e = load((cr3 & mask) + ((la >> 39) & 511) * 8);

			e = load((e & mask) + ((la >> 30) & 511) * 8);
			e = load((e & mask) + ((la >> 21) & 511) * 8);
			e = load((e & mask) + ((la >> 12) & 511) * 8);
			sum += (e & mask) | (la & 0xfff);
		}
	return sum;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	struct gwalk_ctx ctx = {
	    .cr0 = GWALK_CR0_PE | GWALK_CR0_PG | GWALK_CR0_WP,
	    .cr4 = GWALK_CR4_PAE | GWALK_CR4_SMEP | GWALK_CR4_SMAP,
	    .efer = GWALK_EFER_LMA | GWALK_EFER_NXE,
	    .cr3 = 0x10000,
	    .cpl = 3,
	    .maxphyaddr = 46};
	struct gwalk_ops ops = {.read_gpa = b_read, .cmpxchg_gpa = b_cmpxchg};
	double ratio[RUNS], walk_ns[RUNS], chase_ns[RUNS];
	const double walks = (double)ROUNDS * NPAGES;
	unsigned k;

	ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
	if (!ram)
		return 1;
	memset(ram, 0, RAM_SIZE);
	build();
	if (run_walker(&ctx, &ops) != run_chase(ctx.cr3, ROUNDS)) {
		fprintf(stderr, "walker and chase disagree\n");
		return 1;
	}
	for (k = 0; k < RUNS; k++) {
		double t0 = now_ns(), t1, t2;
		volatile u64 sink;

		sink = run_walker(&ctx, &ops);
		t1 = now_ns();
		sink = run_chase(ctx.cr3, ROUNDS * CHASE_X);
		t2 = now_ns();
		(void)sink;
		walk_ns[k] = (t1 - t0) / walks;
		chase_ns[k] = (t2 - t1) / (walks * CHASE_X);
		ratio[k] = walk_ns[k] / chase_ns[k];
	}
	qsort(ratio, RUNS, sizeof(double), cmp_double);
	qsort(walk_ns, RUNS, sizeof(double), cmp_double);
	qsort(chase_ns, RUNS, sizeof(double), cmp_double);
	printf("bench gwalk_4level_walk_ns %.1f\n", walk_ns[RUNS / 2]);
	printf("bench gwalk_4level_chase_ns %.2f\n", chase_ns[RUNS / 2]);
	printf("bench gwalk_4level_ratio %.2f\n", ratio[RUNS / 2]);
	return 0;
}
