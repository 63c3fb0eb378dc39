/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator data movement between GPRs and memory: MOV, MOVZX/MOVSX/
 * MOVSXD, SETcc, CMOVcc, MOVBE and MOVNTI (PUSH/POP are in
 * insn_emulate_stack.c). None of these changes the status flags.
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

/*
 * 90: NOP and PAUSE (F3 90); 0F 1F /r: NOP r/m, which reads no memory (SDM
 * Vol. 2B "NOP"). Nothing but RIP changes. 90 with REX.B is XCHG r8, rAX,
 * not emulated. Forced-emulation probes (KVM's "ud2; kvm; nop") run one.
 */
enum em_result em_nop(struct em_state *st)
{
	if (st->in->map == INSN_MAP_1B && st->in->rex.b)
		return em_unsupported(st, "XCHG r8, rAX");
	return EM_DONE;
}

/* 0F C3: MOVNTI m32/m64, r (a non-temporal hint; no 16-bit form). */
enum em_result em_movnti(struct em_state *st)
{
	if (st->osize == 2)
		return em_raise(st, EM_VEC_UD, false, 0);
	return em_mov(st);
}
