/* SPDX-License-Identifier: MIT */
/*
 * Guest memory end to end: random sequences of set_memory_region (create,
 * move, delete, dirty-log toggle, malformed requests), lock, unlock,
 * unlock-all, guest reads/writes/fetches at random GPAs (through the EPT
 * violation and misconfiguration handlers, as the CPU would take them) and
 * get_dirty_log, on a small guest address space. After every operation:
 * ept_check passes, every GPA translates as an independent model of the
 * memslots says, dirty logs equal the model's, and failed calls changed
 * nothing at all.
 */
#include <stdio.h>

#include "test/unit/support/pt_host_pool.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "ept/vm_memory.h"

#define NSLOTS	  8
#define SPACE_PG  8192ULL /* 32 MiB guest-physical space */
#define POOL_SIZE (16ULL << 20)
#define CHUNK	  (4ULL << 20) /* pool chunks, physically scattered */
#define HPA_BASE  (1ULL << 32)
#define MAXBITMAP (SPACE_PG / 64)

/* ------------------------------------------------------------ host side */

struct env {
	unsigned perm[POOL_SIZE / CHUNK];
	u64 flushes;
};

static hpa_t env_pool_hpa(void *ctx, u64 off, u64 *contig)
{
	struct env *e = ctx;

	if (off >= POOL_SIZE)
		abort();
	*contig = CHUNK - (off & (CHUNK - 1));
	return HPA_BASE + e->perm[off / CHUNK] * CHUNK + (off & (CHUNK - 1));
}

static void env_flush(void *ctx)
{
	((struct env *)ctx)->flushes++;
}

static const struct ept_vm_ops env_ept_ops = {.pool_hpa = env_pool_hpa};
static const struct vm_memory_ops env_vm_ops = {.flush = env_flush};

/* ------------------------------------------------------------ model */

struct mslot {
	bool used;
	u64 gfn, npages, off;
	u32 flags;
	u32 lock;
	bool dirty[SPACE_PG];
};

struct model {
	struct mslot s[NSLOTS];
	u64 generation;
};

static bool m_logging(const struct mslot *s)
{
	return (s->flags & MEM_LOG_DIRTY_PAGES) && !(s->flags & MEM_READONLY);
}

static const struct mslot *m_find(const struct model *m, u64 gfn, int *id)
{
	for (int i = 0; i < NSLOTS; i++)
		if (m->s[i].used && gfn >= m->s[i].gfn &&
		    gfn < m->s[i].gfn + m->s[i].npages) {
			if (id)
				*id = i;
			return &m->s[i];
		}
	return NULL;
}

/* Expected result of set_memory_region per docs/memslots.md, in order. */
static int m_set_expect(const struct model *m, const struct memslot_region *r,
			bool *none)
{
	const struct mslot *s = r->slot < NSLOTS ? &m->s[r->slot] : NULL;
	u64 np = r->size >> 12, g = r->gpa >> 12;

	*none = false;
	if (r->flags & ~MEM_VALID_FLAGS)
		return -EINVAL;
	if ((r->size | r->gpa | r->pool_offset) & 0xFFF)
		return -EINVAL;
	if (r->slot >= NSLOTS)
		return -EINVAL;
	if (r->gpa + r->size < r->gpa)
		return -EINVAL;
	if (s->used && s->lock)
		return -EBUSY;
	if (!r->size && !s->used)
		return -EINVAL;
	if (!r->size)
		return 0;
	if (r->pool_offset > POOL_SIZE || r->size > POOL_SIZE - r->pool_offset)
		return -EINVAL;
	if (r->gpa + r->size > (SPACE_PG << 12))
		return -EINVAL;
	if (s->used && (np != s->npages || r->pool_offset != s->off ||
			((r->flags ^ s->flags) & MEM_READONLY)))
		return -EINVAL;
	if (s->used && g == s->gfn && r->flags == s->flags) {
		*none = true;
		return 0;
	}
	if (!s->used || g != s->gfn)
		for (u32 i = 0; i < NSLOTS; i++)
			if (i != r->slot && m->s[i].used &&
			    g < m->s[i].gfn + m->s[i].npages &&
			    m->s[i].gfn < g + np)
				return -EEXIST;
	if ((r->flags & MEM_LOG_DIRTY_PAGES) && !(r->flags & MEM_READONLY) &&
	    !(s->used && (s->flags & MEM_LOG_DIRTY_PAGES)) && !r->dirty_bitmap)
		return -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------ state */

struct world {
	struct env env;
	struct host_pool hp;
	struct memslot_table t;
	void *tstore;
	struct vm_memory vm;
	struct model m;
	u64 *bitmaps[NSLOTS];
	u64 seed;
	/* counters */
	u64 ops, errors, mmio, ram, misconf, retries, enomem, logs, wraps;
	u64 reclaimed; /* faults that succeeded only after a reclaim */
	u64 fail;
	u64 err_by_code[128]; /* error paths taken, by errno */
	char why[256];
};

static void w_fail(struct world *w, const char *fmt, u64 a, u64 b)
{
	if (!w->fail++)
		snprintf(w->why, sizeof(w->why), fmt, (unsigned long long)a,
			 (unsigned long long)b);
}

struct snap {
	u64 n;
	u64 va[SPACE_PG * 2], pte[SPACE_PG * 2];
	struct memslot slots[NSLOTS];
	u64 gen, nr_tables, bitmaps[NSLOTS][MAXBITMAP];
};

static int snap_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct snap *s = arg;

	if (s->n < SPACE_PG * 2) {
		s->va[s->n] = va | level;
		s->pte[s->n] = *ptep;
	}
	s->n++;
	return 0;
}

static void take_snap(struct world *w, struct snap *s)
{
	s->n = 0;
	pt_for_each_leaf(&w->vm.ept.pt, 0, pt_reach(w->vm.ept.pt.fmt), snap_fn,
			 s);
	for (u32 i = 0; i < NSLOTS; i++) {
		const struct memslot *ms = memslot_get(&w->t, i);

		memset(&s->slots[i], 0, sizeof(s->slots[i]));
		memset(s->bitmaps[i], 0, sizeof(s->bitmaps[i]));
		if (ms) {
			s->slots[i] = *ms;
			if (ms->dirty_bitmap)
				memcpy(s->bitmaps[i], ms->dirty_bitmap,
				       memslot_dirty_bitmap_words(ms->npages) *
					   8);
		}
	}
	s->gen = memslot_generation(&w->t);
	s->nr_tables = w->vm.ept.pt.nr_tables;
}

static bool snap_eq(const struct snap *a, const struct snap *b)
{
	u64 n = MIN(a->n, (u64)SPACE_PG * 2);

	return a->n == b->n && !memcmp(a->va, b->va, n * 8) &&
	       !memcmp(a->pte, b->pte, n * 8) &&
	       !memcmp(a->slots, b->slots, sizeof(a->slots)) &&
	       !memcmp(a->bitmaps, b->bitmaps, sizeof(a->bitmaps)) &&
	       a->gen == b->gen && a->nr_tables == b->nr_tables;
}

/* ------------------------------------------------------------ checks */

struct view {
	u64 pte[SPACE_PG];
	u8 level[SPACE_PG];
};

struct locked_only {
	const struct model *m;
	u64 bad_va;
};

static int locked_only_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct locked_only *l = arg;
	int id;
	const struct mslot *s = m_find(l->m, va >> 12, &id);

	(void)level;
	if (ept_is_mmio(*ptep) || !s || !s->lock) {
		l->bad_va = va;
		return 1;
	}
	return 0;
}

/* After a reclaim: only locked slots' leaves are left (ept_reclaim). */
static bool only_locked_leaves(struct world *w)
{
	struct locked_only l = {.m = &w->m};

	return pt_for_each_leaf(&w->vm.ept.pt, 0, SPACE_PG << 12,
				locked_only_fn, &l) == 0;
}

static int view_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct view *v = arg;
	u64 first = va >> 12, n = pt_level_size(level) >> 12;

	for (u64 i = first; i < first + n && i < SPACE_PG; i++) {
		v->pte[i] = *ptep;
		v->level[i] = (u8)level;
	}
	return 0;
}

/* Every GPA of the space against the model. */
static void check_all(struct world *w)
{
	static struct view v;
	struct ept_check_report r;
	struct env *e = &w->env;

	if (ept_check(&w->vm.ept, &r)) {
		w_fail(w, "ept_check at gpa %#llx pte %#llx", r.gpa, r.pte);
		tap_diag("ept_check: %s (slot %u level %u)", r.what, r.slot,
			 r.level);
		return;
	}
	memset(&v, 0, sizeof(v));
	pt_for_each_leaf(&w->vm.ept.pt, 0, SPACE_PG << 12, view_fn, &v);
	for (u64 p = 0; p < SPACE_PG; p++) {
		int id;
		const struct mslot *s = m_find(&w->m, p, &id);
		u64 pte = v.pte[p], contig;

		if (!s) {
			if (pte && !ept_is_mmio(pte))
				w_fail(w, "unbacked gfn %#llx maps %#llx", p,
				       pte);
			continue;
		}
		if (!pte) {
			if (s->lock)
				w_fail(w, "locked gfn %#llx unmapped", p, 0);
			continue;
		}
		u64 off = s->off + ((p - s->gfn) << 12);
		hpa_t want = env_pool_hpa(e, off, &contig);
		hpa_t got = (pte & EPT_ADDR) & ~(pt_level_size(v.level[p]) - 1);

		got += (p << 12) & (pt_level_size(v.level[p]) - 1);
		bool wr = !(s->flags & MEM_READONLY) &&
			  (!m_logging(s) || s->dirty[p - s->gfn]);
		if (ept_is_mmio(pte) || got != want || !(pte & EPT_R) ||
		    ((pte & EPT_W) && !wr))
			w_fail(w, "gfn %#llx pte %#llx wrong", p, pte);
		if (s->lock == (MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE) &&
		    !m_logging(s) && !(pte & EPT_W))
			w_fail(w, "gfn %#llx locked RW without W", p, 0);
	}
	for (u32 i = 0; i < NSLOTS; i++) {
		const struct memslot *ms = memslot_get(&w->t, i);
		const struct mslot *s = &w->m.s[i];

		if (!!ms != s->used ||
		    (ms && (ms->base_gfn != s->gfn || ms->npages != s->npages ||
			    ms->pool_offset != s->off ||
			    ms->flags != s->flags || ms->lock != s->lock)))
			w_fail(w, "slot %llu differs from the model", i, 0);
	}
	if (memslot_generation(&w->t) != w->m.generation)
		w_fail(w, "generation %llu, model %llu",
		       memslot_generation(&w->t), w->m.generation);
	if (w->hp.live != w->vm.ept.pt.nr_tables || w->vm.ept.pt.count_slack ||
	    w->hp.violation)
		w_fail(w, "table page accounting", w->hp.live,
		       w->vm.ept.pt.nr_tables);
}

/* ------------------------------------------------------------ operations */

static u64 rnd_gfn_aligned(struct rng *s, u64 npages)
{
	/* bias towards 2M alignment so large leaves occur */
	u64 align = rng_below(s, 2) ? 512 : 1 + rng_below(s, 3) * 15;
	u64 g = rng_below(s, SPACE_PG) / align * align;

	return g + npages <= SPACE_PG ? g : (SPACE_PG - npages) / align * align;
}

static void op_set(struct world *w, struct rng *rs)
{
	struct memslot_region r = {0};
	struct memslot_change c;
	u32 id = (u32)rng_below(rs, NSLOTS + 1);
	const struct mslot *s = id < NSLOTS ? &w->m.s[id] : NULL;
	unsigned kind = (unsigned)rng_below(rs, 16);
	bool none;
	static struct snap before, after;

	r.slot = id;
	if (s && s->used && kind < 10) {
		r.gpa = s->gfn << 12;
		r.size = s->npages << 12;
		r.pool_offset = s->off;
		r.flags = s->flags;
		if (kind < 3)
			r.size = 0; /* delete */
		else if (kind < 6)
			r.gpa = rnd_gfn_aligned(rs, s->npages) << 12; /* move */
		else if (kind < 9)
			r.flags ^= MEM_LOG_DIRTY_PAGES;
		else
			r.flags ^= MEM_READONLY; /* refused */
	} else {
		u64 np = rng_below(rs, 4) ? 1 + rng_below(rs, 1024)
					  : 512 * (1 + rng_below(rs, 4));
		np = MIN(np, SPACE_PG);
		r.gpa = rnd_gfn_aligned(rs, np) << 12;
		r.size = np << 12;
		r.pool_offset = rng_below(rs, 2)
				    ? rng_below(rs, (POOL_SIZE >> 21)) << 21
				    : rng_below(rs, POOL_SIZE >> 12) << 12;
		r.flags = (u32)rng_below(rs, 4);
	}
	/* malformed requests */
	switch (rng_below(rs, 24)) {
	case 0:
		r.flags |= 4;
		break;
	case 1:
		r.gpa |= 0x800;
		break;
	case 2:
		r.size += 0x10;
		break;
	case 3:
		r.gpa = ~0ULL << 12;
		break;
	case 4:
		if (r.size)
			r.size += 4096;
		break;
	case 5:
		r.pool_offset = POOL_SIZE - 4096;
		break;
	default:
		break;
	}
	r.dirty_bitmap = rng_below(rs, 16) ? calloc(MAXBITMAP, 8) : NULL;
	int want = m_set_expect(&w->m, &r, &none);

	take_snap(w, &before);
	int rc = vm_set_memory_region(&w->vm, &r, &c);

	if (rc != want) {
		w_fail(w, "set_memory_region rc %lld, model %lld", (u64)rc,
		       (u64)want);
		free(r.dirty_bitmap);
		return;
	}
	if (rc || none) {
		take_snap(w, &after);
		if (!snap_eq(&before, &after))
			w_fail(w, "failed/no-op set (rc %lld) changed state",
			       (u64)rc, 0);
		w->errors += rc != 0;
		w->err_by_code[-rc & 127] += rc != 0;
		free(r.dirty_bitmap);
		return;
	}
	if (!c.dirty_bitmap_taken)
		free(r.dirty_bitmap);
	free(c.dirty_bitmap_released);
	w->m.generation++;
	struct mslot *ms = &w->m.s[id];
	bool was_logging = ms->used && m_logging(ms);

	if (!r.size) {
		ms->used = false;
		return;
	}
	if (!ms->used)
		memset(ms->dirty, 0, sizeof(ms->dirty));
	ms->used = true;
	ms->gfn = r.gpa >> 12;
	ms->npages = r.size >> 12;
	ms->off = r.pool_offset;
	ms->flags = r.flags;
	ms->lock = 0;
	if (!m_logging(ms) || !was_logging)
		memset(ms->dirty, 0, sizeof(ms->dirty));
}

static void op_lock(struct world *w, struct rng *rs)
{
	u32 id = (u32)rng_below(rs, NSLOTS + 1);
	u32 mode = rng_below(rs, 8) ? (u32)(1 + 2 * rng_below(rs, 2)) / 1 : 2;
	const struct mslot *s = id < NSLOTS ? &w->m.s[id] : NULL;
	int want;
	static struct snap before, after;

	mode = mode == 3 ? (MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE) : mode;
	if (mode != MEMSLOT_LOCK_READ &&
	    mode != (MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE))
		want = -EINVAL;
	else if (id >= NSLOTS)
		want = -EINVAL;
	else if (!s->used)
		want = -ENOENT;
	else if ((mode & MEMSLOT_LOCK_WRITE) && (s->flags & MEM_READONLY))
		want = -EPERM;
	else if (s->lock)
		want = -EBUSY;
	else
		want = 0;
	/* now and then a tight table-page pool */
	bool tight = rng_below(rs, 8) == 0;

	w->hp.limit = !tight		 ? 0
		      : rng_below(rs, 4) ? w->hp.live + rng_below(rs, 4)
					 : 1;
	take_snap(w, &before);
	int rc = vm_lock_memslot(&w->vm, id, mode);

	w->hp.limit = 0;
	if (rc == -ENOMEM && want == 0 && tight) {
		w->enomem++;
		if (memslot_get(&w->t, id)->lock)
			w_fail(w, "slot %llu locked after -ENOMEM", id, 0);
		return;
	}
	if (rc != want) {
		w_fail(w, "lock rc %lld, model %lld", (u64)rc, (u64)want);
		return;
	}
	if (rc) {
		take_snap(w, &after);
		if (!snap_eq(&before, &after))
			w_fail(w, "failed lock (rc %lld) changed state",
			       (u64)rc, 0);
		w->errors++;
		w->err_by_code[-rc & 127]++;
		return;
	}
	w->m.s[id].lock = mode;
}

static void op_unlock(struct world *w, struct rng *rs)
{
	u32 id = rng_below(rs, 4) ? (u32)rng_below(rs, NSLOTS + 1)
				  : MEMSLOT_UNLOCK_ALL;
	int want = 0;
	static struct snap before, after;

	if (id == MEMSLOT_UNLOCK_ALL) {
		for (u32 i = 0; i < NSLOTS; i++)
			want += w->m.s[i].used && w->m.s[i].lock;
	} else if (id >= NSLOTS) {
		want = -EINVAL;
	} else if (!w->m.s[id].used) {
		want = -ENOENT;
	} else if (!w->m.s[id].lock) {
		want = -EINVAL;
	}
	take_snap(w, &before);
	int rc = vm_unlock_memslot(&w->vm, id);

	if (rc != want) {
		w_fail(w, "unlock rc %lld, model %lld", (u64)rc, (u64)want);
		return;
	}
	if (rc < 0) {
		take_snap(w, &after);
		if (!snap_eq(&before, &after))
			w_fail(w, "failed unlock changed state", 0, 0);
		w->errors++;
		w->err_by_code[-rc & 127]++;
		return;
	}
	for (u32 i = 0; i < NSLOTS; i++)
		if (id == MEMSLOT_UNLOCK_ALL || id == i)
			w->m.s[i].lock = 0;
}

/* A guest access as the CPU performs it: native if the EPT allows it,
 * else the exit the entry causes, until it completes or goes to MMIO. */
static void op_access(struct world *w, struct rng *rs)
{
	u64 gfn = rng_below(rs, SPACE_PG);
	gpa_t gpa = (gfn << 12) | rng_below(rs, 4096);
	u32 acc = (u32)BIT(rng_below(rs, 3));
	u64 need = acc == EPT_ACC_READ	  ? EPT_R
		   : acc == EPT_ACC_WRITE ? EPT_W
					  : EPT_X;
	int id;
	const struct mslot *s = m_find(&w->m, gfn, &id);
	bool want_mmio =
	    !s || (acc == EPT_ACC_WRITE && (s->flags & MEM_READONLY));
	bool tight = rng_below(rs, 32) == 0;
	static struct snap before, after;

	for (int step = 0;; step++) {
		u64 pte, contig;
		unsigned lvl;
		int rc;

		if (step > 4) {
			w_fail(w, "access at %#llx does not converge", gpa, 0);
			return;
		}
		if (pt_lookup(&w->vm.ept.pt, gpa, &pte, &lvl) == 0) {
			if (ept_is_mmio(pte)) {
				w->misconf++;
				rc = vm_ept_misconfig(&w->vm, gpa);
				if (rc == EPT_FAULT_RETRY) {
					w->retries++;
					continue;
				}
				if (rc != EPT_FAULT_MMIO || !want_mmio)
					w_fail(w, "misconfig at %#llx: rc %lld",
					       gpa, (u64)rc);
				w->mmio++;
				return;
			}
			if ((pte & need) == need) {
				/* native access: check it hits the right frame */
				hpa_t h =
				    pt_leaf_pa(&ept_format_4level, pte, lvl) +
				    (gpa & (pt_level_size(lvl) - 1));
				if (want_mmio ||
				    h != env_pool_hpa(
					     &w->env,
					     s->off + ((gfn - s->gfn) << 12),
					     &contig) +
					     (gpa & 0xFFF))
					w_fail(w,
					       "native access at %#llx wrong",
					       gpa, h);
				if (acc == EPT_ACC_WRITE && m_logging(s) &&
				    !s->dirty[gfn - s->gfn])
					w_fail(w, "write to %#llx not logged",
					       gpa, 0);
				w->ram++;
				return;
			}
		}
		/* tight: no page beyond those in use (a reclaim makes room)
		 * or none at all (-ENOMEM even after the reclaim) */
		if (tight)
			w->hp.limit = rng_below(rs, 2) ? w->hp.live : 1;
		take_snap(w, &before);
		u64 reclaims = w->vm.reclaims;

		rc = vm_ept_violation(&w->vm, gpa, acc);
		w->hp.limit = 0;
		/* An empty pool: what the EPT only caches is dropped and the
		 * fault tried again; -ENOMEM only if that freed nothing or
		 * the locked slots' leaves leave no room. */
		if (rc == -ENOMEM && tight) {
			take_snap(w, &after);
			if (w->vm.reclaims == reclaims
				? !snap_eq(&before, &after)
				: !only_locked_leaves(w))
				w_fail(w,
				       "-ENOMEM fault at %#llx: EPT left "
				       "wrong",
				       gpa, 0);
			w->enomem++;
			return;
		}
		if (w->vm.reclaims != reclaims)
			w->reclaimed++;
		if (rc == EPT_FAULT_MMIO) {
			if (!want_mmio)
				w_fail(w, "RAM gpa %#llx went to MMIO", gpa, 0);
			if (s) { /* write to read-only: mapping unchanged */
				take_snap(w, &after);
				if (!snap_eq(&before, &after))
					w_fail(w,
					       "RO write at %#llx changed EPT",
					       gpa, 0);
			}
			w->mmio++;
			return;
		}
		if (rc != EPT_FAULT_FIXED || want_mmio) {
			w_fail(w, "violation at %#llx: rc %lld", gpa, (u64)rc);
			return;
		}
		if (acc == EPT_ACC_WRITE && m_logging(s))
			w->m.s[id].dirty[gfn - s->gfn] = true;
	}
}

static void op_dirty_log(struct world *w, struct rng *rs)
{
	u32 id = (u32)rng_below(rs, NSLOTS + 1);
	static u64 out[MAXBITMAP];
	int want = 0;
	static struct snap before, after;

	if (id >= NSLOTS)
		want = -EINVAL;
	else if (!w->m.s[id].used)
		want = -ENOENT;
	else if (!(w->m.s[id].flags & MEM_LOG_DIRTY_PAGES))
		want = -ENOENT;
	take_snap(w, &before);
	int rc = vm_get_dirty_log(&w->vm, id, out);

	if (rc != want) {
		w_fail(w, "get_dirty_log rc %lld, model %lld", (u64)rc,
		       (u64)want);
		return;
	}
	if (rc) {
		take_snap(w, &after);
		if (!snap_eq(&before, &after))
			w_fail(w, "failed get_dirty_log changed state", 0, 0);
		w->errors++;
		w->err_by_code[-rc & 127]++;
		return;
	}
	struct mslot *s = &w->m.s[id];

	for (u64 i = 0; i < s->npages; i++) {
		bool got = out[i / 64] & BIT(i % 64);

		if (got != (m_logging(s) && s->dirty[i]))
			w_fail(w, "dirty log of slot %llu page %llu", id, i);
		s->dirty[i] = false;
	}
	w->logs++;
}

/* ------------------------------------------------------------ driver */

static void world_init(struct world *w, u64 seed)
{
	unsigned n = POOL_SIZE / CHUNK;
	struct rng s;

	memset(w, 0, sizeof(*w));
	rng_seed(&s, seed);
	for (unsigned i = 0; i < n; i++)
		w->env.perm[i] = i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)rng_below(&s, i + 1), t = w->env.perm[i];

		w->env.perm[i] = w->env.perm[j];
		w->env.perm[j] = t;
	}
	w->tstore =
	    aligned_alloc(64, ALIGN_UP(memslot_table_storage_size(NSLOTS), 64));
	if (memslot_table_init(&w->t, w->tstore, NSLOTS, POOL_SIZE,
			       SPACE_PG << 12) ||
	    vm_memory_init(&w->vm, &w->t, POOL_SIZE, &host_pool_ops, &w->hp,
			   &env_ept_ops, &w->env, EPT_CAP_2M | EPT_CAP_1G,
			   &env_vm_ops, &w->env))
		abort();
	w->m.generation = memslot_generation(&w->t);
}

static void world_fini(struct world *w)
{
	for (u32 i = 0; i < NSLOTS; i++) {
		const struct memslot *ms = memslot_get(&w->t, i);

		if (ms)
			free(ms->dirty_bitmap);
	}
	vm_memory_destroy(&w->vm);
	free(w->tstore);
}

/* The 12 generation bits in MMIO entries wrap: every wrap zaps them all. */
static void test_generation_wrap(void)
{
	static struct world w;
	struct memslot_change c;
	struct memslot_region r = {.slot = 1, .gpa = 16 << 20, .size = 4096};
	u64 old, pte;
	bool ok = true, looked_current = false; /* zap at the right time */
	unsigned lvl;

	world_init(&w, 1);
	/* a slot at 16M keeps the MMIO entry at 0 to 2M (no 1G leaf) */
	ok &= vm_set_memory_region(&w.vm, &r, &c) == 0;
	ok &= vm_ept_violation(&w.vm, 0x1000, EPT_ACC_READ) == EPT_FAULT_MMIO;
	ok &= pt_lookup(&w.vm.ept.pt, 0x1000, &old, &lvl) == 0 &&
	      ept_is_mmio(old);
	for (u64 i = 0; i <= EPT_MMIO_GEN_MASK && ok; i++) {
		r.size = (i & 1) ? 4096 : 0;
		ok &= vm_set_memory_region(&w.vm, &r, &c) == 0;
		if (pt_lookup(&w.vm.ept.pt, 0x1000, &pte, &lvl) == 0) {
			ok &= pte == old &&
			      !ept_mmio_current(pte, memslot_generation(&w.t));
		} else {
			/* zapped when the low bits wrapped, before the
			 * entry's generation could come round again */
			u64 g = memslot_generation(&w.t);

			looked_current =
			    (g & EPT_MMIO_GEN_MASK) == 0 &&
			    ept_mmio_current(old, g + ept_mmio_gen(old));
			break;
		}
	}
	ok &= looked_current && w.vm.mmio_wraps == 1;
	ok &= vm_ept_violation(&w.vm, 0x1000, EPT_ACC_READ) == EPT_FAULT_MMIO &&
	      vm_ept_misconfig(&w.vm, 0x1000) == EPT_FAULT_MMIO;
	world_fini(&w);
	tap_ok(ok,
	       "MMIO generation wrap after %llu changes zaps every MMIO entry",
	       (unsigned long long)EPT_MMIO_GEN_MASK + 1);
}

/*
 * The table pool is a cache budget: 4 KiB slots 2 MiB apart, and the hole
 * next to each touched, need one page table each, far more than the pool
 * holds. MMIO entries and unlocked leaves are reclaimed, so every access
 * resolves; locked slots keep theirs, and a lock that cannot fit is
 * -ENOMEM with nothing locked.
 */
static void test_reclaim(void)
{
	static struct world w;
	struct memslot_change c;
	const u64 limit = 6; /* root, PDPT, PD and three page tables */
	bool ok = true;
	int rc;
	u32 locked = 0;

	world_init(&w, 2);
	for (u32 i = 1; i < NSLOTS; i++) {
		struct memslot_region r = {.slot = i,
					   .gpa = (u64)i * SIZE_2M,
					   .size = 4096,
					   .pool_offset = (u64)i * 4096};

		ok &= vm_set_memory_region(&w.vm, &r, &c) == 0;
		w.m.s[i] = (struct mslot){.used = true,
					  .gfn = r.gpa >> 12,
					  .npages = 1,
					  .off = r.pool_offset};
	}
	w.m.generation = memslot_generation(&w.t);
	w.hp.limit = limit;
	for (int round = 0; round < 3 && ok; round++)
		for (u32 i = 1; i < NSLOTS; i++) {
			gpa_t g = (u64)i * SIZE_2M;

			ok &= vm_ept_violation(&w.vm, g + 4096, EPT_ACC_READ) ==
			      EPT_FAULT_MMIO;
			ok &= vm_ept_violation(&w.vm, g, EPT_ACC_WRITE) ==
			      EPT_FAULT_FIXED;
		}
	tap_ok(ok && w.vm.reclaims > 0 && w.hp.live <= limit,
	       "%u 4 KiB slots 2 MiB apart and their holes, pool of %llu "
	       "table pages: every access resolves (%llu reclaims)",
	       NSLOTS - 1, (unsigned long long)limit,
	       (unsigned long long)w.vm.reclaims);
	/* room for two more page tables beyond the headroom locks keep */
	w.hp.limit = w.hp.live + VM_LOCK_HEADROOM + 2;
	for (u32 i = 1; i < NSLOTS; i++) {
		rc = vm_lock_memslot(&w.vm, i, MEMSLOT_LOCK_READ);
		if (rc)
			break;
		w.m.s[i].lock = MEMSLOT_LOCK_READ;
		locked++;
	}
	ok = rc == -ENOMEM && locked > 0 && locked < NSLOTS - 1 &&
	     !memslot_get(&w.t, locked + 1)->lock;
	/* with the share full of locked leaves but the headroom, every
	 * access resolves and locked leaves survive the reclaims */
	w.hp.limit = w.hp.live + VM_LOCK_HEADROOM;
	for (int round = 0; round < 3 && ok; round++)
		for (u32 i = 1; i < NSLOTS; i++) {
			gpa_t g = (u64)i * SIZE_2M;
			u64 pte;
			unsigned lvl;

			ok &= vm_ept_violation(&w.vm, g + 4096, EPT_ACC_READ) ==
			      EPT_FAULT_MMIO;
			ok &= vm_ept_violation(&w.vm, g, EPT_ACC_READ) ==
			      EPT_FAULT_FIXED;
			ok &= i > locked ||
			      (pt_lookup(&w.vm.ept.pt,
					 (u64)(i % locked + 1) * SIZE_2M, &pte,
					 &lvl) == 0 &&
			       !ept_is_mmio(pte));
		}
	tap_ok(ok,
	       "locks fit %u slots and keep %u pages free, the next is "
	       "-ENOMEM and unlocked; every access still resolves, locked "
	       "leaves survive reclaims",
	       locked, VM_LOCK_HEADROOM);
	w.hp.limit = 0;
	check_all(&w);
	tap_ok(!w.fail, "EPT consistent after reclaims%s%s", w.fail ? ": " : "",
	       w.fail ? w.why : "");
	world_fini(&w);
}

int main(void)
{
	static struct world w;
	struct rng rs;
	u64 seed = rng_seed_env(&rs, rng_clock_seed());
	u64 iters = env_u64("MICA_ITERS", 100000);
	u64 maxtables = 0, large = 0;

	tap_diag("seed %llu iters %llu (MICA_SEED / MICA_ITERS override)",
		 (unsigned long long)seed, (unsigned long long)iters);
	world_init(&w, rng_next(&rs));
	for (u64 it = 0; it < iters && !w.fail; it++) {
		unsigned op = (unsigned)rng_below(&rs, 100);

		if (op < 12)
			op_set(&w, &rs);
		else if (op < 18)
			op_lock(&w, &rs);
		else if (op < 23)
			op_unlock(&w, &rs);
		else if (op < 28)
			op_dirty_log(&w, &rs);
		else
			op_access(&w, &rs);
		w.ops++;
		check_all(&w);
		if (w.fail)
			tap_diag("first failure at op %llu: %s",
				 (unsigned long long)it, w.why);
		maxtables = MAX(maxtables, w.vm.ept.pt.nr_tables);
		u64 pte;
		unsigned lvl;
		if (pt_lookup(&w.vm.ept.pt, rng_below(&rs, SPACE_PG) << 12,
			      &pte, &lvl) == 0 &&
		    lvl > 0 && !ept_is_mmio(pte))
			large++;
	}
	tap_ok(!w.fail,
	       "%llu random ops: ept_check and every GPA vs model after each "
	       "(%llu error paths unchanged, %llu native/RAM, %llu MMIO, "
	       "%llu misconfig, %llu stale-gen retries, %llu -ENOMEM, "
	       "%llu mapped after a reclaim, %llu dirty logs)",
	       (unsigned long long)w.ops, (unsigned long long)w.errors,
	       (unsigned long long)w.ram, (unsigned long long)w.mmio,
	       (unsigned long long)w.misconf, (unsigned long long)w.retries,
	       (unsigned long long)w.enomem, (unsigned long long)w.reclaimed,
	       (unsigned long long)w.logs);
	tap_ok(w.retries > 0 && w.enomem > 0 && w.reclaimed > 0 && large > 0 &&
		   w.logs > 0,
	       "coverage: stale MMIO, -ENOMEM, 2M leaves (%llu samples), "
	       "generation wraps %llu, max %llu table pages, %llu flushes",
	       (unsigned long long)large, (unsigned long long)w.vm.mmio_wraps,
	       (unsigned long long)maxtables,
	       (unsigned long long)w.env.flushes);
	const u64 *e = w.err_by_code;
	tap_ok(e[EINVAL] && e[EEXIST] && e[EBUSY] && e[ENOENT] && e[EPERM] &&
		   e[ENOMEM],
	       "error paths taken: EINVAL %llu, EEXIST %llu, EBUSY %llu, "
	       "ENOENT %llu, EPERM %llu, ENOMEM (bitmap) %llu",
	       (unsigned long long)e[EINVAL], (unsigned long long)e[EEXIST],
	       (unsigned long long)e[EBUSY], (unsigned long long)e[ENOENT],
	       (unsigned long long)e[EPERM], (unsigned long long)e[ENOMEM]);
	world_fini(&w);
	tap_ok(w.hp.live == 0, "all table pages freed on destroy");
	test_generation_wrap();
	test_reclaim();
	return tap_done();
}
