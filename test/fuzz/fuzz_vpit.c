/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the 8254 PIT model: the input picks a TSC rate and start, then a
 * sequence of port writes and reads (mostly well-formed control words and
 * counts, sometimes any byte to any port), clock advances from one tick to
 * 2^48 and IRQ 0 polls. After each step: a read claims exactly the PIT's
 * ports and defines its byte (the same read on a copy whose byte started
 * different returns the same, and leaves the same state); vpit_irq0_next
 * is 0 or later than now; a poll with no write since the last one is true
 * exactly when the clock has reached the next edge that poll's
 * vpit_irq0_next gave, and is true when OUT0 (read through the status
 * byte) went from low to high; OUT0 is high at that edge and low one PIT
 * clock before; port 0x61 bit 5 is counter 2's status OUT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/support/fuzz_input.h"
#include "vmm/dev/vpit.h"

static u64 now_tsc;

static u64 clock_fn(void *ctx)
{
	(void)ctx;
	return now_tsc;
}

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vpit: %s (tsc %llu)\n", why,
		(unsigned long long)now_tsc);
	abort();
}

static bool is_pit_port(u16 port)
{
	return (port >= 0x40 && port <= 0x43) || port == 0x61;
}

/* Read on p and on a copy, their bytes preset differently: both must claim
 * the same, return the same and end in the same state. */
static u8 checked_read(struct vpit *p, u16 port)
{
	struct vpit q;
	u8 a = 0x00, b = 0xff;
	bool ca, cb;

	memcpy(&q, p, sizeof(q));
	ca = vpit_read(p, port, &a);
	cb = vpit_read(&q, port, &b);
	if (ca != is_pit_port(port) || cb != ca)
		fail("a read claims the wrong ports");
	if (ca ? a != b : a != 0x00 || b != 0xff)
		fail("a read leaves its byte undefined, or sets an unclaimed "
		     "one");
	if (memcmp(&q, p, sizeof(q)))
		fail("the same read on a copy ends in a different state");
	return a;
}

/* Counter n's OUT through the read-back status byte, on a copy (the
 * latch would disturb p); -1 when a status is already latched there. */
static int status_out(const struct vpit *p, unsigned n)
{
	struct vpit q;
	u8 v = 0;

	if (p->c[n].st_latched)
		return -1;
	memcpy(&q, p, sizeof(q));
	vpit_write(&q, 0x43, (u8)(0xe0 | 2U << n));
	vpit_read(&q, (u16)(0x40 + n), &v);
	return !!(v & VPIT_STATUS_OUT);
}

/* A port, mostly the PIT's. */
static u16 pick_port(struct fuzz_input *in)
{
	static const u16 ports[] = {0x40, 0x41, 0x42, 0x43, 0x61, 0x40, 0x42};
	u64 k = fuzz_take(in, 1);

	if (k < 240)
		return ports[k % ARRAY_SIZE(ports)];
	return (u16)fuzz_take(in, 2);
}

/* A control word: counter select, RW, mode, BCD from the input, biased to
 * counters 0 and 2; sometimes a read-back command. */
static u8 pick_control(struct fuzz_input *in)
{
	u8 v = (u8)fuzz_take(in, 1), sc = (u8)(fuzz_take(in, 1) % 5);

	if (sc == 4)
		return (u8)(0xc0 | (v & 0x3e));
	return (u8)((sc == 3 ? 2 : sc) << 6 | (v & 0x3f));
}

static u64 pick_hz(struct fuzz_input *in)
{
	static const u64 common[] = {PIT_HZ,	    2000000000ULL,   1000000ULL,
				     3000000017ULL, VPIT_TSC_HZ_MAX, 1};
	u64 k = fuzz_take(in, 1);

	if (k < 200)
		return common[k % ARRAY_SIZE(common)];
	return 1 + fuzz_take(in, 5) % VPIT_TSC_HZ_MAX;
}

static void advance(u64 dt)
{
	now_tsc = now_tsc > ~0ULL - dt ? ~0ULL : now_tsc + dt;
}

struct state {
	struct vpit p;
	bool clean; /* no write since the last poll */
	u64 next;   /* vpit_irq0_next right after that poll */
	int out0;   /* OUT0 then, or -1 */
};

/* The PIT clock at TSC t, computed apart from the model. */
static u64 pit_clk(const struct vpit *p, u64 t)
{
	return (u64)((unsigned __int128)t * PIT_HZ / p->tsc_hz);
}

/* OUT0, read through the status byte, is high at the edge t that
 * vpit_irq0_next gave and low the PIT clock before, when TSC values t - 1
 * and t are one PIT clock apart (at a slower TSC the edge is somewhere in
 * the clocks of tick t). */
static void check_edge(const struct vpit *p, u64 t)
{
	u64 saved = now_tsc;
	int before, after;

	if (pit_clk(p, t - 1) + 1 != pit_clk(p, t))
		return;
	now_tsc = t - 1;
	before = status_out(p, 0);
	now_tsc = t;
	after = status_out(p, 0);
	now_tsc = saved;
	if (after == 0)
		fail("OUT0 is low at the edge vpit_irq0_next gave");
	if (before == 1)
		fail("OUT0 is high a PIT clock before that edge");
}

/* A poll: agrees with the edge announced after the previous one. */
static void poll(struct state *s)
{
	bool edge = vpit_irq0_poll(&s->p);
	int out0 = status_out(&s->p, 0);

	if (s->clean && edge != (s->next && now_tsc >= s->next))
		fail("a poll disagrees with vpit_irq0_next");
	if (s->out0 == 0 && out0 == 1 && !edge)
		fail("OUT0 rose without a poll seeing it");
	s->clean = true;
	s->next = vpit_irq0_next(&s->p);
	s->out0 = out0;
	if (s->next)
		check_edge(&s->p, s->next);
}

static void one_op(struct state *s, struct fuzz_input *in)
{
	u16 port;
	u8 v;
	int out2;

	switch (fuzz_take(in, 1) % 9) {
	case 0:
		vpit_write(&s->p, 0x43, pick_control(in));
		s->clean = false;
		break;
	case 1:
	case 2:
		port = pick_port(in);
		v = (u8)fuzz_take(in, 1);
		if (vpit_write(&s->p, port, v) != is_pit_port(port))
			fail("a write claims the wrong ports");
		s->clean &= !is_pit_port(port);
		break;
	case 3:
		checked_read(&s->p, pick_port(in));
		break;
	case 4:
		advance(fuzz_take(in, 1));
		break;
	case 5:
		advance(fuzz_take(in, 2) << (fuzz_take(in, 1) % 33));
		break;
	case 6:
		poll(s);
		break;
	case 7:
		out2 = status_out(&s->p, 2);
		v = checked_read(&s->p, 0x61);
		if (out2 >= 0 && out2 != !!(v & VPIT_PORTB_OUT2))
			fail("port 0x61 bit 5 is not counter 2's OUT");
		break;
	default:
		/* a count byte for a counter, usually small */
		v = (u8)fuzz_take(in, 1);
		vpit_write(&s->p, (u16)(0x40 + fuzz_take(in, 1) % 3),
			   v < 200 ? v % 24 : v);
		s->clean = false;
		break;
	}
	if (vpit_irq0_next(&s->p) && vpit_irq0_next(&s->p) <= now_tsc)
		fail("vpit_irq0_next is not in the future");
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct state s;
	struct fuzz_input in = {data, size};

	memset(&s, 0, sizeof(s));
	vpit_init(&s.p, pick_hz(&in));
	vpit_set_clock(&s.p, clock_fn, NULL);
	now_tsc =
	    fuzz_take(&in, 1) < 200 ? fuzz_take(&in, 4) : fuzz_take(&in, 8);
	s.out0 = -1;
	while (in.n)
		one_op(&s, &in);
	return 0;
}
