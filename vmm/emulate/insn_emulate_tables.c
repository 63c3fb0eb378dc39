/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator dispatch tables: one row per opcode of each map naming the
 * em_<mnemonic> handler and how its operands are fetched; group opcodes
 * index a /reg sub-table. A zero row is a form the emulator does not
 * execute (EM_UNSUPPORTED). Encodings: SDM Vol. 2 Appendix A.
 */
#include "vmm/emulate/insn_emulate_internal.h"

/* Handler of each enum em_fn (struct em_desc.fn indexes this, so a row
 * costs 8 bytes rather than a pointer pair). */
const em_handler_t em_handlers[EM_FN_COUNT] = {
    [EM_FN_MOV] = em_mov,
    [EM_FN_MOVZX] = em_movzx,
    [EM_FN_MOVSX] = em_movsx,
    [EM_FN_SETCC] = em_setcc,
    [EM_FN_CMOVCC] = em_cmovcc,
    [EM_FN_PUSH] = em_push,
    [EM_FN_POP] = em_pop,
    [EM_FN_MOVBE] = em_movbe,
    [EM_FN_MOVNTI] = em_movnti,
    [EM_FN_ALU_OP] = em_alu_op,
    [EM_FN_TEST] = em_test,
    [EM_FN_INC] = em_inc,
    [EM_FN_DEC] = em_dec,
    [EM_FN_NOT] = em_not,
    [EM_FN_NEG] = em_neg,
    [EM_FN_MUL] = em_mul,
    [EM_FN_IMUL] = em_imul,
    [EM_FN_DIV] = em_div,
    [EM_FN_IDIV] = em_idiv,
    [EM_FN_SHIFT] = em_shift,
    [EM_FN_XCHG] = em_xchg,
    [EM_FN_XADD] = em_xadd,
    [EM_FN_CMPXCHG_OP] = em_cmpxchg_op,
    [EM_FN_CMPXCHG8B] = em_cmpxchg8b,
    [EM_FN_BT] = em_bt,
    [EM_FN_MOVS] = em_movs,
    [EM_FN_STOS] = em_stos,
    [EM_FN_LODS] = em_lods,
    [EM_FN_CMPS] = em_cmps,
    [EM_FN_SCAS] = em_scas,
    [EM_FN_SSE_MOV] = em_sse_mov,
    [EM_FN_MOVD] = em_movd,
    [EM_FN_MOVQ] = em_movq,
    [EM_FN_PUSH_OP] = em_push_op,
    [EM_FN_POP_REG] = em_pop_reg,
    [EM_FN_CALL] = em_call,
    [EM_FN_JMP_IND] = em_jmp_ind,
    [EM_FN_RET] = em_ret,
    [EM_FN_ENTER] = em_enter,
    [EM_FN_LEAVE] = em_leave,
    [EM_FN_SMSW] = em_smsw,
    [EM_FN_LMSW] = em_lmsw,
    [EM_FN_SDT] = em_sdt,
    [EM_FN_LDT] = em_ldt,
    [EM_FN_SSEL] = em_ssel,
    [EM_FN_LLDT] = em_lldt,
    [EM_FN_LTR] = em_ltr,
    [EM_FN_MOV_SREG] = em_mov_sreg,
    [EM_FN_NOP] = em_nop,
    [EM_FN_FAR] = em_far,
};

#define RM    EM_LOC_RM
#define REG   EM_LOC_REG
#define ACC   EM_LOC_ACC
#define IMM   EM_LOC_IMM
#define MOFFS EM_LOC_MOFFS

/* The six forms of one ALU op at opcode op*8 (SDM Vol. 2 ADD ... CMP). */
#define ALU_ROWS(op, lk, wb)                                                   \
	[(op)*8 +                                                              \
	    0] = {EM_FN_ALU_OP, 0,   EM_F_BYTE | EM_F_RDST | (lk) | (wb),      \
		  RM,		REG, op},                                      \
	    [(op)*8 + 1] = {EM_FN_ALU_OP, 0,   EM_F_RDST | (lk) | (wb),        \
			    RM,		  REG, op},                            \
	    [(op)*8 + 2] = {EM_FN_ALU_OP, 0,  EM_F_BYTE | EM_F_RDST | (wb),    \
			    REG,	  RM, op},                             \
	    [(op)*8 + 3] = {EM_FN_ALU_OP, 0, EM_F_RDST | (wb), REG, RM, op},   \
	    [(op)*8 + 4] = {EM_FN_ALU_OP, 0,   EM_F_BYTE | EM_F_RDST | (wb),   \
			    ACC,	  IMM, op},                            \
	    [(op)*8 + 5] = {EM_FN_ALU_OP, 0, EM_F_RDST | (wb), ACC, IMM, op}

#define GRP1_ROW(op, lk, wb)                                                   \
	[op] = {EM_FN_ALU_OP, 0, EM_F_RDST | (lk) | (wb), RM, IMM, op}

/* Group 2 shifts and rotates: /0 ROL .. /7 SAR (/6 is reserved). */
#define GRP2(flags, src)                                                       \
	{                                                                      \
		[0] = {EM_FN_SHIFT, 0, (flags) | EM_F_RDST, RM, src, 0},       \
		[1] = {EM_FN_SHIFT, 0, (flags) | EM_F_RDST, RM, src, 1},       \
		[2] = {EM_FN_SHIFT, 0, (flags) | EM_F_RDST, RM, src, 2},       \
		[3] = {EM_FN_SHIFT, 0, (flags) | EM_F_RDST, RM, src, 3},       \
		[4] = {EM_FN_SHIFT, 0, (flags) | EM_F_RDST, RM, src, 4},       \
		[5] = {EM_FN_SHIFT, 0, (flags) | EM_F_RDST, RM, src, 5},       \
		[7] = {EM_FN_SHIFT, 0, (flags) | EM_F_RDST, RM, src, 7},       \
	}

/* Group 3 (F6 byte, F7 full size). */
#define GRP3(b)                                                                \
	{                                                                      \
		[0] =                                                          \
		    {EM_FN_TEST, 0, (b) | EM_F_RDST | EM_F_NOWB, RM, IMM, 0},  \
		[2] = {EM_FN_NOT, 0, (b) | EM_F_RDST | EM_F_LOCK, RM, 0, 0},   \
		[3] = {EM_FN_NEG, 0, (b) | EM_F_RDST | EM_F_LOCK, RM, 0, 0},   \
		[4] = {EM_FN_MUL, 0, (b), 0, RM, 0},                           \
		[5] = {EM_FN_IMUL, 0, (b), 0, RM, 0},                          \
		[6] = {EM_FN_DIV, 0, (b), 0, RM, 0},                           \
		[7] = {EM_FN_IDIV, 0, (b), 0, RM, 0},                          \
	}

#define MOV_ROW(b, d, s)                                                       \
	{                                                                      \
		EM_FN_MOV, 0, (b), d, s, 0                                     \
	}
#define GROUP(g)                                                               \
	{                                                                      \
		0, g, 0, 0, 0, 0                                               \
	}

/* /reg sub-tables of the group opcodes (SDM Vol. 2 Table A-6). */
static const struct em_desc em_groups[EM_GRP_COUNT][8] = {
    /* 80 /r ib, 82 /r ib (invalid in 64-bit mode): op r/m8, imm8. */
    [EM_GRP_1_B] =
	{
	    GRP1_ROW(EM_ADD, EM_F_LOCK | EM_F_BYTE, 0),
	    GRP1_ROW(EM_OR, EM_F_LOCK | EM_F_BYTE, 0),
	    GRP1_ROW(EM_ADC, EM_F_LOCK | EM_F_BYTE, 0),
	    GRP1_ROW(EM_SBB, EM_F_LOCK | EM_F_BYTE, 0),
	    GRP1_ROW(EM_AND, EM_F_LOCK | EM_F_BYTE, 0),
	    GRP1_ROW(EM_SUB, EM_F_LOCK | EM_F_BYTE, 0),
	    GRP1_ROW(EM_XOR, EM_F_LOCK | EM_F_BYTE, 0),
	    GRP1_ROW(EM_CMP, EM_F_BYTE, EM_F_NOWB),
	},
    /* 81 /r iz and 83 /r ib: op r/m, imm (sign-extended by the decoder). */
    [EM_GRP_1_V] =
	{
	    GRP1_ROW(EM_ADD, EM_F_LOCK, 0),
	    GRP1_ROW(EM_OR, EM_F_LOCK, 0),
	    GRP1_ROW(EM_ADC, EM_F_LOCK, 0),
	    GRP1_ROW(EM_SBB, EM_F_LOCK, 0),
	    GRP1_ROW(EM_AND, EM_F_LOCK, 0),
	    GRP1_ROW(EM_SUB, EM_F_LOCK, 0),
	    GRP1_ROW(EM_XOR, EM_F_LOCK, 0),
	    GRP1_ROW(EM_CMP, 0, EM_F_NOWB),
	},
    /* 8F /0: POP r/m (group 1A). */
    [EM_GRP_1A] =
	{
	    [0] = {EM_FN_POP, 0, EM_F_RAW | EM_F_D64, RM, 0, 0},
	},
    [EM_GRP_2_C0] = GRP2(EM_F_BYTE | EM_F_SRC8, IMM),
    [EM_GRP_2_C1] = GRP2(EM_F_SRC8, IMM),
    [EM_GRP_2_D0] = GRP2(EM_F_BYTE, EM_LOC_ONE),
    [EM_GRP_2_D1] = GRP2(0, EM_LOC_ONE),
    [EM_GRP_2_D2] = GRP2(EM_F_BYTE, EM_LOC_CL),
    [EM_GRP_2_D3] = GRP2(0, EM_LOC_CL),
    [EM_GRP_3_B] = GRP3(EM_F_BYTE),
    [EM_GRP_3_V] = GRP3(0),
    /* FE: INC/DEC r/m8 (group 4). */
    [EM_GRP_4] =
	{
	    [0] = {EM_FN_INC, 0, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, 0, 0},
	    [1] = {EM_FN_DEC, 0, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, 0, 0},
	},
    /* FF: INC/DEC r/m, CALL/JMP near and far, PUSH r/m (group 5). */
    [EM_GRP_5] =
	{
	    [0] = {EM_FN_INC, 0, EM_F_RDST | EM_F_LOCK, RM, 0, 0},
	    [1] = {EM_FN_DEC, 0, EM_F_RDST | EM_F_LOCK, RM, 0, 0},
	    [2] = {EM_FN_CALL, 0, EM_F_RAW | EM_F_D64, 0, RM, 0},
	    [3] = {EM_FN_FAR, 0, EM_F_RAW | EM_F_MEMONLY, 0, RM, 1},
	    [4] = {EM_FN_JMP_IND, 0, EM_F_RAW | EM_F_D64, 0, RM, 0},
	    [5] = {EM_FN_FAR, 0, EM_F_RAW | EM_F_MEMONLY, 0, RM, 0},
	    [6] = {EM_FN_PUSH, 0, EM_F_RAW | EM_F_D64, 0, RM, 0},
	},
    /* 0F 00: SLDT, STR, LLDT, LTR (group 6; VERR/VERW not emulated). */
    [EM_GRP_6] =
	{
	    [0] = {EM_FN_SSEL, 0, EM_F_RAW, RM, 0, EM_SEG_LDTR},
	    [1] = {EM_FN_SSEL, 0, EM_F_RAW, RM, 0, EM_SEG_TR},
	    [2] = {EM_FN_LLDT, 0, EM_F_RAW, 0, RM, 0},
	    [3] = {EM_FN_LTR, 0, EM_F_RAW, 0, RM, 0},
	},
    /* 0F 01 (group 7): SGDT, SIDT, LGDT, LIDT m; SMSW, LMSW r/m. With
     * mod = 3, /0-/3, /5 and /7 encode other instructions (VMCALL,
     * MONITOR, SWAPGS...), never emulated. */
    [EM_GRP_7] =
	{
	    [0] = {EM_FN_SDT, 0, EM_F_RAW, RM, 0, EM_DTR_GDT},
	    [1] = {EM_FN_SDT, 0, EM_F_RAW, RM, 0, EM_DTR_IDT},
	    [2] = {EM_FN_LDT, 0, EM_F_RAW, 0, RM, EM_DTR_GDT},
	    [3] = {EM_FN_LDT, 0, EM_F_RAW, 0, RM, EM_DTR_IDT},
	    [4] = {EM_FN_SMSW, 0, EM_F_RAW, RM, 0, 0},
	    [6] = {EM_FN_LMSW, 0, EM_F_RAW, 0, RM, 0},
	},
    /* 0F BA: BT/BTS/BTR/BTC r/m, imm8 (group 8, /4../7). */
    [EM_GRP_8] =
	{
	    [4] = {EM_FN_BT, 0, EM_F_RAW, RM, IMM, 0},
	    [5] = {EM_FN_BT, 0, EM_F_RAW | EM_F_LOCK, RM, IMM, 1},
	    [6] = {EM_FN_BT, 0, EM_F_RAW | EM_F_LOCK, RM, IMM, 2},
	    [7] = {EM_FN_BT, 0, EM_F_RAW | EM_F_LOCK, RM, IMM, 3},
	},
    /* 0F C7 /1: CMPXCHG8B/16B m (group 9). */
    [EM_GRP_9] =
	{
	    [1] = {EM_FN_CMPXCHG8B, 0, EM_F_RAW | EM_F_LOCK | EM_F_MEMONLY,
		   RM, 0, 0},
	},
    /* C6/C7 /0: MOV r/m, imm (group 11; /7 with mod = 3 is XABORT/XBEGIN). */
    [EM_GRP_11_B] =
	{
	    [0] = MOV_ROW(EM_F_BYTE, RM, IMM),
	},
    [EM_GRP_11_V] =
	{
	    [0] = MOV_ROW(0, RM, IMM),
	},
};

#define STR(fn, b)                                                             \
	{                                                                      \
		fn, 0, EM_F_RAW | (b), 0, 0, 0                                 \
	}

/* Stack forms: default 64-bit operand size in 64-bit mode. */
#define STK(fn)                                                                \
	{                                                                      \
		fn, 0, EM_F_RAW | EM_F_D64, 0, 0, 0                            \
	}

static const struct em_desc em_map1b[256] = {
    /* 0x00 - 0x3F: ADD OR ADC SBB AND SUB XOR CMP */
    ALU_ROWS(EM_ADD, EM_F_LOCK, 0),
    ALU_ROWS(EM_OR, EM_F_LOCK, 0),
    ALU_ROWS(EM_ADC, EM_F_LOCK, 0),
    ALU_ROWS(EM_SBB, EM_F_LOCK, 0),
    ALU_ROWS(EM_AND, EM_F_LOCK, 0),
    ALU_ROWS(EM_SUB, EM_F_LOCK, 0),
    ALU_ROWS(EM_XOR, EM_F_LOCK, 0),
    ALU_ROWS(EM_CMP, 0, EM_F_NOWB),
    /* 0x50 - 0x5F: PUSH r, POP r */
    [0x50 ... 0x57] = STK(EM_FN_PUSH_OP),
    [0x58 ... 0x5f] = STK(EM_FN_POP_REG),
    /* 0x60 - 0x67 */
    [0x63] = {EM_FN_MOVSX, 0, EM_F_SRC32, REG, RM, 0}, /* MOVSXD */
    /* 0x68 - 0x6F: PUSH imm */
    [0x68] = STK(EM_FN_PUSH_OP),
    [0x6a] = STK(EM_FN_PUSH_OP),
    /* 0x80 - 0x87 */
    [0x80] = GROUP(EM_GRP_1_B),
    [0x81] = GROUP(EM_GRP_1_V),
    [0x82] = GROUP(EM_GRP_1_B),
    [0x83] = GROUP(EM_GRP_1_V), /* imm8 sign-extended by the decoder */
    [0x84] = {EM_FN_TEST, 0, EM_F_BYTE | EM_F_RDST | EM_F_NOWB, RM, REG, 0},
    [0x85] = {EM_FN_TEST, 0, EM_F_RDST | EM_F_NOWB, RM, REG, 0},
    [0x86] = {EM_FN_XCHG, 0, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0x87] = {EM_FN_XCHG, 0, EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    /* 0x88 - 0x8F */
    [0x88] = MOV_ROW(EM_F_BYTE, RM, REG),
    [0x89] = MOV_ROW(0, RM, REG),
    [0x8a] = MOV_ROW(EM_F_BYTE, REG, RM),
    [0x8b] = MOV_ROW(0, REG, RM),
    [0x8c] = {EM_FN_MOV_SREG, 0, EM_F_RAW, RM, 0, 0},
    [0x8e] = {EM_FN_MOV_SREG, 0, EM_F_RAW, 0, RM, 1},
    [0x8f] = GROUP(EM_GRP_1A),
    /* 0x90 - 0x97 */
    [0x90] = {EM_FN_NOP, 0, EM_F_RAW, 0, 0, 0},
    /* 0xA0 - 0xA7 */
    [0xa0] = MOV_ROW(EM_F_BYTE, ACC, MOFFS),
    [0xa1] = MOV_ROW(0, ACC, MOFFS),
    [0xa2] = MOV_ROW(EM_F_BYTE, MOFFS, ACC),
    [0xa3] = MOV_ROW(0, MOFFS, ACC),
    [0xa4] = STR(EM_FN_MOVS, EM_F_BYTE),
    [0xa5] = STR(EM_FN_MOVS, 0),
    [0xa6] = STR(EM_FN_CMPS, EM_F_BYTE),
    [0xa7] = STR(EM_FN_CMPS, 0),
    /* 0xA8 - 0xAF */
    [0xa8] = {EM_FN_TEST, 0, EM_F_BYTE | EM_F_RDST | EM_F_NOWB, ACC, IMM, 0},
    [0xa9] = {EM_FN_TEST, 0, EM_F_RDST | EM_F_NOWB, ACC, IMM, 0},
    [0xaa] = STR(EM_FN_STOS, EM_F_BYTE),
    [0xab] = STR(EM_FN_STOS, 0),
    [0xac] = STR(EM_FN_LODS, EM_F_BYTE),
    [0xad] = STR(EM_FN_LODS, 0),
    [0xae] = STR(EM_FN_SCAS, EM_F_BYTE),
    [0xaf] = STR(EM_FN_SCAS, 0),
    /* 0xC0 - 0xC7 */
    [0xc0] = GROUP(EM_GRP_2_C0),
    [0xc1] = GROUP(EM_GRP_2_C1),
    [0xc2] = STK(EM_FN_RET),
    [0xc3] = STK(EM_FN_RET),
    [0xc6] = GROUP(EM_GRP_11_B),
    [0xc7] = GROUP(EM_GRP_11_V),
    /* 0xC8 - 0xCF */
    [0xc8] = STK(EM_FN_ENTER),
    [0xc9] = STK(EM_FN_LEAVE),
    /* 0xD0 - 0xD7 */
    [0xd0] = GROUP(EM_GRP_2_D0),
    [0xd1] = GROUP(EM_GRP_2_D1),
    [0xd2] = GROUP(EM_GRP_2_D2),
    [0xd3] = GROUP(EM_GRP_2_D3),
    /* 0xE8 - 0xEF */
    [0xe8] = STK(EM_FN_CALL),
    /* 0xF0 - 0xFF */
    [0xf6] = GROUP(EM_GRP_3_B),
    [0xf7] = GROUP(EM_GRP_3_V),
    [0xfe] = GROUP(EM_GRP_4),
    [0xff] = GROUP(EM_GRP_5),
};

#define CC_ROWS(base, fn, flags, d, s)                                         \
	[(base) + 0x0] = {fn, 0, flags, d, s, 0x0},                            \
		  [(base) + 0x1] = {fn, 0, flags, d, s, 0x1},                  \
		  [(base) + 0x2] = {fn, 0, flags, d, s, 0x2},                  \
		  [(base) + 0x3] = {fn, 0, flags, d, s, 0x3},                  \
		  [(base) + 0x4] = {fn, 0, flags, d, s, 0x4},                  \
		  [(base) + 0x5] = {fn, 0, flags, d, s, 0x5},                  \
		  [(base) + 0x6] = {fn, 0, flags, d, s, 0x6},                  \
		  [(base) + 0x7] = {fn, 0, flags, d, s, 0x7},                  \
		  [(base) + 0x8] = {fn, 0, flags, d, s, 0x8},                  \
		  [(base) + 0x9] = {fn, 0, flags, d, s, 0x9},                  \
		  [(base) + 0xa] = {fn, 0, flags, d, s, 0xa},                  \
		  [(base) + 0xb] = {fn, 0, flags, d, s, 0xb},                  \
		  [(base) + 0xc] = {fn, 0, flags, d, s, 0xc},                  \
		  [(base) + 0xd] = {fn, 0, flags, d, s, 0xd},                  \
		  [(base) + 0xe] = {fn, 0, flags, d, s, 0xe},                  \
		  [(base) + 0xf] = {fn, 0, flags, d, s, 0xf}

#define SSE_ROW(fn)                                                            \
	{                                                                      \
		fn, 0, EM_F_RAW, 0, 0, 0                                       \
	}

static const struct em_desc em_map0f[256] = {
    /* 0x00 - 0x07: groups 6 and 7 */
    [0x00] = GROUP(EM_GRP_6),
    [0x01] = GROUP(EM_GRP_7),
    [0x1f] = {EM_FN_NOP, 0, EM_F_RAW, 0, 0, 0}, /* NOP r/m */
    /* 0x10 - 0x17: MOVUPS */
    [0x10] = SSE_ROW(EM_FN_SSE_MOV),
    [0x11] = SSE_ROW(EM_FN_SSE_MOV),
    /* 0x28 - 0x2F: MOVAPS */
    [0x28] = SSE_ROW(EM_FN_SSE_MOV),
    [0x29] = SSE_ROW(EM_FN_SSE_MOV),
    /* 0x40 - 0x4F: CMOVcc r, r/m */
    CC_ROWS(0x40, EM_FN_CMOVCC, EM_F_RDST, REG, RM),
    /* 0x68 - 0x6F: MOVD/MOVQ, MOVDQA/MOVDQU loads */
    [0x6e] = SSE_ROW(EM_FN_MOVD),
    [0x6f] = SSE_ROW(EM_FN_SSE_MOV),
    /* 0x78 - 0x7F: MOVD/MOVQ, MOVDQA/MOVDQU stores */
    [0x7e] = SSE_ROW(EM_FN_MOVD),
    [0x7f] = SSE_ROW(EM_FN_SSE_MOV),
    /* 0x90 - 0x9F: SETcc r/m8 */
    CC_ROWS(0x90, EM_FN_SETCC, EM_F_BYTE, RM, 0),
    /* 0xA0 - 0xAF */
    [0xa3] = {EM_FN_BT, 0, EM_F_RAW, RM, REG, 0},
    [0xab] = {EM_FN_BT, 0, EM_F_RAW | EM_F_LOCK, RM, REG, 1},
    /* 0xB0 - 0xBF */
    [0xb0] = {EM_FN_CMPXCHG_OP, 0, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, REG,
	      0},
    [0xb1] = {EM_FN_CMPXCHG_OP, 0, EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0xb3] = {EM_FN_BT, 0, EM_F_RAW | EM_F_LOCK, RM, REG, 2},
    [0xb6] = {EM_FN_MOVZX, 0, EM_F_SRC8, REG, RM, 0},
    [0xb7] = {EM_FN_MOVZX, 0, EM_F_SRC16, REG, RM, 0},
    [0xba] = GROUP(EM_GRP_8),
    [0xbb] = {EM_FN_BT, 0, EM_F_RAW | EM_F_LOCK, RM, REG, 3},
    [0xbe] = {EM_FN_MOVSX, 0, EM_F_SRC8, REG, RM, 0},
    [0xbf] = {EM_FN_MOVSX, 0, EM_F_SRC16, REG, RM, 0},
    /* 0xC0 - 0xC7 */
    [0xc0] = {EM_FN_XADD, 0, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0xc1] = {EM_FN_XADD, 0, EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0xc3] = {EM_FN_MOVNTI, 0, EM_F_MEMONLY, RM, REG, 0},
    [0xc7] = GROUP(EM_GRP_9),
    /* 0xD0 - 0xD7 */
    [0xd6] = SSE_ROW(EM_FN_MOVQ),
    /* 0xE0 - 0xE7 */
    [0xe7] = SSE_ROW(EM_FN_SSE_MOV),
};

/* VEX map 0F rows 60-7F (no other VEX form is emulated): VMOVDQA/VMOVDQU. */
static const struct em_desc em_vex0f_60[32] = {
    /* 0x68 - 0x6F */
    [0x6f - 0x60] = SSE_ROW(EM_FN_SSE_MOV),
    /* 0x78 - 0x7F */
    [0x7f - 0x60] = SSE_ROW(EM_FN_SSE_MOV),
};

/* 0F 38 F0/F1: MOVBE (F2-prefixed: CRC32, not emulated). */
static const struct em_desc em_movbe_rows[2] = {
    {EM_FN_MOVBE, 0, EM_F_RAW, REG, RM, 0},
    {EM_FN_MOVBE, 0, EM_F_RAW, RM, REG, 1},
};

/*
 * Row for the decoded form, the /reg sub-table resolved; NULL or a row
 * without handler when the form is not emulated.
 */
const struct em_desc *em_lookup(const struct insn *in)
{
	const struct em_desc *d = NULL;

	if (in->enc == INSN_ENC_LEGACY) {
		if (in->map == INSN_MAP_1B)
			d = &em_map1b[in->opcode];
		else if (in->map == INSN_MAP_0F)
			d = &em_map0f[in->opcode];
		else if (in->map == INSN_MAP_0F38 &&
			 (in->opcode & 0xfe) == 0xf0)
			d = &em_movbe_rows[in->opcode & 1];
	} else if (in->enc == INSN_ENC_VEX2 || in->enc == INSN_ENC_VEX3) {
		if (in->map == INSN_MAP_0F && (in->opcode & 0xe0) == 0x60)
			d = &em_vex0f_60[in->opcode & 0x1f];
	}
	if (d && d->group) {
		if (!in->modrm.present ||
		    (d->group == EM_GRP_7 && in->modrm.mod == 3 &&
		     (in->modrm.reg & 5) != 4))
			return NULL;
		d = &em_groups[d->group][in->modrm.reg & 7];
	}
	return d;
}
