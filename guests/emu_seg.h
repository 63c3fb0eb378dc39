/* SPDX-License-Identifier: MIT */
/*
 * Segment-limit cases of emu32 (guests/emu.c, 32-bit build only: 64-bit
 * mode ignores the DS/ES/SS limits). Each case loads one data segment with
 * a limit (expand-up or expand-down, B = 0 or 1, byte or 4 KiB granular),
 * a null selector or a read-only or code segment into DS, ES, FS, GS or SS
 * and runs one memory form with its access just inside, exactly at, across
 * or past the limit. The descriptor, registers and linear addresses are the
 * same in the three runs; only the page table differs: the window pages
 * are RAM (native, forced emulation) or ioram (MMIO). Compared: the fault
 * and its error code, the GPRs (ECX/ESI/EDI of a REP string stopped
 * part-way), EFLAGS, the stack pointer and the memory on both sides.
 * Included once, by emu.c, after emu_setup.h.
 */
#ifndef MICA_GUESTS_EMU_SEG_H
#define MICA_GUESTS_EMU_SEG_H

/*
 * Linear layout (32-bit paging, seg_pt): SEG_MID is the middle of the
 * window, the boundary of its two pages; the RAM guard pages below and
 * above hold the stack of the SS forms that address memory through EBP.
 * The window is 0xC0010000..0xC0011FFF, ioram's own addresses, so the
 * issue's REP STOSD runs with an ES base of 0.
 */
#define SEG_MID	     0xc0011000UL
#define SEG_PT_WIN   ((SEG_MID >> 12) & 0x3ff) /* seg_pt index of page 1 */
#define SEG_WIN	     128		       /* default window (bytes) */
#define SEG_SMID     0x2000 /* middle of the RAM side (MOVS, CMPS) */
#define SEG_STK	     0x1800 /* EBP forms: ESP this far from EBP */
#define SEG_INPUTS   2
#define SEL_TEST     (48 * 8) /* the segment under test */
#define SEG_GDT_IDX  (SEL_TEST / 8)
#define SEG_FILL_ACC 0x5a5a5a5aU /* SCAS accumulator */

/* In/out state of one run; the asm below uses the offsets. */
struct emu_seg_regs {
	u32 gpr[8]; /* 0: EAX ECX EDX EBX ESP EBP ESI EDI */
	u32 eflags; /* 32 */
	u32 vector; /* 36 */
	u32 error;  /* 40 */
	u32 ss_esp; /* 44: LSS operand; SS 0 = the harness's own stack */
	u16 ss, pad0;
	u32 ds_edi;			  /* 52: LDS operand */
	u16 ds, es, fs, gs;		  /* 56 */
	u32 patch_at, patch_lo, patch_hi; /* 64: GDT store after the loads */
};
_Static_assert(__builtin_offsetof(struct emu_seg_regs, ss_esp) == 44, "asm");
_Static_assert(__builtin_offsetof(struct emu_seg_regs, ds_edi) == 52, "asm");
_Static_assert(__builtin_offsetof(struct emu_seg_regs, es) == 58, "asm");
_Static_assert(__builtin_offsetof(struct emu_seg_regs, patch_at) == 64, "asm");

enum { S_AX, S_CX, S_DX, S_BX, S_SP, S_BP, S_SI, S_DI };

static const char *const seg_gpr_name[8] = {"eax", "ecx", "edx", "ebx",
					    "esp", "ebp", "esi", "edi"};

/* mm/lib/fmt.c (linked into every guest); its header's BIT() is not
 * emu.c's. */
__attribute__((format(printf, 3, 4))) int fmt_snprintf(char *buf, size_t size,
						       const char *fmt, ...);

struct emu_seg_regs emu_seg_io;
/* The harness's ESP and SS (LSS operand), FS, GS, then EIP and CS of the
 * last fault. */
u32 emu_seg_host[5];
u16 emu_seg_flat; /* the flat data selector, read through CS */
extern const u32 emu_seg_isr_table[32];

/*
 * SEG_HEAD: save the callee-saved registers, the stack, FS and GS; load
 * ES, FS, GS; optionally rewrite a GDT entry (the cached segment stays);
 * load EFLAGS, SS:ESP (LSS), the GPRs and last DS:EDI (LDS), whose operand
 * is still read through the flat DS. emu_seg_tail stores the GPRs through
 * the flat DS read from CS, switches back to the saved stack and saves
 * EFLAGS. emu_seg_fault, the target of every exception (emu_seg_isr_*),
 * takes vector, error code and EFLAGS from the frame on the faulting stack.
 */
__asm__(".pushsection .text\n"
	".intel_syntax noprefix\n"
	".macro SEG_HEAD\n"
	"push ebx\n push ebp\n push esi\n push edi\n"
	"mov [emu_seg_host], esp\n mov word ptr [emu_seg_host + 4], ss\n"
	"mov word ptr [emu_seg_host + 6], fs\n"
	"mov word ptr [emu_seg_host + 8], gs\n"
	"mov es, word ptr [emu_seg_io + 58]\n"
	"mov fs, word ptr [emu_seg_io + 60]\n"
	"mov gs, word ptr [emu_seg_io + 62]\n"
	"mov eax, [emu_seg_io + 64]\n test eax, eax\n jz seg_np_\\@\n"
	"mov edx, [emu_seg_io + 68]\n mov [eax], edx\n"
	"mov edx, [emu_seg_io + 72]\n mov [eax + 4], edx\n"
	"seg_np_\\@:\n"
	"cmp word ptr [emu_seg_io + 48], 0\n jne seg_ss_\\@\n"
	"mov [emu_seg_io + 44], esp\n mov word ptr [emu_seg_io + 48], ss\n"
	"seg_ss_\\@:\n"
	"push dword ptr [emu_seg_io + 32]\n popfd\n"
	"lss esp, [emu_seg_io + 44]\n"
	"mov eax, [emu_seg_io]\n mov ecx, [emu_seg_io + 4]\n"
	"mov edx, [emu_seg_io + 8]\n mov ebx, [emu_seg_io + 12]\n"
	"mov ebp, [emu_seg_io + 20]\n mov esi, [emu_seg_io + 24]\n"
	"lds edi, [emu_seg_io + 52]\n"
	".endm\n"
	".macro SEG_STORE\n"
	"mov [emu_seg_io], eax\n mov [emu_seg_io + 4], ecx\n"
	"mov [emu_seg_io + 8], edx\n mov [emu_seg_io + 12], ebx\n"
	"mov [emu_seg_io + 16], esp\n mov [emu_seg_io + 20], ebp\n"
	"mov [emu_seg_io + 24], esi\n mov [emu_seg_io + 28], edi\n"
	"lss esp, [emu_seg_host]\n"
	".endm\n"
	"emu_seg_tail:\n"
	"mov ds, word ptr cs:[emu_seg_flat]\n"
	"SEG_STORE\n"
	"pushfd\n pop dword ptr [emu_seg_io + 32]\n"
	"emu_seg_out:\n"
	"cld\n mov ax, ds\n mov es, ax\n"
	"mov fs, word ptr [emu_seg_host + 6]\n"
	"mov gs, word ptr [emu_seg_host + 8]\n"
	"pop edi\n pop esi\n pop ebp\n pop ebx\n ret\n"
	"emu_seg_fault:\n"
	"mov ds, word ptr cs:[emu_seg_flat]\n"
	"pop dword ptr [emu_seg_io + 36]\n pop dword ptr [emu_seg_io + 40]\n"
	"pop dword ptr [emu_seg_host + 12]\n"
	"pop dword ptr [emu_seg_host + 16]\n"
	"pop dword ptr [emu_seg_io + 32]\n"
	"SEG_STORE\n"
	"jmp emu_seg_out\n"
	/* Vectors 8, 10-14, 17, 21, 29, 30 push an error code (SDM Vol. 3A
	 * Table 6-1); the others get a 0. */
	".irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
	"22,23,24,25,26,27,28,29,30,31\n"
	"emu_seg_isr_\\v:\n"
	".if !((\\v == 8) || (\\v >= 10 && \\v <= 14) || (\\v == 17) || "
	"(\\v == 21) || (\\v == 29) || (\\v == 30))\n"
	"push 0\n"
	".endif\n"
	"push \\v\n jmp emu_seg_fault\n"
	".endr\n"
	".section .rodata\n .balign 4\n"
	"emu_seg_isr_table:\n"
	".irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
	"22,23,24,25,26,27,28,29,30,31\n"
	".long emu_seg_isr_\\v\n"
	".endr\n"
	".att_syntax prefix\n"
	".popsection\n");

/* The forms: X(id, name, pre, insn, post, kind). pre and post run
 * natively around insn, the instruction under test. */
enum seg_kind {
	K_BX,  /* memory operand at [EBX] */
	K_BP,  /* memory operand at [EBP]: SS */
	K_SP,  /* PUSH/POP: the stack slot at ESP, [EBX] on the RAM side */
	K_STR, /* string: ES:EDI or the source's ESI under test */
	K_REP, /* REP string: ECX counts */
};

#define SEG_FORMS(X)                                                           \
	X(ld32, "MOV r32, m32", "", "mov ecx, dword ptr [ebx]", "", K_BX)      \
	X(st32, "MOV m32, r32", "", "mov dword ptr [ebx], ecx", "", K_BX)      \
	X(ld8, "MOV r8, m8", "", "mov cl, byte ptr [ebx]", "", K_BX)           \
	X(st16, "MOV m16, r16", "", "mov word ptr [ebx], cx", "", K_BX)        \
	X(add32, "ADD m32, r32", "", "add dword ptr [ebx], ecx", "", K_BX)     \
	X(cmp32, "CMP m32, r32", "", "cmp dword ptr [ebx], ecx", "", K_BX)     \
	X(ld32es, "MOV r32, ES:m32", "", "mov ecx, dword ptr es:[ebx]", "",    \
	  K_BX)                                                                \
	X(ld32fs, "MOV r32, FS:m32", "", "mov ecx, dword ptr fs:[ebx]", "",    \
	  K_BX)                                                                \
	X(st32fs, "MOV FS:m32, r32", "", "mov dword ptr fs:[ebx], ecx", "",    \
	  K_BX)                                                                \
	X(st32gs, "MOV GS:m32, r32", "", "mov dword ptr gs:[ebx], ecx", "",    \
	  K_BX)                                                                \
	X(add32gs, "ADD GS:m32, r32", "", "add dword ptr gs:[ebx], ecx", "",   \
	  K_BX)                                                                \
	X(pushm, "PUSH m32", "", "push dword ptr [ebx]", "pop edx\n", K_BX)    \
	X(popm, "POP m32", "push edx\n", "pop dword ptr [ebx]", "", K_BX)      \
	X(ldbp, "MOV r32, [EBP]", "", "mov ecx, dword ptr [ebp]", "", K_BP)    \
	X(stbp, "MOV [EBP], r32", "", "mov dword ptr [ebp], ecx", "", K_BP)    \
	X(pops, "POP m32", "", "pop dword ptr [ebx]", "", K_SP)                \
	X(pushs, "PUSH m32", "", "push dword ptr [ebx]", "", K_SP)             \
	X(rstosd, "REP STOSD", "", "rep stosd", "", K_REP)                     \
	X(rstosb, "REP STOSB", "", "rep stosb", "", K_REP)                     \
	X(stosd, "STOSD", "", "stosd", "", K_STR)                              \
	X(rmovsb, "REP MOVSB", "", "rep movsb", "", K_REP)                     \
	X(rmovsd, "REP MOVSD", "", "rep movsd", "", K_REP)                     \
	X(rmovsdfs, "REP MOVSD FS:", "",                                       \
	  "rep movs dword ptr es:[edi], dword ptr fs:[esi]", "", K_REP)        \
	X(rmovsbgs, "REP MOVSB GS:", "",                                       \
	  "rep movs byte ptr es:[edi], byte ptr gs:[esi]", "", K_REP)          \
	X(lodsd, "LODSD", "", "lodsd", "", K_STR)                              \
	X(lodsdfs, "LODSD FS:", "", "lods eax, dword ptr fs:[esi]", "", K_STR) \
	X(rlodsbgs, "REP LODSB GS:", "", "rep lods al, byte ptr gs:[esi]", "", \
	  K_REP)                                                               \
	X(rcmpsd, "REPE CMPSD", "", "repe cmpsd", "", K_REP)                   \
	X(rcmpsb, "REPE CMPSB", "", "repe cmpsb", "", K_REP)                   \
	X(cmpsdfs, "CMPSD FS:", "",                                            \
	  "cmps dword ptr fs:[esi], dword ptr es:[edi]", "", K_STR)            \
	X(rscasd, "REPE SCASD", "", "repe scasd", "", K_REP)                   \
	X(rnscasb, "REPNE SCASB", "", "repne scasb", "", K_REP)

/* Two functions per form: native (also the MMIO run) and forced. */
#define SEG_EMIT(id, name, pre, insn, post, kind)                              \
	__asm__(".pushsection .text\n.intel_syntax noprefix\n"                 \
		"emu_seg_" #id "_n:\nSEG_HEAD\n" pre insn "\n" post            \
		"jmp emu_seg_tail\n"                                           \
		"emu_seg_" #id "_f:\nSEG_HEAD\n" pre FORCED insn "\n" post     \
		"jmp emu_seg_tail\n"                                           \
		".att_syntax prefix\n.popsection\n");                          \
	void emu_seg_##id##_n(void) __asm__("emu_seg_" #id "_n");              \
	void emu_seg_##id##_f(void) __asm__("emu_seg_" #id "_f");

SEG_FORMS(SEG_EMIT)

struct seg_form {
	const char *name;
	void (*native)(void), (*forced)(void);
	enum seg_kind kind;
};

#define SEG_ENUM(id, name, pre, insn, post, kind) SF_##id,
#define SEG_ENTRY(id, name, pre, insn, post, kind)                             \
	{name, emu_seg_##id##_n, emu_seg_##id##_f, kind},

enum { SEG_FORMS(SEG_ENUM) SEG_NFORMS };

static const struct seg_form seg_forms[] = {SEG_FORMS(SEG_ENTRY)};

/* The register loaded with the segment under test. */
enum { SR_DS, SR_ES, SR_FS, SR_GS, SR_SS };

static const char *const seg_reg_name[] = {"DS", "ES", "FS", "GS", "SS"};

/* Descriptor types (SDM Vol. 3A Table 3-1), accessed; T_NULL: selector 0. */
enum {
	T_RO = 0x1,   /* read-only data */
	T_RW = 0x3,   /* read/write data */
	T_ROD = 0x5,  /* read-only, expand-down */
	T_RWD = 0x7,  /* read/write, expand-down */
	T_XR = 0xb,   /* execute/read code */
	T_XRC = 0xf,  /* execute/read code, conforming */
	T_NULL = 0xff /* null selector */
};

/* Descriptor flags (bits 55:52): G and D/B. */
#define D_G 0x8
#define D_B 0x4

/* Outcome expected of the native run. */
enum {
	X_OK,	       /* no fault */
	X_GP,	       /* #GP(0) */
	X_SS,	       /* #SS(0) */
	X_PART = 0x10, /* with X_GP: a REP string faults part-way */
	X_GPP = X_GP | X_PART,
};

/* Case flags. */
#define C_DF	BIT(0) /* EFLAGS.DF = 1 */
#define C_IO1	BIT(1) /* MMIO run: only page 1 in ioram (the POP frames) */
#define C_EQ	BIT(2) /* CMPS: both sides equal */
#define C_ACC	BIT(3) /* SCAS: window filled with the accumulator */
#define C_NACC	BIT(4) /* SCAS: accumulator nowhere in the window */
#define C_STALE BIT(5) /* GDT entry made not-present read-only after load */
#define C_BIG	BIT(6) /* 8 KiB window, the access at SEG_MID - 4 KiB */
#define C_SPHI	BIT(7) /* EBP forms: stack above the window */

struct seg_case {
	u8 form, reg, type, gb;
	u32 limit; /* raw 20-bit limit */
	u32 ea;	   /* offset of the first access (ESP for PUSH/POP) */
	u32 count; /* ECX of the REP forms */
	u8 expect, flags;
};

#define SC(form, reg, type, gb, limit, ea, count, expect, flags)               \
	{SF_##form, SR_##reg, T_##type,	  gb,	  limit,                       \
	 ea,	    count,    X_##expect, (flags)},

#include "guests/emu_seg_cases.h"

static const struct seg_case seg_cases[] = {SEG_CASES(SC)};

#define SEG_NCASES (sizeof(seg_cases) / sizeof(seg_cases[0]))

/* Window pages (native), guard pages, the RAM side of the strings. */
static u8 seg_ram[2][4096] __attribute__((aligned(4096)));
static u8 seg_guard[2][4096] __attribute__((aligned(4096)));
static u8 seg_s[2 * SEG_SMID] __attribute__((aligned(4096)));
static u32 seg_pd[1024] __attribute__((aligned(4096)));
static u32 seg_pt[1024] __attribute__((aligned(4096)));

struct seg_gate {
	u16 off_lo, sel;
	u8 zero, attr;
	u16 off_hi;
} __attribute__((packed));

static struct seg_gate seg_idt[32] __attribute__((aligned(8)));

struct seg_dtr {
	u16 limit;
	u32 base;
} __attribute__((packed));

/* Segment descriptor (SDM Vol. 3A 3.4.5): present, DPL 0. */
static u64 seg_desc(u32 base, u32 limit, u8 type, u8 gb)
{
	return (limit & 0xffff) | (u64)(base & 0xffffff) << 16 |
	       (u64)(0x90 | type) << 40 | (u64)((limit >> 16) & 0xf) << 48 |
	       (u64)gb << 52 | (u64)(base >> 24) << 56;
}

/* The limit in bytes: G scales by 4 KiB (SDM Vol. 3A 3.4.5). */
static u32 seg_limit(const struct seg_case *k)
{
	return (k->gb & D_G) ? k->limit << 12 | 0xfff : k->limit;
}

static unsigned seg_window(const struct seg_case *k)
{
	return (k->flags & C_BIG) ? 8192 : SEG_WIN;
}

/* Where the first access lies: SEG_MID, or 4 KiB lower (C_BIG). */
static u32 seg_ea_la(const struct seg_case *k)
{
	return (k->flags & C_BIG) ? SEG_MID - 0x1000 : SEG_MID;
}

/* The segment registers of one run; the tested one is reg. */
static void seg_sregs(const struct seg_case *k, struct emu_seg_regs *r)
{
	u16 sel = k->type == T_NULL ? 0 : SEL_TEST;
	u16 *sr[] = {&r->ds, &r->es, &r->fs, &r->gs, &r->ss};

	r->ds = r->es = r->fs = r->gs = emu_seg_flat;
	r->ss = 0;
	*sr[k->reg] = sel;
}

/* The registers and windows of one input: random values, then the
 * addresses, the count and the fills the case asks for. */
static void seg_input(const struct seg_case *k, struct emu_seg_regs *r)
{
	const struct seg_form *f = &seg_forms[k->form];
	unsigned w = seg_window(k);
	u32 other = (u32)(uintptr_t)seg_s + SEG_SMID + (seg_ea_la(k) - SEG_MID);

	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < 8; i++)
		r->gpr[i] = (u32)rnd_val();
	r->eflags = 0x2 | ((u32)rnd() & ARITH) | ((k->flags & C_DF) ? DF : 0);
	for (unsigned j = 0; j < w; j += 8) {
		put(tmpl_m + j, rnd(), 8);
		put(tmpl_s + j, rnd(), 8);
	}
	if (k->flags & C_EQ)
		memcpy(tmpl_s, tmpl_m, w);
	if (k->flags & (C_ACC | C_NACC))
		r->gpr[S_AX] = SEG_FILL_ACC;
	for (unsigned j = 0; j < w; j++) {
		if (k->flags & C_ACC)
			tmpl_m[j] = (u8)SEG_FILL_ACC;
		else if ((k->flags & C_NACC) && tmpl_m[j] == (u8)SEG_FILL_ACC)
			tmpl_m[j] ^= 1;
	}
	seg_sregs(k, r);
	switch (f->kind) {
	case K_BX:
		r->gpr[S_BX] = k->ea;
		break;
	case K_BP:
		r->gpr[S_BP] = k->ea;
		r->gpr[S_SP] =
		    k->ea + ((k->flags & C_SPHI) ? SEG_STK : -SEG_STK);
		break;
	case K_SP:
		r->gpr[S_SP] = k->ea;
		r->gpr[S_BX] = other;
		break;
	case K_REP:
		r->gpr[S_CX] = k->count;
		/* fall through */
	case K_STR:
		r->gpr[k->reg == SR_ES ? S_DI : S_SI] = k->ea;
		r->gpr[k->reg == SR_ES ? S_SI : S_DI] = other;
		break;
	}
	if (k->reg == SR_SS)
		r->ss_esp = r->gpr[S_SP];
	r->ds_edi = r->gpr[S_DI];
}

/* Map the window pages to RAM or (bit p of io) to ioram; the CR3 write
 * flushes the TLB (SDM Vol. 3A 4.10.4.1). */
static void seg_map(unsigned io)
{
	for (unsigned p = 0; p < 2; p++)
		seg_pt[SEG_PT_WIN - 1 + p] =
		    ((io >> p) & 1 ? (u32)(SEG_MID - 0x1000 + p * 0x1000)
				   : (u32)(uintptr_t)seg_ram[p]) |
		    3;
	g_write_cr3((u32)(uintptr_t)seg_pd);
}

/* Copy the window in (to_win) or out, through ioram where mapped. */
static void seg_win_copy(u8 *buf, unsigned w, unsigned io, bool to_win)
{
	unsigned h = w / 2;

	for (unsigned p = 0; p < 2; p++) {
		u8 *part = buf + p * h;
		ureg la = SEG_MID - h + p * h;
		u8 *ram = seg_ram[p] + (p ? 0 : 4096 - h);

		if ((io >> p) & 1 && to_win)
			io_write(la, part, h);
		else if ((io >> p) & 1)
			io_read(part, la, h);
		else if (to_win)
			memcpy(ram, part, h);
		else
			memcpy(part, ram, h);
	}
}

struct seg_out {
	u32 gpr[8]; /* ESP relative to its value at entry */
	u32 eflags, vector, error;
};

/* One run: the window in RAM (io = 0) or partly in ioram. */
static void seg_run(const struct seg_case *k, void (*fn)(void),
		    const struct emu_seg_regs *in, struct seg_out *out,
		    unsigned io, unsigned v)
{
	unsigned w = seg_window(k);
	u8 *s = seg_s + SEG_SMID - w / 2;
	u32 base = seg_ea_la(k) - k->ea;
	u64 d =
	    seg_desc(base, k->limit, k->type == T_NULL ? T_RW : k->type, k->gb);

	seg_map(io);
	seg_win_copy(tmpl_m, w, io, true);
	memcpy(s, tmpl_s, w);
	gdt[SEG_GDT_IDX] = d;
	emu_seg_io = *in;
	if (k->flags & C_STALE) {
		/* Not present, read-only, limit 0: the loaded segment keeps
		 * its cached limit and type (SDM Vol. 3A 3.4.3). */
		u64 p = seg_desc(base, 0, T_RO, k->gb) & ~(1ULL << 47);

		emu_seg_io.patch_at = (u32)(uintptr_t)&gdt[SEG_GDT_IDX];
		emu_seg_io.patch_lo = (u32)p;
		emu_seg_io.patch_hi = (u32)(p >> 32);
	}
	emu_seg_io.vector = (u32)NO_VEC;
	emu_seg_io.error = 0;
	fn();
	for (unsigned i = 0; i < 8; i++)
		out->gpr[i] = emu_seg_io.gpr[i];
	out->gpr[S_SP] -= emu_seg_io.ss_esp;
	out->eflags = emu_seg_io.eflags;
	out->vector = emu_seg_io.vector;
	out->error = emu_seg_io.error;
	seg_win_copy(res_m[v], w, io, false);
	memcpy(res_s[v], s, w);
}

static bool seg_same(const struct seg_out *a, const struct seg_out *b)
{
	for (unsigned i = 0; i < 8; i++)
		if (a->gpr[i] != b->gpr[i])
			return false;
	return a->eflags == b->eflags && a->vector == b->vector &&
	       a->error == b->error;
}

static const char *seg_type_name(u8 type)
{
	switch (type) {
	case T_RO:
		return "ro";
	case T_RW:
		return "rw";
	case T_ROD:
		return "ro expand-down";
	case T_RWD:
		return "rw expand-down";
	case T_XR:
		return "code x/r";
	case T_XRC:
		return "code x/r conforming";
	default:
		return "null";
	}
}

/* "REP STOSD, ES rw G=1 limit 0xc0010fff, EDI 0xc0010000 ECX 2048: ..." */
static void seg_title(const struct seg_case *k, char *buf, unsigned n)
{
	static const char *const areg[] = {"EBX", "EBP", "ESP", "", ""};
	static const char *const xname[] = {"ok", "#GP(0)", "#SS(0)"};
	const struct seg_form *f = &seg_forms[k->form];
	const char *a = areg[f->kind];
	char seg[64], cnt[16] = "";

	if (f->kind >= K_STR)
		a = k->reg == SR_ES ? "EDI" : "ESI";
	if (f->kind == K_REP)
		fmt_snprintf(cnt, sizeof(cnt), " ECX %u", k->count);
	if (k->type == T_NULL)
		fmt_snprintf(seg, sizeof(seg), "%s null", seg_reg_name[k->reg]);
	else
		fmt_snprintf(seg, sizeof(seg), "%s %s%s%s limit %#x",
			     seg_reg_name[k->reg], seg_type_name(k->type),
			     (k->type & 0xc) != 0x4 ? ""
			     : (k->gb & D_B)	    ? " B=1"
						    : " B=0",
			     (k->gb & D_G) ? " G=1" : "", seg_limit(k));
	fmt_snprintf(
	    buf, n, "%s, %s, %s %#x%s%s: %s%s%s", f->name, seg, a, k->ea, cnt,
	    (k->flags & C_DF) ? " DF=1" : "", xname[k->expect & 3],
	    (k->expect & X_PART) ? " part-way" : "",
	    (k->flags & C_STALE) ? " (GDT entry changed after load)" : "");
}

static void seg_print(const char *who, const struct seg_out *o)
{
	g_printf("#   %-6s", who);
	for (unsigned i = 0; i < 8; i++)
		g_printf("%s%s=%x", i == 4 ? "\n#          " : " ",
			 seg_gpr_name[i], o->gpr[i]);
	g_printf("\n#          fl=%x", o->eflags);
	if (o->vector != (u32)NO_VEC)
		g_printf(" exception %u error %x", o->vector, o->error);
	g_printf("\n");
}

static void seg_print_input(const struct emu_seg_regs *in)
{
	struct seg_out o = {.eflags = in->eflags, .vector = (u32)NO_VEC};

	for (unsigned i = 0; i < 8; i++)
		o.gpr[i] = in->gpr[i];
	seg_print("input", &o);
	g_printf("#          ds=%x es=%x fs=%x gs=%x ss=%x\n", in->ds, in->es,
		 in->fs, in->gs, in->ss);
}

/* Whether the MMIO run must have exited to mica: it touched ioram before
 * any fault (a fault the CPU finds itself precedes the access). */
static bool seg_mmio_expected(const struct seg_case *k)
{
	if (k->expect & X_PART)
		return true;
	return k->expect == X_OK &&
	       !(seg_forms[k->form].kind == K_REP && k->count == 0);
}

/* Vector of an X_* expectation. */
static u32 seg_vector(const struct seg_case *k)
{
	static const u32 vec[] = {(u32)NO_VEC, 13, 12};

	return vec[k->expect & 3];
}

/* REPE/REPNE CMPS and SCAS cases that fault part-way. */
static bool seg_rep_cmp_fault(const struct seg_case *k)
{
	switch (k->form) {
	case SF_rcmpsd:
	case SF_rcmpsb:
	case SF_rscasd:
	case SF_rnscasb:
		return (k->expect & X_PART) != 0;
	default:
		return false;
	}
}

/* Native REPE/REPNE faults that kept the flags of the last comparison. */
static unsigned seg_kept_flags;

/*
 * A fault in REPE/REPNE CMPS or SCAS restores EFLAGS to their value
 * before the instruction (SDM Vol. 2B "REP"), as the emulator does and
 * the CPU (test/unit/test_insn_emulate_native.c); Bochs keeps the flags
 * of the last completed comparison. The reference is then the SDM's.
 */
static void seg_sdm_flags(const struct seg_case *k, struct seg_out *native,
			  const struct emu_seg_regs *in)
{
	u32 rf = native->eflags & 0x10000;

	if (!seg_rep_cmp_fault(k) || (native->eflags & ~rf) == in->eflags)
		return;
	seg_kept_flags++;
	native->eflags = in->eflags | rf;
}

/* A fault on a POP's slot pushed its frame (EIP, which the forced prefix
 * moves, CS, EFLAGS, error code) just below SEG_MID: not compared. */
static void seg_drop_frame(const struct seg_case *k, const struct seg_out *out,
			   unsigned v)
{
	unsigned at = seg_window(k) / 2 - 16;

	if (seg_forms[k->form].kind == K_SP && out->vector != (u32)NO_VEC)
		memcpy(res_m[v] + at, tmpl_m + at, 16);
}

/* One input three ways; true if they agree and native did as expected. */
static bool seg_input_run(const struct seg_case *k, struct seg_out *out,
			  const struct emu_seg_regs *in, const char **why)
{
	const struct seg_form *f = &seg_forms[k->form];
	unsigned w = seg_window(k);
	unsigned io = (k->flags & C_IO1) ? 2 : 3;
	long e0, e1, e2;

	seg_run(k, f->native, in, &out[V_NATIVE], 0, V_NATIVE);
	e0 = emulated();
	seg_run(k, f->forced, in, &out[V_FORCED], 0, V_FORCED);
	e1 = emulated();
	seg_run(k, f->native, in, &out[V_MMIO], io, V_MMIO);
	e2 = emulated();
	seg_sdm_flags(k, &out[V_NATIVE], in);
	for (unsigned v = 0; v < 3; v++)
		seg_drop_frame(k, &out[v], v);
	*why = "the forced run was not emulated";
	if (e1 == e0)
		return false;
	*why = "the MMIO run did not exit to mica";
	if (seg_mmio_expected(k) && e2 == e1)
		return false;
	*why = "native did not fault as expected";
	if (out[V_NATIVE].vector != seg_vector(k) ||
	    (seg_vector(k) != (u32)NO_VEC && out[V_NATIVE].error))
		return false;
	*why = "native REP did no element before the fault";
	if ((k->expect & X_PART) && out[V_NATIVE].gpr[S_CX] == in->gpr[S_CX])
		return false;
	*why = "the runs differ";
	for (unsigned v = 1; v < 3; v++)
		if (!seg_same(&out[V_NATIVE], &out[v]) ||
		    first_diff(res_m[V_NATIVE], res_m[v], w) != w ||
		    first_diff(res_s[V_NATIVE], res_s[v], w) != w)
			return false;
	return true;
}

static bool seg_case_run(const struct seg_case *k)
{
	unsigned bad = 0, w = seg_window(k);
	struct emu_seg_regs in;
	struct seg_out out[3];
	char title[128];

	seg_title(k, title, sizeof(title));
	for (unsigned n = 0; n < SEG_INPUTS; n++) {
		const char *why;

		seg_input(k, &in);
		if (seg_input_run(k, out, &in, &why) || bad++)
			continue;
		g_printf("# %s: input %u: %s\n", title, n, why);
		seg_print_input(&in);
		for (unsigned v = 0; v < 3; v++)
			seg_print(variant_name[v], &out[v]);
		print_mem("window", tmpl_m, res_m, w);
		print_mem("RAM side", tmpl_s, res_s, w);
	}
	return g_ok(!bad, "%s: native = MMIO = forced-emulation", title);
}

/*
 * The suite's paging: alias_pd's identity map, with the 4 MiB at SEG_MID
 * through seg_pt (guard page, the two window pages, guard page), and an
 * IDT whose handlers restore the flat segments first.
 */
static void seg_setup(void)
{
	struct seg_dtr idtr = {sizeof(seg_idt) - 1, (u32)(uintptr_t)seg_idt};
	u16 cs, ds;

	__asm__ volatile("mov %%cs, %0\n\tmov %%ds, %1" : "=r"(cs), "=r"(ds));
	emu_seg_flat = ds;
	for (unsigned v = 0; v < 32; v++) {
		u32 h = emu_seg_isr_table[v];

		seg_idt[v] =
		    (struct seg_gate){(u16)h, cs, 0, 0x8e, (u16)(h >> 16)};
	}
	for (unsigned i = 0; i < 1024; i++)
		seg_pd[i] = alias_pd[i];
	seg_pd[SEG_MID >> 22] = (u32)(uintptr_t)seg_pt | 3;
	seg_pt[SEG_PT_WIN - 2] = (u32)(uintptr_t)seg_guard[0] | 3;
	seg_pt[SEG_PT_WIN + 1] = (u32)(uintptr_t)seg_guard[1] | 3;
	seg_map(0);
	alias_on(true);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Run every case; returns how many differ. */
static unsigned seg_suite(void)
{
	unsigned failed = 0;
	struct seg_dtr idtr;
	u32 cr3 = (u32)g_read_cr3();

	__asm__ volatile("sidt %0" : "=m"(idtr));
	seg_setup();
	for (unsigned i = 0; i < SEG_NCASES; i++)
		if (!seg_case_run(&seg_cases[i]))
			failed++;
	alias_on(false);
	g_write_cr3(cr3);
	__asm__ volatile("lidt %0" : : "m"(idtr));
	g_printf("# " NAME ": %u segment-limit cases (x%u inputs x3 runs), "
		 "%u differ\n",
		 (unsigned)SEG_NCASES, SEG_INPUTS, failed);
	if (seg_kept_flags)
		g_printf("# " NAME ": %u native REPE/REPNE CMPS/SCAS faults "
			 "kept the last comparison's flags; compared with the "
			 "SDM's (flags before the instruction)\n",
			 seg_kept_flags);
	return failed;
}

#endif /* MICA_GUESTS_EMU_SEG_H */
