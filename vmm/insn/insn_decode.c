/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder: prefixes, opcode escapes (legacy, 3DNow!, VEX,
 * EVEX, XOP), ModRM/SIB/displacement, immediates, and validity checks,
 * driven by the descriptor tables in insn_tables*.c. A pure function of
 * (bytes, mode); see vmm/insn/insn.h for the contract.
 */
#include "vmm/insn/insn_internal.h"

/* Decoder cursor: the input, how far it may be read, the next byte. */
struct cur {
	const u8 *buf;
	unsigned lim; /* min(avail, 15) */
	unsigned pos;
};

/* Status for needing n bytes in total when fewer than n are available. */
static int short_of(unsigned n)
{
	return n > INSN_MAX_LEN ? INSN_E_TOO_LONG : INSN_E_MORE;
}

#define NEED(c, n)                                                             \
	do {                                                                   \
		if (unlikely((unsigned)(n) > (c)->lim))                        \
			return short_of(n);                                    \
	} while (0)

/* Legacy prefix kinds (SDM Vol. 2A 2.1.1). */
enum { PK_NONE, PK_SEG, PK_OSZ, PK_ASZ, PK_LOCK, PK_REP, PK_REX };

static const u8 pfx_kind[256] = {
    [0x26] = PK_SEG, [0x2e] = PK_SEG, [0x36] = PK_SEG,
    [0x3e] = PK_SEG, [0x64] = PK_SEG, [0x65] = PK_SEG,
    [0x66] = PK_OSZ, [0x67] = PK_ASZ, [0xf0] = PK_LOCK,
    [0xf2] = PK_REP, [0xf3] = PK_REP, [0x40 ... 0x4f] = PK_REX,
};

static const u8 seg_of_prefix[8] = {
    /* (byte >> 3) & 7 for 26 2E 36 3E; 64/65 handled apart */
    [4] = INSN_SEG_ES,
    [5] = INSN_SEG_CS,
    [6] = INSN_SEG_SS,
    [7] = INSN_SEG_DS,
};

/*
 * Consume legacy and REX prefixes. A REX prefix only counts when it
 * immediately precedes the opcode (SDM 2.2.1: otherwise ignored). In
 * 64-bit mode ES/CS/SS/DS overrides are ignored (SDM Vol. 2A 2.1.1,
 * Vol. 1 3.3.7).
 */
static int decode_prefixes(struct insn *in, struct cur *c)
{
	for (;;) {
		u8 b, k;

		NEED(c, c->pos + 1);
		b = c->buf[c->pos];
		k = pfx_kind[b];
		if (k == PK_NONE || (k == PK_REX && in->mode != INSN_MODE_64))
			return 0;
		c->pos++;
		if (k == PK_REX) {
			in->rex.present = true;
			in->rex.byte = b;
			continue;
		}
		in->rex.present = false;
		in->pfx.bytes[in->pfx.count++] = b;
		switch (k) {
		case PK_SEG:
			in->pfx.flags |= INSN_PFX_SEG;
			if (b >= 0x64)
				in->pfx.seg =
				    b == 0x64 ? INSN_SEG_FS : INSN_SEG_GS;
			else if (in->mode != INSN_MODE_64)
				in->pfx.seg = seg_of_prefix[(b >> 3) & 7];
			break;
		case PK_OSZ:
			in->pfx.flags |= INSN_PFX_OSZ;
			break;
		case PK_ASZ:
			in->pfx.flags |= INSN_PFX_ASZ;
			break;
		case PK_LOCK:
			in->pfx.flags |= INSN_PFX_LOCK;
			break;
		default: /* F2/F3: the last one decides */
			in->pfx.flags &= ~(INSN_PFX_REP | INSN_PFX_REPNE);
			in->pfx.flags |=
			    b == 0xf3 ? INSN_PFX_REP : INSN_PFX_REPNE;
			break;
		}
	}
}

/*
 * VEX (C4/C5), EVEX (62) and XOP (8F) payload. SDM 2.3.2/2.3.5: a
 * preceding 66, F2, F3, LOCK or REX prefix makes the instruction #UD.
 */
static int decode_vex(struct insn *in, struct cur *c, u8 esc)
{
	const u8 *p = c->buf + c->pos;
	bool m64 = in->mode == INSN_MODE_64;
	u8 p0, p1;

	if (in->rex.present ||
	    (in->pfx.flags &
	     (INSN_PFX_OSZ | INSN_PFX_LOCK | INSN_PFX_REP | INSN_PFX_REPNE)))
		return INSN_E_UNDEF;
	if (esc == 0xc5) {
		NEED(c, c->pos + 3);
		p0 = p[1];
		in->enc = INSN_ENC_VEX2;
		in->map = INSN_MAP_0F;
		in->vex.mmmmm = 1;
		in->vex.r = !(p0 & 0x80);
		in->vex.vvvv = (~p0 >> 3) & 15;
		in->vex.l = (p0 >> 2) & 1;
		in->vex.pp = p0 & 3;
		c->pos += 2;
		goto done;
	}
	NEED(c, c->pos + 4);
	p0 = p[1];
	p1 = p[2];
	in->vex.r = !(p0 & 0x80);
	in->vex.x = !(p0 & 0x40);
	in->vex.b = !(p0 & 0x20);
	in->vex.w = p1 >> 7;
	in->vex.vvvv = (~p1 >> 3) & 15;
	in->vex.pp = p1 & 3;
	if (esc == 0x62) {
		u8 p2;

		NEED(c, c->pos + 5);
		p2 = p[3];
		/* SDM Vol. 2A 2.7 (EVEX prefix layout): P0[3] = 0, P1[2] = 1;
		 * maps 1-3, 5, 6 */
		if ((p0 & 0x08) || !(p1 & 0x04) || !(0x6e & BIT(p0 & 7)))
			return INSN_E_UNDEF;
		in->enc = INSN_ENC_EVEX;
		in->vex.mmmmm = p0 & 7;
		in->vex.r2 = !(p0 & 0x10);
		in->vex.z = p2 >> 7;
		in->vex.l = (p2 >> 5) & 3;
		in->vex.bcst = (p2 >> 4) & 1;
		in->vex.vvvv |= (p2 & 0x08) ? 0 : 16;
		in->vex.aaa = p2 & 7;
		in->map = in->vex.mmmmm;
		c->pos += 4;
	} else {
		in->vex.mmmmm = p0 & 0x1f;
		in->vex.l = (p1 >> 2) & 1;
		in->enc = esc == 0xc4 ? INSN_ENC_VEX3 : INSN_ENC_XOP;
		in->map = in->vex.mmmmm;
		if (esc == 0xc4 && (in->map < 1 || in->map > 3))
			return INSN_E_UNDEF;
		/* AMD APM Vol. 4 1.1: XOP maps 8..10, pp must be 00 */
		if (esc == 0x8f && (in->map > 10 || in->vex.pp))
			return INSN_E_UNDEF;
		c->pos += 3;
	}
done:
	if (!m64) {
		/* Registers 16-31 do not exist outside 64-bit mode: EVEX.V'
		 * must select the low 16 (#UD), EVEX.R' is ignored like
		 * R/X/B (SDM Vol. 2A 2.7) */
		if (in->enc == INSN_ENC_EVEX && (in->vex.vvvv & 16))
			return INSN_E_UNDEF;
		/* Outside 64-bit mode the extension bits are ignored */
		in->vex.b = 0;
		in->vex.x = 0;
		in->vex.r2 = 0;
	}
	return 0;
}

/* Whether C4/C5/62 at pos starts VEX/EVEX rather than LES/LDS/BOUND: in
 * 16/32-bit mode only when the next byte has mod == 11 (SDM 2.3.5). */
static int vex_escape(const struct insn *in, struct cur *c, bool *is_vex)
{
	if (in->mode == INSN_MODE_64) {
		*is_vex = true;
		return 0;
	}
	NEED(c, c->pos + 2);
	*is_vex = c->buf[c->pos + 1] >= 0xc0;
	return 0;
}

/* Select the opcode map and fetch the opcode byte; *d is its row. */
static int decode_opcode(struct insn *in, struct cur *c,
			 const struct op_desc **d)
{
	const u8 *p = c->buf + c->pos;
	u8 b = p[0];
	bool v = false;
	int rc;

	switch (b) {
	case 0x0f:
		NEED(c, c->pos + 2);
		if (p[1] == 0x38 || p[1] == 0x3a) {
			NEED(c, c->pos + 3);
			in->map = p[1] == 0x38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
			in->opcode = p[2];
			*d = &insn_op_forms[(p[1] == 0x38 ? insn_op0f38
							  : insn_op0f3a)[p[2]]];
			c->pos += 3;
			return 0;
		}
		in->map = INSN_MAP_0F;
		in->opcode = p[1];
		c->pos += 2;
		if (p[1] == 0x0f) {
			static const struct op_desc amd3dnow = {.f = OPF_MODRM |
								     OPF_3DNOW,
								.imm = IMM_B,
								.osz = OSZ_Q,
								.pm = PC_ALL,
								.pr = PC_ALL};
			in->enc = INSN_ENC_3DNOW;
			in->map = INSN_MAP_3DNOW;
			*d = &amd3dnow;
			return 0;
		}
		*d = &insn_op_forms[insn_op0f[p[1]]];
		return 0;
	case 0xc4:
	case 0xc5:
	case 0x62:
		rc = vex_escape(in, c, &v);
		if (rc)
			return rc;
		break;
	case 0x8f:
		NEED(c, c->pos + 2);
		v = (p[1] & 0x1f) >= 8;
		break;
	}
	if (!v) {
		in->map = INSN_MAP_1B;
		in->opcode = b;
		*d = &insn_op_forms[insn_op1[b]];
		c->pos++;
		return 0;
	}
	rc = decode_vex(in, c, b);
	if (rc)
		return rc;
	NEED(c, c->pos + 1);
	in->opcode = c->buf[c->pos++];
	if (in->enc == INSN_ENC_XOP)
		*d = &insn_vex_forms[insn_xop[in->map - 8][in->opcode]];
	else if (in->enc == INSN_ENC_EVEX)
		*d = &insn_vex_forms[insn_evex[EVEX_ROW(in->map)][in->opcode]];
	else
		*d = &insn_vex_forms[insn_vex[VEX_ROW(in->map)][in->opcode]];
	return 0;
}

/* Read an n-byte little-endian value at the cursor, sign-extended. */
static s64 read_sx(struct cur *c, unsigned n)
{
	const u8 *p = c->buf + c->pos;
	u64 v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (u64)p[i] << (8 * i);
	c->pos += n;
	if (n < 8 && (v & BIT(8 * n - 1)))
		v |= ~0ULL << (8 * n);
	return (s64)v;
}

/* 16-bit ModRM rm -> base and index (SDM Vol. 2A Table 2-1). */
static const u8 rm16_base[8] = {3, 3, 5, 5, 6, 7, 5, 3};
static const u8 rm16_index[8] = {
    6, 7, 6, 7, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE};

static int decode_disp(struct insn *in, struct cur *c, unsigned n)
{
	NEED(c, c->pos + n);
	in->disp_size = n;
	in->disp = read_sx(c, n);
	in->mem.disp = in->disp;
	return 0;
}

/* 16-bit addressing forms (SDM Vol. 2A 2.1.5, Table 2-1). */
static int decode_mem16(struct insn *in, struct cur *c)
{
	u8 mod = in->modrm.mod, rm = in->modrm.byte & 7;

	if (mod == 0 && rm == 6)
		return decode_disp(in, c, 2);
	in->mem.base = rm16_base[rm];
	in->mem.index = rm16_index[rm];
	if (rm16_base[rm] == 5)
		in->mem.seg = INSN_SEG_SS;
	return mod ? decode_disp(in, c, mod == 1 ? 1 : 2) : 0;
}

/*
 * 32/64-bit addressing (SDM Vol. 2A Tables 2-2, 2-3; 2.2.1.6 RIP-relative:
 * mod=00 rm=101 in 64-bit mode is RIP + disp32).
 */
static int decode_mem32(struct insn *in, struct cur *c, u8 xb, bool vsib)
{
	u8 mod = in->modrm.mod, rm = in->modrm.byte & 7, base;

	if (rm == 4) {
		u8 s;

		NEED(c, c->pos + 1);
		s = c->buf[c->pos++];
		in->sib.present = true;
		in->sib.byte = s;
		in->sib.scale = s >> 6;
		in->sib.index = ((s >> 3) & 7) | (xb & 2) << 2;
		in->sib.base = (s & 7) | (xb & 1) << 3;
		if (vsib)
			in->mem.index = in->sib.index | (in->vex.vvvv & 16);
		else if (in->sib.index != 4)
			in->mem.index = in->sib.index;
		if (in->mem.index != INSN_REG_NONE)
			in->mem.scale = 1 << in->sib.scale;
		if ((s & 7) == 5 && mod == 0)
			return decode_disp(in, c, 4);
		base = in->sib.base;
	} else if (rm == 5 && mod == 0) {
		in->mem.rip_relative = in->mode == INSN_MODE_64;
		return decode_disp(in, c, 4);
	} else {
		base = in->modrm.rm;
	}
	in->mem.base = base;
	if (base == 4 || base == 5)
		in->mem.seg = INSN_SEG_SS;
	return mod ? decode_disp(in, c, mod == 1 ? 1 : 4) : 0;
}

/* ModRM and what follows it up to the immediate. reg_only: the mod field
 * is ignored and rm names a register (MOV CR/DR, SDM 0F 20-23). */
static int decode_modrm(struct insn *in, struct cur *c, bool reg_only,
			bool vsib)
{
	u8 m, r, xb;

	NEED(c, c->pos + 1);
	m = c->buf[c->pos++];
	if (in->enc == INSN_ENC_LEGACY || in->enc == INSN_ENC_3DNOW) {
		u8 rex = in->rex.present ? in->rex.byte : 0;

		r = (rex >> 2) & 1;
		xb = rex & 3;
	} else {
		r = in->vex.r | (in->vex.r2 << 1);
		xb = (in->vex.x << 1) | in->vex.b;
	}
	in->modrm.present = true;
	in->modrm.byte = m;
	in->modrm.mod = m >> 6;
	in->modrm.reg = ((m >> 3) & 7) | r << 3;
	in->modrm.rm = (m & 7) | (xb & 1) << 3;
	if (in->modrm.mod == 3 || reg_only)
		return 0;
	in->mem.present = true;
	in->mem.seg = INSN_SEG_DS;
	in->mem.scale = 1;
	if (in->addrsize == 2)
		return decode_mem16(in, c);
	return decode_mem32(in, c, xb, vsib);
}

/*
 * Operand size in bytes of the SSE/AVX data moves the emulator executes
 * (SDM Vol. 2B MOVD/MOVQ, MOVSS, MOVSD, MOVQ, MOVNTQ); other vector forms
 * take the full register width (16, or by VEX.L / EVEX.L'L).
 */
static u8 vec_size(const struct insn *in, u8 col, bool legacy)
{
	u8 full = legacy ? 16 : 16 << in->vex.l;
	u8 w = legacy ? in->rex.w : in->vex.w && in->mode == INSN_MODE_64;

	if (in->map != INSN_MAP_0F)
		return full;
	switch (in->opcode) {
	case 0x10:
	case 0x11:
		return col == PC_F3 ? 4 : col == PC_F2 ? 8 : full;
	case 0x6f:
	case 0x7f:
	case 0xe7:
		return legacy && col == PC_NP ? 8 : full;
	case 0x6e:
		return w ? 8 : 4;
	case 0x7e:
		return col == PC_F3 || w ? 8 : 4;
	case 0xd6:
		return 8;
	}
	return full;
}

/* Effective operand and address size (SDM Vol. 1 3.6, Vol. 2A 2.2.1.2). */
static void set_sizes(struct insn *in, const struct op_desc *e)
{
	bool p66 = in->pfx.flags & INSN_PFX_OSZ;
	bool m64 = in->mode == INSN_MODE_64;
	bool legacy = in->enc == INSN_ENC_LEGACY || in->enc == INSN_ENC_3DNOW;
	u8 w = legacy ? in->rex.w : in->vex.w;
	u8 v = in->mode == INSN_MODE_16 ? (p66 ? 4 : 2) : (p66 ? 2 : 4);

	switch (e->osz) {
	case OSZ_B:
		in->opsize = 1;
		break;
	case OSZ_D64:
		in->opsize = m64 ? (w || !p66 ? 8 : 2) : v;
		break;
	case OSZ_F64:
		in->opsize = m64 ? 8 : v;
		break;
	case OSZ_W:
		in->opsize = 2;
		break;
	case OSZ_D:
		in->opsize = 4;
		break;
	case OSZ_Q:
		in->opsize = 8;
		break;
	case OSZ_Y:
		in->opsize = m64 && w ? 8 : 4;
		break;
	case OSZ_Y64:
		in->opsize = m64 ? 8 : 4;
		break;
	case OSZ_CX8:
		in->opsize = m64 && w ? 16 : 8;
		break;
	case OSZ_TILE:
		in->opsize = 64;
		break;
	case OSZ_X:
		in->opsize = vec_size(
		    in, legacy ? insn_legacy_column(in) : (u8)BIT(in->vex.pp),
		    legacy);
		break;
	default:
		in->opsize = m64 && w ? 8 : v;
		break;
	}
}

/* Table attribute bits of the public struct. */
static u16 attr_of(const struct op_desc *e)
{
	u16 a = 0;

	a |= e->f & OPF_MODRM ? INSN_A_MODRM : 0;
	a |= e->osz == OSZ_B ? INSN_A_BYTEOP : 0;
	a |= e->f & OPF_LOCK ? INSN_A_LOCKABLE : 0;
	a |= e->f & OPF_STRING ? INSN_A_STRING : 0;
	a |= e->f & OPF_MOFFS ? INSN_A_MOFFS : 0;
	a |= e->f & OPF_BRANCH ? INSN_A_BRANCH : 0;
	a |= e->f & OPF_VSIB ? INSN_A_VSIB : 0;
	a |= e->pm && !e->pr && (e->f & OPF_MODRM) ? INSN_A_MEMONLY : 0;
	a |= e->osz == OSZ_X ? INSN_A_VECTOR : 0;
	return a;
}

static int read_imm(struct insn *in, struct cur *c, unsigned i, unsigned n)
{
	NEED(c, c->pos + n);
	in->imm_size[i] = n;
	in->imm[i] = (u64)read_sx(c, n);
	return 0;
}

/* moffs (A0-A3): an address-size offset, zero-extended (SDM MOV). */
static int decode_moffs(struct insn *in, struct cur *c)
{
	unsigned n = in->addrsize;

	NEED(c, c->pos + n);
	in->disp_size = n;
	in->disp = read_sx(c, n);
	if (n < 8)
		in->disp &= (s64)GENMASK(8 * n - 1, 0);
	in->mem.present = true;
	in->mem.seg = INSN_SEG_DS;
	in->mem.base = INSN_REG_NONE;
	in->mem.index = INSN_REG_NONE;
	in->mem.scale = 1;
	in->mem.disp = in->disp;
	return 0;
}

static int decode_imm(struct insn *in, struct cur *c, const struct op_desc *e)
{
	unsigned z = in->opsize == 2 ? 2 : 4;
	int rc;

	if (e->f & OPF_MOFFS)
		return decode_moffs(in, c);
	switch (e->imm) {
	case IMM_NONE:
		return 0;
	case IMM_B:
		rc = read_imm(in, c, 0, 1);
		if (!rc && (e->f & OPF_3DNOW)) {
			in->opcode = (u8)in->imm[0];
			if (!(insn_3dnow[in->opcode >> 6] >> (in->opcode & 63) &
			      1))
				rc = INSN_E_UNDEF;
		}
		return rc;
	case IMM_W:
		return read_imm(in, c, 0, 2);
	case IMM_Z:
		return read_imm(in, c, 0, z);
	case IMM_V:
		return read_imm(in, c, 0, in->opsize);
	case IMM_WB:
		rc = read_imm(in, c, 0, 2);
		return rc ? rc : read_imm(in, c, 1, 1);
	case IMM_P:
		rc = read_imm(in, c, 0, z);
		return rc ? rc : read_imm(in, c, 1, 2);
	case IMM_BB:
		rc = read_imm(in, c, 0, 1);
		return rc ? rc : read_imm(in, c, 1, 1);
	default:
		return read_imm(in, c, 0, 4);
	}
}

/* Address size: mode default, flipped by 67 (SDM Vol. 1 3.6.1). */
static u8 addr_size(enum insn_mode mode, bool p67)
{
	if (mode == INSN_MODE_64)
		return p67 ? 4 : 8;
	if (mode == INSN_MODE_32)
		return p67 ? 2 : 4;
	return p67 ? 4 : 2;
}

/*
 * Decode (and validate) the instruction at buf; see vmm/insn/insn.h. Each step
 * only reads bytes it has checked are within min(avail, 15).
 */
int insn_decode(struct insn *in, const u8 *buf, size_t avail,
		enum insn_mode mode)
{
	struct cur c = {.buf = buf, .lim = avail < 15 ? (unsigned)avail : 15};
	const struct op_desc *d;
	struct op_desc e;
	int rc;

	mem_set(in, 0, sizeof(*in));
	in->mode = mode;
	in->pfx.seg = INSN_SEG_NONE;
	in->mem.base = INSN_REG_NONE;
	in->mem.index = INSN_REG_NONE;
	in->mem.seg = INSN_SEG_NONE;
	rc = decode_prefixes(in, &c);
	if (rc)
		goto out;
	if (in->rex.present) {
		in->rex.w = (in->rex.byte >> 3) & 1;
		in->rex.r = (in->rex.byte >> 2) & 1;
		in->rex.x = (in->rex.byte >> 1) & 1;
		in->rex.b = in->rex.byte & 1;
	}
	in->addrsize = addr_size(mode, in->pfx.flags & INSN_PFX_ASZ);
	rc = decode_opcode(in, &c, &d);
	if (rc)
		goto out;
	e = *d;
	if (!e.pm && !e.pr) {
		rc = INSN_E_UNDEF;
		goto out;
	}
	if (e.f & OPF_MODRM) {
		rc = decode_modrm(in, &c, e.f & OPF_RMREG, e.f & OPF_VSIB);
		if (rc)
			goto out;
	}
	rc = insn_check_form(in, &e);
	if (rc)
		goto out;
	set_sizes(in, &e);
	if (in->enc == INSN_ENC_LEGACY || in->enc == INSN_ENC_3DNOW) {
		static const u8 pfx_byte[9] = {
		    [1] = 0, [2] = 0x66, [4] = 0xf3, [8] = 0xf2};

		in->pfx.mandatory = pfx_byte[insn_legacy_column(in)];
	}
	in->attr = attr_of(&e);
	if (in->mem.present && in->pfx.seg != INSN_SEG_NONE)
		in->mem.seg = in->pfx.seg;
	if (in->mem.present && in->mem.base == INSN_REG_NONE &&
	    in->mem.index == INSN_REG_NONE)
		in->mem.scale = 1;
	rc = decode_imm(in, &c, &e);
	if (!rc && (e.f & OPF_MOFFS) && in->pfx.seg != INSN_SEG_NONE)
		in->mem.seg = in->pfx.seg;
out:
	in->len = c.pos;
	mem_copy(in->raw, buf, MIN(c.pos, c.lim));
	return rc;
}
