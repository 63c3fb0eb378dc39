/* SPDX-License-Identifier: MIT */
/*
 * Basic VM-exit reasons (SDM Vol 3D Appendix C, "VMX Basic Exit Reasons")
 * and exit-qualification layouts used by the exit handlers.
 */
#ifndef MICA_ARCH_X86_VMX_EXIT_H
#define MICA_ARCH_X86_VMX_EXIT_H

#include "mm/base/types.h"

enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI = 0,
	VMX_EXIT_EXTERNAL_INTR = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INIT = 3,
	VMX_EXIT_SIPI = 4,
	VMX_EXIT_IO_SMI = 5,
	VMX_EXIT_OTHER_SMI = 6,
	VMX_EXIT_INTR_WINDOW = 7,
	VMX_EXIT_NMI_WINDOW = 8,
	VMX_EXIT_TASK_SWITCH = 9,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_GETSEC = 11,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_INVD = 13,
	VMX_EXIT_INVLPG = 14,
	VMX_EXIT_RDPMC = 15,
	VMX_EXIT_RDTSC = 16,
	VMX_EXIT_RSM = 17,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_VMCLEAR = 19,
	VMX_EXIT_VMLAUNCH = 20,
	VMX_EXIT_VMPTRLD = 21,
	VMX_EXIT_VMPTRST = 22,
	VMX_EXIT_VMREAD = 23,
	VMX_EXIT_VMRESUME = 24,
	VMX_EXIT_VMWRITE = 25,
	VMX_EXIT_VMXOFF = 26,
	VMX_EXIT_VMXON = 27,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_DR_ACCESS = 29,
	VMX_EXIT_IO = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_ENTRY_INVALID_GUEST = 33,
	VMX_EXIT_ENTRY_MSR_LOAD = 34,
	VMX_EXIT_MWAIT = 36,
	VMX_EXIT_MTF = 37,
	VMX_EXIT_MONITOR = 39,
	VMX_EXIT_PAUSE = 40,
	VMX_EXIT_ENTRY_MACHINE_CHECK = 41,
	VMX_EXIT_TPR_BELOW = 43,
	VMX_EXIT_APIC_ACCESS = 44,
	VMX_EXIT_VIRTUAL_EOI = 45,
	VMX_EXIT_GDTR_IDTR = 46,
	VMX_EXIT_LDTR_TR = 47,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_INVEPT = 50,
	VMX_EXIT_RDTSCP = 51,
	VMX_EXIT_PREEMPTION_TIMER = 52,
	VMX_EXIT_INVVPID = 53,
	VMX_EXIT_WBINVD = 54,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_APIC_WRITE = 56,
	VMX_EXIT_RDRAND = 57,
	VMX_EXIT_INVPCID = 58,
	VMX_EXIT_VMFUNC = 59,
	VMX_EXIT_ENCLS = 60,
	VMX_EXIT_RDSEED = 61,
	VMX_EXIT_PML_FULL = 62,
	VMX_EXIT_XSAVES = 63,
	VMX_EXIT_XRSTORS = 64,
	VMX_EXIT_PCONFIG = 65,
	VMX_EXIT_SPP = 66,
	VMX_EXIT_UMWAIT = 67,
	VMX_EXIT_TPAUSE = 68,
	VMX_EXIT_LOADIWKEY = 69,
	VMX_EXIT_REASON_MAX = 70,
};

/* Exit-reason field: bits 15:0 basic reason, bit 31 VM-entry failure. */
#define VMX_EXIT_REASON_BASIC(r)   ((r)&0xffff)
#define VMX_EXIT_REASON_ENTRY_FAIL BIT(31)

/* Name of a basic exit reason ("EPT violation"), never NULL. */
const char *vmx_exit_reason_name(u32 basic);

/* I/O instruction qualification (SDM Vol 3C, Table "Exit Qualification for
 * I/O Instructions"). */
#define IO_QUAL_SIZE(q) (((q)&7) + 1)
#define IO_QUAL_IN	BIT(3)
#define IO_QUAL_STRING	BIT(4)
#define IO_QUAL_REP	BIT(5)
#define IO_QUAL_IMM	BIT(6)
#define IO_QUAL_PORT(q) ((u16)((q) >> 16))

/* Control-register access qualification (Table "Exit Qualification for
 * Control-Register Accesses"). */
#define CR_QUAL_NUM(q)	      ((q)&0xf)
#define CR_QUAL_TYPE(q)	      (((q) >> 4) & 3)
#define CR_QUAL_TYPE_MOV_TO   0
#define CR_QUAL_TYPE_MOV_FROM 1
#define CR_QUAL_TYPE_CLTS     2
#define CR_QUAL_TYPE_LMSW     3
#define CR_QUAL_GPR(q)	      (((q) >> 8) & 0xf)
#define CR_QUAL_LMSW_SRC(q)   ((u16)((q) >> 16))

/* EPT violation qualification (Table "Exit Qualification for EPT
 * Violations"). */
#define EPT_QUAL_READ	     BIT(0)
#define EPT_QUAL_WRITE	     BIT(1)
#define EPT_QUAL_FETCH	     BIT(2)
#define EPT_QUAL_READABLE    BIT(3)
#define EPT_QUAL_WRITABLE    BIT(4)
#define EPT_QUAL_EXECUTABLE  BIT(5)
#define EPT_QUAL_GLA_VALID   BIT(7)
#define EPT_QUAL_GLA_XLAT    BIT(8)
#define EPT_QUAL_NMI_UNBLOCK BIT(12)

/* Exit qualification of exit 66 (SDM Vol. 3C, "Exit Qualification for
 * SPP-Related Events"): bit 11 set = SPPT miss, clear = misconfiguration. */
#define SPP_QUAL_MISS BIT(11)

#endif /* MICA_ARCH_X86_VMX_EXIT_H */
