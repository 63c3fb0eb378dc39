/* SPDX-License-Identifier: MIT */
/*
 * MMIO translation cache: fill/lookup/invalidate cases by hand, then a
 * seeded random run (MICA_SEED, MICA_ITERS) that mixes accesses with
 * changes of CPL, EFLAGS.AC, CR0.WP, SMEP/SMAP, PKRU, CR3, memslot
 * generation and PTEs (each PTE change followed by INVLPG, as a guest
 * must). Property: a hit is never wrong; a full walk at that moment
 * succeeds with the same GPA and has no A/D flag left to set.
 */
#include "test/unit/support/gwalk_env.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

#define MMIO_BASE 0xfed00000ULL
#define NPAGES	  4

static struct rng rng;

/*
 * Two 4-level roots (0x10000 and 0x30000) mapping NPAGES consecutive pages
 * at la_base to MMIO frames (root 2: frames + 0x100000).
 */
static gva_t la_base = 0x00007f1234400000ULL;

static gpa_t pte_gpa(gpa_t root, unsigned page)
{
	return root + 0x4000 + (((la_base >> 12) & 511) + page) * 8;
}

static void build_root(struct env *e, gpa_t root, gpa_t frame_off)
{
	unsigned i;

	env_put(e, root + ((la_base >> 39) & 511) * 8, (root + 0x1000) | 7, 8);
	env_put(e, root + 0x1000 + ((la_base >> 30) & 511) * 8,
		(root + 0x2000) | 7, 8);
	env_put(e, root + 0x2000 + ((la_base >> 21) & 511) * 8,
		(root + 0x4000) | 7, 8);
	for (i = 0; i < NPAGES; i++)
		env_put(e, pte_gpa(root, i),
			(MMIO_BASE + frame_off + i * PAGE_SIZE) | 7, 8);
}

static void test_basic(struct env *e)
{
	struct gwalk_ctx ctx = {.cr0 = GWALK_CR0_PG | GWALK_CR0_PE,
				.cr4 = GWALK_CR4_PAE,
				.efer = GWALK_EFER_LMA,
				.cr3 = 0x10000,
				.maxphyaddr = 46,
				.cpl = 3};
	struct gwalk_ops ops = env_ops(e);
	struct gwalk_mmio_cache c = {0};
	struct gwalk_result r;
	gpa_t gpa = 0;
	bool ok = true;
	u64 reads;

	gwalk_translate(&ctx, &ops, la_base + 0x1010, 0, &r);
	gwalk_mmio_cache_fill(&c, &ctx, la_base + 0x1010, &r, 0, 7);
	reads = e->nread;
	ok &= gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1ff8, 0, 7, &gpa) &&
	      gpa == MMIO_BASE + 0x1ff8 && e->nread == reads;
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x2000, 0, 7, &gpa);
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1000, 0, 8, &gpa);
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1000,
				       GWALK_ACC_WRITE, 7, &gpa);
	ctx.cr3 = 0x30000;
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1000, 0, 7, &gpa);
	ctx.cr3 = 0x10000;
	ctx.cr4 |= GWALK_CR4_LA57;
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1000, 0, 7, &gpa);
	ctx.cr4 &= ~GWALK_CR4_LA57;
	gwalk_mmio_cache_invalidate_gva(&c, la_base + 0x2000);
	ok &= gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1000, 0, 7, &gpa);
	gwalk_mmio_cache_invalidate_gva(&c, la_base + 0x1abc);
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1000, 0, 7, &gpa);
	gwalk_mmio_cache_fill(&c, &ctx, la_base + 0x1010, &r, 0, 7);
	gwalk_mmio_cache_invalidate_all(&c);
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x1000, 0, 7, &gpa);

	/* Read-only page filled by a user read: user write misses. */
	env_put(e, pte_gpa(0x10000, 2), (MMIO_BASE + 0x2000) | 5, 8);
	gwalk_translate(&ctx, &ops, la_base + 0x2000, 0, &r);
	gwalk_mmio_cache_fill(&c, &ctx, la_base + 0x2000, &r, 0, 7);
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x2000,
				       GWALK_ACC_WRITE, 7, &gpa);
	/* SMAP: supervisor read allowed with AC=1 only. */
	ctx.cpl = 0;
	ctx.cr4 |= GWALK_CR4_SMAP;
	ctx.ac = true;
	ok &= gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x2000, 0, 7, &gpa);
	ctx.ac = false;
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x2000, 0, 7, &gpa);
	/* PKRU: key 0 access-disabled. */
	ctx.cr4 = GWALK_CR4_PAE | GWALK_CR4_PKE;
	ok &= gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x2000, 0, 7, &gpa);
	ctx.pkru = 1;
	ok &= !gwalk_mmio_cache_lookup(&c, &ctx, la_base + 0x2000, 0, 7, &gpa);
	e->nlog = 0;
	tap_ok(ok, "MMIO cache: hit without walking, misses on page, "
		   "generation, CR3, mode, first write, INVLPG, flush, "
		   "and on CPL/AC/SMAP/PKRU changes that deny the access");
}

static void random_ctx_change(struct gwalk_ctx *ctx)
{
	switch (rng_below(&rng, 6)) {
	case 0:
		ctx->cpl = (rng_next(&rng) & 1) ? 3 : 0;
		break;
	case 1:
		ctx->ac = rng_next(&rng) & 1;
		break;
	case 2:
		ctx->cr0 ^= GWALK_CR0_WP;
		break;
	case 3:
		ctx->cr4 ^=
		    (rng_next(&rng) & 1) ? GWALK_CR4_SMAP : GWALK_CR4_SMEP;
		break;
	case 4:
		ctx->cr4 ^= GWALK_CR4_PKE;
		break;
	default:
		ctx->pkru = (u32)rng_next(&rng) & 0x3f;
		break;
	}
}

static void test_random(struct env *e, u64 seed, u64 iters)
{
	static const u32 accs[] = {0, GWALK_ACC_WRITE, GWALK_ACC_FETCH,
				   GWALK_ACC_IMPLICIT};
	struct gwalk_ctx ctx = {.cr0 = GWALK_CR0_PG | GWALK_CR0_PE,
				.cr4 = GWALK_CR4_PAE,
				.efer = GWALK_EFER_LMA | GWALK_EFER_NXE,
				.cr3 = 0x10000,
				.maxphyaddr = 46};
	struct gwalk_ops ops = env_ops(e);
	struct gwalk_mmio_cache c = {0};
	u64 i, gen = 1, hits = 0, misses = 0, wrong = 0;

	for (i = 0; i < iters; i++) {
		unsigned op = rng_below(&rng, 16),
			 page = rng_below(&rng, NPAGES);
		gva_t la =
		    la_base + page * PAGE_SIZE + (rng_next(&rng) & 0xfff);
		u32 acc = accs[rng_below(&rng, ARRAY_SIZE(accs))];
		struct gwalk_result r;
		gpa_t gpa = 0;

		if (op == 0) {
			random_ctx_change(&ctx);
		} else if (op == 1) {
			ctx.cr3 ^= 0x20000; /* the owner flushes on CR3 */
			if (rng_next(&rng) & 1)
				gwalk_mmio_cache_invalidate_all(&c);
		} else if (op == 2) {
			gen++;
		} else if (op == 3) {
			gpa_t p = pte_gpa(ctx.cr3, page);
			u64 v = env_get(e, p, 8);

			v = (v & ~(GWALK_PTE_RW | GWALK_PTE_US | GWALK_PTE_D |
				   GWALK_PTE_XD | (15ULL << 59))) |
			    (rng_next(&rng) & (GWALK_PTE_RW | GWALK_PTE_US |
					       GWALK_PTE_XD | (15ULL << 59)));
			env_put(e, p, v, 8);
			gwalk_mmio_cache_invalidate_gva(&c, la); /* INVLPG */
		} else if (gwalk_mmio_cache_lookup(&c, &ctx, la, acc, gen,
						   &gpa)) {
			hits++;
			e->nlog = 0;
			gwalk_translate(&ctx, &ops, la, acc, &r);
			wrong += r.status != GWALK_OK || r.gpa != gpa ||
				 e->nlog != 0;
		} else {
			misses++;
			gwalk_translate(&ctx, &ops, la, acc, &r);
			if (r.status == GWALK_OK)
				gwalk_mmio_cache_fill(&c, &ctx, la, &r, acc,
						      gen);
		}
		e->nlog = 0;
	}
	tap_ok(wrong == 0 && hits > 0,
	       "MMIO cache random (seed %llu): %llu steps, %llu hits, %llu "
	       "misses, %llu wrong hits",
	       (unsigned long long)seed, (unsigned long long)iters,
	       (unsigned long long)hits, (unsigned long long)misses,
	       (unsigned long long)wrong);
}

int main(void)
{
	u64 seed = rng_seed_env(&rng, 0x5eed6a1cULL);
	u64 iters = env_u64("MICA_ITERS", 1000000);
	struct env e;

	env_init(&e);
	build_root(&e, 0x10000, 0);
	build_root(&e, 0x30000, 0x100000);
	test_basic(&e);
	test_random(&e, seed, iters);
	free(e.ram);
	return tap_done();
}
