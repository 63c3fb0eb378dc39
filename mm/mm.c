/* SPDX-License-Identifier: MIT */
/*
 * Host physical memory set-up: reserves the kernel image, the boot
 * information and every module, places the allocator's bitmaps in free RAM
 * reachable through the early physmap, and hands out zeroed frames.
 */
#include "mm/base/layout.h"
#include "mm/base/console.h"
#include "mm/frame/frame_alloc.h"
#include "mm/mm.h"
#include "mm/base/errno.h"

/* The early page tables map the first 4 GiB at the physmap; the
 * hypervisor's own tables (mm_paging_init) map all RAM. */
#define MM_EARLY_LIMIT	(4ULL << 30)
#define MM_MAX_RESERVED 40

static struct frame_alloc host_frames;
static hpa_t mapped_limit = MM_EARLY_LIMIT;

void mm_set_mapped_limit(hpa_t limit)
{
	mapped_limit = limit;
}

void mm_init(const struct mb2_info *info, hpa_t info_pa)
{
	struct frame_range res[MM_MAX_RESERVED];
	u32 nres = 0;
	u64 nframes;
	size_t bytes;
	hpa_t storage;

	res[nres++] = (struct frame_range){(hpa_t)__kernel_phys_start,
					   (hpa_t)__kernel_phys_end};
	res[nres++] = (struct frame_range){info_pa, info_pa + info->total_size};
	for (u32 i = 0; i < info->mods_count && nres < MM_MAX_RESERVED; i++)
		res[nres++] = (struct frame_range){info->mods[i].start,
						   info->mods[i].end};
	if (info->mods_count > MM_MAX_RESERVED - 2)
		panic("mm: %u modules, at most %u supported", info->mods_count,
		      MM_MAX_RESERVED - 2);

	nframes = frame_alloc_frames_needed(info->mmap, info->mmap_count);
	bytes = frame_alloc_storage_bytes(nframes);
	if (frame_alloc_place(info->mmap, info->mmap_count, res, nres, bytes,
			      MM_EARLY_LIMIT, &storage))
		panic("mm: no room for %zu bytes of frame bitmaps", bytes);
	if (frame_alloc_init(&host_frames, phys_ptr(storage), bytes, storage,
			     nframes, info->mmap, info->mmap_count, res, nres))
		panic("mm: frame allocator rejected the memory map");
	printk("mm: %lu MiB usable, %lu MiB free, bitmaps %zu bytes at 0x%lx\n",
	       frame_alloc_total_count(&host_frames) >> 8,
	       frame_alloc_free_count(&host_frames) >> 8, bytes, storage);
}

int mm_alloc_pages(u64 count, u64 align, hpa_t *out)
{
	int rc = frame_alloc_pages(&host_frames, count, align, out);

	if (rc)
		return rc;
	if (*out + count * PAGE_SIZE > mapped_limit) {
		/* Not reachable through the physmap yet: give it back. */
		if (frame_free_pages(&host_frames, *out, count))
			panic("mm: cannot return frames at 0x%lx", *out);
		return -ENOMEM;
	}
	mem_set(phys_ptr(*out), 0, count * PAGE_SIZE);
	return 0;
}

void mm_free_pages(hpa_t hpa, u64 count)
{
	if (frame_free_pages(&host_frames, hpa, count))
		panic("mm: bad free of %lu frames at 0x%lx", count, hpa);
}

u64 mm_free_frames(void)
{
	return frame_alloc_free_count(&host_frames);
}

u64 mm_total_frames(void)
{
	return frame_alloc_total_count(&host_frames);
}
