/* SPDX-License-Identifier: MIT */
/*
 * Small MMIO devices (pure): ioram (a RAM-like test region over a host
 * buffer, the target of the emulator's in-guest tests), ROM (reads only),
 * and the 16550 model on MMIO.
 */
#include "drivers/vuart.h"
#include "vmm/errno.h"
#include "vmm/mmio_bus.h"

static int buf_read(struct mmio_dev *d, u64 off, void *buf, unsigned len)
{
	mem_copy(buf, (const u8 *)d->priv + off, len);
	return 0;
}

static int buf_write(struct mmio_dev *d, u64 off, const void *buf, unsigned len)
{
	mem_copy((u8 *)d->priv + off, buf, len);
	return 0;
}

void mmio_ioram_init(struct mmio_dev *d, gpa_t base, void *buf, u64 size)
{
	*d = (struct mmio_dev){.name = "ioram",
			       .base = base,
			       .size = size,
			       .read = buf_read,
			       .write = buf_write,
			       .priv = buf,
			       .mem = buf};
}

void mmio_rom_init(struct mmio_dev *d, gpa_t base, const void *buf, u64 size)
{
	*d = (struct mmio_dev){.name = "rom",
			       .base = base,
			       .size = size,
			       .read = buf_read,
			       .write = NULL,
			       .priv = (void *)(uintptr_t)buf};
}

static int uart_read(struct mmio_dev *d, u64 off, void *buf, unsigned len)
{
	u8 *b = buf;

	for (unsigned i = 0; i < len; i++)
		b[i] = vuart_read(d->priv, (unsigned)(off + i));
	return 0;
}

static int uart_write(struct mmio_dev *d, u64 off, const void *buf,
		      unsigned len)
{
	const u8 *b = buf;

	for (unsigned i = 0; i < len; i++)
		vuart_write(d->priv, (unsigned)(off + i), b[i]);
	return 0;
}

void mmio_uart_init(struct mmio_dev *d, gpa_t base, struct vuart *u)
{
	*d = (struct mmio_dev){.name = "uart",
			       .base = base,
			       .size = 8,
			       .read = uart_read,
			       .write = uart_write,
			       .priv = u};
}
