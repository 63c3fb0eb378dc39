/* SPDX-License-Identifier: MIT */
/*
 * Exceptions taken by the hypervisor itself. arch/x86/isr.asm pushes a
 * struct trap_frame and calls c_handle_exception(); a fault at an address
 * listed in the exception table resumes at its fixup, anything else dumps
 * all state and ends the run.
 */
#ifndef MICA_ARCH_X86_TRAP_H
#define MICA_ARCH_X86_TRAP_H

#include "mm/base/types.h"

/* Layout fixed by the push order in arch/x86/isr.asm (lowest address first). */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	/* pushed by the CPU (SDM Vol 3A 6.14.2, 64-bit interrupt stack frame) */
	u64 rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

#define X86_EXC_DE  0
#define X86_EXC_DB  1
#define X86_EXC_NMI 2
#define X86_EXC_BP  3
#define X86_EXC_OF  4
#define X86_EXC_BR  5
#define X86_EXC_UD  6
#define X86_EXC_NM  7
#define X86_EXC_DF  8
#define X86_EXC_TS  10
#define X86_EXC_NP  11
#define X86_EXC_SS  12
#define X86_EXC_GP  13
#define X86_EXC_PF  14
#define X86_EXC_MF  16
#define X86_EXC_AC  17
#define X86_EXC_MC  18
#define X86_EXC_XM  19
#define X86_EXC_VE  20
#define X86_EXC_CP  21

/* Short mnemonic of an exception vector ("#GP"), "#??" when reserved. */
const char *x86_exception_name(unsigned vector);

/*
 * Exception table: a faulting instruction at `insn` resumes at `fixup`.
 * Entries are emitted by the EXTABLE_ENTRY() asm macro into .extable.
 */
struct extable_entry {
	u64 insn;
	u64 fixup;
};

#define EXTABLE_ENTRY(from, to)                                                \
	".pushsection .extable, \"a\"\n\t.balign 8\n\t.quad " #from ", " #to   \
	"\n\t.popsection\n\t"

/* Install the GDT, TSS (with IST stacks) and IDT on this CPU. */
void trap_init(void);

/* Entry point from the stubs. Returns only after applying a fixup. */
void c_handle_exception(struct trap_frame *tf);

/* Test hook: take a deliberate #UD (the harness checks the register dump). */
__noreturn void trap_selftest_fault(void);

#endif /* MICA_ARCH_X86_TRAP_H */
