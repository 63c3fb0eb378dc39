/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/load/guest_layout.c: the defaults for images from
 * 1 MiB, every structure moved around images low in RAM (a multiboot1
 * kernel at 0x8000, images over the defaults, real mode), the errors
 * naming both ranges, and a seeded random run (MICA_SEED, MICA_ITERS)
 * checking that nothing ever overlaps.
 */
#include <stdlib.h>
#include <string.h>

#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "vmm/load/guest_layout.h"

#define MB (1ULL << 20)

static struct guest_layout lay;
static char err[200];

static int place(enum vm_mode mode, u64 ram, gpa_t lo, gpa_t hi)
{
	struct guest_layout_req r = {
	    .mode = mode, .ram_size = ram, .image_lo = lo, .image_hi = hi};

	memset(&lay, 0x5a, sizeof(lay));
	memset(err, 'x', sizeof(err));
	return guest_layout_place(&r, &lay, err, sizeof(err));
}

static bool placed(enum vm_mode mode, u64 ram, gpa_t lo, gpa_t hi)
{
	int rc = place(mode, ram, lo, hi);

	if (rc)
		tap_diag("image 0x%llx-0x%llx: rc %d '%s'",
			 (unsigned long long)lo, (unsigned long long)hi, rc,
			 err);
	return rc == 0 && err[0] == '\0';
}

static bool fails(enum vm_mode mode, u64 ram, gpa_t lo, gpa_t hi,
		  const char *want1, const char *want2)
{
	int rc = place(mode, ram, lo, hi);

	if (rc != -ENOSPC || !memchr(err, '\0', sizeof(err)) ||
	    !strstr(err, want1) || !strstr(err, want2)) {
		tap_diag("image 0x%llx-0x%llx: rc %d '%.*s' (want '%s', '%s')",
			 (unsigned long long)lo, (unsigned long long)hi, rc,
			 (int)sizeof(err), err, want1, want2);
		return false;
	}
	return true;
}

static void test_defaults(void)
{
	tap_ok(placed(VM_MODE_LONG64, 16 * MB, 0x100000, 0x110000) &&
		   lay.gdt == 0x1000 && lay.tss == 0x1800 &&
		   lay.pml4 == 0x2000 && lay.pdpt == 0x3000 &&
		   lay.pd == 0x4000 && lay.info == 0x8000 &&
		   lay.mmap == 0x8080 && lay.cmdline == 0x8100 &&
		   lay.mod_list == 0x8800 && lay.stack_top == 0x80000 &&
		   !lay.moved,
	       "an image from 1 MiB: every default (GDT 0x1000, PML4 0x2000, "
	       "info 0x8000, RSP 0x80000)");
	tap_ok(placed(VM_MODE_PROT32, 16 * MB, 0x400000, 0x420000) &&
		   lay.gdt == 0x1000 && lay.pml4 == 0 && lay.info == 0x8000 &&
		   lay.stack_top == 0x80000 && !lay.moved,
	       "32-bit: no page tables, the same defaults");
	tap_ok(placed(VM_MODE_REAL, 16 * MB, 0x10000, 0x10100) &&
		   lay.gdt == 0x1000 && lay.info == 0x8000 &&
		   lay.stack_top == 0xa0000 && lay.real_ss == 0x9000 &&
		   lay.real_sp == 0xfff0 && !lay.moved,
	       "real mode at 0x10000: SS:SP 9000:FFF0");
	tap_ok(placed(VM_MODE_PROT32, 16 * MB, 0x9000, 0x7c000) && !lay.moved &&
		   placed(VM_MODE_PROT32, 16 * MB, 0x0, 0x1000) && !lay.moved,
	       "images just beside the defaults (0x9000-0x7bfff, page 0) "
	       "move nothing");
}

static void test_moved(void)
{
	tap_ok(placed(VM_MODE_PROT32, 16 * MB, 0x8000, 0x20000) &&
		   lay.gdt == 0x1000 && lay.info == 0x2000 &&
		   lay.cmdline == 0x2100 && lay.stack_top == 0x80000 &&
		   lay.moved,
	       "multiboot1 kernel at 0x8000: the information below it, at "
	       "0x2000");
	tap_ok(placed(VM_MODE_LONG64, 16 * MB, 0x8000, 0x20000) &&
		   lay.gdt == 0x1000 && lay.pml4 == 0x2000 &&
		   lay.info == 0x20000 && lay.moved,
	       "64-bit image at 0x8000: page tables stay, the information "
	       "goes right above the image");
	tap_ok(placed(VM_MODE_PROT32, 16 * MB, 0x8000, 0x90000) &&
		   lay.gdt == 0x1000 && lay.info == 0x2000 &&
		   lay.stack_top == 0x8000,
	       "an image over the default stack: the stack at the top of "
	       "the first free 16 KiB, 0x3000-0x7fff");
	tap_ok(placed(VM_MODE_LONG64, 16 * MB, 0x3000, 0x90000) &&
		   lay.gdt == 0x1000 && lay.info == 0x2000 &&
		   lay.pml4 == 0x90000 && lay.pdpt == 0x91000 &&
		   lay.pd == 0x92000 && lay.stack_top == 16 * MB,
	       "page tables that fit nowhere below go above the image, one "
	       "page below still takes the information");
	tap_ok(placed(VM_MODE_PROT32, 16 * MB, 0x1000, 0x90000) &&
		   lay.gdt == 0x90000 && lay.tss == 0x90800 &&
		   lay.info == 0x91000 && lay.stack_top == 16 * MB,
	       "an image from 0x1000: everything above it");
	tap_ok(placed(VM_MODE_LONG64, 16 * MB, 0x1000, 0x7240) &&
		   lay.info == 0x8000 && lay.gdt == 0x9000 &&
		   lay.pml4 == 0xa000 && lay.stack_top == 0x80000,
	       "64-bit image at 0x1000-0x723f: the information keeps its "
	       "free default, GDT and page tables go above it");
	tap_ok(placed(VM_MODE_PROT32, 16 * MB, 0x1800, 0x8800) &&
		   lay.gdt == 0x9000 && lay.info == 0xa000,
	       "an unaligned image: structures from the next page on");
}

static void test_real(void)
{
	tap_ok(placed(VM_MODE_REAL, 16 * MB, 0x10000, 0xa0000) &&
		   lay.info == 0x8000 && lay.stack_top == 0x8000 &&
		   lay.real_ss == 0 && lay.real_sp == 0x7ff0,
	       "real mode over the default stack: SS:SP 0000:7FF0");
	tap_ok(placed(VM_MODE_REAL, 16 * MB, 0x1000, 0x20000) &&
		   lay.gdt == 0x20000 && lay.info == 0x21000 &&
		   lay.real_ss == 0x9000 && lay.real_sp == 0xfff0,
	       "real mode from 0x1000: GDT and information above it");
	tap_ok(fails(VM_MODE_REAL, 16 * MB, 0x1000, 0x9f000,
		     "the multiboot1 information", "0x1000-0x9efff"),
	       "real mode: the information must lie below 0xA0000");
	tap_ok(fails(VM_MODE_REAL, 16 * MB, 0x3000, 0xa0000, "the stack",
		     "0x3000-0x9ffff"),
	       "real mode: no stack below 0xA0000 is an error, even with "
	       "RAM free above 1 MiB");
}

static void test_mods(void)
{
	struct guest_layout_req r = {.mode = VM_MODE_PROT32,
				     .ram_size = 16 * MB,
				     .image_lo = 0x400000,
				     .image_hi = 0x420123,
				     .nmods = 3,
				     .mod_size = {0x9000, 1, 0}};

	tap_ok(!guest_layout_place(&r, &lay, err, sizeof(err)) &&
		   lay.mods[0] == 0x421000 && lay.mods[1] == 0x42a000 &&
		   lay.mods[2] == 0x42b000 && !lay.moved,
	       "modules page-aligned from the image's end, one after "
	       "another");
	r.image_lo = 0x100000;
	r.image_hi = 16 * MB - 0x1000;
	r.nmods = 2;
	r.mod_size[0] = 0x3000;
	r.mod_size[1] = 0x1000;
	tap_ok(!guest_layout_place(&r, &lay, err, sizeof(err)) &&
		   lay.mods[0] == 0x2000 && lay.mods[1] == 16 * MB - 0x1000,
	       "a module that does not fit above the image goes below it, "
	       "the next one still above");
	r.mod_size[0] = 0x100000;
	tap_ok(guest_layout_place(&r, &lay, err, sizeof(err)) == -ENOSPC &&
		   strstr(err, "a module passed on (1024 KiB)") &&
		   strstr(err, "0x100000-0xffefff"),
	       "a module too big for any hole: an error with both ranges");
	r.nmods = VM_MODS_MAX + 1;
	tap_ok(guest_layout_place(&r, &lay, err, sizeof(err)) == -EINVAL,
	       "more modules than VM_MODS_MAX: -EINVAL");
}

static void test_errors(void)
{
	tap_ok(fails(VM_MODE_PROT32, 16 * MB, 0x1000, 16 * MB,
		     "the image at 0x1000-0xffffff",
		     "guest RAM 0x1000-0xffffff"),
	       "an image over all of RAM: the error names both ranges");
	tap_ok(fails(VM_MODE_PROT32, 16 * MB, 0x2000, 16 * MB,
		     "the multiboot1 information (4 KiB)", "0x2000-0xffffff"),
	       "room for the GDT only: the information is named");
	tap_ok(fails(VM_MODE_LONG64, 4 * MB, 0x4000, 4 * MB, "the page tables",
		     "guest RAM 0x1000-0x3fffff"),
	       "64-bit: no room for the page tables");
	tap_ok(fails(VM_MODE_PROT32, 16 * MB, 0x4000, 16 * MB,
		     "the stack (16 KiB)", "0x4000-0xffffff"),
	       "3 free pages: no stack of 16 KiB");
	{
		char small[12];
		struct guest_layout_req r = {.mode = VM_MODE_PROT32,
					     .ram_size = 4 * MB,
					     .image_lo = 0x1000,
					     .image_hi = 4 * MB};

		memset(small, 'x', sizeof(small));
		tap_ok(guest_layout_place(&r, &lay, small, sizeof(small)) ==
			       -ENOSPC &&
			   memchr(small, '\0', sizeof(small)),
		       "a short error buffer gets a terminated message");
	}
}

static bool overlap(gpa_t a, u64 alen, gpa_t b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Every range of one successful placement: in RAM from 0x1000, page
 * aligned, none over another or the image. */
static bool check_layout(const struct guest_layout_req *r)
{
	struct {
		gpa_t lo;
		u64 len;
	} g[4 + VM_MODS_MAX];
	unsigned n = 0;
	bool real = r->mode == VM_MODE_REAL;

	g[n].lo = lay.gdt, g[n++].len = PAGE_SIZE;
	g[n].lo = lay.info, g[n++].len = PAGE_SIZE;
	g[n].lo = lay.stack_top - GUEST_STACK_MIN, g[n++].len = GUEST_STACK_MIN;
	if (r->mode == VM_MODE_LONG64)
		g[n].lo = lay.pml4, g[n++].len = GUEST_PT_PAGES * PAGE_SIZE;
	for (unsigned i = 0; i < r->nmods; i++)
		g[n].lo = lay.mods[i],
		g[n++].len = ALIGN_UP(MAX(r->mod_size[i], 1), PAGE_SIZE);
	for (unsigned i = 0; i < n; i++) {
		if (g[i].lo < GUEST_BOOT_LO ||
		    g[i].lo + g[i].len > r->ram_size ||
		    g[i].lo & (PAGE_SIZE - 1) ||
		    overlap(g[i].lo, g[i].len, r->image_lo,
			    r->image_hi - r->image_lo))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (overlap(g[i].lo, g[i].len, g[j].lo, g[j].len))
				return false;
	}
	if (real &&
	    (lay.info >= GUEST_REAL_LIMIT || lay.stack_top > GUEST_REAL_LIMIT ||
	     ((u64)lay.real_ss << 4) + lay.real_sp != lay.stack_top - 16))
		return false;
	return lay.tss == lay.gdt + GUEST_TSS_OFF &&
	       lay.cmdline == lay.info + GUEST_MB1_CMDLINE_OFF &&
	       (r->mode != VM_MODE_LONG64 || lay.pd == lay.pml4 + 0x2000);
}

/* Images of every size low in RAM, with modules: each placement holds, or
 * fails with both ranges named. */
static void test_random(void)
{
	struct rng rng;
	u64 seed = rng_seed_env(&rng, 0x1a7007ULL);
	u64 iters = env_u64("MICA_ITERS", 200000), ok = 0, full = 0, bad = 0;

	for (u64 it = 0; it < iters; it++) {
		struct guest_layout_req r = {
		    .mode = (enum vm_mode)rng_below(&rng, 3),
		    .ram_size = (2 + rng_below(&rng, 4)) * 2 * MB,
		    .nmods = (unsigned)rng_below(&rng, VM_MODS_MAX + 1)};
		u64 span = rng_below(&rng, 2) ? 0x100000 : r.ram_size;
		int rc;

		r.image_lo = rng_below(&rng, span);
		r.image_hi =
		    r.image_lo + 1 +
		    rng_below(&rng, MIN(span, r.ram_size - r.image_lo));
		if (r.image_hi > r.ram_size)
			r.image_hi = r.ram_size;
		for (unsigned i = 0; i < r.nmods; i++)
			r.mod_size[i] = rng_below(&rng, 0x40000);
		rc = guest_layout_place(&r, &lay, err, sizeof(err));
		if (!rc && check_layout(&r))
			ok++;
		else if (rc == -ENOSPC && strstr(err, "guest RAM 0x1000-"))
			full++;
		else
			bad++;
	}
	tap_ok(bad == 0 && ok > iters / 2,
	       "random placements (seed %llu): %llu placed, %llu refused "
	       "with both ranges, %llu wrong",
	       (unsigned long long)seed, (unsigned long long)ok,
	       (unsigned long long)full, (unsigned long long)bad);
}

int main(void)
{
	test_defaults();
	test_moved();
	test_real();
	test_mods();
	test_errors();
	test_random();
	return tap_done();
}
