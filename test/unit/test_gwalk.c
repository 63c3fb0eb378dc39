/* SPDX-License-Identifier: MIT */
/*
 * Guest walker vs the reference model over the permission matrix of
 * kvm-unit-tests' access test (PTE/PDE P W U A D NX PS, reserved bits,
 * protection keys, EFER.NXE, CR0.WP, SMEP, SMAP with EFLAGS.AC, CR4.PKE,
 * user/supervisor/implicit read/write/fetch, accessing twice) for each
 * paging mode, plus upper-level entries, a reserved-bit sweep over
 * MAXPHYADDR, hand-checked answers, no-paging, canonical and not-RAM cases.
 * Every case compares outcome, error code, CR2/GPA and the A/D writes.
 */
#include "test/unit/support/gwalk_check.h"

static void run_kinds(struct env *e, struct tcfg *t, gva_t la,
		      struct mx_stats *st)
{
	unsigned k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		t->cpl = kinds[k].cpl;
		check_one(e, t, la, kinds[k].acc, st);
	}
}

/*
 * Every CPU configuration: EFER.NXE, CR0.WP, CR4.SMEP, CR4.SMAP with
 * EFLAGS.AC, CR4.PKE with PKRU denying nothing, AD, WD or both for key 5
 * (key 3 always fully denied, to catch indexing errors), CR4.PSE in 32-bit
 * mode; the tables are already in memory.
 */
static void run_cpus(struct env *e, struct tcfg *t, gva_t la,
		     struct mx_stats *st)
{
	static const u32 pkru_on[] = {0, 1u << 10, 2u << 10, 3u << 10};
	unsigned c, p;

	for (c = 0; c < 2 * 2 * 2 * 3 * 2 * 2; c++) {
		unsigned smap_ac = (c >> 3) % 3;

		t->nxe = c & 1;
		t->wp = (c >> 1) & 1;
		t->smep = (c >> 2) & 1;
		t->smap = smap_ac != 0;
		t->ac = smap_ac == 2;
		t->pke = (c / 24) & 1;
		t->pse = (c / 48) & 1;
		if (t->mode != GWALK_MODE_32 && t->pse)
			continue;
		for (p = 0; p < ARRAY_SIZE(pkru_on); p++) {
			if (!t->pke && p > 0)
				break;
			t->pkru =
			    (t->pke ? pkru_on[p] : 0xffffffffu) | (3u << 6);
			run_kinds(e, t, la, st);
		}
	}
}

static u64 flag_bits(unsigned f)
{
	static const u64 bits[] = {GWALK_PTE_P, GWALK_PTE_RW, GWALK_PTE_US,
				   GWALK_PTE_A, GWALK_PTE_D,  GWALK_PTE_XD,
				   GWALK_PTE_PS};
	u64 v = 0;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (f & (1u << i))
			v |= bits[i];
	return v;
}

#define F_P   0x01
#define F_NX  0x20
#define F_PS  0x40
#define PKEY5 (5ULL << 59)

/* Upper levels (above the PDE) present, writable, user, not accessed. */
static void set_upper(struct env *e, const struct layout *L, struct tcfg *t)
{
	int l;

	for (l = L->mode == GWALK_MODE_PAE ? 3 : L->top; l > 2; l--) {
		u64 flags = GWALK_PTE_P;

		if (L->mode != GWALK_MODE_PAE)
			flags |= GWALK_PTE_RW | GWALK_PTE_US;
		layout_set(e, L, t, l, L->tbl[l - 1] | flags);
	}
}

/* The PTE dimension under a present, valid, non-large PDE. */
static void mx_ptes(struct env *e, const struct layout *L, struct tcfg *t,
		    struct mx_stats *st)
{
	static const u64 rsvd64[] = {0, BIT(51), BIT(36)};
	bool m32 = L->mode == GWALK_MODE_32;
	bool keys = L->mode >= GWALK_MODE_4LVL;
	u64 frame = m32 ? 0x87654000u : 0x987654000ULL;
	unsigned f, r, k;

	for (f = 0; f < 64; f++) {
		if ((!(f & F_P) && f) || (m32 && (f & F_NX)))
			continue;
		for (r = 0; r < (m32 ? 1 : ARRAY_SIZE(rsvd64)); r++) {
			for (k = 0; k < (keys ? 2u : 1u); k++) {
				u64 v = frame | flag_bits(f) | rsvd64[r] |
					(k ? PKEY5 : 0);

				env_put(e, L->egpa[1], v, L->esize);
				run_cpus(e, t, L->la, st);
			}
		}
	}
}

/* The PDE dimension (and the PTEs below it); upper levels fixed. */
static void mx_mode(struct env *e, enum gwalk_mode mode, struct mx_stats *st)
{
	static const u64 rsvd64[] = {0, BIT(51), BIT(36), BIT(13)};
	static const u64 rsvd32[] = {0, BIT(21), BIT(17)};
	struct tcfg t = {.mode = mode, .maxphy = 36, .gb = true};
	bool m32 = mode == GWALK_MODE_32;
	bool keys = mode >= GWALK_MODE_4LVL;
	struct layout L;
	unsigned f, r, k;

	layout_init(&L, mode);
	t.cr3 = layout_cr3(&L);
	set_upper(e, &L, &t);
	for (f = 0; f < 128; f++) {
		bool ps = f & F_PS;
		unsigned nr = m32 ? (ps ? 3 : 1) : (ps ? 4 : 3);

		if ((!(f & F_P) && f) || (m32 && (f & F_NX)))
			continue;
		for (r = 0; r < nr; r++) {
			u64 rs = m32 ? rsvd32[r] : rsvd64[r];
			u64 base = flag_bits(f) | rs;

			/*
			 * 32-bit: the same PDE is a 4-MByte page at
			 * 0xA00000000 (PSE-36) or, with CR4.PSE = 0, points
			 * to the page table.
			 */
			if (ps && !m32)
				base |= 0x945600000ULL;
			else
				base |= L.tbl[1];
			/* A non-large PDE: also its PTE (m32 PSE=0 too) */
			if ((f & F_P) && !rs && (!ps || m32)) {
				env_put(e, L.egpa[2], base, L.esize);
				mx_ptes(e, &L, &t, st);
				continue;
			}
			env_put(e, L.egpa[1], 0x87654000u | 7, L.esize);
			for (k = 0; k < (keys && ps ? 2u : 1u); k++) {
				env_put(e, L.egpa[2], base | (k ? PKEY5 : 0),
					L.esize);
				run_cpus(e, &t, L.la, st);
			}
		}
	}
}

/*
 * Upper levels (PAE PDPTE, PDPTE, PML4E, PML5E): P W U A NX PS and a
 * reserved bit, one level at a time, with and without 1-GByte pages.
 */
static void mx_upper(struct env *e, enum gwalk_mode mode, struct mx_stats *st)
{
	struct tcfg t = {.mode = mode, .maxphy = 36};
	struct layout L;
	unsigned l, f, r, gb;

	layout_init(&L, mode);
	t.cr3 = layout_cr3(&L);
	for (l = 3; l <= (unsigned)(mode == GWALK_MODE_PAE ? 3 : L.top); l++) {
		for (gb = 0; gb < 2; gb++) {
			for (f = 0; f < 128; f++) {
				if ((f & 0x18) == 0x10) /* D without A: skip */
					continue;
				for (r = 0; r < 2; r++) {
					u64 v =
					    flag_bits(f) | (r ? BIT(51) : 0);

					v |= (f & F_PS) && l == 3
						 ? 0x940000000ULL
						 : L.tbl[l - 1];
					t.gb = gb;
					set_upper(e, &L, &t);
					env_put(e, L.egpa[2], L.tbl[1] | 7,
						L.esize);
					env_put(e, L.egpa[1],
						0x987654000ULL | 7, L.esize);
					layout_set(e, &L, &t, l, v);
					run_cpus(e, &t, L.la, st);
				}
			}
		}
	}
}

static void test_matrix(struct env *e)
{
	enum gwalk_mode m;

	for (m = GWALK_MODE_32; m <= GWALK_MODE_5LVL; m++) {
		struct mx_stats st = {0}, up = {0};

		memset(e->ram, 0, ENV_RAM_SIZE);
		mx_mode(e, m, &st);
		tap_ok(st.mismatches == 0,
		       "matrix %s: %llu combinations (%llu translated), %llu "
		       "mismatches",
		       mode_name[m], (unsigned long long)st.runs,
		       (unsigned long long)st.translated,
		       (unsigned long long)st.mismatches);
		if (m == GWALK_MODE_32)
			continue; /* no levels above the PDE */
		memset(e->ram, 0, ENV_RAM_SIZE);
		mx_upper(e, m, &up);
		tap_ok(up.mismatches == 0,
		       "upper levels %s: %llu combinations, %llu mismatches",
		       mode_name[m], (unsigned long long)up.runs,
		       (unsigned long long)up.mismatches);
	}
}

/* ---------------------------------------------------------- sweep */

/* A valid translation whose leaf is at level leaf, frames below 4 GBytes. */
static void sweep_build(struct env *e, const struct layout *L, struct tcfg *t,
			int leaf)
{
	static const u64 frame[] = {0, 0x87654000u, 0x45600000u, 0x40000000u};
	int top = L->mode == GWALK_MODE_PAE ? 3 : L->top;
	int l;

	for (l = top; l > leaf; l--) {
		u64 flags = GWALK_PTE_P;

		if (!(L->mode == GWALK_MODE_PAE && l == 3))
			flags |= GWALK_PTE_RW | GWALK_PTE_US;
		layout_set(e, L, t, l, L->tbl[l - 1] | flags);
	}
	layout_set(e, L, t, leaf,
		   (L->mode == GWALK_MODE_32 && leaf == 2 ? 0x4c400000u
							  : frame[leaf]) |
		       7 | (leaf > 1 ? GWALK_PTE_PS : 0));
}

/*
 * Every bit of every entry on the path, one at a time, for several
 * MAXPHYADDR values, EFER.NXE, 1-GByte support and leaf levels: covers the
 * reserved-bit tables (SDM 4-4..4-20) and the address bits.
 */
static void test_sweep(struct env *e)
{
	static const u8 maxphys[] = {32, 36, 39, 40, 46, 52};
	static const u32 accs[] = {0, GWALK_ACC_WRITE, GWALK_ACC_FETCH};
	enum gwalk_mode m;

	for (m = GWALK_MODE_32; m <= GWALK_MODE_5LVL; m++) {
		struct mx_stats st = {0};
		int leaves = m >= GWALK_MODE_4LVL ? 3 : 2;
		int top = m == GWALK_MODE_32	 ? 2
			  : m == GWALK_MODE_PAE	 ? 3
			  : m == GWALK_MODE_4LVL ? 4
						 : 5;
		struct layout L;
		unsigned mi, opt, a;
		int leaf, l, b;

		layout_init(&L, m);
		memset(e->ram, 0, ENV_RAM_SIZE);
		for (mi = 0; mi < ARRAY_SIZE(maxphys); mi++)
			for (opt = 0; opt < 8; opt++)
				for (leaf = 1; leaf <= leaves; leaf++)
					for (l = leaf; l <= top; l++)
						for (b = -1;
						     b < (int)L.esize * 8;
						     b++) {
							struct tcfg t = {
							    .mode = m,
							    .maxphy =
								maxphys[mi]};
							gpa_t egpa = L.egpa[l];

							t.nxe = opt & 1;
							t.gb = (opt >> 1) & 1;
							t.pse =
							    leaf == 2 ||
							    ((opt >> 2) & 1);
							t.cr3 = layout_cr3(&L);
							sweep_build(e, &L, &t,
								    leaf);
							if (b >= 0 &&
							    m ==
								GWALK_MODE_PAE &&
							    l == 3)
								t.pdpte
								    [L.pdpt_idx] ^=
								    1ULL << b;
							else if (b >= 0)
								env_put(
								    e, egpa,
								    env_get(
									e, egpa,
									L.esize) ^
									(1ULL
									 << b),
								    L.esize);
							for (a = 0;
							     a <
							     ARRAY_SIZE(accs);
							     a++) {
								t.cpl = a == 1
									    ? 3
									    : 0;
								check_one(
								    e, &t, L.la,
								    accs[a],
								    &st);
							}
							env_put(e, egpa, 0,
								L.esize);
						}
		tap_ok(st.mismatches == 0,
		       "reserved/address bit sweep %s (MAXPHYADDR 32..52): "
		       "%llu cases, %llu mismatches",
		       mode_name[m], (unsigned long long)st.runs,
		       (unsigned long long)st.mismatches);
	}
}

/* ---------------------------------------------------------- known answers */

struct known {
	const char *name;
	enum gwalk_mode mode;
	int leaf;  /* leaf level of the base translation */
	int level; /* entry to modify */
	u64 set, clear;
	u8 cpl;
	u32 acc;
	u32 cpu; /* K_* */
	u32 pkru;
	u8 maxphy;
	int vec; /* 0: success */
	u32 ec;
	gpa_t gpa; /* expected on success (0: not checked) */
};

#define K_NXE  0x01
#define K_WP   0x02
#define K_SMEP 0x04
#define K_SMAP 0x08
#define K_AC   0x10
#define K_PKE  0x20
#define K_PSE  0x40
#define K_GB   0x80

#define W  GWALK_ACC_WRITE
#define X  GWALK_ACC_FETCH
#define IM GWALK_ACC_IMPLICIT
#define L4 GWALK_MODE_4LVL

/* Expected values worked out by hand from SDM 4.6/4.7, not by the model. */
static const struct known known[] = {
    {"user read", L4, 1, 1, 0, 0, 3, 0, 0, 0, 46, 0, 0, 0x876545b8},
    {"PTE not present, user read", L4, 1, 1, 0, 1, 3, 0, 0, 0, 46, 14, 0x04, 0},
    {"PTE not present, sup write", L4, 1, 1, 0, 1, 0, W, 0, 0, 46, 14, 0x02, 0},
    {"PTE bit 51, M=46", L4, 1, 1, BIT(51), 0, 0, 0, 0, 0, 46, 14, 0x09, 0},
    {"PTE bit 45 is address, M=46", L4, 1, 1, BIT(45), 0, 0, 0, 0, 0, 46, 0, 0,
     0x2000876545b8ULL},
    {"XD without NXE", L4, 1, 1, BIT(63), 0, 3, 0, 0, 0, 46, 14, 0x0d, 0},
    {"XD user fetch", L4, 1, 2, BIT(63), 0, 3, X, K_NXE, 0, 46, 14, 0x15, 0},
    {"XD user read", L4, 1, 1, BIT(63), 0, 3, 0, K_NXE, 0, 46, 0, 0, 0},
    {"PDE U=0, user read", L4, 1, 2, 0, 4, 3, 0, 0, 0, 46, 14, 0x05, 0},
    {"SMEP sup fetch", L4, 1, 1, 0, 0, 0, X, K_SMEP, 0, 46, 14, 0x11, 0},
    {"SMAP AC=0 read", L4, 1, 1, 0, 0, 0, 0, K_SMAP, 0, 46, 14, 0x01, 0},
    {"SMAP AC=1 read", L4, 1, 1, 0, 0, 0, 0, K_SMAP | K_AC, 0, 46, 0, 0, 0},
    {"SMAP implicit CPL3 AC=1", L4, 1, 1, 0, 0, 3, IM, K_SMAP | K_AC, 0, 46, 14,
     0x01, 0},
    {"SMAP implicit write CPL3", L4, 1, 1, 0, 0, 3, IM | W, K_SMAP | K_AC, 0,
     46, 14, 0x03, 0},
    {"RO sup write WP=0", L4, 1, 3, 0, 2, 0, W, 0, 0, 46, 0, 0, 0},
    {"RO sup write WP=1", L4, 1, 3, 0, 2, 0, W, K_WP, 0, 46, 14, 0x03, 0},
    {"RO user write", L4, 1, 1, 0, 2, 3, W, 0, 0, 46, 14, 0x07, 0},
    {"PKU AD user read", L4, 1, 1, BIT(59), 0, 3, 0, K_PKE, 4, 46, 14, 0x25, 0},
    {"PKU AD sup read", L4, 1, 1, BIT(59), 0, 0, 0, K_PKE, 4, 46, 14, 0x21, 0},
    {"PKU AD user fetch", L4, 1, 1, BIT(59), 0, 3, X, K_PKE, 4, 46, 0, 0, 0},
    {"PKU WD sup write WP=0", L4, 1, 1, BIT(59), 0, 0, W, K_PKE, 8, 46, 0, 0,
     0},
    {"PKU WD sup write WP=1", L4, 1, 1, BIT(59), 0, 0, W, K_PKE | K_WP, 8, 46,
     14, 0x23, 0},
    {"PKU WD user write", L4, 1, 1, BIT(59), 0, 3, W, K_PKE, 8, 46, 14, 0x27,
     0},
    {"PKU key ignored w/o PKE", L4, 1, 1, BIT(59), 0, 3, W, 0, 0xc, 46, 0, 0,
     0},
    {"PML4E PS", L4, 1, 4, GWALK_PTE_PS, 0, 0, 0, 0, 0, 46, 14, 0x09, 0},
    {"1G page without Page1GB", L4, 3, 3, 0, 0, 0, 0, 0, 0, 46, 14, 0x09, 0},
    {"1G page", L4, 3, 3, 0, 0, 0, 0, K_GB, 0, 46, 0, 0, 0x7d2735b8},
    {"2M page bit 13", L4, 2, 2, BIT(13), 0, 0, 0, 0, 0, 46, 14, 0x09, 0},
    {"32-bit fetch NP, NXE", GWALK_MODE_32, 1, 1, 0, 1, 3, X, K_NXE, 0, 36, 14,
     0x04, 0},
    {"32-bit fetch NP, SMEP", GWALK_MODE_32, 1, 1, 0, 1, 3, X, K_SMEP, 0, 36,
     14, 0x14, 0},
    {"32-bit 4M PSE-36", GWALK_MODE_32, 2, 2, 3u << 13, 0, 0, 0, K_PSE, 0, 36,
     0, 0, 0x34c6735b8ULL},
    {"32-bit 4M bit 17, M=36", GWALK_MODE_32, 2, 2, BIT(17), 0, 0, 0, K_PSE, 0,
     36, 14, 0x09, 0},
    {"32-bit 4M bit 17, M=40", GWALK_MODE_32, 2, 2, BIT(17), 0, 0, 0, K_PSE, 0,
     40, 0, 0, 0x104c6735b8ULL},
    {"PAE fetch NP, NXE", GWALK_MODE_PAE, 1, 1, 0, 1, 0, X, K_NXE, 0, 36, 14,
     0x10, 0},
    {"PAE fetch NP", GWALK_MODE_PAE, 1, 1, 0, 1, 0, X, 0, 0, 36, 14, 0x00, 0},
    {"PAE PDPTE bit 1", GWALK_MODE_PAE, 1, 3, 2, 0, 0, 0, 0, 0, 36, 14, 0x09,
     0},
    {"PAE PDE bit 62", GWALK_MODE_PAE, 1, 2, BIT(62), 0, 0, 0, 0, 0, 36, 14,
     0x09, 0},
    {"PML5E not present", GWALK_MODE_5LVL, 1, 5, 0, 1, 3, W, 0, 0, 46, 14, 0x06,
     0},
};

static void test_known(struct env *e)
{
	unsigned i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		const struct known *k = &known[i];
		struct tcfg t = {.mode = k->mode, .maxphy = k->maxphy};
		struct gwalk_ops ops = env_ops(e);
		struct gwalk_result r;
		struct gwalk_ctx ctx;
		struct layout L;
		u64 v;

		memset(e->ram, 0, ENV_RAM_SIZE);
		layout_init(&L, k->mode);
		t.cr3 = layout_cr3(&L);
		t.nxe = k->cpu & K_NXE;
		t.wp = k->cpu & K_WP;
		t.smep = k->cpu & K_SMEP;
		t.smap = k->cpu & K_SMAP;
		t.ac = k->cpu & K_AC;
		t.pke = k->cpu & K_PKE;
		t.pse = k->cpu & K_PSE;
		t.gb = k->cpu & K_GB;
		t.pkru = k->pkru;
		t.cpl = k->cpl;
		sweep_build(e, &L, &t, k->leaf);
		if (k->mode == GWALK_MODE_PAE && k->level == 3) {
			t.pdpte[L.pdpt_idx] |= k->set;
			t.pdpte[L.pdpt_idx] &= ~k->clear;
		} else {
			v = env_get(e, L.egpa[k->level], L.esize);
			env_put(e, L.egpa[k->level], (v | k->set) & ~k->clear,
				L.esize);
		}
		tcfg_ctx(&t, &ctx);
		gwalk_translate(&ctx, &ops, L.la, k->acc, &r);
		if (k->vec ? (r.status != GWALK_FAULT ||
			      r.fault.vector != k->vec ||
			      r.fault.error_code != k->ec ||
			      r.fault.cr2 !=
				  (L.la & (k->mode < L4 ? 0xffffffffu : ~0ULL)))
			   : (r.status != GWALK_OK ||
			      (k->gpa && r.gpa != k->gpa))) {
			bad++;
			tap_diag("known '%s': status %d vec %u ec %x gpa %llx",
				 k->name, r.status, r.fault.vector,
				 r.fault.error_code, (unsigned long long)r.gpa);
		}
		e->nlog = 0;
	}
	tap_ok(bad == 0, "hand-checked answers: %zu cases, %u wrong",
	       ARRAY_SIZE(known), bad);
}

/* A/D left in memory after a 4-level write and a read, checked by hand. */
static void test_ad_known(struct env *e)
{
	struct tcfg t = {.mode = L4, .maxphy = 46, .cpl = 3};
	struct gwalk_ops ops = env_ops(e);
	struct gwalk_result r;
	struct gwalk_ctx ctx;
	struct layout L;
	bool ok = true;
	int l;

	memset(e->ram, 0, ENV_RAM_SIZE);
	layout_init(&L, L4);
	t.cr3 = layout_cr3(&L);
	sweep_build(e, &L, &t, 1);
	tcfg_ctx(&t, &ctx);
	gwalk_translate(&ctx, &ops, L.la, 0, &r);
	for (l = 1; l <= 4; l++)
		ok &= (env_get(e, L.egpa[l], 8) & 0x60) == 0x20;
	gwalk_translate(&ctx, &ops, L.la, GWALK_ACC_WRITE, &r);
	for (l = 1; l <= 4; l++)
		ok &=
		    (env_get(e, L.egpa[l], 8) & 0x60) == (l == 1 ? 0x60 : 0x20);
	ok &= e->nlog == 5;
	e->nlog = 0;
	tap_ok(ok && r.status == GWALK_OK,
	       "A set on all four levels on read, D on the PTE only on write");
}

/* ---------------------------------------------------------- misc modes */

static int no_read(void *o, gpa_t g, void *b, u32 s)
{
	(void)o, (void)g, (void)b, (void)s;
	abort();
}

static int no_cmpxchg(void *o, gpa_t g, u64 a, u64 b, u32 s)
{
	(void)o, (void)g, (void)a, (void)b, (void)s;
	abort();
}

static void test_no_paging(void)
{
	static const gva_t las[] = {0,		0xffff0,	0x10ffef,
				    0xfffffffe, 0x123456789ULL, ~0ULL};
	struct gwalk_ops ops = {.read_gpa = no_read, .cmpxchg_gpa = no_cmpxchg};
	struct gwalk_ctx ctx = {.maxphyaddr = 36};
	unsigned i, k, n = 0, bad = 0;

	for (i = 0; i < ARRAY_SIZE(las) * 4; i++) {
		ctx.cr0 = (i & 1) ? GWALK_CR0_PE | GWALK_CR0_WP : 0;
		ctx.cr4 = (i & 2) ? GWALK_CR4_PAE | GWALK_CR4_SMEP : 0;
		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			struct gwalk_result r;

			ctx.cpl = kinds[k].cpl;
			gwalk_translate(&ctx, &ops, las[i / 4], kinds[k].acc,
					&r);
			n++;
			bad += r.status != GWALK_OK ||
			       r.gpa != (las[i / 4] & 0xffffffffu);
		}
	}
	tap_ok(bad == 0,
	       "real mode / no paging: identity with 32-bit wrap, %u cases, "
	       "%u wrong",
	       n, bad);
}

static void test_canonical(struct env *e)
{
	static const struct {
		enum gwalk_mode mode;
		gva_t la;
		bool gp;
	} c[] = {
	    {L4, 0x00007fffffffffffULL, false},
	    {L4, 0x0000800000000000ULL, true},
	    {L4, 0xffff7fffffffffffULL, true},
	    {L4, 0xffff800000000000ULL, false},
	    {GWALK_MODE_5LVL, 0x0000800000000000ULL, false},
	    {GWALK_MODE_5LVL, 0x00ffffffffffffffULL, false},
	    {GWALK_MODE_5LVL, 0x0100000000000000ULL, true},
	    {GWALK_MODE_5LVL, 0xff00000000000000ULL, false},
	    {GWALK_MODE_5LVL, 0xfeffffffffffffffULL, true},
	};
	struct mx_stats st = {0};
	unsigned i, bad = 0;

	memset(e->ram, 0, ENV_RAM_SIZE);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct tcfg t = {
		    .mode = c[i].mode, .maxphy = 46, .cr3 = 0x10000};
		struct gwalk_ops ops = env_ops(e);
		struct gwalk_result r;
		struct gwalk_ctx ctx;

		tcfg_ctx(&t, &ctx);
		gwalk_translate(&ctx, &ops, c[i].la, 0, &r);
		bad += (r.status == GWALK_FAULT &&
			r.fault.vector == GWALK_VEC_GP) != c[i].gp;
		check_one(e, &t, c[i].la, 0, &st);
	}
	tap_ok(bad == 0 && st.mismatches == 0,
	       "canonical checks in 4/5-level paging: %zu cases, %u wrong, "
	       "%llu model mismatches",
	       ARRAY_SIZE(c), bad, (unsigned long long)st.mismatches);
}

/* Paging structures in the MMIO hole or beyond RAM stop the walk. */
static void test_not_ram(struct env *e)
{
	static const struct {
		enum gwalk_mode mode;
		int level;    /* entry redirected */
		gpa_t target; /* table address it now names */
	} c[] = {
	    {L4, 2, ENV_HOLE_LO},
	    {L4, 4, 0x7ff000},
	    {GWALK_MODE_5LVL, 5, ENV_HOLE_LO + 0x1000},
	    {GWALK_MODE_PAE, 3, ENV_HOLE_LO},
	    {GWALK_MODE_32, 2, 0xf0000000u},
	    {L4, 0, 0x500000}, /* CR3 itself */
	};
	struct mx_stats st = {0};
	unsigned i, k, bad = 0;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct tcfg t = {.mode = c[i].mode, .maxphy = 46};
		struct gwalk_ops ops = env_ops(e);
		struct gwalk_result r;
		struct gwalk_ctx ctx;
		struct layout L;
		gpa_t want;

		memset(e->ram, 0, ENV_RAM_SIZE);
		layout_init(&L, c[i].mode);
		t.cr3 = layout_cr3(&L);
		sweep_build(e, &L, &t, 1);
		if (c[i].level == 0) {
			t.cr3 = c[i].target;
			want = c[i].target + (L.egpa[L.top] - L.tbl[L.top]);
		} else {
			layout_set(e, &L, &t, c[i].level,
				   c[i].target |
				       (c[i].mode == GWALK_MODE_PAE ? 1 : 7));
			want = c[i].target +
			       (L.egpa[c[i].level - 1] - L.tbl[c[i].level - 1]);
		}
		tcfg_ctx(&t, &ctx);
		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			ctx.cpl = t.cpl = kinds[k].cpl;
			gwalk_translate(&ctx, &ops, L.la, kinds[k].acc, &r);
			bad += r.status != GWALK_NOT_RAM || r.bad_gpa != want ||
			       e->nlog != 0;
			check_one(e, &t, L.la, kinds[k].acc, &st);
		}
	}
	tap_ok(
	    bad == 0 && st.mismatches == 0,
	    "page tables outside RAM: %zu layouts, %u wrong, no A/D written, "
	    "%llu model mismatches",
	    ARRAY_SIZE(c), bad, (unsigned long long)st.mismatches);
}

/* VM-entry interruption information, values from SDM Vol 3C 24.8.3. */
static void test_event(struct env *e)
{
	struct tcfg t = {.mode = L4, .maxphy = 46, .cpl = 3};
	struct gwalk_fault gp = {.vector = GWALK_VEC_GP};
	struct gwalk_fault ss = {.vector = GWALK_VEC_SS};
	struct gwalk_ops ops = env_ops(e);
	struct gwalk_result r;
	struct gwalk_ctx ctx;
	struct layout L;

	memset(e->ram, 0, ENV_RAM_SIZE);
	layout_init(&L, L4);
	t.cr3 = layout_cr3(&L);
	tcfg_ctx(&t, &ctx);
	gwalk_translate(&ctx, &ops, L.la, GWALK_ACC_WRITE, &r);
	tap_ok(r.status == GWALK_FAULT &&
		   gwalk_fault_event(&r.fault) == 0x80000b0e &&
		   r.fault.error_code == 6 && r.fault.cr2 == L.la &&
		   gwalk_fault_event(&gp) == 0x80000b0d &&
		   gwalk_fault_event(&ss) == 0x80000b0c,
	       "event injection encoding for #PF, #GP, #SS");
}

int main(void)
{
	struct env e;

	env_init(&e);
	test_known(&e);
	test_ad_known(&e);
	test_no_paging();
	test_canonical(&e);
	test_not_ram(&e);
	test_event(&e);
	test_sweep(&e);
	test_matrix(&e);
	free(e.ram);
	return tap_done();
}
