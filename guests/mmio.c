/* SPDX-License-Identifier: MIT */
/*
 * mmio: the MMIO exit path end to end. Stores to the 16550 on MMIO print a
 * line; ioram keeps what is written at every size; unbacked addresses read
 * as all ones; a read crossing from RAM-less ioram's end into unbacked space
 * is unbacked; and every access is an EPT exit that mica emulates.
 */
#include "guests/lib/guest.h"

#define UART_MMIO ((volatile u8 *)0xc0000000UL)
#define IORAM	  ((volatile u8 *)0xc0010000UL)
#define UNBACKED  ((volatile u32 *)0xd0000000UL)

#define BIG (1UL << 20) /* ioram's size: REP strings over all of it */

static u8 big[BIG], back[BIG];

static u8 pattern(unsigned long i, unsigned seed)
{
	return (u8)((i * 131) ^ (i >> 9) ^ seed);
}

/* REP MOVS with DF as given; returns RCX after it (0 when complete). */
static unsigned long rep_movs(void *d, const void *s, unsigned long n,
			      unsigned size, bool down)
{
	if (down)
		__asm__ volatile("std");
	switch (size) {
	case 1:
		__asm__ volatile("rep movsb"
				 : "+D"(d), "+S"(s), "+c"(n)::"memory");
		break;
	case 4:
		__asm__ volatile("rep movsl"
				 : "+D"(d), "+S"(s), "+c"(n)::"memory");
		break;
	default:
		__asm__ volatile("rep movsq"
				 : "+D"(d), "+S"(s), "+c"(n)::"memory");
		break;
	}
	__asm__ volatile("cld");
	return n;
}

/* First index where big and back differ, or BIG. */
static unsigned long first_diff(void)
{
	for (unsigned long i = 0; i < BIG; i++)
		if (big[i] != back[i])
			return i;
	return BIG;
}

/*
 * Check ioram against big: copy it back into RAM with REP MOVSQ and
 * compare there, and read a spread of bytes (every page's first and last,
 * and more) with single loads, which do not go through REP at all.
 */
static bool ioram_holds_big(const char *what)
{
	volatile u8 *io = IORAM;
	unsigned long left, at, spots = 0;

	for (unsigned long i = 0; i < BIG; i++)
		back[i] = (u8)~big[i];
	left = rep_movs(back, (const void *)io, BIG / 8, 8, false);
	at = first_diff();
	for (unsigned long i = 0; i < BIG; i += 4093) {
		unsigned long j = i | 4095;

		spots += io[i] != big[i];
		spots += io[j] != big[j];
	}
	return g_ok(left == 0 && at == BIG && !spots,
		    "%s: read back with REP MOVSQ (RCX %lu, first difference "
		    "at %lu) and %lu single loads differ",
		    what, left, at, spots);
}

/*
 * REP MOVS and STOS over all 1 MiB of ioram, forward and backward: the
 * emulator moves whole runs per page and resumes across exits.
 */
static void rep_strings(void)
{
	long exits = g_counter(CNT_EXIT_EPT_VIOLATION) +
		     g_counter(CNT_EXIT_EPT_MISCONFIG);
	unsigned long left;

	for (unsigned long i = 0; i < BIG; i++)
		big[i] = pattern(i, 1);
	left = rep_movs((void *)IORAM, big, BIG, 1, false);
	g_ok(left == 0, "REP MOVSB of 1 MiB RAM -> ioram completes (%ld exits)",
	     g_counter(CNT_EXIT_EPT_VIOLATION) +
		 g_counter(CNT_EXIT_EPT_MISCONFIG) - exits);
	ioram_holds_big("REP MOVSB RAM -> ioram");
	for (unsigned long i = 0; i < BIG; i++)
		big[i] = pattern(i, 2);
	/* DF = 1: from the last dword down to the first */
	left = rep_movs((void *)(IORAM + BIG - 4), big + BIG - 4, BIG / 4, 4,
			true);
	g_ok(left == 0, "REP MOVSD of 1 MiB RAM -> ioram with DF=1 completes");
	ioram_holds_big("REP MOVSD with DF=1");
	{
		void *d = (void *)IORAM;
		unsigned long n = BIG / 4;

		__asm__ volatile("rep stosl"
				 : "+D"(d), "+c"(n)
				 : "a"(0x5aa5c33cU)
				 : "memory");
		for (unsigned long i = 0; i < BIG; i++)
			big[i] = (u8)(0x5aa5c33cU >> (8 * (i & 3)));
		g_ok(n == 0, "REP STOSD of 1 MiB into ioram completes");
		ioram_holds_big("REP STOSD");
	}
}

int guest_main(u32 magic, u32 info)
{
	static const char msg[] = "line printed through the MMIO UART\n";
	volatile u64 *q = (volatile u64 *)(IORAM + 0x100);
	long before;

	(void)magic;
	(void)info;
	g_idt_init();
	for (const char *p = msg; *p; p++) {
		while (!(UART_MMIO[5] & 0x20))
			;
		UART_MMIO[0] = (u8)*p;
	}
	g_ok(g_counter(CNT_EMULATED) >= 2 * (long)(sizeof(msg) - 1),
	     "each UART register access was emulated (%ld)",
	     g_counter(CNT_EMULATED));
	IORAM[0] = 0x11;
	*(volatile u16 *)(IORAM + 2) = 0x2233;
	*(volatile u32 *)(IORAM + 4) = 0x44556677;
	*q = 0x8899aabbccddeeffULL;
	g_ok(IORAM[0] == 0x11 && *(volatile u16 *)(IORAM + 2) == 0x2233 &&
		 *(volatile u32 *)(IORAM + 4) == 0x44556677 &&
		 *q == 0x8899aabbccddeeffULL,
	     "ioram keeps 1/2/4/8-byte stores");
	g_ok(*(volatile u32 *)IORAM == 0x22330011,
	     "ioram 4-byte read spans two earlier stores");
	before = g_counter(CNT_MMIO_UNBACKED);
	g_ok(*UNBACKED == 0xffffffff, "unbacked MMIO reads as all ones");
	*UNBACKED = 5;
	g_ok(g_counter(CNT_MMIO_UNBACKED) == before + 2,
	     "unbacked read and write counted");
	rep_strings();
	g_ok(g_counter(CNT_EXIT_EPT_VIOLATION) +
		     g_counter(CNT_EXIT_EPT_MISCONFIG) >=
		 g_counter(CNT_EMULATED),
	     "every emulation came from an EPT violation or a cached MMIO "
	     "entry (%ld + %ld)",
	     g_counter(CNT_EXIT_EPT_VIOLATION),
	     g_counter(CNT_EXIT_EPT_MISCONFIG));
	return (int)g_tap_failed();
}
