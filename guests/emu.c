/* SPDX-License-Identifier: MIT */
/*
 * emu: differential test of mica's instruction emulator. Every instruction
 * form below runs three ways on the same random inputs:
 *   native  - on a RAM buffer, executed by the CPU;
 *   MMIO    - with its memory operand in ioram (GPA 0xC0010000): each
 *             access is an EPT exit and mica emulates the instruction;
 *   forced  - on the RAM buffer behind the forced-emulation prefix
 *             (ud2 "mica", module option forced-emu), so mica emulates it.
 * All GPRs, RFLAGS (the flags the SDM defines for the form), the stack
 * pointer, vector registers where used, the exception raised, and the
 * memory windows must agree exactly. RBX (RDI for CMPXCHG8B/16B) points
 * at the memory operand; string forms use RSI/RDI. Needs the module option
 * forced-emu and a budget for about 300,000 exits.
 *
 * The same source, built with -m32, is the guest emu32 (guests/guests.list):
 * the test in 32-bit protected mode (CS.D = 1, paging off except for the
 * page-crossing forms), so mica decodes and emulates with 32-bit default
 * operand and address size, no REX, 32-bit moffs and a 4-byte stack. The
 * harness and the set-up differ (#ifdef __x86_64__ here and in
 * emu_setup.h); the form list keeps the forms of emu that exist outside
 * 64-bit mode and adds their 32-bit counterparts and 16-bit addressing (67
 * prefix) through an FS base (emu_forms.h); then the segment-limit cases
 * of emu_seg.h run: data segments with limits, null and read-only
 * selectors in DS, ES, FS, GS and SS. emu32 needs the module options
 * mode=32 and forced-emu.
 */
#include "guests/lib/guest.h"

#define IORAM	 0xc0010000UL
#define SEED	 0x6d6963615f656d75ULL
#define INPUTS	 8	/* random inputs per form */
#define WIN	 96	/* default memory window (bytes) */
#define WIN_STR	 512	/* window of the string forms */
#define WIN_BIG	 8192	/* window of the long REP forms */
#define WIN_OFF	 0x100	/* window offset in the buffer's first page */
#define DIAG_MAX 2	/* failing inputs printed per form */
#define SEG_BASE 0x1000 /* FS and GS base for the segment forms */
#define A16_DISP 0x7ff0 /* displacement of the G_A16D forms */

/* RFLAGS bits (SDM Vol. 1 3.4.3). */
#define CF    0x1ULL
#define PF    0x4ULL
#define AF    0x10ULL
#define ZF    0x40ULL
#define SF    0x80ULL
#define DF    0x400ULL
#define OF    0x800ULL
#define ARITH (CF | PF | AF | ZF | SF | OF)

/* A register-sized value: 64 bits in emu, 32 in emu32. */
typedef unsigned long ureg;

/* GPRs loaded and saved by the harness, in struct cpu order. */
#ifdef __x86_64__
enum { R_AX, R_CX, R_DX, R_BX, R_SI, R_DI, R_8, R_9, R_10, R_11, NGPR };

static const char *const gpr_name[NGPR] = {"rax", "rcx", "rdx", "rbx", "rsi",
					   "rdi", "r8",	 "r9",	"r10", "r11"};
#define NAME "emu"
#else
enum { R_AX, R_CX, R_DX, R_BX, R_SI, R_DI, NGPR };

static const char *const gpr_name[NGPR] = {"eax", "ecx", "edx",
					   "ebx", "esi", "edi"};
#define NAME "emu32"
#endif

/* In/out state of one run; the offsets are used by the asm below. */
struct cpu {
	ureg gpr[NGPR]; /* 0 */
	ureg rflags;	/* 80 (emu32: 24) */
	ureg rsp_save;	/* 88 (28): RSP at entry, restored on the way out */
	ureg rsp_out;	/* 96 (32): RSP after the instruction */
	ureg stack_top; /* 104 (36): word at RSP after the instruction */
	ureg vector;	/* exception raised, NO_VEC if none */
	ureg error;
	/* 128 (64): XMM0/YMM0, XMM1/YMM1 */
	u8 vec[2][32] __attribute__((aligned(32)));
} __attribute__((aligned(32)));

/* The register holding the state pointer, the vector offsets as text. */
#ifdef __x86_64__
#define CPU    "r15"
#define CPU_V0 "128"
#define CPU_V1 "160"
_Static_assert(__builtin_offsetof(struct cpu, rflags) == 80, "asm offsets");
_Static_assert(__builtin_offsetof(struct cpu, stack_top) == 104, "offsets");
_Static_assert(__builtin_offsetof(struct cpu, vec) == 128, "asm offsets");
#else
#define CPU    "ebp"
#define CPU_V0 "64"
#define CPU_V1 "96"
_Static_assert(__builtin_offsetof(struct cpu, rflags) == 24, "asm offsets");
_Static_assert(__builtin_offsetof(struct cpu, stack_top) == 36, "offsets");
_Static_assert(__builtin_offsetof(struct cpu, vec) == 64, "asm offsets");
#endif

#define NO_VEC (~0UL)

/* The state the harness runs on; the fault hook and emu_tail use it. */
struct cpu *emu_cur;

/*
 * The harness. EMU_HEAD saves the callee-saved registers, keeps the state
 * pointer in R15 (EBP in emu32) and loads the GPRs; EMU_FLAGS loads RFLAGS
 * last. Every form then jumps to emu_tail, which stores RFLAGS and the
 * GPRs, records RSP and the word it points at, and returns on the saved
 * stack. A fault in the instruction resumes at emu_tail too
 * (emu_fault_hook).
 */
#ifdef __x86_64__
__asm__(".pushsection .text\n"
	".intel_syntax noprefix\n"
	".macro EMU_HEAD\n"
	"push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
	"mov r15, rdi\n mov [r15 + 88], rsp\n"
	"mov rax, [r15]\n mov rcx, [r15 + 8]\n mov rdx, [r15 + 16]\n"
	"mov rbx, [r15 + 24]\n mov rsi, [r15 + 32]\n mov rdi, [r15 + 40]\n"
	"mov r8, [r15 + 48]\n mov r9, [r15 + 56]\n mov r10, [r15 + 64]\n"
	"mov r11, [r15 + 72]\n"
	".endm\n"
	".macro EMU_FLAGS\n push qword ptr [r15 + 80]\n popfq\n .endm\n"
	".globl emu_tail\n"
	"emu_tail:\n"
	"mov r15, [rip + emu_cur]\n"
	"pushfq\n pop qword ptr [r15 + 80]\n cld\n"
	"mov [r15], rax\n mov [r15 + 8], rcx\n mov [r15 + 16], rdx\n"
	"mov [r15 + 24], rbx\n mov [r15 + 32], rsi\n mov [r15 + 40], rdi\n"
	"mov [r15 + 48], r8\n mov [r15 + 56], r9\n mov [r15 + 64], r10\n"
	"mov [r15 + 72], r11\n"
	"mov [r15 + 96], rsp\n mov rax, [rsp]\n mov [r15 + 104], rax\n"
	"mov rsp, [r15 + 88]\n"
	"pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n ret\n"
	".att_syntax prefix\n"
	".popsection\n");
#else
/* cdecl: the state pointer is the argument above the four saved GPRs. */
__asm__(".pushsection .text\n"
	".intel_syntax noprefix\n"
	".macro EMU_HEAD\n"
	"push ebx\n push ebp\n push esi\n push edi\n"
	"mov ebp, [esp + 20]\n mov [ebp + 28], esp\n"
	"mov eax, [ebp]\n mov ecx, [ebp + 4]\n mov edx, [ebp + 8]\n"
	"mov ebx, [ebp + 12]\n mov esi, [ebp + 16]\n mov edi, [ebp + 20]\n"
	".endm\n"
	".macro EMU_FLAGS\n push dword ptr [ebp + 24]\n popfd\n .endm\n"
	".globl emu_tail\n"
	"emu_tail:\n"
	"mov ebp, dword ptr [emu_cur]\n"
	"pushfd\n pop dword ptr [ebp + 24]\n cld\n"
	"mov [ebp], eax\n mov [ebp + 4], ecx\n mov [ebp + 8], edx\n"
	"mov [ebp + 12], ebx\n mov [ebp + 16], esi\n mov [ebp + 20], edi\n"
	"mov [ebp + 32], esp\n mov eax, [esp]\n mov [ebp + 36], eax\n"
	"mov esp, [ebp + 28]\n"
	"pop edi\n pop esi\n pop ebp\n pop ebx\n ret\n"
	".att_syntax prefix\n"
	".popsection\n");
#endif

extern const char emu_tail[];

#define FORCED ".byte 0x0f, 0x0b, 0x6d, 0x69, 0x63, 0x61\n" /* ud2 "mica" */

/* Vector registers in and out (SSE forms: XMM0/1; AVX forms: YMM0/1). */
#define V0     "[" CPU " + " CPU_V0 "]"
#define V1     "[" CPU " + " CPU_V1 "]"
#define PRE_X  "movdqu xmm0, " V0 "\n movdqu xmm1, " V1 "\n"
#define POST_X "movdqu " V0 ", xmm0\n movdqu " V1 ", xmm1\n"
#define PRE_Y  "vmovdqu ymm0, " V0 "\n vmovdqu ymm1, " V1 "\n"
#define POST_Y "vmovdqu " V0 ", ymm0\n vmovdqu " V1 ", ymm1\n"

/* How the inputs of a form are generated. */
enum gen {
	G_DEF,	 /* random registers, flags and memory */
	G_CL,	 /* shift count in CL mostly 0..71 */
	G_EQ,	 /* memory operand = RAX (CMPXCHG equal) */
	G_NE,	 /* memory operand != RAX */
	G_EQ2,	 /* memory operand = RDX:RAX halves (CMPXCHG8B/16B) */
	G_NE2,	 /* memory operand != RDX:RAX halves */
	G_DIV,	 /* unsigned dividend and divisor with a quotient that fits */
	G_IDIV,	 /* signed, likewise */
	G_DE0,	 /* divisor 0: #DE */
	G_DEQ,	 /* unsigned quotient too large: #DE */
	G_DEOV,	 /* signed MIN / -1: #DE */
	G_A16,	 /* 16-bit addressing: FS base at the window, BX + SI/DI */
	G_A16D,	 /* likewise, [bx + di + A16_DISP] */
	G_BT,	 /* bit offset in RCX within -480..439 (upper bits random) */
	G_SIB,	 /* RDX index 0..7, RBX adjusted for [rbx + rdx*4 - 0x40] */
	G_SEG,	 /* RBX relative to the FS/GS base */
	G_A32,	 /* random RBX bits 63:32 for 32-bit addressing */
	G_MISAL, /* operand misaligned by 8: #GP for aligned SSE moves */
	G_STR,	 /* string: RSI/RDI/RCX/DF */
	G_CMPS,	 /* string compare: equal runs with a few differences */
	G_SCAS,	 /* string scan: runs of the accumulator value */
	G_LMSW,	 /* LMSW source: CR0.EM = TS = 0, the rest random */
	G_GDTR,	 /* pseudo-descriptor: the GDTR with a larger limit */
	G_IDTR,	 /* likewise for the IDTR */
	G_SREG,	 /* selector: the current DS or another valid one */
	G_SS,	 /* selector: the current SS */
	G_LDTR,	 /* selector: the current LDTR */
	G_LTR,	 /* selector: emu32's available TSS (SEL_TSS) */
	G_FARJ,	 /* far pointer to emu_far_tgt:CS */
	G_FARC,	 /* far pointer to emu_farcall_tgt:CS (by the size) */
	G_RET,	 /* stack in the window holding &emu_ret_tgt */
	G_NEAR,	 /* near pointer to emu_far_tgt */
	G_ENTER, /* RCX = 0 rebased: ENTER's frame pointer comes out */
	G_LEAVE, /* RDX points at the frame in the window */
};

#define BIT(n) (1u << (n))

/* Form options. */
#define O_A16	BIT(0)	/* operand 16-byte aligned */
#define O_A32	BIT(1)	/* operand 32-byte aligned */
#define O_CROSS BIT(2)	/* operand (or string) crosses a 4 KiB boundary */
#define O_STK	BIT(3)	/* compare the qword at RSP after the instruction */
#define O_VEC	BIT(4)	/* compare XMM/YMM 0 and 1 */
#define O_AVX	BIT(5)	/* needs AVX */
#define O_MOVBE BIT(6)	/* needs MOVBE */
#define O_MOFFS BIT(7)	/* absolute moffs operand at window offset 32 */
#define O_SI_M	BIT(8)	/* string source in the MMIO-tested window */
#define O_SI_S	BIT(9)	/* string source in the RAM-only window */
#define O_DI_M	BIT(10) /* string destination in the MMIO-tested window */
#define O_DI_S	BIT(11) /* string destination in the RAM-only window */
#define O_REP	BIT(12) /* REP-prefixed: RCX is the count */
#define O_BIG	BIT(13) /* long REP over WIN_BIG bytes, DF = 0 */
#define O_PDI	BIT(14) /* memory operand at [rdi] (RBX is an input) */
#define O_RAMIO BIT(15) /* MMIO run: window crosses from RAM into ioram */
#define O_IORAM BIT(16) /* MMIO run: window crosses from ioram into RAM */

/* Shift/rotate descriptor: group-2 /reg + 1 in bits 15:8, count (0: CL). */
#define SH(reg, cnt) ((((reg) + 1) << 8) | (cnt))

#include "guests/emu_forms.h"

/* Three functions per form: native, forced emulation, and MMIO (the
 * native one unless an absolute address differs). */
#define EMIT(id, t, pre, insn, insn_mmio, post, gen, size, opt, undef, sh)     \
	__asm__(".pushsection .text\n.intel_syntax noprefix\n"                 \
		"emu_" #id "_n:\n.set emu_xs, 0\nEMU_HEAD\n" pre               \
		"EMU_FLAGS\n" EMU_XSTK insn "\n" post "jmp emu_tail\n"         \
		"emu_" #id "_f:\n.set emu_xs, 0\nEMU_HEAD\n" pre               \
		"EMU_FLAGS\n" EMU_XSTK FORCED insn "\n" post "jmp emu_tail\n"  \
		"emu_" #id "_m:\n.set emu_xs, 0\nEMU_HEAD\n" pre               \
		"EMU_FLAGS\n" EMU_XSTK insn_mmio "\n" post "jmp emu_tail\n"    \
		".att_syntax prefix\n.popsection\n");                          \
	void emu_##id##_n(struct cpu *c) __asm__("emu_" #id "_n");             \
	void emu_##id##_f(struct cpu *c) __asm__("emu_" #id "_f");             \
	void emu_##id##_m(struct cpu *c) __asm__("emu_" #id "_m");

typedef void (*emu_fn)(struct cpu *);

struct form {
	const char *title;
	emu_fn native, forced, mmio;
	u8 gen, size;
	u32 opt;
	u16 undef; /* flags the SDM leaves undefined */
	u16 sh;	   /* SH() for shifts and rotates, else 0 */
};

#define ENTRY(id, t, pre, insn, insn_mmio, post, gen, size, opt, undef, sh)    \
	{t, emu_##id##_n, emu_##id##_f, emu_##id##_m, gen, size, opt, undef,   \
	 sh},

FORMS(EMIT)

static const struct form forms[] = {FORMS(ENTRY)};

#define NFORMS (sizeof(forms) / sizeof(forms[0]))

/* The RAM buffers: M is the window the MMIO run moves to ioram, S stays in
 * RAM (the other side of string moves). */
u8 emu_ram_m[0x3000] __attribute__((aligned(4096)));
static u8 ram_s[0x3000] __attribute__((aligned(4096)));
static u8 tmpl_m[WIN_BIG], tmpl_s[WIN_BIG];
/* The two RAM pages of the alias mapping (emu_setup.h). */
static u8 alias_ram[2][4096] __attribute__((aligned(4096)));
static ureg alias_base; /* 0 until alias_setup() succeeded */
static u8 res_m[3][WIN_BIG], res_s[3][WIN_BIG]; /* native, MMIO, forced */

enum { V_NATIVE, V_MMIO, V_FORCED };
static const char *const variant_name[3] = {"native", "MMIO", "forced"};

/* gcc may call these for structure copies and clearing loops. */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);

void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return r;
}

void *memset(void *d, int c, size_t n)
{
	void *r = d;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return r;
}

#include "guests/emu_setup.h"

static bool emu_fault_hook(u64 vector, u64 error, struct g_iret *iret)
{
	if (!emu_cur)
		return false;
	emu_cur->vector = vector;
	emu_cur->error = error;
	iret->rip = (uintptr_t)emu_tail;
	return true;
}

/* ---------------------------------------------------------------- inputs */

static u64 rng_state = SEED;

/* 64-bit LCG (Knuth's MMIX constants); two steps give 64 output bits. */
static u64 rnd(void)
{
	u64 hi;

	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	hi = rng_state >> 32;
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return hi << 32 | rng_state >> 32;
}

/* Random value, one time in four a boundary value (some with random bits
 * 63:32) so carries, overflows, zero and sign results all occur. */
static u64 rnd_val(void)
{
	static const u64 special[] = {
	    0,		0x1,	    0x7f,	0x80,	    0xff,
	    0x7fff,	0x8000,	    0xffff,	0x7fffffff, 0x80000000,
	    0xffffffff, ~0ULL >> 1, 1ULL << 63, ~0ULL};
	u64 r = rnd(), v;

	if (r & 3)
		return rnd();
	v = special[(r >> 8) % (sizeof(special) / sizeof(special[0]))];
	if (r & BIT(20))
		v |= rnd() << 32;
	return v;
}

static u64 size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static u64 sext(u64 v, unsigned size)
{
	unsigned sh = 64 - size * 8;

	return (u64)((long long)(v << sh) >> sh);
}

static void put(u8 *p, u64 v, unsigned size)
{
	for (unsigned i = 0; i < size && i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

static u64 get(const u8 *p, unsigned size)
{
	u64 v = 0;

	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

static bool is_string(const struct form *f)
{
	return f->gen == G_STR || f->gen == G_CMPS || f->gen == G_SCAS;
}

static unsigned window(const struct form *f)
{
	if (f->opt & O_BIG)
		return WIN_BIG;
	if (is_string(f))
		return WIN_STR;
	return f->gen == G_BT ? 128 : WIN;
}

static unsigned page_off(const struct form *f)
{
	return (f->opt & O_CROSS) ? 0x1000 - window(f) / 2 : WIN_OFF;
}

/* Input of one run: registers hold offsets into the windows for the
 * registers named in pm (M window) and ps (S window). */
struct input {
	struct cpu c;
	u16 pm, ps;
	bool seg16; /* 16-bit addressing: FS based at the M window */
	u64 undef;  /* flags the SDM leaves undefined for this input */
};

#include "guests/emu_sys.h"

/* Offset of the memory operand in the M window. */
static unsigned operand_off(const struct form *f)
{
	if (f->opt & O_MOFFS)
		return 32;
	if (f->opt & O_CROSS)
		return f->size > 1 ? 47 - (unsigned)(rnd() % (f->size - 1))
				   : 47;
	if (f->opt & O_A32)
		return 32;
	if (f->opt & O_A16)
		return 32 + 16 * (unsigned)(rnd() & 1);
	if (f->gen == G_MISAL)
		return 40;
	if (f->gen == G_BT)
		return 64 + (unsigned)(rnd() % 4);
	return 32 + (unsigned)(rnd() % 16);
}

/* Twice the widest operand: a dividend. */
#ifdef __x86_64__
typedef __int128 wide;
#else
typedef long long wide;
#endif

static void gen_divide(const struct form *f, struct cpu *c, u8 *op)
{
	unsigned n = f->size * 8;
	u64 mask = size_mask(f->size), d, lo, hi;

	if (f->gen == G_DIV) {
		d = rnd_val() & mask;
		d = d ? d : 1;
		hi = (rnd_val() & mask) % d;
		lo = rnd_val() & mask;
	} else {
		long long sd = (long long)sext(rnd_val(), f->size);
		long long q = (long long)sext(rnd_val(), f->size);
		u64 ad, r;
		wide prod, dv;

		sd = sd ? sd : -1;
		ad = sd < 0 ? 0 - (u64)sd : (u64)sd; /* |INT64_MIN| fits */
		r = rnd() % ad;
		prod = (wide)q * sd;
		dv =
		    prod + ((prod < 0 || (prod == 0 && (rnd() & 1))) ? -(wide)r
								     : (wide)r);
		d = (u64)sd & mask;
		lo = (u64)dv & mask;
		hi = (u64)(dv >> n) & mask;
	}
	if (f->size == 1) {
		c->gpr[R_AX] = (c->gpr[R_AX] & ~0xffffULL) | hi << 8 | lo;
	} else {
		c->gpr[R_AX] = (c->gpr[R_AX] & ~mask) | lo;
		c->gpr[R_DX] = (c->gpr[R_DX] & ~mask) | hi;
	}
	put(op, d, f->size);
}

/* String operands: pointers near the window's middle, DF random, a count
 * that keeps every element inside the window. */
static void gen_string(const struct form *f, struct input *in, unsigned w)
{
	struct cpu *c = &in->c;
	unsigned s = f->size, psi, pdi, cnt, span;
	bool df = false;
	u8 *x, *y;

	if (f->opt & O_BIG) {
		psi = pdi = 0;
		cnt = w / s;
	} else if (f->opt & O_CROSS) {
		/* Start within 8 bytes of the page boundary at w / 2 and
		 * walk at least 9 bytes towards it: both pages are touched. */
		df = rnd() & 1;
		psi = w / 2 - (df ? 0 : 8) + (unsigned)(rnd() % 8);
		pdi = w / 2 - (df ? 0 : 8) + (unsigned)(rnd() % 8);
		cnt = 9 / s + 1 +
		      (unsigned)(rnd() % ((w / 2 - 8) / s - 9 / s - 1));
	} else {
		df = rnd() & 1;
		psi = w / 2 - 4 + (unsigned)(rnd() % 8);
		pdi = w / 2 - 4 + (unsigned)(rnd() % 8);
		cnt =
		    (rnd() % 8) ? (unsigned)(rnd() % ((w / 2 - 8) / s + 1)) : 0;
	}
	c->rflags = (c->rflags & ~DF) | (df ? DF : 0);
	if (f->opt & O_REP)
		c->gpr[R_CX] = cnt;
	if (f->opt & (O_SI_M | O_SI_S)) {
		c->gpr[R_SI] = psi;
		in->pm |= (f->opt & O_SI_M) ? BIT(R_SI) : 0;
		in->ps |= (f->opt & O_SI_S) ? BIT(R_SI) : 0;
	}
	if (f->opt & (O_DI_M | O_DI_S)) {
		c->gpr[R_DI] = pdi;
		in->pm |= (f->opt & O_DI_M) ? BIT(R_DI) : 0;
		in->ps |= (f->opt & O_DI_S) ? BIT(R_DI) : 0;
	}
	x = (f->opt & O_SI_M) ? tmpl_m : tmpl_s;
	y = (f->opt & O_DI_M) ? tmpl_m : tmpl_s;
	span = (cnt ? cnt : 1) * s;
	if (f->gen == G_CMPS) {
		/* Destination elements equal to the source ones; then a few
		 * bytes changed (REPE), or one element equal (REPNE). */
		unsigned mode = (unsigned)(rnd() % 3), at;

		at = (unsigned)(rnd() % span) / s * s;
		at = df ? pdi - at : pdi + at;
		if (mode == 0) {
			for (unsigned j = 0; j < w; j++) {
				int k = (int)j - (int)pdi + (int)psi;

				if (k >= 0 && k < (int)w)
					y[j] = x[k];
			}
			for (unsigned n = (unsigned)(rnd() % 3); n; n--)
				y[at + (unsigned)(rnd() % s)] ^= 0x10;
		} else if (mode == 1) {
			for (unsigned i = 0; i < s; i++)
				y[at + i] = x[at - pdi + psi + i];
		}
	} else if (f->gen == G_SCAS) {
		unsigned mode = (unsigned)(rnd() % 3), at;

		at = (unsigned)(rnd() % span) / s * s;
		at = df ? pdi - at : pdi + at;
		if (mode == 0) {
			for (unsigned j = pdi % s; j + s <= w; j += s)
				put(y + j, c->gpr[R_AX], s);
			for (unsigned n = (unsigned)(rnd() % 3); n; n--)
				y[at + (unsigned)(rnd() % s)] ^= 0x02;
		} else if (mode == 1) {
			put(y + at, c->gpr[R_AX], s);
		}
	}
}

static void gen_input(const struct form *f, struct input *in, unsigned w)
{
	struct cpu *c = &in->c;
	u64 mask = size_mask(f->size);
	unsigned off;
	u8 *op;

	memset(in, 0, sizeof(*in));
	for (unsigned i = 0; i < NGPR; i++)
		c->gpr[i] = rnd_val();
	c->rflags = 0x2 | (rnd() & (ARITH | DF));
	for (unsigned i = 0; i < 2; i++)
		for (unsigned j = 0; j < 32; j += 8)
			put(&c->vec[i][j], rnd(), 8);
	for (unsigned j = 0; j < w; j += 8) {
		put(tmpl_m + j, rnd(), 8);
		put(tmpl_s + j, rnd(), 8);
	}
	if (is_string(f)) {
		gen_string(f, in, w);
		return;
	}
	off = operand_off(f);
	op = tmpl_m + off;
	put(op, rnd_val(), f->size);
	c->gpr[(f->opt & O_PDI) ? R_DI : R_BX] = off;
	in->pm = (f->opt & O_PDI) ? BIT(R_DI) : BIT(R_BX);
	switch (f->gen) {
	case G_CL:
		c->gpr[R_CX] = (c->gpr[R_CX] & ~0xffULL) | (rnd() % 72);
		break;
	case G_EQ:
		put(op, c->gpr[R_AX], f->size);
		break;
	case G_NE:
		if (get(op, f->size) == (c->gpr[R_AX] & mask))
			op[0] ^= 1;
		break;
	case G_EQ2:
	case G_NE2:
		put(op, c->gpr[R_AX], f->size / 2);
		put(op + f->size / 2, c->gpr[R_DX], f->size / 2);
		if (f->gen == G_NE2)
			op[rnd() % f->size] ^= 0x40;
		break;
	case G_DIV:
	case G_IDIV:
		gen_divide(f, c, op);
		break;
	case G_DE0:
		put(op, 0, f->size);
		break;
	case G_DEQ: {
		u64 d = rnd_val() & mask;

		d = d ? d : 1;
		put(op, d, f->size);
		c->gpr[R_DX] = (c->gpr[R_DX] & ~mask) | ((d | rnd()) & mask);
		break;
	}
	case G_DEOV: /* EDX:EAX (RDX:RAX) = the most negative, / -1 */
		c->gpr[R_AX] = (c->gpr[R_AX] & ~mask) | (mask ^ (mask >> 1));
		c->gpr[R_DX] |= mask;
		put(op, mask, f->size);
		break;
	case G_BT: {
		long long bit = (long long)(rnd() % 920) - 480;

		c->gpr[R_CX] = (c->gpr[R_CX] & ~mask) | ((u64)bit & mask);
		break;
	}
	case G_SIB:
		c->gpr[R_DX] = rnd() % 8;
		c->gpr[R_BX] = off + 0x40 - c->gpr[R_DX] * 4;
		break;
	case G_SEG:
		c->gpr[R_BX] = (u64)off - SEG_BASE;
		break;
#ifdef __x86_64__
	case G_A32:
		c->gpr[R_BX] = off + (rnd() << 32);
		break;
#else
	case G_A16:
	case G_A16D: {
		/* The FS base is the window (run()); the 16-bit sum wraps
		 * and bits 31:16 of the registers must not count. */
		u32 r = (u32)rnd(), disp = f->gen == G_A16D ? A16_DISP : 0;

		in->pm = 0;
		in->seg16 = true;
		c->gpr[R_SI] = c->gpr[R_DI] = r;
		c->gpr[R_BX] =
		    (u32)(rnd() << 16) | ((off - (r & 0xffff) - disp) & 0xffff);
		break;
	}
#endif
	default:
		gen_sys(f, in, op, off);
		break;
	}
}

/* ---------------------------------------------------------------- runs */

static void run(emu_fn fn, struct cpu *out, const struct input *in, ureg mb,
		ureg sb)
{
	if (in->seg16)
		seg16_base(mb);
	*out = in->c;
	for (unsigned i = 0; i < NGPR; i++)
		out->gpr[i] +=
		    ((in->pm >> i) & 1 ? mb : 0) + ((in->ps >> i) & 1 ? sb : 0);
	out->vector = NO_VEC;
	out->error = 0;
	emu_cur = out;
	fn(out);
	emu_cur = NULL;
	for (unsigned i = 0; i < NGPR; i++)
		out->gpr[i] -=
		    ((in->pm >> i) & 1 ? mb : 0) + ((in->ps >> i) & 1 ? sb : 0);
	out->rsp_out -= out->rsp_save;
	out->rsp_save = 0;
	if (in->seg16)
		seg16_base(0);
}

/* ioram is reached with 8-byte accesses: each one an emulated MMIO load
 * or store. */
static void io_write(ureg addr, const u8 *src, unsigned n)
{
	for (unsigned i = 0; i < n; i += 8)
		*(volatile u64 *)(addr + i) = get(src + i, 8);
}

static void io_read(u8 *dst, ureg addr, unsigned n)
{
	for (unsigned i = 0; i < n; i += 8)
		put(dst + i, *(volatile u64 *)(addr + i), 8);
}

/* Flags the SDM leaves undefined for a shift or rotate with this input
 * (SDM Vol. 2B "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR"): none for a masked
 * count of 0 (flags unaffected); OF unless the count is 1; for shifts AF,
 * and CF of SHL/SHR when the count reaches the operand width. */
static u64 shift_undef(const struct form *f, const struct cpu *c)
{
	unsigned op = (f->sh >> 8) - 1, cnt = f->sh & 0xff;
	unsigned bits = f->size * 8;
	u64 u;

	if (!cnt)
		cnt = c->gpr[R_CX] & 0xff;
	cnt &= bits == 64 ? 63 : 31;
	if (!cnt)
		return 0;
	u = cnt != 1 ? OF : 0;
	if (op >= 4) {
		u |= AF;
		if (op != 7 && cnt >= bits)
			u |= CF;
	}
	return u;
}

static ureg expected_vector(const struct form *f)
{
	switch (f->gen) {
	case G_DE0:
	case G_DEQ:
	case G_DEOV:
		return 0; /* #DE */
	case G_MISAL:
		return 13; /* #GP(0) */
	default:
		return NO_VEC;
	}
}

static bool same_cpu(const struct form *f, const struct cpu *a,
		     const struct cpu *b, u64 undef)
{
	for (unsigned i = 0; i < NGPR; i++)
		if (a->gpr[i] != b->gpr[i])
			return false;
	if ((a->rflags ^ b->rflags) & ~undef)
		return false;
	if (a->vector != b->vector || a->error != b->error ||
	    a->rsp_out != b->rsp_out)
		return false;
	if ((f->opt & O_STK) && a->stack_top != b->stack_top)
		return false;
	for (unsigned i = 0; (f->opt & O_VEC) && i < 64; i++)
		if (a->vec[i / 32][i % 32] != b->vec[i / 32][i % 32])
			return false;
	return true;
}

static unsigned first_diff(const u8 *a, const u8 *b, unsigned n)
{
	unsigned i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Diagnostic lines stay under mica's console line length. */
static void print_cpu(const char *who, const struct form *f,
		      const struct cpu *c)
{
	for (unsigned i = 0; i < NGPR; i++)
		g_printf("%s%s=%lx",
			 i % 5 ? " "
			 : i   ? "\n#          "
			       : "#   ",
			 gpr_name[i], (unsigned long)c->gpr[i]);
	g_printf(" (%s)\n#          fl=%lx rsp%+ld", who,
		 (unsigned long)c->rflags, (long)c->rsp_out);
	if (f->opt & O_STK)
		g_printf(" top=%lx", (unsigned long)c->stack_top);
	if (c->vector != NO_VEC)
		g_printf(" exception %lu error %lx", (unsigned long)c->vector,
			 (unsigned long)c->error);
	g_printf("\n");
	for (unsigned i = 0; (f->opt & O_VEC) && i < 2; i++)
		g_printf("#          ymm%u=%016lx %016lx %016lx %016lx\n", i,
			 (unsigned long)get(&c->vec[i][24], 8),
			 (unsigned long)get(&c->vec[i][16], 8),
			 (unsigned long)get(&c->vec[i][8], 8),
			 (unsigned long)get(&c->vec[i][0], 8));
}

/* The first 16 bytes (from an 8-byte boundary) where the windows differ. */
static void print_mem(const char *what, const u8 *in, u8 (*res)[WIN_BIG],
		      unsigned w)
{
	unsigned d = w;

	for (unsigned v = 0; v < 3; v++) {
		unsigned x = first_diff(res[V_NATIVE], res[v], w);

		d = x < d ? x : d;
	}
	if (d == w)
		return;
	d &= ~7u;
	for (unsigned v = 0; v < 4; v++) {
		const u8 *p = v ? res[v - 1] : in;

		g_printf("#   %s window bytes %u..: %-6s", what, d,
			 v ? variant_name[v - 1] : "input");
		for (unsigned i = d; i < d + 16 && i < w; i++)
			g_printf("%s%02x", i % 8 ? "" : " ", p[i]);
		g_printf("\n");
	}
}

static long emulated(void)
{
	return g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0);
}

/*
 * One input three ways. The emulation counter shows that the forced run
 * and the MMIO run were emulated by mica. Two MMIO runs have nothing to
 * emulate: a REP form with RCX = 0 touches no memory, and a misaligned
 * MOVDQA raises #GP before its access (SDM Vol. 2B "MOVDQA").
 */
static bool run_input(const struct form *f, const struct input *in,
		      struct cpu *out, unsigned w)
{
	unsigned po = page_off(f);
	ureg mram = (ureg)emu_ram_m + po, sram = (ureg)ram_s + po;
	ureg mio = (f->opt & O_RAMIO)	? alias_base + 0x1000 - w / 2
		   : (f->opt & O_IORAM) ? alias_base + 0x2000 - w / 2
					: IORAM + po;
	long e0, e1, e2;
	bool idle;

	memcpy((void *)mram, tmpl_m, w);
	memcpy((void *)sram, tmpl_s, w);
	run(f->native, &out[V_NATIVE], in, mram, sram);
	sys_restore(f);
	memcpy(res_m[V_NATIVE], (void *)mram, w);
	memcpy(res_s[V_NATIVE], (void *)sram, w);

	memcpy((void *)mram, tmpl_m, w);
	memcpy((void *)sram, tmpl_s, w);
	e0 = emulated();
	run(f->forced, &out[V_FORCED], in, mram, sram);
	sys_restore(f);
	e1 = emulated();
	memcpy(res_m[V_FORCED], (void *)mram, w);
	memcpy(res_s[V_FORCED], (void *)sram, w);

	io_write(mio, tmpl_m, w);
	memcpy((void *)sram, tmpl_s, w);
	e2 = emulated();
	run(f->mmio, &out[V_MMIO], in, mio, sram);
	sys_restore(f);
	idle = emulated() == e2;
	io_read(res_m[V_MMIO], mio, w);
	memcpy(res_s[V_MMIO], (void *)sram, w);

	if ((f->opt & O_REP) && !in->c.gpr[R_CX])
		idle = false;
	if (e1 == e0 || (idle && f->gen != G_MISAL)) {
		g_printf("# %s: the %s run was not emulated\n", f->title,
			 e1 == e0 ? "forced" : "MMIO");
		return false;
	}
	if (out[V_NATIVE].vector != expected_vector(f) ||
	    (out[V_NATIVE].vector == 13 && out[V_NATIVE].error))
		return false;
	for (unsigned v = 1; v < 3; v++)
		if (!same_cpu(f, &out[V_NATIVE], &out[v], in->undef) ||
		    first_diff(res_m[V_NATIVE], res_m[v], w) != w ||
		    first_diff(res_s[V_NATIVE], res_s[v], w) != w)
			return false;
	return true;
}

/* Run one form over its random inputs; true if all three ways agreed on
 * every input. */
static bool run_form(const struct form *f, unsigned *inputs)
{
	unsigned w = window(f), bad = 0;
	unsigned n = (f->opt & O_BIG) ? 2 : INPUTS;
	struct cpu out[3];
	struct input in;

	for (unsigned k = 0; k < n; k++) {
		gen_input(f, &in, w);
		in.undef = f->undef | (f->sh ? shift_undef(f, &in.c) : 0);
		(*inputs)++;
		if (run_input(f, &in, out, w) || bad++ >= DIAG_MAX)
			continue;
		g_printf("# %s: input %u differs (undefined flags %lx)\n",
			 f->title, k, (unsigned long)in.undef);
		in.c.vector = NO_VEC;
		print_cpu("input", f, &in.c);
		for (unsigned v = 0; v < 3; v++)
			print_cpu(variant_name[v], f, &out[v]);
		print_mem("M", tmpl_m, res_m, w);
		print_mem("S", tmpl_s, res_s, w);
	}
	if (bad)
		g_printf("# %s: %u of %u inputs differ\n", f->title, bad, n);
	return g_ok(!bad, "%s: native = MMIO = forced-emulation (%u inputs)",
		    f->title, n);
}

/* Does the forced-emulation prefix work? (a load through it must neither
 * fault nor leave the emulation counter unchanged) */
static bool forced_probe(void)
{
	long before = g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0);
	struct input in;
	struct cpu out;

	memset(&in, 0, sizeof(in));
	in.c.rflags = 0x2;
	in.pm = BIT(R_BX);
	run(emu_mov_ld32_f, &out, &in, (ureg)emu_ram_m, 0);
	return out.vector == NO_VEC &&
	       g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0) > before;
}

/* KVM's forced-emulation prefix, ud2 "kvm", works as mica's: a load, a
 * store and a NOP behind it (the NOP is how kvm-unit-tests probe for
 * forced emulation) are emulated (three counted) and do what they do
 * natively. */
static bool kvm_prefix_probe(long *counted)
{
	static volatile u32 src = 0x5aa5c33cU, dst;
	long before = g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0);
	u32 out = 0;

	dst = 0;
	__asm__ volatile(".byte 0x0f, 0x0b, 'k', 'v', 'm'\n\t"
			 "movl (%1), %0"
			 : "=a"(out)
			 : "b"(&src), "0"(0)
			 : "memory");
	__asm__ volatile(".byte 0x0f, 0x0b, 'k', 'v', 'm'\n\t"
			 "movl %0, (%1)"
			 :
			 : "a"(0x12345678U), "b"(&dst)
			 : "memory");
	__asm__ volatile(".byte 0x0f, 0x0b, 'k', 'v', 'm'\n\tnop" ::: "memory");
	*counted =
	    g_hypercall(HC_TEST_COUNTER, CNT_EMULATED, 0, 0, 0, 0) - before;
	return out == src && dst == 0x12345678U && *counted == 3;
}

#ifndef __x86_64__
#include "guests/emu_seg.h"
#endif

int guest_main(u32 magic, u32 info)
{
	unsigned inputs = 0, ran = 0, skipped = 0, failed = 0;
	bool avx, movbe;
	bool forced;

	(void)magic;
	(void)info;
	g_idt_init();
	g_set_fault_hook(emu_fault_hook);
	cpu_setup(&avx, &movbe);
	sys_setup();
	alias_setup();
	forced = forced_probe();
	g_printf("# " NAME
		 ": %u forms, seed 0x%llx, %u inputs per form, AVX %s, "
		 "MOVBE %s\n",
		 (unsigned)NFORMS, (unsigned long long)SEED, INPUTS,
		 avx ? "yes" : "no", movbe ? "yes" : "no");
	if (!g_ok(forced, "forced emulation is enabled (module option "
			  "forced-emu)"))
		return (int)g_tap_failed();
	{
		long counted;
		bool kvm = kvm_prefix_probe(&counted);

		g_ok(kvm,
		     "KVM's forced-emulation prefix (ud2 \"kvm\"): a load, a "
		     "store and a NOP emulated, as natively (%ld counted)",
		     counted);
	}
	for (unsigned i = 0; i < NFORMS; i++) {
		const struct form *f = &forms[i];

		if ((f->opt & O_AVX) && !avx) {
			g_ok(true, "%s # SKIP no AVX (CPUID.1:ECX.AVX/XSAVE)",
			     f->title);
			skipped++;
			continue;
		}
		if ((f->opt & (O_RAMIO | O_IORAM)) && !alias_base) {
			g_ok(true, "%s # SKIP no free PDPT slot for the alias",
			     f->title);
			skipped++;
			continue;
		}
		if ((f->opt & O_MOVBE) && !movbe) {
			g_ok(true, "%s # SKIP no MOVBE (CPUID.1:ECX.MOVBE)",
			     f->title);
			skipped++;
			continue;
		}
		ran++;
		if (f->opt & (O_RAMIO | O_IORAM))
			alias_on(true);
		if (!run_form(f, &inputs))
			failed++;
		if (f->opt & (O_RAMIO | O_IORAM))
			alias_on(false);
	}
	g_printf("# " NAME ": %u forms compared over %u inputs (x3 runs), %u "
		 "differ, %u skipped\n",
		 ran, inputs, failed, skipped);
#ifndef __x86_64__
	seg_suite();
#endif
	return (int)g_tap_failed();
}
