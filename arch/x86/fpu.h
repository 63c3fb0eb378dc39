/* SPDX-License-Identifier: MIT */
/*
 * Access to the vector registers a guest left in the CPU. The hypervisor
 * itself never uses SSE/AVX (-mgeneral-regs-only), so at a VM exit the XMM
 * and YMM registers still hold the guest's values and can be read and
 * written in place for the emulator.
 */
#ifndef MICA_ARCH_X86_FPU_H
#define MICA_ARCH_X86_FPU_H

#include "mm/types.h"

/* Enable SSE for the host (CR4.OSFXSR/OSXMMEXCPT, CR0.MP, no EM/TS) so
 * that the accessors below may run. */
void fpu_init(void);

/* Copy the low len (16 or 32) bytes of XMM/YMM register reg (0..15). */
void fpu_read_vec(unsigned reg, void *buf, unsigned len);

/*
 * Write the low len (16 or 32) bytes of register reg. With zero_upper the
 * bytes above len become zero (VEX encoding); otherwise they are kept
 * (legacy SSE encoding), SDM Vol 1 14.1.2.
 */
void fpu_write_vec(unsigned reg, const void *buf, unsigned len,
		   bool zero_upper);

/* XCR0 as the guest left it (XGETBV), 0 when XSAVE is not enabled. */
u64 fpu_xcr0(void);

#endif /* MICA_ARCH_X86_FPU_H */
