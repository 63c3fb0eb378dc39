/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator stack and near-branch forms: PUSH/POP r/m, PUSH r/imm,
 * POP r, CALL/JMP near (relative and through r/m), RET, ENTER (nesting
 * level 0) and LEAVE, with the stack at the stack-address size (SS.B
 * outside 64-bit mode, SDM Vol. 1 6.2.3) and every stack slot checked
 * against SS. A push is the instruction's one memory write, its last step.
 */
#include "vmm/emulate/insn_emulate_internal.h"

unsigned em_stack_size(const struct em_state *st)
{
	if (st->in->mode == INSN_MODE_64)
		return 8;
	return (st->ctx->seg[INSN_SEG_SS].ar & GWALK_AR_DB) ? 4 : 2;
}

u64 em_rsp_add(const struct em_state *st, u64 rsp, u64 delta)
{
	u64 m = em_size_mask(em_stack_size(st));

	return (rsp & ~m) | ((rsp + delta) & m);
}

enum em_result em_stack_push(struct em_state *st, u64 *rsp, const void *buf,
			     unsigned size)
{
	u64 sp = em_rsp_add(st, *rsp, -(u64)size);
	enum em_result r;
	gva_t la;

	r = em_linear(st, INSN_SEG_SS, sp & em_size_mask(em_stack_size(st)),
		      size, true, &la);
	if (r == EM_DONE)
		r = em_write(st, la, buf, size);
	if (r == EM_DONE)
		*rsp = sp;
	return r;
}

enum em_result em_stack_read(struct em_state *st, u64 rsp, void *buf,
			     unsigned size)
{
	enum em_result r;
	gva_t la;

	r = em_linear(st, INSN_SEG_SS, rsp & em_size_mask(em_stack_size(st)),
		      size, false, &la);
	if (r == EM_DONE)
		r = em_read(st, la, buf, size);
	return r;
}

/*
 * A near branch target: canonical in 64-bit mode, within the CS limit
 * elsewhere, else #GP(0) before anything changes (SDM Vol. 2A "CALL",
 * "JMP", Vol. 2B "RET").
 */
enum em_result em_branch_check(struct em_state *st, u64 target)
{
	const struct gwalk_seg *cs = &st->ctx->seg[INSN_SEG_CS];
	unsigned bits = (st->ctx->cr4 & GWALK_CR4_LA57) ? 57 : 48;

	if (st->in->mode == INSN_MODE_64 ? !gwalk_is_canonical(target, bits)
					 : target > cs->limit)
		return em_raise(st, EM_VEC_GP, true, 0);
	st->jumped = true;
	st->new_rip = target;
	return EM_DONE;
}

/*
 * Operand size of a near CALL, JMP or RET: 64 bits in 64-bit mode, where
 * Intel CPUs ignore a 66 prefix (SDM Vol. 2A "CALL": "the operand size is
 * forced to 64 bits"), else the form's size.
 */
static unsigned em_near_size(const struct em_state *st)
{
	return st->in->mode == INSN_MODE_64 ? 8 : st->osize;
}

/* Read the r/m source of PUSH r/m, CALL/JMP r/m: a GPR or memory. */
static enum em_result em_rm_src(struct em_state *st, unsigned sz, u64 *val)
{
	enum em_result r;
	gva_t la;

	*val = 0;
	if (st->in->modrm.mod == 3) {
		*val = em_gpr(st, st->in->modrm.rm) & em_size_mask(sz);
		return EM_DONE;
	}
	r = em_mem_operand(st, sz, false, &la);
	if (r == EM_DONE)
		r = em_read(st, la, val, sz);
	return r;
}

/*
 * FF /6: PUSH r/m. The source address uses RSP before the decrement
 * (SDM Vol. 2B "PUSH").
 */
enum em_result em_push(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 val, rsp = em_gpr(st, 4);
	enum em_result r = em_rm_src(st, sz, &val);

	if (r == EM_DONE)
		r = em_stack_push(st, &rsp, &val, sz);
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

	r = em_stack_read(st, rsp, &val, sz);
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

/*
 * 50+r: PUSH r (PUSH RSP pushes the value before the push); 68: PUSH
 * imm16/32 and 6A: PUSH imm8, sign-extended to the operand size.
 */
enum em_result em_push_op(struct em_state *st)
{
	const struct insn *in = st->in;
	unsigned sz = st->osize;
	u64 val, rsp = em_gpr(st, 4);
	enum em_result r;

	if (in->opcode >= 0x68)
		val = in->imm[0] & em_size_mask(sz);
	else
		val = em_gpr(st, (in->opcode & 7) | (in->rex.b << 3)) &
		      em_size_mask(sz);
	r = em_stack_push(st, &rsp, &val, sz);
	if (r == EM_DONE)
		em_set_gpr(st, 4, rsp);
	return r;
}

/* 58+r: POP r. POP RSP (SP, ESP) ends with the popped value. */
enum em_result em_pop_reg(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 val = 0, rsp = em_gpr(st, 4);
	enum em_result r = em_stack_read(st, rsp, &val, sz);

	if (r != EM_DONE)
		return r;
	em_set_gpr(st, 4, em_rsp_add(st, rsp, sz));
	em_reg_write(st, (st->in->opcode & 7) | (st->in->rex.b << 3), false, sz,
		     val);
	return EM_DONE;
}

/*
 * E8: CALL rel16/32; FF /2: CALL r/m. The target is checked before the
 * return address is pushed (SDM Vol. 2A "CALL", near call).
 */
enum em_result em_call(struct em_state *st)
{
	const struct insn *in = st->in;
	unsigned sz = em_near_size(st);
	u64 next = st->ctx->rip + in->len, target, rsp = em_gpr(st, 4);
	enum em_result r = EM_DONE;

	if (in->opcode == 0xe8)
		target = next + in->imm[0];
	else
		r = em_rm_src(st, sz, &target);
	if (r == EM_DONE)
		r = em_branch_check(st, target & em_size_mask(sz));
	next &= em_size_mask(sz);
	if (r == EM_DONE)
		r = em_stack_push(st, &rsp, &next, sz);
	if (r == EM_DONE)
		em_set_gpr(st, 4, rsp);
	return r;
}

/* FF /4: JMP r/m (near, absolute). */
enum em_result em_jmp_ind(struct em_state *st)
{
	unsigned sz = em_near_size(st);
	u64 target;
	enum em_result r = em_rm_src(st, sz, &target);

	if (r == EM_DONE)
		r = em_branch_check(st, target);
	return r;
}

/* C3: RET; C2 iw: RET imm16, which releases imm16 more bytes of stack. */
enum em_result em_ret(struct em_state *st)
{
	unsigned sz = em_near_size(st);
	u64 target = 0, rsp = em_gpr(st, 4);
	enum em_result r = em_stack_read(st, rsp, &target, sz);

	if (r == EM_DONE)
		r = em_branch_check(st, target);
	if (r != EM_DONE)
		return r;
	rsp = em_rsp_add(st, rsp, sz);
	if (st->in->opcode == 0xc2)
		rsp = em_rsp_add(st, rsp, st->in->imm[0] & 0xffff);
	em_set_gpr(st, 4, rsp);
	return EM_DONE;
}

/*
 * C8 iw ib: ENTER with nesting level 0 (SDM Vol. 2A "ENTER"): push rBP,
 * rBP = that stack pointer at the operand size, then rSP -= imm16 at the
 * stack-address size. The final stack pointer gets the segment checks of
 * a write of the operand size (#SS(0)), as Bochs and the SDM's exception
 * list have it; its page is not touched. Nesting levels above 0 copy frame
 * pointers from the old frame: not emulated.
 */
enum em_result em_enter(struct em_state *st)
{
	const struct insn *in = st->in;
	unsigned sz = st->osize;
	u64 rbp = em_gpr(st, 5) & em_size_mask(sz), rsp = em_gpr(st, 4);
	u64 frame = em_rsp_add(st, rsp, -(u64)sz), end;
	enum em_result r;
	gva_t la;

	if (in->imm[1] & 0x1f)
		return em_unsupported(st, "ENTER with a nesting level");
	end = em_rsp_add(st, frame, -(in->imm[0] & 0xffff));
	r = em_linear(st, INSN_SEG_SS, end & em_size_mask(em_stack_size(st)),
		      sz, true, &la);
	if (r == EM_DONE)
		r = em_stack_push(st, &rsp, &rbp, sz);
	if (r != EM_DONE)
		return r;
	em_reg_write(st, 5, false, sz, frame);
	em_set_gpr(st, 4, end);
	return EM_DONE;
}

/*
 * C9: LEAVE: rSP = rBP at the stack-address size, then POP rBP at the
 * operand size (SDM Vol. 2A "LEAVE").
 */
enum em_result em_leave(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 val = 0, rsp = em_gpr(st, 4);
	u64 m = em_size_mask(em_stack_size(st));
	enum em_result r;

	rsp = (rsp & ~m) | (em_gpr(st, 5) & m);
	r = em_stack_read(st, rsp, &val, sz);
	if (r != EM_DONE)
		return r;
	em_set_gpr(st, 4, em_rsp_add(st, rsp, sz));
	em_reg_write(st, 5, false, sz, val);
	return EM_DONE;
}
