/* SPDX-License-Identifier: MIT */
/*
 * The PC platform a guest of mica sees at its ports and interrupt lines, as
 * QEMU's "pc" machine has it (pure, no I/O):
 *   fw_cfg   0x510 selector (16-bit), 0x511 data (byte): signature "QEMU",
 *            key 0x05 = number of CPUs (1), unknown keys read as zeros;
 *   8259 PICs 0x20/0x21, 0xA0/0xA1, ELCR 0x4D0/0x4D1 (vmm/dev/vpic.c);
 *   8254 PIT 0x40-0x43 and port 0x61 (vmm/dev/vpit.c), IRQ 0;
 *   RTC/CMOS 0x70/0x71 (vmm/dev/vrtc.c), IRQ 8;
 *   ACPI PM timer 0xB008 (vmm/dev/vpmtimer.c);
 *   I/O APIC at 0xFEC00000 (vmm/dev/vioapic.c, the MMIO device is the
 *            glue's), delivering to the local APIC;
 *   latch    0xE0-0xE3: a 4-byte data latch for I/O tests (a write of N
 *            bytes at 0xE0 + k sets bytes k..k+N-1; reads return them);
 *   reset    the reset control register at 0xCF9 (PIIX3/ICH: bit 2 resets)
 *            and the 8042's pulse-reset command (0xFE written to 0x64).
 * ISA IRQ n goes to PIC input n and I/O APIC pin n, except IRQ 0 to pin 2
 * (the routing QEMU's ACPI tables describe with an interrupt source
 * override).
 */
#ifndef MICA_VMM_DEV_PC_DEVICES_H
#define MICA_VMM_DEV_PC_DEVICES_H

#include "mm/base/types.h"
#include "vmm/dev/vioapic.h"
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vpic.h"
#include "vmm/dev/vpit.h"
#include "vmm/dev/vpmtimer.h"
#include "vmm/dev/vrtc.h"

#define FWCFG_PORT_SEL	    0x510
#define FWCFG_PORT_DATA	    0x511
#define FWCFG_KEY_SIGNATURE 0x00
#define FWCFG_KEY_NB_CPUS   0x05
#define LATCH_PORT	    0xe0
#define PC_IRQ_PIT	    0
#define PC_IRQ_COM1	    4
#define PC_IRQ_RTC	    8
#define PC_RCR_PORT	    0xcf9
#define PC_RCR_RST_CPU	    BIT(2)
#define PC_KBC_CMD_PORT	    0x64
#define PC_KBC_PULSE_RESET  0xfe

/* A reset the guest asked for (the glue ends the guest with it). */
enum pc_reset { PC_RESET_NONE, PC_RESET_CF9, PC_RESET_KBC };

struct pc_devices {
	u16 fwcfg_key;
	u32 fwcfg_off;
	u8 latch[4];
	u8 rcr;		     /* reset control: the reset type bits 3:1 */
	enum pc_reset reset; /* requested, not yet acted on */
	struct vpic pic;
	struct vioapic ioapic;
	struct vpit pit;
	struct vrtc rtc;
	struct vpmtimer pm;
	struct vlapic *lapic; /* where I/O APIC messages go */
};

/*
 * The platform after firmware: the PICs as a BIOS leaves them, the I/O
 * APIC masked, the PIT idle, the RTC at epoch (seconds since 1970), all
 * counted on clock (guest TSC ticks at tsc_hz). lapic receives the I/O
 * APIC's messages and sends it EOIs of level-triggered vectors.
 */
void pc_devices_init(struct pc_devices *d, struct vlapic *lapic, u64 tsc_hz,
		     u64 epoch, u64 (*clock)(void *), void *clock_ctx);

/*
 * Port access of size 1, 2 or 4 bytes. Returns true when one of these
 * devices owns the port (then *val is set for reads), false otherwise.
 */
bool pc_devices_read(struct pc_devices *d, u16 port, unsigned size, u32 *val);
bool pc_devices_write(struct pc_devices *d, u16 port, unsigned size, u32 val);

/* ISA IRQ irq (0-15) line level, to the PIC and the I/O APIC. */
void pc_irq(struct pc_devices *d, unsigned irq, bool level);

/* Raise the edges the PIT and the RTC produced by now. */
void pc_devices_poll(struct pc_devices *d);

/* The clock value at which the PIT or the RTC will next raise an IRQ
 * that can reach the CPU (unmasked at the PIC or the I/O APIC), 0 if
 * neither will without a new write. */
u64 pc_devices_next(const struct pc_devices *d);

/* An external interrupt from the PIC the local APIC would take (LINT0
 * in ExtINT mode, or the APIC disabled in IA32_APIC_BASE: apic_on false),
 * and the INTA cycle that takes it. */
bool pc_extint_pending(const struct pc_devices *d, bool apic_on);
int pc_extint_ack(struct pc_devices *d);

#endif /* MICA_VMM_DEV_PC_DEVICES_H */
