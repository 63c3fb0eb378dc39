/* SPDX-License-Identifier: MIT */
/*
 * Private interface between memslot.c (changes) and memslot_index.c (the GPA
 * index). Callers hold the table's change serialisation (docs/memslots.md).
 */
#ifndef MICA_MM_MEMSLOT_MEMSLOT_INTERNAL_H
#define MICA_MM_MEMSLOT_MEMSLOT_INTERNAL_H

#include "mm/memslot/memslot.h"

/*
 * Add used slot @s (base_gfn and id set, not overlapping any indexed slot)
 * to the sorted array. O(n). memslot_index_rebuild() must follow before the
 * next lookup.
 */
void memslot_index_insert(struct memslot_table *t, const struct memslot *s);

/*
 * Remove indexed slot @s, by its current base_gfn, from the sorted array.
 * BUG_ON if it is not there. O(n); memslot_index_rebuild() must follow.
 */
void memslot_index_remove(struct memslot_table *t, const struct memslot *s);

/* Rebuild the lookup (Eytzinger) array from the sorted array. O(n). */
void memslot_index_rebuild(struct memslot_table *t);

/*
 * Does [gfn, gfn + npages) overlap an indexed slot other than slot @self?
 * gfn + npages must not wrap. O(log n).
 */
bool memslot_index_overlaps(const struct memslot_table *t, gfn_t gfn,
			    u64 npages, u32 self);

#endif /* MICA_MM_MEMSLOT_MEMSLOT_INTERNAL_H */
