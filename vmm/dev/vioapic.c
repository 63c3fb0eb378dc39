/* SPDX-License-Identifier: MIT */
/*
 * I/O APIC model: the redirection table, pin sensing with polarity, edge
 * and level (Remote IRR) delivery, EOI, and the register window on the
 * MMIO bus. Section numbers are those of the Intel 82093AA datasheet
 * (order 290566-001).
 */
#include "vmm/dev/vioapic.h"
#include "vmm/dev/mmio_bus.h"

#define SLOT_MASK 0xfULL

/* 3.2.4: every entry comes out of reset masked; the other fields are
 * undefined there and start at 0 here. */
void vioapic_init(struct vioapic *io, vioapic_deliver_fn deliver, void *ctx)
{
	mem_set(io, 0, sizeof(*io));
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->redir[i] = IOAPIC_RTE_MASKED;
	io->deliver = deliver;
	io->ctx = ctx;
}

/*
 * Level sensing applies to Fixed and Lowest Priority entries only. 3.2.4
 * says SMI, NMI, INIT and ExtINT must be programmed edge-triggered (SDM
 * Vol 3A 11.11.2: NMI and INIT are edge whatever the trigger mode); such an
 * entry programmed level behaves as edge and never sets Remote IRR, which
 * no EOI would ever clear.
 */
static bool is_level(u64 e)
{
	return (e & IOAPIC_RTE_LEVEL) &&
	       IOAPIC_RTE_MODE(e) <= IOAPIC_MODE_LOWPRI;
}

/* 3.2.4 INTPOL: 1 = active low, so the asserted state is the line level
 * inverted. */
static bool asserted(const struct vioapic *io, unsigned pin)
{
	bool high = io->line & (1U << pin);

	return high != !!(io->redir[pin] & IOAPIC_RTE_ACTIVE_LOW);
}

/* One interrupt message, with the entry's routing fields as they are now. */
static void send(struct vioapic *io, u64 e)
{
	io->deliveries++;
	if (io->deliver)
		io->deliver(io->ctx, IOAPIC_RTE_VECTOR(e), IOAPIC_RTE_MODE(e),
			    e & IOAPIC_RTE_LOGICAL, IOAPIC_RTE_DEST(e),
			    is_level(e));
}

/*
 * A level entry sends while its pin is asserted and unmasked and no
 * earlier message awaits its EOI (3.2.4 Remote IRR: set when the local
 * APIC accepts the level interrupt, which is at once here).
 */
static void service_level(struct vioapic *io, unsigned pin)
{
	u64 *e = &io->redir[pin];

	if (!is_level(*e) || !asserted(io, pin) || (*e & IOAPIC_RTE_MASKED) ||
	    (*e & IOAPIC_RTE_REMOTE_IRR))
		return;
	*e |= IOAPIC_RTE_REMOTE_IRR;
	send(io, *e);
}

/* 3.2.4 Interrupt Mask: an edge on a masked pin is ignored, not held. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = asserted(io, pin);
	io->line = level ? io->line | (1U << pin) : io->line & ~(1U << pin);
	if (is_level(io->redir[pin]))
		service_level(io, pin);
	else if (!was && asserted(io, pin) &&
		 !(io->redir[pin] & IOAPIC_RTE_MASKED))
		send(io, io->redir[pin]);
}

/* 3.2.4 Remote IRR: cleared by an EOI with a matching vector, on every
 * entry that has it (the ICH EOI register does the same for duplicates). */
void vioapic_eoi(struct vioapic *io, u8 vector)
{
	io->eois++;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		u64 *e = &io->redir[pin];

		if (!(*e & IOAPIC_RTE_REMOTE_IRR) ||
		    IOAPIC_RTE_VECTOR(*e) != vector)
			continue;
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}

/* 3.2.1-3.2.4: the ID, the version, the arbitration ID (loaded with the
 * ID on every ID write, so it reads the same) and the table. */
u32 vioapic_read_reg(const struct vioapic *io, u8 index)
{
	u64 e;

	if (index == IOAPIC_REG_ID || index == IOAPIC_REG_ARB)
		return io->id;
	if (index == IOAPIC_REG_VERSION)
		return IOAPIC_VERSION_VALUE;
	if (index < IOAPIC_REG_REDIR ||
	    index >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return 0;
	e = io->redir[(index - IOAPIC_REG_REDIR) / 2];
	return (index & 1) ? (u32)(e >> 32) : (u32)e;
}

/*
 * Low dword of an entry. Delivery Status and Remote IRR are read-only
 * (3.2.4). An entry that stops being level-sensitive loses Remote IRR, as
 * QEMU and KVM do (its meaning is undefined for edge, 3.2.4), so only level
 * entries ever hold it. A level entry is then re-examined: unmasking it,
 * or making it level, while its pin is asserted sends at once.
 */
static void write_rte_low(struct vioapic *io, unsigned pin, u32 val)
{
	u64 *e = &io->redir[pin];

	*e = (*e & ~(u64)IOAPIC_RTE_LO_WRITABLE) |
	     (val & IOAPIC_RTE_LO_WRITABLE);
	if (!is_level(*e))
		*e &= ~IOAPIC_RTE_REMOTE_IRR;
	service_level(io, pin);
}

/* 3.2.1: only the 4-bit ID is writable; 3.2.2/3.2.3 are read-only; in the
 * high dword only the destination (bits 63:56) is defined. */
void vioapic_write_reg(struct vioapic *io, u8 index, u32 val)
{
	unsigned pin;

	if (index == IOAPIC_REG_ID) {
		io->id = val & IOAPIC_ID_MASK;
		return;
	}
	if (index < IOAPIC_REG_REDIR ||
	    index >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return;
	pin = (index - IOAPIC_REG_REDIR) / 2;
	if (!(index & 1))
		write_rte_low(io, pin, val);
	else
		io->redir[pin] = (u32)io->redir[pin] |
				 (u64)(val & IOAPIC_RTE_HI_WRITABLE) << 32;
}

/* The 32-bit register at the start of a 16-byte slot, as read (3.1). */
static u32 slot_read(const struct vioapic *io, u64 slot)
{
	if (slot == IOAPIC_IOREGSEL)
		return io->regsel;
	if (slot == IOAPIC_IOWIN)
		return vioapic_read_reg(io, io->regsel);
	return 0; /* EOI is write-only; nothing else is decoded */
}

/* Reads have no side effects, so each byte can be served on its own; the
 * register is fetched once per slot. */
void vioapic_mmio_read(const struct vioapic *io, u64 off, void *buf,
		       unsigned len)
{
	u8 *b = buf;
	u32 reg = 0;

	for (unsigned i = 0; i < len; i++) {
		u64 o = off + i;

		if ((o & SLOT_MASK) == 0 || i == 0)
			reg = slot_read(io, o & ~SLOT_MASK);
		b[i] = (o & SLOT_MASK) < 4 ? (u8)(reg >> (8 * (o & 3))) : 0;
	}
}

/*
 * The bytes of one register's dword that a store wrote (bit k of have:
 * byte k). 3.1 defines IOREGSEL bits 7:0 only; IOWIN writes the selected
 * register, merging a narrow store with its current value; the EOI
 * register takes the vector from bits 7:0.
 */
static void slot_write(struct vioapic *io, u64 slot, u32 val, unsigned have)
{
	u32 mask = 0;

	for (unsigned k = 0; k < 4; k++)
		if (have & (1U << k))
			mask |= 0xffU << (8 * k);
	if (slot == IOAPIC_IOREGSEL && (have & 1))
		io->regsel = (u8)val;
	else if (slot == IOAPIC_IOWIN)
		vioapic_write_reg(io, io->regsel,
				  (vioapic_read_reg(io, io->regsel) & ~mask) |
				      (val & mask));
	else if (slot == IOAPIC_EOI && (have & 1))
		vioapic_eoi(io, (u8)val);
}

/* Gather the written bytes slot by slot, applying each slot when the store
 * leaves it, so registers change in address order. */
void vioapic_mmio_write(struct vioapic *io, u64 off, const void *buf,
			unsigned len)
{
	const u8 *b = buf;
	u32 val = 0;
	unsigned have = 0;

	for (unsigned i = 0; i < len; i++) {
		u64 o = off + i;

		if ((o & SLOT_MASK) < 4) {
			val |= (u32)b[i] << (8 * (o & 3));
			have |= 1U << (o & 3);
		}
		if (have && ((o & SLOT_MASK) == 3 || i + 1 == len)) {
			slot_write(io, o & ~SLOT_MASK, val, have);
			val = have = 0;
		}
	}
}

/* Bus glue: every access is served. */
static int ioapic_read(struct mmio_dev *d, u64 off, void *buf, unsigned len)
{
	vioapic_mmio_read(d->priv, off, buf, len);
	return 0;
}

/* Bus glue: every access is served. */
static int ioapic_write(struct mmio_dev *d, u64 off, const void *buf,
			unsigned len)
{
	vioapic_mmio_write(d->priv, off, buf, len);
	return 0;
}

/* The window is one 4 KiB page (the MP specification places I/O APICs on
 * 4 KiB boundaries from 0xFEC00000). */
void mmio_ioapic_init(struct mmio_dev *d, gpa_t base, struct vioapic *io)
{
	*d = (struct mmio_dev){.name = "ioapic",
			       .base = base,
			       .size = IOAPIC_SIZE,
			       .read = ioapic_read,
			       .write = ioapic_write,
			       .priv = io};
}
