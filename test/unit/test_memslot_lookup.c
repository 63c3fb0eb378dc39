/* SPDX-License-Identifier: MIT */
/*
 * Memslot lookups: first and last byte of slots, gaps, adjacent slots, the
 * last-hit cache across moves and deletes, translation to pool offsets,
 * find_next, and a table filled with MEMSLOT_MAX_SLOTS slots created in
 * random GPA order (seeded; MICA_SEED overrides), every slot and gap looked
 * up, then half deleted in random order and everything looked up again.
 * MICA_ITERS sets the number of random lookups in the full table.
 */
#include "test/unit/support/memslot_test_util.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

#define MIB (1ULL << 20)

static struct rng rng;

static int set(struct fixture *f, u32 id, u32 flags, gpa_t gpa, u64 size,
	       u64 off)
{
	struct memslot_region r = {.slot = id,
				   .flags = flags,
				   .gpa = gpa,
				   .size = size,
				   .pool_offset = off};
	struct memslot_change c;

	return memslot_set(&f->t, &r, &c);
}

/* Expect @gpa to resolve to slot @id (-1: unbacked) at pool offset @off. */
static u32 expect(struct fixture *f, gpa_t gpa, int id, u64 off)
{
	const struct memslot *s = memslot_find_gpa(&f->t, gpa);
	u64 got = ~0ULL;

	if (id < 0)
		return s != NULL || memslot_translate(&f->t, gpa, &got) ||
		       got != ~0ULL;
	if (!s || s->id != (u32)id)
		return 1;
	return memslot_translate(&f->t, gpa, &got) != s || got != off;
}

static void test_boundaries(void)
{
	const gpa_t limit = 1ULL << 40;
	struct fixture f;
	u32 bad = 0;

	fixture_init(&f, 16, 64 * MIB, limit);
	/* gap [0,4K) | A [4K,1M) | B [1M,3M) | gap | C [8M,8M+4K) | gap |
	 * D [limit-2M, limit) */
	BUG_ON(set(&f, 3, 0, 4096, MIB - 4096, 0));
	BUG_ON(set(&f, 1, MEM_READONLY, MIB, 2 * MIB, 8 * MIB));
	BUG_ON(set(&f, 7, 0, 8 * MIB, 4096, 4096));
	BUG_ON(set(&f, 0, 0, limit - 2 * MIB, 2 * MIB, 62 * MIB));
	bad += expect(&f, 0, -1, 0);
	bad += expect(&f, 4095, -1, 0);
	bad += expect(&f, 4096, 3, 0);
	bad += expect(&f, 4097, 3, 1);
	bad += expect(&f, MIB - 1, 3, MIB - 4096 - 1);
	bad += expect(&f, MIB, 1, 8 * MIB);
	bad += expect(&f, 3 * MIB - 1, 1, 10 * MIB - 1);
	bad += expect(&f, 3 * MIB, -1, 0);
	bad += expect(&f, 8 * MIB - 1, -1, 0);
	bad += expect(&f, 8 * MIB, 7, 4096);
	bad += expect(&f, 8 * MIB + 4095, 7, 8191);
	bad += expect(&f, 8 * MIB + 4096, -1, 0);
	bad += expect(&f, limit - 2 * MIB - 1, -1, 0);
	bad += expect(&f, limit - 2 * MIB, 0, 62 * MIB);
	bad += expect(&f, limit - 1, 0, 64 * MIB - 1);
	bad += expect(&f, limit, -1, 0);
	bad += expect(&f, ~0ULL, -1, 0);
	/* find_next: covering slot, else the next one above, else NULL. */
	bad += memslot_find_next(&f.t, 0)->id != 3;
	bad += memslot_find_next(&f.t, 255)->id != 3;
	bad += memslot_find_next(&f.t, 256)->id != 1;
	bad += memslot_find_next(&f.t, 0x300)->id != 7;
	bad += memslot_find_next(&f.t, 0x801)->id != 0;
	bad += memslot_find_next(&f.t, gpa_to_gfn(limit) - 1)->id != 0;
	bad += memslot_find_next(&f.t, gpa_to_gfn(limit)) != NULL;
	/* Iteration order is GPA order. */
	bad += memslot_at(&f.t, 0)->id != 3 || memslot_at(&f.t, 1)->id != 1 ||
	       memslot_at(&f.t, 2)->id != 7 || memslot_at(&f.t, 3)->id != 0 ||
	       memslot_at(&f.t, 4) != NULL;
	bad += memslot_get(&f.t, 7)->id != 7 || memslot_get(&f.t, 2) != NULL ||
	       memslot_get(&f.t, 16) != NULL;
	tap_ok(!bad,
	       "boundary lookups: first/last byte, gaps, adjacency, "
	       "gpa limit, find_next, ordered iteration (%u wrong)",
	       bad);

	/* Last-hit cache must follow moves and deletes. */
	bad = 0;
	bad += expect(&f, 8 * MIB, 7, 4096);	     /* cache := 7 */
	bad += expect(&f, 8 * MIB + 100, 7, 4196);   /* cached */
	BUG_ON(set(&f, 7, 0, 16 * MIB, 4096, 4096)); /* move */
	bad += expect(&f, 8 * MIB, -1, 0);
	bad += expect(&f, 16 * MIB + 5, 7, 4101); /* cache := 7 */
	BUG_ON(set(&f, 7, 0, 16 * MIB, 0, 0));	  /* delete */
	bad += expect(&f, 16 * MIB + 5, -1, 0);
	BUG_ON(set(&f, 7, 0, 32 * MIB, 8192, 0)); /* recreate */
	bad += expect(&f, 16 * MIB, -1, 0) + expect(&f, 32 * MIB, 7, 0);
	bad += expect(&f, 2 * MIB, 1, 9 * MIB);	   /* cache := 1 */
	bad += expect(&f, 3 * MIB, -1, 0);	   /* just past */
	bad += expect(&f, MIB - 1, 3, MIB - 4097); /* just below */
	bad += table_check(&f.t) != NULL;
	tap_ok(!bad, "last-hit cache follows move, delete, recreate (%u wrong)",
	       bad);
	fixture_fini(&f);
}

/*
 * Full table: position p (0 .. N-1) holds one slot at gfn 3p, one page for
 * even p and two pages for odd p, so gfn 3p + 2 is always a gap and gfn
 * 3p + 1 is a gap for even p. Slot ids are assigned to positions in random
 * order and created in random order.
 */
#define FULL MEMSLOT_MAX_SLOTS

static gfn_t pos_base(u32 p)
{
	return 3ULL * p;
}

static u64 pos_npages(u32 p)
{
	return 1 + (p & 1);
}

static void shuffle(u32 *a, u32 n)
{
	for (u32 i = n - 1; i > 0; i--) {
		u32 j = (u32)rng_below(&rng, i + 1), x = a[i];

		a[i] = a[j];
		a[j] = x;
	}
}

/* Look up every position's pages and gaps; @pos_id[p] = id or -1. */
static u64 check_all(struct fixture *f, const int *pos_id, u32 *wrong)
{
	u64 n = 0;

	for (u32 p = 0; p < FULL; p++) {
		for (u32 k = 0; k < 3; k++) {
			gfn_t g = pos_base(p) + k;
			int id = k < pos_npages(p) ? pos_id[p] : -1;
			u64 off = id < 0 ? 0 : (u64)id * 2 * 4096 + k * 4096;

			*wrong += expect(f, gfn_to_gpa(g), id, off);
			*wrong += expect(f, gfn_to_gpa(g) + 4095, id,
					 id < 0 ? 0 : off + 4095);
			n += 2;
		}
	}
	return n;
}

static void test_full_table(void)
{
	static u32 order[FULL], id_pos[FULL];
	static int pos_id[FULL];
	struct fixture f;
	u32 wrong = 0, bad = 0;
	u64 lookups, rnd = 0, iters = env_u64("MICA_ITERS", 1000000);
	int err = 0;

	fixture_init(&f, FULL, 2ULL * FULL * 4096, 1ULL << 48);
	for (u32 i = 0; i < FULL; i++)
		id_pos[i] = order[i] = i;
	shuffle(id_pos, FULL); /* slot id -> position */
	shuffle(order, FULL);  /* creation order of ids */
	for (u32 i = 0; i < FULL; i++) {
		u32 id = order[i], p = id_pos[id];

		err |= set(&f, id, 0, gfn_to_gpa(pos_base(p)),
			   pos_npages(p) * 4096, (u64)id * 2 * 4096);
		pos_id[p] = (int)id;
	}
	bad += err != 0 || memslot_count(&f.t) != FULL;
	/* Moving a slot far away and back works in a full table. */
	bad += set(&f, 0, 0, 1ULL << 40, 4096 * pos_npages(id_pos[0]), 0) != 0;
	bad += memslot_find_gpa(&f.t, 1ULL << 40) != memslot_get(&f.t, 0);
	bad += set(&f, 0, 0, gfn_to_gpa(pos_base(id_pos[0])),
		   4096 * pos_npages(id_pos[0]), 0) != 0;
	bad += table_check(&f.t) != NULL;
	lookups = check_all(&f, pos_id, &wrong);
	for (u64 i = 0; i < iters; i++, rnd++) {
		gfn_t g = rng_below(&rng, 3ULL * FULL + 16);
		u32 p = (u32)(g / 3), k = (u32)(g % 3);
		int id = p < FULL && k < pos_npages(p) ? pos_id[p] : -1;

		wrong += expect(&f, gfn_to_gpa(g), id,
				id < 0 ? 0 : (u64)id * 8192 + k * 4096);
	}
	tap_ok(!bad && !wrong,
	       "%u slots in random order: %llu boundary and %llu random "
	       "lookups, %u wrong",
	       FULL, (unsigned long long)lookups, (unsigned long long)rnd,
	       wrong + bad);

	/* Delete every other id in random order, look everything up again. */
	bad = wrong = 0;
	for (u32 i = 0; i < FULL; i++) {
		u32 id = order[i];

		if (id & 1)
			continue;
		err |= set(&f, id, 0, 0, 0, 0);
		pos_id[id_pos[id]] = -1;
	}
	bad += err != 0 || memslot_count(&f.t) != FULL / 2;
	bad += table_check(&f.t) != NULL;
	lookups = check_all(&f, pos_id, &wrong);
	tap_ok(!bad && !wrong,
	       "after %u random deletes: %llu lookups, %u wrong", FULL / 2,
	       (unsigned long long)lookups, wrong + bad);
	fixture_fini(&f);
}

int main(void)
{
	u64 seed = rng_seed_env(&rng, rng_clock_seed());

	tap_diag("seed 0x%llx (MICA_SEED to reproduce)",
		 (unsigned long long)seed);
	test_boundaries();
	test_full_table();
	return tap_done();
}
