/* SPDX-License-Identifier: MIT */
/*
 * cpl3: the VM exits a guest's user mode can cause, swept at CPL 3 with the
 * guest's own IDT, CR4.TSD/PCE/UMIP clear and IOPL 0 unless a case says
 * otherwise. Each must end as on a bare-metal Intel CPU without VMX: the
 * SDM's exception, with its vector and error code, RIP at the instruction
 * and RF = 1 in the pushed RFLAGS for a fault (SDM Vol 3A
 * "Instruction-Breakpoint Exception Condition"), CR2 for #PF; or the
 * instruction's normal result. Never a stopped VM.
 *
 * The CPU settles many of these before any exit (privilege checks take
 * priority over VM exits, SDM Vol 3C "Relative Priority of Faults and VM
 * Exits"); the rest are mica's to get right: CPUID, VMCALL, XSETBV (Bochs
 * exits before its CPL check), every #UD (mica intercepts #UD), port I/O
 * at IOPL 3 (unconditional I/O exiting: the memory side of INS/OUTS is
 * then mica's), the local APIC and ioram (EPT), and accesses that cross
 * from a device page into one the guest's paging denies by U/S, P, R/W or
 * protection key (mica's walk decides the second page).
 *
 * Each case copies its instruction bytes and a RET into a user page and
 * calls them from a CPL 3 stub that loads registers from cpl3_in and saves
 * them to cpl3_out. This guest's fault hook records the first exception
 * raised at CPL 3 and resumes at the RET; the stub's final HLT (#GP at
 * CPL 3) returns to CPL 0. A case the platform does not offer prints why on
 * a "# " line and is not counted.
 */
#include "guests/lib/guest.h"

#define LAPIC	  0xfee00000UL
#define IORAM	  0xc0010000UL
#define TSS	  0x1800UL /* mica's guest TSS and tables (vmm/guest_layout.h) */
#define PD	  0x4000UL   /* four PDs: the identity map of 4 GiB */
#define SUPER_RAM 0xe00000UL /* 2 MiB of RAM made supervisor-only */
#define PKEY_RAM  0xa00000UL /* 2 MiB of RAM given protection key 1 */
#define UART_SCR  0x3ff	     /* COM1 scratch register */

#define PTE_P	(1ULL << 0)
#define PTE_W	(1ULL << 1)
#define PTE_U	(1ULL << 2)
#define PTE_PK1 (1ULL << 59) /* protection key 1 (bits 62:59) */

#define X86_DB 1
#define X86_BP 3
#define X86_UD 6
#define X86_GP 13
#define X86_PF 14
#define X86_AC 17

#define PF_P  0x1
#define PF_W  0x2
#define PF_U  0x4
#define PF_PK 0x20

#define RFLAGS_CF    (1UL << 0)
#define RFLAGS_IF    (1UL << 9)
#define RFLAGS_IOPL3 (3UL << 12)
#define RFLAGS_RF    (1UL << 16)
#define RFLAGS_AC    (1UL << 18)

#define CR0_AM	    (1UL << 18)
#define CR4_TSD	    (1UL << 2)
#define CR4_UMIP    (1UL << 11)
#define CR4_OSXSAVE (1UL << 18)
#define CR4_PKE	    (1UL << 22)

#define MSR_TSC	    0x10U
#define MSR_EFER    0xc0000080U
#define MSR_TSC_AUX 0xc0000103U

#define LAPIC_ID      0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR     0x80
#define LAPIC_EOI     0xb0
#define LAPIC_SPIV    0xf0
#define LAPIC_ICR_LO  0x300
#define IPI_VECTOR    0x40

#define POISON 0xdeadbeefcafef00dULL

/* ------------------------------------------------------------ CPL 3 runs */

/* The stub's registers; offsets 0, 8, ..., 48 are used by the asm below. */
struct uregs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rflags;
};

struct uregs cpl3_in, cpl3_out;
u64 cpl3_saved_rsp, cpl3_saved_rflags;
u8 cpl3_code[4096] __attribute__((aligned(4096)));
void *cpl3_target = cpl3_code;

void cpl3_enter(u64 rflags);
extern char cpl3_stub[], cpl3_stub_hlt[], cpl3_back[];
__asm__(".text\n"
	"cpl3_stub:\n"
	"  mov cpl3_in+0(%rip), %rax\n"
	"  mov cpl3_in+8(%rip), %rbx\n"
	"  mov cpl3_in+16(%rip), %rcx\n"
	"  mov cpl3_in+24(%rip), %rdx\n"
	"  mov cpl3_in+32(%rip), %rsi\n"
	"  mov cpl3_in+40(%rip), %rdi\n"
	"  call *cpl3_target(%rip)\n"
	"  mov %rax, cpl3_out+0(%rip)\n"
	"  mov %rbx, cpl3_out+8(%rip)\n"
	"  mov %rcx, cpl3_out+16(%rip)\n"
	"  mov %rdx, cpl3_out+24(%rip)\n"
	"  mov %rsi, cpl3_out+32(%rip)\n"
	"  mov %rdi, cpl3_out+40(%rip)\n"
	"  pushfq\n"
	"  popq cpl3_out+48(%rip)\n"
	"cpl3_stub_hlt:\n"
	"  hlt\n"
	/* cpl3_enter(rflags): IRETQ to the stub at CPL 3, exceptions on a
	 * stack below this frame (TSS.RSP0). */
	"cpl3_enter:\n"
	"  push %rbx\n  push %rbp\n  push %r12\n"
	"  push %r13\n  push %r14\n  push %r15\n"
	"  pushfq\n  popq cpl3_saved_rflags(%rip)\n"
	"  mov %rsp, cpl3_saved_rsp(%rip)\n"
	"  lea -256(%rsp), %rax\n  and $-16, %rax\n"
	"  mov %rax, 0x1804\n"
	"  pushq $0x33\n"
	"  pushq g_user_stack_top(%rip)\n"
	"  pushq %rdi\n"
	"  pushq $0x3b\n"
	"  lea cpl3_stub(%rip), %rax\n  push %rax\n"
	"  iretq\n"
	"cpl3_back:\n"
	"  pop %r15\n  pop %r14\n  pop %r13\n"
	"  pop %r12\n  pop %rbp\n  pop %rbx\n"
	"  ret\n");

/* What the last run raised at CPL 3: the first exception, and how many. */
static int u_vec, u_vec2;
static unsigned u_count;
static u64 u_err, u_rip, u_rflags, u_cr2, u_resume;

static bool cpl3_hook(u64 vector, u64 error, struct g_iret *f)
{
	if ((f->cs & 3) != 3)
		return false; /* CPL 0: the library's expected-fault catch */
	if (vector != X86_GP || f->rip != (u64)(uintptr_t)cpl3_stub_hlt) {
		if (u_count++ == 0) {
			u_vec = (int)vector;
			u_err = error;
			u_rip = f->rip;
			u_rflags = f->rflags;
			u_cr2 = vector == X86_PF ? g_read_cr2() : 0;
			f->rip = u_resume;
			return true;
		}
		u_vec2 = (int)vector; /* a second one ends the run */
	}
	f->rip = (u64)(uintptr_t)cpl3_back;
	f->cs = 0x08;
	f->ss = 0x10;
	f->rsp = cpl3_saved_rsp;
	f->rflags = cpl3_saved_rflags;
	return true;
}

static void set_in(u64 rax, u64 rbx, u64 rcx, u64 rdx, u64 rsi, u64 rdi)
{
	cpl3_in = (struct uregs){rax, rbx, rcx, rdx, rsi, rdi, 0};
}

/* Run len instruction bytes at CPL 3 with the given RFLAGS. */
static void run(const u8 *b, unsigned len, u64 rflags)
{
	for (unsigned i = 0; i < len; i++)
		cpl3_code[i] = b[i];
	cpl3_code[len] = 0xc3;
	u_resume = (u64)(uintptr_t)cpl3_code + len;
	u_vec = u_vec2 = -1;
	u_count = 0;
	u_err = u_rip = u_rflags = u_cr2 = 0;
	cpl3_out = (struct uregs){POISON, POISON, POISON, POISON,
				  POISON, POISON, POISON};
	g_set_fault_hook(cpl3_hook);
	cpl3_enter(rflags | 2);
	g_set_fault_hook(0);
}

/* The last run raised exactly one fault, vec with error code err, at the
 * instruction's first byte, with RF = 1 pushed. */
static bool faulted(int vec, u64 err)
{
	return u_count == 1 && u_vec == vec && u_err == err &&
	       u_rip == (u64)(uintptr_t)cpl3_code && (u_rflags & RFLAGS_RF);
}

/* ... or one trap-class event delivered after the instruction of len
 * bytes, RF = 0 pushed (software interrupts clear it). */
static bool trapped(int vec, unsigned len)
{
	return u_count == 1 && u_vec == vec && u_err == 0 &&
	       u_rip == (u64)(uintptr_t)cpl3_code + len &&
	       !(u_rflags & RFLAGS_RF);
}

/* ... or completed without any exception. */
static bool ran(void)
{
	return u_count == 0 && cpl3_out.rflags != POISON;
}

static bool pf(u64 err, u64 cr2)
{
	return faulted(X86_PF, err) && u_cr2 == cr2;
}

static void diag(const char *name)
{
	if (!u_count) {
		g_printf("# %s: no exception%s\n", name,
			 cpl3_out.rflags == POISON ? ", the stub did not end"
						   : "");
		return;
	}
	g_printf("# %s: vector %d error %#lx at code%+ld, RF %u", name, u_vec,
		 u_err, (long)(u_rip - (u64)(uintptr_t)cpl3_code),
		 (unsigned)(u_rflags >> 16) & 1);
	if (u_vec == X86_PF)
		g_printf(", CR2 %#lx", u_cr2);
	if (u_count > 1)
		g_printf(", then vector %d", u_vec2);
	g_printf("\n");
}

/* One instruction form. */
struct ucase {
	const char *name;
	u8 len;
	u8 b[7];
};

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* Run each case with the current cpl3_in; count those not ending in the
 * fault vec(err). */
static unsigned sweep(const struct ucase *c, unsigned n, u64 rflags, int vec,
		      u64 err)
{
	unsigned bad = 0;
	struct uregs in = cpl3_in;

	for (unsigned i = 0; i < n; i++) {
		cpl3_in = in;
		run(c[i].b, c[i].len, rflags);
		if (!faulted(vec, err)) {
			bad++;
			diag(c[i].name);
		}
	}
	return bad;
}

/* ------------------------------------------------------------ CPL 0 side */

static u32 cpuid_reg(u32 leaf, u32 sub, unsigned r)
{
	u32 v[4];

	g_cpuid(leaf, sub, v);
	return v[r];
}

static bool has_xsave(void)
{
	return cpuid_reg(1, 0, 2) & (1U << 26);
}

/* WRMSR at CPL 0; the vector it raised, or -1. */
static int wrmsr_catch(u32 msr, u64 v)
{
	g_expect_fault(2);
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
	return g_fault_vector();
}

static u64 xgetbv0(void)
{
	u32 lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (u64)hi << 32 | lo;
}

/* MOV to CR4 from RAX (3 bytes) at CPL 0; the vector it raised, or -1. */
static int write_cr4_safe(u64 v)
{
	g_expect_fault(3);
	__asm__ volatile("mov %0, %%cr4" : : "a"(v) : "memory");
	return g_fault_vector();
}

static void wrpkru(u32 v)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xef" : : "a"(v), "c"(0), "d"(0));
}

static void flush_tlb(void)
{
	g_write_cr3(g_read_cr3());
}

static u64 *pde(u64 va)
{
	return (u64 *)PD + ((va >> 21) & 2047);
}

static volatile u32 *lapic(unsigned off)
{
	return (volatile u32 *)(LAPIC + off);
}

static u8 *idt_gate(unsigned v)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	return (u8 *)(uintptr_t)(idtr.base + 16 * v);
}

/* A page table for the 2 MiB holding ioram, 4 KiB pages identity-mapped
 * and user-accessible except: 0xC0011000 supervisor-only, 0xC0013000 not
 * present, 0xC0015000 read-only, 0xC0019000 protection key 1. Each is
 * preceded by a user page, for accesses that cross into it. */
#define IO_SUPER  0xc0011000UL
#define IO_ABSENT 0xc0013000UL
#define IO_RDONLY 0xc0015000UL
#define IO_USER2  0xc0017000UL
#define IO_PKEY	  0xc0019000UL

static u64 io_pt[512] __attribute__((aligned(4096)));

static void map_devices(void)
{
	for (unsigned i = 0; i < 512; i++)
		io_pt[i] =
		    (0xc0000000ULL + 4096ULL * i) | PTE_P | PTE_W | PTE_U;
	io_pt[(IO_SUPER >> 12) & 511] &= ~PTE_U;
	io_pt[(IO_ABSENT >> 12) & 511] = 0;
	io_pt[(IO_RDONLY >> 12) & 511] &= ~PTE_W;
	io_pt[(IO_PKEY >> 12) & 511] |= PTE_PK1;
	g_user_map(IORAM); /* the PDPT entry */
	g_user_map(LAPIC);
	*pde(IORAM) = (u64)(uintptr_t)io_pt | PTE_P | PTE_W | PTE_U;
	flush_tlb();
}

/* User buffers: an operand for memory forms, a page for string I/O. */
static u8 operand[64] __attribute__((aligned(64)));
static u8 xbuf[4096] __attribute__((aligned(64)));
static u8 iobuf[64];

#define UA(p) ((u64)(uintptr_t)(p))

/* ------------------------------------------------------------ the cases */

static void test_cpuid(void)
{
	static const u32 leaves[] = {0, 1, 7};
	static const u8 cpuid[] = {0x0f, 0xa2};
	unsigned bad = 0;

	for (unsigned i = 0; i < NCASES(leaves); i++) {
		u32 r[4];

		g_cpuid(leaves[i], 0, r);
		set_in(leaves[i], 0, 0, 0, 0, 0);
		run(cpuid, sizeof(cpuid), 0);
		if (!ran() || (u32)cpl3_out.rax != r[0] ||
		    (u32)cpl3_out.rbx != r[1] || (u32)cpl3_out.rcx != r[2] ||
		    (u32)cpl3_out.rdx != r[3]) {
			bad++;
			diag("CPUID");
			g_printf("# CPUID %#x at CPL 3: %08x %08x %08x %08x, "
				 "at CPL 0: %08x %08x %08x %08x\n",
				 leaves[i], (u32)cpl3_out.rax,
				 (u32)cpl3_out.rbx, (u32)cpl3_out.rcx,
				 (u32)cpl3_out.rdx, r[0], r[1], r[2], r[3]);
		}
	}
	g_ok(!bad, "CPUID at CPL 3: leaves 0, 1 and 7 return what CPL 0 sees");
}

static const u8 rdtsc[] = {0x0f, 0x31};
static const u8 rdtscp[] = {0x0f, 0x01, 0xf9};
static const u8 rdpid[] = {0xf3, 0x0f, 0xc7, 0xf8}; /* RDPID %rax */

static bool has_rdtscp(void)
{
	return cpuid_reg(0x80000001, 0, 3) & (1U << 27);
}

static bool has_rdpid(void)
{
	return cpuid_reg(7, 0, 2) & (1U << 22);
}

#define AUX 0x5a17

static void test_tsc(void)
{
	unsigned bad = 0;
	u64 t0, t1, tu;

	if (wrmsr_catch(MSR_TSC_AUX, AUX) != -1)
		g_printf("# WRMSR TSC_AUX at CPL 0 faulted\n");
	set_in(0, 0, 0, 0, 0, 0);
	t0 = g_rdtsc();
	run(rdtsc, sizeof(rdtsc), 0);
	t1 = g_rdtsc();
	tu = cpl3_out.rdx << 32 | (u32)cpl3_out.rax;
	if (!ran() || tu < t0 || tu > t1) {
		bad++;
		diag("RDTSC");
		g_printf("# RDTSC: CPL 0 %#lx, CPL 3 %#lx, CPL 0 %#lx\n", t0,
			 tu, t1);
	}
	if (has_rdtscp()) {
		t0 = g_rdtsc();
		run(rdtscp, sizeof(rdtscp), 0);
		t1 = g_rdtsc();
		tu = cpl3_out.rdx << 32 | (u32)cpl3_out.rax;
		if (!ran() || tu < t0 || tu > t1 || cpl3_out.rcx != AUX) {
			bad++;
			diag("RDTSCP");
			g_printf("# RDTSCP: TSC %#lx (CPL 0 %#lx..%#lx), ECX "
				 "%#lx\n",
				 tu, t0, t1, cpl3_out.rcx);
		}
	} else {
		run(rdtscp, sizeof(rdtscp), 0);
		if (!faulted(X86_UD, 0)) {
			bad++;
			diag("RDTSCP (not in CPUID)");
		}
	}
	if (has_rdpid()) {
		run(rdpid, sizeof(rdpid), 0);
		if (!ran() || cpl3_out.rax != AUX) {
			bad++;
			diag("RDPID");
			g_printf("# RDPID: %#lx\n", cpl3_out.rax);
		}
	} else {
		g_printf("# RDPID: not in CPUID, not run\n");
	}
	g_ok(!bad,
	     "RDTSC, RDTSCP%s and RDPID run at CPL 3 (TSC between CPL 0 "
	     "reads, TSC_AUX %#x)",
	     has_rdtscp() ? "" : " (#UD: not in CPUID)", AUX);

	bad = 0;
	g_write_cr4(g_read_cr4() | CR4_TSD);
	run(rdtsc, sizeof(rdtsc), 0);
	if (!faulted(X86_GP, 0)) {
		bad++;
		diag("RDTSC, CR4.TSD = 1");
	}
	run(rdtscp, sizeof(rdtscp), 0);
	if (!faulted(has_rdtscp() ? X86_GP : X86_UD, 0)) {
		bad++;
		diag("RDTSCP, CR4.TSD = 1");
	}
	g_write_cr4(g_read_cr4() & ~CR4_TSD);
	g_ok(!bad, "CR4.TSD = 1: RDTSC and RDTSCP at CPL 3 are #GP(0)");
}

static void test_rdpmc(void)
{
	static const struct ucase c[] = {{"RDPMC", 2, {0x0f, 0x33}}};

	set_in(0, 0, 0, 0, 0, 0);
	g_ok(!sweep(c, NCASES(c), 0, X86_GP, 0),
	     "RDPMC at CPL 3 with CR4.PCE = 0: #GP(0)");
}

static void test_privileged(void)
{
	static const struct ucase c[] = {
	    {"HLT", 1, {0xf4}},
	    {"INVD", 2, {0x0f, 0x08}},
	    {"WBINVD", 2, {0x0f, 0x09}},
	    {"INVLPG (%rax)", 3, {0x0f, 0x01, 0x38}},
	    {"CLTS", 2, {0x0f, 0x06}},
	    {"LMSW %ax", 3, {0x0f, 0x01, 0xf0}},
	};
	static const struct ucase mov[] = {
	    {"MOV %cr0, %rax", 3, {0x0f, 0x20, 0xc0}},
	    {"MOV %rax, %cr0", 3, {0x0f, 0x22, 0xc0}},
	    {"MOV %cr2, %rax", 3, {0x0f, 0x20, 0xd0}},
	    {"MOV %rax, %cr2", 3, {0x0f, 0x22, 0xd0}},
	    {"MOV %cr3, %rax", 3, {0x0f, 0x20, 0xd8}},
	    {"MOV %rax, %cr3", 3, {0x0f, 0x22, 0xd8}},
	    {"MOV %cr4, %rax", 3, {0x0f, 0x20, 0xe0}},
	    {"MOV %rax, %cr4", 3, {0x0f, 0x22, 0xe0}},
	    {"MOV %cr8, %rax", 4, {0x44, 0x0f, 0x20, 0xc0}},
	    {"MOV %rax, %cr8", 4, {0x44, 0x0f, 0x22, 0xc0}},
	};
	static const struct ucase dr[] = {
	    {"MOV %dr0, %rax", 3, {0x0f, 0x21, 0xc0}},
	    {"MOV %rax, %dr0", 3, {0x0f, 0x23, 0xc0}},
	    {"MOV %dr7, %rax", 3, {0x0f, 0x21, 0xf8}},
	    {"MOV %rax, %dr7", 3, {0x0f, 0x23, 0xf8}},
	};
	u64 cr0 = g_read_cr0(), cr3 = g_read_cr3(), cr4 = g_read_cr4();

	set_in(UA(operand), 0, 0, 0, 0, 0);
	g_ok(!sweep(c, NCASES(c), 0, X86_GP, 0),
	     "HLT, INVD, WBINVD, INVLPG, CLTS and LMSW at CPL 3: #GP(0)");
	set_in(0, 0, 0, 0, 0, 0);
	g_ok(!sweep(mov, NCASES(mov), 0, X86_GP, 0) && g_read_cr0() == cr0 &&
		 g_read_cr3() == cr3 && g_read_cr4() == cr4,
	     "MOV to and from CR0, CR2, CR3, CR4 and CR8 at CPL 3: #GP(0), "
	     "control registers unchanged");
	set_in(0x400, 0, 0, 0, 0, 0);
	g_ok(!sweep(dr, NCASES(dr), 0, X86_GP, 0),
	     "MOV to and from DR0 and DR7 at CPL 3: #GP(0)");
}

static void test_umip(void)
{
	static const u8 smsw[] = {0x0f, 0x01, 0xe0}; /* SMSW %eax */
	static const u8 sgdt[] = {0x0f, 0x01, 0x00}; /* SGDT (%rax) */
	static const u8 sidt[] = {0x0f, 0x01, 0x08}; /* SIDT (%rax) */
	static const struct ucase c[] = {
	    {"SMSW %eax", 3, {0x0f, 0x01, 0xe0}},
	    {"SGDT (%rax)", 3, {0x0f, 0x01, 0x00}},
	    {"SIDT (%rax)", 3, {0x0f, 0x01, 0x08}},
	    {"SLDT %eax", 3, {0x0f, 0x00, 0xc0}},
	    {"STR %eax", 3, {0x0f, 0x00, 0xc8}},
	};
	u8 gdtr[10], idtr[10];
	unsigned bad = 0;
	u16 msw;

	__asm__ volatile("smsw %0" : "=r"(msw));
	__asm__ volatile("sgdt %0\n sidt %1" : "=m"(gdtr), "=m"(idtr));
	set_in(0, 0, 0, 0, 0, 0);
	run(smsw, sizeof(smsw), 0);
	if (!ran() || (u16)cpl3_out.rax != msw) {
		bad++;
		diag("SMSW");
		g_printf("# SMSW: CPL 3 %#x, CPL 0 %#x\n", (u16)cpl3_out.rax,
			 msw);
	}
	for (unsigned k = 0; k < 2; k++) {
		const u8 *want = k ? idtr : gdtr;
		unsigned diff = 0;

		for (unsigned i = 0; i < 10; i++)
			operand[i] = 0xa5;
		set_in(UA(operand), 0, 0, 0, 0, 0);
		run(k ? sidt : sgdt, 3, 0);
		for (unsigned i = 0; i < 10; i++)
			diff += operand[i] != want[i];
		if (!ran() || diff) {
			bad++;
			diag(k ? "SIDT" : "SGDT");
		}
	}
	g_ok(!bad,
	     "SMSW, SGDT and SIDT at CPL 3 with CR4.UMIP = 0 store what CPL 0 "
	     "sees (MSW %#x)",
	     msw);
	if (!(cpuid_reg(7, 0, 2) & (1U << 2))) {
		g_printf("# UMIP: not in CPUID, CR4.UMIP = 1 not tried\n");
		return;
	}
	if (write_cr4_safe(g_read_cr4() | CR4_UMIP) != -1) {
		g_ok(false, "CR4.UMIP (in CPUID) can be set at CPL 0");
		return;
	}
	set_in(UA(operand), 0, 0, 0, 0, 0);
	bad = sweep(c, NCASES(c), 0, X86_GP, 0);
	g_write_cr4(g_read_cr4() & ~CR4_UMIP);
	g_ok(!bad, "CR4.UMIP = 1: SMSW, SGDT, SIDT, SLDT and STR at CPL 3 are "
		   "#GP(0)");
}

static void test_msr(void)
{
	static const struct ucase rd[] = {{"RDMSR", 2, {0x0f, 0x32}}};
	static const struct ucase wr[] = {{"WRMSR", 2, {0x0f, 0x30}}};
	u64 efer = g_rdmsr(MSR_EFER), tsc = g_rdtsc();
	unsigned bad = 0;

	set_in(0, 0, MSR_TSC, 0, 0, 0);
	bad += sweep(rd, 1, 0, X86_GP, 0);
	set_in(0, 0, MSR_EFER, 0, 0, 0);
	bad += sweep(rd, 1, 0, X86_GP, 0);
	/* Values CPL 0 could load: had one been, it would show. */
	set_in(0, 0, MSR_TSC, 0, 0, 0);
	bad += sweep(wr, 1, 0, X86_GP, 0);
	set_in((u32)(efer | 1), 0, MSR_EFER, efer >> 32, 0, 0); /* SCE */
	bad += sweep(wr, 1, 0, X86_GP, 0);
	g_ok(!bad && g_rdmsr(MSR_EFER) == efer && g_rdtsc() > tsc,
	     "RDMSR (TSC, EFER) and WRMSR (TSC = 0, EFER.SCE = 1) at CPL 3: "
	     "#GP(0), EFER (%#lx) and TSC unchanged",
	     g_rdmsr(MSR_EFER));
}

static void test_xsave(void)
{
	static const struct ucase set[] = {{"XSETBV", 3, {0x0f, 0x01, 0xd1}}};
	static const u8 xgetbv[] = {0x0f, 0x01, 0xd0};
	static const struct ucase xs[] = {
	    {"XSAVES (%rdi)", 3, {0x0f, 0xc7, 0x2f}},
	    {"XRSTORS (%rdi)", 3, {0x0f, 0xc7, 0x1f}},
	};
	bool xsaves;
	unsigned bad;
	u64 xcr0;
	int vec;

	if (!has_xsave()) {
		set_in(1, 0, 0, 0, 0, 0);
		g_ok(!sweep(set, 1, 0, X86_UD, 0),
		     "XSETBV at CPL 3 without XSAVE: #UD");
		return;
	}
	g_write_cr4(g_read_cr4() | CR4_OSXSAVE);
	xcr0 = xgetbv0();
	/* x87 and x87|SSE are valid on every XSAVE CPU: the one loaded, if
	 * any, would show. */
	set_in(xcr0 == 3 ? 1 : 3, 0, 0, 0, 0, 0);
	g_ok(!sweep(set, 1, 0, X86_GP, 0) && xgetbv0() == xcr0,
	     "XSETBV at CPL 3: #GP(0), XCR0 unchanged (%#lx)", xgetbv0());
	set_in(0, 0, 0, 0, 0, 0);
	run(xgetbv, sizeof(xgetbv), 0);
	if (!ran())
		diag("XGETBV");
	g_ok(ran() && (u32)cpl3_out.rax == (u32)xcr0 &&
		 (u32)cpl3_out.rdx == (u32)(xcr0 >> 32),
	     "XGETBV at CPL 3 with CR4.OSXSAVE = 1 reads XCR0 (%#lx)",
	     (u64)(u32)cpl3_out.rdx << 32 | (u32)cpl3_out.rax);
	xsaves = cpuid_reg(0xd, 1, 0) & (1U << 3);
	set_in(1, 0, 0, 0, 0, UA(xbuf));
	/* Hidden, XSAVES is #UD on a CPU without it, and in VMX non-root
	 * with "enable XSAVES/XRSTORS" clear (SDM Vol 3C 26.3); Bochs 2.7
	 * checks CPL first there and gives #GP(0) (docs/platforms.md). */
	bad = sweep(xs, NCASES(xs), 0, xsaves ? X86_GP : X86_UD, 0);
	if (bad && !xsaves)
		bad = sweep(xs, NCASES(xs), 0, X86_GP, 0);
	g_ok(!bad, "XSAVES and XRSTORS at CPL 3: %s",
	     xsaves ? "#GP(0)" : "#UD (not in CPUID; #GP(0) on Bochs)");
	/* What the CPUID bit promises at CPL 0. */
	g_expect_fault(3);
	__asm__ volatile(".byte 0x0f, 0xc7, 0x2f" /* XSAVES (%rdi) */
			 :
			 : "D"(xbuf), "a"(1), "d"(0)
			 : "memory");
	vec = g_fault_vector();
	g_ok(xsaves ? vec < 0 : vec == X86_UD,
	     "XSAVES at CPL 0 %s as CPUID.(EAX=0DH,ECX=1):EAX[3] = %u says "
	     "(vector %d)",
	     vec < 0 ? "runs" : "faults", xsaves, vec);
}

static void test_io_denied(void)
{
	static const struct ucase c[] = {
	    {"IN $0x80, %al", 2, {0xe4, 0x80}},
	    {"OUT %al, $0x80", 2, {0xe6, 0x80}},
	    {"IN %dx, %al", 1, {0xec}},
	    {"OUT %al, %dx", 1, {0xee}},
	    {"IN %dx, %ax", 2, {0x66, 0xed}},
	    {"IN %dx, %eax", 1, {0xed}},
	    {"OUT %eax, %dx", 1, {0xef}},
	    {"INSB", 1, {0x6c}},
	    {"OUTSB", 1, {0x6e}},
	    {"REP INSB", 2, {0xf3, 0x6c}},
	    {"REP OUTSB", 2, {0xf3, 0x6e}},
	};
	static const u8 in80[] = {0xe4, 0x80};
	unsigned bad;

	/* mica's boot TSS has no I/O bitmap: the map base is past the TSS
	 * limit (0x67), so with CPL > IOPL every port is refused (SDM Vol 1
	 * 19.5.2), not the ports the TSS's own bytes would allow as one. */
	set_in(0, 0, 0, 0, 0, 0);
	run(in80, sizeof(in80), 0);
	g_ok(!ran() && u_vec == X86_GP && *(volatile u16 *)(TSS + 0x66) >= 0x68,
	     "mica's boot TSS: I/O map base %#x past the limit, IN $0x80 at "
	     "CPL 3 with IOPL 0 is #GP (vector %d)",
	     *(volatile u16 *)(TSS + 0x66), ran() ? -1 : u_vec);
	g_outb(UART_SCR, 0x11);
	for (unsigned i = 0; i < sizeof(iobuf); i++)
		iobuf[i] = 0xee;
	set_in(0xee, 0, 1, UART_SCR, UA(iobuf), UA(iobuf));
	bad = sweep(c, NCASES(c), 0, X86_GP, 0);
	g_ok(!bad && g_inb(UART_SCR) == 0x11,
	     "IN/OUT (imm8 and DX) and INS/OUTS at CPL 3 with IOPL 0: #GP(0), "
	     "the scratch register unchanged (%#x)",
	     g_inb(UART_SCR));
}

static void test_io_iopl3(void)
{
	static const u8 out_in[] = {0xee, 0xec}; /* OUT %al,%dx; IN %dx,%al */
	static const u8 outs_ins[] = {0x6e, 0x6c};
	static const u8 rep_ins[] = {0xf3, 0x6c};
	static const u8 insb[] = {0x6c}, outsb[] = {0x6e};
	u8 *super = (u8 *)SUPER_RAM;
	unsigned bad = 0;
	u64 *pd_super = pde(SUPER_RAM);

	g_outb(UART_SCR, 0x11);
	set_in(0x5a, 0, 0, UART_SCR, 0, 0);
	run(out_in, sizeof(out_in), RFLAGS_IOPL3);
	g_ok(ran() && (u8)cpl3_out.rax == 0x5a && g_inb(UART_SCR) == 0x5a,
	     "IOPL 3: OUT then IN on port 0x3FF (scratch) at CPL 3 reads back "
	     "the value (%#x)",
	     (u8)cpl3_out.rax);
	if (!ran())
		diag("OUT/IN, IOPL 3");

	for (unsigned i = 0; i < sizeof(iobuf); i++)
		iobuf[i] = 0;
	iobuf[0] = 0xa7;
	set_in(0, 0, 3, UART_SCR, UA(iobuf), UA(iobuf + 1));
	run(outs_ins, sizeof(outs_ins), RFLAGS_IOPL3);
	if (!ran() || iobuf[1] != 0xa7 || cpl3_out.rsi != UA(iobuf + 1) ||
	    cpl3_out.rdi != UA(iobuf + 2)) {
		bad++;
		diag("OUTSB; INSB");
	}
	set_in(0, 0, 3, UART_SCR, 0, UA(iobuf + 8));
	run(rep_ins, sizeof(rep_ins), RFLAGS_IOPL3);
	if (!ran() || iobuf[8] != 0xa7 || iobuf[9] != 0xa7 ||
	    iobuf[10] != 0xa7 || iobuf[11] != 0 || cpl3_out.rcx != 0 ||
	    cpl3_out.rdi != UA(iobuf + 11)) {
		bad++;
		diag("REP INSB");
	}
	g_ok(!bad,
	     "IOPL 3: OUTSB, INSB and REP INSB (3) at CPL 3 move the byte "
	     "through user memory, RSI/RDI/RCX as the CPU leaves them");

	/* mica performs the memory side of INS/OUTS: its walk must refuse
	 * a supervisor-only page at CPL 3. */
	super[0] = 0x33;
	g_outb(UART_SCR, 0x44);
	*pd_super &= ~PTE_U;
	flush_tlb();
	bad = 0;
	set_in(0, 0, 0, UART_SCR, 0, SUPER_RAM);
	run(insb, 1, RFLAGS_IOPL3);
	if (!pf(PF_P | PF_W | PF_U, SUPER_RAM) || cpl3_out.rdi != SUPER_RAM) {
		bad++;
		diag("INSB into a supervisor page");
	}
	set_in(0, 0, 0, UART_SCR, SUPER_RAM, 0);
	run(outsb, 1, RFLAGS_IOPL3);
	if (!pf(PF_P | PF_U, SUPER_RAM) || cpl3_out.rsi != SUPER_RAM) {
		bad++;
		diag("OUTSB from a supervisor page");
	}
	g_ok(!bad && super[0] == 0x33 && g_inb(UART_SCR) == 0x44,
	     "IOPL 3: INSB into and OUTSB from a supervisor-only page at "
	     "CPL 3: #PF P|W|U and P|U, CR2 = RDI/RSI, neither memory nor "
	     "port written");

	/* REP INSB of 4 from 2 bytes below the page: 2 stored, then the
	 * fault with RCX and RDI at the faulting element. */
	super[-2] = super[-1] = 0;
	set_in(0, 0, 4, UART_SCR, 0, SUPER_RAM - 2);
	run(rep_ins, sizeof(rep_ins), RFLAGS_IOPL3);
	g_ok(pf(PF_P | PF_W | PF_U, SUPER_RAM) && cpl3_out.rcx == 2 &&
		 cpl3_out.rdi == SUPER_RAM && super[-2] == 0x44 &&
		 super[-1] == 0x44 && super[0] == 0x33,
	     "IOPL 3: REP INSB running into a supervisor-only page: 2 bytes "
	     "stored, #PF with RCX %lu and RDI %#lx at the page",
	     cpl3_out.rcx, cpl3_out.rdi);
	if (!pf(PF_P | PF_W | PF_U, SUPER_RAM))
		diag("REP INSB into a supervisor page");
	*pd_super |= PTE_U;
	flush_tlb();
}

static void test_absent(void)
{
	static const struct ucase mon[] = {
	    {"MONITOR", 3, {0x0f, 0x01, 0xc8}},
	    {"MWAIT", 3, {0x0f, 0x01, 0xc9}},
	};
	static const struct ucase ud[] = {
	    {"UD2", 2, {0x0f, 0x0b}},
	    {"UD2 'mica' NOP", 7, {0x0f, 0x0b, 'm', 'i', 'c', 'a', 0x90}},
	    {"SYSCALL (EFER.SCE = 0)", 2, {0x0f, 0x05}},
	    {"INTO", 1, {0xce}},
	};
	static const struct ucase vmcall[] = {
	    {"VMCALL", 3, {0x0f, 0x01, 0xc1}}};
	static const struct ucase invpcid[] = {
	    {"INVPCID (%rax), %rcx", 5, {0x66, 0x0f, 0x38, 0x82, 0x08}}};
	bool has_invpcid = cpuid_reg(7, 0, 1) & (1U << 10);
	unsigned bad;
	int vec;

	set_in(UA(operand), 0, 0, 0, 0, 0);
	g_ok(!sweep(mon, NCASES(mon), 0, X86_UD, 0),
	     "MONITOR and MWAIT at CPL 3: #UD (CPUID.1:ECX.MONITOR = %u)",
	     (cpuid_reg(1, 0, 2) >> 3) & 1);
	g_ok(!sweep(ud, NCASES(ud), 0, X86_UD, 0),
	     "UD2, UD2 with the forced-emulation signature (option off), "
	     "SYSCALL with EFER.SCE = 0 and INTO at CPL 3: #UD");
	/* HC_VERSION: served as a hypercall, RAX would become the version */
	set_in(HC_VERSION, 0, 0, 0, 0, 0);
	bad = sweep(vmcall, 1, 0, X86_UD, 0);
	g_ok(!bad && cpl3_out.rax == HC_VERSION,
	     "VMCALL at CPL 3: #UD, not a hypercall (RAX %#lx)", cpl3_out.rax);
	for (unsigned i = 0; i < 16; i++)
		operand[i] = 0;
	set_in(UA(operand), 0, 2, 0, 0, 0);
	g_ok(!sweep(invpcid, 1, 0, has_invpcid ? X86_GP : X86_UD, 0),
	     "INVPCID at CPL 3: %s",
	     has_invpcid ? "#GP(0) (CPUID.7:EBX.INVPCID = 1)"
			 : "#UD (not in CPUID)");
	/* What the CPUID bit promises at CPL 0 (type 2, all contexts:
	 * harmless). */
	g_expect_fault(5);
	__asm__ volatile(".byte 0x66, 0x0f, 0x38, 0x82, 0x08"
			 :
			 : "a"(operand), "c"(2UL)
			 : "memory");
	vec = g_fault_vector();
	g_ok(has_invpcid ? vec < 0 : vec == X86_UD,
	     "INVPCID at CPL 0 %s as CPUID.7:EBX.INVPCID = %u says (vector %d)",
	     vec < 0 ? "runs" : "faults", has_invpcid, vec);
}

static void test_random(void)
{
	static const struct {
		const char *name;
		u32 leaf;
		unsigned reg, bit; /* CPUID.leaf: reg (0 EAX .. 3 EDX), bit */
		u8 b[3];
	} c[] = {
	    {"RDRAND %eax", 1, 2, 30, {0x0f, 0xc7, 0xf0}},
	    {"RDSEED %eax", 7, 1, 18, {0x0f, 0xc7, 0xf8}},
	};
	unsigned bad = 0;

	for (unsigned i = 0; i < NCASES(c); i++) {
		bool has = cpuid_reg(c[i].leaf, 0, c[i].reg) & (1U << c[i].bit);
		bool ok = false;

		set_in(0, 0, 0, 0, 0, 0);
		if (!has) {
			run(c[i].b, 3, 0);
			ok = faulted(X86_UD, 0);
		}
		/* CF = 0 (no value yet) is allowed now and then: retry. */
		for (unsigned t = 0; has && t < 16 && !ok; t++) {
			run(c[i].b, 3, 0);
			if (!ran())
				break;
			ok = cpl3_out.rflags & RFLAGS_CF;
		}
		if (!ok) {
			bad++;
			diag(c[i].name);
		}
		if (!has)
			g_printf("# %s: not in CPUID, checked for #UD\n",
				 c[i].name);
	}
	g_ok(!bad, "RDRAND and RDSEED at CPL 3 run with CF = 1");
}

static void test_int(void)
{
	static const u8 int3[] = {0xcc}, int_3[] = {0xcd, 0x03};
	static const u8 int1[] = {0xf1}, int80[] = {0xcd, 0x80};
	u8 *gate3 = idt_gate(X86_BP) + 5; /* the type/DPL/P byte */
	u8 attr = *gate3;
	unsigned bad = 0;

	set_in(0, 0, 0, 0, 0, 0);
	*gate3 = attr | 0x60; /* DPL 3, as an OS gives #BP */
	run(int3, 1, 0);
	if (!trapped(X86_BP, 1)) {
		bad++;
		diag("INT3, DPL 3 gate");
	}
	run(int_3, 2, 0);
	if (!trapped(X86_BP, 2)) {
		bad++;
		diag("INT 3, DPL 3 gate");
	}
	*gate3 = attr;
	run(int3, 1, 0);
	if (!faulted(X86_GP, X86_BP << 3 | 2)) {
		bad++;
		diag("INT3, DPL 0 gate");
	}
	run(int80, 2, 0);
	if (!faulted(X86_GP, 0x80 << 3 | 2)) {
		bad++;
		diag("INT 0x80, DPL 0 gate");
	}
	/* INT1 (ICEBP) is not subject to the gate's DPL. */
	run(int1, 1, 0);
	if (!trapped(X86_DB, 1)) {
		bad++;
		diag("INT1");
	}
	g_ok(!bad,
	     "CPL 3: INT3/INT 3 via a DPL 3 gate #BP after it; via DPL 0 gates "
	     "INT3 #GP(%#x), INT 0x80 #GP(%#x); INT1 #DB",
	     X86_BP << 3 | 2, 0x80 << 3 | 2);
}

static void test_pause(void)
{
	static const u8 pause[] = {0xf3, 0x90};

	set_in(0, 0, 0, 0, 0, 0);
	run(pause, sizeof(pause), 0);
	if (!ran())
		diag("PAUSE");
	g_ok(ran(), "PAUSE at CPL 3 runs");
}

static const u8 load[] = {0x8b, 0x03};	/* mov (%rbx), %eax */
static const u8 store[] = {0x89, 0x03}; /* mov %eax, (%rbx) */

/* A CPL 3 load of 4 bytes at va; true if it ran. */
static bool user_load(u64 va, u32 *val)
{
	set_in(0, va, 0, 0, 0, 0);
	run(load, sizeof(load), 0);
	*val = (u32)cpl3_out.rax;
	return ran();
}

static bool user_store(u64 va, u32 val)
{
	set_in(val, va, 0, 0, 0, 0);
	run(store, sizeof(store), 0);
	return ran();
}

static long emulated(void)
{
	return g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0);
}

static void test_mmio_user(void)
{
	volatile u32 *io = (volatile u32 *)IORAM;
	u32 id = *lapic(LAPIC_ID), ver = *lapic(LAPIC_VERSION), v1, v2;
	unsigned long irqs, cr8;
	bool ok;

	ok = user_load(LAPIC + LAPIC_ID, &v1);
	ok &= user_load(LAPIC + LAPIC_VERSION, &v2);
	if (!ok)
		diag("LAPIC read");
	g_ok(ok && v1 == id && v2 == ver,
	     "local APIC page mapped user: CPL 3 reads ID %#x and version %#x "
	     "as CPL 0 does (%#x, %#x)",
	     v1, v2, id, ver);
	ok = user_store(LAPIC + LAPIC_TPR, 0x20);
	ok &= user_load(LAPIC + LAPIC_TPR, &v1);
	__asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
	if (!ok)
		diag("LAPIC TPR");
	g_ok(ok && v1 == 0x20 && cr8 == 2,
	     "a CPL 3 write of TPR 0x20 reads back (%#x) and CR8 follows (%lu)",
	     v1, cr8);
	*lapic(LAPIC_TPR) = 0;

	io[0] = 0x12345678;
	io[1] = 0;
	ok = user_load(IORAM, &v1);
	ok &= user_store(IORAM + 4, 0x9abcdef0);
	if (!ok)
		diag("ioram");
	g_ok(ok && v1 == 0x12345678 && io[1] == 0x9abcdef0,
	     "ioram mapped user: a CPL 3 read returns the device's value "
	     "(%#x), a CPL 3 write reaches it (%#x)",
	     v1, io[1]);

	/* A self-IPI sent from CPL 3 with IF = 1 is taken there. */
	*lapic(LAPIC_SPIV) = 0x1ff;
	irqs = g_irq_count(IPI_VECTOR);
	set_in(IPI_VECTOR | 1U << 18, LAPIC + LAPIC_ICR_LO, 0, 0, 0, 0);
	run(store, sizeof(store), RFLAGS_IF);
	if (!ran())
		diag("ICR write");
	irqs = g_irq_count(IPI_VECTOR) - irqs;
	*lapic(LAPIC_EOI) = 0;
	g_ok(ran() && irqs == 1,
	     "a self-IPI written to the ICR at CPL 3 with IF = 1 is delivered "
	     "(%lu)",
	     irqs);
}

static void test_mmio_super(void)
{
	u64 *pd_lapic = pde(LAPIC);
	unsigned bad = 0;
	long emu;
	u32 v;

	*(volatile u32 *)(IO_SUPER + 8) = 0x600d;
	*lapic(LAPIC_TPR) = 0;
	emu = emulated();
	if (user_load(IO_SUPER + 8, &v) || !pf(PF_P | PF_U, IO_SUPER + 8)) {
		bad++;
		diag("read of a supervisor ioram page");
	}
	if (user_store(IO_SUPER + 8, 0xbad) ||
	    !pf(PF_P | PF_W | PF_U, IO_SUPER + 8)) {
		bad++;
		diag("write of a supervisor ioram page");
	}
	*pd_lapic &= ~PTE_U;
	flush_tlb();
	if (user_load(LAPIC + LAPIC_VERSION, &v) ||
	    !pf(PF_P | PF_U, LAPIC + LAPIC_VERSION)) {
		bad++;
		diag("read of the supervisor LAPIC page");
	}
	if (user_store(LAPIC + LAPIC_TPR, 0x30) ||
	    !pf(PF_P | PF_W | PF_U, LAPIC + LAPIC_TPR)) {
		bad++;
		diag("write of the supervisor LAPIC page");
	}
	*pd_lapic |= PTE_U;
	flush_tlb();
	emu = emulated() - emu;
	g_ok(!bad && *(volatile u32 *)(IO_SUPER + 8) == 0x600d &&
		 *lapic(LAPIC_TPR) == 0,
	     "supervisor-only ioram and local APIC pages: CPL 3 reads #PF P|U, "
	     "writes #PF P|W|U, CR2 the address, devices unchanged (%ld "
	     "emulated by mica)",
	     emu);
}

/* Page-crossing 4-byte accesses at CPL 3 from a user ioram page into the
 * next page: the CPU reaches the device page first, so mica's walk
 * decides the second page (SDM Vol 3A 4.7: CR2 is the address that
 * faulted, here the second page's first byte). */
static void test_mmio_cross(void)
{
	static const struct {
		const char *name;
		u64 page;
		bool write;
		u64 err;
	} c[] = {
	    {"read into a supervisor page", IO_SUPER, false, PF_P | PF_U},
	    {"write into a supervisor page", IO_SUPER, true,
	     PF_P | PF_W | PF_U},
	    {"read into a not-present page", IO_ABSENT, false, PF_U},
	    {"write into a read-only page", IO_RDONLY, true,
	     PF_P | PF_W | PF_U},
	};
	volatile u8 *b;
	unsigned bad = 0;
	long emu = 0, e0;
	u32 v;

	for (unsigned i = 0; i < NCASES(c); i++) {
		u64 va = c[i].page - 2;
		bool r;

		b = (volatile u8 *)va;
		b[0] = 0x11;
		b[1] = 0x22;
		e0 = emulated();
		r = c[i].write ? user_store(va, 0xa5a5a5a5) : user_load(va, &v);
		emu += emulated() - e0;
		if (r || !pf(c[i].err, c[i].page) || b[0] != 0x11 ||
		    b[1] != 0x22) {
			bad++;
			diag(c[i].name);
			g_printf("# %s: first page bytes %#x %#x\n", c[i].name,
				 b[0], b[1]);
		}
	}
	g_ok(!bad,
	     "CPL 3 ioram access crossing into a supervisor, not-present or "
	     "(write) read-only page: #PF, CR2 at that page, nothing written "
	     "(%ld emulated)",
	     emu);
	b = (volatile u8 *)(IO_USER2 - 2);
	b[0] = 0x01;
	b[1] = 0x02;
	b[2] = 0x03;
	b[3] = 0x04;
	if (!user_load(IO_USER2 - 2, &v))
		diag("read across two user pages");
	g_ok(v == 0x04030201,
	     "a CPL 3 ioram read across two user pages returns both (%#x)", v);
}

static void test_alignment(void)
{
	static u32 ram[4];
	volatile u32 *io = (volatile u32 *)IORAM;
	unsigned bad = 0;
	u32 v;

	g_write_cr0(g_read_cr0() | CR0_AM);
	io[0] = 0xfeedf00d;
	set_in(0, UA(ram) + 1, 0, 0, 0, 0);
	run(load, sizeof(load), RFLAGS_AC);
	if (!faulted(X86_AC, 0)) {
		bad++;
		diag("misaligned RAM load, AC");
	}
	set_in(0, IORAM + 1, 0, 0, 0, 0);
	run(load, sizeof(load), RFLAGS_AC);
	if (!faulted(X86_AC, 0)) {
		bad++;
		diag("misaligned ioram load, AC");
	}
	set_in(0, IORAM, 0, 0, 0, 0);
	run(load, sizeof(load), RFLAGS_AC);
	v = (u32)cpl3_out.rax;
	if (!ran() || v != 0xfeedf00d) {
		bad++;
		diag("aligned ioram load, AC");
	}
	g_write_cr0(g_read_cr0() & ~CR0_AM);
	g_ok(!bad,
	     "CR0.AM and RFLAGS.AC at CPL 3: misaligned RAM and ioram loads "
	     "are #AC(0), an aligned ioram load runs (%#x)",
	     v);
}

/*
 * Protection keys (SDM Vol 3A 4.6.2): PKRU denies key 1, given to 2 MiB of
 * RAM and to one ioram page. Accesses the CPU translates itself fault
 * before any exit; the second page of a crossing access and the memory
 * side of INS/OUTS are mica's walk.
 */
static void test_pkeys(void)
{
	static const u8 insb[] = {0x6c}, outsb[] = {0x6e};
	volatile u8 *ram = (volatile u8 *)PKEY_RAM;
	u64 *pd_pkey = pde(PKEY_RAM);
	unsigned bad = 0;
	long emu;
	u32 v;

	if (!(cpuid_reg(7, 0, 2) & (1U << 3))) {
		g_printf("# protection keys: not in CPUID, not run\n");
		return;
	}
	if (write_cr4_safe(g_read_cr4() | CR4_PKE) != -1) {
		g_ok(false, "CR4.PKE (in CPUID) can be set at CPL 0");
		return;
	}
	ram[0] = 0x33;
	*(volatile u32 *)IO_PKEY = 0x600d;
	*pd_pkey |= PTE_PK1;
	flush_tlb();

	wrpkru(1U << 2); /* key 1: access disabled */
	if (user_load(PKEY_RAM, &v) || !pf(PF_P | PF_U | PF_PK, PKEY_RAM)) {
		bad++;
		diag("read of a key-1 RAM page");
	}
	if (user_load(IO_PKEY, &v) || !pf(PF_P | PF_U | PF_PK, IO_PKEY)) {
		bad++;
		diag("read of a key-1 ioram page");
	}
	wrpkru(1U << 3); /* key 1: write disabled */
	if (user_store(IO_PKEY, 0xbad) ||
	    !pf(PF_P | PF_W | PF_U | PF_PK, IO_PKEY)) {
		bad++;
		diag("write of a key-1 ioram page");
	}
	if (!user_load(IO_PKEY, &v) || v != 0x600d) {
		bad++;
		diag("read of a write-disabled key-1 ioram page");
	}
	wrpkru(0);
	g_ok(!bad && *(volatile u32 *)IO_PKEY == 0x600d,
	     "protection key 1 at CPL 3: access-disabled RAM and ioram reads "
	     "#PF P|U|PK, a write-disabled ioram write #PF P|W|U|PK, its read "
	     "runs");

	bad = 0;
	emu = emulated();
	wrpkru(1U << 2);
	if (user_load(IO_PKEY - 2, &v) || !pf(PF_P | PF_U | PF_PK, IO_PKEY)) {
		bad++;
		diag("read crossing into a key-1 ioram page");
	}
	wrpkru(1U << 3);
	if (user_store(IO_PKEY - 2, 0xa5a5a5a5) ||
	    !pf(PF_P | PF_W | PF_U | PF_PK, IO_PKEY)) {
		bad++;
		diag("write crossing into a key-1 ioram page");
	}
	wrpkru(0);
	emu = emulated() - emu;
	g_ok(!bad && *(volatile u32 *)IO_PKEY == 0x600d,
	     "key 1 at CPL 3: ioram accesses crossing into the key-1 page #PF "
	     "with PK, CR2 at the page, nothing written (%ld emulated, %#x)",
	     emu, *(volatile u32 *)IO_PKEY);

	bad = 0;
	g_outb(UART_SCR, 0x44);
	wrpkru(1U << 3);
	set_in(0, 0, 0, UART_SCR, 0, PKEY_RAM);
	run(insb, 1, RFLAGS_IOPL3);
	if (!pf(PF_P | PF_W | PF_U | PF_PK, PKEY_RAM)) {
		bad++;
		diag("INSB into a write-disabled key-1 page");
	}
	wrpkru(1U << 2);
	g_outb(UART_SCR, 0x55);
	set_in(0, 0, 0, UART_SCR, PKEY_RAM, 0);
	run(outsb, 1, RFLAGS_IOPL3);
	if (!pf(PF_P | PF_U | PF_PK, PKEY_RAM)) {
		bad++;
		diag("OUTSB from an access-disabled key-1 page");
	}
	wrpkru(0);
	g_ok(!bad && ram[0] == 0x33 && g_inb(UART_SCR) == 0x55,
	     "key 1, IOPL 3: INSB into a write-disabled, OUTSB from an "
	     "access-disabled page #PF with PK, memory and port unchanged "
	     "(%#x, %#x)",
	     ram[0], g_inb(UART_SCR));
	*pd_pkey &= ~PTE_PK1;
	flush_tlb();
	g_write_cr4(g_read_cr4() & ~CR4_PKE);
}

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_idt_init();
	g_user_setup();
	map_devices();
	if (has_xsave())
		g_write_cr4(g_read_cr4() | CR4_OSXSAVE);
	test_cpuid();
	test_tsc();
	test_rdpmc();
	test_privileged();
	test_umip();
	test_msr();
	test_xsave();
	test_io_denied();
	test_io_iopl3();
	test_absent();
	test_random();
	test_int();
	test_pause();
	test_mmio_user();
	test_mmio_super();
	test_mmio_cross();
	test_alignment();
	test_pkeys();
	wrmsr_catch(MSR_TSC_AUX, 0);
	return (int)g_tap_failed();
}
