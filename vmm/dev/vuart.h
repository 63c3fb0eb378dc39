/* SPDX-License-Identifier: MIT */
/*
 * Emulated 16550 UART for guests (pure: no I/O, no globals). Enough of the
 * register set for polling and FIFO drivers: THR/RBR, IER, IIR/FCR, LCR,
 * MCR (with loopback), LSR, MSR, SCR, DLL/DLM. The transmitter is always
 * ready; transmitted bytes are gathered into lines handed to an output
 * callback, so a guest's output reaches the host console whole and
 * prefixed. There is no receive source except loopback.
 */
#ifndef MICA_VMM_DEV_VUART_H
#define MICA_VMM_DEV_VUART_H

#include "mm/base/types.h"

#define VUART_LINE_MAX 160

/* Called with each completed line (without the newline), or with a partial
 * line when it is flushed or overflows. */
typedef void (*vuart_emit_fn)(void *ctx, const char *line, size_t len);

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u8 rbr;
	bool rx_ready;
	u8 thr_empty_pending; /* THRE interrupt identification pending */
	char line[VUART_LINE_MAX];
	size_t line_len;
	u64 tx_bytes;
	vuart_emit_fn emit;
	void *emit_ctx;
};

/* Reset to the power-on state of a 16550 (divisor 12: 9600 baud). */
void vuart_init(struct vuart *u, vuart_emit_fn emit, void *ctx);

/* Register access; reg is the offset 0..7 from the base. */
u8 vuart_read(struct vuart *u, unsigned reg);
void vuart_write(struct vuart *u, unsigned reg, u8 val);

/* Hand out a partial line (e.g. when the guest ends). */
void vuart_flush(struct vuart *u);

#endif /* MICA_VMM_DEV_VUART_H */
