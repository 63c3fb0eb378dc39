/* SPDX-License-Identifier: MIT */
/*
 * The MSRs a guest has (pure): one table with each MSR's read, write and
 * reset behaviour and the CPUID bit that gates it (SDM Vol 4 "Model-
 * Specific Registers", Table 2-2 "IA-32 Architectural MSRs"). An MSR that
 * is not in the table, or whose CPUID bit the guest does not have, raises
 * #GP(0). MSRs mica keeps itself (MISC_ENABLE, MTRRs, MCG_STATUS) live in
 * struct msr_store; those in the VMCS or in the CPU are read and written by
 * vmm/exit/exit_msr.c once the model has checked the value. The table is
 * also docs/guests.md's ("MSRs"), which a host test checks against it.
 */
#ifndef MICA_VMM_CPU_MSR_MODEL_H
#define MICA_VMM_CPU_MSR_MODEL_H

#include "mm/base/types.h"
#include "vmm/cpu/cpuid_model.h"

/* The MSRs of the table, by their SDM names (Vol 4 Table 2-2). */
#define IA32_TSC	       0x10
#define IA32_PLATFORM_ID       0x17
#define IA32_APIC_BASE	       0x1b
#define IA32_FEATURE_CONTROL   0x3a
#define IA32_TSC_ADJUST	       0x3b
#define IA32_SPEC_CTRL	       0x48
#define IA32_PRED_CMD	       0x49
#define IA32_BIOS_SIGN_ID      0x8b
#define IA32_ARCH_CAPABILITIES 0x10a
#define IA32_FLUSH_CMD	       0x10b
#define MSR_PLATFORM_INFO      0xce
#define IA32_MTRRCAP	       0xfe
#define IA32_SYSENTER_CS       0x174
#define IA32_SYSENTER_ESP      0x175
#define IA32_SYSENTER_EIP      0x176
#define IA32_MCG_CAP	       0x179
#define IA32_MCG_STATUS	       0x17a
#define IA32_MISC_ENABLE       0x1a0
#define IA32_DEBUGCTL	       0x1d9
#define IA32_MTRR_PHYSBASE0    0x200
#define IA32_MTRR_FIX64K_00000 0x250
#define IA32_MTRR_FIX16K_80000 0x258
#define IA32_MTRR_FIX16K_A0000 0x259
#define IA32_MTRR_FIX4K_C0000  0x268
#define IA32_MTRR_FIX4K_F8000  0x26f
#define IA32_PAT	       0x277
#define IA32_MTRR_DEF_TYPE     0x2ff
#define IA32_TSC_DEADLINE      0x6e0
#define IA32_XSS	       0xda0
#define IA32_EFER	       0xc0000080
#define IA32_STAR	       0xc0000081
#define IA32_LSTAR	       0xc0000082
#define IA32_CSTAR	       0xc0000083
#define IA32_FMASK	       0xc0000084
#define IA32_FS_BASE	       0xc0000100
#define IA32_GS_BASE	       0xc0000101
#define IA32_KERNEL_GS_BASE    0xc0000102
#define IA32_TSC_AUX	       0xc0000103

#define IA32_APIC_BASE_EN BIT(11) /* the local APIC's global enable */

/* IA32_EFER bits (SDM Vol 3A 2.2.1) */
#define IA32_EFER_SCE BIT(0)
#define IA32_EFER_LME BIT(8)
#define IA32_EFER_LMA BIT(10)
#define IA32_EFER_NXE BIT(11)

/* Where an MSR's value lives. */
enum msr_kind {
	MSR_STORED,	/* struct msr_store, here */
	MSR_CONST,	/* a value computed here; writes #GP */
	MSR_GUEST,	/* VMCS, CPU or devices: exit_msr.c */
	MSR_WRITE_ONLY, /* a command passed to the CPU; reads #GP */
};

/* A CPUID bit as the gate of an MSR (leaf 0: none). */
struct msr_gate {
	u32 leaf;
	u8 sub, reg, bit;
};

#define MSR_GATES 3

struct msr_entry {
	u32 index, last; /* one MSR, or the range index..last */
	const char *name;
	u8 kind;
	/* Present if any of these CPUID bits is (unused: leaf 0; none at
	 * all: always present). */
	struct msr_gate gate[MSR_GATES];
	const char *read, *write; /* behaviour, as docs/guests.md says */
};

extern const struct msr_entry msr_table[];
extern const unsigned msr_table_len;

/* The entry for msr, or NULL. */
const struct msr_entry *msr_lookup(u32 msr);

/* What the model needs of the VM. */
struct msr_env {
	const struct cpu_model *cpu;
	u8 maxphyaddr;	    /* CPUID.80000008H:EAX[7:0] */
	u64 tsc_hz;	    /* MSR_PLATFORM_INFO's ratio */
	u64 host_arch_caps; /* IA32_ARCH_CAPABILITIES of the host */
};

/* The MSRs mica stores for a vCPU. */
#define MSR_MTRR_VAR_COUNT 8
#define MSR_MTRR_FIXED	   11
struct msr_store {
	u64 misc_enable;
	u64 mtrr_def_type;
	u64 mtrr_fixed[MSR_MTRR_FIXED];
	u64 mtrr_var[2 * MSR_MTRR_VAR_COUNT]; /* base, mask pairs */
	u64 mcg_status;
};

/* Power-on values (SDM Vol 3A Table 10-1, Vol 4). */
void msr_store_reset(struct msr_store *s);

/* Results of msr_model_read and msr_model_write. */
enum {
	MSR_DONE = 0,	 /* handled: value read or stored */
	MSR_GP = -1,	 /* #GP(0): reserved bit, read-only, write-only */
	MSR_ABSENT = -2, /* #GP(0): no such MSR for this guest (counted) */
	MSR_PASS = 1,	 /* valid: exit_msr.c performs it (MSR_GUEST and
			  * MSR_WRITE_ONLY kinds) */
};

int msr_model_read(const struct msr_env *e, const struct msr_store *s, u32 msr,
		   u64 *val);
int msr_model_write(const struct msr_env *e, struct msr_store *s, u32 msr,
		    u64 val);

/* Whether the guest has the MSR at all (its gate). */
bool msr_present(const struct msr_env *e, const struct msr_entry *m);

#endif /* MICA_VMM_CPU_MSR_MODEL_H */
