/* SPDX-License-Identifier: MIT */
/*
 * The input of a libFuzzer harness as a stream of little-endian fields,
 * read front to back. Past its end every byte reads 0, so any input, the
 * empty one included, is a complete script of operations.
 */
#ifndef MICA_TEST_FUZZ_INPUT_H
#define MICA_TEST_FUZZ_INPUT_H

#include <stddef.h>

#include "mm/base/types.h"

struct fuzz_input {
	const u8 *p;
	size_t n; /* bytes left */
};

/* The next bytes (at most 8) of in as a little-endian number. */
static inline u64 fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	u64 v = 0;

	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (u64)*in->p << (8 * i);
	return v;
}

#endif /* MICA_TEST_FUZZ_INPUT_H */
