/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator exchanges and bit operations: XCHG (implicitly locked with
 * memory), XADD, CMPXCHG, CMPXCHG8B/16B and BT/BTS/BTR/BTC with the
 * bit-offset addressing of register offsets. LOCKed memory updates go
 * through the cmpxchg callback so that they are atomic for the guest.
 */
#include "vmm/emulate/insn_emulate_internal.h"

/*
 * 86/87: XCHG r/m, r. With a memory operand the exchange is locked
 * whether or not LOCK is given (SDM Vol. 2B "XCHG").
 */
enum em_result em_xchg(struct em_state *st)
{
	u64 old = st->dst.val;
	enum em_result r;

	st->dst.val = st->src.val;
	if (st->dst.mem)
		st->lock = true;
	r = em_store_dst(st);
	if (r == EM_DONE)
		em_reg_write(st, st->src.reg, st->src.high, st->osize, old);
	return r;
}

/* 0F C0/C1: XADD r/m, r: r gets the old r/m, r/m gets the sum. */
enum em_result em_xadd(struct em_state *st)
{
	u64 sum, f = em_flags_add(st->dst.val, st->src.val, 0, st->osize, &sum);

	st->flags = (st->flags & ~EM_ARITH) | f;
	em_reg_write(st, st->src.reg, st->src.high, st->osize, st->dst.val);
	st->dst.val = sum;
	return em_store_dst(st);
}

/*
 * 0F B0/B1: CMPXCHG r/m, r. Compare the accumulator with r/m: equal, r/m
 * gets r; else the accumulator gets r/m. A memory destination is always
 * written (with its own value on mismatch, SDM Vol. 2A "CMPXCHG"); a
 * register destination is written only on a match.
 */
enum em_result em_cmpxchg_op(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 acc = em_gpr(st, 0) & em_size_mask(sz), res;
	enum em_result r = EM_DONE;
	u64 f = em_flags_sub(acc, st->dst.val, 0, sz, &res);

	st->flags = (st->flags & ~EM_ARITH) | f;
	if (f & EM_ZF) {
		st->dst.val = st->src.val;
		return em_store_dst(st);
	}
	if (st->dst.mem)
		r = em_store_dst(st);
	if (r == EM_DONE)
		em_reg_write(st, 0, false, sz, st->dst.val);
	return r;
}

/*
 * 0F C7 /1: CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W). Compare rDX:rAX
 * with memory; equal: memory gets rCX:rBX and ZF = 1; else rDX:rAX gets
 * memory and ZF = 0. CMPXCHG16B needs a 16-byte aligned operand, #GP(0)
 * otherwise (SDM Vol. 2A "CMPXCHG8B/CMPXCHG16B").
 */
enum em_result em_cmpxchg8b(struct em_state *st)
{
	bool wide = st->in->rex.w, swapped = false;
	unsigned half = wide ? 8 : 4, sz = half * 2;
	u64 m = em_size_mask(half), cur[2] = {0, 0}, cmp[2], nv[2];
	enum em_result r;
	gva_t la;

	r = em_mem_operand(st, sz, true, &la);
	if (r != EM_DONE)
		return r;
	if (wide && (la & 15))
		return em_raise(st, EM_VEC_GP, true, 0);
	cmp[0] = em_gpr(st, 0) & m;
	cmp[1] = em_gpr(st, 2) & m;
	nv[0] = em_gpr(st, 3) & m;
	nv[1] = em_gpr(st, 1) & m;
	if (!wide) {
		cmp[0] |= cmp[1] << 32;
		nv[0] |= nv[1] << 32;
	}
	if (st->lock) {
		mem_copy(cur, cmp, sizeof(cur));
		r = em_cmpxchg(st, la, cur, nv, sz, &swapped);
	} else {
		r = em_read(st, la, cur, sz);
		if (r != EM_DONE)
			return r;
		swapped = wide ? cur[0] == cmp[0] && cur[1] == cmp[1]
			       : cur[0] == cmp[0];
		r = em_write(st, la, swapped ? nv : cur, sz);
	}
	if (r != EM_DONE)
		return r;
	st->flags = (st->flags & ~EM_ZF) | (swapped ? EM_ZF : 0);
	if (!swapped) {
		if (!wide)
			cur[1] = cur[0] >> 32;
		em_reg_write(st, 0, false, half, cur[0]);
		em_reg_write(st, 2, false, half, cur[1]);
	}
	return EM_DONE;
}

/*
 * 0F A3/AB/B3/BB (register offset) and 0F BA /4-7 (imm8): BT BTS BTR BTC
 * (d->arg 0..3). CF = the selected bit; OF/SF/AF/PF are undefined and left
 * unchanged, ZF is unaffected. An immediate offset or a register operand
 * takes the offset modulo the operand width. A register offset with a
 * memory operand is signed and addresses beyond the operand: the word of
 * osize bytes at EA + osize * floor(offset / width), SDM Vol. 2A "BT",
 * Bit(BitBase, BitOffset) in Vol. 1 3.4.1 / Figure 3-3.
 */
enum em_result em_bt(struct em_state *st)
{
	const struct insn *in = st->in;
	unsigned sz = st->osize, bits = sz * 8, op = st->d->arg;
	struct em_operand *d = &st->dst;
	u64 off, mask;

	if (st->d->src == EM_LOC_IMM)
		off = in->imm[0] & 0xff;
	else
		off = em_gpr(st, in->modrm.reg) & em_size_mask(sz);
	d->size = sz;
	if (in->modrm.mod == 3) {
		d->reg = in->modrm.rm;
		d->val = em_gpr(st, d->reg) & em_size_mask(sz);
	} else {
		enum em_result r;
		u64 ea;

		em_ea(st, &ea);
		if (st->d->src != EM_LOC_IMM) {
			s64 word = (s64)em_sext(off, sz) >> (sz == 2   ? 4
							     : sz == 4 ? 5
								       : 6);

			ea = (ea + (u64)word * sz) & em_addr_mask(st->asize);
		}
		d->mem = true;
		r = em_linear(st, in->mem.seg, ea, sz, op != 0, &d->la);
		if (r == EM_DONE)
			r = em_read(st, d->la, &d->val, sz);
		if (r != EM_DONE)
			return r;
		d->orig = d->val;
	}
	mask = BIT(off & (bits - 1));
	st->flags = (st->flags & ~EM_CF) | ((d->val & mask) ? EM_CF : 0);
	if (op == 0)
		return EM_DONE;
	if (op == 1)
		d->val |= mask;
	else if (op == 2)
		d->val &= ~mask;
	else
		d->val ^= mask;
	return em_store_dst(st);
}
