/* SPDX-License-Identifier: MIT */
/*
 * Sub-page write protection of one VM (docs/design.md section 4, docs/spp.md):
 * the enable / set / get hypercalls, the per-slot access maps, the EPT
 * hooks that write-protect protected pages, the SPP-miss exit (hardware
 * path) and the rule every emulated write obeys.
 */
#ifndef MICA_VMM_MEM_VM_SPP_H
#define MICA_VMM_MEM_VM_SPP_H

#include "mm/base/types.h"

struct vm;
struct vcpu;
struct memslot_change;

/* Most pages one set/get call may name (one 4K page of maps). */
#define SPP_MAX_PAGES 1024u

/* check_extension(EXT_SPP): 2 hardware SPP, 1 software path. */
s64 vm_spp_extension(const struct vm *vm);

/* Hypercalls; arguments and errors as in docs/hypercalls.md. */
s64 hc_enable_spp(struct vcpu *v);
s64 hc_subpage_set_access(struct vcpu *v, u64 gfn, u64 npages, u64 maps_gpa,
			  u64 flags);
s64 hc_subpage_get_access(struct vcpu *v, u64 gfn, u64 npages, u64 maps_gpa,
			  u64 flags);
s64 hc_subpage_get_denied(struct vcpu *v, u64 gfn, u64 npages, u64 counts_gpa,
			  u64 flags);

/* Free a slot's SPP storage (struct memslot.spp_map of npages pages). */
void vm_spp_free_maps(u32 *maps, u64 npages);

/*
 * Slot changes: vm_spp_slot_prepare allocates the access maps a slot of
 * @size bytes will need when SPP is enabled (*maps NULL otherwise; -ENOMEM);
 * vm_spp_slot_commit attaches them to a created slot (or frees them), frees
 * the maps of a deleted slot and drops SPPT leaves of the ranges involved.
 */
int __must_check vm_spp_slot_prepare(struct vm *vm, u64 size, u32 **maps);
void vm_spp_slot_commit(struct vm *vm, const struct memslot_change *c,
			u32 *maps);

/* The change was refused: free what vm_spp_slot_prepare allocated. */
void vm_spp_slot_abort(u64 size, u32 *maps);

/* True if a write of @len bytes at @gpa may land: every page it touches is
 * either not RAM or allows it (read-only slots are judged elsewhere). */
bool vm_spp_write_ok(struct vm *vm, gpa_t gpa, u64 len);

/* A write the sub-page rule denied: count it and log it (rate-limited). */
void vm_spp_denied(struct vcpu *v, gpa_t gpa, u64 len);

/* EPT hooks (struct ept_vm_ops), @ctx is the struct vm. */
bool vm_spp_force_4k(void *ctx, gfn_t gfn, u64 npages);
bool vm_spp_write_protect(void *ctx, gfn_t gfn, u64 *extra);

/* Free the maps of every slot and the SPPT. */
void vm_spp_destroy(struct vm *vm);

/* An SPP miss at gpa (exit 66): build the SPPT leaf of its 2M region from
 * the maps, dropping the whole SPPT once if it is out of pages; flushes.
 * 0 or -ENOMEM. */
int vm_spp_miss(struct vm *vm, gpa_t gpa);

#endif /* MICA_VMM_MEM_VM_SPP_H */
