/* SPDX-License-Identifier: MIT */
/*
 * Host console on COM1 (polled, 115200 8N1) with an optional mirror to the
 * Bochs/QEMU 0xE9 debug port. Single CPU, no locking.
 *
 * Output goes through a ring buffer that is pushed into the UART's 16-byte
 * FIFO whenever the FIFO is empty, so the hypervisor does not spin for the
 * serial line's baud rate (87 us per byte at 115200) while it works; the
 * ring is drained completely before the run ends and whenever it is full.
 * Input is read only when asked for (console_getc), for the guest whose
 * UART the console feeds.
 */
#include "arch/x86/cpu.h"
#include "mm/base/console.h"
#include "mm/lib/fmt.h"
#include "drivers/uart.h"

#define E9_PORT	      0xe9
#define UART_FIFO_LEN 16
#define RING_SIZE     16384 /* power of two */

static bool console_e9;
static bool console_uart;
static char ring[RING_SIZE];
static u32 ring_head, ring_tail; /* free-running; head - tail = queued */

void console_init(void)
{
	/* A UART that echoes its scratch register is present. */
	outb(UART_COM1 + UART_SCR, 0x5a);
	console_uart = inb(UART_COM1 + UART_SCR) == 0x5a;
	if (console_uart) {
		outb(UART_COM1 + UART_IER, 0);
		outb(UART_COM1 + UART_LCR, UART_LCR_DLAB);
		outb(UART_COM1 + UART_DLL, 1); /* 115200 baud */
		outb(UART_COM1 + UART_DLM, 0);
		outb(UART_COM1 + UART_LCR, UART_LCR_8N1);
		outb(UART_COM1 + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR);
		outb(UART_COM1 + UART_MCR,
		     UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	}
	/* The debug port reads back 0xE9 where the emulator provides it. */
	console_e9 = inb(E9_PORT) == E9_PORT;
}

/* Move up to one FIFO's worth of queued bytes into the UART if it is idle. */
static bool uart_push(void)
{
	if (!(inb(UART_COM1 + UART_LSR) & UART_LSR_THRE))
		return false;
	for (int i = 0; i < UART_FIFO_LEN && ring_tail != ring_head; i++)
		outb(UART_COM1 + UART_THR,
		     (u8)ring[ring_tail++ & (RING_SIZE - 1)]);
	return true;
}

int console_getc(void)
{
	if (!console_uart || !(inb(UART_COM1 + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(UART_COM1 + UART_RBR);
}

void console_poll(void)
{
	if (console_uart && ring_tail != ring_head)
		uart_push();
}

static void uart_putc(char c)
{
	if (!console_uart)
		return;
	while (ring_head - ring_tail == RING_SIZE)
		if (!uart_push())
			cpu_relax();
	ring[ring_head++ & (RING_SIZE - 1)] = c;
}

static void console_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
	if (console_e9)
		outb(E9_PORT, (u8)c);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
	console_poll();
}

static void printk_putc(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

void vprintk(const char *fmt, va_list ap)
{
	fmt_vformat(printk_putc, NULL, fmt, ap);
	console_poll();
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	console_poll();
}

void console_drain(void)
{
	if (!console_uart)
		return;
	while (ring_tail != ring_head)
		if (!uart_push())
			cpu_relax();
	while (!(inb(UART_COM1 + UART_LSR) & UART_LSR_TEMT))
		cpu_relax();
}

u32 console_pending(void)
{
	return ring_head - ring_tail;
}
