/* SPDX-License-Identifier: MIT */
/*
 * memslot -> EPT builder for one VM: lazy population on EPT violation,
 * eager population on lock, MMIO entries for unbacked GPAs, zapping, the
 * stale-MMIO check on EPT misconfiguration, write-protection based dirty
 * logging, and a checker that verifies the EPT against the memslots.
 * Pure: table pages come from the engine's ops (a per-VM preallocated pool),
 * guest RAM frames from the pool_hpa callback. No INVEPT here: functions
 * that may leave stale translations in the TLB report "flush needed".
 */
#ifndef MICA_EPT_EPT_BUILD_H
#define MICA_EPT_EPT_BUILD_H

#include "ept/ept_format.h"
#include "mm/pt/pgtable.h"
#include "mm/memslot/memslot.h"

/* Access that faulted (EPT violation exit qualification bits 2:0). */
#define EPT_ACC_READ  BIT(0)
#define EPT_ACC_WRITE BIT(1)
#define EPT_ACC_EXEC  BIT(2)

/* Capabilities (IA32_VMX_EPT_VPID_CAP bits 16 and 17, SDM Vol. 3D A.10). */
#define EPT_CAP_2M BIT(0)
#define EPT_CAP_1G BIT(1)

/* Positive results of the fault handlers. */
enum ept_fault_result {
	EPT_FAULT_FIXED =
	    1,		 /* translation installed or already there: resume */
	EPT_FAULT_MMIO,	 /* not RAM for this access: emulate it */
	EPT_FAULT_RETRY, /* stale MMIO entry removed: resume, refault */
};

struct ept_vm_ops {
	/*
	 * Host physical address of byte offset off (4K aligned) of the VM's
	 * pool; *contig = bytes from off that are physically contiguous (at
	 * least 4K). off < pool size.
	 */
	hpa_t (*pool_hpa)(void *ctx, u64 off, u64 *contig);
	/*
	 * Optional (NULL: never): true if any page of [gfn, gfn + npages)
	 * must be mapped with a 4K leaf (sub-page protection, later).
	 */
	bool (*force_4k)(void *ctx, gfn_t gfn, u64 npages);
	/*
	 * Optional (NULL: never): true if the 4K leaf of @gfn must not be
	 * writable (sub-page protection); *extra then holds leaf bits to add
	 * (EPT_SPP on the hardware path, 0 on the software path). Pages for
	 * which this is true must also be forced to 4K by force_4k.
	 */
	bool (*write_protect)(void *ctx, gfn_t gfn, u64 *extra);
};

/* A page outside the memslots (ept_set_fixed_page); hpa 0: unused. */
struct ept_fixed {
	gfn_t gfn;
	hpa_t hpa;
	bool writable;
};

#define EPT_FIXED_MAX 2

struct ept_vm {
	struct pt pt;
	struct memslot_table *slots;
	const struct ept_vm_ops *ops;
	void *ctx;
	u64 pool_size;	    /* bytes */
	unsigned max_level; /* PT_LEVEL_4K/2M/1G from the capabilities */
	struct ept_fixed fixed[EPT_FIXED_MAX]; /* ept_set_fixed_page() */
};

/*
 * Fixed page i (< EPT_FIXED_MAX) of the VM: a page it sees at gfn that is
 * neither RAM nor MMIO, such as the APIC-access page (SDM Vol 3C
 * "APIC-Access Page"), whose accesses the CPU virtualizes or turns into
 * APIC-access exits, or a page table mica gives the CPU to walk. Where no
 * slot covers gfn, its first read maps a 4K leaf to hpa, R+W if writable
 * (then a write does too), else R; a fetch, and a write to a page that is
 * not writable, is EPT_FAULT_MMIO, as for any device. MMIO entries never
 * cover it. A slot over gfn takes precedence. Set before the first fault
 * on gfn; hpa 0: none.
 */
static inline void ept_set_fixed_page(struct ept_vm *v, unsigned i, gfn_t gfn,
				      hpa_t hpa, bool writable)
{
	v->fixed[i] = (struct ept_fixed){gfn, hpa, writable};
}

/*
 * Set up an empty EPT for a VM: 4-level, table pages from pt_ops/pt_ctx,
 * frames of the pool_size-byte pool through ops/ctx, leaves up to what caps
 * (EPT_CAP_*) allow. Returns 0 or -ENOMEM.
 */
int __must_check ept_vm_init(struct ept_vm *v, struct memslot_table *slots,
			     u64 pool_size, const struct pt_ops *pt_ops,
			     void *pt_ctx, const struct ept_vm_ops *ops,
			     void *ctx, u32 caps);

/* Free all EPT table pages. */
void ept_vm_destroy(struct ept_vm *v);

/*
 * EPT violation at gpa for access (EPT_ACC_*). RAM in a slot: map the
 * largest leaf that the alignment of gpa and of the pool frame, the slot
 * bounds, pool contiguity, the capabilities and the slot flags allow (dirty
 * logging and force_4k: 4K), readable and executable, writable unless the
 * slot is read-only, and for a dirty-logged slot only on a write (which
 * marks the page dirty). Returns EPT_FAULT_FIXED. A write to a read-only
 * slot returns EPT_FAULT_MMIO with the mapping unchanged. A page that
 * ops->write_protect names gets a 4K leaf without W (plus the extra bits);
 * a write to it returns EPT_FAULT_MMIO after the leaf is installed: the
 * caller emulates the write with the sub-page check. An unbacked GPA
 * gets an MMIO entry of the current generation (as large as the hole
 * allows) and returns EPT_FAULT_MMIO. -ENOMEM: no table page, nothing
 * changed; -EFAULT: gpa beyond the EPT's reach.
 * *flush (may be NULL) is set if a translation was replaced.
 */
int __must_check ept_handle_violation(struct ept_vm *v, gpa_t gpa, u32 access,
				      bool *flush);

/*
 * EPT misconfiguration at gpa. Ours and current: EPT_FAULT_MMIO. Ours and
 * of an older generation: the entry is zapped, EPT_FAULT_RETRY. Anything
 * else is not an entry this builder makes: -EIO (a hypervisor bug the
 * caller reports loudly).
 */
int __must_check ept_handle_misconfig(struct ept_vm *v, gpa_t gpa);

/*
 * Map slot s completely (lock): R+X, plus W if mode has MEMSLOT_LOCK_WRITE
 * and the slot is writable and not dirty logged (a dirty-logged slot is
 * mapped write-protected and becomes writable page by page on write faults).
 * Large leaves where alignment allows. *flush tells whether translations
 * were replaced (INVEPT needed). Returns 0, or -ENOMEM (the EPT is
 * consistent but may be partly populated; the caller does not lock).
 */
int __must_check ept_map_slot(struct ept_vm *v, const struct memslot *s,
			      u32 mode, bool *flush);

/*
 * Remove every translation and MMIO entry overlapping [gpa, gpa + size)
 * (whole leaves). Never allocates. Returns true if anything was removed,
 * i.e. the caller must INVEPT before relying on the change.
 */
bool ept_zap(struct ept_vm *v, gpa_t gpa, u64 size);

/*
 * Re-derive the leaf of @gfn after its sub-page protection changed: a 4K
 * leaf is rewritten in place (W cleared and write_protect's extra bits set,
 * or EPT_SPP cleared and W restored when the slot is writable and not dirty
 * logged); a large leaf over a page that is now protected is zapped (it is
 * rebuilt in 4K on the next fault). Never allocates. Returns true if the
 * EPT changed (INVEPT needed).
 */
bool ept_spp_refresh(struct ept_vm *v, gfn_t gfn);

/* Remove every MMIO entry (on generation wrap). Returns true if any. */
bool ept_zap_all_mmio(struct ept_vm *v);

/*
 * Give table pages back when the pool runs out: the EPT is a cache, so
 * every MMIO entry and every leaf of an unlocked slot may go (the next
 * access rebuilds it); the leaves of locked slots stay, as locking
 * promises. Emptied tables are freed. Returns true if anything was
 * removed (the caller must INVEPT before the pages are used again).
 */
bool ept_reclaim(struct ept_vm *v);

/* True when n more table pages could be allocated now. */
bool ept_pool_has(struct ept_vm *v, u64 n);

/*
 * Write-protect slot s for dirty logging after its log was harvested: every
 * writable leaf in the slot loses W, so the next write faults and is
 * recorded. Returns true if any leaf changed (INVEPT needed). This is the
 * write-protection backend; an EPT A/D backend would instead fold and
 * clear the D bits of the slot's leaves into the bitmap (pt_for_each_leaf
 * may rewrite attribute bits), and PML would drain the log buffer into it.
 */
bool ept_write_protect_slot(struct ept_vm *v, const struct memslot *s);

/* First inconsistency found by ept_check. */
struct ept_check_report {
	const char *what; /* NULL: consistent */
	gpa_t gpa;
	u64 pte;
	unsigned level;
	u32 slot;
};

/*
 * Verify the EPT against the memslots: every RAM leaf lies within one slot
 * and maps exactly that slot's pool frames (never outside the pool), with
 * WB memory type, R set, W only on writable slots and, on dirty-logged
 * slots, only on 4K pages marked dirty; MMIO entries only where no slot is;
 * locked slots fully mapped (and writable when locked R+W and not dirty
 * logged); no other entry kinds. Returns 0 or -EFAULT with *r describing
 * the first violation.
 */
int ept_check(struct ept_vm *v, struct ept_check_report *r);

#endif /* MICA_EPT_EPT_BUILD_H */
