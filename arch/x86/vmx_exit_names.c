/* SPDX-License-Identifier: MIT */
/* Names of the basic VM-exit reasons (SDM Vol 3D Appendix C). */
#include "arch/x86/vmx_exit.h"

static const char *const exit_names[VMX_EXIT_REASON_MAX] = {
    /* 0 - 7 */
    [VMX_EXIT_EXCEPTION_NMI] = "exception or NMI",
    [VMX_EXIT_EXTERNAL_INTR] = "external interrupt",
    [VMX_EXIT_TRIPLE_FAULT] = "triple fault",
    [VMX_EXIT_INIT] = "INIT signal",
    [VMX_EXIT_SIPI] = "start-up IPI",
    [VMX_EXIT_IO_SMI] = "I/O SMI",
    [VMX_EXIT_OTHER_SMI] = "other SMI",
    [VMX_EXIT_INTR_WINDOW] = "interrupt window",
    /* 8 - 15 */
    [VMX_EXIT_NMI_WINDOW] = "NMI window",
    [VMX_EXIT_TASK_SWITCH] = "task switch",
    [VMX_EXIT_CPUID] = "CPUID",
    [VMX_EXIT_GETSEC] = "GETSEC",
    [VMX_EXIT_HLT] = "HLT",
    [VMX_EXIT_INVD] = "INVD",
    [VMX_EXIT_INVLPG] = "INVLPG",
    [VMX_EXIT_RDPMC] = "RDPMC",
    /* 16 - 23 */
    [VMX_EXIT_RDTSC] = "RDTSC",
    [VMX_EXIT_RSM] = "RSM",
    [VMX_EXIT_VMCALL] = "VMCALL",
    [VMX_EXIT_VMCLEAR] = "VMCLEAR",
    [VMX_EXIT_VMLAUNCH] = "VMLAUNCH",
    [VMX_EXIT_VMPTRLD] = "VMPTRLD",
    [VMX_EXIT_VMPTRST] = "VMPTRST",
    [VMX_EXIT_VMREAD] = "VMREAD",
    /* 24 - 31 */
    [VMX_EXIT_VMRESUME] = "VMRESUME",
    [VMX_EXIT_VMWRITE] = "VMWRITE",
    [VMX_EXIT_VMXOFF] = "VMXOFF",
    [VMX_EXIT_VMXON] = "VMXON",
    [VMX_EXIT_CR_ACCESS] = "control-register access",
    [VMX_EXIT_DR_ACCESS] = "MOV DR",
    [VMX_EXIT_IO] = "I/O instruction",
    [VMX_EXIT_RDMSR] = "RDMSR",
    /* 32 - 39 */
    [VMX_EXIT_WRMSR] = "WRMSR",
    [VMX_EXIT_ENTRY_INVALID_GUEST] = "VM-entry failure: invalid guest "
				     "state",
    [VMX_EXIT_ENTRY_MSR_LOAD] = "VM-entry failure: MSR loading",
    [35] = "reserved (35)",
    [VMX_EXIT_MWAIT] = "MWAIT",
    [VMX_EXIT_MTF] = "monitor trap flag",
    [38] = "reserved (38)",
    [VMX_EXIT_MONITOR] = "MONITOR",
    /* 40 - 47 */
    [VMX_EXIT_PAUSE] = "PAUSE",
    [VMX_EXIT_ENTRY_MACHINE_CHECK] = "VM-entry failure: machine-check "
				     "event",
    [42] = "reserved (42)",
    [VMX_EXIT_TPR_BELOW] = "TPR below threshold",
    [VMX_EXIT_APIC_ACCESS] = "APIC access",
    [VMX_EXIT_VIRTUAL_EOI] = "virtualized EOI",
    [VMX_EXIT_GDTR_IDTR] = "access to GDTR or IDTR",
    [VMX_EXIT_LDTR_TR] = "access to LDTR or TR",
    /* 48 - 55 */
    [VMX_EXIT_EPT_VIOLATION] = "EPT violation",
    [VMX_EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
    [VMX_EXIT_INVEPT] = "INVEPT",
    [VMX_EXIT_RDTSCP] = "RDTSCP",
    [VMX_EXIT_PREEMPTION_TIMER] = "VMX-preemption timer expired",
    [VMX_EXIT_INVVPID] = "INVVPID",
    [VMX_EXIT_WBINVD] = "WBINVD or WBNOINVD",
    [VMX_EXIT_XSETBV] = "XSETBV",
    /* 56 - 63 */
    [VMX_EXIT_APIC_WRITE] = "APIC write",
    [VMX_EXIT_RDRAND] = "RDRAND",
    [VMX_EXIT_INVPCID] = "INVPCID",
    [VMX_EXIT_VMFUNC] = "VMFUNC",
    [VMX_EXIT_ENCLS] = "ENCLS",
    [VMX_EXIT_RDSEED] = "RDSEED",
    [VMX_EXIT_PML_FULL] = "page-modification log full",
    [VMX_EXIT_XSAVES] = "XSAVES",
    /* 64 - 69 */
    [VMX_EXIT_XRSTORS] = "XRSTORS",
    [VMX_EXIT_PCONFIG] = "PCONFIG",
    [VMX_EXIT_SPP] = "SPP-related event",
    [VMX_EXIT_UMWAIT] = "UMWAIT",
    [VMX_EXIT_TPAUSE] = "TPAUSE",
    [VMX_EXIT_LOADIWKEY] = "LOADIWKEY",
};

const char *vmx_exit_reason_name(u32 basic)
{
	if (basic < VMX_EXIT_REASON_MAX && exit_names[basic])
		return exit_names[basic];
	return "unknown exit reason";
}
