/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID: the allow-list and the leaves around it. Bit
 * positions: SDM Vol 2A "CPUID—CPU Identification", Tables 3-8 to 3-11
 * and the leaf 7 / 0xD / 0x80000001 descriptions; names as Linux's
 * arch/x86/include/asm/cpufeatures.h spells them in /proc/cpuinfo.
 */
#include "vmm/cpu/cpuid_model.h"
#include "vmm/cpu/xcr0.h"

/* CR4 bit numbers (SDM Vol 3A 2.5). */
enum {
	CR4B_VME = 0,
	CR4B_PVI = 1,
	CR4B_TSD = 2,
	CR4B_DE = 3,
	CR4B_PSE = 4,
	CR4B_PAE = 5,
	CR4B_MCE = 6,
	CR4B_PGE = 7,
	CR4B_PCE = 8,
	CR4B_OSFXSR = 9,
	CR4B_OSXMMEXCPT = 10,
	CR4B_UMIP = 11,
	CR4B_LA57 = 12,
	CR4B_FSGSBASE = 16,
	CR4B_PCIDE = 17,
	CR4B_OSXSAVE = 18,
	CR4B_SMEP = 20,
	CR4B_SMAP = 21,
	CR4B_PKE = 22,
};

/* The XCR0 components a guest may enable: x87, SSE, AVX, AVX-512 and PKRU
 * (no MPX, AMX or supervisor state). */
#define XS_USER (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)

static const struct {
	u32 leaf, sub;
} feature_leaves[CPUID_FEATURE_LEAVES] = {
    {1, 0},   {6, 0},	       {7, 0},		{7, 1},
    {0xd, 1}, {0x80000001, 0}, {0x80000007, 0}, {0x80000008, 0},
};

#define F(l, s, r, b, h, c, x, n, what)                                        \
	{                                                                      \
		l, s, CPUID_##r, b, CPUID_##h, c, x, n, what                   \
	}
#define NO CPUID_NO_CR4

const struct cpuid_feature cpuid_features[] = {
    /* Leaf 1 EDX */
    F(1, 0, EDX, 0, PASS, NO, 0, "fpu", "x87 state, switched with XSAVE"),
    F(1, 0, EDX, 1, PASS, CR4B_VME, 0, "vme", "CR4.VME and CR4.PVI"),
    F(1, 0, EDX, 2, PASS, CR4B_DE, 0, "de", "CR4.DE"),
    F(1, 0, EDX, 3, PASS, CR4B_PSE, 0, "pse", "CR4.PSE, 4 MiB pages"),
    F(1, 0, EDX, 4, ON, NO, 0, "tsc", "RDTSC with the VM's TSC offset"),
    F(1, 0, EDX, 5, ON, NO, 0, "msr", "the MSR table below"),
    F(1, 0, EDX, 6, PASS, CR4B_PAE, 0, "pae", "CR4.PAE, PDPTEs"),
    F(1, 0, EDX, 7, PASS, CR4B_MCE, 0, "mce", "CR4.MCE; no machine check"),
    F(1, 0, EDX, 8, PASS, NO, 0, "cx8", "CMPXCHG8B"),
    F(1, 0, EDX, 9, ON, NO, 0, "apic", "the xAPIC at 0xFEE00000"),
    F(1, 0, EDX, 11, PASS, NO, 0, "sep", "SYSENTER MSRs in the VMCS"),
    F(1, 0, EDX, 12, PASS, NO, 0, "mtrr", "MTRR MSRs, stored"),
    F(1, 0, EDX, 13, PASS, CR4B_PGE, 0, "pge", "CR4.PGE"),
    F(1, 0, EDX, 14, PASS, NO, 0, "mca", "IA32_MCG_CAP: no banks"),
    F(1, 0, EDX, 15, PASS, NO, 0, "cmov", "instruction"),
    F(1, 0, EDX, 16, PASS, NO, 0, "pat", "IA32_PAT in the VMCS"),
    F(1, 0, EDX, 17, PASS, NO, 0, "pse36", "36-bit 4 MiB pages"),
    F(1, 0, EDX, 19, PASS, NO, 0, "clflush", "instruction"),
    F(1, 0, EDX, 23, PASS, NO, 0, "mmx", "instructions, x87 state"),
    F(1, 0, EDX, 24, PASS, CR4B_OSFXSR, 0, "fxsr", "CR4.OSFXSR, FXSAVE"),
    F(1, 0, EDX, 25, PASS, CR4B_OSXMMEXCPT, 0, "sse", "CR4.OSXMMEXCPT"),
    F(1, 0, EDX, 26, PASS, NO, 0, "sse2", "instructions"),
    F(1, 0, EDX, 27, PASS, NO, 0, "ss", "self-snoop (a property)"),
    /* Leaf 1 ECX */
    F(1, 0, ECX, 0, PASS, NO, 0, "pni", "SSE3 instructions"),
    F(1, 0, ECX, 1, PASS, NO, 0, "pclmulqdq", "instruction"),
    F(1, 0, ECX, 9, PASS, NO, 0, "ssse3", "instructions"),
    F(1, 0, ECX, 12, PASS, NO, XCR0_AVX, "fma", "instructions, AVX state"),
    F(1, 0, ECX, 13, PASS, NO, 0, "cx16", "CMPXCHG16B"),
    F(1, 0, ECX, 17, PASS, CR4B_PCIDE, 0, "pcid", "CR4.PCIDE, CR3 no-flush"),
    F(1, 0, ECX, 19, PASS, NO, 0, "sse4_1", "instructions"),
    F(1, 0, ECX, 20, PASS, NO, 0, "sse4_2", "instructions"),
    F(1, 0, ECX, 22, PASS, NO, 0, "movbe", "instruction"),
    F(1, 0, ECX, 23, PASS, NO, 0, "popcnt", "instruction"),
    F(1, 0, ECX, 24, ON, NO, 0, "tsc_deadline_timer",
      "the xAPIC timer's TSC-deadline mode"),
    F(1, 0, ECX, 25, PASS, NO, 0, "aes", "instructions"),
    F(1, 0, ECX, 26, PASS, CR4B_OSXSAVE, 0, "xsave",
      "CR4.OSXSAVE, XSETBV within leaf 0xD"),
    F(1, 0, ECX, 27, OS, NO, 0, "osxsave", "the guest's CR4.OSXSAVE"),
    F(1, 0, ECX, 28, PASS, NO, XCR0_AVX, "avx", "XCR0 bit 2"),
    F(1, 0, ECX, 29, PASS, NO, XCR0_AVX, "f16c", "instructions, AVX state"),
    F(1, 0, ECX, 30, PASS, NO, 0, "rdrand", "instruction"),
    F(1, 0, ECX, 31, ON, NO, 0, "hypervisor", "leaves 0x40000000 up"),
    /* Leaf 6 EAX */
    F(6, 0, EAX, 2, ON, NO, 0, "arat",
      "the APIC timer runs in every idle state"),
    /* Leaf 7 sub-leaf 0 EBX */
    F(7, 0, EBX, 0, PASS, CR4B_FSGSBASE, 0, "fsgsbase", "CR4.FSGSBASE"),
    F(7, 0, EBX, 1, ON, NO, 0, "tsc_adjust", "IA32_TSC_ADJUST"),
    F(7, 0, EBX, 3, PASS, NO, 0, "bmi1", "instructions"),
    F(7, 0, EBX, 4, PASS, NO, 0, "hle", "TSX, run natively"),
    F(7, 0, EBX, 5, PASS, NO, XCR0_AVX, "avx2", "instructions, AVX state"),
    F(7, 0, EBX, 7, PASS, CR4B_SMEP, 0, "smep", "CR4.SMEP, in the walker"),
    F(7, 0, EBX, 8, PASS, NO, 0, "bmi2", "instructions"),
    F(7, 0, EBX, 9, PASS, NO, 0, "erms", "REP MOVSB/STOSB (a property)"),
    F(7, 0, EBX, 10, INVPCID, NO, 0, "invpcid", "enable INVPCID"),
    F(7, 0, EBX, 11, PASS, NO, 0, "rtm", "TSX, run natively"),
    F(7, 0, EBX, 16, PASS, NO, XCR0_AVX512, "avx512f", "XCR0 bits 5-7"),
    F(7, 0, EBX, 17, PASS, NO, XCR0_AVX512, "avx512dq", "AVX-512 state"),
    F(7, 0, EBX, 18, PASS, NO, 0, "rdseed", "instruction"),
    F(7, 0, EBX, 19, PASS, NO, 0, "adx", "instructions"),
    F(7, 0, EBX, 20, PASS, CR4B_SMAP, 0, "smap", "CR4.SMAP, in the walker"),
    F(7, 0, EBX, 21, PASS, NO, XCR0_AVX512, "avx512ifma", "AVX-512 state"),
    F(7, 0, EBX, 23, PASS, NO, 0, "clflushopt", "instruction"),
    F(7, 0, EBX, 24, PASS, NO, 0, "clwb", "instruction"),
    F(7, 0, EBX, 28, PASS, NO, XCR0_AVX512, "avx512cd", "AVX-512 state"),
    F(7, 0, EBX, 29, PASS, NO, 0, "sha_ni", "instructions"),
    F(7, 0, EBX, 30, PASS, NO, XCR0_AVX512, "avx512bw", "AVX-512 state"),
    F(7, 0, EBX, 31, PASS, NO, XCR0_AVX512, "avx512vl", "AVX-512 state"),
    /* Leaf 7 sub-leaf 0 ECX */
    F(7, 0, ECX, 1, PASS, NO, XCR0_AVX512, "avx512vbmi", "AVX-512 state"),
    F(7, 0, ECX, 2, PASS, CR4B_UMIP, 0, "umip", "CR4.UMIP"),
    F(7, 0, ECX, 3, PASS, CR4B_PKE, XCR0_PKRU, "pku",
      "CR4.PKE, PKRU, keys in the walker"),
    F(7, 0, ECX, 4, OS, NO, 0, "ospke", "the guest's CR4.PKE"),
    F(7, 0, ECX, 6, PASS, NO, XCR0_AVX512, "avx512_vbmi2", "AVX-512 state"),
    F(7, 0, ECX, 8, PASS, NO, 0, "gfni", "instructions"),
    F(7, 0, ECX, 9, PASS, NO, XCR0_AVX, "vaes", "instructions, AVX state"),
    F(7, 0, ECX, 10, PASS, NO, XCR0_AVX, "vpclmulqdq", "AVX state"),
    F(7, 0, ECX, 11, PASS, NO, XCR0_AVX512, "avx512_vnni", "AVX-512 state"),
    F(7, 0, ECX, 12, PASS, NO, XCR0_AVX512, "avx512_bitalg", "AVX-512 state"),
    F(7, 0, ECX, 14, PASS, NO, XCR0_AVX512, "avx512_vpopcntdq",
      "AVX-512 state"),
    F(7, 0, ECX, 16, PASS, CR4B_LA57, 0, "la57",
      "CR4.LA57, 5-level paging in the walker"),
    F(7, 0, ECX, 22, RDTSCP, NO, 0, "rdpid", "enable RDTSCP, IA32_TSC_AUX"),
    F(7, 0, ECX, 25, PASS, NO, 0, "cldemote", "instruction (a hint)"),
    F(7, 0, ECX, 27, PASS, NO, 0, "movdiri", "instruction"),
    F(7, 0, ECX, 28, PASS, NO, 0, "movdir64b", "instruction"),
    /* Leaf 7 sub-leaf 0 EDX */
    F(7, 0, EDX, 4, PASS, NO, 0, "fsrm", "REP MOVSB (a property)"),
    F(7, 0, EDX, 8, PASS, NO, XCR0_AVX512, "avx512_vp2intersect",
      "AVX-512 state"),
    F(7, 0, EDX, 10, PASS, NO, 0, "md_clear", "VERW, run natively"),
    F(7, 0, EDX, 14, PASS, NO, 0, "serialize", "instruction"),
    F(7, 0, EDX, 23, PASS, NO, XCR0_AVX512, "avx512_fp16", "AVX-512 state"),
    F(7, 0, EDX, 26, PASS, NO, 0, "spec_ctrl",
      "IA32_SPEC_CTRL.IBRS, IA32_PRED_CMD"),
    F(7, 0, EDX, 27, PASS, NO, 0, "intel_stibp", "IA32_SPEC_CTRL.STIBP"),
    F(7, 0, EDX, 28, PASS, NO, 0, "flush_l1d", "IA32_FLUSH_CMD"),
    F(7, 0, EDX, 29, PASS, NO, 0, "arch_capabilities",
      "IA32_ARCH_CAPABILITIES, the host's"),
    F(7, 0, EDX, 31, PASS, NO, 0, "ssbd", "IA32_SPEC_CTRL.SSBD"),
    /* Leaf 7 sub-leaf 1 EAX */
    F(7, 1, EAX, 4, PASS, NO, XCR0_AVX, "avx_vnni", "instructions, AVX state"),
    F(7, 1, EAX, 5, PASS, NO, XCR0_AVX512, "avx512_bf16", "AVX-512 state"),
    F(7, 1, EAX, 10, PASS, NO, 0, "fzrm", "REP MOVSB (a property)"),
    F(7, 1, EAX, 11, PASS, NO, 0, "fsrs", "REP STOSB (a property)"),
    F(7, 1, EAX, 12, PASS, NO, 0, "fsrc", "REP CMPSB (a property)"),
    /* Leaf 0xD sub-leaf 1 EAX */
    F(0xd, 1, EAX, 0, PASS, NO, XCR0_X87, "xsaveopt", "instruction"),
    F(0xd, 1, EAX, 1, PASS, NO, XCR0_X87, "xsavec", "instruction"),
    F(0xd, 1, EAX, 2, PASS, NO, XCR0_X87, "xgetbv1", "XGETBV with ECX = 1"),
    /* Leaf 0x80000001 ECX and EDX */
    F(0x80000001, 0, ECX, 0, PASS, NO, 0, "lahf_lm", "LAHF/SAHF in 64-bit"),
    F(0x80000001, 0, ECX, 5, PASS, NO, 0, "abm", "LZCNT"),
    F(0x80000001, 0, ECX, 8, PASS, NO, 0, "3dnowprefetch", "PREFETCHW"),
    F(0x80000001, 0, EDX, 11, PASS, NO, 0, "syscall", "EFER.SCE, STAR..."),
    F(0x80000001, 0, EDX, 20, PASS, NO, 0, "nx", "EFER.NXE, in the walker"),
    F(0x80000001, 0, EDX, 26, PASS, NO, 0, "pdpe1gb", "1 GiB pages"),
    F(0x80000001, 0, EDX, 27, RDTSCP, NO, 0, "rdtscp",
      "enable RDTSCP, IA32_TSC_AUX"),
    F(0x80000001, 0, EDX, 29, PASS, NO, 0, "lm", "IA-32e mode"),
    /* Leaves 0x80000007 EDX, 0x80000008 EBX */
    F(0x80000007, 0, EDX, 8, PASS, NO, 0, "constant_tsc",
      "invariant TSC, the host's plus an offset"),
    F(0x80000008, 0, EBX, 9, PASS, NO, 0, "wbnoinvd", "exits as WBINVD"),
};

const unsigned cpuid_nfeatures = ARRAY_SIZE(cpuid_features);

static int word_index(u32 leaf, u32 sub)
{
	for (int i = 0; i < CPUID_FEATURE_LEAVES; i++)
		if (feature_leaves[i].leaf == leaf &&
		    feature_leaves[i].sub == sub)
			return i;
	return -1;
}

static u32 reg_of(const struct cpuid_regs *r, unsigned reg)
{
	switch (reg) {
	case CPUID_EAX:
		return r->eax;
	case CPUID_EBX:
		return r->ebx;
	case CPUID_ECX:
		return r->ecx;
	default:
		return r->edx;
	}
}

static u32 *reg_ptr(struct cpuid_regs *r, unsigned reg)
{
	switch (reg) {
	case CPUID_EAX:
		return &r->eax;
	case CPUID_EBX:
		return &r->ebx;
	case CPUID_ECX:
		return &r->ecx;
	default:
		return &r->edx;
	}
}

/* The host's leaf, or zeros past its highest leaf of that range. */
static struct cpuid_regs host_leaf(cpuid_host_fn host, u32 leaf, u32 sub)
{
	u32 max = host(leaf & 0x80000000U, 0).eax;

	if (leaf > max)
		return (struct cpuid_regs){0, 0, 0, 0};
	return host(leaf, sub);
}

static bool has_feature(const struct cpuid_feature *f, struct cpuid_regs h,
			u32 ctls, u64 xcr0)
{
	bool host_bit = reg_of(&h, f->reg) & BIT(f->bit);

	if ((xcr0 & f->xcr0_need) != f->xcr0_need)
		return false;
	switch (f->how) {
	case CPUID_ON:
		return true;
	case CPUID_RDTSCP:
		return host_bit && (ctls & CPU_MODEL_RDTSCP);
	case CPUID_INVPCID:
		return host_bit && (ctls & CPU_MODEL_INVPCID);
	case CPUID_OS:
		return false;
	default:
		return host_bit;
	}
}

/* Whether cpu_model_compute's answer for leaf depends on the sub-leaf or
 * the guest's state (leaf 1: OSXSAVE; 0x15: the TSC's rate). */
static bool leaf_varies(u32 leaf)
{
	switch (leaf) {
	case 1:
	case 4:
	case 7:
	case 0xb:
	case 0xd:
	case 0x15:
	case 0x16:
	case 0x18:
	case 0x1f:
		return true;
	default:
		return false;
	}
}

static void fill_cache(struct cpu_model *m, cpuid_host_fn host)
{
	const struct cpuid_state none = {0, 0, 0, 0, 0, false};

	m->cached = 0;
	for (u32 n = 0; n <= m->max_basic && n < 32; n++) {
		if (leaf_varies(n))
			continue;
		m->basic[n] = cpu_model_compute(m, host, n, 0, &none);
		m->cached |= BIT(n);
	}
	for (u32 n = 0; n <= m->max_ext - 0x80000000U && n < 9; n++) {
		m->ext[n] =
		    cpu_model_compute(m, host, 0x80000000U + n, 0, &none);
		m->cached |= BIT(32 + n);
	}
}

void cpu_model_init(struct cpu_model *m, cpuid_host_fn host, u32 ctls)
{
	struct cpuid_regs hl[CPUID_FEATURE_LEAVES], d;
	u32 host_max = host(0, 0).eax, host_ext = host(0x80000000U, 0).eax;
	bool xsave;

	*m = (struct cpu_model){0};
	m->max_basic = host_max < CPUID_MAX_BASIC ? host_max : CPUID_MAX_BASIC;
	/* Leaf 0x15 is mica's own (the TSC's rate): there even where the
	 * host stops earlier; the leaves between read 0. */
	if (m->max_basic < 0x15)
		m->max_basic = 0x15;
	m->max_ext =
	    host_ext < CPUID_MAX_EXTENDED ? host_ext : CPUID_MAX_EXTENDED;
	if (m->max_ext < 0x80000000U)
		m->max_ext = 0x80000000U;
	for (int i = 0; i < CPUID_FEATURE_LEAVES; i++)
		hl[i] = host_leaf(host, feature_leaves[i].leaf,
				  feature_leaves[i].sub);
	m->max_7_sub = host_leaf(host, 7, 0).eax >= 1 ? 1 : 0;
	if (!m->max_7_sub)
		hl[word_index(7, 1)] = (struct cpuid_regs){0, 0, 0, 0};

	/* XSAVE components: x87 and SSE, AVX, AVX-512 and PKRU, as far as
	 * the host has them and their feature bit is listed (no MPX, AMX or
	 * supervisor state). */
	xsave = hl[0].ecx & BIT(26);
	d = xsave ? host_leaf(host, 0xd, 0) : (struct cpuid_regs){0, 0, 0, 0};
	m->xcr0 = (((u64)d.edx << 32) | d.eax) & XS_USER;
	if ((m->xcr0 & XCR0_AVX512) != XCR0_AVX512 || !(m->xcr0 & XCR0_AVX))
		m->xcr0 &= ~(u64)XCR0_AVX512;
	if (!(hl[word_index(7, 0)].ecx & BIT(3)))
		m->xcr0 &= ~(u64)XCR0_PKRU;

	m->cr4 = BIT(CR4B_TSD) | BIT(CR4B_PCE);
	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		int w = word_index(f->leaf, f->sub);

		if (w < 0 || !has_feature(f, hl[w], ctls, m->xcr0))
			continue;
		m->words[w][f->reg] |= BIT(f->bit);
		if (f->cr4_bit != CPUID_NO_CR4)
			m->cr4 |= BIT(f->cr4_bit);
		if (f->cr4_bit == CR4B_VME)
			m->cr4 |= BIT(CR4B_PVI);
	}
	if (!(m->words[0][CPUID_ECX] & BIT(26)))
		m->xcr0 = 0;
	fill_cache(m, host);
}

bool cpu_model_has(const struct cpu_model *m, u32 leaf, u32 sub, unsigned reg,
		   unsigned bit)
{
	int w = word_index(leaf, sub);

	return w >= 0 && reg < 4 && bit < 32 && (m->words[w][reg] & BIT(bit));
}

/* XSAVE area size for the components in mask: standard format (offsets
 * from leaf 0xD), or compacted (SDM Vol 1 13.4.3). */
static u32 xsave_size(cpuid_host_fn host, u64 mask, bool compacted)
{
	u32 size = 576; /* legacy region and header */

	for (unsigned i = 2; i < 63; i++) {
		struct cpuid_regs c;

		if (!(mask & BIT(i)))
			continue;
		c = host_leaf(host, 0xd, i);
		if (!compacted) {
			if (c.ebx + c.eax > size)
				size = c.ebx + c.eax;
			continue;
		}
		if (c.ecx & 2) /* aligned to 64 bytes when compacted */
			size = (size + 63) & ~63U;
		size += c.eax;
	}
	return size;
}

static struct cpuid_regs leaf_xsave(const struct cpu_model *m,
				    cpuid_host_fn host, u32 sub, u64 xcr0)
{
	struct cpuid_regs r = {0, 0, 0, 0};

	if (!m->xcr0)
		return r;
	xcr0 &= m->xcr0;
	if (sub == 0) {
		r.eax = (u32)m->xcr0;
		r.edx = (u32)(m->xcr0 >> 32);
		r.ebx = xsave_size(host, xcr0, false);
		r.ecx = xsave_size(host, m->xcr0, false);
	} else if (sub == 1) {
		r.eax = m->words[word_index(0xd, 1)][CPUID_EAX];
		if (r.eax & BIT(1))
			r.ebx = xsave_size(host, xcr0, true);
	} else if (sub < 63 && (m->xcr0 & BIT(sub))) {
		r = host_leaf(host, 0xd, sub);
	}
	return r;
}

/* Leaves 0xB and 0x1F: one logical processor, x2APIC ID 0 (SDM Vol 3A
 * 9.9 "Programming Considerations for Hardware Multi-Threading"). */
static struct cpuid_regs leaf_topology(u32 sub)
{
	if (sub == 0) /* SMT level: 1 thread */
		return (struct cpuid_regs){0, 1, 0 | (1U << 8), 0};
	if (sub == 1) /* core level: 1 core */
		return (struct cpuid_regs){0, 1, 1 | (2U << 8), 0};
	return (struct cpuid_regs){0, 0, sub & 0xff, 0};
}

static struct cpuid_regs feature_leaf(const struct cpu_model *m, int w)
{
	struct cpuid_regs r;

	for (unsigned reg = 0; reg < 4; reg++)
		*reg_ptr(&r, reg) = m->words[w][reg];
	return r;
}

#define HV_LEAF_BASE	 0x40000000U
#define HV_LEAF_FEATURES 0x40000001U
#define HV_LEAF_TIMING	 0x40000010U
#define HV_SIG		 0x6163694dU /* "Mica" */

static struct cpuid_regs hypervisor_leaf(u32 leaf, const struct cpuid_state *st)
{
	switch (leaf) {
	case HV_LEAF_BASE: /* highest leaf, "MicaMicaMica" */
		return (struct cpuid_regs){HV_LEAF_TIMING, HV_SIG, HV_SIG,
					   HV_SIG};
	case HV_LEAF_FEATURES:
		return (struct cpuid_regs){st->hc_version, 0, 0, 0};
	case HV_LEAF_TIMING: /* TSC and bus kHz, as VMware and KVM define */
		return (struct cpuid_regs){(u32)(st->tsc_hz / 1000),
					   (u32)(st->tsc_hz / 1000), 0, 0};
	default:
		return (struct cpuid_regs){0, 0, 0, 0};
	}
}

unsigned cpu_model_needs(u32 leaf)
{
	/* (a leaf past the highest answers as leaf 0x15 or above, which
	 * needs neither) */
	if (leaf == 1 || leaf == 7)
		return CPUID_NEEDS_CR4;
	return leaf == 0xd ? CPUID_NEEDS_XCR0 : 0;
}

struct cpuid_regs cpu_model_compute(const struct cpu_model *m,
				    cpuid_host_fn host, u32 leaf, u32 sub,
				    const struct cpuid_state *st)
{
	struct cpuid_regs r = {0, 0, 0, 0};
	/* IA32_MISC_ENABLE.LIMIT_CPUID: leaf 0 reports at most 2 */
	u32 max_basic =
	    (st->misc_enable & MISC_ENABLE_LIMIT_CPUID) && m->max_basic > 2
		? 2
		: m->max_basic;

	if ((leaf & 0xf0000000U) == HV_LEAF_BASE)
		return hypervisor_leaf(leaf, st);
	/* Past the highest leaf of its range, Intel CPUs answer with the
	 * highest basic leaf (SDM Vol 2A, CPUID, "INPUT EAX = 0"). */
	if ((leaf < 0x80000000U && leaf > max_basic) ||
	    (leaf >= 0x80000000U && leaf > m->max_ext)) {
		leaf = max_basic;
	}
	switch (leaf) {
	case 0:
		r = host(0, 0);
		r.eax = max_basic;
		return r;
	case 1:
		r = feature_leaf(m, word_index(1, 0));
		r.eax = host(1, 0).eax;
		/* brand index and CLFLUSH size; one logical processor,
		 * APIC ID 0 */
		r.ebx = (host(1, 0).ebx & 0xffff) | (1U << 16);
		if (st->cr4 & BIT(CR4B_OSXSAVE) && (r.ecx & BIT(26)))
			r.ecx |= BIT(27);
		/* a globally disabled local APIC is absent (SDM Vol 3A
		 * 11.4.3) */
		if (st->apic_off)
			r.edx &= ~BIT(9);
		return r;
	case 2: /* cache and TLB descriptors */
		return host_leaf(host, 2, 0);
	case 4: /* caches: shared by no other thread or core here */
		r = host_leaf(host, 4, sub);
		r.eax &= 0x3fff;
		return r;
	case 6:
		return feature_leaf(m, word_index(6, 0));
	case 7:
		if (sub == 0) {
			r = feature_leaf(m, word_index(7, 0));
			r.eax = m->max_7_sub;
			if (st->cr4 & BIT(CR4B_PKE) && (r.ecx & BIT(3)))
				r.ecx |= BIT(4);
		} else if (sub == 1 && m->max_7_sub) {
			r.eax = m->words[word_index(7, 1)][CPUID_EAX];
		}
		return r;
	case 0xb:
	case 0x1f:
		return leaf_topology(sub);
	case 0xd:
		return leaf_xsave(m, host, sub, st->xcr0);
	case 0x15:
		/* The local APIC timer counts the TSC: the "crystal" is the
		 * TSC, ratio 1/1 (SDM Vol 3B 18.7.3); not enumerated past 32
		 * bits of Hz. */
		if (!(st->tsc_hz >> 32))
			r = (struct cpuid_regs){1, 1, (u32)st->tsc_hz, 0};
		return r;
	case 0x16: /* processor frequencies, informational */
	case 0x18: /* address translation parameters */
		return host_leaf(host, leaf, sub);
	case 0x80000000U:
		r = host(0x80000000U, 0);
		r.eax = m->max_ext;
		return r;
	case 0x80000001U:
		r = feature_leaf(m, word_index(0x80000001U, 0));
		r.eax = host_leaf(host, leaf, 0).eax;
		/* IA32_MISC_ENABLE.XD_DISABLE hides NX */
		if (st->misc_enable & MISC_ENABLE_XD_DISABLE)
			r.edx &= ~BIT(20);
		return r;
	case 0x80000002U: /* brand string */
	case 0x80000003U:
	case 0x80000004U:
	case 0x80000006U: /* L2 cache */
		return host_leaf(host, leaf, 0);
	case 0x80000007U:
		return feature_leaf(m, word_index(0x80000007U, 0));
	case 0x80000008U:
		r = feature_leaf(m, word_index(0x80000008U, 0));
		/* physical and linear address bits: the host's */
		r.eax = host_leaf(host, leaf, 0).eax & 0xffff;
		return r;
	default: /* leaves mica does not describe read 0 */
		return r;
	}
}
