/* SPDX-License-Identifier: MIT */
/*
 * hcfuzz: a garbage sweep of the hypercall ABI (docs/hypercalls.md). Every
 * call number 0..66 (40 calls each with arguments of the call's own kinds),
 * then 10,000 calls of random numbers, then numbers near 2^31, 2^32, 2^63
 * and 2^64 and random 64-bit ones: over 13,000 calls. Arguments are edge
 * values (0, 1, -1, 2^32 +- 1, 2^63, GPAs at and around the end of RAM,
 * slot edges, 4 GiB, 2^39, MMIO such as 0xFEE00000 and ioram, huge sizes)
 * and random 64-bit values, from a fixed-seed PRNG (case=N sets the seed).
 * The guest models what the calls act on (memslots, locks, SPP maps, the
 * VMCALL counter) and predicts each result exactly from the documented
 * checks, in their order; any other result fails its group's TAP point and
 * is printed with the call and its arguments. Contents mica writes back
 * (SPP maps, denied counts, patch bytes) are checked too. The requests stay
 * small (at most 4 more slots of at most 1 MiB, buffers of a few KiB), far
 * from the host's memory and the VM's EPT table share: -ENOMEM, documented
 * for the memory calls, is a failure here.
 *
 * What the guest keeps out of reach, so that it survives its own calls
 * (RAM is slot 0: GPA 0 = pool offset 0, mem= bytes; vmm/mem/vm_ram.c):
 *   - slot 0 is never deleted, moved or given new flags: a request that
 *     would succeed so gets an invalid flag bit (identical requests, which
 *     change nothing, stay), so slot 0's checks are all exercised but the
 *     last step;
 *   - the low half of RAM (code, data, stack, page tables) is never
 *     written by mica: the slots the guest creates alias only the upper
 *     half of the pool, and an output buffer (GET_DIRTY_LOG, SUBPAGE_GET_*)
 *     that would pass mica's checks and overlaps the low half is moved to a
 *     scratch page;
 *   - sub-page protection changes only on a 64-page window in the upper
 *     half, which the guest itself never writes (a SET_ACCESS whose pages
 *     would pass the checks is moved there); the window is restored to full
 *     access at the end;
 *   - a TEST_PATCH_NEXT that would succeed is pointed at a scratch page,
 *     fired at once by a read of a GPA no slot covers (an emulation) and
 *     its bytes checked, so no patch stays armed;
 *   - HC_EXIT (2) is called once, at the very end (it ends the VM).
 * Requests that must fail are not rewritten: mica validates everything
 * before it changes anything, and that is part of what is tested.
 */
#include "guests/lib/guest.h"

#define PAGE	   4096UL
#define U32_MAX	   0xffffffffUL
#define GPA_LIMIT  (1UL << 39) /* memslot GPA limit (vmm/mem/vm_ram.c) */
#define IORAM	   0xc0010000UL
#define NR_SWEEP   67 /* call numbers 0..66 */
#define NR_GROUPS  (NR_SWEEP + 1)
#define G_WILD	   NR_SWEEP /* numbers above 66 */
#define MAX_SLOTS  512	    /* the model's capacity (the default) */
#define MAX_ALIAS  4	    /* slots besides slot 0 */
#define ALIAS_MAX  (1UL << 20)
#define WIN_PAGES  64 /* SPP window */
#define SPP_FULL   0xffffffffU
#define SPP_MAXPG  1024
#define MAX_REPORT 40

#define MEM_LOG_DIRTY 1UL
#define MEM_READONLY  2UL
#define LOCK_W	      2UL

#define EPERM  1
#define ENOENT 2
#define EFAULT 14
#define EBUSY  16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOMEM 12
#define ENOSYS 38

static const char *const names[NR_SWEEP] = {
    [HC_VERSION] = "VERSION",
    [HC_CHECK_EXTENSION] = "CHECK_EXTENSION",
    [HC_EXIT] = "EXIT",
    [HC_NULL] = "NULL",
    [HC_SET_MEMORY_REGION] = "SET_MEMORY_REGION",
    [HC_LOCK_MEMSLOT] = "LOCK_MEMSLOT",
    [HC_UNLOCK_MEMSLOT] = "UNLOCK_MEMSLOT",
    [HC_GET_DIRTY_LOG] = "GET_DIRTY_LOG",
    [HC_ENABLE_SPP] = "ENABLE_SPP",
    [HC_SUBPAGE_SET_ACCESS] = "SUBPAGE_SET_ACCESS",
    [HC_SUBPAGE_GET_ACCESS] = "SUBPAGE_GET_ACCESS",
    [HC_SUBPAGE_GET_DENIED] = "SUBPAGE_GET_DENIED",
    [HC_TEST_COUNTER] = "TEST_COUNTER",
    [HC_TEST_RESET_COUNTERS] = "TEST_RESET_COUNTERS",
    [HC_TEST_PATCH_NEXT] = "TEST_PATCH_NEXT",
};

#include "guests/hcfuzz_model.h"
#include "guests/hcfuzz_args.h"

static u64 calls[NR_GROUPS], fails[NR_GROUPS], total, reported;
/* Results seen per group: >= 0, then each errno the ABI uses. */
static const int errnos[] = {EPERM,  ENOENT, ENOMEM, EFAULT, EBUSY,
			     EEXIST, ENODEV, EINVAL, ENOSYS};
#define NR_RES (1 + sizeof(errnos) / sizeof(errnos[0]))
static u64 results[NR_GROUPS][NR_RES];

/* ---- one call ----------------------------------------------------------- */

static u64 group(u64 nr)
{
	return nr < NR_SWEEP ? nr : G_WILD;
}

static bool matches(const struct want *w, long got)
{
	if (w->how == W_NONNEG)
		return got >= 0;
	return got == w->v;
}

static void report(u64 nr, const u64 *a, long got, const struct want *w)
{
	if (++reported > MAX_REPORT)
		return;
	g_printf("# hc 0x%lx (0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) = %ld, "
		 "expected %s%ld\n",
		 nr, a[0], a[1], a[2], a[3], a[4], got,
		 w->how == W_NONNEG ? ">= " : "",
		 w->how == W_NONNEG ? 0 : w->v);
}

static void count_result(u64 g, long got)
{
	for (unsigned i = 0; got < 0 && i < NR_RES - 1; i++)
		if (got == -errnos[i])
			results[g][1 + i]++;
	results[g][0] += got >= 0;
}

static void fuzz_call(u64 nr, u64 *a)
{
	struct want w;
	long got;
	bool ok;

	tame(nr, a);
	w = predict(nr, a);
	got = g_hypercall(nr, a[0], a[1], a[2], a[3], a[4]);
	vmcalls++;
	ok = matches(&w, got);
	if (!ok)
		report(nr, a, got, &w);
	ok &= after(nr, a, got);
	count_result(group(nr), got);
	calls[group(nr)]++;
	fails[group(nr)] += !ok;
	total++;
}

static void fuzz_nr(u64 nr)
{
	u64 a[5];

	gen_args(nr, a);
	fuzz_call(nr, a);
}

/* ---- phases ------------------------------------------------------------- */

/* Every alias unlocked and deleted, through the calls themselves. */
static void reset_slots(void)
{
	u64 a[5] = {U32_MAX, 0, 0, 0, 0};

	fuzz_call(HC_UNLOCK_MEMSLOT, a);
	while (nlive > 1) {
		u64 d[5] = {live[nlive - 1], 0, 0, 0, 0};

		fuzz_call(HC_SET_MEMORY_REGION, d);
		if (slots[d[0]].used)
			break; /* reported: the model cannot go on */
	}
}

/* A call number for the random phase: mostly the documented ones. */
static u64 random_nr(void)
{
	static const u64 weight[] = {1, 2, 0, 1, 10, 5, 4, 5, 1, 6, 5, 4};
	static const u64 tests[] = {HC_TEST_COUNTER, HC_TEST_RESET_COUNTERS,
				    HC_TEST_PATCH_NEXT};
	u64 r = below(100), sum = 0;

	if (r < 6)
		return 12 + below(52); /* unassigned 12..63 */
	if (r < 12)
		return PICK(tests);
	if (r < 16)
		return 67 + below(200);
	if (r < 20) {
		r = below(2) ? edge() : rnd();
		return r == HC_EXIT ? HC_NULL : r;
	}
	for (unsigned i = 0; i < 12; i++)
		sum += weight[i];
	r = below(sum);
	for (unsigned i = 0;; i++) {
		if (r < weight[i])
			return i;
		r -= weight[i];
	}
}

/* Numbers whose low bits name a call: the dispatcher must see all 64. */
static void wild_numbers(void)
{
	static const u64 bases[] = {1UL << 32, 1UL << 63, -NR_SWEEP - 1UL,
				    0xffffffff00000000UL, 1UL << 31};

	for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		for (u64 k = 0; k < NR_SWEEP + 1; k++)
			if (bases[b] + k != HC_EXIT)
				fuzz_nr(bases[b] + k);
	for (unsigned i = 0; i < 100; i++) {
		u64 nr = rnd();

		fuzz_nr(nr == HC_EXIT ? 0 : nr);
	}
}

static void restore_window(void)
{
	u64 a[5] = {win_gpa / PAGE, WIN_PAGES, maps_gpa, 0, 0};
	volatile u32 *m = (volatile u32 *)maps_gpa;

	for (int i = 0; i < WIN_PAGES; i++)
		m[i] = SPP_FULL;
	fuzz_call(HC_SUBPAGE_SET_ACCESS, a);
	a[2] = out_gpa;
	fuzz_call(HC_SUBPAGE_GET_ACCESS, a);
}

static void run(void)
{
	/* Each number 0..66 with its own argument kinds; SPP stays off. */
	for (u64 nr = 0; nr < NR_SWEEP; nr++)
		for (int i = 0; i < 40 && nr != HC_EXIT && nr != HC_ENABLE_SPP;
		     i++)
			fuzz_nr(nr);
	/* Random numbers and arguments; ENABLE_SPP comes up early on. */
	for (int i = 0; i < 10000; i++) {
		fuzz_nr(random_nr());
		if (i % 2500 == 2499)
			reset_slots();
	}
	wild_numbers();
	if (!spp_on)
		fuzz_nr(HC_ENABLE_SPP);
	restore_window();
	reset_slots();
}

/* ---- set-up and report -------------------------------------------------- */

static u64 parse_seed(const char *cl)
{
	u64 v = 0, base = 10;

	for (; *cl; cl++)
		if (cl[0] == 'c' && cl[1] == 'a' && cl[2] == 's' &&
		    cl[3] == 'e' && cl[4] == '=')
			break;
	if (!*cl)
		return 0x6d696361; /* "mica" */
	cl += 5;
	if (cl[0] == '0' && cl[1] == 'x') {
		base = 16;
		cl += 2;
	}
	for (;; cl++) {
		u64 d = *cl >= '0' && *cl <= '9'   ? (u64)(*cl - '0')
			: *cl >= 'a' && *cl <= 'f' ? (u64)(*cl - 'a' + 10)
						   : 99;

		if (d >= base)
			return v;
		v = v * base + d;
	}
}

static bool setup(u32 info)
{
	const u32 *mb = (const u32 *)(uintptr_t)info;

	rng = parse_seed(g_cmdline(info));
	g_printf("# seed 0x%lx (module option case=N to change)\n", rng);
	ram = ((u64)mb[2] + 1024) * 1024;
	alias_lo = ram / 2;
	out_gpa = alias_lo;
	maps_gpa = out_gpa + 4 * PAGE;
	patch_gpa = maps_gpa + 2 * PAGE;
	win_gpa = alias_lo + ram / 4;
	slots[0] = (struct mslot){.size = ram, .used = true};
	live_add(0);
	max_slots =
	    (u64)g_hypercall(HC_CHECK_EXTENSION, EXT_MAX_MEMSLOTS, 0, 0, 0, 0);
	ext_spp = (u64)g_hypercall(HC_CHECK_EXTENSION, EXT_SPP, 0, 0, 0, 0);
	ext_fe = (u64)g_hypercall(HC_CHECK_EXTENSION, EXT_FORCED_EMULATION, 0,
				  0, 0, 0);
	vmcalls = 3;
	return g_ok(ram >= (8UL << 20) && max_slots >= 8 &&
			max_slots <= MAX_SLOTS &&
			(ext_spp == 1 || ext_spp == 2) && ext_fe <= 1,
		    "set-up: %lu MiB of RAM, %lu slots, EXT_SPP %lu, "
		    "EXT_FORCED_EMULATION %lu",
		    ram >> 20, max_slots, ext_spp, ext_fe);
}

static void print_results(u64 g)
{
	static const char *const e[] = {"EPERM",  "ENOENT", "ENOMEM",
					"EFAULT", "EBUSY",  "EEXIST",
					"ENODEV", "EINVAL", "ENOSYS"};

	g_printf("# hc %lu: %lu >= 0", g, results[g][0]);
	for (unsigned i = 1; i < NR_RES; i++)
		if (results[g][i])
			g_printf(", %lu -%s", results[g][i], e[i - 1]);
	g_printf("\n");
}

static void report_groups(void)
{
	u64 un_calls = 0, un_fails = 0;

	for (u64 g = 0; g < NR_SWEEP; g++) {
		if (g == HC_EXIT)
			continue;
		if (!names[g]) {
			un_calls += calls[g];
			un_fails += fails[g];
			continue;
		}
		print_results(g);
		g_ok(calls[g] && !fails[g],
		     "hc %lu %s: %lu calls, %lu results not as documented", g,
		     names[g], calls[g], fails[g]);
	}
	g_ok(un_calls && !un_fails,
	     "hc 12-63 (unassigned): %lu calls, %lu not -ENOSYS", un_calls,
	     un_fails);
	g_ok(calls[G_WILD] && !fails[G_WILD],
	     "hc 67 and above, 64-bit numbers: %lu calls, %lu not -ENOSYS",
	     calls[G_WILD], fails[G_WILD]);
	g_ok(total >= 10000,
	     "%lu hypercalls in total (HC_EXIT follows, once, to end)", total);
}

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	g_idt_init();
	if (setup(info))
		run();
	report_groups();
	return (int)g_tap_failed();
}
