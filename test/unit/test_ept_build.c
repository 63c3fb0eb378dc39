/* SPDX-License-Identifier: MIT */
/*
 * memslot -> EPT builder, directed cases: leaf size from GPA and pool-frame
 * alignment, slot bounds, pool contiguity, capabilities, dirty logging and
 * the force-4K hook; read-only slots; MMIO entry size; misconfigurations
 * that are not ours; dirty-log write protection.
 */
#include <stdio.h>

#include "test/unit/support/pt_host_pool.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "ept/vm_memory.h"

#define MiB	  (1ULL << 20)
#define GiB	  (1ULL << 30)
#define POOL	  (8 * GiB)
#define NSLOTS	  8
#define GPA_LIMIT (64 * GiB)

struct env {
	u64 chunk;    /* pool contiguity granule */
	gfn_t forced; /* force_4k page, ~0: none */
};

static hpa_t pool_hpa(void *ctx, u64 off, u64 *contig)
{
	struct env *e = ctx;

	*contig = e->chunk - (off & (e->chunk - 1));
	/* chunks in reverse order so a discontinuity is a real one */
	return 128 * GiB + (POOL / e->chunk - 1 - off / e->chunk) * e->chunk +
	       (off & (e->chunk - 1));
}

static bool force_4k(void *ctx, gfn_t gfn, u64 n)
{
	struct env *e = ctx;

	return e->forced - gfn < n;
}

static void flush(void *ctx)
{
	(void)ctx;
}

static const struct ept_vm_ops ops_plain = {.pool_hpa = pool_hpa};
static const struct ept_vm_ops ops_spp = {.pool_hpa = pool_hpa,
					  .force_4k = force_4k};
static const struct vm_memory_ops vops = {.flush = flush};

struct fixture {
	struct env env;
	struct host_pool hp;
	struct memslot_table t;
	void *store;
	struct vm_memory vm;
	u64 bitmap[NSLOTS][(4 * GiB >> 12) / 64];
};

static void fx_init(struct fixture *f, u64 chunk, u32 caps, bool spp)
{
	memset(&f->env, 0, sizeof(f->env));
	memset(&f->hp, 0, sizeof(f->hp));
	f->env.chunk = chunk;
	f->env.forced = ~0ULL;
	f->store = malloc(memslot_table_storage_size(NSLOTS));
	if (memslot_table_init(&f->t, f->store, NSLOTS, POOL, GPA_LIMIT) ||
	    vm_memory_init(&f->vm, &f->t, POOL, &host_pool_ops, &f->hp,
			   spp ? &ops_spp : &ops_plain, &f->env, caps, &vops,
			   NULL))
		abort();
}

static void fx_fini(struct fixture *f)
{
	vm_memory_destroy(&f->vm);
	free(f->store);
}

static int fx_set(struct fixture *f, u32 id, u32 flags, gpa_t gpa, u64 size,
		  u64 off)
{
	struct memslot_region r = {.slot = id,
				   .flags = flags,
				   .gpa = gpa,
				   .size = size,
				   .pool_offset = off,
				   .dirty_bitmap = f->bitmap[id]};
	struct memslot_change c;

	return vm_set_memory_region(&f->vm, &r, &c);
}

/* Level of the leaf at gpa after a fault, -1 if none. */
static int leaf_level(struct fixture *f, gpa_t gpa, u64 *pte)
{
	unsigned l;

	return pt_lookup(&f->vm.ept.pt, gpa, pte, &l) ? -1 : (int)l;
}

static bool check_ok(struct fixture *f)
{
	struct ept_check_report r;

	if (ept_check(&f->vm.ept, &r) == 0)
		return true;
	tap_diag("ept_check: %s at %#llx%s", r.what, (unsigned long long)r.gpa,
		 r.slot == 2 ? " (expected: provoked by the test)" : "");
	return false;
}

static void test_leaf_sizes(void)
{
	struct fixture f;
	u64 pte;
	bool ok = true;

	fx_init(&f, 4 * GiB, EPT_CAP_2M | EPT_CAP_1G, false);
	/* 1G-aligned GPA and pool offset: 1G leaf */
	ok &= fx_set(&f, 0, 0, 4 * GiB, 2 * GiB, 2 * GiB) == 0;
	ok &= vm_ept_violation(&f.vm, 5 * GiB + 123, EPT_ACC_READ) ==
	      EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 5 * GiB, &pte) == 2 && (pte & EPT_W);
	/* GPA 1G aligned but pool offset only 2M aligned: 2M */
	ok &= fx_set(&f, 1, 0, 8 * GiB, GiB, 2 * MiB) == 0;
	ok &= vm_ept_violation(&f.vm, 8 * GiB + 5 * MiB, EPT_ACC_EXEC) ==
	      EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 8 * GiB + 5 * MiB, &pte) == 1;
	/* pool offset 4K aligned: 4K */
	ok &= fx_set(&f, 2, 0, 10 * GiB, 16 * MiB, 4 * GiB + 4096) == 0;
	ok &= vm_ept_violation(&f.vm, 10 * GiB + 3 * MiB, EPT_ACC_WRITE) ==
	      EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 10 * GiB + 3 * MiB, &pte) == 0;
	/* slot end cuts the block: 1M slot in a 2M block -> 4K */
	ok &= fx_set(&f, 3, 0, 12 * GiB, MiB, 0) == 0;
	ok &=
	    vm_ept_violation(&f.vm, 12 * GiB, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 12 * GiB, &pte) == 0;
	ok &= check_ok(&f);
	fx_fini(&f);

	/* pool contiguous in 2M chunks only: a 1G-aligned slot gets 2M */
	fx_init(&f, 2 * MiB, EPT_CAP_2M | EPT_CAP_1G, false);
	ok &= fx_set(&f, 0, 0, 4 * GiB, GiB, 0) == 0;
	ok &= vm_ept_violation(&f.vm, 4 * GiB, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 4 * GiB, &pte) == 1;
	ok &= check_ok(&f);
	fx_fini(&f);

	/* no 1G capability: 2M; no 2M capability: 4K */
	fx_init(&f, 4 * GiB, EPT_CAP_2M, false);
	ok &= fx_set(&f, 0, 0, 4 * GiB, GiB, 0) == 0;
	ok &= vm_ept_violation(&f.vm, 4 * GiB, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 4 * GiB, &pte) == 1;
	fx_fini(&f);
	fx_init(&f, 4 * GiB, 0, false);
	ok &= fx_set(&f, 0, 0, 4 * GiB, GiB, 0) == 0;
	ok &= vm_ept_violation(&f.vm, 4 * GiB, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 4 * GiB, &pte) == 0;
	fx_fini(&f);
	tap_ok(ok, "fault leaf size: 1G/2M/4K by GPA and pool alignment, slot "
		   "end, pool contiguity and capabilities");
}

static void test_flags(void)
{
	struct fixture f;
	u64 pte, before;
	bool ok = true, fl;

	fx_init(&f, 4 * GiB, EPT_CAP_2M | EPT_CAP_1G, true);
	/* read-only: R+X, a write goes to MMIO and changes nothing */
	ok &= fx_set(&f, 0, MEM_READONLY, 0, GiB, 0) == 0;
	ok &= vm_ept_violation(&f.vm, 4096, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 0, &pte) == 2 && !(pte & EPT_W) && (pte & EPT_X) &&
	      (pte & EPT_R);
	before = pte;
	ok &= vm_ept_violation(&f.vm, 4096, EPT_ACC_WRITE) == EPT_FAULT_MMIO;
	ok &= leaf_level(&f, 0, &pte) == 2 && pte == before;
	ok &= vm_lock_memslot(&f.vm, 0,
			      MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE) == -EPERM;
	/* dirty logging: 4K, W only after a write, which is logged */
	ok &= fx_set(&f, 1, MEM_LOG_DIRTY_PAGES, 2 * GiB, GiB, GiB) == 0;
	ok &= vm_ept_violation(&f.vm, 2 * GiB + 8192, EPT_ACC_READ) ==
	      EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 2 * GiB + 8192, &pte) == 0 && !(pte & EPT_W);
	ok &= vm_ept_violation(&f.vm, 2 * GiB + 8192, EPT_ACC_WRITE) ==
	      EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 2 * GiB + 8192, &pte) == 0 && (pte & EPT_W);
	u64 log[(GiB >> 12) / 64];
	ok &= vm_get_dirty_log(&f.vm, 1, log) == 0 && log[0] == BIT(2);
	ok &= leaf_level(&f, 2 * GiB + 8192, &pte) == 0 && !(pte & EPT_W);
	ok &= vm_get_dirty_log(&f.vm, 1, log) == 0 && log[0] == 0;
	ok &= check_ok(&f);
	/* force_4k: the forced page's 2M block is 4K, the others 2M */
	f.env.forced = gpa_to_gfn(4 * GiB + 2 * MiB + 12288);
	ok &= fx_set(&f, 2, 0, 4 * GiB, 8 * MiB, 2 * GiB) == 0;
	ok &= vm_lock_memslot(&f.vm, 2, MEMSLOT_LOCK_READ) == 0;
	ok &= leaf_level(&f, 4 * GiB, &pte) == 1 && !(pte & EPT_W);
	ok &= leaf_level(&f, 4 * GiB + 2 * MiB, &pte) == 0;
	ok &= leaf_level(&f, 4 * GiB + 4 * MiB - 4096, &pte) == 0;
	ok &= leaf_level(&f, 4 * GiB + 4 * MiB, &pte) == 1;
	/* a read lock relaxes to writable on the first write */
	ok &= vm_ept_violation(&f.vm, 4 * GiB + 5 * MiB, EPT_ACC_WRITE) ==
	      EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 4 * GiB + 5 * MiB, &pte) == 1 && (pte & EPT_W);
	ok &= check_ok(&f);
	ept_write_protect_slot(&f.vm.ept, memslot_get(&f.t, 2));
	fl = ept_zap(&f.vm.ept, 4 * GiB, 8 * MiB);
	ok &= fl && !check_ok(&f); /* locked slot no longer mapped: caught */
	fx_fini(&f);
	tap_ok(ok, "read-only never W, write -> MMIO unchanged; dirty log 4K "
		   "write-protect; force_4k per 2M; read lock relaxes");
}

static void test_mmio(void)
{
	struct fixture f;
	u64 pte;
	bool ok = true;

	fx_init(&f, 4 * GiB, EPT_CAP_2M | EPT_CAP_1G, false);
	ok &= fx_set(&f, 0, 0, GiB + 2 * MiB, 4096, 0) == 0;
	/* hole [0, 1G) has no slot: one 1G MMIO entry */
	ok &= vm_ept_violation(&f.vm, 5 * MiB, EPT_ACC_READ) == EPT_FAULT_MMIO;
	ok &= leaf_level(&f, 0, &pte) == 2 && ept_is_mmio(pte);
	/* next to the slot: 2M at 1G is not free, so 4K at 1G + 2M + 4K;
	 * 1G+0 gets a 2M entry */
	ok &= vm_ept_violation(&f.vm, GiB, EPT_ACC_WRITE) == EPT_FAULT_MMIO;
	ok &= leaf_level(&f, GiB, &pte) == 1;
	ok &= vm_ept_violation(&f.vm, GiB + 2 * MiB + 4096, EPT_ACC_WRITE) ==
	      EPT_FAULT_MMIO;
	ok &= leaf_level(&f, GiB + 2 * MiB + 4096, &pte) == 0;
	ok &= vm_ept_misconfig(&f.vm, 5 * MiB) == EPT_FAULT_MMIO;
	ok &= check_ok(&f);
	/* a misconfiguration that is not ours, or no entry at all: -EIO */
	ok &= vm_ept_misconfig(&f.vm, 3 * GiB) == -EIO;
	ok &= pt_set_raw(&f.vm.ept.pt, 3 * GiB, 0, EPT_W) == 0;
	ok &= vm_ept_misconfig(&f.vm, 3 * GiB) == -EIO;
	ok &= vm_ept_violation(&f.vm, 1ULL << 48, EPT_ACC_READ) == -EFAULT;
	/* a new slot over the 1G MMIO entry: zapped, then RAM */
	ok &= fx_set(&f, 1, 0, 4 * MiB, 4 * MiB, 0) == 0;
	ok &= leaf_level(&f, 5 * MiB, &pte) == -1;
	ok &= vm_ept_violation(&f.vm, 5 * MiB, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, 5 * MiB, &pte) == 1 && !ept_is_mmio(pte);
	fx_fini(&f);
	tap_ok(ok, "MMIO entries as large as the hole allows, misconfig of "
		   "foreign entries -EIO, new slot replaces MMIO");
}

/* The fixed page (the APIC-access page): a 4K R+W leaf to its frame on
 * the first access, never X, never inside an MMIO entry; a slot over it
 * wins, and the page comes back when the slot goes. */
static void test_fixed_page(void)
{
	const gpa_t at = 0xfee00000ULL;
	const hpa_t frame = 200 * GiB;
	struct fixture f;
	u64 pte;
	bool ok = true, mmio;

	fx_init(&f, 4 * GiB, EPT_CAP_2M | EPT_CAP_1G, false);
	ept_set_fixed_page(&f.vm.ept, 0, gpa_to_gfn(at), frame, true);
	ok &=
	    vm_ept_violation(&f.vm, at + 0x300, EPT_ACC_EXEC) == EPT_FAULT_MMIO;
	ok &= leaf_level(&f, at, &pte) == -1;
	ok &= vm_ept_violation(&f.vm, at + 0x300, EPT_ACC_WRITE) ==
	      EPT_FAULT_FIXED;
	ok &= leaf_level(&f, at, &pte) == 0 && !ept_is_mmio(pte) &&
	      pt_leaf_pa(f.vm.ept.pt.fmt, pte, 0) == frame &&
	      (pte & (EPT_R | EPT_W | EPT_X)) == (EPT_R | EPT_W);
	/* its neighbours are MMIO, in entries that leave it out */
	ok &=
	    vm_ept_violation(&f.vm, at + 4096, EPT_ACC_READ) == EPT_FAULT_MMIO;
	ok &= leaf_level(&f, at + 4096, &pte) == 0 && ept_is_mmio(pte);
	ok &= vm_ept_violation(&f.vm, 3 * GiB, EPT_ACC_READ) == EPT_FAULT_MMIO;
	ok &= leaf_level(&f, 3 * GiB, &pte) == 1 && ept_is_mmio(pte);
	ok &= check_ok(&f);
	/* a slot over it is RAM; deleting the slot brings the page back */
	ok &= fx_set(&f, 0, 0, at, 4096, 0) == 0;
	ok &= vm_ept_violation(&f.vm, at, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, at, &pte) == 0 &&
	      pt_leaf_pa(f.vm.ept.pt.fmt, pte, 0) != frame;
	ok &= check_ok(&f);
	ok &= fx_set(&f, 0, 0, at, 0, 0) == 0;
	ok &= vm_ept_violation(&f.vm, at, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, at, &pte) == 0 &&
	      pt_leaf_pa(f.vm.ept.pt.fmt, pte, 0) == frame;
	ok &= check_ok(&f);
	/* the checker refuses an MMIO entry over it */
	ok &= pt_zap(&f.vm.ept.pt, at, 4096) != 0;
	ok &= pt_set_raw(&f.vm.ept.pt, at, 0, ept_mmio_encode(0)) == 0;
	{
		struct ept_check_report r;

		mmio = ept_check(&f.vm.ept, &r) == -EFAULT &&
		       !strcmp(r.what, "MMIO entry over a fixed page");
	}
	fx_fini(&f);
	tap_ok(ok && mmio, "the fixed page: 4K R+W leaf to its frame on first "
			   "access, no fetch, kept out of MMIO entries, a "
			   "slot over it wins");
}

/* A second fixed page that is not writable (a page table the CPU walks):
 * a read maps it R only, a write and a fetch are MMIO, and the first
 * fixed page next to it keeps its own leaf. */
static void test_fixed_page_ro(void)
{
	const gpa_t apic = 0xfee00000ULL, tab = 0xfeffc000ULL;
	const hpa_t frame = 200 * GiB, tframe = 201 * GiB;
	struct fixture f;
	u64 pte;
	bool ok = true;

	fx_init(&f, 4 * GiB, EPT_CAP_2M | EPT_CAP_1G, false);
	ept_set_fixed_page(&f.vm.ept, 0, gpa_to_gfn(apic), frame, true);
	ept_set_fixed_page(&f.vm.ept, 1, gpa_to_gfn(tab), tframe, false);
	ok &= vm_ept_violation(&f.vm, tab + 8, EPT_ACC_WRITE) == EPT_FAULT_MMIO;
	ok &= vm_ept_violation(&f.vm, tab + 8, EPT_ACC_EXEC) == EPT_FAULT_MMIO;
	ok &= leaf_level(&f, tab, &pte) == -1;
	ok &= vm_ept_violation(&f.vm, tab + 8, EPT_ACC_READ) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, tab, &pte) == 0 && !ept_is_mmio(pte) &&
	      pt_leaf_pa(f.vm.ept.pt.fmt, pte, 0) == tframe &&
	      (pte & (EPT_R | EPT_W | EPT_X)) == EPT_R;
	ok &= vm_ept_violation(&f.vm, tab + 8, EPT_ACC_WRITE) == EPT_FAULT_MMIO;
	ok &= vm_ept_violation(&f.vm, apic, EPT_ACC_WRITE) == EPT_FAULT_FIXED;
	ok &= leaf_level(&f, apic, &pte) == 0 &&
	      pt_leaf_pa(f.vm.ept.pt.fmt, pte, 0) == frame;
	ok &=
	    vm_ept_violation(&f.vm, tab - 4096, EPT_ACC_READ) == EPT_FAULT_MMIO;
	ok &= check_ok(&f);
	fx_fini(&f);
	tap_ok(ok, "a fixed page that is not writable: R leaf on a read, "
		   "writes and fetches MMIO, beside the writable one");
}

/* Each corruption must be reported with its own description. ("leaf maps
 * outside the pool" cannot be provoked: slots are validated against the
 * pool and leaves against their slot.) */
static void test_checker(void)
{
	static const struct {
		const char *what;
		unsigned kind;
	} cases[] = {
	    {"read-only slot mapped writable", 0},
	    {"leaf maps the wrong pool frame", 1},
	    {"RAM leaf outside every memslot", 2},
	    {"MMIO entry over a memslot", 3},
	    {"large leaf in a dirty-logged slot", 4},
	    {"writable page missing from the dirty log", 5},
	    {"leaf reaches past its memslot", 6},
	    {"RAM leaf not write-back", 7},
	    {"leaf without read permission", 8},
	    {"slot locked R+W mapped without W", 9},
	};
	unsigned good = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fixture f;
		struct ept_check_report r;
		struct pt *pt = &f.vm.ept.pt;
		u64 rw = ept_ram_attrs(EPT_R | EPT_W), c;
		int rc = 0;

		fx_init(&f, 4 * GiB, EPT_CAP_2M | EPT_CAP_1G, false);
		if (fx_set(&f, 0, MEM_READONLY, 0, 4 * MiB, 0) ||
		    fx_set(&f, 1, MEM_LOG_DIRTY_PAGES, 64 * MiB, 4 * MiB, 0) ||
		    fx_set(&f, 2, 0, 128 * MiB, 4 * MiB, POOL - 4 * MiB))
			abort();
		hpa_t h0 = pool_hpa(&f.env, 0, &c);
		switch (cases[i].kind) {
		case 0:
			rc = pt_map(pt, 0, h0, 4096, rw, 0, 0);
			break;
		case 1:
			rc = pt_map(pt, 4096, h0, 4096, rw, 0, 0);
			break;
		case 2:
			rc = pt_map(pt, 32 * MiB, h0, 4096, rw, 0, 0);
			break;
		case 3:
			rc = pt_set_raw(pt, 0, 1, ept_mmio_encode(0));
			break;
		case 4:
			rc = pt_map(pt, 64 * MiB, h0, 2 * MiB, rw, 1, 0);
			break;
		case 5:
			rc = pt_map(pt, 64 * MiB, h0, 4096, rw, 0, 0);
			break;
		case 6: /* a 2M leaf over a 1M slot */
			rc = fx_set(&f, 3, 0, 256 * MiB, 1 * MiB, 0);
			rc |= pt_map(pt, 256 * MiB, h0, 2 * MiB,
				     ept_ram_attrs(EPT_R), 1, 0);
			break;
		case 7:
			rc = pt_map(pt, 0, h0, 4096, EPT_R, 0, 0);
			break;
		case 8:
			rc =
			    pt_map(pt, 0, h0, 4096, ept_ram_attrs(EPT_X), 0, 0);
			break;
		case 9:
			rc = vm_lock_memslot(
			    &f.vm, 2, MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE);
			rc |= pt_map(pt, 128 * MiB,
				     pool_hpa(&f.env, POOL - 4 * MiB, &c), 4096,
				     ept_ram_attrs(EPT_R), 0, 0);
			break;
		}
		if (rc == 0 && ept_check(&f.vm.ept, &r) == -EFAULT &&
		    !strcmp(r.what, cases[i].what))
			good++;
		else
			tap_diag("case %u (%s): rc %d, reported: %s", i,
				 cases[i].what, rc,
				 r.what ? r.what : "nothing");
		fx_fini(&f);
	}
	tap_ok(good == ARRAY_SIZE(cases),
	       "ept_check names each of %u kinds of corruption (%u found)",
	       (unsigned)ARRAY_SIZE(cases), good);
}

int main(void)
{
	test_leaf_sizes();
	test_flags();
	test_mmio();
	test_fixed_page();
	test_fixed_page_ro();
	test_checker();
	return tap_done();
}
