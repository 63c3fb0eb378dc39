/* SPDX-License-Identifier: MIT */
/*
 * Emulated 16550 UART for guests (pure: no I/O, no globals), after the
 * PC16550D datasheet: THR/RBR, IER, IIR/FCR, LCR, MCR (with loopback), LSR,
 * MSR, SCR, DLL/DLM, the 16-byte receive FIFO and the four prioritised
 * interrupts. The transmitter is always ready; transmitted bytes are
 * gathered into lines handed to an output callback, so a guest's output
 * reaches the host console whole and prefixed. Received bytes come from the
 * platform (vuart_receive) or, in loopback, from the transmitter.
 */
#ifndef MICA_VMM_DEV_VUART_H
#define MICA_VMM_DEV_VUART_H

#include "mm/base/types.h"

#define VUART_LINE_MAX 160
#define VUART_FIFO_LEN 16 /* receive FIFO (FCR bit 0 = 1) */

/* Called with each completed line (without the newline), or with a partial
 * line when it is flushed or overflows. */
typedef void (*vuart_emit_fn)(void *ctx, const char *line, size_t len);

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u8 lsr_err;   /* latched LSR error bits: OE (bit 1) */
	u8 msr_delta; /* MSR bits 3:0: DCTS, DDSR, TERI, DDCD */
	u8 rx[VUART_FIFO_LEN];
	u8 rx_head, rx_count; /* ring of received bytes; 1 deep in 16450 mode */
	u8 rbr;		      /* the byte last read from RBR */
	bool rx_timeout;      /* character timeout indication (vuart_rx_idle) */
	bool thre_pending;    /* THRE interrupt latched, not yet cleared */
	char line[VUART_LINE_MAX];
	size_t line_len;
	u64 tx_bytes;
	vuart_emit_fn emit;
	void *emit_ctx;
};

/* Reset to the power-on state of a 16550 (divisor 12: 9600 baud). */
void vuart_init(struct vuart *u, vuart_emit_fn emit, void *ctx);

/* Register access; reg is the offset 0..7 from the base (higher bits are
 * ignored). Reads have the datasheet's side effects: RBR pops the FIFO, IIR
 * clears a THRE interrupt it reports, LSR clears the error bits, MSR clears
 * the delta bits. */
u8 vuart_read(struct vuart *u, unsigned reg);
void vuart_write(struct vuart *u, unsigned reg, u8 val);

/*
 * A byte arrives on the serial input. Returns true when it was stored.
 * Returns false when it was lost: the receiver was full (LSR.OE is set;
 * in FIFO mode the new byte is dropped and the FIFO kept, in 16450 mode it
 * replaces the unread one, PC16550D 8.4), or MCR loopback disconnects the
 * serial input (8.8; nothing is set). vuart_wants_input says beforehand.
 */
bool vuart_receive(struct vuart *u, u8 byte);

/*
 * The platform saw no receive and no RBR read for a while (the datasheet's
 * four character times, which a model without time cannot count): in FIFO
 * mode with data in the FIFO, raise the character timeout indication (IIR
 * 0xC when the FIFO is below its trigger level). A read of RBR clears it.
 */
void vuart_rx_idle(struct vuart *u);

/* True when vuart_receive would store a byte: not in loopback, and room in
 * the FIFO (16 bytes) or holding register (1 byte). For the platform to
 * decide whether to take input from its host console now. */
bool vuart_wants_input(const struct vuart *u);

/*
 * The level of the IRQ 4 line as a PC sees it: an interrupt is pending
 * (IIR bit 0 clear), MCR OUT2 is set (the PC gates INTR with it) and MCR
 * loopback is off (loopback disconnects the interrupt output, 8.8). The
 * platform samples it after every register access, vuart_receive and
 * vuart_rx_idle; the 8259 takes the rising edge.
 */
bool vuart_irq_line(const struct vuart *u);

/* Hand out a partial line (e.g. when the guest ends). */
void vuart_flush(struct vuart *u);

#endif /* MICA_VMM_DEV_VUART_H */
