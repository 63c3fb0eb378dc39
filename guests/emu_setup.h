/* SPDX-License-Identifier: MIT */
/*
 * Processor set-up of the emu guests (guests/emu.c, built as the 64-bit
 * emu and the 32-bit emu32): SSE/AVX, the FS and GS bases of the segment
 * forms, the FS base of the 16-bit addressing forms (emu32), and the alias
 * mapping RAM | ioram | RAM of the page-crossing forms. Included once, by
 * emu.c.
 */
#ifndef MICA_GUESTS_EMU_SETUP_H
#define MICA_GUESTS_EMU_SETUP_H

#define CR0_PG	 BIT(31)
#define CR4_PSE	 BIT(4)
#define ALIAS_VA 0x40000000UL /* emu32: the 4 MiB slot of the alias */

#ifdef __x86_64__

#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101

/* Page tables of the alias mapping. */
static u64 alias_pml4[512] __attribute__((aligned(4096)));
static u64 alias_pdpt[512] __attribute__((aligned(4096)));
static u64 alias_pd[512] __attribute__((aligned(4096)));
static u64 alias_pt[512] __attribute__((aligned(4096)));

static void write_msr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

/* FS and GS bases for the segment forms (SDM Vol. 3A 3.4.4). */
static void segs_setup(void)
{
	write_msr(MSR_FS_BASE, SEG_BASE);
	write_msr(MSR_GS_BASE, SEG_BASE);
}

/* No 16-bit addressing forms in 64-bit mode. */
static void seg16_base(ureg base)
{
	(void)base;
}

/*
 * Map three 4 KiB pages at a free 1 GiB slot above the identity map: RAM,
 * ioram's first page, RAM. Accesses there cross RAM|MMIO and MMIO|RAM.
 * The guest switches to copies of its PML4 and first PDPT (SDM Vol. 3A
 * 4.5) so the tables mica built stay as they are.
 */
static void alias_setup(void)
{
	const u64 addr = 0xffffffffff000ULL, *pml4, *pdpt;
	u64 cr3 = g_read_cr3();

	pml4 = (const u64 *)(cr3 & addr);
	pdpt = (const u64 *)(pml4[0] & addr);
	for (unsigned i = 0; i < 512; i++) {
		alias_pml4[i] = pml4[i];
		alias_pdpt[i] = pdpt[i];
	}
	for (unsigned i = 4; i < 512; i++) {
		if (alias_pdpt[i] & 1)
			continue;
		alias_pt[0] = (u64)alias_ram[0] | 3;
		alias_pt[1] = IORAM | 3;
		alias_pt[2] = (u64)alias_ram[1] | 3;
		alias_pd[0] = (u64)alias_pt | 3;
		alias_pdpt[i] = (u64)alias_pd | 3;
		alias_pml4[0] = (alias_pml4[0] & ~addr) | (u64)alias_pdpt;
		g_write_cr3((cr3 & ~addr) | (u64)alias_pml4);
		alias_base = (u64)i << 30;
		return;
	}
}

/* The alias stays mapped: nothing to switch. */
static void alias_on(bool on)
{
	(void)on;
}

#else /* 32-bit protected mode, paging off outside the alias forms */

#define GDT_MAX	  64
#define SEL_SEG	  ((GDT_MAX - 2) * 8) /* base SEG_BASE: FS and GS */
#define SEL_SEG16 ((GDT_MAX - 1) * 8) /* base set per run: FS of G_A16 */
#define SEL_TSS	  ((GDT_MAX - 3) * 8) /* an available TSS for LTR */

static u64 gdt[GDT_MAX] __attribute__((aligned(8)));
static u8 tss[104] __attribute__((aligned(8)));
/* 32-bit paging with 4 MiB pages (CR4.PSE) and the alias page table. */
static u32 alias_pd[1024] __attribute__((aligned(4096)));
static u32 alias_pt[1024] __attribute__((aligned(4096)));

/* A present, writable, accessed flat data segment with a 4 GiB limit and
 * the given base (SDM Vol. 3A 3.4.5). */
static u64 data_desc(u32 base)
{
	return 0xffffULL | (u64)(base & 0xffffff) << 16 | 0x93ULL << 40 |
	       0xfULL << 48 | 0xcULL << 52 | (u64)(base >> 24) << 56;
}

/* A present, available 32-bit TSS (type 9) of 104 bytes at tss (SDM
 * Vol. 3A 8.2.2), for the LTR form. */
static u64 tss_desc(void)
{
	u32 base = (u32)tss;

	return 0x67ULL | (u64)(base & 0xffffff) << 16 | 0x89ULL << 40 |
	       (u64)(base >> 24) << 56;
}

static void load_gdt(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) gdtr = {sizeof(gdt) - 1, (u32)gdt};

	__asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
}

/* A copy of mica's GDT (the selectors in use keep their index) with the
 * two data segments of the segment forms; FS and GS based at SEG_BASE. */
static void segs_setup(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) cur;
	unsigned n;

	__asm__ volatile("sgdt %0" : "=m"(cur));
	n = (cur.limit + 1u) / 8;
	n = n > GDT_MAX - 3 ? GDT_MAX - 3 : n;
	for (unsigned i = 0; i < n; i++)
		gdt[i] = ((const u64 *)cur.base)[i];
	gdt[SEL_SEG / 8] = data_desc(SEG_BASE);
	gdt[SEL_SEG16 / 8] = data_desc(0);
	gdt[SEL_TSS / 8] = tss_desc();
	load_gdt();
	__asm__ volatile("mov %0, %%fs\n\tmov %0, %%gs" : : "r"(SEL_SEG));
}

/* FS for a 16-bit addressing run: based at base, or back to SEG_BASE for
 * base 0. The descriptor is rewritten and FS reloaded (SDM Vol. 3A 3.4.3:
 * the base is cached when the selector is loaded). */
static void seg16_base(ureg base)
{
	if (!base) {
		__asm__ volatile("mov %0, %%fs" : : "r"(SEL_SEG));
		return;
	}
	gdt[SEL_SEG16 / 8] = data_desc((u32)base);
	__asm__ volatile("mov %0, %%fs" : : "r"(SEL_SEG16) : "memory");
}

/*
 * Page tables for the page-crossing forms: the first 64 MiB and the 4 MiB
 * holding ioram identity-mapped with 4 MiB pages (SDM Vol. 3A 4.3), and
 * at ALIAS_VA three 4 KiB pages RAM, ioram's first page, RAM.
 */
static void alias_setup(void)
{
	for (u32 i = 0; i < 16; i++)
		alias_pd[i] = i << 22 | 0x83;
	alias_pd[IORAM >> 22] = (IORAM & ~0x3fffffUL) | 0x83;
	alias_pt[0] = (u32)alias_ram[0] | 3;
	alias_pt[1] = IORAM | 3;
	alias_pt[2] = (u32)alias_ram[1] | 3;
	alias_pd[ALIAS_VA >> 22] = (u32)alias_pt | 3;
	g_write_cr4(g_read_cr4() | CR4_PSE);
	g_write_cr3((u32)alias_pd);
	alias_base = ALIAS_VA;
}

/* Paging on for the page-crossing forms only: the others run with linear
 * = physical addresses. */
static void alias_on(bool on)
{
	unsigned long cr0 = g_read_cr0();

	g_write_cr0(on ? cr0 | CR0_PG : cr0 & ~CR0_PG);
}

#endif

/* SSE on (CR0.EM = TS = 0, CR0.MP, CR4.OSFXSR/OSXMMEXCPT), AVX state on
 * when the CPU has it (CR4.OSXSAVE, XCR0 = x87|SSE|AVX); SDM Vol. 3A
 * 13.1-13.3. */
static void cpu_setup(bool *avx, bool *movbe)
{
	unsigned long cr0 = g_read_cr0(), cr4 = g_read_cr4();
	u32 r[4], d[4];

	cr0 = (cr0 & ~(BIT(2) | BIT(3))) | BIT(1);
	cr4 |= BIT(9) | BIT(10);
	g_write_cr0(cr0);
	g_write_cr4(cr4);
	g_cpuid(1, 0, r);
	*movbe = r[2] & BIT(22);
	*avx = false;
	if ((r[2] & BIT(26)) && (r[2] & BIT(28))) {
		g_cpuid(0xd, 0, d);
		if ((d[0] & 7) == 7) {
			g_write_cr4(cr4 | BIT(18));
			__asm__ volatile("xsetbv" : : "c"(0), "a"(7), "d"(0));
			*avx = true;
		}
	}
	segs_setup();
}

#endif /* MICA_GUESTS_EMU_SETUP_H */
