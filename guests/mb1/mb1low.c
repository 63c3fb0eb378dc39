/* SPDX-License-Identifier: MIT */
/*
 * mb1low: a multiboot1 kernel linked at 0x8000 (guests/mb1/mb1low.ld),
 * its BSS reaching past 0x80000, over the defaults of mica's information
 * page and entry stack. It checks that mica put them elsewhere, outside
 * the image and page 0, that its own bytes survived, and that it got the
 * arguments of its module line after "--" as "qemu -append" passes them:
 * the command line "mb1low alpha beta=2".
 */
#include "guests/lib/guest.h"

#define MB1_HEADER_MAGIC 0x1badb002U
#define STACK_MIN	 0x4000U /* GUEST_STACK_MIN */

extern const u8 mb1_image_start[], mb1_image_end[];
extern u32 mb1_entry_esp;

/* Covers mica's default information page (0x8000) and the default stack
 * (0x7C000-0x7FFFF). */
static u8 low_pad[0x80000 - 0x8000] __attribute__((used));

static bool in_image(u64 lo, u64 len)
{
	return lo < (u64)(uintptr_t)mb1_image_end &&
	       (u64)(uintptr_t)mb1_image_start < lo + len;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static u32 str_len(const char *s)
{
	u32 n = 0;

	while (s[n])
		n++;
	return n;
}

static void test_placement(u32 magic, u32 info)
{
	const u32 *mi = (const u32 *)(uintptr_t)info;
	u32 esp = mb1_entry_esp;

	g_ok(magic == 0x2badb002, "entered by a multiboot1 loader");
	g_ok((uintptr_t)mb1_image_start == 0x8000 &&
		 (uintptr_t)mb1_image_end > 0x80000 && low_pad[0] == 0,
	     "linked at 0x8000, image up to 0x%lx",
	     (unsigned long)(uintptr_t)mb1_image_end);
	g_ok(*(const u32 *)(uintptr_t)0x8000 == MB1_HEADER_MAGIC,
	     "its multiboot header at 0x8000 is intact");
	g_ok(info >= 0x1000 && !in_image(info, 0x1000),
	     "the information block is outside page 0 and the image");
	g_ok(!in_image(mi[12], mi[11]) && mi[11] == 3 * 24 &&
		 mi[2] == (u32)((64ULL << 20) - (1ULL << 20)) >> 10,
	     "memory map outside the image, mem_upper for 64 MiB");
	g_ok(esp >= 0x1000 + STACK_MIN &&
		 !in_image(esp - STACK_MIN, STACK_MIN) &&
		 !(esp - STACK_MIN < info + 0x1000 && info < esp),
	     "the entry stack's top 16 KiB are free of the image and the "
	     "information");
}

static void test_cmdline(u32 info)
{
	const u32 *mi = (const u32 *)(uintptr_t)info;
	const char *cl = (const char *)(uintptr_t)mi[4];

	g_ok((mi[0] & 4) && !in_image(mi[4], str_len(cl) + 1),
	     "command line present, outside the image");
	g_ok(str_eq(cl, "mb1low alpha beta=2"),
	     "command line is the name and the words after -- (\"%s\")", cl);
}

/* mods=pcenv-blob: an ELF file, page-aligned, outside the image. */
static void test_module(u32 info)
{
	const u32 *mi = (const u32 *)(uintptr_t)info;
	const u32 *mod = (const u32 *)(uintptr_t)mi[6];

	if (!g_ok((mi[0] & 8) && mi[5] == 1, "one module passed on (%u)",
		  mi[5]))
		return;
	g_ok(*(const u32 *)(uintptr_t)mod[0] == 0x464c457f &&
		 !(mod[0] & 0xfff) && !in_image(mod[0], mod[1] - mod[0]) &&
		 !(mod[0] < info + 0x1000 && info < mod[1]),
	     "the module is page-aligned, outside the image and the "
	     "information");
}

int guest_main(u32 magic, u32 info)
{
	test_placement(magic, info);
	test_cmdline(info);
	test_module(info);
	return (int)g_tap_failed();
}
