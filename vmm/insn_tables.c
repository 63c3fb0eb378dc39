/* SPDX-License-Identifier: MIT */
/*
 * Opcode descriptor tables of the legacy maps: one-byte, 0F, 0F 38, 0F 3A
 * and the ModRM.reg groups (SDM Vol. 2D Appendix A, Tables ).
 * A zero entry is an undefined opcode; pm/pr list the mandatory-prefix
 * columns in which a form exists with a memory / register ModRM operand.
 */
#include "vmm/insn_internal.h"

/* Entry builders: flags, immediate, operand size; prefix columns. */
#define X(fl, im, os)                                                          \
	{                                                                      \
		.f = (fl), .imm = (im), .osz = (os), .pm = PC_ALL,             \
		.pr = PC_ALL                                                   \
	}
#define XP(fl, im, os, m, r)                                                   \
	{                                                                      \
		.f = (fl), .imm = (im), .osz = (os), .pm = (m), .pr = (r)      \
	}
#define G(g, im, os)                                                           \
	{                                                                      \
		.f = OPF_MODRM | OPF_GROUP, .imm = (im), .osz = (os),          \
		.pm = PC_ALL, .pr = PC_ALL, .grp = (g)                         \
	}
#define GP(g, im, os, m, r)                                                    \
	{                                                                      \
		.f = OPF_MODRM | OPF_GROUP, .imm = (im), .osz = (os),          \
		.pm = (m), .pr = (r), .grp = (g)                               \
	}
#define M    OPF_MODRM
#define B    OPF_BYTE
#define L    OPF_LOCK
#define I64  OPF_I64
#define N    (PC_NP)
#define NO   (PC_NP | PC_66)
#define N66  (PC_66)
#define NF3  (PC_NP | PC_F3)
#define NOF3 (PC_NP | PC_66 | PC_F3)

/* ALU block at 00, 08, ..., 38: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz. */
#define ALU(base, lk)                                                          \
	[(base) + 0] = X(M | B | (lk), IMM_NONE, OSZ_B),                       \
		  [(base) + 1] = X(M | (lk), IMM_NONE, OSZ_V),                 \
		  [(base) + 2] = X(M | B, IMM_NONE, OSZ_B),                    \
		  [(base) + 3] = X(M, IMM_NONE, OSZ_V),                        \
		  [(base) + 4] = X(B, IMM_B, OSZ_B),                           \
		  [(base) + 5] = X(0, IMM_Z, OSZ_V)

const struct op_desc insn_op1[256] = {
    /* 0x00 - 0x07 */
    ALU(0x00, L),		      /* 00-05: ADD */
    [0x06] = X(I64, IMM_NONE, OSZ_V), /* PUSH ES */
    [0x07] = X(I64, IMM_NONE, OSZ_V), /* POP ES */
    /* 0x08 - 0x0F */
    ALU(0x08, L),		      /* 08-0D: OR */
    [0x0e] = X(I64, IMM_NONE, OSZ_V), /* PUSH CS; 0F is the escape */
    /* 0x10 - 0x17 */
    ALU(0x10, L), /* ADC */
    [0x16] = X(I64, IMM_NONE, OSZ_V),
    [0x17] = X(I64, IMM_NONE, OSZ_V),
    /* 0x18 - 0x1F */
    ALU(0x18, L), /* SBB */
    [0x1e] = X(I64, IMM_NONE, OSZ_V),
    [0x1f] = X(I64, IMM_NONE, OSZ_V),
    /* 0x20 - 0x27: 26 is ES: */
    ALU(0x20, L),		      /* AND */
    [0x27] = X(I64, IMM_NONE, OSZ_B), /* DAA */
    /* 0x28 - 0x2F: 2E is CS: */
    ALU(0x28, L),		      /* SUB */
    [0x2f] = X(I64, IMM_NONE, OSZ_B), /* DAS */
    /* 0x30 - 0x37: 36 is SS: */
    ALU(0x30, L),		      /* XOR */
    [0x37] = X(I64, IMM_NONE, OSZ_B), /* AAA */
    /* 0x38 - 0x3F: 3E is DS: */
    ALU(0x38, 0),		      /* CMP: never lockable */
    [0x3f] = X(I64, IMM_NONE, OSZ_B), /* AAS */
    /* 0x40 - 0x4F: INC/DEC r (REX in 64-bit mode, handled as prefix) */
    [0x40 ... 0x4f] = X(0, IMM_NONE, OSZ_V),
    /* 0x50 - 0x5F: PUSH/POP r, default 64-bit */
    [0x50 ... 0x5f] = X(0, IMM_NONE, OSZ_D64),
    /* 0x60 - 0x67: 64-67 are prefixes */
    [0x60] = X(I64, IMM_NONE, OSZ_V),		      /* PUSHA */
    [0x61] = X(I64, IMM_NONE, OSZ_V),		      /* POPA */
    [0x62] = XP(M | I64, IMM_NONE, OSZ_V, PC_ALL, 0), /* BOUND Gv,Ma */
    [0x63] = X(M, IMM_NONE, OSZ_V), /* ARPL Ew,Gw / MOVSXD Gv,Ed */
    /* 0x68 - 0x6F */
    [0x68] = X(0, IMM_Z, OSZ_D64),		 /* PUSH Iz */
    [0x69] = X(M, IMM_Z, OSZ_V),		 /* IMUL Gv,Ev,Iz */
    [0x6a] = X(0, IMM_B, OSZ_D64),		 /* PUSH Ib */
    [0x6b] = X(M, IMM_B, OSZ_V),		 /* IMUL Gv,Ev,Ib */
    [0x6c] = X(OPF_STRING | B, IMM_NONE, OSZ_B), /* INSB */
    [0x6d] = X(OPF_STRING, IMM_NONE, OSZ_V),	 /* INSW/D */
    [0x6e] = X(OPF_STRING | B, IMM_NONE, OSZ_B), /* OUTSB */
    [0x6f] = X(OPF_STRING, IMM_NONE, OSZ_V),	 /* OUTSW/D */
    /* 0x70 - 0x7F: Jcc rel8 */
    [0x70 ... 0x7f] = X(OPF_BRANCH, IMM_B, OSZ_F64),
    /* 0x80 - 0x87 */
    [0x80] = G(GRP_1_EB, IMM_B, OSZ_B), /* 80 /n ib: ALU Eb,Ib */
    [0x81] = G(GRP_1_EV, IMM_Z, OSZ_V), /* 81 /n iz: ALU Ev,Iz */
    [0x82] = {.f = M | OPF_GROUP | I64,
	      .imm = IMM_B,
	      .osz = OSZ_B,
	      .pm = PC_ALL,
	      .pr = PC_ALL,
	      .grp = GRP_1_EB},		    /* 82: i64 alias of 80 */
    [0x83] = G(GRP_1_EVB, IMM_B, OSZ_V),    /* 83 /n ib: ALU Ev,Ib */
    [0x84] = X(M | B, IMM_NONE, OSZ_B),	    /* TEST Eb,Gb */
    [0x85] = X(M, IMM_NONE, OSZ_V),	    /* TEST Ev,Gv */
    [0x86] = X(M | B | L, IMM_NONE, OSZ_B), /* XCHG Eb,Gb */
    [0x87] = X(M | L, IMM_NONE, OSZ_V),	    /* XCHG Ev,Gv */
    /* 0x88 - 0x8F */
    [0x88] = X(M | B, IMM_NONE, OSZ_B),		/* 88 /r: MOV Eb,Gb */
    [0x89] = X(M, IMM_NONE, OSZ_V),		/* 89 /r: MOV Ev,Gv */
    [0x8a] = X(M | B, IMM_NONE, OSZ_B),		/* 8A /r: MOV Gb,Eb */
    [0x8b] = X(M, IMM_NONE, OSZ_V),		/* 8B /r: MOV Gv,Ev */
    [0x8c] = X(M | OPF_SPEC, IMM_NONE, OSZ_V),	/* MOV Ev,Sw */
    [0x8d] = XP(M, IMM_NONE, OSZ_V, PC_ALL, 0), /* LEA Gv,M */
    [0x8e] = X(M | OPF_SPEC, IMM_NONE, OSZ_W),	/* MOV Sw,Ew */
    [0x8f] = G(GRP_1A, IMM_NONE, OSZ_D64),	/* 8F /0: POP Ev */
    /* 0x90 - 0x97: XCHG r,rAX (90: NOP / PAUSE) */
    [0x90 ... 0x97] = X(0, IMM_NONE, OSZ_V),
    /* 0x98 - 0x9F */
    [0x98] = X(0, IMM_NONE, OSZ_V), /* CBW/CWDE/CDQE */
    [0x99] = X(0, IMM_NONE, OSZ_V), /* CWD/CDQ/CQO */
    [0x9a] = X(I64, IMM_P, OSZ_V),  /* CALLF Ap */
    [0x9b] = X(0, IMM_NONE, OSZ_V), /* FWAIT */
    [0x9c] = X(0, IMM_NONE, OSZ_D64),
    [0x9d] = X(0, IMM_NONE, OSZ_D64),
    [0x9e] = X(0, IMM_NONE, OSZ_B),
    [0x9f] = X(0, IMM_NONE, OSZ_B),
    /* 0xA0 - 0xA7 */
    [0xa0] = X(OPF_MOFFS | B, IMM_NONE, OSZ_B),	 /* MOV AL,Ob */
    [0xa1] = X(OPF_MOFFS, IMM_NONE, OSZ_V),	 /* MOV rAX,Ov */
    [0xa2] = X(OPF_MOFFS | B, IMM_NONE, OSZ_B),	 /* MOV Ob,AL */
    [0xa3] = X(OPF_MOFFS, IMM_NONE, OSZ_V),	 /* MOV Ov,rAX */
    [0xa4] = X(OPF_STRING | B, IMM_NONE, OSZ_B), /* MOVSB */
    [0xa5] = X(OPF_STRING, IMM_NONE, OSZ_V),	 /* MOVSW/D/Q */
    [0xa6] = X(OPF_STRING | B, IMM_NONE, OSZ_B), /* CMPSB */
    [0xa7] = X(OPF_STRING, IMM_NONE, OSZ_V),	 /* CMPSW/D/Q */
    /* 0xA8 - 0xAF */
    [0xa8] = X(B, IMM_B, OSZ_B),		 /* TEST AL,Ib */
    [0xa9] = X(0, IMM_Z, OSZ_V),		 /* TEST rAX,Iz */
    [0xaa] = X(OPF_STRING | B, IMM_NONE, OSZ_B), /* STOSB */
    [0xab] = X(OPF_STRING, IMM_NONE, OSZ_V),
    [0xac] = X(OPF_STRING | B, IMM_NONE, OSZ_B), /* LODSB */
    [0xad] = X(OPF_STRING, IMM_NONE, OSZ_V),
    [0xae] = X(OPF_STRING | B, IMM_NONE, OSZ_B), /* SCASB */
    [0xaf] = X(OPF_STRING, IMM_NONE, OSZ_V),
    /* 0xB0 - 0xBF: MOV r8,Ib; MOV r,Iv */
    [0xb0 ... 0xb7] = X(B, IMM_B, OSZ_B),
    [0xb8 ... 0xbf] = X(0, IMM_V, OSZ_V),
    /* 0xC0 - 0xC7 */
    [0xc0] = G(GRP_2_B, IMM_B, OSZ_B),		      /* shift Eb,Ib */
    [0xc1] = G(GRP_2_V, IMM_B, OSZ_V),		      /* shift Ev,Ib */
    [0xc2] = X(0, IMM_W, OSZ_F64),		      /* RET Iw */
    [0xc3] = X(0, IMM_NONE, OSZ_F64),		      /* RET */
    [0xc4] = XP(M | I64, IMM_NONE, OSZ_V, PC_ALL, 0), /* LES (or VEX3) */
    [0xc5] = XP(M | I64, IMM_NONE, OSZ_V, PC_ALL, 0), /* LDS (or VEX2) */
    [0xc6] = G(GRP_11_B, IMM_B, OSZ_B),		      /* C6 /0 ib */
    [0xc7] = G(GRP_11_V, IMM_Z, OSZ_V),		      /* C7 /0 iz */
    /* 0xC8 - 0xCF */
    [0xc8] = X(0, IMM_WB, OSZ_D64),   /* ENTER Iw,Ib */
    [0xc9] = X(0, IMM_NONE, OSZ_D64), /* LEAVE */
    [0xca] = X(0, IMM_W, OSZ_V),      /* RETF Iw */
    [0xcb] = X(0, IMM_NONE, OSZ_V),   /* RETF */
    [0xcc] = X(0, IMM_NONE, OSZ_V),   /* INT3 */
    [0xcd] = X(0, IMM_B, OSZ_V),      /* INT Ib */
    [0xce] = X(I64, IMM_NONE, OSZ_V), /* INTO */
    [0xcf] = X(0, IMM_NONE, OSZ_V),   /* IRET */
    /* 0xD0 - 0xD7 */
    [0xd0] = G(GRP_2_B, IMM_NONE, OSZ_B),
    [0xd1] = G(GRP_2_V, IMM_NONE, OSZ_V),
    [0xd2] = G(GRP_2_B, IMM_NONE, OSZ_B),
    [0xd3] = G(GRP_2_V, IMM_NONE, OSZ_V),
    [0xd4] = X(I64, IMM_B, OSZ_B),    /* AAM */
    [0xd5] = X(I64, IMM_B, OSZ_B),    /* AAD */
    [0xd6] = X(I64, IMM_NONE, OSZ_B), /* SALC (undocumented, AMD) */
    [0xd7] = X(0, IMM_NONE, OSZ_B),   /* XLAT */
    /* 0xD8 - 0xDF: x87 escapes (validity in insn_x87_*) */
    [0xd8 ... 0xdf] = X(M | OPF_SPEC, IMM_NONE, OSZ_V),
    /* 0xE0 - 0xE7 */
    [0xe0 ... 0xe3] = X(OPF_BRANCH, IMM_B, OSZ_F64), /* LOOPcc, JrCXZ */
    [0xe4] = X(B, IMM_B, OSZ_B),
    [0xe5] = X(0, IMM_B, OSZ_V),
    [0xe6] = X(B, IMM_B, OSZ_B),
    [0xe7] = X(0, IMM_B, OSZ_V),
    /* 0xE8 - 0xEF */
    [0xe8] = X(OPF_BRANCH, IMM_Z, OSZ_F64), /* CALL Jz */
    [0xe9] = X(OPF_BRANCH, IMM_Z, OSZ_F64), /* JMP Jz */
    [0xea] = X(I64, IMM_P, OSZ_V),	    /* JMPF Ap */
    [0xeb] = X(OPF_BRANCH, IMM_B, OSZ_F64), /* JMP Jb */
    [0xec] = X(B, IMM_NONE, OSZ_B),
    [0xed] = X(0, IMM_NONE, OSZ_V),
    [0xee] = X(B, IMM_NONE, OSZ_B),
    [0xef] = X(0, IMM_NONE, OSZ_V),
    /* 0xF0 - 0xF7: F0, F2, F3 are prefixes */
    [0xf1] = X(0, IMM_NONE, OSZ_V), /* INT1 */
    [0xf4] = X(0, IMM_NONE, OSZ_V), /* HLT */
    [0xf5] = X(0, IMM_NONE, OSZ_V), /* CMC */
    [0xf6] = G(GRP_3_B, IMM_NONE, OSZ_B),
    [0xf7] = G(GRP_3_V, IMM_NONE, OSZ_V),
    /* 0xF8 - 0xFF */
    [0xf8 ... 0xfd] = X(0, IMM_NONE, OSZ_V), /* CLC STC CLI STI CLD STD */
    [0xfe] = G(GRP_4, IMM_NONE, OSZ_B),
    [0xff] = G(GRP_5, IMM_NONE, OSZ_V),
};

/* Two-byte map 0F (SDM Table A-3). */
const struct op_desc insn_op0f[256] = {
    /* 0x00 - 0x07 */
    [0x00] = G(GRP_6, IMM_NONE, OSZ_W),
    [0x01] = G(GRP_7, IMM_NONE, OSZ_V),
    [0x02] = X(M, IMM_NONE, OSZ_V), /* LAR Gv,Ew */
    [0x03] = X(M, IMM_NONE, OSZ_V), /* LSL Gv,Ew */
    [0x05] = X(0, IMM_NONE, OSZ_V), /* SYSCALL */
    [0x06] = X(0, IMM_NONE, OSZ_V), /* CLTS */
    [0x07] = X(0, IMM_NONE, OSZ_V), /* SYSRET */
    /* 0x08 - 0x0F: 0F 0F is 3DNow!, handled by the decoder */
    [0x08] = X(0, IMM_NONE, OSZ_V),	/* INVD */
    [0x09] = X(0, IMM_NONE, OSZ_V),	/* WBINVD (F3: WBNOINVD) */
    [0x0b] = X(0, IMM_NONE, OSZ_V),	/* UD2 */
    [0x0d] = G(GRP_P, IMM_NONE, OSZ_V), /* PREFETCH/W, NOP Ev */
    [0x0e] = X(0, IMM_NONE, OSZ_V),	/* FEMMS */
    /* 0x10 - 0x17: SSE moves */
    [0x10] = X(M, IMM_NONE, OSZ_X), /* MOVUPS/UPD/SS/SD */
    [0x11] = X(M, IMM_NONE, OSZ_X),
    [0x12] = XP(M, IMM_NONE, OSZ_X, PC_ALL, NF3 | PC_F2), /* MOVLPS etc */
    [0x13] = XP(M, IMM_NONE, OSZ_X, NO, 0),		  /* MOVLPS/PD M */
    [0x14] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0x15] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0x16] = XP(M, IMM_NONE, OSZ_X, NOF3, NF3), /* MOVHPS/HPD/SHDUP */
    [0x17] = XP(M, IMM_NONE, OSZ_X, NO, 0),
    /* 0x18 - 0x1F: hint NOPs / PREFETCHh, CET, MPX */
    [0x18] = G(GRP_16, IMM_NONE, OSZ_V),
    [0x19] = X(M, IMM_NONE, OSZ_V),
    [0x1a ... 0x1b] = X(M | OPF_SPEC, IMM_NONE, OSZ_V), /* MPX or NOP */
    [0x1c ... 0x1f] = X(M, IMM_NONE, OSZ_V),
    /* 0x20 - 0x27: MOV to/from CR/DR (mod ignored) */
    [0x20] = X(M | OPF_RMREG | OPF_SPEC, IMM_NONE, OSZ_Y64),
    [0x21] = X(M | OPF_RMREG | OPF_SPEC, IMM_NONE, OSZ_Y64),
    [0x22] = X(M | OPF_RMREG | OPF_SPEC, IMM_NONE, OSZ_Y64),
    [0x23] = X(M | OPF_RMREG | OPF_SPEC, IMM_NONE, OSZ_Y64),
    /* 0x28 - 0x2F */
    [0x28] = XP(M, IMM_NONE, OSZ_X, NO, NO),	/* MOVAPS/APD Vx,Wx */
    [0x29] = XP(M, IMM_NONE, OSZ_X, NO, NO),	/* MOVAPS/APD Wx,Vx */
    [0x2a] = X(M, IMM_NONE, OSZ_X),		/* CVT*2P/S* */
    [0x2b] = XP(M, IMM_NONE, OSZ_X, PC_ALL, 0), /* MOVNTPS/PD/SS/SD */
    [0x2c] = X(M, IMM_NONE, OSZ_X),
    [0x2d] = X(M, IMM_NONE, OSZ_X),
    [0x2e] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0x2f] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    /* 0x30 - 0x37 */
    [0x30 ... 0x35] = X(0, IMM_NONE, OSZ_V), /* WRMSR .. SYSEXIT */
    [0x37] = XP(0, IMM_NONE, OSZ_V, N, N),   /* GETSEC */
    /* 0x38 - 0x3F: 38 and 3A are escapes */
    /* 0x40 - 0x4F: CMOVcc Gv,Ev */
    [0x40 ... 0x4f] = X(M, IMM_NONE, OSZ_V),
    /* 0x50 - 0x57 */
    [0x50] = XP(M, IMM_NONE, OSZ_X, 0, NO), /* MOVMSKPS/PD Gd,Ux */
    [0x51] = X(M, IMM_NONE, OSZ_X),
    [0x52] = XP(M, IMM_NONE, OSZ_X, NF3, NF3),
    [0x53] = XP(M, IMM_NONE, OSZ_X, NF3, NF3),
    [0x54 ... 0x57] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    /* 0x58 - 0x5F */
    [0x58 ... 0x5a] = X(M, IMM_NONE, OSZ_X),
    [0x5b] = XP(M, IMM_NONE, OSZ_X, NOF3, NOF3),
    [0x5c ... 0x5f] = X(M, IMM_NONE, OSZ_X),
    /* 0x60 - 0x6F: MMX/SSE2 integer */
    [0x60 ... 0x6b] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0x6c] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x6d] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x6e] = XP(M, IMM_NONE, OSZ_X, NO, NO),	 /* MOVD/Q Pq/Vx,Ey */
    [0x6f] = XP(M, IMM_NONE, OSZ_X, NOF3, NOF3), /* MOVQ/DQA/DQU load */
    /* 0x70 - 0x77 */
    [0x70] = X(M, IMM_B, OSZ_X),	      /* PSHUFW/D/HW/LW ib */
    [0x71] = GP(GRP_12, IMM_B, OSZ_X, 0, NO), /* PSRLW/PSRAW/PSLLW ib */
    [0x72] = GP(GRP_13, IMM_B, OSZ_X, 0, NO), /* PSRLD/PSRAD/PSLLD ib */
    [0x73] = GP(GRP_14, IMM_B, OSZ_X, 0, NO), /* PSRLQ/DQ, PSLLQ/DQ ib */
    [0x74 ... 0x76] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0x77] = XP(0, IMM_NONE, OSZ_V, N, N), /* EMMS */
    /* 0x78 - 0x7F: 78/79 by prefix (VMREAD/VMWRITE, EXTRQ, INSERTQ) */
    [0x78] = X(M | OPF_SPEC, IMM_NONE, OSZ_Y64),
    [0x79] = X(M | OPF_SPEC, IMM_NONE, OSZ_Y64),
    [0x7c] = XP(M, IMM_NONE, OSZ_X, PC_66 | PC_F2, PC_66 | PC_F2),
    [0x7d] = XP(M, IMM_NONE, OSZ_X, PC_66 | PC_F2, PC_66 | PC_F2),
    [0x7e] = XP(M, IMM_NONE, OSZ_X, NOF3, NOF3), /* MOVD/Q Ey; F3 MOVQ */
    [0x7f] = XP(M, IMM_NONE, OSZ_X, NOF3, NOF3), /* MOVQ/DQA/DQU store */
    /* 0x80 - 0x8F: Jcc Jz */
    [0x80 ... 0x8f] = X(OPF_BRANCH, IMM_Z, OSZ_F64),
    /* 0x90 - 0x9F: SETcc Eb (reg ignored) */
    [0x90 ... 0x9f] = X(M | B, IMM_NONE, OSZ_B),
    /* 0xA0 - 0xA7 */
    [0xa0] = X(0, IMM_NONE, OSZ_D64),
    [0xa1] = X(0, IMM_NONE, OSZ_D64),
    [0xa2] = X(0, IMM_NONE, OSZ_V),			/* CPUID */
    [0xa3] = X(M, IMM_NONE, OSZ_V),			/* BT Ev,Gv */
    [0xa4] = X(M, IMM_B, OSZ_V),			/* SHLD Ib */
    [0xa5] = X(M, IMM_NONE, OSZ_V),			/* SHLD CL */
    [0xa6 ... 0xa7] = X(M | OPF_SPEC, IMM_NONE, OSZ_V), /* VIA PadLock */
    /* 0xA8 - 0xAF */
    [0xa8] = X(0, IMM_NONE, OSZ_D64),
    [0xa9] = X(0, IMM_NONE, OSZ_D64),
    [0xaa] = X(0, IMM_NONE, OSZ_V),	/* RSM */
    [0xab] = X(M | L, IMM_NONE, OSZ_V), /* BTS Ev,Gv */
    [0xac] = X(M, IMM_B, OSZ_V),
    [0xad] = X(M, IMM_NONE, OSZ_V),
    [0xae] = G(GRP_15, IMM_NONE, OSZ_V),
    [0xaf] = X(M, IMM_NONE, OSZ_V), /* IMUL Gv,Ev */
    /* 0xB0 - 0xB7 */
    [0xb0] = X(M | B | L, IMM_NONE, OSZ_B),	/* CMPXCHG Eb,Gb */
    [0xb1] = X(M | L, IMM_NONE, OSZ_V),		/* CMPXCHG Ev,Gv */
    [0xb2] = XP(M, IMM_NONE, OSZ_V, PC_ALL, 0), /* LSS Gv,Mp */
    [0xb3] = X(M | L, IMM_NONE, OSZ_V),		/* BTR */
    [0xb4] = XP(M, IMM_NONE, OSZ_V, PC_ALL, 0), /* LFS */
    [0xb5] = XP(M, IMM_NONE, OSZ_V, PC_ALL, 0), /* LGS */
    [0xb6] = X(M, IMM_NONE, OSZ_V),		/* MOVZX Gv,Eb */
    [0xb7] = X(M, IMM_NONE, OSZ_V),		/* MOVZX Gv,Ew */
    /* 0xB8 - 0xBF */
    [0xb8] = XP(M, IMM_NONE, OSZ_V, PC_F3, PC_F3), /* POPCNT */
    [0xb9] = X(M, IMM_NONE, OSZ_V),		   /* UD1 */
    [0xba] = G(GRP_8, IMM_B, OSZ_V),
    [0xbb] = X(M | L, IMM_NONE, OSZ_V), /* BTC */
    [0xbc] = X(M, IMM_NONE, OSZ_V),	/* BSF / TZCNT */
    [0xbd] = X(M, IMM_NONE, OSZ_V),	/* BSR / LZCNT */
    [0xbe] = X(M, IMM_NONE, OSZ_V),	/* MOVSX Gv,Eb */
    [0xbf] = X(M, IMM_NONE, OSZ_V),	/* MOVSX Gv,Ew */
    /* 0xC0 - 0xC7 */
    [0xc0] = X(M | B | L, IMM_NONE, OSZ_B), /* XADD Eb,Gb */
    [0xc1] = X(M | L, IMM_NONE, OSZ_V),	    /* XADD Ev,Gv */
    [0xc2] = X(M, IMM_B, OSZ_X),	    /* CMPPS/PD/SS/SD */
    [0xc3] = XP(M, IMM_NONE, OSZ_Y, N, 0),  /* MOVNTI My,Gy */
    [0xc4] = XP(M, IMM_B, OSZ_X, NO, NO),   /* PINSRW */
    [0xc5] = XP(M, IMM_B, OSZ_X, 0, NO),    /* PEXTRW Gd,Ux,Ib */
    [0xc6] = XP(M, IMM_B, OSZ_X, NO, NO),   /* SHUFPS/PD */
    [0xc7] = G(GRP_9, IMM_NONE, OSZ_V),
    /* 0xC8 - 0xCF: BSWAP r */
    [0xc8 ... 0xcf] = X(0, IMM_NONE, OSZ_V),
    /* 0xD0 - 0xD7 */
    [0xd0] = XP(M, IMM_NONE, OSZ_X, PC_66 | PC_F2, PC_66 | PC_F2),
    [0xd1 ... 0xd5] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0xd6] = XP(M, IMM_NONE, OSZ_X, N66, PC_66 | PC_F3 | PC_F2),
    [0xd7] = XP(M, IMM_NONE, OSZ_X, 0, NO), /* PMOVMSKB */
    /* 0xD8 - 0xDF */
    [0xd8 ... 0xdf] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    /* 0xE0 - 0xE7 */
    [0xe0 ... 0xe5] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0xe6] =
	XP(M, IMM_NONE, OSZ_X, PC_66 | PC_F3 | PC_F2, PC_66 | PC_F3 | PC_F2),
    [0xe7] = XP(M, IMM_NONE, OSZ_X, NO, 0), /* MOVNTQ / MOVNTDQ */
    /* 0xE8 - 0xEF */
    [0xe8 ... 0xef] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    /* 0xF0 - 0xF7 */
    [0xf0] = XP(M, IMM_NONE, OSZ_X, PC_F2, 0), /* LDDQU */
    [0xf1 ... 0xf6] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0xf7] = XP(M, IMM_NONE, OSZ_X, 0, NO), /* MASKMOVQ/DQU */
    /* 0xF8 - 0xFF */
    [0xf8 ... 0xfe] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [0xff] = X(M, IMM_NONE, OSZ_V), /* UD0 */
};

/* Three-byte map 0F 38 (SDM Table A-4); no immediate in this map. */
const struct op_desc insn_op0f38[256] = {
    /* 0x00 - 0x0F: SSSE3 (MMX and XMM forms) */
    [0x00 ... 0x0b] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    /* 0x10 - 0x17: SSE4.1 blends, PTEST */
    [0x10] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x14] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x15] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x17] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    /* 0x18 - 0x1F: PABSB/W/D */
    [0x1c ... 0x1e] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    /* 0x20 - 0x2F: PMOVSX, PMULDQ, PCMPEQQ, MOVNTDQA, PACKUSDW */
    [0x20 ... 0x25] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x28 ... 0x29] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x2a] = XP(M, IMM_NONE, OSZ_X, N66, 0),
    [0x2b] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    /* 0x30 - 0x3F: PMOVZX, PCMPGTQ, PMIN/PMAX */
    [0x30 ... 0x35] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [0x37 ... 0x3f] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    /* 0x40 - 0x47: PMULLD, PHMINPOSUW */
    [0x40 ... 0x41] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    /* 0x80 - 0x87: INVEPT, INVVPID, INVPCID Gy,Mdq */
    [0x80 ... 0x82] = XP(M, IMM_NONE, OSZ_Y64, N66, 0),
    /* 0xC8 - 0xCF: SHA, GF2P8MULB */
    [0xc8 ... 0xcd] = XP(M, IMM_NONE, OSZ_X, N, N),
    [0xcf] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    /* 0xD8 - 0xDF: AES */
    [0xd8] = GP(GRP_KL, IMM_NONE, OSZ_X, PC_F3, 0), /* AES*WIDE*KL */
    [0xdb] = XP(M, IMM_NONE, OSZ_X, N66, N66),	    /* AESIMC */
    [0xdc] = XP(M, IMM_NONE, OSZ_X, N66 | PC_F3, N66 | PC_F3),
    [0xdd ... 0xdf] = XP(M, IMM_NONE, OSZ_X, N66 | PC_F3, N66),
    /* 0xF0 - 0xF7: MOVBE My,Gy / CRC32; WRSS, ADCX/ADOX */
    [0xf0] = X(M | OPF_SPEC, IMM_NONE, OSZ_V),
    [0xf1] = X(M | OPF_SPEC, IMM_NONE, OSZ_V),
    [0xf5] = XP(M, IMM_NONE, OSZ_Y, N66, 0), /* WRUSSD/Q */
    [0xf6] = XP(M, IMM_NONE, OSZ_Y, PC_ALL & ~PC_F2, PC_66 | PC_F3),
    /* 0xF8 - 0xFF: MOVDIR64B, ENQCMD(S), MOVDIRI */
    [0xf8] = XP(M, IMM_NONE, OSZ_V, PC_66 | PC_F3 | PC_F2, 0),
    [0xf9] = XP(M, IMM_NONE, OSZ_Y, N, 0),
    [0xfa ... 0xfb] = XP(M, IMM_NONE, OSZ_D, 0, PC_F3), /* ENCODEKEY */
};

/* Three-byte map 0F 3A (SDM Table A-5); every form has an imm8. */
const struct op_desc insn_op0f3a[256] = {
    /* 0x08 - 0x0F: ROUND*, BLEND*, PALIGNR */
    [0x08 ... 0x0e] = XP(M, IMM_B, OSZ_X, N66, N66),
    [0x0f] = XP(M, IMM_B, OSZ_X, NO, NO),
    /* 0x10 - 0x17: PEXTRB/W/D/Q, EXTRACTPS */
    [0x14 ... 0x17] = XP(M, IMM_B, OSZ_X, N66, N66),
    /* 0x20 - 0x27: PINSRB, INSERTPS, PINSRD/Q */
    [0x20 ... 0x22] = XP(M, IMM_B, OSZ_X, N66, N66),
    /* 0x40 - 0x47: DPPS/PD, MPSADBW, PCLMULQDQ */
    [0x40 ... 0x42] = XP(M, IMM_B, OSZ_X, N66, N66),
    [0x44] = XP(M, IMM_B, OSZ_X, N66, N66),
    /* 0x60 - 0x67: PCMPESTRM/I, PCMPISTRM/I */
    [0x60 ... 0x63] = XP(M, IMM_B, OSZ_X, N66, N66),
    /* 0xC8 - 0xCF: SHA1RNDS4, GF2P8AFFINE(INV)QB */
    [0xcc] = XP(M, IMM_B, OSZ_X, N, N),
    [0xce ... 0xcf] = XP(M, IMM_B, OSZ_X, N66, N66),
    /* 0xD8 - 0xDF: AESKEYGENASSIST */
    [0xdf] = XP(M, IMM_B, OSZ_X, N66, N66),
    /* 0xF0: HRESET ib (F3 0F 3A F0 C0 ib) */
    [0xf0] = XP(M | OPF_SPEC, IMM_B, OSZ_D, 0, PC_F3),
};

/* Group row builders: all columns, memory only, register only. */
#define R(fl, os)  XP((fl) | M, IMM_NONE, (os), PC_ALL, PC_ALL)
#define RM(fl, os) XP((fl) | M, IMM_NONE, (os), PC_ALL, 0)
#define RR(fl, os) XP((fl) | M, IMM_NONE, (os), 0, PC_ALL)
#define ALU8(lk)                                                               \
	{                                                                      \
		R(lk, OSZ_V), R(lk, OSZ_V), R(lk, OSZ_V), R(lk, OSZ_V),        \
		    R(lk, OSZ_V), R(lk, OSZ_V), R(lk, OSZ_V), R(0, OSZ_V)      \
	}

/*
 * ModRM.reg groups (SDM Table A-6). The operand size and immediate come
 * from the opcode entry unless a row sets them (F6/F7 /0 and /1 carry the
 * immediate; their other rows have none, see the decoder).
 */
const struct op_desc insn_grp[GRP_COUNT][8] = {
    /* 80/82 /0-/6 ADD..XOR lockable, /7 CMP */
    [GRP_1_EB] = ALU8(L),
    [GRP_1_EV] = ALU8(L),
    [GRP_1_EVB] = ALU8(L),
    /* 8F /0: POP Ev; /1-/7 undefined (XOP when mmmmm >= 8) */
    [GRP_1A] = {R(0, OSZ_D64)},
    /* C0/C1/D0-D3: ROL ROR RCL RCR SHL SHR SAL(alias) SAR */
    [GRP_2_B] = {R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0),
		 R(0, 0)},
    [GRP_2_V] = {R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0),
		 R(0, 0)},
    /* F6/F7: TEST ib/iz, TEST (alias), NOT, NEG, MUL, IMUL, DIV, IDIV */
    [GRP_3_B] = {XP(M, IMM_B, 0, PC_ALL, PC_ALL),
		 XP(M, IMM_B, 0, PC_ALL, PC_ALL), R(L, 0), R(L, 0), R(0, 0),
		 R(0, 0), R(0, 0), R(0, 0)},
    [GRP_3_V] = {XP(M, IMM_Z, 0, PC_ALL, PC_ALL),
		 XP(M, IMM_Z, 0, PC_ALL, PC_ALL), R(L, 0), R(L, 0), R(0, 0),
		 R(0, 0), R(0, 0), R(0, 0)},
    /* FE: INC/DEC Eb */
    [GRP_4] = {R(L, 0), R(L, 0)},
    /* FF: INC, DEC, CALL Ev (f64), CALLF Mp, JMP Ev (f64), JMPF Mp,
	 * PUSH Ev (d64) */
    [GRP_5] = {R(L, OSZ_V), R(L, OSZ_V), R(0, OSZ_F64), RM(0, OSZ_V),
	       R(0, OSZ_F64), RM(0, OSZ_V), R(0, OSZ_D64)},
    /* C6 /0 MOV Eb,Ib; C6 F8 XABORT handled by the decoder */
    [GRP_11_B] = {R(0, 0)},
    [GRP_11_V] = {R(0, 0)},
    /* 0F 00: SLDT STR LLDT LTR VERR VERW */
    [GRP_6] = {R(0, OSZ_V), R(0, OSZ_V), R(0, OSZ_W), R(0, OSZ_W), R(0, OSZ_W),
	       R(0, OSZ_W)},
    /* 0F 01 memory: SGDT SIDT LGDT LIDT SMSW - LMSW INVLPG; the
	 * register forms are in insn_0f01_reg */
    [GRP_7] = {RM(0, OSZ_V), RM(0, OSZ_V), RM(0, OSZ_V), RM(0, OSZ_V),
	       R(0, OSZ_V), XP(M, IMM_NONE, OSZ_V, PC_F3, 0), R(0, OSZ_W),
	       RM(0, OSZ_V)},
    /* 0F BA: /4 BT, /5 BTS, /6 BTR, /7 BTC with Ib */
    [GRP_8] = {[4] = R(0, 0), [5] = R(L, 0), [6] = R(L, 0), [7] = R(L, 0)},
    /* 0F C7: /1 CMPXCHG8B/16B, /3 XRSTORS, /4 XSAVEC, /5 XSAVES,
	 * /6 VMPTRLD VMCLEAR VMXON | RDRAND, /7 VMPTRST | RDSEED RDPID */
    [GRP_9] = {[1] = XP(M | L, IMM_NONE, OSZ_CX8, PC_ALL, 0),
	       [3] = XP(M, IMM_NONE, OSZ_V, N, 0),
	       [4] = XP(M, IMM_NONE, OSZ_V, N, 0),
	       [5] = XP(M, IMM_NONE, OSZ_V, N, 0),
	       [6] = XP(M, IMM_NONE, OSZ_V, NOF3, NOF3), /* F3 reg: SENDUIPI */
	       [7] = XP(M, IMM_NONE, OSZ_V, N, NOF3)},
    /* 0F 71/72/73: MMX/SSE shifts by Ib, register operand only */
    [GRP_12] = {[2] = RR(0, 0), [4] = RR(0, 0), [6] = RR(0, 0)},
    [GRP_13] = {[2] = RR(0, 0), [4] = RR(0, 0), [6] = RR(0, 0)},
    [GRP_14] = {[2] = RR(0, 0),
		[3] = XP(M, IMM_NONE, 0, 0, N66),
		[6] = RR(0, 0),
		[7] = XP(M, IMM_NONE, 0, 0, N66)},
    /* 0F AE: FXSAVE FXRSTOR LDMXCSR STMXCSR XSAVE XRSTOR XSAVEOPT
	 * CLFLUSH; register forms RDFSBASE..WRGSBASE, INCSSP, fences */
    [GRP_15] = {XP(M, IMM_NONE, OSZ_V, N, PC_F3), /* FXSAVE | RDFSBASE */
		XP(M, IMM_NONE, OSZ_V, N, PC_F3), /* FXRSTOR | RDGSBASE */
		XP(M, IMM_NONE, OSZ_V, N, PC_F3), /* LDMXCSR | WRFSBASE */
		XP(M, IMM_NONE, OSZ_V, N, PC_F3), /* STMXCSR | WRGSBASE */
		XP(M, IMM_NONE, OSZ_V, N | PC_F3, PC_F3), /* XSAVE | PTWRITE */
		XP(M, IMM_NONE, OSZ_V, N, N | PC_F3),	  /* XRSTOR | LFENCE */
		/* XSAVEOPT CLWB CLRSSBSY | MFENCE TPAUSE UMONITOR UMWAIT */
		XP(M, IMM_NONE, OSZ_V, NOF3, PC_ALL),
		XP(M, IMM_NONE, OSZ_V, NO, N)}, /* CLFLUSH(OPT) | SFENCE */
    /* 0F 18: PREFETCHNTA/T0/T1/T2, reserved NOPs */
    [GRP_16] = {R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0),
		R(0, 0)},
    /* 0F 0D: PREFETCH, PREFETCHW, aliases */
    [GRP_P] = {R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0), R(0, 0),
	       R(0, 0)},
    /* 66 0F 78 /0 ib ib: EXTRQ Vdq,Ib,Ib (register only) */
    [GRP_EXTRQ] = {RR(0, 0)},
    /* F3 0F 38 D8: AESENCWIDE128KL .. AESDECWIDE256KL (memory) */
    [GRP_KL] = {RM(0, 0), RM(0, 0), RM(0, 0), RM(0, 0)},
};

/*
 * 0F 01 with mod == 3 (SDM Vol. 2D Table A-6 group 7; AMD APM Vol. 3 for SVM/SNP/MONITORX): bit rm
 * of [column][reg]. Columns NP, 66, F3, F2 as the mandatory prefix.
 */
const u8 insn_0f01_reg[4][8] = {
    /* NP: ENCLV VMCALL VMLAUNCH VMRESUME VMXOFF PCONFIG; MONITOR MWAIT
     * CLAC STAC ENCLS; XGETBV XSETBV VMFUNC XEND XTEST ENCLU; SVM; SMSW;
     * SERIALIZE RDPKRU WRPKRU; LMSW; SWAPGS RDTSCP MONITORX MWAITX
     * CLZERO RDPRU INVLPGB TLBSYNC */
    {0x3f, 0x8f, 0xf3, 0xff, 0xff, 0xc1, 0xff, 0xff},
    /* 66: TDCALL SEAMRET SEAMOPS SEAMCALL; 66 as operand size on SVM,
     * SMSW, LMSW, SWAPGS, RDTSCP, CLZERO, RDPRU */
    {0x00, 0xf0, 0x00, 0xff, 0xff, 0x00, 0xff, 0x33},
    /* F3: SETSSBSY SAVEPREVSSP UIRET TESTUI CLUI STUI; MCOMMIT, RMPADJUST,
     * PSMASH and the prefix-neutral rows */
    {0x00, 0x00, 0x00, 0xff, 0xff, 0xf5, 0xff, 0xf7},
    /* F2: XSUSLDTRK XRESLDTRK; PVALIDATE, RMPUPDATE */
    {0x00, 0x00, 0x00, 0xff, 0xff, 0x03, 0xff, 0xf3},
};

/* The subset of insn_0f01_reg that exists only in 64-bit mode. */
const u8 insn_0f01_reg64[4][8] = {
    {[7] = 0x01},	      /* SWAPGS */
    {[1] = 0xe0, [7] = 0x01}, /* SEAM*, SWAPGS */
    {[5] = 0xf0, [7] = 0xc1}, /* UINTR, RMPADJUST, PSMASH */
    {[7] = 0x41},	      /* RMPUPDATE, RMP */
};

/*
 * x87 register forms (SDM Vol. 2D A.5, "ModR/M byte outside 00H-BFH"): bit reg*8+rm.
 * D9: FNOP only at D0; E2 E3 E6 E7 and EF undefined. DA: FCMOVcc, E9
 * FUCOMPP. DB: FCMOVNcc, E0-E4 (8087/287 NOPs), FUCOMI/FCOMI. DD: FFREE,
 * FXCH alias, FST(P), FUCOM(P). DE: D9 FCOMPP, aliases. DF: FFREEP and
 * aliases, E0 FNSTSW AX, FUCOMIP/FCOMIP.
 */
const u64 insn_x87_reg[8] = {
    0xffffffffffffffffULL, /* D8 */
    0xffff7f33ff01ffffULL, /* D9 */
    0x00000200ffffffffULL, /* DA */
    0x00ffff1fffffffffULL, /* DB */
    0xffffffffffffffffULL, /* DC */
    0x0000ffffffffffffULL, /* DD */
    0xffffffff02ffffffULL, /* DE */
    0x00ffff01ffffffffULL, /* DF */
};

/* x87 memory forms (SDM Vol. 2D A.5): D9 /1, DB /4 /6, DD /5 undefined. */
const u8 insn_x87_mem[8] = {0xff, 0xfd, 0xff, 0xaf, 0xff, 0xdf, 0xff, 0xff};

/* 3DNow! suffixes (AMD 3DNow! Technology Manual, Table 5-1). */
const u64 insn_3dnow[4] = {
    BIT(0x0c) | BIT(0x0d) | BIT(0x1c) | BIT(0x1d),
    0,
    BIT(0x8a - 0x80) | BIT(0x8e - 0x80) | BIT(0x90 - 0x80) | BIT(0x94 - 0x80) |
	BIT(0x96 - 0x80) | BIT(0x97 - 0x80) | BIT(0x9a - 0x80) |
	BIT(0x9e - 0x80) | BIT(0xa0 - 0x80) | BIT(0xa4 - 0x80) |
	BIT(0xa6 - 0x80) | BIT(0xa7 - 0x80) | BIT(0xaa - 0x80) |
	BIT(0xae - 0x80) | BIT(0xb0 - 0x80) | BIT(0xb4 - 0x80) |
	BIT(0xb6 - 0x80) | BIT(0xb7 - 0x80) | BIT(0xbb - 0x80) |
	BIT(0xbf - 0x80),
    0,
};
