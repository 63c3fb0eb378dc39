/* SPDX-License-Identifier: MIT */
/*
 * VMCS field encodings (SDM Vol 3D Appendix B, "Field Encoding in VMCS") and
 * width-checked accessors. Encoding bits 14:13 give the width (0: 16-bit,
 * 1: 64-bit, 2: 32-bit, 3: natural), bits 11:10 the type (control,
 * read-only data, guest state, host state); the accessors check the width
 * at compile time, as a wrong-width VMREAD silently truncates.
 */
#ifndef MICA_ARCH_X86_VMCS_H
#define MICA_ARCH_X86_VMCS_H

#include "mm/base/types.h"

enum vmcs_field {
	/* 16-bit control fields (B.1.1) */
	VMCS_VPID = 0x0000,
	VMCS_POSTED_INTR_NV = 0x0002,
	VMCS_EPTP_INDEX = 0x0004,
	/* 16-bit guest-state fields (B.1.2) */
	VMCS_GUEST_ES_SEL = 0x0800,
	VMCS_GUEST_CS_SEL = 0x0802,
	VMCS_GUEST_SS_SEL = 0x0804,
	VMCS_GUEST_DS_SEL = 0x0806,
	VMCS_GUEST_FS_SEL = 0x0808,
	VMCS_GUEST_GS_SEL = 0x080a,
	VMCS_GUEST_LDTR_SEL = 0x080c,
	VMCS_GUEST_TR_SEL = 0x080e,
	VMCS_GUEST_INTR_STATUS = 0x0810,
	VMCS_GUEST_PML_INDEX = 0x0812,
	/* 16-bit host-state fields (B.1.3) */
	VMCS_HOST_ES_SEL = 0x0c00,
	VMCS_HOST_CS_SEL = 0x0c02,
	VMCS_HOST_SS_SEL = 0x0c04,
	VMCS_HOST_DS_SEL = 0x0c06,
	VMCS_HOST_FS_SEL = 0x0c08,
	VMCS_HOST_GS_SEL = 0x0c0a,
	VMCS_HOST_TR_SEL = 0x0c0c,
	/* 64-bit control fields (B.2.1) */
	VMCS_IO_BITMAP_A = 0x2000,
	VMCS_IO_BITMAP_B = 0x2002,
	VMCS_MSR_BITMAP = 0x2004,
	VMCS_EXIT_MSR_STORE_ADDR = 0x2006,
	VMCS_EXIT_MSR_LOAD_ADDR = 0x2008,
	VMCS_ENTRY_MSR_LOAD_ADDR = 0x200a,
	VMCS_EXECUTIVE_VMCS_PTR = 0x200c,
	VMCS_PML_ADDRESS = 0x200e,
	VMCS_TSC_OFFSET = 0x2010,
	VMCS_VIRTUAL_APIC_ADDR = 0x2012,
	VMCS_APIC_ACCESS_ADDR = 0x2014,
	VMCS_POSTED_INTR_DESC = 0x2016,
	VMCS_VMFUNC_CTRL = 0x2018,
	VMCS_EPT_POINTER = 0x201a,
	VMCS_EOI_EXIT_BITMAP0 = 0x201c, /* ..3 at 0x201e, 0x2020, 0x2022 */
	VMCS_EPTP_LIST_ADDR = 0x2024,
	VMCS_VE_INFO_ADDR = 0x202a,
	VMCS_XSS_EXIT_BITMAP = 0x202c,
	VMCS_SPPT_POINTER = 0x2030,
	VMCS_TSC_MULTIPLIER = 0x2032,
	VMCS_PROC_CTLS3 = 0x2034,
	/* 64-bit read-only data field (B.2.2) */
	VMCS_GUEST_PHYS_ADDR = 0x2400,
	/* 64-bit guest-state fields (B.2.3) */
	VMCS_LINK_POINTER = 0x2800,
	VMCS_GUEST_DEBUGCTL = 0x2802,
	VMCS_GUEST_PAT = 0x2804,
	VMCS_GUEST_EFER = 0x2806,
	VMCS_GUEST_PERF_GLOBAL_CTRL = 0x2808,
	VMCS_GUEST_PDPTE0 = 0x280a,
	VMCS_GUEST_PDPTE1 = 0x280c,
	VMCS_GUEST_PDPTE2 = 0x280e,
	VMCS_GUEST_PDPTE3 = 0x2810,
	VMCS_GUEST_BNDCFGS = 0x2812,
	/* 64-bit host-state fields (B.2.4) */
	VMCS_HOST_PAT = 0x2c00,
	VMCS_HOST_EFER = 0x2c02,
	VMCS_HOST_PERF_GLOBAL_CTRL = 0x2c04,
	/* 32-bit control fields (B.3.1) */
	VMCS_PIN_CTLS = 0x4000,
	VMCS_PROC_CTLS = 0x4002,
	VMCS_EXCEPTION_BITMAP = 0x4004,
	VMCS_PF_ERROR_MASK = 0x4006,
	VMCS_PF_ERROR_MATCH = 0x4008,
	VMCS_CR3_TARGET_COUNT = 0x400a,
	VMCS_EXIT_CTLS = 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT = 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT = 0x4010,
	VMCS_ENTRY_CTLS = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VMCS_ENTRY_INTR_INFO = 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR = 0x4018,
	VMCS_ENTRY_INSN_LEN = 0x401a,
	VMCS_TPR_THRESHOLD = 0x401c,
	VMCS_PROC_CTLS2 = 0x401e,
	VMCS_PLE_GAP = 0x4020,
	VMCS_PLE_WINDOW = 0x4022,
	/* 32-bit read-only data fields (B.3.2) */
	VMCS_VM_INSN_ERROR = 0x4400,
	VMCS_EXIT_REASON = 0x4402,
	VMCS_EXIT_INTR_INFO = 0x4404,
	VMCS_EXIT_INTR_ERROR = 0x4406,
	VMCS_IDT_VECTORING_INFO = 0x4408,
	VMCS_IDT_VECTORING_ERROR = 0x440a,
	VMCS_EXIT_INSN_LEN = 0x440c,
	VMCS_EXIT_INSN_INFO = 0x440e,
	/* 32-bit guest-state fields (B.3.3) */
	VMCS_GUEST_ES_LIMIT = 0x4800,
	VMCS_GUEST_CS_LIMIT = 0x4802,
	VMCS_GUEST_SS_LIMIT = 0x4804,
	VMCS_GUEST_DS_LIMIT = 0x4806,
	VMCS_GUEST_FS_LIMIT = 0x4808,
	VMCS_GUEST_GS_LIMIT = 0x480a,
	VMCS_GUEST_LDTR_LIMIT = 0x480c,
	VMCS_GUEST_TR_LIMIT = 0x480e,
	VMCS_GUEST_GDTR_LIMIT = 0x4810,
	VMCS_GUEST_IDTR_LIMIT = 0x4812,
	VMCS_GUEST_ES_AR = 0x4814,
	VMCS_GUEST_CS_AR = 0x4816,
	VMCS_GUEST_SS_AR = 0x4818,
	VMCS_GUEST_DS_AR = 0x481a,
	VMCS_GUEST_FS_AR = 0x481c,
	VMCS_GUEST_GS_AR = 0x481e,
	VMCS_GUEST_LDTR_AR = 0x4820,
	VMCS_GUEST_TR_AR = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824,
	VMCS_GUEST_ACTIVITY_STATE = 0x4826,
	VMCS_GUEST_SMBASE = 0x4828,
	VMCS_GUEST_SYSENTER_CS = 0x482a,
	VMCS_PREEMPTION_TIMER = 0x482e,
	/* 32-bit host-state field (B.3.4) */
	VMCS_HOST_SYSENTER_CS = 0x4c00,
	/* natural-width control fields (B.4.1) */
	VMCS_CR0_MASK = 0x6000,
	VMCS_CR4_MASK = 0x6002,
	VMCS_CR0_SHADOW = 0x6004,
	VMCS_CR4_SHADOW = 0x6006,
	VMCS_CR3_TARGET0 = 0x6008,
	/* natural-width read-only data fields (B.4.2) */
	VMCS_EXIT_QUALIFICATION = 0x6400,
	VMCS_IO_RCX = 0x6402,
	VMCS_IO_RSI = 0x6404,
	VMCS_IO_RDI = 0x6406,
	VMCS_IO_RIP = 0x6408,
	VMCS_GUEST_LINEAR_ADDR = 0x640a,
	/* natural-width guest-state fields (B.4.3) */
	VMCS_GUEST_CR0 = 0x6800,
	VMCS_GUEST_CR3 = 0x6802,
	VMCS_GUEST_CR4 = 0x6804,
	VMCS_GUEST_ES_BASE = 0x6806,
	VMCS_GUEST_CS_BASE = 0x6808,
	VMCS_GUEST_SS_BASE = 0x680a,
	VMCS_GUEST_DS_BASE = 0x680c,
	VMCS_GUEST_FS_BASE = 0x680e,
	VMCS_GUEST_GS_BASE = 0x6810,
	VMCS_GUEST_LDTR_BASE = 0x6812,
	VMCS_GUEST_TR_BASE = 0x6814,
	VMCS_GUEST_GDTR_BASE = 0x6816,
	VMCS_GUEST_IDTR_BASE = 0x6818,
	VMCS_GUEST_DR7 = 0x681a,
	VMCS_GUEST_RSP = 0x681c,
	VMCS_GUEST_RIP = 0x681e,
	VMCS_GUEST_RFLAGS = 0x6820,
	VMCS_GUEST_PENDING_DBG = 0x6822,
	VMCS_GUEST_SYSENTER_ESP = 0x6824,
	VMCS_GUEST_SYSENTER_EIP = 0x6826,
	/* natural-width host-state fields (B.4.4) */
	VMCS_HOST_CR0 = 0x6c00,
	VMCS_HOST_CR3 = 0x6c02,
	VMCS_HOST_CR4 = 0x6c04,
	VMCS_HOST_FS_BASE = 0x6c06,
	VMCS_HOST_GS_BASE = 0x6c08,
	VMCS_HOST_TR_BASE = 0x6c0a,
	VMCS_HOST_GDTR_BASE = 0x6c0c,
	VMCS_HOST_IDTR_BASE = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP = 0x6c10,
	VMCS_HOST_SYSENTER_EIP = 0x6c12,
	VMCS_HOST_RSP = 0x6c14,
	VMCS_HOST_RIP = 0x6c16,
};

#define VMCS_WIDTH(f)	   (((unsigned)(f) >> 13) & 3)
#define VMCS_WIDTH_16	   0
#define VMCS_WIDTH_64	   1
#define VMCS_WIDTH_32	   2
#define VMCS_WIDTH_NATURAL 3

/* Report a failed VMREAD/VMWRITE and panic: a hypervisor bug. */
__noreturn void vmcs_access_failed(const char *op, u32 field, u64 value);

#ifdef MICA_HOST_HW
/*
 * Host builds of the exit paths (test/hostvm/): VMREAD/VMWRITE go to a fake
 * VMCS that checks every access. One switch here, not a shadow header: the
 * encodings above and the width-checked accessors below must stay the
 * kernel's own, and only these two primitives touch the hardware.
 */
u64 vmcs_read_raw(u32 field);
void vmcs_write_raw(u32 field, u64 value);
#else
/*
 * Raw VMREAD/VMWRITE, inline because they sit on every exit path (always:
 * GCC would otherwise call one out-of-line copy from a file with many of
 * them). CF or ZF set means the access failed (SDM Vol 3C 31.2,
 * "Conventions"): one JBE covers both.
 */
static inline __attribute__((always_inline)) u64 vmcs_read_raw(u32 field)
{
	u64 v = 0; /* dead store: the asm output always overwrites it */

	__asm__ goto("vmread %1, %0\n\t"
		     "jbe %l[fail]"
		     : "=r"(v)
		     : "r"((u64)field)
		     : "cc"
		     : fail);
	return v;
fail:
	vmcs_access_failed("vmread", field, 0);
}

static inline __attribute__((always_inline)) void vmcs_write_raw(u32 field,
								 u64 value)
{
	__asm__ goto("vmwrite %0, %1\n\t"
		     "jbe %l[fail]"
		     :
		     : "r"(value), "r"((u64)field)
		     : "cc", "memory"
		     : fail);
	return;
fail:
	vmcs_access_failed("vmwrite", field, value);
}
#endif /* MICA_HOST_HW */

/* For fields that may not exist on this CPU: 0 or -EIO, never panics. */
int vmcs_write_optional(u32 field, u64 value) __must_check;

#define VMCS_CHECK_WIDTH(f, w)                                                 \
	_Static_assert(VMCS_WIDTH(f) == (w), "VMCS field width mismatch")

#define vmcs_read16(f)                                                         \
	({                                                                     \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16);                            \
		(u16) vmcs_read_raw(f);                                        \
	})
#define vmcs_read32(f)                                                         \
	({                                                                     \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32);                            \
		(u32) vmcs_read_raw(f);                                        \
	})
#define vmcs_read64(f)                                                         \
	({                                                                     \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64);                            \
		vmcs_read_raw(f);                                              \
	})
#define vmcs_readl(f)                                                          \
	({                                                                     \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL);                       \
		vmcs_read_raw(f);                                              \
	})
#define vmcs_write16(f, v)                                                     \
	do {                                                                   \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16);                            \
		vmcs_write_raw(f, (u16)(v));                                   \
	} while (0)
#define vmcs_write32(f, v)                                                     \
	do {                                                                   \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32);                            \
		vmcs_write_raw(f, (u32)(v));                                   \
	} while (0)
#define vmcs_write64(f, v)                                                     \
	do {                                                                   \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64);                            \
		vmcs_write_raw(f, (u64)(v));                                   \
	} while (0)
#define vmcs_writel(f, v)                                                      \
	do {                                                                   \
		VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL);                       \
		vmcs_write_raw(f, (u64)(v));                                   \
	} while (0)

/* Exit controls (SDM Vol 3C, "VM-Exit Controls"). */
enum vmx_exit_ctl {
	VMX_EXIT_SAVE_DEBUG = BIT(2),
	VMX_EXIT_HOST_LONG_MODE = BIT(9),
	VMX_EXIT_ACK_INTR = BIT(15),
	VMX_EXIT_SAVE_PAT = BIT(18),
	VMX_EXIT_LOAD_PAT = BIT(19),
	VMX_EXIT_SAVE_EFER = BIT(20),
	VMX_EXIT_LOAD_EFER = BIT(21),
	VMX_EXIT_SAVE_PREEMPT = BIT(22),
};

/* Entry controls (SDM Vol 3C, "VM-Entry Controls"). */
enum vmx_entry_ctl {
	VMX_ENTRY_LOAD_DEBUG = BIT(2),
	VMX_ENTRY_IA32E_GUEST = BIT(9),
	VMX_ENTRY_LOAD_PAT = BIT(14),
	VMX_ENTRY_LOAD_EFER = BIT(15),
};

/* VM-entry interruption-information field (SDM Vol 3C, "VM-Entry Controls
 * for Event Injection"); the exit interruption info uses the same layout. */
#define INTR_INFO_VECTOR_MASK	0xff
#define INTR_INFO_TYPE_SHIFT	8
#define INTR_TYPE_EXT_INTR	0
#define INTR_TYPE_NMI		2
#define INTR_TYPE_HW_EXCEPTION	3
#define INTR_TYPE_SW_INTR	4
#define INTR_TYPE_PRIV_SW_EXC	5
#define INTR_TYPE_SW_EXCEPTION	6
#define INTR_INFO_DELIVER_ERROR BIT(11)
#define INTR_INFO_VALID		BIT(31)

/* Segment access rights as held in the VMCS (SDM Vol 3C, "Guest Register
 * State", Table "Format of Access Rights"). */
#define VMX_AR_TYPE_MASK 0xf
#define VMX_AR_S	 BIT(4)
#define VMX_AR_DPL_SHIFT 5
#define VMX_AR_P	 BIT(7)
#define VMX_AR_AVL	 BIT(12)
#define VMX_AR_L	 BIT(13)
#define VMX_AR_DB	 BIT(14)
#define VMX_AR_G	 BIT(15)
#define VMX_AR_UNUSABLE	 BIT(16)

/* Guest activity states. */
#define VMX_ACTIVITY_ACTIVE   0
#define VMX_ACTIVITY_HLT      1
#define VMX_ACTIVITY_SHUTDOWN 2

/* Guest interruptibility state bits. */
#define VMX_INTERRUPTIBILITY_STI    BIT(0)
#define VMX_INTERRUPTIBILITY_MOV_SS BIT(1)

#endif /* MICA_ARCH_X86_VMCS_H */
