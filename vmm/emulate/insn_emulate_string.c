/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator string instructions: MOVS, STOS, LODS, CMPS, SCAS with
 * REP/REPE/REPNE. RSI/RDI/RCX are used at the address size and wrap there;
 * DF selects the direction. A REP instruction runs at most ctx->rep_budget
 * iterations per call and returns EM_CONTINUE (RIP not advanced) to be
 * called again; each completed iteration is committed, so a fault in
 * iteration k leaves the registers as of iteration k - 1 (SDM Vol. 2B
 * "REP/REPE/REPZ/REPNE/REPNZ", Vol. 1 7.3.9).
 */
#include "vmm/emulate/insn_emulate_internal.h"

typedef enum em_result (*em_step_t)(struct em_state *st);

/* Advance RSI (6) or RDI (7) by one element, wrapping at the address size. */
static void em_str_advance(struct em_state *st, unsigned reg)
{
	u64 step = (st->flags & EM_DF) ? -(u64)st->osize : st->osize;

	em_reg_write(st, reg, false, st->asize, em_gpr(st, reg) + step);
}

/* Linear address of the element at [seg:reg], stored to if write. */
static enum em_result em_str_addr(struct em_state *st, u8 seg, unsigned reg,
				  bool write, gva_t *la)
{
	u64 ea = em_gpr(st, reg) & em_addr_mask(st->asize);

	return em_linear(st, seg, ea, st->osize, write, la);
}

/* Source segment: DS unless overridden (SDM Vol. 2B "MOVS"). */
static u8 em_str_src_seg(const struct em_state *st)
{
	u8 seg = st->in->pfx.seg;

	return seg <= INSN_SEG_GS ? seg : INSN_SEG_DS;
}

/* Read one element at [seg:reg] into *val. */
static enum em_result em_str_read(struct em_state *st, u8 seg, unsigned reg,
				  u64 *val)
{
	gva_t la;
	enum em_result r = em_str_addr(st, seg, reg, false, &la);

	*val = 0;
	if (r == EM_DONE)
		r = em_read(st, la, val, st->osize);
	return r;
}

static enum em_result em_movs_step(struct em_state *st)
{
	u64 val;
	gva_t la;
	enum em_result r = em_str_read(st, em_str_src_seg(st), 6, &val);

	if (r == EM_DONE)
		r = em_str_addr(st, INSN_SEG_ES, 7, true, &la);
	if (r == EM_DONE)
		r = em_write(st, la, &val, st->osize);
	if (r != EM_DONE)
		return r;
	em_str_advance(st, 6);
	em_str_advance(st, 7);
	return EM_DONE;
}

static enum em_result em_stos_step(struct em_state *st)
{
	u64 val = em_gpr(st, 0);
	gva_t la;
	enum em_result r = em_str_addr(st, INSN_SEG_ES, 7, true, &la);

	if (r == EM_DONE)
		r = em_write(st, la, &val, st->osize);
	if (r == EM_DONE)
		em_str_advance(st, 7);
	return r;
}

static enum em_result em_lods_step(struct em_state *st)
{
	u64 val;
	enum em_result r = em_str_read(st, em_str_src_seg(st), 6, &val);

	if (r != EM_DONE)
		return r;
	em_reg_write(st, 0, false, st->osize, val);
	em_str_advance(st, 6);
	return EM_DONE;
}

static enum em_result em_cmps_step(struct em_state *st)
{
	u64 a, b, res;
	enum em_result r = em_str_read(st, em_str_src_seg(st), 6, &a);

	if (r == EM_DONE)
		r = em_str_read(st, INSN_SEG_ES, 7, &b);
	if (r != EM_DONE)
		return r;
	st->flags =
	    (st->flags & ~EM_ARITH) | em_flags_sub(a, b, 0, st->osize, &res);
	em_str_advance(st, 6);
	em_str_advance(st, 7);
	return EM_DONE;
}

static enum em_result em_scas_step(struct em_state *st)
{
	u64 b, res;
	enum em_result r = em_str_read(st, INSN_SEG_ES, 7, &b);

	if (r != EM_DONE)
		return r;
	st->flags = (st->flags & ~EM_ARITH) |
		    em_flags_sub(em_gpr(st, 0), b, 0, st->osize, &res);
	em_str_advance(st, 7);
	return EM_DONE;
}

/*
 * A REP string instruction found with rCX = 0 at the address size runs no
 * iteration, yet Intel CPUs still write back rCX, and rSI and rDI for MOVS
 * or rDI for STOS, at the address size: under a 67 prefix in 64-bit mode
 * that clears bits 63:32 of those registers (the SDM does not say; this is
 * what Intel hardware does, see docs/emulation.md).
 */
static void em_rep_none(struct em_state *st)
{
	u8 fn = st->d->fn;

	em_reg_write(st, 1, false, st->asize, 0);
	if (fn == EM_FN_MOVS)
		em_reg_write(st, 6, false, st->asize, em_gpr(st, 6));
	if (fn == EM_FN_MOVS || fn == EM_FN_STOS)
		em_reg_write(st, 7, false, st->asize, em_gpr(st, 7));
}

/*
 * Run step once, or under a REP prefix while rCX != 0 (and, for CMPS/SCAS
 * (cmp), while ZF matches REPE/REPNE), at most the budget per call.
 * MOVS/STOS/LODS treat F2 like F3.
 */
static enum em_result em_string(struct em_state *st, em_step_t step, bool cmp)
{
	u8 pfx = st->in->pfx.flags;
	u32 budget =
	    st->ctx->rep_budget ? st->ctx->rep_budget : EM_REP_BUDGET_DEFAULT;
	u64 amask = em_addr_mask(st->asize);
	u32 done = 0;

	if (!(pfx & (INSN_PFX_REP | INSN_PFX_REPNE)))
		return step(st);
	for (;;) {
		u64 rcx = em_gpr(st, 1) & amask;
		enum em_result r;

		if (!rcx) {
			if (!done)
				em_rep_none(st);
			return EM_DONE;
		}
		if (done == budget)
			return EM_CONTINUE;
		r = step(st);
		if (r != EM_DONE) {
			/* A fault in REPE/REPNE CMPS or SCAS restores EFLAGS to
			 * their value before the instruction (SDM Vol. 2B
			 * "REP/REPE/REPZ/REPNE/REPNZ"); the registers keep the
			 * completed iterations. */
			if (cmp)
				st->flags = st->ctx->rflags;
			if (done)
				em_commit(st, false);
			return r;
		}
		done++;
		em_reg_write(st, 1, false, st->asize, rcx - 1);
		if (cmp && ((pfx & INSN_PFX_REPNE) ? (st->flags & EM_ZF) != 0
						   : (st->flags & EM_ZF) == 0))
			return EM_DONE;
	}
}

/* Whole elements from la to the end of its page in the direction of DF
 * (0 when the first element crosses the page boundary). */
static u64 em_page_room(const struct em_state *st, gva_t la)
{
	u64 off = la & 0xfff, sz = st->osize;

	if (st->flags & EM_DF)
		return off + sz <= 0x1000 ? off / sz + 1 : 0;
	return (0x1000 - off) / sz;
}

/* Whole elements from offset ea in the direction of DF before the
 * offset wraps at the address size. */
static u64 em_wrap_room(const struct em_state *st, u64 ea)
{
	u64 above = em_addr_mask(st->asize) - ea, sz = st->osize;

	if (st->flags & EM_DF)
		return ea / sz + 1;
	return above >= 0x1000 ? 0x1000 : (above + 1) / sz;
}

/* Whether the segment checks allow all n elements from offset ea on, in
 * the direction of DF (n is within em_wrap_room, so the run does not wrap). */
static bool em_run_allowed(const struct em_state *st, u8 seg, u64 ea, u64 n,
			   bool write)
{
	u64 bytes = n * st->osize, lo;

	/* 64-bit mode checks only canonicality, which the first element's
	 * check settles for its whole page. */
	if (st->in->mode == INSN_MODE_64)
		return true;
	lo = (st->flags & EM_DF) ? ea + st->osize - bytes : ea;
	return em_seg_allows(st, seg, lo, (unsigned)bytes, write);
}

/*
 * REP MOVS/STOS with ops->rep_run: each call moves the run of elements
 * that stays within one page of the source and of the destination (and
 * within the address size), so the paging checks of its first element hold
 * for all of it, and whose every element passes the segment checks;
 * anything else (a page-crossing element, a run reaching a segment limit,
 * alignment checks) takes one ordinary step. Registers advance as after
 * that many iterations.
 */
static enum em_result em_string_runs(struct em_state *st, bool movs)
{
	const struct em_ctx *ctx = st->ctx;
	u32 budget =
	    ctx->rep_budget ? ctx->rep_budget : EM_REP_RUN_BUDGET_DEFAULT;
	u64 amask = em_addr_mask(st->asize), sz = st->osize;
	bool down = st->flags & EM_DF;
	u32 done = 0;

	for (;;) {
		u64 rcx = em_gpr(st, 1) & amask, si = em_gpr(st, 6) & amask;
		u64 di = em_gpr(st, 7) & amask, n;
		gva_t src = 0, dst;
		enum em_result r = EM_DONE;

		if (!rcx) {
			if (!done)
				em_rep_none(st);
			return EM_DONE;
		}
		if (done == budget)
			return EM_CONTINUE;
		n = MIN(rcx, (u64)(budget - done));
		if (movs) {
			r = em_linear(st, em_str_src_seg(st), si, sz, false,
				      &src);
			n = MIN(n, MIN(em_page_room(st, src),
				       em_wrap_room(st, si)));
		}
		if (r == EM_DONE)
			r = em_linear(st, INSN_SEG_ES, di, sz, true, &dst);
		if (r == EM_DONE)
			n = MIN(n, MIN(em_page_room(st, dst),
				       em_wrap_room(st, di)));
		if (r != EM_DONE || n < 2 ||
		    !em_run_allowed(st, INSN_SEG_ES, di, n, true) ||
		    (movs &&
		     !em_run_allowed(st, em_str_src_seg(st), si, n, false)) ||
		    em_ac_fault(st, dst, sz) ||
		    (movs && em_ac_fault(st, src, sz))) {
			n = 1;
			r = movs ? em_movs_step(st) : em_stos_step(st);
		} else {
			r = em_mem_result_of(ctx->ops->rep_run(
			    st->ctx, dst, src, em_gpr(st, 0), (unsigned)sz,
			    (u32)n, down, movs));
			if (r == EM_DONE) {
				u64 step = down ? -(n * sz) : n * sz;

				if (movs)
					em_reg_write(st, 6, false, st->asize,
						     si + step);
				em_reg_write(st, 7, false, st->asize,
					     di + step);
			}
		}
		if (r != EM_DONE) {
			if (done)
				em_commit(st, false);
			return r;
		}
		done += (u32)n;
		em_reg_write(st, 1, false, st->asize, rcx - n);
	}
}

/* A4/A5: MOVS m, m. */
enum em_result em_movs(struct em_state *st)
{
	if (st->ctx->ops->rep_run &&
	    (st->in->pfx.flags & (INSN_PFX_REP | INSN_PFX_REPNE)))
		return em_string_runs(st, true);
	return em_string(st, em_movs_step, false);
}

/* AA/AB: STOS m, rAX. */
enum em_result em_stos(struct em_state *st)
{
	if (st->ctx->ops->rep_run &&
	    (st->in->pfx.flags & (INSN_PFX_REP | INSN_PFX_REPNE)))
		return em_string_runs(st, false);
	return em_string(st, em_stos_step, false);
}

/* AC/AD: LODS rAX, m. */
enum em_result em_lods(struct em_state *st)
{
	return em_string(st, em_lods_step, false);
}

/* A6/A7: CMPS m, m (flags of [rSI] - [rDI]). */
enum em_result em_cmps(struct em_state *st)
{
	return em_string(st, em_cmps_step, true);
}

/* AE/AF: SCAS rAX, m (flags of rAX - [rDI]). */
enum em_result em_scas(struct em_state *st)
{
	return em_string(st, em_scas_step, true);
}
