/* SPDX-License-Identifier: MIT */
/*
 * Host console: the 16550 on COM1, mirrored to the 0xE9 debug port when the
 * platform has one. printk() formats with mm/lib/fmt.c.
 */
#ifndef MICA_MM_BASE_CONSOLE_H
#define MICA_MM_BASE_CONSOLE_H

#include <stdarg.h>

#include "mm/base/types.h"

/* Program COM1 for 115200 8N1, FIFOs on; detect the 0xE9 port. */
void console_init(void);

/* Write len bytes; "\n" becomes "\r\n" on the UART. */
void console_write(const char *s, size_t len);

__printf(1, 2) void printk(const char *fmt, ...);
void vprintk(const char *fmt, va_list ap);

/* The next byte received on COM1, or -1 when none is waiting. */
int console_getc(void);

/* Feed queued output to the UART if it can take more; never waits. */
void console_poll(void);

/* Bytes queued and not yet handed to the UART. */
u32 console_pending(void);

/* Spin until every queued byte has left the UART (LSR.TEMT). */
void console_drain(void);

#endif /* MICA_MM_BASE_CONSOLE_H */
