/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction emulator: private definitions shared by the emulator's
 * files (dispatch tables, operand access, flag arithmetic). Not for users of
 * the emulator; they include vmm/emulate/insn_emulate.h.
 */
#ifndef MICA_VMM_EMULATE_INSN_EMULATE_INTERNAL_H
#define MICA_VMM_EMULATE_INSN_EMULATE_INTERNAL_H

#include "vmm/emulate/insn_emulate.h"

/* RFLAGS bits (SDM Vol. 1 3.4.3). */
#define EM_CF	 BIT(0)
#define EM_PF	 BIT(2)
#define EM_AF	 BIT(4)
#define EM_ZF	 BIT(6)
#define EM_SF	 BIT(7)
#define EM_DF	 BIT(10)
#define EM_OF	 BIT(11)
#define EM_VM	 BIT(17)
#define EM_AC	 BIT(18)
#define EM_ARITH (EM_CF | EM_PF | EM_AF | EM_ZF | EM_SF | EM_OF)

/* Control register bits used by the SSE/AVX checks. */
#define EM_CR0_EM      BIT(2)
#define EM_CR0_TS      BIT(3)
#define EM_CR4_OSFXSR  BIT(9)
#define EM_CR4_OSXSAVE BIT(18)
#define EM_XCR0_SSE    BIT(1)
#define EM_XCR0_AVX    BIT(2)

/* Operand locations decoded from the form (struct em_desc.dst/src). */
enum em_loc {
	EM_LOC_NONE = 0,
	EM_LOC_RM,   /* ModRM r/m: register (mod = 3) or memory */
	EM_LOC_REG,  /* ModRM reg */
	EM_LOC_ACC,  /* AL/AX/EAX/RAX */
	EM_LOC_IMM,  /* immediate, sign-extended to the operand size */
	EM_LOC_ONE,  /* constant 1 (D0/D1 shifts) */
	EM_LOC_CL,   /* CL (D2/D3 shifts) */
	EM_LOC_MOFFS /* A0-A3 memory offset */
};

/* struct em_desc.flags */
#define EM_F_BYTE    BIT(0)  /* 8-bit operation */
#define EM_F_LOCK    BIT(1)  /* LOCK allowed with a memory destination */
#define EM_F_MEMONLY BIT(2)  /* mod = 3 is not emulated (#UD or other insn) */
#define EM_F_RDST    BIT(3)  /* destination is read before it is written */
#define EM_F_NOWB    BIT(4)  /* destination is not written (CMP, TEST) */
#define EM_F_D64     BIT(5)  /* default 64-bit operand size in 64-bit mode */
#define EM_F_RAW     BIT(6)  /* handler fetches its own operands */
#define EM_F_SRC8    BIT(7)  /* source is 8 bits (MOVZX/MOVSX byte, imm8) */
#define EM_F_SRC16   BIT(8)  /* source is 16 bits */
#define EM_F_SRC32   BIT(9)  /* source is 32 bits (MOVSXD) */
#define EM_F_XLOCK   BIT(10) /* implicitly locked (XCHG with memory) */

/* One staged operand. */
struct em_operand {
	u8 loc;	   /* enum em_loc */
	u8 size;   /* bytes */
	u8 reg;	   /* GPR for register operands */
	bool high; /* AH/CH/DH/BH */
	bool mem;  /* in memory at la */
	gva_t la;
	u64 val;  /* current (source, or destination as read) */
	u64 orig; /* destination as read, for LOCK cmpxchg */
};

/* Per-instruction working state (on the stack of insn_emulate()). */
struct em_state {
	struct em_ctx *ctx;
	const struct insn *in;
	const struct em_desc *d;
	u8 osize;  /* operand size in bytes */
	u8 asize;  /* address size in bytes */
	bool lock; /* LOCK prefix present */
	u64 flags; /* RFLAGS being computed */
	struct em_operand dst, src;
	const char *why; /* reason for EM_UNSUPPORTED */
	bool jumped;	 /* a branch: RIP becomes new_rip, not RIP + len */
	u64 new_rip;
};

typedef enum em_result (*em_handler_t)(struct em_state *st);

/* Mask of the low size bytes (size 1, 2, 4 or 8). */
static inline u64 em_size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : BIT(size * 8) - 1;
}

/* Mask of an address of asize bytes. */
static inline u64 em_addr_mask(unsigned asize)
{
	return em_size_mask(asize);
}

/* Sign-extend the low size bytes of v to 64 bits. */
static inline u64 em_sext(u64 v, unsigned size)
{
	unsigned sh = 64 - size * 8;

	return (u64)((s64)(v << sh) >> sh);
}

/* Handler numbers (struct em_desc.fn): index of em_handlers[]. */
enum em_fn {
	EM_FN_NONE = 0,
	EM_FN_MOV,
	EM_FN_MOVZX,
	EM_FN_MOVSX,
	EM_FN_SETCC,
	EM_FN_CMOVCC,
	EM_FN_PUSH,
	EM_FN_POP,
	EM_FN_MOVBE,
	EM_FN_MOVNTI,
	EM_FN_ALU_OP,
	EM_FN_TEST,
	EM_FN_INC,
	EM_FN_DEC,
	EM_FN_NOT,
	EM_FN_NEG,
	EM_FN_MUL,
	EM_FN_IMUL,
	EM_FN_DIV,
	EM_FN_IDIV,
	EM_FN_SHIFT,
	EM_FN_XCHG,
	EM_FN_XADD,
	EM_FN_CMPXCHG_OP,
	EM_FN_CMPXCHG8B,
	EM_FN_BT,
	EM_FN_MOVS,
	EM_FN_STOS,
	EM_FN_LODS,
	EM_FN_CMPS,
	EM_FN_SCAS,
	EM_FN_SSE_MOV,
	EM_FN_MOVD,
	EM_FN_MOVQ,
	EM_FN_PUSH_OP,
	EM_FN_POP_REG,
	EM_FN_CALL,
	EM_FN_JMP_IND,
	EM_FN_RET,
	EM_FN_ENTER,
	EM_FN_LEAVE,
	EM_FN_SMSW,
	EM_FN_LMSW,
	EM_FN_SDT,
	EM_FN_LDT,
	EM_FN_SSEL,
	EM_FN_LLDT,
	EM_FN_LTR,
	EM_FN_MOV_SREG,
	EM_FN_FAR,
	EM_FN_NOP,
	EM_FN_COUNT
};

/* Group sub-tables (struct em_desc.group): index of the /reg rows. */
enum em_grp {
	EM_GRP_NONE = 0,
	EM_GRP_1_B,
	EM_GRP_1_V,
	EM_GRP_1A,
	EM_GRP_2_C0,
	EM_GRP_2_C1,
	EM_GRP_2_D0,
	EM_GRP_2_D1,
	EM_GRP_2_D2,
	EM_GRP_2_D3,
	EM_GRP_3_B,
	EM_GRP_3_V,
	EM_GRP_4,
	EM_GRP_5,
	EM_GRP_8,
	EM_GRP_9,
	EM_GRP_11_B,
	EM_GRP_11_V,
	EM_GRP_6,
	EM_GRP_7,
	EM_GRP_COUNT
};

/* One table row: a handler and how to fetch its operands, packed into
 * 32 bits (about 700 rows). */
struct em_desc {
	u32 fn : 6;	/* enum em_fn; EM_FN_NONE: not emulated */
	u32 group : 5;	/* enum em_grp: /reg sub-table of 8 rows */
	u32 flags : 11; /* EM_F_* */
	u32 dst : 3;	/* enum em_loc */
	u32 src : 3;	/* enum em_loc */
	u32 arg : 4;	/* handler argument (ALU op, cc, ...) */
};
_Static_assert(EM_FN_COUNT <= 64 && EM_GRP_COUNT <= 32,
	       "struct em_desc fields too narrow");

/* Handler of each enum em_fn (vmm/emulate/insn_emulate_tables.c). */
extern const em_handler_t em_handlers[EM_FN_COUNT];

/* Tables (vmm/emulate/insn_emulate_tables.c). */
const struct em_desc *em_lookup(const struct insn *in);

/* Core services (vmm/emulate/insn_emulate.c). */
u64 em_gpr(struct em_state *st, unsigned reg);
void em_set_gpr(struct em_state *st, unsigned reg, u64 val);
u64 em_reg_read(struct em_state *st, unsigned reg, bool high, unsigned size);
void em_reg_write(struct em_state *st, unsigned reg, bool high, unsigned size,
		  u64 val);
enum em_result em_raise(struct em_state *st, u8 vector, bool has_ec, u32 ec);
enum em_result em_unsupported(struct em_state *st, const char *why);
enum em_result em_ea(struct em_state *st, u64 *ea);
/* Linear address of a size-byte access at offset ea of segment seg (a write
 * or read-modify-write if write), raising the segment checks' fault. */
enum em_result em_linear(struct em_state *st, u8 seg, u64 ea, unsigned size,
			 bool write, gva_t *la);
/* Whether that access passes the segment checks, raising nothing. */
bool em_seg_allows(const struct em_state *st, u8 seg, u64 ea, unsigned size,
		   bool write);
/* Whether a size-byte access at la raises #AC (CR0.AM, CPL 3, EFLAGS.AC). */
bool em_ac_fault(const struct em_state *st, gva_t la, unsigned size);
/* The em_result of a memory callback's status. */
enum em_result em_mem_result_of(enum em_mem_result r);
enum em_result em_read(struct em_state *st, gva_t la, void *buf, unsigned size);
enum em_result em_write(struct em_state *st, gva_t la, const void *buf,
			unsigned size);
enum em_result em_cmpxchg(struct em_state *st, gva_t la, void *old,
			  const void *new_val, unsigned size, bool *swapped);
enum em_result em_mem_operand(struct em_state *st, unsigned size, bool write,
			      gva_t *la);
enum em_result em_store_dst(struct em_state *st);
void em_commit(struct em_state *st, bool advance);

/* Stack and segmentation helpers (vmm/emulate/insn_emulate_stack.c). */
/* How segmentation applies to this instruction (vmm/emulate/insn_emulate.c). */
enum gwalk_seg_mode em_seg_mode(const struct em_state *st);
/* Stack address size in bytes: 8 in 64-bit mode, else 4 or 2 by SS.B. */
unsigned em_stack_size(const struct em_state *st);
/* rsp + delta wrapped at the stack-address size, upper bits kept. */
u64 em_rsp_add(const struct em_state *st, u64 rsp, u64 delta);
/* Store size bytes from buf below *rsp (SS:rsp - size), the last step of
 * an instruction; on success *rsp is the new stack pointer. */
enum em_result em_stack_push(struct em_state *st, u64 *rsp, const void *buf,
			     unsigned size);
/* Read size bytes at SS:rsp (rsp at the stack-address size). */
enum em_result em_stack_read(struct em_state *st, u64 rsp, void *buf,
			     unsigned size);
/* Whether a branch target passes the CS limit (or, in 64-bit mode, is
 * canonical); #GP(0) otherwise. */
enum em_result em_branch_check(struct em_state *st, u64 target);

/* Flag arithmetic (vmm/emulate/insn_flags.c). */
u64 em_flags_szp(u64 res, unsigned size);
u64 em_flags_add(u64 a, u64 b, u64 c, unsigned size, u64 *res);
u64 em_flags_sub(u64 a, u64 b, u64 c, unsigned size, u64 *res);
u64 em_alu(unsigned op, u64 a, u64 b, u64 flags, unsigned size, u64 *res);
bool em_cond(u64 rflags, unsigned cc);

/* ALU op numbers (ModRM.reg of group 1, opcode bits 5:3 of 00-3F). */
enum em_alu_op {
	EM_ADD = 0,
	EM_OR,
	EM_ADC,
	EM_SBB,
	EM_AND,
	EM_SUB,
	EM_XOR,
	EM_CMP,
};

/* Handlers, by file. */
enum em_result em_mov(struct em_state *st);
enum em_result em_movzx(struct em_state *st);
enum em_result em_movsx(struct em_state *st);
enum em_result em_setcc(struct em_state *st);
enum em_result em_cmovcc(struct em_state *st);
enum em_result em_push(struct em_state *st);
enum em_result em_pop(struct em_state *st);
enum em_result em_movbe(struct em_state *st);
enum em_result em_movnti(struct em_state *st);
enum em_result em_nop(struct em_state *st);

enum em_result em_alu_op(struct em_state *st);
enum em_result em_test(struct em_state *st);
enum em_result em_inc(struct em_state *st);
enum em_result em_dec(struct em_state *st);
enum em_result em_not(struct em_state *st);
enum em_result em_neg(struct em_state *st);
enum em_result em_mul(struct em_state *st);
enum em_result em_imul(struct em_state *st);
enum em_result em_div(struct em_state *st);
enum em_result em_idiv(struct em_state *st);
enum em_result em_shift(struct em_state *st);
enum em_result em_xchg(struct em_state *st);
enum em_result em_xadd(struct em_state *st);
enum em_result em_cmpxchg_op(struct em_state *st);
enum em_result em_cmpxchg8b(struct em_state *st);
enum em_result em_bt(struct em_state *st);

enum em_result em_movs(struct em_state *st);
enum em_result em_stos(struct em_state *st);
enum em_result em_lods(struct em_state *st);
enum em_result em_cmps(struct em_state *st);
enum em_result em_scas(struct em_state *st);

enum em_result em_sse_mov(struct em_state *st);
enum em_result em_movd(struct em_state *st);
enum em_result em_movq(struct em_state *st);

enum em_result em_push_op(struct em_state *st);
enum em_result em_pop_reg(struct em_state *st);
enum em_result em_call(struct em_state *st);
enum em_result em_jmp_ind(struct em_state *st);
enum em_result em_ret(struct em_state *st);
enum em_result em_enter(struct em_state *st);
enum em_result em_leave(struct em_state *st);

enum em_result em_smsw(struct em_state *st);
enum em_result em_lmsw(struct em_state *st);
enum em_result em_sdt(struct em_state *st);
enum em_result em_ldt(struct em_state *st);
enum em_result em_ssel(struct em_state *st);
enum em_result em_lldt(struct em_state *st);
enum em_result em_ltr(struct em_state *st);
enum em_result em_mov_sreg(struct em_state *st);
enum em_result em_far(struct em_state *st);

#endif /* MICA_VMM_EMULATE_INSN_EMULATE_INTERNAL_H */
