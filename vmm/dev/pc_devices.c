/* SPDX-License-Identifier: MIT */
/*
 * The PC platform (pc_devices.h): fw_cfg (QEMU docs/specs/fw_cfg.txt:
 * selector/data ports, "QEMU" signature, FW_CFG_NB_CPUS), the 0xE0 latch,
 * the port dispatch to the PIC, PIT, RTC and PM timer models, and the ISA
 * interrupt lines to the PIC and the I/O APIC.
 */
#include "vmm/dev/pc_devices.h"

#define IOAPIC_PIN_PIT 2 /* ISA IRQ 0 (interrupt source override) */
#define APIC_BROADCAST 0xff

/*
 * An I/O APIC message for the one local APIC (SDM Vol 3A 11.6.2): a
 * physical destination of its ID (0) or the broadcast, or a logical one
 * that names it in flat (DFR model 1111b: bits of LDR[31:24]) or cluster
 * model (high nibble the cluster, low nibble the bits). NMI makes an NMI
 * pending; ExtINT, SMI and INIT messages are not delivered.
 */
static void ioapic_deliver(void *ctx, u8 vector, u8 mode, bool logical, u8 dest,
			   bool level)
{
	struct vlapic *a = ctx;
	u8 ldr = (u8)(vlapic_read(a, LAPIC_LDR) >> 24);
	bool mine;

	if (!logical)
		mine = dest == 0 || dest == APIC_BROADCAST;
	else if ((vlapic_read(a, LAPIC_DFR) >> 28) == 0xf)
		mine = dest & ldr;
	else
		mine = (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
	if (!mine && dest != APIC_BROADCAST)
		return;
	if (mode == IOAPIC_MODE_FIXED || mode == IOAPIC_MODE_LOWPRI)
		vlapic_set_irq(a, vector, level);
	else if (mode == IOAPIC_MODE_NMI)
		vlapic_nmi(a);
}

static void lapic_eoi(void *ctx, u8 vector)
{
	vioapic_eoi(ctx, vector);
}

void pc_devices_init(struct pc_devices *d, struct vlapic *lapic, u64 tsc_hz,
		     u64 epoch, u64 (*clock)(void *), void *clock_ctx)
{
	mem_set(d, 0, sizeof(*d));
	d->lapic = lapic;
	vpic_init(&d->pic);
	vioapic_init(&d->ioapic, ioapic_deliver, lapic);
	lapic->eoi_level = lapic_eoi;
	lapic->eoi_ctx = &d->ioapic;
	vpit_init(&d->pit, tsc_hz);
	vpit_set_clock(&d->pit, clock, clock_ctx);
	vrtc_init(&d->rtc, tsc_hz, epoch);
	vrtc_set_clock(&d->rtc, clock, clock_ctx);
	vpmtimer_init(&d->pm, tsc_hz);
	vpmtimer_set_clock(&d->pm, clock, clock_ctx);
}

void pc_irq(struct pc_devices *d, unsigned irq, bool level)
{
	vpic_set_irq(&d->pic, irq, level);
	vioapic_set_irq(&d->ioapic, irq == PC_IRQ_PIT ? IOAPIC_PIN_PIT : irq,
			level);
}

/* A new edge on an ISA line: the line drops and rises again, and stays
 * up until the next edge, as the PIT's and the RTC's outputs do to an
 * edge-triggered input. */
static void pc_edge(struct pc_devices *d, unsigned irq)
{
	pc_irq(d, irq, false);
	pc_irq(d, irq, true);
}

void pc_devices_poll(struct pc_devices *d)
{
	if (vpit_irq0_poll(&d->pit))
		pc_edge(d, PC_IRQ_PIT);
	/* The RTC's IRQ line is IRQF: up until register C is read. */
	if (vrtc_irq_poll(&d->rtc))
		pc_irq(d, PC_IRQ_RTC, false);
	pc_irq(d, PC_IRQ_RTC, d->rtc.irq_line);
}

/* Whether an edge on ISA IRQ irq can reach the CPU now: unmasked at the
 * PIC (for IRQs 8-15 the cascade too) or at its I/O APIC pin. A masked
 * source's edges still show at the next poll, coalesced, as the PIC's IRR
 * would hold them. */
static bool irq_routed(const struct pc_devices *d, unsigned irq)
{
	unsigned pin = irq == PC_IRQ_PIT ? IOAPIC_PIN_PIT : irq;
	bool pic = irq < 8 ? !(d->pic.chip[0].imr & BIT(irq))
			   : !(d->pic.chip[0].imr & BIT(PIC_CASCADE_IR)) &&
				 !(d->pic.chip[1].imr & BIT(irq - 8));

	return pic || !(d->ioapic.redir[pin] & IOAPIC_RTE_MASKED);
}

u64 pc_devices_next(const struct pc_devices *d)
{
	u64 a = irq_routed(d, PC_IRQ_PIT) ? vpit_irq0_next(&d->pit) : 0;
	u64 b = irq_routed(d, PC_IRQ_RTC) ? vrtc_irq_next(&d->rtc) : 0;

	if (!a || (b && b < a))
		return b;
	return a;
}

bool pc_extint_pending(const struct pc_devices *d, bool apic_on)
{
	return vpic_has_intr(&d->pic) &&
	       (!apic_on || vlapic_extint_enabled(d->lapic));
}

int pc_extint_ack(struct pc_devices *d)
{
	return vpic_ack(&d->pic);
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

/* Whether any device here decodes port: most ports a guest probes are
 * no one's, and the answer comes before any model is asked. */
static bool owned(u16 port)
{
	switch (port >> 4) {
	case 0x02:  /* 0x20, 0x21 */
	case 0x04:  /* 0x40-0x43 */
	case 0x06:  /* 0x61 */
	case 0x07:  /* 0x70, 0x71 */
	case 0x0a:  /* 0xa0, 0xa1 */
	case 0x0e:  /* 0xe0-0xe3 */
	case 0x4d:  /* 0x4d0, 0x4d1 */
	case 0xcf:  /* 0xcf9 */
	case 0x51:  /* 0x510, 0x511 */
	case 0xb00: /* 0xb008-0xb00b */
		return true;
	default:
		return false;
	}
}

/* Byte ports of the models, a wider access touching consecutive ports
 * as on the ISA bus. */
static bool model_read(struct pc_devices *d, u16 port, u8 *v)
{
	return vpic_read(&d->pic, port, v) || vpit_read(&d->pit, port, v) ||
	       vrtc_read(&d->rtc, port, v);
}

static bool model_write(struct pc_devices *d, u16 port, u8 v)
{
	return vpic_write(&d->pic, port, v) || vpit_write(&d->pit, port, v) ||
	       vrtc_write(&d->rtc, port, v);
}

bool pc_devices_read(struct pc_devices *d, u16 port, unsigned size, u32 *val)
{
	u8 b;

	*val = 0;
	if (!owned(port))
		return false;
	if (port == PC_RCR_PORT && size == 1) {
		*val = d->rcr;
		return true;
	}
	if (vpmtimer_read(&d->pm, port, size, val))
		return true;
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
	if (!model_read(d, port, &b))
		return false;
	*val = b;
	for (unsigned i = 1; i < size; i++) {
		if (!model_read(d, (u16)(port + i), &b))
			b = 0xff; /* nothing answers on the bus */
		*val |= (u32)b << (8 * i);
	}
	return true;
}

bool pc_devices_write(struct pc_devices *d, u16 port, unsigned size, u32 val)
{
	if (!owned(port))
		return false;
	/* 0xCF9: bit 2 starts a reset, bits 3:1 the kind (ICH9 datasheet
	 * "Reset Control Register"); 0x64 <- 0xFE pulses the 8042's reset
	 * output. Both end a guest of mica, as QEMU without a reboot. */
	if (port == PC_RCR_PORT && size == 1) {
		d->rcr = (u8)(val & 0x0a);
		if (val & PC_RCR_RST_CPU)
			d->reset = PC_RESET_CF9;
		return true;
	}
	if (port == PC_KBC_CMD_PORT && size == 1 &&
	    (u8)val == PC_KBC_PULSE_RESET) {
		d->reset = PC_RESET_KBC;
		return true;
	}
	if (vpmtimer_write(&d->pm, port, size, val))
		return true;
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
	if (!model_write(d, port, (u8)val))
		return false;
	for (unsigned i = 1; i < size; i++)
		model_write(d, (u16)(port + i), (u8)(val >> (8 * i)));
	return true;
}
