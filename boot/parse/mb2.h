/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot information: tag numbers and a validating parser.
 * The boot loader hands over an 8-byte aligned block
 *   u32 total_size, u32 reserved, then tags (u32 type, u32 size, payload),
 *   each starting at an 8-byte aligned offset, closed by the end tag
 *   (type 0, size 8)
 * (Multiboot2 specification 2.0, section 3.6 "Boot information format").
 * mb2_parse() checks every bound before it reads, copies what the kernel
 * needs into struct mb2_info, and names the first defect it finds.
 */
#ifndef MICA_BOOT_PARSE_MB2_H
#define MICA_BOOT_PARSE_MB2_H

#include "mm/base/types.h"

/* Value in EAX when a Multiboot2 loader enters the kernel. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* Boot information tag types (spec 3.6.x). */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_VBE = 7,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ELF_SECTIONS = 9,
	MB2_TAG_APM = 10,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_SMBIOS = 13,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_NETWORK = 16,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18,
	MB2_TAG_EFI32_IH = 19,
	MB2_TAG_EFI64_IH = 20,
	MB2_TAG_LOAD_BASE = 21,
	MB2_TAG_MAX_KNOWN = 21,
};

/* Memory map entry types (spec 3.6.8). */
#define MB2_MEM_AVAILABLE 1
#define MB2_MEM_RESERVED  2
#define MB2_MEM_ACPI	  3 /* ACPI tables, reclaimable after reading */
#define MB2_MEM_NVS	  4 /* must be preserved across hibernation */
#define MB2_MEM_BAD	  5

/* The parser's error codes: exactly one names the first defect found. */
enum mb2_error {
	MB2_OK = 0,
	MB2_E_MAGIC,	   /* EAX is not MB2_BOOTLOADER_MAGIC */
	MB2_E_ALIGN,	   /* info pointer not 8-byte aligned, or NULL */
	MB2_E_TOTAL_SIZE,  /* total_size < 16 or beyond the mapped length */
	MB2_E_TAG_SIZE,	   /* tag size below its type's minimum */
	MB2_E_TAG_OVERRUN, /* tag runs past total_size */
	MB2_E_NO_END,	   /* no end tag before total_size */
	MB2_E_END_SIZE,	   /* end tag size is not 8 */
	MB2_E_STRING,	   /* string not NUL-terminated inside its tag */
	MB2_E_DUPLICATE,   /* a tag that may appear once appears twice */
	MB2_E_MMAP_ENTRY,  /* entry_size too small or entries not whole */
	MB2_E_MMAP_RANGE,  /* memory map entry wraps past 2^64 */
	MB2_E_MMAP_FULL,   /* more memory map entries than the caller's array */
	MB2_E_MODULE_RANGE, /* module end < start */
	MB2_E_MODULES_FULL, /* more modules than the caller's array */
	MB2_E_ELF_SECTIONS, /* section headers do not fit in the tag */
	MB2_E_COUNT,
};

/* One memory map entry, as the boot loader reported it. */
struct mb2_mmap_entry {
	u64 base;
	u64 len;
	u32 type; /* MB2_MEM_* (other values: treat as reserved) */
};

/* One boot module: physical range [start, end) and its command line. */
struct mb2_module {
	hpa_t start;
	hpa_t end;
	const char *cmdline; /* inside the boot information, NUL-terminated */
};

#define MB2_RSDP_MAX 36 /* ACPI 2.0+ RSDP length; ACPI 1.0 uses 20 */
#define MB2_MSG_MAX  96

/*
 * Parse result. The caller fills the four storage fields (mmap, mmap_cap,
 * mods, mods_cap; cap 0 with a NULL array is allowed) and mb2_parse() fills
 * the rest. Strings and section pointers point into the boot information
 * itself, which the caller must therefore keep mapped and reserved.
 */
struct mb2_info {
	/* caller-provided storage */
	struct mb2_mmap_entry *mmap;
	u32 mmap_cap;
	struct mb2_module *mods;
	u32 mods_cap;

	/* results */
	u32 total_size;
	const char *cmdline;	 /* NULL if no tag 1 */
	const char *loader_name; /* NULL if no tag 2 */

	bool has_mmap;
	u32 mmap_count;
	u32 mmap_entry_version;
	u32 mmap_overlaps; /* pairs of entries that overlap (reported, kept) */

	u32 mods_count;

	bool has_meminfo;
	u32 mem_lower_kib; /* conventional memory below 1 MiB */
	u32 mem_upper_kib; /* memory from 1 MiB to the first hole */

	u8 rsdp[MB2_RSDP_MAX]; /* copy; tag 15 (ACPI 2.0+) wins over tag 14 */
	u32 rsdp_len;	       /* 0: none; else bytes valid in rsdp[] */
	u8 rsdp_tag;	       /* 14 or 15, 0 if none */

	bool has_load_base;
	hpa_t load_base; /* tag 21: physical load address of the image */

	bool has_elf_sections;
	u32 elf_num, elf_entsize, elf_shndx;
	const void *elf_sections; /* num * entsize bytes */

	u32 tags_seen;	  /* tags before the end tag */
	u32 tags_unknown; /* types above MB2_TAG_MAX_KNOWN, skipped */
	u32 tags_ignored; /* known types mica does not use (framebuffer...) */

	enum mb2_error error;  /* MB2_OK or the first defect found */
	u32 error_offset;      /* byte offset in the boot information */
	char msg[MB2_MSG_MAX]; /* "mb2: ..." describing error, "" if none */
};

/*
 * Parse the Multiboot2 boot information at info. magic is the value the
 * loader left in EAX; max_len bounds every read (bytes known to be mapped
 * from info on). out's storage fields must be set; all other fields are
 * overwritten.
 * Returns 0 on success; -EINVAL for a bad magic, pointer or malformed
 * stream; -ENOSPC when the memory map or the module list does not fit in the
 * caller's array (never truncated silently). On failure out->error and
 * out->msg name the defect and out's other results are partial.
 */
int __must_check mb2_parse(const void *info, u32 magic, size_t max_len,
			   struct mb2_info *out);

/* Short fixed name of an error code ("tag overrun"...), never NULL. */
const char *mb2_error_name(enum mb2_error err);

/* Name of a memory map entry type ("available", "reserved"...). */
const char *mb2_mem_type_name(u32 type);

#endif /* MICA_BOOT_PARSE_MB2_H */
