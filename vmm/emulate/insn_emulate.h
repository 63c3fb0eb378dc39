/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction emulator: public API. insn_emulate() executes one
 * instruction decoded by insn_decode() against guest state reached through
 * an ops struct (GPRs, memory by linear address, vector registers), with
 * exact architectural results. It is pure: the hypervisor supplies the ops
 * for a vCPU, the host tests supply ops over a scratch buffer.
 *
 * Commit rule: an instruction either completes (all its register and memory
 * effects applied) or has no effect at all. Register writes are staged and
 * flushed through write_gpr only on success, and every instruction performs
 * at most one memory write, after all of its reads, as its last step. A REP
 * string instruction commits each completed iteration (SDM Vol. 2B "REP":
 * a fault mid-string leaves RCX/RSI/RDI describing the iterations done).
 * Loading a descriptor (MOV Sreg, far JMP/CALL, LTR) also sets its
 * accessed or busy bit, an implicit write the CPU makes at the same point;
 * system registers (CR0, GDTR, segment registers) change through the ops
 * only once nothing can fault any more.
 * The emulated forms are the rows of vmm/emulate/insn_emulate_tables.c; anything
 * else is EM_UNSUPPORTED, never a guess.
 */
#ifndef MICA_VMM_EMULATE_INSN_EMULATE_H
#define MICA_VMM_EMULATE_INSN_EMULATE_H

#include "mm/base/types.h"
#include "vmm/gwalk/gwalk.h"
#include "vmm/insn/insn.h"

/* Result of insn_emulate(). */
enum em_result {
	EM_DONE = 0,	/* executed: state committed, ctx->rip advanced */
	EM_CONTINUE,	/* REP budget used up: completed iterations are
			  * committed, RIP not advanced; call again */
	EM_RETRY,	/* a callback asked for a retry, or a LOCKed update
			  * lost a race: nothing changed, run it again */
	EM_EXCEPTION,	/* inject ctx->exc: nothing changed (but see REP) */
	EM_UNSUPPORTED, /* form not emulated: nothing changed; the decoded
			  * form is ctx->insn, insn_emulate_describe() names it */
};

/* Result of a memory callback. */
enum em_mem_result {
	EM_MEM_OK = 0,
	EM_MEM_RETRY,	  /* e.g. the access must be completed elsewhere */
	EM_MEM_EXCEPTION, /* callback filled ctx->exc (e.g. #PF + CR2) */
};

/* Exception vectors the emulator raises itself (SDM Vol. 3A Table 6-1). */
enum em_vector {
	EM_VEC_DE = 0,
	EM_VEC_UD = 6,
	EM_VEC_NM = 7,
	EM_VEC_SS = 12,
	EM_VEC_NP = 11,
	EM_VEC_GP = 13,
	EM_VEC_PF = 14,
	EM_VEC_MF = 16,
	EM_VEC_AC = 17,
};

/* Segment registers beyond enum insn_seg for the read_seg/write_seg
 * callbacks. */
#define EM_SEG_LDTR 6
#define EM_SEG_TR   7

/* A segment register: selector and the hidden part as the VMCS holds it
 * (access rights in the VMCS format, GWALK_AR_UNUSABLE for a null one). */
struct em_segreg {
	u16 sel;
	struct gwalk_seg cache;
};

/* GDTR or IDTR (EM_DTR_GDT, EM_DTR_IDT). */
struct em_dtr {
	u64 base;
	u16 limit;
};

#define EM_DTR_GDT 0
#define EM_DTR_IDT 1

/* An exception to inject. cr2 is meaningful for #PF only. */
struct em_exception {
	u8 vector;
	bool has_error_code;
	u32 error_code;
	gva_t cr2;
};

struct em_ctx;

/*
 * Guest state services. Memory callbacks take a linear address (segment
 * base already added, canonical checked in 64-bit mode) and a size of 1..32
 * bytes. An access that crosses a page is handed over whole: the callback
 * splits it into per-page fragments (RAM and MMIO may mix) and must check
 * every fragment's translation before writing any byte, so that a failed
 * write has no effect.
 */
struct em_ops {
	/* GPR 0..15 (RAX..R15), full 64-bit value. */
	u64 (*read_gpr)(struct em_ctx *ctx, unsigned reg);
	/* Write the full 64-bit value of GPR reg (already merged/extended). */
	void (*write_gpr)(struct em_ctx *ctx, unsigned reg, u64 val);
	/* Read size bytes at linear address la into buf. */
	enum em_mem_result (*read_mem)(struct em_ctx *ctx, gva_t la, void *buf,
				       unsigned size);
	/* Write size bytes from buf to linear address la. */
	enum em_mem_result (*write_mem)(struct em_ctx *ctx, gva_t la,
					const void *buf, unsigned size);
	/*
	 * Atomically: if memory at la equals old, store new; either way put
	 * the value memory held into old. *swapped tells which happened.
	 * size is 1, 2, 4, 8 or 16. Used for every LOCKed read-modify-write
	 * and XCHG with memory; if NULL those forms are EM_UNSUPPORTED.
	 */
	enum em_mem_result (*cmpxchg_mem)(struct em_ctx *ctx, gva_t la,
					  void *old, const void *new_val,
					  unsigned size, bool *swapped);
	/*
	 * Read the low len (16 or 32) bytes of XMM/YMM register reg 0..15.
	 * read_vec/write_vec may be NULL: SSE/AVX forms are then
	 * EM_UNSUPPORTED.
	 */
	void (*read_vec)(struct em_ctx *ctx, unsigned reg, void *buf,
			 unsigned len);
	/*
	 * Write the low len (16 or 32) bytes of vector register reg. If
	 * zero_upper, bytes from len up to the maximum vector length become
	 * zero (VEX-encoded writes, SDM Vol. 1 14.1.2); otherwise they are
	 * left unchanged (legacy SSE).
	 */
	void (*write_vec)(struct em_ctx *ctx, unsigned reg, const void *buf,
			  unsigned len, bool zero_upper);
	/*
	 * Optional, for REP MOVS/STOS: perform count (>= 2) elements of size
	 * bytes in order, element i at dst + i * step (MOVS: read from
	 * src + i * step; STOS: store the low size bytes of fill), where step
	 * is -size when down, else size. Every element lies within the page
	 * of dst (and of src), so the checks of the first element are those
	 * of all: on anything but EM_MEM_OK nothing was done.
	 */
	enum em_mem_result (*rep_run)(struct em_ctx *ctx, gva_t dst, gva_t src,
				      u64 fill, unsigned size, u32 count,
				      bool down, bool movs);
	/*
	 * Optional: called with ctx->exc when insn_emulate() returns
	 * EM_EXCEPTION, so the caller may queue the event in one place.
	 */
	void (*inject)(struct em_ctx *ctx, const struct em_exception *exc);

	/*
	 * Optional system state, for SMSW/LMSW, SGDT/SIDT/SLDT/STR,
	 * LGDT/LIDT/LLDT/LTR, MOV to and from segment registers and far
	 * JMP/CALL (vmm/emulate/insn_emulate_sys.c). With any of these NULL
	 * those forms are EM_UNSUPPORTED. None of them can fail but
	 * write_cr0 (false: the value is refused, #GP(0)) and the implicit
	 * accesses.
	 */
	void (*read_dtr)(struct em_ctx *ctx, unsigned which,
			 struct em_dtr *dtr);
	void (*write_dtr)(struct em_ctx *ctx, unsigned which,
			  const struct em_dtr *dtr);
	/* seg: enum insn_seg, EM_SEG_LDTR or EM_SEG_TR. */
	void (*read_seg)(struct em_ctx *ctx, unsigned seg, struct em_segreg *s);
	void (*write_seg)(struct em_ctx *ctx, unsigned seg,
			  const struct em_segreg *s);
	/* CR0 loaded as MOV to CR0 would load it (LMSW). */
	bool (*write_cr0)(struct em_ctx *ctx, u64 val);
	/*
	 * Implicit supervisor-mode accesses at linear address la (descriptor
	 * tables: SDM Vol. 3A 4.6.1), size 1..16, faults as read_mem's.
	 */
	enum em_mem_result (*read_sys)(struct em_ctx *ctx, gva_t la, void *buf,
				       unsigned size);
	enum em_mem_result (*write_sys)(struct em_ctx *ctx, gva_t la,
					const void *buf, unsigned size);
	/*
	 * Optional: MMX register reg 0..7, read or written by an MMX
	 * instruction (which sets the x87 TOS to 0 and every tag valid, SDM
	 * Vol. 1 9.5.1). false: an unmasked x87 exception is pending (#MF,
	 * nothing done). NULL: the MMX forms are EM_UNSUPPORTED.
	 */
	bool (*read_mmx)(struct em_ctx *ctx, unsigned reg, u64 *val);
	bool (*write_mmx)(struct em_ctx *ctx, unsigned reg, u64 val);
};

/* Default number of REP iterations one insn_emulate() call performs. */
#define EM_REP_BUDGET_DEFAULT 256
/* Elements per call of REP MOVS/STOS when the ops move whole runs. */
#define EM_REP_RUN_BUDGET_DEFAULT 4096

/* Emulation context of one vCPU: inputs, outputs and staged state. */
struct em_ctx {
	/* Inputs, set by the caller before insn_emulate(). */
	const struct em_ops *ops;
	void *opaque; /* for the callbacks */
	u64 rip;      /* RIP of the instruction (advanced on EM_DONE) */
	u64 rflags;   /* in/out; written only on success */
	/*
	 * Segment registers by enum insn_seg, as the VMCS holds them: base,
	 * limit in bytes, access rights in the VMCS format (SDM Vol. 3C
	 * 24.4.1). Every access is checked as the CPU checks it
	 * (gwalk_seg_linear): in 64-bit mode only the FS/GS bases apply and
	 * every byte must be canonical; in protected and compatibility mode
	 * (CR0.PE = 1, RFLAGS.VM = 0) the segment must be usable, of a type
	 * that allows the access (no writes to code or read-only data, no
	 * reads of execute-only code) and the access within the limit,
	 * expand-down included; in real and virtual-8086 mode the limit
	 * applies. Violations raise #GP(0), #SS(0) for SS (SDM Vol. 3A 5.3,
	 * 5.4). Outside 64-bit mode SS.B selects a 32- or 16-bit stack.
	 */
	struct gwalk_seg seg[6];
	u64 cr0, cr4, xcr0; /* for SSE/AVX availability checks */
	u64 efer;	    /* EFER.LMA for far transfers and LLDT/LTR */
	u8 cpl;		    /* current privilege level (SS.DPL) */
	bool align_check;   /* CR0.AM = 1 and CPL = 3 (#AC with EFLAGS.AC) */
	u32 rep_budget;	    /* REP iterations per call; 0 = default */

	/* Outputs. */
	struct em_exception exc; /* valid on EM_EXCEPTION */
	const struct insn *insn; /* the instruction last handed in */
	const char *why;	 /* reason of an EM_UNSUPPORTED result */
	bool mov_ss;		 /* the instruction loaded SS: interrupts
				  * stay blocked for one more instruction
				  * (SDM Vol. 2B "MOV") */

	/* Private to the emulator: staged GPR state of one instruction. */
	u64 gpr[16];
	u16 gpr_valid; /* bit r: gpr[r] holds the guest value */
	u16 gpr_dirty; /* bit r: gpr[r] must be written back */
};

/*
 * Execute the decoded instruction *in (from insn_decode() for the mode the
 * guest is in) with ctx's ops. ctx->rip is the instruction's RIP. Returns:
 * EM_DONE (effects committed, ctx->rip += in->len and ctx->rflags updated);
 * EM_CONTINUE (a REP string instruction used its budget; iterations done are
 * committed, RIP unchanged, call again); EM_RETRY / EM_EXCEPTION (no effect
 * of this instruction or of the failing REP iteration; ctx->exc holds the
 * exception); EM_UNSUPPORTED (the form is not emulated; nothing changed).
 * Never panics on guest-controlled input.
 */
__must_check enum em_result insn_emulate(struct em_ctx *ctx,
					 const struct insn *in);

/*
 * Diagnostic for an EM_UNSUPPORTED (or any) result: the decoded form as
 * insn_format() prints it, prefixed by the emulator's reason. Returns the
 * length written into buf[n] (NUL-terminated).
 */
size_t insn_emulate_describe(const struct em_ctx *ctx, char *buf, size_t n);

/* Short name of an em_result ("done", "continue", ...). */
const char *em_result_name(enum em_result r);

#endif /* MICA_VMM_EMULATE_INSN_EMULATE_H */
