/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot information parser (Multiboot2 specification 2.0,
 * section 3.6). Every field is read with a bounds check against total_size,
 * which itself is checked against the length the caller knows is mapped, so
 * a malformed block yields an error and a message, never a wild read. Field
 * reads go through mem_copy: a corrupt entry_size may leave u64 fields
 * unaligned.
 */
#include "boot/parse/mb2.h"
#include "mm/lib/fmt.h"
#include "mm/base/errno.h"

#define MB2_HDR_SIZE	  8  /* total_size, reserved */
#define MB2_TAG_HDR_SIZE  8  /* type, size */
#define MB2_TAG_ALIGN	  8  /* spec 3.6.1: tags are padded to 8 bytes */
#define MB2_MMAP_HDR_SIZE 16 /* type, size, entry_size, entry_version */
#define MB2_MMAP_ENTRY_SZ 24 /* base_addr, length, type, reserved */
#define MB2_MOD_HDR_SIZE  16 /* type, size, mod_start, mod_end */
#define MB2_ELF_HDR_SIZE  20 /* type, size, num, entsize, shndx */
#define MB2_RSDP_V1_SIZE  20 /* ACPI 1.0 RSDP */

/*
 * Smallest legal size of each known tag: header plus fixed payload (plus the
 * terminating NUL for string tags). Unlisted types need only their header.
 */
static const u8 mb2_min_size[MB2_TAG_MAX_KNOWN + 1] = {
    [MB2_TAG_END] = 8,
    [MB2_TAG_CMDLINE] = 9,
    [MB2_TAG_LOADER_NAME] = 9,
    [MB2_TAG_MODULE] = MB2_MOD_HDR_SIZE + 1,
    [MB2_TAG_BASIC_MEMINFO] = 16,
    [MB2_TAG_BOOTDEV] = 20,
    [MB2_TAG_MMAP] = MB2_MMAP_HDR_SIZE,
    [MB2_TAG_ELF_SECTIONS] = MB2_ELF_HDR_SIZE,
    [MB2_TAG_ACPI_OLD] = 8 + MB2_RSDP_V1_SIZE,
    [MB2_TAG_ACPI_NEW] = 8 + MB2_RSDP_MAX,
    [MB2_TAG_LOAD_BASE] = 12,
};

/* Tags that describe one thing and so may appear at most once. */
#define MB2_SINGLETONS                                                         \
	(BIT(MB2_TAG_CMDLINE) | BIT(MB2_TAG_LOADER_NAME) |                     \
	 BIT(MB2_TAG_BASIC_MEMINFO) | BIT(MB2_TAG_MMAP) |                      \
	 BIT(MB2_TAG_ELF_SECTIONS) | BIT(MB2_TAG_ACPI_OLD) |                   \
	 BIT(MB2_TAG_ACPI_NEW) | BIT(MB2_TAG_LOAD_BASE))

static const char *const mb2_error_names[MB2_E_COUNT] = {
    [MB2_OK] = "ok",
    [MB2_E_MAGIC] = "bad magic",
    [MB2_E_ALIGN] = "misaligned boot information",
    [MB2_E_TOTAL_SIZE] = "bad total_size",
    [MB2_E_TAG_SIZE] = "tag too small",
    [MB2_E_TAG_OVERRUN] = "tag overrun",
    [MB2_E_NO_END] = "missing end tag",
    [MB2_E_END_SIZE] = "bad end tag",
    [MB2_E_STRING] = "unterminated string",
    [MB2_E_DUPLICATE] = "duplicate tag",
    [MB2_E_MMAP_ENTRY] = "bad memory map entry size",
    [MB2_E_MMAP_RANGE] = "memory map entry wraps",
    [MB2_E_MMAP_FULL] = "memory map too large",
    [MB2_E_MODULE_RANGE] = "bad module range",
    [MB2_E_MODULES_FULL] = "too many modules",
    [MB2_E_ELF_SECTIONS] = "bad ELF sections tag",
};

/* One parse in progress: the block, its checked size, and the result. */
struct mb2_walk {
	const u8 *base;
	u32 total;
	u32 seen; /* bitmap of singleton tag types met so far */
	struct mb2_info *out;
};

static u32 mb2_rd32(const struct mb2_walk *w, u64 off)
{
	u32 v;

	mem_copy(&v, w->base + off, sizeof(v));
	return v;
}

static u64 mb2_rd64(const struct mb2_walk *w, u64 off)
{
	u64 v;

	mem_copy(&v, w->base + off, sizeof(v));
	return v;
}

/* Record the first defect and its message; returns ret for tail calls. */
__printf(5, 6) static int mb2_fail(struct mb2_info *out, int ret,
				   enum mb2_error err, u64 off, const char *fmt,
				   ...)
{
	va_list ap;

	out->error = err;
	out->error_offset = (u32)off;
	va_start(ap, fmt);
	fmt_vsnprintf(out->msg, sizeof(out->msg), fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * Check that the tag at off (size bytes) holds a NUL-terminated string from
 * byte start on, and return it through *str.
 */
static int mb2_string(struct mb2_walk *w, u64 off, u32 size, u32 start,
		      const char **str)
{
	const char *s = (const char *)w->base + off + start;

	for (u32 i = 0; i < size - start; i++) {
		if (s[i] == '\0') {
			*str = s;
			return 0;
		}
	}
	return mb2_fail(w->out, -EINVAL, MB2_E_STRING, off,
			"mb2: tag %u at offset 0x%llx: string not terminated "
			"within %u bytes",
			mb2_rd32(w, off), (unsigned long long)off,
			size - start);
}

static int mb2_module(struct mb2_walk *w, u64 off, u32 size)
{
	struct mb2_info *out = w->out;
	u32 start = mb2_rd32(w, off + 8), end = mb2_rd32(w, off + 12);
	const char *cmdline;
	int ret;

	if (end < start)
		return mb2_fail(out, -EINVAL, MB2_E_MODULE_RANGE, off,
				"mb2: module %u end 0x%x < start 0x%x",
				out->mods_count, end, start);
	ret = mb2_string(w, off, size, MB2_MOD_HDR_SIZE, &cmdline);
	if (ret)
		return ret;
	if (out->mods_count >= out->mods_cap)
		return mb2_fail(out, -ENOSPC, MB2_E_MODULES_FULL, off,
				"mb2: module %u at offset 0x%llx does not fit "
				"(room for %u)",
				out->mods_count, (unsigned long long)off,
				out->mods_cap);
	out->mods[out->mods_count++] = (struct mb2_module){
	    .start = start,
	    .end = end,
	    .cmdline = cmdline,
	};
	return 0;
}

/* Spec 3.6.8: entries of entry_size bytes (>= 24) follow a 16-byte header. */
static int mb2_mmap(struct mb2_walk *w, u64 off, u32 size)
{
	struct mb2_info *out = w->out;
	u32 esize = mb2_rd32(w, off + 8), bytes = size - MB2_MMAP_HDR_SIZE, n;

	if (esize < MB2_MMAP_ENTRY_SZ)
		return mb2_fail(out, -EINVAL, MB2_E_MMAP_ENTRY, off,
				"mb2: tag 6 at offset 0x%llx has entry_size "
				"%u < %u",
				(unsigned long long)off, esize,
				MB2_MMAP_ENTRY_SZ);
	if (bytes % esize)
		return mb2_fail(out, -EINVAL, MB2_E_MMAP_ENTRY, off,
				"mb2: tag 6 at offset 0x%llx: %u bytes of "
				"entries are not a multiple of entry_size %u",
				(unsigned long long)off, bytes, esize);
	n = bytes / esize;
	if (n > out->mmap_cap)
		return mb2_fail(out, -ENOSPC, MB2_E_MMAP_FULL, off,
				"mb2: memory map has %u entries, room for %u",
				n, out->mmap_cap);
	for (u32 i = 0; i < n; i++) {
		u64 e = off + MB2_MMAP_HDR_SIZE + (u64)i * esize;
		u64 base = mb2_rd64(w, e), len = mb2_rd64(w, e + 8);

		if (len > UINT64_MAX - base)
			return mb2_fail(out, -EINVAL, MB2_E_MMAP_RANGE, e,
					"mb2: memory map entry %u base 0x%llx "
					"len 0x%llx wraps past 2^64",
					i, (unsigned long long)base,
					(unsigned long long)len);
		out->mmap[i] = (struct mb2_mmap_entry){
		    .base = base,
		    .len = len,
		    .type = mb2_rd32(w, e + 16),
		};
	}
	out->has_mmap = true;
	out->mmap_count = n;
	out->mmap_entry_version = mb2_rd32(w, off + 12);
	return 0;
}

static int mb2_elf_sections(struct mb2_walk *w, u64 off, u32 size)
{
	struct mb2_info *out = w->out;
	u32 num = mb2_rd32(w, off + 8), entsize = mb2_rd32(w, off + 12);

	if ((u64)num * entsize > size - MB2_ELF_HDR_SIZE)
		return mb2_fail(out, -EINVAL, MB2_E_ELF_SECTIONS, off,
				"mb2: tag 9 at offset 0x%llx: %u sections of "
				"%u bytes exceed size %u",
				(unsigned long long)off, num, entsize, size);
	out->has_elf_sections = true;
	out->elf_num = num;
	out->elf_entsize = entsize;
	out->elf_shndx = mb2_rd32(w, off + 16);
	out->elf_sections = w->base + off + MB2_ELF_HDR_SIZE;
	return 0;
}

/* Tags 14/15 carry a copy of the RSDP; the ACPI 2.0+ one is preferred. */
static void mb2_rsdp(struct mb2_walk *w, u64 off, u32 type, u32 size)
{
	struct mb2_info *out = w->out;
	u32 len = MIN(size - MB2_TAG_HDR_SIZE, (u32)MB2_RSDP_MAX);

	if (type == MB2_TAG_ACPI_OLD && out->rsdp_tag == MB2_TAG_ACPI_NEW)
		return;
	if (type == MB2_TAG_ACPI_OLD)
		len = MB2_RSDP_V1_SIZE;
	mem_copy(out->rsdp, w->base + off + MB2_TAG_HDR_SIZE, len);
	out->rsdp_len = len;
	out->rsdp_tag = (u8)type;
}

/* Dispatch one tag whose header and size have been checked. */
static int mb2_tag(struct mb2_walk *w, u64 off, u32 type, u32 size)
{
	struct mb2_info *out = w->out;

	switch (type) {
	case MB2_TAG_CMDLINE:
		return mb2_string(w, off, size, MB2_TAG_HDR_SIZE,
				  &out->cmdline);
	case MB2_TAG_LOADER_NAME:
		return mb2_string(w, off, size, MB2_TAG_HDR_SIZE,
				  &out->loader_name);
	case MB2_TAG_MODULE:
		return mb2_module(w, off, size);
	case MB2_TAG_BASIC_MEMINFO:
		out->has_meminfo = true;
		out->mem_lower_kib = mb2_rd32(w, off + 8);
		out->mem_upper_kib = mb2_rd32(w, off + 12);
		return 0;
	case MB2_TAG_MMAP:
		return mb2_mmap(w, off, size);
	case MB2_TAG_ELF_SECTIONS:
		return mb2_elf_sections(w, off, size);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		mb2_rsdp(w, off, type, size);
		return 0;
	case MB2_TAG_LOAD_BASE:
		out->has_load_base = true;
		out->load_base = mb2_rd32(w, off + 8);
		return 0;
	default:
		if (type > MB2_TAG_MAX_KNOWN)
			out->tags_unknown++;
		else
			out->tags_ignored++;
		return 0;
	}
}

/* Check a tag header at off against its type's rules, then parse it. */
static int mb2_check_tag(struct mb2_walk *w, u64 off, u32 type, u32 size)
{
	struct mb2_info *out = w->out;
	u32 min = type <= MB2_TAG_MAX_KNOWN && mb2_min_size[type]
		      ? mb2_min_size[type]
		      : MB2_TAG_HDR_SIZE;

	if (size < min)
		return mb2_fail(out, -EINVAL, MB2_E_TAG_SIZE, off,
				"mb2: tag %u at offset 0x%llx has size %u < %u",
				type, (unsigned long long)off, size, min);
	if (size > w->total - off)
		return mb2_fail(out, -EINVAL, MB2_E_TAG_OVERRUN, off,
				"mb2: tag %u at offset 0x%llx size %u runs "
				"past total_size %u",
				type, (unsigned long long)off, size, w->total);
	if (type < 32 && (BIT(type) & MB2_SINGLETONS)) {
		if (w->seen & BIT(type))
			return mb2_fail(out, -EINVAL, MB2_E_DUPLICATE, off,
					"mb2: second tag %u at offset 0x%llx",
					type, (unsigned long long)off);
		w->seen |= (u32)BIT(type);
	}
	return mb2_tag(w, off, type, size);
}

/* Count overlapping pairs of non-empty memory map entries. */
static u32 mb2_count_overlaps(const struct mb2_info *out)
{
	u32 pairs = 0;

	for (u32 i = 0; i < out->mmap_count; i++) {
		const struct mb2_mmap_entry *a = &out->mmap[i];

		for (u32 j = i + 1; j < out->mmap_count; j++) {
			const struct mb2_mmap_entry *b = &out->mmap[j];

			if (a->len && b->len && a->base < b->base + b->len &&
			    b->base < a->base + a->len)
				pairs++;
		}
	}
	return pairs;
}

static void mb2_reset(struct mb2_info *out)
{
	struct mb2_info keep = {
	    .mmap = out->mmap,
	    .mmap_cap = out->mmap ? out->mmap_cap : 0,
	    .mods = out->mods,
	    .mods_cap = out->mods ? out->mods_cap : 0,
	};

	*out = keep;
}

/* Walk the tag list from offset 8 to the end tag. */
static int mb2_walk_tags(struct mb2_walk *w)
{
	u64 off = MB2_HDR_SIZE;

	for (;;) {
		u32 type, size;
		int ret;

		if (off + MB2_TAG_HDR_SIZE > w->total)
			return mb2_fail(w->out, -EINVAL, MB2_E_NO_END, off,
					"mb2: no end tag before total_size %u",
					w->total);
		type = mb2_rd32(w, off);
		size = mb2_rd32(w, off + 4);
		if (type == MB2_TAG_END) {
			if (size != MB2_TAG_HDR_SIZE)
				return mb2_fail(w->out, -EINVAL, MB2_E_END_SIZE,
						off,
						"mb2: end tag at offset 0x%llx "
						"has size %u != 8",
						(unsigned long long)off, size);
			return 0;
		}
		ret = mb2_check_tag(w, off, type, size);
		if (ret)
			return ret;
		w->out->tags_seen++;
		off += ALIGN_UP((u64)size, MB2_TAG_ALIGN);
	}
}

int mb2_parse(const void *info, u32 magic, size_t max_len, struct mb2_info *out)
{
	struct mb2_walk w = {.base = info, .out = out};
	int ret;

	mb2_reset(out);
	if (magic != MB2_BOOTLOADER_MAGIC)
		return mb2_fail(out, -EINVAL, MB2_E_MAGIC, 0,
				"mb2: bad magic 0x%x (expected 0x%x)", magic,
				MB2_BOOTLOADER_MAGIC);
	if (!info || !IS_ALIGNED((uintptr_t)info, MB2_TAG_ALIGN))
		return mb2_fail(out, -EINVAL, MB2_E_ALIGN, 0,
				"mb2: boot information at %p is not 8-byte "
				"aligned",
				info);
	if (max_len < MB2_HDR_SIZE)
		return mb2_fail(out, -EINVAL, MB2_E_TOTAL_SIZE, 0,
				"mb2: only %zu bytes mapped", max_len);
	w.total = mb2_rd32(&w, 0);
	out->total_size = w.total;
	if (w.total < MB2_HDR_SIZE + MB2_TAG_HDR_SIZE)
		return mb2_fail(out, -EINVAL, MB2_E_TOTAL_SIZE, 0,
				"mb2: total_size %u < 16", w.total);
	if (w.total > max_len)
		return mb2_fail(out, -EINVAL, MB2_E_TOTAL_SIZE, 0,
				"mb2: total_size %u > %zu bytes mapped",
				w.total, max_len);
	ret = mb2_walk_tags(&w);
	if (ret)
		return ret;
	out->mmap_overlaps = mb2_count_overlaps(out);
	return 0;
}

const char *mb2_error_name(enum mb2_error err)
{
	if ((unsigned)err >= MB2_E_COUNT)
		return "unknown error";
	return mb2_error_names[err];
}

const char *mb2_mem_type_name(u32 type)
{
	switch (type) {
	case MB2_MEM_AVAILABLE:
		return "available";
	case MB2_MEM_RESERVED:
		return "reserved";
	case MB2_MEM_ACPI:
		return "ACPI reclaimable";
	case MB2_MEM_NVS:
		return "ACPI NVS";
	case MB2_MEM_BAD:
		return "bad RAM";
	default:
		return "unknown";
	}
}
