/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/dev/vuart.c against the PC16550D datasheet (June 1995;
 * the section named in each test): DLAB and the divisor latch, IER, IIR/FCR,
 * LCR, MCR loopback, LSR, MSR, SCR and the gathering of transmitted bytes
 * into lines; the receiver (16-byte FIFO and 16450 holding register,
 * overrun, FCR clears and trigger levels, character timeout), the interrupt
 * priorities of Table IV, the THRE rules, the modem status deltas and the
 * IRQ line behind OUT2. Then random operations compared with a small
 * reference model written here, and random register traffic checked
 * against invariants (MICA_SEED, MICA_ITERS).
 */
#include <string.h>

#include "drivers/uart.h"
#include "vmm/dev/vuart.h"
#include "test/unit/support/rng.h"
#include "test/unit/support/tap.h"

#define LOOP UART_MCR_LOOP
#define OUT2 UART_MCR_OUT2
#define OUT1 0x04

static char lines[8][VUART_LINE_MAX + 1];
static size_t lens[8];
static unsigned nlines;

static void emit(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	if (nlines < 8) {
		memcpy(lines[nlines], line, len);
		lines[nlines][len] = '\0';
		lens[nlines] = len;
	}
	nlines++;
}

static void put(struct vuart *u, const char *s)
{
	while (*s)
		vuart_write(u, UART_THR, (u8)*s++);
}

static u8 rd(struct vuart *u, unsigned reg)
{
	return vuart_read(u, reg);
}

/* A UART as a driver leaves it: 8N1, then FCR, IER and MCR as given. */
static void setup(struct vuart *u, u8 fcr, u8 ier, u8 mcr)
{
	vuart_init(u, emit, NULL);
	nlines = 0;
	vuart_write(u, UART_LCR, UART_LCR_8N1);
	vuart_write(u, UART_FCR, fcr);
	vuart_write(u, UART_IER, ier);
	vuart_write(u, UART_MCR, mcr);
}

/* Bytes "a", "b", ... arriving on the line; returns how many were kept. */
static unsigned feed(struct vuart *u, unsigned n)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < n; i++)
		kept += vuart_receive(u, (u8)('a' + i));
	return kept;
}

static void test_reset_and_dlab(void)
{
	struct vuart u;

	vuart_init(&u, emit, NULL);
	tap_ok(vuart_read(&u, UART_IER) == 0 && vuart_read(&u, UART_LCR) == 0 &&
		   vuart_read(&u, UART_MCR) == 0 &&
		   vuart_read(&u, UART_SCR) == 0 &&
		   vuart_read(&u, UART_LSR) == 0x60 &&
		   vuart_read(&u, UART_IIR) == 0x01 &&
		   vuart_read(&u, UART_MSR) == 0xb0,
	       "reset: IER/LCR/MCR/SCR 0, LSR THRE|TEMT, IIR no interrupt, "
	       "MSR no delta");
	tap_ok(!vuart_irq_line(&u) && vuart_wants_input(&u),
	       "reset: IRQ line low, receiver wants input");
	vuart_write(&u, UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
	tap_ok(vuart_read(&u, UART_DLL) == 12 && vuart_read(&u, UART_DLM) == 0,
	       "reset divisor is 12 (9600 baud), read through DLAB");
	nlines = 0;
	vuart_write(&u, UART_DLL, 0x01);
	vuart_write(&u, UART_DLM, 0x02);
	tap_ok(vuart_read(&u, UART_DLL) == 0x01 &&
		   vuart_read(&u, UART_DLM) == 0x02 && u.tx_bytes == 0 &&
		   u.ier == 0,
	       "with DLAB=1 offsets 0/1 are the divisor latch: no transmit, "
	       "IER untouched");
	vuart_write(&u, UART_LCR, UART_LCR_8N1);
	vuart_write(&u, UART_IER, 0xff);
	tap_ok(vuart_read(&u, UART_IER) == 0x0f &&
		   vuart_read(&u, UART_LCR) == UART_LCR_8N1,
	       "with DLAB=0 offset 1 is IER (bits 3:0 only, 8.7)");
	vuart_write(&u, UART_LCR, UART_LCR_DLAB);
	tap_ok(vuart_read(&u, UART_DLL) == 0x01 &&
		   vuart_read(&u, UART_DLM) == 0x02,
	       "the divisor latch keeps its value across DLAB switches");
	vuart_receive(&u, 'r');
	tap_ok(vuart_read(&u, UART_DLL) == 0x01 &&
		   (vuart_read(&u, UART_LSR) & UART_LSR_DR),
	       "with DLAB=1 a read of offset 0 leaves the received byte");
	vuart_write(&u, UART_LCR, 0x1b);
	tap_ok(vuart_read(&u, UART_LCR) == 0x1b, "LCR reads back");
	vuart_write(&u, UART_SCR, 0xa5);
	vuart_write(&u, 15, 0x3c);
	tap_ok(vuart_read(&u, UART_SCR) == 0x3c && vuart_read(&u, 7) == 0x3c,
	       "SCR holds a byte; offsets alias modulo 8");
}

static void test_iir(void)
{
	struct vuart u;

	vuart_init(&u, emit, NULL);
	vuart_write(&u, UART_FCR, 0x07);
	tap_ok(vuart_read(&u, UART_IIR) == 0xc1,
	       "FCR enable: IIR bits 7:6 set, no interrupt (8.6)");
	vuart_write(&u, UART_FCR, 0x00);
	tap_ok(vuart_read(&u, UART_IIR) == 0x01, "FCR disable: IIR bits 7:6 0");
	vuart_write(&u, UART_FCR, 0x01);
	vuart_write(&u, UART_IER, 0x02);
	tap_ok(vuart_read(&u, UART_IIR) == 0xc2 &&
		   vuart_read(&u, UART_IIR) == 0xc1,
	       "enabling ETBEI raises THRE identification; reading IIR clears "
	       "it");
	vuart_write(&u, UART_THR, 'x');
	tap_ok(vuart_read(&u, UART_IIR) == 0xc2 &&
		   vuart_read(&u, UART_IIR) == 0xc1,
	       "a THR write raises THRE again, one IIR read clears it");
	vuart_write(&u, UART_IER, 0x00);
	vuart_write(&u, UART_THR, 'y');
	tap_ok(vuart_read(&u, UART_IIR) == 0xc1,
	       "with ETBEI off IIR reports no interrupt");
}

static void test_regs(void)
{
	struct vuart u;

	vuart_init(&u, emit, NULL);
	vuart_write(&u, UART_MCR, 0xff);
	tap_ok(vuart_read(&u, UART_MCR) == 0x1f, "MCR keeps bits 4:0");
	vuart_write(&u, UART_MCR, 0x0b);
	tap_ok((vuart_read(&u, UART_MSR) & 0xf0) == 0xb0 &&
		   vuart_read(&u, UART_MSR) == 0xb0,
	       "MSR outside loopback: CTS, DSR, DCD asserted; deltas cleared "
	       "by the read");
	vuart_write(&u, UART_LSR, 0x00);
	vuart_write(&u, UART_MSR, 0x00);
	tap_ok(vuart_read(&u, UART_LSR) == 0x60 &&
		   vuart_read(&u, UART_MSR) == 0xb0,
	       "LSR and MSR ignore writes");
}

/*
 * PC16550D 8.8, loopback: the modem control outputs feed the modem status
 * inputs RTS->CTS (bit 4), DTR->DSR (bit 5), OUT1->RI (bit 6), OUT2->DCD
 * (bit 7), and the transmitter feeds the receiver. Linux's 8250 probe
 * writes LOOP|RTS|OUT2 and wants MSR 0x90.
 */
static void test_loopback(void)
{
	static const struct {
		u8 mcr, msr;
	} map[] = {
	    {0x01, 0x20}, {0x02, 0x10}, {0x04, 0x40},
	    {0x08, 0x80}, {0x0a, 0x90}, {0x0f, 0xf0},
	};
	struct vuart u;
	unsigned bad = 0;
	u8 rbr, lsr1, lsr2;

	vuart_init(&u, emit, NULL);
	for (unsigned i = 0; i < ARRAY_SIZE(map); i++) {
		u8 got;

		vuart_write(&u, UART_MCR, UART_MCR_LOOP | map[i].mcr);
		got = vuart_read(&u, UART_MSR) & 0xf0;
		if (got != map[i].msr) {
			bad++;
			tap_diag("MCR %#x: MSR %#x, want %#x", map[i].mcr, got,
				 map[i].msr);
		}
	}
	tap_ok(!bad,
	       "loopback: MSR 7:4 = DCD/RI/DSR/CTS from OUT2/OUT1/DTR/RTS");
	nlines = 0;
	vuart_write(&u, UART_MCR, UART_MCR_LOOP);
	lsr1 = vuart_read(&u, UART_LSR);
	vuart_write(&u, UART_THR, 'Q');
	lsr2 = vuart_read(&u, UART_LSR);
	rbr = vuart_read(&u, UART_RBR);
	tap_ok(lsr1 == 0x60 && lsr2 == 0x61 && rbr == 'Q' &&
		   vuart_read(&u, UART_LSR) == 0x60 && nlines == 0,
	       "loopback: THR goes to RBR and sets LSR.DR, reading RBR clears "
	       "it, nothing is emitted");
	vuart_write(&u, UART_THR, 'Q');
	vuart_write(&u, UART_THR, '\n');
	lsr2 = vuart_read(&u, UART_LSR);
	tap_ok(lsr2 == 0x63 && vuart_read(&u, UART_RBR) == '\n',
	       "loopback, 16450 mode: a second byte overruns the unread one "
	       "(LSR.OE, 8.4)");
	vuart_write(&u, UART_FCR, 0x01);
	put(&u, "0123456789abcdefg");
	rbr = vuart_read(&u, UART_RBR);
	tap_ok(rbr == '0' && (vuart_read(&u, UART_LSR) & 0x03) == 0x03,
	       "loopback, FIFO mode: 16 bytes are kept in order, the 17th "
	       "overruns");
	vuart_write(&u, UART_FCR, 0x03);
	vuart_write(&u, UART_MCR, 0);
	put(&u, "z\n");
	tap_ok(nlines == 1 && !strcmp(lines[0], "z") &&
		   vuart_read(&u, UART_LSR) == 0x60,
	       "leaving loopback transmits again");
}

static void test_lines(void)
{
	struct vuart u;
	char big[VUART_LINE_MAX + 2];
	int ctx;

	vuart_init(&u, emit, &ctx);
	nlines = 0;
	put(&u, "ab\r\ncd\n\n\te\x01");
	tap_ok(nlines == 3 && !strcmp(lines[0], "ab") &&
		   !strcmp(lines[1], "cd") && lens[2] == 0 && u.tx_bytes == 11,
	       "'\\n' ends a line, '\\r' is dropped, an empty line is a line");
	vuart_flush(&u);
	tap_ok(nlines == 4 && lens[3] == 3 && !strcmp(lines[3], "\te\x01"),
	       "vuart_flush hands out the partial line with control bytes");
	vuart_flush(&u);
	tap_ok(nlines == 4, "flushing an empty line emits nothing");
	memset(big, 'x', VUART_LINE_MAX);
	big[VUART_LINE_MAX - 1] = 'y';
	big[VUART_LINE_MAX] = '\0';
	nlines = 0;
	put(&u, big);
	tap_ok(nlines == 1 && lens[0] == VUART_LINE_MAX &&
		   lines[0][VUART_LINE_MAX - 1] == 'y',
	       "a line of VUART_LINE_MAX bytes is emitted when full");
	put(&u, "tail\n");
	tap_ok(nlines == 2 && !strcmp(lines[1], "tail"),
	       "the next bytes start a new line");
	for (int i = 0; i < 1000; i++)
		vuart_write(&u, UART_THR, 'q');
	tap_ok(nlines == 2 + 1000 / VUART_LINE_MAX &&
		   u.line_len == 1000 % VUART_LINE_MAX,
	       "1000 bytes without newline: %d full lines, rest kept",
	       1000 / VUART_LINE_MAX);
}

/* 8.4 LSR bits 0 and 1 in the 16450 mode: one holding register. */
static void test_rx_holding(void)
{
	struct vuart u;
	bool first, second;

	setup(&u, 0, 0, 0);
	first = vuart_receive(&u, 'a');
	tap_ok(first && rd(&u, UART_LSR) == 0x61 && !vuart_wants_input(&u),
	       "16450 mode: a received byte sets LSR.DR; the holding register "
	       "is full");
	second = vuart_receive(&u, 'b');
	tap_ok(!second && rd(&u, UART_LSR) == 0x63 && rd(&u, UART_LSR) == 0x61,
	       "8.4: a byte before RBR is read sets LSR.OE; reading LSR "
	       "clears OE, not DR");
	tap_ok(rd(&u, UART_RBR) == 'b' && rd(&u, UART_LSR) == 0x60 &&
		   vuart_wants_input(&u),
	       "8.4: in 16450 mode the overrunning byte replaces the unread "
	       "one; reading RBR clears DR");
	tap_ok(rd(&u, UART_RBR) == 'b' && rd(&u, UART_LSR) == 0x60,
	       "reading an empty RBR returns the last byte again");
}

/* 8.4 LSR bit 1 in FIFO mode, 8.5 FCR bit 0. */
static void test_rx_fifo(void)
{
	struct vuart u;
	unsigned kept, bad = 0;
	bool more;

	setup(&u, 0x01, 0, 0);
	kept = feed(&u, VUART_FIFO_LEN);
	tap_ok(kept == VUART_FIFO_LEN && rd(&u, UART_LSR) == 0x61 &&
		   !vuart_wants_input(&u),
	       "FIFO mode: 16 bytes are kept; the FIFO is then full");
	more = vuart_receive(&u, 'X');
	tap_ok(!more && rd(&u, UART_LSR) == 0x63,
	       "8.4: a 17th byte sets LSR.OE and is refused");
	for (unsigned i = 0; i < VUART_FIFO_LEN; i++)
		bad += rd(&u, UART_RBR) != 'a' + i;
	tap_ok(!bad && rd(&u, UART_LSR) == 0x60 && vuart_wants_input(&u),
	       "8.4: the overrunning byte is lost, the 16 before it are read "
	       "in order; DR clears with the last");
}

/* 8.5: the clear bits, and bits programmed only with FCR bit 0 set. */
static void test_fcr(void)
{
	struct vuart u;

	setup(&u, 0x01, 0, 0);
	feed(&u, VUART_FIFO_LEN + 1);
	vuart_write(&u, UART_FCR, 0x03);
	tap_ok(rd(&u, UART_LSR) == 0x62 && vuart_wants_input(&u),
	       "FCR bit 1 empties the receive FIFO (DR clear); LSR.OE stays "
	       "for the LSR read");
	feed(&u, 2);
	vuart_write(&u, UART_FCR, 0x05);
	tap_ok(rd(&u, UART_RBR) == 'a' && rd(&u, UART_RBR) == 'b',
	       "FCR bit 2 clears only the transmit FIFO");
	feed(&u, 3);
	vuart_write(&u, UART_FCR, 0x00);
	tap_ok(rd(&u, UART_LSR) == 0x60 && rd(&u, UART_IIR) == 0x01,
	       "clearing FCR bit 0 empties the FIFO and leaves FIFO mode");
	vuart_receive(&u, 'h');
	vuart_write(&u, UART_FCR, 0x02);
	tap_ok(rd(&u, UART_LSR) == 0x61 && rd(&u, UART_IIR) == 0x01,
	       "with FCR bit 0 clear the other bits are not programmed: the "
	       "holding register keeps its byte");
	vuart_write(&u, UART_FCR, 0x01);
	tap_ok(rd(&u, UART_LSR) == 0x60,
	       "entering FIFO mode empties the receiver");
}

/* 8.5 trigger levels, 8.11: RDA from the trigger level, cleared below. */
static void test_trigger(void)
{
	static const u8 level[4] = {1, 4, 8, 14};
	unsigned bad = 0;

	for (unsigned t = 0; t < 4; t++) {
		struct vuart u;

		setup(&u, (u8)(t << 6 | 0x01), 0x01, OUT2);
		for (unsigned n = 1; n <= VUART_FIFO_LEN; n++) {
			u8 want = n >= level[t] ? 0xc4 : 0xc1;

			vuart_receive(&u, (u8)n);
			if (rd(&u, UART_IIR) != want ||
			    vuart_irq_line(&u) != (want == 0xc4)) {
				bad++;
				tap_diag("level %u, %u bytes: IIR not %#x",
					 level[t], n, want);
			}
		}
		while (rd(&u, UART_LSR) & UART_LSR_DR) {
			rd(&u, UART_RBR);
			if (!(rd(&u, UART_IIR) & 1) != (u.rx_count >= level[t]))
				bad++;
		}
	}
	tap_ok(!bad, "8.5/8.11: FCR 7:6 = 1, 4, 8, 14 bytes: IIR 0xC4 from the "
		     "trigger level, cleared as the FIFO drops below it");
}

/* Table IV, 8.11: character timeout, as vuart_rx_idle models it. */
static void test_timeout(void)
{
	struct vuart u;

	setup(&u, 0x81, 0x01, OUT2);
	feed(&u, 3);
	tap_ok(rd(&u, UART_IIR) == 0xc1 && !vuart_irq_line(&u),
	       "3 bytes below trigger level 8: no interrupt yet");
	vuart_rx_idle(&u);
	tap_ok(rd(&u, UART_IIR) == 0xcc && rd(&u, UART_IIR) == 0xcc &&
		   vuart_irq_line(&u),
	       "after vuart_rx_idle: IIR 0xCC (character timeout), not "
	       "cleared by reading IIR");
	tap_ok(rd(&u, UART_RBR) == 'a' && rd(&u, UART_IIR) == 0xc1 &&
		   !vuart_irq_line(&u),
	       "Table IV: one RBR read clears the timeout, bytes remaining");
	vuart_rx_idle(&u);
	feed(&u, 6);
	tap_ok(rd(&u, UART_IIR) == 0xc4,
	       "timeout pending and the FIFO at its trigger level: IIR 0xC4");
	vuart_write(&u, UART_IER, 0x00);
	tap_ok(rd(&u, UART_IIR) == 0xc1,
	       "8.12: with IER bit 0 clear neither is indicated (polled mode)");
	setup(&u, 0x00, 0x01, OUT2);
	vuart_receive(&u, 'x');
	vuart_rx_idle(&u);
	tap_ok(rd(&u, UART_IIR) == 0x04,
	       "16450 mode: no timeout indication (IIR bit 3 only in FIFO "
	       "mode), RDA 0x04");
	setup(&u, 0x01, 0x01, OUT2);
	vuart_rx_idle(&u);
	tap_ok(rd(&u, UART_IIR) == 0xc1,
	       "an empty FIFO gives no timeout however idle");
}

/* Table IV: RLS > RDA/timeout > THRE > modem status. */
static void test_priority(void)
{
	struct vuart u;
	bool ok;

	setup(&u, 0x01, 0x0f, LOOP | UART_MCR_RTS);
	vuart_write(&u, UART_MCR, OUT2); /* DSR and DCD move: deltas */
	feed(&u, VUART_FIFO_LEN + 1);
	ok = rd(&u, UART_IIR) == 0xc6 && rd(&u, UART_IIR) == 0xc6;
	tap_ok(ok, "overrun, data, THRE, modem status pending: IIR 0xC6 "
		   "(RLS), kept over IIR reads");
	rd(&u, UART_LSR);
	tap_ok(rd(&u, UART_IIR) == 0xc4,
	       "reading LSR clears RLS: IIR 0xC4 (received data)");
	while (rd(&u, UART_LSR) & UART_LSR_DR)
		rd(&u, UART_RBR);
	tap_ok(rd(&u, UART_IIR) == 0xc2,
	       "the FIFO emptied: IIR 0xC2 (THRE), cleared by that read");
	tap_ok(rd(&u, UART_IIR) == 0xc0 && vuart_irq_line(&u),
	       "then IIR 0xC0 (modem status), IRQ line high");
	tap_ok(rd(&u, UART_MSR) == 0xba && rd(&u, UART_IIR) == 0xc1 &&
		   !vuart_irq_line(&u),
	       "reading MSR (DDSR, DDCD) clears modem status: no interrupt");
}

/* Table IV and 8.7/8.11: how THRE is raised and cleared. */
static void test_thre(void)
{
	struct vuart u;

	setup(&u, 0, 0, 0);
	tap_ok(rd(&u, UART_IIR) == 0x01, "no THRE while ETBEI is off");
	vuart_write(&u, UART_IER, 0x02);
	tap_ok(rd(&u, UART_IIR) == 0x02 && rd(&u, UART_IIR) == 0x01,
	       "IER.THRE 0->1 with THR empty raises THRE; reading IIR clears "
	       "it");
	vuart_write(&u, UART_IER, 0x03);
	tap_ok(rd(&u, UART_IIR) == 0x01,
	       "rewriting IER with THRE already enabled raises nothing");
	vuart_write(&u, UART_IER, 0x00);
	vuart_write(&u, UART_IER, 0x02);
	tap_ok(rd(&u, UART_IIR) == 0x02, "IER.THRE 1->0->1 raises it again");
	vuart_write(&u, UART_THR, 'x');
	vuart_write(&u, UART_IER, 0x03);
	vuart_receive(&u, 'r');
	tap_ok(rd(&u, UART_IIR) == 0x04 && rd(&u, UART_IIR) == 0x04,
	       "a THR write raises THRE; with data pending IIR reports RDA");
	rd(&u, UART_RBR);
	tap_ok(rd(&u, UART_IIR) == 0x02 && rd(&u, UART_IIR) == 0x01,
	       "an IIR read that reported RDA left THRE pending");
	vuart_write(&u, UART_FCR, 0x01);
	tap_ok(rd(&u, UART_IIR) == 0xc2 && rd(&u, UART_IIR) == 0xc1,
	       "8.11: entering FIFO mode raises THRE at once");
	vuart_write(&u, UART_FCR, 0xc7);
	tap_ok(rd(&u, UART_IIR) == 0xc1,
	       "an FCR write that keeps bit 0 raises nothing");
}

/* 8.4: the RLS interrupt and the LSR read that clears it. */
static void test_lsr(void)
{
	struct vuart u;

	setup(&u, 0x01, 0x04, OUT2);
	feed(&u, VUART_FIFO_LEN);
	tap_ok(rd(&u, UART_IIR) == 0xc1 && !vuart_irq_line(&u),
	       "ELSI only: a full FIFO is no line status interrupt");
	vuart_receive(&u, 'X');
	tap_ok(rd(&u, UART_IIR) == 0xc6 && vuart_irq_line(&u),
	       "overrun with ELSI: IIR 0xC6, IRQ line high");
	tap_ok(rd(&u, UART_LSR) == 0x63 && rd(&u, UART_IIR) == 0xc1 &&
		   !vuart_irq_line(&u),
	       "reading LSR clears OE and the interrupt; LSR bit 7 stays 0 "
	       "(no parity, framing or break errors)");
}

/* 8.9: the delta bits, fed by loopback (8.8); the modem status IRQ. */
static void test_msr(void)
{
	struct vuart u;
	u8 a, b, c, d, e;

	setup(&u, 0, 0x08, 0);
	vuart_write(&u, UART_MCR, LOOP);
	a = rd(&u, UART_MSR);
	b = rd(&u, UART_MSR);
	tap_ok(a == 0x0b && b == 0x00,
	       "entering loopback drops CTS, DSR, DCD: DCTS, DDSR, DDCD set, "
	       "cleared by the MSR read");
	vuart_write(&u, UART_MCR, LOOP | OUT1);
	a = rd(&u, UART_MSR);
	vuart_write(&u, UART_MCR, LOOP);
	b = rd(&u, UART_MSR);
	tap_ok(a == 0x40 && b == 0x04,
	       "TERI is set when RI goes 1->0, not 0->1");
	vuart_write(&u, UART_MCR, LOOP | UART_MCR_RTS);
	c = rd(&u, UART_MSR);
	vuart_write(&u, UART_MCR, LOOP | UART_MCR_RTS | UART_MCR_DTR);
	d = rd(&u, UART_MSR);
	vuart_write(&u, UART_MCR, LOOP | UART_MCR_RTS | UART_MCR_DTR | OUT2);
	e = rd(&u, UART_MSR);
	tap_ok(c == 0x11 && d == 0x32 && e == 0xb8,
	       "RTS, DTR, OUT2 raise CTS+DCTS, DSR+DDSR, DCD+DDCD");
	vuart_write(&u, UART_MCR, LOOP | UART_MCR_RTS | UART_MCR_DTR | OUT2);
	tap_ok(rd(&u, UART_IIR) == 0x01,
	       "rewriting the same MCR moves nothing");
	vuart_write(&u, UART_MCR, LOOP | UART_MCR_DTR | OUT2);
	tap_ok(rd(&u, UART_IIR) == 0x00 && rd(&u, UART_MSR) == 0xa1 &&
		   rd(&u, UART_IIR) == 0x01,
	       "a delta with EDSSI: IIR 0x00 until MSR is read");
	setup(&u, 0, 0x08, 0);
	vuart_write(&u, UART_MCR, 0x0f);
	tap_ok(rd(&u, UART_MSR) == 0xb0,
	       "outside loopback the outputs do not move the inputs");
}

/* 8.8: OUT2 gates the PC's IRQ line; loopback disconnects it. */
static void test_irq_line(void)
{
	struct vuart u;

	setup(&u, 0x01, 0x03, 0);
	tap_ok(!vuart_irq_line(&u) && !vuart_irq_line(&u),
	       "THRE pending, OUT2 clear: IRQ line low");
	vuart_write(&u, UART_MCR, OUT2);
	tap_ok(vuart_irq_line(&u), "OUT2 set: the pending THRE drives it");
	rd(&u, UART_IIR);
	tap_ok(!vuart_irq_line(&u), "reading IIR clears THRE: line low");
	vuart_write(&u, UART_MCR, OUT2 | LOOP);
	vuart_write(&u, UART_THR, 'L');
	tap_ok(!vuart_irq_line(&u) && rd(&u, UART_IIR) == 0xc4,
	       "loopback: RDA indicated in IIR, the IRQ line stays low");
	vuart_write(&u, UART_MCR, OUT2);
	tap_ok(vuart_irq_line(&u), "leaving loopback connects it again");
	rd(&u, UART_RBR);
	tap_ok(
	    vuart_irq_line(&u) && rd(&u, UART_IIR) == 0xc2 &&
		!vuart_irq_line(&u),
	    "reading RBR leaves the THRE of the loopback write; the IIR read "
	    "that reports it lowers the line");
}

/* 8.8: in loopback the serial input is disconnected. */
static void test_receive_loopback(void)
{
	struct vuart u;
	bool took;

	setup(&u, 0x01, 0x05, LOOP);
	took = vuart_receive(&u, 'w');
	tap_ok(!took && !vuart_wants_input(&u) && rd(&u, UART_LSR) == 0x60,
	       "loopback: line input is refused, no DR and no OE");
	vuart_write(&u, UART_MCR, 0);
	tap_ok(vuart_wants_input(&u) && vuart_receive(&u, 'w') &&
		   rd(&u, UART_RBR) == 'w',
	       "leaving loopback takes line input again");
}

/* ---- reference model -------------------------------------------------- */

static u64 out_hash;

static void hash_in(u64 *h, unsigned v)
{
	*h = rng_hash(*h ^ v);
}

static void hash_emit(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		hash_in(&out_hash, (u8)line[i]);
	hash_in(&out_hash, 0x100);
}

/* The datasheet's state, spelled out: flags per bit, a queue kept in
 * arrival order, the interrupt sources as a list in Table IV's order. */
struct ruart {
	u8 q[VUART_FIFO_LEN], last, line[VUART_LINE_MAX];
	unsigned n, trig, col;
	bool fifo, oe, tmo, thre, dcts, ddsr, teri, ddcd;
	u8 ier, lcr, mcr, scr, dll, dlm;
	u64 tx, h;
};

static void r_init(struct ruart *r)
{
	memset(r, 0, sizeof(*r));
	r->dll = 12;
	r->trig = 1;
}

static bool r_loop(const struct ruart *r)
{
	return r->mcr & 0x10;
}

static bool r_cts(const struct ruart *r)
{
	return r_loop(r) ? r->mcr & 0x02 : true;
}

static bool r_dsr(const struct ruart *r)
{
	return r_loop(r) ? r->mcr & 0x01 : true;
}

static bool r_ri(const struct ruart *r)
{
	return r_loop(r) ? r->mcr & 0x04 : false;
}

static bool r_dcd(const struct ruart *r)
{
	return r_loop(r) ? r->mcr & 0x08 : true;
}

static unsigned r_cap(const struct ruart *r)
{
	return r->fifo ? VUART_FIFO_LEN : 1;
}

static bool r_rx(struct ruart *r, u8 c)
{
	if (r->n == r_cap(r)) {
		r->oe = true;
		if (!r->fifo)
			r->q[0] = c;
		return false;
	}
	r->q[r->n++] = c;
	return true;
}

/* A line ends: hash it as hash_emit does. */
static void r_line(struct ruart *r)
{
	for (unsigned i = 0; i < r->col; i++)
		hash_in(&r->h, r->line[i]);
	hash_in(&r->h, 0x100);
	r->col = 0;
}

static void r_out(struct ruart *r, u8 c)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		r_line(r);
		return;
	}
	r->line[r->col++] = c;
	if (r->col == VUART_LINE_MAX)
		r_line(r);
}

static u8 r_iir_id(const struct ruart *r)
{
	const struct {
		bool on;
		u8 id;
	} src[] = {
	    {(r->ier & 4) && r->oe, 0x06},
	    {(r->ier & 1) && r->n >= (r->fifo ? r->trig : 1), 0x04},
	    {(r->ier & 1) && r->tmo, 0x0c},
	    {(r->ier & 2) && r->thre, 0x02},
	    {(r->ier & 8) && (r->dcts || r->ddsr || r->teri || r->ddcd), 0x00},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(src); i++)
		if (src[i].on)
			return src[i].id;
	return 0x01;
}

static void r_empty(struct ruart *r)
{
	r->n = 0;
	r->tmo = false;
}

static void r_mcr(struct ruart *r, u8 v)
{
	bool cts = r_cts(r), dsr = r_dsr(r), ri = r_ri(r), dcd = r_dcd(r);

	r->mcr = v & 0x1f;
	r->dcts |= cts != r_cts(r);
	r->ddsr |= dsr != r_dsr(r);
	r->teri |= ri && !r_ri(r);
	r->ddcd |= dcd != r_dcd(r);
}

static void r_fcr(struct ruart *r, u8 v)
{
	static const unsigned level[4] = {1, 4, 8, 14};
	bool en = v & 1;

	if (en != r->fifo) {
		r_empty(r);
		r->thre = true;
		r->fifo = en;
	}
	if (!en)
		return;
	if (v & 2)
		r_empty(r);
	r->trig = level[v >> 6];
}

static void r_write(struct ruart *r, unsigned reg, u8 v)
{
	bool dlab = r->lcr & 0x80;

	if (reg == 0 && dlab)
		r->dll = v;
	else if (reg == 0) {
		r->tx++;
		r->thre = true;
		if (r_loop(r))
			r_rx(r, v);
		else
			r_out(r, v);
	} else if (reg == 1 && dlab)
		r->dlm = v;
	else if (reg == 1) {
		if ((v & 2) && !(r->ier & 2))
			r->thre = true;
		r->ier = v & 0x0f;
	} else if (reg == 2)
		r_fcr(r, v);
	else if (reg == 3)
		r->lcr = v;
	else if (reg == 4)
		r_mcr(r, v);
	else if (reg == 7)
		r->scr = v;
}

static u8 r_read(struct ruart *r, unsigned reg)
{
	bool dlab = r->lcr & 0x80;
	u8 v;

	switch (reg) {
	case 0:
		if (dlab)
			return r->dll;
		r->tmo = false;
		if (r->n) {
			r->last = r->q[0];
			memmove(r->q, r->q + 1, --r->n);
		}
		return r->last;
	case 1:
		return dlab ? r->dlm : r->ier;
	case 2:
		v = r_iir_id(r);
		if (v == 0x02)
			r->thre = false;
		return (u8)(v | (r->fifo ? 0xc0 : 0));
	case 3:
		return r->lcr;
	case 4:
		return r->mcr;
	case 5:
		v = (u8)(0x60 | (r->n ? 1 : 0) | (r->oe ? 2 : 0));
		r->oe = false;
		return v;
	case 6:
		v = (u8)(r_cts(r) << 4 | r_dsr(r) << 5 | r_ri(r) << 6 |
			 r_dcd(r) << 7 | r->dcts | r->ddsr << 1 | r->teri << 2 |
			 r->ddcd << 3);
		r->dcts = r->ddsr = r->teri = r->ddcd = false;
		return v;
	default:
		return r->scr;
	}
}

static bool r_receive(struct ruart *r, u8 c)
{
	return !r_loop(r) && r_rx(r, c);
}

static void r_idle(struct ruart *r)
{
	if (r->fifo && r->n)
		r->tmo = true;
}

static bool r_irq(const struct ruart *r)
{
	return r_iir_id(r) != 0x01 && (r->mcr & 0x08) && !r_loop(r);
}

static bool r_wants(const struct ruart *r)
{
	return !r_loop(r) && r->n < r_cap(r);
}

/* ---- random operations ------------------------------------------------ */

/* A value a driver might write to reg, now and then any byte. */
static u8 rand_val(struct rng *g, unsigned reg)
{
	u8 any = (u8)rng_next(g);

	if (rng_below(g, 8) == 0)
		return any;
	switch (reg) {
	case UART_THR:
		return rng_below(g, 8) ? (u8)(' ' + rng_below(g, 95)) : '\n';
	case UART_FCR:
		return (u8)(any | (rng_below(g, 4) ? 1 : 0));
	case UART_LCR:
		return rng_below(g, 5) ? (u8)(any & 0x7f) : (u8)(any | 0x80);
	case UART_MCR:
		return rng_below(g, 3) ? (u8)(any & 0x0f) : (u8)(any | 0x10);
	default:
		return any;
	}
}

/* One random operation on both; 0 when they agree, else what differed. */
static int random_step(struct rng *g, struct vuart *u, struct ruart *r)
{
	unsigned reg = (unsigned)rng_below(g, 8);
	u8 v;

	switch (rng_below(g, 12)) {
	case 0:
	case 1:
		for (u64 k = rng_below(g, 20) + 1; k; k--) {
			v = (u8)rng_next(g);
			if (vuart_receive(u, v) != r_receive(r, v))
				return 1;
		}
		break;
	case 2:
		vuart_rx_idle(u);
		r_idle(r);
		break;
	case 3:
	case 4:
	case 5:
	case 6:
		if (vuart_read(u, reg) != r_read(r, reg))
			return 2;
		break;
	default:
		v = rand_val(g, reg);
		vuart_write(u, reg, v);
		r_write(r, reg, v);
	}
	if (vuart_irq_line(u) != r_irq(r))
		return 3;
	if (vuart_wants_input(u) != r_wants(r))
		return 4;
	return u->tx_bytes == r->tx && out_hash == r->h ? 0 : 5;
}

static void test_random(void)
{
	static const char *const what[] = {
	    "",		"vuart_receive result", "register read",
	    "IRQ line", "vuart_wants_input",	"transmitted output"};
	struct rng g;
	u64 seed = rng_seed_env(&g, 0x16550dULL);
	u64 iters = env_u64("MICA_ITERS", 400);
	u64 steps = 0;
	int bad = 0;

	tap_diag("seed 0x%llx (MICA_SEED), %llu runs (MICA_ITERS)",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (u64 it = 0; it < iters && !bad; it++) {
		struct vuart u;
		struct ruart r;

		out_hash = 0;
		vuart_init(&u, hash_emit, NULL);
		r_init(&r);
		for (unsigned k = 0; k < 400 && !bad; k++, steps++)
			bad = random_step(&g, &u, &r);
		if (!bad) {
			vuart_flush(&u);
			if (r.col)
				r_line(&r);
			bad = out_hash == r.h ? 0 : 5;
		}
		if (bad)
			tap_diag("run %llu, step %llu: %s differs",
				 (unsigned long long)it,
				 (unsigned long long)steps, what[bad]);
	}
	tap_ok(!bad,
	       "%llu random receives, idles, register reads and writes agree "
	       "with the reference model",
	       (unsigned long long)steps);
}

static bool valid_id(u8 iir)
{
	switch (iir & 0x0f) {
	case 0x01:
	case 0x06:
	case 0x04:
	case 0x0c:
	case 0x02:
	case 0x00:
		return true;
	default:
		return false;
	}
}

/* What holds after any operation, read without side effects. */
static int check_state(const struct vuart *u)
{
	bool fifo = u->fcr & UART_FCR_ENABLE;
	unsigned depth = fifo ? VUART_FIFO_LEN : 1;

	if (u->rx_count > depth || u->rx_head >= VUART_FIFO_LEN)
		return 1;
	if (u->rx_timeout && (!fifo || !u->rx_count))
		return 2;
	if (vuart_wants_input(u) != (!(u->mcr & LOOP) && u->rx_count < depth))
		return 3;
	if (u->mcr > 0x1f || u->ier > 0x0f || u->line_len >= VUART_LINE_MAX)
		return 4;
	return vuart_irq_line(u) && !(u->mcr & OUT2) ? 5 : 0;
}

/*
 * What the registers show, through reads (which clear THRE, OE and the
 * modem deltas): IIR bits 5:4 clear, bits 7:6 and bit 3 only in FIFO mode,
 * a Table IV identification, bit 0 clear exactly when the IRQ line (with
 * OUT2 and no loopback) is high; LSR.DR set exactly when the receiver holds
 * a byte; THRE and TEMT always set; no parity, framing or break bits.
 */
static int check_regs(struct vuart *u)
{
	bool line = vuart_irq_line(u);
	u8 mcr = vuart_read(u, UART_MCR);
	bool gate = (mcr & OUT2) && !(mcr & LOOP);
	u8 iir = vuart_read(u, UART_IIR);
	bool fifo = u->fcr & UART_FCR_ENABLE;
	u8 lsr = vuart_read(u, UART_LSR);

	if ((iir & 0x30) || (iir & 0xc0) != (fifo ? 0xc0 : 0) ||
	    ((iir & 0x08) && !fifo) || !valid_id(iir))
		return 11;
	if (line != (gate && !(iir & 1)))
		return 12;
	if ((lsr & 0x60) != 0x60 || (lsr & 0x9c) ||
	    !(lsr & UART_LSR_DR) != !u->rx_count)
		return 13;
	return 0;
}

static void test_invariants(void)
{
	struct rng g;
	u64 seed = rng_seed_env(&g, 0x8250ULL);
	u64 iters = env_u64("MICA_ITERS", 400);
	u64 ops = 0;
	int bad = 0;

	tap_diag("seed 0x%llx (MICA_SEED), %llu runs (MICA_ITERS)",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (u64 it = 0; it < iters && !bad; it++) {
		struct vuart u;

		vuart_init(&u, hash_emit, NULL);
		for (unsigned k = 0; k < 500 && !bad; k++, ops++) {
			unsigned reg = (unsigned)rng_next(&g);
			u64 op = rng_below(&g, 8);

			if (op < 3)
				vuart_write(&u, reg, (u8)rng_next(&g));
			else if (op < 5)
				vuart_read(&u, reg);
			else if (op < 7)
				vuart_receive(&u, (u8)rng_next(&g));
			else
				vuart_rx_idle(&u);
			bad = check_state(&u);
			if (!bad && rng_below(&g, 4) == 0)
				bad = check_regs(&u);
		}
		if (bad)
			tap_diag("run %llu, op %llu: invariant %d broken",
				 (unsigned long long)it,
				 (unsigned long long)ops, bad);
	}
	tap_ok(!bad,
	       "%llu random register accesses, receives and idles keep IIR, "
	       "LSR, the IRQ line and the FIFO count consistent",
	       (unsigned long long)ops);
}

int main(void)
{
	test_reset_and_dlab();
	test_iir();
	test_regs();
	test_loopback();
	test_lines();
	test_rx_holding();
	test_rx_fifo();
	test_fcr();
	test_trigger();
	test_timeout();
	test_priority();
	test_thre();
	test_lsr();
	test_msr();
	test_irq_line();
	test_receive_loopback();
	test_random();
	test_invariants();
	return tap_done();
}
