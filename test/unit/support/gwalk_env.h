/* SPDX-License-Identifier: MIT */
/*
 * Test environment for the guest walker: a simulated guest RAM with an MMIO
 * hole, read/cmpxchg callbacks that log every write (so tests can compare
 * and undo them), an optional hook that changes memory under the walker, a
 * fixed page-table layout per paging mode, the access kinds every test
 * runs, and the conversion of one test configuration into both the
 * walker's context and the model's CPU state.
 */
#ifndef MICA_TEST_GWALK_ENV_H
#define MICA_TEST_GWALK_ENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/base/types.h"
#include "test/unit/support/gwalk_model.h"
#include "mm/base/errno.h"
#include "vmm/gwalk/gwalk.h"

#define ENV_RAM_SIZE (4u << 20)
#define ENV_HOLE_LO  0x200000u
#define ENV_HOLE_HI  0x210000u
#define ENV_LOG_MAX  64

struct env_write {
	gpa_t gpa;
	u64 old;
	u64 val;
	u32 size;
};

struct env {
	u8 *ram;
	int nlog;
	struct env_write log[ENV_LOG_MAX];
	u64 nread;
	u64 ncmpxchg;
	/* Called before each compare; may change memory (guest race). */
	void (*hook)(struct env *e, gpa_t gpa, u32 size);
	void *hook_data;
};

static bool env_in_ram(gpa_t gpa, u32 size)
{
	if (gpa + size > ENV_RAM_SIZE)
		return false;
	return gpa + size <= ENV_HOLE_LO || gpa >= ENV_HOLE_HI;
}

static u64 env_get(const struct env *e, gpa_t gpa, u32 size)
{
	u64 v = 0;

	memcpy(&v, e->ram + gpa, size);
	return v;
}

static void env_put(struct env *e, gpa_t gpa, u64 v, u32 size)
{
	memcpy(e->ram + gpa, &v, size);
}

static int env_read(void *opaque, gpa_t gpa, void *buf, u32 size)
{
	struct env *e = opaque;

	e->nread++;
	if (!env_in_ram(gpa, size))
		return -EFAULT;
	memcpy(buf, e->ram + gpa, size);
	return 0;
}

static int env_cmpxchg(void *opaque, gpa_t gpa, u64 old, u64 new_val, u32 size)
{
	struct env *e = opaque;
	u64 cur;

	e->ncmpxchg++;
	if (!env_in_ram(gpa, size))
		return -EFAULT;
	if (e->hook)
		e->hook(e, gpa, size);
	cur = env_get(e, gpa, size);
	if (cur != old)
		return -EAGAIN;
	if (e->nlog == ENV_LOG_MAX) {
		fprintf(stderr, "env: write log overflow\n");
		abort();
	}
	e->log[e->nlog++] = (struct env_write){gpa, old, new_val, size};
	env_put(e, gpa, new_val, size);
	return 0;
}

static struct gwalk_ops env_ops(struct env *e)
{
	return (struct gwalk_ops){
	    .read_gpa = env_read, .cmpxchg_gpa = env_cmpxchg, .opaque = e};
}

static struct gwm_mem env_mem(const struct env *e)
{
	return (struct gwm_mem){.ram = e->ram,
				.size = ENV_RAM_SIZE,
				.hole_lo = ENV_HOLE_LO,
				.hole_hi = ENV_HOLE_HI};
}

/* Undo the logged writes, newest first. */
static void env_undo(struct env *e)
{
	while (e->nlog > 0) {
		struct env_write *w = &e->log[--e->nlog];

		env_put(e, w->gpa, w->old, w->size);
	}
}

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->ram = calloc(1, ENV_RAM_SIZE);
	if (!e->ram)
		abort();
}

/* ---------------------------------------------------------- config */

static const char *const mode_name[] = {
    [GWALK_MODE_NONE] = "none",	   [GWALK_MODE_32] = "32-bit",
    [GWALK_MODE_PAE] = "PAE",	   [GWALK_MODE_4LVL] = "4-level",
    [GWALK_MODE_5LVL] = "5-level",
};

/* The ten access kinds every walker test runs: CPL, GWALK_ACC_* */
static const struct {
	u8 cpl;
	u32 acc;
} kinds[] = {
    {0, 0},
    {0, GWALK_ACC_WRITE},
    {0, GWALK_ACC_FETCH},
    {3, 0},
    {3, GWALK_ACC_WRITE},
    {3, GWALK_ACC_FETCH},
    {0, GWALK_ACC_IMPLICIT},
    {0, GWALK_ACC_IMPLICIT | GWALK_ACC_WRITE},
    {3, GWALK_ACC_IMPLICIT},
    {3, GWALK_ACC_IMPLICIT | GWALK_ACC_WRITE},
};

struct tcfg {
	enum gwalk_mode mode;
	bool nxe, wp, smep, smap, ac, pke, pse, gb;
	u8 cpl;
	u32 pkru;
	u8 maxphy;
	u64 cr3;
	u64 pdpte[4];
};

static void tcfg_ctx(const struct tcfg *t, struct gwalk_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->cr0 = GWALK_CR0_PE | (t->wp ? GWALK_CR0_WP : 0);
	if (t->mode != GWALK_MODE_NONE)
		c->cr0 |= GWALK_CR0_PG;
	c->cr4 = (t->pse ? GWALK_CR4_PSE : 0) | (t->smep ? GWALK_CR4_SMEP : 0) |
		 (t->smap ? GWALK_CR4_SMAP : 0) | (t->pke ? GWALK_CR4_PKE : 0);
	if (t->mode >= GWALK_MODE_PAE)
		c->cr4 |= GWALK_CR4_PAE;
	if (t->mode == GWALK_MODE_5LVL)
		c->cr4 |= GWALK_CR4_LA57;
	c->efer = t->nxe ? GWALK_EFER_NXE : 0;
	if (t->mode >= GWALK_MODE_4LVL)
		c->efer |= GWALK_EFER_LMA | BIT(8);
	c->cr3 = t->cr3;
	memcpy(c->pdpte, t->pdpte, sizeof(c->pdpte));
	c->pkru = t->pkru;
	c->cpl = t->cpl;
	c->ac = t->ac;
	c->gbpages = t->gb;
	c->maxphyaddr = t->maxphy;
}

static void tcfg_model(const struct tcfg *t, struct gwm_cpu *m)
{
	memset(m, 0, sizeof(*m));
	m->pg = t->mode != GWALK_MODE_NONE;
	m->pae = t->mode >= GWALK_MODE_PAE;
	m->lma = t->mode >= GWALK_MODE_4LVL;
	m->la57 = t->mode == GWALK_MODE_5LVL;
	m->pse = t->pse;
	m->wp = t->wp;
	m->nxe = t->nxe;
	m->smep = t->smep;
	m->smap = t->smap;
	m->pke = t->pke;
	m->ac = t->ac;
	m->gb = t->gb;
	m->cpl = t->cpl;
	m->pkru = t->pkru;
	m->cr3 = t->cr3;
	memcpy(m->pdpte, t->pdpte, sizeof(m->pdpte));
	m->maxphy = t->maxphy;
}

/* ---------------------------------------------------------- layout */

/*
 * Fixed tables: level l's table page at 0x10000 + (5 - l) * 0x1000, a
 * linear address with distinct non-zero indices at every level.
 */
struct layout {
	enum gwalk_mode mode;
	int top; /* top level held in memory */
	u32 esize;
	gva_t la;
	gpa_t tbl[6];
	gpa_t egpa[6]; /* entry address per level (PAE level 3: none) */
	int pdpt_idx;  /* PAE */
};

static void layout_init(struct layout *L, enum gwalk_mode mode)
{
	static const unsigned idx9[6] = {0, 0x073, 0x1e9, 0x0c7, 0x15a, 0x1a3};
	int l;

	memset(L, 0, sizeof(*L));
	L->mode = mode;
	for (l = 1; l <= 5; l++)
		L->tbl[l] = 0x10000 + (5 - l) * 0x1000;
	if (mode == GWALK_MODE_32) {
		L->top = 2;
		L->esize = 4;
		L->la = (0x2e9u << 22) | (0x273u << 12) | 0x5b8;
		L->egpa[2] = L->tbl[2] + 0x2e9 * 4;
		L->egpa[1] = L->tbl[1] + 0x273 * 4;
		return;
	}
	L->esize = 8;
	L->top = mode == GWALK_MODE_PAE ? 2 : mode == GWALK_MODE_4LVL ? 4 : 5;
	L->la = 0x5b8;
	for (l = 1; l <= L->top; l++) {
		L->la |= (u64)idx9[l] << (12 + 9 * (l - 1));
		L->egpa[l] = L->tbl[l] + idx9[l] * 8;
	}
	if (mode == GWALK_MODE_PAE) {
		L->pdpt_idx = 2;
		L->la |= 2u << 30;
	} else {
		unsigned bits = mode == GWALK_MODE_5LVL ? 57 : 48;

		L->la = (u64)((s64)(L->la << (64 - bits)) >> (64 - bits));
	}
}

static u64 layout_cr3(const struct layout *L)
{
	return L->mode == GWALK_MODE_PAE ? 0x1f000 : L->tbl[L->top];
}

/* Store entry v for level l (PAE level 3 goes to the PDPTE registers). */
static void layout_set(struct env *e, const struct layout *L, struct tcfg *t,
		       int l, u64 v)
{
	if (L->mode == GWALK_MODE_PAE && l == 3) {
		t->pdpte[L->pdpt_idx] = v;
		return;
	}
	env_put(e, L->egpa[l], v, L->esize);
}

#endif
