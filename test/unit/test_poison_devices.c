/* SPDX-License-Identifier: MIT */
/*
 * A device read of N bytes must define all N bytes and touch nothing past them.
 * Each device model is set up in memory painted with a pattern, initialised,
 * driven through a fixed script of writes, and read at every offset of its
 * range (and a few bytes either side) at every size into buffers pre-filled
 * with the pattern, on a stack and registers painted with it too
 * (test/unit/support/poison.h); the whole thing runs once with 0x00 and once
 * with 0xFF and every byte read, every result and every byte the UART hands to
 * the console must be the same. Covered: the local APIC registers (vlapic_read)
 * and its register page on the bus, the 16550 (vuart_read and its MMIO device),
 * the MMIO bus with RAM, ROM, a device that refuses, a write-only device and
 * unbacked addresses (mmio_read), and the PC port devices (pc_devices_read).
 * What it would catch: a register read that returns a local or a state field no
 * init or write defined, a device read that fills fewer bytes than asked (the
 * local APIC page once answered 8 of a 32-byte read), a refused or unbacked
 * read that leaves the buffer as it was, and a read that writes past its size.
 * The MemorySanitizer build (test_poison_devices_msan) also checks each
 * returned byte as it is logged.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/dev/pc_devices.h"
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vuart.h"
#include "test/unit/support/poison.h"
#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "vmm/dev/mmio_bus.h"

#define GUARD	8      /* bytes after each buffer that must stay as they were */
#define LOG_MAX 100000 /* reads kept per run */
#define OUT_MAX 4096   /* console bytes kept per run */

/* One read as the guest saw it (zeroed first: compared with memcmp). */
struct rd {
	u64 where; /* offset, GPA or port */
	u32 len;
	u32 ok;
	u8 data[MMIO_MAX_ACCESS];
};

static struct log {
	unsigned n, out_n;
	u64 overruns; /* bytes changed past a read's size */
	struct rd rd[LOG_MAX];
	char out[OUT_MAX];
} logs[2], *lg;
static u8 pat;		     /* this run's pattern */
static const char *dev_name; /* for a MemorySanitizer report */
static u64 dev_where;

static struct rd *log_new(u64 where, unsigned len, bool ok)
{
	struct rd *r = lg->n < LOG_MAX ? &lg->rd[lg->n] : NULL;

	lg->n++;
	dev_where = where;
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->where = where;
	r->len = len;
	r->ok = ok;
	return r;
}

/* Log a read of len bytes into buf (pre-filled with pat, len + GUARD
 * long), its data if defined: always for the bus (an unserved read gives
 * the guest all ones), only when served for the ports (pio_read() answers
 * the others itself). */
static void log_buf(u64 where, unsigned len, bool ok, bool defined,
		    const u8 *buf)
{
	struct rd *r = log_new(where, len, ok);

	for (unsigned i = len; i < len + GUARD; i++)
		lg->overruns += buf[i] != pat;
	if (defined)
		poison_defined(buf, len);
	if (r && defined)
		memcpy(r->data, buf, MIN(len, (unsigned)MMIO_MAX_ACCESS));
}

static void log_val(u64 where, u64 val)
{
	struct rd *r = log_new(where, 8, true);

	poison_defined(&val, sizeof(val));
	if (r)
		memcpy(r->data, &val, 8);
}

/* A read of len bytes at gpa through the bus into a painted buffer. */
static void bus_read(struct mmio_bus *bus, gpa_t gpa, unsigned len)
{
	u8 buf[MMIO_MAX_ACCESS + GUARD];
	bool ok;

	memset(buf, pat, sizeof(buf));
	ok = mmio_read(bus, gpa, buf, len);
	log_buf(gpa, len, ok, true, buf);
}

/* Every read of 1..32 bytes that starts within 4 bytes of [base, base +
 * size). */
static void bus_sweep(struct mmio_bus *bus, gpa_t base, u64 size)
{
	for (gpa_t a = base - 4; a < base + size + 4; a++)
		for (unsigned len = 1; len <= MMIO_MAX_ACCESS; len++)
			bus_read(bus, a, len);
}

/* ---------------------------------------------------------------- lapic */
#define LAPIC_AT 0x10000

static struct vlapic lapic;
static struct mmio_bus lapic_bus;
static struct mmio_dev dev_lapic;

/* The register page through its MMIO device (mmio_lapic_init): the
 * registers' slots, the ICR/LVT/timer block and the page's end, at every
 * size and alignment. */
static void lapic_mmio_sweep(void)
{
	bus_sweep(&lapic_bus, LAPIC_AT, 0x100);
	bus_sweep(&lapic_bus, LAPIC_AT + 0x300, 0x100);
	bus_sweep(&lapic_bus, LAPIC_AT + LAPIC_SIZE - 0x20, 0x20);
}

static void lapic_run(void)
{
	static const struct {
		u32 off, val;
	} script[] = {
	    {LAPIC_SPIV, 0x1ff},
	    {LAPIC_TPR, 0x20},
	    {LAPIC_LDR, 0x01000000},
	    {LAPIC_DFR, 0x0fffffff},
	    {LAPIC_LVT_TIMER, 0x20030},
	    {LAPIC_LVT_ERROR, 0xfe},
	    {LAPIC_TIMER_DCR, 0xb},
	    {LAPIC_TIMER_ICR, 0x12345},
	    {LAPIC_ICR_HI, 0},
	    {LAPIC_ICR_LO, 0x40},
	    {LAPIC_ICR_LO, 0x44051},
	    {LAPIC_ICR_LO, 0xc4000}, /* INIT */
	    {LAPIC_ESR, 0},
	};

	memset(&lapic, pat, sizeof(lapic));
	memset(&lapic_bus, pat, sizeof(lapic_bus));
	memset(&dev_lapic, pat, sizeof(dev_lapic));
	vlapic_init(&lapic);
	mmio_bus_init(&lapic_bus);
	mmio_lapic_init(&dev_lapic, LAPIC_AT, &lapic);
	if (mmio_register(&lapic_bus, &dev_lapic))
		lg->overruns = ~0ULL; /* set-up failed: shows as a failure */
	for (int pass = 0; pass < 2; pass++) {
		for (u32 off = 0; off < LAPIC_SIZE; off++)
			log_val(off, vlapic_read(&lapic, off));
		lapic_mmio_sweep();
		log_val(~0ULL, (u64)(s64)vlapic_pending(&lapic));
		log_val(~1ULL, vlapic_ppr(&lapic));
		for (size_t i = 0; pass == 0 && i < ARRAY_SIZE(script); i++)
			vlapic_write(&lapic, script[i].off, script[i].val);
		if (pass == 0 && vlapic_pending(&lapic) >= 0)
			vlapic_accept(&lapic, vlapic_pending(&lapic));
	}
}

/* ---------------------------------------------------------------- bus */
#define UART_AT	  0x1000
#define RAM_AT	  0x2000
#define ROM_AT	  0x3000
#define REFUSE_AT 0x4000
#define WO_AT	  0x5000
#define DEV_SIZE  64

static struct vuart uart;
static struct mmio_bus bus;
static struct mmio_dev dev_uart, dev_ram, dev_rom, dev_refuse, dev_wo;
static u8 ram[DEV_SIZE], rom[DEV_SIZE];

static void emit(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	poison_defined(line, len);
	for (size_t i = 0; i < len && lg->out_n < OUT_MAX; i++)
		lg->out[lg->out_n++] = line[i];
	if (lg->out_n < OUT_MAX)
		lg->out[lg->out_n++] = '\n';
}

/* A device that scribbles on part of the buffer, then refuses the read:
 * the bus must answer all ones for every byte. */
static int refuse_read(struct mmio_dev *d, u64 off, void *buf, unsigned len)
{
	(void)d;
	(void)off;
	memset(buf, 0x5a, len / 2);
	return -EINVAL;
}

static int wo_write(struct mmio_dev *d, u64 off, const void *buf, unsigned len)
{
	(void)d;
	(void)off;
	(void)buf;
	(void)len;
	return 0;
}

static void uart_out(unsigned reg, u8 val)
{
	mmio_write(&bus, UART_AT + reg, &val, 1);
}

static void bus_setup(void)
{
	memset(&bus, pat, sizeof(bus));
	memset(&uart, pat, sizeof(uart));
	memset(&dev_uart, pat, sizeof(dev_uart));
	memset(&dev_ram, pat, sizeof(dev_ram));
	memset(&dev_rom, pat, sizeof(dev_rom));
	mmio_bus_init(&bus);
	vuart_init(&uart, emit, NULL);
	mmio_uart_init(&dev_uart, UART_AT, &uart);
	for (unsigned i = 0; i < DEV_SIZE; i++) {
		ram[i] = (u8)(i * 37 + 1);
		rom[i] = (u8)(i * 91 + 7);
	}
	mmio_ioram_init(&dev_ram, RAM_AT, ram, DEV_SIZE);
	mmio_rom_init(&dev_rom, ROM_AT, rom, DEV_SIZE);
	dev_refuse = (struct mmio_dev){.name = "refuse",
				       .base = REFUSE_AT,
				       .size = DEV_SIZE,
				       .read = refuse_read};
	dev_wo = (struct mmio_dev){
	    .name = "wo", .base = WO_AT, .size = DEV_SIZE, .write = wo_write};
	if (mmio_register(&bus, &dev_uart) || mmio_register(&bus, &dev_ram) ||
	    mmio_register(&bus, &dev_rom) || mmio_register(&bus, &dev_refuse) ||
	    mmio_register(&bus, &dev_wo))
		lg->overruns = ~0ULL; /* set-up failed: shows as a failure */
}

/* The 16550 in its states: reset, divisor latch, FIFO and loopback with a
 * byte received, plain again after a line of output. */
static void uart_run(void)
{
	static const u8 steps[][2] = {
	    {3, 0x80}, {0, 0x01}, {1, 0x00}, {3, 0x03}, {1, 0x0f},
	    {2, 0xc7}, {7, 0x5a}, {4, 0x1f}, {0, 'A'},	{4, 0x00},
	    {0, 'h'},  {0, 'i'},  {0, '\n'}, {0, 'x'},
	};

	bus_setup();
	for (size_t i = 0; i <= ARRAY_SIZE(steps); i++) {
		for (unsigned reg = 0; reg < 8; reg++)
			log_val(reg, vuart_read(&uart, reg));
		bus_sweep(&bus, UART_AT, 8);
		if (i < ARRAY_SIZE(steps))
			uart_out(steps[i][0], steps[i][1]);
	}
	vuart_flush(&uart);
}

static void bus_run(void)
{
	bus_setup();
	bus_sweep(&bus, RAM_AT, DEV_SIZE);
	bus_sweep(&bus, ROM_AT, DEV_SIZE);
	bus_sweep(&bus, REFUSE_AT, DEV_SIZE);
	bus_sweep(&bus, WO_AT, DEV_SIZE);
	bus_sweep(&bus, 0x8000, DEV_SIZE); /* nothing there */
	log_val(~0ULL, bus.unbacked_reads);
}

/* ---------------------------------------------------------------- ports */
static struct pc_devices pcdev;

static void port_sweep(void)
{
	static const u16 ports[] = {0x20,  0x21,  0xa0, 0xa1,  0xe0,
				    0xe1,  0xe2,  0xe3, 0x510, 0x511,
				    0x511, 0x511, 0x80, 0x3f8, 0x4d0};
	static const unsigned sizes[] = {1, 2, 4};

	for (size_t p = 0; p < ARRAY_SIZE(ports); p++) {
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
			u8 buf[4 + GUARD];
			u32 val;
			bool ok;

			memset(buf, pat, sizeof(buf));
			memcpy(&val, buf, 4);
			ok = pc_devices_read(&pcdev, ports[p], sizes[s], &val);
			memcpy(buf, &val, 4);
			log_buf(ports[p] | (u64)sizes[s] << 16, 4, ok, ok, buf);
		}
	}
}

static void ports_run(void)
{
	static const struct {
		u16 port;
		u8 size;
		u32 val;
	} script[] = {
	    {0x20, 1, 0x11},   {0x21, 1, 0x20},
	    {0x21, 1, 0x04},   {0x21, 1, 0x01},
	    {0x21, 1, 0xfb},   {0xa0, 1, 0x11},
	    {0xa1, 1, 0x28},   {0xa1, 1, 0x02},
	    {0xe1, 2, 0xbeef}, {0x510, 2, FWCFG_KEY_NB_CPUS},
	    {0xa1, 1, 0x01},   {0x510, 2, 0x1234}, /* a key nobody knows */
	};

	memset(&pcdev, pat, sizeof(pcdev));
	vlapic_init(&lapic);
	pc_devices_init(&pcdev, &lapic, 1000000, 0, NULL, NULL);
	port_sweep();
	for (size_t i = 0; i < ARRAY_SIZE(script); i++) {
		pc_devices_write(&pcdev, script[i].port, script[i].size,
				 script[i].val);
		port_sweep();
	}
}

/* ---------------------------------------------------------------- check */
static void show_read(const char *what, const struct rd *r)
{
	char hex[3 * MMIO_MAX_ACCESS + 1] = "";

	for (u32 i = 0; i < MIN(r->len, (u32)MMIO_MAX_ACCESS); i++)
		snprintf(hex + 3 * i, 4, "%02x ", r->data[i]);
	tap_diag("  %s: at %#llx, %u bytes, %s: %s", what,
		 (unsigned long long)r->where, r->len,
		 r->ok ? "served" : "not served", hex);
}

/* Run fn with 0x00 and with 0xFF; one test point. */
static void check(const char *name, void (*fn)(void))
{
	unsigned kept, diffs = 0;

	dev_name = name;
	for (int k = 0; k < 2; k++) {
		lg = &logs[k];
		lg->n = lg->out_n = 0;
		lg->overruns = 0;
		pat = k ? 0xff : 0x00;
		poison_call(fn, pat);
	}
	kept = MIN(MIN(logs[0].n, logs[1].n), (unsigned)LOG_MAX);
	for (unsigned i = 0; i < kept; i++) {
		if (!memcmp(&logs[0].rd[i], &logs[1].rd[i], sizeof(struct rd)))
			continue;
		if (diffs++ < 3) {
			tap_diag("%s: read %u differs", name, i);
			show_read("0x00", &logs[0].rd[i]);
			show_read("0xff", &logs[1].rd[i]);
		}
	}
	if (logs[0].out_n != logs[1].out_n ||
	    memcmp(logs[0].out, logs[1].out, logs[0].out_n)) {
		diffs++;
		tap_diag("%s: console output differs: \"%.*s\" / \"%.*s\"",
			 name, (int)logs[0].out_n, logs[0].out,
			 (int)logs[1].out_n, logs[1].out);
	}
	tap_ok(diffs == 0 && logs[0].n == logs[1].n && kept > 0 &&
		   !logs[0].overruns && !logs[1].overruns,
	       "%s: %u reads, 0x00 vs 0xff (buffers, stack, state before "
	       "init): %u differences, %llu bytes written past the size",
	       name, logs[0].n, diffs,
	       (unsigned long long)(logs[0].overruns + logs[1].overruns));
}

/* Under MSan, before it ends the process: name the read it reports. */
static void report_read(void)
{
	tap_diag("the report above is about %s, the read at %#llx (pattern "
		 "%#x)",
		 dev_name, (unsigned long long)dev_where, pat);
	tap_ok(0, "MemorySanitizer: every byte a device read returns is "
		  "defined");
	tap_done();
}

int main(void)
{
	poison_on_report(report_read);
	check("local APIC registers and page (vlapic_read, mmio_lapic_init)",
	      lapic_run);
	check("16550 registers and its MMIO device (vuart_read, mmio_read)",
	      uart_run);
	check("MMIO bus: RAM, ROM, refusing, write-only, unbacked "
	      "(mmio_read)",
	      bus_run);
	check("PC port devices (pc_devices_read)", ports_run);
	return tap_done();
}
