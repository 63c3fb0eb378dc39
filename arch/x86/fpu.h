/* SPDX-License-Identifier: MIT */
/*
 * Access to the vector registers a guest left in the CPU. The hypervisor
 * itself never uses SSE/AVX (-mgeneral-regs-only), so at a VM exit the XMM
 * and YMM registers still hold the guest's values and can be read and
 * written in place for the emulator.
 */
#ifndef MICA_ARCH_X86_FPU_H
#define MICA_ARCH_X86_FPU_H

#include "mm/base/types.h"

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

/*
 * Read or write MMX register reg (0..7) with a MOVQ, which like the guest's
 * MMX instruction sets the x87 TOS to 0 and every tag valid. false, with
 * nothing done, when an unmasked x87 exception is pending (FSW.ES): the
 * guest's instruction raises #MF, and mica's would too.
 */
bool fpu_read_mmx(unsigned reg, u64 *val);
bool fpu_write_mmx(unsigned reg, u64 val);

/* XCR0 as the guest left it (XGETBV), 0 when XSAVE is not enabled. */
u64 fpu_xcr0(void);

/*
 * Put every piece of CPU state a guest can read and mica leaves live in
 * the CPU into its power-on/INIT value (SDM Vol 3A Table 10-1), so that no
 * VM sees what the one before it left: x87 (FCW 0x37F), SSE (XMM zero,
 * MXCSR 0x1F80), every XSAVE component the CPU has (YMM/ZMM upper halves,
 * opmask, PKRU 0, AMX tiles), XCR0 = 1, CR2 = 0, DR0-DR3 = 0,
 * DR6 = 0xFFFF0FF0 (DR7 is in the VMCS).
 */
void cpu_reset_guest_state(void);

#endif /* MICA_ARCH_X86_FPU_H */
