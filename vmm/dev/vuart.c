/* SPDX-License-Identifier: MIT */
/*
 * 16550 model (PC16550D datasheet, June 1995). Transmission is instant:
 * LSR always reports THRE and TEMT, so polling drivers never wait. The
 * receiver is a 16-byte FIFO, or a 1-byte holding register in 16450 mode.
 * Carriage returns are dropped from lines; other control bytes are kept as
 * they are so nothing the guest sent is lost silently.
 */
#include "drivers/uart.h"
#include "vmm/dev/vuart.h"

#define IER_RDA	 0x01 /* received data available and timeout */
#define IER_THRE 0x02
#define IER_RLS	 0x04 /* receiver line status */
#define IER_MSI	 0x08 /* modem status */

/* IIR bits 3:0, Table IV: the pending interrupt of highest priority. */
#define IIR_NONE    0x01
#define IIR_RLS	    0x06
#define IIR_RDA	    0x04
#define IIR_TIMEOUT 0x0c
#define IIR_THRE    0x02
#define IIR_MSI	    0x00
#define IIR_FIFO_ON 0xc0

#define LSR_OE	     0x02
#define FCR_CLEAR_RX 0x02
#define MSR_IDLE     0xb0 /* CTS, DSR and DCD: a cable with a listener */

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

static bool fifo_on(const struct vuart *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

static unsigned rx_depth(const struct vuart *u)
{
	return fifo_on(u) ? VUART_FIFO_LEN : 1;
}

/* FCR bits 7:6 select 1, 4, 8 or 14 bytes (8.5); 16450 mode: 1. */
static unsigned rx_trigger(const struct vuart *u)
{
	static const u8 level[4] = {1, 4, 8, 14};

	return fifo_on(u) ? level[u->fcr >> 6] : 1;
}

static void rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->rx_timeout = false;
}

/* A character completes in the receiver shift register. With the receiver
 * full it is an overrun (8.4, LSR bit 1): in FIFO mode the character is
 * lost and the FIFO kept; in 16450 mode it replaces the unread one. */
static bool rx_push(struct vuart *u, u8 c)
{
	if (u->rx_count == rx_depth(u)) {
		u->lsr_err |= LSR_OE;
		if (!fifo_on(u))
			u->rx[u->rx_head] = c;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count++) % VUART_FIFO_LEN] = c;
	return true;
}

static u8 read_rbr(struct vuart *u)
{
	u->rx_timeout = false;
	if (u->rx_count) {
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u8)((u->rx_head + 1) % VUART_FIFO_LEN);
		u->rx_count--;
	}
	return u->rbr;
}

static void tx_byte(struct vuart *u, u8 c)
{
	u->tx_bytes++;
	u->thre_pending = true; /* the THR empties at once */
	if (u->mcr & UART_MCR_LOOP) {
		rx_push(u, c);
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

/* Table IV in priority order. Timeout and trigger level share the second
 * place; at or above the trigger level the FIFO reports RDA. */
static u8 int_id(const struct vuart *u)
{
	if ((u->ier & IER_RLS) && u->lsr_err)
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count >= rx_trigger(u))
		return IIR_RDA;
	if ((u->ier & IER_RDA) && u->rx_timeout)
		return IIR_TIMEOUT;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return IIR_MSI;
	return IIR_NONE;
}

static u8 read_iir(struct vuart *u)
{
	u8 id = int_id(u);

	/* Reading IIR clears THRE when THRE is what it reports (Table IV). */
	if (id == IIR_THRE)
		u->thre_pending = false;
	return (u8)(id | (fifo_on(u) ? IIR_FIFO_ON : 0));
}

/* The modem status inputs CTS, DSR, RI, DCD (MSR 7:4). In loopback (8.8)
 * RTS drives CTS, DTR drives DSR, OUT1 drives RI and OUT2 drives DCD. */
static u8 msr_lines(u8 mcr)
{
	if (mcr & UART_MCR_LOOP)
		return (u8)((mcr & 0x02) << 3 | (mcr & 0x01) << 5 |
			    (mcr & 0x0c) << 4);
	return MSR_IDLE;
}

static u8 read_msr(struct vuart *u)
{
	u8 v = msr_lines(u->mcr) | u->msr_delta;

	u->msr_delta = 0;
	return v;
}

static u8 read_lsr(struct vuart *u)
{
	u8 v = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_err |
	       (u->rx_count ? UART_LSR_DR : 0);

	u->lsr_err = 0;
	return v;
}

u8 vuart_read(struct vuart *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_RBR:
		return dlab ? u->dll : read_rbr(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return read_lsr(u);
	case UART_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

/*
 * 8.5: a change of FCR bit 0 empties the FIFOs (and raises THRE at once,
 * 8.11); the other bits are programmed only with bit 0 set. Bit 1 empties
 * the receive FIFO, bit 2 the transmit FIFO, which is always empty here.
 */
static void write_fcr(struct vuart *u, u8 val)
{
	if ((val ^ u->fcr) & UART_FCR_ENABLE) {
		rx_clear(u);
		u->thre_pending = true;
	}
	if (!(val & UART_FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (val & FCR_CLEAR_RX)
		rx_clear(u);
	u->fcr = val & 0xc9; /* the clear bits are self-clearing */
}

/* 8.9: DCTS, DDSR and DDCD note a change of CTS, DSR, DCD; TERI notes RI
 * going from 1 to 0. Only loopback moves these inputs here. */
static void write_mcr(struct vuart *u, u8 val)
{
	u8 was = msr_lines(u->mcr), now;

	u->mcr = val & 0x1f;
	now = msr_lines(u->mcr);
	u->msr_delta |=
	    (u8)((((was ^ now) >> 4) & 0x0b) | (((was & ~now) >> 4) & 0x04));
}

static void write_ier(struct vuart *u, u8 val)
{
	/* The THR is always empty: enabling THRE raises it (8.7). */
	if (val & ~u->ier & IER_THRE)
		u->thre_pending = true;
	u->ier = val & 0x0f;
}

void vuart_write(struct vuart *u, unsigned reg, u8 val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			tx_byte(u, val);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = val;
		else
			write_ier(u, val);
		break;
	case UART_FCR:
		write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		write_mcr(u, val);
		break;
	case UART_LSR:
	case UART_MSR:
		break; /* read-only; writes are ignored by the 16550 */
	default:
		u->scr = val;
		break;
	}
}

bool vuart_receive(struct vuart *u, u8 byte)
{
	if (u->mcr & UART_MCR_LOOP)
		return false;
	return rx_push(u, byte);
}

void vuart_rx_idle(struct vuart *u)
{
	if (fifo_on(u) && u->rx_count)
		u->rx_timeout = true;
}

bool vuart_wants_input(const struct vuart *u)
{
	return !(u->mcr & UART_MCR_LOOP) && u->rx_count < rx_depth(u);
}

bool vuart_irq_line(const struct vuart *u)
{
	return int_id(u) != IIR_NONE && (u->mcr & UART_MCR_OUT2) &&
	       !(u->mcr & UART_MCR_LOOP);
}
