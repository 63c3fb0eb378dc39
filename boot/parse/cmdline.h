/* SPDX-License-Identifier: MIT */
/*
 * Command-line options: space-separated words, each "key" or "key=value".
 * Used for the hypervisor's own command line and for guest module lines.
 */
#ifndef MICA_BOOT_PARSE_CMDLINE_H
#define MICA_BOOT_PARSE_CMDLINE_H

#include "mm/base/types.h"

/*
 * Find `key` in cmdline and copy its value (the text after '=', or "" for a
 * bare key) into buf of size n, NUL-terminated. Returns the value length, or
 * -ENOENT when the key is absent, -E2BIG when the value does not fit (buf
 * then holds nothing). A NULL cmdline has no keys; of a repeated key the
 * first counts.
 */
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t n);

/* True when `key` is present (with or without a value). */
bool cmdline_has(const char *cmdline, const char *key);

/*
 * Parse the value of `key` as an unsigned number (decimal, 0x hex, with an
 * optional K/M/G suffix = 2^10/2^20/2^30). Returns 0 and stores it, -ENOENT
 * when absent, -EINVAL when malformed or overflowing.
 */
int cmdline_get_u64(const char *cmdline, const char *key, u64 *out);

/*
 * Return the n-th word (0-based) of cmdline in buf (size bufsz). Returns its
 * length, -ENOENT when there are fewer words, -E2BIG if it does not fit.
 */
int cmdline_word(const char *cmdline, unsigned n, char *buf, size_t bufsz);

#endif /* MICA_BOOT_PARSE_CMDLINE_H */
