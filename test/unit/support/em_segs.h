/* SPDX-License-Identifier: MIT */
/*
 * Segment caches for the emulator tests, in the VMCS access-rights format
 * (SDM Vol. 3C 24.4.1): the flat segments an operating system gives user
 * code, base 0 and limit 4 GiB - 1.
 */
#ifndef MICA_TEST_EM_SEGS_H
#define MICA_TEST_EM_SEGS_H

#include "vmm/emulate/insn_emulate.h"

/* Present, S = 1, DPL 3, accessed; code: execute/read; data: read/write. */
#define EM_TEST_AR_CODE (GWALK_AR_P | GWALK_AR_S | (3u << 5) | 0xbu)
#define EM_TEST_AR_DATA (GWALK_AR_P | GWALK_AR_S | (3u << 5) | 0x3u)

/*
 * Flat segments for code of mode: CS with L = 1 (64-bit), D = 1 (32-bit)
 * or D = 0 (16-bit); the data segments' B flag follows D, so the stack is
 * as wide as the code.
 */
static inline void em_test_flat_segs(struct em_ctx *ctx, enum insn_mode mode)
{
	u32 db = mode == INSN_MODE_32 ? GWALK_AR_DB : 0;
	u32 l = mode == INSN_MODE_64 ? GWALK_AR_L : 0;

	for (unsigned s = 0; s < 6; s++) {
		ctx->seg[s].base = 0;
		ctx->seg[s].limit = 0xffffffffu;
		ctx->seg[s].ar =
		    GWALK_AR_G | db |
		    (s == INSN_SEG_CS ? EM_TEST_AR_CODE | l : EM_TEST_AR_DATA);
	}
}

#endif /* MICA_TEST_EM_SEGS_H */
