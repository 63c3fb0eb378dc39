/* SPDX-License-Identifier: MIT */
/*
 * Undefined bytes must never reach the guest. Each case (a random
 * encoding from the differential test's generator,
 * test/unit/support/emulate_gen.h, or random bytes, in 16-, 32- or 64-bit
 * code) is decoded and emulated twice on identical inputs: once with the
 * stack below the emulator, the registers it starts with
 * (test/unit/support/poison.h) and its scratch state (the
 * decoded struct insn, every output and private field of struct em_ctx and,
 * in 64-bit code, the segment fields mica does not load) all 0x00, once all
 * 0xFF. Everything the guest can see must be the same: the order and
 * arguments of every callback (GPR reads and writes with their values,
 * device reads' addresses and sizes, written bytes, cmpxchg operands, vector
 * register traffic, REP runs through em_ops.rep_run with the fill a STOS
 * stores), the final GPRs and YMM registers, and after every call the
 * result, RIP, RFLAGS and the exception (vector, error code, CR2).
 *
 * The callbacks behave as devices: reads return exactly the bytes asked
 * for, derived from the address; by the case's script some accesses retry
 * or fault, some after filling part of the buffer, and some reads "succeed"
 * short, filling only a prefix as the local APIC model once did (8 of the
 * 32 bytes of a VMOVDQU): the emulator must not let the rest of its buffer
 * through. That is the bug of commit 9bfeaf8: with em_sse_mov()'s buffer
 * left uninitialised this test reports the VMOVDQU/MOVDQU loads whose
 * upper bytes follow the stack. It also catches a handler that commits a
 * local it never set, a staged GPR read without read_gpr, a flag or RIP
 * computed from stale em_ctx fields, an address or size taken from an
 * undefined operand, and 64-bit code reading the segment limits and access
 * rights mica leaves stale.
 *
 * Painting sees only the bytes the pattern reached: a local laid over a
 * dead frame of the same run holds that frame's bytes in both runs. So the
 * program is also built with MemorySanitizer (test_poison_emulate_msan),
 * where every event and the final registers are checked byte by byte as
 * they leave the emulator; its report names the case.
 *
 * MICA_SEED (default fixed), MICA_ITERS (cases; default 600000, 10000000
 * with MICA_LONG=1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/support/em_guest.h"
#include "test/unit/support/em_segs.h"
#include "test/unit/support/emulate_gen.h"
#include "test/unit/support/poison.h"
#include "test/unit/support/tap.h"
#include "vmm/insn/insn.h"
#include "vmm/emulate/insn_emulate.h"

#define TRACE_MAX  4096 /* callback events kept per run */
#define ROUNDS_MAX 16	/* insn_emulate() calls per run (EM_CONTINUE) */

/* ---------------------------------------------------------------- events */
enum ev_kind {
	EV_READ_GPR = 1,
	EV_WRITE_GPR,
	EV_READ,
	EV_WRITE,
	EV_CMPXCHG,
	EV_READ_VEC,
	EV_WRITE_VEC,
	EV_RUN,
	EV_INJECT,
	EV_RESULT,
};

static const char *const ev_names[] = {
    [EV_READ_GPR] = "read_gpr",	  [EV_WRITE_GPR] = "write_gpr",
    [EV_READ] = "read_mem",	  [EV_WRITE] = "write_mem",
    [EV_CMPXCHG] = "cmpxchg",	  [EV_READ_VEC] = "read_vec",
    [EV_WRITE_VEC] = "write_vec", [EV_RUN] = "rep_run",
    [EV_INJECT] = "inject",	  [EV_RESULT] = "result",
};

/* One guest-visible step, zeroed before it is filled (padding included)
 * so that two steps compare with memcmp. */
struct ev {
	u8 kind;
	u8 res;	  /* the callback's outcome, or the em_result */
	u8 reg;	  /* register; exception vector */
	u8 flags; /* zero_upper, swapped, down | movs << 1, has_error_code */
	u32 size, count;
	u64 a, b, c; /* address / value; dst, src, fill; rip, rflags, cr2 */
	u8 data[32], data2[32];
};

/* What one of the two runs of a case showed the guest. */
struct run {
	int decode_rc;
	unsigned n; /* events; beyond TRACE_MAX counted, not kept */
	struct ev ev[TRACE_MAX];
	u64 gpr[16];
	u8 vec[16][32];
	bool bad_args; /* a callback saw a size or register out of range */
};

/* ---------------------------------------------------------------- case */
static struct pcase {
	enum insn_mode mode;
	const char *form; /* generator row, or "random bytes" */
	u8 bytes[24];
	size_t len;
	u64 gpr[16], rip, rflags, cr0, cr4, xcr0;
	u8 vec[16][32];
	bool align_check;
	u32 budget;
	struct gwalk_seg seg[6];
	const struct em_ops *ops;
	u64 salt;	    /* device data and callback outcomes */
	unsigned fail_pct;  /* accesses that retry or fault */
	unsigned short_pct; /* reads that succeed short */
} pc;

static struct run runs[2], *cur;
static struct ev spill; /* events past TRACE_MAX */
static u64 accesses;	/* memory callbacks so far in this run */
static struct {
	u64 gpr[16];
	u8 vec[16][32];
} guest;

static struct ev *ev_new(u8 kind)
{
	struct ev *e = cur->n < TRACE_MAX ? &cur->ev[cur->n] : &spill;

	cur->n++;
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

/* ---------------------------------------------------------------- devices */
enum outcome { OUT_OK, OUT_SHORT, OUT_RETRY, OUT_FAULT };

/* The next access's outcome by the case's script; *part: bytes a short or
 * failing read fills (< size). */
static enum outcome next_outcome(bool can_short, unsigned size, unsigned *part)
{
	u64 h = rng_hash(pc.salt + 0x9e3779b97f4a7c15ULL * ++accesses);
	unsigned p = (unsigned)(h % 100);

	*part = size ? (unsigned)((h >> 32) % size) : 0;
	if (p < pc.fail_pct)
		return (h >> 8) & 1 ? OUT_RETRY : OUT_FAULT;
	if (can_short && p < pc.fail_pct + pc.short_pct)
		return OUT_SHORT;
	return OUT_OK;
}

/* Device data: a function of the case and the address. */
static void dev_fill(gva_t la, void *buf, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		((u8 *)buf)[i] =
		    (u8)rng_hash(pc.salt ^ ((la + i) * 0x100000001b3ULL));
}

static enum em_mem_result fail(struct em_ctx *ctx, enum outcome o, gva_t la)
{
	if (o == OUT_RETRY)
		return EM_MEM_RETRY;
	return em_page_fault(ctx, la, 4 | (u32)(la & 3));
}

/* Sizes the emulator promises: 1..32 bytes (bad ones are not touched). */
static bool size_ok(unsigned size, unsigned max)
{
	if (size >= 1 && size <= max)
		return true;
	cur->bad_args = true;
	return false;
}

/* The event is complete: under MSan every byte of it must be defined. */
static void ev_check(const struct ev *e)
{
	poison_defined(e, sizeof(*e));
}

static u64 p_read_gpr(struct em_ctx *ctx, unsigned reg)
{
	struct ev *e = ev_new(EV_READ_GPR);

	(void)ctx;
	e->reg = (u8)reg;
	ev_check(e);
	cur->bad_args |= reg >= 16;
	return guest.gpr[reg & 15];
}

static void p_write_gpr(struct em_ctx *ctx, unsigned reg, u64 val)
{
	struct ev *e = ev_new(EV_WRITE_GPR);

	(void)ctx;
	e->reg = (u8)reg;
	e->a = val;
	ev_check(e);
	cur->bad_args |= reg >= 16;
	guest.gpr[reg & 15] = val;
}

static enum em_mem_result p_read(struct em_ctx *ctx, gva_t la, void *buf,
				 unsigned size)
{
	struct ev *e = ev_new(EV_READ);
	unsigned part;
	enum outcome o;

	e->a = la;
	e->size = size;
	ev_check(e);
	if (!size_ok(size, 32))
		return EM_MEM_RETRY;
	o = next_outcome(true, size, &part);
	e->res = (u8)o;
	dev_fill(la, buf, o == OUT_OK ? size : part);
	return o <= OUT_SHORT ? EM_MEM_OK : fail(ctx, o, la);
}

/* Written bytes count only when the write is done. */
static enum em_mem_result p_write(struct em_ctx *ctx, gva_t la, const void *buf,
				  unsigned size)
{
	struct ev *e = ev_new(EV_WRITE);
	unsigned part;
	enum outcome o;

	e->a = la;
	e->size = size;
	if (!size_ok(size, 32)) {
		ev_check(e);
		return EM_MEM_RETRY;
	}
	o = next_outcome(false, size, &part);
	e->res = (u8)o;
	if (o == OUT_OK)
		memcpy(e->data, buf, size);
	ev_check(e);
	return o == OUT_OK ? EM_MEM_OK : fail(ctx, o, la);
}

/* A device cmpxchg (a read and a conditional write, as mica does on
 * MMIO): old decides, new is stored only when it matched. */
static enum em_mem_result p_cmpxchg(struct em_ctx *ctx, gva_t la, void *old,
				    const void *new_val, unsigned size,
				    bool *swapped)
{
	struct ev *e = ev_new(EV_CMPXCHG);
	unsigned part;
	enum outcome o;
	u8 now[32];

	e->a = la;
	e->size = size;
	if (!size_ok(size, 16)) {
		ev_check(e);
		return EM_MEM_RETRY;
	}
	o = next_outcome(true, size, &part);
	e->res = (u8)o;
	if (o > OUT_SHORT) {
		ev_check(e);
		return fail(ctx, o, la);
	}
	memcpy(e->data, old, size);
	dev_fill(la, now, size);
	*swapped = !memcmp(now, old, size);
	e->flags = *swapped;
	if (*swapped)
		memcpy(e->data2, new_val, size);
	ev_check(e);
	if (!*swapped)
		memcpy(old, now, o == OUT_OK ? size : part);
	return EM_MEM_OK;
}

static void p_read_vec(struct em_ctx *ctx, unsigned reg, void *buf,
		       unsigned len)
{
	struct ev *e = ev_new(EV_READ_VEC);

	(void)ctx;
	e->reg = (u8)reg;
	e->size = len;
	ev_check(e);
	cur->bad_args |= reg >= 16;
	if (size_ok(len, 32))
		memcpy(buf, guest.vec[reg & 15], len);
}

static void p_write_vec(struct em_ctx *ctx, unsigned reg, const void *buf,
			unsigned len, bool zero_upper)
{
	struct ev *e = ev_new(EV_WRITE_VEC);

	(void)ctx;
	e->reg = (u8)reg;
	e->size = len;
	e->flags = zero_upper;
	cur->bad_args |= reg >= 16;
	if (size_ok(len, 32))
		memcpy(e->data, buf, len);
	ev_check(e);
	if (!size_ok(len, 32))
		return;
	memcpy(guest.vec[reg & 15], buf, len);
	if (zero_upper)
		memset(guest.vec[reg & 15] + len, 0, 32 - len);
}

/* A run of REP MOVS/STOS on a device: all or nothing. Only the low size
 * bytes of fill, and only for STOS, are the guest's. */
static enum em_mem_result p_rep_run(struct em_ctx *ctx, gva_t dst, gva_t src,
				    u64 fill, unsigned size, u32 count,
				    bool down, bool movs)
{
	struct ev *e = ev_new(EV_RUN);
	unsigned part;
	enum outcome o = next_outcome(false, size, &part);

	e->a = dst;
	e->b = movs ? src : 0;
	e->c = movs ? 0 : fill & (size >= 8 ? ~0ULL : BIT(8 * size) - 1);
	e->size = size;
	e->count = count;
	e->flags = (u8)(down | movs << 1);
	e->res = (u8)o;
	ev_check(e);
	cur->bad_args |= !(size == 1 || size == 2 || size == 4 || size == 8);
	return o == OUT_OK ? EM_MEM_OK : fail(ctx, o, movs ? src : dst);
}

static void ev_exception(struct ev *e, const struct em_exception *exc)
{
	e->reg = exc->vector;
	e->flags = exc->has_error_code;
	e->size = exc->has_error_code ? exc->error_code : 0;
	e->c = exc->vector == EM_VEC_PF ? exc->cr2 : 0;
}

static void p_inject(struct em_ctx *ctx, const struct em_exception *exc)
{
	struct ev *e = ev_new(EV_INJECT);

	(void)ctx;
	ev_exception(e, exc);
	ev_check(e);
}

/* ---------------------------------------------------------------- ops */
/* Optional callbacks by bit: rep_run, inject, cmpxchg_mem, vectors. */
#define OPS_RUN	    1
#define OPS_INJECT  2
#define OPS_CMPXCHG 4
#define OPS_VEC	    8
static struct em_ops ops_by_mask[16];

static void ops_init(void)
{
	for (unsigned m = 0; m < 16; m++)
		ops_by_mask[m] = (struct em_ops){
		    .read_gpr = p_read_gpr,
		    .write_gpr = p_write_gpr,
		    .read_mem = p_read,
		    .write_mem = p_write,
		    .rep_run = m & OPS_RUN ? p_rep_run : NULL,
		    .inject = m & OPS_INJECT ? p_inject : NULL,
		    .cmpxchg_mem = m & OPS_CMPXCHG ? p_cmpxchg : NULL,
		    .read_vec = m & OPS_VEC ? p_read_vec : NULL,
		    .write_vec = m & OPS_VEC ? p_write_vec : NULL,
		};
}

/* ---------------------------------------------------------------- cases */
/* Register values: mostly addresses that are canonical and near 0, so
 * that memory operands reach the callbacks; else the edge values. */
static u64 case_gpr(void)
{
	return rng_below(&rng, 4) ? rng_next(&rng) & 0xffffffffULL : rnd_val();
}

/* Flat segments, sometimes one with a random limit, base and type. */
static void case_segs(void)
{
	struct em_ctx c;

	em_test_flat_segs(&c, pc.mode);
	memcpy(pc.seg, c.seg, sizeof(pc.seg));
	if (pc.mode != INSN_MODE_64 && rng_below(&rng, 4) == 0) {
		struct gwalk_seg *s = &pc.seg[rng_below(&rng, 6)];

		s->base = rng_next(&rng) & 0xffff0;
		s->limit =
		    (u32)rng_below(&rng, 2) ? (u32)rng_next(&rng) : 0xffffu;
		s->ar ^=
		    (u32)(rng_next(&rng) & (GWALK_AR_UNUSABLE | GWALK_AR_DB |
					    GWALK_AR_TYPE_W | GWALK_AR_TYPE_E));
	}
	if (pc.mode == INSN_MODE_64) {
		pc.seg[INSN_SEG_FS].base =
		    rng_below(&rng, 2) ? rng_next(&rng) & 0xffffff : 0;
		pc.seg[INSN_SEG_GS].base =
		    rng_below(&rng, 2) ? rng_next(&rng) & 0xffffff : 0;
	}
}

/* A generator row: an eighth of the time a vector move, an eighth a
 * string instruction (the forms with buffers and runs), else any. */
static const struct form *pick_form(void)
{
	u32 want = (u32[]){F_SSE, F_STR, 0, 0, 0, 0, 0, 0}[rng_below(&rng, 8)];
	const struct form *fm;

	do
		fm = &forms[rng_below(&rng, ARRAY_SIZE(forms))];
	while ((fm->f & want) != want);
	pc.form = fm->name;
	return fm;
}

/* The instruction: a generator form (sometimes with a 67 prefix in front
 * or one byte replaced), or random bytes. */
static void case_bytes(void)
{
	struct gen g;

	if (rng_below(&rng, 8) == 0) {
		pc.form = "random bytes";
		pc.len = 1 + rng_below(&rng, 15);
		for (size_t i = 0; i < pc.len; i++)
			pc.bytes[i] = (u8)rng_next(&rng);
		return;
	}
	gen_insn(&g, pick_form(), pc.mode != INSN_MODE_64);
	pc.len = 0;
	if (pc.mode != INSN_MODE_64 && rng_below(&rng, 4) == 0)
		pc.bytes[pc.len++] = 0x67;
	memcpy(pc.bytes + pc.len, g.bytes, (size_t)g.len);
	pc.len = MIN(pc.len + (size_t)g.len, sizeof(pc.bytes));
	if (rng_below(&rng, 16) == 0)
		pc.bytes[rng_below(&rng, pc.len)] = (u8)rng_next(&rng);
}

static void make_case(void)
{
	static const enum insn_mode modes[] = {INSN_MODE_16, INSN_MODE_32,
					       INSN_MODE_64};
	static const unsigned fail_pcts[] = {0, 0, 10, 50};
	unsigned ops = OPS_CMPXCHG | OPS_VEC;

	pc.mode = modes[rng_below(&rng, 3)];
	case_bytes();
	for (int i = 0; i < 16; i++)
		pc.gpr[i] = case_gpr();
	/* REP count */
	pc.gpr[1] = rng_below(&rng, 4) ? rng_below(&rng, 40) : rnd_val();
	for (int i = 0; i < 16 * 32; i++)
		pc.vec[i / 32][i % 32] = (u8)rng_next(&rng);
	pc.rip = 0x1000 + rng_below(&rng, 0x1000);
	pc.rflags = 0x2 | (rng_next(&rng) & 0x40dd5);
	pc.cr0 = 0x80000033; /* PG NE ET MP PE */
	if (pc.mode == INSN_MODE_16 && rng_below(&rng, 3) == 0) {
		if (rng_below(&rng, 2))
			pc.cr0 = 0x30; /* real mode */
		else
			pc.rflags |= BIT(17); /* virtual-8086 mode */
	}
	pc.cr0 |= rng_below(&rng, 16)
		      ? 0
		      : BIT(3) | (rng_below(&rng, 2) ? BIT(2) : 0);
	/* OSFXSR, mostly OSXSAVE */
	pc.cr4 = BIT(9) | (rng_below(&rng, 16) ? BIT(18) : 0);
	pc.xcr0 = rng_below(&rng, 16) ? 7 : 3;
	pc.align_check = rng_below(&rng, 8) == 0;
	pc.budget = rng_below(&rng, 3) ? (u32)rng_below(&rng, 9) : 0;
	case_segs();
	if (rng_below(&rng, 2))
		ops |= OPS_RUN;
	if (rng_below(&rng, 2))
		ops |= OPS_INJECT;
	if (rng_below(&rng, 16) == 0)
		ops &= ~(unsigned)(rng_below(&rng, 2) ? OPS_CMPXCHG : OPS_VEC);
	pc.ops = &ops_by_mask[ops];
	pc.salt = rng_next(&rng);
	pc.fail_pct = fail_pcts[rng_below(&rng, 4)];
	pc.short_pct = rng_below(&rng, 2) ? 30 : 0;
}

/* ---------------------------------------------------------------- runs */
/* The decoder's and emulator's state, static as in mica (vmm/access/mmio_emulate.c
 * keeps one struct emu and a decode cache, so each instruction finds what
 * the last one left): each run fills them with its pattern first. */
static struct insn in;
static struct em_ctx ctx;
static int decode_rc;
static enum em_result emu_r;
static unsigned stack_used;

static void do_decode(void)
{
	decode_rc = insn_decode(&in, pc.bytes, pc.len, pc.mode);
}

static void do_emulate(void)
{
	emu_r = insn_emulate(&ctx, &in);
}

/*
 * The inputs mica's setup_ctx() gives the emulator; everything else in ctx
 * keeps pat. In 64-bit code only the FS and GS bases are loaded.
 */
static void setup_ctx(u8 pat, u64 rip, u64 rflags)
{
	memset(&ctx, pat, sizeof(ctx));
	ctx.ops = pc.ops;
	ctx.opaque = NULL;
	ctx.rip = rip;
	ctx.rflags = rflags;
	if (pc.mode == INSN_MODE_64) {
		ctx.seg[INSN_SEG_FS].base = pc.seg[INSN_SEG_FS].base;
		ctx.seg[INSN_SEG_GS].base = pc.seg[INSN_SEG_GS].base;
	} else {
		memcpy(ctx.seg, pc.seg, sizeof(ctx.seg));
	}
	ctx.cr0 = pc.cr0;
	ctx.cr4 = pc.cr4;
	ctx.xcr0 = pc.xcr0;
	ctx.align_check = pc.align_check;
	ctx.rep_budget = pc.budget;
}

/* One run of the case with everything undefined holding pat. */
static void run_case(struct run *r, u8 pat)
{
	u64 rip = pc.rip, rflags = pc.rflags;

	cur = r;
	r->n = 0;
	r->bad_args = false;
	accesses = 0;
	memcpy(guest.gpr, pc.gpr, sizeof(guest.gpr));
	memcpy(guest.vec, pc.vec, sizeof(guest.vec));
	memset(&in, pat, sizeof(in));
	poison_call(do_decode, pat);
	r->decode_rc = decode_rc;
	for (int round = 0; decode_rc == INSN_OK && round < ROUNDS_MAX;
	     round++) {
		struct ev *e;

		setup_ctx(pat, rip, rflags);
		poison_call(do_emulate, pat);
		if (pat == 0xff)
			stack_used = MAX(stack_used, poison_stack_used(pat));
		e = ev_new(EV_RESULT);
		e->res = (u8)emu_r;
		e->a = rip = ctx.rip;
		e->b = rflags = ctx.rflags;
		if (emu_r == EM_EXCEPTION)
			ev_exception(e, &ctx.exc);
		ev_check(e);
		if (emu_r != EM_CONTINUE)
			break;
	}
	memcpy(r->gpr, guest.gpr, sizeof(r->gpr));
	memcpy(r->vec, guest.vec, sizeof(r->vec));
	poison_defined(&guest, sizeof(guest));
}

/* ---------------------------------------------------------------- compare */
static void hex(char *out, size_t n, const u8 *b, size_t len)
{
	size_t pos = 0;

	out[0] = 0;
	for (size_t i = 0; i < len && pos + 4 < n; i++)
		pos += (size_t)snprintf(out + pos, n - pos, "%02x ", b[i]);
}

static void ev_text(char *out, size_t n, const struct ev *e)
{
	char d1[100], d2[100];
	size_t len = MIN((size_t)e->size, sizeof(e->data));

	hex(d1, sizeof(d1), e->data, e->kind == EV_INJECT ? 0 : len);
	hex(d2, sizeof(d2), e->data2, e->kind == EV_INJECT ? 0 : len);
	snprintf(out, n,
		 "%s res %u reg %u flags %u size %u count %u a %#llx b %#llx "
		 "c %#llx [%s] [%s]",
		 e->kind < ARRAY_SIZE(ev_names) && ev_names[e->kind]
		     ? ev_names[e->kind]
		     : "?",
		 e->res, e->reg, e->flags, e->size, e->count,
		 (unsigned long long)e->a, (unsigned long long)e->b,
		 (unsigned long long)e->c, d1, d2);
}

/* The first thing the guest could tell apart in runs a and b, into why;
 * false when there is none. */
static bool differ(const struct run *a, const struct run *b, char *why,
		   size_t n)
{
	unsigned kept = MIN(MIN(a->n, b->n), TRACE_MAX);
	char ea[400], eb[400];

	if (a->bad_args || b->bad_args) {
		snprintf(why, n,
			 "a callback got a size or register out of "
			 "range");
		return true;
	}
	if (a->decode_rc != b->decode_rc) {
		snprintf(why, n, "decoder: %s with 0x00, %s with 0xff",
			 insn_status_name(a->decode_rc),
			 insn_status_name(b->decode_rc));
		return true;
	}
	for (unsigned i = 0; i < kept; i++) {
		if (!memcmp(&a->ev[i], &b->ev[i], sizeof(a->ev[i])))
			continue;
		ev_text(ea, sizeof(ea), &a->ev[i]);
		ev_text(eb, sizeof(eb), &b->ev[i]);
		snprintf(why, n, "step %u:\n#     0x00: %s\n#     0xff: %s", i,
			 ea, eb);
		return true;
	}
	if (a->n != b->n) {
		snprintf(why, n, "%u steps with 0x00, %u with 0xff", a->n,
			 b->n);
		return true;
	}
	for (int r = 0; r < 16; r++) {
		if (a->gpr[r] != b->gpr[r]) {
			snprintf(why, n,
				 "GPR %d: %#llx with 0x00, %#llx with "
				 "0xff",
				 r, (unsigned long long)a->gpr[r],
				 (unsigned long long)b->gpr[r]);
			return true;
		}
		if (memcmp(a->vec[r], b->vec[r], 32)) {
			hex(ea, sizeof(ea), a->vec[r], 32);
			hex(eb, sizeof(eb), b->vec[r], 32);
			snprintf(why, n,
				 "YMM%d:\n#     0x00: %s\n#     0xff: %s", r,
				 ea, eb);
			return true;
		}
	}
	return false;
}

/* ---------------------------------------------------------------- stats */
static struct mode_stats {
	u64 cases, decoded, results[EM_UNSUPPORTED + 1], findings;
	u64 reads, short_reads, failed, writes, vec_dev_loads, runs;
} stats[3];
static u64 run_cases, run_findings, vec_cases, vec_short, vec_findings;
static unsigned shown;

static struct mode_stats *mode_stats(enum insn_mode m)
{
	return &stats[m == INSN_MODE_16 ? 0 : m == INSN_MODE_32 ? 1 : 2];
}

/* Count what run r exercised; *has_run / *vec_load: a rep_run call, a
 * vector register written after a 16- or 32-byte device read. */
static void count(const struct run *r, struct mode_stats *s, bool *has_run,
		  bool *vec_load, bool *short_read)
{
	bool wide_read = false;

	*has_run = *vec_load = *short_read = false;
	s->cases++;
	if (r->decode_rc != INSN_OK)
		return;
	s->decoded++;
	for (unsigned i = 0; i < MIN(r->n, TRACE_MAX); i++) {
		const struct ev *e = &r->ev[i];

		if (e->kind == EV_READ) {
			s->reads++;
			s->short_reads += e->res == OUT_SHORT;
			*short_read |= e->res == OUT_SHORT;
			wide_read = e->size >= 16 && e->res <= OUT_SHORT;
		}
		s->failed += e->kind <= EV_RUN && e->res >= OUT_RETRY;
		s->writes += e->kind == EV_WRITE && e->res == OUT_OK;
		*vec_load |= e->kind == EV_WRITE_VEC && wide_read;
		*has_run |= e->kind == EV_RUN;
		if (e->kind == EV_RESULT && e->res != EM_CONTINUE)
			s->results[e->res]++;
	}
	s->runs += *has_run;
	s->vec_dev_loads += *vec_load;
}

static void one_case(void)
{
	struct mode_stats *s;
	bool has_run, vec_load, short_read;
	char why[1000], bytes[80], form[128] = "";

	make_case();
	run_case(&runs[0], 0x00);
	run_case(&runs[1], 0xff);
	s = mode_stats(pc.mode);
	count(&runs[0], s, &has_run, &vec_load, &short_read);
	run_cases += has_run;
	vec_cases += vec_load;
	vec_short += vec_load && short_read;
	if (!differ(&runs[0], &runs[1], why, sizeof(why)))
		return;
	s->findings++;
	run_findings += has_run;
	vec_findings += vec_load;
	if (shown++ >= 20)
		return;
	hex(bytes, sizeof(bytes), pc.bytes, pc.len);
	if (runs[0].decode_rc == INSN_OK)
		insn_format(&in, form, sizeof(form));
	tap_diag("finding: %d-bit code, %s: %s(%s), fail %u%%, short "
		 "reads %u%%: %s",
		 pc.mode, pc.form, bytes, form, pc.fail_pct, pc.short_pct, why);
}

/* Under MSan, before it ends the process: name the case it reports. */
static void report_case(void)
{
	char bytes[80];

	hex(bytes, sizeof(bytes), pc.bytes, pc.len);
	tap_diag("the report above is about a %d-bit case, %s: %s(fail %u%%, "
		 "short reads %u%%)",
		 pc.mode, pc.form, bytes, pc.fail_pct, pc.short_pct);
	tap_ok(0, "MemorySanitizer: no undefined byte reaches the guest");
	tap_done();
}

int main(void)
{
	bool long_run = env_u64("MICA_LONG", 0) != 0;
	u64 seed = rng_seed_env(&rng, 0x706f69736f6eULL);
	u64 iters = env_u64("MICA_ITERS", long_run ? 10000000 : 600000);
	u64 total = 0;

	tap_diag("seed %llu (MICA_SEED), %llu cases (MICA_ITERS%s)%s",
		 (unsigned long long)seed, (unsigned long long)iters,
		 long_run ? ", MICA_LONG" : "",
		 poison_msan() ? ", MemorySanitizer build" : "");
	poison_on_report(report_case);
	ops_init();
	for (u64 i = 0; i < iters; i++)
		one_case();
	for (int m = 0; m < 3; m++) {
		const struct mode_stats *s = &stats[m];

		total += s->findings;
		tap_ok(
		    s->findings == 0 && s->results[EM_DONE] > 0 &&
			s->reads > 0 && s->writes > 0 && s->failed > 0,
		    "poison 0x00 vs 0xff, %d-bit code: %llu cases (%llu "
		    "decoded: %llu done, %llu exception, %llu retry, %llu "
		    "unsupported, %llu at the round limit; %llu device "
		    "reads, %llu short, %llu failed accesses), %llu findings",
		    16 << m, (unsigned long long)s->cases,
		    (unsigned long long)s->decoded,
		    (unsigned long long)s->results[EM_DONE],
		    (unsigned long long)s->results[EM_EXCEPTION],
		    (unsigned long long)s->results[EM_RETRY],
		    (unsigned long long)s->results[EM_UNSUPPORTED],
		    (unsigned long long)(s->decoded - s->results[EM_DONE] -
					 s->results[EM_EXCEPTION] -
					 s->results[EM_RETRY] -
					 s->results[EM_UNSUPPORTED]),
		    (unsigned long long)s->reads,
		    (unsigned long long)s->short_reads,
		    (unsigned long long)s->failed,
		    (unsigned long long)s->findings);
	}
	tap_ok(vec_findings == 0 && vec_short > 0,
	       "vector loads from a device (SSE/AVX, 16 and 32 bytes): %llu "
	       "cases, %llu with short reads, %llu findings",
	       (unsigned long long)vec_cases, (unsigned long long)vec_short,
	       (unsigned long long)vec_findings);
	tap_ok(run_findings == 0 && run_cases > 0,
	       "REP MOVS/STOS through em_ops.rep_run: %llu cases, %llu "
	       "findings",
	       (unsigned long long)run_cases, (unsigned long long)run_findings);
	tap_ok(stack_used > 0 && stack_used + 4096 < POISON_STACK,
	       "the painted stack holds the emulator's deepest use: %u of %d "
	       "bytes",
	       stack_used, POISON_STACK);
	if (poison_msan())
		tap_ok(1,
		       "MemorySanitizer: no undefined byte reaches the guest "
		       "in %llu cases",
		       (unsigned long long)iters);
	tap_diag("%llu findings in %llu cases", (unsigned long long)total,
		 (unsigned long long)iters);
	return tap_done();
}
