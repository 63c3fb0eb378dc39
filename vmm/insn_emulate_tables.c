// SPDX-License-Identifier: MIT
/*
 * x86 emulator dispatch tables: one row per opcode of each map naming the
 * em_<mnemonic> handler and how its operands are fetched; group opcodes
 * index a /reg sub-table. A zero row is a form the emulator does not
 * execute (EM_UNSUPPORTED). Encodings: SDM Vol. 2 Appendix A.
 */
#include "vmm/insn_emulate_internal.h"

#define RM    EM_LOC_RM
#define REG   EM_LOC_REG
#define ACC   EM_LOC_ACC
#define IMM   EM_LOC_IMM
#define MOFFS EM_LOC_MOFFS

/* The six forms of one ALU op at opcode op*8 (SDM Vol. 2 ADD ... CMP). */
#define ALU_ROWS(op, lk, wb)                                                   \
	[(op)*8 +                                                              \
	    0] = {em_alu_op, NULL, EM_F_BYTE | EM_F_RDST | (lk) | (wb),        \
		  RM,	     REG,  op},                                        \
	    [(op)*8 + 1] = {em_alu_op, NULL, EM_F_RDST | (lk) | (wb),          \
			    RM,	       REG,  op},                              \
	    [(op)*8 + 2] = {em_alu_op, NULL, EM_F_BYTE | EM_F_RDST | (wb),     \
			    REG,       RM,   op},                              \
	    [(op)*8 + 3] = {em_alu_op, NULL, EM_F_RDST | (wb), REG, RM, op},   \
	    [(op)*8 + 4] = {em_alu_op, NULL, EM_F_BYTE | EM_F_RDST | (wb),     \
			    ACC,       IMM,  op},                              \
	    [(op)*8 + 5] = {em_alu_op, NULL, EM_F_RDST | (wb), ACC, IMM, op}

#define GRP1_ROW(op, lk, wb)                                                   \
	[op] = {em_alu_op, NULL, EM_F_RDST | (lk) | (wb), RM, IMM, op}

/* 80 /r ib, 82 /r ib (invalid in 64-bit mode): op r/m8, imm8. */
static const struct em_desc em_grp1_b[8] = {
    GRP1_ROW(EM_ADD, EM_F_LOCK | EM_F_BYTE, 0),
    GRP1_ROW(EM_OR, EM_F_LOCK | EM_F_BYTE, 0),
    GRP1_ROW(EM_ADC, EM_F_LOCK | EM_F_BYTE, 0),
    GRP1_ROW(EM_SBB, EM_F_LOCK | EM_F_BYTE, 0),
    GRP1_ROW(EM_AND, EM_F_LOCK | EM_F_BYTE, 0),
    GRP1_ROW(EM_SUB, EM_F_LOCK | EM_F_BYTE, 0),
    GRP1_ROW(EM_XOR, EM_F_LOCK | EM_F_BYTE, 0),
    GRP1_ROW(EM_CMP, EM_F_BYTE, EM_F_NOWB),
};

/* 81 /r iz and 83 /r ib: op r/m, imm (sign-extended by the decoder). */
static const struct em_desc em_grp1_v[8] = {
    GRP1_ROW(EM_ADD, EM_F_LOCK, 0), GRP1_ROW(EM_OR, EM_F_LOCK, 0),
    GRP1_ROW(EM_ADC, EM_F_LOCK, 0), GRP1_ROW(EM_SBB, EM_F_LOCK, 0),
    GRP1_ROW(EM_AND, EM_F_LOCK, 0), GRP1_ROW(EM_SUB, EM_F_LOCK, 0),
    GRP1_ROW(EM_XOR, EM_F_LOCK, 0), GRP1_ROW(EM_CMP, 0, EM_F_NOWB),
};

/* 8F /0: POP r/m (group 1A). */
static const struct em_desc em_grp1a[8] = {
    [0] = {em_pop, NULL, EM_F_RAW | EM_F_D64, RM, 0, 0},
};

/* Group 2 shifts and rotates: /0 ROL .. /7 SAR (/6 is reserved). */
#define GRP2(flags, src)                                                       \
	{                                                                      \
		[0] = {em_shift, NULL, (flags) | EM_F_RDST, RM, src, 0},       \
		[1] = {em_shift, NULL, (flags) | EM_F_RDST, RM, src, 1},       \
		[2] = {em_shift, NULL, (flags) | EM_F_RDST, RM, src, 2},       \
		[3] = {em_shift, NULL, (flags) | EM_F_RDST, RM, src, 3},       \
		[4] = {em_shift, NULL, (flags) | EM_F_RDST, RM, src, 4},       \
		[5] = {em_shift, NULL, (flags) | EM_F_RDST, RM, src, 5},       \
		[7] = {em_shift, NULL, (flags) | EM_F_RDST, RM, src, 7},       \
	}

static const struct em_desc em_grp2_c0[8] = GRP2(EM_F_BYTE | EM_F_SRC8, IMM);
static const struct em_desc em_grp2_c1[8] = GRP2(EM_F_SRC8, IMM);
static const struct em_desc em_grp2_d0[8] = GRP2(EM_F_BYTE, EM_LOC_ONE);
static const struct em_desc em_grp2_d1[8] = GRP2(0, EM_LOC_ONE);
static const struct em_desc em_grp2_d2[8] = GRP2(EM_F_BYTE, EM_LOC_CL);
static const struct em_desc em_grp2_d3[8] = GRP2(0, EM_LOC_CL);

/* Group 3 (F6 byte, F7 full size). */
#define GRP3(b)                                                                \
	{                                                                      \
		[0] =                                                          \
		    {em_test, NULL, (b) | EM_F_RDST | EM_F_NOWB, RM, IMM, 0},  \
		[2] = {em_not, NULL, (b) | EM_F_RDST | EM_F_LOCK, RM, 0, 0},   \
		[3] = {em_neg, NULL, (b) | EM_F_RDST | EM_F_LOCK, RM, 0, 0},   \
		[4] = {em_mul, NULL, (b), 0, RM, 0},                           \
		[5] = {em_imul, NULL, (b), 0, RM, 0},                          \
		[6] = {em_div, NULL, (b), 0, RM, 0},                           \
		[7] = {em_idiv, NULL, (b), 0, RM, 0},                          \
	}

static const struct em_desc em_grp3_b[8] = GRP3(EM_F_BYTE);
static const struct em_desc em_grp3_v[8] = GRP3(0);

/* FE: INC/DEC r/m8 (group 4). */
static const struct em_desc em_grp4[8] = {
    [0] = {em_inc, NULL, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, 0, 0},
    [1] = {em_dec, NULL, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, 0, 0},
};

/* FF: INC/DEC r/m, PUSH r/m (group 5). */
static const struct em_desc em_grp5[8] = {
    [0] = {em_inc, NULL, EM_F_RDST | EM_F_LOCK, RM, 0, 0},
    [1] = {em_dec, NULL, EM_F_RDST | EM_F_LOCK, RM, 0, 0},
    [6] = {em_push, NULL, EM_F_RAW | EM_F_D64, 0, RM, 0},
};

/* 0F BA: BT/BTS/BTR/BTC r/m, imm8 (group 8, /4../7). */
static const struct em_desc em_grp8[8] = {
    [4] = {em_bt, NULL, EM_F_RAW, RM, IMM, 0},
    [5] = {em_bt, NULL, EM_F_RAW | EM_F_LOCK, RM, IMM, 1},
    [6] = {em_bt, NULL, EM_F_RAW | EM_F_LOCK, RM, IMM, 2},
    [7] = {em_bt, NULL, EM_F_RAW | EM_F_LOCK, RM, IMM, 3},
};

/* 0F C7 /1: CMPXCHG8B/16B m (group 9). */
static const struct em_desc em_grp9[8] = {
    [1] = {em_cmpxchg8b, NULL, EM_F_RAW | EM_F_LOCK | EM_F_MEMONLY, RM, 0, 0},
};

#define MOV_ROW(b, d, s)                                                       \
	{                                                                      \
		em_mov, NULL, (b), d, s, 0                                     \
	}
#define GROUP(g)                                                               \
	{                                                                      \
		NULL, g, 0, 0, 0, 0                                            \
	}
/* C6/C7 /0: MOV r/m, imm (group 11; /7 with mod = 3 is XABORT/XBEGIN). */
static const struct em_desc em_grp11_b[8] = {
    [0] = MOV_ROW(EM_F_BYTE, RM, IMM),
};
static const struct em_desc em_grp11_v[8] = {
    [0] = MOV_ROW(0, RM, IMM),
};

#define STR(fn, b)                                                             \
	{                                                                      \
		fn, NULL, EM_F_RAW | (b), 0, 0, 0                              \
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
    /* 0x60 - 0x67 */
    [0x63] = {em_movsx, NULL, EM_F_SRC32, REG, RM, 0}, /* MOVSXD */
    /* 0x80 - 0x87 */
    [0x80] = GROUP(em_grp1_b),
    [0x81] = GROUP(em_grp1_v),
    [0x82] = GROUP(em_grp1_b),
    [0x83] = GROUP(em_grp1_v), /* imm8 sign-extended by the decoder */
    [0x84] = {em_test, NULL, EM_F_BYTE | EM_F_RDST | EM_F_NOWB, RM, REG, 0},
    [0x85] = {em_test, NULL, EM_F_RDST | EM_F_NOWB, RM, REG, 0},
    [0x86] = {em_xchg, NULL, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0x87] = {em_xchg, NULL, EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    /* 0x88 - 0x8F */
    [0x88] = MOV_ROW(EM_F_BYTE, RM, REG),
    [0x89] = MOV_ROW(0, RM, REG),
    [0x8a] = MOV_ROW(EM_F_BYTE, REG, RM),
    [0x8b] = MOV_ROW(0, REG, RM),
    [0x8f] = GROUP(em_grp1a),
    /* 0xA0 - 0xA7 */
    [0xa0] = MOV_ROW(EM_F_BYTE, ACC, MOFFS),
    [0xa1] = MOV_ROW(0, ACC, MOFFS),
    [0xa2] = MOV_ROW(EM_F_BYTE, MOFFS, ACC),
    [0xa3] = MOV_ROW(0, MOFFS, ACC),
    [0xa4] = STR(em_movs, EM_F_BYTE),
    [0xa5] = STR(em_movs, 0),
    [0xa6] = STR(em_cmps, EM_F_BYTE),
    [0xa7] = STR(em_cmps, 0),
    /* 0xA8 - 0xAF */
    [0xa8] = {em_test, NULL, EM_F_BYTE | EM_F_RDST | EM_F_NOWB, ACC, IMM, 0},
    [0xa9] = {em_test, NULL, EM_F_RDST | EM_F_NOWB, ACC, IMM, 0},
    [0xaa] = STR(em_stos, EM_F_BYTE),
    [0xab] = STR(em_stos, 0),
    [0xac] = STR(em_lods, EM_F_BYTE),
    [0xad] = STR(em_lods, 0),
    [0xae] = STR(em_scas, EM_F_BYTE),
    [0xaf] = STR(em_scas, 0),
    /* 0xC0 - 0xC7 */
    [0xc0] = GROUP(em_grp2_c0),
    [0xc1] = GROUP(em_grp2_c1),
    [0xc6] = GROUP(em_grp11_b),
    [0xc7] = GROUP(em_grp11_v),
    /* 0xD0 - 0xD7 */
    [0xd0] = GROUP(em_grp2_d0),
    [0xd1] = GROUP(em_grp2_d1),
    [0xd2] = GROUP(em_grp2_d2),
    [0xd3] = GROUP(em_grp2_d3),
    /* 0xF0 - 0xFF */
    [0xf6] = GROUP(em_grp3_b),
    [0xf7] = GROUP(em_grp3_v),
    [0xfe] = GROUP(em_grp4),
    [0xff] = GROUP(em_grp5),
};

#define CC_ROWS(base, fn, flags, d, s)                                         \
	[(base) + 0x0] = {fn, NULL, flags, d, s, 0x0},                         \
		  [(base) + 0x1] = {fn, NULL, flags, d, s, 0x1},               \
		  [(base) + 0x2] = {fn, NULL, flags, d, s, 0x2},               \
		  [(base) + 0x3] = {fn, NULL, flags, d, s, 0x3},               \
		  [(base) + 0x4] = {fn, NULL, flags, d, s, 0x4},               \
		  [(base) + 0x5] = {fn, NULL, flags, d, s, 0x5},               \
		  [(base) + 0x6] = {fn, NULL, flags, d, s, 0x6},               \
		  [(base) + 0x7] = {fn, NULL, flags, d, s, 0x7},               \
		  [(base) + 0x8] = {fn, NULL, flags, d, s, 0x8},               \
		  [(base) + 0x9] = {fn, NULL, flags, d, s, 0x9},               \
		  [(base) + 0xa] = {fn, NULL, flags, d, s, 0xa},               \
		  [(base) + 0xb] = {fn, NULL, flags, d, s, 0xb},               \
		  [(base) + 0xc] = {fn, NULL, flags, d, s, 0xc},               \
		  [(base) + 0xd] = {fn, NULL, flags, d, s, 0xd},               \
		  [(base) + 0xe] = {fn, NULL, flags, d, s, 0xe},               \
		  [(base) + 0xf] = {fn, NULL, flags, d, s, 0xf}

#define SSE_ROW(fn)                                                            \
	{                                                                      \
		fn, NULL, EM_F_RAW, 0, 0, 0                                    \
	}

static const struct em_desc em_map0f[256] = {
    /* 0x10 - 0x17: MOVUPS */
    [0x10] = SSE_ROW(em_sse_mov),
    [0x11] = SSE_ROW(em_sse_mov),
    /* 0x28 - 0x2F: MOVAPS */
    [0x28] = SSE_ROW(em_sse_mov),
    [0x29] = SSE_ROW(em_sse_mov),
    /* 0x40 - 0x4F: CMOVcc r, r/m */
    CC_ROWS(0x40, em_cmovcc, EM_F_RDST, REG, RM),
    /* 0x68 - 0x6F: MOVD/MOVQ, MOVDQA/MOVDQU loads */
    [0x6e] = SSE_ROW(em_movd),
    [0x6f] = SSE_ROW(em_sse_mov),
    /* 0x78 - 0x7F: MOVD/MOVQ, MOVDQA/MOVDQU stores */
    [0x7e] = SSE_ROW(em_movd),
    [0x7f] = SSE_ROW(em_sse_mov),
    /* 0x90 - 0x9F: SETcc r/m8 */
    CC_ROWS(0x90, em_setcc, EM_F_BYTE, RM, 0),
    /* 0xA0 - 0xAF */
    [0xa3] = {em_bt, NULL, EM_F_RAW, RM, REG, 0},
    [0xab] = {em_bt, NULL, EM_F_RAW | EM_F_LOCK, RM, REG, 1},
    /* 0xB0 - 0xBF */
    [0xb0] = {em_cmpxchg_op, NULL, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, REG,
	      0},
    [0xb1] = {em_cmpxchg_op, NULL, EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0xb3] = {em_bt, NULL, EM_F_RAW | EM_F_LOCK, RM, REG, 2},
    [0xb6] = {em_movzx, NULL, EM_F_SRC8, REG, RM, 0},
    [0xb7] = {em_movzx, NULL, EM_F_SRC16, REG, RM, 0},
    [0xba] = GROUP(em_grp8),
    [0xbb] = {em_bt, NULL, EM_F_RAW | EM_F_LOCK, RM, REG, 3},
    [0xbe] = {em_movsx, NULL, EM_F_SRC8, REG, RM, 0},
    [0xbf] = {em_movsx, NULL, EM_F_SRC16, REG, RM, 0},
    /* 0xC0 - 0xC7 */
    [0xc0] = {em_xadd, NULL, EM_F_BYTE | EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0xc1] = {em_xadd, NULL, EM_F_RDST | EM_F_LOCK, RM, REG, 0},
    [0xc3] = {em_movnti, NULL, EM_F_MEMONLY, RM, REG, 0},
    [0xc7] = GROUP(em_grp9),
    /* 0xD0 - 0xD7 */
    [0xd6] = SSE_ROW(em_movq),
    /* 0xE0 - 0xE7 */
    [0xe7] = SSE_ROW(em_sse_mov),
};

/* VEX map 0F: VMOVDQA/VMOVDQU. */
static const struct em_desc em_vex0f[256] = {
    /* 0x68 - 0x6F */
    [0x6f] = SSE_ROW(em_sse_mov),
    /* 0x78 - 0x7F */
    [0x7f] = SSE_ROW(em_sse_mov),
};

/* 0F 38 F0/F1: MOVBE (F2-prefixed: CRC32, not emulated). */
static const struct em_desc em_movbe_rows[2] = {
    {em_movbe, NULL, EM_F_RAW, REG, RM, 0},
    {em_movbe, NULL, EM_F_RAW, RM, REG, 1},
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
		if (in->map == INSN_MAP_0F)
			d = &em_vex0f[in->opcode];
	}
	if (d && d->group) {
		if (!in->modrm.present)
			return NULL;
		d = &d->group[in->modrm.reg & 7];
	}
	return d;
}
