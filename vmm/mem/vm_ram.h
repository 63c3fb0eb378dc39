/* SPDX-License-Identifier: MIT */
/*
 * A VM's memory in the hypervisor: its memslot table, the EPT built from
 * it (ept/vm_memory.c, ept/), the preallocated page pool for EPT tables,
 * and the hypercalls and exits that act on them.
 */
#ifndef MICA_VMM_MEM_VM_RAM_H
#define MICA_VMM_MEM_VM_RAM_H

#include "mm/base/types.h"

struct vm;
struct vcpu;

/* Where an access to guest-physical memory goes. */
enum vm_ram_kind {
	VM_RAM,		 /* a slot's pool page: access it directly */
	VM_RAM_READONLY, /* a write to a read-only slot: goes to MMIO */
	VM_RAM_NONE,	 /* no slot: MMIO */
	VM_RAM_SPP,	 /* a write sub-page protection denies: dropped */
};

/*
 * Set up the memslot table (capacity from the VM config), the EPT table
 * pool, an empty EPT, and slot 0 covering guest RAM [0, mem_size) at pool
 * offset 0. Sets vm->eptp. Returns 0 or -ENOMEM.
 */
int vm_mem_init(struct vm *vm) __must_check;

/* Free everything vm_mem_init() and the memory hypercalls allocated. */
void vm_mem_destroy(struct vm *vm);

/*
 * Classify [gpa, gpa + len) for an access (a write if `write`) and, for
 * VM_RAM, return the host pointer in *p. An access must lie within one
 * slot to be RAM. A RAM write marks the page dirty when the slot logs
 * dirty pages. A write with any byte in a protected subpage is VM_RAM_SPP
 * (read-only slots win: VM_RAM_READONLY) and marks nothing.
 */
enum vm_ram_kind vm_ram_lookup(struct vm *vm, gpa_t gpa, u64 len, bool write,
			       void **p);

/*
 * Is every byte of [gpa, gpa + len) RAM that a write by mica on the
 * guest's behalf may change: in a slot, not read-only, not in a subpage
 * sub-page protection denies, no wrap past 2^64? Marks nothing dirty.
 */
bool vm_ram_writable(struct vm *vm, gpa_t gpa, u64 len);

/* INVEPT for the VM (after EPT or SPPT entries changed). */
void vm_mem_flush(struct vm *vm);

/* Memory hypercalls; arguments as in docs/hypercalls.md. */
s64 hc_set_memory_region(struct vcpu *v, u64 slot, u64 flags, u64 gpa, u64 size,
			 u64 pool_offset);
s64 hc_lock_memslot(struct vcpu *v, u64 slot, u64 mode);
s64 hc_unlock_memslot(struct vcpu *v, u64 slot);
s64 hc_get_dirty_log(struct vcpu *v, u64 slot, u64 bitmap_gpa);

#endif /* MICA_VMM_MEM_VM_RAM_H */
