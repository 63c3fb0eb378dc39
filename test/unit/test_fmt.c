/* SPDX-License-Identifier: MIT */
/*
 * Host tests of drivers/fmt: fmt_snprintf must produce the same bytes and
 * the same return value as the host C library's snprintf for every
 * conversion, flag, width, precision and length modifier fmt supports, over
 * an exhaustive grid and seeded random combinations (with '*' arguments and
 * every buffer size down to 0, so truncation is checked too). Combinations
 * the C standard leaves undefined ('#' with d, precision with c...) are left
 * out of the comparison. MICA_SEED / MICA_ITERS override the random part.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/lib/fmt.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

/*
 * The fixed cases pass deliberately odd combinations (an int to %hhd, '0'
 * beside '-'): both implementations must agree on them all the same.
 */
#pragma clang diagnostic ignored "-Wformat"

/* ---------------------------------------------------------------- compare */

static u64 n_cases, n_bad;

static void report(const char *fmt, size_t size, const char *a, int ra,
		   const char *b, int rb)
{
	if (n_bad++ < 10)
		tap_diag("mismatch: \"%s\" size %zu: fmt \"%s\" (%d), libc "
			 "\"%s\" (%d)",
			 fmt, size, a, ra, b, rb);
}

/* Compare both results; x and y hold ra/rb bytes of output when complete. */
static void compare(const char *fmt, size_t size, const char *x, int rx,
		    const char *y, int ry)
{
	size_t n;

	n_cases++;
	if (rx != ry) {
		report(fmt, size, size ? x : "", rx, size ? y : "", ry);
		return;
	}
	if (!size)
		return;
	/* Output bytes plus the terminating NUL (a %c may emit a NUL). */
	n = MIN((size_t)rx, size - 1) + 1;
	if (memcmp(x, y, n))
		report(fmt, size, x, rx, y, ry);
}

#define BUF 600

/* The same call through both implementations, into same-sized buffers. */
#define CHECK_SIZED(size, fmt, ...)                                            \
	do {                                                                   \
		char x_[BUF], y_[BUF];                                         \
		size_t sz_ = (size);                                           \
		int rx_, ry_;                                                  \
		memset(x_, 0x7e, sizeof(x_));                                  \
		memset(y_, 0x7e, sizeof(y_));                                  \
		rx_ = fmt_snprintf(sz_ ? x_ : NULL, sz_, fmt, __VA_ARGS__);    \
		ry_ = snprintf(sz_ ? y_ : NULL, sz_, fmt, __VA_ARGS__);        \
		compare(fmt, sz_, x_, rx_, y_, ry_);                           \
		if (sz_ < BUF && (x_[sz_] != 0x7e))                            \
			report("write past size", sz_, "", 0, "", 0);          \
	} while (0)

#define CHECK(fmt, ...) CHECK_SIZED(BUF, fmt, __VA_ARGS__)

enum len { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J, L_COUNT };
static const char *const len_str[L_COUNT] = {
    [L_NONE] = "", [L_HH] = "hh", [L_H] = "h", [L_L] = "l",
    [L_LL] = "ll", [L_Z] = "z",	  [L_T] = "t", [L_J] = "j",
};

/*
 * Pass v as the type the length modifier names, with 0, 1 or 2 leading int
 * arguments for '*' width/precision.
 */
#define CALL_STARS(size, fmt, nstar, w, p, v)                                  \
	do {                                                                   \
		if ((nstar) == 0)                                              \
			CHECK_SIZED(size, fmt, v);                             \
		else if ((nstar) == 1)                                         \
			CHECK_SIZED(size, fmt, w, v);                          \
		else                                                           \
			CHECK_SIZED(size, fmt, w, p, v);                       \
	} while (0)

static void check_int(size_t size, const char *fmt, enum len len,
		      bool is_signed, u64 raw, int nstar, int w, int p)
{
	switch (len) {
	case L_NONE:
	case L_HH:
	case L_H:
		if (is_signed)
			CALL_STARS(size, fmt, nstar, w, p, (int)raw);
		else
			CALL_STARS(size, fmt, nstar, w, p, (unsigned)raw);
		break;
	case L_L:
		if (is_signed)
			CALL_STARS(size, fmt, nstar, w, p, (long)raw);
		else
			CALL_STARS(size, fmt, nstar, w, p, (unsigned long)raw);
		break;
	case L_LL:
		if (is_signed)
			CALL_STARS(size, fmt, nstar, w, p, (long long)raw);
		else
			CALL_STARS(size, fmt, nstar, w, p,
				   (unsigned long long)raw);
		break;
	case L_Z:
	case L_T:
		if (is_signed)
			CALL_STARS(size, fmt, nstar, w, p, (ptrdiff_t)raw);
		else
			CALL_STARS(size, fmt, nstar, w, p, (size_t)raw);
		break;
	default:
		if (is_signed)
			CALL_STARS(size, fmt, nstar, w, p, (intmax_t)raw);
		else
			CALL_STARS(size, fmt, nstar, w, p, (uintmax_t)raw);
		break;
	}
}

/* ---------------------------------------------------------------- grid */

static const u64 int_values[] = {
    0,
    1,
    (u64)-1,
    7,
    (u64)-7,
    42,
    127,
    128,
    255,
    256,
    (u64)-129,
    32767,
    32768,
    65535,
    65536,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ULL,
    0x123456789abcdefULL,
    0x7fffffffffffffffULL,
    0x8000000000000000ULL,
    0xfedcba9876543210ULL,
};

static const char flag_chars[] = "-0+ #";

/* Build "%<flags><width><prec><len><conv>" into buf. */
static void spec(char *buf, unsigned flags, const char *width, const char *prec,
		 enum len len, char conv)
{
	char *o = buf;

	*o++ = '%';
	for (int i = 0; i < 5; i++)
		if (flags & (1u << i))
			*o++ = flag_chars[i];
	o += sprintf(o, "%s%s%s%c", width, prec, len_str[len], conv);
}

static void test_int_grid(void)
{
	static const char *const widths[] = {"", "1", "6", "21", "30"};
	static const char *const precs[] = {"", ".", ".0", ".1", ".5", ".25"};
	static const char convs[] = "diuxXo";
	u64 before = n_cases, bad0 = n_bad;
	char f[64];

	for (unsigned flags = 0; flags < 32; flags++)
		for (size_t c = 0; c < sizeof(convs) - 1; c++) {
			bool sgn = convs[c] == 'd' || convs[c] == 'i';

			/* '#' with d, i, u is undefined (C11 7.21.6.1p6). */
			if ((flags & 16) && (sgn || convs[c] == 'u'))
				continue;
			for (size_t wi = 0; wi < ARRAY_SIZE(widths); wi++)
				for (size_t pi = 0; pi < ARRAY_SIZE(precs);
				     pi++)
					for (int l = 0; l < L_COUNT; l++) {
						spec(f, flags, widths[wi],
						     precs[pi], l, convs[c]);
						for (size_t v = 0;
						     v < ARRAY_SIZE(int_values);
						     v++)
							check_int(BUF, f, l,
								  sgn,
								  int_values[v],
								  0, 0, 0);
					}
		}
	tap_ok(n_bad == bad0,
	       "integer grid (flags x width x precision x length x d/i/u/x/X/o "
	       "x %zu values): %llu cases, %llu mismatches",
	       ARRAY_SIZE(int_values), (unsigned long long)(n_cases - before),
	       (unsigned long long)(n_bad - bad0));
}

static const char *const strings[] = {
    "",		 "a",
    "hello",	 "hello, world",
    "tab\there", "0123456789012345678901234567890123456789012345678901234567",
};

static void test_str_char_ptr_grid(void)
{
	static const char *const widths[] = {"", "1", "5", "12", "40"};
	static const char *const precs[] = {"", ".", ".0", ".3", ".12"};
	static const int chars[] = {'a', 'Z', ' ', '%', 0x7f, 0xe9, '\n'};
	static const u64 ptrs[] = {0x1, 0x1000, 0xdeadbeef,
				   0xffff800000000000ULL,
				   0xffffffffffffffffULL};
	u64 before = n_cases, bad0 = n_bad;
	char f[64];

	/* flags '-' and '0' (glibc pads c and s with spaces, as we do) */
	for (unsigned flags = 0; flags < 4; flags++)
		for (size_t wi = 0; wi < ARRAY_SIZE(widths); wi++) {
			for (size_t pi = 0; pi < ARRAY_SIZE(precs); pi++) {
				spec(f, flags, widths[wi], precs[pi], L_NONE,
				     's');
				for (size_t s = 0; s < ARRAY_SIZE(strings); s++)
					CHECK(f, strings[s]);
			}
			spec(f, flags, widths[wi], "", L_NONE, 'c');
			for (size_t c = 0; c < ARRAY_SIZE(chars); c++)
				CHECK(f, chars[c]);
		}
	/* %p: glibc prints %#lx and "(nil)"; precision is undefined. */
	for (unsigned flags = 0; flags < 16; flags++)
		for (size_t wi = 0; wi < ARRAY_SIZE(widths); wi++) {
			spec(f, flags, widths[wi], "", L_NONE, 'p');
			for (size_t p = 0; p < ARRAY_SIZE(ptrs); p++)
				CHECK(f, (void *)(uintptr_t)ptrs[p]);
			CHECK(f, (void *)NULL);
		}
	tap_ok(n_bad == bad0, "%%s/%%c/%%p grid: %llu cases, %llu mismatches",
	       (unsigned long long)(n_cases - before),
	       (unsigned long long)(n_bad - bad0));
}

static void test_fixed(void)
{
	u64 before = n_cases, bad0 = n_bad;

	CHECK("%s", "plain text, no conversions");
	CHECK("%d %s %x|%-5c|%%|%p|%5.2s|", -12, "str", 0xabcu, 'q',
	      (void *)0x1234, "abc");
	CHECK("%%%%%d%%", 5);
	CHECK("[%*d] [%-*d] [%*d]", 6, 42, 6, 42, -6, 42);
	CHECK("[%.*d] [%.*d] [%.*s] [%.*s]", 4, 7, -3, 7, 2, "xyz", -1, "xyz");
	CHECK("[%*.*x] [%-*.*o]", 10, 5, 0x1fu, 10, 5, 8u);
	CHECK("%hhd %hhu %hd %hu", 0x1ff, 0x1ff, 0x1ffff, 0x1ffff);
	CHECK("%lld %llu %jd %zd %td", LLONG_MIN, ULLONG_MAX, INTMAX_MIN,
	      (ptrdiff_t)-5, PTRDIFF_MIN);
	CHECK("%d %i %d", INT_MIN, INT_MAX, 0);
	CHECK("%#o %#x %#X %#.0o %#.0x", 0u, 0u, 0u, 0u, 0u);
	CHECK("%+.0d|% .0d|%.0u|%.0x|%5.0d|", 0, 0, 0u, 0u, 0);
	CHECK("%08.3d|%-08d|%+08d|% 08d|%#08x|%#08o", -7, 3, 3, 3, 0x3u, 3u);
	CHECK("%c%c%c", 'a', 0, 'b');
	CHECK("%lu%lx%lo", 123456789012UL, 0xffffffffffUL, 01234567UL);
	tap_ok(n_bad == bad0,
	       "hand-written formats: %llu cases, %llu mismatches",
	       (unsigned long long)(n_cases - before),
	       (unsigned long long)(n_bad - bad0));
}

/* ---------------------------------------------------------------- random */

static struct rng rng;

static u64 random_value(void)
{
	switch (rng_below(&rng, 4)) {
	case 0:
		return int_values[rng_below(&rng, ARRAY_SIZE(int_values))];
	case 1:
		return rng_below(&rng, 1000);
	case 2:
		return (u64) - (s64)rng_below(&rng, 1000);
	default:
		return rng_next(&rng) >> rng_below(&rng, 64);
	}
}

static void random_text(char **o)
{
	static const char *const bits[] = {"",	"x", "ab ", "%%",
					   "[", "]", " = ", "\t"};
	int n = (int)rng_below(&rng, 3);

	for (int i = 0; i < n; i++)
		*o +=
		    sprintf(*o, "%s", bits[rng_below(&rng, ARRAY_SIZE(bits))]);
}

/*
 * One random conversion with random surrounding text, width and precision
 * given literally or through '*', checked at a random buffer size.
 */
static void random_case(void)
{
	static const char convs[] = "diuxXoscp";
	char f[96], *o = f;
	char conv = convs[rng_below(&rng, sizeof(convs) - 1)];
	bool num = strchr("diuxXo", conv) != NULL;
	bool sgn = conv == 'd' || conv == 'i';
	unsigned flags = (unsigned)rng_below(&rng, 32);
	int nstar = 0, w = 0, p = 0;
	enum len len = num ? (enum len)rng_below(&rng, L_COUNT) : L_NONE;
	size_t size;

	if (!num || sgn || conv == 'u')
		flags &= ~16u; /* '#' undefined there */
	if (conv == 's' || conv == 'c')
		flags &= 3u; /* only '-' and '0' are meaningful */
	random_text(&o);
	*o++ = '%';
	for (int i = 0; i < 5; i++)
		if (flags & (1u << i))
			*o++ = flag_chars[i];
	switch (rng_below(&rng, 3)) {
	case 0:
		break;
	case 1:
		o += sprintf(o, "%d", (int)rng_below(&rng, 40));
		break;
	default:
		*o++ = '*';
		w = (int)rng_below(&rng, 81) - 40;
		nstar++;
	}
	if (conv != 'c' && conv != 'p') {
		switch (rng_below(&rng, 3)) {
		case 0:
			break;
		case 1:
			o += sprintf(o, ".%d", (int)rng_below(&rng, 30));
			break;
		default:
			o += sprintf(o, ".*");
			p = (int)rng_below(&rng, 61) - 20;
			if (!nstar)
				w = p; /* the first '*' argument */
			nstar++;
		}
	}
	o += sprintf(o, "%s%c", len_str[len], conv);
	random_text(&o);
	*o = '\0';
	size = rng_below(&rng, 4) == 0 ? BUF : (size_t)rng_below(&rng, 80);

	if (num) {
		check_int(size, f, len, sgn, random_value(), nstar, w, p);
	} else if (conv == 's') {
		const char *s = strings[rng_below(&rng, ARRAY_SIZE(strings))];

		CALL_STARS(size, f, nstar, w, p, s);
	} else if (conv == 'c') {
		int c = (int)(rng_below(&rng, 255) + 1);

		CALL_STARS(size, f, nstar, w, p, c);
	} else {
		void *ptr =
		    (void *)(uintptr_t)(rng_below(&rng, 8) ? random_value()
							   : 0);

		CALL_STARS(size, f, nstar, w, p, ptr);
	}
}

static void test_random(void)
{
	u64 seed = rng_seed_env(&rng, 0x666d74ULL);
	u64 iters = env_u64("MICA_ITERS", 300000);
	u64 before = n_cases, bad0 = n_bad;

	tap_diag("random formats: MICA_SEED=0x%llx MICA_ITERS=%llu",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (u64 i = 0; i < iters; i++)
		random_case();
	tap_ok(n_bad == bad0,
	       "random formats, '*' arguments, buffer sizes 0..79: %llu cases, "
	       "%llu mismatches",
	       (unsigned long long)(n_cases - before),
	       (unsigned long long)(n_bad - bad0));
}

/* ---------------------------------------------------------------- others */

static void test_truncation(void)
{
	const char *fmt = "value=%08x name=%s";
	char full[64], buf[64];
	int n = fmt_snprintf(full, sizeof(full), fmt, 0xbeefu, "mica");
	bool ok = n == (int)strlen(full) && n == 24;

	for (size_t size = 0; size <= (size_t)n + 2; size++) {
		memset(buf, 'Z', sizeof(buf));
		ok = ok && fmt_snprintf(size ? buf : NULL, size, fmt, 0xbeefu,
					"mica") == n;
		if (size) {
			size_t k = MIN(size - 1, (size_t)n);

			ok = ok && !memcmp(buf, full, k) && buf[k] == '\0' &&
			     buf[k + 1] == 'Z';
		}
	}
	tap_ok(ok,
	       "truncation at every size 0..%d: NUL-terminated prefix, "
	       "return value %d, no byte written past size",
	       n + 2, n);
}

static void test_null_string(void)
{
	char buf[32];
	const char *np = NULL;
	bool ok = true;

	ok = ok && fmt_snprintf(buf, sizeof(buf), "[%s]", np) == 8 &&
	     !strcmp(buf, "[(null)]");
	ok = ok && fmt_snprintf(buf, sizeof(buf), "[%8s]", np) == 10 &&
	     !strcmp(buf, "[  (null)]");
	ok = ok && fmt_snprintf(buf, sizeof(buf), "[%-8.3s]", np) == 10 &&
	     !strcmp(buf, "[(nu     ]");
	tap_ok(ok, "%%s of NULL prints \"(null)\", cut by precision");
}

struct sink {
	char buf[128];
	size_t n;
};

static void sink_putc(void *ctx, char c)
{
	struct sink *s = ctx;

	if (s->n < sizeof(s->buf))
		s->buf[s->n] = c;
	s->n++;
}

static void test_callback_and_unknown(void)
{
	struct sink s = {.n = 0};
	char buf[64];
	int n;
	bool ok;

	n = fmt_format(sink_putc, &s, "cpu %u: %s=0x%llx%c", 3u, "cr0",
		       0x80050033ULL, '!');
	ok = n == 22 && s.n == 22 &&
	     !memcmp(s.buf, "cpu 3: cr0=0x80050033!", 22);
	/* Unknown directives are copied verbatim and consume no argument. */
	{
		const char *fmt_unknown = "a%qb %d %";
		const char *fmt_float = "%5.2f|%d";

		n = fmt_snprintf(buf, sizeof(buf), fmt_unknown, 17);
		ok = ok && n == 9 && !strcmp(buf, "a%qb 17 %");
		n = fmt_snprintf(buf, sizeof(buf), fmt_float, 9);
		ok = ok && n == 7 && !strcmp(buf, "%5.2f|9");
	}
	/* Widths beyond 65535 are clamped. */
	n = fmt_snprintf(NULL, 0, "%99999d", 1);
	ok = ok && n == 65535;
	tap_ok(ok, "callback output and count; unknown directives verbatim; "
		   "huge widths clamped");
}

int main(void)
{
	test_int_grid();
	test_str_char_ptr_grid();
	test_fixed();
	test_random();
	test_truncation();
	test_null_string();
	test_callback_and_unknown();
	return tap_done();
}
