/* SPDX-License-Identifier: MIT */
/*
 * Services the pure modules expect from their environment, supplied for the
 * host test programs: panic() aborts with the message so a hypervisor bug
 * found by a test shows up as a crash with a readable reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mm/base/types.h"

void panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}
