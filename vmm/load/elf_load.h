/* SPDX-License-Identifier: MIT */
/*
 * Loading a guest image (pure): ELF32/ELF64 executables by their PT_LOAD
 * segments' physical addresses, or a flat binary at a given address. All
 * placement is checked against the guest's RAM size before anything is
 * copied; copying and zeroing go through callbacks.
 */
#ifndef MICA_VMM_LOAD_ELF_LOAD_H
#define MICA_VMM_LOAD_ELF_LOAD_H

#include "mm/base/types.h"

struct elf_load_ops {
	/* Copy len bytes to guest physical gpa (checked to be inside RAM). */
	void (*copy)(void *ctx, gpa_t gpa, const void *src, u64 len);
	/* Zero len bytes at gpa (the BSS part of a segment). */
	void (*zero)(void *ctx, gpa_t gpa, u64 len);
	void *ctx;
};

struct elf_load_result {
	gpa_t entry;
	unsigned bits;	 /* 32 or 64 for ELF, 0 for flat binaries */
	gpa_t low, high; /* lowest and one past the highest byte loaded */
	unsigned nsegs;
	const char *error; /* static text when the call failed */
};

/* True when the image starts with the ELF magic. */
bool elf_is_elf(const void *image, size_t size);

/*
 * Load an ELF executable (EM_386 ELFCLASS32 or EM_X86_64 ELFCLASS64,
 * ET_EXEC) into guest RAM [0, ram_size). Every PT_LOAD segment must lie in
 * the file and in RAM and must not overlap [reserved_lo, reserved_hi)
 * (empty when lo == hi: mica reserves nothing, it places its boot
 * structures around the image afterwards). Returns 0, or -EINVAL with
 * res->error naming the defect; nothing is copied unless every check
 * passes.
 */
int elf_load(const void *image, size_t size, u64 ram_size, gpa_t reserved_lo,
	     gpa_t reserved_hi, const struct elf_load_ops *ops,
	     struct elf_load_result *res) __must_check;

/*
 * Multiboot1 kernels (Multiboot Specification 0.6.96, section 3.1): find
 * the header (magic 0x1BADB002, 4-byte aligned, in the first 8192 bytes,
 * checksum valid). Returns its byte offset, or -ENOENT.
 */
int mb1_header_find(const void *image, size_t size) __must_check;

/*
 * Load a multiboot1 kernel whose header sets flag 16 ("a.out kludge"): the
 * header's load_addr/load_end_addr/bss_end_addr/entry_addr say where the
 * file goes, instead of any executable format. Same checks and result as
 * elf_load(); -ENOENT when the image has no such header.
 */
int mb1_kludge_load(const void *image, size_t size, u64 ram_size,
		    gpa_t reserved_lo, gpa_t reserved_hi,
		    const struct elf_load_ops *ops,
		    struct elf_load_result *res) __must_check;

/* Load a flat binary at gpa; same checks and result as elf_load(). */
int flat_load(const void *image, size_t size, gpa_t gpa, u64 ram_size,
	      gpa_t reserved_lo, gpa_t reserved_hi,
	      const struct elf_load_ops *ops,
	      struct elf_load_result *res) __must_check;

#endif /* MICA_VMM_LOAD_ELF_LOAD_H */
