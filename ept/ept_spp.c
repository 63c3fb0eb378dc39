/* SPDX-License-Identifier: MIT */
/*
 * SPP table builder and access-map bookkeeping (ept/ept_spp.h). The SPPT is
 * a cache of the memslots' access maps, like the EPT is of the slots: leaf
 * tables are built when the CPU reports an SPP miss and dropped whenever it
 * is simpler to rebuild them. Its own small walker because an SPPT leaf has
 * no present bit (an all-protected leaf is 0, which the generic engine
 * would take for an empty entry).
 */
#include "ept/ept_spp.h"
#include "mm/base/errno.h"

#define SPP_ENTRIES 512u
#define SPP_REACH   (1ULL << 48)

u64 spp_leaf_from_map(u32 map)
{
	u64 leaf = 0;

	for (unsigned i = 0; i < SPP_SUBPAGES; i++)
		if (map & BIT(i))
			leaf |= BIT(2 * i);
	return leaf;
}

u32 spp_map_from_leaf(u64 leaf)
{
	u32 map = 0;

	for (unsigned i = 0; i < SPP_SUBPAGES; i++)
		if (leaf & BIT(2 * i))
			map |= (u32)BIT(i);
	return map;
}

bool spp_write_allowed(u32 map, u32 off, u32 len)
{
	u32 first = off >> SPP_SUBPAGE_SHIFT;
	u32 last = (off + len - 1) >> SPP_SUBPAGE_SHIFT;
	u32 need = (u32)(GENMASK(last, 0) & ~(BIT(first) - 1));

	BUG_ON(!len || off + len > PAGE_SIZE);
	return (map & need) == need;
}

static unsigned spp_index(gfn_t gfn, unsigned level)
{
	return (unsigned)(gfn >> (9 * level)) & (SPP_ENTRIES - 1);
}

static u64 *spp_virt(const struct spp_table *t, u64 e)
{
	return t->ops->phys_to_virt(t->ctx, e & SPPT_ADDR);
}

int spp_init(struct spp_table *t, const struct pt_ops *ops, void *ctx)
{
	t->ops = ops;
	t->ctx = ctx;
	t->nr_tables = 0;
	if (!ops->reserve(ctx, 1))
		return -ENOMEM;
	t->root = ops->alloc(ctx, &t->root_pa);
	BUG_ON(!t->root);
	t->nr_tables = 1;
	return 0;
}

/* Free the table at @level (3 = root) and everything under it. */
static void spp_free_table(struct spp_table *t, u64 *table, hpa_t pa,
			   unsigned level)
{
	for (unsigned i = 0; level > 0 && i < SPP_ENTRIES; i++)
		if (table[i] & SPPT_VALID)
			spp_free_table(t, spp_virt(t, table[i]),
				       table[i] & SPPT_ADDR, level - 1);
	t->ops->free(t->ctx, table, pa);
	t->nr_tables--;
}

void spp_destroy(struct spp_table *t)
{
	if (t->root)
		spp_free_table(t, t->root, t->root_pa, SPPT_LEVELS - 1);
	t->root = NULL;
}

/* Entry at @level (0 = leaf) for gfn, or NULL if a table on the way is
 * missing. */
static u64 *spp_walk(const struct spp_table *t, gfn_t gfn, unsigned level)
{
	u64 *table = t->root;

	for (unsigned l = SPPT_LEVELS - 1; l > level; l--) {
		u64 e = table[spp_index(gfn, l)];

		if (!(e & SPPT_VALID))
			return NULL;
		table = spp_virt(t, e);
	}
	return &table[spp_index(gfn, level)];
}

int spp_set_leaf(struct spp_table *t, gfn_t gfn, u32 map)
{
	u64 need = 0, *table = t->root;

	if (gfn >= SPP_REACH >> PAGE_SHIFT)
		return -EINVAL;
	for (unsigned l = SPPT_LEVELS - 1; l > 0; l--) {
		u64 *e = spp_walk(t, gfn, l);

		if (!e || !(*e & SPPT_VALID))
			need++;
	}
	if (need && !t->ops->reserve(t->ctx, need))
		return -ENOMEM;
	for (unsigned l = SPPT_LEVELS - 1; l > 0; l--) {
		u64 *e = &table[spp_index(gfn, l)];

		if (!(*e & SPPT_VALID)) {
			hpa_t pa;
			u64 *next = t->ops->alloc(t->ctx, &pa);

			BUG_ON(!next);
			t->nr_tables++;
			for (unsigned i = 0; l == 1 && i < SPP_ENTRIES; i++)
				next[i] = SPPT_LEAF_FULL;
			*e = pa | SPPT_VALID;
		}
		table = spp_virt(t, *e);
	}
	table[spp_index(gfn, 0)] = spp_leaf_from_map(map);
	return 0;
}

bool spp_update_leaf(struct spp_table *t, gfn_t gfn, u32 map)
{
	u64 *e;

	if (gfn >= SPP_REACH >> PAGE_SHIFT)
		return false;
	e = spp_walk(t, gfn, 0);
	if (e)
		*e = spp_leaf_from_map(map);
	return e != NULL;
}

static bool spp_table_empty(const u64 *table)
{
	for (unsigned i = 0; i < SPP_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

/* Zap leaf tables under @table (at @level >= 1, covering gfns from @base)
 * that overlap [first, last]. */
static bool spp_zap_table(struct spp_table *t, u64 *table, unsigned level,
			  gfn_t base, gfn_t first, gfn_t last)
{
	u64 span = 1ULL << (9 * level); /* gfns per entry */
	bool any = false;

	for (unsigned i = spp_index(first, level); i < SPP_ENTRIES; i++) {
		gfn_t eb = base + i * span;
		u64 e = table[i];

		if (eb > last)
			break;
		if (!(e & SPPT_VALID))
			continue;
		if (level > 1 && !spp_zap_table(t, spp_virt(t, e), level - 1,
						eb, MAX(first, eb), last))
			continue;
		if (level == 1 || spp_table_empty(spp_virt(t, e))) {
			t->ops->free(t->ctx, spp_virt(t, e), e & SPPT_ADDR);
			t->nr_tables--;
			table[i] = 0;
		}
		any = true;
	}
	return any;
}

bool spp_zap(struct spp_table *t, gfn_t gfn, u64 npages)
{
	gfn_t limit = SPP_REACH >> PAGE_SHIFT;

	if (!npages || gfn >= limit)
		return false;
	if (npages > limit - gfn)
		npages = limit - gfn;
	return spp_zap_table(t, t->root, SPPT_LEVELS - 1, 0, gfn,
			     gfn + npages - 1);
}

int spp_lookup(const struct spp_table *t, gfn_t gfn, u64 *leaf)
{
	const u64 *e;

	if (gfn >= SPP_REACH >> PAGE_SHIFT)
		return -ENOENT;
	e = spp_walk(t, gfn, 0);
	if (!e)
		return -ENOENT;
	*leaf = *e;
	return 0;
}

/* ---- access maps in the memslots ------------------------------------- */

int spp_maps_check(struct memslot_table *st, gfn_t gfn, u64 npages)
{
	if (!npages)
		return -EINVAL;
	if (gfn + npages < gfn)
		return -EFAULT;
	for (gfn_t g = gfn; g < gfn + npages;) {
		const struct memslot *s = memslot_find(st, g);

		if (!s || !s->spp_map)
			return -EFAULT;
		g = memslot_end_gfn(s);
	}
	return 0;
}

u64 spp_maps_set(struct memslot_table *st, gfn_t gfn, u64 npages,
		 const u32 *maps)
{
	u64 changed = 0;

	for (u64 i = 0; i < npages; i++) {
		const struct memslot *s = memslot_find(st, gfn + i);

		BUG_ON(!s);
		if (memslot_spp_get(s, gfn + i) != maps[i]) {
			memslot_spp_set(s, gfn + i, maps[i]);
			changed++;
		}
	}
	return changed;
}

void spp_maps_get(struct memslot_table *st, gfn_t gfn, u64 npages, u32 *maps)
{
	for (u64 i = 0; i < npages; i++) {
		const struct memslot *s = memslot_find(st, gfn + i);

		BUG_ON(!s);
		maps[i] = memslot_spp_get(s, gfn + i);
	}
}
