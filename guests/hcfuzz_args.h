/* SPDX-License-Identifier: MIT */
/*
 * Arguments of the hcfuzz guest (guests/hcfuzz.c): the PRNG, pools of edge
 * values, per-call argument generators, and the taming that moves a request
 * that would succeed away from the guest's own memory (see hcfuzz.c).
 * Included once, by hcfuzz.c, after hcfuzz_model.h.
 */
#ifndef MICA_GUESTS_HCFUZZ_ARGS_H
#define MICA_GUESTS_HCFUZZ_ARGS_H

/* ---- the PRNG and the argument pools ----------------------------------- */

static u64 rng;

/* splitmix64 */
static u64 rnd(void)
{
	u64 z = (rng += 0x9e3779b97f4a7c15UL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	return z ^ (z >> 31);
}

static u64 below(u64 n)
{
	return rnd() % n;
}

#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

/* Edge values, in pools of like width (0, 1, 2^31, 2^32 +- 1, 2^39,
 * 2^63, -1, MMIO); any() draws from all three. */
static const u64 edges_lo[] = {
    0,		1,	    2,		3,	    4,		7,
    8,		0xfff,	    0x1000,	0x1001,	    0x7fffffff, 0x80000000,
    0xffffffff, 0xfee00000, 0xc0010000, 0xc0000000, 0xff000000, 0xfffff000};
static const u64 edges_mid[] = {0x100000000,  0x100000001,  0x100000003,
				0x7ffffff000, 0x8000000000, 0x1000000000000};
static const u64 edges_hi[] = {0x4000000000000000, 0x7fffffffffffffff,
			       0x8000000000000000, 0x8000000000000001,
			       0xfffffffffffff000, 0xfffffffffffffffe,
			       0xffffffffffffffff};
/* GPAs below 4 GiB: 0, the local APIC, ioram and its end, the test
 * region, the top of the identity map. */
static const u64 gpas_lo[] = {0,	  1,	      0xfff,	  0x1000,
			      0xfee00000, 0xc0010000, 0xc00ffffc, 0xff000000,
			      0xfffff000, 0xfffffffc};

static u64 edge(void)
{
	u64 r = below(3);

	return r == 0	? PICK(edges_lo)
	       : r == 1 ? PICK(edges_mid)
			: PICK(edges_hi);
}

static u64 any(void)
{
	return below(3) ? edge() : rnd();
}

static const struct mslot *random_live(void)
{
	return &slots[live[below(nlive)]];
}

static u64 gen_gpa(void)
{
	static const u64 around[] = {-PAGE, -8UL, -4UL, -1UL, 0, 1, 4};
	u64 r = below(100);
	const struct mslot *s;

	if (r < 15)
		return below(2) ? PICK(gpas_lo) : edge();
	if (r < 25)
		return (below(2) ? ram : alias_lo) + PICK(around);
	if (r < 45) {
		s = random_live();
		return (below(2) ? s->gpa : s->gpa + s->size) + PICK(around);
	}
	if (r < 55)
		return out_gpa + below(3 * PAGE);
	if (r < 62)
		return win_gpa + below(WIN_PAGES * PAGE + PAGE);
	if (r < 75)
		return below(1UL << 27) * PAGE; /* page-aligned, < 2^39 */
	if (r < 85)
		return below(1UL << 21) * PAGE; /* page-aligned, < 8 GiB */
	return any();
}

static u64 gen_size(void)
{
	static const u64 v[] = {1,	   PAGE - 1,  PAGE,	 2 * PAGE,
				1UL << 20, 2UL << 20, 1UL << 32, GPA_LIMIT,
				1UL << 63, -PAGE,     -1UL};
	u64 r = below(100);

	if (r < 10)
		return 0;
	if (r < 45)
		return PAGE * (1 + below(256));
	if (r < 55)
		return below(2) ? ram : ram - PAGE * below(3);
	if (r < 70)
		return PICK(v);
	if (r < 80)
		return rnd() & ~(PAGE - 1);
	return any();
}

static u64 gen_off(void)
{
	static const u64 v[] = {0, PAGE, 1, -PAGE, 1UL << 63, 1UL << 32};
	u64 r = below(100);

	if (r < 40)
		return alias_lo + PAGE * below((ram - alias_lo) / PAGE);
	if (r < 55)
		return ram - PAGE * below(3) + (below(2) ? PAGE : 0);
	if (r < 80)
		return PICK(v);
	return any();
}

static u64 gen_slot(void)
{
	const u64 v[] = {max_slots - 1,	 max_slots, 511,  512,	      U32_MAX,
			 U32_MAX - 1,	 1UL << 32, -1UL, 0x80000000, 32764,
			 (1UL << 32) + 1};
	u64 r = below(100);

	if (r < 35)
		return live[below(nlive)];
	if (r < 65)
		return below(8);
	if (r < 75)
		return PICK(v);
	if (r < 90)
		return below(max_slots);
	return any();
}

static u64 gen_small(u64 n, const u64 *odd, u64 nodd)
{
	u64 r = below(100);

	if (r < 70)
		return below(n);
	if (r < 90)
		return odd[below(nodd)];
	return any();
}

static u64 gen_flags(void)
{
	static const u64 v[] = {4, 5, 7, 0xff, U32_MAX, 1UL << 32, -1UL};

	return gen_small(4, v, sizeof(v) / sizeof(v[0]));
}

static u64 gen_mode(void)
{
	static const u64 v[] = {1, 3, 1, 3, 0, 2, 4, 7, U32_MAX, -1UL};

	return gen_small(4, v, sizeof(v) / sizeof(v[0]));
}

static u64 gen_gfn(void)
{
	static const u64 v[] = {
	    0,	      -1UL, -1024UL, GPA_LIMIT / PAGE, GPA_LIMIT / PAGE - 1,
	    1UL << 52};
	u64 r = below(100);

	if (r < 45)
		return win_gpa / PAGE + below(WIN_PAGES + 8) - 4;
	if (r < 70)
		return gen_gpa() / PAGE;
	if (r < 85)
		return PICK(v);
	return any();
}

static u64 gen_npages(void)
{
	static const u64 v[] = {
	    0,	       1,	  2,	63,   64,	 65,
	    1023,      1024,	  1025, 4096, 1UL << 32, (1UL << 32) + 1,
	    1UL << 62, 1UL << 63, -1UL};
	u64 r = below(100);

	if (r < 50)
		return 1 + below(64);
	if (r < 75)
		return PICK(v);
	if (r < 90)
		return below(SPP_MAXPG + 2);
	return any();
}

/* Fill the maps input page: full access, nothing, random or mixed. */
static void fill_maps(void)
{
	volatile u32 *m = (volatile u32 *)maps_gpa;
	u64 style = below(4);

	for (unsigned i = 0; i < SPP_MAXPG; i++) {
		u64 r = rnd();

		m[i] = style == 0   ? SPP_FULL
		       : style == 1 ? 0
		       : style == 2 ? (u32)r
				    : (r & 1 ? SPP_FULL : (u32)(r >> 32));
	}
}

/* A request that may well succeed: a new small slot above RAM, or an
 * existing slot moved, retagged or repeated. */
static void gen_plausible_region(u64 *a)
{
	u64 id = live[below(nlive)];
	const struct mslot *s = &slots[id];

	a[2] = below(2) ? ram + PAGE * below(4096) : PAGE * below(1UL << 27);
	if (below(2)) {
		a[0] = id;
		a[1] = s->flags ^ below(2);
		a[2] = below(3) ? a[2] : s->gpa;
		a[3] = below(4) ? s->size : 0;
		a[4] = s->off;
		return;
	}
	a[0] = below(2) ? below(8) : below(max_slots);
	a[1] = below(4);
	a[3] = PAGE * (1 + below(256));
	a[4] = alias_lo + PAGE * below((ram - alias_lo) / PAGE - 256);
}

static void gen_args(u64 nr, u64 *a)
{
	static const u64 odd[] = {8, 16, 17, 64, U32_MAX, 1UL << 32, -1UL};

	for (int i = 0; i < 5; i++)
		a[i] = any();
	switch (nr) {
	case HC_CHECK_EXTENSION:
	case HC_TEST_COUNTER:
		a[0] = gen_small(20, odd, sizeof(odd) / sizeof(odd[0]));
		break;
	case HC_SET_MEMORY_REGION:
		a[0] = gen_slot();
		a[1] = gen_flags();
		a[2] = below(4) ? gen_gpa() & ~(PAGE - 1) : gen_gpa();
		a[3] = gen_size();
		a[4] = gen_off();
		if (below(5) < 2)
			gen_plausible_region(a);
		break;
	case HC_LOCK_MEMSLOT:
		a[0] = gen_slot();
		a[1] = gen_mode();
		break;
	case HC_UNLOCK_MEMSLOT:
		a[0] = below(5) ? gen_slot() : U32_MAX;
		break;
	case HC_GET_DIRTY_LOG:
		a[0] = gen_slot();
		a[1] = gen_gpa();
		break;
	case HC_SUBPAGE_SET_ACCESS:
	case HC_SUBPAGE_GET_ACCESS:
	case HC_SUBPAGE_GET_DENIED:
		a[0] = gen_gfn();
		a[1] = gen_npages();
		a[2] = gen_gpa();
		if (nr == HC_SUBPAGE_SET_ACCESS && below(2)) {
			a[2] = maps_gpa + 4 * below(4);
			fill_maps();
		}
		a[3] = below(4) ? 0 : any();
		break;
	case HC_TEST_PATCH_NEXT:
		a[0] = gen_gpa();
		a[1] = gen_small(10, odd, sizeof(odd) / sizeof(odd[0]));
		a[2] = rnd();
		break;
	}
}

/* ---- taming: keep what would succeed away from the guest's own memory -- */

static void tame_region(u64 *a)
{
	enum kind k;
	u64 npages;

	if (predict_region(a, &k))
		return;
	if (a[0] == 0) {
		if (k != K_NONE)
			a[1] |= 4; /* an invalid flag: -EINVAL */
		return;
	}
	if (k != K_CREATE)
		return;
	if (nlive > MAX_ALIAS) {
		a[3] = 0; /* delete of a free slot: -EINVAL */
		return;
	}
	if (a[4] >= alias_lo && a[3] <= ALIAS_MAX)
		return;
	npages = 1 + below(ALIAS_MAX / PAGE);
	a[3] = npages * PAGE;
	a[4] = alias_lo + PAGE * below((ram - alias_lo) / PAGE - npages + 1);
}

/* An output buffer mica would accept, in the low half: to scratch. */
static void tame_out(u64 *gpa, u64 bytes)
{
	if (buf_ok(*gpa, bytes, true) && overlaps_low(*gpa, bytes))
		*gpa = out_gpa + (*gpa & (PAGE - 1));
}

static void tame(u64 nr, u64 *a)
{
	const struct mslot *s;

	switch (nr) {
	case HC_SET_MEMORY_REGION:
		tame_region(a);
		break;
	case HC_GET_DIRTY_LOG:
		if (a[0] < max_slots && slots[a[0]].used) {
			s = &slots[a[0]];
			tame_out(&a[1], log_bytes(s));
		}
		break;
	case HC_SUBPAGE_SET_ACCESS:
		if (spp_on && a[1] && a[1] <= SPP_MAXPG &&
		    pages_ok(a[0], a[1]) &&
		    (!in_window(a[0] * PAGE) ||
		     !in_window((a[0] + a[1] - 1) * PAGE))) {
			a[0] = win_gpa / PAGE + below(WIN_PAGES);
			if (a[1] > win_gpa / PAGE + WIN_PAGES - a[0])
				a[1] = win_gpa / PAGE + WIN_PAGES - a[0];
		}
		break;
	case HC_SUBPAGE_GET_ACCESS:
	case HC_SUBPAGE_GET_DENIED:
		if (a[1] && a[1] <= SPP_MAXPG)
			tame_out(&a[2], a[1] * 4);
		break;
	case HC_TEST_PATCH_NEXT:
		if (!predict_patch(a))
			a[0] = patch_gpa + a[0] % (PAGE - 8);
		break;
	}
}

#endif /* MICA_GUESTS_HCFUZZ_ARGS_H */
