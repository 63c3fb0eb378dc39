/* SPDX-License-Identifier: MIT */
/*
 * ELF executable loader for guests (System V ABI, ELF-64 Object File Format
 * 1.5 and the ELF32 base specification). Program headers are read with
 * explicit bounds checks; both classes are normalised to one segment
 * description before validation.
 */
#include "vmm/load/elf_load.h"
#include "mm/base/errno.h"

#define EI_CLASS      4
#define EI_DATA	      5
#define ELFCLASS32    1
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define ET_EXEC	      2
#define EM_386	      3
#define EM_X86_64     62
#define PT_LOAD	      1
#define ELF_MAX_PHDRS 64

struct seg {
	u64 offset, paddr, filesz, memsz;
};

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 rd32(const u8 *p)
{
	return (u32)rd16(p) | (u32)rd16(p + 2) << 16;
}

static u64 rd64(const u8 *p)
{
	return (u64)rd32(p) | (u64)rd32(p + 4) << 32;
}

bool elf_is_elf(const void *image, size_t size)
{
	const u8 *p = image;

	return size >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' &&
	       p[3] == 'F';
}

static int fail(struct elf_load_result *res, const char *why)
{
	res->error = why;
	return -EINVAL;
}

/* Header fields both classes share, at their class-specific offsets. */
struct ehdr {
	u64 entry, phoff;
	u16 phentsize, phnum;
};

static int read_ehdr(const u8 *p, size_t size, struct elf_load_result *res,
		     struct ehdr *h)
{
	bool is64;

	if (size < 52)
		return fail(res, "ELF header truncated");
	if (p[EI_DATA] != ELFDATA2LSB)
		return fail(res, "ELF image is not little-endian");
	if (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64)
		return fail(res, "unknown ELF class");
	is64 = p[EI_CLASS] == ELFCLASS64;
	if (is64 && size < 64)
		return fail(res, "ELF64 header truncated");
	if (rd16(p + 16) != ET_EXEC)
		return fail(res, "ELF image is not an executable (ET_EXEC)");
	if (rd16(p + 18) != (is64 ? EM_X86_64 : EM_386))
		return fail(res, "ELF machine is not x86 for its class");
	res->bits = is64 ? 64 : 32;
	h->entry = is64 ? rd64(p + 24) : rd32(p + 24);
	h->phoff = is64 ? rd64(p + 32) : rd32(p + 28);
	h->phentsize = rd16(p + (is64 ? 54 : 42));
	h->phnum = rd16(p + (is64 ? 56 : 44));
	if (h->phentsize < (is64 ? 56 : 32))
		return fail(res, "ELF program header entries too small");
	if (h->phnum == 0 || h->phnum > ELF_MAX_PHDRS)
		return fail(res, "ELF program header count is 0 or too big");
	if (h->phoff > size || (u64)h->phnum * h->phentsize > size - h->phoff)
		return fail(res, "ELF program headers run past the image");
	return 0;
}

static void read_seg(const u8 *ph, bool is64, struct seg *s)
{
	if (is64) {
		s->offset = rd64(ph + 8);
		s->paddr = rd64(ph + 24);
		s->filesz = rd64(ph + 32);
		s->memsz = rd64(ph + 40);
	} else {
		s->offset = rd32(ph + 4);
		s->paddr = rd32(ph + 12);
		s->filesz = rd32(ph + 16);
		s->memsz = rd32(ph + 20);
	}
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 bend)
{
	return a < bend && b < a + alen;
}

static int check_seg(const struct seg *s, size_t size, u64 ram_size, gpa_t rlo,
		     gpa_t rhi, struct elf_load_result *res)
{
	if (s->filesz > s->memsz)
		return fail(res, "ELF segment file size exceeds memory size");
	if (s->offset > size || s->filesz > size - s->offset)
		return fail(res, "ELF segment runs past the image");
	if (s->paddr > ram_size || s->memsz > ram_size - s->paddr)
		return fail(res, "ELF segment does not fit in guest RAM");
	if (overlaps(s->paddr, s->memsz, rlo, rhi))
		return fail(res, "ELF segment overlaps mica's boot structures");
	return 0;
}

int elf_load(const void *image, size_t size, u64 ram_size, gpa_t reserved_lo,
	     gpa_t reserved_hi, const struct elf_load_ops *ops,
	     struct elf_load_result *res)
{
	const u8 *p = image;
	struct ehdr h;
	struct seg s;
	int rc;

	mem_set(res, 0, sizeof(*res));
	if (!elf_is_elf(image, size))
		return fail(res, "not an ELF image");
	rc = read_ehdr(p, size, res, &h);
	if (rc)
		return rc;
	res->low = ~0ULL;
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < h.phnum; i++) {
			const u8 *ph = p + h.phoff + (u64)i * h.phentsize;

			if (rd32(ph) != PT_LOAD)
				continue;
			read_seg(ph, res->bits == 64, &s);
			if (pass == 0) {
				rc = check_seg(&s, size, ram_size, reserved_lo,
					       reserved_hi, res);
				if (rc)
					return rc;
				res->nsegs++;
				res->low = MIN(res->low, s.paddr);
				res->high = MAX(res->high, s.paddr + s.memsz);
				continue;
			}
			ops->copy(ops->ctx, s.paddr, p + s.offset, s.filesz);
			ops->zero(ops->ctx, s.paddr + s.filesz,
				  s.memsz - s.filesz);
		}
		if (pass == 0 && !res->nsegs)
			return fail(res, "ELF image has no PT_LOAD segment");
		if (pass == 0 && (h.entry < res->low || h.entry >= res->high))
			return fail(res,
				    "ELF entry point is outside the image");
	}
	res->entry = h.entry;
	return 0;
}

int flat_load(const void *image, size_t size, gpa_t gpa, u64 ram_size,
	      gpa_t reserved_lo, gpa_t reserved_hi,
	      const struct elf_load_ops *ops, struct elf_load_result *res)
{
	mem_set(res, 0, sizeof(*res));
	if (!size)
		return fail(res, "empty image");
	if (gpa > ram_size || size > ram_size - gpa)
		return fail(res, "flat image does not fit in guest RAM");
	if (overlaps(gpa, size, reserved_lo, reserved_hi))
		return fail(res, "flat image overlaps mica's boot structures");
	ops->copy(ops->ctx, gpa, image, size);
	res->entry = gpa;
	res->low = gpa;
	res->high = gpa + size;
	res->nsegs = 1;
	return 0;
}

#define MB1_MAGIC	     0x1badb002U
#define MB1_SEARCH	     8192
#define MB1_FLAG_AOUT_KLUDGE BIT(16)

int mb1_header_find(const void *image, size_t size)
{
	const u8 *p = image;

	for (size_t off = 0; off + 12 <= MIN(size, (size_t)MB1_SEARCH);
	     off += 4)
		if (rd32(p + off) == MB1_MAGIC &&
		    (u32)(rd32(p + off) + rd32(p + off + 4) +
			  rd32(p + off + 8)) == 0)
			return (int)off;
	return -ENOENT;
}

int mb1_kludge_load(const void *image, size_t size, u64 ram_size,
		    gpa_t reserved_lo, gpa_t reserved_hi,
		    const struct elf_load_ops *ops, struct elf_load_result *res)
{
	const u8 *p = image;
	int off = mb1_header_find(image, size);
	u32 header_addr, load_addr, load_end, bss_end, entry;
	u64 file_off, len;
	struct seg s;
	int rc;

	mem_set(res, 0, sizeof(*res));
	/* the whole 32-byte header lies in the first 8 KiB (spec 3.1) */
	if (off < 0 || !(rd32(p + off + 4) & MB1_FLAG_AOUT_KLUDGE) ||
	    (size_t)off + 32 > MIN(size, (size_t)MB1_SEARCH))
		return -ENOENT;
	header_addr = rd32(p + off + 12);
	load_addr = rd32(p + off + 16);
	load_end = rd32(p + off + 20);
	bss_end = rd32(p + off + 24);
	entry = rd32(p + off + 28);
	if (header_addr < load_addr || header_addr - load_addr > (u32)off)
		return fail(res, "multiboot header_addr below load_addr");
	file_off = (u64)off - (header_addr - load_addr);
	len = load_end ? (u64)load_end - load_addr : size - file_off;
	if (load_end && load_end < load_addr)
		return fail(res, "multiboot load_end_addr below load_addr");
	s = (struct seg){.offset = file_off,
			 .paddr = load_addr,
			 .filesz = len,
			 .memsz = bss_end > load_addr + len
				      ? (u64)bss_end - load_addr
				      : len};
	rc = check_seg(&s, size, ram_size, reserved_lo, reserved_hi, res);
	if (rc)
		return rc;
	if (entry < load_addr || entry >= load_addr + s.memsz)
		return fail(res, "multiboot entry_addr is outside the image");
	ops->copy(ops->ctx, s.paddr, p + s.offset, s.filesz);
	ops->zero(ops->ctx, s.paddr + s.filesz, s.memsz - s.filesz);
	res->entry = entry;
	res->bits = 32;
	res->low = s.paddr;
	res->high = s.paddr + s.memsz;
	res->nsegs = 1;
	return 0;
}
