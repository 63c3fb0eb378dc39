/* SPDX-License-Identifier: MIT */
/*
 * Decoder services around struct insn: effective-address computation of
 * the memory operand, and a compact text form of a decoded instruction for
 * diagnostics (no libc: usable in the hypervisor's exit path).
 */
#include "vmm/insn/insn.h"

u64 insn_mem_ea(const struct insn *in, const u64 gpr[16], u64 next_rip)
{
	const struct insn_mem *m = &in->mem;
	u64 ea = (u64)m->disp;

	if (m->rip_relative)
		ea += next_rip;
	if (m->base != INSN_REG_NONE)
		ea += gpr[m->base & 15];
	if (m->index != INSN_REG_NONE)
		ea += gpr[m->index & 15] * m->scale;
	if (in->addrsize < 8)
		ea &= GENMASK(8 * in->addrsize - 1, 0);
	return ea;
}

/* Bounded output buffer: always NUL-terminated, counts what fits. */
struct fmt {
	char *buf;
	size_t n, len;
};

static void put_c(struct fmt *f, char ch)
{
	if (f->len + 1 < f->n) {
		f->buf[f->len++] = ch;
		f->buf[f->len] = 0;
	}
}

static void put_s(struct fmt *f, const char *s)
{
	while (*s)
		put_c(f, *s++);
}

static void put_hex8(struct fmt *f, u8 v)
{
	static const char hex[] = "0123456789abcdef";

	put_c(f, hex[v >> 4]);
	put_c(f, hex[v & 15]);
}

static void put_dec(struct fmt *f, unsigned v)
{
	char t[12];
	int i = 0;

	do {
		t[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		put_c(f, t[--i]);
}

static const char *const enc_name[] = {"",	"3dnow ", "vex2 ",
				       "vex3 ", "evex ",  "xop "};
static const char *const map_name[16] = {
    [0] = "1b", [1] = "0f", [2] = "0f38", [3] = "0f3a", [5] = "m5",
    [6] = "m6", [8] = "x8", [9] = "x9",	  [10] = "xa",	[15] = "0f0f"};

size_t insn_format(const struct insn *in, char *buf, size_t n)
{
	struct fmt f = {.buf = buf, .n = n};
	unsigned i;

	if (n)
		buf[0] = 0;
	for (i = 0; i < in->len && i < INSN_MAX_LEN; i++) {
		if (i)
			put_c(&f, ' ');
		put_hex8(&f, in->raw[i]);
	}
	put_s(&f, " | ");
	if (in->enc < 6)
		put_s(&f, enc_name[in->enc]);
	put_s(&f, map_name[in->map & 15] ? map_name[in->map & 15] : "?");
	put_c(&f, ':');
	put_hex8(&f, in->opcode);
	if (in->modrm.present) {
		put_s(&f, " /");
		put_dec(&f, (in->modrm.byte >> 3) & 7);
		put_s(&f, in->modrm.mod == 3 ? " r" : " m");
	}
	put_s(&f, " os=");
	put_dec(&f, in->opsize);
	put_s(&f, " as=");
	put_dec(&f, in->addrsize);
	put_s(&f, " mode=");
	put_dec(&f, in->mode);
	if (in->pfx.flags & INSN_PFX_LOCK)
		put_s(&f, " lock");
	if (in->pfx.flags & INSN_PFX_REP)
		put_s(&f, " rep");
	if (in->pfx.flags & INSN_PFX_REPNE)
		put_s(&f, " repne");
	return f.len;
}

const char *insn_status_name(int status)
{
	switch (status) {
	case INSN_OK:
		return "ok";
	case INSN_E_MORE:
		return "more";
	case INSN_E_TOO_LONG:
		return "too-long";
	case INSN_E_LOCK:
		return "lock";
	case INSN_E_UNDEF:
		return "undef";
	case INSN_E_MODE:
		return "mode";
	}
	return "?";
}
