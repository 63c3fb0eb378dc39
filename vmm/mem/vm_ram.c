/* SPDX-License-Identifier: MIT */
/*
 * VM memory glue: the memslot table and EPT of one VM, the pool of EPT
 * table pages allocated with the VM (no allocation on the fault path:
 * running out is -ENOMEM to a hypercall, or a stopped VM with a diagnostic
 * on a fault), INVEPT as the flush operation, and the memory hypercalls
 * (the EPT exits are in vmm/exit/exit_ept.c) (docs/design.md section 3, docs/memslots.md).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/layout.h"
#include "mm/mm.h"
#include "ept/ept_spp.h"
#include "mm/pt/pt_pool.h"
#include "mm/base/errno.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/mem/vm_spp.h"
#include "vmm/mem/vm_ram.h"

#define EPTP_WB	   6ULL
#define EPTP_WALK4 (3ULL << 3)
#define EPTP_AD	   BIT(6)

/* ---- EPT services ----------------------------------------------------- */

static hpa_t vm_pool_hpa(void *ctx, u64 off, u64 *contig)
{
	struct vm *vm = ctx;

	*contig = vm->pool_pages * PAGE_SIZE - off;
	return vm->pool + off;
}

static const struct ept_vm_ops ept_ops = {
    .pool_hpa = vm_pool_hpa,
    .force_4k = vm_spp_force_4k,
    .write_protect = vm_spp_write_protect,
};

/* INVEPT single-context when the CPU has it, else all-context (SDM Vol 3C
 * "INVEPT - Invalidate Translations Derived from EPT"). */
static void vm_flush(void *ctx)
{
	struct vm *vm = ctx;
	const struct vmx_caps *c = vmx_caps();
	int rc;

	vm->ept_seq++;
	if (c->ept_vpid & VMX_EPT_INVEPT_SINGLE)
		rc = invept(INVEPT_SINGLE_CONTEXT, vm->eptp);
	else
		rc = invept(INVEPT_ALL_CONTEXT, 0);
	if (rc) {
		vmx_report_failure("invept", rc);
		panic("INVEPT failed for VM %s", vm->cfg.name);
	}
}

static const struct vm_memory_ops mem_ops = {.flush = vm_flush};

void vm_mem_flush(struct vm *vm)
{
	vm_flush(vm);
}

/* ---- set-up and teardown ---------------------------------------------- */

__cold static void free_bitmap(u64 *bm, u64 npages);

__cold static int alloc_pages(u64 bytes, hpa_t *pa, u64 *pages)
{
	*pages = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
	return mm_alloc_pages(*pages, PAGE_SIZE, pa);
}

/*
 * The VM's share of EPT table pages, from its layout: all of RAM mapped at
 * 4K (one page table per 2 MiB and one directory per GiB, twice over for
 * blocks split by slot edges), the edges of up to EPT_POOL_EDGE_SLOTS more
 * slots (a page table, directory and pointer table each), the room locks
 * must leave (VM_LOCK_HEADROOM), and 16 pages for the root and MMIO
 * entries. The EPT is a cache: when the share runs out, MMIO entries and
 * unlocked slots' leaves are reclaimed (ept_reclaim), so only locked slots
 * hold pages for good (docs/memslots.md, "EPT table pages").
 */
#define EPT_POOL_EDGE_SLOTS 64

__cold static int init_pool(struct vm *vm)
{
	u64 n = 16 + 2 * (vm->cfg.mem_size / SIZE_2M) +
		2 * (vm->cfg.mem_size / SIZE_1G) +
		3 * MIN(vm->cfg.max_slots, EPT_POOL_EDGE_SLOTS) +
		VM_LOCK_HEADROOM;

	if (mm_alloc_pages(n, PAGE_SIZE, &vm->ept_pool_pa))
		return -ENOMEM;
	vm->ept_pool_pages = n;
	pt_pool_init(&vm->ept_pool, phys_ptr(vm->ept_pool_pa), vm->ept_pool_pa,
		     n);
	return 0;
}

static u32 ept_caps(void)
{
	return (vmx_has_ept_2m() ? EPT_CAP_2M : 0) |
	       (vmx_has_ept_1g() ? EPT_CAP_1G : 0);
}

__cold int vm_mem_init(struct vm *vm)
{
	struct memslot_region r = {
	    .slot = 0, .gpa = 0, .size = vm->cfg.mem_size};
	struct memslot_change c;
	size_t bytes = memslot_table_storage_size(vm->cfg.max_slots);
	int rc;

	if (alloc_pages(bytes, &vm->slot_storage, &vm->slot_storage_pages) ||
	    init_pool(vm))
		return -ENOMEM;
	rc = memslot_table_init(&vm->slots, phys_ptr(vm->slot_storage),
				vm->cfg.max_slots, vm->pool_pages * PAGE_SIZE,
				1ULL << 39);
	if (rc)
		return rc;
	rc = vm_memory_init(&vm->mem, &vm->slots, vm->pool_pages * PAGE_SIZE,
			    &pt_pool_ops, &vm->ept_pool, &ept_ops, vm,
			    ept_caps(), &mem_ops, vm);
	if (rc)
		return rc;
	vm->mem_ready = true;
	vm->eptp = vm->mem.ept.pt.root_pa | EPTP_WB | EPTP_WALK4;
	return vm_set_memory_region(&vm->mem, &r, &c);
}

__cold void vm_mem_destroy(struct vm *vm)
{
	for (u32 i = 0; vm->mem_ready && i < memslot_count(&vm->slots); i++) {
		const struct memslot *s = memslot_at(&vm->slots, i);

		free_bitmap(s->dirty_bitmap, s->npages);
		vm_spp_free_maps(s->spp_map, s->npages);
	}
	vm_spp_destroy(vm);
	if (vm->mem_ready) {
		vm_memory_destroy(&vm->mem);
		vm_flush(vm);
	}
	if (vm->ept_pool_pages)
		mm_free_pages(vm->ept_pool_pa, vm->ept_pool_pages);
	if (vm->slot_storage_pages)
		mm_free_pages(vm->slot_storage, vm->slot_storage_pages);
	vm->mem_ready = false;
	vm->ept_pool_pages = vm->slot_storage_pages = 0;
}

/* ---- lookups ---------------------------------------------------------- */

enum vm_ram_kind vm_ram_lookup(struct vm *vm, gpa_t gpa, u64 len, bool write,
			       void **p)
{
	const struct memslot *s = memslot_find_gpa(&vm->slots, gpa);
	gfn_t gfn = gpa_to_gfn(gpa);

	if (!s || gpa_to_gfn(gpa + len - 1) >= memslot_end_gfn(s))
		return VM_RAM_NONE;
	if (write && memslot_readonly(s))
		return VM_RAM_READONLY;
	/* Sub-page protection, with the slot already found (most accesses lie
	 * within one page). */
	if (write && vm->spp.enabled && s->spp_map &&
	    ((gpa & ~PAGE_MASK) + len <= PAGE_SIZE
		 ? !spp_write_allowed(memslot_spp_get(s, gfn),
				      (u32)(gpa & ~PAGE_MASK), (u32)len)
		 : !vm_spp_write_ok(vm, gpa, len)))
		return VM_RAM_SPP;
	if (write && memslot_dirty_logging(s))
		memslot_mark_dirty(s, gfn);
	*p = phys_ptr(vm->pool + memslot_gfn_to_pool(s, gfn) +
		      (gpa & (PAGE_SIZE - 1)));
	return VM_RAM;
}

bool vm_ram_writable(struct vm *vm, gpa_t gpa, u64 len)
{
	for (u64 off = 0; off < len;) {
		u64 n = MIN(len - off, PAGE_SIZE - ((gpa + off) & ~PAGE_MASK));
		const struct memslot *s;
		void *p;

		/* A read lookup: checking must not mark the page dirty. */
		if (gpa + off < gpa ||
		    vm_ram_lookup(vm, gpa + off, n, false, &p) != VM_RAM)
			return false;
		s = memslot_find_gpa(&vm->slots, gpa + off);
		if (memslot_readonly(s) || !vm_spp_write_ok(vm, gpa + off, n))
			return false;
		off += n;
	}
	return true;
}

/* ---- hypercalls ------------------------------------------------------- */

__cold static void free_bitmap(u64 *bm, u64 npages)
{
	if (bm)
		mm_free_pages(virt_to_phys(bm),
			      ALIGN_UP(memslot_dirty_bitmap_words(npages) * 8,
				       PAGE_SIZE) /
				  PAGE_SIZE);
}

__cold s64 hc_set_memory_region(struct vcpu *v, u64 slot, u64 flags, u64 gpa,
				u64 size, u64 pool_offset)
{
	struct memslot_region r = {.slot = (u32)slot,
				   .flags = (u32)flags,
				   .gpa = gpa,
				   .size = size,
				   .pool_offset = pool_offset};
	struct memslot_change c;
	hpa_t bm = 0;
	u64 pages = 0;
	u32 *maps;
	int rc;

	if (slot > 0xffffffffULL || flags > 0xffffffffULL)
		return -EINVAL;
	/* Validate before allocating: a bad request gets its documented
	 * errno (docs/memslots.md) whatever its size, never -ENOMEM for
	 * storage it would have needed. The dry run lends a stand-in bitmap,
	 * which validation only tests for presence. */
	{
		static u64 stand_in;
		struct memslot_region dry = r;

		dry.dirty_bitmap = &stand_in;
		rc = memslot_set_prepare(v->vm->mem.slots, &dry, &c);
		if (rc)
			return rc;
	}
	/* Storage for a dirty log that may start with this call (not for a
	 * delete, size 0, whatever its flags). */
	if ((flags & MEM_LOG_DIRTY_PAGES) && size &&
	    IS_ALIGNED(size, PAGE_SIZE)) {
		if (alloc_pages(memslot_dirty_bitmap_words(size >> PAGE_SHIFT) *
				    8,
				&bm, &pages))
			return -ENOMEM;
		r.dirty_bitmap = phys_ptr(bm);
	}
	if (vm_spp_slot_prepare(v->vm, size, &maps)) {
		if (bm)
			mm_free_pages(bm, pages);
		return -ENOMEM;
	}
	rc = vm_set_memory_region(&v->vm->mem, &r, &c);
	if (bm && (rc || !c.dirty_bitmap_taken))
		mm_free_pages(bm, pages);
	if (rc) {
		vm_spp_slot_abort(size, maps);
		return rc;
	}
	free_bitmap(c.dirty_bitmap_released, c.old_npages);
	vm_spp_slot_commit(v->vm, &c, maps);
	return 0;
}

__cold s64 hc_lock_memslot(struct vcpu *v, u64 slot, u64 mode)
{
	if (slot > 0xffffffffULL || mode > 0xffffffffULL)
		return -EINVAL;
	return vm_lock_memslot(&v->vm->mem, (u32)slot, (u32)mode);
}

__cold s64 hc_unlock_memslot(struct vcpu *v, u64 slot)
{
	if (slot > 0xffffffffULL)
		return -EINVAL;
	return vm_unlock_memslot(&v->vm->mem, (u32)slot);
}

/* The log goes to a guest buffer that must be writable RAM of this VM. */
__cold s64 hc_get_dirty_log(struct vcpu *v, u64 slot, u64 bitmap_gpa)
{
	const struct memslot *s;
	u64 bytes, *tmp, done;
	hpa_t page;
	int rc;

	/* An id beyond the table is -EINVAL, as for lock and unlock. */
	if (slot >= v->vm->cfg.max_slots)
		return -EINVAL;
	s = memslot_get(&v->vm->slots, (u32)slot);
	if (!s)
		return -ENOENT;
	bytes = memslot_dirty_bitmap_words(s->npages) * 8;
	/* The whole destination must be writable RAM before anything is
	 * harvested: a failed call changes nothing (harvesting clears the
	 * bits it returns, and the check marks no page dirty). */
	if (!vm_ram_writable(v->vm, bitmap_gpa, bytes))
		return -EFAULT;
	if (alloc_pages(bytes, &page, &done))
		return -ENOMEM;
	tmp = phys_ptr(page);
	rc = vm_get_dirty_log(&v->vm->mem, (u32)slot, tmp);
	for (u64 off = 0; !rc && off < bytes;) {
		u64 n = MIN(bytes - off,
			    PAGE_SIZE - ((bitmap_gpa + off) & (PAGE_SIZE - 1)));
		void *p;

		/* checked above, and nothing ran in between */
		if (vm_ram_lookup(v->vm, bitmap_gpa + off, n, true, &p) !=
		    VM_RAM)
			panic("dirty log: checked destination not RAM");
		mem_copy(p, (u8 *)tmp + off, n);
		off += n;
	}
	mm_free_pages(page, done);
	return rc;
}
