/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator flag arithmetic: the six status flags of additions,
 * subtractions and logical operations computed in C from the operands and
 * the result (no host flags), and the condition codes of Jcc/SETcc/CMOVcc.
 * SDM Vol. 1 3.4.3.1 and Appendix A (EFLAGS cross-reference).
 */
#include "vmm/emulate/insn_emulate_internal.h"

/* Most significant bit of an operand of size bytes. */
static u64 em_msb(u64 v, unsigned size)
{
	return (v >> (size * 8 - 1)) & 1;
}

/* PF: set when the low byte of the result has an even number of ones. */
static u64 em_parity(u64 res)
{
	u64 p = res & 0xff;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	return (p & 1) ? 0 : EM_PF;
}

/* SF, ZF and PF of a result of size bytes (all other bits 0). */
u64 em_flags_szp(u64 res, unsigned size)
{
	u64 f = em_parity(res);

	res &= em_size_mask(size);
	if (!res)
		f |= EM_ZF;
	if (em_msb(res, size))
		f |= EM_SF;
	return f;
}

/*
 * a + b + c (c = 0 or 1) on size bytes: the sum into *res, the six status
 * flags returned. CF is the carry out of the top bit, OF is set when both
 * inputs have the same sign and the result does not, AF is the carry out
 * of bit 3.
 */
u64 em_flags_add(u64 a, u64 b, u64 c, unsigned size, u64 *res)
{
	u64 m = em_size_mask(size);
	u64 r = (a + b + c) & m;
	u64 f;

	a &= m;
	b &= m;
	f = em_flags_szp(r, size);
	if (em_msb((a & b) | ((a | b) & ~r), size))
		f |= EM_CF;
	if (em_msb((a ^ r) & (b ^ r), size))
		f |= EM_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= EM_AF;
	*res = r;
	return f;
}

/* a - b - c (c = borrow in) on size bytes; CF is the borrow out. */
u64 em_flags_sub(u64 a, u64 b, u64 c, unsigned size, u64 *res)
{
	u64 m = em_size_mask(size);
	u64 r = (a - b - c) & m;
	u64 f;

	a &= m;
	b &= m;
	f = em_flags_szp(r, size);
	if (em_msb((~a & b) | ((~a | b) & r), size))
		f |= EM_CF;
	if (em_msb((a ^ b) & (a ^ r), size))
		f |= EM_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= EM_AF;
	*res = r;
	return f;
}

/*
 * One of the eight group-1 operations on size bytes: returns RFLAGS with
 * the status flags replaced, the result in *res. AND/OR/XOR clear OF and
 * CF; their AF is undefined (SDM Vol. 2 AND/OR/XOR "Flags Affected"): the
 * emulator clears it, as Intel CPUs do.
 */
u64 em_alu(unsigned op, u64 a, u64 b, u64 flags, unsigned size, u64 *res)
{
	u64 cf = (flags & EM_CF) ? 1 : 0;
	u64 f;

	switch (op) {
	case EM_ADD:
		f = em_flags_add(a, b, 0, size, res);
		break;
	case EM_ADC:
		f = em_flags_add(a, b, cf, size, res);
		break;
	case EM_SUB:
	case EM_CMP:
		f = em_flags_sub(a, b, 0, size, res);
		break;
	case EM_SBB:
		f = em_flags_sub(a, b, cf, size, res);
		break;
	case EM_OR:
		*res = (a | b) & em_size_mask(size);
		f = em_flags_szp(*res, size);
		break;
	case EM_AND:
		*res = (a & b) & em_size_mask(size);
		f = em_flags_szp(*res, size);
		break;
	default: /* EM_XOR */
		*res = (a ^ b) & em_size_mask(size);
		f = em_flags_szp(*res, size);
		break;
	}
	return (flags & ~EM_ARITH) | f;
}

/*
 * Condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc) evaluated
 * on rflags (SDM Vol. 1 Appendix B, Table B-1).
 */
bool em_cond(u64 rflags, unsigned cc)
{
	bool cf = rflags & EM_CF, zf = rflags & EM_ZF, sf = rflags & EM_SF;
	bool of = rflags & EM_OF, pf = rflags & EM_PF;
	bool r;

	switch (cc >> 1) {
	case 0:
		r = of;
		break;
	case 1:
		r = cf;
		break;
	case 2:
		r = zf;
		break;
	case 3:
		r = cf || zf;
		break;
	case 4:
		r = sf;
		break;
	case 5:
		r = pf;
		break;
	case 6:
		r = sf != of;
		break;
	default:
		r = zf || sf != of;
		break;
	}
	return (cc & 1) ? !r : r;
}
