/* SPDX-License-Identifier: MIT */
/*
 * Command-line option parsing (pure). Words are separated by spaces or tabs;
 * a word is "key" or "key=value"; the first match of a key wins.
 */
#include "boot/parse/cmdline.h"
#include "mm/base/errno.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Locate word number `n`; returns its start and stores its length. */
static const char *word_at(const char *s, unsigned n, size_t *len)
{
	for (;;) {
		while (*s && is_space(*s))
			s++;
		if (!*s)
			return NULL;
		const char *start = s;
		while (*s && !is_space(*s))
			s++;
		if (n-- == 0) {
			*len = (size_t)(s - start);
			return start;
		}
	}
}

static int copy_out(const char *src, size_t len, char *buf, size_t n)
{
	if (len + 1 > n) {
		if (n)
			buf[0] = '\0';
		return -E2BIG;
	}
	mem_copy(buf, src, len);
	buf[len] = '\0';
	return (int)len;
}

/* Find key; returns the value start (after '=') and its length. */
static const char *find_key(const char *cmdline, const char *key, size_t *vlen)
{
	size_t klen = 0, wlen;
	const char *w;

	if (!cmdline)
		return NULL;
	while (key[klen])
		klen++;
	for (unsigned i = 0; (w = word_at(cmdline, i, &wlen)); i++) {
		if (wlen < klen || mem_cmp(w, key, klen))
			continue;
		if (wlen == klen) {
			*vlen = 0;
			return w + wlen;
		}
		if (w[klen] == '=') {
			*vlen = wlen - klen - 1;
			return w + klen + 1;
		}
	}
	return NULL;
}

int cmdline_get(const char *cmdline, const char *key, char *buf, size_t n)
{
	size_t vlen;
	const char *v = find_key(cmdline, key, &vlen);

	if (!v)
		return -ENOENT;
	return copy_out(v, vlen, buf, n);
}

bool cmdline_has(const char *cmdline, const char *key)
{
	size_t vlen;

	return find_key(cmdline, key, &vlen) != NULL;
}

static int digit_value(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

static unsigned suffix_shift(char c)
{
	switch (c) {
	case 'K':
	case 'k':
		return 10;
	case 'M':
	case 'm':
		return 20;
	case 'G':
	case 'g':
		return 30;
	default:
		return 0;
	}
}

int cmdline_get_u64(const char *cmdline, const char *key, u64 *out)
{
	size_t vlen, i = 0;
	const char *v = find_key(cmdline, key, &vlen);
	unsigned base = 10, shift;
	u64 val = 0;
	int d;

	if (!v)
		return -ENOENT;
	if (vlen > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == vlen)
		return -EINVAL;
	for (; i < vlen && (d = digit_value(v[i], base)) >= 0; i++) {
		if (val > (~0ULL - (u64)d) / base)
			return -EINVAL;
		val = val * base + (u64)d;
	}
	if (i < vlen) {
		shift = suffix_shift(v[i]);
		if (!shift || i + 1 != vlen || (val << shift) >> shift != val)
			return -EINVAL;
		val <<= shift;
	}
	*out = val;
	return 0;
}

int cmdline_word(const char *cmdline, unsigned n, char *buf, size_t bufsz)
{
	size_t len;
	const char *w = cmdline ? word_at(cmdline, n, &len) : NULL;

	if (!w)
		return -ENOENT;
	return copy_out(w, len, buf, bufsz);
}
