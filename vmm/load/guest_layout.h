/* SPDX-License-Identifier: MIT */
/*
 * Where mica puts the structures a guest finds at entry (guest physical):
 * the GDT and TSS, the identity page tables of 64-bit guests, the
 * multiboot1 information page and the entry stack. Each has a default
 * address, used when the image leaves it free; guest_layout_place() moves
 * the others to where the image is not. Pure.
 */
#ifndef MICA_VMM_LOAD_GUEST_LAYOUT_H
#define MICA_VMM_LOAD_GUEST_LAYOUT_H

#include "mm/base/types.h"
#include "vmm/load/vm_config.h"

/* Nothing of mica's goes below: page 0 stays the guest's (and a NULL
 * information pointer stays invalid). */
#define GUEST_BOOT_LO 0x1000ULL

/* The GDT page: null, code64, data, code32, TSS descriptors; the TSS. */
#define GUEST_GDT     0x1000ULL /* default */
#define GUEST_TSS_OFF 0x800
#define GUEST_TSS     (GUEST_GDT + GUEST_TSS_OFF)

/* 64-bit guests: PML4, PDPT and four PDs (identity map of 4 GiB). */
#define GUEST_PT_PAGES 6
#define GUEST_PML4     0x2000ULL /* default */
#define GUEST_PDPT     (GUEST_PML4 + 0x1000)
#define GUEST_PD       (GUEST_PML4 + 0x2000)

/* The multiboot1 information page: the block, the memory map, the command
 * line, the module list and then its strings. */
#define GUEST_MB1_INFO	      0x8000ULL /* default */
#define GUEST_MB1_MMAP_OFF    0x80
#define GUEST_MB1_CMDLINE_OFF 0x100
#define GUEST_MB1_CMDLINE_MAX 0x700
#define GUEST_MB1_MODS_OFF    0x800
#define GUEST_MB1_MODS_MAX    0x800

/* The entry stack: at least GUEST_STACK_MIN bytes below its top are free
 * of the image and of everything above. Defaults: RSP = 0x80000, real
 * mode SS:SP = 9000:FFF0 (top 0xA0000). */
#define GUEST_STACK_MIN	     0x4000ULL
#define GUEST_STACK_TOP	     0x80000ULL
#define GUEST_REAL_STACK_TOP 0xa0000ULL
#define GUEST_REAL_SS	     0x9000
#define GUEST_REAL_SP	     0xfff0
/* Real-mode guests reach their information block and stack below this. */
#define GUEST_REAL_LIMIT 0xa0000ULL

#define GUEST_DEFAULT_LOAD 0x100000ULL

/* Emulated devices above guest RAM (reachable through the identity map of
 * 64-bit guests, which covers 4 GiB). */
#define GUEST_MMIO_UART	 0xc0000000ULL
#define GUEST_MMIO_IORAM 0xc0010000ULL
#define GUEST_IORAM_SIZE 0x100000ULL
/* The memory-like test region QEMU's pc-testdev offers at 0xFF000000. */
#define GUEST_TESTMEM	   0xff000000ULL
#define GUEST_TESTMEM_SIZE 0x10000ULL

#define GUEST_SEL_CODE64 0x08
#define GUEST_SEL_DATA	 0x10
#define GUEST_SEL_CODE32 0x18
#define GUEST_SEL_TSS	 0x20

#define MB1_BOOTLOADER_MAGIC 0x2badb002U

/* What the placement must avoid and hold. */
struct guest_layout_req {
	enum vm_mode mode;
	u64 ram_size;		   /* guest RAM [0, ram_size) */
	gpa_t image_lo, image_hi;  /* the image's extent [lo, hi) */
	unsigned nmods;		   /* modules passed on (mods=) */
	u64 mod_size[VM_MODS_MAX]; /* their sizes in bytes */
};

/* Where everything went; every range lies in RAM from GUEST_BOOT_LO, none
 * overlaps the image or another. */
struct guest_layout {
	gpa_t gdt, tss;
	gpa_t pml4, pdpt, pd; /* 64-bit mode only, else 0 */
	gpa_t info, mmap, cmdline, mod_list;
	gpa_t stack_top;	 /* initial RSP; real mode: SS:SP's linear
				  * address is stack_top - 0x10 */
	u16 real_ss, real_sp;	 /* real mode entry SS:SP */
	gpa_t mods[VM_MODS_MAX]; /* each module, page-aligned */
	bool moved;		 /* something is not at its default */
};

/*
 * Place the boot structures, stack and modules of a guest whose image
 * spans [req->image_lo, req->image_hi). Each structure takes its default
 * address when the image leaves it free, else the lowest free page-aligned
 * range from GUEST_BOOT_LO (below the image, or above it); modules go
 * page-aligned from the image's end up (else into the lowest free range),
 * and the stack's top at the end of the first free range of at least
 * GUEST_STACK_MIN bytes. Real-mode guests get their information page and
 * stack below GUEST_REAL_LIMIT. Returns 0, or -ENOSPC with a message in
 * err (size n) naming the image's range and RAM's.
 */
int guest_layout_place(const struct guest_layout_req *req,
		       struct guest_layout *l, char *err,
		       size_t n) __must_check;

#endif /* MICA_VMM_LOAD_GUEST_LAYOUT_H */
