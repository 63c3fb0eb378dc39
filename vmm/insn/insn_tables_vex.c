/* SPDX-License-Identifier: MIT */
/*
 * Opcode descriptor tables of the VEX, EVEX and XOP maps. pm/pr hold the
 * VEX.pp / EVEX.pp columns (bit 0 none, 1 66, 2 F3, 3 F2) in which a form
 * exists with a memory / register operand. Every form has ModRM. Sources:
 * SDM Vol. 2 Chapters 3-5 and Appendix A.3; AMD APM Vol. 4 (XOP, FMA4).
 */
#include "vmm/insn/insn_internal.h"

#define V(m, r)                                                                \
	{                                                                      \
		.f = OPF_MODRM, .osz = OSZ_X, .pm = (m), .pr = (r)             \
	}
#define VI(m, r)                                                               \
	{                                                                      \
		.f = OPF_MODRM, .imm = IMM_B, .osz = OSZ_X, .pm = (m),         \
		.pr = (r)                                                      \
	}
#define VN(m, r)                                                               \
	{                                                                      \
		.f = OPF_MODRM, .osz = OSZ_X, .pm = (m), .pr = (r), .nv = 0xff \
	}
#define VX(m, r, n)                                                            \
	{                                                                      \
		.f = OPF_MODRM, .osz = OSZ_X, .pm = (m), .pr = (r), .nv = (n)  \
	}
#define VL(m, r, n)                                                            \
	{                                                                      \
		.f = OPF_MODRM | OPF_L0, .osz = OSZ_X, .pm = (m), .pr = (r),   \
		.nv = (n)                                                      \
	}
#define VG(m, r)                                                               \
	{                                                                      \
		.f = OPF_MODRM | OPF_VSIB, .osz = OSZ_X, .pm = (m), .pr = (r)  \
	}
#define N   PC_NP
#define O   PC_66
#define S   PC_F3
#define D   PC_F2
#define ALL PC_ALL
#define NO  (PC_NP | PC_66)

/* 66-only forms with extra flags and a no-vvvv mask. */
#define VF(fl, n)                                                              \
	{                                                                      \
		.f = OPF_MODRM | (fl), .osz = OSZ_X, .pm = O, .pr = O,         \
		.nv = (n)                                                      \
	}
#define VFI(fl, n)                                                             \
	{                                                                      \
		.f = OPF_MODRM | (fl), .imm = IMM_B, .osz = OSZ_X, .pm = O,    \
		.pr = O, .nv = (n)                                             \
	}

/*
 * The distinct forms of the VEX, EVEX and XOP maps: the maps hold a u8
 * index per opcode into insn_vex_forms[] (VF_NONE: undefined opcode).
 * VF_<map>_<op> is named after the first opcode using it, V1-V3 VEX,
 * E1-E6 EVEX, X8-X10 XOP.
 */
enum {
	VF_NONE = 0,
	VF_V1_10,
	VF_V1_12,
	VF_V1_13,
	VF_V1_14,
	VF_V1_16,
	VF_V1_28,
	VF_V1_2A,
	VF_V1_2B,
	VF_V1_2C,
	VF_V1_41,
	VF_V1_44,
	VF_V1_51,
	VF_V1_52,
	VF_V1_58,
	VF_V1_5B,
	VF_V1_60,
	VF_V1_6E,
	VF_V1_6F,
	VF_V1_70,
	VF_V1_71,
	VF_V1_77,
	VF_V1_7C,
	VF_V1_7E,
	VF_V1_90,
	VF_V1_92,
	VF_V1_98,
	VF_V1_AE,
	VF_V1_C2,
	VF_V1_C4,
	VF_V1_C5,
	VF_V1_C6,
	VF_V1_D7,
	VF_V1_E6,
	VF_V1_E7,
	VF_V1_F0,
	VF_V1_F7,
	VF_V2_0C,
	VF_V2_0E,
	VF_V2_16,
	VF_V2_17,
	VF_V2_19,
	VF_V2_1A,
	VF_V2_2C,
	VF_V2_49,
	VF_V2_4B,
	VF_V2_5C,
	VF_V2_5E,
	VF_V2_8C,
	VF_V2_90,
	VF_V2_F2,
	VF_V2_F3,
	VF_V2_F5,
	VF_V2_F6,
	VF_V2_F7,
	VF_V3_00,
	VF_V3_02,
	VF_V3_04,
	VF_V3_06,
	VF_V3_08,
	VF_V3_0A,
	VF_V3_14,
	VF_V3_19,
	VF_V3_F0,
	VF_E1_12,
	VF_E1_13,
	VF_E1_16,
	VF_E1_5B,
	VF_E1_6F,
	VF_E1_70,
	VF_E1_71,
	VF_E1_7E,
	VF_E1_C5,
	VF_E2_28,
	VF_E2_2A,
	VF_E2_52,
	VF_E2_53,
	VF_E2_68,
	VF_E2_7A,
	VF_E2_C6,
	VF_E3_C2,
	VF_E5_10,
	VF_E5_2E,
	VF_E5_51,
	VF_X8_85,
	VF_X8_A2,
	VF_X8_A3,
	VF_X8_C0,
	VF_X9_12,
	VF_X9_80,
	VF_X9_82,
	VF_X9_90,
	VF_X10_10,
	VF_X10_12,
	VF_COUNT
};

/* VEX maps 1 (0F), 2 (0F38), 3 (0F3A). */
const u8 insn_vex[3][256] = {
    [VEX_ROW(1)] =
	{
	    /* 0x10 - 0x17 */
	    [0x10 ... 0x11] = VF_V1_10,
	    [0x12] = VF_V1_12,
	    [0x13] = VF_V1_13,
	    [0x14] = VF_V1_14,
	    [0x15] = VF_V1_14,
	    [0x16] = VF_V1_16,
	    [0x17] = VF_V1_13,
	    /* 0x28 - 0x2F */
	    [0x28] = VF_V1_28,
	    [0x29] = VF_V1_28,
	    [0x2a] = VF_V1_2A,
	    [0x2b] = VF_V1_2B,
	    [0x2c] = VF_V1_2C,
	    [0x2d] = VF_V1_2C,
	    [0x2e] = VF_V1_28,
	    [0x2f] = VF_V1_28,
	    /* 0x40 - 0x4F: opmask instructions (register only) */
	    [0x41] = VF_V1_41,
	    [0x42] = VF_V1_41,
	    [0x44] = VF_V1_44,
	    [0x45] = VF_V1_41,
	    [0x46] = VF_V1_41,
	    [0x47] = VF_V1_41,
	    [0x4a] = VF_V1_41,
	    [0x4b] = VF_V1_41,
	    /* 0x50 - 0x5F */
	    [0x50] = VF_V1_44,
	    [0x51] = VF_V1_51,
	    [0x52] = VF_V1_52,
	    [0x53] = VF_V1_52,
	    [0x54 ... 0x57] = VF_V1_14,
	    [0x58 ... 0x59] = VF_V1_58,
	    [0x5a] = VF_V1_51,
	    [0x5b] = VF_V1_5B,
	    [0x5c ... 0x5f] = VF_V1_58,
	    /* 0x60 - 0x6F */
	    [0x60 ... 0x6d] = VF_V1_60,
	    [0x6e] = VF_V1_6E,
	    [0x6f] = VF_V1_6F,
	    /* 0x70 - 0x7F */
	    [0x70] = VF_V1_70,
	    [0x71 ... 0x73] = VF_V1_71,
	    [0x74 ... 0x76] = VF_V1_60,
	    [0x77] = VF_V1_77,
	    [0x7c] = VF_V1_7C,
	    [0x7d] = VF_V1_7C,
	    [0x7e] = VF_V1_7E,
	    [0x7f] = VF_V1_6F,
	    /* 0x90 - 0x9F: KMOV, KORTEST, KTEST */
	    [0x90] = VF_V1_90,
	    [0x91] = VF_V1_13,
	    [0x92] = VF_V1_92,
	    [0x93] = VF_V1_92,
	    [0x98] = VF_V1_98,
	    [0x99] = VF_V1_98,
	    /* 0xA8 - 0xAF: AE /2 VLDMXCSR, /3 VSTMXCSR */
	    [0xae] = VF_V1_AE,
	    /* 0xC0 - 0xC7 */
	    [0xc2] = VF_V1_C2,
	    [0xc4] = VF_V1_C4,
	    [0xc5] = VF_V1_C5,
	    [0xc6] = VF_V1_C6,
	    /* 0xD0 - 0xD7 */
	    [0xd0] = VF_V1_7C,
	    [0xd1 ... 0xd5] = VF_V1_60,
	    [0xd6] = VF_V1_6E,
	    [0xd7] = VF_V1_D7,
	    /* 0xD8 - 0xDF */
	    [0xd8 ... 0xdf] = VF_V1_60,
	    /* 0xE0 - 0xE7 */
	    [0xe0 ... 0xe5] = VF_V1_60,
	    [0xe6] = VF_V1_E6,
	    [0xe7] = VF_V1_E7,
	    /* 0xE8 - 0xEF */
	    [0xe8 ... 0xef] = VF_V1_60,
	    /* 0xF0 - 0xF7 */
	    [0xf0] = VF_V1_F0,
	    [0xf1 ... 0xf6] = VF_V1_60,
	    [0xf7] = VF_V1_F7,
	    /* 0xF8 - 0xFF */
	    [0xf8 ... 0xfe] = VF_V1_60,
	},
    /* VEX map 2 (0F 38), all 66 unless noted. N: no vvvv operand. */
    [VEX_ROW(2)] =
	{
	    /* 0x00 - 0x0F: PSHUFB..PMULHRSW, VPERMILPS/PD, VTESTPS/PD */
	    [0x00 ... 0x0b] = VF_V1_60,
	    [0x0c ... 0x0d] = VF_V2_0C,
	    [0x0e ... 0x0f] = VF_V2_0E,
	    /* 0x10 - 0x1F: VCVTPH2PS, VPERMPS, VPTEST, broadcasts, PABS */
	    [0x13] = VF_V2_0E,
	    [0x16] = VF_V2_16,
	    [0x17] = VF_V2_17,
	    [0x18] = VF_V2_0E,
	    [0x19] = VF_V2_19,
	    [0x1a] = VF_V2_1A,
	    [0x1c ... 0x1e] = VF_V2_17,
	    /* 0x20 - 0x2F: PMOVSX, PMULDQ, PCMPEQQ, MOVNTDQA, PACKUSDW,
		 * VMASKMOVPS/PD */
	    [0x20 ... 0x25] = VF_V2_17,
	    [0x28 ... 0x29] = VF_V1_60,
	    [0x2a] = VF_V1_E7,
	    [0x2b] = VF_V1_60,
	    [0x2c ... 0x2f] = VF_V2_2C,
	    /* 0x30 - 0x3F: PMOVZX, VPERMD, PCMPGTQ, PMIN/PMAX */
	    [0x30 ... 0x35] = VF_V2_17,
	    [0x36] = VF_V2_16,
	    [0x37 ... 0x3f] = VF_V1_60,
	    /* 0x40 - 0x4F: PMULLD, PHMINPOSUW, variable shifts; AMX 49
		 * NP LDTILECFG m512 / TILERELEASE (C0), 66 STTILECFG m512,
		 * F2 TILEZERO; 4B 66 TILELOADDT1, F2 TILELOADD, F3
		 * TILESTORED (SIB memory only) */
	    [0x40] = VF_V1_60,
	    [0x41] = VF_V1_6E,
	    [0x45] = VF_V1_60,
	    [0x46] = VF_V2_0C,
	    [0x47] = VF_V1_60,
	    [0x49] = VF_V2_49,
	    [0x4b] = VF_V2_4B,
	    /* 0x50 - 0x5F: AVX-VNNI, VPBROADCASTD/Q, VBROADCASTI128; AMX
		 * 5C F3 TDPBF16PS, F2 TDPFP16PS; 5E NP/66/F3/F2 TDPBUUD,
		 * TDPBUSD, TDPBSUD, TDPBSSD (tile registers only) */
	    [0x50 ... 0x53] = VF_V2_0C,
	    [0x58 ... 0x59] = VF_V2_0E,
	    [0x5a] = VF_V2_1A,
	    [0x5c] = VF_V2_5C,
	    [0x5e] = VF_V2_5E,
	    /* 0x78 - 0x7F: VPBROADCASTB/W */
	    [0x78 ... 0x79] = VF_V2_0E,
	    /* 0x88 - 0x8F: VPMASKMOVD/Q */
	    [0x8c] = VF_V2_8C,
	    [0x8e] = VF_V2_8C,
	    /* 0x90 - 0x9F: gathers (vvvv is the mask), FMA */
	    [0x90 ... 0x93] = VF_V2_90,
	    [0x96 ... 0x9f] = VF_V1_60,
	    /* 0xA6 - 0xAF, 0xB6 - 0xBF: FMA */
	    [0xa6 ... 0xaf] = VF_V1_60,
	    [0xb6 ... 0xbf] = VF_V1_60,
	    /* 0xC8 - 0xCF: GF2P8MULB */
	    [0xcf] = VF_V2_0C,
	    /* 0xD8 - 0xDF: VAESIMC (128-bit, no vvvv), VAES */
	    [0xdb] = VF_V1_6E,
	    [0xdc ... 0xdf] = VF_V1_60,
	    /* 0xF0 - 0xF7: BMI1/BMI2 on general registers, 128 only */
	    [0xf2] = VF_V2_F2,
	    [0xf3] = VF_V2_F3,
	    [0xf5] = VF_V2_F5,
	    [0xf6] = VF_V2_F6,
	    [0xf7] = VF_V2_F7,
	},
    /* VEX map 3 (0F 3A), imm8, all 66 unless noted. */
    [VEX_ROW(3)] =
	{
	    /* 0x00 - 0x0F: VPERMQ/PD, VPBLENDD, VPERMILPS/PD, VPERM2F128,
		 * ROUND*, BLEND*, PALIGNR */
	    [0x00 ... 0x01] = VF_V3_00,
	    [0x02] = VF_V3_02,
	    [0x04 ... 0x05] = VF_V3_04,
	    [0x06] = VF_V3_06,
	    [0x08 ... 0x09] = VF_V3_08,
	    [0x0a ... 0x0f] = VF_V3_0A,
	    /* 0x14 - 0x1F: PEXTR*, EXTRACTPS, VINSERTF128, VEXTRACTF128,
		 * VCVTPS2PH */
	    [0x14 ... 0x17] = VF_V3_14,
	    [0x18] = VF_V3_06,
	    [0x19] = VF_V3_19,
	    [0x1d] = VF_V3_04,
	    /* 0x20 - 0x22: PINSRB, INSERTPS, PINSRD/Q */
	    [0x20 ... 0x22] = VF_V1_C4,
	    /* 0x30 - 0x3F: KSHIFT (register), VINSERTI128, VEXTRACTI128 */
	    [0x30 ... 0x33] = VF_V1_C5,
	    [0x38] = VF_V3_06,
	    [0x39] = VF_V3_19,
	    /* 0x40 - 0x4F: DPPS/PD, MPSADBW, PCLMULQDQ, VPERM2I128,
		 * VPERMIL2PS/PD, VBLENDV* */
	    [0x40] = VF_V3_0A,
	    [0x41] = VF_V1_C4,
	    [0x42] = VF_V3_0A,
	    [0x44] = VF_V3_0A,
	    [0x46] = VF_V3_06,
	    [0x48 ... 0x49] = VF_V3_0A,
	    [0x4a ... 0x4c] = VF_V3_02,
	    /* 0x5C - 0x7F: FMA4 (AMD); PCMPxSTRx (128, no vvvv) */
	    [0x5c ... 0x5f] = VF_V3_0A,
	    [0x60 ... 0x63] = VF_V3_14,
	    [0x68 ... 0x6f] = VF_V3_0A,
	    [0x78 ... 0x7f] = VF_V3_0A,
	    /* 0xC8 - 0xDF: GF2P8AFFINE(INV)QB, AESKEYGENASSIST */
	    [0xce ... 0xcf] = VF_V3_0A,
	    [0xdf] = VF_V3_14,
	    /* 0xF0: RORX */
	    [0xf0] = VF_V3_F0,
	},
};

/*
 * EVEX maps 1, 2, 3, 5, 6 (SDM Vol. 2 Chapter 2.7, AVX-512). Lengths only
 * depend on the map (map 3 and map-1 opcodes 70-73, C2, C4-C6 take an
 * imm8); which opcodes are defined is listed per map.
 */
#define E(p)  V(p, p)
#define EI(p) VI(p, p)
const u8 insn_evex[5][256] = {
    [EVEX_ROW(1)] =
	{
	    /* 0x10 - 0x17 */
	    [0x10 ... 0x11] = VF_V1_58,
	    [0x12] = VF_E1_12, /* 66: VMOVLPD (memory only) */
	    [0x13] = VF_E1_13,
	    [0x14 ... 0x15] = VF_V1_14,
	    [0x16] = VF_E1_16, /* 66: VMOVHPD (memory only) */
	    [0x17] = VF_E1_13,
	    /* 0x28 - 0x2F */
	    [0x28 ... 0x29] = VF_V1_14,
	    [0x2a] = VF_V1_2A,
	    [0x2b] = VF_E1_13,
	    [0x2c ... 0x2d] = VF_V1_2A,
	    [0x2e ... 0x2f] = VF_V1_14,
	    /* 0x50 - 0x5F */
	    [0x51] = VF_V1_58,
	    [0x54 ... 0x57] = VF_V1_14,
	    [0x58 ... 0x5a] = VF_V1_58,
	    [0x5b] = VF_E1_5B,
	    [0x5c ... 0x5f] = VF_V1_58,
	    /* 0x60 - 0x6F */
	    [0x60 ... 0x6e] = VF_V1_60,
	    [0x6f] = VF_E1_6F,
	    /* 0x70 - 0x7F */
	    [0x70] = VF_E1_70,
	    [0x71 ... 0x73] = VF_E1_71,
	    [0x74 ... 0x76] = VF_V1_60,
	    [0x78 ... 0x79] = VF_V1_58,
	    [0x7a ... 0x7b] = VF_E1_6F,
	    [0x7e] = VF_E1_7E,
	    [0x7f] = VF_E1_6F,
	    /* 0xC0 - 0xC7 */
	    [0xc2] = VF_V1_C2,
	    [0xc4] = VF_V3_0A,
	    [0xc5] = VF_E1_C5,
	    [0xc6] = VF_V1_C6,
	    /* 0xD0 - 0xFF */
	    [0xd1 ... 0xd6] = VF_V1_60,
	    [0xd8 ... 0xdf] = VF_V1_60,
	    [0xe0 ... 0xe5] = VF_V1_60,
	    [0xe6] = VF_E1_6F,
	    [0xe7] = VF_V2_8C,
	    [0xe8 ... 0xef] = VF_V1_60,
	    [0xf1 ... 0xf6] = VF_V1_60,
	    [0xf8 ... 0xfe] = VF_V1_60,
	},
    [EVEX_ROW(2)] =
	{
	    /* 0x00 - 0x0F: VPSHUFB, VPMADDUBSW, VPMULHRSW, VPERMILPS/PD */
	    [0x00] = VF_V1_60,
	    [0x04] = VF_V1_60,
	    [0x0b ... 0x0d] = VF_V1_60,
	    /* 0x10 - 0x1F: VPSRLVW.. (66), VPMOV*B/W/D down (F3), VPROR/LV,
		 * VPERMPS, broadcasts, VPABS */
	    [0x10 ... 0x15] = VF_E1_7E,
	    [0x16] = VF_V1_60,
	    [0x18 ... 0x19] = VF_V1_60,
	    [0x1a ... 0x1b] = VF_V2_8C,
	    [0x1c ... 0x1f] = VF_V1_60,
	    /* 0x20 - 0x2F: VPMOVSX (66) / VPMOV*S down (F3), VPTESTM/NM,
		 * VPMULDQ, VPMOVM2*, VPCMPEQQ, VMOVNTDQA, VPACKUSDW, VSCALEF */
	    [0x20 ... 0x25] = VF_E1_7E,
	    [0x26 ... 0x27] = VF_E1_7E,
	    [0x28 ... 0x29] = VF_E2_28, /* F3: VPMOVM2x, VPMOVx2M */
	    [0x2a] = VF_E2_2A,
	    [0x2b ... 0x2d] = VF_V1_60,
	    /* 0x30 - 0x3F: VPMOVZX / VPMOV*US down, VPERMD, PMIN/PMAX */
	    [0x30 ... 0x35] = VF_E1_7E,
	    [0x36 ... 0x37] = VF_V1_60,
	    [0x38 ... 0x3a] = VF_E2_28,
	    [0x3b ... 0x3f] = VF_V1_60,
	    /* 0x40 - 0x4F: VPMULLD/Q, VGETEXP, VPLZCNT, shifts, RCP14/RSQRT14 */
	    [0x40] = VF_V1_60,
	    [0x42 ... 0x47] = VF_V1_60,
	    [0x4c ... 0x4f] = VF_V1_60,
	    /* 0x50 - 0x5F: VNNI, BF16, 4VNNIW, VPOPCNT, broadcasts */
	    [0x50 ... 0x51] = VF_V1_60,
	    [0x52] = VF_E2_52, /* F2: VP4DPWSSD (memory) */
	    [0x53] = VF_E2_53,
	    [0x54 ... 0x55] = VF_V1_60,
	    [0x58 ... 0x59] = VF_V1_60,
	    [0x5a ... 0x5b] = VF_V2_8C,
	    /* 0x60 - 0x6F: VPEXPAND/COMPRESS B/W, VPBLENDM, VP2INTERSECT */
	    [0x62 ... 0x66] = VF_V1_60,
	    [0x68] = VF_E2_68,
	    /* 0x70 - 0x7F: VPSHLDV/VPSHRDV, BF16 converts, VPERMI2/T2,
		 * VPBROADCAST */
	    [0x70 ... 0x71] = VF_V1_60,
	    [0x72] = VF_E1_6F,
	    [0x73] = VF_V1_60,
	    [0x75 ... 0x79] = VF_V1_60,
	    [0x7a ... 0x7c] = VF_E2_7A,
	    [0x7d ... 0x7f] = VF_V1_60,
	    /* 0x80 - 0x8F: VPMULTISHIFTQB, VEXPAND/VCOMPRESS, VPERMB/W,
		 * VPSHUFBITQMB */
	    [0x83] = VF_V1_60,
	    [0x88 ... 0x89] = VF_V1_60,
	    [0x8a ... 0x8b] = VF_V1_60,
	    [0x8d] = VF_V1_60,
	    [0x8f] = VF_V1_60,
	    /* 0x90 - 0xBF: gathers/scatters (VSIB), FMA, 4FMAPS, IFMA */
	    [0x90 ... 0x93] = VF_V2_90,
	    [0x96 ... 0x99] = VF_V1_60,
	    [0x9a ... 0x9b] = VF_E2_53, /* F2: V4FMADDPS/SS (memory) */
	    [0x9c ... 0x9f] = VF_V1_60,
	    [0xa0 ... 0xa3] = VF_V2_90,
	    [0xa6 ... 0xa9] = VF_V1_60,
	    [0xaa ... 0xab] = VF_E2_53,
	    [0xac ... 0xaf] = VF_V1_60,
	    [0xb4 ... 0xbf] = VF_V1_60,
	    /* 0xC0 - 0xCF: VPCONFLICT, gather/scatter prefetch, ER, GFNI */
	    [0xc4] = VF_V1_60,
	    [0xc6 ... 0xc7] = VF_E2_C6, /* AVX512PF */
	    [0xc8] = VF_V1_60,
	    [0xca ... 0xcd] = VF_V1_60,
	    [0xcf] = VF_V1_60,
	    /* 0xD8 - 0xDF: VAES */
	    [0xdc ... 0xdf] = VF_V1_60,
	},
    [EVEX_ROW(3)] =
	{
	    /* 0x00 - 0x0F: VPERMQ/PD, VPERMILPS/PD, VRNDSCALE, VPALIGNR */
	    [0x00 ... 0x01] = VF_V3_0A,
	    [0x03] = VF_V3_0A,
	    [0x04 ... 0x05] = VF_V3_0A,
	    [0x08] = VF_V1_C6, /* VRNDSCALEPS/PD; NP: VRNDSCALEPH */
	    [0x09] = VF_V3_0A,
	    [0x0a] = VF_V1_C6,
	    [0x0b] = VF_V3_0A,
	    [0x0f] = VF_V3_0A,
	    /* 0x14 - 0x1F: VPEXTR*, VEXTRACTPS, VINSERT/EXTRACT 32x4 etc,
		 * VCVTPS2PH, VPCMP(U)D/Q */
	    [0x14 ... 0x17] = VF_V3_0A,
	    [0x18 ... 0x1b] = VF_V3_0A,
	    [0x1d] = VF_V3_0A,
	    [0x1e ... 0x1f] = VF_V3_0A,
	    /* 0x20 - 0x27: VPINSR*, VINSERTPS, VPTERNLOG, VGETMANT */
	    [0x20 ... 0x23] = VF_V3_0A,
	    [0x25] = VF_V3_0A,
	    [0x26 ... 0x27] = VF_V1_C6, /* VGETMANT; NP: the PH/SH forms */
	    /* 0x38 - 0x3F: VINSERT/EXTRACT I32x4.., VPCMP(U)B/W */
	    [0x38 ... 0x3b] = VF_V3_0A,
	    [0x3e ... 0x3f] = VF_V3_0A,
	    /* 0x42 - 0x57: VDBPSADBW, VSHUFI32X4, VPCLMULQDQ, VRANGE,
		 * VFIXUPIMM, VREDUCE */
	    [0x42 ... 0x44] = VF_V3_0A,
	    [0x50 ... 0x51] = VF_V3_0A,
	    [0x54 ... 0x55] = VF_V3_0A,
	    [0x56 ... 0x57] = VF_V1_C6, /* VREDUCE; NP: the PH/SH forms */
	    /* 0x66 - 0x73: VFPCLASS, VPSHLD/VPSHRD */
	    [0x66 ... 0x67] = VF_V1_C6, /* VFPCLASS; NP: the PH/SH forms */
	    [0x70 ... 0x73] = VF_V3_0A,
	    /* 0xCE - 0xCF: GF2P8AFFINE(INV)QB */
	    [0xc2] = VF_E3_C2, /* VCMPPH, VCMPSH (AVX512-FP16) */
	    [0xce ... 0xcf] = VF_V3_0A,
	},
    /* AVX512-FP16 map 5 (SDM Vol. 2, "EVEX.map5"): half-precision
	 * arithmetic, compares, conversions, VMOVSH/VMOVW */
    [EVEX_ROW(5)] =
	{
	    [0x10 ... 0x11] = VF_E5_10,
	    [0x1d] = VF_V1_14,
	    [0x2a] = VF_E5_10,
	    [0x2c ... 0x2d] = VF_E5_10,
	    [0x2e ... 0x2f] = VF_E5_2E,
	    [0x51] = VF_E5_51,
	    [0x58 ... 0x59] = VF_E5_51,
	    [0x5a] = VF_V1_58,
	    [0x5b] = VF_E1_5B,
	    [0x5c ... 0x5f] = VF_E5_51,
	    [0x6e] = VF_V1_60,
	    [0x78 ... 0x79] = VF_E1_5B,
	    [0x7a] = VF_V1_7C,
	    [0x7b] = VF_E1_7E,
	    [0x7c] = VF_V1_14,
	    [0x7d] = VF_V1_58,
	    [0x7e] = VF_V1_60,
	},
    /* AVX512-FP16 map 6: scale, getexp, rcp/rsqrt, FMA, complex FMA */
    [EVEX_ROW(6)] =
	{
	    [0x13] = VF_V1_14,
	    [0x2c ... 0x2d] = VF_V1_60,
	    [0x42 ... 0x43] = VF_V1_60,
	    [0x4c ... 0x4f] = VF_V1_60,
	    [0x56 ... 0x57] = VF_V1_2A,
	    [0x96 ... 0x9f] = VF_V1_60,
	    [0xa6 ... 0xaf] = VF_V1_60,
	    [0xb6 ... 0xbf] = VF_V1_60,
	    [0xd6 ... 0xd7] = VF_V1_2A,
	},
};

/* XOP maps 8 (imm8), 9 and 10 (imm32): AMD APM Vol. 4 Appendix A. */
#define XOP(fl, n)                                                             \
	{                                                                      \
		.f = OPF_MODRM | (fl), .osz = OSZ_X, .pm = N, .pr = N,         \
		.nv = (n)                                                      \
	}
#define XOPI(fl, n)                                                            \
	{                                                                      \
		.f = OPF_MODRM | (fl), .imm = IMM_B, .osz = OSZ_X, .pm = N,    \
		.pr = N, .nv = (n)                                             \
	}
const u8 insn_xop[3][256] = {
    [0] =
	{
	    /* VPMACS*, VPMADCS* (W0, L0) */
	    [0x85 ... 0x87] = VF_X8_85,
	    [0x8e ... 0x8f] = VF_X8_85,
	    [0x95 ... 0x97] = VF_X8_85,
	    [0x9e ... 0x9f] = VF_X8_85,
	    [0xa6] = VF_X8_85,
	    [0xb6] = VF_X8_85,
	    /* VPCMOV (W selects the operand order), VPPERM (128-bit) */
	    [0xa2] = VF_X8_A2,
	    [0xa3] = VF_X8_A3,
	    /* VPROTB/W/D/Q ib: no vvvv operand */
	    [0xc0 ... 0xc3] = VF_X8_C0,
	    /* VPCOM* ib */
	    [0xcc ... 0xcf] = VF_X8_85,
	    [0xec ... 0xef] = VF_X8_85,
	},
    [1] =
	{
	    /* TBM groups 01/02 (vvvv is the destination), LWP 12 */
	    [0x01 ... 0x02] = VF_V2_F3,
	    [0x12] = VF_X9_12,
	    /* VFRCZPS/PD (128/256), VFRCZSS/SD: no vvvv */
	    [0x80 ... 0x81] = VF_X9_80,
	    [0x82 ... 0x83] = VF_X9_82,
	    /* VPROT*, VPSHL*, VPSHA*: W selects the operand order */
	    [0x90 ... 0x9b] = VF_X9_90,
	    /* VPHADD*, VPHSUB*: no vvvv */
	    [0xc1 ... 0xc3] = VF_X9_82,
	    [0xc6 ... 0xc7] = VF_X9_82,
	    [0xcb] = VF_X9_82,
	    [0xd1 ... 0xd3] = VF_X9_82,
	    [0xd6 ... 0xd7] = VF_X9_82,
	    [0xdb] = VF_X9_82,
	    [0xe1 ... 0xe3] = VF_X9_82,
	},
    [2] =
	{
	    /* BEXTR imm32, LWPINS/LWPVAL */
	    [0x10] = VF_X10_10,
	    [0x12] = VF_X10_12,
	},
};
/* Form descriptors indexed by the maps above. */
const struct op_desc insn_vex_forms[VF_COUNT] = {
    [VF_V1_10] = VX(ALL, ALL, NO | S | D | (NO << 4)),
    [VF_V1_12] = VX(ALL, N | S | D, S | D | ((S | D) << 4)),
    [VF_V1_13] = VL(NO, 0, 0xff),
    [VF_V1_14] = V(NO, NO),
    [VF_V1_16] = VX(NO | S, N | S, S | (S << 4)),
    [VF_V1_28] = VN(NO, NO),
    [VF_V1_2A] = V(S | D, S | D),
    [VF_V1_2B] = VN(NO, 0),
    [VF_V1_2C] = VN(S | D, S | D),
    [VF_V1_41] = V(0, NO),
    [VF_V1_44] = VN(0, NO),
    [VF_V1_51] = VX(ALL, ALL, NO | (NO << 4)),
    [VF_V1_52] = VX(N | S, N | S, N | (N << 4)),
    [VF_V1_58] = V(ALL, ALL),
    [VF_V1_5B] = VN(NO | S, NO | S),
    [VF_V1_60] = V(O, O),
    [VF_V1_6E] = VL(O, O, 0xff),
    [VF_V1_6F] = VN(O | S, O | S),
    [VF_V1_70] = {.f = OPF_MODRM,
		  .imm = IMM_B,
		  .osz = OSZ_X,
		  .pm = O | S | D,
		  .pr = O | S | D,
		  .nv = 0xff},
    [VF_V1_71] = {.f = OPF_MODRM | OPF_GROUP,
		  .imm = IMM_B,
		  .osz = OSZ_X,
		  .pm = 0,
		  .pr = O},
    [VF_V1_77] = {.osz = OSZ_X, .pm = N, .nv = 0xff},
    [VF_V1_7C] = V(O | D, O | D),
    [VF_V1_7E] = VL(O | S, O | S, 0xff),
    [VF_V1_90] = VL(NO, NO, 0xff),
    [VF_V1_92] = VL(0, NO | D, 0xff),
    [VF_V1_98] = VL(0, NO, 0xff),
    [VF_V1_AE] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
		  .osz = OSZ_D,
		  .pm = N,
		  .nv = 0xff},
    [VF_V1_C2] = VI(ALL, ALL),
    [VF_V1_C4] =
	{.f = OPF_MODRM | OPF_L0, .imm = IMM_B, .osz = OSZ_X, .pm = O, .pr = O},
    [VF_V1_C5] = {.f = OPF_MODRM | OPF_L0,
		  .imm = IMM_B,
		  .osz = OSZ_X,
		  .pr = O,
		  .nv = 0xff},
    [VF_V1_C6] = VI(NO, NO),
    [VF_V1_D7] = VN(0, O),
    [VF_V1_E6] = VN(O | S | D, O | S | D),
    [VF_V1_E7] = VN(O, 0),
    [VF_V1_F0] = VN(D, 0),
    [VF_V1_F7] = VL(0, O, 0xff),
    [VF_V2_0C] = VF(OPF_W0, 0),
    [VF_V2_0E] = VF(OPF_W0, 0xff),
    [VF_V2_16] = VF(OPF_W0 | OPF_L1, 0),
    [VF_V2_17] = VF(0, 0xff),
    [VF_V2_19] = VF(OPF_W0 | OPF_L1, 0xff),
    [VF_V2_1A] = {.f = OPF_MODRM | OPF_W0 | OPF_L1,
		  .osz = OSZ_X,
		  .pm = O,
		  .nv = 0xff},
    [VF_V2_2C] = {.f = OPF_MODRM | OPF_W0, .osz = OSZ_X, .pm = O},
    /* AMX: SDM Vol. 2 entries LDTILECFG..TILEZERO and TDP*; TDPFP16PS
     * (AMX-FP16): Intel ISA Extensions Programming Reference (319433).
     * VEX.128.W0, 64-bit mode only; ModRM rules in insn_check.c */
    [VF_V2_49] = {.f = OPF_MODRM | OPF_W0 | OPF_L0 | OPF_O64,
		  .osz = OSZ_TILE,
		  .pm = N | O,
		  .pr = N | D,
		  .nv = 0xff},
    [VF_V2_4B] = {.f = OPF_MODRM | OPF_W0 | OPF_L0 | OPF_O64,
		  .osz = OSZ_TILE,
		  .pm = O | S | D,
		  .nv = 0xff},
    [VF_V2_5C] = {.f = OPF_MODRM | OPF_W0 | OPF_L0 | OPF_O64,
		  .osz = OSZ_TILE,
		  .pr = S | D},
    [VF_V2_5E] = {.f = OPF_MODRM | OPF_W0 | OPF_L0 | OPF_O64,
		  .osz = OSZ_TILE,
		  .pr = ALL},
    [VF_V2_8C] = V(O, 0),
    [VF_V2_90] = VG(O, 0),
    [VF_V2_F2] = {.f = OPF_MODRM | OPF_L0, .osz = OSZ_Y, .pm = N, .pr = N},
    [VF_V2_F3] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
		  .osz = OSZ_Y,
		  .pm = N,
		  .pr = N},
    [VF_V2_F5] = {.f = OPF_MODRM | OPF_L0,
		  .osz = OSZ_Y,
		  .pm = N | S | D,
		  .pr = N | S | D},
    [VF_V2_F6] = {.f = OPF_MODRM | OPF_L0, .osz = OSZ_Y, .pm = D, .pr = D},
    [VF_V2_F7] = {.f = OPF_MODRM | OPF_L0, .osz = OSZ_Y, .pm = ALL, .pr = ALL},
    [VF_V3_00] = VFI(OPF_L1, 0xff),
    [VF_V3_02] = VFI(OPF_W0, 0),
    [VF_V3_04] = VFI(OPF_W0, 0xff),
    [VF_V3_06] = VFI(OPF_W0 | OPF_L1, 0),
    [VF_V3_08] = VFI(0, 0xff),
    [VF_V3_0A] = VI(O, O),
    [VF_V3_14] = VFI(OPF_L0, 0xff),
    [VF_V3_19] = VFI(OPF_W0 | OPF_L1, 0xff),
    [VF_V3_F0] = {.f = OPF_MODRM | OPF_L0,
		  .imm = IMM_B,
		  .osz = OSZ_Y,
		  .pm = D,
		  .pr = D,
		  .nv = 0xff},
    [VF_E1_12] = V(ALL, N | S | D),
    [VF_E1_13] = V(NO, 0),
    [VF_E1_16] = V(NO | S, N | S),
    [VF_E1_5B] = E(NO | S),
    [VF_E1_6F] = E(O | S | D),
    [VF_E1_70] = EI(O | S | D),
    [VF_E1_71] = {.f = OPF_MODRM | OPF_GROUP,
		  .imm = IMM_B,
		  .osz = OSZ_X,
		  .pm = O,
		  .pr = O},
    [VF_E1_7E] = E(O | S),
    [VF_E1_C5] = VI(0, O),
    [VF_E2_28] = V(O, O | S),
    [VF_E2_2A] = V(O, S),
    [VF_E2_52] = V(O | S | D, O | S),
    [VF_E2_53] = V(O | D, O),
    [VF_E2_68] = E(D),
    [VF_E2_7A] = V(0, O),
    [VF_E2_C6] = {.f = OPF_MODRM | OPF_VSIB | OPF_GROUP, .osz = OSZ_X, .pm = O},
    [VF_E3_C2] = EI(N | S),
    [VF_E5_10] = E(S),
    [VF_E5_2E] = E(N),
    [VF_E5_51] = E(N | S),
    [VF_X8_85] = XOPI(OPF_W0 | OPF_L0, 0),
    [VF_X8_A2] = XOPI(0, 0),
    [VF_X8_A3] = XOPI(OPF_L0, 0),
    [VF_X8_C0] = XOPI(OPF_W0 | OPF_L0, 0xff),
    [VF_X9_12] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
		  .osz = OSZ_Y,
		  .pr = N,
		  .nv = 0xff},
    [VF_X9_80] = XOP(OPF_W0, 0xff),
    [VF_X9_82] = XOP(OPF_W0 | OPF_L0, 0xff),
    [VF_X9_90] = XOP(OPF_L0, 0),
    [VF_X10_10] = {.f = OPF_MODRM | OPF_L0,
		   .imm = IMM_D,
		   .osz = OSZ_Y,
		   .pm = N,
		   .pr = N,
		   .nv = 0xff},
    [VF_X10_12] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
		   .imm = IMM_D,
		   .osz = OSZ_Y,
		   .pm = N,
		   .pr = N},
};
