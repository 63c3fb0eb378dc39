/* SPDX-License-Identifier: MIT */
/*
 * Directed tests of the emulator's system and stack forms against a model
 * of the system state (GDTR/IDTR, the eight segment registers, CR0, MMX
 * registers): SMSW/LMSW, SGDT/SIDT/SLDT/STR, LGDT/LIDT/LLDT/LTR, MOV to
 * and from segment registers, far JMP/CALL through memory, PUSH/POP/CALL/
 * RET/ENTER/LEAVE and the MMX moves, each with the faults of its SDM page
 * (CPL, CR4.UMIP, descriptor checks, canonical bases, #MF/#NM/#UD).
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
#define GDT	 0x8000 /* GDT base in the model's memory */
#define STACK	 0x4000 /* initial RSP */
#define UMIP	 BIT(11)
#define LMA	 BIT(10)

static struct {
	u64 gpr[16];
	u8 mem[MEM_SIZE];
	struct em_dtr dtr[2];
	struct em_segreg seg[8];
	u64 cr0;
	bool cr0_refuse; /* write_cr0 says #GP */
	unsigned cr0_writes, seg_writes, dtr_writes, sys_writes;
	u64 mmx[8];
	bool x87_pending;
} g;

static struct em_regs regs = {.gpr = g.gpr};

static enum em_mem_result t_rw(struct em_ctx *ctx, gva_t la, void *buf,
			       const void *src, unsigned size)
{
	if (la >= MEM_SIZE || la + size > MEM_SIZE)
		return em_page_fault(ctx, la, 0);
	if (src)
		memcpy(g.mem + la, src, size);
	else
		memcpy(buf, g.mem + la, size);
	return EM_MEM_OK;
}

static enum em_mem_result t_read(struct em_ctx *ctx, gva_t la, void *buf,
				 unsigned size)
{
	return t_rw(ctx, la, buf, NULL, size);
}

static enum em_mem_result t_write(struct em_ctx *ctx, gva_t la, const void *buf,
				  unsigned size)
{
	return t_rw(ctx, la, NULL, buf, size);
}

static enum em_mem_result t_write_sys(struct em_ctx *ctx, gva_t la,
				      const void *buf, unsigned size)
{
	g.sys_writes++;
	return t_rw(ctx, la, NULL, buf, size);
}

static void t_read_dtr(struct em_ctx *c, unsigned which, struct em_dtr *d)
{
	(void)c;
	*d = g.dtr[which];
}

static void t_write_dtr(struct em_ctx *c, unsigned which,
			const struct em_dtr *d)
{
	(void)c;
	g.dtr[which] = *d;
	g.dtr_writes++;
}

static void t_read_seg(struct em_ctx *c, unsigned seg, struct em_segreg *s)
{
	(void)c;
	*s = g.seg[seg];
}

static void t_write_seg(struct em_ctx *c, unsigned seg,
			const struct em_segreg *s)
{
	(void)c;
	g.seg[seg] = *s;
	g.seg_writes++;
}

static bool t_write_cr0(struct em_ctx *c, u64 val)
{
	(void)c;
	if (g.cr0_refuse)
		return false;
	g.cr0 = val;
	g.cr0_writes++;
	return true;
}

static bool t_read_mmx(struct em_ctx *c, unsigned reg, u64 *val)
{
	(void)c;
	*val = g.mmx[reg];
	return !g.x87_pending;
}

static bool t_write_mmx(struct em_ctx *c, unsigned reg, u64 val)
{
	(void)c;
	if (g.x87_pending)
		return false;
	g.mmx[reg] = val;
	return true;
}

static const struct em_ops ops = {
    .read_gpr = em_regs_read_gpr,
    .write_gpr = em_regs_write_gpr,
    .read_mem = t_read,
    .write_mem = t_write,
    .read_dtr = t_read_dtr,
    .write_dtr = t_write_dtr,
    .read_seg = t_read_seg,
    .write_seg = t_write_seg,
    .write_cr0 = t_write_cr0,
    .read_sys = t_read,
    .write_sys = t_write_sys,
    .read_mmx = t_read_mmx,
    .write_mmx = t_write_mmx,
};

static struct em_ctx ctx;
static struct insn in;

/* A segment descriptor (SDM Vol. 3A Figure 3-8): access byte acc (type,
 * S, DPL, P), flags fl (AVL, L, D/B, G in bits 3:0). */
static u64 desc(u32 base, u32 limit, u8 acc, u8 fl)
{
	return (limit & 0xffff) | (u64)(base & 0xffffff) << 16 |
	       (u64)acc << 40 | (u64)((limit >> 16) & 0xf) << 48 |
	       (u64)fl << 52 | (u64)(base >> 24) << 56;
}

static void put_desc(unsigned index, u64 d)
{
	memcpy(g.mem + GDT + index * 8, &d, 8);
}

static u64 get_desc(unsigned index)
{
	u64 d;

	memcpy(&d, g.mem + GDT + index * 8, 8);
	return d;
}

/* GDT: 1 64-bit code, 2 data, 3 32-bit code, 4 code DPL 3, 5-6 LDT (16
 * bytes), 7-8 available TSS, 9 data not present, 10 call gate, 11 code
 * execute-only, 12 data DPL 0 not accessed, 13 conforming code DPL 3. */
#define SEL_CODE64 0x08
#define SEL_DATA   0x10
#define SEL_CODE32 0x18
#define SEL_CODE3  0x20
#define SEL_LDT	   0x28
#define SEL_TSS	   0x38
#define SEL_NP	   0x48
#define SEL_GATE   0x50
#define SEL_XO	   0x58
#define SEL_DATA_N 0x60
#define SEL_CONF3  0x68

static void gdt_setup(void)
{
	put_desc(1, desc(0, 0xfffff, 0x9b, 0xa));
	put_desc(2, desc(0, 0xfffff, 0x93, 0xc));
	put_desc(3, desc(0, 0xfffff, 0x9b, 0xc));
	put_desc(4, desc(0, 0xfffff, 0xfb, 0xc));
	put_desc(5, desc(0x12345000, 0x2f, 0x82, 0));
	put_desc(6, 0xffffffffULL); /* base 63:32 of the LDT */
	put_desc(7, desc(0x6000, 0x67, 0x89, 0));
	put_desc(8, 0);
	put_desc(9, desc(0, 0xfffff, 0x13, 0xc));
	put_desc(10, desc(0x1000, 0x08, 0x8c, 0));
	put_desc(11, desc(0, 0xfffff, 0x99, 0xc));
	put_desc(12, desc(0x100, 0xfff, 0x92, 0x4));
	put_desc(13, desc(0, 0xfffff, 0xff, 0xc));
	g.dtr[EM_DTR_GDT] = (struct em_dtr){GDT, 14 * 8 - 1};
	g.dtr[EM_DTR_IDT] = (struct em_dtr){0x9000, 0xfff};
}

/* Fresh state for mode at CPL 0: flat segments, CR0.PE/PG, LMA in 64-bit
 * mode, LDTR null, TR loaded. */
static void reset(enum insn_mode mode)
{
	memset(&g, 0, sizeof(g));
	regs.gpr_writes = 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.ops = &ops;
	ctx.opaque = &regs;
	ctx.rip = 0x1000;
	ctx.rflags = 0x2;
	ctx.cr0 = g.cr0 = 0x80000033;
	ctx.cr4 = BIT(9);
	ctx.efer = mode == INSN_MODE_64 ? LMA : 0;
	em_test_flat_segs(&ctx, mode);
	for (unsigned s = 0; s < 6; s++) {
		g.seg[s].cache = ctx.seg[s];
		g.seg[s].sel = s == INSN_SEG_CS ? SEL_CODE64 : SEL_DATA;
		ctx.seg[s].ar &= ~(3u << 5); /* DPL 0 */
		g.seg[s].cache.ar &= ~(3u << 5);
	}
	if (mode == INSN_MODE_32)
		g.seg[INSN_SEG_CS].sel = SEL_CODE32;
	g.seg[EM_SEG_LDTR].cache.ar = GWALK_AR_UNUSABLE;
	g.seg[EM_SEG_TR] = (struct em_segreg){SEL_TSS, {0x6000, 0x67, 0x8b}};
	g.gpr[4] = STACK;
	gdt_setup();
}

#define RUN(mode, ...) EM_RUN(in, ctx, mode, __VA_ARGS__)

static bool fault(enum em_result r, u8 vec, u32 ec)
{
	return r == EM_EXCEPTION && ctx.exc.vector == vec &&
	       ctx.exc.has_error_code && ctx.exc.error_code == ec;
}

static u64 mem64(unsigned at)
{
	u64 v;

	memcpy(&v, g.mem + at, 8);
	return v;
}

static void test_msw(void)
{
	enum em_result r;

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memset(g.mem + 0x2000, 0xee, 4);
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x23); /* smsw [rbx] */
	tap_ok(r == EM_DONE && mem64(0x2000) == 0xeeee0033 && ctx.rip == 0x1003,
	       "SMSW m16: the low 16 bits of CR0, two bytes written");

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0x48, 0x0f, 0x01, 0xe0); /* smsw rax */
	tap_ok(r == EM_DONE && g.gpr[0] == 0x80000033,
	       "SMSW r64 (REX.W): all of CR0");

	reset(INSN_MODE_64);
	ctx.cr4 |= UMIP;
	ctx.cpl = 3;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x23);
	tap_ok(fault(r, EM_VEC_GP, 0) && mem64(0x2000) == 0,
	       "SMSW at CPL 3 with CR4.UMIP: #GP(0), nothing stored");

	reset(INSN_MODE_64);
	ctx.cr4 |= UMIP;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x23);
	tap_ok(r == EM_DONE, "SMSW at CPL 0 with CR4.UMIP: allowed");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	g.mem[0x2000] = 0x0e; /* PE = 0, MP/EM/TS = 1 */
	ctx.cr0 = g.cr0 = 0x80000031;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x33); /* lmsw [rbx] */
	tap_ok(r == EM_DONE && g.cr0 == 0x8000003f && g.cr0_writes == 1,
	       "LMSW m16: loads MP, EM, TS and cannot clear PE (CR0 %#llx)",
	       (unsigned long long)g.cr0);

	reset(INSN_MODE_32);
	ctx.cr0 = g.cr0 = 0x10; /* real mode */
	g.gpr[3] = 0x2000;
	g.mem[0x2000] = 0x01;
	r = RUN(INSN_MODE_16, 0x0f, 0x01, 0x37); /* lmsw [bx] */
	tap_ok(r == EM_DONE && g.cr0 == 0x11,
	       "LMSW in real mode: sets PE (CR0 %#llx)",
	       (unsigned long long)g.cr0);

	reset(INSN_MODE_64);
	ctx.cpl = 3;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x33);
	tap_ok(fault(r, EM_VEC_GP, 0) && !g.cr0_writes,
	       "LMSW at CPL 3: #GP(0)");

	reset(INSN_MODE_64);
	g.cr0_refuse = true;
	g.gpr[3] = 0x2000;
	g.gpr[4] = 0x5555;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x33);
	tap_ok(fault(r, EM_VEC_GP, 0) && ctx.rip == 0x1000 &&
		   ctx.cr0 == 0x80000033,
	       "LMSW refused by the CR0 logic: #GP(0), nothing changed");
}

static void test_dtr(void)
{
	enum em_result r;

	reset(INSN_MODE_64);
	g.dtr[EM_DTR_GDT].base = 0xffff888812345678ULL;
	g.gpr[3] = 0x2000;
	memset(g.mem + 0x2000, 0xee, 12);
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x03); /* sgdt [rbx] */
	tap_ok(r == EM_DONE && g.mem[0x2000] == 0x6f && g.mem[0x2001] == 0 &&
		   mem64(0x2002) == 0xffff888812345678ULL &&
		   g.mem[0x200a] == 0xee,
	       "SGDT m in 64-bit mode: 10 bytes");

	reset(INSN_MODE_32);
	g.dtr[EM_DTR_IDT].base = 0x00abcdef;
	g.gpr[3] = 0x2000;
	memset(g.mem + 0x2000, 0xee, 8);
	r = RUN(INSN_MODE_32, 0x66, 0x0f, 0x01, 0x0b); /* o16 sidt [ebx] */
	tap_ok(r == EM_DONE && mem64(0x2000) == 0xeeee00abcdef0fffULL,
	       "SIDT m with a 16-bit operand size: 6 bytes, full base");

	reset(INSN_MODE_64);
	ctx.cr4 |= UMIP;
	ctx.cpl = 1;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x0b);
	tap_ok(fault(r, EM_VEC_GP, 0), "SIDT at CPL 1 with CR4.UMIP: #GP(0)");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	g.mem[0x2000] = 0x7f;
	g.mem[0x2001] = 0x01;
	memcpy(g.mem + 0x2002, &(u64){0xffff800000001000ULL}, 8);
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x13); /* lgdt [rbx] */
	tap_ok(r == EM_DONE && g.dtr[EM_DTR_GDT].limit == 0x17f &&
		   g.dtr[EM_DTR_GDT].base == 0xffff800000001000ULL,
	       "LGDT m in 64-bit mode: 16-bit limit, 64-bit base");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2002, &(u64){0x0000800000001000ULL}, 8);
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x1b); /* lidt [rbx] */
	tap_ok(fault(r, EM_VEC_GP, 0) && !g.dtr_writes,
	       "LIDT with a non-canonical base: #GP(0), IDTR unchanged");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2002, &(u32){0x12345678}, 4);
	r = RUN(INSN_MODE_32, 0x66, 0x0f, 0x01, 0x13); /* o16 lgdt [ebx] */
	tap_ok(r == EM_DONE && g.dtr[EM_DTR_GDT].base == 0x345678,
	       "LGDT with a 16-bit operand size: 24 bits of base");

	reset(INSN_MODE_64);
	ctx.cpl = 3;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x13);
	tap_ok(fault(r, EM_VEC_GP, 0) && !g.dtr_writes,
	       "LGDT at CPL 3: #GP(0)");

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0xc1); /* vmcall (0F 01 mod = 3) */
	tap_ok(r == EM_UNSUPPORTED,
	       "0F 01 with mod = 3 (VMCALL): not emulated");
}

static void test_ldt_tr(void)
{
	enum em_result r;

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memset(g.mem + 0x2000, 0xee, 4);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x0b); /* str [rbx] */
	tap_ok(r == EM_DONE && mem64(0x2000) == 0xeeee0000 + SEL_TSS,
	       "STR m16: the TR selector, two bytes");

	reset(INSN_MODE_64);
	g.gpr[0] = ~0ULL;
	r = RUN(INSN_MODE_64, 0x48, 0x0f, 0x00, 0xc8); /* str rax */
	tap_ok(r == EM_DONE && g.gpr[0] == SEL_TSS,
	       "STR r64: zero-extended selector");

	reset(INSN_MODE_32);
	ctx.cr0 = 0x10;
	r = RUN(INSN_MODE_16, 0x0f, 0x00, 0x07); /* sldt [bx] */
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_UD,
	       "SLDT in real mode: #UD");

	reset(INSN_MODE_64);
	ctx.cr4 |= UMIP;
	ctx.cpl = 3;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x03); /* sldt [rbx] */
	tap_ok(fault(r, EM_VEC_GP, 0), "SLDT at CPL 3 with UMIP: #GP(0)");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_LDT}, 2);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x13); /* lldt [rbx] */
	tap_ok(r == EM_DONE && g.seg[EM_SEG_LDTR].sel == SEL_LDT &&
		   g.seg[EM_SEG_LDTR].cache.base == 0xffffffff12345000ULL &&
		   g.seg[EM_SEG_LDTR].cache.limit == 0x2f &&
		   g.seg[EM_SEG_LDTR].cache.ar == 0x82,
	       "LLDT m16 in IA-32e mode: a 16-byte LDT descriptor loaded");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x13);
	tap_ok(r == EM_DONE &&
		   (g.seg[EM_SEG_LDTR].cache.ar & GWALK_AR_UNUSABLE),
	       "LLDT with a null selector: LDTR unusable");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_DATA | 7}, 2);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x13);
	tap_ok(fault(r, EM_VEC_GP, SEL_DATA | 4),
	       "LLDT with TI = 1: #GP(selector)");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_DATA}, 2);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x13);
	tap_ok(fault(r, EM_VEC_GP, SEL_DATA) && !g.seg_writes,
	       "LLDT of a data segment: #GP(selector)");

	reset(INSN_MODE_64);
	put_desc(5, desc(0x1000, 0x2f, 0x02, 0));
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_LDT}, 2);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x13);
	tap_ok(fault(r, EM_VEC_NP, SEL_LDT),
	       "LLDT, not present: #NP(selector)");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){0x78}, 2);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x13);
	tap_ok(fault(r, EM_VEC_GP, 0x78),
	       "LLDT beyond the GDT limit: #GP(selector)");

	reset(INSN_MODE_64);
	ctx.cpl = 3;
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x13);
	tap_ok(fault(r, EM_VEC_GP, 0), "LLDT at CPL 3: #GP(0)");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_TSS}, 2);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x1b); /* ltr [rbx] */
	tap_ok(r == EM_DONE && g.seg[EM_SEG_TR].sel == SEL_TSS &&
		   g.seg[EM_SEG_TR].cache.ar == 0x8b &&
		   g.seg[EM_SEG_TR].cache.base == 0x6000 &&
		   ((get_desc(7) >> 40) & 0xff) == 0x8b,
	       "LTR m16: TR loaded busy, the descriptor marked busy");
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x1b);
	tap_ok(fault(r, EM_VEC_GP, SEL_TSS),
	       "LTR of a busy TSS: #GP(selector)");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x1b);
	tap_ok(fault(r, EM_VEC_GP, 0), "LTR with a null selector: #GP(0)");

	reset(INSN_MODE_64);
	put_desc(7, desc(0x6000, 0x67, 0x81, 0)); /* 16-bit TSS */
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_TSS}, 2);
	r = RUN(INSN_MODE_64, 0x0f, 0x00, 0x1b);
	tap_ok(fault(r, EM_VEC_GP, SEL_TSS),
	       "LTR of a 16-bit TSS in IA-32e mode: #GP(selector)");

	reset(INSN_MODE_32);
	put_desc(7, desc(0x6000, 0x67, 0x81, 0));
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_TSS}, 2);
	r = RUN(INSN_MODE_32, 0x0f, 0x00, 0x1b); /* ltr [ebx] */
	tap_ok(r == EM_DONE && g.seg[EM_SEG_TR].cache.ar == 0x83,
	       "LTR of a 16-bit TSS in protected mode: busy type 3");
}

static void test_sreg(void)
{
	enum em_result r;

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memset(g.mem + 0x2000, 0xee, 4);
	r = RUN(INSN_MODE_32, 0x8c, 0x1b); /* mov [ebx], ds */
	tap_ok(r == EM_DONE && mem64(0x2000) == 0xeeee0000 + SEL_DATA,
	       "MOV m16, DS (8C): two bytes");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_DATA_N}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x1b); /* mov ds, [ebx] */
	tap_ok(r == EM_DONE && g.seg[INSN_SEG_DS].sel == SEL_DATA_N &&
		   g.seg[INSN_SEG_DS].cache.base == 0x100 &&
		   g.seg[INSN_SEG_DS].cache.limit == 0xfff &&
		   g.seg[INSN_SEG_DS].cache.ar == 0x4093 &&
		   ctx.seg[INSN_SEG_DS].base == 0x100 &&
		   (get_desc(12) & BIT(40)) && !ctx.mov_ss,
	       "MOV DS, m16: descriptor loaded, accessed bit set");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){3}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x03); /* mov es, [ebx] */
	tap_ok(r == EM_DONE && g.seg[INSN_SEG_ES].sel == 3 &&
		   (g.seg[INSN_SEG_ES].cache.ar & GWALK_AR_UNUSABLE),
	       "MOV ES, m16 with a null selector: ES unusable");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_32, 0x8e, 0x13); /* mov ss, [ebx] */
	tap_ok(fault(r, EM_VEC_GP, 0) && !g.seg_writes,
	       "MOV SS, m16 with a null selector (32-bit): #GP(0)");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x8e, 0x13); /* mov ss, [rbx] */
	tap_ok(r == EM_DONE && ctx.mov_ss &&
		   (g.seg[INSN_SEG_SS].cache.ar & GWALK_AR_UNUSABLE),
	       "MOV SS, m16 with a null selector in 64-bit mode at CPL 0: "
	       "loaded, interrupts blocked for one instruction");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_DATA}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x13);
	tap_ok(r == EM_DONE && ctx.mov_ss && g.seg[INSN_SEG_SS].sel == SEL_DATA,
	       "MOV SS, m16: loaded, MOV SS blocking reported");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_CODE32}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x13);
	tap_ok(fault(r, EM_VEC_GP, SEL_CODE32),
	       "MOV SS, code segment: #GP(selector)");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_XO}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x23); /* mov fs, [ebx] */
	tap_ok(fault(r, EM_VEC_GP, SEL_XO),
	       "MOV FS, execute-only code: #GP(selector)");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_CODE32}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x2b); /* mov gs, [ebx] */
	tap_ok(r == EM_DONE && g.seg[INSN_SEG_GS].sel == SEL_CODE32,
	       "MOV GS, readable code: loaded");

	reset(INSN_MODE_32);
	ctx.cpl = 3;
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_DATA | 3}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x1b);
	tap_ok(fault(r, EM_VEC_GP, SEL_DATA),
	       "MOV DS at CPL 3, DPL 0 data: #GP(selector)");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_NP}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x1b);
	tap_ok(fault(r, EM_VEC_NP, SEL_NP),
	       "MOV DS, not present: #NP(selector)");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){SEL_NP}, 2);
	r = RUN(INSN_MODE_32, 0x8e, 0x13);
	tap_ok(fault(r, EM_VEC_SS, SEL_NP),
	       "MOV SS, not present: #SS(selector)");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_32, 0x8e, 0x0b); /* mov cs, [ebx] */
	tap_ok(r == (enum em_result) - 1 ||
		   (r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_UD),
	       "MOV CS, m16: #UD (the decoder refuses it)");

	reset(INSN_MODE_32);
	ctx.cr0 = 0x10;
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){0x1234}, 2);
	r = RUN(INSN_MODE_16, 0x8e, 0x07); /* mov es, [bx] */
	tap_ok(r == EM_DONE && g.seg[INSN_SEG_ES].sel == 0x1234 &&
		   g.seg[INSN_SEG_ES].cache.base == 0x12340,
	       "MOV ES, m16 in real mode: base = selector * 16");
}

static void test_far(void)
{
	enum em_result r;

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u32){0x5678}, 4);
	memcpy(g.mem + 0x2004, &(u16){SEL_CODE32}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b); /* jmp far [ebx] */
	tap_ok(r == EM_DONE && ctx.rip == 0x5678 &&
		   g.seg[INSN_SEG_CS].sel == SEL_CODE32 &&
		   g.seg[INSN_SEG_CS].cache.ar == 0xc09b && g.gpr[4] == STACK,
	       "JMP m16:32: CS loaded, EIP = offset");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u32){0x5678}, 4);
	memcpy(g.mem + 0x2004, &(u16){SEL_CODE32}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x1b); /* call far [ebx] */
	tap_ok(r == EM_DONE && ctx.rip == 0x5678 && g.gpr[4] == STACK - 8 &&
		   mem64(STACK - 8) == ((u64)SEL_CODE32 << 32 | 0x1002),
	       "CALL m16:32: CS zero-extended and EIP pushed");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2004, &(u16){SEL_CODE32 | 3}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x1b);
	tap_ok(fault(r, EM_VEC_GP, SEL_CODE32) && g.gpr[4] == STACK,
	       "CALL m16:32, non-conforming code with RPL 3 > CPL 0: "
	       "#GP(sel), nothing pushed");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u64){0xffff800000001234ULL}, 8);
	memcpy(g.mem + 0x2008, &(u16){SEL_CODE64}, 2);
	r = RUN(INSN_MODE_64, 0x48, 0xff, 0x2b); /* jmp far [rbx] (m16:64) */
	tap_ok(r == EM_DONE && ctx.rip == 0xffff800000001234ULL,
	       "JMP m16:64 (REX.W) to a 64-bit code segment");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u64){0x0000800000001234ULL}, 8);
	memcpy(g.mem + 0x2008, &(u16){SEL_CODE64}, 2);
	r = RUN(INSN_MODE_64, 0x48, 0xff, 0x2b);
	tap_ok(fault(r, EM_VEC_GP, 0) && !g.seg_writes,
	       "JMP m16:64 to a non-canonical offset: #GP(0)");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u32){0x1234}, 4);
	memcpy(g.mem + 0x2004, &(u16){SEL_GATE}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b);
	tap_ok(r == EM_UNSUPPORTED && !g.seg_writes,
	       "JMP through a call gate: not emulated (%s)",
	       ctx.why ? ctx.why : "?");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2004, &(u16){SEL_DATA}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b);
	tap_ok(fault(r, EM_VEC_GP, SEL_DATA),
	       "JMP to a data segment: #GP(sel)");

	reset(INSN_MODE_32);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2004, &(u16){SEL_CODE3}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b);
	tap_ok(fault(r, EM_VEC_GP, SEL_CODE3),
	       "JMP to non-conforming DPL 3 code at CPL 0: #GP(sel)");

	reset(INSN_MODE_32);
	ctx.cpl = 3;
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2004, &(u16){SEL_CODE32 | 3}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b);
	tap_ok(fault(r, EM_VEC_GP, SEL_CODE32),
	       "JMP to DPL 0 code at CPL 3: #GP(sel)");

	reset(INSN_MODE_32);
	ctx.cpl = 3;
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2004, &(u16){SEL_CONF3}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b);
	tap_ok(r == EM_DONE && g.seg[INSN_SEG_CS].sel == (SEL_CONF3 | 3),
	       "JMP to conforming code at CPL 3: CS.RPL = CPL");

	reset(INSN_MODE_32);
	put_desc(3, desc(0, 0xfff, 0x9b, 0x4));
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u32){0x1000}, 4);
	memcpy(g.mem + 0x2004, &(u16){SEL_CODE32}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b);
	tap_ok(fault(r, EM_VEC_GP, 0), "JMP beyond the code limit: #GP(0)");

	reset(INSN_MODE_32);
	put_desc(3, desc(0, 0xfffff, 0x1b, 0xc));
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2004, &(u16){SEL_CODE32}, 2);
	r = RUN(INSN_MODE_32, 0xff, 0x2b);
	tap_ok(fault(r, EM_VEC_NP, SEL_CODE32),
	       "JMP to a code segment not present: #NP(sel)");

	reset(INSN_MODE_32);
	ctx.cr0 = 0x10;
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u16){0x0100}, 2);
	memcpy(g.mem + 0x2002, &(u16){0xf000}, 2);
	g.gpr[4] = 0x100;
	r = RUN(INSN_MODE_16, 0xff, 0x1f); /* call far [bx] */
	tap_ok(r == EM_DONE && ctx.rip == 0x100 &&
		   g.seg[INSN_SEG_CS].cache.base == 0xf0000 &&
		   g.gpr[4] == 0xfc &&
		   mem64(0xfc) == (SEL_CODE32 << 16 | 0x1002),
	       "CALL m16:16 in real mode: CS:IP pushed, base = sel * 16");
}

static void test_stack(void)
{
	enum em_result r;

	reset(INSN_MODE_64);
	g.gpr[11] = 0x1122334455667788ULL;
	r = RUN(INSN_MODE_64, 0x41, 0x53); /* push r11 */
	tap_ok(r == EM_DONE && g.gpr[4] == STACK - 8 &&
		   mem64(STACK - 8) == g.gpr[11],
	       "PUSH r64 (REX.B 53)");
	r = RUN(INSN_MODE_64, 0x58); /* pop rax */
	tap_ok(r == EM_DONE && g.gpr[4] == STACK && g.gpr[0] == g.gpr[11],
	       "POP r64 (58)");

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0x54); /* push rsp */
	tap_ok(r == EM_DONE && mem64(STACK - 8) == STACK,
	       "PUSH RSP pushes the value before the push");
	r = RUN(INSN_MODE_64, 0x5c); /* pop rsp */
	tap_ok(r == EM_DONE && g.gpr[4] == STACK, "POP RSP: the popped value");

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0x6a, 0x80); /* push -128 */
	tap_ok(r == EM_DONE && mem64(STACK - 8) == (u64)-128,
	       "PUSH imm8 sign-extended to 64 bits");
	r = RUN(INSN_MODE_64, 0x66, 0x68, 0x34, 0x12); /* push word 0x1234 */
	tap_ok(r == EM_DONE && g.gpr[4] == STACK - 10 &&
		   (u16)mem64(STACK - 10) == 0x1234,
	       "PUSH imm16 (66 68): a 2-byte slot");

	reset(INSN_MODE_32);
	r = RUN(INSN_MODE_32, 0x68, 0x78, 0x56, 0x34, 0x12);
	tap_ok(r == EM_DONE && g.gpr[4] == STACK - 4 &&
		   (u32)mem64(STACK - 4) == 0x12345678,
	       "PUSH imm32 in 32-bit code");

	reset(INSN_MODE_64);
	r = RUN(INSN_MODE_64, 0xe8, 0x10, 0, 0, 0); /* call +0x10 */
	tap_ok(r == EM_DONE && ctx.rip == 0x1015 && g.gpr[4] == STACK - 8 &&
		   mem64(STACK - 8) == 0x1005,
	       "CALL rel32: return RIP pushed");
	r = RUN(INSN_MODE_64, 0xc3); /* ret */
	tap_ok(r == EM_DONE && ctx.rip == 0x1005 && g.gpr[4] == STACK,
	       "RET: back");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u64){0x3000}, 8);
	r = RUN(INSN_MODE_64, 0xff, 0x13); /* call [rbx] */
	tap_ok(r == EM_DONE && ctx.rip == 0x3000 && mem64(STACK - 8) == 0x1002,
	       "CALL m64 (FF /2)");
	r = RUN(INSN_MODE_64, 0xc2, 0x10, 0x00); /* ret 16 */
	tap_ok(r == EM_DONE && ctx.rip == 0x1002 && g.gpr[4] == STACK + 16,
	       "RET imm16: 16 more bytes released");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u64){0x0000800000000000ULL}, 8);
	r = RUN(INSN_MODE_64, 0xff, 0x13);
	tap_ok(fault(r, EM_VEC_GP, 0) && g.gpr[4] == STACK &&
		   mem64(STACK - 8) == 0,
	       "CALL to a non-canonical target: #GP(0) before the push");

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u64){0x4444}, 8);
	r = RUN(INSN_MODE_64, 0xff, 0x23); /* jmp [rbx] */
	tap_ok(r == EM_DONE && ctx.rip == 0x4444 && g.gpr[4] == STACK,
	       "JMP m64 (FF /4)");

	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_CS].limit = 0x2fff;
	r = RUN(INSN_MODE_32, 0xe8, 0x00, 0x20, 0, 0); /* call +0x2000 */
	tap_ok(fault(r, EM_VEC_GP, 0) && g.gpr[4] == STACK,
	       "CALL beyond the CS limit: #GP(0)");

	reset(INSN_MODE_64);
	g.gpr[5] = 0xabcdef;
	r = RUN(INSN_MODE_64, 0xc8, 0x20, 0x00, 0x00); /* enter 32, 0 */
	tap_ok(r == EM_DONE && g.gpr[5] == STACK - 8 &&
		   g.gpr[4] == STACK - 8 - 32 && mem64(STACK - 8) == 0xabcdef,
	       "ENTER 32, 0: frame built");
	r = RUN(INSN_MODE_64, 0xc9); /* leave */
	tap_ok(r == EM_DONE && g.gpr[5] == 0xabcdef && g.gpr[4] == STACK,
	       "LEAVE: frame released");
	r = RUN(INSN_MODE_64, 0xc8, 0x20, 0x00, 0x01);
	tap_ok(r == EM_UNSUPPORTED, "ENTER with nesting level 1: not emulated");

	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_SS].ar &= ~GWALK_AR_DB; /* 16-bit stack */
	g.gpr[4] = 0xdead0002;
	g.gpr[0] = 0x11223344;
	r = RUN(INSN_MODE_32, 0x50); /* push eax */
	tap_ok(r == EM_DONE && g.gpr[4] == 0xdeadfffe,
	       "PUSH with a 16-bit stack: SP wraps, bits 31:16 kept");

	reset(INSN_MODE_32);
	ctx.seg[INSN_SEG_SS].limit = 0x3fff;
	ctx.seg[INSN_SEG_SS].ar |= GWALK_AR_TYPE_E; /* expand-down */
	r = RUN(INSN_MODE_32, 0x50);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_SS &&
		   g.gpr[4] == STACK,
	       "PUSH below an expand-down limit: #SS(0)");
}

static void test_mmx(void)
{
	enum em_result r;

	reset(INSN_MODE_64);
	g.gpr[3] = 0x2000;
	memcpy(g.mem + 0x2000, &(u64){0x0102030405060708ULL}, 8);
	r = RUN(INSN_MODE_64, 0x0f, 0x6f, 0x0b); /* movq mm1, [rbx] */
	tap_ok(r == EM_DONE && g.mmx[1] == 0x0102030405060708ULL,
	       "MOVQ mm, m64 (0F 6F)");
	r = RUN(INSN_MODE_64, 0x0f, 0x7e, 0x4b, 0x08); /* movd [rbx+8], mm1 */
	tap_ok(r == EM_DONE && mem64(0x2008) == 0x05060708,
	       "MOVD m32, mm (0F 7E)");
	r = RUN(INSN_MODE_64, 0x48, 0x0f, 0x6e, 0x13); /* movq mm2, [rbx] */
	tap_ok(r == EM_DONE && g.mmx[2] == 0x0102030405060708ULL,
	       "MOVQ mm, m64 (REX.W 0F 6E)");
	r = RUN(INSN_MODE_64, 0x0f, 0x6e, 0x1b); /* movd mm3, [rbx] */
	tap_ok(r == EM_DONE && g.mmx[3] == 0x05060708,
	       "MOVD mm, m32 (0F 6E): zero-extended");
	r = RUN(INSN_MODE_64, 0x0f, 0x7f, 0x53, 0x10); /* movq [rbx+16], mm2 */
	tap_ok(r == EM_DONE && mem64(0x2010) == 0x0102030405060708ULL,
	       "MOVQ m64, mm (0F 7F)");

	reset(INSN_MODE_64);
	g.x87_pending = true;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x7f, 0x13);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_MF &&
		   mem64(0x2000) == 0,
	       "MOVQ m64, mm with an x87 exception pending: #MF");

	reset(INSN_MODE_64);
	ctx.cr0 |= BIT(3);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x6f, 0x0b);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_NM,
	       "MOVQ with CR0.TS: #NM");

	reset(INSN_MODE_64);
	ctx.cr0 |= BIT(2);
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x6f, 0x0b);
	tap_ok(r == EM_EXCEPTION && ctx.exc.vector == EM_VEC_UD,
	       "MOVQ with CR0.EM: #UD");
}

/* Without the system callbacks the new forms are not guessed at. */
static void test_no_ops(void)
{
	static const struct em_ops bare = {
	    .read_gpr = em_regs_read_gpr,
	    .write_gpr = em_regs_write_gpr,
	    .read_mem = t_read,
	    .write_mem = t_write,
	};
	enum em_result r;

	reset(INSN_MODE_64);
	ctx.ops = &bare;
	g.gpr[3] = 0x2000;
	r = RUN(INSN_MODE_64, 0x0f, 0x01, 0x03);
	tap_ok(r == EM_UNSUPPORTED, "SGDT without system callbacks: "
				    "UNSUPPORTED");
	r = RUN(INSN_MODE_64, 0x0f, 0x6f, 0x03);
	tap_ok(r == EM_UNSUPPORTED, "MOVQ mm without MMX callbacks: "
				    "UNSUPPORTED");
	r = RUN(INSN_MODE_64, 0x53);
	tap_ok(r == EM_DONE, "PUSH r needs no system callbacks");
}

int main(void)
{
	test_msw();
	test_dtr();
	test_ldt_tr();
	test_sreg();
	test_far();
	test_stack();
	test_mmx();
	test_no_ops();
	return tap_done();
}
