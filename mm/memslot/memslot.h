/* SPDX-License-Identifier: MIT */
/*
 * Memslot table: the per-VM map from guest-physical ranges to offsets in the
 * VM's memory pool, with the KVM_SET_USER_MEMORY_REGION semantics of
 * docs/design.md section 3 (create, delete, move, flag toggle), lock state,
 * per-slot dirty-bitmap and SPP access-map storage, and a generation counter.
 * Pure: the table lives in caller-provided storage; docs/memslots.md is the
 * full contract, including every error code.
 */
#ifndef MICA_MM_MEMSLOT_MEMSLOT_H
#define MICA_MM_MEMSLOT_MEMSLOT_H

#include "mm/base/types.h"

/* Slot flags, values as KVM_MEM_LOG_DIRTY_PAGES and KVM_MEM_READONLY. */
#define MEM_LOG_DIRTY_PAGES BIT(0)
#define MEM_READONLY	    BIT(1)
#define MEM_VALID_FLAGS	    (MEM_LOG_DIRTY_PAGES | MEM_READONLY)

/* Lock modes for memslot_lock(): READ, or READ | WRITE. */
#define MEMSLOT_LOCK_READ  BIT(0)
#define MEMSLOT_LOCK_WRITE BIT(1)

/* Slot ids are 0 .. max_slots - 1; max_slots is at most this (KVM's value). */
#define MEMSLOT_MAX_SLOTS 32764u
/* Slot argument of memslot_unlock() meaning every locked slot. */
#define MEMSLOT_UNLOCK_ALL 0xFFFFFFFFu
/* Initial SPP access map of a page: every 128-byte subpage writable. */
#define MEMSLOT_SPP_FULL_ACCESS 0xFFFFFFFFu

enum memslot_lock_state {
	MEMSLOT_UNLOCKED = 0,
	MEMSLOT_LOCKED_R = MEMSLOT_LOCK_READ,
	MEMSLOT_LOCKED_RW = MEMSLOT_LOCK_READ | MEMSLOT_LOCK_WRITE,
};

/*
 * One slot. Written only by memslot*.c, read by anyone; npages == 0 means
 * unused. dirty_bitmap holds one bit per page (bit i of word i / 64 = page
 * base_gfn + i) and is present iff memslot_dirty_logging(); spp_map holds one
 * u32 access map per page when SPP storage is attached, else NULL.
 */
struct memslot {
	gfn_t base_gfn;
	u64 npages;
	u64 pool_offset; /* bytes from the start of the VM's pool */
	u64 *dirty_bitmap;
	u32 *spp_map;
	u32 flags; /* MEM_* */
	u16 id;
	u8 lock; /* enum memslot_lock_state */
	u8 reserved;
};

/*
 * The table. Fields are private to memslot*.c; use the accessors. All storage
 * comes from the caller (memslot_table_init). Changes (set, lock, unlock,
 * SPP attach) must be serialised by the caller and exclude lookups; lookups
 * may run concurrently with each other (the last-hit cache is written with
 * relaxed atomics).
 */
struct memslot_table {
	struct memslot *slots; /* indexed by slot id */
	gfn_t *sorted_base;    /* base gfn of each used slot, ascending */
	u16 *sorted_id;	       /* slot id of sorted_base[i] */
	gfn_t *eyt_base;       /* sorted_base in Eytzinger order, from [1] */
	u16 *eyt_id;	       /* slot id of eyt_base[k] */
	u64 generation;
	u64 seq;	 /* bumped by every mutation, generation or not */
	u64 pool_size;	 /* bytes */
	gpa_t gpa_limit; /* exclusive: every slot ends at or below it */
	u32 max_slots;
	u32 nslots;
	u32 last_hit; /* slot id of the last successful lookup */
	u32 nlocked;
};

/* Arguments of set_memory_region (KVM_SET_USER_MEMORY_REGION layout). */
struct memslot_region {
	u32 slot;
	u32 flags;
	gpa_t gpa;
	u64 size;	 /* bytes; 0 deletes */
	u64 pool_offset; /* bytes */
	/*
	 * Storage for the dirty bitmap, memslot_dirty_bitmap_words(size >> 12)
	 * u64 words, used only when the change starts dirty logging (see
	 * struct memslot_change.dirty_bitmap_taken); may be NULL otherwise.
	 */
	u64 *dirty_bitmap;
};

enum memslot_change_kind {
	MEMSLOT_CHANGE_NONE = 0, /* identical to the existing slot: no-op */
	MEMSLOT_CHANGE_CREATE,
	MEMSLOT_CHANGE_DELETE,
	MEMSLOT_CHANGE_MOVE,  /* new gpa, same size and pool offset */
	MEMSLOT_CHANGE_FLAGS, /* same range, LOG_DIRTY_PAGES toggled */
};

/*
 * What a set_memory_region call changes, filled by memslot_set_prepare().
 * old_* describe the slot before (npages 0 on create), new_* after (npages 0
 * on delete). What the EPT layer has to do per kind:
 *   CREATE  nothing mapped yet; MMIO entries cached in [new) are stale
 *           through the generation bump (or zap [new) eagerly).
 *   DELETE  zap [old).
 *   MOVE    zap [old); [new) as for CREATE.
 *   FLAGS   same range; LOG_DIRTY_PAGES switched on (write-protect / split
 *           [old)) or off (large leaves may be rebuilt).
 *   NONE    nothing; the generation is not bumped.
 */
struct memslot_change {
	enum memslot_change_kind kind;
	u32 slot;
	gfn_t old_gfn;
	u64 old_npages;
	u32 old_flags;
	u32 new_flags;
	gfn_t new_gfn;
	u64 new_npages;
	u64 pool_offset;
	/* Generation the table has now (prepare) and will have (commit). */
	u64 generation_before;
	u64 generation_after;
	/* The request's dirty_bitmap becomes the slot's (caller must not free). */
	bool dirty_bitmap_taken;
	/* Storage the slot no longer references after commit (caller frees). */
	u64 *dirty_bitmap_released;
	u32 *spp_map_released;
	/* Internal: carried from prepare to commit. */
	u64 *dirty_bitmap_new;
	u64 table_seq;
};

/* Bytes of caller storage memslot_table_init() needs for max_slots slots. */
size_t memslot_table_storage_size(u32 max_slots);

/*
 * Initialise @t on @storage (memslot_table_storage_size(max_slots) bytes,
 * 8-byte aligned, contents irrelevant). @pool_size: bytes in the VM's pool;
 * @gpa_limit: exclusive upper bound of guest-physical addresses a slot may
 * cover (e.g. 1 << MAXPHYADDR). Returns 0, or -EINVAL if max_slots is 0 or
 * above MEMSLOT_MAX_SLOTS, the storage is misaligned, pool_size or gpa_limit
 * is not page aligned or gpa_limit is 0.
 */
int __must_check memslot_table_init(struct memslot_table *t, void *storage,
				    u32 max_slots, u64 pool_size,
				    gpa_t gpa_limit);

/*
 * Validate a set_memory_region request against @t without changing anything
 * and describe the change in @c. Returns 0 (then memslot_set_commit(@t, @c)
 * cannot fail), or the negative errno documented in docs/memslots.md:
 * -EINVAL (flags, id, alignment, overflow, pool bounds, gpa limit, size/pool
 * offset/READONLY change, delete of a nonexistent slot), -EBUSY (slot is
 * locked), -EEXIST (overlap), -ENOMEM (dirty logging starts and the request
 * carries no bitmap storage).
 */
int __must_check memslot_set_prepare(struct memslot_table *t,
				     const struct memslot_region *r,
				     struct memslot_change *c);

/*
 * Apply a change that memslot_set_prepare() accepted, with no other change to
 * @t in between (lock, unlock and SPP attach included: BUG_ON otherwise). Bumps the
 * generation unless c->kind is MEMSLOT_CHANGE_NONE.
 */
void memslot_set_commit(struct memslot_table *t,
			const struct memslot_change *c);

/* prepare + commit in one call; on error nothing changed. */
int __must_check memslot_set(struct memslot_table *t,
			     const struct memslot_region *r,
			     struct memslot_change *c);

/*
 * Lock slot @id in @mode (MEMSLOT_LOCK_READ, or with MEMSLOT_LOCK_WRITE).
 * Returns 0; -EINVAL bad id or mode; -ENOENT no such slot; -EPERM WRITE on a
 * read-only slot; -EBUSY already locked. memslot_lock_check() validates only.
 * Locking does not change the generation (the GPA map is unchanged).
 */
int __must_check memslot_lock_check(const struct memslot_table *t, u32 id,
				    u32 mode);
int __must_check memslot_lock(struct memslot_table *t, u32 id, u32 mode);

/*
 * Unlock slot @id: returns 0; -EINVAL id out of range or slot not locked;
 * -ENOENT no such slot. @id == MEMSLOT_UNLOCK_ALL unlocks every locked slot
 * and returns how many were locked (0 if none: not an error). Mappings are
 * left in place; the generation is unchanged.
 */
int __must_check memslot_unlock(struct memslot_table *t, u32 id);
u32 memslot_unlock_all(struct memslot_table *t);

/*
 * Lookup by guest frame / address: the slot covering it, or NULL. O(log n)
 * with a last-hit cache (repeated hits in one slot are O(1)).
 */
const struct memslot *memslot_find(struct memslot_table *t, gfn_t gfn);
const struct memslot *memslot_find_gpa(struct memslot_table *t, gpa_t gpa);

/*
 * First slot (in GPA order) that ends above @gfn, i.e. the slot covering @gfn
 * or else the next one above it; NULL if none. For range queries: the gap
 * [gfn, next->base_gfn) is unbacked.
 */
const struct memslot *memslot_find_next(const struct memslot_table *t,
					gfn_t gfn);

/* Slot by id, or NULL if @id is out of range or unused. O(1). */
const struct memslot *memslot_get(const struct memslot_table *t, u32 id);

/*
 * The @i-th slot in ascending GPA order, 0 <= i < memslot_count(t); NULL
 * beyond. For iteration (checker, unlock_all callers).
 */
const struct memslot *memslot_at(const struct memslot_table *t, u32 i);

/*
 * Translate @gpa: returns the covering slot and stores the pool byte offset
 * of @gpa in *@pool_offset; NULL (and *@pool_offset untouched) if unbacked.
 */
const struct memslot *memslot_translate(struct memslot_table *t, gpa_t gpa,
					u64 *pool_offset);

/*
 * Dirty log: copy the slot's bitmap to @out (memslot_dirty_bitmap_words(
 * npages) words) and clear it. Returns 0; -EINVAL bad id; -ENOENT no such
 * slot or LOG_DIRTY_PAGES not set (KVM). A read-only slot with the flag set
 * returns an all-zero log: nothing can dirty it.
 */
int __must_check memslot_get_dirty_log(struct memslot_table *t, u32 id,
				       u64 *out);

/*
 * Attach SPP access-map storage (npages u32) to slot @id, every map set to
 * MEMSLOT_SPP_FULL_ACCESS. Returns 0; -EINVAL bad id; -ENOENT no slot;
 * -EEXIST storage already attached. Detached only by deleting the slot
 * (struct memslot_change.spp_map_released); kept across a move.
 */
int __must_check memslot_spp_attach(struct memslot_table *t, u32 id, u32 *maps);

static inline u64 memslot_generation(const struct memslot_table *t)
{
	return t->generation;
}

static inline u32 memslot_count(const struct memslot_table *t)
{
	return t->nslots;
}

static inline u32 memslot_nlocked(const struct memslot_table *t)
{
	return t->nlocked;
}

static inline u64 memslot_dirty_bitmap_words(u64 npages)
{
	return (npages + 63) / 64;
}

static inline gpa_t memslot_gpa(const struct memslot *s)
{
	return gfn_to_gpa(s->base_gfn);
}

static inline u64 memslot_size(const struct memslot *s)
{
	return s->npages << PAGE_SHIFT;
}

/* One past the last frame of @s. */
static inline gfn_t memslot_end_gfn(const struct memslot *s)
{
	return s->base_gfn + s->npages;
}

static inline bool memslot_contains(const struct memslot *s, gfn_t gfn)
{
	return gfn - s->base_gfn < s->npages;
}

static inline bool memslot_readonly(const struct memslot *s)
{
	return s->flags & MEM_READONLY;
}

/* Dirty logging is in effect: flag set and the slot writable. */
static inline bool memslot_dirty_logging(const struct memslot *s)
{
	return (s->flags & MEM_LOG_DIRTY_PAGES) && !(s->flags & MEM_READONLY);
}

static inline bool memslot_locked(const struct memslot *s)
{
	return s->lock != MEMSLOT_UNLOCKED;
}

/* Pool byte offset of frame @gfn, which @s must contain. */
static inline u64 memslot_gfn_to_pool(const struct memslot *s, gfn_t gfn)
{
	return s->pool_offset + ((gfn - s->base_gfn) << PAGE_SHIFT);
}

/*
 * Record a write to @gfn (contained in @s). No-op unless dirty logging is in
 * effect. Not atomic: callers marking concurrently serialise or use
 * memslot_mark_dirty_atomic().
 */
static inline void memslot_mark_dirty(const struct memslot *s, gfn_t gfn)
{
	u64 i = gfn - s->base_gfn;

	if (memslot_dirty_logging(s))
		s->dirty_bitmap[i / 64] |= BIT(i % 64);
}

static inline void memslot_mark_dirty_atomic(const struct memslot *s, gfn_t gfn)
{
	u64 i = gfn - s->base_gfn;

	if (memslot_dirty_logging(s))
		__atomic_fetch_or(&s->dirty_bitmap[i / 64], BIT(i % 64),
				  __ATOMIC_RELAXED);
}

/* SPP access map of @gfn in @s: full access when no storage is attached. */
static inline u32 memslot_spp_get(const struct memslot *s, gfn_t gfn)
{
	return s->spp_map ? s->spp_map[gfn - s->base_gfn]
			  : MEMSLOT_SPP_FULL_ACCESS;
}

/* Set the SPP map of @gfn; storage must be attached (caller bug otherwise). */
static inline void memslot_spp_set(const struct memslot *s, gfn_t gfn, u32 map)
{
	BUG_ON(!s->spp_map);
	s->spp_map[gfn - s->base_gfn] = map;
}

#endif /* MICA_MM_MEMSLOT_MEMSLOT_H */
