/* SPDX-License-Identifier: MIT */
/*
 * 16550 model (PC16550D datasheet register set). Transmission is instant:
 * LSR always reports THRE and TEMT, so polling drivers never wait. Carriage
 * returns are dropped from lines; other control bytes are kept as they are
 * so nothing the guest sent is lost silently.
 */
#include "drivers/uart.h"
#include "vmm/dev/vuart.h"

#define IIR_NO_INT  0x01
#define IIR_THRE    0x02
#define IIR_FIFO_ON 0xc0
#define IER_THRE    0x02

void vuart_init(struct vuart *u, vuart_emit_fn emit, void *ctx)
{
	mem_set(u, 0, sizeof(*u));
	u->dll = 12;
	u->emit = emit;
	u->emit_ctx = ctx;
}

void vuart_flush(struct vuart *u)
{
	if (!u->line_len)
		return;
	u->emit(u->emit_ctx, u->line, u->line_len);
	u->line_len = 0;
}

static void tx_byte(struct vuart *u, u8 c)
{
	u->tx_bytes++;
	if (u->mcr & UART_MCR_LOOP) {
		u->rbr = c;
		u->rx_ready = true;
		return;
	}
	if (c == '\n') {
		u->emit(u->emit_ctx, u->line, u->line_len);
		u->line_len = 0;
		return;
	}
	if (c == '\r')
		return;
	u->line[u->line_len++] = (char)c;
	if (u->line_len == VUART_LINE_MAX)
		vuart_flush(u);
}

static u8 read_iir(struct vuart *u)
{
	u8 fifo = (u->fcr & UART_FCR_ENABLE) ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_THRE) && u->thr_empty_pending) {
		/* Reading IIR clears a THRE interrupt (datasheet Table 4). */
		u->thr_empty_pending = 0;
		return fifo | IIR_THRE;
	}
	return fifo | IIR_NO_INT;
}

static u8 read_msr(struct vuart *u)
{
	/* Loopback (PC16550D, MCR bit 4): RTS drives CTS (MSR 4), DTR drives
	 * DSR (MSR 5), OUT1 drives RI (MSR 6), OUT2 drives DCD (MSR 7). */
	if (u->mcr & UART_MCR_LOOP)
		return (u8)((u->mcr & 0x02) << 3 | (u->mcr & 0x01) << 5 |
			    (u->mcr & 0x0c) << 4);
	/* CTS, DSR and DCD asserted: a cable with a listener. */
	return 0xb0;
}

u8 vuart_read(struct vuart *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		u->rx_ready = false;
		return u->rbr;
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (u->rx_ready ? UART_LSR_DR : 0);
	case UART_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

void vuart_write(struct vuart *u, unsigned reg, u8 val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_THR:
		if (dlab) {
			u->dll = val;
		} else {
			tx_byte(u, val);
			u->thr_empty_pending = 1;
		}
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
		} else {
			u->ier = val & 0x0f;
			u->thr_empty_pending = 1;
		}
		break;
	case UART_FCR:
		u->fcr = val & 0xc9; /* clear bits are self-clearing */
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_LSR:
	case UART_MSR:
		break; /* read-only; writes are ignored by the 16550 */
	default:
		u->scr = val;
		break;
	}
}
