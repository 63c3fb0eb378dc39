/* SPDX-License-Identifier: MIT */
/*
 * Memslot GPA index: the slots' (base gfn, id) pairs sorted by base, for
 * updates, overlap checks and ordered iteration, and the same pairs in
 * Eytzinger order for branch-free lookup. Slots never overlap, so sorting by
 * base also sorts by end, and the only slot that can hold a frame is the one
 * with the largest base at or below it. Also the lookup entry points of
 * mm/memslot/memslot.h.
 */
#include "mm/memslot/memslot.h"
#include "mm/memslot/memslot_internal.h"

/* Number of sorted entries whose base is <= @gfn (index of the first above). */
static u32 sorted_upper(const struct memslot_table *t, gfn_t gfn)
{
	u32 lo = 0, hi = t->nslots;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->sorted_base[mid] <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The lookup index: the sorted bases again in Eytzinger (BFS) order, node k
 * having children 2k and 2k + 1, rebuilt after every change of the sorted
 * array (which is O(n) already). Searching it needs no data-dependent branch
 * (the comparison result becomes an index bit) and its top levels share a few
 * cache lines, which keeps the cost of a lookup nearly flat from 16 to 32764
 * slots (test/bench/bench_memslot.c).
 */
void memslot_index_rebuild(struct memslot_table *t)
{
	u32 n = t->nslots;
	u64 k = 1;

	if (!n)
		return;
	while (2 * k <= n) /* leftmost node: the smallest base */
		k *= 2;
	for (u32 i = 0; i < n; i++) {
		t->eyt_base[k] = t->sorted_base[i];
		t->eyt_id[k] = t->sorted_id[i];
		/* In-order successor of k in the implicit tree. */
		if (2 * k + 1 <= n) {
			k = 2 * k + 1;
			while (2 * k <= n)
				k *= 2;
		} else {
			/* Climb past every right-child edge, then one more. */
			k >>= __builtin_ctzll(~k) + 1;
		}
	}
}

/*
 * Node holding the largest base <= @gfn, or 0 if every base is above it.
 * Each step appends one bit to k: 1 where the node's base is <= gfn (go
 * right), 0 otherwise; the wanted node is where the last 1 was appended, so
 * strip the trailing zeros and that 1.
 */
static u32 eyt_find(const struct memslot_table *t, gfn_t gfn)
{
	const gfn_t *b = t->eyt_base;
	u32 n = t->nslots;
	u64 k = 1;

	while (k <= n) {
		/*
		 * Nodes 8k .. 8k + 7 (three levels down) share a cache line;
		 * fetch it early, but never past the array (a prefetch into an
		 * unmapped page costs a page walk).
		 */
		if (8 * k <= n)
			__builtin_prefetch(&b[8 * k]);
		k = 2 * k + (b[k] <= gfn);
	}
	return (u32)(k >> (__builtin_ctzll(k) + 1));
}

void memslot_index_remove(struct memslot_table *t, const struct memslot *s)
{
	/* Bases are unique: the entry is the last one at or below s's base. */
	u32 i = sorted_upper(t, s->base_gfn) - 1;
	u32 tail = t->nslots - i - 1;

	BUG_ON(i >= t->nslots || t->sorted_id[i] != s->id);

	__builtin_memmove(&t->sorted_base[i], &t->sorted_base[i + 1],
			  tail * sizeof(gfn_t));
	__builtin_memmove(&t->sorted_id[i], &t->sorted_id[i + 1],
			  tail * sizeof(u16));
	t->nslots--;
}

void memslot_index_insert(struct memslot_table *t, const struct memslot *s)
{
	u32 i = sorted_upper(t, s->base_gfn);
	u32 tail = t->nslots - i;

	__builtin_memmove(&t->sorted_base[i + 1], &t->sorted_base[i],
			  tail * sizeof(gfn_t));
	__builtin_memmove(&t->sorted_id[i + 1], &t->sorted_id[i],
			  tail * sizeof(u16));
	t->sorted_base[i] = s->base_gfn;
	t->sorted_id[i] = s->id;
	t->nslots++;
}

const struct memslot *memslot_find_next(const struct memslot_table *t,
					gfn_t gfn)
{
	u32 i = sorted_upper(t, gfn);

	if (i > 0) {
		const struct memslot *s = &t->slots[t->sorted_id[i - 1]];

		if (memslot_contains(s, gfn))
			return s;
	}
	return i < t->nslots ? &t->slots[t->sorted_id[i]] : NULL;
}

bool memslot_index_overlaps(const struct memslot_table *t, gfn_t gfn,
			    u64 npages, u32 self)
{
	u32 i = sorted_upper(t, gfn);

	/*
	 * Start at the last slot based at or below gfn; walk up while slots
	 * start below the end of the range. Apart from @self, the first slot
	 * visited that ends above gfn overlaps, so at most three are visited.
	 */
	for (i = i ? i - 1 : 0; i < t->nslots; i++) {
		const struct memslot *s = &t->slots[t->sorted_id[i]];

		if (s->base_gfn >= gfn + npages)
			break;
		if (s->id != self && memslot_end_gfn(s) > gfn)
			return true;
	}
	return false;
}

const struct memslot *memslot_find(struct memslot_table *t, gfn_t gfn)
{
	u32 hit = __atomic_load_n(&t->last_hit, __ATOMIC_RELAXED);
	const struct memslot *s = &t->slots[hit];
	u32 k;

	if (memslot_contains(s, gfn))
		return s;
	k = eyt_find(t, gfn);
	if (!k)
		return NULL;
	s = &t->slots[t->eyt_id[k]];
	if (!memslot_contains(s, gfn))
		return NULL;
	__atomic_store_n(&t->last_hit, s->id, __ATOMIC_RELAXED);
	return s;
}

const struct memslot *memslot_find_gpa(struct memslot_table *t, gpa_t gpa)
{
	return memslot_find(t, gpa_to_gfn(gpa));
}

const struct memslot *memslot_translate(struct memslot_table *t, gpa_t gpa,
					u64 *pool_offset)
{
	const struct memslot *s = memslot_find_gpa(t, gpa);

	if (s)
		*pool_offset = memslot_gfn_to_pool(s, gpa_to_gfn(gpa)) +
			       (gpa & ~PAGE_MASK);
	return s;
}

const struct memslot *memslot_get(const struct memslot_table *t, u32 id)
{
	if (id >= t->max_slots || !t->slots[id].npages)
		return NULL;
	return &t->slots[id];
}

const struct memslot *memslot_at(const struct memslot_table *t, u32 i)
{
	return i < t->nslots ? &t->slots[t->sorted_id[i]] : NULL;
}
