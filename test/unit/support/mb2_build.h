/* SPDX-License-Identifier: MIT */
/*
 * Test-side builder of multiboot2 boot information: tags are appended byte
 * by byte into an 8-byte aligned buffer, each closed with its size and
 * padded to 8 bytes, the block closed with the end tag and its total_size.
 */
#ifndef MICA_TEST_MB2_BUILD_H
#define MICA_TEST_MB2_BUILD_H

#include <stdlib.h>
#include <string.h>

#include "boot/parse/mb2.h"

struct mb {
	u64 words[1024]; /* 8-byte aligned backing store */
	u32 len;
	u32 tag; /* offset of the open tag */
};

static u8 *mb_bytes(struct mb *m)
{
	return (u8 *)m->words;
}

static void mb_put(struct mb *m, const void *p, u32 n)
{
	if (m->len + n > sizeof(m->words))
		abort();
	memcpy(mb_bytes(m) + m->len, p, n);
	m->len += n;
}

static void mb_put32(struct mb *m, u32 v)
{
	mb_put(m, &v, 4);
}

static void mb_put64(struct mb *m, u64 v)
{
	mb_put(m, &v, 8);
}

static void mb_putstr(struct mb *m, const char *s)
{
	mb_put(m, s, (u32)strlen(s) + 1);
}

static void mb_set32(struct mb *m, u32 off, u32 v)
{
	memcpy(mb_bytes(m) + off, &v, 4);
}

static void mb_init(struct mb *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

static void mb_open(struct mb *m, u32 type)
{
	m->tag = m->len;
	mb_put32(m, type);
	mb_put32(m, 0);
}

/* Close the open tag: its size is what was written, then pad to 8. */
static void mb_close(struct mb *m)
{
	mb_set32(m, m->tag + 4, m->len - m->tag);
	while (m->len % 8)
		mb_put(m, "", 1);
}

static void mb_finish(struct mb *m)
{
	mb_open(m, MB2_TAG_END);
	mb_close(m);
	mb_set32(m, 0, m->len);
}

static void mb_string_tag(struct mb *m, u32 type, const char *s)
{
	mb_open(m, type);
	mb_putstr(m, s);
	mb_close(m);
}

static void mb_module(struct mb *m, u32 start, u32 end, const char *s)
{
	mb_open(m, MB2_TAG_MODULE);
	mb_put32(m, start);
	mb_put32(m, end);
	mb_putstr(m, s);
	mb_close(m);
}

static void mb_mmap(struct mb *m, u32 esize, const struct mb2_mmap_entry *e,
		    u32 n)
{
	mb_open(m, MB2_TAG_MMAP);
	mb_put32(m, esize);
	mb_put32(m, 0);
	for (u32 i = 0; i < n; i++) {
		u32 start = m->len;

		mb_put64(m, e[i].base);
		mb_put64(m, e[i].len);
		mb_put32(m, e[i].type);
		while (m->len - start < esize)
			mb_put(m, "\xee", 1);
	}
	mb_close(m);
}

#endif /* MICA_TEST_MB2_BUILD_H */
