/* SPDX-License-Identifier: MIT */
/*
 * Host-side table-page provider for the page-table engine tests: aligned
 * heap pages, physical address = host pointer, an optional page limit to
 * provoke -ENOMEM, and counters to check reservation discipline.
 */
#ifndef MICA_TEST_PT_HOST_POOL_H
#define MICA_TEST_PT_HOST_POOL_H

#include <stdlib.h>
#include <string.h>

#include "mm/pt/pgtable.h"

struct host_pool {
	u64 limit;    /* max live pages (0: unlimited) */
	u64 live;     /* pages allocated and not freed */
	u64 reserved; /* reserved, not yet allocated */
	u64 allocs, frees;
	bool violation; /* alloc without reservation */
};

static bool hp_reserve(void *ctx, u64 n)
{
	struct host_pool *p = ctx;

	if (p->limit && p->live + p->reserved + n > p->limit)
		return false;
	p->reserved += n;
	return true;
}

static void hp_unreserve(void *ctx, u64 n)
{
	struct host_pool *p = ctx;

	if (n > p->reserved)
		p->violation = true;
	else
		p->reserved -= n;
}

static void *hp_alloc(void *ctx, hpa_t *pa)
{
	struct host_pool *p = ctx;
	void *v;

	if (!p->reserved) {
		p->violation = true;
		return NULL;
	}
	v = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!v)
		abort();
	memset(v, 0, PAGE_SIZE);
	p->reserved--;
	p->live++;
	p->allocs++;
	*pa = (hpa_t)(uintptr_t)v;
	return v;
}

static void hp_free(void *ctx, void *va, hpa_t pa)
{
	struct host_pool *p = ctx;

	if ((hpa_t)(uintptr_t)va != pa)
		p->violation = true;
	/* Poison before freeing so a stale walk trips ASan or reads junk. */
	memset(va, 0xA5, PAGE_SIZE);
	free(va);
	p->live--;
	p->frees++;
}

static void *hp_phys_to_virt(void *ctx, hpa_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static const struct pt_ops host_pool_ops = {
    .reserve = hp_reserve,
    .unreserve = hp_unreserve,
    .alloc = hp_alloc,
    .free = hp_free,
    .phys_to_virt = hp_phys_to_virt,
};

#endif /* MICA_TEST_PT_HOST_POOL_H */
