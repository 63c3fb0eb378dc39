/* SPDX-License-Identifier: MIT */
/*
 * Memslot table: every documented error path (code returned, whole table
 * unchanged), the change reports and generation of each successful kind,
 * lock/unlock, dirty-log and SPP storage ownership. Lookups are tested in
 * test_memslot_lookup.c, random sequences against a reference model in
 * test_memslot_random.c.
 */
#include "test/unit/support/memslot_test_util.h"
#include "test/unit/support/tap.h"

#define MIB	  (1ULL << 20)
#define POOL	  (64 * MIB)
#define GPA_LIMIT (1ULL << 36)
#define NSLOTS	  64

static u64 bitmaps[NSLOTS][64]; /* dirty storage, 4096 pages per slot */

static struct memslot_region region(u32 slot, u32 flags, gpa_t gpa, u64 size,
				    u64 off)
{
	return (struct memslot_region){
	    .slot = slot,
	    .flags = flags,
	    .gpa = gpa,
	    .size = size,
	    .pool_offset = off,
	    .dirty_bitmap = slot < NSLOTS ? bitmaps[slot] : NULL};
}

static int set(struct fixture *f, struct memslot_region r)
{
	struct memslot_change c;

	return memslot_set(&f->t, &r, &c);
}

/*
 * The fixture of the error tests:
 *   slot 0  [1M, 2M)   pool 0     rw
 *   slot 1  [4M, 6M)   pool 1M    read-only
 *   slot 2  [16M, +256K) pool 3M  dirty logging
 *   slot 3  [32M, 33M) pool 4M    rw, locked R
 *   slot 4  [40M, 41M) pool 5M    read-only | dirty logging, locked R
 */
static void error_fixture(struct fixture *f)
{
	fixture_init(f, NSLOTS, POOL, GPA_LIMIT);
	BUG_ON(set(f, region(0, 0, 1 * MIB, MIB, 0)));
	BUG_ON(set(f, region(1, MEM_READONLY, 4 * MIB, 2 * MIB, MIB)));
	BUG_ON(set(
	    f, region(2, MEM_LOG_DIRTY_PAGES, 16 * MIB, 256 << 10, 3 * MIB)));
	BUG_ON(set(f, region(3, 0, 32 * MIB, MIB, 4 * MIB)));
	BUG_ON(set(f, region(4, MEM_READONLY | MEM_LOG_DIRTY_PAGES, 40 * MIB,
			     MIB, 5 * MIB)));
	BUG_ON(memslot_lock(&f->t, 3, MEMSLOT_LOCK_READ));
	BUG_ON(memslot_lock(&f->t, 4, MEMSLOT_LOCK_READ));
	BUG_ON(table_check(&f->t));
}

#define R(id, fl, gpa_, size_, off)                                            \
	{                                                                      \
		.slot = (id), .flags = (u32)(fl), .gpa = (gpa_),               \
		.size = (size_), .pool_offset = (off)                          \
	}

struct set_case {
	const char *what;
	struct memslot_region r;
	int err;
	bool no_bitmap; /* pass no dirty-bitmap storage */
};

static const struct set_case set_cases[] = {
    {.what = "unknown flag bit 2",
     .r = R(5, BIT(2), 64 * MIB, MIB, 0),
     .err = -EINVAL},
    {.what = "unknown flag bit 31",
     .r = R(5, BIT(31), 64 * MIB, MIB, 0),
     .err = -EINVAL},
    {.what = "unknown flag on delete",
     .r = R(0, BIT(3), MIB, 0, 0),
     .err = -EINVAL},
    {.what = "gpa misaligned",
     .r = R(5, 0, 64 * MIB + 1, MIB, 0),
     .err = -EINVAL},
    {.what = "gpa misaligned by 2K",
     .r = R(5, 0, 64 * MIB + 2048, MIB, 0),
     .err = -EINVAL},
    {.what = "size misaligned",
     .r = R(5, 0, 64 * MIB, MIB + 1, 0),
     .err = -EINVAL},
    {.what = "size misaligned on delete",
     .r = R(0, 0, MIB, 1, 0),
     .err = -EINVAL},
    {.what = "pool offset misaligned",
     .r = R(5, 0, 64 * MIB, MIB, 8),
     .err = -EINVAL},
    {.what = "id = max_slots",
     .r = R(NSLOTS, 0, 64 * MIB, MIB, 0),
     .err = -EINVAL},
    {.what = "id = 0xFFFF",
     .r = R(0xFFFF, 0, 64 * MIB, MIB, 0),
     .err = -EINVAL},
    {.what = "id = MEMSLOT_MAX_SLOTS",
     .r = R(MEMSLOT_MAX_SLOTS, 0, 64 * MIB, MIB, 0),
     .err = -EINVAL},
    {.what = "id = 0xFFFFFFFF delete",
     .r = R(0xFFFFFFFF, 0, 0, 0, 0),
     .err = -EINVAL},
    {.what = "gpa + size wraps",
     .r = R(5, 0, 0xFFFFFFFFFFFFF000ULL, 2 * 4096, 0),
     .err = -EINVAL},
    {.what = "gpa + size wraps to 0",
     .r = R(5, 0, 0xFFFFFFFFFFF00000ULL, MIB, 0),
     .err = -EINVAL},
    {.what = "end above gpa limit",
     .r = R(5, 0, GPA_LIMIT - 4096, 2 * 4096, 0),
     .err = -EINVAL},
    {.what = "start at gpa limit",
     .r = R(5, 0, GPA_LIMIT, 4096, 0),
     .err = -EINVAL},
    {.what = "pool offset + size beyond pool",
     .r = R(5, 0, 64 * MIB, MIB, POOL),
     .err = -EINVAL},
    {.what = "pool offset beyond pool",
     .r = R(5, 0, 64 * MIB, 4096, POOL + 4096),
     .err = -EINVAL},
    {.what = "size beyond pool",
     .r = R(5, 0, 64 * MIB, POOL + 4096, 0),
     .err = -EINVAL},
    {.what = "pool offset wraps",
     .r = R(5, 0, 64 * MIB, 2 * 4096, ~0xFFFULL),
     .err = -EINVAL},
    {.what = "overlap: identical range",
     .r = R(5, 0, MIB, MIB, 0),
     .err = -EEXIST},
    {.what = "overlap: last page",
     .r = R(5, 0, 2 * MIB - 4096, MIB, 0),
     .err = -EEXIST},
    {.what = "overlap: first page",
     .r = R(5, 0, MIB - 4096 * 3, 4 * 4096, 0),
     .err = -EEXIST},
    {.what = "overlap: contains two slots",
     .r = R(5, 0, 0, 8 * MIB, 0),
     .err = -EEXIST},
    {.what = "overlap: inside", .r = R(5, 0, 5 * MIB, 4096, 0), .err = -EEXIST},
    {.what = "overlap: locked slot",
     .r = R(5, 0, 32 * MIB, 4096, 0),
     .err = -EEXIST},
    {.what = "move onto another slot",
     .r = R(0, 0, 4 * MIB, MIB, 0),
     .err = -EEXIST},
    {.what = "move overlapping next slot",
     .r = R(0, 0, 4 * MIB - 4096, MIB, 0),
     .err = -EEXIST},
    {.what = "resize: grow", .r = R(0, 0, MIB, 2 * MIB, 0), .err = -EINVAL},
    {.what = "resize: shrink",
     .r = R(0, 0, MIB, MIB - 4096, 0),
     .err = -EINVAL},
    {.what = "resize with move",
     .r = R(0, 0, 8 * MIB, 2 * MIB, 0),
     .err = -EINVAL},
    {.what = "pool offset change",
     .r = R(0, 0, MIB, MIB, 4096),
     .err = -EINVAL},
    {.what = "pool offset change with move",
     .r = R(0, 0, 8 * MIB, MIB, 4096),
     .err = -EINVAL},
    {.what = "READONLY set on existing",
     .r = R(0, MEM_READONLY, MIB, MIB, 0),
     .err = -EINVAL},
    {.what = "READONLY cleared on existing",
     .r = R(1, 0, 4 * MIB, 2 * MIB, MIB),
     .err = -EINVAL},
    {.what = "READONLY cleared with move",
     .r = R(1, 0, 8 * MIB, 2 * MIB, MIB),
     .err = -EINVAL},
    {.what = "delete nonexistent", .r = R(5, 0, 0, 0, 0), .err = -EINVAL},
    {.what = "delete nonexistent, gpa given",
     .r = R(6, 0, 64 * MIB, 0, 0),
     .err = -EINVAL},
    {.what = "locked: delete",
     .r = R(3, 0, 32 * MIB, 0, 4 * MIB),
     .err = -EBUSY},
    {.what = "locked: move",
     .r = R(3, 0, 48 * MIB, MIB, 4 * MIB),
     .err = -EBUSY},
    {.what = "locked: dirty logging on",
     .r = R(3, MEM_LOG_DIRTY_PAGES, 32 * MIB, MIB, 4 * MIB),
     .err = -EBUSY},
    {.what = "locked: identical request",
     .r = R(3, 0, 32 * MIB, MIB, 4 * MIB),
     .err = -EBUSY},
    {.what = "locked: resize",
     .r = R(3, 0, 32 * MIB, 2 * MIB, 4 * MIB),
     .err = -EBUSY},
    {.what = "locked read-only: flags off",
     .r = R(4, MEM_READONLY, 40 * MIB, MIB, 5 * MIB),
     .err = -EBUSY},
    {.what = "dirty logging, no storage: create",
     .r = R(5, MEM_LOG_DIRTY_PAGES, 64 * MIB, MIB, 0),
     .err = -ENOMEM,
     .no_bitmap = true},
    {.what = "dirty logging, no storage: toggle on",
     .r = R(0, MEM_LOG_DIRTY_PAGES, MIB, MIB, 0),
     .err = -ENOMEM,
     .no_bitmap = true},
};

static void test_set_errors(void)
{
	u32 bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(set_cases); i++) {
		const struct set_case *sc = &set_cases[i];
		struct memslot_region r = sc->r;
		struct memslot_change c;
		struct snapshot snap;
		struct fixture f;
		int err_p, err_s;
		bool same;

		error_fixture(&f);
		r.dirty_bitmap = sc->no_bitmap ? NULL : bitmaps[NSLOTS - 1];
		snapshot_take(&snap, &f, bitmaps, sizeof(bitmaps));
		err_p = memslot_set_prepare(&f.t, &r, &c);
		err_s = memslot_set(&f.t, &r, &c);
		same = snapshot_same(&snap, &f, bitmaps);
		if (err_p != sc->err || err_s != sc->err || !same) {
			bad++;
			tap_diag("%s: prepare %d set %d expected %d, %s",
				 sc->what, err_p, err_s, sc->err,
				 same ? "unchanged" : "TABLE CHANGED");
		}
		fixture_fini(&f);
	}
	tap_ok(!bad, "set_memory_region errors: %zu cases, %u wrong",
	       ARRAY_SIZE(set_cases), bad);
}

struct lock_case {
	const char *what;
	bool unlock;
	u32 id, mode;
	int err;
};

static const struct lock_case lock_cases[] = {
    {.what = "lock: already locked R, again R",
     .unlock = false,
     .id = 3,
     .mode = MEMSLOT_LOCK_READ,
     .err = -EBUSY},
    {.what = "lock: already locked R, again RW",
     .unlock = false,
     .id = 3,
     .mode = MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE,
     .err = -EBUSY},
    {.what = "lock: RW on read-only",
     .unlock = false,
     .id = 1,
     .mode = MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE,
     .err = -EPERM},
    {.what = "lock: RW on locked read-only",
     .unlock = false,
     .id = 4,
     .mode = MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE,
     .err = -EPERM},
    {.what = "lock: nonexistent slot",
     .unlock = false,
     .id = 5,
     .mode = MEMSLOT_LOCK_READ,
     .err = -ENOENT},
    {.what = "lock: id = max_slots",
     .unlock = false,
     .id = NSLOTS,
     .mode = MEMSLOT_LOCK_READ,
     .err = -EINVAL},
    {.what = "lock: id = 0xFFFFFFFF",
     .unlock = false,
     .id = 0xFFFFFFFF,
     .mode = MEMSLOT_LOCK_READ,
     .err = -EINVAL},
    {.what = "lock: mode 0",
     .unlock = false,
     .id = 0,
     .mode = 0,
     .err = -EINVAL},
    {.what = "lock: mode W only",
     .unlock = false,
     .id = 0,
     .mode = MEMSLOT_LOCK_WRITE,
     .err = -EINVAL},
    {.what = "lock: unknown mode bit",
     .unlock = false,
     .id = 0,
     .mode = MEMSLOT_LOCK_READ | BIT(2),
     .err = -EINVAL},
    {.what = "lock: bad mode on nonexistent",
     .unlock = false,
     .id = 5,
     .mode = 0,
     .err = -EINVAL},
    {.what = "unlock: unlocked slot",
     .unlock = true,
     .id = 0,
     .mode = 0,
     .err = -EINVAL},
    {.what = "unlock: unlocked read-only slot",
     .unlock = true,
     .id = 1,
     .mode = 0,
     .err = -EINVAL},
    {.what = "unlock: nonexistent slot",
     .unlock = true,
     .id = 5,
     .mode = 0,
     .err = -ENOENT},
    {.what = "unlock: id = max_slots",
     .unlock = true,
     .id = NSLOTS,
     .mode = 0,
     .err = -EINVAL},
    {.what = "unlock: id = 0xFFFFFFFE",
     .unlock = true,
     .id = 0xFFFFFFFE,
     .mode = 0,
     .err = -EINVAL},
};

static void test_lock_errors(void)
{
	u32 bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(lock_cases); i++) {
		const struct lock_case *lc = &lock_cases[i];
		struct snapshot snap;
		struct fixture f;
		int err, err_c = lc->err;
		bool same;

		error_fixture(&f);
		snapshot_take(&snap, &f, NULL, 0);
		if (lc->unlock) {
			err = memslot_unlock(&f.t, lc->id);
		} else {
			err_c = memslot_lock_check(&f.t, lc->id, lc->mode);
			err = memslot_lock(&f.t, lc->id, lc->mode);
		}
		same = snapshot_same(&snap, &f, NULL);
		if (err != lc->err || err_c != lc->err || !same) {
			bad++;
			tap_diag("%s: got %d/%d expected %d, %s", lc->what,
				 err_c, err, lc->err,
				 same ? "unchanged" : "TABLE CHANGED");
		}
		fixture_fini(&f);
	}
	tap_ok(!bad, "lock/unlock errors: %zu cases, %u wrong",
	       ARRAY_SIZE(lock_cases), bad);
}

/* Dirty log, SPP attach and init errors: codes and no change. */
static void test_other_errors(void)
{
	static u32 spp[4096];
	u64 out[64];
	struct snapshot snap;
	struct fixture f;
	u32 bad = 0;
	int e[8];

	error_fixture(&f);
	BUG_ON(memslot_spp_attach(&f.t, 0, spp));
	snapshot_take(&snap, &f, NULL, 0);
	e[0] = memslot_get_dirty_log(&f.t, 0, out);	     /* no flag */
	e[1] = memslot_get_dirty_log(&f.t, 5, out);	     /* no slot */
	e[2] = memslot_get_dirty_log(&f.t, NSLOTS, out);     /* bad id */
	e[3] = memslot_spp_attach(&f.t, 0, spp);	     /* twice */
	e[4] = memslot_spp_attach(&f.t, 5, spp);	     /* no slot */
	e[5] = memslot_spp_attach(&f.t, 0xFFFFFFFF, spp);    /* bad id */
	e[6] = memslot_spp_attach(&f.t, 1, NULL);	     /* no storage */
	e[7] = memslot_table_init(&f.t, f.storage, 0, 0, 0); /* max 0 */
	bad += e[0] != -ENOENT || e[1] != -ENOENT || e[2] != -EINVAL;
	bad += e[3] != -EEXIST || e[4] != -ENOENT || e[5] != -EINVAL;
	bad += e[6] != -EINVAL || e[7] != -EINVAL;
	bad += !snapshot_same(&snap, &f, NULL);
	bad += memslot_table_init(&f.t, f.storage, MEMSLOT_MAX_SLOTS + 1, 0,
				  4096) != -EINVAL;
	bad += memslot_table_init(&f.t, (u8 *)f.storage + 4, 1, 0, 4096) !=
	       -EINVAL;
	bad += memslot_table_init(&f.t, f.storage, 1, 100, 4096) != -EINVAL;
	bad += memslot_table_init(&f.t, f.storage, 1, 0, 4097) != -EINVAL;
	bad += memslot_table_init(&f.t, f.storage, 1, 0, 0) != -EINVAL;
	tap_ok(!bad, "dirty-log, SPP attach and init errors: %u wrong", bad);
	fixture_fini(&f);
}

/* Slot records and sorted index of two tables hold the same values. */
static bool tables_equal(const struct memslot_table *a,
			 const struct memslot_table *b)
{
	if (a->nslots != b->nslots || a->generation != b->generation ||
	    a->nlocked != b->nlocked || a->max_slots != b->max_slots)
		return false;
	if (memcmp(a->slots, b->slots, a->max_slots * sizeof(*a->slots)))
		return false;
	return !memcmp(a->sorted_base, b->sorted_base,
		       a->nslots * sizeof(gfn_t)) &&
	       !memcmp(a->sorted_id, b->sorted_id, a->nslots * sizeof(u16));
}

static bool change_is(const struct memslot_change *c,
		      enum memslot_change_kind kind, gfn_t old_gfn,
		      u64 old_npages, gfn_t new_gfn, u64 new_npages, u64 gen)
{
	return c->kind == kind && c->old_gfn == old_gfn &&
	       c->old_npages == old_npages && c->new_gfn == new_gfn &&
	       c->new_npages == new_npages && c->generation_after == gen &&
	       c->generation_before == gen - (kind != MEMSLOT_CHANGE_NONE);
}

static void test_changes(void)
{
	struct memslot_region r = region(7, 0, 8 * MIB, 2 * MIB, 0);
	struct fixture f, g;
	struct memslot_change c;
	struct snapshot snap;
	const struct memslot *s;
	u32 bad = 0;

	fixture_init(&f, NSLOTS, POOL, GPA_LIMIT);
	bad += memslot_set(&f.t, &r, &c) != 0;
	bad += !change_is(&c, MEMSLOT_CHANGE_CREATE, 0, 0, 0x800, 512, 1);
	s = memslot_get(&f.t, 7);
	bad += !s || s->base_gfn != 0x800 || s->npages != 512 || s->id != 7 ||
	       s->pool_offset != 0 || s->flags || memslot_locked(s);
	bad += memslot_generation(&f.t) != 1 || memslot_count(&f.t) != 1;

	/* Identical request: KVM's "nothing to change", no generation bump. */
	snapshot_take(&snap, &f, NULL, 0);
	bad += memslot_set(&f.t, &r, &c) != 0;
	bad += !change_is(&c, MEMSLOT_CHANGE_NONE, 0x800, 512, 0x800, 512, 1);
	bad += !snapshot_same(&snap, &f, NULL);

	r.gpa = 16 * MIB;
	bad += memslot_set(&f.t, &r, &c) != 0;
	bad += !change_is(&c, MEMSLOT_CHANGE_MOVE, 0x800, 512, 0x1000, 512, 2);
	bad += memslot_find_gpa(&f.t, 8 * MIB) != NULL;
	bad += memslot_find_gpa(&f.t, 16 * MIB) != s;

	r.flags = MEM_LOG_DIRTY_PAGES;
	bad += memslot_set(&f.t, &r, &c) != 0;
	bad +=
	    !change_is(&c, MEMSLOT_CHANGE_FLAGS, 0x1000, 512, 0x1000, 512, 3);
	bad += !c.dirty_bitmap_taken || s->dirty_bitmap != bitmaps[7];
	bad += c.old_flags != 0 || c.new_flags != MEM_LOG_DIRTY_PAGES;

	/* Move and switch logging off in one call: KVM classifies a move. */
	r.flags = 0;
	r.gpa = 15 * MIB; /* overlaps its own old range: allowed */
	bad += memslot_set(&f.t, &r, &c) != 0;
	bad += !change_is(&c, MEMSLOT_CHANGE_MOVE, 0x1000, 512, 0xF00, 512, 4);
	bad += c.dirty_bitmap_released != bitmaps[7] || s->dirty_bitmap;

	r.size = 0;
	bad += memslot_set(&f.t, &r, &c) != 0;
	bad += !change_is(&c, MEMSLOT_CHANGE_DELETE, 0xF00, 512, 0, 0, 5);
	bad += memslot_get(&f.t, 7) || memslot_count(&f.t) || s->npages;
	bad += memslot_find_gpa(&f.t, 15 * MIB) != NULL;

	/* Edges that must be accepted. */
	bad += set(&f, region(0, 0, 0, MIB, POOL - MIB)) != 0;
	bad += set(&f, region(1, 0, MIB, MIB, POOL - MIB)) != 0; /* alias */
	bad += set(&f, region(2, 0, GPA_LIMIT - MIB, MIB, 0)) != 0;
	bad += set(&f, region(3, 0, 2 * MIB, POOL, 0)) != 0;
	bad += set(&f, region(NSLOTS - 1, 0, GPA_LIMIT - 2 * MIB, MIB, 0)) != 0;
	bad += table_check(&f.t) != NULL;
	tap_ok(!bad,
	       "change reports and generation: create/none/move/flags/"
	       "delete, adjacent/aliased/limit slots accepted (%u wrong)",
	       bad);

	/* prepare changes nothing; prepare + commit == set. */
	bad = 0;
	fixture_init(&g, NSLOTS, POOL, GPA_LIMIT);
	r = region(9, MEM_LOG_DIRTY_PAGES, 128 * MIB, MIB, 0);
	for (int step = 0; step < 4; step++) {
		struct memslot_change c1, c2;

		if (step == 1)
			r.gpa = 160 * MIB;
		if (step == 2)
			r.flags = 0;
		if (step == 3)
			r.size = 0;
		snapshot_take(&snap, &f, NULL, 0);
		bad += memslot_set_prepare(&f.t, &r, &c1) != 0;
		bad += !snapshot_same(&snap, &f, NULL);
		memslot_set_commit(&f.t, &c1);
		bad += memslot_set(&g.t, &r, &c2) != 0;
		bad += c1.kind != c2.kind || c1.new_gfn != c2.new_gfn;
	}
	/* Same operations from the same start: same records. */
	fixture_fini(&g);
	fixture_init(&g, NSLOTS, POOL, GPA_LIMIT);
	r = region(9, 0, 64 * MIB, MIB, 0);
	BUG_ON(set(&g, r));
	fixture_fini(&f);
	fixture_init(&f, NSLOTS, POOL, GPA_LIMIT);
	bad += memslot_set_prepare(&f.t, &r, &c) != 0;
	memslot_set_commit(&f.t, &c);
	bad += !tables_equal(&f.t, &g.t);
	tap_ok(!bad,
	       "prepare leaves the table unchanged; prepare+commit "
	       "equals set (%u wrong)",
	       bad);
	fixture_fini(&f);
	fixture_fini(&g);
}

static void test_dirty_log(void)
{
	struct fixture f;
	struct memslot_change c;
	const struct memslot *s;
	u64 out[64];
	u32 bad = 0;

	error_fixture(&f);
	s = memslot_get(&f.t, 2); /* 64 pages at 16M */
	bad += !memslot_dirty_logging(s) || s->dirty_bitmap != bitmaps[2];
	memslot_mark_dirty(s, s->base_gfn);
	memslot_mark_dirty(s, s->base_gfn + 5);
	memslot_mark_dirty_atomic(s, s->base_gfn + 63);
	memset(out, 0xAA, sizeof(out));
	bad += memslot_get_dirty_log(&f.t, 2, out) != 0;
	bad += out[0] != (BIT(0) | BIT(5) | BIT(63)) ||
	       out[1] != 0xAAAAAAAAAAAAAAAAULL;
	bad += memslot_get_dirty_log(&f.t, 2, out) != 0 || out[0] != 0;

	/* Kept across a move, contents included (KVM). */
	memslot_mark_dirty(s, s->base_gfn + 7);
	bad += set(&f, region(2, MEM_LOG_DIRTY_PAGES, 20 * MIB, 256 << 10,
			      3 * MIB)) != 0;
	bad += s->dirty_bitmap != bitmaps[2];
	bad += memslot_get_dirty_log(&f.t, 2, out) != 0 || out[0] != BIT(7);

	/* Off: released, log is -ENOENT. On again: fresh, zeroed storage. */
	struct memslot_region r = region(2, 0, 20 * MIB, 256 << 10, 3 * MIB);
	bad += memslot_set(&f.t, &r, &c) != 0;
	bad += c.dirty_bitmap_released != bitmaps[2] || s->dirty_bitmap;
	bad += memslot_get_dirty_log(&f.t, 2, out) != -ENOENT;
	memslot_mark_dirty(s, s->base_gfn); /* no logging: no-op */
	memset(bitmaps[2], 0xFF, sizeof(bitmaps[2]));
	r.flags = MEM_LOG_DIRTY_PAGES;
	bad += memslot_set(&f.t, &r, &c) != 0 || !c.dirty_bitmap_taken;
	bad += memslot_get_dirty_log(&f.t, 2, out) != 0 || out[0] != 0;

	/* Read-only with the flag: accepted, no storage, always empty. */
	s = memslot_get(&f.t, 4);
	bad += memslot_dirty_logging(s) || s->dirty_bitmap != NULL;
	memslot_mark_dirty(s, s->base_gfn);
	memset(out, 0xFF, sizeof(out));
	bad += memslot_get_dirty_log(&f.t, 4, out) != 0;
	for (u32 i = 0; i < memslot_dirty_bitmap_words(s->npages); i++)
		bad += out[i] != 0;

	/* Delete releases. */
	r.size = 0;
	bad += memslot_set(&f.t, &r, &c) != 0 ||
	       c.dirty_bitmap_released != bitmaps[2];
	bad += table_check(&f.t) != NULL;
	tap_ok(!bad,
	       "dirty log: mark/harvest/clear, kept on move, released on "
	       "flag off and delete, read-only always empty (%u wrong)",
	       bad);
	fixture_fini(&f);
}

static void test_lock_unlock(void)
{
	struct fixture f;
	u64 gen;
	u32 bad = 0;

	error_fixture(&f);
	gen = memslot_generation(&f.t);
	bad += memslot_lock(&f.t, 0, MEMSLOT_LOCK_READ) != 0;
	bad += memslot_get(&f.t, 0)->lock != MEMSLOT_LOCKED_R;
	bad += memslot_lock(&f.t, 2, MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE);
	bad += memslot_get(&f.t, 2)->lock != MEMSLOT_LOCKED_RW;
	bad += memslot_lock(&f.t, 1, MEMSLOT_LOCK_READ) != 0; /* RO, R: ok */
	bad += memslot_nlocked(&f.t) != 5;
	bad += memslot_generation(&f.t) != gen;
	bad += memslot_unlock(&f.t, 0) != 0;
	bad += memslot_unlock(&f.t, 0) != -EINVAL;
	bad += memslot_get(&f.t, 0)->lock != MEMSLOT_UNLOCKED;
	bad += set(&f, region(0, 0, 8 * MIB, MIB, 0)) != 0; /* movable again */
	bad += memslot_unlock(&f.t, MEMSLOT_UNLOCK_ALL) != 4;
	bad += memslot_unlock(&f.t, MEMSLOT_UNLOCK_ALL) != 0;
	bad += memslot_unlock_all(&f.t) != 0 || memslot_nlocked(&f.t) != 0;
	for (u32 i = 0; i < memslot_count(&f.t); i++)
		bad += memslot_locked(memslot_at(&f.t, i));
	bad += set(&f, region(3, 0, 32 * MIB, 0, 0)) != 0; /* deletable */
	bad += memslot_generation(&f.t) != gen + 2;
	bad += table_check(&f.t) != NULL;
	tap_ok(!bad,
	       "lock R/RW, unlock, UNLOCK_ALL counts, unlocked slots "
	       "change again, generation untouched by locks (%u wrong)",
	       bad);
	fixture_fini(&f);
}

static void test_spp(void)
{
	static u32 maps[256];
	struct fixture f;
	struct memslot_change c;
	const struct memslot *s;
	u32 bad = 0;

	error_fixture(&f);
	s = memslot_get(&f.t, 0); /* 256 pages */
	bad += memslot_spp_get(s, s->base_gfn + 3) != MEMSLOT_SPP_FULL_ACCESS;
	memset(maps, 0x5A, sizeof(maps));
	bad += memslot_spp_attach(&f.t, 0, maps) != 0 || s->spp_map != maps;
	for (u32 i = 0; i < 256; i++)
		bad += maps[i] != MEMSLOT_SPP_FULL_ACCESS;
	memslot_spp_set(s, s->base_gfn + 255, 0x0000FFFF);
	bad += memslot_spp_get(s, s->base_gfn + 255) != 0x0000FFFF;
	bad += set(&f, region(0, 0, 8 * MIB, MIB, 0)) != 0; /* move: kept */
	bad += s->spp_map != maps || memslot_spp_get(s, 0x800 + 255) != 0xFFFF;
	struct memslot_region r = region(0, 0, 8 * MIB, 0, 0);
	bad += memslot_set(&f.t, &r, &c) != 0 || c.spp_map_released != maps;
	tap_ok(!bad,
	       "SPP storage: attach fills full access, get/set, kept on "
	       "move, released on delete (%u wrong)",
	       bad);
	fixture_fini(&f);
}

int main(void)
{
	test_set_errors();
	test_lock_errors();
	test_other_errors();
	test_changes();
	test_dirty_log();
	test_lock_unlock();
	test_spp();
	return tap_done();
}
