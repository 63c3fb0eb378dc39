/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/dev/vioapic.c against the Intel 82093AA datasheet
 * (order 290566; sections cited per test) and the EOI register of the
 * version-0x20 I/O APICs: register masks, version and ID, the MMIO window
 * byte by byte, edge and level delivery, Remote IRR and EOI, polarity,
 * masking, routing fields; then random operations compared with a small
 * reference model written here (MICA_SEED, MICA_ITERS).
 */
#include <stdio.h>
#include <string.h>

#include "vmm/dev/vioapic.h"
#include "vmm/dev/mmio_bus.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

#define LOG_MAX 64

struct msg {
	u8 vector, mode, dest;
	bool logical, level;
};

/* What the deliver callback saw. */
struct sink {
	unsigned n;
	struct msg m[LOG_MAX];
};

static void sink_deliver(void *ctx, u8 vector, u8 mode, bool logical, u8 dest,
			 bool level)
{
	struct sink *s = ctx;

	if (s->n < LOG_MAX)
		s->m[s->n] = (struct msg){vector, mode, dest, logical, level};
	s->n++;
}

static void wr32(struct vioapic *io, u64 off, u32 v)
{
	vioapic_mmio_write(io, off, &v, 4);
}

static u32 rd32(struct vioapic *io, u64 off)
{
	u32 v;

	vioapic_mmio_read(io, off, &v, 4);
	return v;
}

/* Indirect register access as a guest does it: IOREGSEL, then IOWIN. */
static void wreg(struct vioapic *io, u8 index, u32 v)
{
	wr32(io, IOAPIC_IOREGSEL, index);
	wr32(io, IOAPIC_IOWIN, v);
}

static u32 rreg(struct vioapic *io, u8 index)
{
	wr32(io, IOAPIC_IOREGSEL, index);
	return rd32(io, IOAPIC_IOWIN);
}

/* Program entry pin: low dword lo, destination dest. */
static void rte(struct vioapic *io, unsigned pin, u32 lo, u8 dest)
{
	wreg(io, (u8)(IOAPIC_REG_REDIR + 2 * pin + 1), (u32)dest << 24);
	wreg(io, (u8)(IOAPIC_REG_REDIR + 2 * pin), lo);
}

static u32 rte_lo(struct vioapic *io, unsigned pin)
{
	return rreg(io, (u8)(IOAPIC_REG_REDIR + 2 * pin));
}

static void fresh(struct vioapic *io, struct sink *s)
{
	memset(s, 0, sizeof(*s));
	vioapic_init(io, sink_deliver, s);
}

/* 3.2.1-3.2.4: reset values. */
static void test_reset(void)
{
	struct vioapic io;
	struct sink s;
	bool entries = true;

	fresh(&io, &s);
	for (unsigned p = 0; p < IOAPIC_PINS; p++)
		entries &= rte_lo(&io, p) == IOAPIC_RTE_MASKED &&
			   rreg(&io, (u8)(0x11 + 2 * p)) == 0;
	tap_ok(rreg(&io, IOAPIC_REG_VERSION) == 0x00170020 &&
		   rreg(&io, IOAPIC_REG_ID) == 0 &&
		   rreg(&io, IOAPIC_REG_ARB) == 0 && entries && s.n == 0,
	       "reset (3.2): version 0x00170020 (24 entries, 0x20), ID 0, "
	       "every entry masked with its other fields 0");
}

/* 3.1.1, 3.2.1-3.2.4: writable and read-only bits. */
static void test_register_masks(void)
{
	struct vioapic io;
	struct sink s;

	fresh(&io, &s);
	wreg(&io, IOAPIC_REG_ID, 0xffffffff);
	tap_ok(rreg(&io, IOAPIC_REG_ID) == 0x0f000000 &&
		   rreg(&io, IOAPIC_REG_ARB) == 0x0f000000,
	       "3.2.1: ID keeps bits 27:24; the arbitration ID (3.2.3) is "
	       "loaded with it");
	wreg(&io, IOAPIC_REG_VERSION, 0);
	wreg(&io, IOAPIC_REG_ARB, 0);
	tap_ok(rreg(&io, IOAPIC_REG_VERSION) == 0x00170020 &&
		   rreg(&io, IOAPIC_REG_ARB) == 0x0f000000,
	       "3.2.2/3.2.3: version and arbitration are read-only");
	wreg(&io, 0x10, 0xffffffff);
	wreg(&io, 0x11, 0xffffffff);
	tap_ok(rreg(&io, 0x10) == 0x0001afff && rreg(&io, 0x11) == 0xff000000 &&
		   s.n == 0,
	       "3.2.4: low dword keeps vector, mode, dest mode, polarity, "
	       "trigger, mask (delivery status, Remote IRR, 31:17 read 0); "
	       "high keeps 63:56");
	wr32(&io, IOAPIC_IOREGSEL, 0xffffff3f);
	tap_ok(rd32(&io, IOAPIC_IOREGSEL) == 0x3f,
	       "3.1.1: IOREGSEL keeps bits 7:0, 31:8 read 0");
	wreg(&io, 0x3f, 0x12345678);
	tap_ok(rreg(&io, 0x3f) == 0x12000000 && rreg(&io, 0x3e) == 0x10000,
	       "entry 23 is the last (0x3E/0x3F)");
	wreg(&io, 0x03, 0xffffffff);
	wreg(&io, 0x40, 0xffffffff);
	wreg(&io, 0xff, 0xffffffff);
	tap_ok(rreg(&io, 0x03) == 0 && rreg(&io, 0x0f) == 0 &&
		   rreg(&io, 0x40) == 0 && rreg(&io, 0xff) == 0 &&
		   rreg(&io, IOAPIC_REG_ID) == 0x0f000000,
	       "unimplemented registers (0x03-0x0F, 0x40-0xFF) read 0 and "
	       "ignore writes");
}

/* The expected byte at window offset o (3.1: registers at the start of
 * 16-byte slots; nothing else decodes), from dword reads. */
static u8 window_byte(struct vioapic *io, u64 o)
{
	u32 reg = 0;
	u8 sel;

	if ((o & 0xf) >= 4)
		return 0;
	if ((o & ~0xfULL) == IOAPIC_IOREGSEL)
		reg = io->regsel;
	if ((o & ~0xfULL) == IOAPIC_IOWIN) {
		sel = io->regsel;
		reg = vioapic_read_reg(io, sel);
	}
	return (u8)(reg >> (8 * (o & 3)));
}

/* Every byte of every read of 1, 2, 4, 8 (and 32) bytes at every offset
 * is defined: two reads into buffers filled differently agree. */
static void test_mmio_read_bytes(void)
{
	static const unsigned sizes[] = {1, 2, 4, 8, 32};
	struct vioapic io;
	struct sink s;
	unsigned bad = 0, reads = 0;

	fresh(&io, &s);
	rte(&io, 5, 0x0000a155, 0xc3);
	wreg(&io, IOAPIC_REG_ID, 0x0a000000);
	wr32(&io, IOAPIC_IOREGSEL, 0x1a);
	for (unsigned z = 0; z < ARRAY_SIZE(sizes); z++) {
		for (u64 off = 0; off + sizes[z] <= IOAPIC_SIZE; off++) {
			u8 a[32], b[32];

			memset(a, 0x00, sizeof(a));
			memset(b, 0xff, sizeof(b));
			vioapic_mmio_read(&io, off, a, sizes[z]);
			vioapic_mmio_read(&io, off, b, sizes[z]);
			for (unsigned i = 0; i < sizes[z]; i++)
				bad += a[i] != b[i] ||
				       a[i] != window_byte(&io, off + i);
			reads++;
		}
	}
	tap_ok(!bad && rd32(&io, IOAPIC_IOWIN) == 0x0000e155,
	       "every byte of %u reads (1/2/4/8/32 bytes, every offset) is "
	       "defined: the register's byte in bytes 0-3 of a slot, else 0",
	       reads);
}

/* The window on the MMIO bus answers at 0xFEC00000 and refuses nothing. */
static void test_bus(void)
{
	struct vioapic io;
	struct sink s;
	struct mmio_bus bus;
	struct mmio_dev dev;
	u64 q = ~0ULL;
	u32 sel = 0x01;
	int err;

	fresh(&io, &s);
	mmio_bus_init(&bus);
	mmio_ioapic_init(&dev, IOAPIC_BASE_DEFAULT, &io);
	err = mmio_register(&bus, &dev);
	mmio_write(&bus, IOAPIC_BASE_DEFAULT, &sel, 4);
	tap_ok(!err && mmio_read(&bus, IOAPIC_BASE_DEFAULT + 0x0c, &q, 8) &&
		   q == 0x0017002000000000ULL && dev.size == 0x1000 &&
		   bus.unbacked_reads == 0,
	       "mmio_ioapic_init: the bus serves an 8-byte read at +0x0C "
	       "(4 reserved zero bytes, then IOWIN)");
}

/* Narrow and wide stores: defined register by register (3.1). */
static void test_mmio_writes(void)
{
	struct vioapic io;
	struct sink s;
	u8 b = 0x12;
	u16 h = 0x0001;
	u8 wide[32] = {0};
	u64 q = 0xffffffff00000010ULL;

	fresh(&io, &s);
	rte(&io, 1, 0x00000041, 0);
	vioapic_mmio_write(&io, IOAPIC_IOREGSEL, &b, 1);
	tap_ok(io.regsel == 0x12, "a byte store to IOREGSEL selects");
	wr32(&io, IOAPIC_IOREGSEL, 0x12);
	vioapic_mmio_write(&io, IOAPIC_IOWIN + 2, &h, 2);
	tap_ok(rte_lo(&io, 1) == 0x00010041,
	       "a 2-byte store to IOWIN+2 merges (sets the mask only)");
	vioapic_mmio_write(&io, IOAPIC_IOREGSEL, &q, 8);
	tap_ok(io.regsel == 0x10,
	       "an 8-byte store at 0: IOREGSEL takes bits 7:0, bytes 4-7 are "
	       "reserved");
	wide[0] = 0x13;
	wide[0x10] = 0x00;
	wide[0x13] = 0xab;
	vioapic_mmio_write(&io, 0, wide, 32);
	tap_ok(rreg(&io, 0x13) == 0xab000000,
	       "a 32-byte store selects (IOREGSEL) then writes (IOWIN)");
	wr32(&io, IOAPIC_IOREGSEL, 0x12);
	wr32(&io, 0x20, 0xffffffff);
	wr32(&io, 0x14, 0xffffffff);
	tap_ok(rte_lo(&io, 1) == 0x00010041 && io.regsel == 0x12,
	       "stores to undecoded offsets are ignored");
}

/* 3.2.4: an edge entry delivers once per inactive -> active transition. */
static void test_edge(void)
{
	struct vioapic io;
	struct sink s;

	fresh(&io, &s);
	rte(&io, 4, 0x34, 0x01);
	vioapic_set_irq(&io, 4, true);
	vioapic_set_irq(&io, 4, true);
	tap_ok(s.n == 1 && s.m[0].vector == 0x34 && !s.m[0].level &&
		   !(rte_lo(&io, 4) & IOAPIC_RTE_REMOTE_IRR),
	       "edge: one message per rising edge, none while held; no "
	       "Remote IRR");
	vioapic_set_irq(&io, 4, false);
	vioapic_set_irq(&io, 4, true);
	tap_ok(s.n == 2, "edge: low then high delivers again");
	vioapic_eoi(&io, 0x34);
	tap_ok(s.n == 2, "an EOI does not re-deliver an edge entry");
}

/* 3.2.4 Interrupt Mask: edges on a masked pin are dropped, not held;
 * a level entry unmasked while asserted delivers. */
static void test_mask(void)
{
	struct vioapic io;
	struct sink s;

	fresh(&io, &s);
	rte(&io, 3, IOAPIC_RTE_MASKED | 0x33, 0);
	vioapic_set_irq(&io, 3, true);
	rte(&io, 3, 0x33, 0);
	tap_ok(s.n == 0, "an edge on a masked pin is lost; unmasking does not "
			 "deliver it");
	vioapic_set_irq(&io, 3, false);
	vioapic_set_irq(&io, 3, true);
	tap_ok(s.n == 1, "after unmasking the next edge delivers");
	rte(&io, 6, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x36, 0);
	vioapic_set_irq(&io, 6, true);
	tap_ok(s.n == 1 && !(rte_lo(&io, 6) & IOAPIC_RTE_REMOTE_IRR),
	       "a masked level entry sends nothing and sets no Remote IRR");
	rte(&io, 6, IOAPIC_RTE_LEVEL | 0x36, 0);
	tap_ok(s.n == 2 && s.m[1].vector == 0x36 && s.m[1].level &&
		   (rte_lo(&io, 6) & IOAPIC_RTE_REMOTE_IRR),
	       "unmasking an asserted level entry delivers and sets Remote "
	       "IRR");
}

/* 3.2.4 Remote IRR: set when the level interrupt is accepted, cleared by
 * an EOI with the entry's vector; a still-asserted pin then delivers. */
static void test_level_eoi(void)
{
	struct vioapic io;
	struct sink s;
	u32 eoi = 0x39;

	fresh(&io, &s);
	rte(&io, 9, IOAPIC_RTE_LEVEL | 0x39, 0);
	vioapic_set_irq(&io, 9, true);
	vioapic_set_irq(&io, 9, true);
	tap_ok(s.n == 1 && s.m[0].level &&
		   (rte_lo(&io, 9) & IOAPIC_RTE_REMOTE_IRR),
	       "level: one message, Remote IRR set, no more while it is set");
	wreg(&io, 0x22, IOAPIC_RTE_LEVEL | 0x39);
	wreg(&io, 0x24,
	     IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS);
	tap_ok(s.n == 1 && (rte_lo(&io, 9) & IOAPIC_RTE_REMOTE_IRR) &&
		   rte_lo(&io, 10) == IOAPIC_RTE_MASKED,
	       "Remote IRR and delivery status are read-only to the guest");
	vioapic_eoi(&io, 0x38);
	tap_ok(s.n == 1 && (rte_lo(&io, 9) & IOAPIC_RTE_REMOTE_IRR),
	       "an EOI of another vector leaves it");
	vioapic_eoi(&io, 0x39);
	tap_ok(s.n == 2 && (rte_lo(&io, 9) & IOAPIC_RTE_REMOTE_IRR),
	       "broadcast EOI with the pin still asserted re-delivers");
	vioapic_mmio_write(&io, IOAPIC_EOI, &eoi, 4);
	tap_ok(s.n == 3 && (rte_lo(&io, 9) & IOAPIC_RTE_REMOTE_IRR),
	       "the EOI register (+0x40) does the same");
	vioapic_set_irq(&io, 9, false);
	vioapic_mmio_write(&io, IOAPIC_EOI, &eoi, 1);
	tap_ok(s.n == 3 && !(rte_lo(&io, 9) & IOAPIC_RTE_REMOTE_IRR) &&
		   rd32(&io, IOAPIC_EOI) == 0,
	       "EOI after the pin dropped clears Remote IRR and sends "
	       "nothing; EOI reads 0");
	vioapic_set_irq(&io, 9, true);
	tap_ok(s.n == 4, "the next assertion delivers");
}

/* Entries sharing a vector: one EOI clears every Remote IRR with it. */
static void test_shared_vector(void)
{
	struct vioapic io;
	struct sink s;

	fresh(&io, &s);
	rte(&io, 16, IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW | 0x50, 0);
	rte(&io, 17, IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW | 0x50, 0);
	tap_ok(s.n == 2, "active-low level entries with their lines low "
			 "deliver on unmask");
	vioapic_set_irq(&io, 16, true);
	vioapic_set_irq(&io, 17, true);
	vioapic_eoi(&io, 0x50);
	tap_ok(s.n == 2 && !(rte_lo(&io, 16) & IOAPIC_RTE_REMOTE_IRR) &&
		   !(rte_lo(&io, 17) & IOAPIC_RTE_REMOTE_IRR),
	       "one EOI clears Remote IRR on both entries of the vector");
}

/* 3.2.4 INTPOL: 1 = low active. */
static void test_polarity(void)
{
	struct vioapic io;
	struct sink s;

	fresh(&io, &s);
	vioapic_set_irq(&io, 11, true);
	rte(&io, 11, IOAPIC_RTE_ACTIVE_LOW | 0x4b, 0);
	tap_ok(s.n == 0, "programming polarity is not an edge");
	vioapic_set_irq(&io, 11, false);
	vioapic_set_irq(&io, 11, true);
	tap_ok(s.n == 1, "active-low edge: high -> low delivers, low -> "
			 "high does not");
	rte(&io, 12, IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW | 0x4c, 0);
	vioapic_eoi(&io, 0x4c);
	vioapic_set_irq(&io, 12, true);
	vioapic_eoi(&io, 0x4c);
	tap_ok(s.n == 3 && !(rte_lo(&io, 12) & IOAPIC_RTE_REMOTE_IRR),
	       "active-low level: asserted while low, released by a high line");
}

/* 3.2.4: vector, delivery mode, destination mode and destination reach
 * the local APIC side unchanged. */
static void test_routing(void)
{
	struct vioapic io;
	struct sink s;
	struct msg *m = s.m;

	fresh(&io, &s);
	rte(&io, 1, IOAPIC_RTE_LOGICAL | 0x100 | IOAPIC_RTE_LEVEL | 0x61, 0xa5);
	rte(&io, 2, 0x400, 0x03);
	rte(&io, 0, 0x700, 0xff);
	vioapic_set_irq(&io, 1, true);
	vioapic_set_irq(&io, 2, true);
	vioapic_set_irq(&io, 0, true);
	tap_ok(s.n == 3 && m[0].vector == 0x61 && m[0].mode == 1 &&
		   m[0].logical && m[0].dest == 0xa5 && m[0].level &&
		   m[1].mode == IOAPIC_MODE_NMI && !m[1].logical &&
		   m[1].dest == 0x03 && m[2].mode == IOAPIC_MODE_EXTINT &&
		   m[2].dest == 0xff && !m[2].level,
	       "lowest-priority logical level, NMI, ExtINT: fields passed "
	       "through");
}

/* Remote IRR only on level entries: switching to edge drops it; NMI
 * programmed level acts as edge (3.2.4: NMI must be edge-triggered). */
static void test_trigger_changes(void)
{
	struct vioapic io;
	struct sink s;

	fresh(&io, &s);
	rte(&io, 7, IOAPIC_RTE_LEVEL | 0x37, 0);
	vioapic_set_irq(&io, 7, true);
	rte(&io, 7, 0x37, 0);
	tap_ok(s.n == 1 && !(rte_lo(&io, 7) & IOAPIC_RTE_REMOTE_IRR),
	       "level -> edge clears Remote IRR and sends nothing");
	rte(&io, 7, IOAPIC_RTE_LEVEL | 0x37, 0);
	tap_ok(s.n == 2 && (rte_lo(&io, 7) & IOAPIC_RTE_REMOTE_IRR),
	       "edge -> level with the pin asserted delivers");
	rte(&io, 8, IOAPIC_RTE_LEVEL | 0x400, 0);
	vioapic_set_irq(&io, 8, true);
	vioapic_set_irq(&io, 8, false);
	vioapic_set_irq(&io, 8, true);
	tap_ok(s.n == 4 && !s.m[3].level &&
		   !(rte_lo(&io, 8) & IOAPIC_RTE_REMOTE_IRR) &&
		   (rte_lo(&io, 8) & IOAPIC_RTE_LEVEL),
	       "NMI with the trigger bit set: one message per edge, no Remote "
	       "IRR, the bit reads back");
	vioapic_set_irq(&io, 30, true);
	tap_ok(s.n == 4, "pins above 23 are ignored");
}

/* ---- reference model -------------------------------------------------- */

struct ref_entry {
	u8 vector, mode, dest;
	bool logical, low, level_bit, masked, rirr;
};

struct ref {
	struct ref_entry e[IOAPIC_PINS];
	bool line[IOAPIC_PINS];
	u32 id;
	u8 regsel;
	struct sink out;
};

static void ref_init(struct ref *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		r->e[i].masked = true;
}

static bool ref_level(const struct ref_entry *e)
{
	return e->level_bit && e->mode < 2;
}

static bool ref_active(const struct ref *r, unsigned p)
{
	return r->line[p] != r->e[p].low;
}

static void ref_send(struct ref *r, unsigned p)
{
	struct ref_entry *e = &r->e[p];

	sink_deliver(&r->out, e->vector, e->mode, e->logical, e->dest,
		     ref_level(e));
}

static void ref_poke_level(struct ref *r, unsigned p)
{
	struct ref_entry *e = &r->e[p];

	if (ref_level(e) && ref_active(r, p) && !e->masked && !e->rirr) {
		e->rirr = true;
		ref_send(r, p);
	}
}

static void ref_set_irq(struct ref *r, unsigned p, bool level)
{
	bool was;

	if (p >= IOAPIC_PINS)
		return;
	was = ref_active(r, p);
	r->line[p] = level;
	if (ref_level(&r->e[p]))
		ref_poke_level(r, p);
	else if (!was && ref_active(r, p) && !r->e[p].masked)
		ref_send(r, p);
}

static void ref_eoi(struct ref *r, u8 v)
{
	for (unsigned p = 0; p < IOAPIC_PINS; p++) {
		if (r->e[p].rirr && r->e[p].vector == v) {
			r->e[p].rirr = false;
			ref_poke_level(r, p);
		}
	}
}

static u32 ref_rreg(const struct ref *r, u8 idx)
{
	const struct ref_entry *e;

	if (idx == 0 || idx == 2)
		return r->id;
	if (idx == 1)
		return 0x00170020;
	if (idx < 0x10 || idx > 0x3f)
		return 0;
	e = &r->e[(idx - 0x10) / 2];
	if (idx & 1)
		return (u32)e->dest << 24;
	return e->vector | (u32)e->mode << 8 | (u32)e->logical << 11 |
	       (u32)e->low << 13 | (u32)e->rirr << 14 |
	       (u32)e->level_bit << 15 | (u32)e->masked << 16;
}

static void ref_wreg(struct ref *r, u8 idx, u32 v)
{
	struct ref_entry *e;

	if (idx == 0)
		r->id = v & 0x0f000000;
	if (idx < 0x10 || idx > 0x3f)
		return;
	e = &r->e[(idx - 0x10) / 2];
	if (idx & 1) {
		e->dest = (u8)(v >> 24);
		return;
	}
	e->vector = (u8)v;
	e->mode = (v >> 8) & 7;
	e->logical = v & BIT(11);
	e->low = v & BIT(13);
	e->level_bit = v & BIT(15);
	e->masked = v & BIT(16);
	if (!ref_level(e))
		e->rirr = false;
	ref_poke_level(r, (idx - 0x10) / 2);
}

/* A 4-byte aligned dword store, the only kind the random test makes to
 * the reference (the byte rules are tested above). */
static void ref_store(struct ref *r, u64 off, u32 v)
{
	if (off == IOAPIC_IOREGSEL)
		r->regsel = (u8)v;
	else if (off == IOAPIC_IOWIN)
		ref_wreg(r, r->regsel, v);
	else if (off == IOAPIC_EOI)
		ref_eoi(r, (u8)v);
}

static u32 rand_lo(struct rng *g, const u8 *vecs)
{
	u32 v = (u32)rng_next(g);

	v = (v & ~0xffU) | vecs[rng_below(g, 4)];
	if (rng_below(g, 2))
		v &= ~0x700U; /* mostly fixed / lowest priority */
	if (rng_below(g, 3))
		v &= ~IOAPIC_RTE_MASKED;
	return v;
}

static bool same_log(const struct sink *a, const struct sink *b)
{
	return a->n == b->n && !memcmp(a->m, b->m, sizeof(a->m));
}

static int random_step(struct rng *g, struct vioapic *io, struct sink *s,
		       struct ref *r, const u8 *vecs)
{
	u64 off = rng_below(g, 0x50);
	unsigned len = 1U << rng_below(g, 4), pin = (unsigned)rng_below(g, 26);
	u8 idx = (u8)(rng_below(g, 8) ? 0x10 + rng_below(g, 48)
				      : rng_below(g, 0x50));
	u8 got[8], want[8];
	u32 v;

	switch (rng_below(g, 6)) {
	case 0:
	case 1: {
		bool lv = rng_below(g, 2);

		vioapic_set_irq(io, pin, lv);
		ref_set_irq(r, pin, lv);
		break;
	}
	case 2:
		v = (idx & 1) || idx < 0x10 ? (u32)rng_next(g)
					    : rand_lo(g, vecs);
		wreg(io, idx, v);
		r->regsel = idx;
		ref_wreg(r, idx, v);
		break;
	case 3:
		v = vecs[rng_below(g, 4)];
		if (rng_below(g, 2)) {
			vioapic_eoi(io, (u8)v);
		} else {
			wr32(io, IOAPIC_EOI, v);
		}
		ref_eoi(r, (u8)v);
		break;
	case 4:
		v = (u32)rng_next(g);
		wr32(io, off & ~3ULL, v);
		ref_store(r, off & ~3ULL, v);
		break;
	default:
		memset(got, 0x5a, sizeof(got));
		vioapic_mmio_read(io, off, got, len);
		for (unsigned i = 0; i < len; i++) {
			u64 o = off + i;
			u32 reg = (o & ~0xfULL) == 0 ? r->regsel
				  : (o & ~0xfULL) == 0x10
				      ? ref_rreg(r, r->regsel)
				      : 0;

			want[i] =
			    (o & 0xf) < 4 ? (u8)(reg >> (8 * (o & 3))) : 0;
		}
		if (memcmp(got, want, len))
			return -1;
	}
	return same_log(s, &r->out) ? 0 : -2;
}

static void test_random(void)
{
	struct rng g;
	u64 seed = rng_seed_env(&g, 0x10a71cULL);
	u64 iters = env_u64("MICA_ITERS", 400);
	u64 steps = 0, msgs = 0;
	int bad = 0;

	tap_diag("seed 0x%llx (MICA_SEED), %llu runs (MICA_ITERS)",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (u64 it = 0; it < iters && !bad; it++) {
		struct vioapic io;
		struct sink s;
		struct ref r;
		u8 vecs[4];

		for (unsigned i = 0; i < 4; i++)
			vecs[i] = (u8)(0x20 + rng_below(&g, 0xe0));
		fresh(&io, &s);
		ref_init(&r);
		for (unsigned k = 0; k < 200 && !bad; k++, steps++) {
			bad = random_step(&g, &io, &s, &r, vecs);
			s.n = r.out.n = 0; /* compared: start each step empty */
			memset(s.m, 0, sizeof(s.m));
			memset(r.out.m, 0, sizeof(r.out.m));
		}
		msgs += io.deliveries;
		if (bad)
			tap_diag("run %llu step: %s", (unsigned long long)it,
				 bad == -1 ? "read differs"
					   : "messages differ");
	}
	tap_ok(!bad,
	       "%llu random pin changes, register and window accesses and "
	       "EOIs agree with the reference model (%llu messages)",
	       (unsigned long long)steps, (unsigned long long)msgs);
}

int main(void)
{
	test_reset();
	test_register_masks();
	test_mmio_read_bytes();
	test_bus();
	test_mmio_writes();
	test_edge();
	test_mask();
	test_level_eoi();
	test_shared_vector();
	test_polarity();
	test_routing();
	test_trigger_changes();
	test_random();
	return tap_done();
}
