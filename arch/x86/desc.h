/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor GDT selectors and TSS, used for the host-state area of every
 * VMCS as well as for the hypervisor itself.
 */
#ifndef MICA_ARCH_X86_DESC_H
#define MICA_ARCH_X86_DESC_H

#include "mm/base/types.h"

#define GDT_SEL_CODE64 0x08
#define GDT_SEL_DATA   0x10
#define GDT_SEL_TSS    0x18

/* 64-bit TSS (SDM Vol 3A 8.7, Figure 8-11). */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

/* Linear addresses of the live tables, for the VMCS host-state area. */
u64 desc_gdt_base(void);
u64 desc_idt_base(void);
u64 desc_tss_base(void);

/* Load GDT, reload segments, load TSS and IDT. */
void desc_init(void);

#endif /* MICA_ARCH_X86_DESC_H */
