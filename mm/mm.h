/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's physical memory: one frame allocator over the RAM the
 * boot loader reported, minus the image, modules and boot information.
 */
#ifndef MICA_MM_MM_H
#define MICA_MM_MM_H

#include "boot/parse/mb2.h"
#include "mm/base/types.h"

/*
 * Build the host frame allocator. Panics when the memory map leaves no
 * room for the allocator's own bitmap (nothing could run anyway).
 */
void mm_init(const struct mb2_info *info, hpa_t info_pa);

/*
 * Allocate count contiguous frames aligned to align bytes and zero them.
 * Returns 0 and the host physical address, or -ENOMEM.
 */
int mm_alloc_pages(u64 count, u64 align, hpa_t *out) __must_check;

/* Return frames taken by mm_alloc_pages(). */
void mm_free_pages(hpa_t hpa, u64 count);

/*
 * Switch to the hypervisor's own page tables (mm/mm_paging.c): text RO,
 * data NX, all RAM in the physmap. Panics if they cannot be built.
 */
void mm_paging_init(const struct mb2_info *info);

/* Highest physical address (exclusive) mm_alloc_pages may return. */
void mm_set_mapped_limit(hpa_t limit);

/* Free and total frames, for reports. */
u64 mm_free_frames(void);
u64 mm_total_frames(void);

#endif /* MICA_MM_MM_H */
