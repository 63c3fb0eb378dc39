/* SPDX-License-Identifier: MIT */
/*
 * The MMIO bus of one VM (pure): devices registered by guest-physical
 * range, accesses of 1..32 bytes dispatched to the device that covers them,
 * and the default for unbacked addresses (reads return all ones, writes are
 * dropped and counted), as on a PC bus with nothing decoding the address.
 */
#ifndef MICA_VMM_DEV_MMIO_BUS_H
#define MICA_VMM_DEV_MMIO_BUS_H

#include "mm/base/types.h"

#define MMIO_MAX_DEVS	16
#define MMIO_MAX_ACCESS 32 /* bytes: up to a 256-bit vector move */

struct mmio_dev {
	const char *name;
	gpa_t base;
	u64 size;
	/* off + len <= size; len 1..MMIO_MAX_ACCESS. Return 0, or a negative
	 * errno for an access the device refuses (treated as unbacked). */
	int (*read)(struct mmio_dev *d, u64 off, void *buf, unsigned len);
	int (*write)(struct mmio_dev *d, u64 off, const void *buf,
		     unsigned len);
	void *priv;
	/* Non-NULL when the device is plain memory at mem: its accesses have
	 * no side effects, so a run of them may be a copy (REP MOVS/STOS). */
	void *mem;
	u64 reads, writes;
};

struct mmio_bus {
	struct mmio_dev *devs[MMIO_MAX_DEVS];
	unsigned ndevs;
	unsigned last; /* index of the device found last */
	u64 unbacked_reads, unbacked_writes;
	gpa_t last_unbacked; /* for the diagnostic log */
};

void mmio_bus_init(struct mmio_bus *bus);

/* Add d; -EINVAL for an empty or wrapping range, -EEXIST when it overlaps
 * a registered device, -ENOSPC when the bus is full. */
int mmio_register(struct mmio_bus *bus, struct mmio_dev *d) __must_check;

/* The device whose range holds [gpa, gpa + len), or NULL. */
struct mmio_dev *mmio_find(struct mmio_bus *bus, gpa_t gpa, unsigned len);

/*
 * Perform a read or write of len (1..MMIO_MAX_ACCESS) bytes at gpa.
 * An access that no single device covers (including one straddling two
 * devices or a device's end) goes to the unbacked default. Returns true
 * when a device served it, false when the default did.
 */
bool mmio_read(struct mmio_bus *bus, gpa_t gpa, void *buf, unsigned len);
bool mmio_write(struct mmio_bus *bus, gpa_t gpa, const void *buf, unsigned len);

/* The same with the device already found by mmio_find() (d may be NULL),
 * for callers that make many accesses within one device's range. */
bool mmio_dev_read(struct mmio_bus *bus, struct mmio_dev *d, gpa_t gpa,
		   void *buf, unsigned len);
bool mmio_dev_write(struct mmio_bus *bus, struct mmio_dev *d, gpa_t gpa,
		    const void *buf, unsigned len);

/* Devices any VM can have (vmm/dev/mmio_dev.c). */

/* RAM-like test region over a host buffer of size bytes. */
void mmio_ioram_init(struct mmio_dev *d, gpa_t base, void *buf, u64 size);

/* Read-only memory over a host buffer: writes are refused (counted by the
 * bus as unbacked writes, i.e. dropped). */
void mmio_rom_init(struct mmio_dev *d, gpa_t base, const void *buf, u64 size);

struct vuart;
/* A 16550 with byte-wide registers at base .. base + 7. Wider accesses
 * touch consecutive registers, as on an 8-bit bus. */
void mmio_uart_init(struct mmio_dev *d, gpa_t base, struct vuart *u);

struct vlapic;
/* The xAPIC register page: every byte of a read is defined (registers in
 * the low 4 bytes of their 16-byte slots, zeros elsewhere); writes of
 * fewer than 4 bytes or misaligned ones are refused. */
void mmio_lapic_init(struct mmio_dev *d, gpa_t base, struct vlapic *a);

#endif /* MICA_VMM_DEV_MMIO_BUS_H */
