/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/dev/vpic.c against the Intel 8259A datasheet (order
 * 231468; the section named in each test) and the PIIX ELCR: the
 * initialisation sequences Linux and SeaBIOS write, masking, fully nested
 * priority, EOIs, rotation, automatic EOI, poll, register reads, special
 * mask and special fully nested modes, cascading, the default IR7 (IRQ 7
 * and 15) and level sensing; then random operations compared with a small
 * reference model written here (MICA_SEED, MICA_ITERS).
 */
#include <stdio.h>
#include <string.h>

#include "vmm/dev/vpic.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

#define M_CMD  PIC_MASTER_CMD
#define M_DATA PIC_MASTER_DATA
#define S_CMD  PIC_SLAVE_CMD
#define S_DATA PIC_SLAVE_DATA

static void out(struct vpic *p, u16 port, u8 v)
{
	if (!vpic_write(p, port, v))
		tap_diag("write to %#x refused", port);
}

static u8 in(struct vpic *p, u16 port)
{
	u8 v = 0xee;

	if (!vpic_read(p, port, &v))
		tap_diag("read of %#x refused", port);
	return v;
}

/* OCW3 read-register commands ("Reading the 8259A Status"). */
static u8 irr(struct vpic *p, u16 cmd)
{
	out(p, cmd, 0x0a);
	return in(p, cmd);
}

static u8 isr(struct vpic *p, u16 cmd)
{
	out(p, cmd, 0x0b);
	return in(p, cmd);
}

/* The sequence Linux's init_8259A and SeaBIOS's pic_setup write: ICW1
 * 0x11 (edge, cascade, ICW4), ICW2 base, ICW3 4 / 2, ICW4 icw4. */
static void setup(struct vpic *p, u8 mbase, u8 sbase, u8 icw4)
{
	vpic_init(p);
	out(p, M_CMD, 0x11);
	out(p, M_DATA, mbase);
	out(p, M_DATA, 0x04);
	out(p, M_DATA, icw4);
	out(p, S_CMD, 0x11);
	out(p, S_DATA, sbase);
	out(p, S_DATA, 0x02);
	out(p, S_DATA, icw4);
}

static void linux_pic(struct vpic *p)
{
	setup(p, 0x20, 0x28, 0x01);
}

/* Raise an edge IRQ (low, then high). */
static void edge(struct vpic *p, unsigned irq)
{
	vpic_set_irq(p, irq, false);
	vpic_set_irq(p, irq, true);
}

/* Ack with INT required first, as a CPU does. */
static int take(struct vpic *p)
{
	return vpic_has_intr(p) ? vpic_ack(p) : -1;
}

static void eoi_both(struct vpic *p)
{
	out(p, S_CMD, 0x20);
	out(p, M_CMD, 0x20);
}

/* "Initialization Command Words": a PC BIOS state at reset, and the two
 * common sequences. */
static void test_init(void)
{
	struct vpic p;
	int v0, v9;

	vpic_init(&p);
	edge(&p, 1);
	tap_ok(in(&p, M_DATA) == 0xff && in(&p, S_DATA) == 0xff &&
		   !vpic_has_intr(&p) && in(&p, PIC_ELCR_MASTER) == 0,
	       "reset: as a BIOS leaves it, every IRQ masked, ELCR 0");
	out(&p, M_DATA, 0xfd);
	tap_ok(take(&p) == 0x09,
	       "reset: master base 0x08 (IRQ 1 is vector 9, as SeaBIOS sets)");
	linux_pic(&p);
	tap_ok(in(&p, M_DATA) == 0 && in(&p, S_DATA) == 0 && !vpic_has_intr(&p),
	       "after ICW1 the IMR reads 0 and nothing is requested");
	edge(&p, 0);
	v0 = take(&p);
	eoi_both(&p);
	edge(&p, 9);
	v9 = take(&p);
	tap_ok(v0 == 0x20 && v9 == 0x29,
	       "ICW1 0x11, ICW2 0x20/0x28, ICW3 4/2, ICW4 1: IRQ 0 -> 0x20, "
	       "IRQ 9 -> 0x29");
	setup(&p, 0x08, 0x70, 0x01);
	out(&p, M_DATA, 0xfb);
	out(&p, S_DATA, 0xff);
	edge(&p, 14);
	out(&p, S_DATA, 0xbf);
	tap_ok(in(&p, M_DATA) == 0xfb && take(&p) == 0x76,
	       "SeaBIOS: 0x08/0x70, masks 0xFB/0xFF read back; IRQ 14 -> 0x76");
}

/* "Initialization Command Words" a: the edge sense circuit is reset, so a
 * line held high over ICW1 requests nothing until it rises again. */
static void test_init_edge_reset(void)
{
	struct vpic p;

	linux_pic(&p);
	vpic_set_irq(&p, 4, true);
	take(&p);
	out(&p, M_CMD, 0x11);
	out(&p, M_DATA, 0x20);
	out(&p, M_DATA, 0x04);
	out(&p, M_DATA, 0x01);
	vpic_set_irq(&p, 4, true);
	tap_ok(!vpic_has_intr(&p) && irr(&p, M_CMD) == 0 && isr(&p, M_CMD) == 0,
	       "a line high across ICW1 is no request; IS 4 is cleared");
	edge(&p, 4);
	tap_ok(take(&p) == 0x24, "after a new rising edge it is");
}

/* "Interrupt Masks": a masked request stays in the IRR, unmasking lets
 * it through. */
static void test_imr(void)
{
	struct vpic p;

	linux_pic(&p);
	out(&p, M_DATA, 0x08);
	edge(&p, 3);
	tap_ok(!vpic_has_intr(&p) && irr(&p, M_CMD) == 0x08 &&
		   in(&p, M_DATA) == 0x08,
	       "masked IRQ 3: no INT, IRR bit 3 set, OCW1 reads back");
	out(&p, M_DATA, 0x00);
	tap_ok(take(&p) == 0x23 && isr(&p, M_CMD) == 0x08 &&
		   irr(&p, M_CMD) == 0,
	       "unmasked: delivered, IRR -> ISR");
	out(&p, S_DATA, 0x02);
	edge(&p, 9);
	tap_ok(!vpic_has_intr(&p) && irr(&p, S_CMD) == 0x02,
	       "slave IMR masks IRQ 9");
}

/* "Fully Nested Mode": IR0 highest, IR7 lowest; an in-service level
 * blocks itself and lower levels, not higher ones. */
static void test_priority(void)
{
	struct vpic p;
	int a, b, c;

	linux_pic(&p);
	edge(&p, 5);
	edge(&p, 3);
	edge(&p, 6);
	a = take(&p);
	tap_ok(a == 0x23 && !vpic_has_intr(&p),
	       "IRQ 3 first; 5 and 6 wait while it is in service");
	edge(&p, 1);
	b = take(&p);
	tap_ok(b == 0x21 && isr(&p, M_CMD) == 0x0a,
	       "IRQ 1 preempts IRQ 3 in service (nested ISR 0x0A)");
	out(&p, M_CMD, 0x20);
	tap_ok(isr(&p, M_CMD) == 0x08 && !vpic_has_intr(&p),
	       "non-specific EOI resets the highest IS bit (1), 3 stays");
	out(&p, M_CMD, 0x20);
	c = take(&p);
	tap_ok(c == 0x25, "then IRQ 5");
	edge(&p, 11);
	edge(&p, 4);
	out(&p, M_CMD, 0x20);
	tap_ok(take(&p) == 0x2b,
	       "slave IRQs rank at IR2: IRQ 11 before IRQ 4 (and 6)");
}

/* "End of Interrupt": specific EOI resets the named IS bit. */
static void test_specific_eoi(void)
{
	struct vpic p;

	linux_pic(&p);
	edge(&p, 6);
	take(&p);
	edge(&p, 0);
	take(&p);
	out(&p, M_CMD, 0x66);
	tap_ok(isr(&p, M_CMD) == 0x01,
	       "specific EOI 6 leaves IRQ 0 in service");
	out(&p, M_CMD, 0x65);
	out(&p, M_CMD, 0x40);
	tap_ok(isr(&p, M_CMD) == 0x01,
	       "specific EOI of a level not in service and the no-op change "
	       "nothing");
	out(&p, M_CMD, 0x60);
	tap_ok(isr(&p, M_CMD) == 0, "specific EOI 0");
}

/* Order in which the master serves IRQs 0-7 all raised at once. */
static void served_order(struct vpic *p, int *order)
{
	for (unsigned i = 0; i < 8; i++)
		if (i != 2)
			edge(p, i);
	for (unsigned i = 0; i < 7; i++) {
		order[i] = take(p) - 0x20;
		out(p, M_CMD, 0x20);
	}
}

/* "Automatic Rotation" and "Specific Rotation". */
static void test_rotation(void)
{
	struct vpic p;
	int o[7];

	linux_pic(&p);
	edge(&p, 3);
	take(&p);
	out(&p, M_CMD, 0xa0);
	served_order(&p, o);
	tap_ok(o[0] == 4 && o[1] == 5 && o[2] == 6 && o[3] == 7 && o[4] == 0 &&
		   o[5] == 1 && o[6] == 3,
	       "rotate on non-specific EOI: IRQ 3 becomes lowest, 4 highest "
	       "(got %d %d %d %d %d %d %d)",
	       o[0], o[1], o[2], o[3], o[4], o[5], o[6]);
	linux_pic(&p);
	out(&p, M_CMD, 0xc5);
	served_order(&p, o);
	tap_ok(o[0] == 6 && o[1] == 7 && o[2] == 0 && o[6] == 5,
	       "set priority 5 lowest: 6, 7, 0, ..., 5");
	linux_pic(&p);
	edge(&p, 6);
	take(&p);
	edge(&p, 1);
	take(&p);
	out(&p, M_CMD, 0xe6);
	tap_ok(isr(&p, M_CMD) == 0x02, "rotate on specific EOI 6 resets IS 6");
	out(&p, M_CMD, 0x61);
	served_order(&p, o);
	tap_ok(o[0] == 7 && o[1] == 0 && o[6] == 6,
	       "and makes 6 the lowest: 7, 0, ..., 6");
	linux_pic(&p);
	edge(&p, 4);
	take(&p);
	out(&p, M_CMD, 0xa0);
	out(&p, M_CMD, 0xa0);
	served_order(&p, o);
	tap_ok(o[0] == 5, "rotating EOI with nothing in service leaves the "
			  "priority");
}

/* "Automatic End of Interrupt (AEOI) Mode" and "Rotate in AEOI". */
static void test_aeoi(void)
{
	struct vpic p;
	int a, b;

	setup(&p, 0x20, 0x28, 0x03);
	edge(&p, 5);
	a = take(&p);
	tap_ok(a == 0x25 && isr(&p, M_CMD) == 0,
	       "AEOI: the IS bit is reset at the end of the INTA");
	edge(&p, 5);
	edge(&p, 6);
	tap_ok(take(&p) == 0x25 && take(&p) == 0x26,
	       "AEOI: with no EOI written the next requests are served");
	edge(&p, 10);
	b = take(&p);
	tap_ok(b == 0x2a && isr(&p, M_CMD) == 0 && isr(&p, S_CMD) == 0,
	       "AEOI on both chips: cascaded IRQ 10 leaves no IS bit");
	out(&p, M_CMD, 0x80);
	edge(&p, 1);
	take(&p);
	edge(&p, 1);
	edge(&p, 7);
	a = take(&p);
	out(&p, M_CMD, 0x00);
	tap_ok(a == 0x27 && take(&p) == 0x21,
	       "rotate in AEOI (OCW2 0x80): IRQ 1 served becomes lowest; "
	       "0x00 clears the mode");
}

/* "The Poll Command": the next read gives I (bit 7) and W2-W0, and acts
 * as an acknowledge; it takes precedence over a read-register command. */
static void test_poll(void)
{
	struct vpic p;
	u8 w, w2;

	linux_pic(&p);
	out(&p, M_DATA, 0xff);
	out(&p, S_DATA, 0xff);
	out(&p, M_CMD, 0x0c);
	tap_ok(in(&p, M_CMD) == 0x00, "poll with no request: I = 0");
	out(&p, M_DATA, 0x00);
	edge(&p, 6);
	out(&p, M_CMD, 0x0e);
	w = in(&p, M_CMD);
	tap_ok(w == 0x86 && isr(&p, M_CMD) == 0x40 && !vpic_has_intr(&p),
	       "poll (with RR): 0x86, IS 6 set, request consumed, INT down");
	out(&p, M_CMD, 0x20);
	out(&p, S_DATA, 0x00);
	edge(&p, 13);
	out(&p, M_CMD, 0x0c);
	w = in(&p, M_DATA);
	out(&p, S_CMD, 0x0c);
	w2 = in(&p, S_CMD);
	tap_ok(w == 0x82 && w2 == 0x85 && isr(&p, S_CMD) == 0x20 &&
		   isr(&p, M_CMD) == 0x04,
	       "poll needs no cascade: master says 2, then the slave says 5 "
	       "(either port ends a poll)");
	tap_ok(irr(&p, M_CMD) == 0 && in(&p, M_CMD) == 0,
	       "after the poll reads return the selected register");
}

/* "Reading the 8259A Status": OCW3 RR/RIS selects IRR or ISR for reads
 * of A0 = 0 until changed; A0 = 1 always reads the IMR. */
static void test_read_regs(void)
{
	struct vpic p;
	bool ok;

	linux_pic(&p);
	out(&p, M_DATA, 0x80);
	edge(&p, 7);
	edge(&p, 3);
	take(&p);
	out(&p, M_CMD, 0x0a);
	ok = in(&p, M_CMD) == 0x80 && in(&p, M_CMD) == 0x80;
	out(&p, M_CMD, 0x0b);
	ok &= in(&p, M_CMD) == 0x08 && in(&p, M_CMD) == 0x08;
	out(&p, M_CMD, 0x08);
	ok &= in(&p, M_CMD) == 0x08;
	ok &= in(&p, M_DATA) == 0x80;
	tap_ok(ok, "IRR 0x80 (masked 7), ISR 0x08; RR = 0 keeps the choice; "
		   "A0 = 1 reads the IMR");
}

/* "Cascading Mode": the slave's INT on IR2; the slave supplies the
 * vector; both IS bits set; fully nested across chips. */
static void test_cascade(void)
{
	struct vpic p;
	bool ok = true;

	linux_pic(&p);
	for (unsigned irq = 8; irq < 16; irq++) {
		edge(&p, irq);
		ok &= take(&p) == (int)(0x28 + irq - 8) &&
		      isr(&p, M_CMD) == 0x04 &&
		      isr(&p, S_CMD) == 1U << (irq - 8);
		eoi_both(&p);
	}
	tap_ok(ok, "IRQ 8-15: vectors 0x28-0x2F, master IS 2 and slave IS set");
	edge(&p, 12);
	take(&p);
	edge(&p, 9);
	ok = !vpic_has_intr(&p);
	out(&p, S_CMD, 0x20);
	ok &= !vpic_has_intr(&p);
	out(&p, M_CMD, 0x20);
	tap_ok(ok && take(&p) == 0x29,
	       "with IRQ 12 in service, IRQ 9 waits for the master's EOI too");
	eoi_both(&p);
	edge(&p, 15);
	edge(&p, 14);
	tap_ok(take(&p) == 0x2e, "slave priority: IRQ 14 before 15");
}

/* "Edge and Level Triggered Modes": an IR that goes low before the INTA
 * gets the default IR7, whose IS bit is not set. */
static void test_spurious(void)
{
	struct vpic p;
	int v;

	linux_pic(&p);
	edge(&p, 3);
	vpic_set_irq(&p, 3, false);
	v = take(&p);
	tap_ok(v == 0x27 && isr(&p, M_CMD) == 0 && p.spurious == 1,
	       "IRQ 3 withdrawn after INT: vector 0x27 (IRQ 7), ISR clear");
	edge(&p, 7);
	tap_ok(take(&p) == 0x27 && isr(&p, M_CMD) == 0x80,
	       "a real IRQ 7 sets IS bit 7");
	out(&p, M_CMD, 0x20);
	edge(&p, 10);
	vpic_set_irq(&p, 10, false);
	v = take(&p);
	tap_ok(v == 0x2f && isr(&p, S_CMD) == 0 && isr(&p, M_CMD) == 0x04 &&
		   !vpic_has_intr(&p),
	       "IRQ 10 withdrawn: the slave sends its IR7 (0x2F, IRQ 15); the "
	       "master's IS 2 is set and needs an EOI");
	out(&p, M_CMD, 0x20);
	edge(&p, 5);
	out(&p, M_DATA, 0x20);
	v = take(&p);
	tap_ok(v == 0x27 && irr(&p, M_CMD) == 0x20,
	       "masking after INT rose: default IR7, the request stays in IRR");
	tap_ok(vpic_ack(&p) == 0x27 && p.spurious == 4,
	       "an INTA with INT low is also answered with IR7");
}

/* "Edge and Level Triggered Modes" with the PIIX ELCR per IRQ. */
static void test_level(void)
{
	struct vpic p;
	bool ok;

	linux_pic(&p);
	out(&p, PIC_ELCR_MASTER, 0xff);
	out(&p, PIC_ELCR_SLAVE, 0xff);
	tap_ok(in(&p, PIC_ELCR_MASTER) == 0xf8 &&
		   in(&p, PIC_ELCR_SLAVE) == 0xde,
	       "ELCR: IRQ 0, 1, 2, 8, 13 stay edge (bits read 0)");
	out(&p, PIC_ELCR_MASTER, 0x00);
	out(&p, PIC_ELCR_SLAVE, 0x04);
	vpic_set_irq(&p, 10, true);
	ok = take(&p) == 0x2a;
	eoi_both(&p);
	ok &= take(&p) == 0x2a;
	tap_ok(ok, "level IRQ 10 held high interrupts again after the EOIs");
	vpic_set_irq(&p, 10, false);
	eoi_both(&p);
	tap_ok(!vpic_has_intr(&p) && irr(&p, S_CMD) == 0,
	       "lowering the level drops the request");
	vpic_set_irq(&p, 3, true);
	take(&p);
	out(&p, M_CMD, 0x20);
	tap_ok(!vpic_has_intr(&p), "edge IRQ 3 held high interrupts once");
	out(&p, PIC_ELCR_MASTER, 0x08);
	tap_ok(take(&p) == 0x23, "switching IRQ 3 to level with its line high "
				 "requests");
	setup(&p, 0x20, 0x28, 0x01);
	out(&p, M_CMD, 0x19);
	out(&p, M_DATA, 0x20);
	out(&p, M_DATA, 0x04);
	out(&p, M_DATA, 0x01);
	vpic_set_irq(&p, 0, true);
	ok = take(&p) == 0x20;
	out(&p, M_CMD, 0x20);
	tap_ok(ok && take(&p) == 0x20, "ICW1 LTIM: every master IR is level, "
				       "IRQ 0 included");
}

/* "Special Mask Mode": an in-service level that is masked no longer
 * blocks lower levels; a non-specific EOI then skips it. */
static void test_smm(void)
{
	struct vpic p;
	bool ok;

	linux_pic(&p);
	edge(&p, 3);
	take(&p);
	edge(&p, 5);
	ok = !vpic_has_intr(&p);
	out(&p, M_DATA, 0x08);
	out(&p, M_CMD, 0x68);
	tap_ok(ok && take(&p) == 0x25,
	       "SMM with IS 3 masked: lower IRQ 5 is served");
	out(&p, M_CMD, 0x20);
	tap_ok(isr(&p, M_CMD) == 0x08,
	       "non-specific EOI in SMM skips the masked IS 3, resets 5");
	out(&p, M_CMD, 0x48);
	out(&p, M_CMD, 0x20);
	tap_ok(isr(&p, M_CMD) == 0, "ESMM with SMM 0 leaves the mode");
}

/* "The Special Fully Nested Mode" (ICW4 SFNM on the master). */
static void test_sfnm(void)
{
	struct vpic p;

	setup(&p, 0x20, 0x28, 0x11);
	edge(&p, 12);
	take(&p);
	edge(&p, 9);
	tap_ok(take(&p) == 0x29 && isr(&p, S_CMD) == 0x12,
	       "SFNM: higher IRQ 9 from the slave in service is served");
	edge(&p, 3);
	tap_ok(!vpic_has_intr(&p),
	       "SFNM: the in-service cascade still blocks lower IRQ 3");
	linux_pic(&p);
	edge(&p, 12);
	take(&p);
	edge(&p, 9);
	tap_ok(!vpic_has_intr(&p), "without SFNM it waits");
}

/* "ICW3" and "Cascading Mode": IR2 is a slave only if ICW3 says so. */
static void test_single(void)
{
	struct vpic p;

	vpic_init(&p);
	out(&p, M_CMD, 0x13);
	out(&p, M_DATA, 0x40);
	out(&p, M_DATA, 0x01);
	out(&p, M_DATA, 0x00);
	tap_ok(
	    in(&p, M_DATA) == 0x00,
	    "single mode (SNGL): no ICW3, the third byte is ICW4, then OCW1");
	out(&p, S_DATA, 0x00);
	edge(&p, 9);
	tap_ok(take(&p) == 0x42 && isr(&p, S_CMD) == 0,
	       "single master: IR2 gives the master's vector 0x42");
	setup(&p, 0x20, 0x28, 0x01);
	out(&p, M_CMD, 0x11);
	out(&p, M_DATA, 0x20);
	out(&p, M_DATA, 0x20);
	out(&p, M_DATA, 0x01);
	edge(&p, 5);
	tap_ok(take(&p) == 0xff,
	       "ICW3 naming IR5 a slave: nobody drives the bus (0xFF)");
	out(&p, M_CMD, 0x10);
	out(&p, M_DATA, 0x20);
	out(&p, M_DATA, 0x00);
	tap_ok(p.chip[0].icw_next == 0 && in(&p, M_DATA) == 0 &&
		   !(p.chip[0].icw4 & 2),
	       "ICW1 without IC4: ICW4 functions zero, sequence ends at ICW3");
}

/* Ports and IRQ numbers these chips do not own. */
static void test_ports(void)
{
	struct vpic p;
	u8 v = 0x5a;
	bool own = false;

	vpic_init(&p);
	for (u32 port = 0; port < 0x10000; port++) {
		bool mine = port == 0x20 || port == 0x21 || port == 0xa0 ||
			    port == 0xa1 || port == 0x4d0 || port == 0x4d1;

		own |= vpic_read(&p, (u16)port, &v) != mine;
	}
	tap_ok(!own && !vpic_write(&p, 0x22, 0) && !vpic_write(&p, 0x4d2, 0),
	       "exactly 0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1 are claimed");
	out(&p, M_DATA, 0x00);
	out(&p, S_DATA, 0x00);
	edge(&p, 2);
	edge(&p, 16);
	edge(&p, 1000);
	tap_ok(!vpic_has_intr(&p), "IRQ 2 (the cascade) and IRQs > 15 are "
				   "ignored");
}

/* ---- reference model -------------------------------------------------- */

struct rchip {
	bool irr[8], isr[8], imr[8], line[8];
	u8 base, icw3, lowest, step;
	bool ltim, sngl, ic4, aeoi, sfnm, rot_aeoi, smm, poll, ris, intr;
};

struct rpic {
	struct rchip c[2];
	bool elcr[16];
};

static bool r_level(const struct rpic *r, unsigned c, unsigned i)
{
	return r->c[c].ltim || r->elcr[c * 8 + i];
}

static void r_sense(struct rpic *r, unsigned c)
{
	struct rchip *k = &r->c[c];

	for (unsigned i = 0; i < 8; i++)
		k->irr[i] =
		    r_level(r, c, i) ? k->line[i] : k->irr[i] && k->line[i];
}

static void r_line(struct rpic *r, unsigned c, unsigned i, bool v)
{
	if (v && !r->c[c].line[i])
		r->c[c].irr[i] = true;
	r->c[c].line[i] = v;
	r_sense(r, c);
}

static bool r_casc(const struct rpic *r, unsigned i)
{
	return !r->c[0].sngl && (r->c[0].icw3 >> i & 1);
}

static int r_resolve(const struct rpic *r, unsigned c)
{
	const struct rchip *k = &r->c[c];

	if (k->step)
		return -1;
	for (unsigned n = 1; n <= 8; n++) {
		unsigned i = (k->lowest + n) % 8;
		bool serv = k->isr[i] && !(k->smm && k->imr[i]);
		bool req = k->irr[i] && !k->imr[i];
		bool pass = c == 0 && k->sfnm && r_casc(r, i);

		if (req && (!serv || pass))
			return (int)i;
		if (serv)
			return -1;
	}
	return -1;
}

static void r_update(struct rpic *r)
{
	if (r_resolve(r, 1) >= 0)
		r->c[1].intr = true;
	r_line(r, 0, 2, r->c[1].intr);
	if (r_resolve(r, 0) >= 0)
		r->c[0].intr = true;
}

static void r_accept(struct rpic *r, unsigned c, unsigned i)
{
	struct rchip *k = &r->c[c];

	if (!r_level(r, c, i))
		k->irr[i] = false;
	if (!k->aeoi)
		k->isr[i] = true;
	else if (k->rot_aeoi)
		k->lowest = (u8)i;
}

static int r_ack(struct rpic *r)
{
	int i = r_resolve(r, 0), j, v;

	r->c[0].intr = false;
	if (i < 0) {
		v = r->c[0].base + 7;
	} else if (!r_casc(r, (unsigned)i)) {
		r_accept(r, 0, (unsigned)i);
		v = r->c[0].base + i;
	} else if (i != 2) {
		r_accept(r, 0, (unsigned)i);
		v = 0xff;
	} else {
		r_accept(r, 0, 2);
		j = r_resolve(r, 1);
		r->c[1].intr = false;
		r_line(r, 0, 2, false);
		if (j >= 0)
			r_accept(r, 1, (unsigned)j);
		v = r->c[1].base + (j < 0 ? 7 : j);
	}
	r_update(r);
	return v;
}

static void r_icw1(struct rpic *r, unsigned c, u8 v)
{
	struct rchip *k = &r->c[c];
	u8 b = k->base, icw3 = k->icw3;
	bool line[8];

	memcpy(line, k->line, sizeof(line));
	memset(k, 0, sizeof(*k));
	memcpy(k->line, line, sizeof(line));
	k->base = b;
	k->icw3 = icw3;
	k->ltim = v & 8;
	k->sngl = v & 2;
	k->ic4 = v & 1;
	k->lowest = 7;
	k->step = 2;
	r_sense(r, c);
}

static void r_data(struct rpic *r, unsigned c, u8 v)
{
	struct rchip *k = &r->c[c];

	if (k->step == 2) {
		k->base = v & 0xf8;
		k->step = k->sngl ? (k->ic4 ? 4 : 0) : 3;
	} else if (k->step == 3) {
		k->icw3 = v;
		k->step = k->ic4 ? 4 : 0;
	} else if (k->step == 4) {
		k->aeoi = v & 2;
		k->sfnm = v & 0x10;
		k->step = 0;
	} else {
		for (unsigned i = 0; i < 8; i++)
			k->imr[i] = v >> i & 1;
	}
}

static void r_ocw2(struct rchip *k, u8 v)
{
	unsigned op = v >> 5, l = v & 7;
	int hi = -1;

	if (op == 1 || op == 5) {
		for (unsigned n = 1; n <= 8 && hi < 0; n++) {
			unsigned i = (k->lowest + n) % 8;

			if (k->isr[i] && !(k->smm && k->imr[i]))
				hi = (int)i;
		}
		if (hi >= 0) {
			k->isr[hi] = false;
			if (op == 5)
				k->lowest = (u8)hi;
		}
	} else if (op == 3 || op == 7) {
		k->isr[l] = false;
		if (op == 7)
			k->lowest = (u8)l;
	} else if (op == 6) {
		k->lowest = (u8)l;
	} else if (op == 0 || op == 4) {
		k->rot_aeoi = op == 4;
	}
}

static void r_cmd(struct rpic *r, unsigned c, u8 v)
{
	struct rchip *k = &r->c[c];

	if (v & 0x10) {
		r_icw1(r, c, v);
	} else if (v & 0x08) {
		if (v & 0x40)
			k->smm = v & 0x20;
		if (v & 0x02)
			k->ris = v & 1;
		if (v & 0x04)
			k->poll = true;
	} else {
		r_ocw2(k, v);
	}
}

static u8 r_bits(const bool *b)
{
	u8 v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (u8)(b[i] << i);
	return v;
}

static u8 r_read(struct rpic *r, unsigned c, bool data)
{
	struct rchip *k = &r->c[c];
	int i;
	u8 v;

	if (k->poll) {
		k->poll = false;
		i = r_resolve(r, c);
		k->intr = false;
		if (c == 1)
			r_line(r, 0, 2, false);
		if (i >= 0)
			r_accept(r, c, (unsigned)i);
		v = i >= 0 ? (u8)(0x80 | i) : 0;
	} else {
		v = data ? r_bits(k->imr) : r_bits(k->ris ? k->isr : k->irr);
	}
	r_update(r);
	return v;
}

static void r_elcr(struct rpic *r, unsigned c, u8 v)
{
	static const u8 fixed[2] = {0x07, 0x21};

	for (unsigned i = 0; i < 8; i++)
		r->elcr[c * 8 + i] = (v & ~fixed[c]) >> i & 1;
	r_sense(r, c);
}

static void r_write(struct rpic *r, u16 port, u8 v)
{
	if (port == 0x4d0 || port == 0x4d1)
		r_elcr(r, port & 1, v);
	else if (port & 1)
		r_data(r, port >> 7 & 1, v);
	else
		r_cmd(r, port >> 7 & 1, v);
	r_update(r);
}

static void r_init(struct rpic *r)
{
	static const u8 seq[8] = {0x11, 0x08, 0x04, 0x01,
				  0x11, 0x70, 0x02, 0x01};

	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < 8; i++)
		r_write(r, i < 4 ? (u16)(0x20 + !!i) : (u16)(0xa0 + !!(i - 4)),
			seq[i]);
	r_write(r, 0x21, 0xff);
	r_write(r, 0xa1, 0xff);
}

static void r_set_irq(struct rpic *r, unsigned irq, bool v)
{
	if (irq > 15 || irq == 2)
		return;
	r_line(r, irq / 8, irq % 8, v);
	r_update(r);
}

/* The model's registers as the reference sees them. */
static bool same_state(const struct vpic *p, const struct rpic *r)
{
	for (unsigned c = 0; c < 2; c++) {
		const struct vpic_chip *k = &p->chip[c];
		const struct rchip *q = &r->c[c];

		if (k->irr != r_bits(q->irr) || k->isr != r_bits(q->isr) ||
		    k->imr != r_bits(q->imr) || k->intr != q->intr ||
		    k->lowest != q->lowest)
			return false;
	}
	return vpic_has_intr(p) == r->c[0].intr;
}

static const u16 ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1};

/* A command byte: mostly well-formed OCW2/OCW3, now and then ICW1. */
static u8 rand_cmd(struct rng *g)
{
	u64 k = rng_below(g, 16);

	if (k == 0)
		return (u8)(0x10 | (rng_next(g) & 0xeb));
	if (k < 9)
		return (u8)((rng_below(g, 8) << 5) | rng_below(g, 8));
	return (u8)(0x08 | (rng_next(g) & 0x67));
}

static int random_step(struct rng *g, struct vpic *p, struct rpic *r)
{
	u16 port = ports[rng_below(g, ARRAY_SIZE(ports))];
	unsigned irq = (unsigned)rng_below(g, 17);
	u8 v, w;

	switch (rng_below(g, 10)) {
	case 0:
	case 1:
	case 2: {
		bool lv = rng_below(g, 3) != 0; /* lines mostly high */

		vpic_set_irq(p, irq, lv);
		r_set_irq(r, irq, lv);
		break;
	}
	case 3:
		v = (port & 1) || port == 0x4d0 ? (u8)rng_next(g) : rand_cmd(g);
		vpic_write(p, port, v);
		r_write(r, port, v);
		break;
	case 8:
		/* an EOI command (OCW2 with EOI set), the handler's last act */
		port = rng_below(g, 2) ? 0x20 : 0xa0;
		v = (u8)((rng_below(g, 4) << 6) | 0x20 | rng_below(g, 8));
		vpic_write(p, port, v);
		r_write(r, port, v);
		break;
	case 4:
		vpic_read(p, port, &v);
		w = port >= 0x4d0 ? (u8)(r_bits(&r->elcr[(port & 1) * 8]))
				  : r_read(r, port >> 7 & 1, port & 1);
		if (v != w)
			return -1;
		break;
	default:
		if (!vpic_has_intr(p) && rng_below(g, 16))
			break;
		if (vpic_ack(p) != r_ack(r))
			return -2;
	}
	return same_state(p, r) ? 0 : -3;
}

static void test_random(void)
{
	struct rng g;
	u64 seed = rng_seed_env(&g, 0x8259aULL);
	u64 iters = env_u64("MICA_ITERS", 400);
	u64 steps = 0, acks = 0, spur = 0;
	int bad = 0;

	tap_diag("seed 0x%llx (MICA_SEED), %llu runs (MICA_ITERS)",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (u64 it = 0; it < iters && !bad; it++) {
		struct vpic p;
		struct rpic r;

		vpic_init(&p);
		r_init(&r);
		out(&p, M_DATA, (u8)(rng_next(&g) & rng_next(&g)));
		r_write(&r, M_DATA, p.chip[0].imr);
		out(&p, S_DATA, (u8)(rng_next(&g) & rng_next(&g)));
		r_write(&r, S_DATA, p.chip[1].imr);
		for (unsigned k = 0; k < 300 && !bad; k++, steps++)
			bad = random_step(&g, &p, &r);
		acks += p.acks;
		spur += p.spurious;
		if (bad)
			tap_diag("run %llu: %s", (unsigned long long)it,
				 bad == -1   ? "read differs"
				 : bad == -2 ? "INTA vector differs"
					     : "state differs");
	}
	tap_ok(!bad,
	       "%llu random IRQ changes, port accesses and INTAs agree with "
	       "the reference model (%llu INTAs, %llu default IR7)",
	       (unsigned long long)steps, (unsigned long long)acks,
	       (unsigned long long)spur);
}

int main(void)
{
	test_init();
	test_init_edge_reset();
	test_imr();
	test_priority();
	test_specific_eoi();
	test_rotation();
	test_aeoi();
	test_poll();
	test_read_regs();
	test_cascade();
	test_spurious();
	test_level();
	test_smm();
	test_sfnm();
	test_single();
	test_ports();
	test_random();
	return tap_done();
}
