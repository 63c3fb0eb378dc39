/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/load/elf_load.c, ELF and flat images: ELF32/ELF64 images
 * built in memory and loaded into a fake guest RAM, every rejection (with
 * nothing copied), flat images, and a seeded random-mutation run
 * (MICA_SEED, MICA_ITERS).
 */
#include "test/unit/support/load_test_util.h"
#include "test/unit/support/tap.h"

#define PHOFF 64

/* Build an ELF executable: headers, program headers at PHOFF, then a
 * pattern everywhere else up to size. */
static void build_elf(struct img *im, unsigned bits, u64 entry,
		      const struct tseg *s, unsigned n, size_t size)
{
	bool is64 = bits == 64;
	unsigned phsz = is64 ? 56 : 32;

	for (size_t i = 0; i < sizeof(im->b); i++)
		im->b[i] = pat(i);
	memset(im->b, 0, PHOFF + n * phsz);
	memcpy(im->b,
	       "\x7f"
	       "ELF",
	       4);
	im->b[4] = is64 ? 2 : 1;
	im->b[5] = 1;			/* little-endian */
	im->b[6] = 1;			/* EV_CURRENT */
	w16(im->b + 16, 2);		/* ET_EXEC */
	w16(im->b + 18, is64 ? 62 : 3); /* EM_X86_64 / EM_386 */
	w32(im->b + 20, 1);
	if (is64) {
		w64(im->b + 24, entry);
		w64(im->b + 32, PHOFF);
		w16(im->b + 52, 64);
		w16(im->b + 54, phsz);
		w16(im->b + 56, n);
	} else {
		w32(im->b + 24, entry);
		w32(im->b + 28, PHOFF);
		w16(im->b + 40, 52);
		w16(im->b + 42, phsz);
		w16(im->b + 44, n);
	}
	for (unsigned i = 0; i < n; i++) {
		u8 *ph = im->b + PHOFF + i * phsz;

		w32(ph, s[i].type);
		if (is64) {
			w64(ph + 8, s[i].off);
			w64(ph + 16, s[i].paddr + 0xffff800000000000ULL);
			w64(ph + 24, s[i].paddr);
			w64(ph + 32, s[i].filesz);
			w64(ph + 40, s[i].memsz);
		} else {
			w32(ph + 4, s[i].off);
			w32(ph + 8, s[i].paddr + 0xc0000000U);
			w32(ph + 12, s[i].paddr);
			w32(ph + 16, s[i].filesz);
			w32(ph + 20, s[i].memsz);
		}
	}
	im->size = size;
}

/* Two loadable segments (the second with BSS) and a note between them. */
static const struct tseg good_segs[] = {
    {.type = 1,
     .off = 0x400,
     .paddr = 0x10000,
     .filesz = 0x300,
     .memsz = 0x300},
    {.type = 4, .off = 0x0, .paddr = 0x0, .filesz = 0x10, .memsz = 0x10},
    {.type = 1,
     .off = 0x800,
     .paddr = 0x20000,
     .filesz = 0x123,
     .memsz = 0x1000},
};
#define GOOD_ENTRY 0x10010

static void build_good(struct img *im, unsigned bits)
{
	build_elf(im, bits, GOOD_ENTRY, good_segs, 3, 0x1000);
}

static void test_good(unsigned bits)
{
	struct img im;
	struct elf_load_result r;
	int rc;

	build_good(&im, bits);
	ram_reset(&im);
	rc = elf_load(im.b, im.size, RAM_SIZE, RES_LO, RES_HI, &ops, &r);
	tap_ok(rc == 0 && !r.error && r.entry == GOOD_ENTRY && r.bits == bits &&
		   r.low == 0x10000 && r.high == 0x21000 && r.nsegs == 2,
	       "ELF%u: loads, result entry/bits/low/high/nsegs (rc %d)", bits,
	       rc);
	tap_ok(ram_is(0x10000, im.b + 0x400, 0x300) &&
		   ram_is(0x20000, im.b + 0x800, 0x123) &&
		   ram_all(0x20123, 0, 0x1000 - 0x123),
	       "ELF%u: segments placed at p_paddr, BSS zeroed", bits);
	tap_ok(ram_all(0xfff0, FILL, 0x10) && ram_all(0x10300, FILL, 0x10) &&
		   ram_all(0x21000, FILL, 0x100) && ram_all(0, FILL, 0x10) &&
		   !fr.violations && fr.copies == 2,
	       "ELF%u: nothing written outside the segments, PT_NOTE ignored",
	       bits);
}

struct reject {
	const char *what, *err;
	void (*mut)(struct img *im, unsigned bits);
	unsigned only_bits; /* 0: both classes */
};

static unsigned phsz_of(unsigned bits)
{
	return bits == 64 ? 56 : 32;
}

/* Offsets of a field of program header i in either class. */
static u8 *ph_field(struct img *im, unsigned bits, unsigned i, int f)
{
	static const unsigned o32[] = {4, 12, 16, 20}, o64[] = {8, 24, 32, 40};

	return im->b + PHOFF + i * phsz_of(bits) +
	       (bits == 64 ? o64[f] : o32[f]);
}

enum { F_OFF, F_PADDR, F_FILESZ, F_MEMSZ };

static void set_ph(struct img *im, unsigned bits, unsigned i, int f, u64 v)
{
	if (bits == 64)
		w64(ph_field(im, bits, i, f), v);
	else
		w32(ph_field(im, bits, i, f), v);
}

static void set_entry(struct img *im, unsigned bits, u64 v)
{
	if (bits == 64)
		w64(im->b + 24, v);
	else
		w32(im->b + 24, v);
}

static void m_magic(struct img *im, unsigned b)
{
	(void)b;
	im->b[1] = 'e';
}
static void m_trunc(struct img *im, unsigned b)
{
	(void)b;
	im->size = 51;
}
static void m_trunc64(struct img *im, unsigned b)
{
	(void)b;
	im->size = 63;
}
static void m_bigend(struct img *im, unsigned b)
{
	(void)b;
	im->b[5] = 2;
}
static void m_class0(struct img *im, unsigned b)
{
	(void)b;
	im->b[4] = 0;
}
static void m_class3(struct img *im, unsigned b)
{
	(void)b;
	im->b[4] = 3;
}
static void m_dyn(struct img *im, unsigned b)
{
	(void)b;
	w16(im->b + 16, 3);
}
static void m_rel(struct img *im, unsigned b)
{
	(void)b;
	w16(im->b + 16, 1);
}

static void m_mach(struct img *im, unsigned b)
{
	w16(im->b + 18, b == 64 ? 3 : 62);
}

static void m_phentsz(struct img *im, unsigned b)
{
	w16(im->b + (b == 64 ? 54 : 42), phsz_of(b) - 1);
}

static void m_phnum0(struct img *im, unsigned b)
{
	w16(im->b + (b == 64 ? 56 : 44), 0);
}

static void m_phnum65(struct img *im, unsigned b)
{
	w16(im->b + (b == 64 ? 56 : 44), 65);
}

static void m_phoff(struct img *im, unsigned b)
{
	if (b == 64)
		w64(im->b + 32, 0x1001);
	else
		w32(im->b + 28, 0x1001);
}

static void m_phtail(struct img *im, unsigned b)
{
	/* the table starts inside but its last entry runs one byte past */
	u64 off = im->size - 3 * phsz_of(b) + 1;

	memmove(im->b + off, im->b + PHOFF, 3 * phsz_of(b) - 1);
	if (b == 64)
		w64(im->b + 32, off);
	else
		w32(im->b + 28, off);
}

static void m_phwrap(struct img *im, unsigned b)
{
	if (b == 64)
		w64(im->b + 32, ~0ULL - 8);
	else
		w32(im->b + 28, 0xfffffff8);
}

static void m_filesz(struct img *im, unsigned b)
{
	set_ph(im, b, 2, F_FILESZ, 0x1001);
}

static void m_segfile(struct img *im, unsigned b)
{
	set_ph(im, b, 2, F_OFF, 0x1000 - 0x122);
}

static void m_segoff(struct img *im, unsigned b)
{
	set_ph(im, b, 2, F_OFF, b == 64 ? ~0ULL - 0x10 : 0xfffffff0);
}

static void m_ram(struct img *im, unsigned b)
{
	set_ph(im, b, 2, F_PADDR, RAM_SIZE - 0xfff);
}

static void m_ramwrap(struct img *im, unsigned b)
{
	set_ph(im, b, 2, F_PADDR, b == 64 ? ~0ULL - 0x10 : 0xfffffff0);
}

static void m_res_lo(struct img *im, unsigned b)
{
	set_ph(im, b, 2, F_PADDR, RES_LO - 0xfff); /* last byte at RES_LO */
}

static void m_res_hi(struct img *im, unsigned b)
{
	set_ph(im, b, 2, F_PADDR, RES_HI - 1);
}

static void m_noload(struct img *im, unsigned b)
{
	w32(im->b + PHOFF, 6);
	w32(im->b + PHOFF + 2 * phsz_of(b), 0x6474e551);
}

static void m_entry_lo(struct img *im, unsigned b)
{
	set_entry(im, b, 0xffff);
}

static void m_entry_hi(struct img *im, unsigned b)
{
	set_entry(im, b, 0x21000);
}

static void m_entry_virt(struct img *im, unsigned b)
{
	set_entry(im, b, b == 64 ? 0xffff800000010010ULL : 0xc0010010);
}

static const struct reject rejects[] = {
    {"bad magic", "not an ELF image", m_magic, 0},
    {"51-byte header", "ELF header truncated", m_trunc, 0},
    {"63-byte ELF64 header", "ELF64 header truncated", m_trunc64, 64},
    {"big-endian", "not little-endian", m_bigend, 0},
    {"class 0", "unknown ELF class", m_class0, 0},
    {"class 3", "unknown ELF class", m_class3, 0},
    {"ET_DYN", "not an executable", m_dyn, 0},
    {"ET_REL", "not an executable", m_rel, 0},
    {"machine of the other class", "machine is not x86", m_mach, 0},
    {"phentsize too small", "entries too small", m_phentsz, 0},
    {"phnum 0", "count is 0", m_phnum0, 0},
    {"phnum 65", "count is 0", m_phnum65, 0},
    {"phoff past the image", "headers run past", m_phoff, 0},
    {"phdr table running 1 byte past", "headers run past", m_phtail, 0},
    {"phoff near 2^N (wrap)", "headers run past", m_phwrap, 0},
    {"filesz > memsz", "file size exceeds", m_filesz, 0},
    {"segment 1 byte past the file", "segment runs past", m_segfile, 0},
    {"segment offset wrapping", "segment runs past", m_segoff, 0},
    {"segment 1 byte past RAM", "does not fit in guest RAM", m_ram, 0},
    {"segment address wrapping", "does not fit in guest RAM", m_ramwrap, 0},
    {"segment touching reserved_lo", "overlaps", m_res_lo, 0},
    {"segment starting at reserved_hi-1", "overlaps", m_res_hi, 0},
    {"no PT_LOAD", "no PT_LOAD", m_noload, 0},
    {"entry below the image", "entry point is outside", m_entry_lo, 0},
    {"entry at the image end", "entry point is outside", m_entry_hi, 0},
    {"entry as a virtual address", "entry point is outside", m_entry_virt, 0},
};

static void test_rejects(unsigned bits)
{
	unsigned n = 0, bad = 0;
	struct img im;
	struct elf_load_result r;

	for (unsigned i = 0; i < ARRAY_SIZE(rejects); i++) {
		const struct reject *t = &rejects[i];
		int rc;

		if (t->only_bits && t->only_bits != bits)
			continue;
		build_good(&im, bits);
		t->mut(&im, bits);
		ram_reset(&im);
		rc =
		    elf_load(im.b, im.size, RAM_SIZE, RES_LO, RES_HI, &ops, &r);
		n++;
		if (rc != -EINVAL || !r.error || !strstr(r.error, t->err) ||
		    !ram_untouched()) {
			bad++;
			tap_diag(
			    "ELF%u %s: rc %d error '%s' copies %u zeros %u",
			    bits, t->what, rc, r.error ? r.error : "(none)",
			    fr.copies, fr.zeros);
		}
	}
	tap_ok(!bad,
	       "ELF%u: %u malformed images rejected with their reason, "
	       "nothing copied (%u wrong)",
	       bits, n, bad);
}

/* Segments exactly at the edges of RAM and of the reserved range load. */
static void test_edges(unsigned bits)
{
	const struct tseg s[] = {
	    {.type = 1,
	     .off = 0x100,
	     .paddr = RES_LO - 0x100,
	     .filesz = 0x100,
	     .memsz = 0x100},
	    {.type = 1,
	     .off = 0x200,
	     .paddr = RES_HI,
	     .filesz = 0,
	     .memsz = 0x10},
	    {.type = 1,
	     .off = 0x300,
	     .paddr = RAM_SIZE - 0x80,
	     .filesz = 0x80,
	     .memsz = 0x80},
	};
	struct img im;
	struct elf_load_result r;
	int rc;

	build_elf(&im, bits, RAM_SIZE - 1, s, 3, 0x380);
	ram_reset(&im);
	rc = elf_load(im.b, im.size, RAM_SIZE, RES_LO, RES_HI, &ops, &r);
	tap_ok(rc == 0 && r.low == RES_LO - 0x100 && r.high == RAM_SIZE &&
		   r.entry == RAM_SIZE - 1 && r.nsegs == 3 && !fr.violations &&
		   ram_is(RAM_SIZE - 0x80, im.b + 0x300, 0x80) &&
		   ram_all(RES_HI, 0, 0x10) && ram_all(RES_LO, FILL, 0x10),
	       "ELF%u: segments ending at reserved_lo, starting at reserved_hi "
	       "(BSS only) and ending at RAM's end load (rc %d)",
	       bits, rc);
}

static void test_flat(void)
{
	struct img im;
	struct elf_load_result r;
	int rc;

	for (size_t i = 0; i < sizeof(im.b); i++)
		im.b[i] = pat(i);
	im.size = 0x200;
	ram_reset(&im);
	rc = flat_load(im.b, im.size, 0x8000, RAM_SIZE, RES_LO, RES_HI, &ops,
		       &r);
	tap_ok(rc == 0 && r.entry == 0x8000 && r.low == 0x8000 &&
		   r.high == 0x8200 && r.nsegs == 1 && r.bits == 0 &&
		   ram_is(0x8000, im.b, 0x200) && ram_all(0x8200, FILL, 0x10) &&
		   ram_all(0x7ff0, FILL, 0x10),
	       "flat: placed at gpa, entry = gpa, bits 0");
	ram_reset(&im);
	rc = flat_load(im.b, im.size, RAM_SIZE - 0x200, RAM_SIZE, RES_LO,
		       RES_HI, &ops, &r);
	tap_ok(rc == 0 && r.high == RAM_SIZE,
	       "flat: exactly filling RAM's end");
	ram_reset(&im);
	rc = flat_load(im.b, 0, 0x8000, RAM_SIZE, RES_LO, RES_HI, &ops, &r);
	tap_ok(rc == -EINVAL && r.error && strstr(r.error, "empty") &&
		   ram_untouched(),
	       "flat: empty image rejected");
	ram_reset(&im);
	rc = flat_load(im.b, im.size, RAM_SIZE - 0x1ff, RAM_SIZE, RES_LO,
		       RES_HI, &ops, &r);
	tap_ok(rc == -EINVAL && r.error && strstr(r.error, "does not fit") &&
		   ram_untouched(),
	       "flat: one byte past RAM rejected");
	ram_reset(&im);
	rc = flat_load(im.b, im.size, ~0ULL - 0x10, RAM_SIZE, RES_LO, RES_HI,
		       &ops, &r);
	tap_ok(rc == -EINVAL && ram_untouched(),
	       "flat: wrapping address rejected");
	ram_reset(&im);
	rc = flat_load(im.b, im.size, RES_HI - 1, RAM_SIZE, RES_LO, RES_HI,
		       &ops, &r);
	tap_ok(rc == -EINVAL && r.error && strstr(r.error, "overlaps") &&
		   ram_untouched(),
	       "flat: overlapping the reserved range rejected");
	rc = flat_load(im.b, im.size, RES_HI, RAM_SIZE, RES_LO, RES_HI, &ops,
		       &r);
	tap_ok(rc == 0, "flat: starting at reserved_hi accepted");
}

/* The loader's promises on any input: only in-bounds copies, nothing
 * copied on failure, and results consistent with RAM. */
static unsigned fuzz_one(struct img *im)
{
	struct elf_load_result r;
	unsigned bad = 0;
	int rc;

	counts_reset(im);
	rc = elf_load(im->b, im->size, RAM_SIZE, RES_LO, RES_HI, &ops, &r);
	bad += rc == -EINVAL && (!r.error || fr.copies || fr.zeros);
	bad += rc != 0 && rc != -EINVAL;
	if (rc == 0)
		bad += r.entry < r.low || r.entry >= r.high ||
		       r.high > RAM_SIZE || !r.nsegs || r.error;
	return bad + fr.violations;
}

/* A good 32- or 64-bit image for the mutation run. */
static void build_random(struct img *im, struct rng *r)
{
	build_good(im, rng_below(r, 2) ? 64 : 32);
}

static void test_random(void)
{
	mutation_run(&(struct mutation_run){.what = "ELF",
					    .seed = 0xe1f10adULL,
					    .iters = 200000,
					    .hot = 0,
					    .hot_len = 0x100,
					    .build = build_random,
					    .check = fuzz_one});
}

int main(void)
{
	static const u8 elf[] = {0x7f, 'E', 'L', 'F'},
			elg[] = {0x7f, 'E', 'L', 'G'};

	fr.size = RAM_SIZE;
	fr.ram = malloc(RAM_SIZE);
	tap_ok(elf_is_elf(elf, 4) && !elf_is_elf(elf, 3) && !elf_is_elf(elg, 4),
	       "elf_is_elf: magic, and not on short input");
	test_good(32);
	test_good(64);
	test_rejects(32);
	test_rejects(64);
	test_edges(32);
	test_edges(64);
	test_flat();
	test_random();
	free(fr.ram);
	return tap_done();
}
