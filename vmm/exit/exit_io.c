/* SPDX-License-Identifier: MIT */
/*
 * Port I/O exits (unconditional I/O exiting): the vUART at 0x3F8, the
 * debug-exit port 0xF4, and the default for unclaimed ports (reads return
 * all ones, writes are dropped and counted). String forms (INS/OUTS, with or
 * without REP) move data through guest linear memory one element per
 * iteration, as the CPU does.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "vmm/dev/pc_devices.h"
#include "drivers/uart.h"
#include "vmm/exit/exit.h"
#include "vmm/access/guest_access.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"

#define DEBUG_EXIT_PORT 0xf4
#define SHUTDOWN_PORT	0x8900
#define RFLAGS_DF	BIT(10)
/* Elements moved per exit before a REP string is resumed by re-entry. */
#define PIO_REP_BUDGET 4096

static bool is_uart(u16 port)
{
	return port >= UART_COM1 && port < UART_COM1 + 8;
}

/* Bochs' shutdown port: the bytes "Shutdown" in order end the guest. */
static void shutdown_port(struct vm *vm, u8 b)
{
	static const char magic[] = "Shutdown";

	vm->shutdown_match = b == (u8)magic[vm->shutdown_match]
				 ? vm->shutdown_match + 1
				 : (b == 'S');
	if (vm->shutdown_match == sizeof(magic) - 1) {
		vuart_flush(&vm->uart);
		vm_stop(vm, "shutdown requested through port 0x8900");
	}
}

static u32 pio_read(struct vm *vm, u16 port, unsigned size)
{
	u32 val = 0;
	bool uart = false; /* a wide access reaching into COM1 */

	if (size == 1 && is_uart(port)) { /* the common case first */
		vm_uart_input(vm);
		val = vuart_read(&vm->uart, port - UART_COM1);
		vm_uart_update(vm);
		return val;
	}
	if (pc_devices_read(&vm->pcdev, port, size, &val)) {
		vm_devices_update(vm); /* e.g. RTC register C read, PIC poll */
		return val;
	}
	for (unsigned i = 0; i < size; i++) {
		u16 p = (u16)(port + i);
		u32 b = 0xff;

		if (is_uart(p)) {
			b = vuart_read(&vm->uart, p - UART_COM1);
			uart = true;
		} else {
			vm->counters[CNT_PIO_UNCLAIMED]++;
		}
		val |= b << (8 * i);
	}
	if (uart) /* its interrupt line may have changed */
		vm_uart_update(vm);
	return val;
}

/*
 * The debug-exit port behaves as QEMU's isa-debug-exit: a write of v ends
 * the guest with status (v << 1) | 1, which is what test kernels built for
 * "qemu -device isa-debug-exit" expect to be reported.
 */
static void pio_write(struct vm *vm, u16 port, unsigned size, u32 val)
{
	if (size == 1 && is_uart(port)) { /* the common case first */
		vuart_write(&vm->uart, port - UART_COM1, (u8)val);
		vm_uart_update(vm);
		return;
	}
	if (port == DEBUG_EXIT_PORT) {
		vuart_flush(&vm->uart);
		vm_done(vm, ((u64)val << 1) | 1);
		return;
	}
	if (port == SHUTDOWN_PORT) {
		shutdown_port(vm, (u8)val);
		return;
	}
	if (pc_devices_write(&vm->pcdev, port, size, val)) {
		if (unlikely(vm->pcdev.reset)) {
			vuart_flush(&vm->uart);
			vm_stop(vm, "reset requested through %s",
				vm->pcdev.reset == PC_RESET_CF9
				    ? "port 0xCF9"
				    : "the 8042 (0xFE to port 0x64)");
			return;
		}
		vm_devices_update(vm);
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		u16 p = (u16)(port + i);

		if (is_uart(p))
			vuart_write(&vm->uart, p - UART_COM1,
				    (u8)(val >> 8 * i));
		else
			vm->counters[CNT_PIO_UNCLAIMED]++;
	}
	vm_uart_update(vm);
}

/*
 * I/O breakpoints (SDM Vol 3B 18.2.4, 18.2.5): with CR4.DE set, a DR7
 * breakpoint with R/W = 10 and its L or G bit matches an I/O access to any
 * port of its LEN-aligned range, and the #DB is a trap after the
 * instruction. The CPU cannot see the accesses mica performs for a port
 * whose I/O exits: the DR6 B0-B3 bits to raise, 0 for none.
 */
__cold __attribute__((noinline)) static u64
io_breakpoints(struct vcpu *v, u64 dr7, u16 port, unsigned size)
{
	static const u8 len[4] = {1, 2, 8, 4}; /* by DR7 LENn */
	u64 hit = 0;

	if (!(vcpu_read_cr4(v) & CR4_DE))
		return 0;
	for (unsigned n = 0; n < 4; n++) {
		unsigned l = len[DR7_LEN(dr7, n)];
		u64 lo = read_dr(n) & 0xffff & ~(u64)(l - 1);

		if ((dr7 & (DR7_L(n) | DR7_G(n))) &&
		    DR7_RW(dr7, n) == DR7_RW_IO && port < lo + l &&
		    port + size > lo)
			hit |= DR6_B(n);
	}
	return hit;
}

static void pio_simple(struct vcpu *v, u16 port, unsigned size, bool in)
{
	u64 *rax = &v->gpr[GPR_RAX], dr7;

	if (in) {
		u32 val = pio_read(v->vm, port, size);

		/* IN EAX zero-extends into RAX; IN AL/AX merge (SDM Vol 3A
		 * 3.4.1.1 "General-Purpose Registers in 64-Bit Mode"). */
		if (size == 4)
			*rax = val;
		else
			*rax = (*rax & ~GENMASK(8 * size - 1, 0)) | val;
	} else {
		pio_write(v->vm, port, size,
			  (u32)(*rax & GENMASK(8 * size - 1, 0)));
	}
	dr7 = vmcs_readl(VMCS_GUEST_DR7);
	if (unlikely(dr7 & 0xff)) /* any of L0-L3, G0-G3 */
		vcpu_skip_insn_dbg(v, io_breakpoints(v, dr7, port, size));
	else
		vcpu_skip_insn(v);
}

/* Address-size mask from the VM-exit instruction-information field
 * (SDM Vol 3C, "VM-Exit Instruction Information" for INS/OUTS). */
static u64 insn_info_addr_mask(u32 info)
{
	switch ((info >> 7) & 7) {
	case 0:
		return 0xffff;
	case 1:
		return 0xffffffff;
	default:
		return ~0ULL;
	}
}

static void pio_string(struct vcpu *v, u16 port, unsigned size, bool in,
		       bool rep)
{
	u32 info = vmcs_read32(VMCS_EXIT_INSN_INFO);
	u64 amask = insn_info_addr_mask(info);
	unsigned seg = in ? SEG_ES : (info >> 15) & 7;
	unsigned idx = in ? GPR_RDI : GPR_RSI;
	u64 rflags = vmcs_readl(VMCS_GUEST_RFLAGS);
	u64 step = (rflags & RFLAGS_DF) ? -(u64)size : size;
	u64 count = rep ? v->gpr[GPR_RCX] & amask : 1;
	u64 dr7 = vmcs_readl(VMCS_GUEST_DR7);
	u64 bp = count && unlikely(dr7 & 0xff)
		     ? io_breakpoints(v, dr7, port, size)
		     : 0;
	/* A single-step or I/O-breakpoint trap comes after each iteration
	 * (SDM Vol 3B 18.3.1.4): one per exit then. */
	unsigned done = 0,
		 budget = (bp || (rflags & RFLAGS_TF)) ? 1 : PIO_REP_BUDGET;

	while (count && done < budget) {
		u64 off = v->gpr[idx] & amask;
		u32 val = 0;
		int rc;

		if (in) {
			val = pio_read(v->vm, port, size);
			rc = guest_write_seg(v, seg, off, &val, size);
		} else {
			rc = guest_read_seg(v, seg, off, &val, size);
			if (!rc)
				pio_write(v->vm, port, size, val);
		}
		if (rc)
			return; /* fault injected or VM stopped */
		v->gpr[idx] = (v->gpr[idx] & ~amask) | ((off + step) & amask);
		count--;
		done++;
		if (rep)
			v->gpr[GPR_RCX] = (v->gpr[GPR_RCX] & ~amask) | count;
		if (v->vm->state != VM_RUNNING)
			return;
	}
	if (!count)
		vcpu_skip_insn_dbg(v, bp);
	/* else: RIP stays, the next entry resumes the REP (interrupt window
	 * semantics of a partially executed string instruction), after the
	 * trap of this iteration; RF stays as it was. */
	else if (budget == 1)
		vcpu_insn_done(v, rflags, rflags & ~RFLAGS_RF, bp);
}

void handle_io(struct vcpu *v)
{
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	u16 port = IO_QUAL_PORT(q);
	unsigned size = IO_QUAL_SIZE(q);
	bool in = q & IO_QUAL_IN;

	v->vm->counters[CNT_EXIT_IO]++;
	if (q & IO_QUAL_STRING) {
		guest_mem_begin(v);
		pio_string(v, port, size, in, q & IO_QUAL_REP);
		guest_mem_end(v);
	} else
		pio_simple(v, port, size, in);
}
