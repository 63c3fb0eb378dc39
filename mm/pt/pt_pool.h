/* SPDX-License-Identifier: MIT */
/*
 * Preallocated pool of page-table pages for the generic engine: one
 * physically contiguous region handed over at creation (per VM for EPT), a
 * free list threaded through the free pages, and reservations so that the
 * engine can make sure of its pages before it changes anything. Never
 * allocates from anywhere else: running out is -ENOMEM to the caller.
 */
#ifndef MICA_MM_PT_PT_POOL_H
#define MICA_MM_PT_PT_POOL_H

#include "mm/pt/pgtable.h"

struct pt_pool {
	u8 *va;	  /* first page, mapped */
	hpa_t pa; /* its physical address */
	u64 npages;
	u64 free_head; /* index of the first free page, npages if none */
	u64 nfree;
	u64 reserved; /* promised to reserve() callers, still free */
};

/* Engine ops over a struct pt_pool (ctx). */
extern const struct pt_ops pt_pool_ops;

/*
 * Make the npages pages at va (physical pa, both 4K aligned, contiguous)
 * a pool with every page free. Contents of the pages are overwritten.
 */
void pt_pool_init(struct pt_pool *p, void *va, hpa_t pa, u64 npages);

/* Pages neither allocated nor reserved. */
static inline u64 pt_pool_available(const struct pt_pool *p)
{
	return p->nfree - p->reserved;
}

#endif /* MICA_MM_PT_PT_POOL_H */
