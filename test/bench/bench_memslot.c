/* SPDX-License-Identifier: MIT */
/*
 * Memslot lookup cost on the host: ns per memslot_find_gpa() for random GPAs
 * (90% inside slots, 10% in the gaps between them) and for repeated hits in
 * one slot (the last-hit cache), at 1 to 32764 slots. Each
 * figure is the median of 15 runs of 2^18 lookups, the runs of the four sizes
 * interleaved and timed in thread CPU time so that other load on the machine
 * skews all sizes alike. The lookup figures also cover 1..32764 slots in
 * powers of two for the plot in docs/performance.md. Prints
 *   bench memslot_lookup_ns <nslots> <ns>          random GPAs
 *   bench memslot_lookup_hit_ns <nslots> <ns>      same slot
 *   bench memslot_lookup_growth <ratio>            random, 32764 vs 16
 *   bench memslot_change_us <nslots> <us>          create + delete of a slot
 *                                                  in the first gap (nearly
 *                                                  the whole index moves)
 * MICA_SEED overrides the seed of the GPA sequence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mm/base/errno.h"
#include "mm/memslot/memslot.h"
#include "test/unit/support/rng.h"

#define NLOOKUPS   (1u << 18)
#define RUNS	   15
#define NSIZES	   16
#define SLOT_PAGES 512ULL  /* 2 MiB slots ... */
#define SLOT_GAP   1024ULL /* ... every 4 MiB */

static struct rng rng;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ns per lookup for one pass over @gpas; @sink defeats dead-code removal. */
static double time_pass(struct memslot_table *t, const gpa_t *gpas, u64 *sink)
{
	double t0 = now_ns();
	u64 sum = 0;

	for (u32 i = 0; i < NLOOKUPS; i++) {
		const struct memslot *s = memslot_find_gpa(t, gpas[i]);

		sum += s ? s->id : 1;
	}
	*sink += sum;
	return (now_ns() - t0) / NLOOKUPS;
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof(v[0]), cmp_double);
	return v[RUNS / 2];
}

static void build(struct memslot_table *t, u32 nslots, void **storage)
{
	*storage = malloc(memslot_table_storage_size(nslots));
	if (!*storage || memslot_table_init(t, *storage, nslots,
					    SLOT_PAGES * PAGE_SIZE, 1ULL << 48))
		abort();
	/*
	 * Create in a scrambled order so the table is built by insertion:
	 * k * 7919 mod n is a permutation of 0..n-1 as 7919 is a prime not
	 * dividing n.
	 */
	if (nslots % 7919 == 0)
		abort();
	for (u32 k = 0; k < nslots; k++) {
		u32 id = (u32)(((u64)k * 7919) % nslots);
		struct memslot_region r = {
		    .slot = id,
		    .gpa = gfn_to_gpa(id * SLOT_GAP),
		    .size = SLOT_PAGES * PAGE_SIZE,
		};
		struct memslot_change c;

		if (memslot_set(t, &r, &c) || c.kind != MEMSLOT_CHANGE_CREATE)
			abort();
	}
}

/* 90% inside a random slot, 10% in the gap after it, random byte offset. */
static void random_gpas(gpa_t *gpas, u32 nslots)
{
	for (u32 i = 0; i < NLOOKUPS; i++) {
		u64 slot = rng_below(&rng, nslots), x = rng_next(&rng);
		u64 page =
		    x % 10 ? x % SLOT_PAGES : SLOT_PAGES + x % SLOT_PAGES;

		gpas[i] =
		    gfn_to_gpa(slot * SLOT_GAP + page) | (x >> 40 & 0xFFF);
	}
}

/* Inside the middle slot only. */
static void same_slot_gpas(gpa_t *gpas, u32 nslots)
{
	for (u32 i = 0; i < NLOOKUPS; i++)
		gpas[i] = gfn_to_gpa((nslots / 2) * SLOT_GAP) +
			  rng_below(&rng, SLOT_PAGES * PAGE_SIZE);
}

/* Median us for creating and deleting one slot in the lowest gap. */
static double time_change(struct memslot_table *t, u32 nslots)
{
	double us[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct memslot_region cr = {.slot = nslots - 1,
					    .gpa = gfn_to_gpa(SLOT_PAGES),
					    .size = PAGE_SIZE};
		struct memslot_region del = {.slot = nslots - 1};
		struct memslot_region back = {
		    .slot = nslots - 1,
		    .gpa = gfn_to_gpa((nslots - 1) * SLOT_GAP),
		    .size = SLOT_PAGES * PAGE_SIZE,
		};
		struct memslot_change c;
		double t0;

		/* Free the id, then time create-below-everything + delete. */
		if (memslot_set(t, &del, &c))
			abort();
		t0 = now_ns();
		if (memslot_set(t, &cr, &c) || memslot_set(t, &del, &c))
			abort();
		us[r] = (now_ns() - t0) / 1e3;
		if (memslot_set(t, &back, &c))
			abort();
	}
	return median(us);
}

int main(void)
{
	static const u32 sizes[NSIZES] = {
	    1,	 2,   4,    8,	  16,	32,   64,    128,
	    256, 512, 1024, 2048, 4096, 8192, 16384, MEMSLOT_MAX_SLOTS};
	static struct memslot_table t[NSIZES];
	static double rnd[NSIZES][RUNS], hit[NSIZES][RUNS];
	gpa_t *gpas[NSIZES][2];
	void *storage[NSIZES];
	double med[NSIZES];
	u64 sink = 0, seed = rng_seed_env(&rng, 0x6d656d736c6f74ULL);

	printf("# seed 0x%llx, %u lookups x %d runs, median, thread CPU time\n",
	       (unsigned long long)seed, NLOOKUPS, RUNS);
	for (int k = 0; k < NSIZES; k++) {
		build(&t[k], sizes[k], &storage[k]);
		gpas[k][0] = malloc(NLOOKUPS * sizeof(gpa_t));
		gpas[k][1] = malloc(NLOOKUPS * sizeof(gpa_t));
		if (!gpas[k][0] || !gpas[k][1])
			abort();
		random_gpas(gpas[k][0], sizes[k]);
		same_slot_gpas(gpas[k][1], sizes[k]);
		time_pass(&t[k], gpas[k][0], &sink); /* warm up */
	}
	for (int r = 0; r < RUNS; r++) {
		for (int k = 0; k < NSIZES; k++) {
			rnd[k][r] = time_pass(&t[k], gpas[k][0], &sink);
			hit[k][r] = time_pass(&t[k], gpas[k][1], &sink);
		}
	}
	for (int k = 0; k < NSIZES; k++) {
		med[k] = median(rnd[k]);
		printf("bench memslot_lookup_ns %u %.2f\n", sizes[k], med[k]);
		printf("bench memslot_lookup_hit_ns %u %.2f\n", sizes[k],
		       median(hit[k]));
		printf("bench memslot_change_us %u %.2f\n", sizes[k],
		       time_change(&t[k], sizes[k]));
		free(gpas[k][0]);
		free(gpas[k][1]);
		free(storage[k]);
	}
	/* sizes[4] is 16 slots: the growth figure is 32764 vs 16 */
	printf("bench memslot_lookup_growth %.2f\n", med[NSIZES - 1] / med[4]);
	printf("# sink %llu\n", (unsigned long long)sink);
	return 0;
}
