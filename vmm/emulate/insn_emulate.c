/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction emulator core: looks the decoded form up in the dispatch
 * tables, fetches its operands (GPRs through a per-instruction cache,
 * memory through the ops with segmentation, canonical and alignment
 * checks), runs the em_<mnemonic> handler and commits the staged registers,
 * RFLAGS and RIP only when the instruction succeeds.
 */
#include "vmm/emulate/insn_emulate_internal.h"

/* GPR reg, read through the ops once per instruction. */
u64 em_gpr(struct em_state *st, unsigned reg)
{
	struct em_ctx *ctx = st->ctx;

	reg &= 15;
	if (!(ctx->gpr_valid & BIT(reg))) {
		ctx->gpr[reg] = ctx->ops->read_gpr(ctx, reg);
		ctx->gpr_valid |= BIT(reg);
	}
	return ctx->gpr[reg];
}

/* Stage a full 64-bit write of GPR reg (flushed by em_commit()). */
void em_set_gpr(struct em_state *st, unsigned reg, u64 val)
{
	struct em_ctx *ctx = st->ctx;

	reg &= 15;
	ctx->gpr[reg] = val;
	ctx->gpr_valid |= BIT(reg);
	ctx->gpr_dirty |= BIT(reg);
}

/* Read a size-byte register operand (high: AH/CH/DH/BH of GPR reg). */
u64 em_reg_read(struct em_state *st, unsigned reg, bool high, unsigned size)
{
	u64 v = em_gpr(st, reg);

	if (high)
		return (v >> 8) & 0xff;
	return v & em_size_mask(size);
}

/*
 * Write a size-byte register operand: 8/16-bit writes merge into the
 * register, 32-bit writes zero-extend to 64 bits (SDM Vol. 1 3.4.1.1).
 */
void em_reg_write(struct em_state *st, unsigned reg, bool high, unsigned size,
		  u64 val)
{
	u64 old = em_gpr(st, reg);

	if (high)
		val = (old & ~0xff00ULL) | ((val & 0xff) << 8);
	else if (size < 4)
		val = (old & ~em_size_mask(size)) | (val & em_size_mask(size));
	else if (size == 4)
		val &= 0xffffffffULL;
	em_set_gpr(st, reg, val);
}

/* Report exception vector (error code ec if has_ec) to the caller. */
enum em_result em_raise(struct em_state *st, u8 vector, bool has_ec, u32 ec)
{
	st->ctx->exc = (struct em_exception){
	    .vector = vector,
	    .has_error_code = has_ec,
	    .error_code = ec,
	};
	return EM_EXCEPTION;
}

/* Give up on a form the emulator does not execute; why names the reason. */
enum em_result em_unsupported(struct em_state *st, const char *why)
{
	st->why = why;
	return EM_UNSUPPORTED;
}

/*
 * Effective address of the ModRM/moffs memory operand: base + index *
 * scale + disp (RIP-relative: next RIP + disp), wrapped to the address
 * size (SDM Vol. 1 3.7.5, Vol. 2 Table 2-7).
 */
enum em_result em_ea(struct em_state *st, u64 *ea)
{
	const struct insn_mem *m = &st->in->mem;
	u64 a = (u64)m->disp;

	if (m->rip_relative) {
		a += st->ctx->rip + st->in->len;
	} else {
		if (m->base != INSN_REG_NONE)
			a += em_gpr(st, m->base);
		if (m->index != INSN_REG_NONE)
			a += em_gpr(st, m->index) * m->scale;
	}
	*ea = a & em_addr_mask(st->asize);
	return EM_DONE;
}

/* How segmentation applies: 64-bit, protected (or compatibility), or real
 * and virtual-8086 mode. */
enum gwalk_seg_mode em_seg_mode(const struct em_state *st)
{
	const struct em_ctx *ctx = st->ctx;

	if (st->in->mode == INSN_MODE_64)
		return GWALK_SEG_LONG;
	if ((ctx->cr0 & GWALK_CR0_PE) && !(ctx->rflags & EM_VM))
		return GWALK_SEG_PROT;
	return GWALK_SEG_REAL;
}

/*
 * Linear address of a size-byte access at offset ea of segment seg, a
 * write (or read-modify-write) if write, with the checks of the segment
 * cache (struct em_ctx.seg); false with *f set to the fault otherwise.
 */
static bool em_seg_check(const struct em_state *st, u8 seg, u64 ea,
			 unsigned size, bool write, gva_t *la,
			 struct gwalk_fault *f)
{
	const struct em_ctx *ctx = st->ctx;

	if (seg > INSN_SEG_GS)
		seg = INSN_SEG_DS;
	return gwalk_seg_linear(em_seg_mode(st), ctx->cr4 & GWALK_CR4_LA57, seg,
				&ctx->seg[seg], ea, size,
				write ? GWALK_ACC_WRITE : 0, la, f) == 0;
}

/* em_seg_check, raising the fault. */
enum em_result em_linear(struct em_state *st, u8 seg, u64 ea, unsigned size,
			 bool write, gva_t *la)
{
	struct gwalk_fault f;

	if (!em_seg_check(st, seg, ea, size, write, la, &f))
		return em_raise(st, f.vector, true, f.error_code);
	return EM_DONE;
}

/* Whether the size bytes at offset ea of seg pass the segment checks. */
bool em_seg_allows(const struct em_state *st, u8 seg, u64 ea, unsigned size,
		   bool write)
{
	struct gwalk_fault f;
	gva_t la;

	return em_seg_check(st, seg, ea, size, write, &la, &f);
}

/* Alignment check (#AC(0), SDM Vol. 3A 6.15 "Interrupt 17"). */
bool em_ac_fault(const struct em_state *st, gva_t la, unsigned size)
{
	return st->ctx->align_check && (st->flags & EM_AC) && size > 1 &&
	       size <= 8 && (la & (size - 1));
}

enum em_result em_mem_result_of(enum em_mem_result r)
{
	if (r == EM_MEM_OK)
		return EM_DONE;
	return r == EM_MEM_RETRY ? EM_RETRY : EM_EXCEPTION;
}

/* Read size bytes at linear address la. */
enum em_result em_read(struct em_state *st, gva_t la, void *buf, unsigned size)
{
	if (em_ac_fault(st, la, size))
		return em_raise(st, EM_VEC_AC, true, 0);
	return em_mem_result_of(st->ctx->ops->read_mem(st->ctx, la, buf, size));
}

/* Write size bytes to linear address la. */
enum em_result em_write(struct em_state *st, gva_t la, const void *buf,
			unsigned size)
{
	if (em_ac_fault(st, la, size))
		return em_raise(st, EM_VEC_AC, true, 0);
	return em_mem_result_of(
	    st->ctx->ops->write_mem(st->ctx, la, buf, size));
}

/* Atomic compare-exchange of size bytes at la (see struct em_ops). */
enum em_result em_cmpxchg(struct em_state *st, gva_t la, void *old,
			  const void *new_val, unsigned size, bool *swapped)
{
	if (!st->ctx->ops->cmpxchg_mem)
		return em_unsupported(st, "no cmpxchg_mem callback");
	if (em_ac_fault(st, la, size))
		return em_raise(st, EM_VEC_AC, true, 0);
	return em_mem_result_of(st->ctx->ops->cmpxchg_mem(
	    st->ctx, la, old, new_val, size, swapped));
}

/* Linear address of the instruction's memory operand, size bytes wide,
 * written (or read and written) if write. */
enum em_result em_mem_operand(struct em_state *st, unsigned size, bool write,
			      gva_t *la)
{
	u64 ea;

	em_ea(st, &ea);
	return em_linear(st, st->in->mem.seg, ea, size, write, la);
}

/* Describe the register or memory operand at loc of size bytes. */
static enum em_result em_locate(struct em_state *st, struct em_operand *op,
				u8 loc, unsigned size, bool write)
{
	const struct insn *in = st->in;
	unsigned reg = 0;

	op->loc = loc;
	op->size = size;
	if (loc == EM_LOC_MOFFS || (loc == EM_LOC_RM && in->modrm.mod != 3)) {
		op->mem = true;
		return em_mem_operand(st, size, write, &op->la);
	}
	if (loc == EM_LOC_RM)
		reg = in->modrm.rm;
	else if (loc == EM_LOC_REG)
		reg = in->modrm.reg;
	op->high = size == 1 && insn_reg8_is_high(in, reg);
	op->reg = op->high ? reg - 4 : reg;
	return EM_DONE;
}

/* Fetch the current value of a located operand. */
static enum em_result em_load(struct em_state *st, struct em_operand *op)
{
	enum em_result r;

	if (!op->mem) {
		op->val = em_reg_read(st, op->reg, op->high, op->size);
		return EM_DONE;
	}
	op->val = 0;
	r = em_read(st, op->la, &op->val, op->size);
	op->orig = op->val;
	return r;
}

/*
 * Write st->dst.val back to the destination. A LOCKed destination goes
 * through cmpxchg against the value read; if memory changed meanwhile the
 * instruction is retried from scratch (nothing was committed).
 */
enum em_result em_store_dst(struct em_state *st)
{
	struct em_operand *d = &st->dst;
	enum em_result r;
	bool swapped = true;
	u64 old = d->orig;

	if (!d->mem) {
		em_reg_write(st, d->reg, d->high, d->size, d->val);
		return EM_DONE;
	}
	if (!st->lock)
		return em_write(st, d->la, &d->val, d->size);
	r = em_cmpxchg(st, d->la, &old, &d->val, d->size, &swapped);
	if (r == EM_DONE && !swapped)
		return EM_RETRY;
	return r;
}

/* Source operand size: the form's fixed source width or the operand size. */
static unsigned em_src_size(const struct em_state *st)
{
	unsigned f = st->d->flags, s = st->osize;

	if (f & EM_F_SRC8)
		return 1;
	if (f & EM_F_SRC16)
		return MIN(2U, s);
	if (f & EM_F_SRC32)
		return MIN(4U, s);
	return s;
}

/* Generic operand fetch for the non-RAW forms. */
static enum em_result em_fetch(struct em_state *st)
{
	const struct em_desc *d = st->d;
	struct em_operand *src = &st->src;
	enum em_result r;

	if (d->dst != EM_LOC_NONE) {
		r = em_locate(st, &st->dst, d->dst, st->osize,
			      !(d->flags & EM_F_NOWB));
		if (r != EM_DONE)
			return r;
	}
	switch (d->src) {
	case EM_LOC_IMM:
		src->val = st->in->imm[0] & em_size_mask(em_src_size(st));
		break;
	case EM_LOC_ONE:
		src->val = 1;
		break;
	case EM_LOC_CL:
		src->val = em_gpr(st, 1) & 0xff;
		break;
	case EM_LOC_NONE:
		break;
	default:
		r = em_locate(st, src, d->src, em_src_size(st), false);
		if (r == EM_DONE)
			r = em_load(st, src);
		if (r != EM_DONE)
			return r;
	}
	if (d->dst != EM_LOC_NONE && (d->flags & EM_F_RDST))
		return em_load(st, &st->dst);
	return EM_DONE;
}

/*
 * MOV between memory and a GPR or an immediate (88-8B, C6/C7 /0 with a
 * memory operand), the usual form of MMIO: the steps of the generic path
 * (address, access, register write) without its operand descriptors.
 */
static enum em_result em_mov_mem(struct em_state *st)
{
	const struct insn *in = st->in;
	unsigned size = st->osize, reg = in->modrm.reg;
	bool high = size == 1 && insn_reg8_is_high(in, reg);
	enum em_result r;
	u64 val = 0;
	gva_t la;

	if (high)
		reg -= 4;
	r = em_mem_operand(st, size, (in->opcode & 0xfe) != 0x8a, &la);
	if (r != EM_DONE)
		return r;
	if ((in->opcode & 0xfe) == 0x8a) {
		r = em_read(st, la, &val, size);
		if (r == EM_DONE)
			em_reg_write(st, reg, high, size, val);
		return r;
	}
	if (in->opcode >= 0xc6)
		val = in->imm[0] & em_size_mask(size);
	else
		val = em_reg_read(st, reg, high, size);
	return em_write(st, la, &val, size);
}

/* Operand size of a GPR form (SDM Vol. 1 3.6.1, Table 3-4). */
static u8 em_osize(const struct insn *in, const struct em_desc *d)
{
	bool osz = in->pfx.flags & INSN_PFX_OSZ;

	if (d->flags & EM_F_BYTE)
		return 1;
	if (in->mode == INSN_MODE_64) {
		if (in->rex.w)
			return 8;
		if (d->flags & EM_F_D64)
			return osz ? 2 : 8;
		return osz ? 2 : 4;
	}
	if (in->mode == INSN_MODE_16)
		return osz ? 4 : 2;
	return osz ? 2 : 4;
}

/* Address size (SDM Vol. 1 3.6.1). */
static u8 em_asize(const struct insn *in)
{
	bool asz = in->pfx.flags & INSN_PFX_ASZ;

	if (in->mode == INSN_MODE_64)
		return asz ? 4 : 8;
	if (in->mode == INSN_MODE_32)
		return asz ? 2 : 4;
	return asz ? 4 : 2;
}

/*
 * Flush the staged GPRs and RFLAGS; advance RIP when the instruction is
 * complete (wrapping at the code segment's size outside 64-bit mode).
 */
void em_commit(struct em_state *st, bool advance)
{
	struct em_ctx *ctx = st->ctx;
	u16 dirty = ctx->gpr_dirty;

	while (dirty) {
		unsigned r = (unsigned)__builtin_ctz(dirty);

		ctx->ops->write_gpr(ctx, r, ctx->gpr[r]);
		dirty &= (u16)(dirty - 1);
	}
	ctx->gpr_dirty = 0;
	ctx->rflags = st->flags;
	if (advance && st->jumped) {
		ctx->rip = st->new_rip;
	} else if (advance) {
		u64 rip = ctx->rip + st->in->len;

		if (st->in->mode != INSN_MODE_64)
			rip &= st->in->mode == INSN_MODE_32 ? 0xffffffffULL
							    : 0xffffULL;
		ctx->rip = rip;
	}
}

/*
 * Execute *in. See vmm/emulate/insn_emulate.h for the contract. The LOCK rule
 * (SDM Vol. 2 "LOCK"): only the listed read-modify-write forms with a
 * memory destination may carry it, anything else is #UD.
 */
enum em_result insn_emulate(struct em_ctx *ctx, const struct insn *in)
{
	struct em_state st = {
	    .ctx = ctx,
	    .in = in,
	    .flags = ctx->rflags,
	};
	const struct em_desc *d = em_lookup(in);
	enum em_result r;
	bool mem;

	ctx->insn = in;
	ctx->gpr_valid = 0;
	ctx->gpr_dirty = 0;
	ctx->why = NULL;
	ctx->mov_ss = false;
	if (!d || !d->fn) {
		ctx->why = "opcode not emulated";
		return EM_UNSUPPORTED;
	}
	st.d = d;
	st.osize = em_osize(in, d);
	st.asize = em_asize(in);
	st.lock = in->pfx.flags & INSN_PFX_LOCK;
	mem = (in->modrm.present && in->modrm.mod != 3) ||
	      d->dst == EM_LOC_MOFFS || d->src == EM_LOC_MOFFS;
	if (st.lock && (!(d->flags & EM_F_LOCK) || !mem))
		return em_raise(&st, EM_VEC_UD, false, 0);
	if ((d->flags & EM_F_MEMONLY) && !mem)
		r = em_raise(&st, EM_VEC_UD, false, 0);
	else if (d->fn == EM_FN_MOV && in->modrm.present && mem)
		r = em_mov_mem(&st);
	else if (d->flags & EM_F_RAW)
		r = em_handlers[d->fn](&st);
	else if ((r = em_fetch(&st)) == EM_DONE)
		r = em_handlers[d->fn](&st);
	if (r == EM_DONE)
		em_commit(&st, true);
	else if (r == EM_CONTINUE)
		em_commit(&st, false);
	else if (r == EM_EXCEPTION && ctx->ops->inject)
		ctx->ops->inject(ctx, &ctx->exc);
	ctx->why = st.why;
	return r;
}

/* Append string s to buf[n] at *pos (NUL kept in bounds). */
static void em_puts(char *buf, size_t n, size_t *pos, const char *s)
{
	while (*s && *pos + 1 < n)
		buf[(*pos)++] = *s++;
	if (n)
		buf[*pos < n ? *pos : n - 1] = 0;
}

/* Diagnostic of the last instruction: reason and decoded form. */
size_t insn_emulate_describe(const struct em_ctx *ctx, char *buf, size_t n)
{
	size_t pos = 0;

	em_puts(buf, n, &pos, ctx->why ? ctx->why : "emulated");
	if (!ctx->insn)
		return pos;
	em_puts(buf, n, &pos, ": ");
	if (pos + 1 < n)
		pos += insn_format(ctx->insn, buf + pos, n - pos);
	return pos;
}

/* Name of an em_result for logs. */
const char *em_result_name(enum em_result r)
{
	static const char *const names[] = {
	    [EM_DONE] = "done",
	    [EM_CONTINUE] = "continue",
	    [EM_RETRY] = "retry",
	    [EM_EXCEPTION] = "exception",
	    [EM_UNSUPPORTED] = "unsupported",
	};

	return (unsigned)r < ARRAY_SIZE(names) ? names[r] : "?";
}
