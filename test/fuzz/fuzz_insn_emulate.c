/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for decode + emulate. The input chooses the CPU mode,
 * context options, a script of memory-callback outcomes (ok / retry /
 * exception), RFLAGS, up to 15 instruction bytes and the GPR values.
 * Checked: no crash or sanitizer report; decoded length <= 15; callbacks
 * see sizes 1..32 and register numbers < 16; an instruction that does not
 * complete (RETRY, EXCEPTION, UNSUPPORTED) writes no memory and no GPR,
 * except a REP string instruction, which writes exactly one element per
 * iteration it completed; RIP moves only on DONE, by the length.
 *
 * Input layout: [0] mode and options, [1] REP budget, [2..9] outcome
 * script (2 bits per access), [10..17] RFLAGS, [18] instruction length,
 * [19..33] instruction bytes, then GPR values (8 bytes each).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/support/em_guest.h"
#include "test/unit/support/em_segs.h"
#include "test/unit/support/insn_branch.h"
#include "vmm/insn/insn.h"
#include "vmm/emulate/insn_emulate.h"

#define MEM_SIZE 0x2000

static struct {
	u64 gpr[16];
	u8 vec[16][32];
	u8 mem[MEM_SIZE];
	u64 script;
	int accesses, mem_writes;
} f;

static struct em_regs regs = {.gpr = f.gpr, .vec = f.vec};

static void check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "invariant violated: %s\n", what);
		abort();
	}
}

/* Outcome of the next memory access from the script. */
static enum em_mem_result outcome(struct em_ctx *ctx, gva_t la, unsigned size)
{
	unsigned k = (f.script >> (2 * (f.accesses++ & 31))) & 3;

	check(size >= 1 && size <= 32, "access size 1..32");
	if (k == 1)
		return EM_MEM_RETRY;
	if (k == 2)
		return em_page_fault(ctx, la, 0);
	return EM_MEM_OK;
}

static u8 *at(gva_t la)
{
	return f.mem + (la & (MEM_SIZE / 2 - 1)); /* + 32 bytes stays inside */
}

static enum em_mem_result fz_read(struct em_ctx *ctx, gva_t la, void *buf,
				  unsigned size)
{
	enum em_mem_result r = outcome(ctx, la, size);

	if (r == EM_MEM_OK)
		memcpy(buf, at(la), size);
	return r;
}

static enum em_mem_result fz_write(struct em_ctx *ctx, gva_t la,
				   const void *buf, unsigned size)
{
	enum em_mem_result r = outcome(ctx, la, size);

	if (r == EM_MEM_OK) {
		memcpy(at(la), buf, size);
		f.mem_writes++;
	}
	return r;
}

static enum em_mem_result fz_cmpxchg(struct em_ctx *ctx, gva_t la, void *old,
				     const void *new_val, unsigned size,
				     bool *swapped)
{
	enum em_mem_result r = outcome(ctx, la, size);

	check(size == 1 || size == 2 || size == 4 || size == 8 || size == 16,
	      "cmpxchg size");
	if (r != EM_MEM_OK)
		return r;
	em_cmpxchg_bytes(at(la), old, new_val, size, swapped);
	f.mem_writes += *swapped;
	return EM_MEM_OK;
}

static const struct em_ops fz_ops = {
    .read_gpr = em_regs_read_gpr,
    .write_gpr = em_regs_write_gpr,
    .read_mem = fz_read,
    .write_mem = fz_write,
    .cmpxchg_mem = fz_cmpxchg,
    .read_vec = em_regs_read_vec,
    .write_vec = em_regs_write_vec,
};

static u64 le64(const u8 *p, size_t avail)
{
	u64 v = 0;

	memcpy(&v, p, avail < 8 ? avail : 8);
	return v;
}

static bool is_string(const struct insn *in)
{
	return in->enc == INSN_ENC_LEGACY && in->map == INSN_MAP_1B &&
	       ((in->opcode >= 0xa4 && in->opcode <= 0xa7) ||
		(in->opcode >= 0xaa && in->opcode <= 0xaf));
}

/* Memory writes a string instruction makes per iteration. */
static bool writes_memory(const struct insn *in)
{
	return in->opcode <= 0xa5 || in->opcode == 0xaa || in->opcode == 0xab;
}

static void emulate_checked(struct em_ctx *ctx, const struct insn *in)
{
	enum em_result r;
	int rounds = 0;

	do {
		u64 rip = ctx->rip, rcx = f.gpr[1];
		int mw = f.mem_writes;
		unsigned gw = regs.gpr_writes;

		r = insn_emulate(ctx, in);
		check(r <= EM_UNSUPPORTED, "result code");
		if (r == EM_DONE)
			break;
		check(ctx->rip == rip, "RIP moves only on DONE");
		if (r == EM_CONTINUE) {
			check(is_string(in), "CONTINUE only for strings");
			continue;
		}
		if (!is_string(in) || r == EM_UNSUPPORTED) {
			check(f.mem_writes == mw, "no memory write on failure");
			check(regs.gpr_writes == gw, "no GPR write on failure");
		} else if (writes_memory(in)) {
			/* Completed iterations: RCX went down by their count. */
			u64 mask = in->addrsize == 8   ? ~0ULL
				   : in->addrsize == 4 ? 0xffffffffULL
						       : 0xffffULL;
			u64 done =
			    (in->pfx.flags & (INSN_PFX_REP | INSN_PFX_REPNE))
				? (rcx - f.gpr[1]) & mask
				: 0;

			check((u64)(f.mem_writes - mw) == done,
			      "one write per completed iteration");
		}
		return;
	} while (++rounds < 64);
	if (r == EM_DONE && !insn_is_branch(in))
		check(ctx->rip == 0x1000 + in->len,
		      "RIP advanced by the length");
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const enum insn_mode modes[] = {INSN_MODE_16, INSN_MODE_32,
					       INSN_MODE_64, INSN_MODE_64};
	struct em_ctx ctx;
	struct insn in;
	size_t n;

	if (size < 20)
		return 0;
	memset(&f, 0, sizeof(f));
	regs.gpr_writes = 0;
	memset(&ctx, 0, sizeof(ctx));
	for (size_t i = 0; i < sizeof(f.mem); i++)
		f.mem[i] = (u8)(i * 131 + data[i % size]);
	f.script = le64(data + 2, 8);
	for (int i = 0; i < 16; i++) {
		size_t off = 34 + 8 * (size_t)i;

		f.gpr[i] = off < size ? le64(data + off, size - off)
				      : 0x1000ULL * (u64)i;
	}
	ctx.ops = &fz_ops;
	ctx.opaque = &regs;
	ctx.rip = 0x1000;
	ctx.rflags = (le64(data + 10, 8) & 0x40dd5) | 2;
	ctx.rep_budget = data[1] & 15;
	ctx.align_check = data[0] & 4;
	ctx.cr0 = (data[0] & 8) ? 0x8000003b : 0x80000033;
	ctx.cr4 = (data[0] & 16) ? BIT(9) : BIT(9) | BIT(18);
	ctx.xcr0 = (data[0] & 32) ? 3 : 7;
	/* Segment caches: flat, or (data[0] bit 7) random limits and
	 * access rights, expand-down and unusable segments included. */
	em_test_flat_segs(&ctx, modes[data[0] & 3]);
	for (int i = 0; i < 6 && (data[0] & 128); i++) {
		ctx.seg[i].limit = 0xfff0U << (data[1] >> 4);
		ctx.seg[i].ar = data[11 + i] | (u32)(data[17] & 0xc1) << 8 |
				(data[17] & 2 ? GWALK_AR_UNUSABLE : 0);
	}
	if (data[0] & 64)
		ctx.seg[INSN_SEG_SS].ar &= ~GWALK_AR_DB;
	ctx.seg[INSN_SEG_FS].base = 0x7000;
	n = data[18] % 16;
	if (n > size - 19)
		n = size - 19;
	if (insn_decode(&in, data + 19, n, modes[data[0] & 3]) != INSN_OK)
		return 0;
	check(in.len >= 1 && in.len <= INSN_MAX_LEN && in.len <= n,
	      "decoded length");
	emulate_checked(&ctx, &in);
	return 0;
}
