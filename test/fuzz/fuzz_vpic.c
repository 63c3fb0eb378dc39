/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the 8259A pair (vmm/dev/vpic.c): the input is a sequence of
 * operations (IRQ line changes, byte writes and reads of any port,
 * INTA cycles) on one vpic. After every operation:
 *   - the ELCR bits of IRQ 0, 1, 2, 8, 13 are 0;
 *   - IRR and the lines agree: a level IR's request is its line, an edge
 *     request needs its line high; the master's IR2 line is the slave's
 *     INT;
 *   - INT is consistent with the resolver: when it is low, an INTA (on a
 *     copy) finds nothing and answers with the default IR7;
 * and for each INTA or poll: the vector is a chip's base + IR (or 0xFF for
 * a cascade IR with no slave wired), an answered IR sets exactly its own
 * IS bit (none in automatic EOI mode) and consumes an edge request, a
 * default IR7 changes no IS bit of the answering chip; ports other than
 * the six are refused and leave the value alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/dev/vpic.h"
#include "test/unit/support/fuzz_input.h"

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vpic: %s\n", why);
	abort();
}

static u8 levels(const struct vpic *p, unsigned c)
{
	return (p->chip[c].icw1 & 0x08) ? 0xff : p->elcr[c];
}

static void check_state(const struct vpic *p)
{
	struct vpic q = *p;
	int v;

	if ((p->elcr[0] & 0x07) || (p->elcr[1] & 0x21))
		fail("an ELCR bit of IRQ 0, 1, 2, 8 or 13 is set");
	for (unsigned c = 0; c < 2; c++) {
		const struct vpic_chip *k = &p->chip[c];
		u8 lv = levels(p, c);

		if ((k->irr & lv) != (k->line & lv) || (k->irr & ~k->line))
			fail("IRR disagrees with the lines");
		if (k->icw_next > 4 || k->icw_next == 1 || k->lowest > 7)
			fail("ICW step or priority out of range");
	}
	if (!!(p->chip[0].line & 4) != p->chip[1].intr)
		fail("master IR2 is not the slave's INT");
	if (vpic_has_intr(p))
		return;
	v = vpic_ack(&q);
	if (q.spurious != p->spurious + 1 || v != (p->chip[0].icw2 & 0xf8) + 7)
		fail("INT low but an INTA finds a request");
}

/* What an accepted IR must have done to one chip. */
static void check_accept(const struct vpic *before, const struct vpic *after,
			 unsigned c, unsigned ir)
{
	const struct vpic_chip *b = &before->chip[c], *a = &after->chip[c];
	u8 want = (b->icw4 & 2) ? b->isr : b->isr | (u8)(1U << ir);

	if (a->isr != want)
		fail("accept: ISR is not the old one plus the IR (or same in "
		     "AEOI)");
	if (!(levels(after, c) & (1U << ir)) && (a->irr & (1U << ir)) &&
	    !(c == 0 && ir == PIC_CASCADE_IR))
		fail("accept: edge request not consumed");
}

/* The chip whose vector base + IR produced v, and the IR. */
static int answered_by(const struct vpic *b, int v, unsigned *ir)
{
	*ir = (unsigned)v & 7;
	if ((v & 0xf8) == (b->chip[0].icw2 & 0xf8))
		return 0;
	if ((v & 0xf8) == (b->chip[1].icw2 & 0xf8))
		return 1;
	return -1;
}

static void op_ack(struct vpic *p)
{
	struct vpic before = *p;
	int v = vpic_ack(p), c;
	unsigned ir;
	bool spurious = p->spurious != before.spurious;

	if (v < 0 || v > 0xff)
		fail("INTA vector out of range");
	c = answered_by(&before, v, &ir);
	if (v == 0xff ||
	    (before.chip[0].icw2 & 0xf8) == (before.chip[1].icw2 & 0xf8))
		return; /* a cascade IR without a slave, or bases alike */
	if (c < 0)
		fail("INTA vector from neither chip's base");
	if (spurious && (ir != 7 || p->chip[c].isr != before.chip[c].isr))
		fail("default IR7 changed the answering chip's ISR");
	if (!spurious)
		check_accept(&before, p, (unsigned)c, ir);
}

static void op_read(struct vpic *p, u16 port)
{
	struct vpic before = *p;
	unsigned c = port >> 7 & 1;
	bool poll = (port & ~0x81) == 0x20 && p->chip[c].poll;
	u8 v = 0xa5;

	if (!vpic_read(p, port, &v)) {
		if (v != 0xa5)
			fail("a refused read wrote the value");
		return;
	}
	if (!poll || !(v & 0x80))
		return;
	if (v & 0x78)
		fail("poll word has bits 6:3 set");
	check_accept(&before, p, c, v & 7);
}

/* Ports: mostly the six the pair owns, sometimes any. */
static u16 pick_port(struct fuzz_input *in)
{
	static const u16 ports[8] = {0x20,  0x21,  0xa0, 0xa1,
				     0x4d0, 0x4d1, 0x20, 0xa0};
	u64 sel = fuzz_take(in, 1);

	return sel < 240 ? ports[sel & 7] : (u16)fuzz_take(in, 2);
}

static void one_op(struct vpic *p, struct fuzz_input *in)
{
	u16 port;
	bool ok;

	switch (fuzz_take(in, 1) % 5) {
	case 0:
	case 1:
		vpic_set_irq(p, (unsigned)fuzz_take(in, 1) % 18,
			     fuzz_take(in, 1) & 1);
		break;
	case 2:
		port = pick_port(in);
		ok = vpic_write(p, port, (u8)fuzz_take(in, 1));
		if (ok != ((port & ~0x81) == 0x20 || (port & ~1) == 0x4d0))
			fail("write ownership");
		break;
	case 3:
		op_read(p, pick_port(in));
		break;
	default:
		op_ack(p);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct vpic p;

	vpic_init(&p);
	check_state(&p);
	while (in.n) {
		one_op(&p, &in);
		check_state(&p);
	}
	return 0;
}
