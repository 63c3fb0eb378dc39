/* SPDX-License-Identifier: MIT */
/*
 * Host physical memory for host builds: an arena mapped at the host
 * address the kernel's own physmap arithmetic (mm/base/layout.h phys_ptr(),
 * pa + PHYSMAP_BASE modulo 2^64) gives its frames, so that the exit paths
 * convert addresses exactly as in the kernel, and mm_alloc_pages() /
 * mm_free_pages() of mm/mm.c over it. Every frame that is not allocated is
 * poisoned for ASan, and each allocation has a poisoned guard frame on
 * either side: a read or write of host memory outside what mica allocated
 * (guest RAM included) is an ASan report at the faulting access. Frees
 * must match an allocation exactly (the kernel panics on a bad free).
 * Large frees go back to the host (MADV_DONTNEED) and read as zero when
 * handed out again, so guest RAM is not cleared with a memset per VM;
 * other frames are cleared where they were handed out before.
 */
#include <sanitizer/asan_interface.h>
#include <sys/mman.h>

#include "mm/base/layout.h"
#include "mm/mm.h"
#include "mm/base/errno.h"
#include "test/hostvm/hostvm.h"
#include "test/hostvm/hostvm_internal.h"

#define ARENA_PAGES (16384ULL) /* 64 MiB */
#define MAX_ALLOCS  512
#define BIG_ALLOC   1024 /* frames: returned to the host when freed */

enum { PG_FREE, PG_USED, PG_GUARD };

static u8 *arena;
static hpa_t arena_pa;
static u8 page_state[ARENA_PAGES];
static u8 page_dirty[ARENA_PAGES]; /* handed out since last known zero */
static struct {
	u64 first, count;
} allocs[MAX_ALLOCS];
static unsigned nallocs;
static u64 allocated;
static bool fail_on;
static u64 fail_ok;

/* Host addresses to try: in ASan's high memory, clear of its allocator
 * (0x6000'0000'0000) and of where PIE binaries and libraries load. */
static const u64 arena_at[] = {0x200000000000ULL, 0x280000000000ULL,
			       0x340000000000ULL};

static void arena_init(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(arena_at) && !arena; i++) {
		void *p = mmap((void *)arena_at[i], ARENA_PAGES * PAGE_SIZE,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				   MAP_FIXED_NOREPLACE,
			       -1, 0);

		if (p == (void *)arena_at[i])
			arena = p;
		else if (p != MAP_FAILED)
			munmap(p, ARENA_PAGES * PAGE_SIZE);
	}
	if (!arena)
		panic("hostvm: cannot map the physmap arena");
	arena_pa = virt_to_phys(arena);
	if (phys_ptr(arena_pa) != arena)
		panic("hostvm: physmap arithmetic does not round-trip");
	ASAN_POISON_MEMORY_REGION(arena, ARENA_PAGES * PAGE_SIZE);
}

u64 hostvm_mem_allocated_pages(void)
{
	return allocated;
}

void hostvm_mem_fail_after(u64 ok_calls, bool enable)
{
	fail_on = enable;
	fail_ok = ok_calls;
}

/* The first aligned index >= i (alignment in frames of the arena's
 * physical addresses). */
static u64 aligned_from(u64 i, u64 step)
{
	u64 base = arena_pa / PAGE_SIZE;

	return ALIGN_UP(base + i, step) - base;
}

/* The first aligned run of count frames with a free frame either side;
 * a frame in use moves the search past it. */
static bool find_run(u64 count, u64 align, u64 *first)
{
	u64 step = MAX(align / PAGE_SIZE, 1);
	u64 s = aligned_from(1, step);

	while (s + count + 1 <= ARENA_PAGES) {
		u64 i = s - 1;

		while (i <= s + count && page_state[i] == PG_FREE)
			i++;
		if (i > s + count) {
			*first = s;
			return true;
		}
		s = aligned_from(i + 2, step);
	}
	return false;
}

int mm_alloc_pages(u64 count, u64 align, hpa_t *out)
{
	u64 first;

	if (!arena)
		arena_init();
	if (!count || (align & (align - 1)) || align < PAGE_SIZE)
		panic("hostvm: mm_alloc_pages(%lu, 0x%lx)", count, align);
	if (fail_on && fail_ok-- == 0) {
		fail_ok = 0;
		return -ENOMEM;
	}
	if (nallocs == MAX_ALLOCS || !find_run(count, align, &first))
		return -ENOMEM;
	mem_set(page_state + first - 1, PG_GUARD, count + 2);
	mem_set(page_state + first, PG_USED, count);
	allocs[nallocs].first = first;
	allocs[nallocs].count = count;
	nallocs++;
	allocated += count;
	ASAN_UNPOISON_MEMORY_REGION(arena + first * PAGE_SIZE,
				    count * PAGE_SIZE);
	for (u64 i = first; i < first + count; i++)
		if (page_dirty[i])
			mem_set(arena + i * PAGE_SIZE, 0, PAGE_SIZE);
	mem_set(page_dirty + first, 1, count);
	*out = arena_pa + first * PAGE_SIZE;
	return 0;
}

void mm_free_pages(hpa_t hpa, u64 count)
{
	u64 first = (hpa - arena_pa) / PAGE_SIZE;
	unsigned i;

	for (i = 0; i < nallocs; i++)
		if (allocs[i].first == first && allocs[i].count == count &&
		    hpa == arena_pa + first * PAGE_SIZE)
			break;
	if (i == nallocs)
		panic("mm: bad free of %lu frames at 0x%lx", count, hpa);
	allocs[i] = allocs[--nallocs];
	mem_set(page_state + first - 1, PG_FREE, count + 2);
	allocated -= count;
	if (count >= BIG_ALLOC) {
		if (madvise(arena + first * PAGE_SIZE, count * PAGE_SIZE,
			    MADV_DONTNEED))
			panic("hostvm: madvise of freed frames failed");
		mem_set(page_dirty + first, 0, count);
	}
	ASAN_POISON_MEMORY_REGION(arena + first * PAGE_SIZE, count * PAGE_SIZE);
}

bool hostvm_mem_is_allocated(hpa_t hpa)
{
	u64 i = (hpa - arena_pa) / PAGE_SIZE;

	return arena && hpa >= arena_pa && i < ARENA_PAGES &&
	       page_state[i] == PG_USED;
}

u64 mm_free_frames(void)
{
	return ARENA_PAGES - allocated;
}

u64 mm_total_frames(void)
{
	return ARENA_PAGES;
}
