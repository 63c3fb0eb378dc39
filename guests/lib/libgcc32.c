/* SPDX-License-Identifier: MIT */
/*
 * 64-bit division for 32-bit guests: the compiler calls these for u64 / and
 * % on i386, and guests link no libgcc. Shift-and-subtract, exact.
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	for (int i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ULL << i;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;

	__udivmoddi4(n, d, &r);
	return r;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t q = __udivdi3(n < 0 ? -(uint64_t)n : (uint64_t)n,
			       d < 0 ? -(uint64_t)d : (uint64_t)d);

	return (n < 0) != (d < 0) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r = __umoddi3(n < 0 ? -(uint64_t)n : (uint64_t)n,
			       d < 0 ? -(uint64_t)d : (uint64_t)d);

	return n < 0 ? -(int64_t)r : (int64_t)r;
}
