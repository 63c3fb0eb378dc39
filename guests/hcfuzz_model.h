/* SPDX-License-Identifier: MIT */
/*
 * The model of the hcfuzz guest (guests/hcfuzz.c): the memslots, locks,
 * SPP window maps and VMCALL count the calls act on, mica's buffer checks
 * as documented, the predicted result of each call, and the model's update
 * (and the check of what mica wrote back) after it. Included once, by
 * hcfuzz.c.
 */
#ifndef MICA_GUESTS_HCFUZZ_MODEL_H
#define MICA_GUESTS_HCFUZZ_MODEL_H

/* ---- the model ---------------------------------------------------------- */

struct mslot {
	u64 gpa, size, off;
	u64 flags;
	bool used;
	u64 lock;
};

enum kind { K_NONE, K_CREATE, K_DELETE, K_MOVE, K_FLAGS };

/* What a call must return: exactly v, or any value >= 0. */
enum how { W_EXACT, W_NONNEG };
struct want {
	long v;
	enum how how;
};

static struct mslot slots[MAX_SLOTS];
static u32 live[MAX_ALIAS + 1], nlive; /* used slot ids */
static u64 ram, max_slots, ext_spp, ext_fe;
static u64 out_gpa, maps_gpa, patch_gpa, win_gpa, alias_lo;
static bool spp_on;
static u32 win[WIN_PAGES]; /* access maps of the window pages */
static u64 vmcalls;	   /* VMCALLs since the last counter reset */

static const struct mslot *find_slot(u64 gpa)
{
	for (u32 i = 0; i < nlive; i++) {
		const struct mslot *s = &slots[live[i]];

		if (gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

static bool overlaps(u64 gpa, u64 size, u64 self)
{
	for (u32 i = 0; i < nlive; i++) {
		const struct mslot *s = &slots[live[i]];

		if (live[i] != self && gpa < s->gpa + s->size &&
		    s->gpa < gpa + size)
			return true;
	}
	return false;
}

static bool in_window(u64 gpa)
{
	return gpa - win_gpa < WIN_PAGES * PAGE;
}

/* SPP's write rule for n bytes at gpa within one page (docs/spp.md). */
static bool spp_allows(u64 gpa, u64 n)
{
	u32 first = (gpa & (PAGE - 1)) >> 7;
	u32 last = ((gpa & (PAGE - 1)) + n - 1) >> 7;
	u32 need = (u32)(((2UL << last) - 1) & ~((1UL << first) - 1));

	if (!spp_on || !in_window(gpa))
		return true;
	return (win[(gpa - win_gpa) / PAGE] & need) == need;
}

/* n bytes at gpa, within one page: in one slot, and writable if write. */
static bool piece_ok(u64 gpa, u64 n, bool write)
{
	const struct mslot *s = find_slot(gpa);

	if (!s || gpa + n - 1 - s->gpa >= s->size)
		return false;
	return !write || (!(s->flags & MEM_READONLY) && spp_allows(gpa, n));
}

/* A guest buffer as mica checks it, page piece by page piece. */
static bool buf_ok(u64 gpa, u64 bytes, bool write)
{
	for (u64 off = 0; off < bytes;) {
		u64 a = gpa + off;
		u64 n = bytes - off;

		if (n > PAGE - (a & (PAGE - 1)))
			n = PAGE - (a & (PAGE - 1));
		if (a < gpa || !piece_ok(a, n, write))
			return false;
		off += n;
	}
	return true;
}

/* Read n bytes of guest memory at gpa (model-backed) through slot 0. */
static void read_guest(u64 gpa, void *dst, u64 n)
{
	u8 *d = dst;

	for (u64 i = 0; i < n; i++) {
		const struct mslot *s = find_slot(gpa + i);

		d[i] = s ? *(volatile u8 *)(s->off + (gpa + i - s->gpa)) : 0xff;
	}
}

static bool overlaps_low(u64 gpa, u64 bytes)
{
	return gpa < alias_lo && gpa + bytes > gpa;
}

/* ---- predictions: the documented checks, in order ---------------------- */

static long predict_region(const u64 *a, enum kind *k)
{
	u64 slot = a[0], flags = a[1], gpa = a[2], size = a[3], off = a[4];
	const struct mslot *s;

	*k = K_NONE;
	if (slot > U32_MAX || flags > U32_MAX)
		return -EINVAL;
	if (flags & ~(MEM_LOG_DIRTY | MEM_READONLY))
		return -EINVAL;
	if ((size | gpa | off) & (PAGE - 1))
		return -EINVAL;
	if (slot >= max_slots || gpa + size < gpa)
		return -EINVAL;
	s = &slots[slot];
	if (s->used && s->lock)
		return -EBUSY;
	if (!size) {
		*k = K_DELETE;
		return s->used ? 0 : -EINVAL;
	}
	if (off > ram || size > ram - off || gpa + size > GPA_LIMIT)
		return -EINVAL;
	if (!s->used)
		*k = K_CREATE;
	else if (size != s->size || off != s->off ||
		 ((flags ^ s->flags) & MEM_READONLY))
		return -EINVAL;
	else if (gpa != s->gpa)
		*k = K_MOVE;
	else if (flags != s->flags)
		*k = K_FLAGS;
	if ((*k == K_CREATE || *k == K_MOVE) && overlaps(gpa, size, slot))
		return -EEXIST;
	return 0;
}

static long predict_lock(const u64 *a)
{
	if (a[0] > U32_MAX || a[1] > U32_MAX)
		return -EINVAL;
	if ((a[1] != 1 && a[1] != 3) || a[0] >= max_slots)
		return -EINVAL;
	if (!slots[a[0]].used)
		return -ENOENT;
	if ((a[1] & LOCK_W) && (slots[a[0]].flags & MEM_READONLY))
		return -EPERM;
	return slots[a[0]].lock ? -EBUSY : 0;
}

static long predict_unlock(const u64 *a)
{
	long n = 0;

	if (a[0] > U32_MAX)
		return -EINVAL;
	if (a[0] == U32_MAX) {
		for (u32 i = 0; i < nlive; i++)
			n += slots[live[i]].lock != 0;
		return n;
	}
	if (a[0] >= max_slots)
		return -EINVAL;
	if (!slots[a[0]].used)
		return -ENOENT;
	return slots[a[0]].lock ? 0 : -EINVAL;
}

static u64 log_bytes(const struct mslot *s)
{
	return (s->size / PAGE + 63) / 64 * 8;
}

/* The buffer is checked before the flag: -ENOENT for a slot without
 * logging comes after -EFAULT, and after the allocation. */
static struct want predict_dirty_log(const u64 *a)
{
	const struct mslot *s;

	if (a[0] >= max_slots)
		return (struct want){-EINVAL, W_EXACT};
	if (!slots[a[0]].used)
		return (struct want){-ENOENT, W_EXACT};
	s = &slots[a[0]];
	if (!buf_ok(a[1], log_bytes(s), true))
		return (struct want){-EFAULT, W_EXACT};
	if (!(s->flags & MEM_LOG_DIRTY))
		return (struct want){-ENOENT, W_EXACT};
	return (struct want){0, W_EXACT};
}

/* Every page of [gfn, gfn + npages) in some slot (no wrap). */
static bool pages_ok(u64 gfn, u64 npages)
{
	if (gfn + npages < gfn)
		return false;
	for (u64 g = gfn; g < gfn + npages;) {
		const struct mslot *s = find_slot(g * PAGE);

		if (g >= (1UL << 52) || !s)
			return false;
		g = (s->gpa + s->size) / PAGE;
	}
	return true;
}

static long predict_subpage(u64 nr, const u64 *a)
{
	if (!spp_on)
		return -ENODEV;
	if (a[3] || !a[1] || a[1] > SPP_MAXPG)
		return -EINVAL;
	if (!pages_ok(a[0], a[1]))
		return -EFAULT;
	if (!buf_ok(a[2], a[1] * 4, nr != HC_SUBPAGE_SET_ACCESS))
		return -EFAULT;
	return 0;
}

static long predict_patch(const u64 *a)
{
	const struct mslot *s = find_slot(a[0]);

	if (!a[1] || a[1] > 8)
		return -EINVAL;
	if (!s || a[0] + a[1] - 1 - s->gpa >= s->size)
		return -EFAULT;
	return 0;
}

static long predict_extension(u64 ext)
{
	switch (ext) {
	case EXT_HYPERCALL_VERSION:
		return MICA_HC_VERSION_VALUE;
	case EXT_READONLY_MEM:
	case EXT_LOCK_MEMSLOT:
	case EXT_DIRTY_LOG:
		return 1;
	case EXT_MAX_MEMSLOTS:
		return (long)max_slots;
	case EXT_SPP:
		return (long)ext_spp;
	case EXT_FORCED_EMULATION:
		return (long)ext_fe;
	default:
		return 0;
	}
}

static struct want predict(u64 nr, const u64 *a)
{
	struct want w = {0, W_EXACT};
	enum kind k;

	switch (nr) {
	case HC_VERSION:
		w.v = MICA_HC_VERSION_VALUE;
		break;
	case HC_CHECK_EXTENSION:
		w.v = predict_extension(a[0]);
		break;
	case HC_NULL:
	case HC_ENABLE_SPP:
	case HC_TEST_RESET_COUNTERS:
		break;
	case HC_SET_MEMORY_REGION:
		w.v = predict_region(a, &k);
		break;
	case HC_LOCK_MEMSLOT:
		w.v = predict_lock(a);
		break;
	case HC_UNLOCK_MEMSLOT:
		w.v = predict_unlock(a);
		break;
	case HC_GET_DIRTY_LOG:
		return predict_dirty_log(a);
	case HC_SUBPAGE_SET_ACCESS:
	case HC_SUBPAGE_GET_ACCESS:
	case HC_SUBPAGE_GET_DENIED:
		w.v = predict_subpage(nr, a);
		break;
	case HC_TEST_COUNTER:
		w.v = a[0] >= CNT_MAX ? -EINVAL : (long)vmcalls + 1;
		w.how = a[0] == CNT_EXIT_VMCALL || w.v < 0 ? W_EXACT : W_NONNEG;
		break;
	case HC_TEST_PATCH_NEXT:
		w.v = predict_patch(a);
		break;
	default:
		w.v = -ENOSYS;
		break;
	}
	return w;
}

/* ---- after the call: the model follows, contents are checked ----------- */

static void live_add(u32 id)
{
	live[nlive++] = id;
}

static void live_del(u32 id)
{
	for (u32 i = 0; i < nlive; i++)
		if (live[i] == id)
			live[i] = live[--nlive];
}

static void apply_region(const u64 *a)
{
	struct mslot *s = &slots[a[0] % MAX_SLOTS];
	enum kind k;

	if (a[0] >= MAX_SLOTS)
		return;
	(void)predict_region(a, &k);
	if (k == K_DELETE) {
		s->used = false;
		live_del((u32)a[0]);
	} else if (k == K_CREATE && nlive <= MAX_ALIAS) {
		*s = (struct mslot){.gpa = a[2],
				    .size = a[3],
				    .off = a[4],
				    .flags = a[1],
				    .used = true};
		live_add((u32)a[0]);
	} else {
		s->gpa = a[2];
		s->flags = a[1];
	}
}

static void apply_unlock(const u64 *a, long got)
{
	if (a[0] == U32_MAX && got >= 0)
		for (u32 i = 0; i < nlive; i++)
			slots[live[i]].lock = 0;
	else if (got == 0 && a[0] < MAX_SLOTS)
		slots[a[0]].lock = 0;
}

static bool apply_set_access(const u64 *a)
{
	if (a[1] > SPP_MAXPG)
		return false;
	for (u64 i = 0; i < a[1]; i++) {
		u64 gpa = (a[0] + i) * PAGE;

		if (in_window(gpa))
			read_guest(a[2] + 4 * i, &win[(gpa - win_gpa) / PAGE],
				   4);
	}
	return true;
}

/* The maps or counts written to the buffer are the model's. */
static bool check_get(u64 nr, const u64 *a)
{
	if (a[1] > SPP_MAXPG)
		return false;
	for (u64 i = 0; i < a[1]; i++) {
		u64 gpa = (a[0] + i) * PAGE;
		u32 got, want = 0;

		if (nr == HC_SUBPAGE_GET_ACCESS)
			want = in_window(gpa) ? win[(gpa - win_gpa) / PAGE]
					      : SPP_FULL;
		read_guest(a[2] + 4 * i, &got, 4);
		if (got != want) {
			g_printf("# page 0x%lx: 0x%x in the buffer, expected "
				 "0x%x\n",
				 a[0] + i, got, want);
			return false;
		}
	}
	return true;
}

/* A GPA below 4 GiB (identity-mapped) that no slot covers: an access
 * there is emulated. Slots may cover device GPAs too (RAM wins). */
static u64 mmio_hole(void)
{
	static const u64 v[] = {IORAM,	    0xe0000000, 0xd0000000,
				0xb0000000, 0xa0000000, 0x90000000};

	for (unsigned i = 0;; i++)
		if (!find_slot(v[i]))
			return v[i];
}

/* Fire the armed patch with an emulation (an MMIO read), then check that
 * exactly its bytes landed. */
static bool fire_patch(const u64 *a)
{
	volatile u8 *p = (volatile u8 *)a[0];
	bool mine = a[0] - patch_gpa < PAGE - 8 && a[1] <= 8, ok = true;

	for (u64 i = 0; i < 9 && mine; i++)
		p[i] = 0xcc;
	(void)*(volatile u32 *)mmio_hole();
	if (!mine)
		return false;
	for (u64 i = 0; i < 9; i++)
		ok &= p[i] == (i < a[1] ? (u8)(a[2] >> (8 * i)) : 0xcc);
	if (!ok)
		g_printf("# patch (0x%lx, %lu, 0x%lx) did not land as asked: "
			 "%02x %02x %02x %02x %02x %02x %02x %02x %02x\n",
			 a[0], a[1], a[2], p[0], p[1], p[2], p[3], p[4], p[5],
			 p[6], p[7], p[8]);
	return ok;
}

static bool after(u64 nr, const u64 *a, long got)
{
	switch (nr) {
	case HC_SET_MEMORY_REGION:
		if (got == 0)
			apply_region(a);
		break;
	case HC_LOCK_MEMSLOT:
		if (got == 0 && a[0] < MAX_SLOTS)
			slots[a[0]].lock = a[1];
		break;
	case HC_UNLOCK_MEMSLOT:
		apply_unlock(a, got);
		break;
	case HC_ENABLE_SPP:
		if (got == 0 && !spp_on) {
			spp_on = true;
			for (int i = 0; i < WIN_PAGES; i++)
				win[i] = SPP_FULL;
		}
		break;
	case HC_SUBPAGE_SET_ACCESS:
		return got || apply_set_access(a);
	case HC_SUBPAGE_GET_ACCESS:
	case HC_SUBPAGE_GET_DENIED:
		return got || check_get(nr, a);
	case HC_TEST_RESET_COUNTERS:
		if (got == 0)
			vmcalls = 0;
		break;
	case HC_TEST_PATCH_NEXT:
		return got || fire_patch(a);
	}
	return true;
}

#endif /* MICA_GUESTS_HCFUZZ_MODEL_H */
