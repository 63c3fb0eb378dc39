/* SPDX-License-Identifier: MIT */
/*
 * Placement of a guest's boot structures, entry stack and modules around
 * its image (pure). Defaults first, as every image linked from 1 MiB
 * leaves them free; what the image covers moves to the lowest free
 * page-aligned range, as QEMU's multiboot loader puts its information
 * after the kernel when nothing else is free.
 */
#include "mm/base/errno.h"
#include "mm/lib/fmt.h"
#include "vmm/load/guest_layout.h"

#define USED_MAX (1 + 4 + VM_MODS_MAX)

struct range {
	gpa_t lo, hi;
};

/* The ranges taken so far (the image first), in RAM [0, ram). */
struct placer {
	struct range used[USED_MAX];
	unsigned n;
	u64 ram;
};

static void take(struct placer *p, gpa_t lo, u64 size)
{
	p->used[p->n++] = (struct range){lo, lo + size};
}

static bool is_free(const struct placer *p, gpa_t lo, u64 size, gpa_t limit)
{
	if (lo < GUEST_BOOT_LO || lo > limit || size > limit - lo)
		return false;
	for (unsigned i = 0; i < p->n; i++)
		if (lo < p->used[i].hi && p->used[i].lo < lo + size)
			return false;
	return true;
}

/* The lowest page-aligned a >= from with [a, a + size) free and below
 * limit; 0 when there is none. */
static gpa_t first_fit(const struct placer *p, gpa_t from, u64 size,
		       gpa_t limit)
{
	gpa_t a = ALIGN_UP(MAX(from, GUEST_BOOT_LO), PAGE_SIZE);

	while (a <= limit && size <= limit - a) {
		gpa_t next = a;

		for (unsigned i = 0; i < p->n; i++)
			if (a < p->used[i].hi && p->used[i].lo < a + size)
				next = MAX(next,
					   ALIGN_UP(p->used[i].hi, PAGE_SIZE));
		if (next == a)
			return a;
		a = next;
	}
	return 0;
}

static int no_room(const struct guest_layout_req *r, const char *what, u64 size,
		   char *err, size_t n)
{
	fmt_snprintf(err, n,
		     "the image at 0x%lx-0x%lx leaves no room for %s (%lu "
		     "KiB) in guest RAM 0x%lx-0x%lx",
		     r->image_lo, r->image_hi - (r->image_hi > r->image_lo),
		     what, size >> 10, (u64)GUEST_BOOT_LO, r->ram_size - 1);
	return -ENOSPC;
}

/* A structure to place: its default address, size and limit. */
struct piece {
	const char *what;
	gpa_t dflt;
	u64 size;
	gpa_t limit;
	gpa_t *at;
};

/* Every default the image leaves free first, so that no fallback lands on
 * another's default; then the lowest free range for the others. */
static int place_pieces(struct placer *p, struct piece *pc, unsigned npc,
			const struct guest_layout_req *r, char *err, size_t n)
{
	for (unsigned i = 0; i < npc; i++) {
		*pc[i].at = 0;
		if (is_free(p, pc[i].dflt, pc[i].size, pc[i].limit)) {
			*pc[i].at = pc[i].dflt;
			take(p, pc[i].dflt, pc[i].size);
		}
	}
	for (unsigned i = 0; i < npc; i++) {
		if (*pc[i].at)
			continue;
		*pc[i].at =
		    first_fit(p, GUEST_BOOT_LO, pc[i].size, pc[i].limit);
		if (!*pc[i].at)
			return no_room(r, pc[i].what, pc[i].size, err, n);
		take(p, *pc[i].at, pc[i].size);
	}
	return 0;
}

/* The top of the first free range of at least GUEST_STACK_MIN bytes below
 * limit (a stack grows down through the whole range); 0 when none. */
static gpa_t stack_fit(const struct placer *p, gpa_t limit)
{
	gpa_t a = first_fit(p, GUEST_BOOT_LO, GUEST_STACK_MIN, limit);
	gpa_t top = limit;

	if (!a)
		return 0;
	for (unsigned i = 0; i < p->n; i++)
		if (p->used[i].lo >= a + GUEST_STACK_MIN)
			top = MIN(top, p->used[i].lo);
	return ALIGN_DOWN(top, PAGE_SIZE);
}

static void set_stack(struct guest_layout *l, gpa_t top, bool real)
{
	l->stack_top = top;
	if (!real)
		return;
	/* SS:SP with SP = 0xFFF0 where the top allows, as the default
	 * 9000:FFF0; the linear top is 16 bytes under the range's end. */
	l->real_ss = top >= 0x10000 ? (u16)((top - 0x10000) >> 4) : 0;
	l->real_sp = (u16)(top - 0x10 - ((gpa_t)l->real_ss << 4));
}

static int place_mods(struct placer *p, const struct guest_layout_req *r,
		      struct guest_layout *l, char *err, size_t n)
{
	for (unsigned i = 0; i < r->nmods; i++) {
		u64 size = ALIGN_UP(MAX(r->mod_size[i], 1), PAGE_SIZE);
		gpa_t a = first_fit(p, r->image_hi, size, p->ram);

		if (!a)
			a = first_fit(p, GUEST_BOOT_LO, size, p->ram);
		if (!a)
			return no_room(r, "a module passed on", size, err, n);
		take(p, a, size);
		l->mods[i] = a;
	}
	return 0;
}

int guest_layout_place(const struct guest_layout_req *r, struct guest_layout *l,
		       char *err, size_t n)
{
	bool real = r->mode == VM_MODE_REAL, pt = r->mode == VM_MODE_LONG64;
	gpa_t low = real ? MIN(r->ram_size, GUEST_REAL_LIMIT) : r->ram_size;
	gpa_t stack_dflt = real ? GUEST_REAL_STACK_TOP : GUEST_STACK_TOP;
	struct placer p = {.n = 0, .ram = r->ram_size};
	struct piece pc[] = {
	    {"the GDT and TSS", GUEST_GDT, PAGE_SIZE, p.ram, &l->gdt},
	    {"the multiboot1 information", GUEST_MB1_INFO, PAGE_SIZE, low,
	     &l->info},
	    {"the page tables", GUEST_PML4, GUEST_PT_PAGES * PAGE_SIZE, p.ram,
	     &l->pml4},
	};
	bool stack_dflt_free;

	mem_set(l, 0, sizeof(*l));
	err[0] = '\0';
	if (r->nmods > VM_MODS_MAX)
		return -EINVAL;
	take(&p, r->image_lo, r->image_hi - r->image_lo);
	/* The stack's default is kept from the others' fallbacks too. */
	stack_dflt_free =
	    is_free(&p, stack_dflt - GUEST_STACK_MIN, GUEST_STACK_MIN, low);
	if (stack_dflt_free)
		take(&p, stack_dflt - GUEST_STACK_MIN, GUEST_STACK_MIN);
	if (place_pieces(&p, pc, pt ? 3 : 2, r, err, n))
		return -ENOSPC;
	if (pt) {
		l->pdpt = l->pml4 + PAGE_SIZE;
		l->pd = l->pml4 + 2 * PAGE_SIZE;
	}
	if (place_mods(&p, r, l, err, n))
		return -ENOSPC;
	set_stack(l, stack_dflt_free ? stack_dflt : stack_fit(&p, low), real);
	if (!l->stack_top)
		return no_room(r, "the stack", GUEST_STACK_MIN, err, n);
	l->tss = l->gdt + GUEST_TSS_OFF;
	l->mmap = l->info + GUEST_MB1_MMAP_OFF;
	l->cmdline = l->info + GUEST_MB1_CMDLINE_OFF;
	l->mod_list = l->info + GUEST_MB1_MODS_OFF;
	l->moved = l->gdt != GUEST_GDT || (pt && l->pml4 != GUEST_PML4) ||
		   l->info != GUEST_MB1_INFO || !stack_dflt_free;
	return 0;
}
