/* SPDX-License-Identifier: MIT */
/*
 * MSR accesses that may raise #GP (unknown MSR, reserved bits). The faulting
 * instruction has an exception-table entry whose fixup reports -EIO.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "mm/base/errno.h"

int rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;
	int err = 0;

	__asm__ volatile("1: rdmsr\n\t"
			 "2:\n\t"
			 ".pushsection .fixup, \"ax\"\n"
			 "3: movl %[eio], %[err]\n\t"
			 "jmp 2b\n\t"
			 ".popsection\n\t" EXTABLE_ENTRY(1b, 3b)
			 : "=a"(lo), "=d"(hi), [err] "+r"(err)
			 : "c"(msr), [eio] "i"(-EIO));
	*val = ((u64)hi << 32) | lo;
	return err;
}

int wrmsr_safe(u32 msr, u64 val)
{
	int err = 0;

	__asm__ volatile("1: wrmsr\n\t"
			 "2:\n\t"
			 ".pushsection .fixup, \"ax\"\n"
			 "3: movl %[eio], %[err]\n\t"
			 "jmp 2b\n\t"
			 ".popsection\n\t" EXTABLE_ENTRY(1b, 3b)
			 : [err] "+r"(err)
			 : "c"(msr), "a"((u32)val),
			   "d"((u32)(val >> 32)), [eio] "i"(-EIO)
			 : "memory");
	return err;
}
