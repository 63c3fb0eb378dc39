/* SPDX-License-Identifier: MIT */
/*
 * 8259A pair model. Section names are those of the Intel 8259A datasheet
 * (order 231468); the ELCR is the PIIX's (82371, "ELCR1/ELCR2").
 *
 * Sensing: a request bit (IRR) is latched by a rising edge (edge mode) and
 * dropped when the line goes low ("the request latch is a transparent D
 * type latch": an edge request must stay high until the INTA), or follows
 * the line (level mode). INT rises when the priority resolver finds a
 * request and stays up until the INTA cycle (or a poll) that answers it,
 * so a request withdrawn in between gets the default IR7 ("Edge and Level
 * Triggered Modes"). The slave's INT drives the master's IR2 like any
 * other line.
 */
#include "vmm/dev/vpic.h"

#define ICW1_IC4  BIT(0)
#define ICW1_SNGL BIT(1)
#define ICW1_LTIM BIT(3)
#define ICW1_INIT BIT(4)
#define ICW4_AEOI BIT(1)
#define ICW4_SFNM BIT(4)
#define OCW3_SEL  BIT(3)
#define OCW3_RIS  BIT(0)
#define OCW3_RR	  BIT(1)
#define OCW3_POLL BIT(2)
#define OCW3_SMM  BIT(5)
#define OCW3_ESMM BIT(6)
#define POLL_INT  0x80

/* OCW2 bits 7:5, R SL EOI (datasheet "Operation Command Words"). */
enum ocw2_cmd {
	OCW2_ROTATE_AEOI_CLEAR = 0,
	OCW2_EOI = 1,
	OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_ROTATE_AEOI_SET = 4,
	OCW2_ROTATE_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

enum { MASTER, SLAVE };

/* The IRs of chip c that are level-sensitive: all of them with ICW1 LTIM,
 * else those the ELCR selects (the PIIX sets the mode per IRQ there). */
static u8 level_irs(const struct vpic *p, unsigned c)
{
	return (p->chip[c].icw1 & ICW1_LTIM) ? 0xff : p->elcr[c];
}

/* Edge requests survive only while their line is high; level requests
 * are the lines ("Edge and Level Triggered Modes", priority cell). */
static void sense(struct vpic *p, unsigned c)
{
	struct vpic_chip *k = &p->chip[c];
	u8 lv = level_irs(p, c);

	k->irr = (u8)((k->irr & ~lv & k->line) | (k->line & lv));
}

/* A rising edge latches the request in either mode. */
static void set_line(struct vpic *p, unsigned c, unsigned ir, bool level)
{
	struct vpic_chip *k = &p->chip[c];
	u8 bit = (u8)(1U << ir);

	if (level && !(k->line & bit))
		k->irr |= bit;
	k->line = level ? k->line | bit : k->line & (u8)~bit;
	sense(p, c);
}

/* The IR the master's ICW3 says has a slave (cascade mode only). */
static bool cascaded(const struct vpic *p, unsigned ir)
{
	const struct vpic_chip *m = &p->chip[MASTER];

	return !(m->icw1 & ICW1_SNGL) && (m->icw3 & (1U << ir));
}

/* "The Special Fully Nested Mode": on the master, a slave in service does
 * not lock out further (higher) requests from that same slave. */
static bool sfnm_passes(const struct vpic *p, unsigned c, unsigned ir)
{
	return c == MASTER && (p->chip[MASTER].icw4 & ICW4_SFNM) &&
	       cascaded(p, ir);
}

/* The IR at priority rank r (0 highest): IR lowest + 1 comes first
 * ("Automatic Rotation", "Specific Rotation"). */
static unsigned ir_at(const struct vpic_chip *k, unsigned r)
{
	return (k->lowest + 1 + r) & 7;
}

/*
 * The priority resolver: the highest unmasked request not below an
 * in-service level ("Fully Nested Mode"), or -1. In special mask mode an
 * IS bit that is masked does not count ("Special Mask Mode"). A chip in
 * the middle of its ICW sequence raises nothing.
 */
static int resolve(const struct vpic *p, unsigned c)
{
	const struct vpic_chip *k = &p->chip[c];
	u8 req = k->irr & (u8)~k->imr;
	u8 isr = k->smm ? k->isr & (u8)~k->imr : k->isr;

	if (k->icw_next)
		return -1;
	for (unsigned r = 0; r < 8; r++) {
		unsigned ir = ir_at(k, r);

		if ((req & (1U << ir)) &&
		    (!(isr & (1U << ir)) || sfnm_passes(p, c, ir)))
			return (int)ir;
		if (isr & (1U << ir))
			return -1;
	}
	return -1;
}

/* INT follows the resolver up; only an acknowledge brings it down. The
 * slave's INT is the master's IR2 input. */
static void update(struct vpic *p)
{
	if (resolve(p, SLAVE) >= 0)
		p->chip[SLAVE].intr = true;
	set_line(p, MASTER, PIC_CASCADE_IR, p->chip[SLAVE].intr);
	if (resolve(p, MASTER) >= 0)
		p->chip[MASTER].intr = true;
}

/*
 * One chip accepts IR ir ("Interrupt Sequence" steps 4 and 6): its IS bit
 * is set and an edge request is consumed; in automatic EOI mode the IS bit
 * is cleared again at the end of the cycle, rotating if so commanded.
 */
static void accept(struct vpic *p, unsigned c, unsigned ir)
{
	struct vpic_chip *k = &p->chip[c];
	u8 bit = (u8)(1U << ir);

	k->irr &= (u8) ~(bit & ~level_irs(p, c));
	if (!(k->icw4 & ICW4_AEOI))
		k->isr |= bit;
	else if (k->rotate_aeoi)
		k->lowest = (u8)ir;
}

/* 8086 mode ("ICW2"): T7-T3 from ICW2, the IR number in bits 2:0. The
 * MCS-80/85 call sequence has no meaning on x86; uPM = 0 is not modelled. */
static u8 vector_base(const struct vpic_chip *k)
{
	return k->icw2 & 0xf8;
}

/*
 * The slave's half of an INTA for cascade IR ir: "Cascading Mode" says the
 * master leaves the data bus to the slave on that IR. Only IR2 has one
 * wired (another IR the guest's ICW3 names finds no driver: the bus floats
 * to 0xFF). The slave's INT drops for the cycle; with nothing to answer
 * the slave sends its own default IR7 (IRQ 15).
 */
static int slave_ack(struct vpic *p, unsigned ir)
{
	struct vpic_chip *s = &p->chip[SLAVE];
	int sir = resolve(p, SLAVE);

	if (ir != PIC_CASCADE_IR)
		return 0xff;
	s->intr = false;
	set_line(p, MASTER, PIC_CASCADE_IR, false);
	if (sir < 0) {
		p->spurious++;
		return vector_base(s) | 7;
	}
	accept(p, SLAVE, (unsigned)sir);
	return vector_base(s) | sir;
}

/* "Interrupt Sequence": requests are frozen and resolved at the INTA, not
 * when INT rose; nothing left means the default IR7, IS bit untouched. */
int vpic_ack(struct vpic *p)
{
	struct vpic_chip *m = &p->chip[MASTER];
	int ir = resolve(p, MASTER), vec;

	p->acks++;
	m->intr = false;
	if (ir < 0) {
		p->spurious++;
		vec = vector_base(m) | 7;
	} else {
		accept(p, MASTER, (unsigned)ir);
		vec = cascaded(p, (unsigned)ir) ? slave_ack(p, (unsigned)ir)
						: vector_base(m) | ir;
	}
	update(p);
	return vec;
}

/* The INT pin of the master is the one wired to the CPU. */
bool vpic_has_intr(const struct vpic *p)
{
	return p->chip[MASTER].intr;
}

/* IRQ 2 is the cascade input, driven by the slave, not by a device. */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
	if (irq > 15 || irq == PIC_CASCADE_IR)
		return;
	set_line(p, irq / 8, irq % 8, level);
	update(p);
}

/*
 * ICW1 ("Initialization Command Words"): the edge sense circuit is reset
 * (an edge request needs a new low-to-high transition), the IMR cleared,
 * IR7 given lowest priority, special mask mode cleared, reads select the
 * IRR, and ICW4's functions zeroed until ICW4 comes. The datasheet is
 * silent on the ISR; it is cleared, as Bochs and QEMU do, and INT drops.
 */
static void icw1(struct vpic *p, unsigned c, u8 v)
{
	struct vpic_chip *k = &p->chip[c];

	k->icw1 = v;
	k->icw4 = 0;
	k->icw_next = 2;
	k->irr = k->isr = k->imr = 0;
	k->lowest = 7;
	k->smm = k->poll = k->read_isr = k->rotate_aeoi = false;
	k->intr = false;
	sense(p, c);
}

/* ICW2, then ICW3 unless SNGL, then ICW4 if IC4 (datasheet
 * "Initialization Command Words"); after the sequence, OCW1 is the mask. */
static void write_data(struct vpic *p, unsigned c, u8 v)
{
	struct vpic_chip *k = &p->chip[c];
	u8 ic4 = (k->icw1 & ICW1_IC4) ? 4 : 0;

	if (k->icw_next == 2) {
		k->icw2 = v;
		k->icw_next = (k->icw1 & ICW1_SNGL) ? ic4 : 3;
	} else if (k->icw_next == 3) {
		k->icw3 = v;
		k->icw_next = ic4;
	} else if (k->icw_next == 4) {
		k->icw4 = v;
		k->icw_next = 0;
	} else {
		k->imr = v;
	}
}

/* The in-service IR a non-specific EOI resets: the highest in priority;
 * in special mask mode a masked IS bit is passed over ("Special Mask
 * Mode"). */
static int highest_isr(const struct vpic_chip *k)
{
	u8 isr = k->smm ? k->isr & (u8)~k->imr : k->isr;

	for (unsigned r = 0; r < 8; r++)
		if (isr & (1U << ir_at(k, r)))
			return (int)ir_at(k, r);
	return -1;
}

/* Non-specific EOI, with or without rotation ("End of Interrupt",
 * "Automatic Rotation": the IR just served becomes the lowest). */
static void nonspecific_eoi(struct vpic_chip *k, bool rotate)
{
	int ir = highest_isr(k);

	if (ir < 0)
		return;
	k->isr &= (u8) ~(1U << ir);
	if (rotate)
		k->lowest = (u8)ir;
}

/* OCW2: EOI, rotation and priority commands on level L2-L0. A rotating
 * specific EOI makes L the lowest whether or not it was in service. */
static void ocw2(struct vpic_chip *k, u8 v)
{
	enum ocw2_cmd cmd = (enum ocw2_cmd)(v >> 5);
	u8 l = v & 7;

	switch (cmd) {
	case OCW2_ROTATE_AEOI_CLEAR:
	case OCW2_ROTATE_AEOI_SET:
		k->rotate_aeoi = cmd == OCW2_ROTATE_AEOI_SET;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		nonspecific_eoi(k, cmd == OCW2_ROTATE_EOI);
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		k->isr &= (u8) ~(1U << l);
		if (cmd == OCW2_ROTATE_SPECIFIC_EOI)
			k->lowest = l;
		break;
	case OCW2_SET_PRIORITY:
		k->lowest = l;
		break;
	case OCW2_NOP:
		break;
	}
}

/* OCW3: special mask mode when ESMM, the read-register selection when RR,
 * and the poll command (which takes precedence for the next read). */
static void ocw3(struct vpic_chip *k, u8 v)
{
	if (v & OCW3_ESMM)
		k->smm = v & OCW3_SMM;
	if (v & OCW3_RR)
		k->read_isr = v & OCW3_RIS;
	if (v & OCW3_POLL)
		k->poll = true;
}

/* A0 = 0: D4 set is ICW1, else D3 tells OCW3 from OCW2 (datasheet
 * "Operation Command Words"). */
static void write_cmd(struct vpic *p, unsigned c, u8 v)
{
	if (v & ICW1_INIT)
		icw1(p, c, v);
	else if (v & OCW3_SEL)
		ocw3(&p->chip[c], v);
	else
		ocw2(&p->chip[c], v);
}

/* "Poll Command": the read acts as an INTA for this chip alone (no
 * cascade), returning I (bit 7) and the level W2-W0; 0 with no request. */
static u8 poll_read(struct vpic *p, unsigned c)
{
	int ir = resolve(p, c);

	p->chip[c].poll = false;
	p->chip[c].intr = false;
	if (c == SLAVE)
		set_line(p, MASTER, PIC_CASCADE_IR, false);
	if (ir < 0)
		return 0;
	accept(p, c, (unsigned)ir);
	return POLL_INT | (u8)ir;
}

/* A0 = 1 reads the IMR; A0 = 0 the IRR or ISR as OCW3 selected; a pending
 * poll takes the next read of either port ("Reading the 8259A Status"). */
static u8 read_chip(struct vpic *p, unsigned c, bool data)
{
	const struct vpic_chip *k = &p->chip[c];

	if (k->poll)
		return poll_read(p, c);
	if (data)
		return k->imr;
	return k->read_isr ? k->isr : k->irr;
}

/* The master (0x20) or slave (0xA0) chip a port belongs to, or -1. */
static int chip_of(u16 port)
{
	if ((port & ~1) == PIC_MASTER_CMD)
		return MASTER;
	if ((port & ~1) == PIC_SLAVE_CMD)
		return SLAVE;
	return -1;
}

/* A poll read changes state, so INT is re-evaluated after any read. */
bool vpic_read(struct vpic *p, u16 port, u8 *val)
{
	int c = chip_of(port);

	if (port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE) {
		*val = p->elcr[port - PIC_ELCR_MASTER];
		return true;
	}
	if (c < 0)
		return false;
	*val = read_chip(p, (unsigned)c, port & 1);
	update(p);
	return true;
}

/* ELCR writes keep the bits of IRQs the PIIX fixes as edge at 0; the new
 * modes apply to the current lines at once. */
static void write_elcr(struct vpic *p, unsigned c, u8 v)
{
	static const u8 writable[2] = {PIC_ELCR_MASTER_WRITABLE,
				       PIC_ELCR_SLAVE_WRITABLE};

	p->elcr[c] = v & writable[c];
	sense(p, c);
}

/* Every write may change what the resolvers see, so INT is re-evaluated
 * after each. */
bool vpic_write(struct vpic *p, u16 port, u8 val)
{
	int c = chip_of(port);

	if (port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE)
		write_elcr(p, port - PIC_ELCR_MASTER, val);
	else if (c < 0)
		return false;
	else if (port & 1)
		write_data(p, (unsigned)c, val);
	else
		write_cmd(p, (unsigned)c, val);
	update(p);
	return true;
}

/* What a PC BIOS programs (SeaBIOS pic_setup: ICW1 0x11, vectors 0x08 and
 * 0x70, cascade on IR2, 8086 mode), with every IRQ masked. */
void vpic_init(struct vpic *p)
{
	static const u8 seq[2][4] = {{0x11, 0x08, 0x04, 0x01},
				     {0x11, 0x70, 0x02, 0x01}};

	mem_set(p, 0, sizeof(*p));
	for (unsigned c = 0; c < 2; c++) {
		u16 cmd = c ? PIC_SLAVE_CMD : PIC_MASTER_CMD;

		vpic_write(p, cmd, seq[c][0]);
		for (unsigned i = 1; i < 4; i++)
			vpic_write(p, cmd + 1, seq[c][i]);
		vpic_write(p, cmd + 1, 0xff);
	}
}
