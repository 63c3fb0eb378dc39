/* SPDX-License-Identifier: MIT */
/*
 * Directed emulator tests for what the host-CPU differential test cannot
 * reach: REP budgets and resumption, DF = 1, address-size wrapping in 16-,
 * 32- and 64-bit code, segment bases, whole-access hand-over at page
 * boundaries, callbacks that ask for a retry or raise an exception (no
 * state may change), #DE, #GP/#SS/#AC/#NM/#UD rules and UNSUPPORTED forms.
 */
#include <stdio.h>
#include <string.h>

#include "test/unit/support/em_guest.h"
#include "test/unit/support/em_run.h"
#include "test/unit/support/em_segs.h"
#include "test/unit/support/tap.h"
#include "vmm/insn/insn.h"
#include "vmm/emulate/insn_emulate.h"

#define MEM_SIZE 0x20000

/* Guest model: GPRs, vectors, memory aliased every MEM_SIZE bytes of
 * linear space, access script. */
static struct {
	u64 gpr[16];
	u8 vec[16][32];
	u8 mem[MEM_SIZE];
	int accesses; /* memory callbacks so far */
	int fail_at;  /* access number that fails, -1 none */
	enum em_mem_result fail_how;
	bool cmpxchg_lose; /* cmpxchg reports a concurrent change */
	gva_t last_la[8];
	unsigned last_size[8];
} g;

static struct em_regs regs = {.gpr = g.gpr, .vec = g.vec};

static enum em_mem_result access(struct em_ctx *ctx, gva_t la, unsigned size)
{
	int n = g.accesses++;

	if (n < 8) {
		g.last_la[n] = la;
		g.last_size[n] = size;
	}
	if (n == g.fail_at)
		return g.fail_how == EM_MEM_EXCEPTION
			   ? em_page_fault(ctx, la, 2)
			   : g.fail_how;
	if ((la & (MEM_SIZE - 1)) + size > MEM_SIZE)
		return em_page_fault(ctx, la, 0);
	return EM_MEM_OK;
}

static enum em_mem_result t_read(struct em_ctx *ctx, gva_t la, void *buf,
				 unsigned size)
{
	enum em_mem_result r = access(ctx, la, size);

	if (r == EM_MEM_OK)
		memcpy(buf, g.mem + (la & (MEM_SIZE - 1)), size);
	return r;
}

static enum em_mem_result t_write(struct em_ctx *ctx, gva_t la, const void *buf,
				  unsigned size)
{
	enum em_mem_result r = access(ctx, la, size);

	if (r == EM_MEM_OK)
		memcpy(g.mem + (la & (MEM_SIZE - 1)), buf, size);
	return r;
}

static enum em_mem_result t_cmpxchg(struct em_ctx *ctx, gva_t la, void *old,
				    const void *new_val, unsigned size,
				    bool *swapped)
{
	enum em_mem_result r = access(ctx, la, size);

	if (r != EM_MEM_OK)
		return r;
	if (g.cmpxchg_lose)
		g.mem[la] ^= 0x55; /* another CPU got there first */
	em_cmpxchg_bytes(g.mem + la, old, new_val, size, swapped);
	return EM_MEM_OK;
}

static const struct em_ops ops = {
    .read_gpr = em_regs_read_gpr,
    .write_gpr = em_regs_write_gpr,
    .read_mem = t_read,
    .write_mem = t_write,
    .cmpxchg_mem = t_cmpxchg,
    .read_vec = em_regs_read_vec,
    .write_vec = em_regs_write_vec,
};

static struct em_ctx ctx;
static struct insn in;

/* Fresh guest state and context; RIP 0x1000, SSE/AVX enabled. */
static void reset(enum insn_mode mode)
{
	memset(&g, 0, sizeof(g));
	g.fail_at = -1;
	regs.gpr_writes = 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.ops = &ops;
	ctx.opaque = &regs;
	ctx.rip = 0x1000;
	ctx.rflags = 0x2;
	ctx.cr0 = 0x80000033;
	ctx.cr4 = BIT(9) | BIT(18);
	ctx.xcr0 = 7;
	em_test_flat_segs(&ctx, mode);
}

#define RUN(mode, ...) EM_RUN(in, ctx, mode, __VA_ARGS__)

static void test_rep_budget(void)
{
	int calls = 0;
	enum em_result r;
	bool ok = true;

	/* F3 A4: REP MOVSB, 100 bytes from 0x2000 to 0x3000, budget 7. */
	reset(INSN_MODE_64);
	for (int i = 0; i < 100; i++)
		g.mem[0x2000 + i] = (u8)(i * 7 + 1);
	g.gpr[1] = 100;
	g.gpr[6] = 0x2000;
	g.gpr[7] = 0x3000;
	ctx.rep_budget = 7;
	do {
		r = RUN(INSN_MODE_64, 0xf3, 0xa4);
		calls++;
		if (r == EM_CONTINUE)
			ok &= ctx.rip == 0x1000 &&
			      g.gpr[1] == 100 - 7 * (u64)calls &&
			      g.gpr[6] == 0x2000 + 7 * (u64)calls;
	} while (r == EM_CONTINUE && calls < 100);
	tap_ok(ok && r == EM_DONE && calls == 15 && ctx.rip == 0x1002 &&
		   g.gpr[1] == 0 && g.gpr[6] == 0x2064 && g.gpr[7] == 0x3064 &&
		   !memcmp(g.mem + 0x2000, g.mem + 0x3000, 100),
	       "REP MOVSB 100 with budget 7: %d calls, CONTINUE keeps RIP, "
	       "RCX/RSI/RDI updated per call",
	       calls);

	/* REP with RCX = 0: no access, RIP advances. */
	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0xf3, 0xab);
	tap_ok(r == EM_DONE && g.accesses == 0 && ctx.rip == 0x1002,
	       "REP STOSD with RCX = 0: no memory access, RIP advanced");

	/* REPE CMPSB stops at the first difference, budget permitting. */
	reset(INSN_MODE_64);
	memcpy(g.mem + 0x2000, "abcdefgh", 8);
	memcpy(g.mem + 0x3000, "abcdXfgh", 8);
	g.gpr[1] = 8;
	g.gpr[6] = 0x2000;
	g.gpr[7] = 0x3000;
	r = RUN(INSN_MODE_64, 0xf3, 0xa6);
	tap_ok(r == EM_DONE && g.gpr[1] == 3 && g.gpr[6] == 0x2005 &&
		   !(ctx.rflags & BIT(6)) && ctx.rip == 0x1002,
	       "REPE CMPSB stops after the mismatch (RCX 3, ZF 0)");

	/* REPNE SCASB finds the byte. */
	reset(INSN_MODE_64);
	memcpy(g.mem + 0x3000, "xxxxxxQx", 8);
	g.gpr[0] = 'Q';
	g.gpr[1] = 50;
	g.gpr[7] = 0x3000;
	r = RUN(INSN_MODE_64, 0xf2, 0xae);
	tap_ok(r == EM_DONE && g.gpr[1] == 43 && g.gpr[7] == 0x3007 &&
		   (ctx.rflags & BIT(6)),
	       "REPNE SCASB stops on the match (RCX 43, ZF 1)");
}

static void test_df_and_wrap(void)
{
	enum em_result r;

	/* DF = 1: REP STOSD runs downwards. */
	reset(INSN_MODE_64);
	ctx.rflags |= BIT(10);
	g.gpr[0] = 0x11223344;
	g.gpr[1] = 3;
	g.gpr[7] = 0x3008;
	r = RUN(INSN_MODE_64, 0xf3, 0xab);
	tap_ok(r == EM_DONE && g.gpr[7] == 0x2ffc &&
		   *(u32 *)(g.mem + 0x3000) == 0x11223344 &&
		   *(u32 *)(g.mem + 0x3008) == 0x11223344 &&
		   *(u32 *)(g.mem + 0x2ffc) == 0,
	       "REP STOSD with DF = 1 stores 0x3008, 0x3004, 0x3000");

	/* 67h in 64-bit mode: ESI/EDI/ECX wrap at 4 GiB, upper bits 0. */
	reset(INSN_MODE_64);
	g.gpr[1] = 0xdead000000000002ULL;
	g.gpr[6] = 0x12345678ffffffffULL;
	g.gpr[7] = 0x3000;
	g.mem[0x0] = 0xab;
	r = RUN(INSN_MODE_64, 0x67, 0xf3, 0xa4);
	tap_ok(r == EM_DONE && g.gpr[6] == 1 && g.gpr[1] == 0 &&
		   g.mem[0x3001] == 0xab && g.last_la[0] == 0xffffffff,
	       "67 REP MOVSB: ESI wraps 0xffffffff -> 0, ECX counts, upper "
	       "halves cleared");

	/* 16-bit code: SI wraps at 64 KiB and keeps bits 63:16. */
	reset(INSN_MODE_16);
	g.gpr[6] = 0xaaaa0000ffffULL;
	g.gpr[7] = 0x100;
	ctx.seg[INSN_SEG_DS].base = 0x10000;
	ctx.seg[INSN_SEG_ES].base = 0x0;
	g.mem[0x1ffff] = 0x5a;
	r = RUN(INSN_MODE_16, 0xa4);
	tap_ok(r == EM_DONE && g.gpr[6] == 0xaaaa00000000ULL &&
		   g.gpr[7] == 0x101 && g.mem[0x100] == 0x5a &&
		   ctx.rip == 0x1001,
	       "16-bit MOVSB: DS base added, SI wraps to 0 keeping bits 63:16");

	/* 16-bit ModRM [bp+di+disp8]: SS default segment, 64 KiB wrap. */
	reset(INSN_MODE_16);
	g.gpr[5] = 0xfff0;
	g.gpr[7] = 0x20;
	ctx.seg[INSN_SEG_SS].base = 0x8000;
	g.gpr[0] = 0x1234;
	r = RUN(INSN_MODE_16, 0x89, 0x43, 0x01); /* mov [bp+di+1], ax */
	tap_ok(r == EM_DONE && g.last_la[0] == 0x8000 + 0x11 &&
		   g.mem[0x8011] == 0x34 && g.mem[0x8012] == 0x12,
	       "16-bit MOV [BP+DI+1]: SS base, offset wraps to 0x11");

	/* 32-bit code: linear address wraps at 4 GiB. */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_DS].base = 0xfffff000;
	g.gpr[3] = 0x1100;
	g.mem[0x100] = 0x77;
	r = RUN(INSN_MODE_32, 0x8a, 0x03); /* mov al, [ebx] */
	tap_ok(r == EM_DONE && (g.gpr[0] & 0xff) == 0x77 &&
		   g.last_la[0] == 0x100,
	       "32-bit MOV AL, [EBX]: base + offset wraps at 4 GiB");

	/* Segment limits in 32-bit code: last byte beyond the limit. */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_DS].limit = 0x2002;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_32, 0x8b, 0x03); /* mov eax, [ebx]: bytes ..0x2003 */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_GP &&
		   ctx.exc.has_error_code && ctx.exc.error_code == 0 &&
		   g.accesses == 0,
	       "32-bit MOV beyond the DS limit: #GP(0), no access");
	r = RUN(INSN_MODE_32, 0x66, 0x8b, 0x03); /* mov ax, [ebx] */
	tap_ok(r == EM_DONE, "32-bit MOV within the DS limit: done");
	ctx.seg[INSN_SEG_DS].limit = 0xffffffff;
	ctx.seg[INSN_SEG_SS].limit = 0xffe;
	g.gpr[4] = 0x1000;
	r = RUN(INSN_MODE_32, 0xff, 0x33); /* push dword [ebx] */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_SS &&
		   ctx.exc.error_code == 0,
	       "32-bit PUSH with ESP - 4 + 3 beyond the SS limit: #SS(0)");

	/* 16-bit stack (SS.B = 0) in 32-bit code: SP wraps. */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_SS].ar &= ~GWALK_AR_DB;
	g.gpr[4] = 0x12340000;
	g.gpr[3] = 0x2000;
	*(u32 *)(g.mem + 0x2000) = 0xcafef00d;
	r = RUN(INSN_MODE_32, 0xff, 0x33); /* push dword [ebx] */
	tap_ok(r == EM_DONE && g.gpr[4] == 0x1234fffc &&
		   *(u32 *)(g.mem + 0xfffc) == 0xcafef00d,
	       "PUSH m32 on a 16-bit stack: SP wraps to 0xfffc, bits 31:16 "
	       "kept");
}

static void test_failures(void)
{
	enum em_result r;

	/* RMW: the write of ADD [rbx], eax fails after the read. */
	for (int how = EM_MEM_RETRY; how <= EM_MEM_EXCEPTION; how++) {
		reset(INSN_MODE_64);
		g.gpr[3] = 0x2000;
		g.gpr[0] = 5;
		*(u32 *)(g.mem + 0x2000) = 7;
		g.fail_at = 1;
		g.fail_how = (enum em_mem_result)how;
		r = RUN(INSN_MODE_64, 0x01, 0x03);
		tap_ok(
		    r == (how == EM_MEM_RETRY ? EM_RETRY : EM_EXCEPTION) &&
			*(u32 *)(g.mem + 0x2000) == 7 && regs.gpr_writes == 0 &&
			ctx.rflags == 0x2 && ctx.rip == 0x1000 &&
			(how == EM_MEM_RETRY || (ctx.exc.vector == EM_VEC_PF &&
						 ctx.exc.cr2 == 0x2000)),
		    "ADD [rbx], eax with failing write (%s): no state change",
		    how == EM_MEM_RETRY ? "retry" : "#PF");
	}

	/* XADD: register half not committed when the memory write fails. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	g.gpr[1] = 9;
	g.fail_at = 1;
	g.fail_how = EM_MEM_EXCEPTION;
	r = RUN(INSN_MODE_64, 0x0f, 0xc1, 0x0b);
	tap_ok(r == EM_EXCEPTION && g.gpr[1] == 9 && regs.gpr_writes == 0,
	       "XADD [rbx], ecx: failing write leaves ECX unchanged");

	/* POP m: RSP not committed when the destination write fails. */
	reset(INSN_MODE_64);
	g.gpr[4] = 0x4000;
	g.gpr[3] = 0x2000;
	g.fail_at = 1;
	g.fail_how = EM_MEM_EXCEPTION;
	r = RUN(INSN_MODE_64, 0x8f, 0x03);
	tap_ok(r == EM_EXCEPTION && g.gpr[4] == 0x4000 && regs.gpr_writes == 0,
	       "POP [rbx]: failing write leaves RSP unchanged");

	/* REP MOVSD: fault in iteration 3 commits iterations 1-2 only. */
	reset(INSN_MODE_64);
	g.gpr[1] = 10;
	g.gpr[6] = 0x2000;
	g.gpr[7] = 0x3000;
	g.fail_at = 5; /* read 1, write 1, read 2, write 2, read 3, WRITE 3 */
	g.fail_how = EM_MEM_EXCEPTION;
	r = RUN(INSN_MODE_64, 0xf3, 0xa5);
	tap_ok(r == EM_EXCEPTION && g.gpr[1] == 8 && g.gpr[6] == 0x2008 &&
		   g.gpr[7] == 0x3008 && ctx.rip == 0x1000,
	       "REP MOVSD fault in iteration 3: RCX 8, RSI/RDI +8, RIP kept");

	/* LOCK ADD losing a race: retried, nothing committed. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	g.gpr[0] = 1;
	g.cmpxchg_lose = true;
	r = RUN(INSN_MODE_64, 0xf0, 0x01, 0x03);
	tap_ok(r == EM_RETRY && regs.gpr_writes == 0 && ctx.rip == 0x1000,
	       "LOCK ADD whose cmpxchg sees a concurrent change: RETRY");

	/* Page-crossing access is handed to the callback whole. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x1ffe;
	g.gpr[0] = 0xa1b2c3d4;
	r = RUN(INSN_MODE_64, 0x89, 0x03);
	tap_ok(r == EM_DONE && g.accesses == 1 && g.last_la[0] == 0x1ffe &&
		   g.last_size[0] == 4,
	       "MOV across a page boundary: one callback (la 0x1ffe, 4 "
	       "bytes); the callback splits");

	/* Non-canonical: #GP(0), or #SS(0) for an RSP-based operand. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x0000800000000000ULL;
	r = RUN(INSN_MODE_64, 0x8b, 0x03);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_GP &&
		   ctx.exc.has_error_code && g.accesses == 0,
	       "non-canonical DS access: #GP(0)");
	reset(INSN_MODE_64);
	g.gpr[4] = 0x0000800000000000ULL;
	r = RUN(INSN_MODE_64, 0x8b, 0x04, 0x24);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_SS,
	       "non-canonical [rsp] access: #SS(0)");

	/* #AC with CR0.AM, CPL 3 and EFLAGS.AC. */
	reset(INSN_MODE_64);
	ctx.align_check = true;
	ctx.rflags |= BIT(18);
	g.gpr[3] = 0x2001;
	r = RUN(INSN_MODE_64, 0x8b, 0x03);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_AC,
	       "misaligned MOV with alignment checking: #AC(0)");
}

static void test_exceptions(void)
{
	enum em_result r;

	reset(INSN_MODE_64);
	g.gpr[0] = 10;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0xf7, 0x33); /* div dword [rbx] (0) */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_DE &&
		   !ctx.exc.has_error_code && regs.gpr_writes == 0,
	       "DIV by zero: #DE, no register written");

	reset(INSN_MODE_64);
	g.gpr[0] = 0;
	g.gpr[2] = 0x8000000000000000ULL;
	g.gpr[1] = ~0ULL;
	r = RUN(INSN_MODE_64, 0x48, 0xf7, 0xf9); /* idiv rcx */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_DE,
	       "IDIV of -2^127 by -1: quotient overflow #DE");

	reset(INSN_MODE_64);
	g.gpr[0] = 0;
	g.gpr[2] = 0xffffffffffffffffULL;
	g.gpr[1] = 2;
	r = RUN(INSN_MODE_64, 0x48, 0xf7, 0xf9); /* idiv rcx: -2^64/2 */
	tap_ok(r == EM_DONE && g.gpr[0] == 0x8000000000000000ULL && !g.gpr[2],
	       "IDIV of -2^64 by 2 = -2^63 fits");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2008;
	r = RUN(INSN_MODE_64, 0x66, 0x0f, 0x6f, 0x03); /* movdqa xmm0,[rbx] */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_GP &&
		   g.accesses == 0,
	       "MOVDQA from an 8-byte aligned address: #GP(0), no access");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2008;
	r = RUN(INSN_MODE_64, 0x48, 0x0f, 0xc7, 0x0b); /* cmpxchg16b [rbx] */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_GP &&
		   g.accesses == 0,
	       "CMPXCHG16B on a misaligned operand: #GP(0)");

	reset(INSN_MODE_64);
	ctx.cr0 |= BIT(3);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0xf3, 0x0f, 0x6f, 0x03);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_NM,
	       "MOVDQU with CR0.TS: #NM");

	reset(INSN_MODE_64);
	ctx.xcr0 = 3;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0xc5, 0xfe, 0x6f, 0x03); /* vmovdqu ymm0 */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_UD,
	       "VMOVDQU without XCR0.AVX: #UD");

	/* LOCK on a non-lockable form and on a register destination. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	if (insn_decode(&in, (const u8[]){0x89, 0x03}, 2, INSN_MODE_64) ==
	    INSN_OK) {
		in.pfx.flags |= INSN_PFX_LOCK;
		r = insn_emulate(&ctx, &in);
		tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_UD &&
			   g.accesses == 0,
		       "LOCK MOV [rbx], eax: #UD");
	} else {
		tap_ok(0, "decode of MOV [rbx], eax");
	}
	reset(INSN_MODE_64);
	if (insn_decode(&in, (const u8[]){0x01, 0xc3}, 2, INSN_MODE_64) ==
	    INSN_OK) {
		in.pfx.flags |= INSN_PFX_LOCK;
		r = insn_emulate(&ctx, &in);
		tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_UD,
		       "LOCK ADD ebx, eax (register destination): #UD");
	} else {
		tap_ok(0, "decode of ADD ebx, eax");
	}
}

static void test_unsupported(void)
{
	char buf[160];
	enum em_result r;

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0x0f, 0xa2); /* cpuid */
	insn_emulate_describe(&ctx, buf, sizeof(buf));
	tap_ok(r == EM_UNSUPPORTED && regs.gpr_writes == 0 &&
		   ctx.rip == 0x1000 && strstr(buf, "0f a2") != NULL,
	       "CPUID: UNSUPPORTED, described as \"%s\"", buf);

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x66, 0x0f, 0x10, 0x03); /* movupd */
	insn_emulate_describe(&ctx, buf, sizeof(buf));
	tap_ok(r == EM_UNSUPPORTED && g.accesses == 0,
	       "MOVUPD (not in the list): UNSUPPORTED \"%s\"", buf);

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0xc7, 0xf8, 0x10, 0, 0, 0); /* xbegin */
	tap_ok(r == EM_UNSUPPORTED && regs.gpr_writes == 0,
	       "XBEGIN (C7 /7) is not taken for MOV: UNSUPPORTED");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0xf6, 0x0b, 0x01); /* F6 /1: undocumented TEST */
	tap_ok(r == EM_UNSUPPORTED || r == (enum em_result) - 1,
	       "F6 /1 (reserved alias of TEST): not guessed");

	reset(INSN_MODE_32);
	r = RUN(INSN_MODE_32, 0x63, 0x03); /* arpl */
	tap_ok(r == EM_UNSUPPORTED, "ARPL in 32-bit code: UNSUPPORTED");

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0x0f, 0x0f, 0x03, 0x0d); /* 3DNow! */
	tap_ok(r == EM_UNSUPPORTED || r == (enum em_result) - 1,
	       "3DNow! form: not emulated");
}

static void test_misc(void)
{
	enum em_result r;
	bool nops = true;

	/* NOP (SDM Vol. 2B "NOP"): 90, PAUSE, 0F 1F /0 with a memory operand
	 * that is not read; only RIP moves. 90 with REX.B is XCHG r8, rAX. */
	reset(INSN_MODE_64);
	g.gpr[0] = 0x1234;
	nops &= RUN(INSN_MODE_64, 0x90) == EM_DONE && ctx.rip == 0x1001;
	nops &= RUN(INSN_MODE_64, 0xf3, 0x90) == EM_DONE && ctx.rip == 0x1003;
	nops &= RUN(INSN_MODE_64, 0x0f, 0x1f, 0x44, 0x00, 0x00) == EM_DONE &&
		ctx.rip == 0x1008;
	nops &= RUN(INSN_MODE_32, 0x66, 0x0f, 0x1f, 0x04, 0x25, 0, 0, 0, 0) ==
		    EM_DONE &&
		ctx.rip == 0x1011;
	nops &= regs.gpr_writes == 0 && g.gpr[0] == 0x1234 &&
		ctx.rflags == 0x2 && g.last_la[0] == 0;
	nops &= RUN(INSN_MODE_64, 0x41, 0x90) == EM_UNSUPPORTED &&
		ctx.rip == 0x1011;
	tap_ok(nops, "NOP, PAUSE and NOP r/m: RIP advances, no register, flag "
		     "or memory access; REX.B 90 (XCHG r8, rAX) unsupported");

	/* BT with a negative register offset addresses below the base. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	g.gpr[1] = (u64)-9; /* bit 7 of the byte at 0x2000 - 2 */
	g.mem[0x1ffe] = 0x80;
	r = RUN(INSN_MODE_64, 0x66, 0x0f, 0xab, 0x0b); /* bts [rbx], cx */
	tap_ok(r == EM_DONE && (ctx.rflags & 1) && g.last_la[0] == 0x1ffe,
	       "BTS m16, r16 with offset -9: word at EA - 2, bit 7 (CF 1)");

	/* CMPXCHG8B success and failure. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	*(u64 *)(g.mem + 0x2000) = 0x1111111122222222ULL;
	g.gpr[2] = 0x11111111;
	g.gpr[0] = 0x22222222;
	g.gpr[1] = 0xaaaaaaaa;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0xf0, 0x0f, 0xc7, 0x0b);
	tap_ok(r == EM_DONE && (ctx.rflags & BIT(6)) &&
		   *(u64 *)(g.mem + 0x2000) == 0xaaaaaaaa00002000ULL,
	       "LOCK CMPXCHG8B match: ECX:EBX stored, ZF 1");

	/* MOVS with a segment override in 32-bit code. */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_FS].base = 0x8000;
	ctx.seg[INSN_SEG_ES].base = 0x4000;
	g.mem[0x8010] = 0x99;
	g.gpr[6] = 0x10;
	g.gpr[7] = 0x20;
	r = RUN(INSN_MODE_32, 0x64, 0xa4);
	tap_ok(r == EM_DONE && g.mem[0x4020] == 0x99,
	       "FS: MOVSB in 32-bit code: FS base for the source, ES for "
	       "the destination");

	/* VEX.128 load zeroes the upper YMM half; legacy keeps it. */
	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memset(g.vec[1], 0xee, 32);
	memset(g.vec[2], 0xee, 32);
	r = RUN(INSN_MODE_64, 0xc5, 0xfa, 0x6f, 0x0b);	/* vmovdqu xmm1 */
	r |= RUN(INSN_MODE_64, 0xf3, 0x0f, 0x6f, 0x13); /* movdqu xmm2 */
	tap_ok(r == EM_DONE && g.vec[1][16] == 0 && g.vec[2][16] == 0xee,
	       "VMOVDQU xmm zeroes YMM[255:128], MOVDQU keeps it");
}

/* 16- and 32-bit code: operand/address-size defaults and overrides. */
static void test_legacy_modes(void)
{
	enum em_result r;

	reset(INSN_MODE_16);
	ctx.seg[INSN_SEG_DS].base = 0x10000;
	g.gpr[3] = 0xfff8;
	g.gpr[6] = 0x0018;
	g.gpr[0] = 0xaaaabbbbccccddddULL;
	g.mem[0x10000] = 0x34;
	g.mem[0x10001] = 0x12;
	r = RUN(INSN_MODE_16, 0x8b, 0x40, 0xf0); /* mov ax, [bx+si-0x10] */
	tap_ok(r == EM_DONE && g.gpr[0] == 0xaaaabbbbcccc1234ULL &&
		   g.last_la[0] == 0x10000 && ctx.rip == 0x1003,
	       "16-bit MOV AX, [BX+SI-0x10]: wraps to DS:0, 16-bit merge");

	reset(INSN_MODE_16);
	ctx.seg[INSN_SEG_SS].base = 0x4000;
	g.gpr[5] = 0x0102;
	g.mem[0x4100] = 0xff;
	g.mem[0x4101] = 0xff;
	r = RUN(INSN_MODE_16, 0x83, 0x46, 0xfe, 0x01); /* add [bp-2], 1 */
	tap_ok(r == EM_DONE && g.mem[0x4100] == 0 && g.mem[0x4101] == 0 &&
		   (ctx.rflags & (BIT(0) | BIT(6))) == (BIT(0) | BIT(6)),
	       "16-bit ADD word [BP-2], 1: SS segment, CF and ZF set");

	reset(INSN_MODE_16);
	g.gpr[7] = 0x20;
	g.gpr[0] = 0x11223344;
	r = RUN(INSN_MODE_16, 0x66, 0x89, 0x05); /* mov [di], eax */
	tap_ok(r == EM_DONE && g.last_size[0] == 4 &&
		   *(u32 *)(g.mem + 0x20) == 0x11223344,
	       "16-bit 66 MOV [DI], EAX: 32-bit operand");

	reset(INSN_MODE_16);
	g.gpr[0] = 0x100;
	g.gpr[1] = 0x10;
	g.mem[0x140] = 0x42;
	r = RUN(INSN_MODE_16, 0x67, 0x8a, 0x14, 0x88); /* mov dl,[eax+ecx*4] */
	tap_ok(r == EM_DONE && (g.gpr[2] & 0xff) == 0x42,
	       "16-bit 67 MOV DL, [EAX+ECX*4]: 32-bit addressing");

	reset(INSN_MODE_16);
	g.gpr[1] = 0xabcd0002;
	g.gpr[6] = 0x100;
	g.gpr[7] = 0x200;
	r = RUN(INSN_MODE_16, 0xf3, 0xa5); /* rep movsw */
	tap_ok(r == EM_DONE && g.gpr[1] == 0xabcd0000 && g.gpr[6] == 0x104 &&
		   g.gpr[7] == 0x204,
	       "16-bit REP MOVSW: CX counts, bits 31:16 of ECX kept");

	reset(INSN_MODE_16);
	ctx.rip = 0xfffe;
	r = RUN(INSN_MODE_16, 0x88, 0xc4); /* mov ah, al */
	tap_ok(r == EM_DONE && ctx.rip == 0, "16-bit IP wraps at 64 KiB");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	g.mem[0x2000] = 0xf0;
	r = RUN(INSN_MODE_32, 0x82, 0x03, 0x20); /* add byte [ebx], 0x20 */
	tap_ok(r == EM_DONE && g.mem[0x2000] == 0x10 && (ctx.rflags & 1),
	       "32-bit 82 /0 (ADD r/m8, imm8 alias): CF from 0xf0 + 0x20");

	reset(INSN_MODE_32);
	g.gpr[4] = 0x3000;
	*(u16 *)(g.mem + 0x3000) = 0xbeef;
	r = RUN(INSN_MODE_32, 0x66, 0x8f, 0x04, 0x24); /* pop word [esp] */
	tap_ok(r == EM_DONE && g.gpr[4] == 0x3002 &&
		   *(u16 *)(g.mem + 0x3002) == 0xbeef,
	       "32-bit POP word [ESP]: address uses the incremented ESP");
}

/* Register forms that are #UD: the decoder or the emulator must say so. */
static void test_register_ud(void)
{
	static const struct {
		const char *name;
		u8 b[4];
		size_t n;
	} cases[] = {
	    {"CMPXCHG8B eax", {0x0f, 0xc7, 0xc8}, 3},
	    {"MOVBE eax, ecx", {0x0f, 0x38, 0xf0, 0xc1}, 4},
	    {"MOVNTDQ xmm, xmm", {0x66, 0x0f, 0xe7, 0xc1}, 4},
	    {"MOVNTI eax, ecx", {0x0f, 0xc3, 0xc1}, 3},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc;
		enum em_result r = EM_DONE;

		reset(INSN_MODE_64);
		rc = insn_decode(&in, cases[i].b, cases[i].n, INSN_MODE_64);
		if (rc == INSN_OK)
			r = insn_emulate(&ctx, &in);
		tap_ok(rc == INSN_E_UNDEF ||
			   (rc == INSN_OK && r == EM_EXCEPTION &&
			    ctx.exc.vector == EM_VEC_UD),
		       "%s: #UD (decoder %s, emulator %s)", cases[i].name,
		       insn_status_name(rc),
		       rc == INSN_OK ? em_result_name(r) : "-");
	}
	/* The emulator's own check, with the decoder's verdict bypassed. */
	reset(INSN_MODE_64);
	if (insn_decode(&in, (const u8[]){0x0f, 0xc7, 0x0b}, 3, INSN_MODE_64) ==
	    INSN_OK) {
		in.modrm.mod = 3;
		tap_ok(insn_emulate(&ctx, &in) == EM_EXCEPTION &&
			   ctx.exc.vector == EM_VEC_UD && g.accesses == 0,
		       "CMPXCHG8B forced to a register operand: emulator #UD");
	} else {
		tap_ok(0, "decode of CMPXCHG8B [rbx]");
	}
}

static int injected;

static void t_inject(struct em_ctx *c, const struct em_exception *exc)
{
	(void)c;
	injected = exc->vector + 1;
}

static void test_optional_ops(void)
{
	struct em_ops o = ops;
	enum em_result r;

	o.inject = t_inject;
	reset(INSN_MODE_64);
	ctx.ops = &o;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0xf6, 0x33); /* div byte [rbx] (0) */
	tap_ok(r == EM_EXCEPTION && injected == EM_VEC_DE + 1,
	       "inject callback receives the #DE");

	o.cmpxchg_mem = NULL;
	o.read_vec = NULL;
	reset(INSN_MODE_64);
	ctx.ops = &o;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0xf0, 0x01, 0x03);
	tap_ok(r == EM_UNSUPPORTED && g.accesses == 1 && regs.gpr_writes == 0,
	       "LOCK ADD without a cmpxchg callback: UNSUPPORTED, no write");
	r = RUN(INSN_MODE_64, 0xf3, 0x0f, 0x6f, 0x03);
	tap_ok(r == EM_UNSUPPORTED,
	       "MOVDQU without vector callbacks: UNSUPPORTED");
}

/* True if the last run raised vector with error code 0 and touched no
 * memory. */
static bool faulted(enum em_result r, u8 vector)
{
	return r == EM_EXCEPTION && ctx.exc.vector == vector &&
	       ctx.exc.has_error_code && ctx.exc.error_code == 0 &&
	       g.accesses == 0;
}

/*
 * Segment type, usability and limit checks of emulated accesses (SDM Vol.
 * 3A 5.3 "Limit Checking", 5.4 "Type Checking", 3.4.5.1 "Code- and
 * Data-Segment Descriptor Types"): the CPU refuses these before touching
 * memory, so the emulator must too.
 */
static void test_segments(void)
{
	enum em_result r;

	/* Writes through a code segment: #GP(0) in protected mode. */
	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_32, 0x2e, 0x89, 0x03); /* mov cs:[ebx], eax */
	tap_ok(faulted(r, EM_VEC_GP),
	       "32-bit MOV CS:[EBX], EAX: code segment not writable, #GP(0)");
	r = RUN(INSN_MODE_32, 0x2e, 0x01, 0x03); /* add cs:[ebx], eax */
	tap_ok(faulted(r, EM_VEC_GP),
	       "32-bit ADD CS:[EBX], EAX: #GP(0) before the read");
	r = RUN(INSN_MODE_32, 0x2e, 0x8b, 0x03); /* mov eax, cs:[ebx] */
	tap_ok(r == EM_DONE, "32-bit MOV EAX, CS:[EBX]: readable code, done");
	ctx.seg[INSN_SEG_CS].ar &= ~GWALK_AR_TYPE_W; /* execute-only */
	g.accesses = 0;
	r = RUN(INSN_MODE_32, 0x2e, 0x8b, 0x03);
	tap_ok(faulted(r, EM_VEC_GP),
	       "32-bit MOV EAX, CS:[EBX] from execute-only code: #GP(0)");

	/* Read-only data: loads and CMP/TEST work, stores and RMW fault. */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_DS].ar &= ~GWALK_AR_TYPE_W;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_32, 0x39, 0x03);	  /* cmp [ebx], eax */
	r |= RUN(INSN_MODE_32, 0x0f, 0xa3, 0x03); /* bt [ebx], eax */
	tap_ok(r == EM_DONE, "CMP and BT with read-only DS: done");
	g.accesses = 0;
	r = RUN(INSN_MODE_32, 0x0f, 0xab, 0x03); /* bts [ebx], eax */
	tap_ok(faulted(r, EM_VEC_GP), "BTS with read-only DS: #GP(0)");
	r = RUN(INSN_MODE_32, 0x0f, 0xc7, 0x0b); /* cmpxchg8b [ebx] */
	tap_ok(faulted(r, EM_VEC_GP), "CMPXCHG8B with read-only DS: #GP(0)");
	r = RUN(INSN_MODE_32, 0x0f, 0x11, 0x03); /* movups [ebx], xmm0 */
	tap_ok(faulted(r, EM_VEC_GP), "MOVUPS store to read-only DS: #GP(0)");
	r = RUN(INSN_MODE_32, 0x8f, 0x03); /* pop dword [ebx] */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_GP &&
		   g.accesses == 1 && g.gpr[4] == 0,
	       "POP [EBX] to read-only DS: stack read, then #GP(0), ESP kept");

	/* A read-only or unusable SS: pushes #SS(0). */
	reset(INSN_MODE_32);
	g.gpr[4] = 0x3000;
	ctx.seg[INSN_SEG_SS].ar &= ~GWALK_AR_TYPE_W;
	r = RUN(INSN_MODE_32, 0xff, 0xf0); /* push eax */
	tap_ok(faulted(r, EM_VEC_SS), "PUSH to a read-only SS: #SS(0)");
	ctx.seg[INSN_SEG_SS].ar |= GWALK_AR_TYPE_W | GWALK_AR_UNUSABLE;
	r = RUN(INSN_MODE_32, 0x8f, 0xc0); /* pop eax */
	tap_ok(faulted(r, EM_VEC_SS), "POP from an unusable SS: #SS(0)");

	/* An unusable ES (null selector): string stores #GP(0). */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_ES].ar |= GWALK_AR_UNUSABLE;
	g.gpr[7] = 0x2000;
	r = RUN(INSN_MODE_32, 0xaa); /* stosb */
	tap_ok(faulted(r, EM_VEC_GP), "STOSB with an unusable ES: #GP(0)");

	/* Expand-down data: offsets above the limit up to 0xffffffff (B = 1)
	 * or 0xffff (B = 0). */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_DS].ar |= GWALK_AR_TYPE_E;
	ctx.seg[INSN_SEG_DS].limit = 0x1fff;
	g.gpr[3] = 0x1ffe;
	r = RUN(INSN_MODE_32, 0x8b, 0x03); /* mov eax, [ebx] */
	tap_ok(faulted(r, EM_VEC_GP),
	       "expand-down DS, limit 0x1fff: a load at 0x1ffe, #GP(0)");
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_32, 0x89, 0x03);
	tap_ok(r == EM_DONE && g.last_la[0] == 0x2000,
	       "expand-down DS: a store at the limit + 1, done");
	ctx.seg[INSN_SEG_DS].ar &= ~GWALK_AR_DB;
	g.gpr[3] = 0xfffe;
	g.accesses = 0;
	r = RUN(INSN_MODE_32, 0x89, 0x03);
	tap_ok(faulted(r, EM_VEC_GP),
	       "16-bit expand-down DS: a dword store at 0xfffe, #GP(0)");

	/* REP STOSD through a limit: the stores below it are done, then
	 * #GP(0) with ECX/EDI at the faulting element. */
	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_ES].limit = 0x100f;
	g.gpr[7] = 0x1000;
	g.gpr[1] = 16;
	g.gpr[0] = 0x5a5a5a5a;
	r = RUN(INSN_MODE_32, 0xf3, 0xab);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_GP &&
		   g.accesses == 4 && g.gpr[1] == 12 && g.gpr[7] == 0x1010 &&
		   g.mem[0x100f] == 0x5a && g.mem[0x1010] != 0x5a,
	       "REP STOSD across the ES limit: 4 stores, then #GP(0), ECX 12");

	/* Real mode: no type checks, limits still apply. */
	reset(INSN_MODE_16);
	ctx.cr0 = 0;
	for (unsigned s = 0; s < 6; s++)
		ctx.seg[s].limit = 0xffff;
	g.gpr[3] = 0x100;
	r = RUN(INSN_MODE_16, 0x2e, 0x89, 0x07); /* mov cs:[bx], ax */
	tap_ok(r == EM_DONE, "real mode MOV CS:[BX], AX: done");
	g.gpr[3] = 0xffff;
	g.accesses = 0;
	r = RUN(INSN_MODE_16, 0x89, 0x07); /* mov [bx], ax: bytes ..0x10000 */
	tap_ok(faulted(r, EM_VEC_GP),
	       "real mode MOV [BX], AX at offset 0xffff: #GP(0)");
	ctx.cr0 = 0x80000033;
	ctx.rflags |= BIT(17); /* virtual-8086 mode */
	g.gpr[3] = 0x100;
	r = RUN(INSN_MODE_16, 0x2e, 0x89, 0x07);
	tap_ok(r == EM_DONE, "virtual-8086 MOV CS:[BX], AX: done");

	/* 64-bit mode: no type or limit checks (SDM Vol. 3A 5.3.1). */
	reset(INSN_MODE_64);
	ctx.seg[INSN_SEG_CS].limit = 0;
	ctx.seg[INSN_SEG_DS].ar |= GWALK_AR_UNUSABLE;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x2e, 0x89, 0x03);
	r |= RUN(INSN_MODE_64, 0x89, 0x03);
	tap_ok(r == EM_DONE, "64-bit MOV CS:[RBX] and DS:[RBX]: done");
}

/* A fault in REPE/REPNE CMPS or SCAS restores EFLAGS to their value before
 * the instruction; RCX/RSI/RDI keep the completed iterations (SDM Vol. 2B
 * "REP/REPE/REPZ/REPNE/REPNZ"). */
static void test_rep_cmp_fault(void)
{
	enum em_result r;

	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_ES].limit = 0x2001; /* elements 0x2000, 0x2001 */
	ctx.rflags = 0x2 | BIT(0) | BIT(11); /* CF, OF: not what CMP gives */
	g.gpr[0] = 0x77;
	g.gpr[1] = 8;
	g.gpr[7] = 0x2000;
	r = RUN(INSN_MODE_32, 0xf2, 0xae); /* repne scasb, no match */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_GP &&
		   g.gpr[1] == 6 && g.gpr[7] == 0x2002 &&
		   ctx.rflags == (0x2 | BIT(0) | BIT(11)),
	       "REPNE SCASB faulting on its third element: ECX 6, EDI +2, "
	       "EFLAGS as before the instruction");
}

/*
 * REP string instructions with a zero count under a 67 prefix in 64-bit
 * mode: Intel CPUs write ECX, and ESI/EDI for MOVS or EDI for STOS, which
 * clears their bits 63:32 (measured; see docs/emulation.md).
 */
static void test_rep_zero_count(void)
{
	static const struct {
		u8 op;
		bool si, di;
		const char *name;
	} k[] = {{0xa4, true, true, "MOVSB"},
		 {0xaa, false, true, "STOSB"},
		 {0xac, false, false, "LODSB"},
		 {0xa6, false, false, "CMPSB"},
		 {0xae, false, false, "SCASB"}};
	const u64 hi = 0xabcd000000000000ULL;

	for (size_t i = 0; i < ARRAY_SIZE(k); i++) {
		enum em_result r;

		reset(INSN_MODE_64);
		g.gpr[1] = hi;
		g.gpr[6] = hi | 0x100;
		g.gpr[7] = hi | 0x200;
		r = em_test_run(&in, &ctx, INSN_MODE_64,
				(const u8[]){0x67, 0xf3, k[i].op}, 3);
		tap_ok(r == EM_DONE && g.accesses == 0 && g.gpr[1] == 0 &&
			   g.gpr[6] == (k[i].si ? 0x100 : hi | 0x100) &&
			   g.gpr[7] == (k[i].di ? 0x200 : hi | 0x200) &&
			   ctx.rip == 0x1003,
		       "67 REP %s, ECX = 0: no access, RCX%s%s bits 63:32 "
		       "cleared",
		       k[i].name, k[i].si ? ", RSI" : "",
		       k[i].di ? ", RDI" : "");
	}
}

int main(void)
{
	test_rep_budget();
	test_df_and_wrap();
	test_failures();
	test_exceptions();
	test_unsupported();
	test_misc();
	test_register_ud();
	test_legacy_modes();
	test_optional_ops();
	test_segments();
	test_rep_zero_count();
	test_rep_cmp_fault();
	return tap_done();
}
