/* SPDX-License-Identifier: MIT */
/*
 * The guest's MSRs: the table, their gates and the checks of every value
 * a guest writes. Indices, bits and reset values: SDM Vol 4 Table 2-2
 * "IA-32 Architectural MSRs"; MTRRs Vol 3A 12.11 "Memory Type Range
 * Registers"; the TSC Vol 3B 17.17; machine check Vol 3B 16.3.1.
 */
#include "vmm/cpu/msr_model.h"

enum { EAX, EBX, ECX, EDX };

#define G(l, s, r, b)                                                          \
	{                                                                      \
		l, s, r, b                                                     \
	}
#define NOGATE                                                                 \
	{                                                                      \
		{0, 0, 0, 0}, {0, 0, 0, 0},                                    \
		{                                                              \
			0, 0, 0, 0                                             \
		}                                                              \
	}
#define GATE1(l, s, r, b)                                                      \
	{                                                                      \
		G(l, s, r, b), {0, 0, 0, 0},                                   \
		{                                                              \
			0, 0, 0, 0                                             \
		}                                                              \
	}

/* The CPUID bits that gate MSRs (SDM Vol 2A "CPUID"). */
#define TSC	 GATE1(1, 0, EDX, 4)
#define APIC	 GATE1(1, 0, EDX, 9)
#define SEP	 GATE1(1, 0, EDX, 11)
#define MTRR	 GATE1(1, 0, EDX, 12)
#define MCA	 GATE1(1, 0, EDX, 14)
#define PAT	 GATE1(1, 0, EDX, 16)
#define DEADLINE GATE1(1, 0, ECX, 24)
#define ADJUST	 GATE1(7, 0, EBX, 1)
#define IBRS	 G(7, 0, EDX, 26)
#define STIBP	 G(7, 0, EDX, 27)
#define SSBD	 G(7, 0, EDX, 31)
#define L1DFLUSH GATE1(7, 0, EDX, 28)
#define ARCHCAP	 GATE1(7, 0, EDX, 29)
#define XSAVES	 GATE1(0xd, 1, EAX, 3)
#define SYSCALL	 GATE1(0x80000001, 0, EDX, 11)
#define LM	 GATE1(0x80000001, 0, EDX, 29)
/* SPEC_CTRL: any of its bits; TSC_AUX: RDTSCP or RDPID */
#define SPECCTRL                                                               \
	{                                                                      \
		IBRS, STIBP, SSBD                                              \
	}
#define TSCAUX                                                                 \
	{                                                                      \
		G(0x80000001, 0, EDX, 27), G(7, 0, ECX, 22),                   \
		{                                                              \
			0, 0, 0, 0                                             \
		}                                                              \
	}
/* EFER exists where any of its bits does (SDM Vol 4 Table 2-2). */
#define EFER_GATES                                                             \
	{                                                                      \
		G(0x80000001, 0, EDX, 11), G(0x80000001, 0, EDX, 20),          \
		    G(0x80000001, 0, EDX, 29)                                  \
	}

#define M(i, last, name, kind, gate, rd, wr)                                   \
	{                                                                      \
		i, last, name, MSR_##kind, gate, rd, wr                        \
	}

const struct msr_entry msr_table[] = {
    M(IA32_TSC, IA32_TSC, "IA32_TSC", GUEST, TSC,
      "the host's TSC plus the VM's offset",
      "moves the offset; IA32_TSC_ADJUST by as much"),
    M(IA32_PLATFORM_ID, IA32_PLATFORM_ID, "IA32_PLATFORM_ID", CONST, NOGATE,
      "0", "#GP"),
    M(IA32_APIC_BASE, IA32_APIC_BASE, "IA32_APIC_BASE", GUEST, APIC,
      "0xFEE00000, enable, BSP",
      "the local APIC's global enable (CPUID.1:EDX.APIC follows it)"),
    M(IA32_FEATURE_CONTROL, IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", CONST,
      NOGATE, "1: locked, VMX off", "#GP (locked)"),
    M(IA32_TSC_ADJUST, IA32_TSC_ADJUST, "IA32_TSC_ADJUST", GUEST, ADJUST,
      "0 at reset, then what TSC writes added",
      "moves the offset by the change"),
    M(IA32_SPEC_CTRL, IA32_SPEC_CTRL, "IA32_SPEC_CTRL", GUEST, SPECCTRL,
      "the CPU's, 0 at reset", "IBRS, STIBP, SSBD as advertised, into the CPU"),
    M(IA32_PRED_CMD, IA32_PRED_CMD, "IA32_PRED_CMD", WRITE_ONLY,
      GATE1(7, 0, EDX, 26), "#GP", "bit 0 (IBPB), performed"),
    M(IA32_BIOS_SIGN_ID, IA32_BIOS_SIGN_ID, "IA32_BIOS_SIGN_ID", CONST, NOGATE,
      "microcode revision 1 in bits 63:32", "ignored"),
    M(IA32_ARCH_CAPABILITIES, IA32_ARCH_CAPABILITIES, "IA32_ARCH_CAPABILITIES",
      CONST, ARCHCAP, "the host's", "#GP"),
    M(IA32_FLUSH_CMD, IA32_FLUSH_CMD, "IA32_FLUSH_CMD", WRITE_ONLY, L1DFLUSH,
      "#GP", "bit 0 (L1D_FLUSH), performed"),
    M(MSR_PLATFORM_INFO, MSR_PLATFORM_INFO, "MSR_PLATFORM_INFO", CONST, NOGATE,
      "bits 15:8: the TSC rate in 100 MHz", "#GP"),
    M(IA32_MTRRCAP, IA32_MTRRCAP, "IA32_MTRRCAP", CONST, MTRR,
      "0x508: 8 variable ranges, fixed ranges, WC", "#GP"),
    M(IA32_SYSENTER_CS, IA32_SYSENTER_EIP, "IA32_SYSENTER_CS/ESP/EIP", GUEST,
      SEP, "the VMCS", "the VMCS; ESP and EIP canonical"),
    M(IA32_MCG_CAP, IA32_MCG_CAP, "IA32_MCG_CAP", CONST, MCA,
      "0: no banks, no MCG_CTL", "#GP"),
    M(IA32_MCG_STATUS, IA32_MCG_STATUS, "IA32_MCG_STATUS", STORED, MCA,
      "stored, 0 at reset", "bits 2:0; others #GP"),
    M(IA32_MISC_ENABLE, IA32_MISC_ENABLE, "IA32_MISC_ENABLE", STORED, NOGATE,
      "0x1801 at reset: fast strings, no BTS, no PEBS",
      "bits 0, 3, 16, 18, 22 (CPUID to leaf 2), 23, 34 (no NX), 38; others "
      "must keep their value"),
    M(IA32_DEBUGCTL, IA32_DEBUGCTL, "IA32_DEBUGCTL", GUEST, NOGATE, "the VMCS",
      "bit 1 (BTF); others #GP"),
    M(IA32_MTRR_PHYSBASE0, IA32_MTRR_PHYSBASE0 + 2 * MSR_MTRR_VAR_COUNT - 1,
      "IA32_MTRR_PHYSBASE0..PHYSMASK7", STORED, MTRR, "stored, 0 at reset",
      "a valid type; reserved bits and those from MAXPHYADDR up #GP"),
    M(IA32_MTRR_FIX64K_00000, IA32_MTRR_FIX64K_00000, "IA32_MTRR_FIX64K_00000",
      STORED, MTRR, "stored, 0 at reset", "each byte a valid type"),
    M(IA32_MTRR_FIX16K_80000, IA32_MTRR_FIX16K_A0000,
      "IA32_MTRR_FIX16K_80000/A0000", STORED, MTRR, "stored, 0 at reset",
      "each byte a valid type"),
    M(IA32_MTRR_FIX4K_C0000, IA32_MTRR_FIX4K_F8000,
      "IA32_MTRR_FIX4K_C0000..F8000", STORED, MTRR, "stored, 0 at reset",
      "each byte a valid type"),
    M(IA32_PAT, IA32_PAT, "IA32_PAT", GUEST, PAT,
      "the VMCS, 0x0007040600070406 at reset", "each byte a valid type"),
    M(IA32_MTRR_DEF_TYPE, IA32_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", STORED,
      MTRR, "stored, 0 at reset", "type, FE (bit 10), E (bit 11)"),
    M(IA32_TSC_DEADLINE, IA32_TSC_DEADLINE, "IA32_TSC_DEADLINE", GUEST,
      DEADLINE, "the armed deadline, 0 when none", "arms the local APIC timer"),
    M(IA32_XSS, IA32_XSS, "IA32_XSS", CONST, XSAVES, "0: no supervisor state",
      "0 only"),
    M(IA32_EFER, IA32_EFER, "IA32_EFER", GUEST, EFER_GATES, "the VMCS",
      "SCE, LME, NXE as advertised; LMA kept"),
    M(IA32_STAR, IA32_STAR, "IA32_STAR", GUEST, SYSCALL, "the CPU's",
      "into the CPU"),
    M(IA32_LSTAR, IA32_CSTAR, "IA32_LSTAR/CSTAR", GUEST, LM, "the CPU's",
      "canonical, into the CPU"),
    M(IA32_FMASK, IA32_FMASK, "IA32_FMASK", GUEST, LM, "the CPU's",
      "bits 31:0, into the CPU"),
    M(IA32_FS_BASE, IA32_GS_BASE, "IA32_FS_BASE/GS_BASE", GUEST, LM, "the VMCS",
      "canonical"),
    M(IA32_KERNEL_GS_BASE, IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", GUEST,
      LM, "the CPU's", "canonical, into the CPU"),
    M(IA32_TSC_AUX, IA32_TSC_AUX, "IA32_TSC_AUX", GUEST, TSCAUX, "the CPU's",
      "bits 31:0, into the CPU"),
};

const unsigned msr_table_len = sizeof(msr_table) / sizeof(msr_table[0]);

const struct msr_entry *msr_lookup(u32 msr)
{
	for (unsigned i = 0; i < msr_table_len; i++)
		if (msr >= msr_table[i].index && msr <= msr_table[i].last)
			return &msr_table[i];
	return NULL;
}

static bool gate_has(const struct msr_env *e, const struct msr_gate *g)
{
	return cpu_model_has(e->cpu, g->leaf, g->sub, g->reg, g->bit);
}

bool msr_present(const struct msr_env *e, const struct msr_entry *m)
{
	bool any = false;

	for (unsigned i = 0; i < MSR_GATES; i++) {
		if (!m->gate[i].leaf)
			continue;
		if (gate_has(e, &m->gate[i]))
			return true;
		any = true;
	}
	return !any;
}

#define MISC_FAST_STRINGS BIT(0)
#define MISC_BTS_UNAVAIL  BIT(11)
#define MISC_PEBS_UNAVAIL BIT(12)
/* Fast strings, automatic thermal control, enhanced SpeedStep, MONITOR
 * FSM, xTPR message disable, turbo disable: kept, with no effect on a
 * virtual CPU (as KVM keeps MONITOR FSM: MONITOR/MWAIT stay absent);
 * limit CPUID maxval and XD bit disable: kept, and CPUID and EFER.NXE
 * follow them. */
#define MISC_WRITABLE                                                          \
	(BIT(0) | BIT(3) | BIT(16) | BIT(18) | BIT(23) | BIT(38) |             \
	 MISC_ENABLE_CPUID_BITS)

void msr_store_reset(struct msr_store *s)
{
	*s = (struct msr_store){0};
	s->misc_enable =
	    MISC_FAST_STRINGS | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL;
}

/* UC, WC, WT, WP, WB (SDM Vol 3A Table 12-8); the MTRRs have no UC-. */
static bool mtrr_type_ok(u8 t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool fixed_ok(u64 v)
{
	for (unsigned i = 0; i < 8; i++)
		if (!mtrr_type_ok((u8)(v >> (8 * i))))
			return false;
	return true;
}

/* Slot of a fixed-range MTRR in msr_store.mtrr_fixed. */
static unsigned fixed_slot(u32 msr)
{
	if (msr == IA32_MTRR_FIX64K_00000)
		return 0;
	if (msr <= IA32_MTRR_FIX16K_A0000)
		return 1 + (msr - IA32_MTRR_FIX16K_80000);
	return 3 + (msr - IA32_MTRR_FIX4K_C0000);
}

static bool is_fixed_mtrr(u32 msr)
{
	return msr == IA32_MTRR_FIX64K_00000 ||
	       (msr >= IA32_MTRR_FIX16K_80000 &&
		msr <= IA32_MTRR_FIX16K_A0000) ||
	       (msr >= IA32_MTRR_FIX4K_C0000 && msr <= IA32_MTRR_FIX4K_F8000);
}

static bool is_var_mtrr(u32 msr)
{
	return msr >= IA32_MTRR_PHYSBASE0 &&
	       msr < IA32_MTRR_PHYSBASE0 + 2 * MSR_MTRR_VAR_COUNT;
}

/* PHYSBASEn: type in 7:0, 11:8 reserved; PHYSMASKn: 10:0 reserved, bit
 * 11 valid; in both, bits from MAXPHYADDR up are reserved. */
static bool var_mtrr_ok(const struct msr_env *e, u32 msr, u64 v)
{
	u64 above = e->maxphyaddr < 64 ? ~0ULL << e->maxphyaddr : 0;

	if (v & above)
		return false;
	if ((msr - IA32_MTRR_PHYSBASE0) & 1)
		return !(v & 0x7ffULL);
	return !(v & 0xf00ULL) && mtrr_type_ok((u8)v);
}

/* IA32_PAT: each byte a memory type 0, 1, 4, 5, 6 or 7 (SDM Vol 3A
 * 12.12.2). */
static bool pat_ok(u64 v)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 t = (u8)(v >> (8 * i));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

static bool has(const struct msr_env *e, u32 leaf, u32 sub, unsigned reg,
		unsigned bit)
{
	return cpu_model_has(e->cpu, leaf, sub, reg, bit);
}

/* IA32_SPEC_CTRL bits the guest has: IBRS with 7.EDX[26], STIBP with
 * 7.EDX[26] or [27], SSBD with 7.EDX[31]. */
static u64 spec_ctrl_bits(const struct msr_env *e)
{
	u64 bits = 0;

	if (has(e, 7, 0, EDX, 26))
		bits |= BIT(0) | BIT(1);
	if (has(e, 7, 0, EDX, 27))
		bits |= BIT(1);
	if (has(e, 7, 0, EDX, 31))
		bits |= BIT(2);
	return bits;
}

/* IA32_EFER bits the guest may set. */
static u64 efer_bits(const struct msr_env *e, const struct msr_store *s)
{
	u64 bits = 0;

	if (has(e, 0x80000001, 0, EDX, 11))
		bits |= IA32_EFER_SCE;
	if (has(e, 0x80000001, 0, EDX, 29))
		bits |= IA32_EFER_LME | IA32_EFER_LMA;
	if (has(e, 0x80000001, 0, EDX, 20) &&
	    !(s->misc_enable & MISC_ENABLE_XD_DISABLE))
		bits |= IA32_EFER_NXE;
	return bits;
}

int msr_model_read(const struct msr_env *e, const struct msr_store *s, u32 msr,
		   u64 *val)
{
	const struct msr_entry *m = msr_lookup(msr);

	if (!m || !msr_present(e, m))
		return MSR_ABSENT;
	if (m->kind == MSR_WRITE_ONLY)
		return MSR_GP;
	if (m->kind == MSR_GUEST)
		return MSR_PASS;
	if (is_var_mtrr(msr)) {
		*val = s->mtrr_var[msr - IA32_MTRR_PHYSBASE0];
		return MSR_DONE;
	}
	if (is_fixed_mtrr(msr)) {
		*val = s->mtrr_fixed[fixed_slot(msr)];
		return MSR_DONE;
	}
	switch (msr) {
	case IA32_PLATFORM_ID:
	case IA32_MCG_CAP:
	case IA32_XSS:
		*val = 0;
		return MSR_DONE;
	case IA32_FEATURE_CONTROL:
		*val = 1;
		return MSR_DONE;
	case IA32_BIOS_SIGN_ID:
		*val = 1ULL << 32;
		return MSR_DONE;
	case IA32_ARCH_CAPABILITIES:
		*val = e->host_arch_caps;
		return MSR_DONE;
	case MSR_PLATFORM_INFO:
		*val = ((e->tsc_hz / 100000000ULL) & 0xff) << 8;
		return MSR_DONE;
	case IA32_MTRRCAP:
		*val = MSR_MTRR_VAR_COUNT | BIT(8) | BIT(10);
		return MSR_DONE;
	case IA32_MCG_STATUS:
		*val = s->mcg_status;
		return MSR_DONE;
	case IA32_MISC_ENABLE:
		*val = s->misc_enable;
		return MSR_DONE;
	case IA32_MTRR_DEF_TYPE:
		*val = s->mtrr_def_type;
		return MSR_DONE;
	default:
		return MSR_GP;
	}
}

/* Checks of the MSRs exit_msr.c performs: MSR_PASS if val is valid. */
static int guest_write_ok(const struct msr_env *e, const struct msr_store *s,
			  u32 msr, u64 val)
{
	bool ok;

	switch (msr) {
	case IA32_SPEC_CTRL:
		ok = !(val & ~spec_ctrl_bits(e));
		break;
	case IA32_PRED_CMD:
	case IA32_FLUSH_CMD:
		ok = !(val & ~1ULL);
		break;
	case IA32_DEBUGCTL:
		ok = !(val & ~BIT(1));
		break;
	case IA32_PAT:
		ok = pat_ok(val);
		break;
	case IA32_EFER:
		ok = !(val & ~efer_bits(e, s));
		break;
	case IA32_SYSENTER_ESP:
	case IA32_SYSENTER_EIP:
	case IA32_LSTAR:
	case IA32_CSTAR:
	case IA32_FS_BASE:
	case IA32_GS_BASE:
	case IA32_KERNEL_GS_BASE:
		ok = canonical(val);
		break;
	case IA32_FMASK:
	case IA32_TSC_AUX:
		ok = !(val >> 32);
		break;
	default: /* TSC, TSC_ADJUST, TSC_DEADLINE, STAR, SYSENTER_CS,
		  * APIC_BASE (checked by the local APIC) */
		ok = true;
		break;
	}
	return ok ? MSR_PASS : MSR_GP;
}

int msr_model_write(const struct msr_env *e, struct msr_store *s, u32 msr,
		    u64 val)
{
	const struct msr_entry *m = msr_lookup(msr);

	if (!m || !msr_present(e, m))
		return MSR_ABSENT;
	if (m->kind == MSR_GUEST || m->kind == MSR_WRITE_ONLY)
		return guest_write_ok(e, s, msr, val);
	if (is_var_mtrr(msr)) {
		if (!var_mtrr_ok(e, msr, val))
			return MSR_GP;
		s->mtrr_var[msr - IA32_MTRR_PHYSBASE0] = val;
		return MSR_DONE;
	}
	if (is_fixed_mtrr(msr)) {
		if (!fixed_ok(val))
			return MSR_GP;
		s->mtrr_fixed[fixed_slot(msr)] = val;
		return MSR_DONE;
	}
	switch (msr) {
	case IA32_BIOS_SIGN_ID: /* the microcode loader's "clear" */
		return MSR_DONE;
	case IA32_XSS: /* no supervisor component is advertised */
		return val ? MSR_GP : MSR_DONE;
	case IA32_MCG_STATUS:
		if (val & ~7ULL)
			return MSR_GP;
		s->mcg_status = val;
		return MSR_DONE;
	case IA32_MISC_ENABLE:
		if ((val ^ s->misc_enable) & ~MISC_WRITABLE)
			return MSR_GP;
		s->misc_enable = val;
		return MSR_DONE;
	case IA32_MTRR_DEF_TYPE:
		if ((val & ~0xcffULL) || !mtrr_type_ok((u8)val))
			return MSR_GP;
		s->mtrr_def_type = val;
		return MSR_DONE;
	default: /* the constants */
		return MSR_GP;
	}
}
