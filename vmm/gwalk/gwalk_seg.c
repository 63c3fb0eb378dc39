/* SPDX-License-Identifier: MIT */
/*
 * Segmentation for the emulator: linear-address formation from a segment
 * cache with the limit and type checks of protected mode (SDM Vol 3A 5.3,
 * 5.4) and the canonical checks of 64-bit mode (SDM Vol 3A 3.3.7.1, Vol 1
 * 3.3.7.1). Violations become #GP(0), or #SS(0) when SS is the segment.
 */
#include "vmm/gwalk/gwalk.h"
#include "mm/base/errno.h"

static int gwalk_seg_fault(enum gwalk_seg_reg reg, struct gwalk_fault *f)
{
	f->vector = reg == GWALK_SEG_SS ? GWALK_VEC_SS : GWALK_VEC_GP;
	f->error_code = 0;
	f->cr2 = 0;
	return -EFAULT;
}

/*
 * SDM 5.4 / 3.4.5.1: writes need a writable data segment; reads of a code
 * segment need the readable bit; fetches need a code segment.
 */
static bool gwalk_seg_type_ok(u32 ar, u32 acc)
{
	bool code = ar & GWALK_AR_TYPE_C;

	if (acc & GWALK_ACC_FETCH)
		return code;
	if (acc & GWALK_ACC_WRITE)
		return !code && (ar & GWALK_AR_TYPE_W);
	return !code || (ar & GWALK_AR_TYPE_W);
}

/*
 * SDM 5.3: expand-up segments allow offsets 0..limit; expand-down data
 * segments allow limit+1 .. 0xFFFF or 0xFFFFFFFF (by the B flag).
 */
static bool gwalk_seg_limit_ok(u32 ar, u32 limit, u64 ea, u32 size,
			       bool check_type)
{
	u64 last = ea + size - 1;
	bool expand_down =
	    check_type && !(ar & GWALK_AR_TYPE_C) && (ar & GWALK_AR_TYPE_E);

	if (!expand_down)
		return last <= limit;
	return ea > limit &&
	       last <= ((ar & GWALK_AR_DB) ? 0xffffffffu : 0xffffu);
}

int gwalk_seg_linear(enum gwalk_seg_mode mode, bool la57,
		     enum gwalk_seg_reg reg, const struct gwalk_seg *seg,
		     u64 ea, u32 size, u32 acc, gva_t *la,
		     struct gwalk_fault *f)
{
	BUG_ON(size == 0);
	if (mode == GWALK_SEG_LONG) {
		unsigned bits = la57 ? 57 : 48;
		u64 base = (reg == GWALK_SEG_FS || reg == GWALK_SEG_GS)
			       ? seg->base
			       : 0;
		gva_t first = base + ea;

		if (!gwalk_is_canonical(first, bits) ||
		    !gwalk_is_canonical(first + size - 1, bits))
			return gwalk_seg_fault(reg, f);
		*la = first;
		return 0;
	}
	if (mode == GWALK_SEG_PROT) {
		if ((seg->ar & GWALK_AR_UNUSABLE) ||
		    !gwalk_seg_type_ok(seg->ar, acc))
			return gwalk_seg_fault(reg, f);
	}
	/* Real and virtual-8086 mode check the cached limit, not the type. */
	if (!gwalk_seg_limit_ok(seg->ar, seg->limit, ea, size,
				mode == GWALK_SEG_PROT))
		return gwalk_seg_fault(reg, f);
	*la = (seg->base + ea) & 0xffffffffu;
	return 0;
}
