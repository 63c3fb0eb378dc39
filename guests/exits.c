/* SPDX-License-Identifier: MIT */
/*
 * exits: every exit mica serves, from a 64-bit guest. CPUID (filtering and
 * the hypervisor leaf), VMCALL, port I/O of every size and the string forms,
 * MSRs allowed and denied, CR8, XSETBV. Ends with HLT, which mica reports as
 * a halt with no wake-up source (module line: expect=stop:halted).
 */
#include "guests/lib/guest.h"

#define SCRATCH	  0x3ff /* COM1 scratch register */
#define UNCLAIMED 0x2f0 /* no device there */

static long hc0(long nr)
{
	return g_hypercall(nr, 0, 0, 0, 0, 0);
}

static void test_cpuid(void)
{
	u32 r[4];

	g_cpuid(0x40000000, 0, r);
	g_ok(r[0] >= 0x40000001 && r[1] == 0x6163694d && r[2] == 0x6163694d &&
		 r[3] == 0x6163694d,
	     "cpuid 0x40000000: max leaf 0x%x, signature MicaMicaMica", r[0]);
	g_cpuid(1, 0, r);
	g_ok(!(r[2] & (1u << 5)), "cpuid 1: VMX hidden from the guest");
	g_ok(r[2] & (1u << 31), "cpuid 1: hypervisor bit set");
	g_ok(g_counter(CNT_EXIT_CPUID) >= 2, "CPUID exits counted (%ld)",
	     g_counter(CNT_EXIT_CPUID));
}

static void test_vmcall(void)
{
	g_ok(hc0(HC_VERSION) == MICA_HC_VERSION_VALUE, "hypercall version");
	g_ok(g_hypercall(HC_CHECK_EXTENSION, EXT_HYPERCALL_VERSION, 0, 0, 0,
			 0) == MICA_HC_VERSION_VALUE,
	     "check_extension(HYPERCALL_VERSION)");
	g_ok(hc0(HC_NULL) == 0, "null hypercall returns 0");
	g_ok(hc0(1000) == -38, "unknown hypercall is -ENOSYS");
	g_ok(g_hypercall(HC_TEST_COUNTER, 12345, 0, 0, 0, 0) == -22,
	     "bad counter index is -EINVAL");
}

static void test_pio_sizes(void)
{
	u16 w;
	u32 d;

	g_outb(SCRATCH, 0x5a);
	g_ok(g_inb(SCRATCH) == 0x5a, "8-bit OUT/IN through the UART scratch");
	g_ok(g_inb(UNCLAIMED) == 0xff, "8-bit IN from an unclaimed port is ff");
	__asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"((u16)UNCLAIMED));
	g_ok(w == 0xffff, "16-bit IN from an unclaimed port is ffff");
	__asm__ volatile("inl %1, %0" : "=a"(d) : "Nd"((u16)UNCLAIMED));
	g_ok(d == 0xffffffff, "32-bit IN from an unclaimed port is ffffffff");
	{
		u64 rax = 0x1122334455667788ULL;

		__asm__ volatile("inb %1, %%al"
				 : "+a"(rax)
				 : "Nd"((u16)UNCLAIMED));
		g_ok(rax == 0x11223344556677ffULL,
		     "IN AL keeps RAX bits 63:8 (0x%lx)", (unsigned long)rax);
		__asm__ volatile("inl %1, %%eax"
				 : "+a"(rax)
				 : "Nd"((u16)UNCLAIMED));
		g_ok(rax == 0xffffffffULL, "IN EAX zero-extends into RAX");
	}
	__asm__ volatile("outw %0, %1" : : "a"((u16)0xa55a), "Nd"((u16)0x3fe));
	g_ok(g_inb(SCRATCH) == 0xa5,
	     "16-bit OUT to 0x3fe reaches the scratch register at 0x3ff");
	g_ok(g_counter(CNT_PIO_UNCLAIMED) >= 7, "unclaimed port bytes counted");
}

static void test_string_io(void)
{
	static const char msg[] = "string I/O: rep outsb reached the UART\n";
	u8 buf[16];
	unsigned long n = sizeof(msg) - 1, cnt = sizeof(buf);
	const char *src = msg;
	u8 *dst = buf;

	__asm__ volatile("rep outsb"
			 : "+S"(src), "+c"(n)
			 : "d"((u16)0x3f8)
			 : "memory");
	g_ok(n == 0 && src == msg + sizeof(msg) - 1,
	     "rep outsb advanced RSI and cleared RCX");
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = 0;
	__asm__ volatile("rep insb"
			 : "+D"(dst), "+c"(cnt)
			 : "d"((u16)UNCLAIMED)
			 : "memory");
	g_ok(cnt == 0 && dst == buf + sizeof(buf) && buf[0] == 0xff &&
		 buf[15] == 0xff,
	     "rep insb from an unclaimed port filled 16 bytes with ff");
	dst = buf + 3;
	cnt = 4;
	buf[0] = 0;
	__asm__ volatile("std; rep insb; cld"
			 : "+D"(dst), "+c"(cnt)
			 : "d"((u16)SCRATCH)
			 : "memory");
	g_ok((unsigned long)dst == (unsigned long)buf - 1 && cnt == 0 &&
		 buf[0] == 0xa5,
	     "rep insb with DF=1 walks down and reads the scratch value");
}

static void test_msrs(void)
{
	int vec;
	u64 v = g_rdmsr_catch(0xc0000080, &vec);

	g_ok(vec < 0 && (v & 0x500) == 0x500,
	     "rdmsr EFER shows LME|LMA (0x%lx)", (unsigned long)v);
	g_wrmsr(0xc0000082, 0xffffffff81234560ULL);
	g_ok(g_rdmsr_catch(0xc0000082, &vec) == 0xffffffff81234560ULL &&
		 vec < 0,
	     "LSTAR write/read round trip");
	g_wrmsr(0x277, 0x0007040600070406ULL);
	g_ok(g_rdmsr_catch(0x277, &vec) == 0x0007040600070406ULL,
	     "PAT write/read round trip");
	g_rdmsr_catch(0x12345, &vec);
	g_ok(vec == 13 && g_fault_error() == 0,
	     "rdmsr of an unknown MSR: #GP(0)");
	g_expect_fault(2);
	g_wrmsr(0x277, 0x0202020202020202ULL);
	g_ok(g_fault_vector() == 13, "wrmsr of an invalid PAT: #GP");
	g_ok(g_counter(CNT_MSR_DENIED) == 2,
	     "denied MSR accesses counted (%ld)", g_counter(CNT_MSR_DENIED));
}

static void test_cr8_xsetbv(void)
{
	u64 cr8, cr4;
	u32 r[4];

	__asm__ volatile("mov %0, %%cr8" : : "r"(9ULL));
	__asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
	g_ok(cr8 == 9, "CR8 write/read through exits");
	g_cpuid(1, 0, r);
	if (!(r[2] & (1u << 26))) {
		g_printf("ok 99 - XSETBV # SKIP CPU has no XSAVE\n");
		return;
	}
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1ULL << 18)));
	g_cpuid(1, 0, r);
	g_ok(r[2] & (1u << 27), "CPUID shows OSXSAVE after CR4.OSXSAVE=1");
	__asm__ volatile("xsetbv" : : "c"(0), "a"(3), "d"(0));
	g_expect_fault(3);
	__asm__ volatile("xsetbv" : : "c"(0), "a"(4), "d"(0));
	g_ok(g_fault_vector() == 13, "XSETBV with AVX but not SSE: #GP");
}

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_idt_init();
	test_cpuid();
	test_vmcall();
	test_pio_sizes();
	test_string_io();
	test_msrs();
	test_cr8_xsetbv();
	g_printf("exits: %u failed; halting\n", g_tap_failed());
	__asm__ volatile("cli; hlt");
	return 1;
}
