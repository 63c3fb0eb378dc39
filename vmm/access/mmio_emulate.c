/* SPDX-License-Identifier: MIT */
/*
 * The MMIO path of docs/design.md section 2: fetch up to 15 bytes at CS:RIP
 * through the guest walker (execute access, page crossing, RAM only),
 * decode, check that the decoded access really targets the faulting GPA
 * (time of check / time of use), then emulate through callbacks that route
 * every fragment to guest RAM or the MMIO bus. The VM-exit instruction
 * length is never used here: it is undefined for EPT exits.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "mm/base/console.h"
#include "mm/base/errno.h"
#include "vmm/vcpu.h"
#include "vmm/access/guest_access.h"
#include "vmm/gwalk/gwalk.h"
#include "vmm/insn/insn.h"
#include "vmm/emulate/insn_emulate.h"
#include "vmm/access/mmio_emulate.h"
#include "vmm/access/mmio_sys.h"
#include "vmm/vm.h"
#include "vmm/mem/vm_ram.h"

#define RFLAGS_AC BIT(18)

struct emu {
	struct em_ctx ctx; /* first: callbacks get &ctx */
	struct vcpu *v;
	const struct insn *insn;
	bool injected; /* a callback already injected a fault */
	u64 rflags;    /* before the instruction */
	gva_t la;      /* of the memory operand, as verify() found it */
};

static struct emu *to_emu(struct em_ctx *c)
{
	return (struct emu *)c;
}

static u64 cb_read_gpr(struct em_ctx *c, unsigned reg)
{
	struct vcpu *v = to_emu(c)->v;

	return reg == GPR_RSP ? vmcs_readl(VMCS_GUEST_RSP) : v->gpr[reg & 15];
}

static void cb_write_gpr(struct em_ctx *c, unsigned reg, u64 val)
{
	struct vcpu *v = to_emu(c)->v;

	if (reg == GPR_RSP)
		vmcs_writel(VMCS_GUEST_RSP, val);
	else
		v->gpr[reg & 15] = val;
}

static enum em_mem_result mem_status(struct emu *e, int rc)
{
	if (!rc)
		return EM_MEM_OK;
	if (rc == -EFAULT) {
		e->injected = true;
		return EM_MEM_EXCEPTION;
	}
	return EM_MEM_RETRY; /* -EAGAIN: walk again later; -EIO: VM stopped */
}

static enum em_mem_result cb_read_mem(struct em_ctx *c, gva_t la, void *buf,
				      unsigned size)
{
	struct emu *e = to_emu(c);

	return mem_status(e, guest_linear_rw(e->v, la, buf, size, 0));
}

static enum em_mem_result cb_write_mem(struct em_ctx *c, gva_t la,
				       const void *buf, unsigned size)
{
	struct emu *e = to_emu(c);

	return mem_status(e, guest_linear_rw(e->v, la, (void *)(uintptr_t)buf,
					     size, GWALK_ACC_WRITE));
}

/* Implicit supervisor-mode accesses: descriptor tables (SDM Vol 3A 4.6.1). */
static enum em_mem_result cb_read_sys(struct em_ctx *c, gva_t la, void *buf,
				      unsigned size)
{
	struct emu *e = to_emu(c);

	return mem_status(
	    e, guest_linear_rw(e->v, la, buf, size, GWALK_ACC_IMPLICIT));
}

static enum em_mem_result cb_write_sys(struct em_ctx *c, gva_t la,
				       const void *buf, unsigned size)
{
	struct emu *e = to_emu(c);

	return mem_status(
	    e, guest_linear_rw(e->v, la, (void *)(uintptr_t)buf, size,
			       GWALK_ACC_IMPLICIT | GWALK_ACC_WRITE));
}

static enum em_mem_result cb_rep_run(struct em_ctx *c, gva_t dst, gva_t src,
				     u64 fill, unsigned size, u32 count,
				     bool down, bool movs)
{
	struct emu *e = to_emu(c);

	return mem_status(
	    e, guest_rep_run(e->v, dst, src, fill, size, count, down, movs));
}

/* Atomic compare-exchange on host memory of size 1..16. */
static bool host_cmpxchg(void *p, void *old, const void *new_val, unsigned size)
{
	switch (size) {
	case 1:
		return __atomic_compare_exchange_n(
		    (u8 *)p, (u8 *)old, *(const u8 *)new_val, false,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	case 2:
		return __atomic_compare_exchange_n(
		    (u16 *)p, (u16 *)old, *(const u16 *)new_val, false,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	case 4:
		return __atomic_compare_exchange_n(
		    (u32 *)p, (u32 *)old, *(const u32 *)new_val, false,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	case 8:
		return __atomic_compare_exchange_n(
		    (u64 *)p, (u64 *)old, *(const u64 *)new_val, false,
		    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	default: {
		u64 *o = old;
		const u64 *n = new_val;
		bool ok;

		__asm__ volatile("lock cmpxchg16b %1"
				 : "=@ccz"(ok), "+m"(*(u64(*)[2])p), "+a"(o[0]),
				   "+d"(o[1])
				 : "b"(n[0]), "c"(n[1])
				 : "memory");
		return ok;
	}
	}
}

/*
 * LOCKed read-modify-write. On RAM within one page it is a real atomic on
 * the host mapping. On MMIO, or across a page boundary, it is a read and a
 * conditional write: a device has no atomic operations to offer, and mica
 * runs one vCPU per VM (docs/emulation.md).
 */
static enum em_mem_result cb_cmpxchg(struct em_ctx *c, gva_t la, void *old,
				     const void *new_val, unsigned size,
				     bool *swapped)
{
	struct emu *e = to_emu(c);
	u8 cur[16];
	gpa_t gpa;
	void *p;
	int rc;

	if ((la & (PAGE_SIZE - 1)) + size <= PAGE_SIZE) {
		rc = guest_translate(e->v, la, GWALK_ACC_WRITE, &gpa);
		if (rc)
			return mem_status(e, rc);
		if (vm_ram_lookup(e->v->vm, gpa, size, true, &p) == VM_RAM) {
			*swapped = host_cmpxchg(p, old, new_val, size);
			return EM_MEM_OK;
		}
	}
	rc = guest_linear_read_for_write(e->v, la, cur, size);
	if (rc)
		return mem_status(e, rc);
	*swapped = !mem_cmp(cur, old, size);
	if (*swapped)
		rc = guest_linear_rw(e->v, la, (void *)(uintptr_t)new_val, size,
				     GWALK_ACC_WRITE);
	else
		mem_copy(old, cur, size);
	return mem_status(e, rc);
}

static void cb_read_vec(struct em_ctx *c, unsigned reg, void *buf, unsigned len)
{
	(void)c;
	fpu_read_vec(reg, buf, len);
}

static void cb_write_vec(struct em_ctx *c, unsigned reg, const void *buf,
			 unsigned len, bool zero_upper)
{
	(void)c;
	fpu_write_vec(reg, buf, len, zero_upper);
}

static const struct em_ops emu_ops = {
    .read_gpr = cb_read_gpr,
    .write_gpr = cb_write_gpr,
    .read_mem = cb_read_mem,
    .write_mem = cb_write_mem,
    .cmpxchg_mem = cb_cmpxchg,
    .rep_run = cb_rep_run,
    .read_vec = cb_read_vec,
    .write_vec = cb_write_vec,
    .read_dtr = mmio_read_dtr,
    .write_dtr = mmio_write_dtr,
    .read_seg = mmio_read_seg,
    .write_seg = mmio_write_seg,
    .write_cr0 = mmio_write_cr0,
    .read_sys = cb_read_sys,
    .write_sys = cb_write_sys,
    .read_mmx = mmio_read_mmx,
    .write_mmx = mmio_write_mmx,
};

static enum insn_mode cpu_mode(struct vcpu *v)
{
	u64 rflags;
	u32 cs_ar = vmcs_read32(VMCS_GUEST_CS_AR);

	if ((guest_paging_ctx(v, &rflags)->efer & EFER_LMA) &&
	    (cs_ar & VMX_AR_L))
		return INSN_MODE_64;
	return (cs_ar & VMX_AR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}

/* Linear address of offset off in segment seg for the current mode. */
static gva_t seg_linear(enum insn_mode mode, unsigned seg, u64 off)
{
	if (mode == INSN_MODE_64)
		return (seg == INSN_SEG_FS || seg == INSN_SEG_GS)
			   ? guest_seg_base(seg) + off
			   : off;
	return (u32)(guest_seg_base(seg) + off);
}

/*
 * Decoded instructions, reused when the same bytes come back in the same
 * mode: decoding is a function of those alone, so a hit is exactly what
 * insn_decode() would produce. A driver's MMIO accesses come from a few
 * instructions executed again and again.
 */
#define DECODE_CACHE 8

static struct decoded {
	u64 bytes[2], mask[2]; /* the instruction's bytes, and which count */
	struct insn insn;
} decode_cache[DECODE_CACHE];

/* Mask of the first n (0..8) bytes of a little-endian word. */
static u64 bytes_mask(unsigned n)
{
	return n >= 8 ? ~0ULL : BIT(8 * n) - 1;
}

static const struct insn *decode(const u64 bytes[2], unsigned have,
				 enum insn_mode mode, gva_t la, int *rc)
{
	struct decoded *d =
	    &decode_cache[(la ^ (la >> 5)) & (DECODE_CACHE - 1)];
	struct insn *in = &d->insn;

	if (in->len && in->len <= have && in->mode == mode &&
	    !(((bytes[0] ^ d->bytes[0]) & d->mask[0]) |
	      ((bytes[1] ^ d->bytes[1]) & d->mask[1]))) {
		*rc = INSN_OK;
		return in;
	}
	*rc = insn_decode(in, (const u8 *)bytes, have, mode);
	if (*rc != INSN_OK) {
		in->len = 0;
		return in;
	}
	d->bytes[0] = bytes[0];
	d->bytes[1] = bytes[1];
	d->mask[0] = bytes_mask(in->len);
	d->mask[1] = bytes_mask(in->len > 8 ? in->len - 8 : 0);
	return in;
}

/* Fetch and decode; false after stopping the VM or injecting a fault. */
static bool fetch_decode(struct emu *e, enum insn_mode mode)
{
	struct vcpu *v = e->v;
	gva_t la = seg_linear(mode, INSN_SEG_CS, v->rip);
	u64 bytes[2] = {0, 0};
	unsigned have = MIN(INSN_MAX_LEN, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	int rc;

	for (unsigned off = 0;;) {
		if (guest_fetch(v, la + off, (u8 *)bytes + off, have - off))
			return false;
		e->insn = decode(bytes, have, mode, la, &rc);
		if (rc != INSN_E_MORE || have == INSN_MAX_LEN)
			break;
		off = have; /* the instruction crosses the page */
		have = INSN_MAX_LEN;
	}
	if (rc == INSN_OK)
		return true;
	vcpu_inject_exception(v,
			      rc == INSN_E_TOO_LONG ? X86_EXC_GP : X86_EXC_UD,
			      rc == INSN_E_TOO_LONG, 0);
	return false;
}

static bool targets(struct vcpu *v, gva_t la, unsigned size, u32 acc,
		    const struct mmio_fault *f)
{
	gpa_t gpa;

	if (f->gla_valid && (la >> PAGE_SHIFT) != (f->gla >> PAGE_SHIFT) &&
	    ((la + size - 1) >> PAGE_SHIFT) != (f->gla >> PAGE_SHIFT))
		return false;
	/* The CPU itself translated the faulting linear address, with the
	 * guest's permission checks, to f->gpa (SDM Vol 3C, "Exit
	 * Qualification for EPT Violations", bit 8): no walk needed. */
	if (f->gla_valid && (f->qual & EPT_QUAL_GLA_XLAT)) {
		guest_mem_record(v, f->gla, acc, f->gpa);
		return true;
	}
	/* Cached MMIO entries (misconfigurations) carry no linear address:
	 * the per-vCPU MMIO translation cache, confirmed by the exit's GPA,
	 * stands in for a walk. A write entry serves this instruction's reads
	 * and writes. */
	for (u32 a = GWALK_ACC_WRITE;; a = acc) {
		if (guest_mmio_cache_lookup(v, la, a, &gpa) &&
		    (gpa >> PAGE_SHIFT) == (f->gpa >> PAGE_SHIFT)) {
			guest_mem_record(v, la, a, gpa);
			return true;
		}
		if (a == acc)
			break;
	}
	for (unsigned i = 0; i < 2; i++) {
		gva_t a = i ? la + size - 1 : la;

		if (guest_translate_peek(v, a, acc, &gpa) &&
		    (gpa >> PAGE_SHIFT) == (f->gpa >> PAGE_SHIFT))
			return true;
	}
	return false;
}

/* PUSH, POP, CALL (near and far), RET, ENTER and LEAVE: the forms that
 * access the stack. */
static bool stack_form(const struct insn *in)
{
	u8 op = in->opcode, reg = in->modrm.reg & 7;

	if (in->enc != INSN_ENC_LEGACY || in->map != INSN_MAP_1B)
		return false;
	return (op >= 0x50 && op <= 0x5f) || op == 0x68 || op == 0x6a ||
	       (op == 0x8f && reg == 0) || op == 0xc2 || op == 0xc3 ||
	       op == 0xc8 || op == 0xc9 || op == 0xe8 ||
	       (op == 0xff && (reg == 2 || reg == 3 || reg == 6));
}

/*
 * A stack form's slots lie within 16 bytes below or above SS:rSP (rBP for
 * LEAVE), rSP at the stack-address size (SS.B outside 64-bit mode, SDM
 * Vol. 1 6.2.3). Does that range hold f->gpa?
 */
static bool targets_stack(struct vcpu *v, const struct insn *in,
			  enum insn_mode mode, u32 acc,
			  const struct mmio_fault *f)
{
	u64 mask = ~0ULL, sp;

	if (!stack_form(in))
		return false;
	if (mode != INSN_MODE_64)
		mask = (vmcs_read32(VMCS_GUEST_SS_AR) & VMX_AR_DB)
			   ? 0xffffffffULL
			   : 0xffffULL;
	sp = in->opcode == 0xc9 ? v->gpr[GPR_RBP] : vmcs_readl(VMCS_GUEST_RSP);
	return targets(v, seg_linear(mode, INSN_SEG_SS, (sp - 16) & mask), 32,
		       acc, f);
}

/* Bytes the memory operand spans: a pseudo-descriptor (0F 01 /0-/3) or a
 * far pointer (FF /3, /5) is up to 10, the rest their operand size. */
static unsigned access_size(const struct insn *in)
{
	u8 reg = in->modrm.reg & 7;

	if (in->enc == INSN_ENC_LEGACY &&
	    ((in->map == INSN_MAP_0F && in->opcode == 0x01 && reg < 4) ||
	     (in->map == INSN_MAP_1B && in->opcode == 0xff &&
	      (reg == 3 || reg == 5))))
		return 10;
	return MAX(in->opsize, 1);
}

/* Does the decoded instruction access f->gpa? (time-of-use check) */
static bool verify(struct emu *e, enum insn_mode mode,
		   const struct mmio_fault *f)
{
	const struct insn *in = e->insn;
	struct vcpu *v = e->v;
	unsigned size = access_size(in);
	u32 acc = (f->qual & EPT_QUAL_WRITE) ? GWALK_ACC_WRITE : 0;
	unsigned src_seg;
	u64 amask;

	/* v->gpr has an unused RSP slot: RSP lives in the VMCS. */
	if (in->mem.base == GPR_RSP || in->mem.index == GPR_RSP)
		v->gpr[GPR_RSP] = vmcs_readl(VMCS_GUEST_RSP);
	if (in->mem.present && !(in->attr & INSN_A_VSIB)) {
		e->la = seg_linear(mode, in->mem.seg,
				   insn_mem_ea(in, v->gpr, v->rip + in->len));
		return targets(v, e->la, size, acc, f) ||
		       targets_stack(v, in, mode, acc, f);
	}
	if (!(in->attr & INSN_A_STRING))
		return targets_stack(v, in, mode, acc, f);
	/* rSI/rDI at the address size, as the CPU used them (a 67 prefix
	 * ignores bits 63:32). */
	amask = in->addrsize >= 8 ? ~0ULL : BIT(8 * in->addrsize) - 1;
	src_seg = in->pfx.seg != INSN_SEG_NONE ? in->pfx.seg : INSN_SEG_DS;
	return targets(v, seg_linear(mode, src_seg, v->gpr[GPR_RSI] & amask),
		       size, acc, f) ||
	       targets(v,
		       seg_linear(mode, INSN_SEG_ES, v->gpr[GPR_RDI] & amask),
		       size, acc, f);
}

/*
 * MOV between a GPR or an immediate and memory (88-8B, C6/C7 /0) in 64-bit
 * mode, the form of nearly every MMIO access, done here without the
 * emulator's context, at the linear address verify() checked. Whatever the
 * emulator treats specially goes to it instead: prefixes other than 66 and
 * REX, RSP as the register, an access crossing a page, a possible #AC. The
 * emu guest runs each of these forms natively, on ioram (here) and with
 * forced emulation (the emulator), and compares. False: not handled.
 */
static bool mov_fast_form(const struct insn *in, gva_t la)
{
	u8 op = in->opcode, reg = in->modrm.reg;

	if (in->mode != INSN_MODE_64 || in->enc != INSN_ENC_LEGACY ||
	    in->map != INSN_MAP_1B || in->modrm.mod == 3 ||
	    (in->pfx.flags & (INSN_PFX_LOCK | INSN_PFX_REP | INSN_PFX_REPNE)) ||
	    (la & ~PAGE_MASK) + in->opsize > PAGE_SIZE)
		return false;
	if ((op & 0xfc) == 0x88) /* reg 4 is RSP, unless it names AH */
		return reg != GPR_RSP ||
		       (in->opsize == 1 && insn_reg8_is_high(in, reg));
	return (op & 0xfe) == 0xc6 && reg == 0;
}

/* Done (or a fault injected) by the fast path of MOV; false: not its
 * form. */
static bool mov_fast(struct emu *e)
{
	const struct insn *in = e->insn;
	struct vcpu *v = e->v;
	unsigned size = in->opsize, reg = in->modrm.reg;
	const struct gwalk_ctx *w;
	bool high;
	u64 val = 0, rflags;
	int rc;

	if (!mov_fast_form(in, e->la))
		return false;
	/* CR0.AM, CPL 3 and RFLAGS.AC: alignment checks are the emulator's */
	w = guest_paging_ctx(v, &rflags);
	if ((w->cr0 & CR0_AM) && (rflags & RFLAGS_AC) && w->cpl == 3)
		return false;
	high = size == 1 && insn_reg8_is_high(in, (u8)reg);
	if (high)
		reg -= 4;
	if ((in->opcode & 0xfe) == 0x8a) {
		rc = guest_linear_rw(v, e->la, &val, size, 0);
		if (rc)
			return true;
		if (high)
			val = (v->gpr[reg] & ~0xff00ULL) | (val & 0xff) << 8;
		else if (size < 4)
			val |= v->gpr[reg] & ~(BIT(8 * size) - 1);
		v->gpr[reg] = val; /* a 32-bit load zero-extends */
	} else {
		if (in->opcode >= 0xc6)
			val = in->imm[0];
		else
			val = high ? v->gpr[reg] >> 8 : v->gpr[reg];
		rc = guest_linear_rw(v, e->la, &val, size, GWALK_ACC_WRITE);
		if (rc)
			return true;
	}
	vmcs_writel(VMCS_GUEST_RIP, v->rip + in->len);
	if (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & 3)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	if (unlikely(rflags & (RFLAGS_TF | RFLAGS_RF)))
		vcpu_insn_done(v, rflags, rflags, 0);
	return true;
}

/* Every input of the emulator; its outputs and staged registers are its
 * own to initialise. */
static void setup_ctx(struct emu *e, enum insn_mode mode)
{
	struct em_ctx *c = &e->ctx;
	struct vcpu *v = e->v;
	const struct gwalk_ctx *w = guest_paging_ctx(v, &e->rflags);

	c->ops = &emu_ops;
	c->opaque = v; /* the system callbacks' (vmm/access/mmio_sys.c) */
	c->rip = v->rip;
	c->rflags = e->rflags;
	/* 64-bit mode uses only the FS and GS bases (SDM Vol 3A 3.4.4, 5.3.1):
	 * the other fields are not read, each VMREAD costs (an exit when
	 * nested). */
	if (mode == INSN_MODE_64) {
		c->seg[INSN_SEG_FS].base = guest_seg_base(INSN_SEG_FS);
		c->seg[INSN_SEG_GS].base = guest_seg_base(INSN_SEG_GS);
	} else {
		for (unsigned s = 0; s < 6; s++)
			guest_seg_cache(s, &c->seg[s]);
	}
	c->cr0 = w->cr0;
	c->cr4 = w->cr4;
	c->xcr0 = fpu_xcr0();
	c->efer = w->efer;
	c->cpl = w->cpl;
	c->align_check = (w->cr0 & CR0_AM) && w->cpl == 3;
	/* Single-stepping traps after each iteration (SDM Vol 3B 18.3.1.4). */
	c->rep_budget = (e->rflags & RFLAGS_TF) ? 1 : 0;
}

static void commit(struct emu *e, enum em_result r)
{
	/* A completed instruction clears RF (SDM Vol 3B 18.3.1.1). */
	if (r == EM_DONE)
		e->ctx.rflags &= ~RFLAGS_RF;
	if (e->ctx.rflags != e->rflags)
		vmcs_writel(VMCS_GUEST_RFLAGS, e->ctx.rflags);
	if (r == EM_DONE) {
		vmcs_writel(VMCS_GUEST_RIP, e->ctx.rip);
		/* A completed instruction ends STI / MOV SS blocking. */
		if (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & 3)
			vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	}
	/* else REP budget used: RIP stays, the guest re-executes; with TF
	 * that was one iteration, and its single-step trap comes now. After
	 * a MOV to SS the trap waits for the next instruction (SDM Vol 3A
	 * 6.8.3): the CPU holds it as a pending debug exception, which VM
	 * entry requires in a MOV SS shadow with TF set. */
	if (likely(!(e->rflags & RFLAGS_TF)))
		return;
	if (r == EM_DONE && e->ctx.mov_ss) {
		if (!(vmcs_read64(VMCS_GUEST_DEBUGCTL) & DEBUGCTL_BTF))
			vmcs_writel(VMCS_GUEST_PENDING_DBG,
				    vmcs_readl(VMCS_GUEST_PENDING_DBG) |
					DR6_BS);
	} else {
		vcpu_insn_done(e->v, e->rflags, 0, 0);
	}
}

/*
 * An instruction the emulator does not handle: from CPL 3 it is the
 * guest's problem (#UD, as a CPU without that instruction would raise);
 * from CPL 0 the VM is stopped with everything needed to add it.
 */
__cold static void unsupported(struct emu *e, const struct mmio_fault *f)
{
	struct vcpu *v = e->v;
	char form[96];

	if (vcpu_cpl(v) == 3) {
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
		return;
	}
	insn_emulate_describe(&e->ctx, form, sizeof(form));
	printk("mica: guest %s: cannot emulate %s (%s) at RIP 0x%lx, GPA "
	       "0x%lx\n",
	       v->vm->cfg.name, form, e->ctx.why ? e->ctx.why : "unsupported",
	       v->rip, f ? f->gpa : 0);
	printk("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n",
	       v->gpr[GPR_RAX], v->gpr[GPR_RBX], v->gpr[GPR_RCX],
	       v->gpr[GPR_RDX]);
	printk("  RSI %016lx RDI %016lx RSP %016lx RBP %016lx\n",
	       v->gpr[GPR_RSI], v->gpr[GPR_RDI], vmcs_readl(VMCS_GUEST_RSP),
	       v->gpr[GPR_RBP]);
	vm_stop(v->vm, "cannot emulate %s at RIP 0x%lx", form, v->rip);
}

/*
 * Test hook (HC_TEST_PATCH_NEXT): rewrite guest bytes between the exit and
 * the instruction fetch, as another vCPU could, to exercise the
 * time-of-check / time-of-use path.
 */
static void apply_test_patch(struct vcpu *v)
{
	struct vm *vm = v->vm;
	void *p;

	vm->patch.armed = false;
	if (vm_ram_lookup(vm, vm->patch.gpa, vm->patch.len, true, &p) == VM_RAM)
		mem_copy(p, vm->patch.bytes, vm->patch.len);
}

static void emulate_one(struct vcpu *v, const struct mmio_fault *f)
{
	static struct emu e; /* one vCPU runs at a time: no stack cost */
	enum insn_mode mode;
	enum em_result r;

	mode = cpu_mode(v);

	e.v = v;
	e.injected = false;
	if (unlikely(v->vm->patch.armed))
		apply_test_patch(v);
	if (!fetch_decode(&e, mode))
		return;
	v->peek_not_ram = ~0ULL;
	if (f && !verify(&e, mode, f)) {
		/* The CPU's own walk faulted on a paging structure outside RAM:
		 * re-entering would fault again forever. */
		if ((v->peek_not_ram & PAGE_MASK) == (f->gpa & PAGE_MASK)) {
			vm_stop(v->vm,
				"guest page tables at GPA 0x%lx are not in RAM "
				"(RIP 0x%lx)",
				v->peek_not_ram, v->rip);
			return;
		}
		v->vm->counters[CNT_EMULATION_SKIPPED]++;
		return;
	}
	if (f && mov_fast(&e)) {
		v->vm->counters[CNT_EMULATED]++;
		return;
	}
	setup_ctx(&e, mode);
	r = insn_emulate(&e.ctx, e.insn);
	v->vm->counters[CNT_EMULATED]++;
	switch (r) {
	case EM_DONE:
	case EM_CONTINUE:
		commit(&e, r);
		/* MOV to SS blocks interrupts until the next instruction
		 * completes (SDM Vol. 2B "MOV"). */
		if (r == EM_DONE && e.ctx.mov_ss)
			vmcs_write32(
			    VMCS_GUEST_INTERRUPTIBILITY,
			    (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & ~3U) |
				VMX_INTERRUPTIBILITY_MOV_SS);
		break;
	case EM_EXCEPTION:
		if (!e.injected)
			vcpu_inject_exception(v, e.ctx.exc.vector,
					      e.ctx.exc.has_error_code,
					      e.ctx.exc.error_code);
		break;
	case EM_RETRY:
		break;
	default:
		unsupported(&e, f);
		break;
	}
}

void mmio_emulate(struct vcpu *v, const struct mmio_fault *f)
{
	u64 t0 = rdtsc();

	guest_mem_begin(v);
	emulate_one(v, f);
	guest_mem_end(v);
	/* An emulated instruction can cost thousands of accesses (REP runs):
	 * that host time counts against the guest's budget. */
	vm_charge_host_time(v->vm, rdtsc() - t0);
}
