/* SPDX-License-Identifier: MIT */
/*
 * Platform exit. QEMU's isa-debug-exit device (iobase 0xf4, iosize 1) ends
 * the emulator with status (value << 1) | 1. Bochs has no such device: a
 * magic breakpoint (xchg bx,bx with magic_break enabled) drops into the
 * debugger whose command file says quit (exit 0), and the bytes "Shutdown"
 * written to port 0x8900 end it with status 1. On hardware all of these are
 * harmless and the CPU halts.
 */
#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "mm/base/console.h"
#include "mm/base/platform.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT  0x8900

static const char *const status_names[] = {
    [MICA_EXIT_OK] = "ok",
    [MICA_EXIT_FAIL] = "fail",
    [MICA_EXIT_PANIC] = "panic",
    [MICA_EXIT_NO_VMX] = "no-vmx",
    [MICA_EXIT_BAD_BOOT] = "bad-boot",
};

void platform_exit(enum mica_status status)
{
	const char *name = (unsigned)status < ARRAY_SIZE(status_names)
			       ? status_names[status]
			       : "unknown";

	irq_disable();
	printk("mica: exit %d (%s)\n", status, name);
	console_drain();
	outb(QEMU_DEBUG_EXIT_PORT, (u8)status);
	if (status == MICA_EXIT_OK) {
		__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
	} else {
		for (const char *p = "Shutdown"; *p; p++)
			outb(BOCHS_SHUTDOWN_PORT, (u8)*p);
	}
	for (;;)
		cpu_halt();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable();
	printk("mica: PANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n  caller %p, RSP %p\n", __builtin_return_address(0),
	       __builtin_frame_address(0));
	platform_exit(MICA_EXIT_PANIC);
}
