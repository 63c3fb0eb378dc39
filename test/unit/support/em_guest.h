/* SPDX-License-Identifier: MIT */
/*
 * The guest side of the emulator tests' callbacks (struct em_ops): the
 * register callbacks over a test's GPR and vector arrays, found through
 * ctx->opaque (a struct em_regs), the page fault a memory callback raises
 * and the compare-and-exchange on guest bytes that every cmpxchg_mem
 * callback ends in. A register number past 15 or a vector length other
 * than 16 or 32 is an emulator bug: it aborts.
 */
#ifndef MICA_TEST_EM_GUEST_H
#define MICA_TEST_EM_GUEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/emulate/insn_emulate.h"

struct em_regs {
	u64 *gpr;	     /* [16]: RAX..R15 */
	u8 (*vec)[32];	     /* [16]: YMM0-15, NULL without vector callbacks */
	unsigned gpr_writes; /* write_gpr calls */
};

static inline struct em_regs *em_regs_of(struct em_ctx *ctx, unsigned reg)
{
	if (reg >= 16) {
		fprintf(stderr, "em_regs: register %u\n", reg);
		abort();
	}
	return ctx->opaque;
}

static inline u64 em_regs_read_gpr(struct em_ctx *ctx, unsigned reg)
{
	return em_regs_of(ctx, reg)->gpr[reg];
}

static inline void em_regs_write_gpr(struct em_ctx *ctx, unsigned reg, u64 val)
{
	struct em_regs *r = em_regs_of(ctx, reg);

	r->gpr[reg] = val;
	r->gpr_writes++;
}

static inline u8 *em_regs_vec(struct em_ctx *ctx, unsigned reg, unsigned len)
{
	if (len != 16 && len != 32) {
		fprintf(stderr, "em_regs: vector length %u\n", len);
		abort();
	}
	return em_regs_of(ctx, reg)->vec[reg];
}

static inline void em_regs_read_vec(struct em_ctx *ctx, unsigned reg, void *buf,
				    unsigned len)
{
	memcpy(buf, em_regs_vec(ctx, reg, len), len);
}

/* zero_upper (VEX) clears the bytes above len; legacy SSE keeps them. */
static inline void em_regs_write_vec(struct em_ctx *ctx, unsigned reg,
				     const void *buf, unsigned len,
				     bool zero_upper)
{
	u8 *v = em_regs_vec(ctx, reg, len);

	memcpy(v, buf, len);
	if (zero_upper)
		memset(v + len, 0, 32 - len);
}

/* Fail an access with #PF(ec) at la, as for a page that is not mapped. */
static inline enum em_mem_result em_page_fault(struct em_ctx *ctx, gva_t la,
					       u32 ec)
{
	ctx->exc = (struct em_exception){.vector = EM_VEC_PF,
					 .has_error_code = true,
					 .error_code = ec,
					 .cr2 = la};
	return EM_MEM_EXCEPTION;
}

/*
 * Compare-and-exchange size bytes of guest memory at p: store new_val if
 * they equal *old, else copy them into old (struct em_ops.cmpxchg_mem).
 */
static inline void em_cmpxchg_bytes(u8 *p, void *old, const void *new_val,
				    unsigned size, bool *swapped)
{
	*swapped = !memcmp(p, old, size);
	if (*swapped)
		memcpy(p, new_val, size);
	else
		memcpy(old, p, size);
}

#endif /* MICA_TEST_EM_GUEST_H */
