/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor page tables from the kernel layout and the RAM map, built with
 * the generic engine. The kernel sections get the global bit: they are the
 * same in every address space the hypervisor ever runs in.
 */
#include "mm/pt/hpt.h"
#include "mm/pt/pt_format_x86.h"
#include "mm/base/errno.h"

static bool hpt_section_ok(const struct hpt_range *r, hpa_t min_start)
{
	return IS_ALIGNED(r->start | r->end, PAGE_SIZE) && r->end >= r->start &&
	       (r->start == r->end || r->start >= min_start);
}

static int hpt_map_section(struct pt *pt, const struct hpt_range *r, u64 attrs)
{
	if (r->start == r->end)
		return 0;
	return pt_map(pt, HPT_KERNEL_BASE + r->start, r->start,
		      r->end - r->start, attrs | X86_PTE_G, PT_LEVEL_2M, 0);
}

static int hpt_map_kernel(struct pt *pt, const struct hpt_kernel *k)
{
	int rc;

	if (!hpt_section_ok(&k->text, 0) ||
	    !hpt_section_ok(&k->rodata, k->text.end) ||
	    !hpt_section_ok(&k->data, MAX(k->text.end, k->rodata.end)) ||
	    !hpt_section_ok(
		&k->bss, MAX(MAX(k->text.end, k->rodata.end), k->data.end)) ||
	    MAX(k->bss.end, k->data.end) > -HPT_KERNEL_BASE)
		return -EINVAL;
	rc = hpt_map_section(pt, &k->text, 0);
	if (!rc)
		rc = hpt_map_section(pt, &k->rodata, X86_PTE_NX);
	if (!rc)
		rc = hpt_map_section(pt, &k->data, X86_PTE_RW | X86_PTE_NX);
	if (!rc)
		rc = hpt_map_section(pt, &k->bss, X86_PTE_RW | X86_PTE_NX);
	return rc;
}

int hpt_build(struct pt *pt, const struct hpt_kernel *k,
	      const struct hpt_range *ram, unsigned nram, bool has_1g)
{
	int rc;

	if (!pt->fmt->canonical)
		return -EINVAL;
	for (unsigned i = 0; i < nram; i++)
		if (ram[i].end < ram[i].start || ram[i].end > HPT_PHYSMAP_SIZE)
			return -EINVAL;
	rc = hpt_map_kernel(pt, k);
	for (unsigned i = 0; i < nram && !rc; i++) {
		hpa_t s = ALIGN_UP(ram[i].start, PAGE_SIZE);
		hpa_t e = ALIGN_DOWN(ram[i].end, PAGE_SIZE);

		if (e > s)
			rc = pt_map(pt, HPT_PHYSMAP_BASE + s, s, e - s,
				    X86_PTE_RW | X86_PTE_NX,
				    has_1g ? PT_LEVEL_1G : PT_LEVEL_2M, 0);
	}
	return rc;
}
