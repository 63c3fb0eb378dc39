/* SPDX-License-Identifier: MIT */
/*
 * x86-64 host paging entry format (SDM Vol. 3A 4.5, Tables 4-15 .. 4-20)
 * for the generic engine: the hypervisor's own 4- or 5-level tables.
 */
#ifndef MICA_MM_PT_PT_FORMAT_X86_H
#define MICA_MM_PT_PT_FORMAT_X86_H

#include "mm/pt/pgtable.h"

#define X86_PTE_P    BIT(0)
#define X86_PTE_RW   BIT(1)
#define X86_PTE_US   BIT(2)
#define X86_PTE_PWT  BIT(3)
#define X86_PTE_PCD  BIT(4)
#define X86_PTE_A    BIT(5)
#define X86_PTE_D    BIT(6)
#define X86_PTE_PS   BIT(7) /* levels 1 and 2: the entry is a leaf */
#define X86_PTE_G    BIT(8)
#define X86_PTE_NX   BIT(63)
#define X86_PTE_ADDR GENMASK(51, 12)

extern const struct pt_format pt_format_x86_4level;
extern const struct pt_format pt_format_x86_5level;

#endif /* MICA_MM_PT_PT_FORMAT_X86_H */
