/* SPDX-License-Identifier: MIT */
/*
 * Memslot table: set_memory_region (validate in memslot_set_prepare, apply in
 * memslot_set_commit, which cannot fail), lock state, dirty-log harvest and
 * SPP storage. Slots are stored by id; the GPA index over them is
 * memslot_index.c. docs/memslots.md is the contract.
 */
#include "mm/base/errno.h"
#include "mm/memslot/memslot.h"
#include "mm/memslot/memslot_internal.h"

/*
 * Storage layout: slots[max] | sorted_base[max] | eyt_base[max + 1] (64-byte
 * aligned, see eyt_find) | sorted_id[max] | eyt_id[max + 1].
 */
size_t memslot_table_storage_size(u32 max_slots)
{
	size_t n = max_slots;

	return ALIGN_UP(n * (sizeof(struct memslot) + sizeof(gfn_t)) + 64 +
			    (n + 1) * sizeof(gfn_t) + n * sizeof(u16) +
			    (n + 1) * sizeof(u16),
			(size_t)8);
}

int memslot_table_init(struct memslot_table *t, void *storage, u32 max_slots,
		       u64 pool_size, gpa_t gpa_limit)
{
	u8 *p = storage;

	if (!max_slots || max_slots > MEMSLOT_MAX_SLOTS || !storage ||
	    !IS_ALIGNED((uintptr_t)storage, 8))
		return -EINVAL;
	if (!IS_ALIGNED(pool_size, PAGE_SIZE) ||
	    !IS_ALIGNED(gpa_limit, PAGE_SIZE) || !gpa_limit)
		return -EINVAL;
	mem_set(t, 0, sizeof(*t));
	mem_set(storage, 0, memslot_table_storage_size(max_slots));
	t->slots = (struct memslot *)p;
	p += (size_t)max_slots * sizeof(struct memslot);
	t->sorted_base = (gfn_t *)p;
	p += (size_t)max_slots * sizeof(gfn_t);
	p = (u8 *)ALIGN_UP((uintptr_t)p, 64);
	t->eyt_base = (gfn_t *)p;
	p += ((size_t)max_slots + 1) * sizeof(gfn_t);
	t->sorted_id = (u16 *)p;
	p += (size_t)max_slots * sizeof(u16);
	t->eyt_id = (u16 *)p;
	t->max_slots = max_slots;
	t->pool_size = pool_size;
	t->gpa_limit = gpa_limit;
	return 0;
}

/* Request checks common to every kind, in KVM's order (docs/memslots.md). */
static int check_region_format(const struct memslot_table *t,
			       const struct memslot_region *r)
{
	if (r->flags & ~MEM_VALID_FLAGS)
		return -EINVAL;
	if (!IS_ALIGNED(r->size, PAGE_SIZE) || !IS_ALIGNED(r->gpa, PAGE_SIZE) ||
	    !IS_ALIGNED(r->pool_offset, PAGE_SIZE))
		return -EINVAL;
	if (r->slot >= t->max_slots)
		return -EINVAL;
	if (r->gpa + r->size < r->gpa)
		return -EINVAL;
	return 0;
}

/* Classify a non-delete request on the existing slot @old. */
static int classify_change(const struct memslot *old,
			   const struct memslot_region *r,
			   struct memslot_change *c)
{
	if (!old->npages) {
		c->kind = MEMSLOT_CHANGE_CREATE;
		return 0;
	}
	if (c->new_npages != old->npages ||
	    r->pool_offset != old->pool_offset ||
	    ((r->flags ^ old->flags) & MEM_READONLY))
		return -EINVAL;
	if (c->new_gfn != old->base_gfn)
		c->kind = MEMSLOT_CHANGE_MOVE;
	else if (r->flags != old->flags)
		c->kind = MEMSLOT_CHANGE_FLAGS;
	else
		c->kind = MEMSLOT_CHANGE_NONE;
	return 0;
}

/* Dirty-bitmap ownership: taken when logging starts, released when it ends. */
static int plan_dirty_bitmap(const struct memslot *old,
			     const struct memslot_region *r,
			     struct memslot_change *c)
{
	bool was = old->npages && memslot_dirty_logging(old);
	bool will =
	    (r->flags & MEM_LOG_DIRTY_PAGES) && !(r->flags & MEM_READONLY);

	if (will && !was) {
		if (!r->dirty_bitmap)
			return -ENOMEM;
		c->dirty_bitmap_taken = true;
		c->dirty_bitmap_new = r->dirty_bitmap;
	} else if (was && !will) {
		c->dirty_bitmap_released = old->dirty_bitmap;
	}
	return 0;
}

static void plan_delete(const struct memslot_table *t,
			const struct memslot *old, struct memslot_change *c)
{
	c->kind = MEMSLOT_CHANGE_DELETE;
	c->old_gfn = old->base_gfn;
	c->old_npages = old->npages;
	c->old_flags = old->flags;
	c->pool_offset = old->pool_offset;
	c->dirty_bitmap_released = old->dirty_bitmap;
	c->spp_map_released = old->spp_map;
	c->generation_after = t->generation + 1;
}

int memslot_set_prepare(struct memslot_table *t, const struct memslot_region *r,
			struct memslot_change *c)
{
	const struct memslot *old;
	int err;

	mem_set(c, 0, sizeof(*c));
	c->slot = r->slot;
	c->generation_before = t->generation;
	c->generation_after = t->generation;
	c->table_seq = t->seq;
	err = check_region_format(t, r);
	if (err)
		return err;
	old = &t->slots[r->slot];
	if (old->npages && memslot_locked(old))
		return -EBUSY;
	if (!r->size) {
		if (!old->npages)
			return -EINVAL;
		plan_delete(t, old, c);
		return 0;
	}
	if (r->pool_offset > t->pool_size ||
	    r->size > t->pool_size - r->pool_offset)
		return -EINVAL;
	if (r->gpa + r->size > t->gpa_limit)
		return -EINVAL;
	c->new_gfn = gpa_to_gfn(r->gpa);
	c->new_npages = r->size >> PAGE_SHIFT;
	c->new_flags = r->flags;
	c->pool_offset = r->pool_offset;
	err = classify_change(old, r, c);
	if (err)
		return err;
	if ((c->kind == MEMSLOT_CHANGE_CREATE ||
	     c->kind == MEMSLOT_CHANGE_MOVE) &&
	    memslot_index_overlaps(t, c->new_gfn, c->new_npages, r->slot))
		return -EEXIST;
	err = plan_dirty_bitmap(old, r, c);
	if (err)
		return err;
	if (old->npages) {
		c->old_gfn = old->base_gfn;
		c->old_npages = old->npages;
		c->old_flags = old->flags;
	}
	if (c->kind != MEMSLOT_CHANGE_NONE)
		c->generation_after = t->generation + 1;
	return 0;
}

static void commit_slot(struct memslot_table *t, const struct memslot_change *c)
{
	struct memslot *s = &t->slots[c->slot];

	switch (c->kind) {
	case MEMSLOT_CHANGE_CREATE:
		s->id = (u16)c->slot;
		s->base_gfn = c->new_gfn;
		s->npages = c->new_npages;
		s->pool_offset = c->pool_offset;
		s->flags = c->new_flags;
		memslot_index_insert(t, s);
		break;
	case MEMSLOT_CHANGE_DELETE:
		memslot_index_remove(t, s);
		mem_set(s, 0, sizeof(*s));
		break;
	case MEMSLOT_CHANGE_MOVE:
		memslot_index_remove(t, s);
		s->base_gfn = c->new_gfn;
		s->flags = c->new_flags;
		memslot_index_insert(t, s);
		break;
	case MEMSLOT_CHANGE_FLAGS:
		s->flags = c->new_flags;
		break;
	case MEMSLOT_CHANGE_NONE:
		break;
	}
}

void memslot_set_commit(struct memslot_table *t, const struct memslot_change *c)
{
	struct memslot *s = &t->slots[c->slot];

	BUG_ON(c->table_seq != t->seq || c->generation_before != t->generation);
	if (c->kind == MEMSLOT_CHANGE_NONE)
		return;
	commit_slot(t, c);
	if (c->kind != MEMSLOT_CHANGE_FLAGS)
		memslot_index_rebuild(t);
	if (c->kind != MEMSLOT_CHANGE_DELETE) {
		if (c->dirty_bitmap_taken) {
			s->dirty_bitmap = c->dirty_bitmap_new;
			mem_set(s->dirty_bitmap, 0,
				memslot_dirty_bitmap_words(s->npages) *
				    sizeof(u64));
		} else if (c->dirty_bitmap_released) {
			s->dirty_bitmap = NULL;
		}
	}
	t->generation = c->generation_after;
	t->seq++;
}

int memslot_set(struct memslot_table *t, const struct memslot_region *r,
		struct memslot_change *c)
{
	int err = memslot_set_prepare(t, r, c);

	if (!err)
		memslot_set_commit(t, c);
	return err;
}

/* The used slot @id, or NULL with *err = -EINVAL (range) / -ENOENT (unused). */
static struct memslot *slot_by_id(const struct memslot_table *t, u32 id,
				  int *err)
{
	if (id >= t->max_slots) {
		*err = -EINVAL;
		return NULL;
	}
	if (!t->slots[id].npages) {
		*err = -ENOENT;
		return NULL;
	}
	return &t->slots[id];
}

int memslot_lock_check(const struct memslot_table *t, u32 id, u32 mode)
{
	const struct memslot *s;
	int err = 0;

	if (mode != MEMSLOT_LOCK_READ &&
	    mode != (MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE))
		return -EINVAL;
	s = slot_by_id(t, id, &err);
	if (!s)
		return err;
	if ((mode & MEMSLOT_LOCK_WRITE) && memslot_readonly(s))
		return -EPERM;
	if (memslot_locked(s))
		return -EBUSY;
	return 0;
}

int memslot_lock(struct memslot_table *t, u32 id, u32 mode)
{
	int err = memslot_lock_check(t, id, mode);

	if (err)
		return err;
	t->slots[id].lock = (u8)mode;
	t->nlocked++;
	t->seq++;
	return 0;
}

int memslot_unlock(struct memslot_table *t, u32 id)
{
	struct memslot *s;
	int err = 0;

	if (id == MEMSLOT_UNLOCK_ALL)
		return (int)memslot_unlock_all(t);
	s = slot_by_id(t, id, &err);
	if (!s)
		return err;
	if (!memslot_locked(s))
		return -EINVAL;
	s->lock = MEMSLOT_UNLOCKED;
	t->nlocked--;
	t->seq++;
	return 0;
}

u32 memslot_unlock_all(struct memslot_table *t)
{
	u32 n = t->nlocked;

	for (u32 i = 0; i < t->nslots && t->nlocked; i++) {
		struct memslot *s = &t->slots[t->sorted_id[i]];

		if (memslot_locked(s)) {
			s->lock = MEMSLOT_UNLOCKED;
			t->nlocked--;
		}
	}
	BUG_ON(t->nlocked);
	if (n)
		t->seq++;
	return n;
}

int memslot_get_dirty_log(struct memslot_table *t, u32 id, u64 *out)
{
	const struct memslot *s;
	int err = 0;
	u64 words;

	s = slot_by_id(t, id, &err);
	if (!s)
		return err;
	if (!(s->flags & MEM_LOG_DIRTY_PAGES))
		return -ENOENT;
	words = memslot_dirty_bitmap_words(s->npages);
	if (!memslot_dirty_logging(s)) {
		mem_set(out, 0, words * sizeof(u64));
		return 0;
	}
	/* Exchange word by word: concurrent markers lose no bit. */
	for (u64 i = 0; i < words; i++)
		out[i] = __atomic_exchange_n(&s->dirty_bitmap[i], 0,
					     __ATOMIC_RELAXED);
	return 0;
}

int memslot_spp_attach(struct memslot_table *t, u32 id, u32 *maps)
{
	struct memslot *s;
	int err = 0;

	s = slot_by_id(t, id, &err);
	if (!s)
		return err;
	if (!maps)
		return -EINVAL;
	if (s->spp_map)
		return -EEXIST;
	for (u64 i = 0; i < s->npages; i++)
		maps[i] = MEMSLOT_SPP_FULL_ACCESS;
	s->spp_map = maps;
	t->seq++;
	return 0;
}
