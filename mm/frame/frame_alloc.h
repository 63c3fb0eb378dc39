/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocator. Built once from the boot memory map: a frame is
 * usable when it lies wholly inside an available (type 1) entry, touches no
 * other entry, is at or above 1 MiB, and is outside every range the caller
 * reserves (kernel image, modules, boot information...) and outside the
 * allocator's own bitmaps. State is two bitmaps in caller-provided storage
 * (one bit per 4 KiB frame up to the highest usable address, each): "free"
 * and "managed". Building them costs O(bitmap bytes), never O(RAM): memory
 * itself is not touched, and allocated frames are not zeroed.
 *
 * Errors: -ENOMEM when no fitting run is free, -EINVAL for a bad request.
 * Freeing a frame that is not currently allocated from this allocator (a
 * double free, a reserved frame, an address outside RAM) returns -EINVAL and
 * changes nothing; the callers treat that as a hypervisor bug (BUG_ON).
 * Not thread-safe: callers serialise.
 */
#ifndef MICA_MM_FRAME_FRAME_ALLOC_H
#define MICA_MM_FRAME_FRAME_ALLOC_H

#include "boot/parse/mb2.h"
#include "mm/base/types.h"

/* Memory below this is never handed out (real-mode IVT, BIOS, EBDA...). */
#define FRAME_LOW_LIMIT 0x100000ULL

/*
 * A physical range [start, end) in bytes; need not be page-aligned. A range
 * with end <= start is empty.
 */
struct frame_range {
	hpa_t start;
	hpa_t end;
};

struct frame_alloc {
	u64 *free_map;	  /* bit set: frame free */
	u64 *managed_map; /* bit set: frame usable (at init) */
	u64 nframes;	  /* frames covered: pfn 0 .. nframes - 1 */
	u64 total;	  /* usable frames */
	u64 free;	  /* usable frames now free */
	pfn_t hint;	  /* single-frame search starts here */
	hpa_t storage_start, storage_end; /* the bitmaps' own frames */
};

/*
 * Number of frames the allocator must cover for this memory map: one past
 * the last whole frame of the highest available entry (0 if none).
 */
u64 frame_alloc_frames_needed(const struct mb2_mmap_entry *map, u32 n);

/* Bytes of storage (both bitmaps) needed to cover nframes frames. */
size_t frame_alloc_storage_bytes(u64 nframes);

/*
 * Find a page-aligned physical address for bytes of bitmap storage: the
 * lowest one >= FRAME_LOW_LIMIT whose pages are usable in the sense above
 * (inside one available entry, clear of other entries and of reserved[])
 * and that ends at or below limit (what the caller can address).
 * Returns 0 and *out, -ENOMEM if there is no such place, -EINVAL if bytes
 * is 0.
 */
int __must_check frame_alloc_place(const struct mb2_mmap_entry *map, u32 n,
				   const struct frame_range *reserved, u32 nres,
				   size_t bytes, hpa_t limit, hpa_t *out);

/*
 * Build the allocator. storage (8-byte aligned, storage_bytes long, mapped
 * at the caller's virtual address) is at physical storage_hpa; the frames
 * of all storage_bytes are excluded. nframes comes from frame_alloc_frames_needed() and
 * storage_bytes must be at least frame_alloc_storage_bytes(nframes).
 * reserved[] (nres entries, any order, may overlap) are excluded.
 * Returns 0, or -EINVAL for too little or misaligned storage.
 */
int __must_check frame_alloc_init(struct frame_alloc *fa, void *storage,
				  size_t storage_bytes, hpa_t storage_hpa,
				  u64 nframes, const struct mb2_mmap_entry *map,
				  u32 n, const struct frame_range *reserved,
				  u32 nres);

/* Allocate one frame; *out gets its address. 0 or -ENOMEM. */
int __must_check frame_alloc_page(struct frame_alloc *fa, hpa_t *out);

/*
 * Allocate count physically contiguous frames starting at a multiple of
 * align bytes (a power of two >= PAGE_SIZE; e.g. SIZE_2M for guest pools).
 * The lowest such run is taken. 0, -ENOMEM, or -EINVAL for count 0 or a bad
 * align.
 */
int __must_check frame_alloc_pages(struct frame_alloc *fa, u64 count, u64 align,
				   hpa_t *out);

/*
 * Return count frames from hpa on. Every frame must be managed and
 * allocated, else -EINVAL and nothing is freed.
 */
int __must_check frame_free_pages(struct frame_alloc *fa, hpa_t hpa, u64 count);

/* frame_free_pages(fa, hpa, 1). */
int __must_check frame_free_page(struct frame_alloc *fa, hpa_t hpa);

/* Usable frames free now. */
u64 frame_alloc_free_count(const struct frame_alloc *fa);

/* Usable frames in total (free or allocated). */
u64 frame_alloc_total_count(const struct frame_alloc *fa);

/* Whether hpa's frame is usable and currently free. */
bool frame_alloc_is_free(const struct frame_alloc *fa, hpa_t hpa);

#endif /* MICA_MM_FRAME_FRAME_ALLOC_H */
