/* SPDX-License-Identifier: MIT */
/*
 * Decode bytes and emulate them once, for the emulator's host tests:
 * em_test_run(), and EM_RUN(in, ctx, mode, bytes...) over a byte list.
 */
#ifndef MICA_TEST_UNIT_SUPPORT_EM_RUN_H
#define MICA_TEST_UNIT_SUPPORT_EM_RUN_H

#include "test/unit/support/tap.h"
#include "vmm/emulate/insn_emulate.h"
#include "vmm/insn/insn.h"

/* -1 (as an em_result) when the bytes do not decode. */
static inline enum em_result em_test_run(struct insn *in, struct em_ctx *ctx,
					 enum insn_mode mode, const u8 *b,
					 size_t n)
{
	int rc = insn_decode(in, b, n, mode);

	if (rc != INSN_OK) {
		tap_diag("decode failed: %s", insn_status_name(rc));
		return (enum em_result) - 1;
	}
	return insn_emulate(ctx, in);
}

#define EM_RUN(in, ctx, mode, ...)                                             \
	({                                                                     \
		static const u8 b_[] = {__VA_ARGS__};                          \
		em_test_run(&(in), &(ctx), mode, b_, sizeof(b_));              \
	})

#endif /* MICA_TEST_UNIT_SUPPORT_EM_RUN_H */
