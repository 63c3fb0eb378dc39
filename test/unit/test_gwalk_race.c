/* SPDX-License-Identifier: MIT */
/*
 * Concurrent modification of guest page tables during a walk: the cmpxchg
 * callback lets "another vCPU" change the entry just before the walker's
 * accessed/dirty update. The walker must notice (its cmpxchg fails), walk
 * again, and end exactly where the reference model ends on the modified
 * tables: same outcome, error code and GPA, same memory byte for byte in
 * the page-table area, so no A/D flag lands on an entry it did not
 * validate. A guest that never stops changing an entry gets GWALK_RETRY.
 */
#include "test/unit/support/gwalk_env.h"
#include "test/unit/support/tap.h"

#define TBL_LO	 0x10000u
#define TBL_HI	 0x20000u
#define ALT_FLIP 0x8000u /* alternate tables/frames: address ^ ALT_FLIP */

struct race {
	gpa_t target;
	u64 set, clear;
	bool persistent;
	bool changed; /* the change altered the entry */
	int fired;
	u64 nread_at_fire;
	u8 snap[TBL_HI - TBL_LO];
};

static void race_hook(struct env *e, gpa_t gpa, u32 size)
{
	struct race *r = e->hook_data;
	u64 v;

	if (gpa != r->target || (r->fired && !r->persistent))
		return;
	v = env_get(e, gpa, size);
	env_put(e, gpa, r->persistent ? v ^ BIT(9) : (v | r->set) & ~r->clear,
		size);
	r->changed = env_get(e, gpa, size) != v;
	if (!r->fired++)
		r->nread_at_fire = e->nread;
	memcpy(r->snap, e->ram + TBL_LO, sizeof(r->snap));
}

static const struct {
	const char *name;
	u64 set, clear;
} mutations[] = {
    {"clear P", 0, GWALK_PTE_P},  {"set U", GWALK_PTE_US, 0},
    {"clear U", 0, GWALK_PTE_US}, {"clear W", 0, GWALK_PTE_RW},
    {"set XD", GWALK_PTE_XD, 0},  {"set bit 51", BIT(51), 0},
    {"set A", GWALK_PTE_A, 0},	  {"set D", GWALK_PTE_D, 0},
    {"redirect", ALT_FLIP, 0},
};

/*
 * Main tables and an alternate copy ALT_FLIP away whose pointers lead to
 * the alternate pages and whose leaf maps a different frame. Entries start
 * with A = D = 0 so every level needs an update; U/S = 0 at the PDE for
 * supervisor pages when sup is set.
 */
static void build(struct env *e, const struct layout *L, struct tcfg *t,
		  int leaf, bool sup)
{
	static const u64 frame[] = {0, 0x87654000u, 0x45600000u, 0x40000000u};
	int top = L->mode == GWALK_MODE_PAE ? 3 : L->top;
	int l;

	memset(e->ram + TBL_LO, 0, TBL_HI - TBL_LO);
	for (l = top; l >= leaf; l--) {
		bool pdpte_pae = L->mode == GWALK_MODE_PAE && l == 3;
		u64 flags = pdpte_pae ? GWALK_PTE_P : 7;
		u64 v;

		if (sup && l == 2)
			flags &= ~GWALK_PTE_US;
		if (l == leaf)
			v = (L->mode == GWALK_MODE_32 && leaf == 2
				 ? 0x4c400000u
				 : frame[leaf]) |
			    flags | (leaf > 1 ? GWALK_PTE_PS : 0);
		else
			v = L->tbl[l - 1] | flags;
		layout_set(e, L, t, l, v);
		if (!pdpte_pae && l != top)
			env_put(e, L->egpa[l] ^ ALT_FLIP, v ^ ALT_FLIP,
				L->esize);
	}
}

struct race_stats {
	u64 runs, retried, mismatches;
};

static void race_one(struct env *e, struct race *rc, const struct tcfg *t,
		     gva_t la, u32 acc, struct race_stats *st)
{
	struct gwm_access ma = {.write = acc & GWALK_ACC_WRITE,
				.fetch = acc & GWALK_ACC_FETCH,
				.implicit = acc & GWALK_ACC_IMPLICIT};
	struct gwalk_ops ops = env_ops(e);
	struct gwalk_result r;
	struct gwalk_ctx ctx;
	struct gwm_cpu mc;
	struct gwm_out o;
	struct gwm_mem mm;
	static u8 *model_ram;
	const char *bad = NULL;
	int i;

	tcfg_ctx(t, &ctx);
	tcfg_model(t, &mc);
	rc->fired = 0;
	e->nread = 0;
	e->hook = race_hook;
	e->hook_data = rc;
	gwalk_translate(&ctx, &ops, la, acc, &r);
	e->hook = NULL;
	st->runs++;
	if (!rc->fired)
		return; /* the walk faulted before touching the target */
	st->retried += rc->changed;
	/* The model sees the tables as they were right after the change. */
	if (!model_ram)
		model_ram = calloc(1, ENV_RAM_SIZE); /* zero but the tables */
	memcpy(model_ram + TBL_LO, rc->snap, sizeof(rc->snap));
	mm = env_mem(e);
	mm.ram = model_ram;
	gwm_translate(&mc, &mm, la, ma, &o);
	for (i = 0; i < o.n_upd; i++)
		memcpy(model_ram + o.upd[i].gpa, &o.upd[i].val, o.upd[i].size);
	if (rc->changed && e->nread <= rc->nread_at_fire)
		bad = "no second walk";
	else if (o.kind == GWM_OK
		     ? r.status != GWALK_OK || r.gpa != o.gpa
		     : r.status != GWALK_FAULT || r.fault.error_code != o.ec)
		bad = "outcome";
	else if (memcmp(model_ram + TBL_LO, e->ram + TBL_LO, TBL_HI - TBL_LO))
		bad = "memory";
	if (bad && st->mismatches++ < 8)
		tap_diag("MISMATCH %s: target %llx cpl %u acc %x: walker %d/%x "
			 "gpa %llx, model %d/%x gpa %llx",
			 bad, (unsigned long long)rc->target, t->cpl, acc,
			 r.status, r.fault.error_code,
			 (unsigned long long)r.gpa, o.kind, o.ec,
			 (unsigned long long)o.gpa);
	e->nlog = 0;
}

static void test_races(struct env *e)
{
	enum gwalk_mode m;

	for (m = GWALK_MODE_32; m <= GWALK_MODE_5LVL; m++) {
		struct race_stats st = {0};
		struct race *rc = calloc(1, sizeof(*rc));
		int leaves = m >= GWALK_MODE_4LVL ? 3 : 2;
		struct layout L;
		unsigned mu, k, cpu;
		int leaf, l;

		layout_init(&L, m);
		for (cpu = 0; cpu < 8; cpu++)
			for (leaf = 1; leaf <= leaves; leaf++)
				for (l = leaf; l <= L.top; l++)
					for (mu = 0; mu < ARRAY_SIZE(mutations);
					     mu++)
						for (k = 0;
						     k < ARRAY_SIZE(kinds);
						     k++) {
							struct tcfg t = {
							    .mode = m,
							    .maxphy = 46,
							    .gb = true};

							t.nxe = cpu & 1;
							t.wp = (cpu >> 1) & 1;
							t.smap = t.smep =
							    (cpu >> 2) & 1;
							t.ac = cpu == 7;
							t.pse = true;
							t.cr3 = layout_cr3(&L);
							t.cpl = kinds[k].cpl;
							build(e, &L, &t, leaf,
							      cpu & 2);
							rc->target = L.egpa[l];
							rc->set =
							    mutations[mu].set;
							rc->clear =
							    mutations[mu].clear;
							if (L.esize == 4)
								rc->set &=
								    0xffffffffu;
							race_one(
							    e, rc, &t, L.la,
							    kinds[k].acc, &st);
						}
		tap_ok(st.mismatches == 0 && st.retried > 0,
		       "race %s: %llu walks, %llu changed under the walker and "
		       "restarted, %llu mismatches",
		       mode_name[m], (unsigned long long)st.runs,
		       (unsigned long long)st.retried,
		       (unsigned long long)st.mismatches);
		free(rc);
	}
}

/* An entry that changes at every attempt: bounded restarts, no A on it. */
static void test_livelock(struct env *e)
{
	struct race *rc = calloc(1, sizeof(*rc));
	struct tcfg t = {.mode = GWALK_MODE_4LVL, .maxphy = 46};
	struct gwalk_ops ops = env_ops(e);
	struct gwalk_result r;
	struct gwalk_ctx ctx;
	struct layout L;
	u64 before;

	layout_init(&L, GWALK_MODE_4LVL);
	t.cr3 = layout_cr3(&L);
	build(e, &L, &t, 1, false);
	tcfg_ctx(&t, &ctx);
	rc->target = L.egpa[2];
	rc->persistent = true;
	before = env_get(e, rc->target, 8);
	e->hook = race_hook;
	e->hook_data = rc;
	gwalk_translate(&ctx, &ops, L.la, GWALK_ACC_WRITE, &r);
	e->hook = NULL;
	tap_ok(r.status == GWALK_RETRY && rc->fired == GWALK_MAX_RESTARTS + 1 &&
		   !(env_get(e, rc->target, 8) & GWALK_PTE_A) &&
		   (env_get(e, rc->target, 8) ^ before) ==
		       BIT(9) * (rc->fired & 1) &&
		   !(env_get(e, L.egpa[1], 8) & GWALK_PTE_A),
	       "entry changing on every attempt: GWALK_RETRY after %d walks, "
	       "no A/D on it or below",
	       rc->fired);
	e->nlog = 0;
	free(rc);
}

int main(void)
{
	struct env e;

	env_init(&e);
	test_races(&e);
	test_livelock(&e);
	free(e.ram);
	return tap_done();
}
