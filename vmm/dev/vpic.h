/* SPDX-License-Identifier: MIT */
/*
 * Emulated 8259A pair as wired in a PC (pure): master at 0x20/0x21, slave
 * at 0xA0/0xA1 with its INT on master IR2, and the PIIX edge/level control
 * registers (ELCR) at 0x4D0/0x4D1. Intel 8259A datasheet (order 231468):
 * initialisation (ICW1-ICW4), masking (OCW1), EOI, rotation and priority
 * (OCW2), register reads, poll and special mask mode (OCW3), fully nested
 * and special fully nested modes, automatic EOI, cascading, and the default
 * IR7 of a request withdrawn before the acknowledge.
 *
 * vpic_has_intr() is the master's INT pin; the glue offers the CPU an
 * external interrupt (directly, or as ExtINT through LINT0 or an I/O APIC
 * pin) while it is high, and runs vpic_ack() as the CPU's INTA cycle.
 */
#ifndef MICA_VMM_DEV_VPIC_H
#define MICA_VMM_DEV_VPIC_H

#include "mm/base/types.h"

#define PIC_MASTER_CMD	0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD	0xa0
#define PIC_SLAVE_DATA	0xa1
#define PIC_ELCR_MASTER 0x4d0
#define PIC_ELCR_SLAVE	0x4d1
#define PIC_CASCADE_IR	2

/* ELCR bits that read 0 whatever is written (PIIX: IRQ 0, 1, 2 on the
 * master, 8 and 13 on the slave are edge-triggered only). */
#define PIC_ELCR_MASTER_WRITABLE 0xf8
#define PIC_ELCR_SLAVE_WRITABLE	 0xde

/* One 8259A. */
struct vpic_chip {
	u8 irr, isr, imr;
	u8 line;		   /* IR input levels */
	u8 icw1, icw2, icw3, icw4; /* as programmed; icw4 0 unless IC4 */
	u8 icw_next;		   /* ICW expected next (2..4); 0: ready */
	u8 lowest;		   /* IR of lowest priority (rotation) */
	bool rotate_aeoi;	   /* rotate in automatic EOI mode */
	bool smm;		   /* special mask mode */
	bool poll;		   /* the next read is a poll */
	bool read_isr;		   /* command-port reads return ISR */
	bool intr;		   /* INT output, held until INTA */
};

struct vpic {
	struct vpic_chip chip[2]; /* master, slave */
	u8 elcr[2];
	u64 acks, spurious;
};

/*
 * The state a PC BIOS leaves (guests start without one): both chips
 * initialised with ICW1 0x11, ICW2 0x08 / 0x70, ICW3 0x04 / 0x02, ICW4
 * 0x01, every IRQ masked, all lines low, ELCR 0 (every IRQ edge).
 */
void vpic_init(struct vpic *p);

/*
 * IRQ irq (0-15) line is now at level level. IRQ 2 is not an input (the
 * master's IR2 is the slave's INT); it and numbers above 15 are ignored.
 * An edge-triggered request is latched on the rising edge and must stay
 * high until the acknowledge (datasheet "Edge and Level Triggered Modes");
 * lowering the line withdraws it. A level-triggered request is the line.
 */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);

/* The master's INT output. */
bool vpic_has_intr(const struct vpic *p);

/*
 * The INTA cycle: returns the vector (0..255) of the highest-priority
 * request, setting its ISR bit (unless automatic EOI) and clearing an edge
 * request; for the cascade IR the slave supplies the vector. With no
 * request left, the chip answers with IR7 without setting ISR (spurious:
 * vector base + 7, i.e. IRQ 7 or, with master ISR bit 2 set, IRQ 15).
 */
int vpic_ack(struct vpic *p);

/*
 * Byte access to ports 0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1. Returns false
 * for any other port (then *val is not written).
 */
bool vpic_read(struct vpic *p, u16 port, u8 *val);
bool vpic_write(struct vpic *p, u16 port, u8 val);

#endif /* MICA_VMM_DEV_VPIC_H */
