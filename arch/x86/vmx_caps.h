/* SPDX-License-Identifier: MIT */
/*
 * VMX capabilities, read once from CPUID and the IA32_VMX_* MSRs (SDM Vol 3D
 * Appendix A) and exposed as predicates. vmx_probe() also decides whether
 * VMX can be used at all and, if not, why.
 */
#ifndef MICA_ARCH_X86_VMX_CAPS_H
#define MICA_ARCH_X86_VMX_CAPS_H

#include "mm/base/types.h"

/* Capability MSRs (SDM Vol 4, Table 2-2; Vol 3D Appendix A). */
#define MSR_IA32_VMX_BASIC	    0x480
#define MSR_IA32_VMX_PINBASED_CTLS  0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS	    0x483
#define MSR_IA32_VMX_ENTRY_CTLS	    0x484
#define MSR_IA32_VMX_MISC	    0x485
/* IA32_VMX_MISC bit 6: VM entry may load activity state HLT (SDM Vol 3D
 * A.6). */
#define VMX_MISC_ACTIVITY_HLT		 BIT(6)
#define MSR_IA32_VMX_CR0_FIXED0		 0x486
#define MSR_IA32_VMX_CR0_FIXED1		 0x487
#define MSR_IA32_VMX_CR4_FIXED0		 0x488
#define MSR_IA32_VMX_CR4_FIXED1		 0x489
#define MSR_IA32_VMX_VMCS_ENUM		 0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2	 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	 0x490
#define MSR_IA32_VMX_VMFUNC		 0x491

/* IA32_VMX_BASIC fields (SDM Vol 3D A.1). */
#define VMX_BASIC_REVISION_MASK GENMASK(30, 0)
#define VMX_BASIC_TRUE_CTLS	BIT(55)

/* Primary processor-based controls (SDM Vol 3C, "Processor-Based VM-Execution Controls", primary). */
enum vmx_proc_ctl {
	VMX_PROC_INTR_WINDOW = BIT(2),
	VMX_PROC_TSC_OFFSET = BIT(3),
	VMX_PROC_HLT_EXIT = BIT(7),
	VMX_PROC_INVLPG_EXIT = BIT(9),
	VMX_PROC_MWAIT_EXIT = BIT(10),
	VMX_PROC_RDPMC_EXIT = BIT(11),
	VMX_PROC_RDTSC_EXIT = BIT(12),
	VMX_PROC_CR3_LOAD_EXIT = BIT(15),
	VMX_PROC_CR3_STORE_EXIT = BIT(16),
	VMX_PROC_TERTIARY = BIT(17),
	VMX_PROC_CR8_LOAD_EXIT = BIT(19),
	VMX_PROC_CR8_STORE_EXIT = BIT(20),
	VMX_PROC_TPR_SHADOW = BIT(21),
	VMX_PROC_NMI_WINDOW = BIT(22),
	VMX_PROC_MOV_DR_EXIT = BIT(23),
	VMX_PROC_UNCOND_IO_EXIT = BIT(24),
	VMX_PROC_IO_BITMAPS = BIT(25),
	VMX_PROC_MTF = BIT(27),
	VMX_PROC_MSR_BITMAPS = BIT(28),
	VMX_PROC_MONITOR_EXIT = BIT(29),
	VMX_PROC_PAUSE_EXIT = BIT(30),
	VMX_PROC_SECONDARY = BIT(31),
};

/* Secondary processor-based controls (SDM Vol 3C, "Processor-Based VM-Execution Controls", secondary). */
enum vmx_proc2_ctl {
	VMX_PROC2_VIRT_APIC = BIT(0),
	VMX_PROC2_EPT = BIT(1),
	VMX_PROC2_DESC_EXIT = BIT(2),
	VMX_PROC2_RDTSCP = BIT(3),
	VMX_PROC2_X2APIC = BIT(4),
	VMX_PROC2_VPID = BIT(5),
	VMX_PROC2_WBINVD_EXIT = BIT(6),
	VMX_PROC2_UNRESTRICTED = BIT(7),
	VMX_PROC2_APIC_REG_VIRT = BIT(8),
	VMX_PROC2_VINTR_DELIVERY = BIT(9),
	VMX_PROC2_PAUSE_LOOP = BIT(10),
	VMX_PROC2_RDRAND_EXIT = BIT(11),
	VMX_PROC2_INVPCID = BIT(12),
	VMX_PROC2_VMFUNC = BIT(13),
	VMX_PROC2_VMCS_SHADOW = BIT(14),
	VMX_PROC2_ENCLS_EXIT = BIT(15),
	VMX_PROC2_RDSEED_EXIT = BIT(16),
	VMX_PROC2_PML = BIT(17),
	VMX_PROC2_EPT_VE = BIT(18),
	VMX_PROC2_PT_CONCEAL = BIT(19),
	VMX_PROC2_XSAVES = BIT(20),
	VMX_PROC2_MBEC = BIT(22),
	VMX_PROC2_SPP = BIT(23),
	VMX_PROC2_PT_GPA = BIT(24),
	VMX_PROC2_TSC_SCALING = BIT(25),
	VMX_PROC2_UMWAIT = BIT(26),
};

/* Pin-based controls (SDM Vol 3C, "Pin-Based VM-Execution Controls"). */
enum vmx_pin_ctl {
	VMX_PIN_EXT_INTR_EXIT = BIT(0),
	VMX_PIN_NMI_EXIT = BIT(3),
	VMX_PIN_VIRTUAL_NMI = BIT(5),
	VMX_PIN_PREEMPT_TIMER = BIT(6),
	VMX_PIN_POSTED_INTR = BIT(7),
};

/* IA32_VMX_EPT_VPID_CAP (SDM Vol 3D A.10). */
enum vmx_ept_cap {
	VMX_EPT_EXEC_ONLY = BIT(0),
	VMX_EPT_WALK_4 = BIT(6),
	VMX_EPT_WALK_5 = BIT(7),
	VMX_EPT_MT_UC = BIT(8),
	VMX_EPT_MT_WB = BIT(14),
	VMX_EPT_2M = BIT(16),
	VMX_EPT_1G = BIT(17),
	VMX_EPT_INVEPT = BIT(20),
	VMX_EPT_AD = BIT(21),
	VMX_EPT_ADV_EXIT_INFO = BIT(22),
	VMX_EPT_INVEPT_SINGLE = BIT(25),
	VMX_EPT_INVEPT_ALL = BIT(26),
	VMX_VPID_INVVPID = BIT(32),
	VMX_VPID_INVVPID_ADDR = BIT(40),
	VMX_VPID_INVVPID_SINGLE = BIT(41),
	VMX_VPID_INVVPID_ALL = BIT(42),
};

/*
 * A control MSR pair: bits set in `must1` are required to be 1, bits clear
 * in `may1` are required to be 0 (SDM Vol 3D A.3).
 */
struct vmx_ctl_caps {
	u32 must1;
	u32 may1;
};

struct vmx_caps {
	u64 basic;
	u64 misc;
	u64 ept_vpid;
	u64 vmfunc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 vmcs_enum;
	u64 feature_control;
	struct vmx_ctl_caps pin, proc, proc2, exit, entry;
};

/*
 * Read CPUID and the VMX MSRs. Returns 0 when VMX is usable, otherwise a
 * negative errno and *why is set to a one-line human reason.
 */
int vmx_probe(const char **why) __must_check;

/* The capabilities read by a successful vmx_probe(). */
const struct vmx_caps *vmx_caps(void);

/* Print the decoded capability report on the console. */
void vmx_caps_report(void);

bool vmx_has_proc2(u32 ctl);
bool vmx_has_ept(void);
bool vmx_has_vpid(void);
bool vmx_has_unrestricted_guest(void);
bool vmx_has_ept_2m(void);
bool vmx_has_ept_1g(void);
bool vmx_has_ept_ad(void);
bool vmx_has_pml(void);
bool vmx_has_spp(void);
bool vmx_has_preemption_timer(void);
u32 vmx_revision_id(void);

#endif /* MICA_ARCH_X86_VMX_CAPS_H */
