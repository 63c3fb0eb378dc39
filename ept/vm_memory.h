/* SPDX-License-Identifier: MIT */
/*
 * A VM's guest memory: the memslot table plus the EPT derived from it. The
 * entry points behind the memory hypercalls (set_memory_region,
 * lock/unlock_memslot, get_dirty_log) and the EPT exit handlers. Every
 * change that can leave a stale translation calls the flush op (INVEPT)
 * before returning. Callers serialise all calls per VM.
 */
#ifndef MICA_EPT_VM_MEMORY_H
#define MICA_EPT_VM_MEMORY_H

#include "ept/ept_build.h"
#include "mm/memslot/memslot.h"

struct vm_memory_ops {
	/* Invalidate the VM's EPT-derived translations: single-context
	 * INVEPT (SDM Vol. 3C, "Invalidating Cached Translation Information"
	 * and the INVEPT entry of the VMX instruction reference). */
	void (*flush)(void *ctx);
};

struct vm_memory {
	struct memslot_table *slots;
	struct ept_vm ept;
	const struct vm_memory_ops *ops;
	void *ctx;
	u64 flushes;	/* flush op calls */
	u64 mmio_wraps; /* generation wraps that zapped every MMIO entry */
	u64 reclaims;	/* table pool ran out: cached entries dropped */
};

/*
 * Bind slots (initialised by the caller) and a fresh EPT (see ept_vm_init
 * for pt_ops/ept_ops/caps). Returns 0 or -ENOMEM.
 */
int __must_check vm_memory_init(struct vm_memory *m,
				struct memslot_table *slots, u64 pool_size,
				const struct pt_ops *pt_ops, void *pt_ctx,
				const struct ept_vm_ops *ept_ops, void *ept_ctx,
				u32 caps, const struct vm_memory_ops *ops,
				void *ctx);

/* Free the EPT's table pages; the memslot table stays the caller's. */
void vm_memory_destroy(struct vm_memory *m);

/*
 * set_memory_region (KVM_SET_USER_MEMORY_REGION semantics, errors as
 * memslot_set_prepare, docs/memslots.md): validate, apply, zap the old
 * and new ranges, and flush. On error nothing changed. *c (may not be NULL)
 * reports the change, including bitmap storage the caller now owns.
 */
int __must_check vm_set_memory_region(struct vm_memory *m,
				      const struct memslot_region *r,
				      struct memslot_change *c);

/*
 * Table pages a lock leaves free: the translations one instruction needs
 * at once (code, operands, the guest's paging structures, event delivery)
 * lie in far fewer than VM_LOCK_HEADROOM / 2 separate 2 MiB blocks, each
 * costing at most a page table and a directory. With this room after a
 * reclaim, an instruction's faults never reclaim each other's entries.
 */
#define VM_LOCK_HEADROOM 64

/*
 * Lock slot id in mode (MEMSLOT_LOCK_READ [| MEMSLOT_LOCK_WRITE]): map it
 * entirely, then mark it locked. When the table pool runs out, what the
 * EPT only caches is reclaimed (ept_reclaim) and the mapping tried once
 * more. Errors of memslot_lock_check (nothing changed), or -ENOMEM: the
 * locked slots and this one would leave fewer than VM_LOCK_HEADROOM
 * table pages free (slot not locked; some leaves may have been added, which is harmless:
 * the EPT is a cache).
 */
int __must_check vm_lock_memslot(struct vm_memory *m, u32 id, u32 mode);

/*
 * Unlock slot id or, with MEMSLOT_UNLOCK_ALL, every locked slot (returns
 * how many). Mappings stay. Errors as memslot_unlock.
 */
int __must_check vm_unlock_memslot(struct vm_memory *m, u32 id);

/*
 * Copy slot id's dirty log into out (memslot_dirty_bitmap_words(npages)
 * words) and clear it, write-protecting the slot again so that the next
 * write to each page is seen. Errors as memslot_get_dirty_log.
 */
int __must_check vm_get_dirty_log(struct vm_memory *m, u32 id, u64 *out);

/*
 * EPT violation exit: see ept_handle_violation. Flushes if needed. When
 * the table pool runs out, reclaims as vm_lock_memslot does and retries
 * once: -ENOMEM means the locked slots leave no room for this fault.
 */
int __must_check vm_ept_violation(struct vm_memory *m, gpa_t gpa, u32 access);

/* EPT misconfiguration exit: see ept_handle_misconfig. */
int __must_check vm_ept_misconfig(struct vm_memory *m, gpa_t gpa);

#endif /* MICA_EPT_VM_MEMORY_H */
