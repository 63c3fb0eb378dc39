/* SPDX-License-Identifier: MIT */
/*
 * Host tests of mm/frame_alloc against an independent per-frame model: a
 * frame is usable iff it lies wholly inside some available entry, overlaps
 * no other non-empty entry, no reserved range and not the bitmap storage,
 * and starts at or above 1 MiB. Exhaustion, alignment, reserved ranges,
 * messy (overlapping, unsorted, unaligned) maps, free/reuse and random
 * alloc/free sequences are all checked against that model.
 * MICA_SEED / MICA_ITERS override the random parts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/frame/frame_alloc.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"

#define MIB (1ULL << 20)

/* ---------------------------------------------------------------- model */

struct world {
	struct mb2_mmap_entry map[40];
	u32 n;
	struct frame_range res[24];
	u32 nres;
	u64 nframes;
	size_t bytes;
	hpa_t storage_hpa;
	void *storage;
	struct frame_alloc fa;
	bool *usable; /* model: managed frames */
	bool *free;   /* model: free frames */
	u64 usable_count;
};

static bool overlaps(u64 a0, u64 a1, u64 b0, u64 b1)
{
	return a0 < b1 && b0 < a1;
}

static u64 ent_end(const struct mb2_mmap_entry *e)
{
	return e->base + e->len;
}

/* Model of usability for one frame, optionally ignoring the storage. */
static bool model_usable(const struct world *w, u64 pfn, bool with_storage)
{
	u64 a = pfn * PAGE_SIZE, b = a + PAGE_SIZE;
	bool inside = false;

	if (a < FRAME_LOW_LIMIT)
		return false;
	for (u32 i = 0; i < w->n; i++) {
		const struct mb2_mmap_entry *e = &w->map[i];

		if (e->type == MB2_MEM_AVAILABLE) {
			if (e->base <= a && b <= ent_end(e))
				inside = true;
		} else if (e->len && overlaps(a, b, e->base, ent_end(e))) {
			return false;
		}
	}
	/* A range with end <= start is empty. */
	for (u32 i = 0; i < w->nres; i++)
		if (w->res[i].start < w->res[i].end &&
		    overlaps(a, b, w->res[i].start, w->res[i].end))
			return false;
	if (with_storage &&
	    overlaps(a, b, w->storage_hpa, w->storage_hpa + w->bytes))
		return false;
	return inside;
}

static void world_free(struct world *w)
{
	free(w->storage);
	free(w->usable);
	free(w->free);
	w->storage = NULL;
	w->usable = w->free = NULL;
}

/* Place the storage, build the allocator and the model. 0 or an errno. */
static int world_init(struct world *w, hpa_t limit)
{
	int ret;

	w->nframes = frame_alloc_frames_needed(w->map, w->n);
	w->bytes = frame_alloc_storage_bytes(w->nframes);
	w->storage = NULL;
	w->usable = calloc(w->nframes + 1, sizeof(bool));
	w->free = calloc(w->nframes + 1, sizeof(bool));
	if (w->bytes) {
		ret = frame_alloc_place(w->map, w->n, w->res, w->nres, w->bytes,
					limit, &w->storage_hpa);
		if (ret)
			return ret;
	} else {
		w->storage_hpa = 0;
	}
	w->storage = malloc(w->bytes ? w->bytes : 8);
	/* Garbage in the storage must not matter. */
	memset(w->storage, 0xa5, w->bytes);
	ret = frame_alloc_init(&w->fa, w->storage, w->bytes, w->storage_hpa,
			       w->nframes, w->map, w->n, w->res, w->nres);
	if (ret)
		return ret;
	w->usable_count = 0;
	for (u64 p = 0; p < w->nframes; p++) {
		w->usable[p] = w->free[p] = model_usable(w, p, true);
		w->usable_count += w->usable[p];
	}
	return 0;
}

static void add_map(struct world *w, u64 base, u64 len, u32 type)
{
	w->map[w->n++] = (struct mb2_mmap_entry){base, len, type};
}

static void add_res(struct world *w, u64 start, u64 end)
{
	w->res[w->nres++] = (struct frame_range){start, end};
}

/* A PC with 128 MiB: the map Bochs/QEMU BIOSes report, plus a kernel. */
static void world_pc(struct world *w)
{
	memset(w, 0, sizeof(*w));
	add_map(w, 0, 0x9fc00, MB2_MEM_AVAILABLE);
	add_map(w, 0x9fc00, 0x400, MB2_MEM_RESERVED);
	add_map(w, 0xf0000, 0x10000, MB2_MEM_RESERVED);
	add_map(w, 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE);
	add_map(w, 0x7fe0000, 0x20000, MB2_MEM_RESERVED);
	add_map(w, 0xfffc0000, 0x40000, MB2_MEM_RESERVED);
	add_res(w, 0x100000, 0x123456);	  /* kernel image */
	add_res(w, 0x200000, 0x201234);	  /* module 0 */
	add_res(w, 0x202000, 0x2f0001);	  /* module 1 */
	add_res(w, 0x10000, 0x10400);	  /* boot information (low) */
	add_res(w, 0x3000800, 0x3000900); /* boot information (high) */
}

/* ---------------------------------------------------------------- tests */

static void test_exhaustion_and_reserved(void)
{
	static struct world w;
	u64 got = 0, bad = 0, dup = 0, in_res = 0;
	hpa_t hpa;
	bool ok;
	int ret;

	world_pc(&w);
	ret = world_init(&w, SIZE_1G);
	ok = ret == 0 && frame_alloc_total_count(&w.fa) == w.usable_count &&
	     frame_alloc_free_count(&w.fa) == w.usable_count;
	tap_ok(ok,
	       "128 MiB PC map: %llu usable frames, model says %llu, "
	       "bitmap storage %zu bytes at 0x%llx",
	       (unsigned long long)frame_alloc_total_count(&w.fa),
	       (unsigned long long)w.usable_count, w.bytes,
	       (unsigned long long)w.storage_hpa);
	while (frame_alloc_page(&w.fa, &hpa) == 0) {
		u64 p = hpa >> PAGE_SHIFT;

		got++;
		if ((hpa & (PAGE_SIZE - 1)) || p >= w.nframes || !w.usable[p])
			bad++;
		else if (!w.free[p])
			dup++;
		else
			w.free[p] = false;
		if (hpa < MIB ||
		    overlaps(hpa, hpa + PAGE_SIZE, 0x100000, 0x124000) ||
		    overlaps(hpa, hpa + PAGE_SIZE, 0x200000, 0x2f1000) ||
		    overlaps(hpa, hpa + PAGE_SIZE, w.storage_hpa,
			     w.storage_hpa + w.bytes) ||
		    overlaps(hpa, hpa + PAGE_SIZE, 0x3000000, 0x3001000) ||
		    hpa >= 0x7fe0000)
			in_res++;
		if (got > w.usable_count + 1)
			break;
	}
	ok = got == w.usable_count && bad == 0 && dup == 0 &&
	     frame_alloc_free_count(&w.fa) == 0 &&
	     frame_alloc_page(&w.fa, &hpa) == -ENOMEM &&
	     frame_alloc_pages(&w.fa, 1, PAGE_SIZE, &hpa) == -ENOMEM;
	tap_ok(ok,
	       "exhaustion: %llu frames then -ENOMEM (expected %llu), "
	       "%llu outside the model, %llu duplicates",
	       (unsigned long long)got, (unsigned long long)w.usable_count,
	       (unsigned long long)bad, (unsigned long long)dup);
	tap_ok(in_res == 0 && got > 0,
	       "reserved ranges (low 1 MiB, kernel, modules, boot info, "
	       "bitmap, map holes) never handed out: %llu violations",
	       (unsigned long long)in_res);

	/* Free everything and reuse. */
	ok = true;
	for (u64 p = 0; p < w.nframes; p++)
		if (w.usable[p])
			ok = ok && frame_free_page(&w.fa, p << PAGE_SHIFT) == 0;
	ok = ok && frame_alloc_free_count(&w.fa) == w.usable_count;
	ok = ok && frame_alloc_page(&w.fa, &hpa) == 0 &&
	     w.usable[hpa >> PAGE_SHIFT] && frame_free_page(&w.fa, hpa) == 0;
	tap_ok(ok, "free all then reuse: counts back to %llu",
	       (unsigned long long)w.usable_count);
	world_free(&w);
}

static void test_bad_frees(void)
{
	static struct world w;
	u64 before;
	hpa_t a, b;
	bool ok;

	world_pc(&w);
	ok = world_init(&w, SIZE_1G) == 0;
	ok = ok && frame_alloc_pages(&w.fa, 8, PAGE_SIZE, &a) == 0 &&
	     frame_alloc_page(&w.fa, &b) == 0;
	before = frame_alloc_free_count(&w.fa);
	ok = ok && frame_free_page(&w.fa, a) == 0;	     /* ok */
	ok = ok && frame_free_page(&w.fa, a) == -EINVAL;     /* double */
	ok = ok && frame_free_pages(&w.fa, a, 8) == -EINVAL; /* partly */
	ok = ok && !frame_alloc_is_free(&w.fa, a + PAGE_SIZE);
	ok = ok && frame_free_page(&w.fa, 0x100000) == -EINVAL; /* kernel */
	ok = ok && frame_free_page(&w.fa, 0x1000) == -EINVAL;	/* low */
	ok = ok && frame_free_page(&w.fa, w.storage_hpa) == -EINVAL;
	ok = ok && frame_free_page(&w.fa, b + 8) == -EINVAL;	 /* unaligned */
	ok = ok && frame_free_page(&w.fa, 0x7fe0000) == -EINVAL; /* hole */
	ok = ok && frame_free_page(&w.fa, 1ULL << 40) == -EINVAL;
	ok = ok && frame_free_pages(&w.fa, b, 0) == -EINVAL;
	ok = ok && frame_free_pages(&w.fa, b, UINT64_MAX) == -EINVAL;
	ok = ok && frame_alloc_free_count(&w.fa) == before + 1;
	ok = ok && frame_free_pages(&w.fa, a + PAGE_SIZE, 7) == 0 &&
	     frame_free_page(&w.fa, b) == 0 &&
	     frame_alloc_free_count(&w.fa) == w.usable_count;
	tap_ok(ok, "bad frees (double, partly free, reserved, low, bitmap, "
		   "unaligned, hole, beyond RAM, count 0/huge) give -EINVAL "
		   "and change nothing");

	ok = frame_alloc_pages(&w.fa, 0, PAGE_SIZE, &a) == -EINVAL &&
	     frame_alloc_pages(&w.fa, 1, 0, &a) == -EINVAL &&
	     frame_alloc_pages(&w.fa, 1, 0x800, &a) == -EINVAL &&
	     frame_alloc_pages(&w.fa, 1, 0x3000, &a) == -EINVAL &&
	     frame_alloc_pages(&w.fa, w.usable_count + 1, PAGE_SIZE, &a) ==
		 -ENOMEM &&
	     frame_alloc_pages(&w.fa, 1, 1ULL << 40, &a) == -ENOMEM;
	tap_ok(ok, "bad requests: count 0, align 0/2K/12K -> -EINVAL; "
		   "too many or unreachable alignment -> -ENOMEM");

	{
		struct frame_alloc fa;
		u64 st[4];

		ok = frame_alloc_init(&fa, w.storage, w.bytes - 8,
				      w.storage_hpa, w.nframes, w.map, w.n,
				      w.res, w.nres) == -EINVAL &&
		     frame_alloc_init(&fa, (char *)st + 4, 16, 0, 64, w.map,
				      w.n, NULL, 0) == -EINVAL &&
		     frame_alloc_init(&fa, NULL, 16, 0, 64, w.map, w.n, NULL,
				      0) == -EINVAL;
		/* No available memory at all: an empty, valid allocator. */
		ok = ok && frame_alloc_frames_needed(w.map + 1, 2) == 0 &&
		     frame_alloc_storage_bytes(0) == 0 &&
		     frame_alloc_init(&fa, st, 0, 0, 0, w.map + 1, 2, NULL,
				      0) == 0 &&
		     frame_alloc_total_count(&fa) == 0 &&
		     frame_alloc_page(&fa, &a) == -ENOMEM;
	}
	tap_ok(ok, "init rejects short, misaligned or NULL storage; empty map "
		   "gives an empty allocator");
	world_free(&w);
}

/* Number of align-aligned runs of count frames that are wholly usable. */
static u64 model_aligned_blocks(const struct world *w, u64 step)
{
	u64 blocks = 0;

	for (u64 p = 0; p + step <= w->nframes; p += step) {
		bool all = true;

		for (u64 i = 0; i < step && all; i++)
			all = w->usable[p + i];
		blocks += all;
	}
	return blocks;
}

static void test_alignment(void)
{
	static struct world w;
	u64 got = 0, misaligned = 0, bad = 0, expect;
	hpa_t hpa;
	bool ok;

	world_pc(&w);
	ok = world_init(&w, SIZE_1G) == 0;
	expect = model_aligned_blocks(&w, 512);
	while (frame_alloc_pages(&w.fa, 512, SIZE_2M, &hpa) == 0) {
		got++;
		misaligned += !IS_ALIGNED(hpa, SIZE_2M);
		for (u64 i = 0; i < 512; i++) {
			u64 p = (hpa >> PAGE_SHIFT) + i;

			if (p >= w.nframes || !w.usable[p] || !w.free[p])
				bad++;
			else
				w.free[p] = false;
		}
	}
	tap_ok(ok && got == expect && misaligned == 0 && bad == 0,
	       "2 MiB-aligned 512-frame runs: %llu allocated, model %llu, "
	       "%llu misaligned, %llu bad frames",
	       (unsigned long long)got, (unsigned long long)expect,
	       (unsigned long long)misaligned, (unsigned long long)bad);

	/* The rest still serves 4K-aligned and odd-sized aligned runs. */
	got = misaligned = bad = 0;
	for (int i = 0; i < 64; i++) {
		u64 count = 1 + (u64)(i % 7), align = PAGE_SIZE << (i % 5);

		if (frame_alloc_pages(&w.fa, count, align, &hpa))
			break;
		got++;
		misaligned += !IS_ALIGNED(hpa, align);
		for (u64 k = 0; k < count; k++) {
			u64 p = (hpa >> PAGE_SHIFT) + k;

			if (p >= w.nframes || !w.usable[p] || !w.free[p])
				bad++;
			else
				w.free[p] = false;
		}
	}
	tap_ok(got == 64 && misaligned == 0 && bad == 0,
	       "mixed runs (1..7 frames, 4K..64K aligned) in the remaining "
	       "memory: %llu/64, %llu misaligned, %llu bad",
	       (unsigned long long)got, (unsigned long long)misaligned,
	       (unsigned long long)bad);
	world_free(&w);
}

/* ---------------------------------------------------------------- random */

static struct rng rng;

/* A messy map over 0..48 MiB: unaligned, overlapping, unsorted entries. */
static void world_random(struct world *w)
{
	static const u32 types[] = {1, 1, 1, 1, 2, 3, 4, 5, 7};
	u32 n = 1 + (u32)rng_below(&rng, 20), nres = (u32)rng_below(&rng, 8);

	memset(w, 0, sizeof(*w));
	for (u32 i = 0; i < n; i++) {
		u64 base = rng_below(&rng, 48 * MIB),
		    len = rng_below(&rng, 16 * MIB);

		if (rng_below(&rng, 2))
			base &= ~(PAGE_SIZE - 1);
		if (rng_below(&rng, 2))
			len &= ~(PAGE_SIZE - 1);
		if (rng_below(&rng, 8) == 0)
			len = 0;
		add_map(w, base, len,
			types[rng_below(&rng, ARRAY_SIZE(types))]);
	}
	for (u32 i = 0; i < nres; i++) {
		u64 s = rng_below(&rng, 48 * MIB),
		    len = rng_below(&rng, 2 * MIB);

		add_res(w, s,
			rng_below(&rng, 16) ? s + len : s - len % (s + 1));
	}
}

/* Lowest start >= 1 MiB for npages model-usable frames in one entry. */
static u64 model_place(const struct world *w, u64 npages, u64 limit)
{
	for (u64 p = FRAME_LOW_LIMIT >> PAGE_SHIFT;
	     (p + npages) * PAGE_SIZE <= limit && p + npages <= w->nframes;
	     p++) {
		bool ok = false;

		for (u32 i = 0; i < w->n && !ok; i++) {
			const struct mb2_mmap_entry *e = &w->map[i];

			ok = e->type == 1 && e->base <= p * PAGE_SIZE &&
			     (p + npages) * PAGE_SIZE <= ent_end(e);
		}
		for (u64 k = 0; k < npages && ok; k++)
			ok = model_usable(w, p + k, false);
		if (ok)
			return p;
	}
	return UINT64_MAX;
}

static void dump_world(const struct world *w)
{
	for (u32 i = 0; i < w->n; i++)
		tap_diag("  map %u: base 0x%llx len 0x%llx type %u", i,
			 (unsigned long long)w->map[i].base,
			 (unsigned long long)w->map[i].len, w->map[i].type);
	for (u32 i = 0; i < w->nres; i++)
		tap_diag("  reserved %u: 0x%llx - 0x%llx", i,
			 (unsigned long long)w->res[i].start,
			 (unsigned long long)w->res[i].end);
	tap_diag("  storage 0x%llx + 0x%zx, %llu frames",
		 (unsigned long long)w->storage_hpa, w->bytes,
		 (unsigned long long)w->nframes);
}

static void test_messy_maps(void)
{
	u64 maps = MAX(env_u64("MICA_ITERS", 100000) / 100, 1);
	u64 mism = 0, place_bad = 0;
	u64 frames = 0, nomem = 0;
	static struct world w;

	for (u64 m = 0; m < maps; m++) {
		u64 got = 0, bad = 0, expect_place;
		hpa_t hpa, limit = (1 + rng_below(&rng, 64)) * MIB;
		int ret;

		world_random(&w);
		w.nframes = frame_alloc_frames_needed(w.map, w.n);
		w.bytes = frame_alloc_storage_bytes(w.nframes);
		expect_place =
		    w.bytes
			? model_place(&w,
				      (w.bytes + PAGE_SIZE - 1) >> PAGE_SHIFT,
				      limit)
			: 0;
		ret = world_init(&w, limit);
		if (ret == -ENOMEM) {
			nomem++;
			place_bad += expect_place != UINT64_MAX;
			world_free(&w);
			continue;
		}
		if (ret) {
			mism++;
			world_free(&w);
			continue;
		}
		place_bad +=
		    w.bytes && (w.storage_hpa >> PAGE_SHIFT) != expect_place;
		while (frame_alloc_page(&w.fa, &hpa) == 0 &&
		       got <= w.usable_count) {
			u64 p = hpa >> PAGE_SHIFT;

			got++;
			if (p >= w.nframes || !w.usable[p] || !w.free[p])
				bad++;
			else
				w.free[p] = false;
		}
		frames += got;
		if (bad || got != w.usable_count ||
		    frame_alloc_total_count(&w.fa) != w.usable_count) {
			if (!mism)
				dump_world(&w);
			if (!mism)
				tap_diag(
				    "map %llu: got %llu frames, model %llu, "
				    "%llu bad",
				    (unsigned long long)m,
				    (unsigned long long)got,
				    (unsigned long long)w.usable_count,
				    (unsigned long long)bad);
			mism++;
		}
		world_free(&w);
	}
	tap_ok(mism == 0,
	       "random messy maps (overlapping, unsorted, unaligned, "
	       "reserved ranges): %llu maps, %llu frames, %llu mismatches",
	       (unsigned long long)maps, (unsigned long long)frames,
	       (unsigned long long)mism);
	tap_ok(place_bad == 0,
	       "bitmap placement is the lowest fitting spot below the limit "
	       "(%llu maps had no room): %llu wrong",
	       (unsigned long long)nomem, (unsigned long long)place_bad);
}

/* Lowest aligned run of count model-free frames, or UINT64_MAX. */
static u64 model_first_fit(const struct world *w, u64 count, u64 step)
{
	for (u64 p = 0; p + count <= w->nframes; p += step) {
		u64 k = 0;

		while (k < count && w->free[p + k])
			k++;
		if (k == count)
			return p;
	}
	return UINT64_MAX;
}

struct block {
	u64 pfn, count;
};

static bool full_compare(const struct world *w)
{
	for (u64 p = 0; p < w->nframes; p++)
		if (frame_alloc_is_free(&w->fa, p << PAGE_SHIFT) != w->free[p])
			return false;
	return true;
}

static void test_random_ops(void)
{
	u64 seed = rng_seed_env(&rng, 0x6672616d65ULL);
	u64 iters = env_u64("MICA_ITERS", 100000);
	static struct block blocks[4096];
	static struct world w;
	u32 nblocks = 0;
	u64 bad = 0, allocs = 0, frees = 0, enomem = 0, rejects = 0;
	u64 model_free;

	tap_diag("random ops: MICA_SEED=0x%llx MICA_ITERS=%llu",
		 (unsigned long long)seed, (unsigned long long)iters);
	world_pc(&w);
	/* 32 MiB with holes so that fits fail for real. */
	w.map[3].len = 31 * MIB;
	add_map(&w, 9 * MIB + 123, 3 * MIB, MB2_MEM_RESERVED);
	add_map(&w, 20 * MIB, 2 * MIB + 5, MB2_MEM_NVS);
	if (world_init(&w, SIZE_1G))
		bad++;
	model_free = w.usable_count;
	for (u64 it = 0; it < iters && !bad; it++) {
		u64 op = rng_below(&rng, 8);
		hpa_t hpa;
		int ret;

		if (op < 2 && nblocks < ARRAY_SIZE(blocks)) { /* single */
			ret = frame_alloc_page(&w.fa, &hpa);
			if (ret) {
				bad += !(ret == -ENOMEM && model_free == 0);
				enomem++;
				continue;
			}
			if (!w.free[hpa >> PAGE_SHIFT]) {
				bad++;
				continue;
			}
			w.free[hpa >> PAGE_SHIFT] = false;
			model_free--;
			blocks[nblocks++] =
			    (struct block){hpa >> PAGE_SHIFT, 1};
			allocs++;
		} else if (op < 4 && nblocks < ARRAY_SIZE(blocks)) { /* run */
			u64 count =
			    1 + rng_below(&rng, rng_below(&rng, 4) ? 16 : 1200);
			u64 step = 1ULL << rng_below(&rng, 11);
			u64 expect = model_first_fit(&w, count, step);

			ret = frame_alloc_pages(&w.fa, count, step * PAGE_SIZE,
						&hpa);
			if (ret) {
				bad +=
				    !(ret == -ENOMEM && expect == UINT64_MAX);
				enomem++;
				continue;
			}
			if (hpa >> PAGE_SHIFT != expect) {
				bad++;
				continue;
			}
			for (u64 k = 0; k < count; k++)
				w.free[expect + k] = false;
			model_free -= count;
			blocks[nblocks++] = (struct block){expect, count};
			allocs++;
		} else if (op < 7 && nblocks) { /* free all or part */
			u32 i = (u32)rng_below(&rng, nblocks);
			struct block *b = &blocks[i];
			u64 cnt = rng_below(&rng, 2)
				      ? b->count
				      : 1 + rng_below(&rng, b->count);

			ret =
			    frame_free_pages(&w.fa, b->pfn << PAGE_SHIFT, cnt);
			bad += ret != 0;
			for (u64 k = 0; k < cnt; k++)
				w.free[b->pfn + k] = true;
			model_free += cnt;
			b->pfn += cnt;
			b->count -= cnt;
			if (!b->count)
				*b = blocks[--nblocks];
			frees++;
		} else { /* a free that must be refused */
			u64 p = rng_below(&rng, w.nframes + 16),
			    cnt = 1 + rng_below(&rng, 4);
			bool valid = p + cnt <= w.nframes;

			for (u64 k = 0; k < cnt && valid; k++)
				valid = w.usable[p + k] && !w.free[p + k];
			if (valid)
				continue;
			ret = frame_free_pages(&w.fa, p << PAGE_SHIFT, cnt);
			bad += ret != -EINVAL;
			rejects++;
		}
		if (frame_alloc_free_count(&w.fa) != model_free)
			bad++;
		if (it % 1024 == 0 && !full_compare(&w))
			bad++;
		if (bad)
			tap_diag("diverged at iteration %llu (op %llu)",
				 (unsigned long long)it,
				 (unsigned long long)op);
	}
	bad += !full_compare(&w);
	tap_ok(bad == 0,
	       "random alloc/free vs model: %llu allocs, %llu frees, %llu "
	       "-ENOMEM (all confirmed by the model), %llu refused frees, "
	       "free count and bitmap always equal",
	       (unsigned long long)allocs, (unsigned long long)frees,
	       (unsigned long long)enomem, (unsigned long long)rejects);
	world_free(&w);
}

int main(void)
{
	u64 seed = rng_seed_env(&rng, 0x6d657373ULL);

	test_exhaustion_and_reserved();
	test_bad_frees();
	test_alignment();
	tap_diag("messy maps: MICA_SEED=0x%llx", (unsigned long long)seed);
	test_messy_maps();
	test_random_ops();
	return tap_done();
}
