/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator data movement between GPRs and memory: MOV, MOVZX/MOVSX/
 * MOVSXD, SETcc, CMOVcc, PUSH/POP r/m, MOVBE and MOVNTI. None of these
 * changes the status flags.
 */
#include "vmm/emulate/insn_emulate_internal.h"

/* 88-8B, C6/C7, A0-A3: MOV (SDM Vol. 2B "MOV"). */
enum em_result em_mov(struct em_state *st)
{
	st->dst.val = st->src.val;
	return em_store_dst(st);
}

/* 0F B6/B7: MOVZX r, r/m8 / r/m16. */
enum em_result em_movzx(struct em_state *st)
{
	st->dst.val = st->src.val;
	return em_store_dst(st);
}

/*
 * 0F BE/BF: MOVSX r, r/m8 / r/m16; 63: MOVSXD r, r/m32 (64-bit mode
 * only; elsewhere 63 is ARPL, not emulated). The source was fetched at
 * its own width; without REX.W MOVSXD is a plain 16/32-bit move.
 */
enum em_result em_movsx(struct em_state *st)
{
	if (st->in->map == INSN_MAP_1B && st->in->mode != INSN_MODE_64)
		return em_unsupported(st, "ARPL not emulated");
	st->dst.val =
	    em_sext(st->src.val, st->src.size) & em_size_mask(st->osize);
	return em_store_dst(st);
}

/* 0F 90-9F: SETcc r/m8 (ModRM.reg is ignored). */
enum em_result em_setcc(struct em_state *st)
{
	st->dst.val = em_cond(st->flags, st->d->arg);
	return em_store_dst(st);
}

/*
 * 0F 40-4F: CMOVcc r, r/m. The source is read whatever the condition
 * (a memory source may fault even when no move happens) and a 32-bit
 * destination is zero-extended either way (SDM Vol. 2A "CMOVcc").
 */
enum em_result em_cmovcc(struct em_state *st)
{
	if (em_cond(st->flags, st->d->arg))
		st->dst.val = st->src.val;
	return em_store_dst(st);
}

/* Stack address size: 8 in 64-bit mode, else SS.B (4) or 2. */
static unsigned em_stack_size(const struct em_state *st)
{
	if (st->in->mode == INSN_MODE_64)
		return 8;
	return (st->ctx->seg[INSN_SEG_SS].ar & GWALK_AR_DB) ? 4 : 2;
}

/* RSP after adding delta, wrapped and merged at the stack size. */
static u64 em_rsp_add(struct em_state *st, u64 rsp, u64 delta)
{
	u64 m = em_size_mask(em_stack_size(st));

	return (rsp & ~m) | ((rsp + delta) & m);
}

/*
 * FF /6: PUSH r/m. The source address uses RSP before the decrement
 * (SDM Vol. 2B "PUSH"); the store is the only memory write.
 */
enum em_result em_push(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 val = 0, rsp;
	enum em_result r;
	gva_t la;

	if (st->in->modrm.mod == 3) {
		val = em_gpr(st, st->in->modrm.rm) & em_size_mask(sz);
	} else {
		r = em_mem_operand(st, sz, false, &la);
		if (r == EM_DONE)
			r = em_read(st, la, &val, sz);
		if (r != EM_DONE)
			return r;
	}
	rsp = em_rsp_add(st, em_gpr(st, 4), -(u64)sz);
	r = em_linear(st, INSN_SEG_SS, rsp & em_size_mask(em_stack_size(st)),
		      sz, true, &la);
	if (r == EM_DONE)
		r = em_write(st, la, &val, sz);
	if (r == EM_DONE)
		em_set_gpr(st, 4, rsp);
	return r;
}

/*
 * 8F /0: POP r/m. RSP is incremented before the destination address is
 * computed, so an RSP-based destination sees the new value (SDM Vol. 2B
 * "POP"); POP RSP leaves the popped value in RSP.
 */
enum em_result em_pop(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 val = 0, rsp = em_gpr(st, 4);
	enum em_result r;
	gva_t la;

	r = em_linear(st, INSN_SEG_SS, rsp & em_size_mask(em_stack_size(st)),
		      sz, false, &la);
	if (r == EM_DONE)
		r = em_read(st, la, &val, sz);
	if (r != EM_DONE)
		return r;
	em_set_gpr(st, 4, em_rsp_add(st, rsp, sz));
	if (st->in->modrm.mod == 3) {
		em_reg_write(st, st->in->modrm.rm, false, sz, val);
		return EM_DONE;
	}
	r = em_mem_operand(st, sz, true, &la);
	if (r == EM_DONE)
		r = em_write(st, la, &val, sz);
	return r;
}

static u64 em_bswap(u64 v, unsigned size)
{
	if (size == 8)
		return __builtin_bswap64(v);
	if (size == 4)
		return __builtin_bswap32((u32)v);
	return __builtin_bswap16((u16)v);
}

/*
 * 0F 38 F0: MOVBE r, m; 0F 38 F1: MOVBE m, r (byte-swapped move, SDM
 * Vol. 2B "MOVBE"). F2-prefixed forms are CRC32, not emulated.
 */
enum em_result em_movbe(struct em_state *st)
{
	const struct insn *in = st->in;
	unsigned sz = st->osize;
	enum em_result r;
	u64 val = 0;
	gva_t la;

	if (in->pfx.flags & (INSN_PFX_REP | INSN_PFX_REPNE))
		return em_unsupported(st, "CRC32 not emulated");
	if (in->modrm.mod == 3)
		return em_raise(st, EM_VEC_UD, false, 0);
	r = em_mem_operand(st, sz, st->d->arg != 0, &la);
	if (r != EM_DONE)
		return r;
	if (st->d->arg == 0) {
		r = em_read(st, la, &val, sz);
		if (r == EM_DONE)
			em_reg_write(st, in->modrm.reg, false, sz,
				     em_bswap(val, sz));
		return r;
	}
	val = em_bswap(em_gpr(st, in->modrm.reg), sz);
	return em_write(st, la, &val, sz);
}

/* 0F C3: MOVNTI m32/m64, r (a non-temporal hint; no 16-bit form). */
enum em_result em_movnti(struct em_state *st)
{
	if (st->osize == 2)
		return em_raise(st, EM_VEC_UD, false, 0);
	return em_mov(st);
}
