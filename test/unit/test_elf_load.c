/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/elf_load.c: ELF32/ELF64 images built in memory and
 * loaded into a fake guest RAM, every rejection (with nothing copied),
 * flat images, the multiboot1 header search and the a.out kludge, and a
 * seeded random-mutation run (MICA_SEED, MICA_ITERS).
 */
#include <stdlib.h>
#include <string.h>

#include "test/unit/tap.h"
#include "vmm/elf_load.h"
#include "vmm/errno.h"

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

static bool in_ram(gpa_t gpa, u64 len)
{
	return gpa <= fr.size && len <= fr.size - gpa &&
	       !(gpa < RES_HI && RES_LO < gpa + len);
}

static void ram_copy(void *ctx, gpa_t gpa, const void *src, u64 len)
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

static void ram_zero(void *ctx, gpa_t gpa, u64 len)
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

static void counts_reset(const struct img *im)
{
	fr.copies = fr.zeros = fr.violations = 0;
	fr.img = im->b;
	fr.img_size = im->size;
}

static void ram_reset(const struct img *im)
{
	memset(fr.ram, FILL, fr.size);
	counts_reset(im);
}

static void w16(u8 *p, u64 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void w32(u8 *p, u64 v)
{
	w16(p, v);
	w16(p + 2, v >> 16);
}

static void w64(u8 *p, u64 v)
{
	w32(p, v);
	w32(p + 4, v >> 32);
}

/* The byte that the image holds at file offset i (outside the headers). */
static u8 pat(u64 i)
{
	return (u8)(i * 7 + 3);
}

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

static bool ram_is(u64 gpa, const u8 *src, u64 len)
{
	return !memcmp(fr.ram + gpa, src, len);
}

static bool ram_all(u64 gpa, u8 v, u64 len)
{
	for (u64 i = 0; i < len; i++)
		if (fr.ram[gpa + i] != v)
			return false;
	return true;
}

static bool ram_untouched(void)
{
	return !fr.copies && !fr.zeros && ram_all(0, FILL, fr.size);
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

static u64 rng;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The loaders' promises on any input: only in-bounds copies, and results
 * consistent with RAM. */
static unsigned fuzz_one(struct img *im, unsigned kind)
{
	struct elf_load_result r;
	unsigned bad = 0;
	int rc;

	counts_reset(im);
	if (kind == 2) {
		rc = mb1_kludge_load(im->b, im->size, RAM_SIZE, RES_LO, RES_HI,
				     &ops, &r);
		bad += rc == 0 && r.bits != 32;
		bad += rc < 0 && (fr.copies || fr.zeros);
	} else {
		rc = elf_load(im->b, im->size, RAM_SIZE, RES_LO, RES_HI, &ops,
			      &r);
		bad += rc == -EINVAL && (!r.error || fr.copies || fr.zeros);
		bad += rc != 0 && rc != -EINVAL;
	}
	if (rc == 0)
		bad += r.entry < r.low || r.entry >= r.high ||
		       r.high > RAM_SIZE || !r.nsegs;
	rc = mb1_header_find(im->b, im->size);
	bad += rc >= 0 && ((rc & 3) || rc + 12 > 8192 || (size_t)rc > im->size);
	return bad + fr.violations;
}

static void test_random(void)
{
	const char *s = getenv("MICA_SEED"), *n = getenv("MICA_ITERS");
	u64 seed = s ? strtoull(s, NULL, 0) : 0xe1f10adULL;
	u64 iters = n ? strtoull(n, NULL, 0) : 200000, loaded = 0, bad = 0;
	static struct img im;

	rng = seed ? seed : 1;
	for (u64 it = 0; it < iters; it++) {
		unsigned kind = rnd() % 3, nmut = 1 + rnd() % 6;

		if (kind == 2)
			build_kludge(&im, 0x1000, 0, 0, KL_LOAD + 0x10);
		else
			build_good(&im, kind ? 64 : 32);
		for (unsigned m = 0; m < nmut; m++) {
			u64 x = rnd();
			size_t at =
			    (x & 1) ? (x >> 8) % 0x100 : (x >> 8) % im.size;

			im.b[at] = (x & 2) ? (u8)(x >> 32) : im.b[at] ^ 0x80;
		}
		if (!(rnd() % 8))
			im.size = rnd() % (im.size + 1);
		{
			unsigned b = fuzz_one(&im, kind);

			bad += b;
			loaded += !b && fr.copies;
		}
	}
	tap_ok(!bad,
	       "random mutations (seed %llu): %llu images, %llu loaded, "
	       "%llu contract violations",
	       (unsigned long long)seed, (unsigned long long)iters,
	       (unsigned long long)loaded, (unsigned long long)bad);
}

int main(void)
{
	fr.size = RAM_SIZE;
	fr.ram = malloc(RAM_SIZE);
	tap_ok(elf_is_elf("\x7f"
			  "ELF",
			  4) &&
		   !elf_is_elf("\x7f"
			       "EL",
			       3) &&
		   !elf_is_elf("\x7f"
			       "ELG",
			       4),
	       "elf_is_elf: magic, and not on short input");
	test_good(32);
	test_good(64);
	test_rejects(32);
	test_rejects(64);
	test_edges(32);
	test_edges(64);
	test_flat();
	test_mb1_find();
	test_kludge();
	test_random();
	free(fr.ram);
	return tap_done();
}
