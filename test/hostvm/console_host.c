/* SPDX-License-Identifier: MIT */
/*
 * The host console for host builds (drivers/console.c writes the UART):
 * printk() formats with the kernel's mm/lib/fmt.c into a line buffer,
 * shown on stderr only when MICA_HOSTVM_VERBOSE is set (a fuzzer prints
 * nothing per input), and the last complete line is kept.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/base/console.h"
#include "mm/lib/fmt.h"
#include "test/hostvm/hostvm.h"
#include "test/hostvm/hostvm_internal.h"

static char line[256], last[256];
static size_t len;
static int verbose = -1;

static void put(void *ctx, char c)
{
	(void)ctx;
	if (c != '\n' && len < sizeof(line) - 1) {
		line[len++] = c;
		return;
	}
	if (c != '\n')
		return;
	line[len] = '\0';
	mem_copy(last, line, len + 1);
	if (verbose < 0)
		verbose = getenv("MICA_HOSTVM_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "%s\n", line);
	len = 0;
}

const char *hostvm_console_last(void)
{
	return last;
}

void hostvm_console_reset(void)
{
	len = 0;
	last[0] = '\0';
}

void console_init(void)
{
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(NULL, s[i]);
}

void vprintk(const char *fmt, va_list ap)
{
	fmt_vformat(put, NULL, fmt, ap);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void console_poll(void)
{
}

/* Nothing is ever typed on the host model's console. */
int console_getc(void)
{
	return -1;
}

u32 console_pending(void)
{
	return 0;
}

void console_drain(void)
{
}
