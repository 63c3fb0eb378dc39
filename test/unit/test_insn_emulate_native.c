/* SPDX-License-Identifier: MIT */
/*
 * Emulator vs the host CPU. For every supported instruction form, random
 * encodings (prefixes, REX, ModRM/SIB/disp, immediates) are executed
 * natively on a scratch page with random GPR, RFLAGS, YMM and memory state
 * (register values chosen so the memory operand lands in the scratch data
 * page), then decoded and emulated with callbacks over a copy of the same
 * state. All GPRs, RIP, RFLAGS (minus the flags the SDM leaves undefined
 * for the form), YMM0-15 and the data page must agree; a native fault must
 * be the emulator's exception. Every form runs in 64-bit code; where the
 * host kernel runs 32-bit code (far jump to its 32-bit user segment), the
 * forms valid there run again in 32-bit code, otherwise that pass is
 * skipped with the reason.
 *
 * The host may be Intel or AMD. Where the SDM leaves flags undefined (and
 * the vendors differ: MUL/IMUL SF/ZF/AF/PF, shift AF and multi-bit OF, BT*
 * OF/SF/AF/PF, logical-op AF, DIV/IDIV all) the flags are masked per case,
 * see undef_flags(). The emulator follows Intel where the SDM is silent
 * (a 67 REP string instruction with ECX = 0 still writes ECX, ESI, EDI at
 * the address size, see gpr_ignored()); on other hosts those register
 * halves are not compared. In 32-bit code a third of the cases run with
 * DS and ES loaded from an LDT data segment (modify_ldt) with a base, a
 * limit a few bytes from the operand, and a random type (read/write,
 * expand-down, read-only): the segment checks are compared with the CPU's. Environment: MICA_SEED, MICA_ITERS (cases per
 * form), MICA_FORM (only forms whose name contains it).
 */
#include <cpuid.h>
#include <stdio.h>
#include <asm/ldt.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test/unit/support/em_guest.h"
#include "test/unit/support/em_segs.h"
#include "test/unit/support/emulate_gen.h"
#include "test/unit/support/native_exec.h"
#include "test/unit/support/tap.h"
#include "vmm/insn/insn.h"
#include "vmm/emulate/insn_emulate.h"

#define DATA_SIZE 4096

static u8 *code_page, *data_page;
static u64 fs_base, gs_base; /* this thread's, from arch_prctl */
static bool mode32;	/* run in a 32-bit code segment (compatibility mode) */
static bool host_intel; /* CPUID vendor GenuineIntel */
/* The LDT data segment DS and ES use in this case, if on (32-bit code). */
static bool ldt_works;
static struct {
	bool on;
	u32 base, limit, type; /* type: 3 read/write, 7 expand-down, 1 RO */
} ldt;
static u64 ldt_cases, ldt_faults; /* reported */
/* faulting REPE/REPNE CMPS/SCAS after completed iterations, non-Intel host */
static u64 rep_cmp_kept;
#define LDT_SEL	    0x7	    /* entry 0, TI = 1, RPL 3 */
#define LDT_DATA_AT 0x10000 /* the data page's offset in the segment */
/* Host CPU features some forms need (CPUID.1:ECX; AVX also needs the OS to
 * enable YMM state in XCR0). Without AVX the vector registers are XMM. */
static bool host_avx, host_movbe, host_cx16;

/* The vector registers both sides can hold: YMM0-15, XMM0-15 without AVX,
 * XMM0-7 (YMM0-7) in 32-bit code. */
static bool vec_same(const u8 a[16][32], const u8 b[16][32])
{
	for (int i = 0; i < (mode32 ? 8 : 16); i++)
		if (memcmp(a[i], b[i], host_avx ? 32 : 16))
			return false;
	return true;
}

/* Why the host cannot run form fm, or NULL. */
static const char *host_lacks(const struct form *fm)
{
	if ((fm->f & F_VEX) && !host_avx)
		return "host CPU without AVX (CPUID.1:ECX.AVX, OSXSAVE, XCR0)";
	if (fm->map == 2 && (fm->op & 0xfe) == 0xf0 && !host_movbe)
		return "host CPU without MOVBE (CPUID.1:ECX.MOVBE)";
	if (fm->map == 1 && fm->op == 0xc7 && (fm->f & F_W) && !host_cx16)
		return "host CPU without CMPXCHG16B (CPUID.1:ECX.CMPXCHG16B)";
	return NULL;
}

/* Read the vendor and the features above. */
static void probe_host(void)
{
	unsigned a, b, c, d;

	__cpuid(0, a, b, c, d);
	host_intel = b == 0x756e6547 && d == 0x49656e69 &&
		     c == 0x6c65746e; /* "GenuineIntel" */
	tap_diag("host vendor %.4s%.4s%.4s", (char *)&b, (char *)&d,
		 (char *)&c);
	__cpuid(1, a, b, c, d);
	host_movbe = c & BIT(22);
	host_cx16 = c & BIT(13);
	if ((c & BIT(27)) && (c & BIT(28))) { /* OSXSAVE, AVX */
		u32 lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		host_avx = (lo & 6) == 6;
	}
	if (!host_avx)
		native_sse_only();
}

/* ---------------------------------------------------------------- setup */
static struct native_state start;
static u8 mem_start[DATA_SIZE];

static u64 data_addr(u64 off)
{
	return (u64)(uintptr_t)data_page + off;
}

/* Choose base/index values so the memory operand lands at target. */
static void place_operand(struct gen *g, u64 target, u64 next_rip)
{
	u64 *r = start.gpr, hi = g->asz32 ? rng_next(&rng) << 32 : 0;
	s64 idx = 0;

	if (g->rip_rel) {
		g->disp = (s64)(target - next_rip);
		memcpy(g->bytes + g->disp_off, &g->disp, 4);
		return;
	}
	if (g->disp_size == 8 || (g->disp_size == 4 && g->base < 0 &&
				  g->index < 0)) { /* moffs, disp32 only */
		memcpy(g->bytes + g->disp_off, &target, (size_t)g->disp_size);
		return;
	}
	if (g->index >= 0) {
		idx = (s64)rng_below(&rng, 64) - (g->base >= 0 ? 32 : 0);
		r[g->index] = (u64)idx | (g->asz32 ? rng_next(&rng) << 32 : 0);
	}
	if (g->base < 0) { /* SIB without base: disp32 + index * scale */
		g->disp = (s64)(target - (u64)idx * (u64)g->scale);
		memcpy(g->bytes + g->disp_off, &g->disp, 4);
		return;
	}
	r[g->base] = ((target - (u64)g->disp - (u64)idx * (u64)g->scale) &
		      (g->asz32 ? 0xffffffffULL : ~0ULL)) |
		     hi;
}

/* Dividend shaping: mostly a quotient that fits, sometimes #DE. */
static void shape_div(const struct gen *g, const struct form *fm)
{
	u64 *r = start.gpr, lo = r[0];
	bool sign = fm->digit == 7;
	int bits = g->osize * 8;
	u64 m = g->osize == 8 ? ~0ULL : (1ULL << bits) - 1;
	u64 ext = sign && ((lo >> (bits - 1)) & 1) ? m : 0;

	if (rng_below(&rng, 5) == 0)
		return;
	if (g->osize == 1)
		r[0] = (r[0] & ~0xff00ULL) | ((ext & 0xff) << 8);
	else
		r[2] = (r[2] & ~m) | ext;
}

/* Base of the segment of g's memory operand (or string source): FS/GS
 * bases, the LDT segment's for DS and ES, else 0. */
static u64 seg_base(const struct gen *g)
{
	bool ss_default = g->mem && (g->base == 4 || g->base == 5);

	if (g->seg == 0x64)
		return fs_base;
	if (g->seg == 0x65)
		return gs_base;
	if (!ldt.on || g->seg == 0x2e || g->seg == 0x36)
		return 0;
	return g->seg || !ss_default ? ldt.base : 0;
}

/* Base of ES, the string destination's segment. */
static u64 es_base(void)
{
	return ldt.on ? ldt.base : 0;
}

static void setup_case(struct gen *g, const struct form *fm)
{
	u64 next_rip = (u64)(uintptr_t)code_page + (u64)g->len;
	u64 align = (fm->f & F_VL256) ? 32 : 16;
	u64 off = 1024 + rng_below(&rng, 2048 - 64);

	for (int i = 0; i < 16; i++)
		start.gpr[i] = rnd_val();
	for (int i = 0; i < 16 * 32; i++)
		start.ymm[i / 32][i % 32] = (u8)rng_next(&rng);
	start.rflags = 0x202 | (rng_next(&rng) & 0xcd5);
	/* not for PUSH/POP: an RSP-based operand is also the (flat) stack */
	ldt.on = mode32 && ldt_works && !(fm->f & F_STACK) &&
		 rng_below(&rng, 3) == 0;
	ldt.base = (u32)(data_addr(0) - LDT_DATA_AT);
	ldt.type = (u32[]){3, 3, 7, 1}[rng_below(&rng, 4)];
	ldt.limit = LDT_DATA_AT + 2048;
	for (int i = 0; i < DATA_SIZE; i++)
		mem_start[i] = (u8)rng_next(&rng);
	start.gpr[4] = data_addr(2048 + rng_below(&rng, 64) * 8);
	if ((fm->f & F_ALIGN) && rng_below(&rng, 8) != 0)
		off &= ~(align - 1);
	if (fm->f & F_BTREG) {
		u64 v = (u64)((s64)rng_below(&rng, 4096) - 2048);

		if (g->mod == 3)
			v = rnd_val();
		start.gpr[g->modrm_reg] = v;
	}
	if ((fm->f & F_SHIFT) && (fm->f & F_CNTCL))
		start.gpr[1] =
		    rng_below(&rng, 2) ? rng_below(&rng, 70) : rng_next(&rng);
	if (fm->f & F_DIV)
		shape_div(g, fm);
	if (fm->f & F_STR) {
		u64 n = rng_below(&rng, 14), s = (u64)g->osize;
		bool down = start.rflags & BIT(10);
		u64 a = 256 + rng_below(&rng, 1200),
		    b = 256 + rng_below(&rng, 3000);
		u64 hi = g->asz32 ? rng_next(&rng) << 32 : 0;

		if (down) {
			a += n * s;
			b += n * s;
			b = b > 3800 ? 3800 : b;
		}
		start.gpr[1] = n | (g->asz32 ? rng_next(&rng) << 32 : 0);
		start.gpr[6] = (data_addr(a) - seg_base(g)) | hi;
		start.gpr[7] = (data_addr(b) - es_base()) | hi;
		ldt.limit = LDT_DATA_AT + (u32)(rng_below(&rng, 2) ? a : b);
		if (rng_below(&rng, 2)) /* make REPE continue / REPNE stop */
			memmove(mem_start + b - (down ? n * s : 0),
				mem_start + a - (down ? n * s : 0), n * s + s);
		if (rng_below(&rng, 3) == 0)
			for (u64 i = 0; i <= n; i++)
				memcpy(mem_start +
					   (down ? b - i * s : b + i * s),
				       &start.gpr[0], s);
	}
	if (g->mem) {
		place_operand(g, data_addr(off) - seg_base(g), next_rip);
		ldt.limit = LDT_DATA_AT + (u32)off;
	}
	/* a few bytes either side */
	ldt.limit += (u32)rng_below(&rng, 48) - 24;
	if (fm->f & F_CMPEQ && rng_below(&rng, 2)) {
		int sz = fm->op == 0xc7 ? ((fm->f & F_W) ? 16 : 8) : g->osize;
		u64 pair[2] = {start.gpr[0], start.gpr[2]};

		if (fm->op == 0xc7 && !(fm->f & F_W))
			pair[0] = (pair[0] & 0xffffffff) | pair[1] << 32;
		if (g->mem)
			memcpy(mem_start + off, pair, (size_t)sz);
		else
			start.gpr[g->modrm_rm] = start.gpr[0];
	}
}

/* ---------------------------------------------------------------- emu side */
struct emu {
	struct native_state s;
	u8 mem[DATA_SIZE];
	bool stray; /* an access outside the data page */
};

static struct emu emu;
static struct em_regs emu_regs = {.gpr = emu.s.gpr, .vec = emu.s.ymm};

static u8 *emu_ptr(gva_t la, unsigned size)
{
	u64 base = data_addr(0);

	if (la < base || la + size > base + DATA_SIZE || size > 32) {
		emu.stray = true;
		return NULL;
	}
	return emu.mem + (la - base);
}

static enum em_mem_result cb_read(struct em_ctx *ctx, gva_t la, void *buf,
				  unsigned size)
{
	u8 *p = emu_ptr(la, size);

	if (!p)
		return em_page_fault(ctx, la, 0);
	memcpy(buf, p, size);
	return EM_MEM_OK;
}

static enum em_mem_result cb_write(struct em_ctx *ctx, gva_t la,
				   const void *buf, unsigned size)
{
	u8 *p = emu_ptr(la, size);

	if (!p)
		return em_page_fault(ctx, la, 0);
	memcpy(p, buf, size);
	return EM_MEM_OK;
}

static enum em_mem_result cb_cmpxchg(struct em_ctx *ctx, gva_t la, void *old,
				     const void *new_val, unsigned size,
				     bool *swapped)
{
	u8 *p = emu_ptr(la, size);

	if (!p)
		return em_page_fault(ctx, la, 0);
	em_cmpxchg_bytes(p, old, new_val, size, swapped);
	return EM_MEM_OK;
}

/*
 * A REP run element by element. The emulator promises every element lies
 * in the page of the first, so the first element's fault is the run's:
 * a fault anywhere else is a broken promise, reported as a stray access.
 */
static enum em_mem_result cb_rep_run(struct em_ctx *ctx, gva_t dst, gva_t src,
				     u64 fill, unsigned size, u32 count,
				     bool down, bool movs)
{
	u64 step = down ? -(u64)size : size;

	if (movs && !emu_ptr(src, size))
		return em_page_fault(ctx, src, 0);
	if (!emu_ptr(dst, size))
		return em_page_fault(ctx, dst, 0);
	for (u32 i = 0; i < count; i++) {
		u8 *d = emu_ptr(dst + i * step, size);
		u8 *s = movs ? emu_ptr(src + i * step, size) : (u8 *)&fill;

		if (!d || !s)
			return EM_MEM_OK; /* stray is set */
		memmove(d, s, size);
	}
	return EM_MEM_OK;
}

static const struct em_ops emu_ops = {
    .read_gpr = em_regs_read_gpr,
    .write_gpr = em_regs_write_gpr,
    .read_mem = cb_read,
    .write_mem = cb_write,
    .cmpxchg_mem = cb_cmpxchg,
    .read_vec = em_regs_read_vec,
    .write_vec = em_regs_write_vec,
};

/* The same with whole REP MOVS/STOS runs (struct em_ops.rep_run); set
 * up from emu_ops by ops_for_case(). */
static struct em_ops emu_ops_runs;

/* Half of the cases hand REP MOVS/STOS over in runs. */
static const struct em_ops *ops_for_case(void)
{
	if (!emu_ops_runs.rep_run) {
		emu_ops_runs = emu_ops;
		emu_ops_runs.rep_run = cb_rep_run;
	}
	return rng_below(&rng, 2) ? &emu_ops_runs : &emu_ops;
}

/* ---------------------------------------------------------------- compare */
#define FLAGS_CMP 0xcd5ULL /* CF PF AF ZF SF DF OF */
#define FL_CF	  BIT(0)
#define FL_PF	  BIT(2)
#define FL_AF	  BIT(4)
#define FL_ZF	  BIT(6)
#define FL_SF	  BIT(7)
#define FL_OF	  BIT(11)

/*
 * Flags the SDM leaves undefined for this case (SDM Vol. 2 "Flags
 * Affected" of each instruction). Shifts: AF always, OF for counts > 1,
 * CF for SHL/SHR counts >= the operand width; rotates: OF for counts > 1.
 */
static u64 undef_flags(const struct form *fm, const struct gen *g)
{
	unsigned cnt, width = (unsigned)g->osize * 8;

	switch (fm->undef) {
	case U_LOGIC:
		return FL_AF;
	case U_MUL:
		return FL_SF | FL_ZF | FL_AF | FL_PF;
	case U_DIV:
		return FLAGS_CMP & ~BIT(10);
	case U_BT:
		return FL_OF | FL_SF | FL_AF | FL_PF;
	case U_SHIFT:
		cnt = fm->op >= 0xd2   ? (unsigned)start.gpr[1]
		      : fm->op >= 0xd0 ? 1
				       : (unsigned)g->imm;
		cnt &= g->osize == 8 ? 63 : 31;
		if (!cnt)
			return 0;
		if (fm->digit < 4)
			return cnt > 1 ? FL_OF : 0;
		return FL_AF | (cnt > 1 ? FL_OF : 0) |
		       (fm->digit != 7 && cnt >= width ? FL_CF : 0);
	default:
		return 0;
	}
}

/* Cases per undefined-flag class where the host's undefined flags differ
 * from the emulator's choice (reported, not failed). */
static u64 undef_differs[U_BT + 1];

static int sig_vector(int sig, int code)
{
	switch (sig) {
	case SIGFPE:
		return EM_VEC_DE;
	case SIGILL:
		return EM_VEC_UD;
	case SIGSEGV:
		return code == 0x80 /* SI_KERNEL: #GP */ ? EM_VEC_GP : -1;
	case SIGBUS: /* Linux delivers #SS as SIGBUS (#AC never: AC = 0) */
		return EM_VEC_SS;
	default:
		return -2;
	}
}

static void hex(char *out, const u8 *b, int n)
{
	for (int i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x ", b[i]);
}

/*
 * Bits of GPR reg not compared for case g: in 32-bit code bits 63:32 (and
 * R8-R15 entirely) are undefined after the switch back to 64-bit mode (SDM
 * Vol. 1 3.4.1.1). A REP string instruction under a 67 prefix in 64-bit
 * code that finds ECX = 0 writes ECX (and ESI/EDI of MOVS, EDI of STOS) at
 * the address size on Intel CPUs, clearing bits 63:32; AMD CPUs leave the
 * registers alone. The SDM does not say, the emulator does what Intel
 * hardware does, and on other hosts the upper halves of RCX/RSI/RDI are not
 * compared for that case.
 */
static u64 gpr_ignored(const struct gen *g, const struct form *fm, int reg)
{
	if (mode32)
		return reg < 8 ? ~0xffffffffULL : ~0ULL;
	if (!host_intel && (fm->f & F_STR) && (g->rep || g->repne) &&
	    g->asz32 && !(u32)start.gpr[1] &&
	    (reg == 1 || reg == 6 || reg == 7))
		return ~0xffffffffULL;
	return 0;
}

/* Write LDT entry 0 as the case's data segment (32-bit, byte-granular
 * limit); false if the kernel refuses. */
static bool ldt_install(void)
{
	struct user_desc d = {
	    .entry_number = 0,
	    .base_addr = ldt.base,
	    .limit = ldt.limit,
	    .seg_32bit = 1,
	    .contents = ldt.type == 7 ? 1 /* expand-down */ : 0,
	    .read_exec_only = ldt.type == 1,
	    .useable = 1,
	};

	return syscall(SYS_modify_ldt, 0x11, &d, sizeof(d)) == 0;
}

/* The LDT segment as the VMCS would hold it (accessed: the CPU sets A
 * when it loads the register). */
static struct gwalk_seg ldt_seg(void)
{
	return (struct gwalk_seg){.base = ldt.base,
				  .limit = ldt.limit,
				  .ar = GWALK_AR_P | GWALK_AR_S | (3u << 5) |
					GWALK_AR_DB | ldt.type | 1};
}

/* Run one case of fm; returns true when host and emulator agree. */
/* The emulator's context for the case, as the CPU ran it natively. */
static void case_ctx(struct em_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops_for_case();
	c->opaque = &emu_regs;
	c->rip = (u64)(uintptr_t)code_page;
	c->rflags = start.rflags;
	c->cr0 = 0x80000033;	   /* PG NE ET MP PE */
	c->cr4 = BIT(9) | BIT(18); /* OSFXSR OSXSAVE */
	c->xcr0 = host_avx ? 7 : 3;
	/* Linux's user segments: flat __USER32_CS (execute/read) in 32-bit
	 * code, DS/ES/SS flat read/write (native_exec.h loads them); in
	 * 64-bit code the FS/GS bases of this thread. */
	em_test_flat_segs(c, mode32 ? INSN_MODE_32 : INSN_MODE_64);
	c->seg[INSN_SEG_FS].base = fs_base;
	c->seg[INSN_SEG_GS].base = gs_base;
	if (ldt.on)
		c->seg[INSN_SEG_DS] = c->seg[INSN_SEG_ES] = ldt_seg();
}

/*
 * EFLAGS after the first n iterations of the case's REPE/REPNE CMPS or
 * SCAS, as the emulator computes them: what a CPU that keeps the last
 * completed comparison's flags on a fault leaves (docs/emulation.md,
 * "Where the SDM is silent"). Runs the emulator again from the start
 * state, so emu's state is the short run's afterwards.
 */
static u64 flags_after_iterations(const struct insn *in, u64 n)
{
	u64 amask =
	    in->addrsize == 8 ? ~0ULL : (1ULL << (8 * in->addrsize)) - 1;
	enum em_result r = EM_CONTINUE;
	struct em_ctx c;

	emu.s = start;
	emu.s.gpr[1] = (start.gpr[1] & ~amask) | (n & amask);
	memcpy(emu.mem, mem_start, DATA_SIZE);
	emu.stray = false;
	case_ctx(&c);
	for (int i = 0; r == EM_CONTINUE && i < 100; i++)
		r = insn_emulate(&c, in);
	return c.rflags;
}

static bool run_case(const struct form *fm, bool verbose, int *faults)
{
	struct gen g;
	struct insn in;
	struct em_ctx ctx;
	enum em_result r = EM_CONTINUE;
	char bytes[64], why[160];
	int sig, rc, rounds = 0;
	u64 call_rflags = 0;
	u64 mask;

	/* A BT bit-offset register must not also address the operand. */
	do
		gen_insn(&g, fm, mode32);
	while ((fm->f & F_BTREG) && g.mem &&
	       (g.modrm_reg == g.base || g.modrm_reg == g.index));
	setup_case(&g, fm);
	memcpy(code_page, g.bytes, (size_t)g.len);
	if (mode32)
		native_emit_exit32(code_page + g.len, code_page + 2048);
	else
		native_emit_exit(code_page + g.len);
	native_in = start;
	memcpy(data_page, mem_start, DATA_SIZE);
	if (ldt.on && !ldt_install()) {
		tap_diag("modify_ldt failed after the probe succeeded");
		return false;
	}
	native_ds_sel = native_es_sel = ldt.on ? LDT_SEL : 0x2b;
	ldt_cases += ldt.on;
	sig = native_run(code_page, mode32);
	ldt_faults += ldt.on && sig;

	emu.s = start;
	memcpy(emu.mem, mem_start, DATA_SIZE);
	emu.stray = false;
	hex(bytes, g.bytes, g.len);
	rc = insn_decode(&in, g.bytes, (size_t)g.len,
			 mode32 ? INSN_MODE_32 : INSN_MODE_64);
	if (rc != INSN_OK || in.len != g.len) {
		if (sig == SIGILL && rc != INSN_OK && rc != INSN_E_TOO_LONG)
			return ++*faults, true;
		/* Longer than 15 bytes: #GP(0) (SDM Vol. 2A 2.3.11). */
		if (rc == INSN_E_TOO_LONG && sig == SIGSEGV &&
		    native_sig_code == 0x80)
			return ++*faults, true;
		if (verbose)
			tap_diag("%s: decode %s len %d (sig %d)", bytes,
				 insn_status_name(rc), in.len, sig);
		return false;
	}
	case_ctx(&ctx);
	while (r == EM_CONTINUE && rounds++ < 100) {
		ctx.rep_budget = (u32)rng_below(&rng, 4); /* 0: default */
		call_rflags = ctx.rflags;
		r = insn_emulate(&ctx, &in);
	}
	insn_emulate_describe(&ctx, why, sizeof(why));
	if (sig) {
		int vec = sig_vector(sig, native_sig_code);

		++*faults;
		/*
		 * Compared with the state at the fault: the start state, but
		 * for the iterations a REP string instruction completed. A
		 * faulting REPE/REPNE CMPS/SCAS restores the flags it started
		 * with, as Intel CPUs do; when the emulator ran it in several
		 * calls (as if interrupted between iterations) that is the
		 * last call's. An Intel host must show the start flags; any
		 * other must show the flags of the last comparison it
		 * completed, as the emulator computes them.
		 */
		bool rep_cmp =
		    (fm->f & F_STR) && (g.rep || g.repne) &&
		    ((fm->op & 0xfe) == 0xa6 || (fm->op & 0xfe) == 0xae);
		u64 want = rep_cmp ? call_rflags : native_sig_rflags;
		u64 host_want =
		    rep_cmp && host_intel ? start.rflags : native_sig_rflags;
		bool same = r == EM_EXCEPTION && ctx.exc.vector == vec &&
			    ctx.rip == (u64)(uintptr_t)code_page &&
			    !((ctx.rflags ^ want) & FLAGS_CMP) &&
			    !((native_sig_rflags ^ host_want) & FLAGS_CMP) &&
			    !memcmp(emu.mem, data_page, DATA_SIZE);

		for (int i = 0; i < 16; i++)
			same &= !((emu.s.gpr[i] ^ native_sig_gpr[i]) &
				  ~gpr_ignored(&g, fm, i));
		if (same && rep_cmp && !host_intel) {
			u64 done = start.gpr[1] - native_sig_gpr[1];

			host_want = flags_after_iterations(&in, done);
			same = !((native_sig_rflags ^ host_want) & FLAGS_CMP);
			rep_cmp_kept += done != 0;
		}
		if (same)
			return true;
		if (verbose)
			tap_diag("%s: host signal %d (vector %d, rip %+lld, "
				 "cs %#llx), emulator %s vector %d (%s)",
				 bytes, sig, vec,
				 (long long)(native_sig_rip -
					     (u64)(uintptr_t)code_page),
				 (unsigned long long)native_sig_cs,
				 em_result_name(r), ctx.exc.vector, why);
		if (verbose && r == EM_EXCEPTION && ctx.exc.vector == vec)
			tap_diag("  at the fault: rflags host %#llx emu %#llx, "
				 "rcx %#llx/%#llx rsi %#llx/%#llx rdi "
				 "%#llx/%#llx, memory %s",
				 (unsigned long long)native_sig_rflags,
				 (unsigned long long)ctx.rflags,
				 (unsigned long long)native_sig_gpr[1],
				 (unsigned long long)emu.s.gpr[1],
				 (unsigned long long)native_sig_gpr[6],
				 (unsigned long long)emu.s.gpr[6],
				 (unsigned long long)native_sig_gpr[7],
				 (unsigned long long)emu.s.gpr[7],
				 memcmp(emu.mem, data_page, DATA_SIZE)
				     ? "differs"
				     : "same");
		return false;
	}
	if (r != EM_DONE || emu.stray) {
		if (verbose)
			tap_diag("%s: emulator %s vector %d stray %d (%s)",
				 bytes, em_result_name(r), ctx.exc.vector,
				 emu.stray, why);
		return false;
	}
	mask = FLAGS_CMP & ~undef_flags(fm, &g);
	if ((ctx.rflags ^ native_out.rflags) & ~mask & FLAGS_CMP)
		undef_differs[fm->undef]++;
	for (int i = 0; i < 16; i++)
		if ((emu.s.gpr[i] ^ native_out.gpr[i]) &
		    ~gpr_ignored(&g, fm, i)) {
			if (verbose)
				tap_diag(
				    "%s: r%d host %#llx emu %#llx (in %#llx"
				    ", flags %#llx)",
				    bytes, i,
				    (unsigned long long)native_out.gpr[i],
				    (unsigned long long)emu.s.gpr[i],
				    (unsigned long long)start.gpr[i],
				    (unsigned long long)start.rflags);
			return false;
		}
	if ((ctx.rflags ^ native_out.rflags) & mask) {
		if (verbose)
			tap_diag("%s: rflags host %#llx emu %#llx in %#llx "
				 "mask %#llx",
				 bytes, (unsigned long long)native_out.rflags,
				 (unsigned long long)ctx.rflags,
				 (unsigned long long)start.rflags,
				 (unsigned long long)mask);
		return false;
	}
	if (ctx.rip != (u64)(uintptr_t)code_page + (u64)g.len ||
	    !vec_same(emu.s.ymm, native_out.ymm) ||
	    memcmp(emu.mem, data_page, DATA_SIZE)) {
		if (verbose)
			tap_diag("%s: rip/ymm/memory differ (rip %d ymm %d "
				 "mem %d)",
				 bytes,
				 ctx.rip != (u64)(uintptr_t)code_page + g.len,
				 !vec_same(emu.s.ymm, native_out.ymm),
				 !!memcmp(emu.mem, data_page, DATA_SIZE));
		return false;
	}
	return true;
}

/* Whether this host runs 32-bit code: a NOP in the 32-bit segment. */
static bool probe32(void)
{
	code_page[0] = 0x90;
	native_emit_exit32(code_page + 1, code_page + 2048);
	memset(&native_in, 0, sizeof(native_in));
	native_in.rflags = 0x202;
	native_in.gpr[4] = data_addr(2048);
	return native_run(code_page, true) == 0;
}

/* Forms that exist in 32-bit code (no REX.W forms; 63 is ARPL there). */
static bool valid32(const struct form *fm)
{
	return !(fm->f & F_W) && !(fm->map == 0 && fm->op == 0x63);
}

int main(void)
{
	u64 seed = rng_seed_env(&rng, rng_clock_seed());
	u64 iters = env_u64("MICA_ITERS", 1000);
	u8 *region;
	u64 total = 0, bad_total = 0;
	int nforms = 0;
	bool can32;
	const char *only = getenv("MICA_FORM"); /* substring of form names */

	tap_diag("seed %llu (MICA_SEED), %llu cases per form (MICA_ITERS)",
		 (unsigned long long)seed, (unsigned long long)iters);
	region = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (region == MAP_FAILED) {
		tap_ok(0, "mmap of the scratch pages");
		return tap_done();
	}
	code_page = region;
	data_page = region + 4096;
	native_init();
	syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs_base);
	syscall(SYS_arch_prctl, 0x1004 /* ARCH_GET_GS */, &gs_base);
	tap_diag("FS base %#llx, GS base %#llx", (unsigned long long)fs_base,
		 (unsigned long long)gs_base);
	probe_host();
	can32 = probe32();
	ldt.base = (u32)data_addr(0);
	ldt.limit = 0xfff;
	ldt.type = 3;
	ldt_works = can32 && ldt_install();
	if (can32 && !ldt_works)
		tap_skip("modify_ldt refused an LDT data segment (kernel "
			 "without CONFIG_MODIFY_LDT_SYSCALL)",
			 "32-bit code with LDT data segments (limits, "
			 "expand-down, read-only)");
	if (!can32)
		tap_skip("the host cannot run 32-bit code: a far jump to the "
			 "32-bit user code segment faults (kernel without "
			 "IA-32 emulation, or a paravirtual guest)",
			 "host vs emulator in 32-bit code");
	for (int m = 0; m < (can32 ? 2 : 1); m++) {
		mode32 = m;
		for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
			int bad = 0, faults = 0;

			const char *lacks = host_lacks(&forms[f]);

			if ((only && !strstr(forms[f].name, only)) ||
			    (mode32 && !valid32(&forms[f])))
				continue;
			if (lacks) {
				tap_skip(lacks,
					 "host vs emulator, %d-bit code: %s",
					 mode32 ? 32 : 64, forms[f].name);
				continue;
			}
			for (u64 i = 0; i < iters; i++)
				if (!run_case(&forms[f], bad < 3, &faults))
					bad++;
			total += iters;
			bad_total += (u64)bad;
			nforms++;
			tap_ok(bad == 0,
			       "host vs emulator, %d-bit code: %s: %llu random "
			       "cases (%d host faults), %d mismatches",
			       mode32 ? 32 : 64, forms[f].name,
			       (unsigned long long)iters, faults, bad);
		}
	}
	tap_diag(
	    "cases whose SDM-undefined flags differ from the host (masked):"
	    " logic %llu, mul %llu, div %llu, shift %llu, bt %llu",
	    (unsigned long long)undef_differs[U_LOGIC],
	    (unsigned long long)undef_differs[U_MUL],
	    (unsigned long long)undef_differs[U_DIV],
	    (unsigned long long)undef_differs[U_SHIFT],
	    (unsigned long long)undef_differs[U_BT]);
	tap_diag("32-bit cases with LDT data segments: %llu (%llu host faults)",
		 (unsigned long long)ldt_cases, (unsigned long long)ldt_faults);
	if (!host_intel)
		tap_diag(
		    "REPE/REPNE CMPS/SCAS faults after completed iterations: "
		    "%llu, each with the flags of the last comparison",
		    (unsigned long long)rep_cmp_kept);
	tap_diag("%d form/mode pairs, %llu cases, %llu mismatches", nforms,
		 (unsigned long long)total, (unsigned long long)bad_total);
	return tap_done();
}
