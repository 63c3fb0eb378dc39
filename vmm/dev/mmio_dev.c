/* SPDX-License-Identifier: MIT */
/*
 * Small MMIO devices (pure): ioram (a RAM-like test region over a host
 * buffer, the target of the emulator's in-guest tests), ROM (reads only),
 * the 16550 model on MMIO, and the local APIC register page.
 */
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vuart.h"
#include "mm/base/errno.h"
#include "vmm/dev/mmio_bus.h"

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

/*
 * Every byte a read returns is defined, whatever its width and alignment:
 * the xAPIC's registers are 32 bits wide at the start of 16-byte slots
 * (SDM Vol 3A 11.4.1, Table 11-1), so byte o reads as byte (o & 3) of the
 * register at (o & ~0xf) when (o & 0xf) < 4, and as 0 in the slot's
 * reserved bytes 4-15. A 32-byte vector load from 0x30 thus returns the
 * version register, 12 zero bytes, the register at 0x40, 12 zero bytes.
 */
static int lapic_read(struct mmio_dev *d, u64 off, void *buf, unsigned len)
{
	u8 *b = buf;
	u32 reg = 0;

	for (unsigned i = 0; i < len; i++) {
		u64 o = off + i;

		if ((o & 0xf) == 0 || i == 0)
			reg = vlapic_read(d->priv, (u32)o & ~0xfU);
		b[i] = (o & 0xf) < 4 ? (u8)(reg >> (8 * (o & 3))) : 0;
	}
	return 0;
}

/* Registers are written as whole 32-bit values (SDM Vol 3A 11.4.1:
 * accesses must be 32-bit aligned dwords); narrower writes are dropped. */
static int lapic_write(struct mmio_dev *d, u64 off, const void *buf,
		       unsigned len)
{
	u32 v;

	if (len < 4 || (off & 3))
		return -EINVAL;
	mem_copy(&v, buf, 4);
	vlapic_write(d->priv, (u32)off, v);
	return 0;
}

void mmio_lapic_init(struct mmio_dev *d, gpa_t base, struct vlapic *a)
{
	*d = (struct mmio_dev){.name = "lapic",
			       .base = base,
			       .size = LAPIC_SIZE,
			       .read = lapic_read,
			       .write = lapic_write,
			       .priv = a};
}
