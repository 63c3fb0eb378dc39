/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the multiboot2 parser: streams built here byte by byte are
 * parsed exactly; each malformed stream yields its own error code and
 * message; random mutations of a valid stream, parsed from a heap buffer of
 * exactly the mapped length (so ASan sees any stray read), either parse or
 * fail cleanly. MICA_SEED / MICA_ITERS override the mutation run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/parse/mb2.h"
#include "test/unit/support/mb2_build.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"

static const struct mb2_mmap_entry std_map[] = {
    {.base = 0, .len = 0x9fc00, .type = MB2_MEM_AVAILABLE},
    {.base = 0x9fc00, .len = 0x400, .type = MB2_MEM_RESERVED},
    {.base = 0xf0000, .len = 0x10000, .type = MB2_MEM_RESERVED},
    {.base = 0x100000, .len = 0x7ee0000, .type = MB2_MEM_AVAILABLE},
    {.base = 0x7fe0000, .len = 0x20000, .type = MB2_MEM_ACPI},
    {.base = 0xfffc0000, .len = 0x40000, .type = MB2_MEM_RESERVED},
    {.base = 0x100000000ULL, .len = 0x40000000, .type = 1},
};

/* ---------------------------------------------------------------- parsing */

struct parsed {
	struct mb2_mmap_entry mmap[16];
	struct mb2_module mods[4];
	struct mb2_info info;
	int ret;
};

/* Parse bytes [0, max_len) of m from a heap copy of exactly max_len bytes. */
static void *parse_copy(const struct mb *m, u32 max_len, u32 magic,
			struct parsed *p, u32 mmap_cap, u32 mods_cap)
{
	void *copy = malloc(max_len ? max_len : 1);

	memcpy(copy, m->words, max_len);
	memset(&p->info, 0x5a, sizeof(p->info));
	p->info.mmap = p->mmap;
	p->info.mmap_cap = mmap_cap;
	p->info.mods = p->mods;
	p->info.mods_cap = mods_cap;
	p->ret = mb2_parse(copy, magic, max_len, &p->info);
	return copy;
}

/* Parse m whole; the caller frees the returned copy after checking. */
static void *parse(struct mb *m, struct parsed *p)
{
	return parse_copy(m, m->len, MB2_BOOTLOADER_MAGIC, p, 16, 4);
}

static bool mmap_equal(const struct mb2_info *in,
		       const struct mb2_mmap_entry *e, u32 n)
{
	if (in->mmap_count != n)
		return false;
	for (u32 i = 0; i < n; i++)
		if (in->mmap[i].base != e[i].base ||
		    in->mmap[i].len != e[i].len ||
		    in->mmap[i].type != e[i].type)
			return false;
	return true;
}

static void build_full(struct mb *m, u32 esize)
{
	u8 rsdp1[20], rsdp2[36];

	for (u32 i = 0; i < sizeof(rsdp2); i++)
		rsdp2[i] = (u8)(0x80 + i);
	memset(rsdp1, 0x11, sizeof(rsdp1));
	mb_init(m);
	mb_string_tag(m, MB2_TAG_CMDLINE, "mica console=com1 test=all");
	mb_string_tag(m, MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u1");
	mb_module(m, 0x200000, 0x201234, "guest name=g0 mem=16M");
	mb_module(m, 0x202000, 0x202000, "");
	mb_open(m, MB2_TAG_BASIC_MEMINFO);
	mb_put32(m, 639);
	mb_put32(m, 130944);
	mb_close(m);
	mb_open(m, 99); /* unknown */
	mb_put32(m, 0xdeadbeef);
	mb_close(m);
	mb_mmap(m, esize, std_map, ARRAY_SIZE(std_map));
	mb_open(m, MB2_TAG_FRAMEBUFFER);
	mb_put64(m, 0xfd000000);
	mb_put32(m, 4096);
	mb_close(m);
	mb_open(m, MB2_TAG_ACPI_OLD);
	mb_put(m, rsdp1, sizeof(rsdp1));
	mb_close(m);
	mb_open(m, MB2_TAG_ACPI_NEW);
	mb_put(m, rsdp2, sizeof(rsdp2));
	mb_close(m);
	mb_open(m, MB2_TAG_ELF_SECTIONS);
	mb_put32(m, 3);
	mb_put32(m, 64);
	mb_put32(m, 2);
	for (int i = 0; i < 3 * 64; i++)
		mb_put(m, "\x42", 1);
	mb_close(m);
	mb_open(m, MB2_TAG_LOAD_BASE);
	mb_put32(m, 0x100000);
	mb_close(m);
	mb_open(m, 0x1000); /* unknown, empty */
	mb_close(m);
	mb_finish(m);
}

static void test_well_formed(void)
{
	static struct mb m;
	struct parsed p;
	u8 rsdp2[36];
	void *copy;
	bool ok;

	for (u32 i = 0; i < sizeof(rsdp2); i++)
		rsdp2[i] = (u8)(0x80 + i);
	for (u32 esize = 24; esize <= 40; esize += 8) {
		const struct mb2_info *in = &p.info;

		build_full(&m, esize);
		copy = parse(&m, &p);
		ok = p.ret == 0 && in->error == MB2_OK && in->msg[0] == '\0' &&
		     in->total_size == m.len &&
		     !strcmp(in->cmdline, "mica console=com1 test=all") &&
		     !strcmp(in->loader_name, "GRUB 2.06-13+deb12u1") &&
		     in->mods_count == 2 && in->mods[0].start == 0x200000 &&
		     in->mods[0].end == 0x201234 &&
		     !strcmp(in->mods[0].cmdline, "guest name=g0 mem=16M") &&
		     in->mods[1].start == 0x202000 &&
		     in->mods[1].end == 0x202000 &&
		     !strcmp(in->mods[1].cmdline, "") && in->has_meminfo &&
		     in->mem_lower_kib == 639 && in->mem_upper_kib == 130944 &&
		     in->has_mmap &&
		     mmap_equal(in, std_map, ARRAY_SIZE(std_map)) &&
		     in->mmap_entry_version == 0 && in->mmap_overlaps == 0 &&
		     in->rsdp_tag == MB2_TAG_ACPI_NEW && in->rsdp_len == 36 &&
		     !memcmp(in->rsdp, rsdp2, 36) && in->has_elf_sections &&
		     in->elf_num == 3 && in->elf_entsize == 64 &&
		     in->elf_shndx == 2 && in->has_load_base &&
		     in->load_base == 0x100000 && in->tags_seen == 13 &&
		     in->tags_unknown == 2 && in->tags_ignored == 1;
		tap_ok(ok,
		       "well-formed stream, entry_size %u: every field exact "
		       "(ret %d, %s)",
		       esize, p.ret, in->msg);
		free(copy);
	}
}

static void test_minimal_and_extras(void)
{
	static struct mb m;
	struct parsed p;
	struct mb2_mmap_entry ov[] = {
	    {.base = 0, .len = 0x200000, .type = 1},
	    {.base = 0x100000, .len = 0x1000, .type = 2},
	    {.base = 0x300000, .len = 0x1000, .type = 1},
	    {.base = 0x300000, .len = 0, .type = 2},
	};
	u8 rsdp1[20];
	bool ok;

	mb_init(&m);
	mb_finish(&m);
	free(parse(&m, &p));
	ok = p.ret == 0 && p.info.total_size == 16 && !p.info.cmdline &&
	     !p.info.loader_name && !p.info.has_mmap &&
	     p.info.mods_count == 0 && !p.info.has_meminfo &&
	     p.info.rsdp_len == 0 && p.info.tags_seen == 0;
	tap_ok(ok,
	       "minimal stream (header + end tag) parses, nothing reported");

	/* Overlapping entries are reported, not rejected; zero-length ignored. */
	mb_init(&m);
	mb_mmap(&m, 24, ov, ARRAY_SIZE(ov));
	memset(rsdp1, 0x33, sizeof(rsdp1));
	mb_open(&m, MB2_TAG_ACPI_OLD);
	mb_put(&m, rsdp1, sizeof(rsdp1));
	mb_close(&m);
	mb_finish(&m);
	free(parse(&m, &p));
	ok = p.ret == 0 && mmap_equal(&p.info, ov, ARRAY_SIZE(ov)) &&
	     p.info.mmap_overlaps == 1 && p.info.rsdp_tag == MB2_TAG_ACPI_OLD &&
	     p.info.rsdp_len == 20 && !memcmp(p.info.rsdp, rsdp1, 20);
	tap_ok(ok,
	       "overlapping memory map accepted and counted (%u pair), "
	       "ACPI 1.0 RSDP copied",
	       p.info.mmap_overlaps);

	/* Bytes mapped beyond total_size are never looked at. */
	build_full(&m, 24);
	free(parse_copy(&m, sizeof(m.words), MB2_BOOTLOADER_MAGIC, &p, 16, 4));
	tap_ok(p.ret == 0 && p.info.total_size == m.len,
	       "max_len beyond total_size: parse uses total_size");

	/* Capacities of exactly the needed size work, NULL arrays with cap 0. */
	free(parse_copy(&m, m.len, MB2_BOOTLOADER_MAGIC, &p,
			ARRAY_SIZE(std_map), 2));
	ok = p.ret == 0;
	mb_init(&m);
	mb_finish(&m);
	{
		struct mb2_info in = {0};

		ok = ok &&
		     mb2_parse(m.words, MB2_BOOTLOADER_MAGIC, m.len, &in) == 0;
	}
	tap_ok(ok, "exact capacities and NULL/0 storage accepted");
}

/* ---------------------------------------------------------------- malformed */

struct bad_case {
	const char *name;
	void (*build)(struct mb *m);
	int ret;
	enum mb2_error err;
	const char *msg; /* exact, or NULL: starts with "mb2: " */
	u32 magic;	 /* 0: the right one */
	u32 max_len;	 /* 0: m->len */
	u32 misalign;	 /* parse from this byte offset */
	u32 mods_cap, mmap_cap;
};

static void b_total4(struct mb *m)
{
	mb_init(m);
	mb_finish(m);
	mb_set32(m, 0, 4);
}

static void b_total_big(struct mb *m)
{
	mb_init(m);
	mb_finish(m);
	mb_set32(m, 0, 64);
}

static void b_minimal(struct mb *m)
{
	mb_init(m);
	mb_finish(m);
}

static void b_pad_to_0x48(struct mb *m)
{
	mb_init(m);
	mb_string_tag(m, MB2_TAG_CMDLINE, "0123456789012345678901234567");
	mb_string_tag(m, MB2_TAG_LOADER_NAME, "GRUB 2.06");
}

static void b_mmap_size12(struct mb *m)
{
	b_pad_to_0x48(m);
	mb_open(m, MB2_TAG_MMAP);
	mb_put32(m, 24);
	mb_close(m);
	mb_finish(m);
}

static void b_size0(struct mb *m)
{
	mb_init(m);
	mb_open(m, 77);
	mb_close(m);
	mb_set32(m, m->tag + 4, 0);
	mb_finish(m);
}

static void b_overrun(struct mb *m)
{
	mb_init(m);
	mb_string_tag(m, MB2_TAG_CMDLINE, "abc");
	mb_finish(m);
	mb_set32(m, 8 + 4, 0x100);
}

static void b_no_end(struct mb *m)
{
	mb_init(m);
	mb_string_tag(m, MB2_TAG_CMDLINE, "abc");
	mb_set32(m, 0, m->len);
}

static void b_end_size(struct mb *m)
{
	mb_init(m);
	mb_open(m, MB2_TAG_END);
	mb_put64(m, 0);
	mb_close(m);
	mb_set32(m, 0, m->len);
}

static void b_cmdline_unterminated(struct mb *m)
{
	mb_init(m);
	mb_open(m, MB2_TAG_CMDLINE);
	mb_put(m, "abcdefgh", 8); /* fills the tag to 16, no NUL */
	mb_close(m);
	mb_finish(m);
}

static void b_module_unterminated(struct mb *m)
{
	mb_init(m);
	mb_open(m, MB2_TAG_MODULE);
	mb_put32(m, 0x1000);
	mb_put32(m, 0x2000);
	mb_put(m, "xyz", 3);
	mb_close(m);
	mb_finish(m);
}

static void b_module_backwards(struct mb *m)
{
	mb_init(m);
	mb_module(m, 0x3000, 0x4000, "first");
	mb_module(m, 0x2000, 0x1000, "second");
	mb_finish(m);
}

static void b_three_modules(struct mb *m)
{
	mb_init(m);
	mb_module(m, 0x3000, 0x4000, "a");
	mb_module(m, 0x4000, 0x5000, "b");
	mb_module(m, 0x5000, 0x6000, "c");
	mb_finish(m);
}

static void b_mmap_esize16(struct mb *m)
{
	mb_init(m);
	mb_open(m, MB2_TAG_MMAP);
	mb_put32(m, 16);
	mb_put32(m, 0);
	mb_put64(m, 0);
	mb_put64(m, 0x1000);
	mb_close(m);
	mb_finish(m);
}

static void b_mmap_partial(struct mb *m)
{
	mb_init(m);
	mb_mmap(m, 24, std_map, 2);
	mb_set32(m, m->tag + 4, 16 + 2 * 24 - 8); /* 40 bytes of entries */
	mb_finish(m);
}

static void b_mmap_full(struct mb *m)
{
	mb_init(m);
	mb_mmap(m, 24, std_map, 4);
	mb_finish(m);
}

static void b_mmap_wrap(struct mb *m)
{
	struct mb2_mmap_entry e[] = {
	    {.base = 0, .len = 0x1000, .type = 1},
	    {.base = 0xfffffffffffff000ULL, .len = 0x2000, .type = 1},
	};

	mb_init(m);
	mb_mmap(m, 24, e, 2);
	mb_finish(m);
}

static void b_dup_cmdline(struct mb *m)
{
	mb_init(m);
	mb_string_tag(m, MB2_TAG_CMDLINE, "a");
	mb_string_tag(m, MB2_TAG_CMDLINE, "b");
	mb_finish(m);
}

static void b_elf_big(struct mb *m)
{
	mb_init(m);
	mb_open(m, MB2_TAG_ELF_SECTIONS);
	mb_put32(m, 0x10000);
	mb_put32(m, 0x10000);
	mb_put32(m, 1);
	mb_put64(m, 0);
	mb_close(m);
	mb_finish(m);
}

static void b_meminfo_short(struct mb *m)
{
	mb_init(m);
	mb_open(m, MB2_TAG_BASIC_MEMINFO);
	mb_put32(m, 640);
	mb_close(m);
	mb_finish(m);
}

static void b_acpi_new_short(struct mb *m)
{
	mb_init(m);
	mb_open(m, MB2_TAG_ACPI_NEW);
	mb_put(m, "RSD PTR ", 8);
	mb_put64(m, 0);
	mb_put32(m, 0);
	mb_close(m);
	mb_finish(m);
}

static const struct bad_case bad_cases[] = {
    {.name = "bad magic",
     .build = b_minimal,
     .ret = -EINVAL,
     .err = MB2_E_MAGIC,
     .magic = 0x2badb002,
     .msg = "mb2: bad magic 0x2badb002 (expected 0x36d76289)"},
    {.name = "misaligned info",
     .build = b_minimal,
     .ret = -EINVAL,
     .err = MB2_E_ALIGN,
     .misalign = 4},
    {.name = "4 bytes mapped",
     .build = b_minimal,
     .ret = -EINVAL,
     .err = MB2_E_TOTAL_SIZE,
     .max_len = 4,
     .msg = "mb2: only 4 bytes mapped"},
    {.name = "total_size 4",
     .build = b_total4,
     .ret = -EINVAL,
     .err = MB2_E_TOTAL_SIZE,
     .msg = "mb2: total_size 4 < 16"},
    {.name = "total_size past mapping",
     .build = b_total_big,
     .ret = -EINVAL,
     .err = MB2_E_TOTAL_SIZE,
     .msg = "mb2: total_size 64 > 16 bytes mapped"},
    {.name = "mmap tag too small",
     .build = b_mmap_size12,
     .ret = -EINVAL,
     .err = MB2_E_TAG_SIZE,
     .msg = "mb2: tag 6 at offset 0x48 has size 12 < 16"},
    {.name = "tag size 0",
     .build = b_size0,
     .ret = -EINVAL,
     .err = MB2_E_TAG_SIZE,
     .msg = "mb2: tag 77 at offset 0x8 has size 0 < 8"},
    {.name = "tag past total_size",
     .build = b_overrun,
     .ret = -EINVAL,
     .err = MB2_E_TAG_OVERRUN,
     .msg = "mb2: tag 1 at offset 0x8 size 256 runs past total_size 32"},
    {.name = "missing end tag",
     .build = b_no_end,
     .ret = -EINVAL,
     .err = MB2_E_NO_END,
     .msg = "mb2: no end tag before total_size 24"},
    {.name = "end tag size 16",
     .build = b_end_size,
     .ret = -EINVAL,
     .err = MB2_E_END_SIZE,
     .msg = "mb2: end tag at offset 0x8 has size 16 != 8"},
    {.name = "unterminated cmdline",
     .build = b_cmdline_unterminated,
     .ret = -EINVAL,
     .err = MB2_E_STRING,
     .msg = "mb2: tag 1 at offset 0x8: string not terminated within 8 "
	    "bytes"},
    {.name = "unterminated module string",
     .build = b_module_unterminated,
     .ret = -EINVAL,
     .err = MB2_E_STRING,
     .msg = "mb2: tag 3 at offset 0x8: string not terminated within 3 "
	    "bytes"},
    {.name = "module end < start",
     .build = b_module_backwards,
     .ret = -EINVAL,
     .err = MB2_E_MODULE_RANGE,
     .msg = "mb2: module 1 end 0x1000 < start 0x2000"},
    {.name = "modules overflow",
     .build = b_three_modules,
     .ret = -ENOSPC,
     .err = MB2_E_MODULES_FULL,
     .mods_cap = 2,
     .msg = "mb2: module 2 at offset 0x38 does not fit (room for 2)"},
    {.name = "mmap entry_size 16",
     .build = b_mmap_esize16,
     .ret = -EINVAL,
     .err = MB2_E_MMAP_ENTRY,
     .msg = "mb2: tag 6 at offset 0x8 has entry_size 16 < 24"},
    {.name = "mmap partial entry",
     .build = b_mmap_partial,
     .ret = -EINVAL,
     .err = MB2_E_MMAP_ENTRY,
     .msg = "mb2: tag 6 at offset 0x8: 40 bytes of entries are not a "
	    "multiple of entry_size 24"},
    {.name = "mmap overflow",
     .build = b_mmap_full,
     .ret = -ENOSPC,
     .err = MB2_E_MMAP_FULL,
     .mmap_cap = 3,
     .msg = "mb2: memory map has 4 entries, room for 3"},
    {.name = "mmap entry wraps",
     .build = b_mmap_wrap,
     .ret = -EINVAL,
     .err = MB2_E_MMAP_RANGE,
     .msg = "mb2: memory map entry 1 base 0xfffffffffffff000 len 0x2000 "
	    "wraps past 2^64"},
    {.name = "duplicate cmdline",
     .build = b_dup_cmdline,
     .ret = -EINVAL,
     .err = MB2_E_DUPLICATE,
     .msg = "mb2: second tag 1 at offset 0x18"},
    {.name = "ELF sections too big",
     .build = b_elf_big,
     .ret = -EINVAL,
     .err = MB2_E_ELF_SECTIONS,
     .msg = "mb2: tag 9 at offset 0x8: 65536 sections of 65536 bytes "
	    "exceed size 28"},
    {.name = "meminfo too small",
     .build = b_meminfo_short,
     .ret = -EINVAL,
     .err = MB2_E_TAG_SIZE,
     .msg = "mb2: tag 4 at offset 0x8 has size 12 < 16"},
    {.name = "ACPI 2.0 RSDP too small",
     .build = b_acpi_new_short,
     .ret = -EINVAL,
     .err = MB2_E_TAG_SIZE,
     .msg = "mb2: tag 15 at offset 0x8 has size 28 < 44"},
};

static bool run_bad(const struct bad_case *c, char *why, size_t why_len)
{
	static struct mb m;
	struct parsed p;
	u32 max_len;
	u8 *copy;

	c->build(&m);
	max_len = c->max_len ? c->max_len : m.len;
	/* Shift by misalign inside an 8-aligned heap block when asked. */
	copy = malloc(max_len + c->misalign);
	memcpy(copy + c->misalign, m.words, max_len);
	p.info = (struct mb2_info){
	    .mmap = p.mmap,
	    .mmap_cap = c->mmap_cap ? c->mmap_cap : 16,
	    .mods = p.mods,
	    .mods_cap = c->mods_cap ? c->mods_cap : 4,
	};
	p.ret = mb2_parse(copy + c->misalign,
			  c->magic ? c->magic : MB2_BOOTLOADER_MAGIC, max_len,
			  &p.info);
	free(copy);
	snprintf(why, why_len, "ret %d err %d (%s) msg \"%s\"", p.ret,
		 p.info.error, mb2_error_name(p.info.error), p.info.msg);
	if (p.ret != c->ret || p.info.error != c->err)
		return false;
	if (c->msg)
		return strcmp(p.info.msg, c->msg) == 0;
	return strncmp(p.info.msg, "mb2: ", 5) == 0;
}

static void test_malformed(void)
{
	u32 pass = 0;
	char why[256];
	bool seen[MB2_E_COUNT] = {false};
	u32 codes = 0;

	for (u32 i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		if (run_bad(&bad_cases[i], why, sizeof(why)))
			pass++;
		else
			tap_diag("malformed '%s': got %s", bad_cases[i].name,
				 why);
		seen[bad_cases[i].err] = true;
	}
	for (u32 e = 1; e < MB2_E_COUNT; e++)
		codes += seen[e];
	tap_ok(pass == ARRAY_SIZE(bad_cases),
	       "malformed streams: %u/%zu give their exact error and message",
	       pass, ARRAY_SIZE(bad_cases));
	tap_ok(codes == MB2_E_COUNT - 1,
	       "malformed table covers %u of %u error codes", codes,
	       MB2_E_COUNT - 1);
}

/* ---------------------------------------------------------------- random */

static struct rng rng;

/* Everything a successful parse reports must lie inside the block. */
static bool result_sane(const struct parsed *p, const u8 *base, u32 len)
{
	const struct mb2_info *in = &p->info;

#define INSIDE(ptr)                                                            \
	((const u8 *)(ptr) >= base && (const u8 *)(ptr) < base + len)
	if (in->error != MB2_OK || in->msg[0] || in->total_size > len)
		return false;
	if (in->cmdline &&
	    (!INSIDE(in->cmdline) ||
	     !memchr(in->cmdline, 0, base + len - (const u8 *)in->cmdline)))
		return false;
	if (in->loader_name && !INSIDE(in->loader_name))
		return false;
	if (in->mmap_count > in->mmap_cap || in->mods_count > in->mods_cap ||
	    in->rsdp_len > MB2_RSDP_MAX)
		return false;
	for (u32 i = 0; i < in->mods_count; i++)
		if (in->mods[i].end < in->mods[i].start ||
		    !INSIDE(in->mods[i].cmdline))
			return false;
	for (u32 i = 0; i < in->mmap_count; i++)
		if (in->mmap[i].len > UINT64_MAX - in->mmap[i].base)
			return false;
	if (in->has_elf_sections && (u64)in->elf_num * in->elf_entsize > len)
		return false;
#undef INSIDE
	return true;
}

static void mutate(struct mb *m, u32 *max_len)
{
	u32 n = 1 + (u32)rng_below(&rng, 6);
	static const u32 interesting[] = {
	    0,	1,  7,	8,	    9,		12,	   15,
	    16, 23, 24, 0x7fffffff, 0xffffffff, 0xfffffff8};

	for (u32 i = 0; i < n; i++) {
		u32 off = (u32)rng_below(&rng, m->len);

		switch (rng_below(&rng, 16)) {
		case 0 ... 5: /* random byte */
			mb_bytes(m)[off] = (u8)rng_next(&rng);
			break;
		case 6 ... 10: /* interesting aligned u32: sizes, types, counts */
			off &= ~3u;
			if (off + 4 <= m->len)
				mb_set32(m, off,
					 interesting[rng_below(
					     &rng, ARRAY_SIZE(interesting))]);
			break;
		case 11 ... 14: /* small delta on an aligned u32 */
			off &= ~3u;
			if (off + 4 <= m->len) {
				u32 v;

				memcpy(&v, mb_bytes(m) + off, 4);
				mb_set32(m, off,
					 v + (u32)rng_below(&rng, 33) - 16);
			}
			break;
		default: /* shrink the mapped length */
			*max_len = (u32)rng_below(&rng, m->len + 1);
			break;
		}
	}
}

static void test_mutations(void)
{
	u64 seed = rng_seed_env(&rng, 0x6d623270617273ULL);
	u64 iters = env_u64("MICA_ITERS", 200000);
	u64 parsed = 0, errors = 0, bad = 0;
	u64 per_err[MB2_E_COUNT] = {0};
	static struct mb base, m;

	tap_diag("mutations: MICA_SEED=0x%llx MICA_ITERS=%llu",
		 (unsigned long long)seed, (unsigned long long)iters);
	build_full(&base, 24);
	for (u64 it = 0; it < iters; it++) {
		struct parsed p;
		u32 max_len;
		void *copy;
		bool small, insane;

		m = base;
		max_len = m.len;
		mutate(&m, &max_len);
		/* Mostly ample storage; sometimes too little. */
		small = rng_below(&rng, 8) == 0;
		copy = parse_copy(&m, max_len, MB2_BOOTLOADER_MAGIC, &p,
				  small ? (u32)rng_below(&rng, 8) : 16,
				  small ? (u32)rng_below(&rng, 3) : 4);
		if (p.ret == 0) {
			parsed++;
			insane = !result_sane(&p, copy, max_len);
		} else {
			errors++;
			insane = (p.ret != -EINVAL && p.ret != -ENOSPC) ||
				 p.info.error == MB2_OK ||
				 p.info.error >= MB2_E_COUNT ||
				 strncmp(p.info.msg, "mb2: ", 5) ||
				 !memchr(p.info.msg, 0, sizeof(p.info.msg));
			if (!insane)
				per_err[p.info.error]++;
		}
		if (insane && !bad++)
			tap_diag("first inconsistent result: iteration %llu, "
				 "ret %d, msg \"%.96s\"",
				 (unsigned long long)it, p.ret, p.info.msg);
		free(copy);
	}
	for (u32 e = 1; e < MB2_E_COUNT; e++)
		if (per_err[e])
			tap_diag("  %-28s %llu", mb2_error_name(e),
				 (unsigned long long)per_err[e]);
	tap_ok(bad == 0,
	       "random mutations: %llu runs, %llu parsed, %llu rejected, "
	       "%llu inconsistent",
	       (unsigned long long)iters, (unsigned long long)parsed,
	       (unsigned long long)errors, (unsigned long long)bad);
}

static void test_names(void)
{
	bool ok = true;

	for (u32 e = 0; e < MB2_E_COUNT; e++)
		ok = ok && mb2_error_name(e) && mb2_error_name(e)[0];
	ok = ok && !strcmp(mb2_error_name(MB2_E_COUNT), "unknown error") &&
	     !strcmp(mb2_mem_type_name(1), "available") &&
	     !strcmp(mb2_mem_type_name(42), "unknown");
	tap_ok(ok, "every error code and memory type has a name");
}

int main(void)
{
	test_well_formed();
	test_minimal_and_extras();
	test_malformed();
	test_mutations();
	test_names();
	return tap_done();
}
