/* SPDX-License-Identifier: MIT */
/*
 * Host tests of vmm/dev/vuart.c against the PC16550D register set: DLAB
 * and the divisor latch, IER, IIR/FCR, LCR, MCR loopback, LSR, MSR, SCR,
 * and the gathering of transmitted bytes into lines.
 */
#include <string.h>

#include "drivers/uart.h"
#include "vmm/dev/vuart.h"
#include "test/unit/support/tap.h"

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

static void test_reset_and_dlab(void)
{
	struct vuart u;

	vuart_init(&u, emit, NULL);
	tap_ok(vuart_read(&u, UART_IER) == 0 && vuart_read(&u, UART_LCR) == 0 &&
		   vuart_read(&u, UART_MCR) == 0 &&
		   vuart_read(&u, UART_SCR) == 0 &&
		   vuart_read(&u, UART_LSR) == 0x60 &&
		   vuart_read(&u, UART_IIR) == 0x01,
	       "reset: IER/LCR/MCR/SCR 0, LSR THRE|TEMT, IIR no interrupt");
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
	       "with DLAB=0 offset 1 is IER (bits 3:0 only)");
	vuart_write(&u, UART_LCR, UART_LCR_DLAB);
	tap_ok(vuart_read(&u, UART_DLL) == 0x01 &&
		   vuart_read(&u, UART_DLM) == 0x02,
	       "the divisor latch keeps its value across DLAB switches");
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
	       "FCR enable: IIR bits 7:6 set, no interrupt");
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
	tap_ok(vuart_read(&u, UART_MSR) == 0xb0,
	       "MSR outside loopback: CTS, DSR, DCD asserted");
	vuart_write(&u, UART_LSR, 0x00);
	vuart_write(&u, UART_MSR, 0x00);
	tap_ok(vuart_read(&u, UART_LSR) == 0x60 &&
		   vuart_read(&u, UART_MSR) == 0xb0,
	       "LSR and MSR ignore writes");
}

/*
 * PC16550D, loopback: the modem control outputs feed the modem status
 * inputs RTS->CTS (bit 4), DTR->DSR (bit 5), OUT1->RI (bit 6), OUT2->DCD
 * (bit 7). Linux's 8250 probe writes LOOP|RTS|OUT2 and wants MSR 0x90.
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
	vuart_write(&u, UART_THR, '\n');
	lsr2 = vuart_read(&u, UART_LSR);
	rbr = vuart_read(&u, UART_RBR);
	tap_ok(lsr1 == 0x60 && lsr2 == 0x61 && rbr == '\n' &&
		   vuart_read(&u, UART_LSR) == 0x60 && nlines == 0,
	       "loopback: THR goes to RBR and sets LSR.DR, reading RBR clears "
	       "it, nothing is emitted");
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

int main(void)
{
	test_reset_and_dlab();
	test_iir();
	test_regs();
	test_loopback();
	test_lines();
	return tap_done();
}
