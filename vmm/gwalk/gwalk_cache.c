/* SPDX-License-Identifier: MIT */
/*
 * One-entry per-vCPU cache of the last guest-linear page found to map MMIO,
 * so that a driver hammering one register skips the page walk. The entry
 * remembers the effective permissions of the walk, not just its outcome, so
 * a change of CPL, EFLAGS.AC, CR0.WP, SMEP/SMAP or PKRU is re-checked on
 * every hit; the owner invalidates it on CR3 writes, paging-mode changes,
 * INVLPG and whenever a full walk disagrees with it.
 */
#include "vmm/gwalk/gwalk.h"

/*
 * Everything of the context an access check or the paging mode depends
 * on, packed: CPL (bits 1:0), EFLAGS.AC (bit 2), CR0.PG/WP, CR4.PAE/LA57/
 * SMEP/SMAP/PKE and EFER.LMA/NXE at their own bit positions (no two
 * collide), PKRU in the high half. Equal keys give equal verdicts.
 */
static u64 perm_key(const struct gwalk_ctx *ctx)
{
	return (ctx->cpl & 3) | (ctx->ac ? 4 : 0) |
	       (ctx->cr0 & (GWALK_CR0_PG | GWALK_CR0_WP)) |
	       (ctx->cr4 & (GWALK_CR4_PAE | GWALK_CR4_LA57 | GWALK_CR4_SMEP |
			    GWALK_CR4_SMAP | GWALK_CR4_PKE)) |
	       (ctx->efer & (GWALK_EFER_LMA | GWALK_EFER_NXE)) |
	       (u64)ctx->pkru << 32;
}

void gwalk_mmio_cache_fill(struct gwalk_mmio_cache *c,
			   const struct gwalk_ctx *ctx, gva_t gva,
			   const struct gwalk_result *res, u32 acc, u64 gen)
{
	BUG_ON(res->status != GWALK_OK);
	c->valid = true;
	c->mode = gwalk_mode_of(ctx);
	c->perm = res->perm;
	c->pkey = res->pkey;
	c->acc = acc;
	c->gva_page = gva & PAGE_MASK;
	c->gpa_page = res->gpa & PAGE_MASK;
	c->gen = gen;
	c->cr3 = ctx->cr3;
	c->key = perm_key(ctx);
}

bool gwalk_mmio_cache_lookup(const struct gwalk_mmio_cache *c,
			     const struct gwalk_ctx *ctx, gva_t gva, u32 acc,
			     u64 gen, gpa_t *gpa)
{
	u64 key;

	if (!c->valid || c->gen != gen || c->cr3 != ctx->cr3 ||
	    c->gva_page != (gva & PAGE_MASK))
		return false;
	/*
	 * Like a TLB entry made by a read, an entry filled by a non-write
	 * walk did not set the dirty flag: a write must walk to set it.
	 */
	if ((acc & GWALK_ACC_WRITE) && !(c->acc & GWALK_ACC_WRITE))
		return false;
	/* The walk that filled the entry allowed c->acc in this very
	 * context: the same kind of access needs no new check. */
	key = perm_key(ctx);
	if (key != c->key ||
	    ((acc ^ c->acc) & (GWALK_ACC_IMPLICIT | GWALK_ACC_FETCH))) {
		if (c->mode != gwalk_mode_of(ctx) ||
		    ((key ^ c->key) & GWALK_EFER_NXE))
			return false;
		/* Without paging the page is the address: nothing to check. */
		if (c->mode != GWALK_MODE_NONE &&
		    gwalk_check_access(ctx, c->perm, c->pkey, acc))
			return false;
	}
	*gpa = c->gpa_page | (gva & ~PAGE_MASK);
	return true;
}

void gwalk_mmio_cache_invalidate_all(struct gwalk_mmio_cache *c)
{
	c->valid = false;
}

void gwalk_mmio_cache_invalidate_gva(struct gwalk_mmio_cache *c, gva_t gva)
{
	if (c->gva_page == (gva & PAGE_MASK))
		c->valid = false;
}
