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

static long counter(unsigned c)
{
	return g_hypercall(HC_TEST_COUNTER, c, 0, 0, 0, 0);
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
	g_ok(counter(CNT_EMULATED) >= 2 * (long)(sizeof(msg) - 1),
	     "each UART register access was emulated (%ld)",
	     counter(CNT_EMULATED));
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
	before = counter(CNT_MMIO_UNBACKED);
	g_ok(*UNBACKED == 0xffffffff, "unbacked MMIO reads as all ones");
	*UNBACKED = 5;
	g_ok(counter(CNT_MMIO_UNBACKED) == before + 2,
	     "unbacked read and write counted");
	g_ok(counter(CNT_EXIT_EPT_VIOLATION) +
		     counter(CNT_EXIT_EPT_MISCONFIG) >=
		 counter(CNT_EMULATED),
	     "every emulation came from an EPT violation or a cached MMIO "
	     "entry (%ld + %ld)",
	     counter(CNT_EXIT_EPT_VIOLATION), counter(CNT_EXIT_EPT_MISCONFIG));
	return (int)g_tap_failed();
}
