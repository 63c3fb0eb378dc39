/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting engine (see mm/lib/fmt.h for the accepted
 * language). A conversion is parsed into a struct fmt_spec, its argument is
 * fetched according to the length modifier, and the field is laid out as
 *   [pad][sign][prefix][zeros][digits][pad]
 * following C11 7.21.6.1 for the integer, character and string conversions.
 */
#include "mm/lib/fmt.h"

#define FMT_F_MINUS BIT(0) /* '-': left-justify */
#define FMT_F_ZERO  BIT(1) /* '0': pad numbers with zeros */
#define FMT_F_PLUS  BIT(2) /* '+': always print a sign */
#define FMT_F_SPACE BIT(3) /* ' ': space where a '+' would go */
#define FMT_F_ALT   BIT(4) /* '#': 0x / leading 0 */

/* Widths and precisions are clamped here: a field of 64K is already absurd. */
#define FMT_MAX_FIELD 65535

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_spec {
	u32 flags;
	int width;
	int prec; /* < 0: none given */
	enum fmt_len len;
};

struct fmt_out {
	fmt_putc_fn putc;
	void *ctx;
	u64 count;
};

_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t),
	       "%zd is fetched as ptrdiff_t");

static void fmt_emit(struct fmt_out *o, char c)
{
	o->putc(o->ctx, c);
	o->count++;
}

static void fmt_emit_n(struct fmt_out *o, char c, int n)
{
	for (; n > 0; n--)
		fmt_emit(o, c);
}

static bool fmt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse a decimal field at *p, clamped to FMT_MAX_FIELD. */
static int fmt_parse_num(const char **p)
{
	int v = 0;

	while (fmt_is_digit(**p)) {
		v = v * 10 + (**p - '0');
		if (v > FMT_MAX_FIELD)
			v = FMT_MAX_FIELD;
		(*p)++;
	}
	return v;
}

static u32 fmt_parse_flags(const char **p)
{
	u32 flags = 0;

	for (;; (*p)++) {
		switch (**p) {
		case '-':
			flags |= FMT_F_MINUS;
			break;
		case '0':
			flags |= FMT_F_ZERO;
			break;
		case '+':
			flags |= FMT_F_PLUS;
			break;
		case ' ':
			flags |= FMT_F_SPACE;
			break;
		case '#':
			flags |= FMT_F_ALT;
			break;
		default:
			return flags;
		}
	}
}

/* Length modifier at *p (C11 7.21.6.1p7), doubled letters first. */
static enum fmt_len fmt_parse_len(const char **p)
{
	char c = **p;
	bool twice = c != '\0' && (*p)[1] == c;

	switch (c) {
	case 'h':
		*p += twice ? 2 : 1;
		return twice ? LEN_HH : LEN_H;
	case 'l':
		*p += twice ? 2 : 1;
		return twice ? LEN_LL : LEN_L;
	case 'z':
		(*p)++;
		return LEN_Z;
	case 't':
		(*p)++;
		return LEN_T;
	case 'j':
		(*p)++;
		return LEN_J;
	default:
		return LEN_NONE;
	}
}

/* Flags, width, precision and length of the conversion at *p (after '%'). */
static void fmt_parse_spec(const char **p, struct fmt_spec *s, va_list *ap)
{
	s->flags = fmt_parse_flags(p);
	if (**p == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->flags |= FMT_F_MINUS;
			s->width = s->width < -FMT_MAX_FIELD ? FMT_MAX_FIELD
							     : -s->width;
		}
		s->width = MIN(s->width, FMT_MAX_FIELD);
		(*p)++;
	} else {
		s->width = fmt_parse_num(p);
	}
	s->prec = -1;
	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			s->prec = va_arg(*ap, int);
			s->prec = MIN(s->prec, FMT_MAX_FIELD);
			(*p)++;
		} else {
			s->prec = fmt_parse_num(p);
		}
	}
	s->len = fmt_parse_len(p);
}

static s64 fmt_arg_signed(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static u64 fmt_arg_unsigned(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

/*
 * Lay out one integer field. sign is '-', '+', ' ' or 0; prefix is "0x",
 * "0X" or "". C11 7.21.6.1p6/p8: a precision gives the minimum digit count
 * (and disables the '0' flag); precision 0 with value 0 prints no digits,
 * except that '#' with 'o' always yields a leading zero.
 */
static void fmt_number(struct fmt_out *o, const struct fmt_spec *s, u64 v,
		       char sign, const char *prefix, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];
	int nd = 0, zeros = 0, plen = 0, body, pad;

	for (; v; v /= base)
		digits[nd++] = set[v % base];
	if (s->prec < 0 && nd == 0)
		zeros = 1;
	else if (s->prec > nd)
		zeros = s->prec - nd;
	if (base == 8 && (s->flags & FMT_F_ALT) && zeros == 0)
		zeros = 1;
	while (prefix[plen])
		plen++;
	body = (sign ? 1 : 0) + plen + zeros + nd;
	if ((s->flags & (FMT_F_ZERO | FMT_F_MINUS)) == FMT_F_ZERO &&
	    s->prec < 0 && s->width > body) {
		zeros += s->width - body;
		body = s->width;
	}
	pad = s->width > body ? s->width - body : 0;
	if (!(s->flags & FMT_F_MINUS))
		fmt_emit_n(o, ' ', pad);
	if (sign)
		fmt_emit(o, sign);
	for (int i = 0; i < plen; i++)
		fmt_emit(o, prefix[i]);
	fmt_emit_n(o, '0', zeros);
	while (nd > 0)
		fmt_emit(o, digits[--nd]);
	if (s->flags & FMT_F_MINUS)
		fmt_emit_n(o, ' ', pad);
}

/* A string field: at most prec bytes of str, padded to width. */
static void fmt_string(struct fmt_out *o, const struct fmt_spec *s,
		       const char *str)
{
	int n = 0, pad;

	while ((s->prec < 0 || n < s->prec) && str[n])
		n++;
	pad = s->width > n ? s->width - n : 0;
	if (!(s->flags & FMT_F_MINUS))
		fmt_emit_n(o, ' ', pad);
	for (int i = 0; i < n; i++)
		fmt_emit(o, str[i]);
	if (s->flags & FMT_F_MINUS)
		fmt_emit_n(o, ' ', pad);
}

static char fmt_sign(const struct fmt_spec *s, bool neg)
{
	if (neg)
		return '-';
	if (s->flags & FMT_F_PLUS)
		return '+';
	if (s->flags & FMT_F_SPACE)
		return ' ';
	return 0;
}

static void fmt_signed(struct fmt_out *o, const struct fmt_spec *s, va_list *ap)
{
	s64 v = fmt_arg_signed(s->len, ap);
	/* Negate in unsigned arithmetic: -INT64_MIN does not exist. */
	u64 mag = v < 0 ? (u64)0 - (u64)v : (u64)v;

	fmt_number(o, s, mag, fmt_sign(s, v < 0), "", 10, false);
}

static void fmt_unsigned(struct fmt_out *o, const struct fmt_spec *s, char conv,
			 va_list *ap)
{
	u64 v = fmt_arg_unsigned(s->len, ap);
	bool alt = (s->flags & FMT_F_ALT) && v != 0;

	if (conv == 'u')
		fmt_number(o, s, v, 0, "", 10, false);
	else if (conv == 'o')
		fmt_number(o, s, v, 0, "", 8, false);
	else if (conv == 'x')
		fmt_number(o, s, v, 0, alt ? "0x" : "", 16, false);
	else
		fmt_number(o, s, v, 0, alt ? "0X" : "", 16, true);
}

static void fmt_pointer(struct fmt_out *o, const struct fmt_spec *s,
			va_list *ap)
{
	const void *p = va_arg(*ap, const void *);
	struct fmt_spec str = {
	    .flags = s->flags, .width = s->width, .prec = -1};

	if (!p)
		fmt_string(o, &str, "(nil)");
	else
		fmt_number(o, s, (u64)(uintptr_t)p, fmt_sign(s, false), "0x",
			   16, false);
}

static void fmt_char(struct fmt_out *o, const struct fmt_spec *s, va_list *ap)
{
	char c = (char)va_arg(*ap, int);
	int pad = s->width > 1 ? s->width - 1 : 0;

	if (!(s->flags & FMT_F_MINUS))
		fmt_emit_n(o, ' ', pad);
	fmt_emit(o, c);
	if (s->flags & FMT_F_MINUS)
		fmt_emit_n(o, ' ', pad);
}

/*
 * Perform the conversion conv. Returns false when conv is not one this
 * engine knows (the caller then copies the directive verbatim).
 */
static bool fmt_convert(struct fmt_out *o, const struct fmt_spec *s, char conv,
			va_list *ap)
{
	const char *str;

	switch (conv) {
	case 'd':
	case 'i':
		fmt_signed(o, s, ap);
		return true;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		fmt_unsigned(o, s, conv, ap);
		return true;
	case 'c':
		fmt_char(o, s, ap);
		return true;
	case 's':
		str = va_arg(*ap, const char *);
		fmt_string(o, s, str ? str : "(null)");
		return true;
	case 'p':
		fmt_pointer(o, s, ap);
		return true;
	default:
		return false;
	}
}

int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = {.putc = putc, .ctx = ctx, .count = 0};
	struct fmt_spec spec;
	const char *start;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			fmt_emit(&o, *fmt++);
			continue;
		}
		start = fmt++;
		if (*fmt == '%') {
			fmt_emit(&o, *fmt++);
			continue;
		}
		fmt_parse_spec(&fmt, &spec, &args);
		if (*fmt && fmt_convert(&o, &spec, *fmt, &args)) {
			fmt++;
			continue;
		}
		/* Unknown directive: show it as written. */
		if (*fmt)
			fmt++;
		while (start < fmt)
			fmt_emit(&o, *start++);
	}
	va_end(args);
	return o.count > INT32_MAX ? INT32_MAX : (int)o.count;
}

int fmt_format(fmt_putc_fn putc, void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(putc, ctx, fmt, ap);
	va_end(ap);
	return n;
}

struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
};

static void fmt_buf_putc(void *ctx, char c)
{
	struct fmt_buf *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = {.buf = buf, .size = size, .pos = 0};
	int n = fmt_vformat(fmt_buf_putc, &b, fmt, ap);

	if (size > 0)
		buf[MIN(b.pos, size - 1)] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
