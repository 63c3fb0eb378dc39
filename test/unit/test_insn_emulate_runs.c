/* SPDX-License-Identifier: MIT */
/*
 * REP MOVS/STOS through whole runs (struct em_ops.rep_run) against the same
 * instructions one element per callback: seeded random cases (MICA_SEED,
 * MICA_ITERS) in 16-, 32- and 64-bit code with both address sizes, DF 0/1,
 * element sizes 1-8, offsets next to page ends and to the 16/32-bit
 * wrap, segment limits (expand-up and expand-down) a few elements away,
 * small budgets, and a fault on a page of the source or destination.
 * Registers, RFLAGS, RIP, memory, results and the exception must be the
 * same, and every run must keep the emulator's promise that all of its
 * elements lie in the pages of its first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/support/em_guest.h"
#include "test/unit/support/em_segs.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"
#include "vmm/insn/insn.h"
#include "vmm/emulate/insn_emulate.h"

#define MEM_SIZE 0x20000 /* linear space aliases every MEM_SIZE bytes */

static struct model {
	u64 gpr[16];
	u8 mem[MEM_SIZE];
	u64 bad_page; /* linear page number (mod MEM_SIZE) that faults */
	bool broken;  /* a run faulted after its first element */
} m;

static struct em_regs regs = {.gpr = m.gpr};
static struct rng rng;
static u64 runs, run_elems; /* rep_run calls and the elements they moved */

static bool faults(gva_t la, unsigned size)
{
	u64 a = la & (MEM_SIZE - 1), b = (la + size - 1) & (MEM_SIZE - 1);

	return a >> 12 == m.bad_page || b >> 12 == m.bad_page || b < a;
}

static enum em_mem_result t_read(struct em_ctx *ctx, gva_t la, void *buf,
				 unsigned size)
{
	if (faults(la, size))
		return em_page_fault(ctx, la, 0);
	memcpy(buf, m.mem + (la & (MEM_SIZE - 1)), size);
	return EM_MEM_OK;
}

static enum em_mem_result t_write(struct em_ctx *ctx, gva_t la, const void *buf,
				  unsigned size)
{
	if (faults(la, size))
		return em_page_fault(ctx, la, 0);
	memcpy(m.mem + (la & (MEM_SIZE - 1)), buf, size);
	return EM_MEM_OK;
}

/* Whether every byte of count elements from la lies in la's page. */
static bool one_page(gva_t la, u64 step, unsigned size, u32 count)
{
	gva_t last = la + (count - 1) * step;
	gva_t lo = step > size ? last : la, hi = step > size ? la : last;

	return lo >> 12 == la >> 12 && (hi + size - 1) >> 12 == la >> 12 &&
	       lo <= hi;
}

static enum em_mem_result t_rep_run(struct em_ctx *ctx, gva_t dst, gva_t src,
				    u64 fill, unsigned size, u32 count,
				    bool down, bool movs)
{
	u64 step = down ? -(u64)size : size;

	runs++;
	run_elems += count;
	if (count < 2 || !one_page(dst, step, size, count) ||
	    (movs && !one_page(src, step, size, count)))
		m.broken = true;
	for (u32 i = 0; i < count; i++) {
		u64 val = fill;
		enum em_mem_result r = EM_MEM_OK;

		if (movs)
			r = t_read(ctx, src + i * step, &val, size);
		if (r == EM_MEM_OK)
			r = t_write(ctx, dst + i * step, &val, size);
		if (r != EM_MEM_OK) {
			m.broken |= i > 0;
			return r;
		}
	}
	return EM_MEM_OK;
}

static const struct em_ops ops_steps = {
    .read_gpr = em_regs_read_gpr,
    .write_gpr = em_regs_write_gpr,
    .read_mem = t_read,
    .write_mem = t_write,
};

static const struct em_ops ops_runs = {
    .read_gpr = em_regs_read_gpr,
    .write_gpr = em_regs_write_gpr,
    .read_mem = t_read,
    .write_mem = t_write,
    .rep_run = t_rep_run,
};

static struct gwalk_seg segs[6]; /* outside 64-bit mode */

struct outcome {
	struct model m;
	u64 rip, rflags;
	enum em_result r;
	struct em_exception exc;
	int calls;
};

/* Emulate until done (at most 64 calls), with a budget per call. */
static void emulate(const struct insn *in, const struct em_ops *ops, u64 rflags,
		    u32 budget, struct outcome *o)
{
	struct em_ctx ctx;
	enum em_result r;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ops = ops;
	ctx.opaque = &regs;
	ctx.rip = 0x1000;
	ctx.rflags = rflags;
	ctx.cr0 = 0x80000033;
	em_test_flat_segs(&ctx, in->mode);
	ctx.rep_budget = budget;
	/* segment bases that are not page aligned move the wrap of the
	 * offset away from a page boundary; limits end runs mid-page */
	for (int s = 0; s < 6 && in->mode != INSN_MODE_64; s++)
		ctx.seg[s] = segs[s];
	o->calls = 0;
	do {
		r = insn_emulate(&ctx, in);
		o->calls++;
	} while (r == EM_CONTINUE && o->calls < 64 * 1024);
	o->m = m;
	o->rip = ctx.rip;
	o->rflags = ctx.rflags;
	o->r = r;
	o->exc = r == EM_EXCEPTION ? ctx.exc : (struct em_exception){0};
}

/* An offset near something interesting for address size asz. */
static u64 pick_offset(unsigned asz)
{
	u64 amask = asz == 8 ? ~0ULL : (1ULL << (8 * asz)) - 1;

	switch (rng_below(&rng, 4)) {
	case 0: /* next to the wrap */
		return (amask - rng_below(&rng, 40)) & amask;
	case 1: /* low */
		return rng_below(&rng, 64);
	case 2: /* next to a page end */
		return (rng_below(&rng, 32) * 0x1000 + 0x1000 -
			rng_below(&rng, 24)) &
		       amask;
	default:
		return rng_next(&rng) & amask & (MEM_SIZE - 1);
	}
}

/*
 * A random segment cache for segment seg, whose accesses start near offset
 * ea: mostly flat, else a limit a few elements from ea, expand-up or
 * expand-down (16- or 32-bit upper bound), sometimes read-only data.
 */
static void random_seg(struct gwalk_seg *sg, unsigned seg, u64 ea, unsigned asz)
{
	u32 type = rng_below(&rng, 4) ? 0x3 : 0x7; /* read/write, expand-down */

	if (rng_below(&rng, 8) == 0)
		type &= ~0x2u; /* read-only */
	sg->base = rng_below(&rng, 2) ? rng_below(&rng, 0x20000) : 0;
	sg->limit = (u32)(ea & (asz == 8 ? ~0ULL : (1ULL << (8 * asz)) - 1));
	sg->limit += (u32)rng_below(&rng, 64) - 32;
	if (rng_below(&rng, 2))
		sg->limit = 0xffffffffu;
	sg->ar = GWALK_AR_P | GWALK_AR_S | (seg == INSN_SEG_CS ? 0xb : type) |
		 (rng_below(&rng, 2) ? GWALK_AR_DB : 0);
}

static bool one_case(unsigned *n_faults)
{
	static const enum insn_mode modes[] = {INSN_MODE_16, INSN_MODE_32,
					       INSN_MODE_64};
	enum insn_mode mode = modes[rng_below(&rng, 3)];
	bool a67 = rng_below(&rng, 2), o66 = rng_below(&rng, 4) == 0,
	     w = rng_below(&rng, 4) == 0;
	bool movs = rng_below(&rng, 2), wide = rng_below(&rng, 2),
	     down = rng_below(&rng, 3) == 0;
	u8 b[8];
	size_t n = 0;
	struct insn in;
	unsigned asz;
	u64 rflags = 0x2 | (down ? 0x400 : 0);
	u32 budget = (u32)(rng_below(&rng, 4) ? rng_below(&rng, 300) : 0);
	static struct outcome a, c;

	b[n++] = 0xf3;
	if (o66)
		b[n++] = 0x66;
	if (a67)
		b[n++] = 0x67;
	if (mode == INSN_MODE_64 && w && wide)
		b[n++] = 0x48;
	b[n++] = (u8)((movs ? 0xa4 : 0xaa) | wide);
	if (insn_decode(&in, b, n, mode) != INSN_OK)
		return false;
	asz = in.addrsize;
	for (int i = 0; i < 16; i++)
		m.gpr[i] = rng_next(&rng);
	m.gpr[1] =
	    rng_below(&rng, 3) ? rng_below(&rng, 700) : rng_below(&rng, 5000);
	/* bits above the address size must be kept and ignored */
	for (int r = 6; r <= 7; r++)
		m.gpr[r] = asz == 8
			       ? pick_offset(asz) & (MEM_SIZE - 1)
			       : pick_offset(asz) | rng_next(&rng) << (8 * asz);
	for (int i = 0; i < MEM_SIZE; i++)
		m.mem[i] = (u8)rng_next(&rng);
	for (int s = 0; s < 6; s++)
		random_seg(&segs[s], s, m.gpr[s == INSN_SEG_ES ? 7 : 6], asz);
	m.bad_page =
	    rng_below(&rng, 3) == 0 ? rng_below(&rng, MEM_SIZE >> 12) : ~0ULL;
	m.broken = false;
	{
		struct model start = m;

		emulate(&in, &ops_steps, rflags, budget, &a);
		m = start;
		emulate(&in, &ops_runs, rflags, budget, &c);
	}
	*n_faults += a.r == EM_EXCEPTION;
	return !c.m.broken && a.r == c.r && a.rip == c.rip &&
	       a.rflags == c.rflags &&
	       !memcmp(a.m.gpr, c.m.gpr, sizeof(a.m.gpr)) &&
	       !memcmp(a.m.mem, c.m.mem, MEM_SIZE) &&
	       a.exc.vector == c.exc.vector && a.exc.cr2 == c.exc.cr2;
}

int main(void)
{
	u64 seed = rng_seed_env(&rng, 0x72756e73ULL);
	unsigned long iters = env_u64("MICA_ITERS", 10000);
	unsigned bad = 0, n_faults = 0;

	for (unsigned long i = 0; i < iters; i++)
		if (!one_case(&n_faults) && bad++ < 5)
			tap_diag("case %lu differs", i);
	tap_ok(bad == 0 && runs > 0,
	       "REP MOVS/STOS runs vs element steps (seed %#llx): %lu cases "
	       "(%u faulting, %llu runs of %llu elements), %u differences",
	       (unsigned long long)seed, iters, n_faults,
	       (unsigned long long)runs, (unsigned long long)run_elems, bad);
	return tap_done();
}
