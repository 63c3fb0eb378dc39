/* SPDX-License-Identifier: MIT */
/*
 * Generic radix page-table engine. One walker for every x86 table format:
 * the hypervisor's own 4/5-level paging, EPT, and later the SPP table. A
 * format descriptor says how entries are encoded; an ops struct supplies
 * table pages (a per-VM preallocated pool in the kernel, aligned heap pages
 * in host tests) and the physical <-> virtual conversion.
 *
 * Level numbering: 0 holds 4K leaves, 1 holds 2M leaves (or tables), 2 holds
 * 1G leaves, 3 is the PML4, 4 the PML5.
 */
#ifndef MICA_MM_PT_PGTABLE_H
#define MICA_MM_PT_PGTABLE_H

#include "mm/base/types.h"

#define PT_ENTRIES	  512
#define PT_LEVEL_4K	  0
#define PT_LEVEL_2M	  1
#define PT_LEVEL_1G	  2
#define PT_MAX_LEVELS	  5
#define pt_level_shift(l) (PAGE_SHIFT + 9 * (unsigned)(l))
#define pt_level_size(l)  (1ULL << pt_level_shift(l))

/*
 * Entry encoding of one table format. An entry is empty (0), a table pointer
 * (only at levels > 0), or a leaf. The address field must be a plain bit
 * field: mk_leaf(pa, a, l) == mk_leaf(0, a, l) | pa for every pa within
 * addr_mask aligned to the level (the engine builds runs of leaves that way). A "special" leaf is present in the
 * engine's sense but translates nothing (the EPT MMIO entry); splitting one
 * copies it into every child.
 */
struct pt_format {
	const char *name;
	unsigned levels;      /* 4 or 5 */
	unsigned leaf_levels; /* bit L set: level L may hold a leaf */
	bool canonical;	      /* addresses are sign-extended (host paging) */
	u64 addr_mask;	      /* physical-address bits of an entry */
	u64 attr_mask;	      /* leaf attribute bits kept by split/merge */
	u64 ad_mask;	      /* accessed/dirty bits, ignored by merge */
	u64 (*mk_table)(hpa_t table);
	u64 (*mk_leaf)(hpa_t pa, u64 attrs, unsigned level);
	bool (*is_present)(u64 pte);
	bool (*is_table)(u64 pte, unsigned level);
	bool (*is_special)(u64 pte); /* may be NULL */
};

/*
 * Table-page provider. reserve(n) guarantees that the next n alloc() calls
 * succeed (returns false, reserving nothing, if it cannot); unreserve gives
 * back what was reserved but not used. alloc returns a zeroed 4K page.
 */
struct pt_ops {
	bool (*reserve)(void *ctx, u64 n);
	void (*unreserve)(void *ctx, u64 n);
	void *(*alloc)(void *ctx, hpa_t *pa);
	void (*free)(void *ctx, void *va, hpa_t pa);
	void *(*phys_to_virt)(void *ctx, hpa_t pa);
};

struct pt {
	const struct pt_format *fmt;
	const struct pt_ops *ops;
	void *ctx;
	hpa_t root_pa;
	u64 *root;
	u64 nr_tables;	 /* table pages in use, root included */
	u64 budget;	 /* pages reserved for the operation in progress */
	u64 count_slack; /* pages reserved but not used (should stay 0) */
	u64 nr_replaced; /* present entries overwritten or cleared, ever:
			  * a change means TLBs may hold stale entries */
};

/* map flags */
#define PT_MAP_MERGE BIT(0) /* fold uniform tables back into large leaves */

/*
 * Create an empty table (one root page) of format fmt. Returns 0 or -ENOMEM.
 */
int __must_check pt_init(struct pt *pt, const struct pt_format *fmt,
			 const struct pt_ops *ops, void *ctx);

/* Free every table page including the root. The pt is unusable after. */
void pt_destroy(struct pt *pt);

/*
 * Map [va, va+size) to [pa, pa+size) with leaf attributes attrs, replacing
 * whatever was there. Each leaf is the largest one that va and pa alignment,
 * the range, the format and max_level allow; large leaves partly covered are
 * split (keeping their old translation outside the range). va, pa and size
 * must be 4K-aligned. All table pages needed are reserved first: -ENOMEM
 * leaves the table unchanged. Returns 0, -EINVAL on misalignment or a range
 * beyond the format's reach, or -ENOMEM.
 */
int __must_check pt_map(struct pt *pt, u64 va, hpa_t pa, u64 size, u64 attrs,
			unsigned max_level, unsigned flags);

/*
 * Install the raw leaf value pte at exactly level over the aligned block
 * containing va (creating tables down to it; a larger leaf above is split).
 * Used for special entries. Returns 0, -EINVAL, or -ENOMEM (unchanged).
 */
int __must_check pt_set_raw(struct pt *pt, u64 va, unsigned level, u64 pte);

/*
 * Remove every translation in [va, va+size) exactly: large leaves straddling
 * the range edges are split first. Emptied tables are freed. Returns 0,
 * -EINVAL, or -ENOMEM (table unchanged).
 */
int __must_check pt_unmap(struct pt *pt, u64 va, u64 size);

/*
 * Remove every leaf that overlaps [va, va+size), whole (a large leaf
 * reaching outside the range goes entirely; use where the table is a cache).
 * Never allocates. Emptied tables are freed. Returns the number of leaves
 * removed.
 */
u64 pt_zap(struct pt *pt, u64 va, u64 size);

/*
 * Walk to va. Returns 0 with *pte and *level of the leaf (special leaves
 * included), or -ENOENT with *level the level of the empty entry met.
 * Either out-pointer may be NULL.
 */
int pt_lookup(const struct pt *pt, u64 va, u64 *pte, unsigned *level);

/*
 * Call fn for every leaf overlapping [va, va+size), in address order, with
 * the leaf's base address, level and a pointer to the entry. fn may rewrite
 * the entry's attribute bits (it must stay a leaf of the same level and
 * frame) and returns 0 to go on or a non-zero value that stops the walk and
 * is returned.
 */
typedef int (*pt_leaf_fn)(void *arg, u64 va, unsigned level, u64 *ptep);
int pt_for_each_leaf(const struct pt *pt, u64 va, u64 size, pt_leaf_fn fn,
		     void *arg);

/*
 * Try to fold the table under the level-(level) entry covering va into one
 * leaf: possible when the format allows a leaf there and the 512 children
 * are leaves with equal attributes (A/D aside) and contiguous, aligned
 * frames. Returns true when merged (the table page is freed).
 */
bool pt_try_merge(struct pt *pt, u64 va, unsigned level);

/* Leaf helpers shared by the formats and their users. */
static inline hpa_t pt_leaf_pa(const struct pt_format *fmt, u64 pte,
			       unsigned level)
{
	return pte & fmt->addr_mask & ~(pt_level_size(level) - 1);
}

static inline u64 pt_leaf_attrs(const struct pt_format *fmt, u64 pte)
{
	return pte & fmt->attr_mask;
}

/* Highest address + 1 the format's table can translate. */
static inline u64 pt_reach(const struct pt_format *fmt)
{
	return pt_level_size(fmt->levels);
}

#endif /* MICA_MM_PT_PGTABLE_H */
