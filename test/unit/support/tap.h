/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP producer for the host unit tests. Each test program prints
 * "ok N - name" / "not ok N - name" lines and a closing plan; the harness
 * (test/harness/run.py) gathers every program's lines into one stream.
 *
 *   tap_ok(cond, "fmt", ...)  one test point
 *   tap_skip("reason", "fmt", ...) a skipped point (counted as skipped)
 *   tap_diag("fmt", ...)     a "# ..." diagnostic line
 *   return tap_done();       prints the plan, returns the exit status
 */
#ifndef MICA_TEST_TAP_H
#define MICA_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 2, 3))) static inline void
tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d - ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

__attribute__((format(printf, 1, 2))) static inline void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif /* MICA_TEST_TAP_H */
