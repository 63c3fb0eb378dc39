/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own page tables, built once the frame allocator exists
 * (mm/pt/hpt.c): kernel text read-only, rodata read-only and no-execute,
 * data/bss no-execute, and every RAM range of the memory map in the
 * physmap with the largest pages the CPU allows. The early boot tables
 * (identity + 4 GiB physmap) are abandoned.
 */
#include "arch/x86/cpu.h"
#include "mm/base/layout.h"
#include "mm/frame/frame_alloc.h"
#include "mm/pt/hpt.h"
#include "mm/mm.h"
#include "mm/pt/pt_format_x86.h"
#include "mm/base/errno.h"

#define MAX_RAM_RANGES 64

_Static_assert(HPT_PHYSMAP_BASE == PHYSMAP_BASE, "one physmap base");
_Static_assert(HPT_KERNEL_BASE == KERNEL_VMA_BASE, "one kernel base");

static bool hpt_reserve(void *ctx, u64 n)
{
	u64 *reserved = ctx;

	if (mm_free_frames() < *reserved + n)
		return false;
	*reserved += n;
	return true;
}

static void hpt_unreserve(void *ctx, u64 n)
{
	u64 *reserved = ctx;

	*reserved -= n;
}

static void *hpt_alloc(void *ctx, hpa_t *pa)
{
	u64 *reserved = ctx;

	if (mm_alloc_pages(1, PAGE_SIZE, pa))
		panic("mm: reserved page-table frame vanished");
	(*reserved)--;
	return phys_ptr(*pa);
}

static void hpt_free(void *ctx, void *va, hpa_t pa)
{
	(void)ctx;
	(void)va;
	mm_free_pages(pa, 1);
}

static void *hpt_phys_to_virt(void *ctx, hpa_t pa)
{
	(void)ctx;
	return phys_ptr(pa);
}

static const struct pt_ops hpt_ops = {
    .reserve = hpt_reserve,
    .unreserve = hpt_unreserve,
    .alloc = hpt_alloc,
    .free = hpt_free,
    .phys_to_virt = hpt_phys_to_virt,
};

static struct hpt_range section(const char *start, const char *end)
{
	return (struct hpt_range){kernel_virt_to_phys(start),
				  kernel_virt_to_phys(end)};
}

void mm_paging_init(const struct mb2_info *info)
{
	static struct pt pt;
	static u64 reserved;
	struct hpt_range ram[MAX_RAM_RANGES];
	struct hpt_kernel k = {
	    .text = section(__text_start, __text_end),
	    .rodata = section(__rodata_start, __rodata_end),
	    .data = section(__data_start, __bss_start),
	    .bss = section(__bss_start, __bss_end),
	};
	unsigned n = 0;
	int rc;

	for (u32 i = 0; i < info->mmap_count && n < MAX_RAM_RANGES; i++)
		if (info->mmap[i].type == MB2_MEM_AVAILABLE)
			ram[n++] = (struct hpt_range){info->mmap[i].base,
						      info->mmap[i].base +
							  info->mmap[i].len};
	rc = pt_init(&pt, &pt_format_x86_4level, &hpt_ops, &reserved);
	if (!rc)
		rc = hpt_build(&pt, &k, ram, n,
			       cpuid(0x80000001).edx & CPUID_80000001_EDX_1G);
	if (rc)
		panic("mm: cannot build the hypervisor page tables (%d)", rc);
	write_cr3(pt.root_pa);
	mm_set_mapped_limit(~0ULL);
}
