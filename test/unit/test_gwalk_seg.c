/* SPDX-License-Identifier: MIT */
/*
 * Segmentation helper vs the reference model: every data/code type,
 * expand-up/down, 16/32-bit (B flag), unusable segments, limits and offsets
 * around the boundaries, sizes 1..16, read/write/fetch, in real, protected
 * and 64-bit mode (canonical checks at 48 and 57 bits, FS/GS bases); plus
 * hand-checked cases for #GP(0) vs #SS(0).
 */
#include "test/unit/support/gwalk_model.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "vmm/gwalk/gwalk.h"

static const u32 accs[] = {0, GWALK_ACC_WRITE, GWALK_ACC_FETCH};
static const u32 sizes[] = {1, 2, 4, 8, 16};

struct seg_stats {
	u64 runs, mismatches;
};

static void seg_check(enum gwalk_seg_mode mode, bool la57, int reg,
		      const struct gwalk_seg *s, u64 ea, u32 size, u32 acc,
		      struct seg_stats *st)
{
	struct gwalk_fault f = {0};
	gva_t la = 0, mla = 0;
	int rc, mv;

	rc = gwalk_seg_linear(mode, la57, reg, s, ea, size, acc, &la, &f);
	mv = gwm_segment(mode, la57, reg, s->base, s->limit, s->ar, ea, size,
			 acc & GWALK_ACC_WRITE, acc & GWALK_ACC_FETCH, &mla);
	st->runs++;
	if (rc == 0 ? (mv == 0 && la == mla)
		    : (mv != 0 && f.vector == mv && f.error_code == 0))
		return;
	if (st->mismatches++ < 8)
		tap_diag("MISMATCH mode %d reg %d base %llx limit %x ar %x ea "
			 "%llx size %u acc %x: helper %d/%u la %llx, model %d "
			 "la %llx",
			 mode, reg, (unsigned long long)s->base, s->limit,
			 s->ar, (unsigned long long)ea, size, acc, rc, f.vector,
			 (unsigned long long)la, mv, (unsigned long long)mla);
}

static void test_legacy(void)
{
	static const u32 limits[] = {0,		 0xfff,	     0xffff,	0xfffff,
				     0x7fffffff, 0xfffffffe, 0xffffffff};
	static const u64 bases[] = {0, 0x12345000, 0xfffff000};
	struct seg_stats st = {0};
	unsigned mode, reg, type, fl, li, ei, si, ai, bi;

	for (mode = GWALK_SEG_REAL; mode <= GWALK_SEG_PROT; mode++)
		for (reg = GWALK_SEG_ES; reg <= GWALK_SEG_GS; reg++)
			for (type = 0; type < 16; type++)
				for (fl = 0; fl < 4; fl++)
					for (li = 0; li < ARRAY_SIZE(limits);
					     li++)
						for (bi = 0;
						     bi < ARRAY_SIZE(bases);
						     bi++) {
							u32 lim = limits[li];
							u64 eas[] = {
							    0,
							    1,
							    lim - 3,
							    lim,
							    lim + 1ULL,
							    0xfffc,
							    0xffff,
							    0x10000,
							    0xfffffffc,
							    0xffffffff};
							struct gwalk_seg s = {
							    .base = bases[bi],
							    .limit = lim};

							s.ar =
							    type | GWALK_AR_S |
							    GWALK_AR_P |
							    ((fl & 1)
								 ? GWALK_AR_DB
								 : 0) |
							    ((fl & 2)
								 ? GWALK_AR_UNUSABLE
								 : 0);
							for (ei = 0;
							     ei <
							     ARRAY_SIZE(eas);
							     ei++)
								for (si = 0;
								     si <
								     ARRAY_SIZE(
									 sizes);
								     si++)
									for (
									    ai =
										0;
									    ai <
									    ARRAY_SIZE(
										accs);
									    ai++)
										seg_check(
										    mode,
										    false,
										    reg,
										    &s,
										    eas[ei] &
											0xffffffffu,
										    sizes
											[si],
										    accs[ai],
										    &st);
						}
	tap_ok(st.mismatches == 0,
	       "segmentation real/protected vs model: %llu cases, %llu "
	       "mismatches",
	       (unsigned long long)st.runs, (unsigned long long)st.mismatches);
}

static void test_long(void)
{
	static const u64 eas[] = {
	    0,
	    0x00007ffffffffff0ULL,
	    0x00007ffffffffffcULL,
	    0x00007fffffffffffULL,
	    0x0000800000000000ULL,
	    0xffff7ffffffffffcULL,
	    0xffff800000000000ULL,
	    0x00fffffffffffff8ULL,
	    0x00ffffffffffffffULL,
	    0x0100000000000000ULL,
	    0xfeffffffffffffffULL,
	    0xff00000000000000ULL,
	    0xfffffffffffffffcULL,
	    0xffffffffffffffffULL,
	};
	static const u64 bases[] = {0, 0x1000, 0xffff800000000000ULL,
				    0x00007ffffffff000ULL};
	struct seg_stats st = {0};
	unsigned la57, reg, ei, bi, si, ai;

	for (la57 = 0; la57 < 2; la57++)
		for (reg = GWALK_SEG_ES; reg <= GWALK_SEG_GS; reg++)
			for (bi = 0; bi < ARRAY_SIZE(bases); bi++)
				for (ei = 0; ei < ARRAY_SIZE(eas); ei++)
					for (si = 0; si < ARRAY_SIZE(sizes);
					     si++)
						for (ai = 0;
						     ai < ARRAY_SIZE(accs);
						     ai++) {
							/* 64-bit mode ignores limits, types and the unusable flag */
							struct gwalk_seg s = {
							    .base = bases[bi],
							    .limit = 0,
							    .ar =
								GWALK_AR_UNUSABLE};

							seg_check(
							    GWALK_SEG_LONG,
							    la57, reg, &s,
							    eas[ei], sizes[si],
							    accs[ai], &st);
						}
	tap_ok(st.mismatches == 0,
	       "segmentation 64-bit canonical checks vs model: %llu cases, "
	       "%llu mismatches",
	       (unsigned long long)st.runs, (unsigned long long)st.mismatches);
}

/* Hand-checked against SDM Vol 3A 5.3/5.4 and 3.3.7.1. */
static void test_known(void)
{
	static const struct {
		const char *name;
		enum gwalk_seg_mode mode;
		bool la57;
		int reg;
		struct gwalk_seg s;
		u64 ea;
		u32 size, acc;
		int vec; /* 0: ok */
		gva_t la;
	} k[] = {
	    {"write to read-only data",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_DS,
	     {0, 0xffffffff, 0x91},
	     0,
	     4,
	     GWALK_ACC_WRITE,
	     13,
	     0},
	    {"SS write to read-only data",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_SS,
	     {0, 0xffffffff, 0x91},
	     0,
	     4,
	     GWALK_ACC_WRITE,
	     12,
	     0},
	    {"read of execute-only code",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_CS,
	     {0, 0xffffffff, 0x99},
	     0x10,
	     4,
	     0,
	     13,
	     0},
	    {"read of readable code",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_CS,
	     {0x1000, 0xffffffff, 0x9b},
	     0x10,
	     4,
	     0,
	     0,
	     0x1010},
	    {"write to code",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_ES,
	     {0, 0xffffffff, 0x9b},
	     0x10,
	     1,
	     GWALK_ACC_WRITE,
	     13,
	     0},
	    {"fetch from execute-only",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_CS,
	     {0, 0xffff, 0x99},
	     0xfff0,
	     15,
	     GWALK_ACC_FETCH,
	     0,
	     0xfff0},
	    {"fetch past CS limit",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_CS,
	     {0, 0xffff, 0x99},
	     0xfff8,
	     15,
	     GWALK_ACC_FETCH,
	     13,
	     0},
	    {"expand-up last byte",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_DS,
	     {0, 0xffff, 0x93},
	     0xfffe,
	     2,
	     0,
	     0,
	     0xfffe},
	    {"expand-up crossing limit",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_DS,
	     {0, 0xffff, 0x93},
	     0xffff,
	     2,
	     0,
	     13,
	     0},
	    {"stack crossing limit",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_SS,
	     {0, 0xffff, 0x93},
	     0xffff,
	     2,
	     GWALK_ACC_WRITE,
	     12,
	     0},
	    {"expand-down at limit",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_SS,
	     {0, 0xfff, 0x4097},
	     0xfff,
	     4,
	     GWALK_ACC_WRITE,
	     12,
	     0},
	    {"expand-down above limit",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_SS,
	     {0x10000, 0xfff, 0x4097},
	     0x1000,
	     4,
	     GWALK_ACC_WRITE,
	     0,
	     0x11000},
	    {"expand-down 16-bit top",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_DS,
	     {0, 0xfff, 0x97},
	     0xfffe,
	     2,
	     0,
	     0,
	     0xfffe},
	    {"expand-down 16-bit past top",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_DS,
	     {0, 0xfff, 0x97},
	     0xffff,
	     2,
	     0,
	     13,
	     0},
	    {"unusable DS",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_DS,
	     {0, 0xffffffff, 0x10093},
	     0,
	     1,
	     0,
	     13,
	     0},
	    {"32-bit wrap of base+offset",
	     GWALK_SEG_PROT,
	     0,
	     GWALK_SEG_DS,
	     {0xfffff000, 0xffffffff, 0x93},
	     0x2000,
	     4,
	     0,
	     0,
	     0x1000},
	    {"real mode limit",
	     GWALK_SEG_REAL,
	     0,
	     GWALK_SEG_DS,
	     {0xf0000, 0xffff, 0x93},
	     0xffff,
	     2,
	     0,
	     13,
	     0},
	    {"real mode above 1M",
	     GWALK_SEG_REAL,
	     0,
	     GWALK_SEG_ES,
	     {0xffff0, 0xffff, 0x93},
	     0xfff0,
	     2,
	     GWALK_ACC_WRITE,
	     0,
	     0x10ffe0},
	    {"64-bit DS base ignored",
	     GWALK_SEG_LONG,
	     0,
	     GWALK_SEG_DS,
	     {0x1234000, 0, 0},
	     0x10,
	     8,
	     0,
	     0,
	     0x10},
	    {"64-bit FS base",
	     GWALK_SEG_LONG,
	     0,
	     GWALK_SEG_FS,
	     {0x1234000, 0, 0},
	     0x10,
	     8,
	     0,
	     0,
	     0x1234010},
	    {"64-bit non-canonical",
	     GWALK_SEG_LONG,
	     0,
	     GWALK_SEG_DS,
	     {0, 0, 0},
	     0x0000800000000000ULL,
	     1,
	     0,
	     13,
	     0},
	    {"64-bit crossing into non-canonical",
	     GWALK_SEG_LONG,
	     0,
	     GWALK_SEG_ES,
	     {0, 0, 0},
	     0x00007ffffffffffcULL,
	     8,
	     0,
	     13,
	     0},
	    {"64-bit stack non-canonical",
	     GWALK_SEG_LONG,
	     0,
	     GWALK_SEG_SS,
	     {0, 0, 0},
	     0x0000800000000000ULL,
	     8,
	     GWALK_ACC_WRITE,
	     12,
	     0},
	    {"LA57 accepts 2^47",
	     GWALK_SEG_LONG,
	     1,
	     GWALK_SEG_DS,
	     {0, 0, 0},
	     0x0000800000000000ULL,
	     1,
	     0,
	     0,
	     0x0000800000000000ULL},
	    {"LA57 rejects 2^56",
	     GWALK_SEG_LONG,
	     1,
	     GWALK_SEG_GS,
	     {0, 0, 0},
	     0x0100000000000000ULL,
	     1,
	     0,
	     13,
	     0},
	};
	unsigned i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(k); i++) {
		struct gwalk_fault f = {0};
		gva_t la = 0;
		int rc =
		    gwalk_seg_linear(k[i].mode, k[i].la57, k[i].reg, &k[i].s,
				     k[i].ea, k[i].size, k[i].acc, &la, &f);

		if (k[i].vec ? rc != -EFAULT || f.vector != k[i].vec
			     : rc != 0 || la != k[i].la) {
			bad++;
			tap_diag("known '%s': rc %d vec %u la %llx", k[i].name,
				 rc, f.vector, (unsigned long long)la);
		}
	}
	tap_ok(bad == 0, "segmentation hand-checked cases: %zu, %u wrong",
	       ARRAY_SIZE(k), bad);
}

int main(void)
{
	test_known();
	test_legacy();
	test_long();
	return tap_done();
}
