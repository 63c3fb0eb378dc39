/* SPDX-License-Identifier: MIT */
/*
 * The instructions mica's emulator completes by setting RIP to a target
 * rather than to RIP + length: near CALL/JMP/RET (E8, E9, EB, C2, C3,
 * FF /2, FF /4) and far CALL/JMP through memory (FF /3, FF /5). For the
 * fuzzers' "RIP moves by the instruction's length" rules.
 */
#ifndef MICA_TEST_UNIT_SUPPORT_INSN_BRANCH_H
#define MICA_TEST_UNIT_SUPPORT_INSN_BRANCH_H

#include "vmm/insn/insn.h"

static inline bool insn_is_branch(const struct insn *in)
{
	u8 op = in->opcode, reg = in->modrm.reg & 7;

	return in->enc == INSN_ENC_LEGACY && in->map == INSN_MAP_1B &&
	       (op == 0xe8 || op == 0xe9 || op == 0xeb || op == 0xc2 ||
		op == 0xc3 || (op == 0xff && reg >= 2 && reg <= 5));
}

#endif /* MICA_TEST_UNIT_SUPPORT_INSN_BRANCH_H */
