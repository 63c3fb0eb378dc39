/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the instruction decoder. Input: one mode byte
 * (low two bits: 16/32/64-bit) followed by the instruction bytes. The
 * decoder reads from a heap copy of exactly the given size, so ASan traps
 * any overread. Invariants: length <= 15 and within the input on success;
 * every shorter prefix of the input either needs more bytes or decodes
 * to exactly the same result; insn_format stays within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/insn/insn.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static int decode_copy(struct insn *in, const uint8_t *b, size_t n,
		       enum insn_mode mode)
{
	uint8_t *p = malloc(n ? n : 1);
	int rc;

	if (n)
		memcpy(p, b, n);
	rc = insn_decode(in, p, n, mode);
	free(p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum insn_mode modes[4] = {INSN_MODE_64, INSN_MODE_32,
						INSN_MODE_16, INSN_MODE_64};
	struct insn full, part;
	enum insn_mode mode;
	char text[96];
	size_t k;
	int rc, rk;

	if (size < 1)
		return 0;
	mode = modes[data[0] & 3];
	data++;
	size--;
	rc = decode_copy(&full, data, size, mode);
	check(rc == INSN_OK || rc == INSN_E_MORE || rc == INSN_E_TOO_LONG ||
	      rc == INSN_E_LOCK || rc == INSN_E_UNDEF || rc == INSN_E_MODE);
	if (rc == INSN_OK) {
		check(full.len >= 1 && full.len <= INSN_MAX_LEN);
		check(full.len <= size);
		check(memcmp(full.raw, data, full.len) == 0);
	}
	if (rc == INSN_E_MORE)
		check(size < INSN_MAX_LEN);
	check(insn_format(&full, text, sizeof(text)) < sizeof(text));
	for (k = 0; k < size && k <= INSN_MAX_LEN; k++) {
		rk = decode_copy(&part, data, k, mode);
		if (rk == INSN_E_MORE)
			continue;
		check(rk == rc);
		if (rk == INSN_OK)
			check(memcmp(&part, &full, sizeof(part)) == 0);
	}
	return 0;
}
