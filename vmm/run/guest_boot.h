/* SPDX-License-Identifier: MIT */
/* The structures a guest finds at entry (vmm/load/guest_layout.h). */
#ifndef MICA_VMM_RUN_GUEST_BOOT_H
#define MICA_VMM_RUN_GUEST_BOOT_H

#include "mm/base/types.h"

struct vm;

/*
 * Write the guest GDT and TSS, identity page tables (64-bit mode) and the
 * multiboot1 information block with the module command line, and set the
 * entry registers (EAX = 0x2BADB002, EBX = info). Returns 0 or -EINVAL when
 * guest RAM is too small to hold them.
 */
int guest_boot_setup(struct vm *vm) __must_check;

#endif /* MICA_VMM_RUN_GUEST_BOOT_H */
