/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the multiboot1 side of vmm/load/elf_load.c (Multiboot
 * Specification 0.6.96, 3.1): the header search and the a.out kludge
 * loader, and a seeded random-mutation run (MICA_SEED, MICA_ITERS).
 */
#include "test/unit/support/load_test_util.h"
#include "test/unit/support/tap.h"

#define MB1_MAGIC 0x1badb002U

static void put_mb1(u8 *p, u32 flags)
{
	w32(p, MB1_MAGIC);
	w32(p + 4, flags);
	w32(p + 8, (u32)(0u - MB1_MAGIC - flags));
}

static void test_mb1_find(void)
{
	static u8 buf[12288];
	int bad = 0;

	memset(buf, 0, sizeof(buf));
	tap_ok(mb1_header_find(buf, sizeof(buf)) == -ENOENT,
	       "mb1: no header in zeros");
	put_mb1(buf, 0);
	tap_ok(mb1_header_find(buf, sizeof(buf)) == 0 &&
		   mb1_header_find(buf, 12) == 0 &&
		   mb1_header_find(buf, 11) == -ENOENT,
	       "mb1: header at 0 found; an image shorter than it is not");
	memset(buf, 0, sizeof(buf));
	put_mb1(buf + 6, 0);
	tap_ok(mb1_header_find(buf, sizeof(buf)) == -ENOENT,
	       "mb1: a header at an unaligned offset is ignored");
	put_mb1(buf + 100, 0);
	put_mb1(buf + 200, 3);
	tap_ok(mb1_header_find(buf, sizeof(buf)) == 100,
	       "mb1: the first aligned header wins");
	memset(buf, 0, sizeof(buf));
	put_mb1(buf + 40, 0x10000);
	buf[48] ^= 1;
	put_mb1(buf + 80, 0x10000);
	tap_ok(mb1_header_find(buf, sizeof(buf)) == 80,
	       "mb1: a header with a bad checksum is skipped");
	for (int off = 8160; off <= 8200; off += 4) {
		int want = off + 12 <= 8192 ? off : -ENOENT, got;

		memset(buf, 0, sizeof(buf));
		put_mb1(buf + off, 0);
		got = mb1_header_find(buf, sizeof(buf));
		if (got != want) {
			bad++;
			tap_diag("header at %d: got %d want %d", off, got,
				 want);
		}
	}
	tap_ok(!bad, "mb1: only headers wholly inside the first 8192 bytes "
		     "count (8180 found, 8184 not)");
}

/*
 * An a.out-kludge kernel: 0x40 bytes of code, the header at file offset
 * 0x40, the rest pattern. Loaded at 0x10000.
 */
#define KL_OFF	0x40
#define KL_LOAD 0x10000U

static void build_kludge(struct img *im, size_t size, u32 load_end, u32 bss_end,
			 u32 entry)
{
	for (size_t i = 0; i < sizeof(im->b); i++)
		im->b[i] = pat(i);
	memset(im->b + KL_OFF, 0, 32);
	put_mb1(im->b + KL_OFF, 0x10003);
	w32(im->b + KL_OFF + 12, KL_LOAD + KL_OFF);
	w32(im->b + KL_OFF + 16, KL_LOAD);
	w32(im->b + KL_OFF + 20, load_end);
	w32(im->b + KL_OFF + 24, bss_end);
	w32(im->b + KL_OFF + 28, entry);
	im->size = size;
}

/* Move the kludge header of build_kludge() to file offset off. */
static void kludge_move(struct img *im, size_t off)
{
	memmove(im->b + off, im->b + KL_OFF, 32);
	for (size_t i = KL_OFF; i < KL_OFF + 32; i++)
		im->b[i] = pat(i);
	w32(im->b + off + 12, KL_LOAD + off);
}

static int kl_load(struct img *im, struct elf_load_result *r)
{
	ram_reset(im);
	return mb1_kludge_load(im->b, im->size, RAM_SIZE, RES_LO, RES_HI, &ops,
			       r);
}

static void kl_reject(struct img *im, int want, const char *err,
		      const char *what)
{
	struct elf_load_result r;
	int rc = kl_load(im, &r);

	tap_ok(rc == want && (!err || (r.error && strstr(r.error, err))) &&
		   ram_untouched(),
	       "kludge: %s rejected, nothing copied (rc %d, '%s')", what, rc,
	       r.error ? r.error : "");
}

static void test_kludge(void)
{
	struct img im;
	struct elf_load_result r;
	int rc;

	build_kludge(&im, 0x1000, 0, 0, KL_LOAD + 0x10);
	rc = kl_load(&im, &r);
	tap_ok(rc == 0 && r.entry == KL_LOAD + 0x10 && r.bits == 32 &&
		   r.low == KL_LOAD && r.high == KL_LOAD + 0x1000 &&
		   r.nsegs == 1 && ram_is(KL_LOAD, im.b, 0x1000) &&
		   ram_all(KL_LOAD + 0x1000, FILL, 0x10),
	       "kludge: load_end 0 loads the whole file (rc %d)", rc);
	build_kludge(&im, 0x1000, KL_LOAD + 0x800, KL_LOAD + 0x2000,
		     KL_LOAD + 0x7ff);
	rc = kl_load(&im, &r);
	tap_ok(rc == 0 && r.high == KL_LOAD + 0x2000 &&
		   ram_is(KL_LOAD, im.b, 0x800) &&
		   ram_all(KL_LOAD + 0x800, 0, 0x1800) &&
		   ram_all(KL_LOAD + 0x2000, FILL, 0x10) && !fr.violations,
	       "kludge: load_end_addr limits the copy, bss zeroed to "
	       "bss_end_addr (rc %d)",
	       rc);
	build_kludge(&im, 0x1000, KL_LOAD + 0x800, KL_LOAD + 0x400,
		     KL_LOAD + 0x10);
	rc = kl_load(&im, &r);
	tap_ok(rc == 0 && r.high == KL_LOAD + 0x800 && fr.zeros <= 1 &&
		   ram_all(KL_LOAD + 0x800, FILL, 0x10),
	       "kludge: bss_end below load_end means no bss");

	build_kludge(&im, 0x1000, 0, KL_LOAD + 0x2000, KL_LOAD + 0x2000);
	kl_reject(&im, -EINVAL, "entry_addr", "entry at the bss end");
	build_kludge(&im, 0x1000, 0, 0, KL_LOAD - 1);
	kl_reject(&im, -EINVAL, "entry_addr", "entry below load_addr");
	build_kludge(&im, 0x1000, KL_LOAD + 0x1001, 0, KL_LOAD);
	kl_reject(&im, -EINVAL, "runs past", "load_end past the file");
	build_kludge(&im, 0x1000, KL_LOAD - 1, 0, KL_LOAD);
	kl_reject(&im, -EINVAL, "load_end_addr", "load_end below load_addr");
	build_kludge(&im, 0x1000, 0, 0, KL_LOAD);
	w32(im.b + KL_OFF + 12, KL_LOAD - 4);
	kl_reject(&im, -EINVAL, "header_addr", "header_addr below load_addr");
	build_kludge(&im, 0x1000, 0, 0, KL_LOAD + 0x44);
	w32(im.b + KL_OFF + 12, KL_LOAD + KL_OFF + 4);
	kl_reject(&im, -EINVAL, "header_addr",
		  "header_addr implying data before the file");
	build_kludge(&im, 0x1000, 0, 0, RAM_SIZE - 0x800);
	w32(im.b + KL_OFF + 16, RAM_SIZE - 0xfff);
	w32(im.b + KL_OFF + 12, RAM_SIZE - 0xfff + KL_OFF);
	kl_reject(&im, -EINVAL, "guest RAM", "image one byte past RAM");
	build_kludge(&im, 0x1000, 0, 0, RES_LO);
	w32(im.b + KL_OFF + 16, RES_LO - 0xfff);
	w32(im.b + KL_OFF + 12, RES_LO - 0xfff + KL_OFF);
	kl_reject(&im, -EINVAL, "overlaps", "image touching reserved_lo");
	build_kludge(&im, 0x1000, 0, 0, KL_LOAD);
	put_mb1(im.b + KL_OFF, 0x3);
	kl_reject(&im, -ENOENT, NULL, "header without flag 16");
	build_kludge(&im, 0x1000, 0, 0, KL_LOAD);
	im.b[KL_OFF + 8] ^= 0x80;
	kl_reject(&im, -ENOENT, NULL, "bad checksum");
	build_kludge(&im, KL_OFF + 31, 0, 0, KL_LOAD);
	kl_reject(&im, -ENOENT, NULL, "header cut short of its address fields");
	/* Multiboot 0.6.96 3.1: the header, address fields included, must
	 * lie wholly inside the first 8192 bytes. */
	build_kludge(&im, 0x3000, 0, 0, KL_LOAD);
	kludge_move(&im, 8192 - 32);
	rc = kl_load(&im, &r);
	tap_ok(rc == 0 && r.high == KL_LOAD + 0x3000 &&
		   ram_is(KL_LOAD, im.b, 0x3000),
	       "kludge: a header ending at byte 8192 loads (rc %d)", rc);
	build_kludge(&im, 0x3000, 0, 0, KL_LOAD);
	kludge_move(&im, 8192 - 28);
	kl_reject(&im, -ENOENT, NULL,
		  "header whose address fields run past byte 8192");
}

/* The kludge loader's promises on any input: only in-bounds copies,
 * nothing copied on failure, results consistent with RAM; the header
 * search only reports aligned headers wholly in the first 8 KiB. */
static unsigned fuzz_one(struct img *im)
{
	struct elf_load_result r;
	unsigned bad = 0;
	int rc;

	counts_reset(im);
	rc = mb1_kludge_load(im->b, im->size, RAM_SIZE, RES_LO, RES_HI, &ops,
			     &r);
	bad += rc < 0 && (fr.copies || fr.zeros);
	bad += rc < 0 && rc != -EINVAL && rc != -ENOENT;
	bad += rc == -EINVAL && !r.error;
	if (rc == 0)
		bad += r.bits != 32 || r.entry < r.low || r.entry >= r.high ||
		       r.high > RAM_SIZE || r.nsegs != 1;
	rc = mb1_header_find(im->b, im->size);
	bad += rc >= 0 &&
	       ((rc & 3) || rc + 12 > 8192 || (size_t)rc + 12 > im->size);
	return bad + fr.violations;
}

/* The kludge image the mutation run starts from. */
static void build_random(struct img *im, struct rng *r)
{
	(void)r;
	build_kludge(im, 0x1000, 0, 0, KL_LOAD + 0x10);
}

static void test_random(void)
{
	/* mostly the header and its address fields */
	mutation_run(&(struct mutation_run){.what = "kludge",
					    .seed = 0x3b1c0deULL,
					    .iters = 200000,
					    .hot = KL_OFF,
					    .hot_len = 32,
					    .build = build_random,
					    .check = fuzz_one});
}

int main(void)
{
	fr.size = RAM_SIZE;
	fr.ram = malloc(RAM_SIZE);
	test_mb1_find();
	test_kludge();
	test_random();
	free(fr.ram);
	return tap_done();
}
