/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator arithmetic: the eight group-1 ALU operations, TEST,
 * INC/DEC/NOT/NEG, MUL/IMUL/DIV/IDIV (one-operand forms, #DE on a zero
 * divisor or an overflowing quotient) and the group-2 shifts and rotates
 * with their count-masking rules. All flags are computed in C.
 */
#include "vmm/emulate/insn_emulate_internal.h"

/* 00-3F, 80-83: ADD OR ADC SBB AND SUB XOR CMP (d->arg). */
enum em_result em_alu_op(struct em_state *st)
{
	u64 res;

	st->flags = em_alu(st->d->arg, st->dst.val, st->src.val, st->flags,
			   st->osize, &res);
	if (st->d->flags & EM_F_NOWB)
		return EM_DONE;
	st->dst.val = res;
	return em_store_dst(st);
}

/* 84/85, A8/A9, F6/F7 /0: TEST (AND without writeback). */
enum em_result em_test(struct em_state *st)
{
	u64 res;

	st->flags = em_alu(EM_AND, st->dst.val, st->src.val, st->flags,
			   st->osize, &res);
	return EM_DONE;
}

/* FE/FF /0: INC (CF unaffected). */
enum em_result em_inc(struct em_state *st)
{
	u64 f = em_flags_add(st->dst.val, 1, 0, st->osize, &st->dst.val);

	st->flags = (st->flags & ~(EM_ARITH & ~EM_CF)) | (f & ~EM_CF);
	return em_store_dst(st);
}

/* FE/FF /1: DEC (CF unaffected). */
enum em_result em_dec(struct em_state *st)
{
	u64 f = em_flags_sub(st->dst.val, 1, 0, st->osize, &st->dst.val);

	st->flags = (st->flags & ~(EM_ARITH & ~EM_CF)) | (f & ~EM_CF);
	return em_store_dst(st);
}

/* F6/F7 /2: NOT (no flags). */
enum em_result em_not(struct em_state *st)
{
	st->dst.val = ~st->dst.val & em_size_mask(st->osize);
	return em_store_dst(st);
}

/* F6/F7 /3: NEG = 0 - dst; CF = (dst != 0). */
enum em_result em_neg(struct em_state *st)
{
	u64 f = em_flags_sub(0, st->dst.val, 0, st->osize, &st->dst.val);

	st->flags = (st->flags & ~EM_ARITH) | f;
	return em_store_dst(st);
}

/* Unsigned 64 x 64 -> 128 multiply: low half returned, high in *hi. */
static u64 em_mul128(u64 a, u64 b, u64 *hi)
{
	u64 al = (u32)a, ah = a >> 32, bl = (u32)b, bh = b >> 32;
	u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	u64 mid = (ll >> 32) + (u32)lh + (u32)hl;

	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	return (mid << 32) | (u32)ll;
}

/* Write a double-width result: AX for bytes, else rDX:rAX. */
static void em_write_pair(struct em_state *st, u64 hi, u64 lo)
{
	unsigned sz = st->osize;

	if (sz == 1) {
		em_reg_write(st, 0, false, 2, ((hi & 0xff) << 8) | (lo & 0xff));
		return;
	}
	em_reg_write(st, 0, false, sz, lo);
	em_reg_write(st, 2, false, sz, hi);
}

/*
 * Flags of MUL/IMUL: CF = OF = ovf. SF, ZF, AF and PF are undefined (SDM
 * Vol. 2B "MUL", "IMUL"); the emulator derives SF/ZF/PF from the low half
 * and clears AF.
 */
static void em_mul_flags(struct em_state *st, u64 lo, bool ovf)
{
	st->flags &= ~EM_ARITH;
	st->flags |= em_flags_szp(lo, st->osize);
	if (ovf)
		st->flags |= EM_CF | EM_OF;
}

/* F6/F7 /4: MUL r/m (unsigned, accumulator times source). */
enum em_result em_mul(struct em_state *st)
{
	unsigned sz = st->osize, bits = sz * 8;
	u64 a = em_gpr(st, 0) & em_size_mask(sz), lo, hi;

	if (sz == 8) {
		lo = em_mul128(a, st->src.val, &hi);
	} else {
		u64 p = a * st->src.val;

		lo = p & em_size_mask(sz);
		hi = p >> bits;
	}
	em_write_pair(st, hi, lo);
	em_mul_flags(st, lo, hi != 0);
	return EM_DONE;
}

/* F6/F7 /5: IMUL r/m (signed, one operand). */
enum em_result em_imul(struct em_state *st)
{
	unsigned sz = st->osize, bits = sz * 8;
	u64 a = em_sext(em_gpr(st, 0), sz), b = em_sext(st->src.val, sz);
	u64 lo, hi;
	bool ovf;

	if (sz == 8) {
		/* Signed high half from the unsigned product. */
		lo = em_mul128(a, b, &hi);
		hi -= ((s64)a < 0 ? b : 0) + ((s64)b < 0 ? a : 0);
		ovf = hi != ((lo >> 63) ? ~0ULL : 0);
	} else {
		s64 p = (s64)a * (s64)b;

		lo = (u64)p & em_size_mask(sz);
		hi = ((u64)p >> bits) & em_size_mask(sz);
		ovf = (u64)p != em_sext(lo, sz);
	}
	em_write_pair(st, hi, lo);
	em_mul_flags(st, lo, ovf);
	return EM_DONE;
}

/*
 * Unsigned 128 / 64 division of hi:lo by d, precondition hi < d (so the
 * quotient fits in 64 bits). Restoring shift-subtract, no libgcc.
 */
static u64 em_udiv128(u64 hi, u64 lo, u64 d, u64 *rem)
{
	for (int i = 0; i < 64; i++) {
		u64 carry = hi >> 63;

		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			lo |= 1;
		}
	}
	*rem = hi;
	return lo;
}

/* Dividend of DIV/IDIV as hi:lo halves of size osize each. */
static void em_dividend(struct em_state *st, u64 *hi, u64 *lo)
{
	unsigned sz = st->osize;

	if (sz == 1) {
		u64 ax = em_gpr(st, 0);

		*lo = ax & 0xff;
		*hi = (ax >> 8) & 0xff;
		return;
	}
	*lo = em_gpr(st, 0) & em_size_mask(sz);
	*hi = em_gpr(st, 2) & em_size_mask(sz);
}

/*
 * Unsigned magnitude division of hi:lo (2 * sz bytes) by d; false when the
 * quotient does not fit in 64 bits.
 */
static bool em_udivide(unsigned sz, u64 hi, u64 lo, u64 d, u64 *q, u64 *r)
{
	if (sz == 8) {
		if (hi >= d)
			return false;
		*q = em_udiv128(hi, lo, d, r);
		return true;
	}
	lo |= hi << (sz * 8);
	*q = lo / d;
	*r = lo % d;
	return true;
}

/* F6/F7 /6: DIV r/m. #DE on zero divisor or quotient overflow. */
enum em_result em_div(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 hi, lo, q, r, d = st->src.val;

	em_dividend(st, &hi, &lo);
	if (!d || !em_udivide(sz, hi, lo, d, &q, &r) || q > em_size_mask(sz))
		return em_raise(st, EM_VEC_DE, false, 0);
	em_write_pair(st, r, q);
	return EM_DONE;
}

/*
 * F6/F7 /7: IDIV r/m. The quotient truncates toward zero, the remainder
 * takes the dividend's sign; #DE when it does not fit the signed operand
 * size (SDM Vol. 2A "IDIV").
 */
enum em_result em_idiv(struct em_state *st)
{
	unsigned sz = st->osize, bits = sz * 8;
	u64 hi, lo, q, r, d = em_sext(st->src.val, sz);
	bool nn, nd;

	em_dividend(st, &hi, &lo);
	if (!d)
		return em_raise(st, EM_VEC_DE, false, 0);
	nn = (hi >> (bits - 1)) & 1;
	nd = (s64)d < 0;
	if (nn) { /* negate the 2*sz-byte dividend */
		lo = (~lo + 1) & em_size_mask(sz);
		hi = (~hi + (lo == 0)) & em_size_mask(sz);
	}
	if (nd)
		d = -d;
	if (!em_udivide(sz, hi, lo, d, &q, &r) ||
	    q > (BIT(bits - 1) - (nn == nd ? 1 : 0)))
		return em_raise(st, EM_VEC_DE, false, 0);
	em_write_pair(st, nn ? -r : r, nn != nd ? -q : q);
	return EM_DONE;
}

/* Rotates through CF (RCL/RCR) one bit at a time; count < 65. */
static u64 em_rc(u64 v, unsigned n, unsigned bits, bool left, u64 *cf)
{
	u64 msb = BIT(bits - 1);

	while (n--) {
		u64 out = left ? (v & msb) != 0 : v & 1;

		if (left)
			v = ((v << 1) | *cf) & em_size_mask(bits / 8);
		else
			v = (v >> 1) | (*cf ? msb : 0);
		*cf = out;
	}
	return v;
}

/*
 * Group 2 (d->arg = ModRM.reg): ROL ROR RCL RCR SHL SHR - SAR. The count
 * is masked to 5 bits (6 with a 64-bit operand); a masked count of 0
 * changes no flag. OF is defined only for a count of 1 and AF is
 * undefined for shifts; the emulator computes OF by the 1-bit formula
 * for every count and clears AF. SHL/SHR counts of the operand width or
 * more leave CF undefined; the emulator gives 0 (SDM Vol. 2B "SAL/SAR/
 * SHL/SHR", "RCL/RCR/ROL/ROR").
 */
enum em_result em_shift(struct em_state *st)
{
	unsigned sz = st->osize, bits = sz * 8, op = st->d->arg;
	unsigned n = st->src.val & (sz == 8 ? 63 : 31);
	u64 v = st->dst.val, m = em_size_mask(sz), msb = BIT(bits - 1);
	u64 cf = (st->flags & EM_CF) ? 1 : 0, of, res, f = st->flags;

	if (!n)
		return st->dst.mem ? EM_DONE : em_store_dst(st);
	switch (op) {
	case 0: /* ROL */
		res =
		    ((v << (n % bits)) | (v >> ((bits - n % bits) % bits))) & m;
		cf = res & 1;
		of = ((res & msb) != 0) ^ cf;
		break;
	case 1: /* ROR */
		res =
		    ((v >> (n % bits)) | (v << ((bits - n % bits) % bits))) & m;
		cf = (res & msb) != 0;
		of = cf ^ ((res & (msb >> 1)) != 0);
		break;
	case 2: /* RCL: size + 1 bit rotate */
		res = em_rc(v, n % (bits + 1), bits, true, &cf);
		of = ((res & msb) != 0) ^ cf;
		break;
	case 3: /* RCR: OF from the operand before the rotate */
		of = ((v & msb) != 0) ^ cf;
		res = em_rc(v, n % (bits + 1), bits, false, &cf);
		break;
	case 4: /* SHL */
		res = n < 64 ? (v << n) & m : 0;
		cf = n <= bits ? (v >> (bits - n)) & 1 : 0;
		of = ((res & msb) != 0) ^ cf;
		break;
	case 5: /* SHR */
		res = v >> n;
		cf = (v >> (n - 1)) & 1;
		of = (v & msb) != 0;
		break;
	default: /* SAR */
		res = (u64)((s64)em_sext(v, sz) >> n) & m;
		cf = (em_sext(v, sz) >> (n - 1)) & 1;
		of = 0;
		break;
	}
	if (op >= 4)
		f = (f & ~EM_ARITH) | em_flags_szp(res, sz);
	f = (f & ~(EM_CF | EM_OF)) | (cf ? EM_CF : 0) | (of ? EM_OF : 0);
	st->flags = f;
	st->dst.val = res;
	return em_store_dst(st);
}
