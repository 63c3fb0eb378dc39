/* SPDX-License-Identifier: MIT */
/*
 * Generic radix page-table engine (see mm/pt/pgtable.h). Every changing
 * operation runs twice over the same decision function: once to count the
 * table pages it will need (nothing is touched), then, with those pages
 * reserved from the provider, for real. An allocation failure is therefore
 * reported before the first entry changes. New tables are filled completely
 * before they are linked, so a concurrent hardware walker only ever sees the
 * old or the new translation of an address.
 */
#include "mm/pt/pgtable.h"
#include "mm/base/errno.h"

enum pt_op_kind { PT_OP_MAP, PT_OP_RAW, PT_OP_UNMAP };

/* One range operation; addresses are in the format's unsigned index space. */
struct pt_op {
	enum pt_op_kind kind;
	u64 va, last; /* inclusive range */
	hpa_t pa;     /* PT_OP_MAP: frame for va */
	u64 attrs;    /* PT_OP_MAP: leaf attributes; PT_OP_RAW: raw entry */
	unsigned max_level; /* PT_OP_MAP: largest leaf; PT_OP_RAW: its level */
	unsigned flags;
	/* pages for a fully covered new subtree, per level */
	u64 full_cost[PT_MAX_LEVELS];
	/* MAP: fully covered entries of the level become leaves */
	bool direct_full[PT_MAX_LEVELS];
};

/* Virtual state of a table that does not exist yet in the counting pass. */
enum pt_virt { PT_VIRT_EMPTY, PT_VIRT_LEAF };

static u64 *pt_virt(const struct pt *pt, u64 entry)
{
	return pt->ops->phys_to_virt(pt->ctx, entry & pt->fmt->addr_mask);
}

static bool pt_is_table(const struct pt *pt, u64 e, unsigned level)
{
	return level > 0 && pt->fmt->is_present(e) &&
	       pt->fmt->is_table(e, level);
}

static bool pt_is_special(const struct pt *pt, u64 e)
{
	return pt->fmt->is_special && pt->fmt->is_special(e);
}

static bool pt_leaf_ok(const struct pt *pt, unsigned level)
{
	return (pt->fmt->leaf_levels & (1u << level)) != 0;
}

/* Can op be applied by writing the entry [base, base+size) at level? */
static bool pt_direct(const struct pt *pt, const struct pt_op *op, u64 base,
		      unsigned level)
{
	u64 last = base + (pt_level_size(level) - 1);
	bool covered = base >= op->va && last <= op->last;

	switch (op->kind) {
	case PT_OP_UNMAP:
		return covered;
	case PT_OP_RAW:
		return level == op->max_level;
	case PT_OP_MAP:
		return covered && level <= op->max_level &&
		       pt_leaf_ok(pt, level) &&
		       IS_ALIGNED(op->pa + (base - op->va),
				  pt_level_size(level));
	}
	return false;
}

/* tmpl: the format's leaf for frame 0 at this level (see pt_format). */
static u64 pt_new_entry(const struct pt_op *op, u64 tmpl, u64 base)
{
	if (op->kind == PT_OP_UNMAP)
		return 0;
	if (op->kind == PT_OP_RAW)
		return op->attrs;
	return tmpl | (op->pa + (base - op->va));
}

static u64 pt_first_index(u64 base, unsigned level, u64 va)
{
	return va <= base ? 0 : (va - base) >> pt_level_shift(level);
}

static u64 pt_last_index(u64 base, unsigned level, u64 last)
{
	u64 span_last = base + (pt_level_size(level + 1) - 1);

	return last >= span_last ? PT_ENTRIES - 1
				 : (last - base) >> pt_level_shift(level);
}

/* ------------------------------------------------------------ counting */

static void pt_fill_full_cost(const struct pt *pt, struct pt_op *op)
{
	/* An entry fully inside the range whose level cannot take the change
	 * directly needs a table and then the same for each of its children;
	 * for MAP, directness of covered entries depends only on the level
	 * because va - pa alignment is the same for every entry of a level. */
	for (unsigned l = 0; l < PT_MAX_LEVELS; l++) {
		bool direct;

		if (op->kind != PT_OP_MAP)
			direct = true;
		else
			direct = l <= op->max_level && pt_leaf_ok(pt, l) &&
				 IS_ALIGNED(op->pa - op->va, pt_level_size(l));
		op->direct_full[l] = op->kind == PT_OP_MAP && direct;
		op->full_cost[l] = direct || l == 0
				       ? 0
				       : 1 + PT_ENTRIES * op->full_cost[l - 1];
	}
}

static u64 pt_count_virt(const struct pt *pt, const struct pt_op *op,
			 enum pt_virt kind, u64 base, unsigned level);

/* Pages needed to turn the non-table entry [eb, ...] at level into a table
 * and apply op below it; kind says what the entry holds now. */
static u64 pt_count_new(const struct pt *pt, const struct pt_op *op,
			enum pt_virt kind, u64 eb, unsigned level)
{
	u64 el = eb + (pt_level_size(level) - 1);

	/* Fully covered by a MAP: every child is in the same situation, so the
	 * cost depends on the level only, whatever the entry held. */
	if (op->kind == PT_OP_MAP && eb >= op->va && el <= op->last)
		return op->full_cost[level];
	return 1 + pt_count_virt(pt, op, kind, eb, level - 1);
}

/* Pages needed below a table at level that does not exist yet. */
static u64 pt_count_virt(const struct pt *pt, const struct pt_op *op,
			 enum pt_virt kind, u64 base, unsigned level)
{
	u64 first = pt_first_index(base, level, op->va);
	u64 lasti = pt_last_index(base, level, op->last);
	u64 n = 0;

	for (u64 i = first; i <= lasti; i++) {
		u64 eb = base + (i << pt_level_shift(level));

		if (pt_direct(pt, op, eb, level))
			continue;
		if (kind == PT_VIRT_EMPTY && op->kind == PT_OP_UNMAP)
			continue;
		BUG_ON(level == 0);
		n += pt_count_new(pt, op, kind, eb, level);
	}
	return n;
}

static u64 pt_count(const struct pt *pt, const struct pt_op *op,
		    const u64 *table, u64 base, unsigned level)
{
	u64 first = pt_first_index(base, level, op->va);
	u64 lasti = pt_last_index(base, level, op->last);
	u64 n = 0;

	for (u64 i = first; i <= lasti; i++) {
		u64 eb = base + (i << pt_level_shift(level));
		u64 e = table[i];

		if (pt_direct(pt, op, eb, level))
			continue;
		BUG_ON(level == 0);
		if (pt_is_table(pt, e, level))
			n += pt_count(pt, op, pt_virt(pt, e), eb, level - 1);
		else if (pt->fmt->is_present(e))
			n += pt_count_new(pt, op, PT_VIRT_LEAF, eb, level);
		else if (op->kind != PT_OP_UNMAP)
			n += pt_count_new(pt, op, PT_VIRT_EMPTY, eb, level);
	}
	return n;
}

/* ------------------------------------------------------------ mutation */

static u64 *pt_alloc_table(struct pt *pt, hpa_t *pa)
{
	u64 *t;

	/* Reserved beforehand: running dry here is an engine bug. */
	BUG_ON(pt->budget == 0);
	t = pt->ops->alloc(pt->ctx, pa);
	BUG_ON(!t);
	pt->budget--;
	pt->nr_tables++;
	return t;
}

static void pt_free_subtree(struct pt *pt, u64 entry, unsigned level)
{
	u64 *t = pt_virt(pt, entry);

	if (level > 1) {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (pt_is_table(pt, t[i], level - 1))
				pt_free_subtree(pt, t[i], level - 1);
	}
	pt->ops->free(pt->ctx, t, entry & pt->fmt->addr_mask);
	pt->nr_tables--;
}

static bool pt_table_empty(const u64 *t)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

/* Child value i of a leaf at level being split into level - 1 entries. */
static u64 pt_split_child(const struct pt *pt, u64 leaf, unsigned level,
			  unsigned i)
{
	const struct pt_format *f = pt->fmt;

	if (pt_is_special(pt, leaf))
		return leaf;
	return f->mk_leaf(
	    pt_leaf_pa(f, leaf, level) + (u64)i * pt_level_size(level - 1),
	    (leaf & f->attr_mask) | (leaf & f->ad_mask), level - 1);
}

/* Make *ep (at level) a table, splitting a leaf or filling in an empty. */
static void pt_make_table(struct pt *pt, u64 *ep, unsigned level)
{
	hpa_t pa;
	u64 *t = pt_alloc_table(pt, &pa);
	u64 old = *ep;

	if (pt->fmt->is_present(old))
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			t[i] = pt_split_child(pt, old, level, i);
	*ep = pt->fmt->mk_table(pa);
}

static bool pt_merge_entry(struct pt *pt, u64 *ep, unsigned level,
			   unsigned max_level);

static void pt_apply(struct pt *pt, struct pt_op *op, u64 *table, u64 base,
		     unsigned level);

/* Apply op to entry i of table (level, table base address base). */
static void pt_apply_entry(struct pt *pt, struct pt_op *op, u64 *table,
			   u64 base, unsigned level, u64 i, u64 tmpl)
{
	u64 eb = base + (i << pt_level_shift(level));
	u64 *ep = &table[i];
	u64 old = *ep;

	if (pt_direct(pt, op, eb, level)) {
		*ep = pt_new_entry(op, tmpl, eb);
		if (old && pt->fmt->is_present(old))
			pt->nr_replaced++;
		if (old && pt_is_table(pt, old, level))
			pt_free_subtree(pt, old, level);
		return;
	}
	if (!pt->fmt->is_present(old) && op->kind == PT_OP_UNMAP)
		return;
	if (!pt_is_table(pt, old, level))
		pt_make_table(pt, ep, level);
	pt_apply(pt, op, pt_virt(pt, *ep), eb, level - 1);
	if (op->kind == PT_OP_UNMAP && pt_table_empty(pt_virt(pt, *ep))) {
		old = *ep;
		*ep = 0;
		pt_free_subtree(pt, old, level);
	} else if (op->kind == PT_OP_MAP && (op->flags & PT_MAP_MERGE)) {
		pt_merge_entry(pt, ep, level, op->max_level);
	}
}

/* A run of fully covered entries that all become leaves: the hot loop of
 * eager mapping, no per-entry decisions. */
static void pt_apply_run(struct pt *pt, struct pt_op *op, u64 *table, u64 base,
			 unsigned level, u64 from, u64 to, u64 tmpl)
{
	u64 size = pt_level_size(level);
	u64 e =
	    tmpl | (op->pa + (base + (from << pt_level_shift(level)) - op->va));

	for (u64 i = from; i <= to; i++, e += size) {
		u64 old = table[i];

		table[i] = e;
		if (unlikely(old)) {
			if (pt->fmt->is_present(old))
				pt->nr_replaced++;
			if (pt_is_table(pt, old, level))
				pt_free_subtree(pt, old, level);
		}
	}
}

static void pt_apply(struct pt *pt, struct pt_op *op, u64 *table, u64 base,
		     unsigned level)
{
	u64 first = pt_first_index(base, level, op->va);
	u64 lasti = pt_last_index(base, level, op->last);
	u64 tmpl = op->kind == PT_OP_MAP && pt_leaf_ok(pt, level)
		       ? pt->fmt->mk_leaf(0, op->attrs, level)
		       : 0;
	u64 i = first;

	if (op->direct_full[level]) {
		/* entries first..lasti except possibly both ends are covered */
		u64 size = pt_level_size(level);
		u64 fb = base + (first << pt_level_shift(level));
		u64 lb = base + (lasti << pt_level_shift(level));
		u64 from = fb >= op->va ? first : first + 1;
		u64 to = lb + (size - 1) <= op->last ? lasti : lasti - 1;

		if (from <= to && to != ~0ULL) {
			for (; i < from; i++)
				pt_apply_entry(pt, op, table, base, level, i,
					       tmpl);
			pt_apply_run(pt, op, table, base, level, from, to,
				     tmpl);
			i = to + 1;
		}
	}
	for (; i <= lasti; i++)
		pt_apply_entry(pt, op, table, base, level, i, tmpl);
}

/* ------------------------------------------------------------ merge */

static bool pt_children_uniform(const struct pt *pt, const u64 *t,
				unsigned level)
{
	const struct pt_format *f = pt->fmt;
	unsigned cl = level - 1;
	u64 c0 = t[0];
	hpa_t pa0;

	if (!f->is_present(c0) || pt_is_table(pt, c0, cl))
		return false;
	if (pt_is_special(pt, c0)) {
		for (unsigned i = 1; i < PT_ENTRIES; i++)
			if (t[i] != c0)
				return false;
		return true;
	}
	pa0 = pt_leaf_pa(f, c0, cl);
	if (!IS_ALIGNED(pa0, pt_level_size(level)))
		return false;
	for (unsigned i = 1; i < PT_ENTRIES; i++) {
		u64 c = t[i];

		if (!f->is_present(c) || pt_is_table(pt, c, cl) ||
		    pt_is_special(pt, c) ||
		    (c & f->attr_mask & ~f->ad_mask) !=
			(c0 & f->attr_mask & ~f->ad_mask) ||
		    pt_leaf_pa(f, c, cl) != pa0 + (u64)i * pt_level_size(cl))
			return false;
	}
	return true;
}

static bool pt_merge_entry(struct pt *pt, u64 *ep, unsigned level,
			   unsigned max_level)
{
	const struct pt_format *f = pt->fmt;
	u64 old = *ep, *t, ad = 0;

	if (level > max_level || !pt_leaf_ok(pt, level) ||
	    !pt_is_table(pt, old, level))
		return false;
	t = pt_virt(pt, old);
	if (!pt_children_uniform(pt, t, level))
		return false;
	if (pt_is_special(pt, t[0])) {
		*ep = t[0];
	} else {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			ad |= t[i] & f->ad_mask;
		*ep =
		    f->mk_leaf(pt_leaf_pa(f, t[0], level - 1),
			       (t[0] & f->attr_mask & ~f->ad_mask) | ad, level);
	}
	pt_free_subtree(pt, old, level);
	return true;
}

/* ------------------------------------------------------------ public */

/* Convert [va, va+size) to the index space; false if out of reach. */
static bool pt_range(const struct pt *pt, u64 va, u64 size, u64 *first,
		     u64 *last)
{
	u64 reach = pt_reach(pt->fmt);
	u64 end_m1 = va + (size - 1);

	if (!size || end_m1 < va)
		return false;
	if (pt->fmt->canonical) {
		u64 half = reach >> 1;
		bool lo = va < half && end_m1 < half;
		bool hi = va >= -half && end_m1 >= -half;

		if (!lo && !hi)
			return false;
	} else if (end_m1 >= reach) {
		return false;
	}
	*first = va & (reach - 1);
	*last = end_m1 & (reach - 1);
	return true;
}

/* Index space back to an address (sign extension for canonical formats). */
static u64 pt_addr(const struct pt *pt, u64 idx)
{
	u64 reach = pt_reach(pt->fmt);

	if (pt->fmt->canonical && (idx & (reach >> 1)))
		return idx | ~(reach - 1);
	return idx;
}

static int pt_run(struct pt *pt, struct pt_op *op)
{
	unsigned top = pt->fmt->levels - 1;
	u64 need;

	pt_fill_full_cost(pt, op);
	need = pt_count(pt, op, pt->root, 0, top);
	if (need && !pt->ops->reserve(pt->ctx, need))
		return -ENOMEM;
	pt->budget = need;
	pt_apply(pt, op, pt->root, 0, top);
	/* The count is exact by construction; a leftover is an engine bug,
	 * surfaced through count_slack for the tests, harmless otherwise. */
	if (pt->budget) {
		pt->count_slack += pt->budget;
		pt->ops->unreserve(pt->ctx, pt->budget);
		pt->budget = 0;
	}
	return 0;
}

int pt_init(struct pt *pt, const struct pt_format *fmt,
	    const struct pt_ops *ops, void *ctx)
{
	BUG_ON(fmt->levels != 4 && fmt->levels != 5);
	pt->fmt = fmt;
	pt->ops = ops;
	pt->ctx = ctx;
	pt->nr_tables = 0;
	pt->count_slack = 0;
	pt->nr_replaced = 0;
	if (!ops->reserve(ctx, 1))
		return -ENOMEM;
	pt->budget = 1;
	pt->root = pt_alloc_table(pt, &pt->root_pa);
	return 0;
}

void pt_destroy(struct pt *pt)
{
	u64 root_entry = pt->fmt->mk_table(pt->root_pa);

	pt_free_subtree(pt, root_entry, pt->fmt->levels);
	pt->root = NULL;
}

int pt_map(struct pt *pt, u64 va, hpa_t pa, u64 size, u64 attrs,
	   unsigned max_level, unsigned flags)
{
	struct pt_op op = {
	    .kind = PT_OP_MAP,
	    .pa = pa,
	    .attrs = attrs & pt->fmt->attr_mask,
	    .max_level = max_level,
	    .flags = flags,
	};

	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || !size ||
	    pa + size - 1 < pa || (pa & ~pt->fmt->addr_mask) ||
	    ((pa + size - PAGE_SIZE) & ~pt->fmt->addr_mask) ||
	    !pt_range(pt, va, size, &op.va, &op.last))
		return -EINVAL;
	return pt_run(pt, &op);
}

int pt_set_raw(struct pt *pt, u64 va, unsigned level, u64 pte)
{
	struct pt_op op = {
	    .kind = PT_OP_RAW,
	    .attrs = pte,
	    .max_level = level,
	};

	if (level >= pt->fmt->levels - 1 || !pt_leaf_ok(pt, level) ||
	    (pte && level > 0 && pt->fmt->is_table(pte, level)) ||
	    !pt_range(pt, ALIGN_DOWN(va, pt_level_size(level)),
		      pt_level_size(level), &op.va, &op.last))
		return -EINVAL;
	return pt_run(pt, &op);
}

int pt_unmap(struct pt *pt, u64 va, u64 size)
{
	struct pt_op op = {.kind = PT_OP_UNMAP};

	if (!IS_ALIGNED(va | size, PAGE_SIZE) ||
	    !pt_range(pt, va, size, &op.va, &op.last))
		return -EINVAL;
	return pt_run(pt, &op);
}

/* Remove leaves overlapping [va, last] under table; returns leaves removed. */
static u64 pt_zap_table(struct pt *pt, u64 *table, u64 base, unsigned level,
			u64 va, u64 last)
{
	u64 first = pt_first_index(base, level, va);
	u64 lasti = pt_last_index(base, level, last);
	u64 n = 0;

	for (u64 i = first; i <= lasti; i++) {
		u64 eb = base + (i << pt_level_shift(level));
		u64 e = table[i];

		if (!pt->fmt->is_present(e))
			continue;
		if (!pt_is_table(pt, e, level)) {
			table[i] = 0;
			n++;
			continue;
		}
		n += pt_zap_table(pt, pt_virt(pt, e), eb, level - 1, va, last);
		if (pt_table_empty(pt_virt(pt, e))) {
			table[i] = 0;
			pt_free_subtree(pt, e, level);
		}
	}
	pt->nr_replaced += n;
	return n;
}

u64 pt_zap(struct pt *pt, u64 va, u64 size)
{
	u64 first, last;

	if (!pt_range(pt, va, size, &first, &last))
		return 0;
	return pt_zap_table(pt, pt->root, 0, pt->fmt->levels - 1, first, last);
}

int pt_lookup(const struct pt *pt, u64 va, u64 *pte, unsigned *level)
{
	const u64 *t = pt->root;
	u64 idx, dummy;

	if (!pt_range(pt, va, 1, &idx, &dummy))
		return -EINVAL;
	for (unsigned l = pt->fmt->levels - 1;; l--) {
		u64 e = t[(idx >> pt_level_shift(l)) & (PT_ENTRIES - 1)];

		if (level)
			*level = l;
		if (!pt->fmt->is_present(e))
			return -ENOENT;
		if (!pt_is_table(pt, e, l)) {
			if (pte)
				*pte = e;
			return 0;
		}
		t = pt_virt(pt, e);
	}
}

static int pt_walk_table(const struct pt *pt, u64 *table, u64 base,
			 unsigned level, u64 va, u64 last, pt_leaf_fn fn,
			 void *arg)
{
	u64 first = pt_first_index(base, level, va);
	u64 lasti = pt_last_index(base, level, last);

	for (u64 i = first; i <= lasti; i++) {
		u64 eb = base + (i << pt_level_shift(level));
		u64 e = table[i];
		int rc;

		if (!pt->fmt->is_present(e))
			continue;
		if (pt_is_table(pt, e, level))
			rc = pt_walk_table(pt, pt_virt(pt, e), eb, level - 1,
					   va, last, fn, arg);
		else
			rc = fn(arg, pt_addr(pt, eb), level, &table[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int pt_for_each_leaf(const struct pt *pt, u64 va, u64 size, pt_leaf_fn fn,
		     void *arg)
{
	u64 first, last;

	if (!pt_range(pt, va, size, &first, &last))
		return -EINVAL;
	return pt_walk_table(pt, pt->root, 0, pt->fmt->levels - 1, first, last,
			     fn, arg);
}

bool pt_try_merge(struct pt *pt, u64 va, unsigned level)
{
	u64 *t = pt->root, idx, dummy;

	if (level == 0 || level >= pt->fmt->levels ||
	    !pt_range(pt, va, 1, &idx, &dummy))
		return false;
	for (unsigned l = pt->fmt->levels - 1;; l--) {
		u64 *ep = &t[(idx >> pt_level_shift(l)) & (PT_ENTRIES - 1)];

		if (l == level)
			return pt_merge_entry(pt, ep, level, level);
		if (!pt_is_table(pt, *ep, l))
			return false;
		t = pt_virt(pt, *ep);
	}
}
