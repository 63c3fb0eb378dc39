/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the I/O APIC model (vmm/dev/vioapic.c): the input is a sequence of
 * operations (pin changes, MMIO stores and loads of 1-32 bytes at any
 * window offset, indirect register writes, EOIs by broadcast) on one
 * vioapic. After every operation:
 *   - every byte of a load is defined (two loads into buffers filled with
 *     0x00 and 0xFF agree) and equals the documented byte layout;
 *   - the version reads 0x00170020, the ID only bits 27:24, arbitration
 *     the ID; Delivery Status and reserved entry bits are 0;
 *   - Remote IRR is set only on level entries (trigger bit, Fixed or
 *     Lowest Priority), and every asserted, unmasked level entry has it
 *     (it would have been delivered);
 *   - every message names an unmasked, asserted entry with the same
 *     routing fields, and a level message's entry holds Remote IRR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/dev/vioapic.h"
#include "test/unit/support/fuzz_input.h"

struct fx {
	struct vioapic io;
	u64 msgs;
};

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vioapic: %s\n", why);
	abort();
}

static bool active(const struct vioapic *io, unsigned p)
{
	return !!(io->line & (1U << p)) !=
	       !!(io->redir[p] & IOAPIC_RTE_ACTIVE_LOW);
}

static bool level_entry(u64 e)
{
	return (e & IOAPIC_RTE_LEVEL) && IOAPIC_RTE_MODE(e) <= 1;
}

/* A message must come from an entry that may send it now. */
static void on_deliver(void *ctx, u8 vector, u8 mode, bool logical, u8 dest,
		       bool level)
{
	struct fx *f = ctx;
	const struct vioapic *io = &f->io;

	f->msgs++;
	for (unsigned p = 0; p < IOAPIC_PINS; p++) {
		u64 e = io->redir[p];

		if (IOAPIC_RTE_VECTOR(e) == vector &&
		    IOAPIC_RTE_MODE(e) == mode &&
		    !!(e & IOAPIC_RTE_LOGICAL) == logical &&
		    IOAPIC_RTE_DEST(e) == dest && level_entry(e) == level &&
		    !(e & IOAPIC_RTE_MASKED) && active(io, p) &&
		    (!level || (e & IOAPIC_RTE_REMOTE_IRR)))
			return;
	}
	fail("a message no unmasked asserted entry could send");
}

static void check_state(struct fx *f)
{
	const struct vioapic *io = &f->io;

	if (vioapic_read_reg(io, IOAPIC_REG_VERSION) != IOAPIC_VERSION_VALUE ||
	    (io->id & ~IOAPIC_ID_MASK) ||
	    vioapic_read_reg(io, IOAPIC_REG_ARB) != io->id)
		fail("ID, version or arbitration register");
	for (unsigned p = 0; p < IOAPIC_PINS; p++) {
		u64 e = io->redir[p];

		if (e & (IOAPIC_RTE_DELIVS | GENMASK(55, 17)))
			fail("delivery status or a reserved entry bit set");
		if ((e & IOAPIC_RTE_REMOTE_IRR) && !level_entry(e))
			fail("Remote IRR on an edge entry");
		if (level_entry(e) && active(io, p) &&
		    !(e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)))
			fail("asserted unmasked level entry not delivered");
	}
	if (f->msgs != io->deliveries)
		fail("message count");
}

/* The byte a load at window offset o must return. */
static u8 expect(const struct vioapic *io, u64 o)
{
	u64 slot = o & ~0xfULL;
	u32 reg = slot == IOAPIC_IOREGSEL ? io->regsel
		  : slot == IOAPIC_IOWIN  ? vioapic_read_reg(io, io->regsel)
					  : 0;

	return (o & 0xf) < 4 ? (u8)(reg >> (8 * (o & 3))) : 0;
}

static void op_load(struct fx *f, u64 off, unsigned len)
{
	u8 a[33], b[33];

	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	vioapic_mmio_read(&f->io, off, a, len);
	vioapic_mmio_read(&f->io, off, b, len);
	if (memcmp(a, b, len))
		fail("a load left bytes undefined");
	for (unsigned i = 0; i < len; i++)
		if (a[i] != expect(&f->io, off + i))
			fail("a load byte differs from the register layout");
	if (a[len] != 0x00 || b[len] != 0xff)
		fail("a load wrote past its length");
}

/* Offsets: mostly the three registers, sometimes anywhere in the page. */
static u64 pick_off(struct fuzz_input *in, unsigned len)
{
	static const u64 regs[4] = {0x00, 0x10, 0x40, 0x0c};
	u64 sel = fuzz_take(in, 1), off;

	off = sel < 192 ? regs[sel & 3] + (sel >> 2 & 3)
			: fuzz_take(in, 2) % IOAPIC_SIZE;
	return off + len > IOAPIC_SIZE ? IOAPIC_SIZE - len : off;
}

static void one_op(struct fx *f, struct fuzz_input *in)
{
	unsigned len = (unsigned)(fuzz_take(in, 1) % 32) + 1;
	u8 data[32];
	u64 off;

	switch (fuzz_take(in, 1) % 6) {
	case 0:
	case 1:
		vioapic_set_irq(&f->io, (unsigned)fuzz_take(in, 1) % 26,
				fuzz_take(in, 1) & 1);
		break;
	case 2:
		len = len > 8 && fuzz_take(in, 1) % 4 ? 4 : len;
		off = pick_off(in, len);
		for (unsigned i = 0; i < len; i++)
			data[i] = (u8)fuzz_take(in, 1);
		vioapic_mmio_write(&f->io, off, data, len);
		break;
	case 3:
		op_load(f, pick_off(in, len), len);
		break;
	case 4:
		vioapic_write_reg(&f->io, (u8)fuzz_take(in, 1),
				  (u32)fuzz_take(in, 4));
		break;
	default:
		vioapic_eoi(&f->io, (u8)fuzz_take(in, 1));
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct fx f = {0};

	vioapic_init(&f.io, on_deliver, &f);
	check_state(&f);
	while (in.n) {
		one_op(&f, &in);
		check_state(&f);
	}
	return 0;
}
