/* SPDX-License-Identifier: MIT */
/*
 * Page-table page pool (mm/pt/pt_pool.h). A free page keeps the index of the
 * next free page in its first word; pages are zeroed when handed out, as
 * the engine expects, so a recycled page never shows old entries.
 */
#include "mm/pt/pt_pool.h"

#define PT_POOL_END(p) ((p)->npages)

static u64 *pt_pool_page(const struct pt_pool *p, u64 i)
{
	return (u64 *)(void *)(p->va + i * PAGE_SIZE);
}

void pt_pool_init(struct pt_pool *p, void *va, hpa_t pa, u64 npages)
{
	BUG_ON(!IS_ALIGNED((uintptr_t)va, PAGE_SIZE) ||
	       !IS_ALIGNED(pa, PAGE_SIZE));
	p->va = va;
	p->pa = pa;
	p->npages = npages;
	p->nfree = npages;
	p->reserved = 0;
	p->free_head = npages ? 0 : PT_POOL_END(p);
	for (u64 i = 0; i < npages; i++)
		*pt_pool_page(p, i) = i + 1; /* npages terminates the list */
}

static bool pt_pool_reserve(void *ctx, u64 n)
{
	struct pt_pool *p = ctx;

	if (n > pt_pool_available(p))
		return false;
	p->reserved += n;
	return true;
}

static void pt_pool_unreserve(void *ctx, u64 n)
{
	struct pt_pool *p = ctx;

	BUG_ON(n > p->reserved);
	p->reserved -= n;
}

/* Only reserved pages are handed out: the engine reserves first. */
static void *pt_pool_alloc(void *ctx, hpa_t *pa)
{
	struct pt_pool *p = ctx;
	u64 i = p->free_head;
	u64 *page;

	if (!p->reserved || i == PT_POOL_END(p))
		return NULL;
	page = pt_pool_page(p, i);
	p->free_head = *page;
	p->nfree--;
	p->reserved--;
	mem_set(page, 0, PAGE_SIZE);
	*pa = p->pa + i * PAGE_SIZE;
	return page;
}

static void pt_pool_free(void *ctx, void *va, hpa_t pa)
{
	struct pt_pool *p = ctx;
	u64 i = (pa - p->pa) / PAGE_SIZE;

	BUG_ON(pa < p->pa || i >= p->npages || va != pt_pool_page(p, i));
	*pt_pool_page(p, i) = p->free_head;
	p->free_head = i;
	p->nfree++;
}

static void *pt_pool_phys_to_virt(void *ctx, hpa_t pa)
{
	struct pt_pool *p = ctx;
	u64 i = (pa - p->pa) / PAGE_SIZE;

	/* A table entry pointing outside the pool is a hypervisor bug. */
	BUG_ON(pa < p->pa || i >= p->npages);
	return p->va + (pa - p->pa);
}

const struct pt_ops pt_pool_ops = {
    .reserve = pt_pool_reserve,
    .unreserve = pt_pool_unreserve,
    .alloc = pt_pool_alloc,
    .free = pt_pool_free,
    .phys_to_virt = pt_pool_phys_to_virt,
};
