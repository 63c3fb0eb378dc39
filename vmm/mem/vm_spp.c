/* SPDX-License-Identifier: MIT */
/*
 * Sub-page write protection of one VM (vmm/mem/vm_spp.h, docs/spp.md). Both
 * paths keep protected pages in 4K EPT leaves without W, so every write the
 * CPU does not settle itself exits and is emulated through the MMIO path,
 * where vm_ram_lookup applies the sub-page rule. The hardware path also
 * sets EPT bit 61 and lets the CPU consult the SPPT (SDM Vol. 3C,
 * "Sub-Page Write Permissions"): allowed writes then need no exit.
 */
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/layout.h"
#include "mm/base/console.h"
#include "mm/mm.h"
#include "mm/base/errno.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/mem/vm_ram.h"
#include "vmm/mem/vm_spp.h"

/* Denied writes logged in full before the log goes quiet. */
#define SPP_LOG_FIRST 8

s64 vm_spp_extension(const struct vm *vm)
{
	return vmx_has_spp() && !vm->cfg.spp_soft ? 2 : 1;
}

/*
 * A slot's SPP storage: npages access maps, npages denied-write counters
 * (HC_SUBPAGE_GET_DENIED), then per 2M region of GPA the slot touches the
 * number of its protected pages, so that force_4k need not scan maps.
 */
static u64 regions(u64 npages)
{
	return npages / 512 + 2;
}

static u64 maps_pages(u64 npages)
{
	return ALIGN_UP((npages * 2 + regions(npages)) * sizeof(u32),
			PAGE_SIZE) /
	       PAGE_SIZE;
}

static u32 *spp_denied(const struct memslot *s)
{
	return s->spp_map + s->npages;
}

/* Protected-page count of the 2M region holding gfn (in s's span). */
static u32 *spp_region(const struct memslot *s, gfn_t gfn)
{
	return s->spp_map + 2 * s->npages + (gfn >> 9) - (s->base_gfn >> 9);
}

/* Recount the regions from the maps (after the slot moved). */
static void spp_recount(const struct memslot *s)
{
	mem_set(spp_region(s, s->base_gfn), 0,
		regions(s->npages) * sizeof(u32));
	for (gfn_t g = s->base_gfn; g < memslot_end_gfn(s); g++)
		if (memslot_spp_get(s, g) != MEMSLOT_SPP_FULL_ACCESS)
			(*spp_region(s, g))++;
}

void vm_spp_free_maps(u32 *maps, u64 npages)
{
	if (maps)
		mm_free_pages(virt_to_phys(maps), maps_pages(npages));
}

static u32 *alloc_maps(u64 npages)
{
	hpa_t pa;
	u32 *p;

	if (mm_alloc_pages(maps_pages(npages), PAGE_SIZE, &pa))
		return NULL;
	p = phys_ptr(pa);
	mem_set(p + npages, 0, (npages + regions(npages)) * sizeof(u32));
	return p;
}

/* ---- enable ------------------------------------------------------------ */

static int enable_hw(struct vm *vm)
{
	struct vm_spp *sp = &vm->spp;
	/* root + one upper table per 1G + one leaf table per 2M of RAM. */
	u64 n = 4 + vm->cfg.mem_size / SIZE_1G + vm->cfg.mem_size / SIZE_2M;

	if (mm_alloc_pages(n, PAGE_SIZE, &sp->pool_pa))
		return -ENOMEM;
	sp->pool_pages = n;
	pt_pool_init(&sp->pool, phys_ptr(sp->pool_pa), sp->pool_pa, n);
	if (spp_init(&sp->sppt, &pt_pool_ops, &sp->pool))
		return -ENOMEM;
	vmcs_write64(VMCS_SPPT_POINTER, sp->sppt.root_pa);
	vmcs_write32(VMCS_PROC_CTLS2,
		     vmcs_read32(VMCS_PROC_CTLS2) | VMX_PROC2_SPP);
	sp->hw = true;
	return 0;
}

/* Free the first @n map arrays of @maps (one per slot in GPA order). */
static void free_slot_maps(struct vm *vm, u32 **maps, u32 n)
{
	for (u32 i = 0; i < n; i++)
		vm_spp_free_maps(maps[i], memslot_at(&vm->slots, i)->npages);
}

s64 hc_enable_spp(struct vcpu *v)
{
	struct vm *vm = v->vm;
	u32 n = memslot_count(&vm->slots), i;
	u64 tmp_pages =
	    ALIGN_UP((u64)n * sizeof(u32 *) + 1, PAGE_SIZE) >> PAGE_SHIFT;
	hpa_t tmp;
	u32 **maps;
	int rc;

	if (vm->spp.enabled)
		return 0;
	/* Allocate everything first: a failed enable changes nothing. */
	if (mm_alloc_pages(tmp_pages, PAGE_SIZE, &tmp))
		return -ENOMEM;
	maps = phys_ptr(tmp);
	for (i = 0; i < n; i++) {
		maps[i] = alloc_maps(memslot_at(&vm->slots, i)->npages);
		if (!maps[i])
			break;
	}
	if (i < n || (vm_spp_extension(vm) == 2 && enable_hw(vm))) {
		free_slot_maps(vm, maps, i);
		vm_spp_destroy(vm);
		mm_free_pages(tmp, tmp_pages);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		rc = memslot_spp_attach(&vm->slots,
					memslot_at(&vm->slots, i)->id, maps[i]);
		BUG_ON(rc);
	}
	mm_free_pages(tmp, tmp_pages);
	vm->spp.enabled = true;
	printk("[%s] SPP enabled (%s path)\n", vm->cfg.name,
	       vm->spp.hw ? "hardware" : "software");
	return 0;
}

/* ---- set / get --------------------------------------------------------- */

/* Check (buf NULL) or copy the guest buffer [gpa, gpa + bytes): 0 or
 * -EFAULT when any byte is not RAM (or, to write, not writable RAM). */
static int guest_buf(struct vm *vm, gpa_t gpa, u64 bytes, bool write, u8 *buf)
{
	for (u64 off = 0; off < bytes;) {
		u64 n = MIN(bytes - off,
			    PAGE_SIZE - ((gpa + off) & (PAGE_SIZE - 1)));
		void *p;

		/* Checking a buffer to write must not mark it dirty yet. */
		if (write && !vm_ram_writable(vm, gpa + off, n))
			return -EFAULT;
		if (gpa + off < gpa ||
		    vm_ram_lookup(vm, gpa + off, n, write && buf, &p) != VM_RAM)
			return -EFAULT;
		if (buf && write)
			mem_copy(p, buf + off, n);
		else if (buf)
			mem_copy(buf + off, p, n);
		off += n;
	}
	return 0;
}

static int subpage_check(struct vcpu *v, u64 gfn, u64 npages, u64 maps_gpa,
			 u64 flags, bool write_buf)
{
	struct vm *vm = v->vm;

	if (!vm->spp.enabled)
		return -ENODEV;
	if (flags)
		return -EINVAL;
	if (!npages || npages > SPP_MAX_PAGES)
		return -EINVAL;
	if (spp_maps_check(&vm->slots, gfn, npages))
		return -EFAULT;
	return guest_buf(vm, maps_gpa, npages * 4, write_buf, NULL);
}

/* The map of gfn changed: EPT leaf and SPPT leaf follow. */
static bool spp_apply(struct vm *vm, gfn_t gfn, u32 map)
{
	bool flush = ept_spp_refresh(&vm->mem.ept, gfn);

	if (vm->spp.hw)
		flush |= spp_update_leaf(&vm->spp.sppt, gfn, map);
	return flush;
}

s64 hc_subpage_set_access(struct vcpu *v, u64 gfn, u64 npages, u64 maps_gpa,
			  u64 flags)
{
	struct vm *vm = v->vm;
	u32 maps[64];
	bool flush = false;
	int rc = subpage_check(v, gfn, npages, maps_gpa, flags, false);

	if (rc)
		return rc;
	for (u64 done = 0; done < npages;) {
		u64 n = MIN(npages - done, ARRAY_SIZE(maps));

		rc = guest_buf(vm, maps_gpa + done * 4, n * 4, false,
			       (u8 *)maps);
		BUG_ON(rc); /* checked above */
		for (u64 i = 0; i < n; i++) {
			gfn_t g = gfn + done + i;
			const struct memslot *s = memslot_find(&vm->slots, g);
			bool was =
			    memslot_spp_get(s, g) != MEMSLOT_SPP_FULL_ACCESS;
			bool now = maps[i] != MEMSLOT_SPP_FULL_ACCESS;

			if (!spp_maps_set(&vm->slots, g, 1, &maps[i]))
				continue;
			*spp_region(s, g) += (u32)((int)now - (int)was);
			flush |= spp_apply(vm, gfn + done + i, maps[i]);
		}
		done += n;
	}
	vm->ept_seq++; /* maps changed, with or without an INVEPT */
	if (flush)
		vm_mem_flush(vm);
	return 0;
}

s64 hc_subpage_get_access(struct vcpu *v, u64 gfn, u64 npages, u64 maps_gpa,
			  u64 flags)
{
	struct vm *vm = v->vm;
	u32 maps[64];
	int rc = subpage_check(v, gfn, npages, maps_gpa, flags, true);

	if (rc)
		return rc;
	for (u64 done = 0; done < npages;) {
		u64 n = MIN(npages - done, ARRAY_SIZE(maps));

		spp_maps_get(&vm->slots, gfn + done, n, maps);
		rc =
		    guest_buf(vm, maps_gpa + done * 4, n * 4, true, (u8 *)maps);
		BUG_ON(rc);
		done += n;
	}
	return 0;
}

s64 hc_subpage_get_denied(struct vcpu *v, u64 gfn, u64 npages, u64 counts_gpa,
			  u64 flags)
{
	struct vm *vm = v->vm;
	u32 cnt[64];
	int rc = subpage_check(v, gfn, npages, counts_gpa, flags, true);

	if (rc)
		return rc;
	for (u64 done = 0; done < npages;) {
		u64 n = MIN(npages - done, ARRAY_SIZE(cnt));

		for (u64 i = 0; i < n; i++) {
			gfn_t g = gfn + done + i;
			const struct memslot *s = memslot_find(&vm->slots, g);

			cnt[i] = spp_denied(s)[g - s->base_gfn];
		}
		rc = guest_buf(vm, counts_gpa + done * 4, n * 4, true,
			       (u8 *)cnt);
		BUG_ON(rc);
		done += n;
	}
	return 0;
}

/* ---- slots --------------------------------------------------------------- */

int vm_spp_slot_prepare(struct vm *vm, u64 size, u32 **maps)
{
	*maps = NULL;
	if (!vm->spp.enabled || !size || !IS_ALIGNED(size, PAGE_SIZE))
		return 0;
	*maps = alloc_maps(size >> PAGE_SHIFT);
	return *maps ? 0 : -ENOMEM;
}

void vm_spp_slot_abort(u64 size, u32 *maps)
{
	vm_spp_free_maps(maps, size >> PAGE_SHIFT);
}

void vm_spp_slot_commit(struct vm *vm, const struct memslot_change *c,
			u32 *maps)
{
	if (c->kind == MEMSLOT_CHANGE_CREATE && maps) {
		int rc = memslot_spp_attach(&vm->slots, c->slot, maps);

		BUG_ON(rc);
		maps = NULL;
	}
	vm_spp_free_maps(maps, c->new_npages);
	vm_spp_free_maps(c->spp_map_released, c->old_npages);
	/* The 2M regions a moved slot touches are not the old ones. */
	if (c->kind == MEMSLOT_CHANGE_MOVE) {
		const struct memslot *s = memslot_get(&vm->slots, c->slot);

		if (s->spp_map)
			spp_recount(s);
	}
	/* SPPT leaves describe maps of pages that moved or went away. */
	if (vm->spp.hw && c->kind != MEMSLOT_CHANGE_NONE) {
		bool flush = false;

		if (c->old_npages)
			flush |=
			    spp_zap(&vm->spp.sppt, c->old_gfn, c->old_npages);
		if (c->new_npages)
			flush |=
			    spp_zap(&vm->spp.sppt, c->new_gfn, c->new_npages);
		if (flush)
			vm_mem_flush(vm);
	}
}

/* ---- the write rule ------------------------------------------------------ */

bool vm_spp_write_ok(struct vm *vm, gpa_t gpa, u64 len)
{
	if (!vm->spp.enabled)
		return true;
	for (u64 off = 0; off < len;) {
		gpa_t a = gpa + off;
		u32 n = (u32)MIN(len - off, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
		const struct memslot *s = memslot_find_gpa(&vm->slots, a);

		if (s && !spp_write_allowed(memslot_spp_get(s, gpa_to_gfn(a)),
					    (u32)(a & (PAGE_SIZE - 1)), n))
			return false;
		off += n;
	}
	return true;
}

void vm_spp_denied(struct vcpu *v, gpa_t gpa, u64 len)
{
	struct vm *vm = v->vm;
	u64 n = ++vm->counters[CNT_SPP_DENIED];
	const struct memslot *s = memslot_find_gpa(&vm->slots, gpa);

	if (s && s->spp_map) {
		u32 *cnt = &spp_denied(s)[gpa_to_gfn(gpa) - s->base_gfn];

		if (*cnt != 0xFFFFFFFFu)
			(*cnt)++;
	}

	if (vm->spp.logged >= SPP_LOG_FIRST && (n & (n - 1)))
		return;
	vm->spp.logged++;
	printk("[%s] SPP: %lu-byte write to GPA 0x%lx (subpage %lu) at RIP "
	       "0x%lx denied (%lu so far)\n",
	       vm->cfg.name, len, gpa, (u64)((gpa & (PAGE_SIZE - 1)) >> 7),
	       v->rip, n);
}

/* ---- EPT hooks ----------------------------------------------------------- */

bool vm_spp_force_4k(void *ctx, gfn_t gfn, u64 npages)
{
	struct vm *vm = ctx;
	gfn_t end = gfn + npages;

	if (!vm->spp.enabled)
		return false;
	while (gfn < end) {
		const struct memslot *s = memslot_find_next(&vm->slots, gfn);

		if (!s || s->base_gfn >= end)
			return false;
		gfn_t lo = MAX(gfn, s->base_gfn);
		gfn_t hi = MIN(end, memslot_end_gfn(s));

		for (gfn_t r = lo >> 9; s->spp_map && r <= (hi - 1) >> 9; r++)
			if (*spp_region(s, r << 9))
				return true;
		gfn = memslot_end_gfn(s);
	}
	return false;
}

bool vm_spp_write_protect(void *ctx, gfn_t gfn, u64 *extra)
{
	struct vm *vm = ctx;
	const struct memslot *s;

	if (!vm->spp.enabled)
		return false;
	s = memslot_find(&vm->slots, gfn);
	if (!s || memslot_spp_get(s, gfn) == MEMSLOT_SPP_FULL_ACCESS)
		return false;
	/* A dirty-logged page takes the software path so that every
	 * allowed write exits and is logged; a read-only slot must never let
	 * the CPU write, so its pages get no SPP bit either. */
	if (vm->spp.hw && !memslot_dirty_logging(s) && !memslot_readonly(s))
		*extra = EPT_SPP;
	return true;
}

/* ---- SPP miss (exit 66) ------------------------------------------------------------- */

/* Build the SPPT leaf table of the 2M region around gpa from the maps. */
static int spp_fill(struct vm *vm, gpa_t gpa)
{
	gfn_t gfn = gpa_to_gfn(gpa), base = ALIGN_DOWN(gfn, 512);
	const struct memslot *s = memslot_find(&vm->slots, gfn);
	int rc =
	    spp_set_leaf(&vm->spp.sppt, gfn,
			 s ? memslot_spp_get(s, gfn) : MEMSLOT_SPP_FULL_ACCESS);

	for (gfn_t g = base; !rc && g < base + 512; g++) {
		s = memslot_find(&vm->slots, g);
		if (s && memslot_spp_get(s, g) != MEMSLOT_SPP_FULL_ACCESS)
			spp_update_leaf(&vm->spp.sppt, g,
					memslot_spp_get(s, g));
	}
	return rc;
}

int vm_spp_miss(struct vm *vm, gpa_t gpa)
{
	int rc = spp_fill(vm, gpa);

	if (rc == -ENOMEM) {
		/* The SPPT is a cache: drop it all and rebuild lazily. */
		spp_zap(&vm->spp.sppt, 0, ~0ULL >> PAGE_SHIFT);
		vm_mem_flush(vm);
		rc = spp_fill(vm, gpa);
	}
	if (!rc)
		vm_mem_flush(vm);
	return rc;
}

void vm_spp_destroy(struct vm *vm)
{
	struct vm_spp *sp = &vm->spp;

	if (sp->sppt.root)
		spp_destroy(&sp->sppt);
	if (sp->pool_pages)
		mm_free_pages(sp->pool_pa, sp->pool_pages);
	sp->pool_pages = 0;
	sp->hw = sp->enabled = false;
}
