/* SPDX-License-Identifier: MIT */
/*
 * Sub-page write protection (docs/design.md section 4, docs/spp.md): the SPP
 * table (SPPT) the CPU walks for EPT leaves with bit 61 set, and the
 * per-page u32 access maps kept in the memslots. Pure: table pages come
 * from a pt_ops provider (the VM's pool in the kernel, the heap in tests);
 * no INVEPT here, callers flush when a function reports a change.
 *
 * SPPT layout (SDM Vol. 3C, "Sub-Page Write Permissions"): four levels
 * indexed by GPA bits 47:39, 38:30, 29:21 and 20:12 like the EPT. A
 * non-leaf entry is the next table's physical address | 1 (valid); an entry
 * with bit 0 clear makes the CPU exit with an SPP miss. A leaf is a bit
 * vector: bit 2*i set = 128-byte subpage i writable, odd bits reserved.
 */
#ifndef MICA_EPT_EPT_SPP_H
#define MICA_EPT_EPT_SPP_H

#include "mm/pt/pgtable.h"
#include "mm/memslot/memslot.h"

#define SPP_SUBPAGE_SHIFT  7
#define SPP_SUBPAGE_SIZE   (1u << SPP_SUBPAGE_SHIFT)
#define SPP_SUBPAGES	   32
#define SPPT_VALID	   BIT(0)
#define SPPT_ADDR	   GENMASK(51, 12)
#define SPPT_LEAF_FULL	   0x5555555555555555ULL /* every even bit */
#define SPPT_LEAF_RESERVED 0xAAAAAAAAAAAAAAAAULL /* every odd bit */
#define SPPT_LEVELS	   4

struct spp_table {
	const struct pt_ops *ops;
	void *ctx;
	hpa_t root_pa;
	u64 *root;
	u64 nr_tables; /* table pages in use, root included */
};

/* SPPT leaf for access map @map (subpage i writable -> bit 2i) and back. */
u64 spp_leaf_from_map(u32 map);
u32 spp_map_from_leaf(u64 leaf);

/*
 * True when a write of @len bytes (>= 1) at byte @off of a page whose
 * access map is @map may land: every subpage it touches is writable. The
 * write must stay in the page (off + len <= 4096). A write that straddles a
 * writable and a protected subpage is denied whole (docs/spp.md).
 */
bool spp_write_allowed(u32 map, u32 off, u32 len);

/* Empty table (a root page). Returns 0 or -ENOMEM. */
int __must_check spp_init(struct spp_table *t, const struct pt_ops *ops,
			  void *ctx);

/* Free every table page; the table is unusable after. */
void spp_destroy(struct spp_table *t);

/*
 * Build the leaf table covering the 2M region of @gfn if missing (leaves
 * initialised to SPPT_LEAF_FULL) and set the leaf of @gfn from @map.
 * Returns 0, -EINVAL (gfn beyond 2^48 bytes), or -ENOMEM (tables reserved
 * first: nothing changed).
 */
int __must_check spp_set_leaf(struct spp_table *t, gfn_t gfn, u32 map);

/*
 * Rewrite the leaf of @gfn if its leaf table exists (never allocates).
 * Returns true if a leaf table held it (the caller must INVEPT).
 */
bool spp_update_leaf(struct spp_table *t, gfn_t gfn, u32 map);

/*
 * Remove the leaf tables covering [gfn, gfn + npages) (whole 2M regions),
 * so the next write under an SPP-tagged EPT leaf there is an SPP miss.
 * Never allocates; emptied upper tables are freed. Returns true if any
 * table was removed.
 */
bool spp_zap(struct spp_table *t, gfn_t gfn, u64 npages);

/* Leaf of @gfn: 0 and *leaf, or -ENOENT if no leaf table covers it. */
int spp_lookup(const struct spp_table *t, gfn_t gfn, u64 *leaf);

/*
 * Access-map bookkeeping over the memslots. spp_maps_check: 0 if every page
 * of [gfn, gfn + npages) lies in a slot with SPP storage attached, -EFAULT
 * otherwise (or on overflow), -EINVAL if npages is 0. spp_maps_set stores
 * maps[i] for gfn + i and returns how many maps changed; spp_maps_get reads
 * them. Both require a successful spp_maps_check on the same range.
 */
int __must_check spp_maps_check(struct memslot_table *st, gfn_t gfn,
				u64 npages);
u64 spp_maps_set(struct memslot_table *st, gfn_t gfn, u64 npages,
		 const u32 *maps);
void spp_maps_get(struct memslot_table *st, gfn_t gfn, u64 npages, u32 *maps);

#endif /* MICA_EPT_EPT_SPP_H */
