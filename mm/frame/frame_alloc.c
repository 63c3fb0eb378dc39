/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocator over two bitmaps (see mm/frame/frame_alloc.h). The
 * "managed" map records which frames were usable at boot and never changes
 * afterwards; it is what lets frame_free_pages() reject frees of reserved or
 * already free frames instead of corrupting the pool. Searches work a 64-bit
 * word at a time.
 */
#include "mm/frame/frame_alloc.h"
#include "mm/base/errno.h"

#define BITS_PER_WORD 64

static u64 words_for(u64 nframes)
{
	return (nframes + BITS_PER_WORD - 1) / BITS_PER_WORD;
}

/* Mask of bits lo..hi-1 of one word, 0 <= lo < hi <= 64. */
static u64 word_mask(u64 lo, u64 hi)
{
	u64 m = hi == BITS_PER_WORD ? ~0ULL : BIT(hi) - 1;

	return m & ~(BIT(lo) - 1);
}

static void bm_set_range(u64 *map, u64 from, u64 to, bool set)
{
	while (from < to) {
		u64 w = from / BITS_PER_WORD, lo = from % BITS_PER_WORD;
		u64 hi = MIN(to - w * BITS_PER_WORD, (u64)BITS_PER_WORD);
		u64 m = word_mask(lo, hi);

		map[w] = set ? map[w] | m : map[w] & ~m;
		from = w * BITS_PER_WORD + hi;
	}
}

/* First bit in [from, to) equal to want, or to if there is none. */
static u64 bm_find(const u64 *map, u64 from, u64 to, bool want)
{
	while (from < to) {
		u64 w = from / BITS_PER_WORD, lo = from % BITS_PER_WORD;
		u64 hi = MIN(to - w * BITS_PER_WORD, (u64)BITS_PER_WORD);
		u64 bits = (want ? map[w] : ~map[w]) & word_mask(lo, hi);

		if (bits)
			return w * BITS_PER_WORD + (u64)__builtin_ctzll(bits);
		from = w * BITS_PER_WORD + hi;
	}
	return to;
}

/* Bit count without libgcc (no POPCNT under -mgeneral-regs-only). */
static u64 popcount64(u64 v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

static u64 end_of(u64 base, u64 len)
{
	return len > UINT64_MAX - base ? UINT64_MAX : base + len;
}

static u64 pfn_ceil(u64 addr)
{
	return (addr >> PAGE_SHIFT) + ((addr & (PAGE_SIZE - 1)) != 0);
}

static u64 pfn_floor(u64 addr)
{
	return addr >> PAGE_SHIFT;
}

static bool is_avail(const struct mb2_mmap_entry *e)
{
	return e->type == MB2_MEM_AVAILABLE;
}

u64 frame_alloc_frames_needed(const struct mb2_mmap_entry *map, u32 n)
{
	u64 top = 0;

	for (u32 i = 0; i < n; i++) {
		u64 lo = pfn_ceil(map[i].base);
		u64 hi = pfn_floor(end_of(map[i].base, map[i].len));

		if (is_avail(&map[i]) && hi > lo)
			top = MAX(top, hi);
	}
	return top;
}

size_t frame_alloc_storage_bytes(u64 nframes)
{
	return (size_t)(2 * words_for(nframes) * sizeof(u64));
}

/*
 * If frames [lo, hi) touch a non-available map entry or a reserved range,
 * return the first frame after that obstacle (every start before it would
 * touch it too); else 0.
 */
static u64 place_obstacle(const struct mb2_mmap_entry *map, u32 n,
			  const struct frame_range *res, u32 nres, u64 lo,
			  u64 hi)
{
	for (u32 i = 0; i < n; i++) {
		u64 s = pfn_floor(map[i].base);
		u64 e = pfn_ceil(end_of(map[i].base, map[i].len));

		if (!is_avail(&map[i]) && map[i].len && s < hi && e > lo)
			return e;
	}
	for (u32 i = 0; i < nres; i++) {
		u64 s = pfn_floor(res[i].start), e = pfn_ceil(res[i].end);

		if (res[i].end > res[i].start && s < hi && e > lo)
			return e;
	}
	return 0;
}

int frame_alloc_place(const struct mb2_mmap_entry *map, u32 n,
		      const struct frame_range *reserved, u32 nres,
		      size_t bytes, hpa_t limit, hpa_t *out)
{
	u64 npages = pfn_ceil(bytes), best = UINT64_MAX;

	if (!bytes)
		return -EINVAL;
	for (u32 i = 0; i < n; i++) {
		u64 lo = MAX(pfn_ceil(map[i].base), pfn_floor(FRAME_LOW_LIMIT));
		u64 hi = pfn_floor(end_of(map[i].base, map[i].len));

		hi = MIN(hi, pfn_floor(limit));
		if (!is_avail(&map[i]))
			continue;
		while (lo < hi && npages <= hi - lo) {
			u64 next = place_obstacle(map, n, reserved, nres, lo,
						  lo + npages);

			if (!next) {
				best = MIN(best, lo);
				break;
			}
			lo = next;
		}
	}
	if (best == UINT64_MAX)
		return -ENOMEM;
	*out = pfn_to_hpa(best);
	return 0;
}

/* Clear managed bits for [start, end) in bytes, rounded outward. */
static void exclude(struct frame_alloc *fa, u64 start, u64 end)
{
	u64 lo = pfn_floor(start), hi = MIN(pfn_ceil(end), fa->nframes);

	if (end > start && lo < hi)
		bm_set_range(fa->managed_map, lo, hi, false);
}

int frame_alloc_init(struct frame_alloc *fa, void *storage,
		     size_t storage_bytes, hpa_t storage_hpa, u64 nframes,
		     const struct mb2_mmap_entry *map, u32 n,
		     const struct frame_range *reserved, u32 nres)
{
	u64 words = words_for(nframes);

	if (!storage || !IS_ALIGNED((uintptr_t)storage, sizeof(u64)) ||
	    nframes > pfn_floor(UINT64_MAX) ||
	    storage_bytes < frame_alloc_storage_bytes(nframes))
		return -EINVAL;
	*fa = (struct frame_alloc){
	    .free_map = storage,
	    .managed_map = (u64 *)storage + words,
	    .nframes = nframes,
	    .hint = pfn_floor(FRAME_LOW_LIMIT),
	    .storage_start = storage_hpa,
	    .storage_end = end_of(storage_hpa, storage_bytes),
	};
	mem_set(fa->managed_map, 0, words * sizeof(u64));
	for (u32 i = 0; i < n; i++) {
		u64 lo = pfn_ceil(map[i].base);
		u64 hi = pfn_floor(end_of(map[i].base, map[i].len));

		if (is_avail(&map[i]) && lo < MIN(hi, nframes))
			bm_set_range(fa->managed_map, lo, MIN(hi, nframes),
				     true);
	}
	for (u32 i = 0; i < n; i++)
		if (!is_avail(&map[i]))
			exclude(fa, map[i].base,
				end_of(map[i].base, map[i].len));
	exclude(fa, 0, FRAME_LOW_LIMIT);
	exclude(fa, fa->storage_start, fa->storage_end);
	for (u32 i = 0; i < nres; i++)
		exclude(fa, reserved[i].start, reserved[i].end);
	mem_copy(fa->free_map, fa->managed_map, words * sizeof(u64));
	for (u64 w = 0; w < words; w++)
		fa->total += popcount64(fa->managed_map[w]);
	fa->free = fa->total;
	return 0;
}

int frame_alloc_page(struct frame_alloc *fa, hpa_t *out)
{
	u64 pfn;

	if (!fa->free)
		return -ENOMEM;
	pfn = bm_find(fa->free_map, fa->hint, fa->nframes, true);
	if (pfn == fa->nframes)
		pfn = bm_find(fa->free_map, 0, fa->hint, true);
	BUG_ON(pfn >= fa->nframes); /* free count said there was one */
	bm_set_range(fa->free_map, pfn, pfn + 1, false);
	fa->free--;
	fa->hint = pfn + 1 < fa->nframes ? pfn + 1 : 0;
	*out = pfn_to_hpa(pfn);
	return 0;
}

int frame_alloc_pages(struct frame_alloc *fa, u64 count, u64 align, hpa_t *out)
{
	u64 step = align >> PAGE_SHIFT, pfn = 0;

	if (!count || align < PAGE_SIZE || (align & (align - 1)))
		return -EINVAL;
	if (count > fa->free)
		return -ENOMEM;
	for (;;) {
		u64 busy;

		pfn = bm_find(fa->free_map, pfn, fa->nframes, true);
		if (pfn >= fa->nframes || ALIGN_UP(pfn, step) < pfn)
			return -ENOMEM;
		pfn = ALIGN_UP(pfn, step);
		if (pfn >= fa->nframes || count > fa->nframes - pfn)
			return -ENOMEM;
		busy = bm_find(fa->free_map, pfn, pfn + count, false);
		if (busy == pfn + count)
			break;
		pfn = busy + 1;
	}
	bm_set_range(fa->free_map, pfn, pfn + count, false);
	fa->free -= count;
	*out = pfn_to_hpa(pfn);
	return 0;
}

int frame_free_pages(struct frame_alloc *fa, hpa_t hpa, u64 count)
{
	u64 pfn = pfn_floor(hpa);

	if (!count || !IS_ALIGNED(hpa, PAGE_SIZE) || pfn >= fa->nframes ||
	    count > fa->nframes - pfn)
		return -EINVAL;
	/* Validate the whole range before changing anything. */
	if (bm_find(fa->managed_map, pfn, pfn + count, false) != pfn + count ||
	    bm_find(fa->free_map, pfn, pfn + count, true) != pfn + count)
		return -EINVAL;
	bm_set_range(fa->free_map, pfn, pfn + count, true);
	fa->free += count;
	return 0;
}

int frame_free_page(struct frame_alloc *fa, hpa_t hpa)
{
	return frame_free_pages(fa, hpa, 1);
}

u64 frame_alloc_free_count(const struct frame_alloc *fa)
{
	return fa->free;
}

u64 frame_alloc_total_count(const struct frame_alloc *fa)
{
	return fa->total;
}

bool frame_alloc_is_free(const struct frame_alloc *fa, hpa_t hpa)
{
	u64 pfn = pfn_floor(hpa);

	return pfn < fa->nframes &&
	       bm_find(fa->free_map, pfn, pfn + 1, true) == pfn;
}
