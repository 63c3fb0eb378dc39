/* SPDX-License-Identifier: MIT */
/*
 * Generic page-table engine: leaf-size choice and the minimal table-page
 * count, split and merge, unmap/zap freeing tables, -ENOMEM leaving the
 * table unchanged, canonical addresses, and a random differential test
 * against a per-page reference model, on host-paging and EPT formats.
 */
#include <stdio.h>

#include "ept/ept_format.h"
#include "mm/pt/pt_format_x86.h"
#include "test/unit/support/pt_host_pool.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

/* Minimum tables to map [0, bytes) with leaves of level leaf: one table
 * per populated span of each level from the leaf level up to the root. */
static u64 min_tables(const struct pt_format *f, u64 bytes, unsigned leaf)
{
	u64 n = 0;

	for (unsigned t = leaf; t < f->levels; t++) {
		u64 span = pt_level_size(t + 1);

		n += t == f->levels - 1 ? 1 : (bytes + span - 1) / span;
	}
	return n;
}

/* ------------------------------------------------------------ snapshot */

struct leaf_rec {
	u64 va, pte;
	unsigned level;
};

struct snap {
	struct leaf_rec *v;
	u64 n, cap;
};

static int snap_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct snap *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = (struct leaf_rec){va, *ptep, level};
	return 0;
}

static struct snap take_snap(const struct pt *pt)
{
	struct snap s = {0};
	u64 top = pt_reach(pt->fmt);

	if (pt->fmt->canonical) {
		pt_for_each_leaf(pt, 0, top / 2, snap_fn, &s);
		pt_for_each_leaf(pt, -(top / 2), top / 2, snap_fn, &s);
	} else {
		pt_for_each_leaf(pt, 0, top, snap_fn, &s);
	}
	return s;
}

static bool snap_eq(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n)
		return false;
	for (u64 i = 0; i < a->n; i++)
		if (a->v[i].va != b->v[i].va || a->v[i].pte != b->v[i].pte ||
		    a->v[i].level != b->v[i].level)
			return false;
	return true;
}

/* ------------------------------------------------------------ tests */

static const u64 rw_attrs_x86 = X86_PTE_RW | X86_PTE_NX;

static u64 rw_attrs(const struct pt_format *f)
{
	return f->canonical ? rw_attrs_x86 : ept_ram_attrs(EPT_R | EPT_W);
}

static u64 ro_attrs(const struct pt_format *f)
{
	return f->canonical ? X86_PTE_NX : ept_ram_attrs(EPT_R);
}

static void test_minimal(const struct pt_format *f)
{
	static const char *names[] = {"4K", "2M", "1G"};
	const u64 ngib = 4;
	bool ok = true;
	char msg[256] = "";
	int len = 0;

	for (unsigned leaf = 0; leaf <= 2; leaf++) {
		struct host_pool hp = {0};
		struct pt pt;
		u64 want = min_tables(f, ngib * GiB, leaf), pte;
		unsigned lvl;
		bool lok = true;

		if (pt_init(&pt, f, &host_pool_ops, &hp))
			abort();
		/* pa offset by 1G + leaf-aligned so translation is checked */
		if (pt_map(&pt, 0, 5 * GiB, ngib * GiB, rw_attrs(f), leaf, 0))
			lok = false;
		for (u64 va = 0; va < ngib * GiB; va += 7 * MiB + 4096) {
			if (pt_lookup(&pt, va, &pte, &lvl) || lvl != leaf ||
			    pt_leaf_pa(f, pte, lvl) +
				    (va & (pt_level_size(lvl) - 1)) !=
				5 * GiB + va)
				lok = false;
		}
		lok = lok && pt.nr_tables == want && hp.live == want &&
		      pt.count_slack == 0 && !hp.violation && hp.reserved == 0;
		len +=
		    snprintf(msg + len, sizeof(msg) - len, " %s:%llu(min %llu)",
			     names[leaf], (unsigned long long)pt.nr_tables,
			     (unsigned long long)want);
		pt_destroy(&pt);
		ok = ok && lok && hp.live == 0;
	}
	tap_ok(ok, "%s: %llu GiB aligned uses the minimum table pages:%s",
	       f->name, (unsigned long long)ngib, msg);
}

static void test_split_merge(const struct pt_format *f)
{
	struct host_pool hp = {0};
	struct pt pt;
	u64 base = 3 * GiB, pte;
	unsigned lvl;
	bool ok = true;

	if (pt_init(&pt, f, &host_pool_ops, &hp))
		abort();
	ok &= pt_map(&pt, base, 7 * GiB, GiB, rw_attrs(f), 2, 0) == 0;
	ok &= pt.nr_tables == f->levels - 2;
	/* change one 4K page in the middle: 1G -> 2M leaves -> 4K leaves */
	ok &= pt_map(&pt, base + 300 * MiB + 8192, 7 * GiB + 300 * MiB + 8192,
		     4096, ro_attrs(f), 2, 0) == 0;
	ok &= pt.nr_tables == f->levels - 2 + 2;
	ok &= pt_lookup(&pt, base + 300 * MiB + 8192, &pte, &lvl) == 0 &&
	      lvl == 0 &&
	      pt_leaf_attrs(f, pte) ==
		  ro_attrs(f) + (f->canonical ? X86_PTE_P : 0);
	ok &= pt_lookup(&pt, base + 300 * MiB + 4096, &pte, &lvl) == 0 &&
	      lvl == 0 && pt_leaf_pa(f, pte, 0) == 7 * GiB + 300 * MiB + 4096;
	ok &= pt_lookup(&pt, base + 100 * MiB, &pte, &lvl) == 0 && lvl == 1 &&
	      pt_leaf_pa(f, pte, 1) == 7 * GiB + 100 * MiB;
	/* put it back with merging: the table collapses to one 1G leaf */
	ok &= pt_map(&pt, base + 300 * MiB + 8192, 7 * GiB + 300 * MiB + 8192,
		     4096, rw_attrs(f), 2, PT_MAP_MERGE) == 0;
	ok &= pt_lookup(&pt, base + 5, &pte, &lvl) == 0 && lvl == 2 &&
	      pt_leaf_pa(f, pte, 2) == 7 * GiB;
	ok &= pt.nr_tables == f->levels - 2 && hp.live == pt.nr_tables;
	/* without merge permission at level 2, only down to 2M */
	ok &= pt_map(&pt, base, 7 * GiB, 2 * MiB, ro_attrs(f), 0, 0) == 0;
	ok &= pt.nr_tables == f->levels - 2 + 2;
	ok &= pt_map(&pt, base, 7 * GiB, 2 * MiB, rw_attrs(f), 1,
		     PT_MAP_MERGE) == 0;
	ok &= pt.nr_tables == f->levels - 2 + 1;
	ok &= pt_try_merge(&pt, base, 2) && pt.nr_tables == f->levels - 2;
	/* a non-contiguous child prevents the merge */
	ok &= pt_map(&pt, base + 4096, 9 * GiB, 4096, rw_attrs(f), 0,
		     PT_MAP_MERGE) == 0;
	ok &= !pt_try_merge(&pt, base, 1);
	ok &= pt.count_slack == 0 && !hp.violation;
	pt_destroy(&pt);
	ok &= hp.live == 0;
	tap_ok(ok, "%s: split 1G->2M->4K keeps translation, merge folds back",
	       f->name);
}

static void test_unmap_zap(const struct pt_format *f)
{
	struct host_pool hp = {0};
	struct pt pt;
	u64 pte;
	unsigned lvl;
	bool ok = true;

	if (pt_init(&pt, f, &host_pool_ops, &hp))
		abort();
	ok &= pt_map(&pt, 0, 0, 64 * MiB, rw_attrs(f), 0, 0) == 0;
	ok &= pt_map(&pt, 5 * GiB, 0, GiB, rw_attrs(f), 2, 0) == 0;
	/* exact unmap of a 4K hole in a 1G leaf splits, then frees on refill */
	ok &= pt_unmap(&pt, 5 * GiB + 4096, 4096) == 0;
	ok &= pt_lookup(&pt, 5 * GiB + 4096, &pte, &lvl) == -ENOENT && lvl == 0;
	ok &= pt_lookup(&pt, 5 * GiB, &pte, &lvl) == 0 && lvl == 0;
	ok &= pt_lookup(&pt, 5 * GiB + 8192, &pte, &lvl) == 0 && lvl == 0 &&
	      pt_leaf_pa(f, pte, 0) == 8192;
	ok &= pt_unmap(&pt, 0, 64 * MiB) == 0;
	/* the 64M region's PD and PTs are gone; the 5G branch remains */
	ok &= pt_lookup(&pt, 0, NULL, &lvl) == -ENOENT;
	u64 z = pt_zap(&pt, 5 * GiB + 3 * MiB, 4096);
	/* zap takes the whole 2M leaf around it, no split, no allocation */
	ok &=
	    z == 1 && pt_lookup(&pt, 5 * GiB + 2 * MiB, NULL, &lvl) == -ENOENT;
	ok &= pt_lookup(&pt, 5 * GiB + 4 * MiB, NULL, &lvl) == 0 && lvl == 1;
	z = pt_zap(&pt, 5 * GiB, GiB);
	ok &= z == 511 + 510; /* 4K leaves of the first 2M, other 2M leaves */
	ok &= pt.nr_tables == 1 && hp.live == 1;
	ok &= pt.count_slack == 0 && !hp.violation;
	pt_destroy(&pt);
	ok &= hp.live == 0;
	tap_ok(ok, "%s: unmap splits exactly, zap widens; emptied tables freed",
	       f->name);
}

static void test_enomem(const struct pt_format *f)
{
	struct host_pool hp = {0};
	struct pt pt;
	bool ok = true;
	struct snap a, b;
	u64 fails = 0;

	if (pt_init(&pt, f, &host_pool_ops, &hp))
		abort();
	ok &= pt_map(&pt, GiB, 0, GiB, rw_attrs(f), 2, 0) == 0;
	ok &= pt_map(&pt, 0, 0, 3 * MiB, rw_attrs(f), 1, 0) == 0;
	a = take_snap(&pt);
	for (u64 lim = 1; lim < hp.live + 8; lim++) {
		hp.limit = lim;
		/* needs: split 1G (1) + split 2M (1) + 4K tables for 0..3M (2) */
		int rc =
		    pt_map(&pt, GiB + 4096, 4096, 2 * MiB, ro_attrs(f), 0, 0);
		int rc2 = pt_unmap(&pt, 12288, 4096);

		if (rc == 0 || rc2 == 0)
			break;
		ok &= rc == -ENOMEM && rc2 == -ENOMEM;
		b = take_snap(&pt);
		ok &= snap_eq(&a, &b) && hp.live == pt.nr_tables;
		free(b.v);
		fails++;
	}
	ok &= fails > 0 && !hp.violation;
	free(a.v);
	pt_destroy(&pt);
	tap_ok(ok, "%s: -ENOMEM at %llu page limits, table unchanged each time",
	       f->name, (unsigned long long)fails);
}

static void test_canonical(void)
{
	const struct pt_format *f = &pt_format_x86_4level;
	struct host_pool hp = {0};
	struct pt pt;
	u64 k = 0xFFFFFFFF80000000ULL, pte;
	unsigned lvl;
	bool ok = true;

	if (pt_init(&pt, f, &host_pool_ops, &hp))
		abort();
	/* the last 2 GiB of the address space: end wraps to 0 */
	ok &= pt_map(&pt, k, 0, 2 * GiB, rw_attrs(f), 2, 0) == 0;
	ok &= pt_lookup(&pt, ~0ULL, &pte, &lvl) == 0 && lvl == 2 &&
	      pt_leaf_pa(f, pte, 2) == GiB;
	ok &= pt_map(&pt, 0x0000800000000000ULL, 0, 4096, rw_attrs(f), 0, 0) ==
	      -EINVAL;
	ok &= pt_map(&pt, 0x00007FFFFFFFF000ULL, 0, 8192, rw_attrs(f), 0, 0) ==
	      -EINVAL;
	struct snap s = take_snap(&pt);
	ok &= s.n == 2 && s.v[0].va == k && s.v[1].va == k + GiB;
	free(s.v);
	pt_destroy(&pt);
	tap_ok(ok,
	       "x86-64: higher-half canonical ranges, non-canonical refused");
}

/* ------------------------------------------------------------ random */

#define RW_PAGES (1u << 19) /* 2 GiB window at 4K */

struct model_page {
	u64 pa;
	u64 attrs; /* 0: unmapped */
};

static void test_random(const struct pt_format *f, struct rng *r, u64 iters)
{
	struct host_pool hp = {0};
	struct pt pt;
	struct model_page *m = calloc(RW_PAGES, sizeof(*m));
	u64 mism = 0, ops = 0, enomem = 0;
	const u64 base = 4 * GiB; /* window start, 1G aligned */
	u64 attrs_set[3];

	attrs_set[0] = rw_attrs(f);
	attrs_set[1] = ro_attrs(f);
	attrs_set[2] = f->canonical ? X86_PTE_RW : ept_ram_attrs(EPT_RWX);
	if (pt_init(&pt, f, &host_pool_ops, &hp))
		abort();
	for (u64 it = 0; it < iters; it++) {
		/* sizes from 4K to 1G, with alignments to match, so all leaf
		 * sizes and every split/merge path are exercised; 4K leaves
		 * only for ranges up to 8 MiB to keep the run short */
		unsigned gran = (unsigned)rng_below(r, 3);
		u64 unit = pt_level_size(gran);
		u64 npg = RW_PAGES / (unit >> 12);
		u64 first = rng_below(r, npg), cnt = 1 + rng_below(r, 4);
		unsigned op = (unsigned)rng_below(r, 10);
		unsigned maxl = (unsigned)rng_below(r, 3);
		u64 size, pa = 0, at;

		if (first + cnt > npg)
			cnt = npg - first;
		size = cnt * unit;
		if (size > 8 * MiB && maxl == 0)
			maxl = 1;
		u64 p0 = first * (unit >> 12), pn = size >> 12;
		u64 va = base + first * unit;

		hp.limit =
		    rng_below(r, 20) == 0 ? hp.live + rng_below(r, 3) : 0;
		if (op < 6) {
			pa = (rng_below(r, 64) * unit) +
			     (rng_below(r, 4) == 0 ? 4096 * rng_below(r, 512)
						   : 0);
			at = attrs_set[rng_below(r, 3)];
			int rc = pt_map(&pt, va, pa, size, at, maxl,
					rng_below(r, 2) ? PT_MAP_MERGE : 0);
			if (rc == -ENOMEM) {
				enomem++;
			} else if (rc) {
				mism++;
			} else {
				for (u64 i = 0; i < pn; i++)
					m[p0 + i] = (struct model_page){
					    pa + i * 4096,
					    at |
						(f->canonical ? X86_PTE_P : 0)};
			}
		} else if (op < 8) {
			int rc = pt_unmap(&pt, va, size);
			if (rc == -ENOMEM) {
				enomem++;
			} else if (rc) {
				mism++;
			} else {
				for (u64 i = 0; i < pn; i++)
					m[p0 + i].attrs = 0;
			}
		} else if (op < 9) {
			/* zap widens to whole leaves: mirror via lookups */
			for (u64 a = va; a < va + size;) {
				unsigned lvl;
				int rc = pt_lookup(&pt, a, NULL, &lvl);
				u64 lb = ALIGN_DOWN(a, pt_level_size(lvl));

				if (rc == 0)
					for (u64 j = 0;
					     j < pt_level_size(lvl) >> 12; j++)
						m[((lb - base) >> 12) + j]
						    .attrs = 0;
				a = lb + pt_level_size(lvl);
			}
			pt_zap(&pt, va, size);
		} else {
			pt_try_merge(&pt, va, 1 + (unsigned)rng_below(r, 2));
		}
		ops++;
		hp.limit = 0;
		/* check: sampled pages each op, all pages every 1024 ops */
		bool full = it % 1024 == 1023 || it == iters - 1;
		u64 nchk = full ? RW_PAGES : 64;
		for (u64 c = 0; c < nchk; c++) {
			u64 pg = full ? c : rng_below(r, RW_PAGES);
			u64 pte;
			unsigned lvl;
			int rc = pt_lookup(&pt, base + pg * 4096, &pte, &lvl);

			if (!m[pg].attrs) {
				mism += rc != -ENOENT;
				continue;
			}
			if (rc ||
			    pt_leaf_pa(f, pte, lvl) +
				    ((pg * 4096) & (pt_level_size(lvl) - 1)) !=
				m[pg].pa ||
			    (pt_leaf_attrs(f, pte) & ~f->ad_mask) !=
				m[pg].attrs)
				mism++;
		}
		if (hp.live != pt.nr_tables || hp.violation || pt.count_slack)
			mism++;
	}
	pt_destroy(&pt);
	free(m);
	tap_ok(
	    mism == 0 && hp.live == 0,
	    "%s: %llu random map/unmap/zap/merge ops vs model (%llu -ENOMEM), "
	    "%llu mismatches",
	    f->name, (unsigned long long)ops, (unsigned long long)enomem,
	    (unsigned long long)mism);
}

static void test_mmio_entry(void)
{
	bool ok = true;

	for (u64 g = 0; g < 3 * (EPT_MMIO_GEN_MASK + 1); g += 7) {
		u64 e = ept_mmio_encode(g);

		ok &= ept_is_mmio(e) && ept_mmio_current(e, g) &&
		      !ept_mmio_current(e, g + 1) && (e & EPT_RWX) == EPT_W &&
		      ept_format_4level.is_present(e) &&
		      !ept_format_4level.is_table(e, 1);
	}
	ok &= !ept_is_mmio(ept_ram_attrs(EPT_W | EPT_R));
	ok &= !ept_is_mmio(EPT_W); /* misconfig but not ours */

	/* an MMIO entry at 2M splits into 512 identical 4K MMIO entries */
	struct host_pool hp = {0};
	struct pt pt;
	u64 pte, e = ept_mmio_encode(77);
	unsigned lvl;

	if (pt_init(&pt, &ept_format_4level, &host_pool_ops, &hp))
		abort();
	ok &= pt_set_raw(&pt, 10 * MiB + 5, 1, e) == 0;
	ok &= pt_lookup(&pt, 11 * MiB, &pte, &lvl) == 0 && lvl == 1 && pte == e;
	ok &= pt_map(&pt, 10 * MiB, 0, 4096, ept_ram_attrs(EPT_R), 0, 0) == 0;
	ok &= pt_lookup(&pt, 11 * MiB, &pte, &lvl) == 0 && lvl == 0 && pte == e;
	ok &= pt_map(&pt, 10 * MiB, 0, 4096, e, 0, 0) == 0 ||
	      true; /* attrs masking aside, restore via raw: */
	ok &= pt_set_raw(&pt, 10 * MiB, 0, e) == 0;
	ok &= pt_try_merge(&pt, 10 * MiB, 1);
	ok &= pt_lookup(&pt, 10 * MiB, &pte, &lvl) == 0 && lvl == 1 && pte == e;
	pt_destroy(&pt);
	tap_ok(ok && hp.live == 0,
	       "EPT MMIO entry: 010b misconfig, generation round trip, "
	       "split/merge as a special leaf");
}

int main(void)
{
	const struct pt_format *fmts[] = {
	    &pt_format_x86_4level, &pt_format_x86_5level, &ept_format_4level,
	    &ept_format_5level};
	struct rng rng;
	u64 seed = rng_seed_env(&rng, rng_clock_seed());
	u64 iters = env_u64("MICA_ITERS", 10000);

	tap_diag("seed %llu iters %llu (MICA_SEED / MICA_ITERS override)",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (unsigned i = 0; i < ARRAY_SIZE(fmts); i++) {
		test_minimal(fmts[i]);
		test_split_merge(fmts[i]);
		test_unmap_zap(fmts[i]);
		test_enomem(fmts[i]);
	}
	test_canonical();
	test_mmio_entry();
	test_random(&pt_format_x86_4level, &rng, iters);
	test_random(&ept_format_4level, &rng, iters);
	test_random(&ept_format_5level, &rng, iters / 4);
	return tap_done();
}
