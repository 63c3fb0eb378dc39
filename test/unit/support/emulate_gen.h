/* SPDX-License-Identifier: MIT */
/*
 * Random encodings of the emulator's supported forms (the rows of
 * test/unit/support/emulate_forms.h): prefixes, REX, VEX, ModRM/SIB/disp
 * and immediates for 64-bit code or, with code32, for 32-bit code (no REX,
 * 32-bit addressing). struct gen says where the operand fields landed, so a
 * caller can place the memory operand by choosing register values. Shared
 * by the host-CPU differential test and the poison test; the caller seeds
 * rng, the stream the generator draws from (rng_seed_env).
 */
#ifndef MICA_TEST_EMULATE_GEN_H
#define MICA_TEST_EMULATE_GEN_H

#include <string.h>

#include "mm/base/types.h"
#include "test/unit/support/rng.h"
#include "vmm/insn/insn.h"

enum {
	F_BYTE = 1 << 0,     /* 8-bit operation */
	F_MODRM = 1 << 1,    /* has ModRM */
	F_REGOK = 1 << 2,    /* mod = 3 allowed */
	F_LOCKABLE = 1 << 3, /* LOCK allowed with memory */
	F_IMM8 = 1 << 4,     /* imm8 */
	F_IMMZ = 1 << 5,     /* imm16/imm32 by operand size */
	F_NOOSZ = 1 << 6,    /* no random 66 */
	F_NOW = 1 << 7,	     /* REX.W never set */
	F_W = 1 << 8,	     /* REX.W always set */
	F_STR = 1 << 9,	     /* string instruction */
	F_MOFFS = 1 << 10,   /* A0-A3 */
	F_SSE = 1 << 11,     /* vector operand, mandatory prefix in pfx */
	F_VEX = 1 << 12,     /* VEX-encoded, map 0F */
	F_ALIGN = 1 << 13,   /* mostly naturally aligned operand */
	F_STACK = 1 << 14,   /* PUSH/POP: RSP may be the base, 64-bit default */
	F_BTREG = 1 << 15,   /* BT* with a register bit offset */
	F_DIV = 1 << 16,     /* DIV/IDIV dividend shaping */
	F_CMPEQ = 1 << 17,   /* CMPXCHG*: make the comparison succeed often */
	F_SHIFT = 1 << 18,   /* group 2 */
	F_VL256 = 1 << 19,   /* VEX.L = 1 */
	F_CNTCL = 1 << 20,   /* count in CL */
};

enum undef { U_NONE, U_LOGIC, U_MUL, U_DIV, U_SHIFT, U_BT };

struct form {
	const char *name;
	u8 map; /* 0: one-byte, 1: 0F, 2: 0F 38 */
	u8 op;
	s8 digit; /* ModRM.reg, -1 random */
	u8 pfx;	  /* mandatory prefix for SSE/VEX forms */
	u32 f;
	u8 undef;
};

#include "test/unit/support/emulate_forms.h"

/* ---------------------------------------------------------------- rng */
static struct rng rng;

/* Register values biased towards flag edge cases. */
static u64 rnd_val(void)
{
	static const u64 edge[] = {0,
				   1,
				   0x7f,
				   0x80,
				   0xff,
				   0x7fff,
				   0x8000,
				   0xffff,
				   0x7fffffff,
				   0x80000000,
				   0xffffffff,
				   0x7fffffffffffffffULL,
				   0x8000000000000000ULL,
				   ~0ULL};

	switch (rng_below(&rng, 4)) {
	case 0:
		return edge[rng_below(&rng, ARRAY_SIZE(edge))];
	case 1:
		return rng_below(&rng, 256);
	default:
		return rng_next(&rng);
	}
}

/* ---------------------------------------------------------------- case */
struct gen {
	u8 bytes[24];
	int len;
	int osize;
	bool code32; /* generated for 32-bit code */
	bool mem, rip_rel, asz32, lock, rep, repne;
	u8 seg;
	int seg_off;
	int base, index, scale; /* -1 = none */
	s64 disp;
	int disp_off, disp_size;
	int modrm_reg, modrm_rm, mod;
	u64 imm;
};

static void put(struct gen *g, u8 b)
{
	g->bytes[g->len++] = b;
}

static void put_n(struct gen *g, u64 v, int n)
{
	for (int i = 0; i < n; i++)
		put(g, (u8)(v >> (8 * i)));
}

/* Operand size in bytes implied by the chosen prefixes. */
static int gen_osize(const struct form *fm, bool osz, bool w, bool code32)
{
	if (fm->f & F_BYTE)
		return 1;
	if (w && !(fm->f & F_STACK))
		return 8;
	if (fm->f & F_STACK)
		return osz ? 2 : code32 ? 4 : 8;
	return osz ? 2 : 4;
}

/* ModRM/SIB/disp for a memory or register operand. */
static void gen_modrm(struct gen *g, const struct form *fm, int *rex)
{
	int reg = fm->digit >= 0 ? fm->digit : (int)rng_below(&rng, 8);
	int mod = (fm->f & F_REGOK) && rng_below(&rng, 4) == 0
		      ? 3
		      : (int)rng_below(&rng, 3);
	int rm = (int)rng_below(&rng, 8);

	g->mod = mod;
	g->base = g->index = -1;
	g->scale = 1;
	if (fm->digit < 0)
		g->modrm_reg = reg | ((*rex & 4) ? 8 : 0);
	if (mod == 3) {
		g->modrm_rm = rm | ((*rex & 1) ? 8 : 0);
		put(g, (u8)(0xc0 | reg << 3 | rm));
		return;
	}
	g->mem = true;
	if (rm == 4) {
		int ss = (int)rng_below(&rng, 4), idx = (int)rng_below(&rng, 8);
		int base = (int)rng_below(&rng, 8);
		int fb = base | ((*rex & 1) ? 8 : 0);
		int fi = idx | ((*rex & 2) ? 8 : 0);

		if (fb == 4 && !(fm->f & F_STACK)) /* never RSP as a base */
			base = 3, fb = 3 | ((*rex & 1) ? 8 : 0);
		if (fi == fb)
			idx = 4, *rex &= ~2, fi = 4;
		put(g, (u8)(mod << 6 | reg << 3 | 4));
		put(g, (u8)(ss << 6 | idx << 3 | base));
		if (fi != 4) {
			g->index = fi;
			g->scale = 1 << ss;
		}
		if (base == 5 && mod == 0) {
			g->disp_off = g->len;
			g->disp_size = 4;
			put_n(g, 0, 4);
		} else {
			g->base = fb;
		}
	} else if (rm == 5 && mod == 0) { /* RIP-relative, or disp32 */
		put(g, (u8)(reg << 3 | 5));
		g->rip_rel = !g->code32;
		g->disp_off = g->len;
		g->disp_size = 4;
		put_n(g, 0, 4);
	} else {
		put(g, (u8)(mod << 6 | reg << 3 | rm));
		g->base = rm | ((*rex & 1) ? 8 : 0);
	}
	if (mod == 1) {
		g->disp = (s8)rng_next(&rng);
		g->disp_off = g->len;
		g->disp_size = 1;
		put(g, (u8)g->disp);
	} else if (mod == 2) {
		bool near = g->base == 4 || rng_below(&rng, 2);

		g->disp = near ? (s64)rng_below(&rng, 512) - 256
			       : (s32)rng_next(&rng);
		g->disp_off = g->len;
		g->disp_size = 4;
		put_n(g, (u64)g->disp, 4);
	}
}

/* Emit a VEX prefix (2 or 3 bytes) for map 0F. */
static void gen_vex(struct gen *g, const struct form *fm, int rex)
{
	int pp = fm->pfx == 0x66 ? 1 : fm->pfx == 0xf3 ? 2 : 0;
	int l = (fm->f & F_VL256) ? 1 : 0;
	bool two = !(rex & 3) && rng_below(&rng, 2);

	if (two) {
		put(g, 0xc5);
		put(g, (u8)((!(rex & 4)) << 7 | 0xf << 3 | l << 2 | pp));
		return;
	}
	put(g, 0xc4);
	put(g, (u8)((!(rex & 4)) << 7 | (!(rex & 2)) << 6 | (!(rex & 1)) << 5 |
		    1));
	put(g, (u8)(rng_below(&rng, 2) << 7 | 0xf << 3 | l << 2 | pp));
}

/* Build one random encoding of form fm, for 32-bit code if code32. */
static void gen_insn(struct gen *g, const struct form *fm, bool code32)
{
	static const u8 segs[] = {0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65};
	bool osz = !(fm->f & (F_NOOSZ | F_SSE)) && rng_below(&rng, 3) == 0;
	int rex = 0, w, rex_off;

	memset(g, 0, sizeof(*g));
	g->base = g->index = -1;
	g->modrm_reg = fm->digit;
	g->code32 = code32;
	/* 32-bit addressing: 67h in 64-bit code, the default in 32-bit code
	 * (16-bit addressing cannot reach the scratch page: DS base 0). */
	g->asz32 = code32 || rng_below(&rng, 4) == 0;
	if (fm->f & F_STR) {
		int k = (int)rng_below(&rng, 3);

		g->rep = k == 1;
		g->repne = k == 2;
	}
	/* Segment override: CS/DS/ES/SS are ignored in 64-bit code, FS/GS
	 * add the thread's bases (not with 67h: base + 32-bit offset cannot
	 * reach the scratch page). */
	if (rng_below(&rng, 6) == 0) {
		g->seg_off = g->len;
		g->seg = segs[rng_below(&rng, code32 || g->asz32 ? 4 : 6)];
		put(g, g->seg);
	}
	if (osz)
		put(g, 0x66);
	if (g->asz32 && !code32)
		put(g, 0x67);
	if (g->rep)
		put(g, 0xf3);
	if (g->repne)
		put(g, 0xf2);
	if (!(fm->f & F_VEX) && fm->pfx)
		put(g, fm->pfx);
	if (rng_below(&rng, 2) && !code32)
		rex = 0x40 | (int)rng_below(&rng, 16);
	rex_off = g->len;
	w = (fm->f & F_W) ? 1 : (fm->f & F_NOW) ? 0 : (rex >> 3) & 1;
	if (w)
		rex |= 0x48;
	else
		rex &= ~8;
	g->osize = gen_osize(fm, osz, w, code32);
	if (fm->f & F_VEX) {
		gen_vex(g, fm, rex);
	} else {
		if (rex)
			put(g, (u8)rex);
		if (fm->map >= 1)
			put(g, 0x0f);
		if (fm->map == 2)
			put(g, 0x38);
	}
	put(g, fm->op);
	if (fm->f & F_MODRM)
		gen_modrm(g, fm, &rex);
	if (fm->f & F_MOFFS) {
		g->mem = true;
		g->disp_off = g->len;
		g->disp_size = g->asz32 ? 4 : 8;
		put_n(g, 0, g->disp_size);
	}
	/* gen_modrm may have dropped REX.X: rewrite the REX byte. */
	if (rex && !(fm->f & F_VEX))
		g->bytes[rex_off] = (u8)rex;
	if ((fm->f & F_VEX) && g->bytes[rex_off] == 0xc4 && !(rex & 2))
		g->bytes[rex_off + 1] |= 0x40; /* VEX.X is stored inverted */
	if (fm->f & F_IMM8) {
		g->imm = rnd_val() & 0xff;
		put(g, (u8)g->imm);
	} else if (fm->f & F_IMMZ) {
		int n = g->osize == 2 ? 2 : 4;

		g->imm = rnd_val();
		put_n(g, g->imm, n);
	}
	/* FS/GS base + RIP-relative or absolute disp32 cannot reach the
	 * scratch page, nor can an RSP base that is also the stack: use DS. */
	if (g->seg >= 0x64 && g->mem && !(fm->f & F_MOFFS) &&
	    (g->base < 0 || g->base == 4)) {
		g->seg = 0x3e;
		g->bytes[g->seg_off] = 0x3e;
	}
	/*
	 * LOCK: often where it is allowed, rarely anywhere (#UD there). The
	 * stray LOCK is kept to encodings of at most 15 bytes: beyond that
	 * the host raises #GP for the length first (SDM Vol. 3A 6.9, length
	 * limit before invalid opcode), which is the decoder's ordering to
	 * settle, not the emulator's.
	 */
	if (((fm->f & F_LOCKABLE) && g->mem && rng_below(&rng, 3) == 0) ||
	    (g->len < INSN_MAX_LEN && rng_below(&rng, 40) == 0)) {
		memmove(g->bytes + 1, g->bytes, (size_t)g->len);
		g->bytes[0] = 0xf0;
		g->len++;
		g->disp_off++;
		g->seg_off++;
		g->lock = true;
	}
}

#endif /* MICA_TEST_EMULATE_GEN_H */
