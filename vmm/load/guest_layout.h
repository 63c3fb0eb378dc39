/* SPDX-License-Identifier: MIT */
/*
 * Where mica puts the structures a guest finds at entry (guest physical).
 * Images may not overlap [GUEST_BOOT_LO, GUEST_BOOT_HI).
 */
#ifndef MICA_VMM_LOAD_GUEST_LAYOUT_H
#define MICA_VMM_LOAD_GUEST_LAYOUT_H

#define GUEST_BOOT_LO	      0x1000ULL
#define GUEST_GDT	      0x1000ULL /* null, code64, data, code32, TSS */
#define GUEST_TSS	      0x1800ULL
#define GUEST_PML4	      0x2000ULL
#define GUEST_PDPT	      0x3000ULL
#define GUEST_PD	      0x4000ULL /* four PDs: identity map of 4 GiB */
#define GUEST_MB1_INFO	      0x8000ULL
#define GUEST_MB1_MMAP	      0x8080ULL
#define GUEST_MB1_CMDLINE     0x8100ULL
#define GUEST_MB1_CMDLINE_MAX 0x700
#define GUEST_MB1_MODS	      0x8800ULL /* module list, then their strings */
#define GUEST_MB1_MODS_MAX    0x800
#define GUEST_BOOT_HI	      0x9000ULL

#define GUEST_STACK_TOP	   0x80000ULL /* 32/64-bit entry RSP */
#define GUEST_REAL_SS	   0x9000     /* real-mode SS:SP = 9000:FFF0 */
#define GUEST_REAL_SP	   0xfff0
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

#endif /* MICA_VMM_LOAD_GUEST_LAYOUT_H */
