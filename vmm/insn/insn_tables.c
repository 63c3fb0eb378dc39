/* SPDX-License-Identifier: MIT */
/*
 * Opcode descriptor tables of the legacy maps: one-byte, 0F, 0F 38, 0F 3A
 * and the ModRM.reg groups (SDM Vol. 2D Appendix A, Tables ).
 * A zero entry is an undefined opcode; pm/pr list the mandatory-prefix
 * columns in which a form exists with a memory / register ModRM operand.
 */
#include "vmm/insn/insn_internal.h"

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

/*
 * The distinct forms of the legacy maps: the maps hold a u8 index per
 * opcode into insn_op_forms[] (OF_NONE: undefined opcode). OF_<map>_<op>
 * is named after the first opcode using it (maps 1, 0F, 38, 3A).
 */
enum {
	OF_NONE = 0,
	OF_1_00,
	OF_1_01,
	OF_1_02,
	OF_1_03,
	OF_1_04,
	OF_1_05,
	OF_1_06,
	OF_1_27,
	OF_1_40,
	OF_1_50,
	OF_1_62,
	OF_1_68,
	OF_1_69,
	OF_1_6A,
	OF_1_6B,
	OF_1_6C,
	OF_1_6D,
	OF_1_70,
	OF_1_80,
	OF_1_81,
	OF_1_82,
	OF_1_83,
	OF_1_8C,
	OF_1_8D,
	OF_1_8E,
	OF_1_8F,
	OF_1_9A,
	OF_1_9E,
	OF_1_A0,
	OF_1_A1,
	OF_1_B8,
	OF_1_C0,
	OF_1_C1,
	OF_1_C2,
	OF_1_C3,
	OF_1_C6,
	OF_1_C7,
	OF_1_C8,
	OF_1_CA,
	OF_1_CD,
	OF_1_D0,
	OF_1_D1,
	OF_1_D4,
	OF_1_E8,
	OF_1_EC,
	OF_1_F6,
	OF_1_F7,
	OF_1_FE,
	OF_1_FF,
	OF_0F_00,
	OF_0F_01,
	OF_0F_0D,
	OF_0F_10,
	OF_0F_12,
	OF_0F_13,
	OF_0F_14,
	OF_0F_16,
	OF_0F_18,
	OF_0F_20,
	OF_0F_2B,
	OF_0F_37,
	OF_0F_50,
	OF_0F_52,
	OF_0F_5B,
	OF_0F_6C,
	OF_0F_70,
	OF_0F_71,
	OF_0F_72,
	OF_0F_73,
	OF_0F_78,
	OF_0F_7C,
	OF_0F_AE,
	OF_0F_B8,
	OF_0F_BA,
	OF_0F_C3,
	OF_0F_C4,
	OF_0F_C5,
	OF_0F_C7,
	OF_0F_D6,
	OF_0F_E6,
	OF_0F_F0,
	OF_38_2A,
	OF_38_80,
	OF_38_C8,
	OF_38_D8,
	OF_38_DC,
	OF_38_DD,
	OF_38_F5,
	OF_38_F6,
	OF_38_F8,
	OF_38_FA,
	OF_3A_08,
	OF_3A_CC,
	OF_3A_F0,
	OF_COUNT
};

/* ALU block at 00, 08, ..., 30: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz
 * (LOCK allowed on the memory-destination forms; CMP at 38 is spelled out). */
#define ALU(base)                                                              \
	[(base) + 0] = OF_1_00, [(base) + 1] = OF_1_01,                        \
		  [(base) + 2] = OF_1_02, [(base) + 3] = OF_1_03,              \
		  [(base) + 4] = OF_1_04, [(base) + 5] = OF_1_05

const u8 insn_op1[256] = {
    /* 0x00 - 0x07 */
    ALU(0x00),	      /* 00-05: ADD */
    [0x06] = OF_1_06, /* PUSH ES */
    [0x07] = OF_1_06, /* POP ES */
    /* 0x08 - 0x0F */
    ALU(0x08),	      /* 08-0D: OR */
    [0x0e] = OF_1_06, /* PUSH CS; 0F is the escape */
    /* 0x10 - 0x17 */
    ALU(0x10), /* ADC */
    [0x16] = OF_1_06,
    [0x17] = OF_1_06,
    /* 0x18 - 0x1F */
    ALU(0x18), /* SBB */
    [0x1e] = OF_1_06,
    [0x1f] = OF_1_06,
    /* 0x20 - 0x27: 26 is ES: */
    ALU(0x20),	      /* AND */
    [0x27] = OF_1_27, /* DAA */
    /* 0x28 - 0x2F: 2E is CS: */
    ALU(0x28),	      /* SUB */
    [0x2f] = OF_1_27, /* DAS */
    /* 0x30 - 0x37: 36 is SS: */
    ALU(0x30),	      /* XOR */
    [0x37] = OF_1_27, /* AAA */
    /* 0x38 - 0x3F: 3E is DS: */
    [0x38] = OF_1_02,
    [0x39] = OF_1_03,
    [0x3a] = OF_1_02,
    [0x3b] = OF_1_03,
    [0x3c] = OF_1_04,
    [0x3d] = OF_1_05, /* CMP: never lockable */
    [0x3f] = OF_1_27, /* AAS */
    /* 0x40 - 0x4F: INC/DEC r (REX in 64-bit mode, handled as prefix) */
    [0x40 ... 0x4f] = OF_1_40,
    /* 0x50 - 0x5F: PUSH/POP r, default 64-bit */
    [0x50 ... 0x5f] = OF_1_50,
    /* 0x60 - 0x67: 64-67 are prefixes */
    [0x60] = OF_1_06, /* PUSHA */
    [0x61] = OF_1_06, /* POPA */
    [0x62] = OF_1_62, /* BOUND Gv,Ma */
    [0x63] = OF_1_03, /* ARPL Ew,Gw / MOVSXD Gv,Ed */
    /* 0x68 - 0x6F */
    [0x68] = OF_1_68, /* PUSH Iz */
    [0x69] = OF_1_69, /* IMUL Gv,Ev,Iz */
    [0x6a] = OF_1_6A, /* PUSH Ib */
    [0x6b] = OF_1_6B, /* IMUL Gv,Ev,Ib */
    [0x6c] = OF_1_6C, /* INSB */
    [0x6d] = OF_1_6D, /* INSW/D */
    [0x6e] = OF_1_6C, /* OUTSB */
    [0x6f] = OF_1_6D, /* OUTSW/D */
    /* 0x70 - 0x7F: Jcc rel8 */
    [0x70 ... 0x7f] = OF_1_70,
    /* 0x80 - 0x87 */
    [0x80] = OF_1_80, /* 80 /n ib: ALU Eb,Ib */
    [0x81] = OF_1_81, /* 81 /n iz: ALU Ev,Iz */
    [0x82] = OF_1_82, /* 82: i64 alias of 80 */
    [0x83] = OF_1_83, /* 83 /n ib: ALU Ev,Ib */
    [0x84] = OF_1_02, /* TEST Eb,Gb */
    [0x85] = OF_1_03, /* TEST Ev,Gv */
    [0x86] = OF_1_00, /* XCHG Eb,Gb */
    [0x87] = OF_1_01, /* XCHG Ev,Gv */
    /* 0x88 - 0x8F */
    [0x88] = OF_1_02, /* 88 /r: MOV Eb,Gb */
    [0x89] = OF_1_03, /* 89 /r: MOV Ev,Gv */
    [0x8a] = OF_1_02, /* 8A /r: MOV Gb,Eb */
    [0x8b] = OF_1_03, /* 8B /r: MOV Gv,Ev */
    [0x8c] = OF_1_8C, /* MOV Ev,Sw */
    [0x8d] = OF_1_8D, /* LEA Gv,M */
    [0x8e] = OF_1_8E, /* MOV Sw,Ew */
    [0x8f] = OF_1_8F, /* 8F /0: POP Ev */
    /* 0x90 - 0x97: XCHG r,rAX (90: NOP / PAUSE) */
    [0x90 ... 0x97] = OF_1_40,
    /* 0x98 - 0x9F */
    [0x98] = OF_1_40, /* CBW/CWDE/CDQE */
    [0x99] = OF_1_40, /* CWD/CDQ/CQO */
    [0x9a] = OF_1_9A, /* CALLF Ap */
    [0x9b] = OF_1_40, /* FWAIT */
    [0x9c] = OF_1_50,
    [0x9d] = OF_1_50,
    [0x9e] = OF_1_9E,
    [0x9f] = OF_1_9E,
    /* 0xA0 - 0xA7 */
    [0xa0] = OF_1_A0, /* MOV AL,Ob */
    [0xa1] = OF_1_A1, /* MOV rAX,Ov */
    [0xa2] = OF_1_A0, /* MOV Ob,AL */
    [0xa3] = OF_1_A1, /* MOV Ov,rAX */
    [0xa4] = OF_1_6C, /* MOVSB */
    [0xa5] = OF_1_6D, /* MOVSW/D/Q */
    [0xa6] = OF_1_6C, /* CMPSB */
    [0xa7] = OF_1_6D, /* CMPSW/D/Q */
    /* 0xA8 - 0xAF */
    [0xa8] = OF_1_04, /* TEST AL,Ib */
    [0xa9] = OF_1_05, /* TEST rAX,Iz */
    [0xaa] = OF_1_6C, /* STOSB */
    [0xab] = OF_1_6D,
    [0xac] = OF_1_6C, /* LODSB */
    [0xad] = OF_1_6D,
    [0xae] = OF_1_6C, /* SCASB */
    [0xaf] = OF_1_6D,
    /* 0xB0 - 0xBF: MOV r8,Ib; MOV r,Iv */
    [0xb0 ... 0xb7] = OF_1_04,
    [0xb8 ... 0xbf] = OF_1_B8,
    /* 0xC0 - 0xC7 */
    [0xc0] = OF_1_C0, /* shift Eb,Ib */
    [0xc1] = OF_1_C1, /* shift Ev,Ib */
    [0xc2] = OF_1_C2, /* RET Iw */
    [0xc3] = OF_1_C3, /* RET */
    [0xc4] = OF_1_62, /* LES (or VEX3) */
    [0xc5] = OF_1_62, /* LDS (or VEX2) */
    [0xc6] = OF_1_C6, /* C6 /0 ib */
    [0xc7] = OF_1_C7, /* C7 /0 iz */
    /* 0xC8 - 0xCF */
    [0xc8] = OF_1_C8, /* ENTER Iw,Ib */
    [0xc9] = OF_1_50, /* LEAVE */
    [0xca] = OF_1_CA, /* RETF Iw */
    [0xcb] = OF_1_40, /* RETF */
    [0xcc] = OF_1_40, /* INT3 */
    [0xcd] = OF_1_CD, /* INT Ib */
    [0xce] = OF_1_06, /* INTO */
    [0xcf] = OF_1_40, /* IRET */
    /* 0xD0 - 0xD7 */
    [0xd0] = OF_1_D0,
    [0xd1] = OF_1_D1,
    [0xd2] = OF_1_D0,
    [0xd3] = OF_1_D1,
    [0xd4] = OF_1_D4, /* AAM */
    [0xd5] = OF_1_D4, /* AAD */
    [0xd6] = OF_1_27, /* SALC (undocumented, AMD) */
    [0xd7] = OF_1_9E, /* XLAT */
    /* 0xD8 - 0xDF: x87 escapes (validity in insn_x87_*) */
    [0xd8 ... 0xdf] = OF_1_8C,
    /* 0xE0 - 0xE7 */
    [0xe0 ... 0xe3] = OF_1_70, /* LOOPcc, JrCXZ */
    [0xe4] = OF_1_04,
    [0xe5] = OF_1_CD,
    [0xe6] = OF_1_04,
    [0xe7] = OF_1_CD,
    /* 0xE8 - 0xEF */
    [0xe8] = OF_1_E8, /* CALL Jz */
    [0xe9] = OF_1_E8, /* JMP Jz */
    [0xea] = OF_1_9A, /* JMPF Ap */
    [0xeb] = OF_1_70, /* JMP Jb */
    [0xec] = OF_1_EC,
    [0xed] = OF_1_40,
    [0xee] = OF_1_EC,
    [0xef] = OF_1_40,
    /* 0xF0 - 0xF7: F0, F2, F3 are prefixes */
    [0xf1] = OF_1_40, /* INT1 */
    [0xf4] = OF_1_40, /* HLT */
    [0xf5] = OF_1_40, /* CMC */
    [0xf6] = OF_1_F6,
    [0xf7] = OF_1_F7,
    /* 0xF8 - 0xFF */
    [0xf8 ... 0xfd] = OF_1_40, /* CLC STC CLI STI CLD STD */
    [0xfe] = OF_1_FE,
    [0xff] = OF_1_FF,
};

/* Two-byte map 0F (SDM Table A-3). */
const u8 insn_op0f[256] = {
    /* 0x00 - 0x07 */
    [0x00] = OF_0F_00,
    [0x01] = OF_0F_01,
    [0x02] = OF_1_03, /* LAR Gv,Ew */
    [0x03] = OF_1_03, /* LSL Gv,Ew */
    [0x05] = OF_1_40, /* SYSCALL */
    [0x06] = OF_1_40, /* CLTS */
    [0x07] = OF_1_40, /* SYSRET */
    /* 0x08 - 0x0F: 0F 0F is 3DNow!, handled by the decoder */
    [0x08] = OF_1_40,  /* INVD */
    [0x09] = OF_1_40,  /* WBINVD (F3: WBNOINVD) */
    [0x0b] = OF_1_40,  /* UD2 */
    [0x0d] = OF_0F_0D, /* PREFETCH/W, NOP Ev */
    [0x0e] = OF_1_40,  /* FEMMS */
    /* 0x10 - 0x17: SSE moves */
    [0x10] = OF_0F_10, /* MOVUPS/UPD/SS/SD */
    [0x11] = OF_0F_10,
    [0x12] = OF_0F_12, /* MOVLPS etc */
    [0x13] = OF_0F_13, /* MOVLPS/PD M */
    [0x14] = OF_0F_14,
    [0x15] = OF_0F_14,
    [0x16] = OF_0F_16, /* MOVHPS/HPD/SHDUP */
    [0x17] = OF_0F_13,
    /* 0x18 - 0x1F: hint NOPs / PREFETCHh, CET, MPX */
    [0x18] = OF_0F_18,
    [0x19] = OF_1_03,
    [0x1a ... 0x1b] = OF_1_8C, /* MPX or NOP */
    [0x1c ... 0x1f] = OF_1_03,
    /* 0x20 - 0x27: MOV to/from CR/DR (mod ignored) */
    [0x20] = OF_0F_20,
    [0x21] = OF_0F_20,
    [0x22] = OF_0F_20,
    [0x23] = OF_0F_20,
    /* 0x28 - 0x2F */
    [0x28] = OF_0F_14, /* MOVAPS/APD Vx,Wx */
    [0x29] = OF_0F_14, /* MOVAPS/APD Wx,Vx */
    [0x2a] = OF_0F_10, /* CVT*2P/S* */
    [0x2b] = OF_0F_2B, /* MOVNTPS/PD/SS/SD */
    [0x2c] = OF_0F_10,
    [0x2d] = OF_0F_10,
    [0x2e] = OF_0F_14,
    [0x2f] = OF_0F_14,
    /* 0x30 - 0x37 */
    [0x30 ... 0x35] = OF_1_40, /* WRMSR .. SYSEXIT */
    [0x37] = OF_0F_37,	       /* GETSEC */
    /* 0x38 - 0x3F: 38 and 3A are escapes */
    /* 0x40 - 0x4F: CMOVcc Gv,Ev */
    [0x40 ... 0x4f] = OF_1_03,
    /* 0x50 - 0x57 */
    [0x50] = OF_0F_50, /* MOVMSKPS/PD Gd,Ux */
    [0x51] = OF_0F_10,
    [0x52] = OF_0F_52,
    [0x53] = OF_0F_52,
    [0x54 ... 0x57] = OF_0F_14,
    /* 0x58 - 0x5F */
    [0x58 ... 0x5a] = OF_0F_10,
    [0x5b] = OF_0F_5B,
    [0x5c ... 0x5f] = OF_0F_10,
    /* 0x60 - 0x6F: MMX/SSE2 integer */
    [0x60 ... 0x6b] = OF_0F_14,
    [0x6c] = OF_0F_6C,
    [0x6d] = OF_0F_6C,
    [0x6e] = OF_0F_14, /* MOVD/Q Pq/Vx,Ey */
    [0x6f] = OF_0F_5B, /* MOVQ/DQA/DQU load */
    /* 0x70 - 0x77 */
    [0x70] = OF_0F_70, /* PSHUFW/D/HW/LW ib */
    [0x71] = OF_0F_71, /* PSRLW/PSRAW/PSLLW ib */
    [0x72] = OF_0F_72, /* PSRLD/PSRAD/PSLLD ib */
    [0x73] = OF_0F_73, /* PSRLQ/DQ, PSLLQ/DQ ib */
    [0x74 ... 0x76] = OF_0F_14,
    [0x77] = OF_0F_37, /* EMMS */
    /* 0x78 - 0x7F: 78/79 by prefix (VMREAD/VMWRITE, EXTRQ, INSERTQ) */
    [0x78] = OF_0F_78,
    [0x79] = OF_0F_78,
    [0x7c] = OF_0F_7C,
    [0x7d] = OF_0F_7C,
    [0x7e] = OF_0F_5B, /* MOVD/Q Ey; F3 MOVQ */
    [0x7f] = OF_0F_5B, /* MOVQ/DQA/DQU store */
    /* 0x80 - 0x8F: Jcc Jz */
    [0x80 ... 0x8f] = OF_1_E8,
    /* 0x90 - 0x9F: SETcc Eb (reg ignored) */
    [0x90 ... 0x9f] = OF_1_02,
    /* 0xA0 - 0xA7 */
    [0xa0] = OF_1_50,
    [0xa1] = OF_1_50,
    [0xa2] = OF_1_40,	       /* CPUID */
    [0xa3] = OF_1_03,	       /* BT Ev,Gv */
    [0xa4] = OF_1_6B,	       /* SHLD Ib */
    [0xa5] = OF_1_03,	       /* SHLD CL */
    [0xa6 ... 0xa7] = OF_1_8C, /* VIA PadLock */
    /* 0xA8 - 0xAF */
    [0xa8] = OF_1_50,
    [0xa9] = OF_1_50,
    [0xaa] = OF_1_40, /* RSM */
    [0xab] = OF_1_01, /* BTS Ev,Gv */
    [0xac] = OF_1_6B,
    [0xad] = OF_1_03,
    [0xae] = OF_0F_AE,
    [0xaf] = OF_1_03, /* IMUL Gv,Ev */
    /* 0xB0 - 0xB7 */
    [0xb0] = OF_1_00, /* CMPXCHG Eb,Gb */
    [0xb1] = OF_1_01, /* CMPXCHG Ev,Gv */
    [0xb2] = OF_1_8D, /* LSS Gv,Mp */
    [0xb3] = OF_1_01, /* BTR */
    [0xb4] = OF_1_8D, /* LFS */
    [0xb5] = OF_1_8D, /* LGS */
    [0xb6] = OF_1_03, /* MOVZX Gv,Eb */
    [0xb7] = OF_1_03, /* MOVZX Gv,Ew */
    /* 0xB8 - 0xBF */
    [0xb8] = OF_0F_B8, /* POPCNT */
    [0xb9] = OF_1_03,  /* UD1 */
    [0xba] = OF_0F_BA,
    [0xbb] = OF_1_01, /* BTC */
    [0xbc] = OF_1_03, /* BSF / TZCNT */
    [0xbd] = OF_1_03, /* BSR / LZCNT */
    [0xbe] = OF_1_03, /* MOVSX Gv,Eb */
    [0xbf] = OF_1_03, /* MOVSX Gv,Ew */
    /* 0xC0 - 0xC7 */
    [0xc0] = OF_1_00,  /* XADD Eb,Gb */
    [0xc1] = OF_1_01,  /* XADD Ev,Gv */
    [0xc2] = OF_0F_70, /* CMPPS/PD/SS/SD */
    [0xc3] = OF_0F_C3, /* MOVNTI My,Gy */
    [0xc4] = OF_0F_C4, /* PINSRW */
    [0xc5] = OF_0F_C5, /* PEXTRW Gd,Ux,Ib */
    [0xc6] = OF_0F_C4, /* SHUFPS/PD */
    [0xc7] = OF_0F_C7,
    /* 0xC8 - 0xCF: BSWAP r */
    [0xc8 ... 0xcf] = OF_1_40,
    /* 0xD0 - 0xD7 */
    [0xd0] = OF_0F_7C,
    [0xd1 ... 0xd5] = OF_0F_14,
    [0xd6] = OF_0F_D6,
    [0xd7] = OF_0F_50, /* PMOVMSKB */
    /* 0xD8 - 0xDF */
    [0xd8 ... 0xdf] = OF_0F_14,
    /* 0xE0 - 0xE7 */
    [0xe0 ... 0xe5] = OF_0F_14,
    [0xe6] = OF_0F_E6,
    [0xe7] = OF_0F_13, /* MOVNTQ / MOVNTDQ */
    /* 0xE8 - 0xEF */
    [0xe8 ... 0xef] = OF_0F_14,
    /* 0xF0 - 0xF7 */
    [0xf0] = OF_0F_F0, /* LDDQU */
    [0xf1 ... 0xf6] = OF_0F_14,
    [0xf7] = OF_0F_50, /* MASKMOVQ/DQU */
    /* 0xF8 - 0xFF */
    [0xf8 ... 0xfe] = OF_0F_14,
    [0xff] = OF_1_03, /* UD0 */
};

/* Three-byte map 0F 38 (SDM Table A-4); no immediate in this map. */
const u8 insn_op0f38[256] = {
    /* 0x00 - 0x0F: SSSE3 (MMX and XMM forms) */
    [0x00 ... 0x0b] = OF_0F_14,
    /* 0x10 - 0x17: SSE4.1 blends, PTEST */
    [0x10] = OF_0F_6C,
    [0x14] = OF_0F_6C,
    [0x15] = OF_0F_6C,
    [0x17] = OF_0F_6C,
    /* 0x18 - 0x1F: PABSB/W/D */
    [0x1c ... 0x1e] = OF_0F_14,
    /* 0x20 - 0x2F: PMOVSX, PMULDQ, PCMPEQQ, MOVNTDQA, PACKUSDW */
    [0x20 ... 0x25] = OF_0F_6C,
    [0x28 ... 0x29] = OF_0F_6C,
    [0x2a] = OF_38_2A,
    [0x2b] = OF_0F_6C,
    /* 0x30 - 0x3F: PMOVZX, PCMPGTQ, PMIN/PMAX */
    [0x30 ... 0x35] = OF_0F_6C,
    [0x37 ... 0x3f] = OF_0F_6C,
    /* 0x40 - 0x47: PMULLD, PHMINPOSUW */
    [0x40 ... 0x41] = OF_0F_6C,
    /* 0x80 - 0x87: INVEPT, INVVPID, INVPCID Gy,Mdq */
    [0x80 ... 0x82] = OF_38_80,
    /* 0xC8 - 0xCF: SHA, GF2P8MULB */
    [0xc8 ... 0xcd] = OF_38_C8,
    [0xcf] = OF_0F_6C,
    /* 0xD8 - 0xDF: AES */
    [0xd8] = OF_38_D8, /* AES*WIDE*KL */
    [0xdb] = OF_0F_6C, /* AESIMC */
    [0xdc] = OF_38_DC,
    [0xdd ... 0xdf] = OF_38_DD,
    /* 0xF0 - 0xF7: MOVBE My,Gy / CRC32; WRSS, ADCX/ADOX */
    [0xf0] = OF_1_8C,
    [0xf1] = OF_1_8C,
    [0xf5] = OF_38_F5, /* WRUSSD/Q */
    [0xf6] = OF_38_F6,
    /* 0xF8 - 0xFF: MOVDIR64B, ENQCMD(S), MOVDIRI */
    [0xf8] = OF_38_F8,
    [0xf9] = OF_0F_C3,
    [0xfa ... 0xfb] = OF_38_FA, /* ENCODEKEY */
};

/* Three-byte map 0F 3A (SDM Table A-5); every form has an imm8. */
const u8 insn_op0f3a[256] = {
    /* 0x08 - 0x0F: ROUND*, BLEND*, PALIGNR */
    [0x08 ... 0x0e] = OF_3A_08,
    [0x0f] = OF_0F_C4,
    /* 0x10 - 0x17: PEXTRB/W/D/Q, EXTRACTPS */
    [0x14 ... 0x17] = OF_3A_08,
    /* 0x20 - 0x27: PINSRB, INSERTPS, PINSRD/Q */
    [0x20 ... 0x22] = OF_3A_08,
    /* 0x40 - 0x47: DPPS/PD, MPSADBW, PCLMULQDQ */
    [0x40 ... 0x42] = OF_3A_08,
    [0x44] = OF_3A_08,
    /* 0x60 - 0x67: PCMPESTRM/I, PCMPISTRM/I */
    [0x60 ... 0x63] = OF_3A_08,
    /* 0xC8 - 0xCF: SHA1RNDS4, GF2P8AFFINE(INV)QB */
    [0xcc] = OF_3A_CC,
    [0xce ... 0xcf] = OF_3A_08,
    /* 0xD8 - 0xDF: AESKEYGENASSIST */
    [0xdf] = OF_3A_08,
    /* 0xF0: HRESET ib (F3 0F 3A F0 C0 ib) */
    [0xf0] = OF_3A_F0,
};

/* Form descriptors indexed by the maps above. */
const struct op_desc insn_op_forms[OF_COUNT] = {
    [OF_1_00] = X(M | B | L, IMM_NONE, OSZ_B),
    [OF_1_01] = X(M | L, IMM_NONE, OSZ_V),
    [OF_1_02] = X(M | B, IMM_NONE, OSZ_B),
    [OF_1_03] = X(M, IMM_NONE, OSZ_V),
    [OF_1_04] = X(B, IMM_B, OSZ_B),
    [OF_1_05] = X(0, IMM_Z, OSZ_V),
    [OF_1_06] = X(I64, IMM_NONE, OSZ_V),
    [OF_1_27] = X(I64, IMM_NONE, OSZ_B),
    [OF_1_40] = X(0, IMM_NONE, OSZ_V),
    [OF_1_50] = X(0, IMM_NONE, OSZ_D64),
    [OF_1_62] = XP(M | I64, IMM_NONE, OSZ_V, PC_ALL, 0),
    [OF_1_68] = X(0, IMM_Z, OSZ_D64),
    [OF_1_69] = X(M, IMM_Z, OSZ_V),
    [OF_1_6A] = X(0, IMM_B, OSZ_D64),
    [OF_1_6B] = X(M, IMM_B, OSZ_V),
    [OF_1_6C] = X(OPF_STRING | B, IMM_NONE, OSZ_B),
    [OF_1_6D] = X(OPF_STRING, IMM_NONE, OSZ_V),
    [OF_1_70] = X(OPF_BRANCH, IMM_B, OSZ_F64),
    [OF_1_80] = G(GRP_1_EB, IMM_B, OSZ_B),
    [OF_1_81] = G(GRP_1_EV, IMM_Z, OSZ_V),
    [OF_1_82] = {.f = M | OPF_GROUP | I64,
		 .imm = IMM_B,
		 .osz = OSZ_B,
		 .pm = PC_ALL,
		 .pr = PC_ALL,
		 .grp = GRP_1_EB},
    [OF_1_83] = G(GRP_1_EVB, IMM_B, OSZ_V),
    [OF_1_8C] = X(M | OPF_SPEC, IMM_NONE, OSZ_V),
    [OF_1_8D] = XP(M, IMM_NONE, OSZ_V, PC_ALL, 0),
    [OF_1_8E] = X(M | OPF_SPEC, IMM_NONE, OSZ_W),
    [OF_1_8F] = G(GRP_1A, IMM_NONE, OSZ_D64),
    [OF_1_9A] = X(I64, IMM_P, OSZ_V),
    [OF_1_9E] = X(0, IMM_NONE, OSZ_B),
    [OF_1_A0] = X(OPF_MOFFS | B, IMM_NONE, OSZ_B),
    [OF_1_A1] = X(OPF_MOFFS, IMM_NONE, OSZ_V),
    [OF_1_B8] = X(0, IMM_V, OSZ_V),
    [OF_1_C0] = G(GRP_2_B, IMM_B, OSZ_B),
    [OF_1_C1] = G(GRP_2_V, IMM_B, OSZ_V),
    [OF_1_C2] = X(0, IMM_W, OSZ_F64),
    [OF_1_C3] = X(0, IMM_NONE, OSZ_F64),
    [OF_1_C6] = G(GRP_11_B, IMM_B, OSZ_B),
    [OF_1_C7] = G(GRP_11_V, IMM_Z, OSZ_V),
    [OF_1_C8] = X(0, IMM_WB, OSZ_D64),
    [OF_1_CA] = X(0, IMM_W, OSZ_V),
    [OF_1_CD] = X(0, IMM_B, OSZ_V),
    [OF_1_D0] = G(GRP_2_B, IMM_NONE, OSZ_B),
    [OF_1_D1] = G(GRP_2_V, IMM_NONE, OSZ_V),
    [OF_1_D4] = X(I64, IMM_B, OSZ_B),
    [OF_1_E8] = X(OPF_BRANCH, IMM_Z, OSZ_F64),
    [OF_1_EC] = X(B, IMM_NONE, OSZ_B),
    [OF_1_F6] = G(GRP_3_B, IMM_NONE, OSZ_B),
    [OF_1_F7] = G(GRP_3_V, IMM_NONE, OSZ_V),
    [OF_1_FE] = G(GRP_4, IMM_NONE, OSZ_B),
    [OF_1_FF] = G(GRP_5, IMM_NONE, OSZ_V),
    [OF_0F_00] = G(GRP_6, IMM_NONE, OSZ_W),
    [OF_0F_01] = G(GRP_7, IMM_NONE, OSZ_V),
    [OF_0F_0D] = G(GRP_P, IMM_NONE, OSZ_V),
    [OF_0F_10] = X(M, IMM_NONE, OSZ_X),
    [OF_0F_12] = XP(M, IMM_NONE, OSZ_X, PC_ALL, NF3 | PC_F2),
    [OF_0F_13] = XP(M, IMM_NONE, OSZ_X, NO, 0),
    [OF_0F_14] = XP(M, IMM_NONE, OSZ_X, NO, NO),
    [OF_0F_16] = XP(M, IMM_NONE, OSZ_X, NOF3, NF3),
    [OF_0F_18] = G(GRP_16, IMM_NONE, OSZ_V),
    [OF_0F_20] = X(M | OPF_RMREG | OPF_SPEC, IMM_NONE, OSZ_Y64),
    [OF_0F_2B] = XP(M, IMM_NONE, OSZ_X, PC_ALL, 0),
    [OF_0F_37] = XP(0, IMM_NONE, OSZ_V, N, N),
    [OF_0F_50] = XP(M, IMM_NONE, OSZ_X, 0, NO),
    [OF_0F_52] = XP(M, IMM_NONE, OSZ_X, NF3, NF3),
    [OF_0F_5B] = XP(M, IMM_NONE, OSZ_X, NOF3, NOF3),
    [OF_0F_6C] = XP(M, IMM_NONE, OSZ_X, N66, N66),
    [OF_0F_70] = X(M, IMM_B, OSZ_X),
    [OF_0F_71] = GP(GRP_12, IMM_B, OSZ_X, 0, NO),
    [OF_0F_72] = GP(GRP_13, IMM_B, OSZ_X, 0, NO),
    [OF_0F_73] = GP(GRP_14, IMM_B, OSZ_X, 0, NO),
    [OF_0F_78] = X(M | OPF_SPEC, IMM_NONE, OSZ_Y64),
    [OF_0F_7C] = XP(M, IMM_NONE, OSZ_X, PC_66 | PC_F2, PC_66 | PC_F2),
    [OF_0F_AE] = G(GRP_15, IMM_NONE, OSZ_V),
    [OF_0F_B8] = XP(M, IMM_NONE, OSZ_V, PC_F3, PC_F3),
    [OF_0F_BA] = G(GRP_8, IMM_B, OSZ_V),
    [OF_0F_C3] = XP(M, IMM_NONE, OSZ_Y, N, 0),
    [OF_0F_C4] = XP(M, IMM_B, OSZ_X, NO, NO),
    [OF_0F_C5] = XP(M, IMM_B, OSZ_X, 0, NO),
    [OF_0F_C7] = G(GRP_9, IMM_NONE, OSZ_V),
    [OF_0F_D6] = XP(M, IMM_NONE, OSZ_X, N66, PC_66 | PC_F3 | PC_F2),
    [OF_0F_E6] =
	XP(M, IMM_NONE, OSZ_X, PC_66 | PC_F3 | PC_F2, PC_66 | PC_F3 | PC_F2),
    [OF_0F_F0] = XP(M, IMM_NONE, OSZ_X, PC_F2, 0),
    [OF_38_2A] = XP(M, IMM_NONE, OSZ_X, N66, 0),
    [OF_38_80] = XP(M, IMM_NONE, OSZ_Y64, N66, 0),
    [OF_38_C8] = XP(M, IMM_NONE, OSZ_X, N, N),
    [OF_38_D8] = GP(GRP_KL, IMM_NONE, OSZ_X, PC_F3, 0),
    [OF_38_DC] = XP(M, IMM_NONE, OSZ_X, N66 | PC_F3, N66 | PC_F3),
    [OF_38_DD] = XP(M, IMM_NONE, OSZ_X, N66 | PC_F3, N66),
    [OF_38_F5] = XP(M, IMM_NONE, OSZ_Y, N66, 0),
    [OF_38_F6] = XP(M, IMM_NONE, OSZ_Y, PC_ALL & ~PC_F2, PC_66 | PC_F3),
    [OF_38_F8] = XP(M, IMM_NONE, OSZ_V, PC_66 | PC_F3 | PC_F2, 0),
    [OF_38_FA] = XP(M, IMM_NONE, OSZ_D, 0, PC_F3),
    [OF_3A_08] = XP(M, IMM_B, OSZ_X, N66, N66),
    [OF_3A_CC] = XP(M, IMM_B, OSZ_X, N, N),
    [OF_3A_F0] = XP(M | OPF_SPEC, IMM_B, OSZ_D, 0, PC_F3),
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
