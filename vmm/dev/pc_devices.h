/* SPDX-License-Identifier: MIT */
/*
 * Small PC port devices that multiboot test kernels expect of a QEMU "pc"
 * machine (pure state machines, no I/O):
 *   fw_cfg   0x510 selector (16-bit), 0x511 data (byte): signature "QEMU",
 *            key 0x05 = number of CPUs (1), unknown keys read as zeros;
 *   8259 PIC 0x20/0x21, 0xA0/0xA1: initialisation words and masks are
 *            accepted and read back; no interrupts are raised;
 *   latch    0xE0-0xE3: a 4-byte data latch for I/O tests (a write of N
 *            bytes at 0xE0 + k sets bytes k..k+N-1; reads return them).
 */
#ifndef MICA_VMM_DEV_PC_DEVICES_H
#define MICA_VMM_DEV_PC_DEVICES_H

#include "mm/base/types.h"

#define FWCFG_PORT_SEL	    0x510
#define FWCFG_PORT_DATA	    0x511
#define FWCFG_KEY_SIGNATURE 0x00
#define FWCFG_KEY_NB_CPUS   0x05
#define LATCH_PORT	    0xe0

struct pc_devices {
	u16 fwcfg_key;
	u32 fwcfg_off;
	u8 pic_imr[2];
	u8 pic_icw_step[2]; /* initialisation words still expected */
	u8 latch[4];
};

void pc_devices_init(struct pc_devices *d);

/*
 * Port access of size 1, 2 or 4 bytes. Returns true when one of these
 * devices owns the port (then *val is set for reads), false otherwise.
 */
bool pc_devices_read(struct pc_devices *d, u16 port, unsigned size, u32 *val);
bool pc_devices_write(struct pc_devices *d, u16 port, unsigned size, u32 val);

#endif /* MICA_VMM_DEV_PC_DEVICES_H */
