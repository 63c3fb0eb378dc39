/* SPDX-License-Identifier: MIT */
/*
 * The one pseudo-random generator of the host tests, fuzz helpers and
 * benchmarks: xorshift64* (Vigna, "An experimental exploration of
 * Marsaglia's xorshift generators, scrambled", 2016), one struct rng per
 * independent stream. A random test takes its seed from MICA_SEED
 * (rng_seed_env: make test passes a fixed one, make test-long a new one)
 * and prints it, so MICA_SEED=<seed> replays the run; MICA_ITERS and the
 * other knobs are read with env_u64.
 */
#ifndef MICA_TEST_RNG_H
#define MICA_TEST_RNG_H

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mm/base/types.h"

struct rng {
	u64 s; /* never 0 */
};

/*
 * splitmix64's finaliser, a 64-bit hash: for values that must be a function
 * of their inputs rather than the next draw of a stream (the bytes a device
 * model returns for an address).
 */
static inline u64 rng_hash(u64 x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * Seed r. Any value will do, 0 included: the seed is hashed first, so
 * nearby seeds (seed, seed ^ 1) start far apart.
 */
static inline void rng_seed(struct rng *r, u64 seed)
{
	r->s = rng_hash(seed + 0x9e3779b97f4a7c15ULL);
	if (!r->s)
		r->s = 1;
}

/* The next 64 random bits. */
static inline u64 rng_next(struct rng *r)
{
	u64 x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A value in [0, n), from the high bits (Lemire's multiply); 0 if n is 0. */
static inline u64 rng_below(struct rng *r, u64 n)
{
	return (u64)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Environment variable name as a number (any base strtoull reads), or
 * dflt when it is unset or empty. */
static inline u64 env_u64(const char *name, u64 dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

/* A seed for a test with no fixed default: the time and the process. */
static inline u64 rng_clock_seed(void)
{
	return (u64)time(NULL) ^ ((u64)getpid() << 32);
}

/* Seed r from MICA_SEED, or dflt; returns the seed, for the test to print. */
static inline u64 rng_seed_env(struct rng *r, u64 dflt)
{
	u64 seed = env_u64("MICA_SEED", dflt);

	rng_seed(r, seed);
	return seed;
}

#endif /* MICA_TEST_RNG_H */
