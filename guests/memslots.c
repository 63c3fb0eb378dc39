/* SPDX-License-Identifier: MIT */
/*
 * memslots: the memory model of docs/design.md section 3 from inside a guest.
 * Guest RAM is 16 MiB (slot 0); further slots alias parts of the same pool
 * at GPAs above it, which the guest reaches through its identity map.
 */
#include "guests/lib/guest.h"

#define MEM_LOG_DIRTY 1
#define MEM_READONLY  2
#define LOCK_R	      1
#define LOCK_RW	      3
#define UNLOCK_ALL    0xffffffffUL

#define EINVAL 22
#define EEXIST 17
#define EBUSY  16
#define EPERM  1
#define ENOENT 2

#define MB (1UL << 20)

static long hc(unsigned long nr, unsigned long a0, unsigned long a1,
	       unsigned long a2, unsigned long a3, unsigned long a4)
{
	return g_hypercall(nr, a0, a1, a2, a3, a4);
}

static long set_region(unsigned long slot, unsigned long flags,
		       unsigned long gpa, unsigned long size, unsigned long off)
{
	return hc(HC_SET_MEMORY_REGION, slot, flags, gpa, size, off);
}

static volatile u64 *at(unsigned long gpa)
{
	return (volatile u64 *)gpa;
}

static void test_extensions(void)
{
	g_ok(hc(HC_CHECK_EXTENSION, EXT_READONLY_MEM, 0, 0, 0, 0) == 1 &&
		 hc(HC_CHECK_EXTENSION, EXT_LOCK_MEMSLOT, 0, 0, 0, 0) == 1 &&
		 hc(HC_CHECK_EXTENSION, EXT_DIRTY_LOG, 0, 0, 0, 0) == 1,
	     "check_extension: read-only, lock and dirty log");
	g_ok(hc(HC_CHECK_EXTENSION, EXT_MAX_MEMSLOTS, 0, 0, 0, 0) == 512,
	     "check_extension: 512 memslots by default");
}

static void test_errors(void)
{
	g_ok(set_region(1, 0, 8 * MB, 1 * MB, 0) == -EEXIST,
	     "a slot overlapping RAM is -EEXIST");
	g_ok(set_region(1, 0, 0x2000100, 1 * MB, 0) == -EINVAL,
	     "a misaligned GPA is -EINVAL");
	g_ok(set_region(1, 4, 0x2000000, 1 * MB, 0) == -EINVAL,
	     "unknown flags are -EINVAL");
	g_ok(set_region(1, 0, 0x2000000, 32 * MB, 0) == -EINVAL,
	     "a slot beyond the pool is -EINVAL");
	g_ok(set_region(7, 0, 0x2000000, 0, 0) == -EINVAL,
	     "deleting a nonexistent slot is -EINVAL");
	g_ok(hc(HC_UNLOCK_MEMSLOT, 0, 0, 0, 0, 0) == -EINVAL,
	     "unlocking an unlocked slot is -EINVAL");
	g_ok(hc(HC_LOCK_MEMSLOT, 9, LOCK_R, 0, 0, 0) == -ENOENT,
	     "locking a nonexistent slot is -ENOENT");
}

static void test_readonly_and_move(void)
{
	unsigned long ro = 0x2000000, moved = 0x3000000;
	long drops;

	*at(8 * MB) = 0x1122334455667788ULL; /* pool offset 8 MiB */
	g_ok(!set_region(1, MEM_READONLY, ro, 1 * MB, 8 * MB),
	     "create a read-only slot over pool offset 8 MiB");
	g_ok(*at(ro) == 0x1122334455667788ULL,
	     "the read-only slot reads the pool's data natively");
	drops = g_counter(CNT_READONLY_WRITES);
	*at(ro) = 0xdead;
	g_ok(*at(ro) == 0x1122334455667788ULL &&
		 *at(8 * MB) == 0x1122334455667788ULL,
	     "a write to the read-only slot does not take effect");
	g_ok(g_counter(CNT_READONLY_WRITES) == drops + 1,
	     "the dropped write is counted");
	g_ok(set_region(1, 0, ro, 1 * MB, 8 * MB) == -EINVAL,
	     "READONLY cannot be cleared on an existing slot");
	g_ok(!set_region(1, MEM_READONLY, moved, 1 * MB, 8 * MB),
	     "move the slot to 48 MiB");
	g_ok(*at(moved) == 0x1122334455667788ULL,
	     "data reads through the new GPA");
	g_ok(*at(ro) == ~0ULL, "the old GPA is unbacked now (reads all ones)");
	g_ok(!set_region(1, 0, 0, 0, 0), "delete the slot");
	g_ok(*at(moved) == ~0ULL, "the deleted slot's GPA is unbacked");
}

static void test_lock(void)
{
	unsigned long base = 0x4000000;
	long v;

	g_ok(!set_region(2, 0, base, 2 * MB, 10 * MB), "create slot 2 (2 MiB)");
	g_ok(!hc(HC_LOCK_MEMSLOT, 2, LOCK_RW, 0, 0, 0), "lock it read/write");
	g_ok(hc(HC_LOCK_MEMSLOT, 2, LOCK_R, 0, 0, 0) == -EBUSY,
	     "locking a locked slot is -EBUSY");
	g_ok(set_region(2, 0, base + 2 * MB, 2 * MB, 10 * MB) == -EBUSY,
	     "moving a locked slot is -EBUSY");
	hc(HC_TEST_RESET_COUNTERS, 0, 0, 0, 0, 0);
	for (unsigned long off = 0; off < 2 * MB; off += 4096)
		*at(base + off) = off;
	v = g_counter(CNT_EXIT_EPT_VIOLATION);
	g_ok(v == 0,
	     "touching all 512 pages of the locked slot: %ld EPT "
	     "violations",
	     v);
	g_ok(*at(10 * MB + 4096) == 4096,
	     "the locked slot aliases pool offset 10 MiB");
	g_ok(!set_region(3, MEM_READONLY, 0x4800000, 1 * MB, 12 * MB),
	     "create a read-only slot 3");
	g_ok(hc(HC_LOCK_MEMSLOT, 3, LOCK_RW, 0, 0, 0) == -EPERM,
	     "a read/write lock of a read-only slot is -EPERM");
	g_ok(!hc(HC_LOCK_MEMSLOT, 3, LOCK_R, 0, 0, 0), "lock slot 3 read-only");
	g_ok(hc(HC_UNLOCK_MEMSLOT, UNLOCK_ALL, 0, 0, 0, 0) == 2,
	     "UNLOCK_ALL unlocks both locked slots");
	g_ok(*at(base) == 0, "mappings stay after unlock");
	g_ok(!set_region(2, 0, 0, 0, 0) && !set_region(3, 0, 0, 0, 0),
	     "unlocked slots can be deleted");
}

/*
 * A log buffer that is not writable RAM for its whole length (it straddles
 * the end of guest RAM, or lies in a read-only slot) fails with -EFAULT
 * and changes nothing: the bits stay in the log for the next call.
 */
static void test_dirty_log_buffers(void)
{
	static u64 log[4] __attribute__((aligned(8)));
	unsigned long base = 0x5000000, ro = 0x5800000;
	unsigned long ram_end = 16 * MB;

	g_ok(!set_region(4, MEM_LOG_DIRTY, base, 256 * 4096, 13 * MB) &&
		 !set_region(5, MEM_READONLY, ro, 4096, 14 * MB),
	     "a dirty-logged slot of 256 pages (32-byte log), a read-only "
	     "slot");
	*at(base + 200 * 4096UL) = 1;
	g_ok(hc(HC_GET_DIRTY_LOG, 4, ram_end - 16, 0, 0, 0) == -14,
	     "a log buffer straddling the end of guest RAM: -EFAULT");
	g_ok(hc(HC_GET_DIRTY_LOG, 4, ro, 0, 0, 0) == -14,
	     "a log buffer in a read-only slot: -EFAULT");
	g_ok(hc(HC_GET_DIRTY_LOG, 4, base + 256 * 4096UL - 8, 0, 0, 0) == -14,
	     "a log buffer starting in the logged slot's last page and "
	     "leaving RAM: -EFAULT");
	g_ok(!hc(HC_GET_DIRTY_LOG, 4, (unsigned long)log, 0, 0, 0) &&
		 log[3] == 1ULL << (200 - 192) && !log[0] && !log[1] && !log[2],
	     "the failed calls harvested nothing and marked nothing: page 200 "
	     "is still logged, page 255 is not");
	g_ok(hc(HC_GET_DIRTY_LOG, 1UL << 20, (unsigned long)log, 0, 0, 0) ==
		 -EINVAL,
	     "a slot id beyond the table is -EINVAL, as for lock and unlock");
	g_ok(!set_region(4, 0, 0, 0, 0) && !set_region(5, 0, 0, 0, 0),
	     "delete both slots");
	/* Arguments are checked before storage is allocated for them. */
	g_ok(set_region(6, MEM_LOG_DIRTY, base + 1, 1UL << 40, 0) == -EINVAL &&
		 set_region(6, MEM_LOG_DIRTY, base, 1UL << 40, 0) == -EINVAL,
	     "a misaligned or beyond-the-pool 1 TiB dirty-logged slot is "
	     "-EINVAL, not -ENOMEM");
}

static void test_dirty_log(void)
{
	static u64 log[1] __attribute__((aligned(8)));
	unsigned long base = 0x5000000;
	static const unsigned pages[] = {0, 3, 17, 63};
	u64 want = 0;
	long rc;

	g_ok(!set_region(4, MEM_LOG_DIRTY, base, 64 * 4096, 13 * MB),
	     "create a dirty-logged slot of 64 pages");
	g_ok(!hc(HC_GET_DIRTY_LOG, 4, (unsigned long)log, 0, 0, 0) &&
		 log[0] == 0,
	     "a fresh slot has an empty log");
	for (unsigned i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		*at(base + pages[i] * 4096UL + 8) = i + 1;
		want |= 1ULL << pages[i];
	}
	(void)*at(base + 5 * 4096); /* a read does not dirty */
	rc = hc(HC_GET_DIRTY_LOG, 4, (unsigned long)log, 0, 0, 0);
	g_ok(!rc && log[0] == want,
	     "get_dirty_log returns exactly the written pages (0x%lx)",
	     (unsigned long)log[0]);
	g_ok(!hc(HC_GET_DIRTY_LOG, 4, (unsigned long)log, 0, 0, 0) &&
		 log[0] == 0,
	     "the next get_dirty_log is empty");
	*at(base + 17 * 4096) = 5;
	g_ok(!hc(HC_GET_DIRTY_LOG, 4, (unsigned long)log, 0, 0, 0) &&
		 log[0] == 1ULL << 17,
	     "a page written again after harvesting is logged again");
	g_ok(hc(HC_GET_DIRTY_LOG, 4, 0x7000000, 0, 0, 0) == -14,
	     "a log buffer outside guest RAM is -EFAULT");
	g_ok(!set_region(4, 0, 0, 0, 0), "delete the dirty-logged slot");
	test_dirty_log_buffers();
}

static void test_mmio_entries(void)
{
	unsigned long gpa = 0x6000000;
	long viol, mis;

	hc(HC_TEST_RESET_COUNTERS, 0, 0, 0, 0, 0);
	g_ok(*at(gpa) == ~0ULL && *at(gpa + 8) == ~0ULL,
	     "an unbacked GPA reads all ones twice");
	viol = g_counter(CNT_EXIT_EPT_VIOLATION);
	mis = g_counter(CNT_EXIT_EPT_MISCONFIG);
	g_ok(viol == 1 && mis == 1,
	     "first touch is an EPT violation, then a cached MMIO entry "
	     "(misconfiguration): %ld / %ld",
	     viol, mis);
	*at(14 * MB) = 0xabcdef;
	g_ok(!set_region(5, 0, gpa, 1 * MB, 14 * MB),
	     "a new slot covers the cached MMIO GPA");
	g_ok(*at(gpa) == 0xabcdef, "the next access maps RAM (stale MMIO "
				   "entry dropped by generation)");
	g_ok(!set_region(5, 0, 0, 0, 0), "delete it again");
}

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_idt_init();
	test_extensions();
	test_errors();
	test_readonly_and_move();
	test_lock();
	test_dirty_log();
	test_mmio_entries();
	return (int)g_tap_failed();
}
