/* SPDX-License-Identifier: MIT */
/* The structures a guest finds at entry (vmm/load/guest_layout.h). */
#ifndef MICA_VMM_RUN_GUEST_BOOT_H
#define MICA_VMM_RUN_GUEST_BOOT_H

#include "mm/base/types.h"

struct vm;

/*
 * Place (guest_layout_place, around vm->image_start..image_end) and write
 * the guest GDT and TSS, identity page tables (64-bit mode), the
 * multiboot1 information block with the kernel's command line and the
 * modules passed on, and set the entry registers (EAX = 0x2BADB002,
 * EBX = info). Returns 0, or -EINVAL after printing why they do not fit.
 */
int guest_boot_setup(struct vm *vm) __must_check;

#endif /* MICA_VMM_RUN_GUEST_BOOT_H */
