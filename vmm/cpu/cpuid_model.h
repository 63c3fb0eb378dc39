/* SPDX-License-Identifier: MIT */
/*
 * The CPU a guest sees through CPUID (pure): an allow-list of the feature
 * bits mica virtualizes, each intersected with the host's, as KVM builds
 * its supported CPUID. A bit not in the list reads 0; each listed bit has
 * its state behind it (CR4 bits, MSRs in vmm/cpu/msr_model.c, XSAVE
 * components, instructions). The table is also the policy documented in
 * docs/guests.md ("CPUID"), which a host test checks against it.
 */
#ifndef MICA_VMM_CPU_CPUID_MODEL_H
#define MICA_VMM_CPU_CPUID_MODEL_H

#include "mm/base/types.h"

/* The host's CPUID (cpuid_count on hardware, a table in tests). */
typedef struct cpuid_regs (*cpuid_host_fn)(u32 leaf, u32 sub);

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* How a listed bit reaches the guest. */
enum cpuid_how {
	CPUID_PASS,    /* the host's bit */
	CPUID_ON,      /* always set: mica provides the feature itself */
	CPUID_OS,      /* mirrors the guest's CR4 bit (OSXSAVE, OSPKE) */
	CPUID_RDTSCP,  /* the host's, when VM execution enables RDTSCP */
	CPUID_INVPCID, /* the host's, when VM execution enables INVPCID */
};

struct cpuid_feature {
	u32 leaf;
	u8 sub, reg, bit, how;
	u8 cr4_bit;	  /* the CR4 bit it makes settable, or CPUID_NO_CR4 */
	u32 xcr0_need;	  /* XCR0 components it needs (0: none) */
	const char *name; /* as Linux's /proc/cpuinfo spells it */
	const char *backing; /* what mica has behind it (docs) */
};

#define CPUID_NO_CR4 0xff

extern const struct cpuid_feature cpuid_features[];
extern const unsigned cpuid_nfeatures;

/* The VM-execution controls that gate instructions (cpu_model_init). */
#define CPU_MODEL_RDTSCP  BIT(0)
#define CPU_MODEL_INVPCID BIT(1)

/* Highest leaves mica describes. */
#define CPUID_MAX_BASIC	   0x1fU
#define CPUID_MAX_EXTENDED 0x80000008U

/* The leaves that hold feature bits, in the order of cpu_model.words. */
#define CPUID_FEATURE_LEAVES 8

/* The guest's CPU, computed once from the host's. */
struct cpu_model {
	u32 max_basic, max_ext;
	u32 max_7_sub; /* leaf 7 EAX: highest sub-leaf */
	/* Feature words of each feature leaf, [leaf][reg]: the listed bits
	 * the guest has (CPUID_OS bits left clear). */
	u32 words[CPUID_FEATURE_LEAVES][4];
	u64 xcr0; /* XCR0 bits XSETBV accepts (leaf 0xD EDX:EAX) */
	u64 cr4;  /* CR4 bits a MOV to CR4 accepts */
	/* The answers that depend on neither sub-leaf nor state, computed
	 * once: leaf n below 0x20 in basic[n] when bit n of cached is set,
	 * leaf 0x80000000 + n in ext[n] when bit 32 + n is. */
	u64 cached;
	struct cpuid_regs basic[32], ext[9];
};

void cpu_model_init(struct cpu_model *m, cpuid_host_fn host, u32 ctls);

/* Whether the guest has the feature at leaf/sub, register reg, bit. */
bool cpu_model_has(const struct cpu_model *m, u32 leaf, u32 sub, unsigned reg,
		   unsigned bit);

/* IA32_MISC_ENABLE bits that change CPUID (SDM Vol 4 Table 2-2): the
 * highest basic leaf reads 2; the XD bit (NX) is hidden. */
#define MISC_ENABLE_LIMIT_CPUID BIT(22)
#define MISC_ENABLE_XD_DISABLE	BIT(34)
#define MISC_ENABLE_CPUID_BITS                                                 \
	(MISC_ENABLE_LIMIT_CPUID | MISC_ENABLE_XD_DISABLE)

/* The guest's state a CPUID answer depends on. */
struct cpuid_state {
	u64 cr4, xcr0;	 /* OSXSAVE/OSPKE; leaf 0xD's sizes */
	u64 tsc_hz;	 /* leaves 0x15 and 0x40000010 */
	u32 hc_version;	 /* leaf 0x40000001 */
	u64 misc_enable; /* IA32_MISC_ENABLE (MISC_ENABLE_CPUID_BITS) */
	bool apic_off;	 /* IA32_APIC_BASE.EN = 0: leaf 1 EDX.APIC reads 0 */
};

/* The parts of struct cpuid_state the answer for leaf needs: the others
 * may be left 0 (the exit path reads only what it must). */
#define CPUID_NEEDS_CR4	 BIT(0)
#define CPUID_NEEDS_XCR0 BIT(1)
unsigned cpu_model_needs(u32 leaf);

/* CPUID as the guest sees it (computed; cpu_model_cpuid looks in the
 * cache first). */
struct cpuid_regs cpu_model_compute(const struct cpu_model *m,
				    cpuid_host_fn host, u32 leaf, u32 sub,
				    const struct cpuid_state *st);

/* The cached answer for leaf, valid while IA32_MISC_ENABLE has none of
 * MISC_ENABLE_CPUID_BITS: true and *r set, or false. */
static inline bool cpu_model_cached(const struct cpu_model *m, u32 leaf,
				    struct cpuid_regs *r)
{
	if (leaf < 32 && (m->cached & BIT(leaf))) {
		*r = m->basic[leaf];
		return true;
	}
	if (leaf - 0x80000000U < 9 &&
	    (m->cached & BIT(32 + (leaf - 0x80000000U)))) {
		*r = m->ext[leaf - 0x80000000U];
		return true;
	}
	return false;
}

static inline struct cpuid_regs cpu_model_cpuid(const struct cpu_model *m,
						cpuid_host_fn host, u32 leaf,
						u32 sub,
						const struct cpuid_state *st)
{
	struct cpuid_regs r;

	if (!(st->misc_enable & MISC_ENABLE_CPUID_BITS) &&
	    cpu_model_cached(m, leaf, &r))
		return r;
	return cpu_model_compute(m, host, leaf, sub, st);
}

#endif /* MICA_VMM_CPU_CPUID_MODEL_H */
