/* SPDX-License-Identifier: MIT */
/*
 * memslot -> EPT builder (docs/design.md section 3). The EPT is a cache of what
 * the memslots say: any leaf may be dropped at any time (and is, on every
 * memslot change) and rebuilt on the next EPT violation. What is mapped is
 * never more than the slot allows: read-only slots never get W, dirty-logged
 * slots get W per 4K page only after the write was recorded.
 */
#include "ept/ept_build.h"
#include "mm/base/errno.h"

int ept_vm_init(struct ept_vm *v, struct memslot_table *slots, u64 pool_size,
		const struct pt_ops *pt_ops, void *pt_ctx,
		const struct ept_vm_ops *ops, void *ctx, u32 caps)
{
	v->slots = slots;
	v->ops = ops;
	v->ctx = ctx;
	v->pool_size = pool_size;
	for (unsigned i = 0; i < EPT_FIXED_MAX; i++)
		v->fixed[i] = (struct ept_fixed){0, 0, false};
	v->max_level = (caps & EPT_CAP_2M) ? PT_LEVEL_2M : PT_LEVEL_4K;
	if ((caps & EPT_CAP_1G) && (caps & EPT_CAP_2M))
		v->max_level = PT_LEVEL_1G;
	return pt_init(&v->pt, &ept_format_4level, pt_ops, pt_ctx);
}

void ept_vm_destroy(struct ept_vm *v)
{
	pt_destroy(&v->pt);
}

static u64 ept_access_bits(u32 access)
{
	return ((access & EPT_ACC_READ) ? EPT_R : 0) |
	       ((access & EPT_ACC_WRITE) ? EPT_W : 0) |
	       ((access & EPT_ACC_EXEC) ? EPT_X : 0);
}

/* Largest leaf level for the block of s around gfn. */
static unsigned ept_pick_level(struct ept_vm *v, const struct memslot *s,
			       gfn_t gfn)
{
	if (memslot_dirty_logging(s))
		return PT_LEVEL_4K;
	for (unsigned l = v->max_level; l > PT_LEVEL_4K; l--) {
		u64 npg = pt_level_size(l) >> PAGE_SHIFT, contig;
		gfn_t b = ALIGN_DOWN(gfn, npg);
		hpa_t hpa;

		if (b < s->base_gfn || b + npg > memslot_end_gfn(s))
			continue;
		hpa = v->ops->pool_hpa(v->ctx, memslot_gfn_to_pool(s, b),
				       &contig);
		if (!IS_ALIGNED(hpa, pt_level_size(l)) ||
		    contig < pt_level_size(l))
			continue;
		if (v->ops->force_4k && v->ops->force_4k(v->ctx, b, npg))
			continue;
		return l;
	}
	return PT_LEVEL_4K;
}

/* Sub-page protection of a 4K page: true and *extra, or false. */
static bool ept_wp(struct ept_vm *v, gfn_t gfn, u64 *extra)
{
	*extra = 0;
	return v->ops->write_protect &&
	       v->ops->write_protect(v->ctx, gfn, extra);
}

static int ept_fault_ram(struct ept_vm *v, const struct memslot *s, gpa_t gpa,
			 u32 access, bool *flush)
{
	u64 want = ept_access_bits(access), perm = EPT_R | EPT_X, pte, extra;
	gfn_t gfn = gpa_to_gfn(gpa);
	unsigned level, cur;
	bool wp = false;
	int rc;

	if ((access & EPT_ACC_WRITE) && memslot_readonly(s))
		return EPT_FAULT_MMIO;
	if (!memslot_readonly(s) &&
	    (!memslot_dirty_logging(s) || (access & EPT_ACC_WRITE)))
		perm |= EPT_W;
	if (pt_lookup(&v->pt, gpa, &pte, &cur) == 0 && !ept_is_mmio(pte)) {
		if ((pte & want) == want)
			return EPT_FAULT_FIXED; /* another vCPU got here first */
		/* A write to a sub-page protected page that is mapped already:
		 * nothing to build, emulate it. */
		if (cur == PT_LEVEL_4K && (access & EPT_ACC_WRITE) &&
		    ept_wp(v, gfn, &extra))
			return EPT_FAULT_MMIO;
	}
	level = ept_pick_level(v, s, gfn);
	if (level == PT_LEVEL_4K && ept_wp(v, gfn, &extra)) {
		wp = true;
		perm = (perm & ~EPT_W) | extra;
	}
	gpa_t block = ALIGN_DOWN(gpa, pt_level_size(level));
	u64 contig;
	hpa_t hpa = v->ops->pool_hpa(
	    v->ctx, memslot_gfn_to_pool(s, gpa_to_gfn(block)), &contig);

	u64 replaced = v->pt.nr_replaced;

	rc = pt_map(&v->pt, block, hpa, pt_level_size(level),
		    ept_ram_attrs(perm) | (perm & EPT_SPP), level, 0);
	if (rc)
		return rc;
	if (flush && v->pt.nr_replaced != replaced)
		*flush = true;
	if (wp && (access & EPT_ACC_WRITE))
		return EPT_FAULT_MMIO; /* emulate it with the sub-page check */
	/* Record the write only once the page is mapped writable for it. */
	if ((access & EPT_ACC_WRITE) && memslot_dirty_logging(s))
		memslot_mark_dirty(s, gfn);
	return EPT_FAULT_FIXED;
}

/* The fixed page in [gfn, gfn + npages), or NULL. */
static const struct ept_fixed *ept_fixed_in(const struct ept_vm *v, gfn_t gfn,
					    u64 npages)
{
	for (unsigned i = 0; i < EPT_FIXED_MAX; i++)
		if (v->fixed[i].hpa && v->fixed[i].gfn >= gfn &&
		    v->fixed[i].gfn - gfn < npages)
			return &v->fixed[i];
	return NULL;
}

static int ept_fault_fixed(struct ept_vm *v, const struct ept_fixed *f,
			   gpa_t gpa, u32 access, bool *flush)
{
	u64 replaced = v->pt.nr_replaced;
	int rc;

	if ((access & EPT_ACC_EXEC) ||
	    ((access & EPT_ACC_WRITE) && !f->writable))
		return EPT_FAULT_MMIO;
	rc = pt_map(&v->pt, ALIGN_DOWN(gpa, PAGE_SIZE), f->hpa, PAGE_SIZE,
		    ept_ram_attrs(EPT_R | (f->writable ? EPT_W : 0)),
		    PT_LEVEL_4K, 0);
	if (flush && v->pt.nr_replaced != replaced)
		*flush = true;
	return rc ? rc : EPT_FAULT_FIXED;
}

/* Cache "not RAM" for the largest slot-free block around gpa (never over
 * a fixed page). Replacing stale MMIO entries can free table pages the
 * CPU may have cached. */
static int ept_fault_unbacked(struct ept_vm *v, gpa_t gpa, bool *flush)
{
	u64 replaced = v->pt.nr_replaced;

	u64 e = ept_mmio_encode(memslot_generation(v->slots));

	for (unsigned l = v->max_level;; l--) {
		u64 size = pt_level_size(l);
		gpa_t b = ALIGN_DOWN(gpa, size);
		const struct memslot *n =
		    memslot_find_next(v->slots, gpa_to_gfn(b));

		if (l == PT_LEVEL_4K ||
		    ((!n || n->base_gfn >= gpa_to_gfn(b + size)) &&
		     !ept_fixed_in(v, gpa_to_gfn(b), size >> PAGE_SHIFT))) {
			int rc = pt_set_raw(&v->pt, b, l, e);

			if (flush && v->pt.nr_replaced != replaced)
				*flush = true;
			return rc ? rc : EPT_FAULT_MMIO;
		}
	}
}

int ept_handle_violation(struct ept_vm *v, gpa_t gpa, u32 access, bool *flush)
{
	const struct memslot *s;
	const struct ept_fixed *f;

	if (gpa >= pt_reach(v->pt.fmt))
		return -EFAULT;
	s = memslot_find_gpa(v->slots, gpa);
	if (s)
		return ept_fault_ram(v, s, gpa, access, flush);
	f = ept_fixed_in(v, gpa_to_gfn(gpa), 1);
	if (f)
		return ept_fault_fixed(v, f, gpa, access, flush);
	return ept_fault_unbacked(v, gpa, flush);
}

int ept_handle_misconfig(struct ept_vm *v, gpa_t gpa)
{
	unsigned level;
	u64 pte;

	if (gpa >= pt_reach(v->pt.fmt) ||
	    pt_lookup(&v->pt, gpa, &pte, &level) || !ept_is_mmio(pte))
		return -EIO;
	if (ept_mmio_current(pte, memslot_generation(v->slots)))
		return EPT_FAULT_MMIO;
	pt_zap(&v->pt, ALIGN_DOWN(gpa, pt_level_size(level)),
	       pt_level_size(level));
	return EPT_FAULT_RETRY;
}

int ept_map_slot(struct ept_vm *v, const struct memslot *s, u32 mode,
		 bool *flush)
{
	u64 perm = EPT_R | EPT_X, size = memslot_size(s), done = 0;
	unsigned maxl = memslot_dirty_logging(s) ? PT_LEVEL_4K : v->max_level;
	gpa_t gpa = memslot_gpa(s);

	if ((mode & MEMSLOT_LOCK_WRITE) && !memslot_readonly(s) &&
	    !memslot_dirty_logging(s))
		perm |= EPT_W;
	u64 replaced = v->pt.nr_replaced;
	int rc = 0;

	while (done < size && !rc) {
		u64 contig, chunk;
		hpa_t hpa =
		    v->ops->pool_hpa(v->ctx, s->pool_offset + done, &contig);
		unsigned l = maxl;

		chunk = MIN(contig, size - done);
		if (v->ops->force_4k &&
		    v->ops->force_4k(v->ctx, gpa_to_gfn(gpa + done),
				     chunk >> PAGE_SHIFT)) {
			/* some page needs 4K: decide per 2M of GPA so one
			 * forced page does not drag the whole slot down to
			 * 4K (and map the rest in one call when none does) */
			u64 to2m = SIZE_2M - ((gpa + done) & (SIZE_2M - 1));

			chunk = MIN(chunk, to2m);
			if (v->ops->force_4k(v->ctx, gpa_to_gfn(gpa + done),
					     chunk >> PAGE_SHIFT))
				l = PT_LEVEL_4K;
		}
		rc = pt_map(&v->pt, gpa + done, hpa, chunk, ept_ram_attrs(perm),
			    l, 0);
		/* protected pages of a forced-4K chunk lose W at once */
		for (u64 o = 0; !rc && l == PT_LEVEL_4K &&
				v->ops->write_protect && o < chunk;
		     o += PAGE_SIZE)
			ept_spp_refresh(v, gpa_to_gfn(gpa + done + o));
		done += chunk;
	}
	/* leaves replaced (e.g. W dropped by a read lock): stale TLBs */
	*flush = v->pt.nr_replaced != replaced;
	return rc;
}

bool ept_zap(struct ept_vm *v, gpa_t gpa, u64 size)
{
	u64 reach = pt_reach(v->pt.fmt);

	if (!size || gpa >= reach)
		return false;
	return pt_zap(&v->pt, gpa, MIN(size, reach - gpa)) != 0;
}

struct ept_find_mmio {
	u64 va;
	unsigned level;
};

static int ept_find_mmio_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct ept_find_mmio *f = arg;

	if (!ept_is_mmio(*ptep))
		return 0;
	f->va = va;
	f->level = level;
	return 1;
}

bool ept_zap_all_mmio(struct ept_vm *v)
{
	u64 reach = pt_reach(v->pt.fmt), from = 0;
	struct ept_find_mmio f;
	bool any = false;

	while (from < reach && pt_for_each_leaf(&v->pt, from, reach - from,
						ept_find_mmio_fn, &f) == 1) {
		pt_zap(&v->pt, f.va, pt_level_size(f.level));
		from = f.va + pt_level_size(f.level);
		any = true;
	}
	return any;
}

bool ept_reclaim(struct ept_vm *v)
{
	bool any = ept_zap_all_mmio(v);

	for (u32 i = 0; i < memslot_count(v->slots); i++) {
		const struct memslot *s = memslot_at(v->slots, i);

		if (!memslot_locked(s))
			any |= ept_zap(v, memslot_gpa(s), memslot_size(s));
	}
	return any;
}

bool ept_pool_has(struct ept_vm *v, u64 n)
{
	if (!v->pt.ops->reserve(v->pt.ctx, n))
		return false;
	v->pt.ops->unreserve(v->pt.ctx, n);
	return true;
}

static int ept_wp_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	bool *changed = arg;

	(void)va;
	(void)level;
	if (!ept_is_mmio(*ptep) && (*ptep & EPT_W)) {
		*ptep &= ~(EPT_W | EPT_D);
		*changed = true;
	}
	return 0;
}

bool ept_write_protect_slot(struct ept_vm *v, const struct memslot *s)
{
	bool changed = false;

	pt_for_each_leaf(&v->pt, memslot_gpa(s), memslot_size(s), ept_wp_fn,
			 &changed);
	return changed;
}

struct ept_refresh {
	struct ept_vm *v;
	const struct memslot *s;
	gfn_t gfn;
	bool changed;
};

static int ept_refresh_fn(void *arg, u64 va, unsigned level, u64 *ptep)
{
	struct ept_refresh *r = arg;
	gfn_t gfn = r->gfn;
	u64 extra, e = *ptep;

	(void)va;
	if (ept_is_mmio(e))
		return 0;
	if (level != PT_LEVEL_4K) {
		/* a large leaf never covers a protected page: zap it */
		if (ept_wp(r->v, gfn, &extra))
			return 1;
		return 0;
	}
	e &= ~(EPT_W | EPT_SPP);
	if (ept_wp(r->v, gfn, &extra))
		e |= extra;
	else if (!memslot_readonly(r->s) && !memslot_dirty_logging(r->s))
		e |= EPT_W;
	if (e != *ptep) {
		*ptep = e;
		r->changed = true;
	}
	return 0;
}

bool ept_spp_refresh(struct ept_vm *v, gfn_t gfn)
{
	struct ept_refresh r = {.v = v, .gfn = gfn};
	gpa_t gpa = gfn_to_gpa(gfn);

	r.s = memslot_find(v->slots, gfn);
	if (!r.s || gpa >= pt_reach(v->pt.fmt))
		return false;
	if (pt_for_each_leaf(&v->pt, gpa, PAGE_SIZE, ept_refresh_fn, &r) == 1)
		return pt_zap(&v->pt, gpa, PAGE_SIZE) != 0;
	return r.changed;
}
