/* SPDX-License-Identifier: MIT */
/*
 * Guest memory operations: memslot changes and their EPT consequences in
 * the order validate -> apply -> zap -> INVEPT, so that no vCPU can use a
 * translation the new memslots no longer allow once the call returns.
 */
#include "ept/vm_memory.h"
#include "mm/base/errno.h"

int vm_memory_init(struct vm_memory *m, struct memslot_table *slots,
		   u64 pool_size, const struct pt_ops *pt_ops, void *pt_ctx,
		   const struct ept_vm_ops *ept_ops, void *ept_ctx, u32 caps,
		   const struct vm_memory_ops *ops, void *ctx)
{
	m->slots = slots;
	m->ops = ops;
	m->ctx = ctx;
	m->flushes = 0;
	m->mmio_wraps = 0;
	m->reclaims = 0;
	return ept_vm_init(&m->ept, slots, pool_size, pt_ops, pt_ctx, ept_ops,
			   ept_ctx, caps);
}

void vm_memory_destroy(struct vm_memory *m)
{
	ept_vm_destroy(&m->ept);
}

static void vm_flush(struct vm_memory *m)
{
	m->ops->flush(m->ctx);
	m->flushes++;
}

/*
 * The table pool is empty: drop what the EPT only caches (MMIO entries,
 * unlocked slots' leaves) so the caller can try once more. The flush is
 * owed before the freed pages are reused (the caller's *flush). Returns
 * true if anything was dropped.
 */
static bool vm_reclaim(struct vm_memory *m, bool *flush)
{
	if (!ept_reclaim(&m->ept))
		return false;
	m->reclaims++;
	/* Freed table pages may still be cached by the CPU's paging-structure
	 * caches: INVEPT before the builder hands them out again. */
	vm_flush(m);
	*flush = false;
	return true;
}

int vm_set_memory_region(struct vm_memory *m, const struct memslot_region *r,
			 struct memslot_change *c)
{
	bool flush = false;
	int rc = memslot_set_prepare(m->slots, r, c);

	if (rc)
		return rc;
	if (c->kind == MEMSLOT_CHANGE_NONE)
		return 0;
	memslot_set_commit(m->slots, c);
	/* Old range: its leaves map frames the slot no longer gives (delete,
	 * move) or with a leaf size / write permission dirty logging changes
	 * (flags). New range: stale MMIO entries would be caught by the
	 * generation, but zapping them now costs nothing and keeps the
	 * invariant "no MMIO entry over a slot" that ept_check verifies. */
	if (c->old_npages)
		flush |= ept_zap(&m->ept, gfn_to_gpa(c->old_gfn),
				 c->old_npages << PAGE_SHIFT);
	if (c->new_npages && c->kind != MEMSLOT_CHANGE_FLAGS)
		flush |= ept_zap(&m->ept, gfn_to_gpa(c->new_gfn),
				 c->new_npages << PAGE_SHIFT);
	/* MMIO entries keep only the low generation bits: when they wrap, an
	 * entry from 2^bits generations ago would look current. */
	if ((c->generation_after & EPT_MMIO_GEN_MASK) <
		(c->generation_before & EPT_MMIO_GEN_MASK) ||
	    c->generation_after - c->generation_before > EPT_MMIO_GEN_MASK) {
		flush |= ept_zap_all_mmio(&m->ept);
		m->mmio_wraps++;
	}
	if (flush)
		vm_flush(m);
	return 0;
}

int vm_lock_memslot(struct vm_memory *m, u32 id, u32 mode)
{
	bool flush = false;
	int rc = memslot_lock_check(m->slots, id, mode);
	const struct memslot *s;

	if (rc)
		return rc;
	s = memslot_get(m->slots, id);
	rc = ept_map_slot(&m->ept, s, mode, &flush);
	if (rc == -ENOMEM && vm_reclaim(m, &flush))
		rc = ept_map_slot(&m->ept, s, mode, &flush);
	/* Locked leaves are never reclaimed: keep room for the faults of
	 * any one instruction (reclaiming drops this slot's leaves too,
	 * as it is not locked yet, so map it again). */
	if (!rc && !ept_pool_has(&m->ept, VM_LOCK_HEADROOM)) {
		if (vm_reclaim(m, &flush))
			rc = ept_map_slot(&m->ept, s, mode, &flush);
		if (!rc && !ept_pool_has(&m->ept, VM_LOCK_HEADROOM))
			rc = -ENOMEM;
	}
	if (flush)
		vm_flush(m);
	if (rc)
		return rc;
	rc = memslot_lock(m->slots, id, mode);
	BUG_ON(rc); /* checked above, nothing changed in between */
	return 0;
}

int vm_unlock_memslot(struct vm_memory *m, u32 id)
{
	return memslot_unlock(m->slots, id);
}

int vm_get_dirty_log(struct vm_memory *m, u32 id, u64 *out)
{
	int rc = memslot_get_dirty_log(m->slots, id, out);
	const struct memslot *s;

	if (rc)
		return rc;
	s = memslot_get(m->slots, id);
	if (memslot_dirty_logging(s) && ept_write_protect_slot(&m->ept, s))
		vm_flush(m);
	return 0;
}

int vm_ept_violation(struct vm_memory *m, gpa_t gpa, u32 access)
{
	bool flush = false;
	int rc = ept_handle_violation(&m->ept, gpa, access, &flush);

	if (unlikely(rc == -ENOMEM) && vm_reclaim(m, &flush))
		rc = ept_handle_violation(&m->ept, gpa, access, &flush);
	if (flush)
		vm_flush(m);
	return rc;
}

int vm_ept_misconfig(struct vm_memory *m, gpa_t gpa)
{
	int rc = ept_handle_misconfig(&m->ept, gpa);

	if (rc == EPT_FAULT_RETRY)
		vm_flush(m);
	return rc;
}
