/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the memslot table: the input is a sequence of operations (set, lock,
 * unlock, get_dirty_log, mark dirty, lookup) with fuzzer-chosen arguments on
 * a 32-slot table over a 512-page guest space. After every operation the
 * table's structural invariants must hold, a failed call must have left the
 * table byte-for-byte unchanged, and lookups must agree with a linear scan
 * of the slot records.
 */
#include "test/unit/support/fuzz_input.h"
#include "test/unit/support/memslot_test_util.h"

#define SLOTS 32
#define SPACE 512 /* pages */
#define POOL  256 /* pages */

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_memslot: %s\n", why);
	abort();
}

/* Linear scan of the slot records: the id covering @gfn, or -1. */
static int scan(const struct memslot_table *t, gfn_t gfn)
{
	for (u32 id = 0; id < SLOTS; id++) {
		const struct memslot *s = memslot_get(t, id);

		if (s && memslot_contains(s, gfn))
			return (int)id;
	}
	return -1;
}

/* gpa/size/offset mostly page-aligned and in range, sometimes anything. */
static u64 arg(struct fuzz_input *in, u64 pages)
{
	u64 sel = fuzz_take(in, 1);

	if (sel < 200)
		return (fuzz_take(in, 2) % (pages + 8)) << PAGE_SHIFT;
	if (sel < 240)
		return fuzz_take(in, 2);
	return fuzz_take(in, 8);
}

static int op_set(struct fixture *f, struct fuzz_input *in, u64 (*bm)[8])
{
	struct memslot_region r = {0};
	struct memslot_change c;
	u64 sel = fuzz_take(in, 1);

	r.slot = sel < 250 ? (u32)(fuzz_take(in, 1) % (SLOTS + 2))
			   : (u32)fuzz_take(in, 4);
	r.flags =
	    sel < 240 ? (u32)(fuzz_take(in, 1) & 3) : (u32)fuzz_take(in, 4);
	r.gpa = arg(in, SPACE);
	r.size = fuzz_take(in, 1) % 4 ? arg(in, 64) : 0;
	r.pool_offset = arg(in, POOL);
	r.dirty_bitmap = fuzz_take(in, 1) % 8 ? bm[r.slot % SLOTS] : NULL;
	return memslot_set(&f->t, &r, &c);
}

static int one_op(struct fixture *f, struct fuzz_input *in, u64 (*bm)[8])
{
	u32 id = (u32)(fuzz_take(in, 1) % (SLOTS + 2));
	u64 out[8];

	switch (fuzz_take(in, 1) % 6) {
	case 0:
		return op_set(f, in, bm);
	case 1:
		return memslot_lock(&f->t, id, (u32)(fuzz_take(in, 1) & 7));
	case 2:
		return memslot_unlock(
		    &f->t, fuzz_take(in, 1) % 16 ? id : MEMSLOT_UNLOCK_ALL);
	case 3:
		return memslot_get_dirty_log(&f->t, id, out) == 0 ? 0 : -1;
	case 4: {
		gfn_t g = fuzz_take(in, 2) % (SPACE + 8);
		const struct memslot *s = memslot_find(&f->t, g);

		if (s)
			memslot_mark_dirty(s, g);
		return 0;
	}
	default:
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u64 bitmaps[SLOTS][8];
	struct fuzz_input in = {data, size};
	struct fixture f;

	fixture_init(&f, SLOTS, POOL * PAGE_SIZE, SPACE * PAGE_SIZE);
	while (in.n) {
		struct snapshot snap;
		const char *why;
		int err;

		snapshot_take(&snap, &f, bitmaps, sizeof(bitmaps));
		err = one_op(&f, &in, bitmaps);
		if (!snapshot_same(&snap, &f, bitmaps) && err < 0)
			fail("failed call changed the table");
		why = table_check(&f.t);
		if (why)
			fail(why);
		for (u32 k = 0; k < 4; k++) {
			gfn_t g = fuzz_take(&in, 2) % (SPACE + 8);
			const struct memslot *s = memslot_find(&f.t, g);

			if ((s ? (int)s->id : -1) != scan(&f.t, g))
				fail("lookup disagrees with linear scan");
		}
	}
	fixture_fini(&f);
	return 0;
}
