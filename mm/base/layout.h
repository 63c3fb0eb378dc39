/* SPDX-License-Identifier: MIT */
/*
 * Virtual memory layout of the hypervisor: the kernel image runs at
 * -2 GiB (-mcmodel=kernel), physical memory is reachable at PHYSMAP_BASE.
 * Mirrors mm/base/layout.inc for the NASM side.
 */
#ifndef MICA_MM_BASE_LAYOUT_H
#define MICA_MM_BASE_LAYOUT_H

#include "mm/base/types.h"

#define KERNEL_VMA_BASE	   0xFFFFFFFF80000000ULL
#define KERNEL_PHYS_BASE   0x100000ULL
#define PHYSMAP_BASE	   0xFFFF888000000000ULL
#define PHYSMAP_PML4_INDEX 273

_Static_assert(((PHYSMAP_BASE >> 39) & 511) == PHYSMAP_PML4_INDEX,
	       "physmap PML4 slot");

/* Sections and bounds from linker.ld. */
extern char __kernel_phys_start[], __kernel_phys_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];

static inline hva_t phys_to_virt(hpa_t pa)
{
	return (hva_t)(pa + PHYSMAP_BASE);
}

static inline void *phys_ptr(hpa_t pa)
{
	return (void *)phys_to_virt(pa);
}

/* Physical address of a pointer into the physmap. */
static inline hpa_t virt_to_phys(const void *p)
{
	return (hpa_t)((u64)p - PHYSMAP_BASE);
}

static inline hpa_t kernel_virt_to_phys(const void *p)
{
	return (hpa_t)((u64)p - KERNEL_VMA_BASE);
}

/* Physical address of a pointer into the kernel image or the physmap. */
static inline hpa_t host_virt_to_phys(const void *p)
{
	return (u64)p >= KERNEL_VMA_BASE ? kernel_virt_to_phys(p)
					 : virt_to_phys(p);
}

#endif /* MICA_MM_BASE_LAYOUT_H */
