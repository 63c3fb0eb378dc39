/* SPDX-License-Identifier: MIT */
/*
 * Builder of the hypervisor's own page tables: the kernel image in the
 * higher half (text read-only and executable, rodata read-only, data and
 * bss writable, both non-executable) and a direct map of all RAM at a fixed
 * base with the largest pages the alignment allows.
 */
#ifndef MICA_MM_PT_HPT_H
#define MICA_MM_PT_HPT_H

#include "mm/pt/pgtable.h"

/* Kernel image: virtual = HPT_KERNEL_BASE + physical (-mcmodel=kernel). */
#define HPT_KERNEL_BASE 0xFFFFFFFF80000000ULL
/* Direct map of RAM: virtual = HPT_PHYSMAP_BASE + physical. */
#define HPT_PHYSMAP_BASE 0xFFFF888000000000ULL
#define HPT_PHYSMAP_SIZE (64ULL << 40) /* 64 TiB of physical reach */

/* A physical range [start, end). */
struct hpt_range {
	hpa_t start, end;
};

/* Physical placement of the kernel sections, each page aligned. */
struct hpt_kernel {
	struct hpt_range text, rodata, data, bss;
};

/*
 * Map the kernel sections and the RAM ranges into pt (a host-paging
 * format). Sections must be page aligned, in order text < rodata < data <
 * bss without overlap (empty sections allowed). RAM ranges may be unaligned
 * (trimmed inwards to whole pages; what is left empty is skipped), in any
 * order, and must lie below HPT_PHYSMAP_SIZE. The direct map uses 1G pages
 * if has_1g, else at most 2M. Returns 0, -EINVAL, or -ENOMEM.
 */
int __must_check hpt_build(struct pt *pt, const struct hpt_kernel *k,
			   const struct hpt_range *ram, unsigned nram,
			   bool has_1g);

#endif /* MICA_MM_PT_HPT_H */
