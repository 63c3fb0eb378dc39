/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the memslot host tests: a table fixture on heap
 * storage, whole-state snapshots for "a failed call changes nothing", and
 * a structural invariant check of the table.
 */
#ifndef MICA_TEST_MEMSLOT_TEST_UTIL_H
#define MICA_TEST_MEMSLOT_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/base/errno.h"
#include "mm/memslot/memslot.h"

struct fixture {
	struct memslot_table t;
	void *storage;
	size_t storage_size;
};

static inline void fixture_init(struct fixture *f, u32 max_slots, u64 pool_size,
				gpa_t gpa_limit)
{
	f->storage_size = memslot_table_storage_size(max_slots);
	f->storage = malloc(f->storage_size);
	if (!f->storage || memslot_table_init(&f->t, f->storage, max_slots,
					      pool_size, gpa_limit)) {
		fprintf(stderr, "fixture_init failed\n");
		abort();
	}
}

static inline void fixture_fini(struct fixture *f)
{
	free(f->storage);
	f->storage = NULL;
}

/* Byte copy of the table header, its storage and optional extra memory. */
struct snapshot {
	struct memslot_table t;
	void *storage;
	size_t storage_size;
	void *extra;
	size_t extra_size;
};

static inline void snapshot_take(struct snapshot *s, const struct fixture *f,
				 const void *extra, size_t extra_size)
{
	s->t = f->t;
	s->storage_size = f->storage_size;
	s->storage = malloc(f->storage_size);
	memcpy(s->storage, f->storage, f->storage_size);
	s->extra_size = extra_size;
	s->extra = extra_size ? malloc(extra_size) : NULL;
	if (extra_size)
		memcpy(s->extra, extra, extra_size);
}

/* True if nothing changed; frees the snapshot. */
static inline bool snapshot_same(struct snapshot *s, const struct fixture *f,
				 const void *extra)
{
	bool same = !memcmp(&s->t, &f->t, sizeof(s->t)) &&
		    !memcmp(s->storage, f->storage, s->storage_size) &&
		    (!s->extra_size || !memcmp(s->extra, extra, s->extra_size));

	free(s->storage);
	free(s->extra);
	return same;
}

/*
 * Structural invariants: sorted bases strictly ascending and matching their
 * slots, no overlap, every used slot listed exactly once, lock count right.
 * Returns NULL or a description of the first violation.
 */
static inline const char *table_check(const struct memslot_table *t)
{
	u32 used = 0, locked = 0;

	for (u32 id = 0; id < t->max_slots; id++) {
		const struct memslot *s = &t->slots[id];

		if (!s->npages)
			continue;
		used++;
		locked += memslot_locked(s);
		if (s->id != id)
			return "slot id field";
		if (memslot_end_gfn(s) > gpa_to_gfn(t->gpa_limit))
			return "slot beyond gpa limit";
		if (s->pool_offset + memslot_size(s) > t->pool_size)
			return "slot beyond pool";
		if (memslot_dirty_logging(s) != (s->dirty_bitmap != NULL))
			return "dirty bitmap presence";
	}
	if (used != t->nslots)
		return "nslots";
	if (locked != t->nlocked)
		return "nlocked";
	for (u32 i = 0; i < t->nslots; i++) {
		const struct memslot *s = &t->slots[t->sorted_id[i]];

		if (!s->npages || s->base_gfn != t->sorted_base[i])
			return "sorted entry does not match slot";
		if (i && t->sorted_base[i - 1] >= t->sorted_base[i])
			return "sorted order";
		if (i && memslot_end_gfn(memslot_at(t, i - 1)) > s->base_gfn)
			return "overlap";
	}
	/* Lookup index: a search tree over the same (base, id) pairs. */
	for (u32 k = 1; k <= t->nslots; k++) {
		if (t->slots[t->eyt_id[k]].base_gfn != t->eyt_base[k] ||
		    !t->slots[t->eyt_id[k]].npages)
			return "index entry does not match slot";
		if (2 * k <= t->nslots && t->eyt_base[2 * k] >= t->eyt_base[k])
			return "index order (left)";
		if (2 * k + 1 <= t->nslots &&
		    t->eyt_base[2 * k + 1] <= t->eyt_base[k])
			return "index order (right)";
	}
	return NULL;
}

#endif /* MICA_TEST_MEMSLOT_TEST_UTIL_H */
