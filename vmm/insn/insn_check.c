/* SPDX-License-Identifier: MIT */
/*
 * x86 decoder validity rules: which decoded forms exist for the mode,
 * mandatory prefix, ModRM, VEX/EVEX/XOP fields and LOCK. The tables say
 * which opcodes exist; the rules here cover what the tables cannot hold
 * (groups, register-form specials, VEX/EVEX field constraints).
 */
#include "vmm/insn/insn_internal.h"

/* Valid ModRM.reg rows of the VEX/EVEX/XOP group opcodes. */
static bool vex_group_ok(const struct insn *in)
{
	u8 reg = (in->modrm.byte >> 3) & 7, set = 0;

	if (in->enc == INSN_ENC_XOP) {
		if (in->opcode == 0x12)
			set = 0x03; /* LLWPCB/SLWPCB, LWPINS/LWPVAL */
		else if (in->opcode == 0x01)
			set = 0xfe; /* TBM BLCFILL..T1MSKC */
		else if (in->opcode == 0x02)
			set = 0x42; /* BLCMSK, BLCI */
	} else if (in->map == INSN_MAP_0F) {
		if (in->opcode == 0x71)
			set = 0x54; /* PSRLW /2, PSRAW /4, PSLLW /6 */
		else if (in->opcode == 0x72)
			set = in->enc == INSN_ENC_EVEX ? 0x57 : 0x54;
		else if (in->opcode == 0x73)
			set = 0xcc; /* PSRLQ PSRLDQ PSLLQ PSLLDQ */
		else if (in->opcode == 0xae)
			set = 0x0c; /* VLDMXCSR, VSTMXCSR */
	} else if (in->map == INSN_MAP_0F38 && (in->opcode & 0xfe) == 0xc6) {
		set = 0x66; /* VGATHERPF0/1, VSCATTERPF0/1 (AVX512PF) */
	} else if (in->map == INSN_MAP_0F38 && in->opcode == 0xf3) {
		set = 0x0e; /* BLSR, BLSMSK, BLSI */
	}
	return set & BIT(reg);
}

/* Replacement rows for forms whose shape depends on prefix or ModRM. */
static const struct op_desc form_extrq_ib = {
    .f = OPF_MODRM, .imm = IMM_BB, .osz = OSZ_X, .pr = PC_66 | PC_F2};
static const struct op_desc form_extrq_r = {
    .f = OPF_MODRM, .osz = OSZ_X, .pr = PC_66 | PC_F2};
static const struct op_desc form_crc32 = {
    .f = OPF_MODRM, .osz = OSZ_V, .pm = PC_F2, .pr = PC_F2};
static const struct op_desc form_movbe = {
    .f = OPF_MODRM, .osz = OSZ_V, .pm = PC_NP | PC_66};
static const struct op_desc form_xabort = {
    .f = OPF_MODRM, .imm = IMM_B, .osz = OSZ_B, .pr = PC_ALL};
static const struct op_desc form_xbegin = {
    .f = OPF_MODRM | OPF_BRANCH, .imm = IMM_Z, .osz = OSZ_V, .pr = PC_ALL};

static int check_special(struct insn *in, struct op_desc *e, u8 col)
{
	u8 op = in->opcode, reg = (in->modrm.byte >> 3) & 7;
	bool mod3 = in->modrm.mod == 3;

	if (in->map == INSN_MAP_1B) {
		if (op == 0x8c && reg > 5)
			return INSN_E_UNDEF; /* MOV Ev,Sreg: ES..GS */
		if (op == 0x8e && (reg > 5 || reg == 1))
			return INSN_E_UNDEF; /* MOV CS,Ew is #UD */
		if (op >= 0xd8) {
			/* x87: SDM Vol. 2D A.5 (escape opcodes) */
			bool ok = mod3 ? insn_x87_reg[op - 0xd8] >>
						 (in->modrm.byte & 63) &
					     1
				       : insn_x87_mem[op - 0xd8] >> reg & 1;
			return ok ? 0 : INSN_E_UNDEF;
		}
		return 0;
	}
	if (in->map == INSN_MAP_0F3A) /* HRESET: ModRM is C0 */
		return in->modrm.byte == 0xc0 ? 0 : INSN_E_UNDEF;
	if (in->map == INSN_MAP_0F38) {
		/* 0F 38 F0/F1: MOVBE (NP/66, memory) or CRC32 (F2) */
		*e = col == PC_F2 ? form_crc32 : form_movbe;
		if (col == PC_F2 && op == 0xf0)
			e->osz = OSZ_B;
		return 0;
	}
	switch (op) {
	case 0xa6:
	case 0xa7: /* VIA PadLock: the ModRM byte is part of the opcode;
		    * all but XSTORE (A7 C0) need REP */
		return mod3 &&
			       (col == PC_F3 ||
				(op == 0xa7 && !reg && col != PC_F2)) &&
			       BIT(reg) & (op == 0xa6 ? 0x07 : 0x3f) &&
			       !(in->modrm.byte & 7)
			   ? 0
			   : INSN_E_UNDEF;
	case 0x1a:
	case 0x1b: /* MPX forms: BND0-3 only, no 16-bit addressing (SDM
		    * Vol. 1 17.3); the rest are hint NOPs */
		if (mod3 && col != PC_66 && !(op == 0x1a && col != PC_NP) &&
		    !(op == 0x1b && col == PC_F2))
			return 0;
		if (in->modrm.reg > 3 || (!mod3 && in->addrsize == 2))
			return INSN_E_UNDEF;
		/* BNDMOV register form names BND0-3 in rm too; BNDLDX,
		 * BNDSTX and BNDMK have no RIP-relative form (SDM #UD) */
		if (mod3 && col == PC_66 && in->modrm.rm > 3)
			return INSN_E_UNDEF;
		if (!mod3 && (col == PC_NP || (op == 0x1b && col == PC_F3)) &&
		    in->mode == INSN_MODE_64 && !in->sib.present &&
		    (in->modrm.byte & 0xc7) == 0x05)
			return INSN_E_UNDEF;
		return 0;
	case 0x20:
	case 0x22: /* MOV CR: CR0, CR2-4, CR8 (SDM MOV-Move to/from CR) */
		return BIT(in->modrm.reg) & 0x11d ? 0 : INSN_E_UNDEF;
	case 0x21:
	case 0x23: /* MOV DR: REX.R is #UD */
		return in->modrm.reg > 7 ? INSN_E_UNDEF : 0;
	case 0x78:
	case 0x79: /* NP VMREAD/VMWRITE; 66 EXTRQ, F2 INSERTQ (AMD SSE4a) */
		if (col == PC_NP)
			return 0;
		if (op == 0x78 && col == PC_66 && reg)
			return INSN_E_UNDEF;
		*e = op == 0x78 ? form_extrq_ib : form_extrq_r;
		return 0;
	}
	return 0;
}

/*
 * VSIB (gathers/scatters, SDM Vol. 2A 2.3.12): a SIB byte is required, no
 * 16-bit addressing, and (VEX forms) destination, mask and index must be
 * three different registers.
 */
static bool vsib_bad(const struct insn *in)
{
	u8 idx = in->mem.index, r = in->modrm.reg;
	u8 v = in->vex.vvvv & (in->mode == INSN_MODE_64 ? 15 : 7);

	if (!in->sib.present || in->addrsize == 2)
		return true;
	if (in->enc == INSN_ENC_EVEX)
		return r == (idx | (in->vex.vvvv & 16));
	return r == idx || r == v || v == idx;
}

/* FP16 forms with embedded rounding or SAE (EVEX.b on registers). */
static bool fp16_rc(const struct insn *in)
{
	u8 op = in->opcode;

	if (in->map == INSN_MAP_EVEX5)
		return op == 0x1d || op == 0x2a || (op >= 0x2c && op <= 0x2f) ||
		       op == 0x51 || (op >= 0x58 && op <= 0x5f) ||
		       (op >= 0x78 && op <= 0x7d);
	return op == 0x13 || op == 0x2c || op == 0x2d || op == 0x42 ||
	       op == 0x43 || op == 0x56 || op == 0x57 || op == 0xd6 ||
	       op == 0xd7 || (op >= 0x96 && op <= 0xbf);
}

/*
 * Complex FP16 multiply(-add) (map 6 56/57/D6/D7): the destination may
 * not be one of the sources (SDM Vol. 2C VFCMADDCPH/VFMULCPH: #UD when
 * the destination register is also a source).
 */
static bool fp16_complex_overlap(const struct insn *in)
{
	u8 d = in->modrm.reg; /* R and R' applied */
	u8 v = in->mode == INSN_MODE_64 ? in->vex.vvvv : in->vex.vvvv & 7;

	return d == v ||
	       (in->modrm.mod == 3 && d == (in->modrm.rm | (in->vex.x << 4)));
}

/*
 * AVX512-FP16 maps 5 and 6 (SDM Vol. 2, FP16 instructions): EVEX.W0 but
 * for the GPR-sized and quadword conversions, embedded broadcast only on
 * packed (non-SH) forms, and no vvvv on the one-source forms.
 */
static bool evex_fp16_bad(const struct insn *in)
{
	u8 op = in->opcode, pp = in->vex.pp;
	bool m5 = in->map == INSN_MAP_EVEX5;
	bool gpr = m5 && pp == 2 &&
		   (op == 0x2a || op == 0x2c || op == 0x2d || op == 0x78 ||
		    op == 0x79 || op == 0x7b);
	bool wfree =
	    gpr || (m5 && ((op == 0x5b && pp == 0) || (op == 0x7a && pp == 3)));
	bool w1 = m5 && op == 0x5a && (pp == 1 || pp == 3);
	bool scalar =
	    m5 ? (pp >= 2 && op != 0x5b && op != 0x7a && op != 0x7d) ||
		     (op == 0x1d && !pp)
	       : ((op & 1) && op != 0x13 && op != 0x97 && op != 0xa7 &&
		  op != 0xb7) ||
		     (op == 0x13 && !pp);
	bool onesrc = m5 ? (op == 0x1d && pp) || (op >= 0x2c && op <= 0x2f) ||
			       (op == 0x51 && !pp) || (op == 0x5a && pp < 2) ||
			       op == 0x5b || op == 0x6e ||
			       (op >= 0x78 && !(op == 0x7b && pp == 2)) ||
			       (op < 0x12 && pp == 2 && in->mem.present)
			 : (op == 0x13 && pp == 1) || op == 0x42 ||
			       op == 0x4c || op == 0x4e;
	bool nomask =
	    gpr ||
	    (m5 && (op == 0x2e || op == 0x2f || op == 0x6e || op == 0x7e));

	if (w1 ? !in->vex.w : !wfree && in->vex.w)
		return true;
	if (in->vex.bcst && (in->mem.present ? scalar || gpr : !fp16_rc(in)))
		return true;
	if (nomask && (in->vex.aaa || in->vex.z))
		return true;
	if (gpr && in->vex.w && in->mode != INSN_MODE_64)
		return true; /* 64-bit GPR operand outside 64-bit mode */
	if (m5 && op == 0x11 && in->mem.present && in->vex.z)
		return true; /* VMOVSH store */
	if (!m5 && (op & 0x7e) == 0x56 && fp16_complex_overlap(in))
		return true;
	return onesrc && in->vex.vvvv;
}

/*
 * EVEX.b and EVEX.W rules per form. Embedded broadcast exists only where
 * insn_evex_bcst lists it; EVEX.W is fixed by element type (SDM Vol. 2
 * "EVEX.W0"/"EVEX.W1" in each opcode row): map-1 floating-point forms
 * take W1 exactly in the 66 and F2 columns (PD/SD); other fixed-W forms
 * are listed in insn_evex_w0/w1.
 */
/* Whether the EVEX form of *in (map 1..3) is listed in a
 * [VEX_ROW(map)][pp][op >> 6] table. */
static bool evex_in(const u64 t[3][4][4], const struct insn *in)
{
	u64 w = t[VEX_ROW(in->map)][in->vex.pp][in->opcode >> 6];

	return w >> (in->opcode & 63) & 1;
}

/* Masking, zeroing and register-range rules shared by all EVEX maps. */
static bool evex_mask_bad(const struct insn *in, bool vsib)
{
	/* zeroing-masking needs a mask: EVEX.z with k0 is #UD (SDM Vol. 2A
	 * 2.7, EVEX exception conditions) */
	if (in->vex.z && !in->vex.aaa)
		return true;
	/* gathers and scatters need a mask other than k0, no zeroing */
	if (vsib && (!in->vex.aaa || in->vex.z))
		return true;
	if (in->map > 3)
		return false;
	/* shifts by imm8: VPSRLD/VPSLLD W0, VPSRLQ/VPSLLQ W1 (/2, /6) */
	if (in->map == INSN_MAP_0F &&
	    (in->opcode == 0x72 || in->opcode == 0x73) &&
	    (in->modrm.byte & 0x38) % 0x20 == 0x10 &&
	    in->vex.w != (in->opcode == 0x73))
		return true;
	/* VPSLLDQ/VPSRLDQ (66 0F 73 /7, /3) have no masking */
	if (in->map == INSN_MAP_0F && in->opcode == 0x73 &&
	    (in->modrm.byte & 0x18) == 0x18 && (in->vex.aaa || in->vex.z))
		return true;
	if ((in->vex.aaa || in->vex.z) && evex_in(insn_evex_nomask, in))
		return true;
	if (evex_in(insn_evex_kdst, in) && (in->vex.z || in->modrm.reg > 7))
		return true; /* opmask destination: k0-k7, no zeroing */
	return in->vex.z && in->mem.present && evex_in(insn_evex_store, in);
}

static bool evex_w_bad(const struct insn *in, bool vsib)
{
	static const u64 fp[4] = {
	    0x0000cb0000ff0000ULL,    /* 10-17, 28, 29, 2B, 2E, 2F */
	    0x00000000f7f20000ULL,    /* 51, 54-5A, 5C-5F */
	    0, 0x0000000000000044ULL, /* C2, C6 */
	};
	u8 op = in->opcode;
	/* with EVEX.b on registers L'L is the rounding mode: 512-bit */
	u8 l = in->vex.bcst && !in->mem.present ? 2 : in->vex.l;

	if (evex_mask_bad(in, vsib))
		return true;
	if (in->map > 3)
		return evex_fp16_bad(in);
	if (in->vex.bcst && (in->mem.present ? !evex_in(insn_evex_bcst, in)
					     : !evex_in(insn_evex_rc, in)))
		return true;
	/* with VSIB, EVEX.V' extends the index, not vvvv */
	if ((vsib ? in->vex.vvvv & 15 : in->vex.vvvv) &&
	    (evex_in(insn_evex_nv, in) ||
	     (in->map == INSN_MAP_0F && op < 0x12 && in->vex.pp > 1 &&
	      in->mem.present)))
		return true;
	if ((l && evex_in(insn_evex_l0, in)) ||
	    (l < 1 && evex_in(insn_evex_l1, in)) ||
	    (l != 2 && evex_in(insn_evex_l2, in)))
		return true;
	if (in->map == INSN_MAP_0F && fp[op >> 6] >> (op & 63) & 1)
		return in->vex.w != (in->vex.pp & 1);
	if (evex_in(insn_evex_w0, in))
		return in->vex.w;
	return evex_in(insn_evex_w1, in) && !in->vex.w;
}

/*
 * VEX map 1 forms with rules beyond the table (SDM Vol. 2C KANDW..KXORD,
 * KMOVW..KMOVQ, KORTEST, KTEST, KUNPCK; MOVLPS/MOVHPS): opmask operands
 * are k0-k7 only, each opmask form has a fixed VEX.L, and the 64-bit
 * halves loads/stores are 128-bit only.
 */
static int check_vex_map1(const struct insn *in)
{
	u8 op = in->opcode, pp = in->vex.pp, w = in->vex.w, l = in->vex.l;
	bool kreg = in->modrm.reg < 8; /* VEX.B is ignored for k in rm */
	bool kv = in->mode != INSN_MODE_64 || in->vex.vvvv < 8;

	switch (op) {
	case 0x12:
	case 0x13:
	case 0x16:
	case 0x17:
		return pp < 2 && l ? INSN_E_UNDEF : 0;
	case 0x41:
	case 0x42:
	case 0x45:
	case 0x46:
	case 0x47:
	case 0x4a:
		return l && kreg && kv ? 0 : INSN_E_UNDEF;
	case 0x4b:
		return l && kreg && kv && !(pp == 1 && w) ? 0 : INSN_E_UNDEF;
	case 0x44:
	case 0x90:
	case 0x91:
	case 0x98:
	case 0x99:
		return !l && kreg ? 0 : INSN_E_UNDEF;
	case 0x92:
		return !l && kreg && !(pp < 2 && w) ? 0 : INSN_E_UNDEF;
	case 0x93:
		return !l && !(pp < 2 && w) ? 0 : INSN_E_UNDEF;
	}
	return 0;
}

/*
 * AMX forms of VEX map 2 (SDM Vol. 2 entries LDTILECFG, STTILECFG,
 * TILERELEASE, TILEZERO, TILELOADD(T1), TILESTORED, TDP*; TDPFP16PS in
 * the ISA Extensions reference 319433): true when *in breaks a ModRM or
 * register rule. Tile operands are tmm0-7, so VEX.R, and for TDP* VEX.B
 * and vvvv bit 3, must be 0. The table fixes W0, L0, 64-bit mode and the
 * prefix columns; opcodes other than 49, 4B, 5C and 5E break no rule.
 */
static bool amx_bad(const struct insn *in)
{
	u8 reg = (in->modrm.byte >> 3) & 7, r = in->modrm.reg;
	u8 m = in->modrm.rm, v = in->vex.vvvv;

	switch (in->opcode) {
	case 0x49:
		/* m512 forms are /0; TILERELEASE is C0 exactly; TILEZERO
		 * tmm is 11:rrr:000 (VEX.B ignored) */
		if (in->mem.present)
			return reg != 0;
		if (in->vex.pp == 0)
			return in->modrm.byte != 0xc0;
		return (in->modrm.byte & 7) || r > 7;
	case 0x4b:
		/* sibmem: a SIB byte is required (no RIP-relative form) */
		return !in->sib.present || r > 7;
	case 0x5c:
	case 0x5e:
		/* three distinct tile registers */
		return r > 7 || m > 7 || v > 7 || r == m || r == v || m == v;
	}
	return false;
}

/*
 * Resolve the row of a group, then check that the form exists for this
 * mode, mandatory prefix and ModRM.mod, and that LOCK is permitted
 * (SDM Vol. 3A 8.1.2.2; LOCK elsewhere is #UD).
 */
int insn_check_form(struct insn *in, struct op_desc *e)
{
	bool legacy = in->enc == INSN_ENC_LEGACY || in->enc == INSN_ENC_3DNOW;
	u8 col = legacy ? insn_legacy_column(in) : (u8)BIT(in->vex.pp);
	bool mod3 = in->modrm.present && in->modrm.mod == 3;
	u8 mask;
	int rc;

	if (in->mode == INSN_MODE_64 ? (e->f & OPF_I64) : (e->f & OPF_O64))
		return INSN_E_MODE;
	if (in->map == INSN_MAP_1B && in->modrm.byte == 0xf8 &&
	    (in->opcode == 0xc6 || in->opcode == 0xc7)) {
		*e = in->opcode == 0xc6 ? form_xabort : form_xbegin;
	} else if (e->f & OPF_GROUP) {
		if (legacy) {
			const struct op_desc *r =
			    &insn_grp[e->grp][(in->modrm.byte >> 3) & 7];

			e->f |= r->f;
			e->pm &= r->pm;
			e->pr &= r->pr;
			if (r->imm)
				e->imm = r->imm;
			if (r->osz)
				e->osz = r->osz;
		} else if (!vex_group_ok(in)) {
			return INSN_E_UNDEF;
		}
	}
	if (e->f & OPF_SPEC) {
		rc = check_special(in, e, col);
		if (rc)
			return rc;
	}
	if (in->map == INSN_MAP_0F && in->opcode == 0x01 && mod3 && legacy) {
		u8 ci = col == PC_NP   ? 0
			: col == PC_66 ? 1
			: col == PC_F3 ? 2
				       : 3;

		u8 reg = (in->modrm.byte >> 3) & 7, rm = in->modrm.byte & 7;

		if (!(insn_0f01_reg[ci][reg] >> rm & 1))
			return INSN_E_UNDEF;
		if (in->mode != INSN_MODE_64 &&
		    insn_0f01_reg64[ci][reg] >> rm & 1)
			return INSN_E_MODE;
		mask = col;
	} else {
		mask = (mod3 && !(e->f & OPF_RMREG)) ? e->pr : e->pm;
	}
	if (!(mask & col))
		return INSN_E_UNDEF;
	if (legacy && mod3 && col == PC_F3 && in->mode != INSN_MODE_64 &&
	    in->map == INSN_MAP_0F &&
	    ((in->opcode == 0xae && ((in->modrm.byte >> 3) & 7) < 4) ||
	     (in->opcode == 0xc7 && ((in->modrm.byte >> 3) & 7) == 6)))
		return INSN_E_MODE; /* RDFSBASE..WRGSBASE, SENDUIPI: o64 */
	if (!legacy) {
		/* SDM 2.3.6: VEX.vvvv is 1111b when it encodes no operand */
		u8 nv = mod3 ? e->nv >> 4 : e->nv & 15;

		if ((nv & col) && (in->vex.vvvv & 15))
			return INSN_E_UNDEF;
		if (((e->f & OPF_L0) && in->vex.l) ||
		    ((e->f & OPF_L1) && !in->vex.l) ||
		    ((e->f & OPF_W0) && in->vex.w))
			return INSN_E_UNDEF;
		if (in->enc == INSN_ENC_VEX3 && in->map == INSN_MAP_0F38 &&
		    amx_bad(in))
			return INSN_E_UNDEF;
		/* KSHIFTR/L: opmask destination k0-k7 */
		if (in->enc == INSN_ENC_VEX3 && in->map == INSN_MAP_0F3A &&
		    (in->opcode & 0xfc) == 0x30 && in->modrm.reg > 7)
			return INSN_E_UNDEF;
		/* VPERMQ/VPERMPD, GF2P8AFFINE(INV)QB: VEX.W1 only */
		if (in->enc == INSN_ENC_VEX3 && in->map == INSN_MAP_0F3A &&
		    !in->vex.w &&
		    (in->opcode < 2 || in->opcode == 0xce ||
		     in->opcode == 0xcf))
			return INSN_E_UNDEF;
		if ((e->f & OPF_VSIB) && vsib_bad(in))
			return INSN_E_UNDEF;
		if (in->enc == INSN_ENC_EVEX && evex_w_bad(in, e->f & OPF_VSIB))
			return INSN_E_UNDEF;
		/* SDM Vol. 2A 2.7: EVEX.L'L = 11b is reserved except as the
		 * rounding control of a register-register form (b = 1) */
		if (in->enc == INSN_ENC_EVEX && in->vex.l == 3 &&
		    !(mod3 && in->vex.bcst))
			return INSN_E_UNDEF;
		if ((in->enc == INSN_ENC_VEX2 || in->enc == INSN_ENC_VEX3) &&
		    in->map == INSN_MAP_0F) {
			rc = check_vex_map1(in);
			if (rc)
				return rc;
		}
	}
	if ((in->pfx.flags & INSN_PFX_LOCK) &&
	    (!(e->f & OPF_LOCK) || !in->mem.present))
		return INSN_E_LOCK;
	return 0;
}
