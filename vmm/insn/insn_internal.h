/* SPDX-License-Identifier: MIT */
/*
 * x86 decoder internals: the opcode descriptor format shared by the tables
 * (vmm/insn/insn_tables.c, vmm/insn/insn_tables_vex.c) and the decoder
 * (vmm/insn/insn_decode.c). Not for use outside the decoder.
 */
#ifndef MICA_VMM_INSN_INSN_INTERNAL_H
#define MICA_VMM_INSN_INSN_INTERNAL_H

#include "vmm/insn/insn.h"

/* struct op_desc.f */
#define OPF_MODRM  BIT(0)  /* a ModRM byte follows the opcode */
#define OPF_GROUP  BIT(1)  /* ModRM.reg selects a row of insn_grp[grp] */
#define OPF_I64	   BIT(2)  /* invalid in 64-bit mode (SDM A.2.5 "i64") */
#define OPF_O64	   BIT(3)  /* valid only in 64-bit mode ("o64") */
#define OPF_LOCK   BIT(4)  /* LOCK allowed with a memory destination */
#define OPF_BYTE   BIT(5)  /* 8-bit operand (Eb/Gb/AL) */
#define OPF_STRING BIT(6)  /* string instruction */
#define OPF_BRANCH BIT(7)  /* relative branch target */
#define OPF_MOFFS  BIT(8)  /* A0-A3 moffs: address-size offset */
#define OPF_SPEC   BIT(9)  /* per-ModRM special table (see decoder) */
#define OPF_VSIB   BIT(10) /* VSIB addressing (gather/scatter) */
#define OPF_RMREG  BIT(11) /* mod field ignored: always a register (MOV CR) */
#define OPF_3DNOW  BIT(12) /* 0F 0F: the imm8 suffix is the opcode */
#define OPF_L0	   BIT(13) /* VEX.L must be 0 */
#define OPF_W0	   BIT(14) /* VEX/XOP.W must be 0 */
#define OPF_L1	   BIT(15) /* VEX.L must be 1 (256-bit only) */

/* Immediate kinds (struct op_desc.imm). */
enum {
	IMM_NONE = 0,
	IMM_B,	/* ib */
	IMM_W,	/* iw */
	IMM_Z,	/* iz: 16 or 32 by operand size */
	IMM_V,	/* iv: 16, 32 or 64 by operand size (B8+r) */
	IMM_WB, /* ENTER iw, ib */
	IMM_P,	/* far pointer Ap: iz offset then iw selector */
	IMM_BB, /* EXTRQ/INSERTQ ib, ib */
	IMM_D,	/* id (XOP map 10) */
};

/* Operand-size kinds (struct op_desc.osz); SDM Vol. 2A 2.2.1.2 and A.2.5. */
enum {
	OSZ_V = 0, /* 16/32, 64 with REX.W */
	OSZ_B,	   /* 8 */
	OSZ_D64,   /* default 64 in 64-bit mode, 66 gives 16 */
	OSZ_F64,   /* forced 64 in 64-bit mode (Intel: 66 ignored) */
	OSZ_W,	   /* always 16 */
	OSZ_D,	   /* always 32 */
	OSZ_Q,	   /* always 64 */
	OSZ_Y,	   /* 32, or 64 with REX.W (MOVD/MOVQ, MOVNTI) */
	OSZ_X,	   /* vector: 16 bytes, or by VEX.L / EVEX.L'L */
	OSZ_Y64,   /* 32, or 64 in 64-bit mode (MOV CR/DR, VMREAD) */
	OSZ_CX8,   /* CMPXCHG8B/16B: m64, or m128 with REX.W */
	OSZ_TILE,  /* AMX: 64 (m512 tile configuration, bytes of a tile row) */
};

/* Prefix columns (the mandatory prefix of SSE forms), a bit mask each. */
#define PC_NP  BIT(0)
#define PC_66  BIT(1)
#define PC_F3  BIT(2)
#define PC_F2  BIT(3)
#define PC_ALL 0x0f

/*
 * One opcode form. pm/pr are the prefix columns in which the form is
 * defined with a memory operand (or without ModRM) and with ModRM.mod == 3;
 * an all-zero entry is an undefined opcode.
 */
struct op_desc {
	u16 f;
	u8 imm : 4; /* IMM_* */
	u8 osz : 4; /* OSZ_* */
	u8 pm : 4;  /* PC_* */
	u8 pr : 4;  /* PC_* */
	u8 grp;
	u8 nv; /* VEX/EVEX: columns (mem: bits 0-3, reg: 4-7) without
		* a vvvv operand, where vvvv must be 1111b */
};

/* Groups selected by ModRM.reg (SDM Vol. 2A Table A-6). */
enum {
	GRP_NONE = 0,
	GRP_1_EB,  /* 80, 82 */
	GRP_1_EV,  /* 81 */
	GRP_1_EVB, /* 83 */
	GRP_1A,	   /* 8F */
	GRP_2_B,   /* C0, D0, D2 (imm handled by the opcode) */
	GRP_2_V,   /* C1, D1, D3 */
	GRP_3_B,   /* F6 */
	GRP_3_V,   /* F7 */
	GRP_4,	   /* FE */
	GRP_5,	   /* FF */
	GRP_11_B,  /* C6 */
	GRP_11_V,  /* C7 */
	GRP_6,	   /* 0F 00 */
	GRP_7,	   /* 0F 01 (mod == 3: insn_0f01_reg) */
	GRP_8,	   /* 0F BA */
	GRP_9,	   /* 0F C7 */
	GRP_12,	   /* 0F 71 */
	GRP_13,	   /* 0F 72 */
	GRP_14,	   /* 0F 73 */
	GRP_15,	   /* 0F AE */
	GRP_16,	   /* 0F 18 */
	GRP_P,	   /* 0F 0D */
	GRP_EXTRQ, /* 66 0F 78 */
	GRP_KL,	   /* F3 0F 38 D8: Key Locker wide forms */
	GRP_COUNT
};

/* Legacy maps: a u8 index per opcode into insn_op_forms[] (0: undefined). */
extern const u8 insn_op1[256];
extern const u8 insn_op0f[256];
extern const u8 insn_op0f38[256];
extern const u8 insn_op0f3a[256];
extern const struct op_desc insn_op_forms[];
extern const struct op_desc insn_grp[GRP_COUNT][8];

/* 0F 01 with mod == 3: valid (reg, rm) pairs, bit rm of [reg], per column. */
extern const u8 insn_0f01_reg[4][8];
extern const u8 insn_0f01_reg64[4][8];
/* x87 D8-DF with mod == 3: bit (reg * 8 + rm) of [opcode - 0xD8]. */
extern const u64 insn_x87_reg[8];
/* x87 D8-DF memory forms: bit reg of [opcode - 0xD8]. */
extern const u8 insn_x87_mem[8];
/* 3DNow! suffix opcodes defined: bit (op & 63) of [op >> 6]. */
extern const u64 insn_3dnow[4];

/* VEX/EVEX/XOP maps: rows VEX_ROW(map) for maps 1..3, EVEX_ROW(map) for
 * maps 1..3 and 5..6, map - 8 for XOP maps 8..10 (no row for the maps the
 * prefix decoder rejects). Each opcode holds an index into insn_vex_forms[]
 * (0: undefined): the maps share fewer than 256 distinct forms. */
#define VEX_ROW(map)  ((map)-1)
#define EVEX_ROW(map) ((map)-1 - ((map) > 4))
extern const u8 insn_vex[3][256];
extern const u8 insn_evex[5][256];
extern const u8 insn_xop[3][256];
extern const struct op_desc insn_vex_forms[];
/* EVEX forms fixed to W0 / W1 (maps 1..3): bit op of
 * [VEX_ROW(map)][pp][op >> 6]. */
extern const u64 insn_evex_w0[3][4][4];
extern const u64 insn_evex_w1[3][4][4];
/* EVEX forms with embedded broadcast, same indexing. */
extern const u64 insn_evex_bcst[3][4][4];
/* EVEX forms storing to memory, same indexing. */
extern const u64 insn_evex_store[3][4][4];
/* EVEX forms without a vvvv operand, same indexing. */
extern const u64 insn_evex_nv[3][4][4];
/* EVEX forms with rounding/SAE, and with an opmask destination. */
extern const u64 insn_evex_rc[3][4][4];
extern const u64 insn_evex_kdst[3][4][4];
/* EVEX forms without masking, and 128-bit-only EVEX forms. */
extern const u64 insn_evex_nomask[3][4][4];
extern const u64 insn_evex_l0[3][4][4];
/* EVEX forms needing at least 256 / exactly 512 bits. */
extern const u64 insn_evex_l1[3][4][4];
extern const u64 insn_evex_l2[3][4][4];

/* Prefix column (mandatory prefix) of a legacy-encoded opcode: the last
 * of F2/F3 wins over 66, as the mandatory prefix of SSE forms. */
static inline u8 insn_legacy_column(const struct insn *in)
{
	if (in->pfx.flags & INSN_PFX_REP)
		return PC_F3;
	if (in->pfx.flags & INSN_PFX_REPNE)
		return PC_F2;
	return in->pfx.flags & INSN_PFX_OSZ ? PC_66 : PC_NP;
}

/*
 * Complete *e for the decoded ModRM (group rows, prefix- or ModRM-shaped
 * forms) and check that the form exists in this mode with these prefixes
 * and VEX/EVEX/XOP fields. Precondition: opcode, ModRM/SIB/disp decoded.
 * Returns 0 or INSN_E_UNDEF / INSN_E_MODE / INSN_E_LOCK.
 */
int insn_check_form(struct insn *in, struct op_desc *e);

#endif /* MICA_VMM_INSN_INSN_INTERNAL_H */
