/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder: public API. insn_decode() turns at most 15 bytes
 * fetched at CS:RIP into a struct insn (length, prefixes, opcode map and
 * byte, ModRM/SIB, displacement, immediates, effective operand/address size
 * and the memory operand). It is a pure function of the bytes and the mode;
 * the emulator (vmm/emulate/insn_emulate.c) executes the result.
 */
#ifndef MICA_VMM_INSN_INSN_H
#define MICA_VMM_INSN_INSN_H

#include "mm/base/types.h"
#include "mm/base/errno.h"

/* Architectural limit on instruction length (SDM Vol. 2A 2.3.11). */
#define INSN_MAX_LEN 15

/* Code segment kind: 16 = CS.D=0 (real, vm86, 16-bit protected), 32 = CS.D=1,
 * 64 = CS.L=1 (64-bit submode of IA-32e). The value is the default address
 * size in bits. */
enum insn_mode {
	INSN_MODE_16 = 16,
	INSN_MODE_32 = 32,
	INSN_MODE_64 = 64,
};

/*
 * insn_decode() results. 0 is success; every failure is a distinct negative
 * errno so the caller can tell "fetch more" from "inject #UD".
 */
enum insn_status {
	INSN_OK = 0,
	INSN_E_MORE = -EAGAIN,	  /* avail too small: fetch more bytes */
	INSN_E_TOO_LONG = -E2BIG, /* would exceed 15 bytes (#GP(0)) */
	INSN_E_LOCK = -EPERM,	  /* LOCK on a non-lockable form (#UD) */
	INSN_E_UNDEF = -EINVAL,	  /* undefined opcode / encoding (#UD) */
	INSN_E_MODE = -ENOENT,	  /* invalid in this CPU mode (#UD) */
};

/* Encoding family of the opcode (how the map was selected). */
enum insn_enc {
	INSN_ENC_LEGACY = 0, /* 1-byte, 0F, 0F38, 0F3A escape bytes */
	INSN_ENC_3DNOW,	     /* 0F 0F /r ib: opcode is the trailing imm8 */
	INSN_ENC_VEX2,	     /* C5 xx */
	INSN_ENC_VEX3,	     /* C4 xx xx */
	INSN_ENC_EVEX,	     /* 62 xx xx xx */
	INSN_ENC_XOP,	     /* 8F xx xx with map >= 8 (AMD) */
};

/*
 * Opcode map. Legacy escapes and VEX/EVEX mmmmm share the numbers 1..3;
 * EVEX maps 5/6 (AVX512-FP16) and XOP maps 8..10 use their encoded value.
 */
enum insn_map {
	INSN_MAP_1B = 0,    /* one-byte map */
	INSN_MAP_0F = 1,    /* 0F xx, VEX/EVEX mmmmm=1 */
	INSN_MAP_0F38 = 2,  /* 0F 38 xx, mmmmm=2 */
	INSN_MAP_0F3A = 3,  /* 0F 3A xx, mmmmm=3 */
	INSN_MAP_EVEX5 = 5, /* EVEX map 5 */
	INSN_MAP_EVEX6 = 6, /* EVEX map 6 */
	INSN_MAP_XOP8 = 8,  /* XOP map 8 (trailing imm8) */
	INSN_MAP_XOP9 = 9,  /* XOP map 9 */
	INSN_MAP_XOPA = 10, /* XOP map 10 (trailing imm32) */
	INSN_MAP_3DNOW = 15 /* 0F 0F: opcode is the imm8 suffix */
};

/* Segment registers, numbered as the Sreg field of MOV Sreg (SDM Vol. 2A MOV). */
enum insn_seg {
	INSN_SEG_ES = 0,
	INSN_SEG_CS = 1,
	INSN_SEG_SS = 2,
	INSN_SEG_DS = 3,
	INSN_SEG_FS = 4,
	INSN_SEG_GS = 5,
	INSN_SEG_NONE = 0xff,
};

/* GPR numbers as encoded (rAX=0 .. rDI=7, r8..r15); "none" for a missing
 * base/index. Byte registers 4..7 mean AH..BH unless a REX/VEX/EVEX prefix
 * is present (then SPL..DIL); see insn_reg8_is_high(). */
#define INSN_REG_NONE 0xff

/* Legacy prefix flags (struct insn.pfx.flags). */
#define INSN_PFX_LOCK  BIT(0) /* F0 */
#define INSN_PFX_REP   BIT(1) /* F3 (REP/REPE), the last of F2/F3 */
#define INSN_PFX_REPNE BIT(2) /* F2 (REPNE), the last of F2/F3 */
#define INSN_PFX_OSZ   BIT(3) /* 66 operand-size override */
#define INSN_PFX_ASZ   BIT(4) /* 67 address-size override */
#define INSN_PFX_SEG   BIT(5) /* some segment override present */

/* Table attributes of the decoded form (struct insn.attr). */
#define INSN_A_MODRM	BIT(0) /* has a ModRM byte */
#define INSN_A_BYTEOP	BIT(1) /* operates on 8-bit operands */
#define INSN_A_LOCKABLE BIT(2) /* LOCK permitted with a memory destination */
#define INSN_A_STRING	BIT(3) /* string instruction (REP applies) */
#define INSN_A_MOFFS	BIT(4) /* A0-A3: address-size memory offset */
#define INSN_A_BRANCH	BIT(5) /* relative branch (imm is rel) */
#define INSN_A_VSIB	BIT(6) /* SIB index is a vector register */
#define INSN_A_MEMONLY	BIT(7) /* ModRM.mod == 3 is undefined */
#define INSN_A_VECTOR	BIT(8) /* SSE/AVX data operand (opsize = vector) */

/* Memory operand described by ModRM/SIB/disp or a moffs. */
struct insn_mem {
	bool present;	   /* instruction has a ModRM/moffs memory operand */
	bool rip_relative; /* 64-bit mode ModRM mod=00 rm=101: base is RIP */
	u8 seg;		   /* effective segment (override or default) */
	u8 base;	   /* GPR 0..15 or INSN_REG_NONE */
	u8 index;	   /* GPR 0..15, vector 0..31 if VSIB, or NONE */
	u8 scale;	   /* 1, 2, 4 or 8 (1 when there is no index) */
	s64 disp;	   /* sign-extended disp (moffs: zero-extended) */
};

/* The decoded form of one instruction. Fields that do not apply are 0. */
struct insn {
	u8 len;	   /* total length in bytes, 1..15 */
	u8 mode;   /* enum insn_mode it was decoded for */
	u8 enc;	   /* enum insn_enc */
	u8 map;	   /* enum insn_map */
	u8 opcode; /* opcode byte within map (3DNow: the imm8 suffix) */
	/*
	 * Effective operand size in bytes: 1, 2, 4, 8 for integer forms
	 * (66, REX.W, default-64 and forced-64 rules applied; MOVZX/MOVSX:
	 * the destination), 8/16 for CMPXCHG8B/16B, the accessed size for
	 * MOVD/MOVQ/MOVSS/MOVSD forms, 64 for AMX (the m512 of LDTILECFG,
	 * at most that per tile row: the palette in TILECFG sizes a tile
	 * access), else the vector width 16/32/64.
	 */
	u8 opsize;
	u8 addrsize;	      /* effective address size in bytes: 2, 4 or 8 */
	u16 attr;	      /* INSN_A_* of the decoded form */
	u8 raw[INSN_MAX_LEN]; /* the instruction bytes (len of them) */

	struct {
		u8 count;		/* legacy prefix bytes, <= 14 */
		u8 bytes[INSN_MAX_LEN]; /* in the order they appeared */
		u8 flags;		/* INSN_PFX_* */
		u8 seg;			/* last segment override or NONE */
		u8 mandatory; /* legacy: 0xF3/0xF2 (last), else 0x66, else 0 */
	} pfx;

	struct {
		bool present; /* 40-4F immediately before the opcode */
		u8 byte;
		u8 w, r, x, b; /* each 0 or 1 */
	} rex;

	/* VEX2/VEX3/EVEX/XOP payload, decoded (R/X/B/R'/V' un-inverted). */
	struct {
		u8 l;	  /* vector length: 0=128, 1=256, 2=512 (EVEX L'L) */
		u8 pp;	  /* implied prefix: 0 none, 1 66, 2 F3, 3 F2 */
		u8 mmmmm; /* map select as encoded */
		u8 vvvv;  /* un-inverted, EVEX V' as bit 4; bit 3 is kept
			  * outside 64-bit mode, where hardware ignores it */
		u8 w;
		u8 r, x, b, r2;	 /* r2 = EVEX R' */
		u8 z, aaa, bcst; /* EVEX only: zeroing, opmask, broadcast/rc */
	} vex;

	struct {
		bool present;
		u8 byte;
		u8 mod; /* 0..3 */
		u8 reg; /* 0..15 (REX.R applied), EVEX R' adds 16 */
		u8 rm; /* 0..15 (REX.B applied); == 4/12 with SIB when mod!=3 */
	} modrm;

	struct {
		bool present;
		u8 byte;
		u8 scale; /* 0..3 as encoded (factor 1 << scale) */
		u8 index; /* 0..15 with REX.X (4 = none unless VSIB) */
		u8 base;  /* 0..15 with REX.B */
	} sib;

	u8 disp_size; /* 0, 1, 2, 4 or 8 (8 only for 64-bit moffs) */
	s64 disp;     /* sign-extended; moffs zero-extended */

	u8 imm_size[2]; /* second one: ENTER ib, EXTRQ/INSERTQ ib ib */
	u64 imm[2];	/* sign-extended from imm_size to 64 bits */

	struct insn_mem mem;
};

/*
 * Decode the instruction at buf (avail readable bytes) for a code segment
 * of the given mode into *out. Never reads buf[avail] or beyond, and never
 * more than 15 bytes. Returns INSN_OK, INSN_E_MORE when the instruction
 * continues past avail (only if avail < 15), or INSN_E_TOO_LONG /
 * INSN_E_LOCK / INSN_E_UNDEF / INSN_E_MODE for an invalid encoding. The
 * result is a function of the bytes alone: decoding a prefix of a buffer
 * either returns INSN_E_MORE or exactly what the full buffer gives. On
 * failure *out holds what was decoded so far (len = bytes examined).
 */
__must_check int insn_decode(struct insn *out, const u8 *buf, size_t avail,
			     enum insn_mode mode);

/*
 * Effective address (offset within the segment, truncated to the address
 * size) of in->mem: base + index * scale + disp, with RIP-relative operands
 * taken from next_rip (the address of the following instruction, i.e.
 * RIP + in->len). gpr holds the 16 guest GPRs by number. Precondition:
 * in->mem.present and !(in->attr & INSN_A_VSIB).
 */
u64 insn_mem_ea(const struct insn *in, const u64 gpr[16], u64 next_rip);

/*
 * Whether byte-register number reg (0..7) names AH/CH/DH/BH, which holds
 * only when no REX/VEX/EVEX prefix is present (SDM Vol. 1 3.4.1.1).
 */
static inline bool insn_reg8_is_high(const struct insn *in, u8 reg)
{
	return !in->rex.present && in->enc == INSN_ENC_LEGACY && reg >= 4 &&
	       reg < 8;
}

/*
 * Describe the decoded form for diagnostics, NUL-terminated into buf[n]:
 * raw bytes, encoding/map/opcode, /reg, operand and address size, e.g.
 * "66 89 07 | 1b:89 /0 os=2 as=8 m64". Returns the length written
 * (excluding NUL), truncating if n is too small. No libc.
 */
size_t insn_format(const struct insn *in, char *buf, size_t n);

/* Short name of an insn_decode() status for diagnostics ("ok", "more",
 * "too-long", "lock", "undef", "mode"). */
const char *insn_status_name(int status);

#endif /* MICA_VMM_INSN_INSN_H */
