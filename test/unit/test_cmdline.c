/* SPDX-License-Identifier: MIT */
/* Host tests of boot/parse/cmdline.c: keys, values, numbers, words, limits. */
#include <string.h>

#include "boot/parse/cmdline.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"

static int get(const char *cl, const char *key, char *buf, size_t n)
{
	return cmdline_get(cl, key, buf, n);
}

int main(void)
{
	char buf[16];
	u64 v = 0;

	tap_ok(get("a=1 bb=22 c", "bb", buf, sizeof(buf)) == 2 &&
		   !strcmp(buf, "22"),
	       "value of a key in the middle");
	tap_ok(get("a=1 bb=22 c", "c", buf, sizeof(buf)) == 0 &&
		   !strcmp(buf, ""),
	       "bare key has an empty value");
	tap_ok(get("ab=1", "a", buf, sizeof(buf)) == -ENOENT,
	       "a key does not match a longer key with the same prefix");
	tap_ok(get("  x=1\ty=2  ", "y", buf, sizeof(buf)) == 1 &&
		   !strcmp(buf, "2"),
	       "tabs and repeated spaces separate words");
	tap_ok(get("x=1 x=2", "x", buf, sizeof(buf)) == 1 && buf[0] == '1',
	       "first occurrence wins");
	tap_ok(get(NULL, "x", buf, sizeof(buf)) == -ENOENT,
	       "NULL command line has no keys");
	tap_ok(get("k=0123456789abcdef", "k", buf, sizeof(buf)) == -E2BIG &&
		   buf[0] == '\0',
	       "a value that does not fit is -E2BIG, never truncated");
	tap_ok(get("k=0123456789abcde", "k", buf, sizeof(buf)) == 15,
	       "a value that exactly fits is returned");
	tap_ok(cmdline_has("a b=c", "b") && !cmdline_has("a b=c", "c"),
	       "cmdline_has sees keys, not values");

	tap_ok(!cmdline_get_u64("m=128M", "m", &v) && v == 128ULL << 20,
	       "M suffix");
	tap_ok(!cmdline_get_u64("m=0x1000", "m", &v) && v == 0x1000,
	       "hex value");
	tap_ok(!cmdline_get_u64("m=4g", "m", &v) && v == 4ULL << 30,
	       "lower-case g suffix");
	tap_ok(!cmdline_get_u64("m=18446744073709551615", "m", &v) &&
		   v == ~0ULL,
	       "largest u64");
	tap_ok(cmdline_get_u64("m=18446744073709551616", "m", &v) == -EINVAL,
	       "overflow is -EINVAL");
	tap_ok(cmdline_get_u64("m=17179869184G", "m", &v) == -EINVAL,
	       "suffix overflow is -EINVAL");
	tap_ok(cmdline_get_u64("m=12x", "m", &v) == -EINVAL &&
		   cmdline_get_u64("m=", "m", &v) == -EINVAL &&
		   cmdline_get_u64("m=0x", "m", &v) == -EINVAL &&
		   cmdline_get_u64("m=1MM", "m", &v) == -EINVAL,
	       "malformed numbers are -EINVAL");
	tap_ok(cmdline_get_u64("x=1", "m", &v) == -ENOENT, "absent number");

	tap_ok(cmdline_word("hello mem=1 x", 0, buf, sizeof(buf)) == 5 &&
		   !strcmp(buf, "hello"),
	       "word 0 is the first word");
	tap_ok(cmdline_word("hello mem=1 x", 2, buf, sizeof(buf)) == 1 &&
		   !strcmp(buf, "x"),
	       "word 2");
	tap_ok(cmdline_word("hello", 1, buf, sizeof(buf)) == -ENOENT &&
		   cmdline_word("   ", 0, buf, sizeof(buf)) == -ENOENT,
	       "missing words are -ENOENT");
	return tap_done();
}
