/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator SSE/AVX moves: MOVUPS/MOVAPS, MOVDQU/MOVDQA, MOVNTDQ,
 * VMOVDQU/VMOVDQA (VEX.128/256), MOVD/MOVQ between GPRs or memory and XMM
 * registers, and the MMX MOVD/MOVQ forms. Vector registers are reached
 * through read_vec/write_vec, MMX registers through read_mmx/write_mmx;
 * legacy SSE writes keep the upper YMM bits, VEX writes zero them.
 */
#include "vmm/emulate/insn_emulate_internal.h"

static bool em_is_vex(const struct insn *in)
{
	return in->enc == INSN_ENC_VEX2 || in->enc == INSN_ENC_VEX3;
}

/* Mandatory SIMD prefix of the form: 0, 0x66, 0xF3 or 0xF2. */
static u8 em_simd_pfx(const struct insn *in)
{
	static const u8 pp[4] = {0, 0x66, 0xf3, 0xf2};

	if (em_is_vex(in))
		return pp[in->vex.pp & 3];
	if (in->pfx.flags & INSN_PFX_REP)
		return 0xf3;
	if (in->pfx.flags & INSN_PFX_REPNE)
		return 0xf2;
	return (in->pfx.flags & INSN_PFX_OSZ) ? 0x66 : 0;
}

/*
 * Availability checks before any operand access (SDM Vol. 2A 2.4 and
 * 2.8, exception classes 4/5): legacy SSE needs CR0.EM = 0 and
 * CR4.OSFXSR = 1 (#UD); VEX needs CR4.OSXSAVE with XCR0.SSE|AVX and
 * VEX.vvvv = 1111b (#UD); CR0.TS = 1 gives #NM.
 */
static enum em_result em_simd_check(struct em_state *st)
{
	const struct em_ctx *ctx = st->ctx;
	const struct insn *in = st->in;

	if (!ctx->ops->read_vec || !ctx->ops->write_vec)
		return em_unsupported(st, "no vector register callbacks");
	if (em_is_vex(in)) {
		if (!(ctx->cr4 & EM_CR4_OSXSAVE) ||
		    (ctx->xcr0 & (EM_XCR0_SSE | EM_XCR0_AVX)) !=
			(EM_XCR0_SSE | EM_XCR0_AVX) ||
		    in->vex.vvvv || in->vex.l > 1)
			return em_raise(st, EM_VEC_UD, false, 0);
	} else if ((ctx->cr0 & EM_CR0_EM) || !(ctx->cr4 & EM_CR4_OSFXSR)) {
		return em_raise(st, EM_VEC_UD, false, 0);
	}
	if (ctx->cr0 & EM_CR0_TS)
		return em_raise(st, EM_VEC_NM, false, 0);
	return EM_DONE;
}

/*
 * MMX moves without a mandatory prefix (SDM Vol. 2B "MOVD/MOVQ", "MOVQ"):
 * 0F 6E MOVD/MOVQ mm, r/m32/64 (zero-extended); 0F 7E MOVD/MOVQ r/m32/64,
 * mm; 0F 6F MOVQ mm, mm/m64; 0F 7F MOVQ mm/m64, mm. CR0.EM = 1 is #UD,
 * CR0.TS = 1 #NM, a pending unmasked x87 exception #MF (reported by the
 * callbacks; for a load, after the memory read). REX.R/B do not extend
 * MMX register numbers.
 */
static enum em_result em_mmx_mov(struct em_state *st)
{
	const struct em_ops *o = st->ctx->ops;
	const struct insn *in = st->in;
	u8 op = in->opcode;
	bool load = op == 0x6e || op == 0x6f, gpr = op == 0x6e || op == 0x7e;
	unsigned sz = gpr && in->rex.w ? 8 : gpr ? 4 : 8;
	unsigned mm = in->modrm.reg & 7, rm = in->modrm.rm;
	bool reg = in->modrm.mod == 3;
	enum em_result r = EM_DONE;
	u64 val = 0;
	gva_t la;

	if (!o->read_mmx || !o->write_mmx)
		return em_unsupported(st, "no MMX register callbacks");
	if (st->ctx->cr0 & EM_CR0_EM)
		return em_raise(st, EM_VEC_UD, false, 0);
	if (st->ctx->cr0 & EM_CR0_TS)
		return em_raise(st, EM_VEC_NM, false, 0);
	if (!reg)
		r = em_mem_operand(st, sz, !load, &la);
	if (r != EM_DONE)
		return r;
	if (load) {
		if (reg && gpr)
			val = em_gpr(st, rm) & em_size_mask(sz);
		else if (reg && !o->read_mmx(st->ctx, rm & 7, &val))
			return em_raise(st, EM_VEC_MF, false, 0);
		else if (!reg && (r = em_read(st, la, &val, sz)) != EM_DONE)
			return r;
		if (!o->write_mmx(st->ctx, mm, val))
			return em_raise(st, EM_VEC_MF, false, 0);
		return EM_DONE;
	}
	if (!o->read_mmx(st->ctx, mm, &val))
		return em_raise(st, EM_VEC_MF, false, 0);
	val &= em_size_mask(sz);
	if (!reg)
		return em_write(st, la, &val, sz);
	if (gpr)
		em_reg_write(st, rm, false, sz, val);
	else if (!o->write_mmx(st->ctx, rm & 7, val))
		return em_raise(st, EM_VEC_MF, false, 0);
	return EM_DONE;
}

/* Which full-register move *in is, or false when not emulated. */
static bool em_sse_kind(const struct insn *in, bool *load, bool *aligned)
{
	u8 pfx = em_simd_pfx(in), op = in->opcode;

	*load = op == 0x10 || op == 0x28 || op == 0x6f;
	switch (op) {
	case 0x10: /* 0F 10/11: MOVUPS */
	case 0x11:
	case 0x28: /* 0F 28/29: MOVAPS */
	case 0x29:
		*aligned = op >= 0x28;
		return pfx == 0;
	case 0x6f: /* 66/F3 0F 6F/7F: MOVDQA/MOVDQU (VEX: VMOVDQA/U) */
	case 0x7f:
		*aligned = pfx == 0x66;
		return pfx == 0x66 || pfx == 0xf3;
	default: /* 66 0F E7: MOVNTDQ m128, xmm (mod = 3 is #UD) */
		*aligned = true;
		return pfx == 0x66;
	}
}

/*
 * Full-register moves between XMM/YMM and memory or another register.
 * Aligned forms need an operand aligned to its size, #GP(0) otherwise
 * (SDM Vol. 2B "MOVDQA", "MOVAPS", "MOVNTDQ").
 */
enum em_result em_sse_mov(struct em_state *st)
{
	const struct insn *in = st->in;
	bool vex = em_is_vex(in), load, aligned;
	unsigned len = vex && in->vex.l ? 32 : 16;
	u8 buf[32] = {0}; /* every byte is filled; never the stack's */
	enum em_result r;
	gva_t la = 0;

	if (!vex && !em_simd_pfx(in) && (in->opcode & 0xef) == 0x6f)
		return em_mmx_mov(st);
	if (!em_sse_kind(in, &load, &aligned))
		return em_unsupported(st, "SIMD form not emulated");
	if (in->opcode == 0xe7 && in->modrm.mod == 3)
		return em_raise(st, EM_VEC_UD, false, 0);
	r = em_simd_check(st);
	if (r != EM_DONE)
		return r;
	if (in->modrm.mod != 3) {
		r = em_mem_operand(st, len, !load, &la);
		if (r != EM_DONE)
			return r;
		if (aligned && (la & (len - 1)))
			return em_raise(st, EM_VEC_GP, true, 0);
	}
	if (!load) {
		st->ctx->ops->read_vec(st->ctx, in->modrm.reg, buf, len);
		if (in->modrm.mod != 3)
			return em_write(st, la, buf, len);
		st->ctx->ops->write_vec(st->ctx, in->modrm.rm, buf, len, vex);
		return EM_DONE;
	}
	if (in->modrm.mod != 3) {
		r = em_read(st, la, buf, len);
		if (r != EM_DONE)
			return r;
	} else {
		st->ctx->ops->read_vec(st->ctx, in->modrm.rm, buf, len);
	}
	st->ctx->ops->write_vec(st->ctx, in->modrm.reg, buf, len, vex);
	return EM_DONE;
}

/* Read the 4/8-byte scalar r/m source of a MOVD/MOVQ load. */
static enum em_result em_scalar_src(struct em_state *st, unsigned sz, u64 *val)
{
	const struct insn *in = st->in;
	enum em_result r;
	gva_t la;

	*val = 0;
	if (in->modrm.mod == 3) {
		*val = em_gpr(st, in->modrm.rm) & em_size_mask(sz);
		return EM_DONE;
	}
	r = em_mem_operand(st, sz, false, &la);
	if (r == EM_DONE)
		r = em_read(st, la, val, sz);
	return r;
}

/* Write the low 8 bytes of an XMM register, zeroing bits 127:64. */
static void em_xmm_write_q(struct em_state *st, unsigned reg, u64 lo)
{
	u64 buf[2] = {lo, 0};

	st->ctx->ops->write_vec(st->ctx, reg, buf, 16, false);
}

static u64 em_xmm_read_q(struct em_state *st, unsigned reg)
{
	u64 buf[2];

	st->ctx->ops->read_vec(st->ctx, reg, buf, 16);
	return buf[0];
}

/*
 * 66 0F 6E: MOVD/MOVQ xmm, r/m32/64 (zero-extended into the XMM);
 * 66 0F 7E: MOVD/MOVQ r/m32/64, xmm; F3 0F 7E: MOVQ xmm, xmm/m64.
 * REX.W selects the 64-bit forms; without a prefix, the MMX forms.
 */
enum em_result em_movd(struct em_state *st)
{
	const struct insn *in = st->in;
	u8 pfx = em_simd_pfx(in);
	unsigned sz = in->rex.w ? 8 : 4;
	enum em_result r;
	u64 val;
	gva_t la;

	if (!pfx && !em_is_vex(in))
		return em_mmx_mov(st);
	if (!(pfx == 0x66 || (pfx == 0xf3 && in->opcode == 0x7e)))
		return em_unsupported(st, "SIMD form not emulated");
	r = em_simd_check(st);
	if (r != EM_DONE)
		return r;
	if (pfx == 0xf3) {
		if (in->modrm.mod == 3)
			val = em_xmm_read_q(st, in->modrm.rm);
		else if ((r = em_scalar_src(st, 8, &val)) != EM_DONE)
			return r;
		em_xmm_write_q(st, in->modrm.reg, val);
		return EM_DONE;
	}
	if (in->opcode == 0x6e) {
		r = em_scalar_src(st, sz, &val);
		if (r == EM_DONE)
			em_xmm_write_q(st, in->modrm.reg, val);
		return r;
	}
	val = em_xmm_read_q(st, in->modrm.reg) & em_size_mask(sz);
	if (in->modrm.mod == 3) {
		em_reg_write(st, in->modrm.rm, false, sz, val);
		return EM_DONE;
	}
	r = em_mem_operand(st, sz, true, &la);
	if (r == EM_DONE)
		r = em_write(st, la, &val, sz);
	return r;
}

/* 66 0F D6: MOVQ xmm/m64, xmm (a register destination's bits 127:64 are
 * zeroed). */
enum em_result em_movq(struct em_state *st)
{
	const struct insn *in = st->in;
	enum em_result r;
	u64 val;
	gva_t la;

	if (em_simd_pfx(in) != 0x66)
		return em_unsupported(st, "MOVQ2DQ/MOVDQ2Q not emulated");
	r = em_simd_check(st);
	if (r != EM_DONE)
		return r;
	val = em_xmm_read_q(st, in->modrm.reg);
	if (in->modrm.mod == 3) {
		em_xmm_write_q(st, in->modrm.rm, val);
		return EM_DONE;
	}
	r = em_mem_operand(st, 8, true, &la);
	if (r == EM_DONE)
		r = em_write(st, la, &val, 8);
	return r;
}
