/* SPDX-License-Identifier: MIT */
/*
 * Reference model of linear-address translation (SDM Vol 3A 4.3-4.8) and of
 * segment checks (SDM Vol 3A 3.4, 5.3, 5.4). Written for clarity, not
 * speed: each entry format has its own reserved-bit predicate listing the
 * rows of its SDM table, and the access-rights decision follows the bullet
 * structure of SDM 4.6.1 literally.
 */
#include <string.h>

#include "test/unit/support/gwalk_model.h"

/* bits hi..lo of v (0 if hi < lo) */
static uint64_t fld(uint64_t v, int hi, int lo)
{
	if (hi < lo)
		return 0;
	v >>= lo;
	if (hi - lo == 63)
		return v;
	return v & ((1ULL << (hi - lo + 1)) - 1);
}

static bool bit(uint64_t v, int n)
{
	return (v >> n) & 1;
}

static bool in_ram(const struct gwm_mem *m, uint64_t gpa, int size)
{
	if (gpa + size > m->size)
		return false;
	return gpa + size <= m->hole_lo || gpa >= m->hole_hi;
}

static uint64_t rd(const struct gwm_mem *m, uint64_t gpa, int size)
{
	uint64_t v = 0;

	memcpy(&v, m->ram + gpa, size);
	return v;
}

/* ------------------------------------------------ 32-bit paging, 4.3 */

/* Table 4-4: a PDE mapping a 4-MByte page. */
static bool rsvd_pde4m(const struct gwm_cpu *c, uint64_t e)
{
	int m = c->maxphy < 40 ? c->maxphy : 40;

	if (bit(e, 21)) /* bit 21: reserved */
		return true;
	/* bits 20:13 hold address bits 39:32; those >= M are reserved */
	return fld(e, 20, 13 + (m - 32)) != 0;
}

/* ------------------------------------------------ PAE paging, 4.4 */

/* Table 4-8: PDPTE (checked on load; a violation is reported as RSVD). */
static bool rsvd_pae_pdpte(const struct gwm_cpu *c, uint64_t e)
{
	return fld(e, 2, 1) || fld(e, 8, 5) || fld(e, 63, c->maxphy);
}

/* Tables 4-9, 4-10, 4-11: bits 62:M and, without NXE, 63. */
static bool rsvd_pae_common(const struct gwm_cpu *c, uint64_t e)
{
	if (fld(e, 62, c->maxphy))
		return true;
	return bit(e, 63) && !c->nxe;
}

/* Table 4-9: PDE mapping a 2-MByte page. */
static bool rsvd_pae_pde2m(const struct gwm_cpu *c, uint64_t e)
{
	return rsvd_pae_common(c, e) || fld(e, 20, 13);
}

/* ------------------------------------------------ 4/5-level, 4.5 */

static bool rsvd_ia32e_common(const struct gwm_cpu *c, uint64_t e)
{
	if (fld(e, 51, c->maxphy))
		return true;
	return bit(e, 63) && !c->nxe;
}

/* Tables 4-14, 4-15: PML5E and PML4E, PS (bit 7) reserved. */
static bool rsvd_pml45e(const struct gwm_cpu *c, uint64_t e)
{
	return bit(e, 7) || rsvd_ia32e_common(c, e);
}

/* Table 4-16: PDPTE mapping 1 GByte (PS reserved without 1G support). */
static bool rsvd_pdpte1g(const struct gwm_cpu *c, uint64_t e)
{
	if (!c->gb)
		return true;
	return fld(e, 29, 13) || rsvd_ia32e_common(c, e);
}

/* Table 4-18: PDE mapping 2 MBytes. */
static bool rsvd_pde2m(const struct gwm_cpu *c, uint64_t e)
{
	return fld(e, 20, 13) || rsvd_ia32e_common(c, e);
}

/* ------------------------------------------------ access rights, 4.6 */

struct gwm_attr {
	bool user_addr; /* U/S = 1 in every entry */
	bool rw_all;	/* R/W = 1 in every entry */
	bool xd_any;	/* XD = 1 in some entry (only if NXE) */
	int pkey;
};

static bool is_user_access(const struct gwm_cpu *c, struct gwm_access a)
{
	return c->cpl == 3 && !a.implicit;
}

/* SDM 4.6.1, case by case. */
static bool rights_allow(const struct gwm_cpu *c, struct gwm_access a,
			 const struct gwm_attr *t)
{
	bool nx_paging = c->pae && c->nxe;

	if (!is_user_access(c, a)) {
		/* Supervisor-mode access. */
		if (a.fetch) {
			if (!nx_paging) {
				if (t->user_addr)
					return !c->smep;
				return true;
			}
			if (t->user_addr)
				return !c->smep && !t->xd_any;
			return !t->xd_any;
		}
		if (!a.write) {
			if (!t->user_addr)
				return true;
			if (!c->smap)
				return true;
			return !a.implicit && c->ac;
		}
		/* data write */
		if (t->user_addr && c->smap && !(!a.implicit && c->ac))
			return false;
		if (!c->wp)
			return true;
		return t->rw_all;
	}
	/* User-mode access. */
	if (!t->user_addr)
		return false;
	if (a.fetch)
		return !(nx_paging && t->xd_any);
	if (a.write)
		return t->rw_all;
	return true;
}

/* SDM 4.6.2: PKRU for user-mode addresses under IA-32e paging. */
static bool pkey_deny(const struct gwm_cpu *c, struct gwm_access a,
		      const struct gwm_attr *t)
{
	bool ad, wd;

	if (!(c->lma && c->pke) || !t->user_addr || a.fetch)
		return false;
	ad = bit(c->pkru, 2 * t->pkey);
	wd = bit(c->pkru, 2 * t->pkey + 1);
	if (ad)
		return true;
	if (wd && a.write) {
		if (is_user_access(c, a))
			return true;
		return c->wp;
	}
	return false;
}

/* SDM 4.7 error-code bits that only describe the access. */
static uint32_t access_bits(const struct gwm_cpu *c, struct gwm_access a)
{
	uint32_t ec = 0;

	if (a.write)
		ec |= 2;
	if (is_user_access(c, a))
		ec |= 4;
	if (a.fetch && (c->smep || (c->pae && c->nxe)))
		ec |= 16;
	return ec;
}

/* ------------------------------------------------ the walk */

struct gwm_walk {
	const struct gwm_cpu *c;
	const struct gwm_mem *m;
	struct gwm_access a;
	uint64_t la;
	struct gwm_out *o;
	struct gwm_attr t;
	int n; /* entries used so far */
	uint64_t egpa[5];
	uint64_t eval[5];
	int esize;
};

static void pf(struct gwm_walk *w, uint32_t bits)
{
	w->o->kind = GWM_PF;
	w->o->ec = bits | access_bits(w->c, w->a);
	w->o->cr2 = w->la;
}

/* Read one entry; false (with the outcome set) if not RAM. */
static bool fetch_entry(struct gwm_walk *w, uint64_t gpa, uint64_t *e)
{
	if (!in_ram(w->m, gpa, w->esize)) {
		w->o->kind = GWM_NOTRAM;
		w->o->bad = gpa;
		return false;
	}
	*e = rd(w->m, gpa, w->esize);
	w->egpa[w->n] = gpa;
	w->eval[w->n] = *e;
	w->n++;
	w->t.user_addr = w->t.user_addr && bit(*e, 2);
	w->t.rw_all = w->t.rw_all && bit(*e, 1);
	if (w->c->pae && w->c->nxe && bit(*e, 63))
		w->t.xd_any = true;
	return true;
}

/* Leaf reached at page frame pa of size psize: check and account. */
static void finish(struct gwm_walk *w, uint64_t pa, uint64_t psize,
		   uint64_t leaf)
{
	bool deny, pk;
	int i;

	w->t.pkey = w->c->lma ? (int)fld(leaf, 62, 59) : 0;
	deny = !rights_allow(w->c, w->a, &w->t);
	pk = pkey_deny(w->c, w->a, &w->t);
	if (deny || pk) {
		pf(w, 1 | (pk ? 32 : 0));
		return;
	}
	w->o->kind = GWM_OK;
	w->o->psize = psize;
	w->o->w = w->t.rw_all;
	w->o->u = w->t.user_addr;
	w->o->x = !w->t.xd_any;
	w->o->pkey = w->t.pkey;
	w->o->gpa = pa + (w->la & (psize - 1));
	for (i = 0; i < w->n; i++) {
		uint64_t nv = w->eval[i] | 0x20;

		if (i == w->n - 1 && w->a.write)
			nv |= 0x40;
		if (nv != w->eval[i]) {
			int k = w->o->n_upd++;

			w->o->upd[k].gpa = w->egpa[i];
			w->o->upd[k].val = nv;
			w->o->upd[k].size = w->esize;
		}
	}
}

static void walk32(struct gwm_walk *w)
{
	const struct gwm_cpu *c = w->c;
	uint64_t pde, pte;

	w->esize = 4;
	if (!fetch_entry(w, (c->cr3 & 0xfffff000) + fld(w->la, 31, 22) * 4,
			 &pde))
		return;
	if (!bit(pde, 0))
		return pf(w, 0);
	if (c->pse && bit(pde, 7)) {
		if (rsvd_pde4m(c, pde))
			return pf(w, 1 | 8);
		finish(w, (fld(pde, 20, 13) << 32) | (fld(pde, 31, 22) << 22),
		       4u << 20, pde);
		return;
	}
	if (!fetch_entry(w, (pde & 0xfffff000) + fld(w->la, 21, 12) * 4, &pte))
		return;
	if (!bit(pte, 0))
		return pf(w, 0);
	finish(w, pte & 0xfffff000, 4096, pte);
}

static void walk_pae(struct gwm_walk *w)
{
	const struct gwm_cpu *c = w->c;
	uint64_t pdpte = c->pdpte[fld(w->la, 31, 30)];
	uint64_t pde, pte;

	w->esize = 8;
	if (!bit(pdpte, 0))
		return pf(w, 0);
	if (rsvd_pae_pdpte(c, pdpte))
		return pf(w, 1 | 8);
	if (!fetch_entry(w, (fld(pdpte, 51, 12) << 12) + fld(w->la, 29, 21) * 8,
			 &pde))
		return;
	if (!bit(pde, 0))
		return pf(w, 0);
	if (bit(pde, 7)) {
		if (rsvd_pae_pde2m(c, pde))
			return pf(w, 1 | 8);
		finish(w, fld(pde, 51, 21) << 21, 2u << 20, pde);
		return;
	}
	if (rsvd_pae_common(c, pde))
		return pf(w, 1 | 8);
	if (!fetch_entry(w, (fld(pde, 51, 12) << 12) + fld(w->la, 20, 12) * 8,
			 &pte))
		return;
	if (!bit(pte, 0))
		return pf(w, 0);
	if (rsvd_pae_common(c, pte))
		return pf(w, 1 | 8);
	finish(w, fld(pte, 51, 12) << 12, 4096, pte);
}

static void walk_ia32e(struct gwm_walk *w)
{
	const struct gwm_cpu *c = w->c;
	uint64_t table = fld(c->cr3, c->maxphy - 1, 12) << 12;
	uint64_t e;

	w->esize = 8;
	if (c->la57) {
		if (!fetch_entry(w, table + fld(w->la, 56, 48) * 8, &e))
			return;
		if (!bit(e, 0))
			return pf(w, 0);
		if (rsvd_pml45e(c, e))
			return pf(w, 1 | 8);
		table = fld(e, 51, 12) << 12;
	}
	/* PML4E */
	if (!fetch_entry(w, table + fld(w->la, 47, 39) * 8, &e))
		return;
	if (!bit(e, 0))
		return pf(w, 0);
	if (rsvd_pml45e(c, e))
		return pf(w, 1 | 8);
	/* PDPTE */
	if (!fetch_entry(w, (fld(e, 51, 12) << 12) + fld(w->la, 38, 30) * 8,
			 &e))
		return;
	if (!bit(e, 0))
		return pf(w, 0);
	if (bit(e, 7)) {
		if (rsvd_pdpte1g(c, e))
			return pf(w, 1 | 8);
		finish(w, fld(e, 51, 30) << 30, 1u << 30, e);
		return;
	}
	if (rsvd_ia32e_common(c, e))
		return pf(w, 1 | 8);
	/* PDE */
	if (!fetch_entry(w, (fld(e, 51, 12) << 12) + fld(w->la, 29, 21) * 8,
			 &e))
		return;
	if (!bit(e, 0))
		return pf(w, 0);
	if (bit(e, 7)) {
		if (rsvd_pde2m(c, e))
			return pf(w, 1 | 8);
		finish(w, fld(e, 51, 21) << 21, 2u << 20, e);
		return;
	}
	if (rsvd_ia32e_common(c, e))
		return pf(w, 1 | 8);
	/* PTE */
	if (!fetch_entry(w, (fld(e, 51, 12) << 12) + fld(w->la, 20, 12) * 8,
			 &e))
		return;
	if (!bit(e, 0))
		return pf(w, 0);
	if (rsvd_ia32e_common(c, e))
		return pf(w, 1 | 8);
	finish(w, fld(e, 51, 12) << 12, 4096, e);
}

void gwm_translate(const struct gwm_cpu *c, const struct gwm_mem *m,
		   uint64_t la, struct gwm_access a, struct gwm_out *o)
{
	struct gwm_walk w = {.c = c, .m = m, .a = a, .o = o};

	memset(o, 0, sizeof(*o));
	w.t.user_addr = true;
	w.t.rw_all = true;
	if (!c->pg) {
		o->kind = GWM_OK;
		o->gpa = fld(la, 31, 0);
		o->psize = 4096;
		o->w = o->u = o->x = true;
		return;
	}
	if (c->lma) {
		/* 3.3.7.1: bits 63:47 (63:56) must equal bit 47 (56) */
		int top = c->la57 ? 56 : 47;
		uint64_t hi = fld(la, 63, top);

		if (hi != 0 && hi != fld(~0ULL, 63, top)) {
			o->kind = GWM_GP;
			return;
		}
		w.la = la;
		walk_ia32e(&w);
		return;
	}
	w.la = fld(la, 31, 0);
	if (c->pae)
		walk_pae(&w);
	else
		walk32(&w);
}

/* ------------------------------------------------ segmentation */

int gwm_segment(int mode, bool la57, int reg, uint64_t base, uint32_t limit,
		uint32_t ar, uint64_t ea, uint32_t size, bool write, bool fetch,
		uint64_t *la)
{
	int vec = reg == 2 ? 12 : 13;
	uint64_t first, last;

	if (mode == 2) {
		int top = la57 ? 56 : 47;

		if (reg != 4 && reg != 5)
			base = 0;
		first = base + ea;
		last = first + size - 1;
		if (fld(first, 63, top) != 0 &&
		    fld(first, 63, top) != fld(~0ULL, 63, top))
			return vec;
		if (fld(last, 63, top) != 0 &&
		    fld(last, 63, top) != fld(~0ULL, 63, top))
			return vec;
		*la = first;
		return 0;
	}
	last = ea + size - 1;
	if (mode == 1) {
		bool code = bit(ar, 3);

		if (bit(ar, 16)) /* unusable (null selector) */
			return vec;
		if (fetch && !code)
			return vec;
		if (write && (code || !bit(ar, 1)))
			return vec;
		if (!write && !fetch && code && !bit(ar, 1))
			return vec; /* execute-only */
		if (!code && bit(ar, 2)) {
			/* expand-down: limit+1 .. 64K-1 or 4G-1 */
			uint64_t top = bit(ar, 14) ? 0xffffffffULL : 0xffffULL;

			if (ea <= limit || last > top)
				return vec;
			*la = fld(base + ea, 31, 0);
			return 0;
		}
	}
	if (last > limit)
		return vec;
	*la = fld(base + ea, 31, 0);
	return 0;
}
