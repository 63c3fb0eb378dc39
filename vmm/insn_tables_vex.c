/* SPDX-License-Identifier: MIT */
/*
 * Opcode descriptor tables of the VEX, EVEX and XOP maps. pm/pr hold the
 * VEX.pp / EVEX.pp columns (bit 0 none, 1 66, 2 F3, 3 F2) in which a form
 * exists with a memory / register operand. Every form has ModRM. Sources:
 * SDM Vol. 2 Chapters 3-5 and Appendix A.3; AMD APM Vol. 4 (XOP, FMA4).
 */
#include "vmm/insn_internal.h"

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

/* VEX maps 1 (0F), 2 (0F38), 3 (0F3A). */
const struct op_desc insn_vex[3][256] =
    {
	[VEX_ROW(1)] =
	    {
		/* 0x10 - 0x17 */
		[0x10 ... 0x11] = VX(ALL, ALL, NO | S | D | (NO << 4)),
		[0x12] = VX(ALL, N | S | D, S | D | ((S | D) << 4)),
		[0x13] = VL(NO, 0, 0xff),
		[0x14] = V(NO, NO),
		[0x15] = V(NO, NO),
		[0x16] = VX(NO | S, N | S, S | (S << 4)),
		[0x17] = VL(NO, 0, 0xff),
		/* 0x28 - 0x2F */
		[0x28] = VN(NO, NO),
		[0x29] = VN(NO, NO),
		[0x2a] = V(S | D, S | D),
		[0x2b] = VN(NO, 0),
		[0x2c] = VN(S | D, S | D),
		[0x2d] = VN(S | D, S | D),
		[0x2e] = VN(NO, NO),
		[0x2f] = VN(NO, NO),
		/* 0x40 - 0x4F: opmask instructions (register only) */
		[0x41] = V(0, NO),
		[0x42] = V(0, NO),
		[0x44] = VN(0, NO),
		[0x45] = V(0, NO),
		[0x46] = V(0, NO),
		[0x47] = V(0, NO),
		[0x4a] = V(0, NO),
		[0x4b] = V(0, NO),
		/* 0x50 - 0x5F */
		[0x50] = VN(0, NO),
		[0x51] = VX(ALL, ALL, NO | (NO << 4)),
		[0x52] = VX(N | S, N | S, N | (N << 4)),
		[0x53] = VX(N | S, N | S, N | (N << 4)),
		[0x54 ... 0x57] = V(NO, NO),
		[0x58 ... 0x59] = V(ALL, ALL),
		[0x5a] = VX(ALL, ALL, NO | (NO << 4)),
		[0x5b] = VN(NO | S, NO | S),
		[0x5c ... 0x5f] = V(ALL, ALL),
		/* 0x60 - 0x6F */
		[0x60 ... 0x6d] = V(O, O),
		[0x6e] = VL(O, O, 0xff),
		[0x6f] = VN(O | S, O | S),
		/* 0x70 - 0x7F */
		[0x70] = {.f = OPF_MODRM,
			  .imm = IMM_B,
			  .osz = OSZ_X,
			  .pm = O | S | D,
			  .pr = O | S | D,
			  .nv = 0xff},
		[0x71 ... 0x73] = {.f = OPF_MODRM | OPF_GROUP,
				   .imm = IMM_B,
				   .osz = OSZ_X,
				   .pm = 0,
				   .pr = O},
		[0x74 ... 0x76] = V(O, O),
		[0x77] = {.osz = OSZ_X, .pm = N, .nv = 0xff},
		[0x7c] = V(O | D, O | D),
		[0x7d] = V(O | D, O | D),
		[0x7e] = VL(O | S, O | S, 0xff),
		[0x7f] = VN(O | S, O | S),
		/* 0x90 - 0x9F: KMOV, KORTEST, KTEST */
		[0x90] = VL(NO, NO, 0xff),
		[0x91] = VL(NO, 0, 0xff),
		[0x92] = VL(0, NO | D, 0xff),
		[0x93] = VL(0, NO | D, 0xff),
		[0x98] = VL(0, NO, 0xff),
		[0x99] = VL(0, NO, 0xff),
		/* 0xA8 - 0xAF: AE /2 VLDMXCSR, /3 VSTMXCSR */
		[0xae] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
			  .osz = OSZ_D,
			  .pm = N,
			  .nv = 0xff},
		/* 0xC0 - 0xC7 */
		[0xc2] = VI(ALL, ALL),
		[0xc4] = {.f = OPF_MODRM | OPF_L0,
			  .imm = IMM_B,
			  .osz = OSZ_X,
			  .pm = O,
			  .pr = O},
		[0xc5] = {.f = OPF_MODRM | OPF_L0,
			  .imm = IMM_B,
			  .osz = OSZ_X,
			  .pr = O,
			  .nv = 0xff},
		[0xc6] = VI(NO, NO),
		/* 0xD0 - 0xD7 */
		[0xd0] = V(O | D, O | D),
		[0xd1 ... 0xd5] = V(O, O),
		[0xd6] = VL(O, O, 0xff),
		[0xd7] = VN(0, O),
		/* 0xD8 - 0xDF */
		[0xd8 ... 0xdf] = V(O, O),
		/* 0xE0 - 0xE7 */
		[0xe0 ... 0xe5] = V(O, O),
		[0xe6] = VN(O | S | D, O | S | D),
		[0xe7] = VN(O, 0),
		/* 0xE8 - 0xEF */
		[0xe8 ... 0xef] = V(O, O),
		/* 0xF0 - 0xF7 */
		[0xf0] = VN(D, 0),
		[0xf1 ... 0xf6] = V(O, O),
		[0xf7] = VL(0, O, 0xff),
		/* 0xF8 - 0xFF */
		[0xf8 ... 0xfe] = V(O, O),
	    },
	/* VEX map 2 (0F 38), all 66 unless noted. N: no vvvv operand. */
	[VEX_ROW(2)] =
	    {
		/* 0x00 - 0x0F: PSHUFB..PMULHRSW, VPERMILPS/PD, VTESTPS/PD */
		[0x00 ... 0x0b] = V(O, O),
		[0x0c ... 0x0d] = VF(OPF_W0, 0),
		[0x0e ... 0x0f] = VF(OPF_W0, 0xff),
		/* 0x10 - 0x1F: VCVTPH2PS, VPERMPS, VPTEST, broadcasts, PABS */
		[0x13] = VF(OPF_W0, 0xff),
		[0x16] = VF(OPF_W0 | OPF_L1, 0),
		[0x17] = VF(0, 0xff),
		[0x18] = VF(OPF_W0, 0xff),
		[0x19] = VF(OPF_W0 | OPF_L1, 0xff),
		[0x1a] = {.f = OPF_MODRM | OPF_W0 | OPF_L1,
			  .osz = OSZ_X,
			  .pm = O,
			  .nv = 0xff},
		[0x1c ... 0x1e] = VF(0, 0xff),
		/* 0x20 - 0x2F: PMOVSX, PMULDQ, PCMPEQQ, MOVNTDQA, PACKUSDW,
		 * VMASKMOVPS/PD */
		[0x20 ... 0x25] = VF(0, 0xff),
		[0x28 ... 0x29] = V(O, O),
		[0x2a] = {.f = OPF_MODRM, .osz = OSZ_X, .pm = O, .nv = 0xff},
		[0x2b] = V(O, O),
		[0x2c ... 0x2f] = {.f = OPF_MODRM | OPF_W0,
				   .osz = OSZ_X,
				   .pm = O},
		/* 0x30 - 0x3F: PMOVZX, VPERMD, PCMPGTQ, PMIN/PMAX */
		[0x30 ... 0x35] = VF(0, 0xff),
		[0x36] = VF(OPF_W0 | OPF_L1, 0),
		[0x37 ... 0x3f] = V(O, O),
		/* 0x40 - 0x4F: PMULLD, PHMINPOSUW, variable shifts */
		[0x40] = V(O, O),
		[0x41] = VF(OPF_L0, 0xff),
		[0x45] = V(O, O),
		[0x46] = VF(OPF_W0, 0),
		[0x47] = V(O, O),
		/* 0x50 - 0x5F: AVX-VNNI, VPBROADCASTD/Q, VBROADCASTI128 */
		[0x50 ... 0x53] = VF(OPF_W0, 0),
		[0x58 ... 0x59] = VF(OPF_W0, 0xff),
		[0x5a] = {.f = OPF_MODRM | OPF_W0 | OPF_L1,
			  .osz = OSZ_X,
			  .pm = O,
			  .nv = 0xff},
		/* 0x5C, 0x5E: AMX TDPBF16PS (F3), TDPB[SU]{SU}D (tile regs) */
		[0x5c] = {.f = OPF_MODRM | OPF_W0 | OPF_L0 | OPF_O64,
			  .osz = OSZ_X,
			  .pr = S},
		[0x5e] = {.f = OPF_MODRM | OPF_W0 | OPF_L0 | OPF_O64,
			  .osz = OSZ_X,
			  .pr = ALL},
		/* 0x78 - 0x7F: VPBROADCASTB/W */
		[0x78 ... 0x79] = VF(OPF_W0, 0xff),
		/* 0x88 - 0x8F: VPMASKMOVD/Q */
		[0x8c] = V(O, 0),
		[0x8e] = V(O, 0),
		/* 0x90 - 0x9F: gathers (vvvv is the mask), FMA */
		[0x90 ... 0x93] = VG(O, 0),
		[0x96 ... 0x9f] = V(O, O),
		/* 0xA6 - 0xAF, 0xB6 - 0xBF: FMA */
		[0xa6 ... 0xaf] = V(O, O),
		[0xb6 ... 0xbf] = V(O, O),
		/* 0xC8 - 0xCF: GF2P8MULB */
		[0xcf] = VF(OPF_W0, 0),
		/* 0xD8 - 0xDF: VAESIMC (128-bit, no vvvv), VAES */
		[0xdb] = VF(OPF_L0, 0xff),
		[0xdc ... 0xdf] = V(O, O),
		/* 0xF0 - 0xF7: BMI1/BMI2 on general registers, 128 only */
		[0xf2] =
		    {.f = OPF_MODRM | OPF_L0, .osz = OSZ_Y, .pm = N, .pr = N},
		[0xf3] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
			  .osz = OSZ_Y,
			  .pm = N,
			  .pr = N},
		[0xf5] = {.f = OPF_MODRM | OPF_L0,
			  .osz = OSZ_Y,
			  .pm = N | S | D,
			  .pr = N | S | D},
		[0xf6] =
		    {.f = OPF_MODRM | OPF_L0, .osz = OSZ_Y, .pm = D, .pr = D},
		[0xf7] = {.f = OPF_MODRM | OPF_L0,
			  .osz = OSZ_Y,
			  .pm = ALL,
			  .pr = ALL},
	    },
	/* VEX map 3 (0F 3A), imm8, all 66 unless noted. */
	[VEX_ROW(3)] =
	    {
		/* 0x00 - 0x0F: VPERMQ/PD, VPBLENDD, VPERMILPS/PD, VPERM2F128,
		 * ROUND*, BLEND*, PALIGNR */
		[0x00 ... 0x01] = VFI(OPF_L1, 0xff),
		[0x02] = VFI(OPF_W0, 0),
		[0x04 ... 0x05] = VFI(OPF_W0, 0xff),
		[0x06] = VFI(OPF_W0 | OPF_L1, 0),
		[0x08 ... 0x09] = VFI(0, 0xff),
		[0x0a ... 0x0f] = VI(O, O),
		/* 0x14 - 0x1F: PEXTR*, EXTRACTPS, VINSERTF128, VEXTRACTF128,
		 * VCVTPS2PH */
		[0x14 ... 0x17] = VFI(OPF_L0, 0xff),
		[0x18] = VFI(OPF_W0 | OPF_L1, 0),
		[0x19] = VFI(OPF_W0 | OPF_L1, 0xff),
		[0x1d] = VFI(OPF_W0, 0xff),
		/* 0x20 - 0x22: PINSRB, INSERTPS, PINSRD/Q */
		[0x20 ... 0x22] = VFI(OPF_L0, 0),
		/* 0x30 - 0x3F: KSHIFT (register), VINSERTI128, VEXTRACTI128 */
		[0x30 ... 0x33] = {.f = OPF_MODRM | OPF_L0,
				   .imm = IMM_B,
				   .osz = OSZ_X,
				   .pr = O,
				   .nv = 0xff},
		[0x38] = VFI(OPF_W0 | OPF_L1, 0),
		[0x39] = VFI(OPF_W0 | OPF_L1, 0xff),
		/* 0x40 - 0x4F: DPPS/PD, MPSADBW, PCLMULQDQ, VPERM2I128,
		 * VPERMIL2PS/PD, VBLENDV* */
		[0x40] = VI(O, O),
		[0x41] = VFI(OPF_L0, 0),
		[0x42] = VI(O, O),
		[0x44] = VI(O, O),
		[0x46] = VFI(OPF_W0 | OPF_L1, 0),
		[0x48 ... 0x49] = VI(O, O),
		[0x4a ... 0x4c] = VFI(OPF_W0, 0),
		/* 0x5C - 0x7F: FMA4 (AMD); PCMPxSTRx (128, no vvvv) */
		[0x5c ... 0x5f] = VI(O, O),
		[0x60 ... 0x63] = VFI(OPF_L0, 0xff),
		[0x68 ... 0x6f] = VI(O, O),
		[0x78 ... 0x7f] = VI(O, O),
		/* 0xC8 - 0xDF: GF2P8AFFINE(INV)QB, AESKEYGENASSIST */
		[0xce ... 0xcf] = VI(O, O),
		[0xdf] = VFI(OPF_L0, 0xff),
		/* 0xF0: RORX */
		[0xf0] = {.f = OPF_MODRM | OPF_L0,
			  .imm = IMM_B,
			  .osz = OSZ_Y,
			  .pm = D,
			  .pr = D,
			  .nv = 0xff},
	    },
};

/*
 * EVEX maps 1, 2, 3, 5, 6 (SDM Vol. 2 Chapter 2.7, AVX-512). Lengths only
 * depend on the map (map 3 and map-1 opcodes 70-73, C2, C4-C6 take an
 * imm8); which opcodes are defined is listed per map.
 */
#define E(p)  V(p, p)
#define EI(p) VI(p, p)
const struct op_desc insn_evex[5][256] =
    {
	[EVEX_ROW(1)] =
	    {
		/* 0x10 - 0x17 */
		[0x10 ... 0x11] = E(ALL),
		[0x12] = V(ALL, N | S | D), /* 66: VMOVLPD (memory only) */
		[0x13] = V(NO, 0),
		[0x14 ... 0x15] = E(NO),
		[0x16] = V(NO | S, N | S), /* 66: VMOVHPD (memory only) */
		[0x17] = V(NO, 0),
		/* 0x28 - 0x2F */
		[0x28 ... 0x29] = E(NO),
		[0x2a] = E(S | D),
		[0x2b] = V(NO, 0),
		[0x2c ... 0x2d] = E(S | D),
		[0x2e ... 0x2f] = E(NO),
		/* 0x50 - 0x5F */
		[0x51] = E(ALL),
		[0x54 ... 0x57] = E(NO),
		[0x58 ... 0x5a] = E(ALL),
		[0x5b] = E(NO | S),
		[0x5c ... 0x5f] = E(ALL),
		/* 0x60 - 0x6F */
		[0x60 ... 0x6e] = E(O),
		[0x6f] = E(O | S | D),
		/* 0x70 - 0x7F */
		[0x70] = EI(O | S | D),
		[0x71 ... 0x73] = {.f = OPF_MODRM | OPF_GROUP,
				   .imm = IMM_B,
				   .osz = OSZ_X,
				   .pm = O,
				   .pr = O},
		[0x74 ... 0x76] = E(O),
		[0x78 ... 0x79] = E(ALL),
		[0x7a ... 0x7b] = E(O | S | D),
		[0x7e] = E(O | S),
		[0x7f] = E(O | S | D),
		/* 0xC0 - 0xC7 */
		[0xc2] = EI(ALL),
		[0xc4] = EI(O),
		[0xc5] = VI(0, O),
		[0xc6] = EI(NO),
		/* 0xD0 - 0xFF */
		[0xd1 ... 0xd6] = E(O),
		[0xd8 ... 0xdf] = E(O),
		[0xe0 ... 0xe5] = E(O),
		[0xe6] = E(O | S | D),
		[0xe7] = V(O, 0),
		[0xe8 ... 0xef] = E(O),
		[0xf1 ... 0xf6] = E(O),
		[0xf8 ... 0xfe] = E(O),
	    },
	[EVEX_ROW(2)] =
	    {
		/* 0x00 - 0x0F: VPSHUFB, VPMADDUBSW, VPMULHRSW, VPERMILPS/PD */
		[0x00] = E(O),
		[0x04] = E(O),
		[0x0b ... 0x0d] = E(O),
		/* 0x10 - 0x1F: VPSRLVW.. (66), VPMOV*B/W/D down (F3), VPROR/LV,
		 * VPERMPS, broadcasts, VPABS */
		[0x10 ... 0x15] = E(O | S),
		[0x16] = E(O),
		[0x18 ... 0x19] = E(O),
		[0x1a ... 0x1b] = V(O, 0),
		[0x1c ... 0x1f] = E(O),
		/* 0x20 - 0x2F: VPMOVSX (66) / VPMOV*S down (F3), VPTESTM/NM,
		 * VPMULDQ, VPMOVM2*, VPCMPEQQ, VMOVNTDQA, VPACKUSDW, VSCALEF */
		[0x20 ... 0x25] = E(O | S),
		[0x26 ... 0x27] = E(O | S),
		[0x28 ... 0x29] = V(O, O | S), /* F3: VPMOVM2x, VPMOVx2M */
		[0x2a] = V(O, S),
		[0x2b ... 0x2d] = E(O),
		/* 0x30 - 0x3F: VPMOVZX / VPMOV*US down, VPERMD, PMIN/PMAX */
		[0x30 ... 0x35] = E(O | S),
		[0x36 ... 0x37] = E(O),
		[0x38 ... 0x3a] = V(O, O | S),
		[0x3b ... 0x3f] = E(O),
		/* 0x40 - 0x4F: VPMULLD/Q, VGETEXP, VPLZCNT, shifts, RCP14/RSQRT14 */
		[0x40] = E(O),
		[0x42 ... 0x47] = E(O),
		[0x4c ... 0x4f] = E(O),
		/* 0x50 - 0x5F: VNNI, BF16, 4VNNIW, VPOPCNT, broadcasts */
		[0x50 ... 0x51] = E(O),
		[0x52] = V(O | S | D, O | S), /* F2: VP4DPWSSD (memory) */
		[0x53] = V(O | D, O),
		[0x54 ... 0x55] = E(O),
		[0x58 ... 0x59] = E(O),
		[0x5a ... 0x5b] = V(O, 0),
		/* 0x60 - 0x6F: VPEXPAND/COMPRESS B/W, VPBLENDM, VP2INTERSECT */
		[0x62 ... 0x66] = E(O),
		[0x68] = E(D),
		/* 0x70 - 0x7F: VPSHLDV/VPSHRDV, BF16 converts, VPERMI2/T2,
		 * VPBROADCAST */
		[0x70 ... 0x71] = E(O),
		[0x72] = E(O | S | D),
		[0x73] = E(O),
		[0x75 ... 0x79] = E(O),
		[0x7a ... 0x7c] = V(0, O),
		[0x7d ... 0x7f] = E(O),
		/* 0x80 - 0x8F: VPMULTISHIFTQB, VEXPAND/VCOMPRESS, VPERMB/W,
		 * VPSHUFBITQMB */
		[0x83] = E(O),
		[0x88 ... 0x89] = E(O),
		[0x8a ... 0x8b] = E(O),
		[0x8d] = E(O),
		[0x8f] = E(O),
		/* 0x90 - 0xBF: gathers/scatters (VSIB), FMA, 4FMAPS, IFMA */
		[0x90 ... 0x93] = VG(O, 0),
		[0x96 ... 0x99] = E(O),
		[0x9a ... 0x9b] = V(O | D, O), /* F2: V4FMADDPS/SS (memory) */
		[0x9c ... 0x9f] = E(O),
		[0xa0 ... 0xa3] = VG(O, 0),
		[0xa6 ... 0xa9] = E(O),
		[0xaa ... 0xab] = V(O | D, O),
		[0xac ... 0xaf] = E(O),
		[0xb4 ... 0xbf] = E(O),
		/* 0xC0 - 0xCF: VPCONFLICT, gather/scatter prefetch, ER, GFNI */
		[0xc4] = E(O),
		[0xc6 ... 0xc7] = {.f = OPF_MODRM | OPF_VSIB | OPF_GROUP,
				   .osz = OSZ_X,
				   .pm = O}, /* AVX512PF */
		[0xc8] = E(O),
		[0xca ... 0xcd] = E(O),
		[0xcf] = E(O),
		/* 0xD8 - 0xDF: VAES */
		[0xdc ... 0xdf] = E(O),
	    },
	[EVEX_ROW(3)] =
	    {
		/* 0x00 - 0x0F: VPERMQ/PD, VPERMILPS/PD, VRNDSCALE, VPALIGNR */
		[0x00 ... 0x01] = EI(O),
		[0x03] = EI(O),
		[0x04 ... 0x05] = EI(O),
		[0x08] = EI(O | N), /* VRNDSCALEPS/PD; NP: VRNDSCALEPH */
		[0x09] = EI(O),
		[0x0a] = EI(O | N),
		[0x0b] = EI(O),
		[0x0f] = EI(O),
		/* 0x14 - 0x1F: VPEXTR*, VEXTRACTPS, VINSERT/EXTRACT 32x4 etc,
		 * VCVTPS2PH, VPCMP(U)D/Q */
		[0x14 ... 0x17] = EI(O),
		[0x18 ... 0x1b] = EI(O),
		[0x1d] = EI(O),
		[0x1e ... 0x1f] = EI(O),
		/* 0x20 - 0x27: VPINSR*, VINSERTPS, VPTERNLOG, VGETMANT */
		[0x20 ... 0x23] = EI(O),
		[0x25] = EI(O),
		[0x26 ... 0x27] = EI(O | N), /* VGETMANT; NP: the PH/SH forms */
		/* 0x38 - 0x3F: VINSERT/EXTRACT I32x4.., VPCMP(U)B/W */
		[0x38 ... 0x3b] = EI(O),
		[0x3e ... 0x3f] = EI(O),
		/* 0x42 - 0x57: VDBPSADBW, VSHUFI32X4, VPCLMULQDQ, VRANGE,
		 * VFIXUPIMM, VREDUCE */
		[0x42 ... 0x44] = EI(O),
		[0x50 ... 0x51] = EI(O),
		[0x54 ... 0x55] = EI(O),
		[0x56 ... 0x57] = EI(O | N), /* VREDUCE; NP: the PH/SH forms */
		/* 0x66 - 0x73: VFPCLASS, VPSHLD/VPSHRD */
		[0x66 ... 0x67] = EI(O | N), /* VFPCLASS; NP: the PH/SH forms */
		[0x70 ... 0x73] = EI(O),
		/* 0xCE - 0xCF: GF2P8AFFINE(INV)QB */
		[0xc2] = EI(N | S), /* VCMPPH, VCMPSH (AVX512-FP16) */
		[0xce ... 0xcf] = EI(O),
	    },
	/* AVX512-FP16 map 5 (SDM Vol. 2, "EVEX.map5"): half-precision
	 * arithmetic, compares, conversions, VMOVSH/VMOVW */
	[EVEX_ROW(5)] =
	    {
		[0x10 ... 0x11] = E(S),
		[0x1d] = E(O | N),
		[0x2a] = E(S),
		[0x2c ... 0x2d] = E(S),
		[0x2e ... 0x2f] = E(N),
		[0x51] = E(N | S),
		[0x58 ... 0x59] = E(N | S),
		[0x5a] = E(ALL),
		[0x5b] = E(N | O | S),
		[0x5c ... 0x5f] = E(N | S),
		[0x6e] = E(O),
		[0x78 ... 0x79] = E(N | O | S),
		[0x7a] = E(O | D),
		[0x7b] = E(O | S),
		[0x7c] = E(N | O),
		[0x7d] = E(ALL),
		[0x7e] = E(O),
	    },
	/* AVX512-FP16 map 6: scale, getexp, rcp/rsqrt, FMA, complex FMA */
	[EVEX_ROW(6)] =
	    {
		[0x13] = E(N | O),
		[0x2c ... 0x2d] = E(O),
		[0x42 ... 0x43] = E(O),
		[0x4c ... 0x4f] = E(O),
		[0x56 ... 0x57] = E(S | D),
		[0x96 ... 0x9f] = E(O),
		[0xa6 ... 0xaf] = E(O),
		[0xb6 ... 0xbf] = E(O),
		[0xd6 ... 0xd7] = E(S | D),
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
const struct op_desc insn_xop[3][256] =
    {
	[0] =
	    {
		/* VPMACS*, VPMADCS* (W0, L0) */
		[0x85 ... 0x87] = XOPI(OPF_W0 | OPF_L0, 0),
		[0x8e ... 0x8f] = XOPI(OPF_W0 | OPF_L0, 0),
		[0x95 ... 0x97] = XOPI(OPF_W0 | OPF_L0, 0),
		[0x9e ... 0x9f] = XOPI(OPF_W0 | OPF_L0, 0),
		[0xa6] = XOPI(OPF_W0 | OPF_L0, 0),
		[0xb6] = XOPI(OPF_W0 | OPF_L0, 0),
		/* VPCMOV (W selects the operand order), VPPERM (128-bit) */
		[0xa2] = XOPI(0, 0),
		[0xa3] = XOPI(OPF_L0, 0),
		/* VPROTB/W/D/Q ib: no vvvv operand */
		[0xc0 ... 0xc3] = XOPI(OPF_W0 | OPF_L0, 0xff),
		/* VPCOM* ib */
		[0xcc ... 0xcf] = XOPI(OPF_W0 | OPF_L0, 0),
		[0xec ... 0xef] = XOPI(OPF_W0 | OPF_L0, 0),
	    },
	[1] =
	    {
		/* TBM groups 01/02 (vvvv is the destination), LWP 12 */
		[0x01 ... 0x02] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
				   .osz = OSZ_Y,
				   .pm = N,
				   .pr = N},
		[0x12] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
			  .osz = OSZ_Y,
			  .pr = N,
			  .nv = 0xff},
		/* VFRCZPS/PD (128/256), VFRCZSS/SD: no vvvv */
		[0x80 ... 0x81] = XOP(OPF_W0, 0xff),
		[0x82 ... 0x83] = XOP(OPF_W0 | OPF_L0, 0xff),
		/* VPROT*, VPSHL*, VPSHA*: W selects the operand order */
		[0x90 ... 0x9b] = XOP(OPF_L0, 0),
		/* VPHADD*, VPHSUB*: no vvvv */
		[0xc1 ... 0xc3] = XOP(OPF_W0 | OPF_L0, 0xff),
		[0xc6 ... 0xc7] = XOP(OPF_W0 | OPF_L0, 0xff),
		[0xcb] = XOP(OPF_W0 | OPF_L0, 0xff),
		[0xd1 ... 0xd3] = XOP(OPF_W0 | OPF_L0, 0xff),
		[0xd6 ... 0xd7] = XOP(OPF_W0 | OPF_L0, 0xff),
		[0xdb] = XOP(OPF_W0 | OPF_L0, 0xff),
		[0xe1 ... 0xe3] = XOP(OPF_W0 | OPF_L0, 0xff),
	    },
	[2] =
	    {
		/* BEXTR imm32, LWPINS/LWPVAL */
		[0x10] = {.f = OPF_MODRM | OPF_L0,
			  .imm = IMM_D,
			  .osz = OSZ_Y,
			  .pm = N,
			  .pr = N,
			  .nv = 0xff},
		[0x12] = {.f = OPF_MODRM | OPF_GROUP | OPF_L0,
			  .imm = IMM_D,
			  .osz = OSZ_Y,
			  .pm = N,
			  .pr = N},
	    },
};
/* EVEX forms defined only with EVEX.W0, bit op of [map][column][op >> 6]
 * (map-2 66: VPERMILPS, VCVTPH2PS, VBROADCASTSS, VPABSD, VMOVNTDQA,
 * VPACKUSDW, VNNI, VPBROADCASTD/B/W, VPSHUFBITQMB, GF2P8MULB; F3: VPMOV
 * down-converts, BF16; map 3: VPERMILPS, VRNDSCALEPS/SS, VCVTPS2PH,
 * VINSERTPS, VDBPSADBW; map 1: the doubleword integer forms) */
const u64 insn_evex_w0[4][4][4] = {
    [1][1] = {0x0000000000000000ULL, 0x00410c4408000000ULL,
	      0x0000000000000000ULL, 0x4404000000040000ULL},
    [1][2] = {0x0000000000000000ULL, 0x0000000008000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [2][1] = {0x00200c2041081000ULL, 0x0f000000010f0000ULL,
	      0x0000000000008000ULL, 0x0000000000008000ULL},
    [2][2] = {0x043f003f003f0000ULL, 0x0004000000040000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [2][3] = {0x0000000000000000ULL, 0x00040000000c0000ULL,
	      0x00000c000c000000ULL, 0x0000000000000000ULL},
    [3][0] = {0x000000c000000500ULL, 0x000000c000c00000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [3][2] = {0x0000000000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [3][1] = {0x0000000220000510ULL, 0x0000000000000004ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/* EVEX forms defined only with EVEX.W1 (quadword and PD forms) */
const u64 insn_evex_w1[4][4][4] = {
    [1][1] = {0x0000000000000000ULL, 0x0000300000000000ULL,
	      0x0000000000000000ULL, 0x0818004000580000ULL},
    [1][3] = {0x0000000000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000004000000000ULL},
    [2][1] = {0x0080030080072000ULL, 0x0005000000000000ULL,
	      0x0030000000000008ULL, 0x0000000000000000ULL},
    [2][2] = {0x0000040000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0x0000000000000a23ULL, 0x0005000000000000ULL,
	      0x0000000000000000ULL, 0x000000000000c000ULL},
};

/*
 * EVEX forms that accept embedded broadcast (EVEX.b with a memory operand,
 * SDM Vol. 2A 2.7 and the "m32bcst"/"m64bcst" in the operand column): bit op of
 * [map][pp][op >> 6]. Elsewhere EVEX.b = 1 with memory is #UD.
 */
const u64 insn_evex_bcst[4][4][4] = {
    [3][0] = {0x0000004000000100ULL, 0x0000004000400000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [1][0] = {0x0000000000300000ULL, 0x03000000fff20000ULL,
	      0x0000000000000000ULL, 0x0000000000000044ULL},
    [1][1] = {0x0000000000300000ULL, 0x0f4d3c44fff20000ULL,
	      0x0000000000000000ULL, 0x4c10884088100044ULL},
    [1][2] = {0x0000000000000000ULL, 0x0400000008000000ULL,
	      0x0000000000000000ULL, 0x0000004000000000ULL},
    [1][3] = {0x0000000000000000ULL, 0x0400000000000000ULL,
	      0x0000000000000000ULL, 0x0000004000000000ULL},
    [2][1] = {0xaac01b80c0703000ULL, 0xc0ca0030002f50f5ULL,
	      0x55f055c055c00008ULL, 0x0000000000001510ULL},
    [2][2] = {0x0000008000000000ULL, 0x0004000000040000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [2][3] = {0x0000000000000000ULL, 0x0004010000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0x00000068c000033bULL, 0x000a004000510008ULL,
	      0x0000000000000000ULL, 0x000000000000c000ULL},
};

/*
 * EVEX forms whose memory operand is the destination: zeroing-masking
 * (EVEX.z = 1) is #UD there (SDM Vol. 2A 2.7). Same indexing.
 */
const u64 insn_evex_store[4][4][4] = {
    [1][0] = {0x00000a00008a0000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][1] = {0x00000a00008a0000ULL, 0xc000000000000000ULL,
	      0x0000000000000000ULL, 0x0000008000400000ULL},
    [1][2] = {0x0000000000020000ULL, 0x8000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][3] = {0x0000000000020000ULL, 0x8000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [2][1] = {0x0000000000000000ULL, 0x0000000800000000ULL,
	      0x0000000f00000c00ULL, 0x0000000000000000ULL},
    [2][2] = {0x003f003f003f0000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0x0a0000002af00000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/*
 * EVEX forms without a vvvv operand: EVEX.vvvv must be 1111b and EVEX.V'
 * 1 (SDM Vol. 2A 2.7, "EVEX.vvvv is reserved and must be 1111b"). Same
 * indexing; the scalar moves (10/11 F3/F2) only in their memory forms,
 * checked by the decoder.
 */
const u64 insn_evex_nv[4][4][4] = {
    [3][0] = {0x0000004000000100ULL, 0x000000c000400000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][0] = {0x0000cb00008b0000ULL, 0x030000000c020000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][1] = {0x0000cb00008b0000ULL, 0xcf01c0000c020000ULL,
	      0x0000000000000000ULL, 0x000000c000400000ULL},
    [1][2] = {0x0000300000440000ULL, 0xc701800008000000ULL,
	      0x0000000000000000ULL, 0x0000004000000000ULL},
    [1][3] = {0x0000300000040000ULL, 0x8701800000000000ULL,
	      0x0000000000000000ULL, 0x0000004000000000ULL},
    [2][1] = {0x003f043fff080000ULL, 0x1f00000c0f305014ULL,
	      0x0000000f000f0f00ULL, 0x00000000000015d0ULL},
    [2][2] = {0x073f073f003f0000ULL, 0x0004000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0x0a0000402af00333ULL, 0x000000c000400000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/* EVEX forms with embedded rounding or SAE: EVEX.b with register operands
 * (SDM Vol. 2A 2.7) is #UD elsewhere. Same indexing. */
const u64 insn_evex_rc[4][4][4] = {
    [3][0] = {0x000000c000000500ULL, 0x0000000000c00000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [3][2] = {0x0000000000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [1][0] = {0x0000c00000000000ULL, 0x03000000ff020000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [1][1] = {0x0000c00000000000ULL, 0x0f000000ff020000ULL,
	      0x0000000000000000ULL, 0x0000004000000004ULL},
    [1][2] = {0x0000340000000000ULL, 0x0f000000ff020000ULL,
	      0x0000000000000000ULL, 0x0000004000000004ULL},
    [1][3] = {0x0000340000000000ULL, 0x0f000000f7020000ULL,
	      0x0000000000000000ULL, 0x0000004000000004ULL},
    [2][1] = {0x0000300000080000ULL, 0x000000000000000cULL,
	      0xffc0ffc0ffc00000ULL, 0x0000000000003d00ULL},
    [3][1] = {0x000000c020000f00ULL, 0x0000000000f30000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/* EVEX forms writing an opmask register: EVEX.z must be 0. Same indexing. */
const u64 insn_evex_kdst[4][4][4] = {
    [3][0] = {0x0000000000000000ULL, 0x000000c000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [3][2] = {0x0000000000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [1][0] = {0x0000000000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [1][1] = {0x0000000000000000ULL, 0x0070007000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [1][2] = {0x0000000000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [1][3] = {0x0000000000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000004ULL},
    [2][1] = {0x008002c000000000ULL, 0x0000000000000000ULL,
	      0x0000000000008000ULL, 0x0000000000000000ULL},
    [2][2] = {0x020002c000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [2][3] = {0x0000000000000000ULL, 0x0000010000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0xc0000000c0000000ULL, 0x000000c000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/* EVEX forms without masking (VMOVD/Q, VPINSR*, VPEXTR*, VMOVLPS/HPS,
 * VCOMISS, scalar <-> GPR conversions): EVEX.aaa and EVEX.z must be 0.
 * Same indexing. */
const u64 insn_evex_nomask[4][4][4] = {
    [2][2] = {0x0700070000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][0] = {0x0000c80000cc0000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][1] = {0x0000c80000cc0000ULL, 0x4000400000000000ULL,
	      0x0000000000000000ULL, 0x0040008000400030ULL},
    [1][2] = {0x0000340000000000ULL, 0x4b00000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][3] = {0x0000340000000000ULL, 0x0b00000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [2][1] = {0x0000040000000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x00000000f0000000ULL},
    [2][3] = {0x0000000000000000ULL, 0x0000010000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0x0000000700f00000ULL, 0x0000000000000010ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/* EVEX forms that exist only as 128-bit (EVEX.L'L = 00). Same indexing. */
const u64 insn_evex_l0[4][4][4] = {
    [1][0] = {0x0000000000cc0000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [1][1] = {0x0000000000cc0000ULL, 0x4000400000000000ULL,
	      0x0000000000000000ULL, 0x0000000000400030ULL},
    [1][2] = {0x0000000000000000ULL, 0x4000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0x0000000700f00000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/* EVEX forms with no 128-bit version (VPERMQ/PD, VPERMD/PS, broadcasts
 * of 64-bit and 128-bit elements, VINSERT/VEXTRACT/VSHUF of lanes). Same
 * indexing. */
const u64 insn_evex_l1[4][4][4] = {
    [2][1] = {0x004000000e400000ULL, 0x000000000c000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
    [3][1] = {0x0f0000080f000003ULL, 0x0000000000000008ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};

/* EVEX forms that exist only at 512 bits (256-bit lanes, AVX512ER/PF,
 * 4FMAPS, 4VNNIW). Same indexing. */
const u64 insn_evex_l2[4][4][4] = {
    [2][3] = {0x0000000000000000ULL, 0x00000000000c0000ULL,
	      0x0000040004000000ULL,
	      0x0000000000000000ULL}, /* 4VNNIW, 4FMAPS */
    [2][1] = {0x0000000008000000ULL, 0x0000000008000000ULL,
	      0x0000000000000000ULL, 0x00000000000015c0ULL},
    [3][1] = {0x0c0000000c000000ULL, 0x0000000000000000ULL,
	      0x0000000000000000ULL, 0x0000000000000000ULL},
};
