/* SPDX-License-Identifier: MIT */
/*
 * Guest paging-structure walk (SDM Vol 3A chapter 4). One loop serves every
 * paging mode; a per-walk format, derived from the context, supplies the
 * levels, entry size, index widths and reserved-bit masks. Accessed/dirty
 * flags are written only after the walk and the access-rights check have
 * succeeded, each by cmpxchg against the value that was validated, so an
 * entry changed by the guest meanwhile is never marked; the walk restarts.
 */
#include "vmm/gwalk/gwalk.h"
#include "mm/base/errno.h"

#define GWALK_LEVELS 5

/* How to walk in one paging mode (built per call from the context). */
struct gwalk_fmt {
	u8 top;	       /* first level read from memory */
	u8 esize;      /* bytes per entry */
	u8 ibits;      /* index bits per level */
	bool pk;       /* leaves carry a protection key (IA-32e) */
	bool nx;       /* XD bit in effect */
	u8 ps_levels;  /* bit L set: PS=1 at level L maps a page */
	u64 next_mask; /* next-table address bits of a non-leaf entry */
	u64 rsvd[GWALK_LEVELS + 1][2]; /* [level][PS] reserved bits */
};

/* The entries one walk used, top to leaf. */
struct gwalk_path {
	u64 pte[GWALK_LEVELS + 1];
	gpa_t pte_gpa[GWALK_LEVELS + 1];
	u8 top;
	u8 leaf;
};

enum gwalk_mode gwalk_mode_of(const struct gwalk_ctx *ctx)
{
	if (!(ctx->cr0 & GWALK_CR0_PG))
		return GWALK_MODE_NONE;
	if (!(ctx->cr4 & GWALK_CR4_PAE))
		return GWALK_MODE_32;
	if (!(ctx->efer & GWALK_EFER_LMA))
		return GWALK_MODE_PAE;
	return (ctx->cr4 & GWALK_CR4_LA57) ? GWALK_MODE_5LVL : GWALK_MODE_4LVL;
}

/* Bits hi..lo, empty when lo > hi (MAXPHYADDR at the top of the range). */
static u64 gwalk_bits(unsigned hi, unsigned lo)
{
	return lo > hi ? 0 : GENMASK(hi, lo);
}

/*
 * 32-bit paging (SDM Table 4-4..4-6): only a 4-MByte PDE has reserved bits,
 * bit 21 and the PSE-36 address bits above MAXPHYADDR (capped at 40).
 */
static void gwalk_fmt_32(struct gwalk_fmt *f, const struct gwalk_ctx *ctx)
{
	unsigned m = MIN(ctx->maxphyaddr, 40);

	f->top = 2;
	f->esize = 4;
	f->ibits = 10;
	f->next_mask = GENMASK(31, 12);
	f->rsvd[1][0] = f->rsvd[1][1] = f->rsvd[2][0] = f->rsvd[2][1] = 0;
	if (ctx->cr4 & GWALK_CR4_PSE) {
		f->ps_levels = BIT(2);
		f->rsvd[2][1] = gwalk_bits(21, m - 19);
	}
}

/*
 * PAE paging (SDM Table 4-8..4-11): bits 62:MAXPHYADDR are reserved at every
 * level, bit 63 too unless EFER.NXE; 2-MByte PDEs reserve 20:13. The PDPTEs
 * (level 3) come from the context and reserve 2:1, 8:5 and 63:MAXPHYADDR.
 */
static void gwalk_fmt_pae(struct gwalk_fmt *f, const struct gwalk_ctx *ctx)
{
	u64 hi = gwalk_bits(62, ctx->maxphyaddr) | (f->nx ? 0 : GWALK_PTE_XD);

	f->top = 2;
	f->esize = 8;
	f->ibits = 9;
	f->ps_levels = BIT(2);
	f->next_mask = GENMASK(51, 12);
	f->rsvd[1][0] = f->rsvd[1][1] = hi;
	f->rsvd[2][0] = hi;
	f->rsvd[2][1] = hi | GENMASK(20, 13);
	f->rsvd[3][0] = f->rsvd[3][1] =
	    gwalk_bits(63, ctx->maxphyaddr) | GENMASK(8, 5) | GENMASK(2, 1);
}

/*
 * 4- and 5-level paging (SDM Table 4-14..4-20): bits 51:MAXPHYADDR reserved,
 * bit 63 unless EFER.NXE; PS reserved in PML5Es and PML4Es, and in PDPTEs
 * when 1-GByte pages are not supported; large leaves reserve the low address
 * bits below their alignment (except PAT, bit 12).
 */
static void gwalk_fmt_ia32e(struct gwalk_fmt *f, const struct gwalk_ctx *ctx,
			    unsigned levels)
{
	u64 hi = gwalk_bits(51, ctx->maxphyaddr) | (f->nx ? 0 : GWALK_PTE_XD);
	unsigned l;

	f->top = levels;
	f->esize = 8;
	f->ibits = 9;
	f->pk = true; /* used only if CR4.PKE, checked per access */
	f->ps_levels = BIT(2) | (ctx->gbpages ? BIT(3) : 0);
	f->next_mask = GENMASK(51, 12);
	for (l = 1; l <= levels; l++)
		f->rsvd[l][0] = f->rsvd[l][1] = hi;
	f->rsvd[2][1] |= GENMASK(20, 13);
	if (ctx->gbpages) {
		f->rsvd[3][1] |= GENMASK(29, 13);
	} else {
		f->rsvd[3][0] |= GWALK_PTE_PS;
		f->rsvd[3][1] |= GWALK_PTE_PS;
	}
	f->rsvd[4][0] = f->rsvd[4][1] |= GWALK_PTE_PS;
	f->rsvd[5][0] = f->rsvd[5][1] |= GWALK_PTE_PS;
}

static void gwalk_fmt_init(struct gwalk_fmt *f, const struct gwalk_ctx *ctx,
			   enum gwalk_mode mode)
{
	/* Only the levels of the mode are filled in and ever read. */
	f->pk = false;
	f->ps_levels = 0;
	f->nx = mode != GWALK_MODE_32 && (ctx->efer & GWALK_EFER_NXE);
	if (mode == GWALK_MODE_32)
		gwalk_fmt_32(f, ctx);
	else if (mode == GWALK_MODE_PAE)
		gwalk_fmt_pae(f, ctx);
	else
		gwalk_fmt_ia32e(f, ctx, mode == GWALK_MODE_5LVL ? 5 : 4);
}

u32 gwalk_pfec_access(const struct gwalk_ctx *ctx, u32 acc)
{
	u32 ec = 0;
	bool nx_on = (ctx->cr4 & GWALK_CR4_PAE) && (ctx->efer & GWALK_EFER_NXE);

	if (acc & GWALK_ACC_WRITE)
		ec |= GWALK_PFEC_W;
	if (ctx->cpl == 3 && !(acc & GWALK_ACC_IMPLICIT))
		ec |= GWALK_PFEC_U;
	/* SDM 4.7: I/D only when SMEP or (PAE-based paging and NXE). */
	if ((acc & GWALK_ACC_FETCH) && ((ctx->cr4 & GWALK_CR4_SMEP) || nx_on))
		ec |= GWALK_PFEC_ID;
	return ec;
}

static enum gwalk_status gwalk_pf(const struct gwalk_ctx *ctx, gva_t la,
				  u32 acc, u32 bits, struct gwalk_result *res)
{
	res->status = GWALK_FAULT;
	res->fault.vector = GWALK_VEC_PF;
	res->fault.error_code = bits | gwalk_pfec_access(ctx, acc);
	res->fault.cr2 = la;
	return GWALK_FAULT;
}

static unsigned gwalk_index(const struct gwalk_fmt *f, gva_t la, unsigned level)
{
	unsigned shift = PAGE_SHIFT + f->ibits * (level - 1);

	return (la >> shift) & ((1u << f->ibits) - 1);
}

static int gwalk_read_pte(const struct gwalk_fmt *f,
			  const struct gwalk_ops *ops, gpa_t gpa, u64 *pte)
{
	u32 v32;
	int err;

	if (f->esize == 8)
		return ops->read_gpa(ops->opaque, gpa, pte, 8);
	err = ops->read_gpa(ops->opaque, gpa, &v32, 4);
	*pte = v32;
	return err;
}

/* Physical base of the page mapped by leaf pte at level. */
static gpa_t gwalk_leaf_base(const struct gwalk_fmt *f, u64 pte, unsigned level)
{
	if (level == 1)
		return pte & f->next_mask;
	if (f->esize == 4) /* 4 MBytes, PSE-36: bits 20:13 give 39:32 */
		return (pte & GENMASK(31, 22)) | ((pte >> 13) & 0xff) << 32;
	return pte & GENMASK(51, PAGE_SHIFT + 9 * (level - 1));
}

/*
 * PAE: the PDPTE comes from the VMCS copy, not from memory; it carries no
 * access rights and no accessed flag (SDM 4.4.1).
 */
static bool gwalk_pae_pdpte(const struct gwalk_fmt *f,
			    const struct gwalk_ctx *ctx, gva_t la, u64 *pdpte,
			    u32 *fault_bits)
{
	*pdpte = ctx->pdpte[(la >> 30) & 3];
	if (!(*pdpte & GWALK_PTE_P))
		*fault_bits = 0;
	else if (*pdpte & f->rsvd[3][0])
		*fault_bits = GWALK_PFEC_P | GWALK_PFEC_RSVD;
	else
		return true;
	return false;
}

/* Fold one entry's R/W, U/S and XD into the combined rights. */
static u32 gwalk_fold_perm(const struct gwalk_fmt *f, u32 perm, u64 pte)
{
	if (!(pte & GWALK_PTE_RW))
		perm &= ~GWALK_PERM_W;
	if (!(pte & GWALK_PTE_US))
		perm &= ~GWALK_PERM_U;
	if (f->nx && (pte & GWALK_PTE_XD))
		perm &= ~GWALK_PERM_X;
	return perm;
}

/* Describe the translation by leaf pte at level. */
static void gwalk_leaf(const struct gwalk_fmt *f, u64 pte, unsigned level,
		       gva_t la, struct gwalk_result *res)
{
	res->level = level;
	res->pkey = f->pk ? (pte >> 59) & 0xf : 0;
	if (level == 1)
		res->page_size = PAGE_SIZE;
	else if (f->esize == 4)
		res->page_size = 2 * SIZE_2M; /* 4 MBytes */
	else
		res->page_size = 1ULL << (PAGE_SHIFT + 9 * (level - 1));
	res->gpa = gwalk_leaf_base(f, pte, level) | (la & (res->page_size - 1));
}

static enum gwalk_status gwalk_not_ram(gpa_t gpa, struct gwalk_result *res)
{
	res->status = GWALK_NOT_RAM;
	res->bad_gpa = gpa;
	return GWALK_NOT_RAM;
}

/*
 * One pass over the tables: reads, presence and reserved bits (an entry
 * that is not present has no reserved bits, SDM 4.7), combined rights.
 * Returns GWALK_OK with *path and the translation in *res filled, else the
 * failure in *res.
 */
static enum gwalk_status gwalk_walk(const struct gwalk_fmt *f,
				    const struct gwalk_ctx *ctx,
				    const struct gwalk_ops *ops, gva_t la,
				    u32 acc, struct gwalk_path *path,
				    struct gwalk_result *res)
{
	u32 perm = GWALK_PERM_W | GWALK_PERM_U | GWALK_PERM_X;
	gpa_t table = ctx->cr3 & f->next_mask;
	unsigned level = f->top;
	u32 bits;
	u64 pte;

	if (f->esize == 8 && f->top == 2) {
		if (!gwalk_pae_pdpte(f, ctx, la, &pte, &bits))
			return gwalk_pf(ctx, la, acc, bits, res);
		table = pte & f->next_mask;
	}
	path->top = level;
	for (;; level--) {
		gpa_t gpa = table + gwalk_index(f, la, level) * f->esize;
		bool ps;

		if (gwalk_read_pte(f, ops, gpa, &pte))
			return gwalk_not_ram(gpa, res);
		path->pte[level] = pte;
		path->pte_gpa[level] = gpa;
		if (!(pte & GWALK_PTE_P))
			return gwalk_pf(ctx, la, acc, 0, res);
		ps = (pte & GWALK_PTE_PS) && (f->ps_levels & BIT(level));
		if (pte & f->rsvd[level][ps])
			return gwalk_pf(ctx, la, acc,
					GWALK_PFEC_P | GWALK_PFEC_RSVD, res);
		perm = gwalk_fold_perm(f, perm, pte);
		if (level == 1 || ps)
			break;
		table = pte & f->next_mask;
	}
	path->leaf = level;
	res->perm = perm;
	gwalk_leaf(f, pte, level, la, res);
	return GWALK_OK;
}

/*
 * Set A on every entry of path and D on the leaf for writes (SDM 4.8),
 * top-down like the processor. Returns 0, -EAGAIN if an entry changed since
 * it was validated, or -EFAULT with *bad set if it left RAM.
 */
static int gwalk_set_ad(const struct gwalk_fmt *f, const struct gwalk_ops *ops,
			const struct gwalk_path *path, bool write, gpa_t *bad)
{
	unsigned level;
	int err;

	for (level = path->top; level >= path->leaf; level--) {
		u64 old = path->pte[level];
		u64 new_val = old | GWALK_PTE_A;

		if (level == path->leaf && write)
			new_val |= GWALK_PTE_D;
		if (new_val == old)
			continue;
		err = ops->cmpxchg_gpa(ops->opaque, path->pte_gpa[level], old,
				       new_val, f->esize);
		if (err) {
			*bad = path->pte_gpa[level];
			return err;
		}
	}
	return 0;
}

/* The entries of a successful walk, with the A/D bits it set. */
static void gwalk_record_path(const struct gwalk_fmt *f,
			      const struct gwalk_path *path, bool write,
			      struct gwalk_result *res)
{
	unsigned n = 0;

	for (unsigned level = path->top; level >= path->leaf; level--) {
		u64 v = path->pte[level] | GWALK_PTE_A;

		if (level == path->leaf && write)
			v |= GWALK_PTE_D;
		res->entry_gpa[n] = path->pte_gpa[level];
		res->entry[n++] = v;
	}
	res->nentries = (u8)n;
	res->entry_size = (u8)f->esize;
}

/* CR0.PG = 0: linear addresses are 32 bits wide and map 1:1 (SDM 4.1). */
static enum gwalk_status gwalk_identity(gva_t la, struct gwalk_result *res)
{
	res->gpa = la & 0xffffffffu;
	res->page_size = PAGE_SIZE;
	res->perm = GWALK_PERM_W | GWALK_PERM_U | GWALK_PERM_X;
	return GWALK_OK;
}

enum gwalk_status gwalk_translate(const struct gwalk_ctx *ctx,
				  const struct gwalk_ops *ops, gva_t la,
				  u32 acc, struct gwalk_result *res)
{
	enum gwalk_mode mode = gwalk_mode_of(ctx);
	struct gwalk_path path;
	struct gwalk_fmt f;
	unsigned i;

	BUG_ON(ctx->maxphyaddr < 32 || ctx->maxphyaddr > 52);
	mem_set(res, 0, sizeof(*res));
	if (mode == GWALK_MODE_NONE)
		return gwalk_identity(la, res);
	if (mode < GWALK_MODE_4LVL) {
		la &= 0xffffffffu;
	} else if (!gwalk_is_canonical(la, mode == GWALK_MODE_5LVL ? 57 : 48)) {
		res->status = GWALK_FAULT;
		res->fault.vector = GWALK_VEC_GP;
		return GWALK_FAULT;
	}
	gwalk_fmt_init(&f, ctx, mode);
	for (i = 0; i <= GWALK_MAX_RESTARTS; i++) {
		u32 ec;
		int err;

		if (gwalk_walk(&f, ctx, ops, la, acc, &path, res) != GWALK_OK)
			return res->status;
		ec = gwalk_check_access(ctx, res->perm, res->pkey, acc);
		if (ec)
			return gwalk_pf(ctx, la, acc, ec, res);
		err = gwalk_set_ad(&f, ops, &path, acc & GWALK_ACC_WRITE,
				   &res->bad_gpa);
		if (!err) {
			gwalk_record_path(&f, &path, acc & GWALK_ACC_WRITE,
					  res);
			return GWALK_OK;
		}
		if (err != -EAGAIN)
			return gwalk_not_ram(res->bad_gpa, res);
		res->bad_gpa = 0; /* the guest changed an entry: walk again */
	}
	res->status = GWALK_RETRY;
	return GWALK_RETRY;
}

u32 gwalk_fault_event(const struct gwalk_fault *f)
{
	return GWALK_EVENT_VALID | GWALK_EVENT_DELIVER_EC |
	       GWALK_EVENT_HW_EXCEPTION | f->vector;
}

/*
 * Protection keys (SDM 4.6.2): under 4/5-level paging with CR4.PKE, data
 * accesses to user-mode addresses consult PKRU for the leaf's key: AD
 * forbids every data access, WD forbids user writes and supervisor writes
 * when CR0.WP = 1.
 */
static bool gwalk_pkey_denies(const struct gwalk_ctx *ctx, u32 perm, u8 pkey,
			      u32 acc, bool user)
{
	enum gwalk_mode mode = gwalk_mode_of(ctx);
	u32 rights = ctx->pkru >> (2 * pkey);

	if (mode < GWALK_MODE_4LVL || !(ctx->cr4 & GWALK_CR4_PKE))
		return false;
	if (!(perm & GWALK_PERM_U) || (acc & GWALK_ACC_FETCH))
		return false;
	if (rights & 1)
		return true;
	return (rights & 2) && (acc & GWALK_ACC_WRITE) &&
	       (user || (ctx->cr0 & GWALK_CR0_WP));
}

/*
 * SDM 4.6.1. A user-mode access needs a user-mode address, R/W for writes.
 * A supervisor-mode access is refused: fetches from user-mode addresses
 * under SMEP; data accesses to user-mode addresses under SMAP unless the
 * access is explicit with EFLAGS.AC = 1; writes to read-only translations
 * under CR0.WP. XD forbids fetches for both.
 */
u32 gwalk_check_access(const struct gwalk_ctx *ctx, u32 perm, u8 pkey, u32 acc)
{
	bool user = ctx->cpl == 3 && !(acc & GWALK_ACC_IMPLICIT);
	bool upage = perm & GWALK_PERM_U;
	bool fetch = acc & GWALK_ACC_FETCH;
	bool ro_write = (acc & GWALK_ACC_WRITE) && !(perm & GWALK_PERM_W);
	bool deny = fetch && !(perm & GWALK_PERM_X);
	bool pk;

	if (user) {
		deny |= !upage || ro_write;
	} else if (upage) {
		bool smap_ok = !(acc & GWALK_ACC_IMPLICIT) && ctx->ac;

		if (fetch)
			deny |= ctx->cr4 & GWALK_CR4_SMEP;
		else if ((ctx->cr4 & GWALK_CR4_SMAP) && !smap_ok)
			deny = true;
	}
	if (!user)
		deny |= ro_write && (ctx->cr0 & GWALK_CR0_WP);
	pk = gwalk_pkey_denies(ctx, perm, pkey, acc, user);
	if (!deny && !pk)
		return 0;
	return GWALK_PFEC_P | (pk ? GWALK_PFEC_PK : 0) |
	       gwalk_pfec_access(ctx, acc);
}
