/* SPDX-License-Identifier: MIT */
/*
 * hostile: guest behaviour that must end in the guest (a fault, a defined
 * value), never in a stopped VM, a panicked host or hypervisor data. The
 * module option "case=" picks one:
 *   xsetbv   XCR0 values the SDM refuses (AVX-512 in part, AVX without SSE,
 *            x87 clear, unsupported bits) are #GP(0); valid ones load;
 *   apic     wide and misaligned vector loads from the local APIC page
 *            return only defined bytes (registers and zeros);
 *   vmx      every VMX instruction, at CPL 0 and CPL 3, and GETSEC are #UD;
 *   rep67    an address-size-32 REP MOVSB from MMIO with garbage in
 *            RSI/RDI bits 63:32 is emulated once and completes;
 *   dirty    leaves CR2, DR0-DR3, x87/SSE/AVX registers, XCR0, PKRU,
 *            TSC_AUX and the SYSCALL MSRs set for the next guest;
 *   clean    finds all of them in their reset state;
 *   ptram    points a page-directory entry at a page table in unbacked
 *            guest-physical space and reads through it: mica stops the VM
 *            with a diagnostic instead of re-entering forever;
 *   repstorm REP STOSQ with RCX = 2^64 - 1 over unbacked guest-physical
 *            space: each exit emulates thousands of stores in mica, and
 *            the budget (host time included) must end the VM;
 *   idtram   loads an IDT based in unbacked guest-physical space and
 *            executes UD2: mica stops the VM naming the delivery instead
 *            of re-entering forever;
 *   exit64   ends with HC_EXIT(2^32), which must be reported whole (the
 *            boot expects exit:4294967296, so a truncation to 0 fails);
 *   eptpool  makes 4 KiB slots 2 MiB apart and touches the hole next to
 *            each: more EPT table pages than the VM's share, so mica
 *            must reclaim cached entries instead of stopping the VM; then
 *            locks slots until -ENOMEM.
 */
#include "guests/lib/guest.h"

#define IORAM	    0xc0010000UL
#define LAPIC	    0xfee00000UL
#define MSR_STAR    0xc0000081U
#define MSR_LSTAR   0xc0000082U
#define MSR_KGSB    0xc0000102U
#define MSR_TSCAUX  0xc0000103U
#define CR4_OSXSAVE (1UL << 18)
#define CR4_PKE	    (1UL << 22)

static u32 cpuid_reg(u32 leaf, u32 sub, unsigned r)
{
	u32 v[4];

	g_cpuid(leaf, sub, v);
	return v[r];
}

/* CR4.OSFXSR/OSXMMEXCPT, CR0.MP, no EM: SSE instructions may run. */
static void enable_sse(void)
{
	g_write_cr0((g_read_cr0() | 2) & ~4UL);
	g_write_cr4(g_read_cr4() | (3UL << 9));
}

static bool has_xsave(void)
{
	return cpuid_reg(1, 0, 2) & (1U << 26);
}

static bool has_pku(void)
{
	return cpuid_reg(7, 0, 2) & (1U << 3);
}

static u64 xgetbv0(void)
{
	u32 lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (u64)hi << 32 | lo;
}

/* XSETBV XCR0 = v; returns the vector raised, or -1. */
static int xsetbv0(u64 v)
{
	g_expect_fault(3);
	__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)v), "d"((u32)(v >> 32)));
	return g_fault_vector();
}

static void test_xsetbv(void)
{
	u64 sup;

	if (!has_xsave()) {
		g_printf("ok 1 - XSETBV # SKIP CPU has no XSAVE\n");
		return;
	}
	g_write_cr4(g_read_cr4() | CR4_OSXSAVE);
	sup = cpuid_reg(0xd, 0, 0) | (u64)cpuid_reg(0xd, 0, 3) << 32;
	g_ok(xsetbv0(0x0) == 13, "XSETBV XCR0 = 0 (x87 clear): #GP");
	g_ok(xsetbv0(0x5) == 13, "XSETBV x87|AVX without SSE: #GP");
	g_ok(xsetbv0(0x27) == 13,
	     "XSETBV x87|SSE|AVX|opmask without ZMM_Hi256/Hi16_ZMM: #GP");
	g_ok(xsetbv0(0xe3) == 13, "XSETBV AVX-512 without AVX: #GP");
	g_ok(xsetbv0(0x8000000000000001ULL) == 13, "XSETBV bit 63: #GP");
	g_ok(xsetbv0(0x3) == -1 && xgetbv0() == 0x3,
	     "XSETBV x87|SSE loads (XGETBV reads it back)");
	if ((sup & 0xe7) == 0xe7)
		g_ok(xsetbv0(0xe7) == -1 && xgetbv0() == 0xe7,
		     "XSETBV x87|SSE|AVX|AVX-512 loads");
	else
		g_printf("ok 7 - XSETBV AVX-512 # SKIP CPU has no AVX-512\n");
	g_ok(xsetbv0(0x1) == -1, "back to XCR0 = x87");
}

/* 32-byte or 16-byte load at p into buf: VMOVDQU if avx, else MOVDQU. */
static int vec_load(bool avx, unsigned long p, u8 *buf)
{
	if (avx) {
		g_expect_fault(4); /* c5 fe 6f 00 */
		__asm__ volatile("vmovdqu (%0), %%ymm0\n vmovdqu %%ymm0, (%1)"
				 :
				 : "r"(p), "r"(buf)
				 : "memory");
	} else {
		g_expect_fault(4); /* f3 0f 6f 00 */
		__asm__ volatile("movdqu (%0), %%xmm0\n movdqu %%xmm0, (%1)"
				 :
				 : "r"(p), "r"(buf)
				 : "memory");
	}
	return g_fault_vector();
}

static void test_apic(void)
{
	bool avx = has_xsave() && (cpuid_reg(1, 0, 2) & (1U << 28));
	unsigned len = avx ? 32 : 16, bad = 0;
	u32 version = *(volatile u32 *)(LAPIC + 0x30);
	u8 buf[32];

	enable_sse();
	if (avx) {
		g_write_cr4(g_read_cr4() | CR4_OSXSAVE);
		(void)xsetbv0(0x7);
	}
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = 0xa5;
	g_ok(vec_load(avx, LAPIC + 0x30, buf) == -1,
	     "%u-byte vector load from the APIC version register", len);
	for (unsigned i = 0; i < len; i++) {
		unsigned o = 0x30 + i;
		u8 want = (o & 0xf) < 4 && o < 0x40
			      ? (u8)(version >> (8 * (o & 3)))
			      : 0;

		bad += buf[i] != want;
	}
	/* 0x40 is a reserved register slot: it reads as 0. */
	g_ok(!bad, "every byte is the register's or 0 (%u differ)", bad);
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = 0xa5;
	bad = vec_load(avx, LAPIC + 0x32, buf) != -1;
	for (unsigned i = 0; i < len; i++) {
		unsigned o = 0x32 + i;
		u8 want = (o & 0xf) < 4 && o < 0x40
			      ? (u8)(version >> (8 * (o & 3)))
			      : 0;

		bad += buf[i] != want;
	}
	g_ok(!bad, "a misaligned load at 0x32: defined bytes only");
}

/* Each VMX instruction form, as bytes with a [RAX] operand where it takes
 * memory, then RET. */
static const struct {
	const char *name;
	u8 len;
	u8 b[6];
} vmx_insns[] = {
    {"VMXON", 4, {0xf3, 0x0f, 0xc7, 0x30}},
    {"VMCLEAR", 4, {0x66, 0x0f, 0xc7, 0x30}},
    {"VMPTRLD", 3, {0x0f, 0xc7, 0x30}},
    {"VMPTRST", 3, {0x0f, 0xc7, 0x38}},
    {"VMREAD", 3, {0x0f, 0x78, 0xc1}},
    {"VMWRITE", 3, {0x0f, 0x79, 0xc8}},
    {"VMLAUNCH", 3, {0x0f, 0x01, 0xc2}},
    {"VMRESUME", 3, {0x0f, 0x01, 0xc3}},
    {"VMXOFF", 3, {0x0f, 0x01, 0xc4}},
    {"INVEPT", 5, {0x66, 0x0f, 0x38, 0x80, 0x08}},
    {"INVVPID", 5, {0x66, 0x0f, 0x38, 0x81, 0x08}},
    {"VMFUNC", 3, {0x0f, 0x01, 0xd4}},
    {"GETSEC", 2, {0x0f, 0x37}},
};

static u8 vmx_page[4096] __attribute__((aligned(4096)));
static u8 operand[64] __attribute__((aligned(16)));
static unsigned user_insn;
static int user_vector;

/* One instruction at vmx_page, with RAX pointing at a zeroed operand. */
static int run_vmx(unsigned i)
{
	for (unsigned k = 0; k < vmx_insns[i].len; k++)
		vmx_page[k] = vmx_insns[i].b[k];
	vmx_page[vmx_insns[i].len] = 0xc3;
	g_expect_fault(vmx_insns[i].len);
	__asm__ volatile("call *%0"
			 :
			 : "r"(vmx_page), "a"(operand), "c"(0), "d"(0)
			 : "memory");
	return g_fault_vector();
}

void user_vmx(void);
__asm__(".text\nuser_vmx: lea operand(%rip), %rax\n"
	"call *vmx_target(%rip)\n hlt\n");
void *vmx_target = vmx_page;

static bool user_hook(u64 vector, u64 error, struct g_iret *f)
{
	(void)error;
	user_vector = (int)vector;
	f->rip += vmx_insns[user_insn].len;
	return true;
}

static void test_vmx(void)
{
	unsigned ud = 0, n = sizeof(vmx_insns) / sizeof(vmx_insns[0]);
	long absent;

	g_hypercall(HC_TEST_RESET_COUNTERS, 0, 0, 0, 0, 0);
	for (unsigned i = 0; i < n; i++) {
		int vec = run_vmx(i);

		ud += vec == 6;
		if (vec != 6)
			g_printf("# %s at CPL 0: vector %d\n",
				 vmx_insns[i].name, vec);
	}
	g_ok(ud == n, "%u of %u VMX/SMX instructions at CPL 0 raised #UD", ud,
	     n);
	g_user_setup();
	g_user_map((u64)(uintptr_t)vmx_page);
	g_user_map((u64)(uintptr_t)operand);
	ud = 0;
	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; k < vmx_insns[i].len; k++)
			vmx_page[k] = vmx_insns[i].b[k];
		vmx_page[vmx_insns[i].len] = 0xc3;
		user_insn = i;
		user_vector = -1;
		g_user_run(user_vmx, user_hook);
		ud += user_vector == 6;
		if (user_vector != 6)
			g_printf("# %s at CPL 3: vector %d\n",
				 vmx_insns[i].name, user_vector);
	}
	g_ok(ud == n, "%u of %u VMX/SMX instructions at CPL 3 raised #UD", ud,
	     n);
	absent = g_hypercall(HC_TEST_COUNTER, CNT_ABSENT_INSN, 0, 0, 0, 0);
	g_ok(absent > 0, "mica answered the exiting ones (%ld) with #UD",
	     absent);
}

static u8 rep_dst[64];

static void test_rep67(void)
{
	volatile u8 *io = (volatile u8 *)IORAM;
	u64 si = 0xdead000000000000ULL | IORAM;
	u64 di = 0xbeef000000000000ULL | (u64)(uintptr_t)rep_dst;
	u64 cx = 0x1234000000000000ULL | 40;
	long emulated;
	unsigned bad = 0;

	for (unsigned i = 0; i < 40; i++)
		io[i] = (u8)(i * 7 + 1);
	emulated = g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0);
	__asm__ volatile(".byte 0x67\n rep movsb"
			 : "+S"(si), "+D"(di), "+c"(cx)
			 :
			 : "memory");
	emulated =
	    g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0) - emulated;
	for (unsigned i = 0; i < 40; i++)
		bad += rep_dst[i] != (u8)(i * 7 + 1);
	g_ok(!bad && cx == 0 && si == IORAM + 40 &&
		 di == (u64)(uintptr_t)rep_dst + 40,
	     "67 REP MOVSB from MMIO with RSI/RDI/RCX bits 63:32 set: 40 bytes "
	     "copied, ECX 0, ESI/EDI advanced, bits 63:32 cleared");
	g_ok(emulated >= 1, "emulated by mica (%ld instructions)", emulated);
}

/* The values the dirty case leaves and the clean case must not see. */
#define MARK 0x5a5a5a5a5a5a5a5aULL

static void test_dirty(void)
{
	u64 x[4] = {MARK, MARK, MARK, MARK};

	enable_sse();
	g_write_cr2(MARK);
	__asm__ volatile("mov %0, %%dr0\n mov %0, %%dr1\n mov %0, %%dr2\n"
			 "mov %0, %%dr3"
			 :
			 : "r"(MARK & 0xfffff000));
	__asm__ volatile("movdqu (%0), %%xmm7\n fldpi\n fldpi" : : "r"(x));
	g_wrmsr(MSR_TSCAUX, 0x5a);
	g_wrmsr(MSR_STAR, MARK & 0xffff0000ffffffffULL);
	g_wrmsr(MSR_LSTAR, MARK & 0x00007ffffffff000ULL);
	g_wrmsr(MSR_KGSB, MARK & 0x00007ffffffff000ULL);
	if (has_xsave()) {
		g_write_cr4(g_read_cr4() | CR4_OSXSAVE);
		if (cpuid_reg(1, 0, 2) & (1U << 28)) {
			(void)xsetbv0(0x7);
			__asm__ volatile("vmovdqu (%0), %%ymm8" : : "r"(x));
		} else {
			(void)xsetbv0(0x3);
		}
	}
	if (has_pku()) {
		g_write_cr4(g_read_cr4() | CR4_PKE);
		__asm__ volatile("wrpkru" : : "a"(0x5555554c), "c"(0), "d"(0));
	}
	g_ok(true, "CR2, DR0-3, XMM7, YMM8, x87, TSC_AUX, STAR, LSTAR, "
		   "KERNEL_GS_BASE, XCR0 and PKRU set for the next guest");
}

static void test_clean(void)
{
	u64 dr[4], x[4] = {1, 1, 1, 1}, y[4] = {1, 1, 1, 1};
	u16 fsw, fcw;
	u32 mxcsr;
	bool dr_clean = true, y_clean = true;

	enable_sse();
	__asm__ volatile("mov %%dr0, %0\n mov %%dr1, %1\n mov %%dr2, %2\n"
			 "mov %%dr3, %3"
			 : "=r"(dr[0]), "=r"(dr[1]), "=r"(dr[2]), "=r"(dr[3]));
	for (unsigned i = 0; i < 4; i++)
		dr_clean &= dr[i] == 0;
	__asm__ volatile("movdqu %%xmm7, (%0)\n fnstsw %1\n fnstcw %2\n"
			 "stmxcsr %3"
			 :
			 : "r"(x), "m"(fsw), "m"(fcw), "m"(mxcsr)
			 : "memory");
	g_ok(g_read_cr2() == 0, "CR2 is 0 (%#lx)", g_read_cr2());
	g_ok(dr_clean, "DR0-DR3 are 0");
	g_ok(x[0] == 0 && x[1] == 0, "XMM7 is 0");
	g_ok(fsw == 0 && fcw == 0x37f && mxcsr == 0x1f80,
	     "x87 and SSE control state as after INIT (FSW %#x FCW %#x MXCSR "
	     "%#x)",
	     fsw, fcw, mxcsr);
	g_ok(g_rdmsr(MSR_TSCAUX) == 0 && g_rdmsr(MSR_STAR) == 0 &&
		 g_rdmsr(MSR_LSTAR) == 0 && g_rdmsr(MSR_KGSB) == 0,
	     "TSC_AUX, STAR, LSTAR and KERNEL_GS_BASE are 0");
	if (has_xsave()) {
		g_write_cr4(g_read_cr4() | CR4_OSXSAVE);
		g_ok(xgetbv0() == 1, "XCR0 is x87 only (%#lx)",
		     (unsigned long)xgetbv0());
		if (cpuid_reg(1, 0, 2) & (1U << 28)) {
			(void)xsetbv0(0x7);
			__asm__ volatile("vmovdqu %%ymm8, (%0)"
					 :
					 : "r"(y)
					 : "memory");
			for (unsigned i = 0; i < 4; i++)
				y_clean &= y[i] == 0;
		}
		g_ok(y_clean, "YMM8 is 0");
	} else {
		g_printf("ok 6 - XCR0 # SKIP CPU has no XSAVE\n");
		g_printf("ok 7 - YMM8 # SKIP CPU has no XSAVE\n");
	}
	if (has_pku()) {
		u32 pkru;

		g_write_cr4(g_read_cr4() | CR4_PKE);
		__asm__ volatile("rdpkru" : "=a"(pkru) : "c"(0) : "rdx");
		g_ok(pkru == 0, "PKRU is 0 (%#x)", pkru);
	} else {
		g_printf("ok 8 - PKRU # SKIP CPU has no PKU\n");
	}
}

/* mica's identity page directories: four contiguous PDs at 0x4000
 * (vmm/load/guest_layout.h); 0x7000000 is past the 16 MiB of RAM, unbacked. */
#define PD_BASE	    0x4000UL
#define UNBACKED_PT 0x7000000UL

static void test_ptram(void)
{
	volatile u64 *pd = (volatile u64 *)PD_BASE;
	unsigned long va = 1UL << 30; /* PD entry 512 */

	pd[512] = UNBACKED_PT | 3; /* present, writable, a page table */
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	(void)*(volatile u32 *)va;
	g_printf("not ok 1 - a read through an unbacked page table returned\n");
}

static void test_idtram(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = {0xfff, UNBACKED_PT};

	__asm__ volatile("lidt %0\n ud2" : : "m"(idtr));
	g_printf("not ok 1 - UD2 with an IDT outside RAM returned\n");
}

static void test_repstorm(void)
{
	unsigned long di = 1UL << 30, cx = ~0UL; /* identity map, no RAM */

	__asm__ volatile("rep stosq" : "+D"(di), "+c"(cx) : "a"(0) : "memory");
	g_printf("not ok 1 - REP STOSQ of 2^64 - 1 elements ended\n");
}

/*
 * EPT table pool: EPTPOOL_SLOTS 4 KiB slots at 1 GiB + 2 MiB * i (identity
 * mapped by the guest's 2 MiB pages, no RAM there), each aliasing one of
 * EPTPOOL_PAGES pages of the guest's RAM. A slot and the hole next to it
 * share a page table; EPTPOOL_SLOTS of them are more than the share of
 * table pages mica gives a 16 MiB guest (docs/memslots.md).
 */
#define EPTPOOL_SLOTS 400
#define EPTPOOL_PAGES 16
#define EPTPOOL_GPA   (1UL << 30)

static u8 eptpool_pages[EPTPOOL_PAGES][4096] __attribute__((aligned(4096)));

static long eptpool_set(unsigned i, u64 size)
{
	u64 off = (u64)(uintptr_t)eptpool_pages[i % EPTPOOL_PAGES];

	return g_hypercall(HC_SET_MEMORY_REGION, 1 + i, 0,
			   EPTPOOL_GPA + (u64)i * 0x200000, size, off);
}

static unsigned eptpool_touch(void)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < EPTPOOL_SLOTS; i++) {
		volatile u32 *slot =
		    (volatile u32 *)(EPTPOOL_GPA + (u64)i * 0x200000);

		(void)slot[1024]; /* the hole: an MMIO entry */
		bad += slot[0] != 0xe9700000U + i % EPTPOOL_PAGES;
	}
	return bad;
}

static void test_eptpool(void)
{
	unsigned created = 0, bad, locked = 0;
	long rc = 0;

	for (unsigned p = 0; p < EPTPOOL_PAGES; p++)
		*(u32 *)eptpool_pages[p] = 0xe9700000U + p;
	for (unsigned i = 0; i < EPTPOOL_SLOTS; i++)
		created += eptpool_set(i, 4096) == 0;
	g_ok(created == EPTPOOL_SLOTS, "%u 4 KiB slots 2 MiB apart", created);
	g_hypercall(HC_TEST_RESET_COUNTERS, 0, 0, 0, 0, 0);
	bad = eptpool_touch();
	bad += eptpool_touch();
	g_ok(bad == 0,
	     "each slot reads its page and each hole is MMIO, "
	     "twice over (%u wrong)",
	     bad);
	g_ok(g_hypercall(HC_TEST_COUNTER, CNT_EPT_RECLAIMS, 0, 0, 0, 0) > 0,
	     "the share of EPT table pages ran out and was reclaimed "
	     "(%ld times)",
	     g_hypercall(HC_TEST_COUNTER, CNT_EPT_RECLAIMS, 0, 0, 0, 0));
	for (unsigned i = 0; i < EPTPOOL_SLOTS; i++) {
		rc = g_hypercall(HC_LOCK_MEMSLOT, 1 + i, 1, 0, 0, 0);
		if (rc)
			break;
		locked++;
	}
	g_ok(rc == -12 && locked > 0 && locked < EPTPOOL_SLOTS,
	     "locks fill the share: %u locked, the next is -ENOMEM (%ld)",
	     locked, rc);
	bad = eptpool_touch();
	g_ok(bad == 0,
	     "with the share full of locked slots, every access "
	     "still resolves (%u wrong)",
	     bad);
	g_ok(g_hypercall(HC_UNLOCK_MEMSLOT, ~0U, 0, 0, 0, 0) == (long)locked,
	     "unlock all");
	bad = 0;
	for (unsigned i = 0; i < EPTPOOL_SLOTS; i++)
		bad += eptpool_set(i, 0) != 0;
	g_ok(bad == 0, "slots deleted");
}

int guest_main(u32 magic, u32 info)
{
	const char *cl = g_cmdline(info);

	(void)magic;
	g_idt_init();
	if (g_has_word(cl, "case=xsetbv"))
		test_xsetbv();
	else if (g_has_word(cl, "case=apic"))
		test_apic();
	else if (g_has_word(cl, "case=vmx"))
		test_vmx();
	else if (g_has_word(cl, "case=rep67"))
		test_rep67();
	else if (g_has_word(cl, "case=dirty"))
		test_dirty();
	else if (g_has_word(cl, "case=clean"))
		test_clean();
	else if (g_has_word(cl, "case=ptram"))
		test_ptram();
	else if (g_has_word(cl, "case=repstorm"))
		test_repstorm();
	else if (g_has_word(cl, "case=idtram"))
		test_idtram();
	else if (g_has_word(cl, "case=eptpool"))
		test_eptpool();
	else if (g_has_word(cl, "case=exit64"))
		g_hypercall(HC_EXIT, 1ULL << 32, 0, 0, 0, 0);
	else
		g_printf("not ok 1 - no case= given\n");
	return (int)g_tap_failed();
}
