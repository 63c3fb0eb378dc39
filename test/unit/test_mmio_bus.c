/* SPDX-License-Identifier: MIT */
/* Host tests of the MMIO bus and its small devices. */
#include <string.h>

#include "vmm/dev/vuart.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "vmm/dev/mmio_bus.h"

static char last_line[VUART_LINE_MAX + 1];

static void emit(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	memcpy(last_line, line, len);
	last_line[len] = '\0';
}

int main(void)
{
	struct mmio_bus bus;
	struct mmio_dev ram, rom, uart, clash;
	static u8 rambuf[4096], rombuf[64] = {1, 2, 3, 4};
	struct vuart u;
	u8 b[32];
	u32 v = 0;

	mmio_bus_init(&bus);
	mmio_ioram_init(&ram, 0xc0010000, rambuf, sizeof(rambuf));
	mmio_rom_init(&rom, 0xc0020000, rombuf, sizeof(rombuf));
	vuart_init(&u, emit, NULL);
	mmio_uart_init(&uart, 0xc0000000, &u);
	tap_ok(!mmio_register(&bus, &ram) && !mmio_register(&bus, &rom) &&
		   !mmio_register(&bus, &uart),
	       "three devices register");
	mmio_ioram_init(&clash, 0xc0010ff0, rambuf, 32);
	tap_ok(mmio_register(&bus, &clash) == -EEXIST,
	       "an overlapping device is -EEXIST");
	mmio_ioram_init(&clash, ~0ULL - 4, rambuf, 32);
	tap_ok(mmio_register(&bus, &clash) == -EINVAL,
	       "a wrapping range is -EINVAL");

	v = 0xdeadbeef;
	tap_ok(mmio_write(&bus, 0xc0010100, &v, 4) && rambuf[0x100] == 0xef &&
		   rambuf[0x103] == 0xde,
	       "ioram write lands in the buffer, little-endian");
	memset(b, 0, sizeof(b));
	tap_ok(mmio_read(&bus, 0xc0010100, b, 32) && b[0] == 0xef && b[4] == 0,
	       "ioram 32-byte read");
	tap_ok(!mmio_read(&bus, 0xc0010ff8, b, 16) && b[0] == 0xff &&
		   b[15] == 0xff && bus.unbacked_reads == 1,
	       "an access running past a device's end is unbacked: all ones");
	tap_ok(mmio_read(&bus, 0xc0020000, &v, 4) && v == 0x04030201,
	       "rom reads");
	v = 0;
	tap_ok(!mmio_write(&bus, 0xc0020000, &v, 4) && rombuf[0] == 1 &&
		   bus.unbacked_writes == 1,
	       "rom write is dropped and counted");
	tap_ok(!mmio_read(&bus, 0x12345000, &v, 4) && v == 0xffffffff &&
		   bus.last_unbacked == 0x12345000,
	       "unbacked read returns all ones and is remembered");
	for (const char *p = "hi\n"; *p; p++)
		mmio_write(&bus, 0xc0000000, p, 1);
	tap_ok(!strcmp(last_line, "hi"), "uart on MMIO transmits a line");
	b[0] = 0x5a;
	b[1] = 0;
	tap_ok(mmio_write(&bus, 0xc0000007, b, 1) &&
		   mmio_read(&bus, 0xc0000007, b + 1, 1) && b[1] == 0x5a,
	       "uart scratch register through MMIO");
	tap_ok(mmio_read(&bus, 0xc0000005, &v, 1) && (v & 0x60) == 0x60,
	       "uart LSR reports transmitter empty");
	return tap_done();
}
