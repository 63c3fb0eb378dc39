/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the loader host tests: a fake guest RAM filled with a
 * marker byte, copy/zero callbacks that record every call and flag any
 * write outside RAM or into the reserved range, little-endian writers for
 * building images, and the seeded random-mutation run.
 */
#ifndef MICA_TEST_LOAD_TEST_UTIL_H
#define MICA_TEST_LOAD_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "vmm/load/elf_load.h"
#include "mm/base/errno.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

#define RAM_SIZE 0x40000ULL
#define RES_LO	 0x1000ULL
#define RES_HI	 0x3000ULL
#define IMG_MAX	 0x3000
#define FILL	 0xaa

struct fake_ram {
	u8 *ram;
	u64 size;
	const u8 *img;
	size_t img_size;
	unsigned copies, zeros, violations;
};

struct img {
	u8 b[IMG_MAX];
	size_t size;
};

struct tseg {
	u32 type;
	u64 off, paddr, filesz, memsz;
};

static struct fake_ram fr;

static inline bool in_ram(gpa_t gpa, u64 len)
{
	return gpa <= fr.size && len <= fr.size - gpa &&
	       !(gpa < RES_HI && RES_LO < gpa + len);
}

static inline void ram_copy(void *ctx, gpa_t gpa, const void *src, u64 len)
{
	const u8 *s = src;

	(void)ctx;
	fr.copies++;
	if (!in_ram(gpa, len) || s < fr.img || len > fr.img_size ||
	    s - fr.img > (long)(fr.img_size - len)) {
		fr.violations++;
		return;
	}
	memcpy(fr.ram + gpa, src, len);
}

static inline void ram_zero(void *ctx, gpa_t gpa, u64 len)
{
	(void)ctx;
	fr.zeros++;
	if (!in_ram(gpa, len)) {
		fr.violations++;
		return;
	}
	memset(fr.ram + gpa, 0, len);
}

static const struct elf_load_ops ops = {.copy = ram_copy, .zero = ram_zero};

static inline void counts_reset(const struct img *im)
{
	fr.copies = fr.zeros = fr.violations = 0;
	fr.img = im->b;
	fr.img_size = im->size;
}

static inline void ram_reset(const struct img *im)
{
	memset(fr.ram, FILL, fr.size);
	counts_reset(im);
}

static inline void w16(u8 *p, u64 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void w32(u8 *p, u64 v)
{
	w16(p, v);
	w16(p + 2, v >> 16);
}

static inline void w64(u8 *p, u64 v)
{
	w32(p, v);
	w32(p + 4, v >> 32);
}

/* The byte that the image holds at file offset i (outside the headers). */
static inline u8 pat(u64 i)
{
	return (u8)(i * 7 + 3);
}

static inline bool ram_is(u64 gpa, const u8 *src, u64 len)
{
	return !memcmp(fr.ram + gpa, src, len);
}

static inline bool ram_all(u64 gpa, u8 v, u64 len)
{
	for (u64 i = 0; i < len; i++)
		if (fr.ram[gpa + i] != v)
			return false;
	return true;
}

static inline bool ram_untouched(void)
{
	return !fr.copies && !fr.zeros && ram_all(0, FILL, fr.size);
}

/*
 * A seeded random-mutation run (MICA_SEED, MICA_ITERS): build a good image,
 * change 1 to 6 of its bytes, half of them among the hot bytes (the header
 * the loader reads first), sometimes cut it short, and count the contract
 * violations check() finds. Ends in one test point.
 */
struct mutation_run {
	const char *what; /* names the test point */
	u64 seed, iters;  /* defaults of MICA_SEED and MICA_ITERS */
	size_t hot, hot_len;
	void (*build)(struct img *im, struct rng *r);
	unsigned (*check)(struct img *im); /* violations in im */
};

static inline void mutation_run(const struct mutation_run *mr)
{
	static struct img im;
	struct rng rng;
	u64 seed = rng_seed_env(&rng, mr->seed);
	u64 iters = env_u64("MICA_ITERS", mr->iters), loaded = 0, bad = 0;

	for (u64 it = 0; it < iters; it++) {
		unsigned nmut = 1 + (unsigned)rng_below(&rng, 6), b;

		mr->build(&im, &rng);
		for (unsigned m = 0; m < nmut; m++) {
			u64 x = rng_next(&rng);
			size_t at = (x & 1) ? mr->hot + (x >> 8) % mr->hot_len
					    : (x >> 8) % im.size;

			im.b[at] = (x & 2) ? (u8)(x >> 32) : im.b[at] ^ 0x80;
		}
		if (!rng_below(&rng, 8))
			im.size = rng_below(&rng, im.size + 1);
		b = mr->check(&im);
		bad += b;
		loaded += !b && fr.copies;
	}
	tap_ok(!bad,
	       "%s random mutations (seed %llu): %llu images, %llu loaded, "
	       "%llu contract violations",
	       mr->what, (unsigned long long)seed, (unsigned long long)iters,
	       (unsigned long long)loaded, (unsigned long long)bad);
}

#endif /* MICA_TEST_LOAD_TEST_UTIL_H */
