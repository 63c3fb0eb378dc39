/* SPDX-License-Identifier: MIT */
/*
 * Guest walker vs the reference model on random page tables and random CPU
 * state: every entry on the path gets random flags and, sometimes, random
 * high bits (reserved, XD, protection key) or a random address bit; CR0.WP,
 * CR4 bits, EFER.NXE, EFLAGS.AC, CPL, PKRU, MAXPHYADDR, 1-GByte support and
 * the linear address are random too. Seeded: MICA_SEED, MICA_ITERS.
 */
#include "test/unit/support/gwalk_check.h"
#include "test/unit/support/rng.h"

static struct rng rng;

/* An entry for level l: usually well-formed, sometimes not. */
static u64 random_entry(const struct layout *L, int l, bool leaf_ok)
{
	u64 v = rng_next(&rng) & 0xfff;
	u64 r = rng_next(&rng);

	if (leaf_ok && (r & 3) == 0)
		v |= GWALK_PTE_PS; /* try a large page */
	else if (l > 1 && (r & 3) != 1)
		v &= ~GWALK_PTE_PS;
	if (!(v & GWALK_PTE_PS) && l > 1)
		v |= L->tbl[l - 1];
	else
		v |= rng_next(&rng) & GENMASK(31, 21); /* a frame < 4G */
	if ((r >> 4) % 8 == 0)
		v |= 1ULL << (12 + rng_below(&rng, 40)); /* any address bit */
	if (L->esize == 8 && (r >> 8) % 4 == 0) /* XD, key, ignored/reserved */
		v |= rng_next(&rng) & GENMASK(63, 52);
	if ((r >> 12) % 8 != 0)
		v |= GWALK_PTE_P;
	if (L->esize == 4)
		v &= 0xffffffffu;
	return v;
}

static void random_cpu(struct tcfg *t)
{
	u64 r = rng_next(&rng);

	t->nxe = r & 1;
	t->wp = (r >> 1) & 1;
	t->smep = (r >> 2) & 1;
	t->smap = (r >> 3) & 1;
	t->ac = (r >> 4) & 1;
	t->pke = (r >> 5) & 1;
	t->pse = (r >> 6) & 1;
	t->gb = (r >> 7) & 1;
	t->pkru = (u32)rng_next(&rng);
	t->maxphy = 32 + (r >> 8) % 21;
}

int main(void)
{
	u64 seed = rng_seed_env(&rng, 0x9a1c0ffeeULL);
	u64 iters = env_u64("MICA_ITERS", 2000000);
	struct mx_stats st[GWALK_MODE_5LVL + 1] = {0};
	struct env e;
	u64 i;

	env_init(&e);
	for (i = 0; i < iters; i++) {
		enum gwalk_mode m = GWALK_MODE_32 + rng_below(&rng, 4);
		unsigned k = rng_below(&rng, ARRAY_SIZE(kinds));
		struct tcfg t = {.mode = m};
		struct layout L;
		gva_t la;
		int l, top;

		layout_init(&L, m);
		random_cpu(&t);
		t.cr3 = layout_cr3(&L);
		t.cpl = kinds[k].cpl;
		top = m == GWALK_MODE_PAE ? 3 : L.top;
		for (l = top; l >= 1; l--) {
			bool leaf_ok =
			    l == 2 || (l == 3 && m >= GWALK_MODE_4LVL);
			u64 v = random_entry(&L, l, leaf_ok);

			if (m == GWALK_MODE_PAE && l == 3 &&
			    (rng_next(&rng) & 3))
				v &= ~(GENMASK(8, 5) | GENMASK(2, 1) |
				       GENMASK(63, 52));
			layout_set(&e, &L, &t, l, v);
		}
		la = L.la | (rng_next(&rng) & 0xfff);
		if (rng_below(&rng, 16) == 0)
			la = rng_next(&rng); /* anywhere, canonical or not */
		check_one(&e, &t, la, kinds[k].acc, &st[m]);
		for (l = 1; l <= L.top; l++)
			env_put(&e, L.egpa[l], 0, L.esize);
	}
	for (i = GWALK_MODE_32; i <= GWALK_MODE_5LVL; i++)
		tap_ok(st[i].mismatches == 0,
		       "random tables %s (seed %llu): %llu walks (%llu "
		       "translated), %llu mismatches",
		       mode_name[i], (unsigned long long)seed,
		       (unsigned long long)st[i].runs,
		       (unsigned long long)st[i].translated,
		       (unsigned long long)st[i].mismatches);
	free(e.ram);
	return tap_done();
}
