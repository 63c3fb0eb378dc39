/* SPDX-License-Identifier: MIT */
/*
 * EPT consistency checker: walks every leaf and verifies it against the
 * memslots (see ept_check in ept/ept_build.h). Used by the host tests after
 * every operation, and callable in debug builds of the hypervisor.
 */
#include "ept/ept_build.h"
#include "mm/base/errno.h"

struct ept_check_ctx {
	struct ept_vm *v;
	struct ept_check_report *r;
	u64 mapped; /* bytes of RAM leaves seen (slot coverage pass) */
	bool need_w;
};

static int ept_fail(struct ept_check_ctx *c, const char *what, u64 va,
		    unsigned level, u64 pte, u32 slot)
{
	*c->r = (struct ept_check_report){
	    .what = what, .gpa = va, .pte = pte, .level = level, .slot = slot};
	return 1;
}

static int ept_check_mmio(struct ept_check_ctx *c, u64 va, unsigned level,
			  u64 pte)
{
	u64 size = pt_level_size(level);
	const struct memslot *n =
	    memslot_find_next(c->v->slots, gpa_to_gfn(va));

	if (n && n->base_gfn < gpa_to_gfn(va + size))
		return ept_fail(c, "MMIO entry over a memslot", va, level, pte,
				n->id);
	for (unsigned i = 0; i < EPT_FIXED_MAX; i++)
		if (c->v->fixed[i].hpa &&
		    c->v->fixed[i].gfn >= gpa_to_gfn(va) &&
		    c->v->fixed[i].gfn < gpa_to_gfn(va + size))
			return ept_fail(c, "MMIO entry over a fixed page", va,
					level, pte, ~0u);
	return 0;
}

/* Sub-page protection: no large leaf where force_4k says 4K, protected
 * pages without W and with exactly the hook's extra bits, SPP nowhere else.
 * Returns true on a violation. */
static bool ept_check_spp(struct ept_check_ctx *c, const struct memslot *s,
			  u64 va, unsigned level, u64 pte)
{
	const struct ept_vm_ops *ops = c->v->ops;
	gfn_t gfn = gpa_to_gfn(va);
	u64 extra = 0;

	(void)s;
	if (level != PT_LEVEL_4K)
		return ops->force_4k &&
		       ops->force_4k(c->v->ctx, gfn,
				     pt_level_size(level) >> PAGE_SHIFT);
	if (!ops->write_protect || !ops->write_protect(c->v->ctx, gfn, &extra))
		return (pte & EPT_SPP) != 0;
	return (pte & EPT_W) || (pte & EPT_SPP) != (extra & EPT_SPP);
}

/* A fixed page's leaf: its frame, never X, W only if it is writable. */
static int ept_check_fixed(struct ept_check_ctx *c, const struct ept_fixed *f,
			   u64 va, u64 pte)
{
	if (pt_leaf_pa(c->v->pt.fmt, pte, PT_LEVEL_4K) == f->hpa &&
	    !(pte & EPT_X) && (f->writable || !(pte & EPT_W)))
		return 0;
	return ept_fail(c, "fixed page mapped wrongly", va, PT_LEVEL_4K, pte,
			~0u);
}

/* A RAM leaf: exact frame, within slot and pool, permissions <= slot's. */
static int ept_check_ram(struct ept_check_ctx *c, u64 va, unsigned level,
			 u64 pte)
{
	struct ept_vm *v = c->v;
	u64 size = pt_level_size(level), off, contig;
	const struct memslot *s = memslot_find_gpa(v->slots, va);
	hpa_t hpa;

	if (!(pte & EPT_R))
		return ept_fail(c, "leaf without read permission", va, level,
				pte, ~0u);
	if (!s && level == PT_LEVEL_4K)
		for (unsigned i = 0; i < EPT_FIXED_MAX; i++)
			if (v->fixed[i].hpa &&
			    va == gfn_to_gpa(v->fixed[i].gfn))
				return ept_check_fixed(c, &v->fixed[i], va,
						       pte);
	if (!s)
		return ept_fail(c, "RAM leaf outside every memslot", va, level,
				pte, ~0u);
	if (gpa_to_gfn(va + size) > memslot_end_gfn(s))
		return ept_fail(c, "leaf reaches past its memslot", va, level,
				pte, s->id);
	off = memslot_gfn_to_pool(s, gpa_to_gfn(va));
	if (off >= v->pool_size || v->pool_size - off < size)
		return ept_fail(c, "leaf maps outside the pool", va, level, pte,
				s->id);
	hpa = v->ops->pool_hpa(v->ctx, off, &contig);
	if (pt_leaf_pa(v->pt.fmt, pte, level) != hpa)
		return ept_fail(c, "leaf maps the wrong pool frame", va, level,
				pte, s->id);
	if (contig < size)
		return ept_fail(c, "large leaf over non-contiguous frames", va,
				level, pte, s->id);
	if ((pte & (EPT_MT_MASK | EPT_IPAT)) != EPT_WB_ATTRS)
		return ept_fail(c, "RAM leaf not write-back", va, level, pte,
				s->id);
	if (pte & (EPT_UX | EPT_SVE))
		return ept_fail(c, "unexpected UX/SVE bit", va, level, pte,
				s->id);
	/* SPP: only on 4K leaves the CPU must not write without asking the
	 * SPPT (SDM Vol. 3C, "Sub-Page Write Permissions"), and only where
	 * the builder was told the page is protected. */
	if ((pte & EPT_SPP) && (level != PT_LEVEL_4K || (pte & EPT_W)))
		return ept_fail(c, "SPP bit on a large or writable leaf", va,
				level, pte, s->id);
	if (ept_check_spp(c, s, va, level, pte))
		return ept_fail(c, "sub-page protected page mapped writable",
				va, level, pte, s->id);
	if ((pte & EPT_W) && memslot_readonly(s))
		return ept_fail(c, "read-only slot mapped writable", va, level,
				pte, s->id);
	if (memslot_dirty_logging(s) && level != PT_LEVEL_4K)
		return ept_fail(c, "large leaf in a dirty-logged slot", va,
				level, pte, s->id);
	if (memslot_dirty_logging(s) && (pte & EPT_W)) {
		u64 i = gpa_to_gfn(va) - s->base_gfn;

		if (!(s->dirty_bitmap[i / 64] & BIT(i % 64)))
			return ept_fail(c,
					"writable page missing from the "
					"dirty log",
					va, level, pte, s->id);
	}
	return 0;
}

static int ept_check_leaf_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct ept_check_ctx *c = arg;
	u64 pte = *ptep;

	if (ept_is_mmio(pte))
		return ept_check_mmio(c, va, level, pte);
	if (level > PT_LEVEL_4K && !(pte & EPT_LEAF))
		return ept_fail(c, "non-leaf entry taken for a leaf", va, level,
				pte, ~0u);
	return ept_check_ram(c, va, level, pte);
}

/* Coverage of a locked slot (its leaves were checked by the first pass). */
static int ept_check_cover_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct ept_check_ctx *c = arg;

	if (ept_is_mmio(*ptep))
		return 0;
	if (c->need_w && !(*ptep & EPT_W))
		return ept_fail(c, "slot locked R+W mapped without W", va,
				level, *ptep, ~0u);
	c->mapped += pt_level_size(level);
	return 0;
}

int ept_check(struct ept_vm *v, struct ept_check_report *r)
{
	struct ept_check_ctx c = {.v = v, .r = r};

	*r = (struct ept_check_report){0};
	if (pt_for_each_leaf(&v->pt, 0, pt_reach(v->pt.fmt), ept_check_leaf_fn,
			     &c))
		return -EFAULT;
	for (u32 i = 0; i < memslot_count(v->slots); i++) {
		const struct memslot *s = memslot_at(v->slots, i);

		if (!memslot_locked(s))
			continue;
		c.mapped = 0;
		c.need_w = s->lock == MEMSLOT_LOCKED_RW &&
			   !memslot_readonly(s) && !memslot_dirty_logging(s);
		if (pt_for_each_leaf(&v->pt, memslot_gpa(s), memslot_size(s),
				     ept_check_cover_fn, &c)) {
			r->slot = s->id;
			return -EFAULT;
		}
		if (c.mapped != memslot_size(s))
			return ept_fail(&c, "locked slot not fully mapped",
					memslot_gpa(s), 0, 0, s->id),
			       -EFAULT;
	}
	return 0;
}
