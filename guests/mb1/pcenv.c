/* SPDX-License-Identifier: MIT */
/*
 * pcenv: a multiboot1 test kernel that checks the PC environment mica
 * gives such kernels (docs/guests.md, "Foreign multiboot1 kernels"):
 * the long-mode switch it made itself, the local APIC and a self-IPI,
 * fw_cfg, the 0xFF000000 test region, the 0xE0 latch with string I/O,
 * hidden features, MSR round trips. Uses only PC interfaces, no hypercall.
 */
#include "guests/lib/guest.h"

#define APIC	      0xfee00000UL
#define TESTMEM	      0xff000000UL
#define IPI_VEC	      0x40
#define MSR_EFER      0xc0000080
#define MSR_APIC_BASE 0x1b

static volatile u32 *apic(u32 off)
{
	return (volatile u32 *)(APIC + off);
}

static void test_long_mode(u32 magic)
{
	u64 cr0, cr4;
	int vec;

	g_ok(magic == 0x2badb002, "entered by a multiboot1 loader");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	g_ok(g_rdmsr_catch(MSR_EFER, &vec) & (1 << 10),
	     "the kernel's own CR0 write put it in long mode (EFER.LMA)");
	g_ok(cr0 == 0x80000011, "CR0 reads back as written, NE = 0 (0x%lx)",
	     (unsigned long)cr0);
	g_ok(cr4 == 0x20, "CR4 reads back as written, no VMXE (0x%lx)",
	     (unsigned long)cr4);
}

static void eoi_hook(unsigned vector)
{
	if (vector == IPI_VEC)
		*apic(0xb0) = 0;
}

static void test_apic(void)
{
	u64 cr8;

	g_ok(*apic(0x20) == 0 && (*apic(0x30) & 0xff) == 0x14,
	     "APIC ID 0, version 0x14");
	*apic(0xf0) = 0x1ff;
	g_ok(*apic(0xf0) == 0x1ff, "SPIV enable bit and vector read back");
	g_set_irq_hook(eoi_hook);
	*apic(0x310) = 0;
	*apic(0x300) = 0x40000 | IPI_VEC; /* fixed, shorthand self */
	g_ok(!(*apic(0x300) & (1 << 12)), "ICR delivery status reads idle");
	g_ok(g_irq_count(IPI_VEC) == 0,
	     "with IF = 0 the self-IPI stays pending");
	__asm__ volatile("sti; nop; cli" ::: "memory");
	g_ok(g_irq_count(IPI_VEC) == 1,
	     "after STI the self-IPI is delivered once");
	g_ok(*apic(0x100 + 0x10 * (IPI_VEC / 32)) == 0,
	     "EOI cleared the in-service bit");
	*apic(0x80) = 0x50;
	__asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
	g_ok(cr8 == 5, "CR8 shows TPR[7:4]");
	*apic(0x300) = 0x40000 | IPI_VEC;
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	g_ok(g_irq_count(IPI_VEC) == 1, "TPR 0x50 holds back vector 0x40");
	__asm__ volatile("mov %0, %%cr8" : : "r"(0ULL));
	__asm__ volatile("sti; nop; cli" ::: "memory");
	g_ok(g_irq_count(IPI_VEC) == 2, "lowering TPR through CR8 delivers it");
	*apic(0x300) = 0xc4500; /* INIT to all excluding self */
	for (unsigned i = 0; i < 1000 && (*apic(0x300) & (1 << 12)); i++)
		;
	g_ok(!(*apic(0x300) & (1 << 12)),
	     "INIT to all others: delivery status idle, no hang");
}

static void test_fwcfg(void)
{
	char sig[5] = {0};
	u16 ncpus;

	__asm__ volatile("outw %0, %1" : : "a"((u16)0), "Nd"((u16)0x510));
	for (int i = 0; i < 4; i++)
		sig[i] = (char)g_inb(0x511);
	__asm__ volatile("outw %0, %1" : : "a"((u16)5), "Nd"((u16)0x510));
	ncpus = g_inb(0x511);
	ncpus |= (u16)(g_inb(0x511) << 8);
	g_ok(sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U',
	     "fw_cfg signature \"%s\"", sig);
	g_ok(ncpus == 1, "fw_cfg: %u CPU, so waiting for all CPUs ends", ncpus);
}

static void test_testmem(void)
{
	volatile u8 *m = (volatile u8 *)TESTMEM;
	u64 cr4, lo, hi;

	m[0] = 0x11;
	*(volatile u16 *)(m + 2) = 0x2233;
	*(volatile u32 *)(m + 4) = 0x44556677;
	*(volatile u64 *)(m + 8) = 0x8899aabbccddeeffULL;
	g_ok(*(volatile u64 *)m == 0x4455667722330011ULL &&
		 *(volatile u64 *)(m + 8) == 0x8899aabbccddeeffULL,
	     "0xFF000000 region: 1/2/4/8-byte stores and loads");
	*(volatile u32 *)(m + 0x23) = 0xcafef00d;
	g_ok(*(volatile u32 *)(m + 0x23) == 0xcafef00d && m[0x26] == 0xca,
	     "misaligned 4-byte access");
	*(volatile u64 *)(m + 0xffc) = 0x0123456789abcdefULL;
	g_ok(*(volatile u64 *)(m + 0xffc) == 0x0123456789abcdefULL &&
		 m[0x1000] == 0x67,
	     "8-byte access crossing a page boundary");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1 << 9) | (1 << 10)));
	__asm__ volatile("movdqu (%2), %%xmm0\n\t"
			 "movdqu %%xmm0, 0x40(%2)\n\t"
			 "mov 0x40(%2), %0\n\t"
			 "mov 0x48(%2), %1"
			 : "=&r"(lo), "=&r"(hi)
			 : "r"(m)
			 : "memory");
	g_ok(lo == 0x4455667722330011ULL && hi == 0x8899aabbccddeeffULL,
	     "16-byte SSE load and store");
}

static void test_latch(void)
{
	static const u8 out[4] = {0xde, 0xad, 0xbe, 0xef};
	u8 in[4] = {0};
	const u8 *src = out;
	u8 *dst = in;
	unsigned long n = 4;
	u32 d;

	__asm__ volatile("outl %0, %1" : : "a"(0x11223344U), "Nd"((u16)0xe0));
	__asm__ volatile("outb %0, %1" : : "a"((u8)0x99), "Nd"((u16)0xe2));
	__asm__ volatile("inl %1, %0" : "=a"(d) : "Nd"((u16)0xe0));
	g_ok(d == 0x11993344,
	     "latch: 4-byte write, 1-byte write at +2, "
	     "4-byte read (0x%x)",
	     d);
	__asm__ volatile("rep outsb"
			 : "+S"(src), "+c"(n)
			 : "d"((u16)0xe1)
			 : "memory");
	n = 4;
	__asm__ volatile("rep insb"
			 : "+D"(dst), "+c"(n)
			 : "d"((u16)0xe1)
			 : "memory");
	g_ok(in[0] == 0xef && in[3] == 0xef,
	     "latch: REP OUTSB then REP INSB through one port");
}

static void test_msrs_and_features(void)
{
	u32 r[4];
	int vec;
	u64 v;

	g_cpuid(0, 0, r);
	g_ok(r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e,
	     "CPUID vendor GenuineIntel");
	g_cpuid(1, 0, r);
	g_ok(!(r[2] & (1u << 21)), "x2APIC is not advertised");
	g_rdmsr_catch(0x802, &vec);
	g_ok(vec == 13, "x2APIC ID MSR raises #GP");
	g_cpuid(0xa, 0, r);
	g_ok(r[0] == 0, "CPUID leaf 0xA (PMU) is zero");
	g_wrmsr(0x3b, 1234);
	g_ok(g_rdmsr_catch(0x3b, &vec) == 1234 && vec < 0,
	     "TSC_ADJUST round trip");
	g_wrmsr(0xc0000101, 0x12345000);
	g_ok(g_rdmsr_catch(0xc0000101, &vec) == 0x12345000,
	     "GS_BASE round trip");
	g_wrmsr(0xc0000102, 0x6789a000);
	g_ok(g_rdmsr_catch(0xc0000102, &vec) == 0x6789a000,
	     "KERNEL_GS_BASE round trip");
	g_wrmsr(0x175, 0x8000);
	g_ok(g_rdmsr_catch(0x175, &vec) == 0x8000, "SYSENTER_ESP round trip");
	v = g_rdmsr_catch(MSR_APIC_BASE, &vec);
	g_ok(v == 0xfee00900, "APIC_BASE is 0xfee00900 (0x%lx)",
	     (unsigned long)v);
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400ULL));
	__asm__ volatile("wbinvd; invd" ::: "memory");
	g_ok(true, "MOV DR7, WBINVD and INVD complete");
	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	g_ok(v == 0, "CR8 reads 0");
}

/* The multiboot1 information: flags 0, 2, 3, 6, the memory map and the
 * module mica passed on (mods=pcenv-blob: an ELF file). */
static void test_mb1_info(u32 info)
{
	const u32 *mi = (const u32 *)(uintptr_t)info;
	const u32 *mod = (const u32 *)(uintptr_t)mi[6];
	const u8 *mmap = (const u8 *)(uintptr_t)mi[12];
	const char *name;

	g_ok((mi[0] & 0x4d) == 0x4d, "info flags 0, 2, 3 and 6 (0x%x)", mi[0]);
	g_ok(mi[11] == 3 * 24 && *(const u32 *)mmap == 20 &&
		 *(const u64 *)(mmap + 4) == 0 &&
		 *(const u64 *)(mmap + 2 * 24 + 4) == 0x100000,
	     "memory map: 3 entries, from 0 and from 1 MiB");
	if (mi[5] != 1) {
		g_ok(false, "one module passed on (%u)", mi[5]);
		return;
	}
	name = (const char *)(uintptr_t)mod[2];
	g_ok(*(const u32 *)(uintptr_t)mod[0] == 0x464c457f && mod[1] > mod[0] &&
		 !(mod[0] & 0xfff) && name[0] == 'p',
	     "the module passed on is in RAM, page-aligned, with its "
	     "command line (\"%s\")",
	     name);
}

int guest_main(u32 magic, u32 info)
{
	g_idt_init();
	test_mb1_info(info);
	test_long_mode(magic);
	test_apic();
	test_fwcfg();
	test_testmem();
	test_latch();
	test_msrs_and_features();
	return (int)g_tap_failed();
}
