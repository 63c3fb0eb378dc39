/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID (vmm/cpu/cpuid_model.c) over fake hosts: a host with
 * every bit set (only listed bits come through), one with none (only the
 * bits mica provides itself), gated instructions, XCR0 and CR4 derived
 * from the list, leaf 0xD sizes, topology, past-the-end leaves and the
 * hypervisor leaves. The CPUID table of docs/guests.md must be the one
 * this program prints with --print-docs (SDM Vol 2A "CPUID").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/support/doc_table.h"
#include "test/unit/support/tap.h"
#include "vmm/cpu/cpuid_model.h"
#include "vmm/cpu/xcr0.h"

#define CR4_BIT(n) (1ULL << (n))

/* A fake host: which leaves it has and how their registers read. */
static struct {
	u32 max_basic, max_ext;
	u32 fill;      /* every feature register of every leaf */
	u64 xcr0;      /* leaf 0xD sub 0 EDX:EAX */
	bool no_pku;   /* leaf 7 ECX bit 3 clear */
	bool no_xsave; /* leaf 1 ECX bit 26 clear */
} host;

/* XSAVE component sizes and offsets (standard format) of a Tiger Lake. */
static const struct {
	u32 size, off, align;
} comp[10] = {
    [2] = {256, 576, 0},   [5] = {64, 1088, 1}, [6] = {512, 1152, 1},
    [7] = {1024, 1664, 1}, [9] = {8, 2688, 0},
};

static struct cpuid_regs fake(u32 leaf, u32 sub)
{
	u32 f = host.fill;
	struct cpuid_regs r = {f, f, f, f};

	if (leaf == 0)
		return (struct cpuid_regs){host.max_basic, 0x756e6547,
					   0x6c65746e, 0x49656e69};
	if (leaf == 0x80000000U)
		return (struct cpuid_regs){host.max_ext, 0, 0, 0};
	if (leaf < 0x80000000U ? leaf > host.max_basic : leaf > host.max_ext)
		return (struct cpuid_regs){0xdead, 0xdead, 0xdead, 0xdead};
	switch (leaf) {
	case 1:
		r.eax = 0x806c1; /* family 6 model 0x8c */
		r.ebx = 0x07100800;
		if (host.no_xsave)
			r.ecx &= ~BIT(26);
		return r;
	case 4:
		return (struct cpuid_regs){sub < 4 ? 0xfc004121U : 0, 0x1c0003f,
					   0x3f, 0};
	case 7:
		if (sub == 0) {
			r.eax = 1;
			if (host.no_pku)
				r.ecx &= ~BIT(3);
		}
		return r;
	case 0xd:
		if (sub == 0)
			return (struct cpuid_regs){(u32)host.xcr0, 2696, 2696,
						   (u32)(host.xcr0 >> 32)};
		if (sub == 1)
			return (struct cpuid_regs){0xf, 0, 0x1900, 0};
		if (sub < 10 && comp[sub].size)
			return (struct cpuid_regs){comp[sub].size,
						   comp[sub].off,
						   comp[sub].align << 1, 0};
		return (struct cpuid_regs){0, 0, 0, 0};
	case 0x80000008U:
		return (struct cpuid_regs){0x3027, f, 0, 0};
	default:
		return r;
	}
}

static const struct cpuid_state st0 = {0, XCR0_X87, 2000000000ULL, 7, 0, false};

static u32 reg(struct cpuid_regs r, unsigned n)
{
	return n == CPUID_EAX	? r.eax
	       : n == CPUID_EBX ? r.ebx
	       : n == CPUID_ECX ? r.ecx
				: r.edx;
}

static void host_all(u32 fill)
{
	host.max_basic = 0x20;
	host.max_ext = 0x80000008U;
	host.fill = fill;
	host.xcr0 = fill ? 0x602ff : 0; /* x87..AVX-512, MPX, PKRU, AMX */
	host.no_pku = host.no_xsave = false;
}

/* The bits of (leaf, sub, reg) the list says a guest of model m has. */
static u32 expect_word(u32 leaf, u32 sub, unsigned r, bool all_host, u32 ctls)
{
	u32 w = 0;

	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];

		if (f->leaf != leaf || f->sub != sub || f->reg != r)
			continue;
		if (f->how == CPUID_ON ||
		    (all_host &&
		     (f->how == CPUID_PASS ||
		      (f->how == CPUID_RDTSCP && (ctls & CPU_MODEL_RDTSCP)) ||
		      (f->how == CPUID_INVPCID && (ctls & CPU_MODEL_INVPCID)))))
			w |= BIT(f->bit);
	}
	return w;
}

static const struct {
	u32 leaf, sub;
} words[] = {{1, 0},   {6, 0},		 {7, 0},	   {7, 1},
	     {0xd, 1}, {0x80000001U, 0}, {0x80000007U, 0}, {0x80000008U, 0}};

/* Every register of every feature leaf: exactly the listed bits. */
static void test_allow_list(void)
{
	struct cpu_model m;
	struct cpuid_state st = st0;
	unsigned bad = 0, checked = 0;

	host_all(~0U);
	cpu_model_init(&m, fake, CPU_MODEL_RDTSCP | CPU_MODEL_INVPCID);
	for (unsigned i = 0; i < ARRAY_SIZE(words); i++) {
		struct cpuid_regs r =
		    cpu_model_cpuid(&m, fake, words[i].leaf, words[i].sub, &st);

		for (unsigned n = 0; n < 4; n++) {
			u32 want = expect_word(words[i].leaf, words[i].sub, n,
					       true, ~0U);
			u32 got = reg(r, n);

			/* non-feature fields of these leaves */
			if ((words[i].leaf == 1 && n <= CPUID_EBX) ||
			    (words[i].leaf == 7 && words[i].sub == 0 &&
			     n == CPUID_EAX) ||
			    (words[i].leaf == 0xd && n != CPUID_EAX) ||
			    (words[i].leaf == 0x80000001U && n == CPUID_EAX) ||
			    (words[i].leaf == 0x80000008U && n == CPUID_EAX))
				continue;
			checked++;
			if (got != want) {
				bad++;
				tap_diag("leaf %#x.%u reg %u: %#x, want %#x",
					 words[i].leaf, words[i].sub, n, got,
					 want);
			}
		}
	}
	tap_ok(bad == 0 && checked > 20,
	       "host with every bit set: %u feature registers hold exactly "
	       "the listed bits (%u listed features)",
	       checked, cpuid_nfeatures);

	host_all(0);
	cpu_model_init(&m, fake, CPU_MODEL_RDTSCP | CPU_MODEL_INVPCID);
	bad = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(words); i++)
		for (unsigned n = 0; n < 4; n++)
			if (m.words[i][n] != expect_word(words[i].leaf,
							 words[i].sub, n, false,
							 0))
				bad++;
	tap_ok(bad == 0 && cpu_model_has(&m, 1, 0, CPUID_ECX, 31) &&
		   cpu_model_has(&m, 1, 0, CPUID_ECX, 24) &&
		   cpu_model_has(&m, 7, 0, CPUID_EBX, 1) &&
		   !cpu_model_has(&m, 1, 0, CPUID_EDX, 0),
	       "host with no bit set: only what mica provides itself "
	       "(hypervisor, TSC-deadline, TSC_ADJUST, xAPIC, ...)");
	tap_ok(m.xcr0 == 0 && m.cr4 == (CR4_BIT(2) | CR4_BIT(8)),
	       "host with no bit set: no XSAVE component, CR4 only TSD and "
	       "PCE (cr4 %#llx)",
	       (unsigned long long)m.cr4);
}

/* Leaves whose every register reads 0 whatever the host has. */
static void test_hidden_leaves(void)
{
	static const u32 zero[] = {
	    3,	  5,	8,    9,    0xa,  0xc,	0xe,  0x10, 0x11, 0x12,
	    0x13, 0x14, 0x17, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x80000005U};
	struct cpu_model m;
	unsigned bad = 0;

	host_all(~0U);
	cpu_model_init(&m, fake, ~0U);
	for (unsigned i = 0; i < ARRAY_SIZE(zero); i++)
		for (u32 sub = 0; sub < 3; sub++) {
			struct cpuid_regs r =
			    cpu_model_cpuid(&m, fake, zero[i], sub, &st0);

			if (r.eax | r.ebx | r.ecx | r.edx) {
				bad++;
				tap_diag("leaf %#x.%u not zero", zero[i], sub);
			}
		}
	tap_ok(bad == 0,
	       "MONITOR, PMU, SGX, PT, DCA, RDT and the other undescribed "
	       "leaves read 0 on a host that has them all");
}

static void test_gates(void)
{
	struct cpu_model m;
	struct cpuid_state st = st0;
	struct cpuid_regs r;

	host_all(~0U);
	cpu_model_init(&m, fake, 0);
	tap_ok(!cpu_model_has(&m, 0x80000001U, 0, CPUID_EDX, 27) &&
		   !cpu_model_has(&m, 7, 0, CPUID_ECX, 22) &&
		   !cpu_model_has(&m, 7, 0, CPUID_EBX, 10),
	       "RDTSCP, RDPID and INVPCID absent when VM execution leaves "
	       "them #UD");
	cpu_model_init(&m, fake, CPU_MODEL_RDTSCP);
	tap_ok(cpu_model_has(&m, 0x80000001U, 0, CPUID_EDX, 27) &&
		   cpu_model_has(&m, 7, 0, CPUID_ECX, 22) &&
		   !cpu_model_has(&m, 7, 0, CPUID_EBX, 10),
	       "enable RDTSCP alone: RDTSCP and RDPID, no INVPCID");

	/* OSXSAVE and OSPKE show the guest's CR4, only when advertised */
	cpu_model_init(&m, fake, ~0U);
	r = cpu_model_cpuid(&m, fake, 1, 0, &st);
	tap_ok(!(r.ecx & BIT(27)), "OSXSAVE clear with CR4.OSXSAVE clear");
	st.cr4 = CR4_BIT(18) | CR4_BIT(22);
	r = cpu_model_cpuid(&m, fake, 1, 0, &st);
	tap_ok(r.ecx & BIT(27), "OSXSAVE set with CR4.OSXSAVE set");
	r = cpu_model_cpuid(&m, fake, 7, 0, &st);
	tap_ok((r.ecx & BIT(4)) && (r.ecx & BIT(3)),
	       "OSPKE set with CR4.PKE set");
	host.no_pku = true;
	cpu_model_init(&m, fake, ~0U);
	r = cpu_model_cpuid(&m, fake, 7, 0, &st);
	tap_ok(!(r.ecx & (BIT(3) | BIT(4))) && !(m.xcr0 & XCR0_PKRU) &&
		   !(m.cr4 & CR4_BIT(22)),
	       "host without PKU: no PKU, OSPKE, PKRU component or CR4.PKE");
	host.no_pku = false;
}

static void test_xsave(void)
{
	struct cpu_model m;
	struct cpuid_state st = st0;
	struct cpuid_regs r;

	host_all(~0U);
	cpu_model_init(&m, fake, ~0U);
	tap_ok(m.xcr0 ==
		   (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU),
	       "XCR0: x87, SSE, AVX, AVX-512 and PKRU of a host that also has "
	       "MPX and AMX (%#llx)",
	       (unsigned long long)m.xcr0);
	r = cpu_model_cpuid(&m, fake, 0xd, 0, &st);
	tap_ok(r.eax == (u32)m.xcr0 && r.edx == 0,
	       "leaf 0xD.0 EDX:EAX is the XCR0 XSETBV accepts");
	st.xcr0 = XCR0_X87 | XCR0_SSE | XCR0_AVX;
	r = cpu_model_cpuid(&m, fake, 0xd, 0, &st);
	tap_ok(r.ebx == 832 && r.ecx == 2696,
	       "leaf 0xD.0: EBX %u for XCR0 = x87|SSE|AVX (want 832), ECX %u "
	       "for every component (want 2696)",
	       r.ebx, r.ecx);
	st.xcr0 = 0xe7;
	r = cpu_model_cpuid(&m, fake, 0xd, 1, &st);
	/* 576 + 256, aligned 832, +64 = 896, +512 = 1408, +1024 = 2432 */
	tap_ok(r.eax == 0x7 && r.ebx == 2432 && r.ecx == 0 && r.edx == 0,
	       "leaf 0xD.1: XSAVEOPT/XSAVEC/XGETBV1, no XSAVES; compacted size "
	       "%u (want 2432); no IA32_XSS bits",
	       r.ebx);
	r = cpu_model_cpuid(&m, fake, 0xd, 3, &st);
	struct cpuid_regs r17 = cpu_model_cpuid(&m, fake, 0xd, 17, &st);
	struct cpuid_regs r2 = cpu_model_cpuid(&m, fake, 0xd, 2, &st);
	tap_ok(!(r.eax | r.ebx) && !(r17.eax | r17.ebx) && r2.eax == 256 &&
		   r2.ebx == 576,
	       "leaf 0xD: MPX and AMX sub-leaves 0, AVX's the host's");

	/* partial AVX-512 on the host: none of it */
	host.xcr0 = 0x67;
	cpu_model_init(&m, fake, ~0U);
	tap_ok(m.xcr0 == 0x7 && !cpu_model_has(&m, 7, 0, CPUID_EBX, 16),
	       "a host with only part of AVX-512's state: no AVX-512");
	/* no AVX state: no AVX, AVX2, FMA */
	host.xcr0 = 0x3;
	cpu_model_init(&m, fake, ~0U);
	tap_ok(!cpu_model_has(&m, 1, 0, CPUID_ECX, 28) &&
		   !cpu_model_has(&m, 7, 0, CPUID_EBX, 5) &&
		   !cpu_model_has(&m, 1, 0, CPUID_ECX, 12),
	       "no AVX state component: no AVX, AVX2 or FMA");
	host_all(~0U);
	host.no_xsave = true;
	cpu_model_init(&m, fake, ~0U);
	r = cpu_model_cpuid(&m, fake, 0xd, 0, &st0);
	tap_ok(m.xcr0 == 0 && !(r.eax | r.ebx | r.ecx | r.edx) &&
		   !(m.cr4 & CR4_BIT(18)) &&
		   !cpu_model_has(&m, 1, 0, CPUID_ECX, 28),
	       "host without XSAVE: leaf 0xD 0, no CR4.OSXSAVE, no AVX");
}

static void test_cr4(void)
{
	struct cpu_model m;
	u64 want = CR4_BIT(0) | CR4_BIT(1) | CR4_BIT(2) | CR4_BIT(3) |
		   CR4_BIT(4) | CR4_BIT(5) | CR4_BIT(6) | CR4_BIT(7) |
		   CR4_BIT(8) | CR4_BIT(9) | CR4_BIT(10) | CR4_BIT(11) |
		   CR4_BIT(12) | CR4_BIT(16) | CR4_BIT(17) | CR4_BIT(18) |
		   CR4_BIT(20) | CR4_BIT(21) | CR4_BIT(22);

	host_all(~0U);
	cpu_model_init(&m, fake, ~0U);
	tap_ok(m.cr4 == want,
	       "CR4 of a full host: every architectural bit but VMXE, SMXE, "
	       "CET, PKS and later (%#llx)",
	       (unsigned long long)m.cr4);
	host.fill = (u32)~BIT(17); /* no PCID (leaf 1 ECX 17) in any word */
	cpu_model_init(&m, fake, ~0U);
	tap_ok(!(m.cr4 & CR4_BIT(17)), "no PCID: CR4.PCIDE reserved");
}

static void test_leaves(void)
{
	struct cpu_model m;
	struct cpuid_regs r, top;
	unsigned bad = 0;

	host_all(~0U);
	cpu_model_init(&m, fake, ~0U);
	r = cpu_model_cpuid(&m, fake, 0, 0, &st0);
	tap_ok(r.eax == 0x1f && r.ebx == 0x756e6547,
	       "leaf 0: highest basic leaf 0x1f (host 0x20), vendor kept");
	r = cpu_model_cpuid(&m, fake, 1, 0, &st0);
	tap_ok(r.eax == 0x806c1 && (r.ebx >> 24) == 0 &&
		   ((r.ebx >> 16) & 0xff) == 1 && (r.ebx & 0xffff) == 0x0800,
	       "leaf 1: the host's signature, APIC ID 0, one logical "
	       "processor, CLFLUSH size kept (EBX %#x)",
	       r.ebx);
	r = cpu_model_cpuid(&m, fake, 4, 0, &st0);
	tap_ok(r.eax == 0x121,
	       "leaf 4: cache shared by no other thread or core (EAX %#x)",
	       r.eax);
	for (u32 leaf = 0xb; leaf <= 0x1f; leaf += 0x14) {
		r = cpu_model_cpuid(&m, fake, leaf, 0, &st0);
		bad +=
		    !(r.eax == 0 && r.ebx == 1 && r.ecx == 0x100 && r.edx == 0);
		r = cpu_model_cpuid(&m, fake, leaf, 1, &st0);
		bad +=
		    !(r.eax == 0 && r.ebx == 1 && r.ecx == 0x201 && r.edx == 0);
		r = cpu_model_cpuid(&m, fake, leaf, 2, &st0);
		bad += !(r.eax == 0 && r.ebx == 0 && r.ecx == 2 && r.edx == 0);
	}
	tap_ok(bad == 0,
	       "leaves 0xB and 0x1F: one thread of one core, x2APIC ID 0");
	top = cpu_model_cpuid(&m, fake, 0x1f, 1, &st0);
	r = cpu_model_cpuid(&m, fake, 0x25, 1, &st0);
	struct cpuid_regs re = cpu_model_cpuid(&m, fake, 0x80000009U, 1, &st0);
	tap_ok(!memcmp(&r, &top, sizeof(r)) && !memcmp(&re, &top, sizeof(r)),
	       "a leaf past the highest basic or extended one answers as the "
	       "highest basic leaf");
	r = cpu_model_cpuid(&m, fake, 0x80000008U, 0, &st0);
	tap_ok(r.eax == 0x3027 && r.ebx == BIT(9),
	       "leaf 0x80000008: the host's address sizes, WBNOINVD only");
	r = cpu_model_cpuid(&m, fake, 0x15, 0, &st0);
	tap_ok(r.eax == 1 && r.ebx == 1 && r.ecx == 2000000000U,
	       "leaf 0x15: the TSC as its own crystal");
	r = cpu_model_cpuid(&m, fake, 0x40000000U, 0, &st0);
	tap_ok(r.eax == 0x40000010U && r.ebx == 0x6163694dU && r.ecx == r.ebx &&
		   r.edx == r.ebx,
	       "leaf 0x40000000: \"MicaMicaMica\", highest leaf 0x40000010");
	r = cpu_model_cpuid(&m, fake, 0x40000001U, 0, &st0);
	struct cpuid_regs rt = cpu_model_cpuid(&m, fake, 0x40000010U, 0, &st0);
	struct cpuid_regs rz = cpu_model_cpuid(&m, fake, 0x40000005U, 0, &st0);
	tap_ok(r.eax == 7 && rt.eax == 2000000 && rt.ebx == 2000000 &&
		   !(rz.eax | rz.ebx | rz.ecx | rz.edx),
	       "hypervisor leaves: interface version, TSC and bus kHz, others "
	       "0");

	/* an old host: leaf 7 has no sub-leaf 1, highest leaf 0xd */
	host_all(~0U);
	host.max_basic = 0xd;
	cpu_model_init(&m, fake, ~0U);
	r = cpu_model_cpuid(&m, fake, 7, 0, &st0);
	struct cpuid_regs r71 = cpu_model_cpuid(&m, fake, 7, 1, &st0);
	struct cpuid_regs r15 = cpu_model_cpuid(&m, fake, 0x15, 0, &st0);
	struct cpuid_regs r0e = cpu_model_cpuid(&m, fake, 0xe, 0, &st0);
	struct cpuid_regs r16 = cpu_model_cpuid(&m, fake, 0x16, 0, &st0);
	tap_ok(m.max_basic == 0x15 && r.eax == 1 &&
		   r71.eax == expect_word(7, 1, CPUID_EAX, true, ~0U) &&
		   r15.eax == 1 && r15.ebx == 1 && r15.ecx == st0.tsc_hz &&
		   !(r0e.eax | r0e.ebx | r0e.ecx | r0e.edx) &&
		   !memcmp(&r16, &r15, sizeof(r15)),
	       "host with highest leaf 0xD: the guest's is 0x15 (the TSC "
	       "leaf), those between read 0, past it leaf 0x15");
}

/* cpu_model_needs: an answer computed with only the state it names is
 * the answer computed with all of it, for every leaf and sub-leaf. */
static void test_needs(void)
{
	const struct cpuid_state full = {
	    CR4_BIT(18) | CR4_BIT(22), 0xe7, 2000000000ULL, 7, 0, false};
	struct cpu_model m;
	unsigned bad = 0, n = 0;
	static const u32 base[] = {0, 0x40000000U, 0x80000000U};

	host_all(~0U);
	cpu_model_init(&m, fake, ~0U);
	for (unsigned b = 0; b < 3; b++) {
		for (u32 leaf = base[b]; leaf < base[b] + 0x30; leaf++) {
			unsigned needs = cpu_model_needs(leaf);
			struct cpuid_state lazy = full;

			if (!(needs & CPUID_NEEDS_CR4))
				lazy.cr4 = 0;
			if (!(needs & CPUID_NEEDS_XCR0))
				lazy.xcr0 = 0;
			for (u32 sub = 0; sub < 4; sub++, n++) {
				struct cpuid_regs a =
				    cpu_model_cpuid(&m, fake, leaf, sub, &full);
				struct cpuid_regs z =
				    cpu_model_cpuid(&m, fake, leaf, sub, &lazy);

				struct cpuid_regs c = cpu_model_compute(
				    &m, fake, leaf, sub, &full);

				bad += !!memcmp(&a, &z, sizeof(a));
				bad += !!memcmp(&a, &c, sizeof(a));
			}
		}
	}
	tap_ok(
	    !bad && m.cached,
	    "cpu_model_needs: %u of %u answers differ with only the state it "
	    "names or from the cache (%d leaves cached)",
	    bad, n, __builtin_popcountll(m.cached));
}

/* IA32_MISC_ENABLE (SDM Vol 4 Table 2-2): LIMIT_CPUID makes leaf 0 report
 * 2 and higher basic leaves answer as leaf 2; XD_DISABLE hides NX. The
 * cache is not used while either is set. */
static void test_misc_enable(void)
{
	struct cpuid_state lim = st0, xd = st0;
	struct cpu_model m;
	struct cpuid_regs r0, r2, r7, r81, e0, e81;

	host_all(~0U);
	cpu_model_init(&m, fake, ~0U);
	lim.misc_enable = MISC_ENABLE_LIMIT_CPUID;
	xd.misc_enable = MISC_ENABLE_XD_DISABLE;
	r0 = cpu_model_cpuid(&m, fake, 0, 0, &lim);
	r2 = cpu_model_cpuid(&m, fake, 2, 0, &lim);
	r7 = cpu_model_cpuid(&m, fake, 7, 0, &lim);
	r81 = cpu_model_cpuid(&m, fake, 0x80000001U, 0, &xd);
	e0 = cpu_model_cpuid(&m, fake, 0, 0, &st0);
	e81 = cpu_model_cpuid(&m, fake, 0x80000001U, 0, &st0);
	struct cpuid_state off = st0;

	off.apic_off = true;
	struct cpuid_regs r1 = cpu_model_cpuid(&m, fake, 1, 0, &off);
	struct cpuid_regs e1 = cpu_model_cpuid(&m, fake, 1, 0, &st0);

	tap_ok((e1.edx & BIT(9)) && r1.edx == (e1.edx & ~BIT(9)),
	       "IA32_APIC_BASE.EN = 0: CPUID.1:EDX.APIC reads 0");
	tap_ok(r0.eax == 2 && e0.eax == m.max_basic && r0.ebx == e0.ebx &&
		   !memcmp(&r7, &r2, sizeof(r2)) && (e81.edx & BIT(20)) &&
		   r81.edx == (e81.edx & ~BIT(20)),
	       "MISC_ENABLE: LIMIT_CPUID caps the basic leaves at 2, "
	       "XD_DISABLE clears CPUID.80000001H:EDX.NX");
}

/* ---------------------------------------------------------------- docs */

#define DOC_BEGIN                                                              \
	"<!-- cpuid-table: generated by test_cpuid_model --print-docs -->"
#define DOC_END "<!-- end of cpuid-table -->"

static const char *reg_name[4] = {"EAX", "EBX", "ECX", "EDX"};

static const char *how_text(const struct cpuid_feature *f)
{
	switch (f->how) {
	case CPUID_ON:
		return "always";
	case CPUID_OS:
		return "the guest's CR4";
	case CPUID_RDTSCP:
		return "host's, if RDTSCP is enabled";
	case CPUID_INVPCID:
		return "host's, if INVPCID is enabled";
	default:
		return "host's";
	}
}

/* The table as markdown into buf; returns its length. */
static size_t docs_table(char *buf, size_t n)
{
	size_t len = 0;

	len += (size_t)snprintf(buf + len, n - len,
				"| leaf | reg | bit | feature | value | behind "
				"it |\n|---|---|---|---|---|---|\n");
	for (unsigned i = 0; i < cpuid_nfeatures && len < n; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		char leaf[24];

		if (f->sub || f->leaf == 7)
			snprintf(leaf, sizeof(leaf), "0x%X.%u", f->leaf,
				 f->sub);
		else
			snprintf(leaf, sizeof(leaf), "0x%X", f->leaf);
		char need[40] = "";

		if (f->xcr0_need)
			snprintf(need, sizeof(need), ", XCR0 %#x",
				 (unsigned)f->xcr0_need);
		len += (size_t)snprintf(buf + len, n - len,
					"| %s | %s | %u | %s | %s%s | %s |\n",
					leaf, reg_name[f->reg], f->bit, f->name,
					how_text(f), need, f->backing);
	}
	return len;
}

static void test_docs(void)
{
	static char want[32768];
	const char *why = "";

	docs_table(want, sizeof(want));
	tap_ok(
	    doc_table_matches("docs/guests.md", DOC_BEGIN, DOC_END, want, &why),
	    "docs/guests.md's CPUID table is the model's (%u rows; "
	    "test_cpuid_model --print-docs prints it)%s%s",
	    cpuid_nfeatures, *why ? ": " : "", why);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--print-docs")) {
		static char buf[32768];

		docs_table(buf, sizeof(buf));
		printf("%s\n%s%s\n", DOC_BEGIN, buf, DOC_END);
		return 0;
	}
	test_allow_list();
	test_hidden_leaves();
	test_gates();
	test_xsave();
	test_cr4();
	test_leaves();
	test_needs();
	test_misc_enable();
	test_docs();
	return tap_done();
}
