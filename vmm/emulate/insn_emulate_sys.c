/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator system forms: SMSW/LMSW, SGDT/SIDT/SLDT/STR, LGDT/LIDT/
 * LLDT/LTR, MOV to and from segment registers and far JMP/CALL through
 * memory to a code segment, with the privilege, UMIP and descriptor checks
 * of SDM Vol. 2 and Vol. 3A 5.5-5.8. Descriptors are read from the GDT or
 * LDT with implicit supervisor accesses (struct em_ops.read_sys); system
 * registers are reached through the ops' optional system callbacks.
 */
#include "vmm/emulate/insn_emulate_internal.h"

#define EM_CR4_UMIP BIT(11)
#define EM_EFER_LMA BIT(10)

/* Descriptor fields (SDM Vol. 3A 3.4.5, Figure 3-8). */
#define DESC_TYPE(d)  ((unsigned)((d) >> 40) & 0xf)
#define DESC_S	      BIT(44)
#define DESC_DPL(d)   ((unsigned)((d) >> 45) & 3)
#define DESC_P	      BIT(47)
#define DESC_L	      BIT(53)
#define DESC_DB	      BIT(54)
#define DESC_A	      BIT(40)
#define DESC_CODE     8 /* type bit 3 with S = 1 */
#define DESC_CONFORM  4 /* code: type bit 2 */
#define DESC_READABLE 2 /* code: type bit 1; data: writable */
#define SYS_LDT	      2
#define SYS_TSS16     1
#define SYS_TSS	      9
#define SYS_BUSY      2 /* TSS type bit 1 */

static bool em_has_sys(const struct em_state *st)
{
	const struct em_ops *o = st->ctx->ops;

	return o->read_dtr && o->write_dtr && o->read_seg && o->write_seg &&
	       o->write_cr0 && o->read_sys && o->write_sys;
}

static bool em_lma(const struct em_state *st)
{
	return st->ctx->efer & EM_EFER_LMA;
}

/* Real-address or virtual-8086 mode: no descriptors, no CPL checks. */
static bool em_real(const struct em_state *st)
{
	return em_seg_mode(st) == GWALK_SEG_REAL;
}

/* CPL, 3 in virtual-8086 mode. */
static unsigned em_cpl(const struct em_state *st)
{
	return (st->ctx->rflags & EM_VM) ? 3 : st->ctx->cpl;
}

/* A 16-bit r/m source (LMSW, LLDT, LTR, MOV Sreg): the low word of a
 * GPR or two bytes of memory. */
static enum em_result em_rm16(struct em_state *st, u16 *val)
{
	enum em_result r;
	gva_t la;

	*val = 0;
	if (st->in->modrm.mod == 3) {
		*val = (u16)em_gpr(st, st->in->modrm.rm);
		return EM_DONE;
	}
	r = em_mem_operand(st, 2, false, &la);
	if (r == EM_DONE)
		r = em_read(st, la, val, 2);
	return r;
}

/*
 * Store a value the instruction reads from the system (SMSW, SLDT, STR,
 * MOV r/m, Sreg): a memory destination takes 16 bits whatever the operand
 * size; a register takes the operand size, zero-extended (SDM Vol. 2B
 * "SMSW", "SLDT", "MOV").
 */
static enum em_result em_store16(struct em_state *st, u64 val)
{
	enum em_result r;
	gva_t la;

	if (st->in->modrm.mod == 3) {
		em_reg_write(st, st->in->modrm.rm, false, st->osize,
			     val & em_size_mask(st->osize));
		return EM_DONE;
	}
	r = em_mem_operand(st, 2, true, &la);
	if (r == EM_DONE)
		r = em_write(st, la, &val, 2);
	return r;
}

/* The #GP(0) of a store of system state at CPL > 0 with CR4.UMIP = 1. */
static bool em_umip_fault(const struct em_state *st)
{
	return (st->ctx->cr4 & EM_CR4_UMIP) && em_cpl(st) > 0;
}

/* 0F 01 /4: SMSW r/m16 (r32/r64 with the operand size): CR0. */
enum em_result em_smsw(struct em_state *st)
{
	if (em_umip_fault(st))
		return em_raise(st, EM_VEC_GP, true, 0);
	return em_store16(st, st->ctx->cr0);
}

/*
 * 0F 01 /6: LMSW r/m16: loads CR0[3:0] (PE, MP, EM, TS); it can set PE
 * but not clear it. CPL 0 only, #GP(0) otherwise (SDM Vol. 2A "LMSW").
 */
enum em_result em_lmsw(struct em_state *st)
{
	u64 cr0 = st->ctx->cr0;
	enum em_result r;
	u16 src;

	if (!st->ctx->ops->write_cr0)
		return em_unsupported(st, "no write_cr0 callback");
	if (em_cpl(st))
		return em_raise(st, EM_VEC_GP, true, 0);
	r = em_rm16(st, &src);
	if (r != EM_DONE)
		return r;
	cr0 = (cr0 & ~0xfULL) | (src & 0xf) | (cr0 & 1);
	if (!st->ctx->ops->write_cr0(st->ctx, cr0))
		return em_raise(st, EM_VEC_GP, true, 0);
	st->ctx->cr0 = cr0;
	return EM_DONE;
}

/* Size of a pseudo-descriptor in memory: 10 bytes in 64-bit mode, 6
 * elsewhere (SDM Vol. 2A "LGDT/LIDT", "SGDT", "SIDT"). */
static unsigned em_dtr_bytes(const struct em_state *st)
{
	return st->in->mode == INSN_MODE_64 ? 10 : 6;
}

/* 0F 01 /0, /1: SGDT m, SIDT m (d->arg: EM_DTR_GDT or EM_DTR_IDT). */
enum em_result em_sdt(struct em_state *st)
{
	unsigned n = em_dtr_bytes(st);
	struct em_dtr dtr;
	u8 buf[10];
	enum em_result r;
	gva_t la;

	if (!em_has_sys(st))
		return em_unsupported(st, "no system-register callbacks");
	if (em_umip_fault(st))
		return em_raise(st, EM_VEC_GP, true, 0);
	r = em_mem_operand(st, n, true, &la);
	if (r != EM_DONE)
		return r;
	st->ctx->ops->read_dtr(st->ctx, st->d->arg, &dtr);
	/* The full 32-bit base outside 64-bit mode, whatever the operand
	 * size (SDM Vol. 2B "SGDT" operation). */
	if (st->in->mode != INSN_MODE_64)
		dtr.base &= 0xffffffffULL;
	mem_copy(buf, &dtr.limit, 2);
	mem_copy(buf + 2, &dtr.base, n - 2);
	return em_write(st, la, buf, n);
}

/*
 * 0F 01 /2, /3: LGDT m, LIDT m. CPL 0; a 16-bit operand size loads 24
 * bits of base; in 64-bit mode the base must be canonical, #GP(0)
 * otherwise (SDM Vol. 2A "LGDT/LIDT").
 */
enum em_result em_ldt(struct em_state *st)
{
	unsigned n = em_dtr_bytes(st);
	unsigned bits = (st->ctx->cr4 & GWALK_CR4_LA57) ? 57 : 48;
	struct em_dtr dtr = {0, 0};
	u8 buf[10];
	enum em_result r;
	gva_t la;

	if (!em_has_sys(st))
		return em_unsupported(st, "no system-register callbacks");
	if (em_cpl(st))
		return em_raise(st, EM_VEC_GP, true, 0);
	r = em_mem_operand(st, n, false, &la);
	if (r == EM_DONE)
		r = em_read(st, la, buf, n);
	if (r != EM_DONE)
		return r;
	mem_copy(&dtr.limit, buf, 2);
	mem_copy(&dtr.base, buf + 2, n - 2);
	if (st->in->mode != INSN_MODE_64 && st->osize == 2)
		dtr.base &= 0xffffff;
	if (st->in->mode == INSN_MODE_64 && !gwalk_is_canonical(dtr.base, bits))
		return em_raise(st, EM_VEC_GP, true, 0);
	st->ctx->ops->write_dtr(st->ctx, st->d->arg, &dtr);
	return EM_DONE;
}

/* 0F 00 /0, /1: SLDT r/m16, STR r/m16 (d->arg: EM_SEG_LDTR, EM_SEG_TR);
 * #UD in real-address and virtual-8086 mode. */
enum em_result em_ssel(struct em_state *st)
{
	struct em_segreg s;

	if (!em_has_sys(st))
		return em_unsupported(st, "no system-register callbacks");
	if (em_real(st))
		return em_raise(st, EM_VEC_UD, false, 0);
	if (em_umip_fault(st))
		return em_raise(st, EM_VEC_GP, true, 0);
	st->ctx->ops->read_seg(st->ctx, st->d->arg, &s);
	return em_store16(st, s.sel);
}

/* ------------------------------------------------------- descriptors */

/* A selector fault's error code: the selector without its RPL (EXT = 0,
 * IDT = 0; SDM Vol. 3A 6.13). */
static enum em_result em_sel_fault(struct em_state *st, u8 vec, u16 sel)
{
	return em_raise(st, vec, true, sel & 0xfffc);
}

/*
 * Read the descriptor sel names (n = 8 or 16 bytes) from the GDT, or the
 * LDT when TI = 1 (gdt_only: TI = 1 is #GP(sel)). #GP(sel) when it lies
 * beyond the table's limit or the LDT is null; *la is its address.
 */
static enum em_result em_read_desc(struct em_state *st, u16 sel, unsigned n,
				   bool gdt_only, u64 desc[2], gva_t *la)
{
	struct em_dtr t;
	struct em_segreg ldt;
	u64 base;
	u32 limit;

	desc[0] = desc[1] = 0;
	if (sel & 4) {
		st->ctx->ops->read_seg(st->ctx, EM_SEG_LDTR, &ldt);
		if (gdt_only || (ldt.cache.ar & GWALK_AR_UNUSABLE))
			return em_sel_fault(st, EM_VEC_GP, sel);
		base = ldt.cache.base;
		limit = ldt.cache.limit;
	} else {
		st->ctx->ops->read_dtr(st->ctx, EM_DTR_GDT, &t);
		base = t.base;
		limit = t.limit;
	}
	if ((u64)(sel & ~7u) + n - 1 > limit)
		return em_sel_fault(st, EM_VEC_GP, sel);
	*la = base + (sel & ~7u);
	if (st->in->mode != INSN_MODE_64)
		*la &= 0xffffffffULL;
	return em_mem_result_of(st->ctx->ops->read_sys(st->ctx, *la, desc, n));
}

/* The hidden part a descriptor loads (VMCS access-rights format: type, S,
 * DPL, P in bits 7:0, AVL, L, D/B, G in bits 15:12). */
static void em_desc_cache(const u64 desc[2], bool wide, struct gwalk_seg *c)
{
	u64 d = desc[0];
	u32 limit = (u32)((d & 0xffff) | ((d >> 32) & 0xf0000));

	c->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	if (wide)
		c->base |= (desc[1] & 0xffffffffULL) << 32;
	c->ar = (u32)(d >> 40) & 0xf0ff;
	c->limit = (c->ar & GWALK_AR_G) ? (limit << 12) | 0xfff : limit;
}

/* Set the accessed bit of a segment descriptor at la if it is clear, as
 * the CPU does when it loads one (SDM Vol. 3A 3.4.5.1). */
static enum em_result em_set_accessed(struct em_state *st, gva_t la, u64 d)
{
	u8 type = (u8)(d >> 40);

	if (d & DESC_A)
		return EM_DONE;
	type |= 1;
	return em_mem_result_of(
	    st->ctx->ops->write_sys(st->ctx, la + 5, &type, 1));
}

/*
 * The upper half of a 16-byte system descriptor in IA-32e mode: its type
 * field (bits 12:8) must be 0 and the base canonical, else #GP(sel) (SDM
 * Vol. 2A "LLDT", "LTR").
 */
static bool em_wide_ok(const struct em_state *st, const u64 desc[2],
		       const struct gwalk_seg *c)
{
	unsigned bits = (st->ctx->cr4 & GWALK_CR4_LA57) ? 57 : 48;

	return !((desc[1] >> 40) & 0x1f) && gwalk_is_canonical(c->base, bits);
}

/* Checks shared by LLDT and LTR before the selector is looked at. */
static enum em_result em_sys_load_check(struct em_state *st)
{
	if (!em_has_sys(st))
		return em_unsupported(st, "no system-register callbacks");
	if (em_real(st))
		return em_raise(st, EM_VEC_UD, false, 0);
	if (em_cpl(st))
		return em_raise(st, EM_VEC_GP, true, 0);
	return EM_DONE;
}

/*
 * 0F 00 /2: LLDT r/m16. A null selector leaves LDTR unusable; otherwise
 * the GDT entry must be a present LDT descriptor (16 bytes in IA-32e
 * mode): #GP(sel) for TI = 1, a limit or type violation, #NP(sel) if not
 * present (SDM Vol. 2A "LLDT").
 */
enum em_result em_lldt(struct em_state *st)
{
	bool wide = em_lma(st);
	struct em_segreg s = {0};
	enum em_result r;
	u64 desc[2];
	gva_t la;
	u16 sel;

	r = em_sys_load_check(st);
	if (r == EM_DONE)
		r = em_rm16(st, &sel);
	if (r != EM_DONE)
		return r;
	s.sel = sel;
	if (!(sel & 0xfffc)) {
		s.cache.ar = GWALK_AR_UNUSABLE;
		st->ctx->ops->write_seg(st->ctx, EM_SEG_LDTR, &s);
		return EM_DONE;
	}
	r = em_read_desc(st, sel, wide ? 16 : 8, true, desc, &la);
	if (r != EM_DONE)
		return r;
	em_desc_cache(desc, wide, &s.cache);
	if ((desc[0] & DESC_S) || DESC_TYPE(desc[0]) != SYS_LDT ||
	    (wide && !em_wide_ok(st, desc, &s.cache)))
		return em_sel_fault(st, EM_VEC_GP, sel);
	if (!(desc[0] & DESC_P))
		return em_sel_fault(st, EM_VEC_NP, sel);
	st->ctx->ops->write_seg(st->ctx, EM_SEG_LDTR, &s);
	return EM_DONE;
}

/*
 * 0F 00 /3: LTR r/m16. The GDT entry must be a present available TSS
 * (type 9; type 1, a 16-bit TSS, outside IA-32e mode): #GP(0) for a null
 * selector, #GP(sel) for TI = 1, a limit or type violation, #NP(sel) if
 * not present. The descriptor is marked busy in memory, and TR loaded
 * with the busy type (SDM Vol. 2A "LTR").
 */
enum em_result em_ltr(struct em_state *st)
{
	bool wide = em_lma(st);
	struct em_segreg s = {0};
	enum em_result r;
	unsigned type;
	u64 desc[2];
	gva_t la;
	u16 sel;
	u8 busy;

	r = em_sys_load_check(st);
	if (r == EM_DONE)
		r = em_rm16(st, &sel);
	if (r != EM_DONE)
		return r;
	if (!(sel & 0xfffc))
		return em_raise(st, EM_VEC_GP, true, 0);
	r = em_read_desc(st, sel, wide ? 16 : 8, true, desc, &la);
	if (r != EM_DONE)
		return r;
	em_desc_cache(desc, wide, &s.cache);
	type = DESC_TYPE(desc[0]);
	if ((desc[0] & DESC_S) ||
	    !(type == SYS_TSS || (type == SYS_TSS16 && !wide)) ||
	    (wide && !em_wide_ok(st, desc, &s.cache)))
		return em_sel_fault(st, EM_VEC_GP, sel);
	if (!(desc[0] & DESC_P))
		return em_sel_fault(st, EM_VEC_NP, sel);
	busy = (u8)(desc[0] >> 40) | SYS_BUSY;
	r = em_mem_result_of(
	    st->ctx->ops->write_sys(st->ctx, la + 5, &busy, 1));
	if (r != EM_DONE)
		return r;
	s.sel = sel;
	s.cache.ar |= SYS_BUSY;
	st->ctx->ops->write_seg(st->ctx, EM_SEG_TR, &s);
	return EM_DONE;
}

/* ---------------------------------------------------- segment loads */

/*
 * The protected-mode checks of MOV to a data segment register or SS (SDM
 * Vol. 2B "MOV", Vol. 3A 5.6): SS needs a writable data segment with
 * RPL = DPL = CPL (#GP(sel)), present (#SS(sel)); DS, ES, FS and GS a data
 * or readable code segment, with DPL >= CPL and RPL unless conforming
 * code (#GP(sel)), present (#NP(sel)).
 */
static enum em_result em_data_desc_check(struct em_state *st, unsigned seg,
					 u16 sel, u64 d)
{
	unsigned type = DESC_TYPE(d), dpl = DESC_DPL(d), cpl = em_cpl(st);
	bool code = (d & DESC_S) && (type & DESC_CODE);

	if (seg == INSN_SEG_SS) {
		if (!(d & DESC_S) || code || !(type & DESC_READABLE) ||
		    (sel & 3) != cpl || dpl != cpl)
			return em_sel_fault(st, EM_VEC_GP, sel);
		if (!(d & DESC_P))
			return em_sel_fault(st, EM_VEC_SS, sel);
		return EM_DONE;
	}
	if (!(d & DESC_S) || (code && !(type & DESC_READABLE)))
		return em_sel_fault(st, EM_VEC_GP, sel);
	if ((!code || !(type & DESC_CONFORM)) && (dpl < cpl || dpl < (sel & 3)))
		return em_sel_fault(st, EM_VEC_GP, sel);
	if (!(d & DESC_P))
		return em_sel_fault(st, EM_VEC_NP, sel);
	return EM_DONE;
}

/*
 * Load segment register seg (not CS) with sel as MOV Sreg does. Null:
 * DS/ES/FS/GS become unusable (base 0, as Intel CPUs clear it); SS only in
 * 64-bit mode at CPL < 3 with RPL = CPL, else #GP(0).
 */
static enum em_result em_load_seg(struct em_state *st, unsigned seg, u16 sel)
{
	struct em_segreg s = {.sel = sel};
	enum em_result r;
	u64 desc[2];
	gva_t la;

	if (em_real(st)) {
		st->ctx->ops->read_seg(st->ctx, seg, &s);
		s.sel = sel;
		s.cache.base = (u64)sel << 4;
	} else if (!(sel & 0xfffc)) {
		if (seg == INSN_SEG_SS &&
		    !(st->in->mode == INSN_MODE_64 && em_cpl(st) < 3 &&
		      (sel & 3) == em_cpl(st)))
			return em_raise(st, EM_VEC_GP, true, 0);
		s.cache.ar = GWALK_AR_UNUSABLE;
		if (seg == INSN_SEG_SS) /* SS.DPL stays the CPL */
			s.cache.ar |= em_cpl(st) << 5 | 0x3;
	} else {
		r = em_read_desc(st, sel, 8, false, desc, &la);
		if (r == EM_DONE)
			r = em_data_desc_check(st, seg, sel, desc[0]);
		if (r == EM_DONE)
			r = em_set_accessed(st, la, desc[0]);
		if (r != EM_DONE)
			return r;
		desc[0] |= DESC_A;
		em_desc_cache(desc, false, &s.cache);
	}
	st->ctx->ops->write_seg(st->ctx, seg, &s);
	if (seg < 6)
		st->ctx->seg[seg] = s.cache;
	st->ctx->mov_ss = seg == INSN_SEG_SS;
	return EM_DONE;
}

/*
 * 8C: MOV r/m, Sreg; 8E: MOV Sreg, r/m16 (d->arg 0, 1). Sreg 6 and 7, and
 * CS as a destination, are #UD (SDM Vol. 2B "MOV").
 */
enum em_result em_mov_sreg(struct em_state *st)
{
	unsigned seg = st->in->modrm.reg & 7;
	struct em_segreg s;
	enum em_result r;
	u16 sel;

	if (!em_has_sys(st))
		return em_unsupported(st, "no system-register callbacks");
	if (seg > INSN_SEG_GS || (st->d->arg && seg == INSN_SEG_CS))
		return em_raise(st, EM_VEC_UD, false, 0);
	if (!st->d->arg) {
		st->ctx->ops->read_seg(st->ctx, seg, &s);
		return em_store16(st, s.sel);
	}
	r = em_rm16(st, &sel);
	if (r == EM_DONE)
		r = em_load_seg(st, seg, sel);
	return r;
}

/* ------------------------------------------------------ far transfers */

/* Call gates (4, 12), task gates (5) and TSSs (1, 3, 9, 11): the far
 * transfers that switch privilege or task. */
static bool em_gate_or_tss(unsigned type)
{
	return (0x1a3aU >> type) & 1;
}

/*
 * The code segment a far JMP or CALL to sel:off lands in, protected mode
 * (SDM Vol. 2A "JMP", "CALL", Vol. 3A 5.8.1): a code segment, conforming
 * with DPL <= CPL or non-conforming with RPL <= CPL and DPL = CPL
 * (#GP(sel)), present (#NP(sel)), not L = D = 1 in IA-32e mode (#GP(sel)),
 * and the offset within its limit or canonical for a 64-bit one (#GP(0)).
 * Call gates, task gates and TSSs are not emulated.
 */
static enum em_result em_far_target(struct em_state *st, u16 sel, u64 off,
				    struct em_segreg *cs)
{
	unsigned bits = (st->ctx->cr4 & GWALK_CR4_LA57) ? 57 : 48;
	unsigned cpl = em_cpl(st), type, dpl;
	enum em_result r;
	u64 desc[2], d;
	gva_t la;

	if (!(sel & 0xfffc))
		return em_raise(st, EM_VEC_GP, true, 0);
	r = em_read_desc(st, sel, 8, false, desc, &la);
	if (r != EM_DONE)
		return r;
	d = desc[0];
	type = DESC_TYPE(d);
	dpl = DESC_DPL(d);
	if (!(d & DESC_S) && (em_lma(st) ? type == 12 : em_gate_or_tss(type)))
		return em_unsupported(st, "far JMP/CALL through a gate or TSS");
	if (!(d & DESC_S) || !(type & DESC_CODE))
		return em_sel_fault(st, EM_VEC_GP, sel);
	if ((type & DESC_CONFORM) ? dpl > cpl : (sel & 3) > cpl || dpl != cpl)
		return em_sel_fault(st, EM_VEC_GP, sel);
	if (!(d & DESC_P))
		return em_sel_fault(st, EM_VEC_NP, sel);
	if (em_lma(st) && (d & DESC_L) && (d & DESC_DB))
		return em_sel_fault(st, EM_VEC_GP, sel);
	em_desc_cache(desc, false, &cs->cache);
	cs->cache.ar |= GWALK_AR_TYPE_A;
	cs->sel = (sel & ~3u) | cpl;
	if (em_lma(st) && (d & DESC_L) ? !gwalk_is_canonical(off, bits)
				       : off > cs->cache.limit)
		return em_raise(st, EM_VEC_GP, true, 0);
	return em_set_accessed(st, la, d);
}

/*
 * FF /5: JMP m16:16/32/64 and FF /3: CALL m16:16/32/64 (d->arg 0, 1):
 * the offset at the operand size, then the selector. Real-address and
 * virtual-8086 mode load CS with base sel * 16; protected mode loads a
 * code segment of the same privilege (em_far_target). CALL pushes CS,
 * zero-extended to the operand size, and the return offset, checked
 * before CS changes.
 */
enum em_result em_far(struct em_state *st)
{
	unsigned sz = st->osize;
	u64 off = 0, rsp = em_gpr(st, 4), slot[2];
	struct em_segreg cs, old;
	enum em_result r;
	u8 buf[16];
	u16 sel;
	gva_t la;

	if (!em_has_sys(st))
		return em_unsupported(st, "no system-register callbacks");
	r = em_mem_operand(st, sz + 2, false, &la);
	if (r == EM_DONE)
		r = em_read(st, la, buf, sz + 2);
	if (r != EM_DONE)
		return r;
	mem_copy(&off, buf, sz);
	mem_copy(&sel, buf + sz, 2);
	st->ctx->ops->read_seg(st->ctx, INSN_SEG_CS, &old);
	if (em_real(st)) {
		cs = old;
		cs.sel = sel;
		cs.cache.base = (u64)sel << 4;
		if (off > cs.cache.limit)
			return em_raise(st, EM_VEC_GP, true, 0);
	} else {
		r = em_far_target(st, sel, off, &cs);
		if (r != EM_DONE)
			return r;
	}
	if (st->d->arg) {
		slot[0] = (st->ctx->rip + st->in->len) & em_size_mask(sz);
		slot[1] = old.sel;
		mem_copy(buf, &slot[0], sz);
		mem_copy(buf + sz, &slot[1], sz);
		r = em_stack_push(st, &rsp, buf, 2 * sz);
		if (r != EM_DONE)
			return r;
		em_set_gpr(st, 4, rsp);
	}
	st->ctx->ops->write_seg(st->ctx, INSN_SEG_CS, &cs);
	st->ctx->seg[INSN_SEG_CS] = cs.cache;
	st->jumped = true;
	st->new_rip = off;
	return EM_DONE;
}
