/* SPDX-License-Identifier: MIT */
/*
 * Ending a run: print the final status line, drain the console and leave the
 * emulator (QEMU isa-debug-exit, Bochs magic break or shutdown port) or halt
 * on real hardware. The harness reads the status line; emulator exit codes
 * only confirm it.
 */
#ifndef MICA_MM_BASE_PLATFORM_H
#define MICA_MM_BASE_PLATFORM_H

#include "mm/base/types.h"

enum mica_status {
	MICA_EXIT_OK = 0,	/* every test passed / demo done */
	MICA_EXIT_FAIL = 1,	/* a test failed or a guest ended badly */
	MICA_EXIT_PANIC = 2,	/* hypervisor exception or panic */
	MICA_EXIT_NO_VMX = 3,	/* VMX not available on this CPU */
	MICA_EXIT_BAD_BOOT = 4, /* unusable boot information */
};

/* Print "mica: exit <status> (<name>)" and end the run. */
__noreturn void platform_exit(enum mica_status status);

#endif /* MICA_MM_BASE_PLATFORM_H */
