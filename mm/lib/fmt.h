/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting without libc. One engine (fmt_vformat) emits
 * characters through a callback; fmt_snprintf/fmt_vsnprintf wrap it for
 * buffers. Pure: no state, no floating point (the kernel is built with
 * -mgeneral-regs-only), safe to call from any context that has a stack.
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+' ' ' '#',
 * field width and precision (digits or '*', a negative '*' width means '-'
 * and a negative '*' precision means none), length modifiers hh h l ll z t j.
 * Output matches C99/glibc for these, with these deliberate choices:
 *   - %s of NULL prints "(null)", cut by the precision like any string;
 *   - %p prints like %#lx, and "(nil)" for NULL (as glibc does);
 *   - widths and precisions above 65535 are clamped to 65535;
 *   - a length modifier on %c, %s or %p is ignored (no wide characters).
 * Anything else (%n, %f, unknown letters, a lone '%' at the end) is copied
 * to the output verbatim and consumes no argument.
 */
#ifndef MICA_MM_LIB_FMT_H
#define MICA_MM_LIB_FMT_H

#include <stdarg.h>

#include "mm/base/types.h"

/* Receives one output character; ctx is the caller's cookie. */
typedef void (*fmt_putc_fn)(void *ctx, char c);

/*
 * Format fmt with the arguments in ap, emitting every character through
 * putc(ctx, c). Returns the number of characters emitted (saturated at
 * INT32_MAX). ap is not consumed (the engine works on a copy).
 */
int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);

/* fmt_vformat with variable arguments. */
__printf(3, 4) int fmt_format(fmt_putc_fn putc, void *ctx, const char *fmt,
			      ...);

/*
 * Format into buf of size bytes. When size > 0 the result is always
 * NUL-terminated, truncated to size - 1 characters if needed. Returns the
 * length the complete output would have had (not counting the NUL), as C99
 * vsnprintf does: the output was truncated iff the return value >= size.
 * buf may be NULL when size is 0 (to measure).
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* fmt_vsnprintf with variable arguments. */
__printf(3, 4) int fmt_snprintf(char *buf, size_t size, const char *fmt, ...);

#endif /* MICA_MM_LIB_FMT_H */
