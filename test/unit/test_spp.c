/* SPDX-License-Identifier: MIT */
/*
 * SPP table builder and access-map bookkeeping (ept/ept_spp.c) against
 * reference models: leaf encoding, the sub-page write rule byte by byte,
 * random set/update/zap sequences on the SPPT checked with an independent
 * CPU-style walk and exact table-page counts, -ENOMEM leaving the table
 * unchanged, and random access-map set/get/check over random memslots.
 */
#include "ept/ept_spp.h"
#include "test/unit/support/memslot_test_util.h"
#include "test/unit/support/pt_host_pool.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

/* ---- leaf encoding and the write rule ----------------------------------- */

static void test_leaf_encoding(struct rng *rs, u64 iters)
{
	u64 bad = 0;

	for (u64 i = 0; i < iters; i++) {
		u32 map = (u32)rng_next(rs);
		u64 leaf = spp_leaf_from_map(map);

		for (unsigned b = 0; b < 32; b++)
			if (!!(leaf & BIT(2 * b)) != !!(map & BIT(b)))
				bad++;
		if ((leaf & SPPT_LEAF_RESERVED) ||
		    spp_map_from_leaf(leaf) != map)
			bad++;
	}
	if (spp_leaf_from_map(MEMSLOT_SPP_FULL_ACCESS) != SPPT_LEAF_FULL ||
	    spp_leaf_from_map(0) != 0)
		bad++;
	tap_ok(!bad, "leaf encoding: %lu random maps, %lu mismatches",
	       (unsigned long)iters, (unsigned long)bad);
}

/* Byte-by-byte reference: every byte's subpage must be writable. */
static bool ref_allowed(u32 map, u32 off, u32 len)
{
	for (u32 b = off; b < off + len; b++)
		if (!(map & BIT(b / 128)))
			return false;
	return true;
}

static void test_write_rule(struct rng *rs, u64 iters)
{
	static const u32 sizes[] = {1,	2,   4,	  8,   16,  32,
				    64, 128, 129, 256, 4096};
	u64 bad = 0, n = 0;

	/* Every offset for the CPU access sizes on patterned maps. */
	for (u32 m = 0; m < 8; m++) {
		u32 map =
		    m < 4 ? (u32[]){0, 0xFFFFFFFFu, 0x55555555u, 0xAAAAAAAAu}[m]
			  : (u32)rng_next(rs);

		for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (u32 off = 0; off + sizes[s] <= 4096; off++, n++)
				bad += spp_write_allowed(map, off, sizes[s]) !=
				       ref_allowed(map, off, sizes[s]);
	}
	for (u64 i = 0; i < iters; i++, n++) {
		u32 map = (u32)rng_next(rs) | (u32)rng_next(rs);
		u32 off = (u32)rng_below(rs, 4096);
		u32 len = 1 + (u32)rng_below(rs, 4096 - off);

		bad += spp_write_allowed(map, off, len) !=
		       ref_allowed(map, off, len);
	}
	tap_ok(!bad, "write rule vs byte model: %lu cases, %lu mismatches",
	       (unsigned long)n, (unsigned long)bad);
}

/* ---- SPPT vs a model ----------------------------------------------------- */

/* 2M regions used: leaf tables under shared and separate upper tables,
 * including the last region below 2^48. */
static const u64 regions[] = {0,
			      1,
			      511,
			      512,
			      513,
			      1ULL << 18,
			      (1ULL << 18) + 7,
			      1ULL << 26,
			      (1ULL << 27) - 1};
#define NREG (sizeof(regions) / sizeof(regions[0]))

struct sppt_model {
	bool present[NREG];
	u64 leaf[NREG][512];
};

/* Walk as the CPU does (SDM Vol. 3C, "Sub-Page Write Permissions"):
 * returns false on an SPP miss. */
static bool cpu_walk(const struct spp_table *t, gfn_t gfn, u64 *leaf)
{
	const u64 *table = t->root;

	for (int l = 3; l > 0; l--) {
		u64 e = table[(gfn >> (9 * l)) & 511];

		if (!(e & 1))
			return false;
		table = (const u64 *)(uintptr_t)(e & SPPT_ADDR);
	}
	*leaf = table[gfn & 511];
	return true;
}

static u64 model_tables(const struct sppt_model *m)
{
	u64 n = 1;

	for (unsigned i = 0; i < NREG; i++) {
		bool l1 = true, l2 = true;

		if (!m->present[i])
			continue;
		for (unsigned j = 0; j < i; j++) {
			if (!m->present[j])
				continue;
			if (regions[j] >> 9 == regions[i] >> 9)
				l1 = false;
			if (regions[j] >> 18 == regions[i] >> 18)
				l2 = false;
		}
		n += 1 + l1 + l2;
	}
	return n;
}

static u64 model_diff(const struct spp_table *t, const struct sppt_model *m)
{
	u64 bad = 0;

	for (unsigned r = 0; r < NREG; r++)
		for (unsigned p = 0; p < 512; p += 1 + (r & 3)) {
			gfn_t gfn = regions[r] * 512 + p;
			u64 leaf = 0, leaf2 = 0;
			bool hit = cpu_walk(t, gfn, &leaf);

			if (hit != m->present[r] ||
			    (hit && leaf != m->leaf[r][p]) ||
			    (spp_lookup(t, gfn, &leaf2) == 0) != hit ||
			    (hit && leaf2 != leaf))
				bad++;
		}
	return bad + (t->nr_tables != model_tables(m));
}

static void model_set(struct sppt_model *m, unsigned r, unsigned p, u32 map)
{
	if (!m->present[r])
		for (unsigned i = 0; i < 512; i++)
			m->leaf[r][i] = SPPT_LEAF_FULL;
	m->present[r] = true;
	m->leaf[r][p] = spp_leaf_from_map(map);
}

static void test_sppt_random(struct rng *rs, u64 iters)
{
	static struct sppt_model m;
	struct host_pool pool = {0};
	struct spp_table t;
	u64 bad = 0, ops[4] = {0}, nomem = 0;

	memset(&m, 0, sizeof(m));
	if (spp_init(&t, &host_pool_ops, &pool)) {
		tap_ok(0, "SPPT random: init failed");
		return;
	}
	for (u64 i = 0; i < iters; i++) {
		unsigned r = (unsigned)rng_below(rs, NREG);
		unsigned p = (unsigned)rng_below(rs, 512);
		gfn_t gfn = regions[r] * 512 + p;
		u32 map = rng_below(rs, 4) ? (u32)rng_next(rs)
					   : MEMSLOT_SPP_FULL_ACCESS;
		unsigned op = (unsigned)rng_below(rs, 8);

		ops[op < 4 ? 0 : op < 6 ? 1 : op < 7 ? 2 : 3]++;
		if (op < 4) {
			/* Sometimes with too few pages: must change nothing. */
			pool.limit = rng_below(rs, 6) ? 0 : pool.live + 1;
			int rc = spp_set_leaf(&t, gfn, map);

			pool.limit = 0;
			if (rc == -ENOMEM)
				nomem++;
			else if (rc)
				bad++;
			else
				model_set(&m, r, p, map);
		} else if (op < 6) {
			if (spp_update_leaf(&t, gfn, map) != m.present[r])
				bad++;
			if (m.present[r])
				m.leaf[r][p] = spp_leaf_from_map(map);
		} else if (op < 7) {
			/* Zap a range of 1..3 regions' worth of pages. */
			u64 n = 1 + rng_below(rs, 1536);
			bool any = false;

			for (unsigned j = 0; j < NREG; j++) {
				u64 lo = regions[j] * 512, hi = lo + 511;

				if (m.present[j] && lo <= gfn + n - 1 &&
				    hi >= gfn) {
					m.present[j] = false;
					any = true;
				}
			}
			if (spp_zap(&t, gfn, n) != any)
				bad++;
		} else {
			u64 leaf;

			if ((spp_lookup(&t, gfn, &leaf) == 0) != m.present[r])
				bad++;
		}
		if (i % 64 == 0 || i + 1 == iters)
			bad += model_diff(&t, &m);
	}
	bad += spp_set_leaf(&t, 1ULL << 36, 0) != -EINVAL;
	spp_destroy(&t);
	bad += pool.live != 0 || pool.reserved != 0 || pool.violation;
	tap_ok(!bad,
	       "SPPT vs model: %lu ops (%lu set, %lu update, %lu zap, %lu "
	       "lookup, %lu -ENOMEM), %lu mismatches, no page leaked",
	       (unsigned long)iters, (unsigned long)ops[0],
	       (unsigned long)ops[1], (unsigned long)ops[2],
	       (unsigned long)ops[3], (unsigned long)nomem, (unsigned long)bad);
}

/* ---- access maps over memslots ------------------------------------------ */

#define DOM_PAGES 4096u

static void test_maps_random(struct rng *rs, u64 iters)
{
	static u32 ref[DOM_PAGES], buf[DOM_PAGES];
	static int slot_of[DOM_PAGES]; /* -1: no slot or no SPP storage */
	u64 bad = 0, nset = 0, nfault = 0, ninval = 0;

	for (u64 round = 0; round < iters; round++) {
		struct fixture f;
		struct memslot_change c;
		u32 *store[8] = {0};
		gfn_t next = rng_below(rs, 16);

		fixture_init(&f, 8, DOM_PAGES * PAGE_SIZE,
			     (gpa_t)DOM_PAGES * PAGE_SIZE * 2);
		for (unsigned i = 0; i < DOM_PAGES; i++)
			slot_of[i] = -1;
		/* Up to 8 slots with random gaps, SPP storage on most. */
		for (u32 id = 0; id < 8 && next < DOM_PAGES - 1; id++) {
			u64 n =
			    1 + rng_below(rs, MIN(700, DOM_PAGES - next - 1));
			struct memslot_region r = {.slot = id,
						   .gpa = next << PAGE_SHIFT,
						   .size = n << PAGE_SHIFT};

			if (memslot_set(&f.t, &r, &c))
				bad++;
			if (rng_below(rs, 5)) {
				store[id] = malloc(n * sizeof(u32));
				if (memslot_spp_attach(&f.t, id, store[id]))
					bad++;
				for (u64 g = next; g < next + n; g++) {
					slot_of[g] = (int)id;
					ref[g] = MEMSLOT_SPP_FULL_ACCESS;
				}
			}
			next += n + rng_below(rs, 3);
		}
		for (unsigned op = 0; op < 200; op++) {
			gfn_t gfn = rng_below(rs, DOM_PAGES);
			u64 n = rng_below(rs, 4)
				    ? 1 + rng_below(rs, 8)
				    : rng_below(rs, DOM_PAGES - gfn + 1);
			bool ok = n > 0;
			int rc;

			for (u64 g = gfn; g < gfn + n; g++)
				if (g >= DOM_PAGES || slot_of[g] < 0)
					ok = false;
			rc = spp_maps_check(&f.t, gfn, n);
			if (rc != (!n ? -EINVAL : ok ? 0 : -EFAULT))
				bad++;
			ninval += rc == -EINVAL;
			nfault += rc == -EFAULT;
			if (rc)
				continue;
			if (rng_below(rs, 2)) {
				u64 changed = 0;

				for (u64 i = 0; i < n; i++) {
					buf[i] = rng_below(rs, 3)
						     ? (u32)rng_next(rs)
						     : MEMSLOT_SPP_FULL_ACCESS;
					changed += ref[gfn + i] != buf[i];
					ref[gfn + i] = buf[i];
				}
				bad +=
				    spp_maps_set(&f.t, gfn, n, buf) != changed;
				nset++;
			} else {
				spp_maps_get(&f.t, gfn, n, buf);
				for (u64 i = 0; i < n; i++)
					bad += buf[i] != ref[gfn + i];
			}
		}
		/* Whole-domain comparison through the slot accessors. */
		for (gfn_t g = 0; g < DOM_PAGES; g++) {
			const struct memslot *s = memslot_find(&f.t, g);

			if (slot_of[g] >= 0 &&
			    (!s || memslot_spp_get(s, g) != ref[g]))
				bad++;
		}
		for (unsigned i = 0; i < 8; i++)
			free(store[i]);
		fixture_fini(&f);
	}
	bad += spp_maps_check(NULL, 5, ~0ULL) != -EFAULT;
	tap_ok(!bad,
	       "access maps vs model: %lu tables, %lu sets, %lu -EFAULT, %lu "
	       "-EINVAL, %lu mismatches",
	       (unsigned long)iters, (unsigned long)nset, (unsigned long)nfault,
	       (unsigned long)ninval, (unsigned long)bad);
}

int main(void)
{
	struct rng rs;
	u64 seed = rng_seed_env(&rs, rng_clock_seed());
	u64 iters = env_u64("MICA_ITERS", 200000);

	tap_diag("seed %lu (MICA_SEED), iterations %lu (MICA_ITERS)",
		 (unsigned long)seed, (unsigned long)iters);
	test_leaf_encoding(&rs, iters);
	test_write_rule(&rs, iters);
	test_sppt_random(&rs, iters);
	test_maps_random(&rs, iters / 1000 + 1);
	return tap_done();
}
