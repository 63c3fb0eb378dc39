/* SPDX-License-Identifier: MIT */
/*
 * Emulated I/O APIC (pure): the Intel 82093AA register set (datasheet
 * 290566, section 3) with 24 pins, plus the EOI register at +0x40 of the
 * version-0x20 I/O APICs (QEMU's ioapic, ICH-family chipsets). Pin changes
 * come in through vioapic_set_irq(); interrupts go out, as the redirection
 * entry describes them, through the deliver callback (the glue hands them
 * to the local APIC, whose EOI of a level vector comes back as
 * vioapic_eoi()). Delivery is immediate, so Delivery Status reads idle.
 */
#ifndef MICA_VMM_DEV_VIOAPIC_H
#define MICA_VMM_DEV_VIOAPIC_H

#include "mm/base/types.h"

#define IOAPIC_BASE_DEFAULT 0xfec00000ULL
#define IOAPIC_SIZE	    0x1000
#define IOAPIC_PINS	    24

/* Offsets in the MMIO window (82093AA 3.1; EOI: ICH "EOI register"). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN	0x10
#define IOAPIC_EOI	0x40

/* Indirect registers selected by IOREGSEL (82093AA 3.2). */
#define IOAPIC_REG_ID	   0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB	   0x02
#define IOAPIC_REG_REDIR   0x10 /* entry n: 0x10 + 2n (low), + 1 (high) */

#define IOAPIC_VERSION_VALUE 0x00170020 /* 24 entries (0x17), version 0x20 */
#define IOAPIC_ID_MASK	     0x0f000000

/* Redirection entry, low dword (82093AA 3.2.4). */
#define IOAPIC_RTE_VECTOR(x)   ((u8)(x))
#define IOAPIC_RTE_MODE(x)     ((u8)(((x) >> 8) & 7))
#define IOAPIC_RTE_LOGICAL     BIT(11)
#define IOAPIC_RTE_DELIVS      BIT(12) /* read-only */
#define IOAPIC_RTE_ACTIVE_LOW  BIT(13)
#define IOAPIC_RTE_REMOTE_IRR  BIT(14) /* read-only */
#define IOAPIC_RTE_LEVEL       BIT(15)
#define IOAPIC_RTE_MASKED      BIT(16)
#define IOAPIC_RTE_LO_WRITABLE 0x0001afffU
#define IOAPIC_RTE_HI_WRITABLE 0xff000000U
#define IOAPIC_RTE_DEST(entry) ((u8)((entry) >> 56))

/* Delivery modes (82093AA 3.2.4, bits 10:8). */
#define IOAPIC_MODE_FIXED  0
#define IOAPIC_MODE_LOWPRI 1
#define IOAPIC_MODE_SMI	   2
#define IOAPIC_MODE_NMI	   4
#define IOAPIC_MODE_INIT   5
#define IOAPIC_MODE_EXTINT 7

/*
 * Where an interrupt message goes: the entry's vector, delivery mode,
 * destination mode (true: logical) and destination (bits 63:56), and
 * whether the local APIC must treat it as level-triggered (and so
 * broadcast its EOI). Called with the I/O APIC's state already updated;
 * it must not call back into the I/O APIC.
 */
typedef void (*vioapic_deliver_fn)(void *ctx, u8 vector, u8 delivery_mode,
				   bool dest_logical, u8 dest, bool level);

struct vioapic {
	u64 redir[IOAPIC_PINS];
	u32 id;	   /* bits 27:24 */
	u8 regsel; /* IOREGSEL bits 7:0 */
	u32 line;  /* pin input levels, before polarity */
	vioapic_deliver_fn deliver;
	void *ctx;
	u64 deliveries, eois;
};

/*
 * Reset state (82093AA 3.2.4: every entry masked; ID 0): the other entry
 * fields read 0, every pin is low. deliver may be NULL (nothing is sent,
 * deliveries still counts). The glue drives the idle level of active-low
 * sources (high) itself.
 */
void vioapic_init(struct vioapic *io, vioapic_deliver_fn deliver, void *ctx);

/*
 * Pin pin (0..23; others are ignored) is now at electrical level level.
 * The entry's polarity gives the asserted state (active low inverts). Edge
 * entries deliver on the inactive -> active transition when unmasked (an
 * edge on a masked pin is lost); level entries deliver while asserted,
 * unmasked and Remote IRR is 0, setting Remote IRR.
 */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);

/*
 * EOI of vector (the local APIC's broadcast for a level vector, or a write
 * to the EOI register): clears Remote IRR of every entry with that vector
 * and delivers again those whose pin is still asserted and unmasked.
 */
void vioapic_eoi(struct vioapic *io, u8 vector);

/* The indirect register index (as selected through IOREGSEL): read as the
 * guest would through IOWIN (unimplemented registers read 0), write with
 * its side effects (read-only and reserved bits are kept as they are). */
u32 vioapic_read_reg(const struct vioapic *io, u8 index);
void vioapic_write_reg(struct vioapic *io, u8 index, u32 val);

/*
 * MMIO access of len bytes at window offset off. Every byte of a read is
 * defined: IOREGSEL, IOWIN and the EOI register are 32 bits wide at the
 * start of their 16-byte slots, byte o reads byte (o & 3) of the register
 * in its slot when (o & 0xf) < 4, and 0 everywhere else (EOI is write-only
 * and reads 0). A write is applied register by register in address order,
 * so one store may select and then write: an IOREGSEL write takes bits
 * 7:0 if its byte 0 is written; an IOWIN write of fewer than 4 bytes
 * merges into the selected register; EOI takes the vector in byte 0.
 */
void vioapic_mmio_read(const struct vioapic *io, u64 off, void *buf,
		       unsigned len);
void vioapic_mmio_write(struct vioapic *io, u64 off, const void *buf,
			unsigned len);

struct mmio_dev;
/* The register window of io as an MMIO bus device at base, IOAPIC_SIZE
 * bytes (vmm/dev/mmio_bus.h); no access is refused. */
void mmio_ioapic_init(struct mmio_dev *d, gpa_t base, struct vioapic *io);

#endif /* MICA_VMM_DEV_VIOAPIC_H */
