/* SPDX-License-Identifier: MIT */
/*
 * Memslot table against a reference model: random sequences of
 * set_memory_region (create, delete, move, flag toggle, and malformed
 * requests of every kind), lock, unlock, UNLOCK_ALL, dirty marking and
 * harvesting, on a small guest address space so overlaps are frequent. The
 * model is a flat array of slots indexed by id, validated and searched
 * linearly. After every operation: return code, change report and
 * generation match the model, and random GPAs resolve as the model says;
 * periodically every frame of the space and every slot record are compared
 * and the table's structural invariants checked. Seeded (MICA_SEED), length
 * MICA_ITERS operations per configuration.
 */
#include "test/unit/support/memslot_test_util.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

#define MAX_ID	  512
#define MAX_WORDS 8 /* dirty bitmap words per slot: up to 512 pages */

static struct rng rng;

struct model_slot {
	bool used;
	gfn_t gfn;
	u64 npages, off;
	u32 flags, lock;
	u64 *bitmap;
	u64 dirty[MAX_WORDS];
	u32 *spp;
};

struct config {
	const char *name;
	u32 max_slots;	 /* table size */
	u64 space_pages; /* gpa limit, in pages */
	u64 pool_pages;	 /* pool size, in pages */
	u64 max_npages;	 /* largest slot, <= 64 * MAX_WORDS */
	u64 default_iters;
};

struct world {
	const struct config *cfg;
	struct fixture f;
	struct model_slot m[MAX_ID];
	u64 gen;
	u64 storage[MAX_ID][MAX_WORDS];
	u64 ops[8], errs[8], mismatches, lookups;
	u64 set_err[64], set_kind[8]; /* by -errno, by change kind */
};

static bool model_logging(const struct model_slot *s)
{
	return (s->flags & MEM_LOG_DIRTY_PAGES) && !(s->flags & MEM_READONLY);
}

/* Linear search: the id covering @gfn, or -1. */
static int model_find(const struct world *w, gfn_t gfn)
{
	for (u32 i = 0; i < w->cfg->max_slots; i++) {
		const struct model_slot *s = &w->m[i];

		if (s->used && gfn >= s->gfn && gfn < s->gfn + s->npages)
			return (int)i;
	}
	return -1;
}

static bool model_overlap(const struct world *w, u32 self, gfn_t gfn,
			  u64 npages)
{
	for (u32 i = 0; i < w->cfg->max_slots; i++) {
		const struct model_slot *s = &w->m[i];

		if (i != self && s->used && gfn < s->gfn + s->npages &&
		    s->gfn < gfn + npages)
			return true;
	}
	return false;
}

/* docs/memslots.md, "set_memory_region", in order. */
static int model_set_result(const struct world *w,
			    const struct memslot_region *r,
			    enum memslot_change_kind *kind)
{
	const u64 pool = w->cfg->pool_pages * PAGE_SIZE;
	const struct model_slot *o;
	bool was, will;

	if (r->flags & ~3u)
		return -EINVAL;
	if ((r->gpa | r->size | r->pool_offset) & 0xFFF)
		return -EINVAL;
	if (r->slot >= w->cfg->max_slots)
		return -EINVAL;
	if (r->gpa + r->size < r->gpa)
		return -EINVAL;
	o = &w->m[r->slot];
	if (o->used && o->lock)
		return -EBUSY;
	if (!r->size) {
		*kind = MEMSLOT_CHANGE_DELETE;
		return o->used ? 0 : -EINVAL;
	}
	if (r->pool_offset > pool || r->size > pool - r->pool_offset)
		return -EINVAL;
	if (r->gpa + r->size > w->cfg->space_pages * PAGE_SIZE)
		return -EINVAL;
	if (!o->used) {
		*kind = MEMSLOT_CHANGE_CREATE;
	} else {
		if (o->npages * PAGE_SIZE != r->size ||
		    o->off != r->pool_offset ||
		    ((o->flags ^ r->flags) & MEM_READONLY))
			return -EINVAL;
		*kind = o->gfn != r->gpa >> 12 ? MEMSLOT_CHANGE_MOVE
			: o->flags != r->flags ? MEMSLOT_CHANGE_FLAGS
					       : MEMSLOT_CHANGE_NONE;
	}
	if ((*kind == MEMSLOT_CHANGE_CREATE || *kind == MEMSLOT_CHANGE_MOVE) &&
	    model_overlap(w, r->slot, r->gpa >> 12, r->size >> 12))
		return -EEXIST;
	was = o->used && model_logging(o);
	will = (r->flags & MEM_LOG_DIRTY_PAGES) && !(r->flags & MEM_READONLY);
	if (will && !was && !r->dirty_bitmap)
		return -ENOMEM;
	return 0;
}

static void model_apply(struct world *w, const struct memslot_region *r,
			enum memslot_change_kind kind)
{
	struct model_slot *s = &w->m[r->slot];
	bool was = s->used && model_logging(s);

	if (kind == MEMSLOT_CHANGE_NONE)
		return;
	w->gen++;
	if (kind == MEMSLOT_CHANGE_DELETE) {
		memset(s, 0, sizeof(*s));
		return;
	}
	s->used = true;
	s->gfn = r->gpa >> 12;
	s->npages = r->size >> 12;
	s->off = r->pool_offset;
	s->flags = r->flags;
	if (model_logging(s) && !was) {
		s->bitmap = r->dirty_bitmap;
		memset(s->dirty, 0, sizeof(s->dirty));
	} else if (!model_logging(s)) {
		s->bitmap = NULL;
	}
}

static u64 rnd_gfn(const struct world *w)
{
	return rng_below(&rng, w->cfg->space_pages + 4);
}

/* A request: mostly plausible, sometimes malformed in one way. */
static struct memslot_region random_region(struct world *w)
{
	struct memslot_region r = {0};
	u32 id = (u32)rng_below(&rng, w->cfg->max_slots + 2);
	const struct model_slot *o = &w->m[id < MAX_ID ? id : 0];
	u64 pool = w->cfg->pool_pages, k = rng_below(&rng, 100);

	r.slot = id;
	r.flags = (u32)rng_below(&rng, 4);
	r.dirty_bitmap = rng_below(&rng, 10) ? w->storage[id % MAX_ID] : NULL;
	if (o->used && id < w->cfg->max_slots && k < 85) {
		/* Existing slot: move, toggle, delete, or same. */
		r.gpa = o->gfn << 12;
		r.size = o->npages << 12;
		r.pool_offset = o->off;
		r.flags = o->flags;
		if (k < 25)
			r.gpa = rnd_gfn(w) << 12;
		else if (k < 40)
			r.flags ^= MEM_LOG_DIRTY_PAGES;
		else if (k < 52)
			r.size = 0;
		else if (k < 54)
			r.flags ^= MEM_READONLY;
		else if (k < 56)
			r.size += PAGE_SIZE;
		else if (k < 58)
			r.pool_offset += PAGE_SIZE;
		return r;
	}
	r.gpa = rnd_gfn(w) << 12;
	r.size = (1 + rng_below(&rng, w->cfg->max_npages)) << 12;
	r.pool_offset = rng_below(&rng, 8)
			    ? rng_below(&rng, pool - (r.size >> 12) + 1) << 12
			    : rng_below(&rng, pool + 2) << 12;
	switch (rng_below(&rng, 40)) {
	case 0:
		r.flags |= 1u << (2 + rng_below(&rng, 30));
		break;
	case 1:
		r.gpa += 1 + rng_below(&rng, 4095);
		break;
	case 2:
		r.size += 1 + rng_below(&rng, 4095);
		break;
	case 3:
		r.pool_offset |= 1 + rng_below(&rng, 4095);
		break;
	case 4:
		r.gpa = ~0ULL << (12 + rng_below(&rng, 20));
		break;
	case 5:
		r.size = 0;
		break;
	case 6:
		r.slot = (u32)rng_next(&rng);
		break;
	}
	return r;
}

static void check(struct world *w, bool ok, const char *what, u64 op)
{
	if (ok)
		return;
	if (w->mismatches++ < 10)
		tap_diag("%s: mismatch at op %llu: %s", w->cfg->name,
			 (unsigned long long)op, what);
}

static void op_set(struct world *w, u64 op)
{
	struct memslot_region r = random_region(w);
	enum memslot_change_kind kind = MEMSLOT_CHANGE_NONE;
	int want = model_set_result(w, &r, &kind), got;
	struct model_slot old =
	    r.slot < MAX_ID ? w->m[r.slot] : (struct model_slot){0};
	struct memslot_change c;

	got = memslot_set(&w->f.t, &r, &c);
	w->ops[0]++;
	w->errs[0] += got != 0;
	if (got)
		w->set_err[-got & 63]++;
	else
		w->set_kind[c.kind]++;
	check(w, got == want, "set_memory_region result", op);
	if (got || want)
		return;
	model_apply(w, &r, kind);
	check(w, c.kind == kind && c.generation_after == w->gen,
	      "change kind / generation", op);
	check(w,
	      c.old_gfn == (old.used ? old.gfn : 0) &&
		  c.old_npages == (old.used ? old.npages : 0),
	      "change old range", op);
	check(w,
	      c.new_gfn == (r.size ? r.gpa >> 12 : 0) &&
		  c.new_npages == r.size >> 12,
	      "change new range", op);
	check(w,
	      c.dirty_bitmap_released ==
		  (old.bitmap && !w->m[r.slot].bitmap ? old.bitmap : NULL),
	      "released dirty bitmap", op);
}

static void op_lock(struct world *w, u64 op)
{
	static const u32 modes[] = {1, 3, 1, 3, 0, 2, 7};
	u32 id = (u32)rng_below(&rng, w->cfg->max_slots + 2);
	u32 mode = modes[rng_below(&rng, ARRAY_SIZE(modes))];
	struct model_slot *s = &w->m[id % MAX_ID];
	int want, got;

	if (mode != 1 && mode != 3)
		want = -EINVAL;
	else if (id >= w->cfg->max_slots)
		want = -EINVAL;
	else if (!s->used)
		want = -ENOENT;
	else if ((mode & 2) && (s->flags & MEM_READONLY))
		want = -EPERM;
	else
		want = s->lock ? -EBUSY : 0;
	got = memslot_lock(&w->f.t, id, mode);
	w->ops[1]++;
	w->errs[1] += got != 0;
	check(w, got == want, "lock result", op);
	if (!want && !got)
		s->lock = mode;
}

static void op_unlock(struct world *w, u64 op)
{
	u32 id = rng_below(&rng, 20)
		     ? (u32)rng_below(&rng, w->cfg->max_slots + 2)
		     : MEMSLOT_UNLOCK_ALL;
	int want = 0, got;

	if (id == MEMSLOT_UNLOCK_ALL) {
		for (u32 i = 0; i < w->cfg->max_slots; i++) {
			want += w->m[i].used && w->m[i].lock;
			w->m[i].lock = 0;
		}
	} else if (id >= w->cfg->max_slots) {
		want = -EINVAL;
	} else if (!w->m[id].used) {
		want = -ENOENT;
	} else if (!w->m[id].lock) {
		want = -EINVAL;
	} else {
		w->m[id].lock = 0;
	}
	got = memslot_unlock(&w->f.t, id);
	w->ops[2]++;
	w->errs[2] += got < 0;
	check(w, got == want, "unlock result", op);
}

static void op_mark_dirty(struct world *w, u64 op)
{
	gfn_t g = rnd_gfn(w);
	const struct memslot *s = memslot_find(&w->f.t, g);
	int id = model_find(w, g);

	w->ops[3]++;
	check(w, (s ? (int)s->id : -1) == id, "lookup before mark", op);
	if (!s || id < 0 || (int)s->id != id)
		return;
	memslot_mark_dirty(s, g);
	if (model_logging(&w->m[id])) {
		u64 i = g - w->m[id].gfn;

		w->m[id].dirty[i / 64] |= BIT(i % 64);
	}
}

static void op_get_dirty_log(struct world *w, u64 op)
{
	u32 id = (u32)rng_below(&rng, w->cfg->max_slots + 2);
	struct model_slot *s = &w->m[id % MAX_ID];
	u64 out[MAX_WORDS];
	int want, got;

	if (id >= w->cfg->max_slots)
		want = -EINVAL;
	else if (!s->used || !(s->flags & MEM_LOG_DIRTY_PAGES))
		want = -ENOENT;
	else
		want = 0;
	memset(out, 0xA5, sizeof(out));
	got = memslot_get_dirty_log(&w->f.t, id, out);
	w->ops[4]++;
	w->errs[4] += got != 0;
	check(w, got == want, "get_dirty_log result", op);
	if (got || want)
		return;
	for (u64 i = 0; i < memslot_dirty_bitmap_words(s->npages); i++)
		check(w, out[i] == s->dirty[i], "dirty log contents", op);
	memset(s->dirty, 0, sizeof(s->dirty));
}

/* Every frame of the space, every slot record, table invariants. */
static void full_compare(struct world *w, u64 op)
{
	const char *why = table_check(&w->f.t);

	check(w, !why, why ? why : "", op);
	check(w, memslot_generation(&w->f.t) == w->gen, "generation", op);
	u64 frames = w->cfg->space_pages + 4;
	int *owner = malloc(frames * sizeof(*owner));

	/* Owner of each frame, painted from the model's slots. */
	for (gfn_t g = 0; g < frames; g++)
		owner[g] = -1;
	for (u32 i = 0; i < w->cfg->max_slots; i++)
		for (u64 k = 0; w->m[i].used && k < w->m[i].npages; k++)
			owner[w->m[i].gfn + k] = (int)i;
	for (gfn_t g = 0; g < frames; g++) {
		const struct memslot *s = memslot_find(&w->f.t, g);

		check(w, (s ? (int)s->id : -1) == owner[g], "full-space lookup",
		      op);
	}
	free(owner);
	for (u32 i = 0; i < w->cfg->max_slots; i++) {
		const struct memslot *s = memslot_get(&w->f.t, i);
		const struct model_slot *m = &w->m[i];

		check(w, !!s == m->used, "slot presence", op);
		if (s && m->used)
			check(w,
			      s->base_gfn == m->gfn && s->npages == m->npages &&
				  s->pool_offset == m->off &&
				  s->flags == m->flags && s->lock == m->lock &&
				  s->dirty_bitmap == m->bitmap,
			      "slot record", op);
	}
}

static void run(const struct config *cfg)
{
	struct world *w = calloc(1, sizeof(*w));
	u64 iters = env_u64("MICA_ITERS", cfg->default_iters);

	w->cfg = cfg;
	fixture_init(&w->f, cfg->max_slots, cfg->pool_pages * PAGE_SIZE,
		     cfg->space_pages * PAGE_SIZE);
	for (u64 op = 0; op < iters; op++) {
		u64 k = rng_below(&rng, 100);

		if (k < 55)
			op_set(w, op);
		else if (k < 65)
			op_lock(w, op);
		else if (k < 75)
			op_unlock(w, op);
		else if (k < 92)
			op_mark_dirty(w, op);
		else
			op_get_dirty_log(w, op);
		for (u32 i = 0; i < 4; i++, w->lookups++) {
			gfn_t g = rnd_gfn(w);
			u64 off = ~0ULL;
			const struct memslot *s =
			    memslot_translate(&w->f.t, g << 12 | 0x123, &off);
			int id = model_find(w, g);

			check(w, (s ? (int)s->id : -1) == id, "lookup", op);
			if (s && id >= 0)
				check(w,
				      off == w->m[id].off +
						 ((g - w->m[id].gfn) << 12) +
						 0x123,
				      "pool offset", op);
		}
		if (op % 64 == 0 || op == iters - 1)
			full_compare(w, op);
	}
	tap_ok(!w->mismatches,
	       "%s: %llu ops (set %llu/%llu failed, lock %llu/%llu, unlock "
	       "%llu/%llu, mark %llu, log %llu/%llu), %llu lookups, %llu "
	       "mismatches",
	       cfg->name, (unsigned long long)iters,
	       (unsigned long long)w->errs[0], (unsigned long long)w->ops[0],
	       (unsigned long long)w->errs[1], (unsigned long long)w->ops[1],
	       (unsigned long long)w->errs[2], (unsigned long long)w->ops[2],
	       (unsigned long long)w->ops[3], (unsigned long long)w->errs[4],
	       (unsigned long long)w->ops[4], (unsigned long long)w->lookups,
	       (unsigned long long)w->mismatches);
	tap_diag("%s: set ok: create %llu delete %llu move %llu flags %llu "
		 "none %llu; failed: EINVAL %llu EEXIST %llu EBUSY %llu "
		 "ENOMEM %llu",
		 cfg->name,
		 (unsigned long long)w->set_kind[MEMSLOT_CHANGE_CREATE],
		 (unsigned long long)w->set_kind[MEMSLOT_CHANGE_DELETE],
		 (unsigned long long)w->set_kind[MEMSLOT_CHANGE_MOVE],
		 (unsigned long long)w->set_kind[MEMSLOT_CHANGE_FLAGS],
		 (unsigned long long)w->set_kind[MEMSLOT_CHANGE_NONE],
		 (unsigned long long)w->set_err[EINVAL],
		 (unsigned long long)w->set_err[EEXIST],
		 (unsigned long long)w->set_err[EBUSY],
		 (unsigned long long)w->set_err[ENOMEM]);
	fixture_fini(&w->f);
	free(w);
}

static const struct config configs[] = {
    {.name = "16 slots, 256 pages",
     .max_slots = 16,
     .space_pages = 256,
     .pool_pages = 128,
     .max_npages = 32,
     .default_iters = 200000},
    {.name = "512 slots, 16384 pages",
     .max_slots = 512,
     .space_pages = 16384,
     .pool_pages = 1024,
     .max_npages = 512,
     .default_iters = 50000},
};

int main(void)
{
	u64 seed = rng_seed_env(&rng, rng_clock_seed());

	tap_diag("seed 0x%llx (MICA_SEED to reproduce, MICA_ITERS for length)",
		 (unsigned long long)seed);
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++)
		run(&configs[i]);
	return tap_done();
}
