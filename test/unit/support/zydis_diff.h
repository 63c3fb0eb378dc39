/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the decoder-vs-Zydis comparison (test_decode_zydis.c and
 * test/bench/bench_decode.c): ELF .text location, the per-instruction
 * comparison with its statistics and mismatch examples, and the random
 * instruction generator. Host-only; static functions in a header so each
 * program takes what it uses.
 */
#ifndef MICA_TEST_ZYDIS_DIFF_H
#define MICA_TEST_ZYDIS_DIFF_H

#include <Zydis/Zydis.h>
#include <stdio.h>
#include <string.h>

#include "test/unit/support/rng.h"
#include "vmm/insn/insn.h"

static ZydisDecoder zd_dec[3]; /* 64, 32, 16 */

static ZydisDecoder *zd_for(enum insn_mode mode)
{
	return &zd_dec[mode == INSN_MODE_64 ? 0 : mode == INSN_MODE_32 ? 1 : 2];
}

static void zd_init(void)
{
	ZydisDecoderInit(&zd_dec[0], ZYDIS_MACHINE_MODE_LONG_64,
			 ZYDIS_STACK_WIDTH_64);
	ZydisDecoderInit(&zd_dec[1], ZYDIS_MACHINE_MODE_LEGACY_32,
			 ZYDIS_STACK_WIDTH_32);
	ZydisDecoderInit(&zd_dec[2], ZYDIS_MACHINE_MODE_LEGACY_16,
			 ZYDIS_STACK_WIDTH_16);
}

/* ------------------------------------------------------------ ELF */

static u64 zd_rd(const u8 *p, unsigned n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* An x86 ELF image's section header table (ELF32 EM_386, ELF64 EM_X86_64). */
struct zd_elf {
	const u8 *img;
	size_t size;
	int is64;
	u64 shoff, shent, shnum, stroff;
};

/* One section header, bounds-checked against the image. */
struct zd_sect {
	const char *name; /* NUL-terminated within the image */
	u64 type, flags, off, len;
};

#define ZD_SHT_PROGBITS	 1
#define ZD_SHF_EXECINSTR 0x4

/* Parse the ELF header of img[0..size). Returns 0, or -1 if not x86 ELF. */
static int zd_elf_open(struct zd_elf *e, const u8 *img, size_t size)
{
	u64 shstr, at;

	if (size < 64 || memcmp(img, "\177ELF", 4))
		return -1;
	e->img = img;
	e->size = size;
	e->is64 = img[4] == 2;
	if (zd_rd(img + 18, 2) != (e->is64 ? 62 : 3))
		return -1;
	e->shoff = e->is64 ? zd_rd(img + 0x28, 8) : zd_rd(img + 0x20, 4);
	e->shent = zd_rd(img + (e->is64 ? 0x3a : 0x2e), 2);
	e->shnum = zd_rd(img + (e->is64 ? 0x3c : 0x30), 2);
	shstr = zd_rd(img + (e->is64 ? 0x3e : 0x32), 2);
	if (e->shent < (e->is64 ? 64u : 40u) || e->shoff > size ||
	    e->shnum * e->shent > size - e->shoff || shstr >= e->shnum)
		return -1;
	at = e->shoff + shstr * e->shent;
	e->stroff =
	    e->is64 ? zd_rd(img + at + 0x18, 8) : zd_rd(img + at + 0x10, 4);
	return e->stroff < size ? 0 : -1;
}

/*
 * Section i of an opened image. Returns 0, or -1 when its name or (for a
 * section with file contents) its data lie outside the image.
 */
static int zd_elf_sect(const struct zd_elf *e, u64 i, struct zd_sect *s)
{
	const u8 *sh = e->img + e->shoff + i * e->shent;
	u64 name = e->stroff + zd_rd(sh, 4);

	s->type = zd_rd(sh + 4, 4);
	s->flags = e->is64 ? zd_rd(sh + 8, 8) : zd_rd(sh + 8, 4);
	s->off = e->is64 ? zd_rd(sh + 0x18, 8) : zd_rd(sh + 0x10, 4);
	s->len = e->is64 ? zd_rd(sh + 0x20, 8) : zd_rd(sh + 0x14, 4);
	if (name >= e->size || !memchr(e->img + name, 0, e->size - name))
		return -1;
	s->name = (const char *)e->img + name;
	if (s->type == ZD_SHT_PROGBITS &&
	    (s->off > e->size || s->len > e->size - s->off))
		return -1;
	return 0;
}

/*
 * Locate the section named ".text" of an x86 ELF image. Returns 0 with
 * offset/size/mode, -1 if none.
 */
static int zd_elf_text(const u8 *img, size_t size, size_t *off, size_t *len,
		       enum insn_mode *mode)
{
	struct zd_elf e;
	struct zd_sect s;
	u64 i;

	if (zd_elf_open(&e, img, size))
		return -1;
	for (i = 0; i < e.shnum; i++) {
		if (zd_elf_sect(&e, i, &s) || strcmp(s.name, ".text"))
			continue;
		if (s.type != ZD_SHT_PROGBITS)
			return -1;
		*off = s.off;
		*len = s.len;
		*mode = e.is64 ? INSN_MODE_64 : INSN_MODE_32;
		return 0;
	}
	return -1;
}

/* ------------------------------------------------------------ comparison */

#define ZD_EXAMPLES    12
#define ZD_OP_EXAMPLES 4

struct zd_stats {
	unsigned long long total, valid, len_bad, val_bad, known, opc_bad,
	    ops_checked, ops_bad;
	unsigned n_ex, n_opex;
	char ex[ZD_EXAMPLES][200];
	char opex[ZD_OP_EXAMPLES][200]; /* operand mismatches, kept apart */
};

/*
 * The system and stack forms (vmm/emulate/insn_emulate_sys.c and
 * insn_emulate_stack.c): PUSH/POP r, PUSH imm, MOV to and from Sreg,
 * RET, ENTER, LEAVE, CALL rel, 0F 00 /0-/3, 0F 01 /0-/4 and /6. Their
 * emulator computes the access size itself (a pseudo-descriptor, a far
 * pointer, a 16-bit selector store): only the memory operand and the
 * immediates are compared.
 */
/*
 * A 3E prefix on a near indirect CALL/JMP outside 64-bit mode: Zydis takes
 * it as CET's NOTRACK and keeps the default segment; it is also a DS
 * override there, which mica's decoder applies. Not compared.
 */
static int zd_notrack(const struct insn *in)
{
	u8 reg = (in->modrm.byte >> 3) & 7;

	return in->mode != INSN_MODE_64 && (reg == 2 || reg == 4) &&
	       in->pfx.seg == INSN_SEG_DS;
}

static int zd_sysform(const struct insn *in)
{
	u8 op = in->opcode, reg = (in->modrm.byte >> 3) & 7;

	if (in->enc != INSN_ENC_LEGACY)
		return 0;
	if (in->map == INSN_MAP_1B)
		return (op >= 0x50 && op <= 0x5f) || op == 0x68 || op == 0x6a ||
		       op == 0x8c || op == 0x8e || op == 0xc2 || op == 0xc3 ||
		       op == 0xc8 || op == 0xc9 || op == 0xe8 ||
		       (op == 0xff && reg >= 2 && reg <= 5 && !zd_notrack(in));
	return in->map == INSN_MAP_0F &&
	       ((op == 0x00 && reg < 4) ||
		(op == 0x01 && (reg < 5 || reg == 6) &&
		 (in->modrm.mod != 3 || reg == 4 || reg == 6)));
}

/*
 * Forms the emulator executes (docs/design.md section 5): the operand checks
 * apply to these.
 */
static int zd_supported(const struct insn *in)
{
	u8 op = in->opcode, reg = (in->modrm.byte >> 3) & 7;

	if (in->enc == INSN_ENC_VEX2 || in->enc == INSN_ENC_VEX3)
		return in->map == INSN_MAP_0F &&
		       (op == 0x6f || op == 0x7f || op == 0x10 || op == 0x11 ||
			op == 0x28 || op == 0x29 || op == 0xe7);
	if (in->enc != INSN_ENC_LEGACY)
		return 0;
	if (in->map == INSN_MAP_1B)
		return (op < 0x40 && (op & 7) < 6) || op == 0x63 ||
		       (op >= 0x80 && op <= 0x8b) || (op == 0x8f && !reg) ||
		       (op >= 0xa0 && op <= 0xaf) || op == 0xc0 || op == 0xc1 ||
		       ((op == 0xc6 || op == 0xc7) && !reg) ||
		       (op >= 0xd0 && op <= 0xd3) || op == 0xf6 || op == 0xf7 ||
		       (op == 0xfe && reg < 2) ||
		       (op == 0xff && (reg < 2 || reg == 6)) || zd_sysform(in);
	if (in->map == INSN_MAP_0F)
		return op == 0x10 || op == 0x11 || op == 0x28 || op == 0x29 ||
		       (op >= 0x40 && op <= 0x4f) || op == 0x6e || op == 0x6f ||
		       op == 0x7e || op == 0x7f || op == 0xd6 ||
		       (op >= 0x90 && op <= 0x9f) || op == 0xa3 || op == 0xab ||
		       op == 0xb3 || op == 0xbb || op == 0xba || op == 0xb0 ||
		       op == 0xb1 || op == 0xb6 || op == 0xb7 || op == 0xbe ||
		       op == 0xbf || op == 0xc0 || op == 0xc1 || op == 0xc3 ||
		       (op == 0xc7 && reg == 1) || op == 0xe7 || zd_sysform(in);
	if (in->map == INSN_MAP_0F38)
		return (op == 0xf0 || op == 0xf1) &&
		       !(in->pfx.flags & (INSN_PFX_REP | INSN_PFX_REPNE));
	return 0;
}

/* MOVNTI and CMPXCHG8B/16B: Zydis's operand_width is not the access. */
static int zd_movnti(const struct insn *in)
{
	return in->enc == INSN_ENC_LEGACY && in->map == INSN_MAP_0F &&
	       (in->opcode == 0xc3 || in->opcode == 0xc7);
}

/* Zydis register -> GPR number (0..15), 0xfe for RIP/EIP, NONE for none. */
static u8 zd_gpr(ZydisRegister r)
{
	if (r == ZYDIS_REGISTER_NONE)
		return INSN_REG_NONE;
	if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
		return 0xfe;
	return (u8)ZydisRegisterGetId(r);
}

static u8 zd_seg(ZydisRegister r)
{
	switch (r) {
	case ZYDIS_REGISTER_ES:
		return INSN_SEG_ES;
	case ZYDIS_REGISTER_CS:
		return INSN_SEG_CS;
	case ZYDIS_REGISTER_SS:
		return INSN_SEG_SS;
	case ZYDIS_REGISTER_DS:
		return INSN_SEG_DS;
	case ZYDIS_REGISTER_FS:
		return INSN_SEG_FS;
	case ZYDIS_REGISTER_GS:
		return INSN_SEG_GS;
	default:
		return INSN_SEG_NONE;
	}
}

/* The first visible memory operand of Zydis's decode, or NULL. */
static const ZydisDecodedOperand *
zd_mem_operand(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo)
{
	unsigned i;

	for (i = 0; i < zi->operand_count_visible; i++)
		if (zo[i].type == ZYDIS_OPERAND_TYPE_MEMORY)
			return &zo[i];
	return NULL;
}

/* Compare presence, base, index, scale, displacement and segment of the
 * memory operand (zm: Zydis's or NULL); NULL if they agree. */
static const char *zd_memory(const struct insn *in,
			     const ZydisDecodedOperand *zm)
{
	u64 amask =
	    in->addrsize == 8 ? ~0ULL : (1ULL << (8 * in->addrsize)) - 1;

	if (!!zm != in->mem.present)
		return "memory operand presence";
	if (zm) {
		u8 base = zd_gpr(zm->mem.base), index = zd_gpr(zm->mem.index);

		if (in->mem.rip_relative ? base != 0xfe : base != in->mem.base)
			return "memory base";
		if (index != in->mem.index)
			return "memory index";
		if (index != INSN_REG_NONE && zm->mem.scale != in->mem.scale)
			return "memory scale";
		if (((u64)zm->mem.disp.value & amask) !=
		    ((u64)in->mem.disp & amask))
			return "displacement";
		if (zd_seg(zm->mem.segment) != in->mem.seg)
			return "segment";
	}
	return NULL;
}

/* Compare the operands of a supported form; NULL if they agree. */
static const char *zd_operands(const struct insn *in,
			       const ZydisDecodedInstruction *zi,
			       const ZydisDecodedOperand *zo)
{
	const ZydisDecodedOperand *zm = zd_mem_operand(zi, zo);
	const char *why;
	unsigned i;

	if (in->addrsize * 8 != zi->address_width)
		return "address size";
	/* Zydis's operand_width of vector moves and MOVNTI is not the
	 * access size; compare those by their memory operand. */
	if (in->attr & INSN_A_VECTOR || zd_movnti(in)) {
		if (zm && in->opsize * 8 != zm->size)
			return "memory operand size";
	} else if (!zd_sysform(in) && in->opsize * 8 != zi->operand_width) {
		return "operand size";
	}
	why = zd_memory(in, zm);
	if (why)
		return why;
	for (i = 0; i < 2; i++) {
		unsigned zs = zi->raw.imm[i].size / 8;
		u64 m = zs >= 8 ? ~0ULL : (1ULL << (8 * zs)) - 1;

		if (zs != in->imm_size[i])
			return "immediate size";
		if (zs && (zi->raw.imm[i].value.u & m) != (in->imm[i] & m))
			return "immediate value";
	}
	return NULL;
}

/* AMX forms (VEX map 2 49, 4B, 5C, 5E): their operands are compared too. */
static int zd_amx(const struct insn *in)
{
	u8 op = in->opcode;

	return in->enc == INSN_ENC_VEX3 && in->map == INSN_MAP_0F38 &&
	       (op == 0x49 || op == 0x4b || op == 0x5c || op == 0x5e);
}

/*
 * AMX operands: the memory operand, and the tile registers in operand
 * order, which the SDM encodes as ModRM.reg, then ModRM.rm and vvvv for
 * TDP* (tmm1, tmm2, tmm3). NULL if they agree.
 */
static const char *zd_amx_operands(const struct insn *in,
				   const ZydisDecodedInstruction *zi,
				   const ZydisDecodedOperand *zo)
{
	u8 want[3], n = 0, k = 0;
	unsigned i;

	if (in->opcode == 0x5c || in->opcode == 0x5e) {
		want[n++] = in->modrm.reg;
		want[n++] = in->modrm.rm;
		want[n++] = in->vex.vvvv;
	} else if (in->opcode == 0x4b ||
		   (in->vex.pp == 3 && !in->mem.present)) {
		want[n++] =
		    in->modrm.reg; /* TILELOADD(T1), TILESTORED, TILEZERO */
	}
	for (i = 0; i < zi->operand_count_visible; i++) {
		ZydisRegister r = zo[i].reg.value;

		if (zo[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
			continue;
		if (r < ZYDIS_REGISTER_TMM0 || r > ZYDIS_REGISTER_TMM7)
			return "non-tile register operand";
		if (k >= n || want[k++] != r - ZYDIS_REGISTER_TMM0)
			return "tile register";
	}
	if (k != n)
		return "tile register count";
	return zd_memory(in, zd_mem_operand(zi, zo));
}

/*
 * Encoding, opcode map and opcode byte, compared for every instruction
 * both decoders accept (for 3DNow! both report the suffix byte). Zydis
 * numbers 0F 0F and the XOP maps after its map 7. NULL if they agree.
 */
static const char *zd_opcode(const struct insn *in,
			     const ZydisDecodedInstruction *zi)
{
	static const u8 enc[] = {
	    [INSN_ENC_LEGACY] = ZYDIS_INSTRUCTION_ENCODING_LEGACY,
	    [INSN_ENC_3DNOW] = ZYDIS_INSTRUCTION_ENCODING_3DNOW,
	    [INSN_ENC_VEX2] = ZYDIS_INSTRUCTION_ENCODING_VEX,
	    [INSN_ENC_VEX3] = ZYDIS_INSTRUCTION_ENCODING_VEX,
	    [INSN_ENC_EVEX] = ZYDIS_INSTRUCTION_ENCODING_EVEX,
	    [INSN_ENC_XOP] = ZYDIS_INSTRUCTION_ENCODING_XOP,
	};
	unsigned map = in->map;

	if (in->enc >= sizeof(enc) || enc[in->enc] != zi->encoding)
		return "encoding";
	if (map == INSN_MAP_3DNOW)
		map = ZYDIS_OPCODE_MAP_0F0F;
	else if (map >= INSN_MAP_XOP8 && map <= INSN_MAP_XOPA)
		map = ZYDIS_OPCODE_MAP_XOP8 + (map - INSN_MAP_XOP8);
	if (map != zi->opcode_map)
		return "opcode map";
	if (zi->opcode != in->opcode)
		return "opcode";
	return NULL;
}

/* Offset of the first non-prefix byte (legacy prefixes, REX in 64-bit). */
static size_t zd_skip_prefixes(const u8 *b, size_t n, enum insn_mode mode)
{
	size_t i = 0;

	while (i < n && (b[i] == 0x26 || b[i] == 0x2e || b[i] == 0x36 ||
			 b[i] == 0x3e || (b[i] >= 0x64 && b[i] <= 0x67) ||
			 b[i] == 0xf0 || b[i] == 0xf2 || b[i] == 0xf3 ||
			 (mode == INSN_MODE_64 && (b[i] & 0xf0) == 0x40)))
		i++;
	return i;
}

/*
 * MVEX (Knights Corner, 62 with P1 bit 2 clear): Zydis 4.0 decodes it in
 * 64-bit mode even with ZYDIS_DECODER_MODE_KNC disabled. The SDM defines
 * only EVEX there: Vol. 2A 2.7 (the EVEX prefix layout: P1 bit 10 is a
 * fixed 1), so such bytes are #UD on every SDM-described processor.
 */
static int zd_is_mvex(const u8 *b, size_t n, enum insn_mode mode)
{
	size_t i = zd_skip_prefixes(b, n, mode);

	return mode == INSN_MODE_64 && i + 2 < n && b[i] == 0x62 &&
	       !(b[i + 2] & 0x04);
}

/*
 * 64-bit mode, 32-bit addressing (67), REX.B or VEX/EVEX.B = 1, mod = 00
 * and SIB.base =
 * 101b: the SIB base field then means "disp32, no base" whatever REX.B is
 * (SDM Vol. 2A 2.2.1.2, Table 2-5 "Special Cases of REX Encodings").
 * Zydis 4.0 reports base r13d and drops the displacement (while counting
 * its four bytes), e.g. 67 41 0f be 14 25 <disp32>.
 */
static int zd_r13d_sib(const struct insn *in)
{
	return in->mode == INSN_MODE_64 && in->addrsize == 4 &&
	       (in->rex.b || in->vex.b) && in->sib.present &&
	       (in->sib.byte & 7) == 5 && in->modrm.mod == 0;
}

/*
 * Knights Corner VEX forms: Zydis 4.0 decodes the Xeon Phi coprocessor's
 * VEX map-0 JKZD/JKNZD rel8 (74/75), map-3 KEXTRACT (3E), its VEX map-1
 * opcodes 18, 43, 48, 49, 84, 85, 95, 97, AE, B8, BC, BD and the
 * 128-bit KNC mask forms of 41-4B even with ZYDIS_DECODER_MODE_KNC off.
 * The SDM's VEX opcode map (Vol. 2D Table A-3, "VEX" rows; Vol. 2C
 * KANDW etc.: VEX.L1 only) leaves them undefined: #UD.
 */
static int zd_is_knc_vex(const u8 *b, size_t n, enum insn_mode mode)
{
	static const u8 knc[] = {0x18, 0x43, 0x48, 0x49, 0x84, 0x85,
				 0x95, 0x97, 0xae, 0xb8, 0xbc, 0xbd};
	size_t i = zd_skip_prefixes(b, n, mode), k;
	u8 op, l;

	if (i + 4 > n || (b[i] != 0xc4 && b[i] != 0xc5) ||
	    (mode != INSN_MODE_64 && b[i + 1] < 0xc0))
		return 0;
	if (b[i] == 0xc4 && (b[i + 1] & 0x1f) == 0)
		return b[i + 3] == 0x74 || b[i + 3] == 0x75; /* JKZD/JKNZD */
	if (b[i] == 0xc4 && (b[i + 1] & 0x1f) == 3)
		return b[i + 3] == 0x3e; /* KEXTRACT */
	if (b[i] == 0xc4 && (b[i + 1] & 0x1f) != 1)
		return 0;
	op = b[i] == 0xc5 ? b[i + 2] : b[i + 3];
	l = ((b[i] == 0xc5 ? b[i + 1] : b[i + 2]) >> 2) & 1;
	for (k = 0; k < sizeof(knc); k++)
		if (op == knc[k])
			return 1;
	return op >= 0x41 && op <= 0x4b && !l;
}

/*
 * AMX-FP16 TDPFP16PS (VEX.128.F2.0F38.W0 5C 11:rrr:bbb, Intel ISA
 * Extensions Programming Reference 319433): Zydis 4.0 predates it and
 * calls it invalid.
 */
static int zd_is_tdpfp16ps(const u8 *b, size_t n, enum insn_mode mode)
{
	size_t i = zd_skip_prefixes(b, n, mode);

	return mode == INSN_MODE_64 && i + 4 < n && b[i] == 0xc4 &&
	       (b[i + 1] & 0x1f) == 2 && (b[i + 2] & 3) == 3 &&
	       b[i + 3] == 0x5c;
}

struct zd_known {
	const char *what; /* the class, with the SDM reference */
	int (*match)(const u8 *b, size_t n, enum insn_mode mode);
	int zydis_ok; /* Zydis's (wrong) verdict: 1 valid, 0 invalid */
};

/* Encodings where Zydis 4.0 contradicts the SDM (counted apart). */
static const struct zd_known zd_known_list[] = {
    {"MVEX (KNC) decoded in 64-bit mode; SDM Vol. 2A 2.7: EVEX P1[2] "
     "must be 1, else #UD",
     zd_is_mvex, 1},
    {"Knights Corner VEX forms (map 0 74/75, map 3 3E; 0F 18 43 48 49 84 85 95 "
     "97 AE B8 "
     "BC BD, "
     "128-bit KAND..KXOR); SDM Vol. 2D Table A-3 / Vol. 2C: #UD",
     zd_is_knc_vex, 1},
    {"AMX-FP16 TDPFP16PS (VEX.128.F2.0F38.W0 5C); Intel ISA Extensions "
     "reference 319433: Zydis 4.0 predates it",
     zd_is_tdpfp16ps, 0},
};

/* Operand-level disagreements where Zydis 4.0 contradicts the SDM. */
static const char *const zd_known_operands[] = {
    "67 + REX.B + mod=00 + SIB.base=101b is disp32 without base (SDM "
    "Vol. 2A Table 2-5); Zydis reports base r13d and no displacement "
    "(zd_r13d_sib)",
};

static const char *zd_known_wrong(const u8 *b, size_t n, enum insn_mode mode,
				  int mica_rc, int zy_ok)
{
	size_t i;

	for (i = 0; i < sizeof(zd_known_list) / sizeof(zd_known_list[0]); i++) {
		const struct zd_known *k = &zd_known_list[i];

		if (zy_ok == k->zydis_ok &&
		    (k->zydis_ok ? mica_rc != 0 : mica_rc == 0) &&
		    k->match(b, n, mode))
			return k->what;
	}
	return NULL;
}

static void zd_example(struct zd_stats *st, const u8 *b, size_t n,
		       enum insn_mode mode, const char *what, int rc,
		       const struct insn *in, int zst, unsigned zlen)
{
	char *p;
	size_t i, k;
	char f[120];

	if (!strcmp(what, "length") || !strcmp(what, "validity")) {
		if (st->n_ex >= ZD_EXAMPLES)
			return;
		p = st->ex[st->n_ex++];
	} else {
		if (st->n_opex >= ZD_OP_EXAMPLES)
			return;
		p = st->opex[st->n_opex++];
	}
	k = (size_t)snprintf(p, 200, "%s: mode %u bytes", what, mode);
	for (i = 0; i < n && i < INSN_MAX_LEN && k < 190; i++)
		k += (size_t)snprintf(p + k, 200 - k, " %02x", b[i]);
	insn_format(in, f, sizeof(f));
	snprintf(p + k, 200 - k, " | mica %s len %u [%s] | zydis %s len %u",
		 insn_status_name(rc), in->len, f, zst ? "ok" : "invalid",
		 zlen);
}

/*
 * Both decoders accept b[0..n) with the same length: compare the opcode,
 * and the operands of the forms the emulator executes and of AMX.
 */
static void zd_compare_valid(const u8 *b, size_t n, enum insn_mode mode,
			     struct zd_stats *st, const struct insn *in,
			     const ZydisDecodedInstruction *zi,
			     const ZydisDecodedOperand *zo)
{
	const char *why = zd_opcode(in, zi);

	if (why) {
		st->opc_bad++;
		zd_example(st, b, n, mode, why, 0, in, 1, zi->length);
		return;
	}
	if (!zd_supported(in) && !zd_amx(in))
		return;
	st->ops_checked++;
	why =
	    zd_amx(in) ? zd_amx_operands(in, zi, zo) : zd_operands(in, zi, zo);
	if (why && zd_r13d_sib(in)) {
		st->known++;
	} else if (why) {
		st->ops_bad++;
		zd_example(st, b, n, mode, why, 0, in, 1, zi->length);
	}
}

/*
 * Decode b[0..n) with both decoders and account the result. Returns the
 * length to advance by in a linear sweep (Zydis's when valid, else 1).
 */
static unsigned zd_compare(const u8 *b, size_t n, enum insn_mode mode,
			   struct zd_stats *st)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	struct insn in;
	int rc = insn_decode(&in, b, n, mode);
	ZyanStatus zs = ZydisDecoderDecodeFull(zd_for(mode), b, n, &zi, zo);
	int zok = ZYAN_SUCCESS(zs), zmore = zs == ZYDIS_STATUS_NO_MORE_DATA;

	st->total++;
	if (zmore && rc == INSN_E_MORE)
		return 1;
	if (zok && rc == 0 && zi.length == in.len) {
		st->valid++;
		zd_compare_valid(b, n, mode, st, &in, &zi, zo);
		return zi.length;
	}
	if (!zok && rc != 0 && rc != INSN_E_MORE)
		return 1;
	if (zd_known_wrong(b, n, mode, rc, zok)) {
		st->known++;
		return zok ? zi.length : 1;
	}
	if (zok && rc == 0) {
		st->len_bad++;
		zd_example(st, b, n, mode, "length", rc, &in, 1, zi.length);
	} else {
		st->val_bad++;
		zd_example(st, b, n, mode, "validity", rc, &in, zok,
			   zok ? zi.length : 0);
	}
	return zok ? zi.length : 1;
}

/* Linear sweep: advance by the oracle's length, 1 byte past garbage. */
static void zd_sweep(const u8 *p, size_t len, enum insn_mode mode,
		     struct zd_stats *st)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < INSN_MAX_LEN ? len - off : INSN_MAX_LEN;

		off += zd_compare(p + off, n, mode, st);
	}
}

static void zd_report(struct zd_stats *st, const char *name)
{
	unsigned i;

	tap_ok(st->len_bad == 0 && st->opc_bad == 0 && st->ops_bad == 0,
	       "decoder vs zydis, %s: %llu insns, %llu both valid, %llu length "
	       "mismatches, %llu opcode mismatches, %llu operand mismatches "
	       "in %llu emulated or AMX forms",
	       name, st->total, st->valid, st->len_bad, st->opc_bad,
	       st->ops_bad, st->ops_checked);
	tap_ok(st->val_bad == 0,
	       "decoder vs zydis, %s: %llu validity mismatches, %llu known "
	       "zydis errors (zd_known_list)",
	       name, st->val_bad, st->known);
	for (i = 0; i < st->n_opex; i++)
		tap_diag("  %s", st->opex[i]);
	for (i = 0; i < st->n_ex; i++)
		tap_diag("  %s", st->ex[i]);
}

/* ------------------------------------------------------------ random */

/*
 * 15 random bytes; half of the cases start with a random run of prefixes
 * and an escape (0F, 0F 38, 0F 3A, VEX, EVEX, XOP) so the rarer maps are
 * covered as densely as the one-byte map.
 */
static void zd_random_insn(struct rng *rs, u8 *buf)
{
	static const u8 pfx[] = {0x66, 0x67, 0xf0, 0xf2, 0xf3,
				 0x2e, 0x64, 0x48, 0x41, 0x4c};
	static const u8 esc[][2] = {{0x0f, 0}, {0x0f, 0x38}, {0x0f, 0x3a},
				    {0xc5, 0}, {0xc4, 0},    {0x62, 0},
				    {0x8f, 0}, {0x0f, 0x0f}};
	u64 r = rng_next(rs);
	unsigned i, k = 0, np;

	for (i = 0; i < INSN_MAX_LEN; i += 8) {
		u64 v = rng_next(rs);

		memcpy(buf + i, &v,
		       INSN_MAX_LEN - i < 8 ? INSN_MAX_LEN - i : 8);
	}
	if (r & 1)
		return;
	np = (r >> 1) & 3;
	for (i = 0; i < np; i++)
		buf[k++] = pfx[(r >> (8 + 4 * i)) % sizeof(pfx)];
	i = (r >> 32) % 8;
	buf[k++] = esc[i][0];
	if (esc[i][1] && esc[i][0] == 0x0f)
		buf[k++] = esc[i][1];
	if (i >= 3 && i <= 6 && (r >> 40) & 1)
		buf[k] |= 0xc0; /* VEX/EVEX also outside 64-bit mode */
}

#endif /* MICA_TEST_ZYDIS_DIFF_H */
