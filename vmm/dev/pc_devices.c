/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg (QEMU docs/specs/fw_cfg.txt: selector/data ports, "QEMU"
 * signature, FW_CFG_NB_CPUS), the two 8259As (Intel 8259A datasheet: ICW1
 * starts a sequence of ICW2..ICW4, OCW1 is the mask) and the 0xE0 latch.
 */
#include "vmm/dev/pc_devices.h"

#define PIC_MASTER 0x20
#define PIC_SLAVE  0xa0
#define ICW1_INIT  0x10
#define ICW1_ICW4  0x01
#define ICW1_SNGL  0x02

void pc_devices_init(struct pc_devices *d)
{
	mem_set(d, 0, sizeof(*d));
	d->pic_imr[0] = d->pic_imr[1] = 0xff;
}

static u8 fwcfg_byte(struct pc_devices *d)
{
	static const char sig[4] = {'Q', 'E', 'M', 'U'};
	u32 off = d->fwcfg_off++;

	if (d->fwcfg_key == FWCFG_KEY_SIGNATURE)
		return off < 4 ? (u8)sig[off] : 0;
	if (d->fwcfg_key == FWCFG_KEY_NB_CPUS)
		return off == 0 ? 1 : 0; /* 16-bit little-endian count */
	return 0;
}

static int pic_index(u16 port)
{
	if ((port & ~1) == PIC_MASTER)
		return 0;
	if ((port & ~1) == PIC_SLAVE)
		return 1;
	return -1;
}

static void pic_write(struct pc_devices *d, int i, u16 port, u8 v)
{
	if (!(port & 1)) {
		/*
		 * Command port: ICW1 clears the mask and is followed by ICW2,
		 * ICW3 unless SNGL, ICW4 if IC4 (8259A datasheet, "Initialization
		 * Command Words"). OCW2/OCW3 are ignored.
		 */
		if (v & ICW1_INIT) {
			d->pic_imr[i] = 0;
			d->pic_icw_step[i] =
			    1 + !(v & ICW1_SNGL) + (v & ICW1_ICW4);
		}
		return;
	}
	if (d->pic_icw_step[i]) {
		d->pic_icw_step[i]--; /* ICW2..ICW4 */
		return;
	}
	d->pic_imr[i] = v; /* OCW1 */
}

bool pc_devices_read(struct pc_devices *d, u16 port, unsigned size, u32 *val)
{
	int pic = pic_index(port);

	*val = 0;
	if (port >= LATCH_PORT && port < LATCH_PORT + 4) {
		for (unsigned i = 0; i < size && port - LATCH_PORT + i < 4; i++)
			*val |= (u32)d->latch[port - LATCH_PORT + i] << (8 * i);
		return true;
	}
	if (port == FWCFG_PORT_DATA) {
		for (unsigned i = 0; i < size; i++)
			*val |= (u32)fwcfg_byte(d) << (8 * i);
		return true;
	}
	if (port == FWCFG_PORT_SEL) {
		*val = d->fwcfg_key;
		return true;
	}
	if (pic >= 0) {
		/* data port: the mask; command port: no IRR/ISR bits set */
		*val = (port & 1) ? d->pic_imr[pic] : 0;
		return true;
	}
	return false;
}

bool pc_devices_write(struct pc_devices *d, u16 port, unsigned size, u32 val)
{
	int pic = pic_index(port);

	if (port >= LATCH_PORT && port < LATCH_PORT + 4) {
		for (unsigned i = 0; i < size && port - LATCH_PORT + i < 4; i++)
			d->latch[port - LATCH_PORT + i] = (u8)(val >> (8 * i));
		return true;
	}
	if (port == FWCFG_PORT_SEL) {
		d->fwcfg_key = (u16)val;
		d->fwcfg_off = 0;
		return true;
	}
	if (port == FWCFG_PORT_DATA)
		return true; /* data writes are ignored (no DMA interface) */
	if (pic >= 0) {
		pic_write(d, pic, port, (u8)val);
		return true;
	}
	return false;
}
