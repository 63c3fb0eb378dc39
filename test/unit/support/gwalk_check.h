/* SPDX-License-Identifier: MIT */
/*
 * One differential check of the guest walker against the reference model:
 * run an access through both on the current simulated memory, compare the
 * outcome, error code, CR2 or GPA, page size, rights and key, and the
 * accessed/dirty writes; after a success walk again (must succeed with no
 * write); then undo the walker's writes. Shared by the walker test programs.
 */
#ifndef MICA_TEST_GWALK_CHECK_H
#define MICA_TEST_GWALK_CHECK_H

#include "test/unit/support/gwalk_env.h"
#include "test/unit/support/tap.h"

struct mx_stats {
	u64 runs;
	u64 mismatches;
	u64 translated; /* walks that succeeded */
};

static void report(struct mx_stats *st, const struct tcfg *t, gva_t la, u32 acc,
		   const char *what, const struct gwalk_result *r,
		   const struct gwm_out *o)
{
	if (st->mismatches++ >= 8)
		return;
	tap_diag("MISMATCH %s: mode %s cpl %u acc %x la %llx nxe%d wp%d smep%d "
		 "smap%d ac%d pke%d pse%d gb%d pkru %x M %u",
		 what, mode_name[t->mode], t->cpl, acc, (unsigned long long)la,
		 t->nxe, t->wp, t->smep, t->smap, t->ac, t->pke, t->pse, t->gb,
		 t->pkru, t->maxphy);
	tap_diag("  walker: status %d vec %u ec %x cr2 %llx gpa %llx size %llx",
		 r->status, r->fault.vector, r->fault.error_code,
		 (unsigned long long)r->fault.cr2, (unsigned long long)r->gpa,
		 (unsigned long long)r->page_size);
	tap_diag("  model:  kind %d ec %x cr2 %llx gpa %llx size %llx upd %d",
		 o->kind, o->ec, (unsigned long long)o->cr2,
		 (unsigned long long)o->gpa, (unsigned long long)o->psize,
		 o->n_upd);
}

/* Same outcome? Returns NULL or what differs. */
static const char *compare(const struct env *e, const struct gwalk_result *r,
			   const struct gwm_out *o)
{
	int i, j;

	switch (o->kind) {
	case GWM_OK:
		if (r->status != GWALK_OK)
			return "status";
		if (r->gpa != o->gpa || r->page_size != o->psize)
			return "gpa";
		if (r->perm !=
			((o->w ? GWALK_PERM_W : 0) | (o->u ? GWALK_PERM_U : 0) |
			 (o->x ? GWALK_PERM_X : 0)) ||
		    r->pkey != o->pkey)
			return "permissions";
		break;
	case GWM_PF:
		if (r->status != GWALK_FAULT || r->fault.vector != GWALK_VEC_PF)
			return "status";
		if (r->fault.error_code != o->ec || r->fault.cr2 != o->cr2)
			return "error code";
		break;
	case GWM_GP:
		if (r->status != GWALK_FAULT ||
		    r->fault.vector != GWALK_VEC_GP || r->fault.error_code)
			return "status";
		break;
	case GWM_NOTRAM:
		if (r->status != GWALK_NOT_RAM || r->bad_gpa != o->bad)
			return "not-RAM";
		break;
	}
	if (e->nlog != o->n_upd)
		return "A/D write count";
	for (i = 0; i < o->n_upd; i++) {
		if (env_get(e, o->upd[i].gpa, o->upd[i].size) != o->upd[i].val)
			return "A/D value";
		for (j = 0; j < e->nlog; j++)
			if (e->log[j].gpa == o->upd[i].gpa)
				break;
		if (j == e->nlog)
			return "A/D address";
	}
	return NULL;
}

/*
 * Run one access through model and walker on the current memory, compare,
 * walk a second time after a success (must hit with no writes), undo.
 */
static void check_one(struct env *e, const struct tcfg *t, gva_t la, u32 acc,
		      struct mx_stats *st)
{
	struct gwm_access ma = {.write = acc & GWALK_ACC_WRITE,
				.fetch = acc & GWALK_ACC_FETCH,
				.implicit = acc & GWALK_ACC_IMPLICIT};
	struct gwalk_ops ops = env_ops(e);
	struct gwm_mem mm = env_mem(e);
	struct gwalk_result r, r2;
	struct gwalk_ctx ctx;
	struct gwm_cpu mc;
	struct gwm_out o;
	const char *bad;

	tcfg_ctx(t, &ctx);
	tcfg_model(t, &mc);
	gwm_translate(&mc, &mm, la, ma, &o);
	gwalk_translate(&ctx, &ops, la, acc, &r);
	st->runs++;
	st->translated += r.status == GWALK_OK;
	bad = compare(e, &r, &o);
	if (!bad && r.status == GWALK_OK) {
		int n = e->nlog;

		gwalk_translate(&ctx, &ops, la, acc, &r2);
		if (r2.status != GWALK_OK || r2.gpa != r.gpa || e->nlog != n)
			bad = "second access";
	}
	if (bad)
		report(st, t, la, acc, bad, &r, &o);
	env_undo(e);
}

#endif
