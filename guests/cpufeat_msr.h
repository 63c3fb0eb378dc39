/* SPDX-License-Identifier: MIT */
/*
 * The MSR checks of the cpufeat guest (guests/cpufeat.c): each MSR of SDM
 * Vol 4 Table 2-2 that a CPUID bit gates is present exactly when the bit
 * is set, reads back what was written, and refuses reserved bits and
 * values with #GP(0). Included once, by cpufeat.c, after its helpers.
 */
#ifndef MICA_GUESTS_CPUFEAT_MSR_H
#define MICA_GUESTS_CPUFEAT_MSR_H

#define MSR_TSC		0x10
#define MSR_APIC_BASE	0x1b
#define MSR_FEAT_CTL	0x3a
#define MSR_TSC_ADJUST	0x3b
#define MSR_SPEC_CTRL	0x48
#define MSR_PRED_CMD	0x49
#define MSR_BIOS_SIGN	0x8b
#define MSR_MTRRCAP	0xfe
#define MSR_ARCH_CAP	0x10a
#define MSR_FLUSH_CMD	0x10b
#define MSR_MCG_CAP	0x179
#define MSR_MCG_STATUS	0x17a
#define MSR_MCG_CTL	0x17b
#define MSR_MISC_ENABLE 0x1a0
#define MSR_MTRR_BASE0	0x200
#define MSR_MTRR_MASK0	0x201
#define MSR_MTRR_FIX64K 0x250
#define MSR_PAT		0x277
#define MSR_MTRR_DEF	0x2ff
#define MSR_MC0_CTL	0x400
#define MSR_DS_AREA	0x600
#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_CSTAR	0xc0000083
#define MSR_FMASK	0xc0000084
#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101
#define MSR_KGS_BASE	0xc0000102
#define MSR_TSC_AUX	0xc0000103

/*
 * IA32_TSC (Vol 3B 17.17, "Time-Stamp Counter"): a write sets the counter
 * RDTSC and RDMSR read. With CPUID.(7,0):EBX.TSC_ADJUST[1], the write
 * changes IA32_TSC_ADJUST by the amount it moved the TSC, and a write to
 * IA32_TSC_ADJUST moves the TSC by its change (17.17.3); without it
 * IA32_TSC_ADJUST is absent (Vol 4 Table 2-2).
 */
static void test_tsc(void)
{
	const u64 big = 0x100000000000ULL, step = 1000000000ULL;
	bool adj = cpuid_bit(7, 0, EBX, 1);
	u64 a0 = adj ? rd(MSR_TSC_ADJUST) : 0, t0 = g_rdtsc(), t1, m, a1;

	wr_expect(MSR_TSC, big, NOFAULT);
	t1 = g_rdtsc();
	m = rd(MSR_TSC);
	if (t1 < big || t1 - big > SLACK || m < t1 || m - t1 > SLACK)
		mismatch("RDTSC/RDMSR after WRMSR IA32_TSC", big, t1, m);
	g_ok(group_ok(),
	     "IA32_TSC: after a write RDTSC and RDMSR continue from the value");
	rd_present(MSR_TSC_ADJUST, adj);
	if (adj) {
		u64 moved = big - t0, t2;

		a1 = rd(MSR_TSC_ADJUST);
		if (a1 - a0 - moved + SLACK > 2 * SLACK)
			mismatch("IA32_TSC_ADJUST change for a TSC write",
				 moved, a1 - a0, moved);
		t2 = g_rdtsc();
		wr_expect(MSR_TSC_ADJUST, a1 + step, NOFAULT);
		m = g_rdtsc();
		if (m - t2 < step || m - t2 > step + SLACK)
			mismatch("RDTSC moved by WRMSR IA32_TSC_ADJUST", step,
				 m - t2, step);
	} else {
		wr_expect(MSR_TSC_ADJUST, 0, GP);
	}
	g_ok(
	    group_ok(),
	    "IA32_TSC_ADJUST follows TSC writes and moves the TSC, present iff "
	    "CPUID.7:EBX.TSC_ADJUST");
}

/*
 * IA32_MISC_ENABLE (Vol 4 Table 2-2, 1A0H) exists on every CPU of family
 * 6 and 0xF: fast strings (bit 0) set at reset; bit 18 clear hides
 * MONITOR; bit 22 limits CPUID.0:EAX to 2; bit 34 hides NX. Writing back
 * the value read is allowed.
 */
static void test_misc_enable(void)
{
	u64 v = rd(MSR_MISC_ENABLE);

	expect_eq("IA32_MISC_ENABLE fast strings (bit 0)", v, v & 1, 1);
	if (cpuid_bit(1, 0, ECX, 3))
		expect_eq("MONITOR advertised: IA32_MISC_ENABLE bit 18", v,
			  v >> 18 & 1, 1);
	if (v >> 22 & 1)
		expect_eq("IA32_MISC_ENABLE bit 22: CPUID.0:EAX", v,
			  max_basic <= 2, 1);
	if (v >> 34 & 1)
		expect_eq("IA32_MISC_ENABLE bit 34: CPUID NX", v,
			  cpuid_bit(0x80000001, 0, EDX, 20), 0);
	wr_expect(MSR_MISC_ENABLE, v, NOFAULT);
	/* LIMIT_CPUID (22) and XD_DISABLE (34) are R/W and change CPUID;
	 * each is set and cleared again. */
	wr_back(MSR_MISC_ENABLE, v | 1ULL << 22);
	expect_eq("CPUID.0:EAX with IA32_MISC_ENABLE bit 22", v,
		  cpuid_reg(0, 0, EAX) <= 2, 1);
	wr_back(MSR_MISC_ENABLE, v);
	expect_eq("CPUID.0:EAX with bit 22 clear again", v,
		  cpuid_reg(0, 0, EAX), max_basic);
	if (cpuid_bit(0x80000001, 0, EDX, 20)) {
		wr_back(MSR_MISC_ENABLE, v | 1ULL << 34);
		expect_eq("CPUID NX with IA32_MISC_ENABLE bit 34", v,
			  cpuid_bit(0x80000001, 0, EDX, 20), 0);
		wr_back(MSR_MISC_ENABLE, v);
		expect_eq("CPUID NX with bit 34 clear again", v,
			  cpuid_bit(0x80000001, 0, EDX, 20), 1);
	}
	g_ok(group_ok(),
	     "IA32_MISC_ENABLE reads with fast strings set, agrees with CPUID "
	     "and takes its own value back; bits 22 and 34 limit CPUID");
}

/* IA32_DS_AREA: iff CPUID.1:EDX.DS[21]; a linear address, so a
 * non-canonical one #GP(0) (WRMSR, Vol 2B). */
static void test_ds_area(void)
{
	bool ds = cpuid_bit(1, 0, EDX, 21);

	rd_present(MSR_DS_AREA, ds);
	if (ds) {
		u64 old = rd(MSR_DS_AREA);

		wr_back(MSR_DS_AREA, 0x7ffffffff000ULL);
		wr_gp(MSR_DS_AREA, NONCANON);
		wr_back(MSR_DS_AREA, old);
	} else {
		wr_expect(MSR_DS_AREA, 0, GP);
	}
	g_ok(group_ok(), "IA32_DS_AREA present iff CPUID.1:EDX.DS");
}

/* Memory types an MTRR may hold (Vol 3A 12.11.1, Table 12-8): UC, WC,
 * WT, WP, WB; 2, 3 and 7 up are reserved and #GP(0). */
static const u8 bad_types[] = {2, 3, 7, 8, 0xff};

static void mtrr_def_type(void)
{
	u64 def = rd(MSR_MTRR_DEF);

	/* 12.11.2.1: type 7:0, FE 10, E 11; the rest reserved */
	wr_back(MSR_MTRR_DEF, 0x800 | 6);
	wr_gp(MSR_MTRR_DEF, 0x800 | 6 | 1ULL << 12);
	wr_gp(MSR_MTRR_DEF, 0x800 | 6 | 1ULL << 9);
	wr_gp(MSR_MTRR_DEF, 0x800 | 6 | 1ULL << 63);
	for (unsigned i = 0; i < sizeof(bad_types); i++)
		wr_gp(MSR_MTRR_DEF, 0x800 | bad_types[i]);
	wr_back(MSR_MTRR_DEF, def);
}

/* 12.11.2.3: PHYSBASE type 7:0, base 12 up to MAXPHYADDR; PHYSMASK valid
 * 11, mask 12 up to MAXPHYADDR; the rest reserved. The range is left
 * invalid (V = 0) so nothing changes type. */
static void mtrr_variable(unsigned vcnt)
{
	unsigned pa = maxphyaddr();
	u64 base = rd(MSR_MTRR_BASE0), mask = rd(MSR_MTRR_MASK0);
	u64 lim = (1ULL << pa) - 1;

	wr_back(MSR_MTRR_BASE0, 0x80000000 | 6);
	wr_back(MSR_MTRR_MASK0, lim & ~0xfffffffULL);
	wr_gp(MSR_MTRR_BASE0, (lim + 1) | 6);
	wr_gp(MSR_MTRR_MASK0, (lim + 1) | (lim & ~0xfffffffULL));
	wr_gp(MSR_MTRR_BASE0, 0x80000000 | 6 | 1ULL << 8);
	wr_gp(MSR_MTRR_MASK0, (lim & ~0xfffffffULL) | 1ULL << 10);
	for (unsigned i = 0; i < sizeof(bad_types); i++)
		wr_gp(MSR_MTRR_BASE0, 0x80000000 | bad_types[i]);
	wr_back(MSR_MTRR_MASK0, mask);
	wr_back(MSR_MTRR_BASE0, base);
	/* Vol 4 Table 2-2: PHYSBASEn/PHYSMASKn exist iff MTRRCAP[7:0] > n
	 * (n up to 9) */
	if (vcnt < 10) {
		rd_present(MSR_MTRR_BASE0 + 2 * vcnt, false);
		rd_present(MSR_MTRR_MASK0 + 2 * vcnt, false);
	}
}

/* 12.11.2.2: each byte of a fixed-range MTRR is a type. */
static void mtrr_fixed(void)
{
	u64 old = rd(MSR_MTRR_FIX64K);

	wr_back(MSR_MTRR_FIX64K, 0x0606060606060606ULL);
	for (unsigned i = 0; i < sizeof(bad_types); i++)
		wr_gp(MSR_MTRR_FIX64K,
		      (0x0606060606060606ULL & ~(0xffULL << 40)) |
			  (u64)bad_types[i] << 40);
	wr_back(MSR_MTRR_FIX64K, old);
}

static void test_mtrr(void)
{
	bool mtrr = cpuid_bit(1, 0, EDX, 12);
	u64 cap = 0;

	rd_present(MSR_MTRRCAP, mtrr);
	rd_present(MSR_MTRR_DEF, mtrr);
	rd_present(MSR_MTRR_BASE0, mtrr);
	rd_present(MSR_MTRR_MASK0, mtrr);
	if (mtrr) {
		cap = rd(MSR_MTRRCAP);
		if ((cap & 0xff) == 0)
			mismatch("IA32_MTRRCAP.VCNT", cap, 0, 1);
		wr_expect(MSR_MTRRCAP, cap, GP); /* read-only */
		mtrr_def_type();
		if (cap & 0xff)
			mtrr_variable(cap & 0xff);
		if (cap & 0x100) /* FIX */
			mtrr_fixed();
	} else {
		rd_present(MSR_MTRR_FIX64K, false);
	}
	g_printf("# MTRRs: %s, IA32_MTRRCAP %#lx\n",
		 mtrr ? "advertised" : "not advertised", (unsigned long)cap);
	g_ok(group_ok(), "MTRRs iff CPUID.1:EDX.MTRR: MTRRCAP read-only, VCNT "
			 "> 0; DEF_TYPE, "
			 "PHYSBASE0/MASK0, FIX64K read back, bad bits #GP(0)");
}

/* IA32_PAT (Vol 3A 12.12.2): eight entries, types 0, 1, 4-7 in bits 2:0,
 * bits 7:3 reserved; 0007040600070406 at reset (12.12.4). */
static void test_pat(void)
{
	bool pat = cpuid_bit(1, 0, EDX, 16);

	rd_present(MSR_PAT, pat);
	if (pat) {
		expect_eq("IA32_PAT at entry", MSR_PAT, rd(MSR_PAT),
			  0x0007040600070406ULL);
		wr_back(MSR_PAT, 0x0001050400070406ULL);
		wr_gp(MSR_PAT, 0x0007040600070402ULL);
		wr_gp(MSR_PAT, 0x0307040600070406ULL);
		wr_gp(MSR_PAT, 0x0007040600070406ULL | 8);
		wr_back(MSR_PAT, 0x0007040600070406ULL);
	}
	g_ok(group_ok(),
	     "IA32_PAT iff CPUID.1:EDX.PAT: reset value, entries read back, "
	     "types 2 and 3 and reserved bits #GP(0)");
}

/* Machine-check MSRs (Vol 3B, "Machine-Check Global Control MSRs"):
 * IA32_MCG_CAP and _STATUS iff CPUID.1:EDX.MCA[14]; MCG_CAP read-only;
 * MCG_CTL iff MCG_CAP.CTL_P[8]; bank i's MSRs iff i < MCG_CAP.Count. */
static void test_mca(void)
{
	bool mca = cpuid_bit(1, 0, EDX, 14);
	u64 cap = 0;

	rd_present(MSR_MCG_CAP, mca);
	rd_present(MSR_MCG_STATUS, mca);
	if (mca) {
		cap = rd(MSR_MCG_CAP);
		wr_expect(MSR_MCG_CAP, cap, GP);
		rd_present(MSR_MCG_CTL, cap >> 8 & 1);
		if ((cap & 0xff) > 0)
			rd_present(MSR_MC0_CTL, true);
		if ((cap & 0xff) < 29) /* 0x474 up are not bank MSRs */
			rd_present(MSR_MC0_CTL + 4 * (u32)(cap & 0xff), false);
	}
	g_printf("# MCA: %s, IA32_MCG_CAP %#lx\n",
		 mca ? "advertised" : "not advertised", (unsigned long)cap);
	g_ok(
	    group_ok(),
	    "IA32_MCG_CAP/STATUS iff CPUID.1:EDX.MCA, MCG_CTL and the banks as "
	    "MCG_CAP says");
}

/*
 * Speculation controls (Vol 4 Table 2-2): IA32_SPEC_CTRL iff one of its
 * bits is enumerated (IBRS 7.EDX[26], STIBP 7.EDX[27], SSBD 7.EDX[31],
 * the 7.2.EDX[4:0] controls); IA32_PRED_CMD write-only, IBPB iff
 * 7.EDX[26]; IA32_FLUSH_CMD write-only iff 7.EDX[28];
 * IA32_ARCH_CAPABILITIES read-only iff 7.EDX[29].
 */
static void test_spec(void)
{
	u32 d = cpuid_reg(7, 0, EDX), d2 = cpuid_reg(7, 2, EDX);
	bool ibrs = d >> 26 & 1, stibp = d >> 27 & 1, l1d = d >> 28 & 1;
	bool arch = d >> 29 & 1, ssbd = d >> 31 & 1;
	bool spec = ibrs || stibp || ssbd || (d2 & 0x1f);
	u64 v;

	rd_present(MSR_SPEC_CTRL, spec);
	if (spec) {
		if (ibrs)
			wr_back(MSR_SPEC_CTRL, 1);
		if (stibp)
			wr_back(MSR_SPEC_CTRL, 2);
		if (ssbd)
			wr_back(MSR_SPEC_CTRL, 4);
		wr_gp(MSR_SPEC_CTRL, 1ULL << 63);
		wr_back(MSR_SPEC_CTRL, 0);
	} else {
		wr_expect(MSR_SPEC_CTRL, 0, GP);
	}
	expect_vec("RDMSR IA32_PRED_CMD", MSR_PRED_CMD,
		   rdmsr_v(MSR_PRED_CMD, &v), GP);
	wr_expect(MSR_PRED_CMD, 1, ibrs ? NOFAULT : GP);
	if (ibrs)
		wr_expect(MSR_PRED_CMD, 1ULL << 63, GP);
	expect_vec("RDMSR IA32_FLUSH_CMD", MSR_FLUSH_CMD,
		   rdmsr_v(MSR_FLUSH_CMD, &v), GP);
	wr_expect(MSR_FLUSH_CMD, 1, l1d ? NOFAULT : GP);
	if (l1d)
		wr_expect(MSR_FLUSH_CMD, 1ULL << 63, GP);
	rd_present(MSR_ARCH_CAP, arch);
	wr_expect(MSR_ARCH_CAP, 0, GP);
	g_printf("# speculation: CPUID.7:EDX %#x, 7.2:EDX %#x\n", d, d2);
	g_ok(group_ok(),
	     "IA32_SPEC_CTRL, PRED_CMD, FLUSH_CMD and ARCH_CAPABILITIES as "
	     "CPUID.7:EDX enumerates them");
}

/* RDTSCP: EDX:EAX = TSC, ECX = IA32_TSC_AUX[31:0]; RDPID: IA32_TSC_AUX.
 * Both 3/4 bytes, #UD when their CPUID bit is clear (Vol 2B). */
static int rdtscp_v(u32 *aux)
{
	u32 lo, hi, c = 0;

	g_expect_fault(3);
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "+c"(c));
	*aux = c;
	return g_fault_vector();
}

static int rdpid_v(u64 *v)
{
	u64 r = 0;

	g_expect_fault(4);
	__asm__ volatile(".byte 0xf3, 0x0f, 0xc7, 0xf8" : "+a"(r)); /* RAX */
	*v = r;
	return g_fault_vector();
}

/* IA32_TSC_AUX (Vol 4 Table 2-2, C000_0103H): iff RDTSCP or RDPID; bits
 * 63:32 reserved. */
static void test_tsc_aux(void)
{
	bool rdtscp = cpuid_bit(0x80000001, 0, EDX, 27);
	bool rdpid = cpuid_bit(7, 0, ECX, 22);
	u32 aux;
	u64 id;

	rd_present(MSR_TSC_AUX, rdtscp || rdpid);
	if (rdtscp || rdpid) {
		wr_back(MSR_TSC_AUX, 0x5a17);
		wr_gp(MSR_TSC_AUX, 1ULL << 32 | 0x5a17);
	} else {
		wr_expect(MSR_TSC_AUX, 0, GP);
	}
	expect_vec("RDTSCP", 0, rdtscp_v(&aux), rdtscp ? NOFAULT : UD);
	if (rdtscp)
		expect_eq("RDTSCP ECX", MSR_TSC_AUX, aux, 0x5a17);
	expect_vec("RDPID", 0, rdpid_v(&id), rdpid ? NOFAULT : UD);
	if (rdpid)
		expect_eq("RDPID", MSR_TSC_AUX, id, 0x5a17);
	if (rdtscp || rdpid)
		wr_back(MSR_TSC_AUX, 0);
	g_ok(group_ok(),
	     "IA32_TSC_AUX iff RDTSCP or RDPID, bits 63:32 #GP(0); RDTSCP and "
	     "RDPID return it, #UD when not advertised");
}

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

/* An EFER bit a CPUID bit defines: toggles when advertised, else #GP. */
static void efer_bit(u64 efer, u64 bit, bool has)
{
	if (has) {
		wr_back(MSR_EFER, efer ^ bit);
		wr_back(MSR_EFER, efer);
	} else if (efer & bit) {
		mismatch("EFER bit set though not advertised", bit, efer,
			 efer & ~bit);
	} else {
		wr_gp(MSR_EFER, efer | bit);
	}
}

/* IA32_EFER (Vol 3A 2.2.1, Vol 4 Table 2-2): SCE iff SYSCALL
 * (0x80000001.EDX[11]), NXE iff NX (0x80000001.EDX[20]), LME and LMA
 * set in IA-32e mode, LME fixed while paging is on (10.8.5), the other
 * bits reserved. */
static void test_efer(void)
{
	u64 efer = rd(MSR_EFER);

	expect_eq("EFER.LME|LMA in IA-32e mode", efer,
		  efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	efer_bit(efer, EFER_SCE, cpuid_bit(0x80000001, 0, EDX, 11));
	efer_bit(efer, EFER_NXE, cpuid_bit(0x80000001, 0, EDX, 20));
	wr_gp(MSR_EFER, efer | 1ULL << 1);
	wr_gp(MSR_EFER, efer | 1ULL << 9);
	wr_gp(MSR_EFER, efer | 1ULL << 63);
	wr_gp(MSR_EFER, efer & ~EFER_LME);
	g_ok(group_ok(),
	     "EFER: SCE and NXE iff CPUID advertises them, reserved bits and "
	     "clearing LME with paging on #GP(0)");
}

/* A linear-address MSR: a canonical value reads back, a non-canonical
 * one #GP(0) (WRMSR, Vol 2B). */
static void canonical_msr(u32 msr)
{
	u64 old = rd(msr);

	wr_back(msr, 0xffff800000001000ULL);
	wr_back(msr, 0x00007ffffffff000ULL);
	wr_gp(msr, NONCANON);
	wr_back(msr, old);
}

/* The SYSCALL MSRs exist in IA-32e mode (Vol 4 Table 2-2, "If
 * CPUID.80000001H:EDX.[29] = 1"); SYSENTER's iff CPUID.1:EDX.SEP[11]. */
static void test_syscall_msrs(void)
{
	bool sep = cpuid_bit(1, 0, EDX, 11);
	u64 star = rd(MSR_STAR), cstar = rd(MSR_CSTAR), fmask = rd(MSR_FMASK);

	wr_back(MSR_STAR, 0x0023001000000000ULL);
	wr_back(MSR_CSTAR, 0xffffffff81000000ULL);
	wr_back(MSR_FMASK, 0x47700);
	canonical_msr(MSR_LSTAR);
	wr_back(MSR_STAR, star);
	wr_back(MSR_CSTAR, cstar);
	wr_back(MSR_FMASK, fmask);
	for (u32 m = 0x174; m <= 0x176; m++)
		rd_present(m, sep);
	if (sep) {
		u64 cs = rd(0x174);

		wr_back(0x174, 0x10);
		wr_back(0x174, cs);
		canonical_msr(0x175);
		canonical_msr(0x176);
	}
	g_ok(group_ok(),
	     "STAR/LSTAR/CSTAR/FMASK and SYSENTER_* read back, LSTAR and "
	     "SYSENTER_ESP/EIP non-canonical #GP(0)");
}

static void test_bases(void)
{
	canonical_msr(MSR_FS_BASE);
	canonical_msr(MSR_GS_BASE);
	canonical_msr(MSR_KGS_BASE);
	g_ok(group_ok(),
	     "FS_BASE, GS_BASE and KERNEL_GS_BASE read back, non-canonical "
	     "#GP(0)");
}

/*
 * IA32_FEATURE_CONTROL (Vol 4 Table 2-2, 3AH). The SDM enumerates it by
 * VMX (1.ECX[5]), SMX (1.ECX[6]), SGX (7.EBX[2], 7.ECX[30]) and LMCE
 * (MCG_CAP[27]); mica, as KVM, lets every guest read it, as firmware
 * leaves it: locked (bit 0), with VMX enabled (bits 1 and 2) only where
 * CPUID has VMX (docs/guests.md, "MSRs"). A locked MSR refuses WRMSR with
 * #GP(0).
 */
static void test_feature_control(void)
{
	bool vmx = cpuid_bit(1, 0, ECX, 5);
	u64 v;

	rd_present(MSR_FEAT_CTL, true);
	v = rd(MSR_FEAT_CTL);
	expect_eq("IA32_FEATURE_CONTROL lock (bit 0)", v, v & 1, 1);
	if (!vmx)
		expect_eq("IA32_FEATURE_CONTROL VMX enables without VMX", v,
			  v & 6, 0);
	wr_expect(MSR_FEAT_CTL, v, GP);
	wr_expect(MSR_FEAT_CTL, 0, GP);
	g_ok(group_ok(), "IA32_FEATURE_CONTROL: locked, VMX off unless CPUID "
			 "has VMX, WRMSR #GP(0)");
}

/*
 * IA32_APIC_BASE (Vol 3A 11.4.4): BSP 8, EXTD 10 (iff x2APIC,
 * 1.ECX[21]), EN 11, base 12 to MAXPHYADDR - 1, the rest reserved; the
 * xAPIC at 0xFEE00000 after reset. In xAPIC mode the x2APIC MSRs #GP(0)
 * (11.12.1.2).
 */
static void test_apic_base(void)
{
	u64 v = rd(MSR_APIC_BASE);

	expect_eq("IA32_APIC_BASE", MSR_APIC_BASE, v, 0xfee00900ULL);
	wr_gp(MSR_APIC_BASE, v | 1ULL << 9);
	wr_gp(MSR_APIC_BASE, v | 1ULL << maxphyaddr());
	if (!cpuid_bit(1, 0, ECX, 21))
		wr_gp(MSR_APIC_BASE, v | 1ULL << 10);
	/* globally disabled, the APIC is absent from CPUID (Vol 3A 11.4.3) */
	wr_back(MSR_APIC_BASE, v & ~(1ULL << 11));
	expect_eq("CPUID.1:EDX.APIC with APIC_BASE.EN = 0", 0,
		  cpuid_bit(1, 0, EDX, 9), 0);
	wr_back(MSR_APIC_BASE, v);
	expect_eq("CPUID.1:EDX.APIC with APIC_BASE.EN = 1", 0,
		  cpuid_bit(1, 0, EDX, 9), 1);
	rd_present(0x802, false); /* x2APIC ID */
	rd_present(0x803, false); /* x2APIC version */
	rd_present(0x808, false); /* x2APIC TPR */
	g_ok(group_ok(),
	     "IA32_APIC_BASE is 0xFEE00000 | EN | BSP, reserved bits #GP(0), "
	     "CPUID.1:EDX.APIC follows EN; x2APIC MSRs #GP(0) in xAPIC mode");
}

/* Indices no CPU defines (0x1234 would be IA32_LBR_52_INFO). */
static void test_unassigned(void)
{
	static const u32 none[] = {0x12345, 0x2fff, 0xc0002000};
	u64 v;

	for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		expect_vec("RDMSR (unassigned)", none[i], rdmsr_v(none[i], &v),
			   GP);
		wr_expect(none[i], 0, GP);
	}
	g_ok(group_ok(), "RDMSR and WRMSR of unassigned MSRs #GP(0)");
}

/* MSRs that exist iff a CPUID bit says so (Vol 4 Table 2-2). */
static const struct gated_msr {
	u32 msr;
	struct feat need, alt;
} gated[] = {
    {0x6, {1, 0, ECX, 3}, {0}},		      /* MONITOR_FILTER_SIZE: MONITOR */
    {0xe7, {6, 0, ECX, 0}, {0}},	      /* MPERF: hardware feedback */
    {0xe8, {6, 0, ECX, 0}, {0}},	      /* APERF */
    {0xe1, {7, 0, ECX, 5}, {0}},	      /* UMWAIT_CONTROL: WAITPKG */
    {0x19c, {1, 0, EDX, 22}, {0}},	      /* THERM_STATUS: ACPI */
    {0x1b0, {6, 0, ECX, 3}, {0}},	      /* ENERGY_PERF_BIAS */
    {0x1c4, {0xd, 1, EAX, 4}, {0}},	      /* XFD */
    {0x1c5, {0xd, 1, EAX, 4}, {0}},	      /* XFD_ERR */
    {0x345, {1, 0, ECX, 15}, {0}},	      /* PERF_CAPABILITIES: PDCM */
    {0x570, {7, 0, EBX, 25}, {0}},	      /* RTIT_CTL: PT */
    {0x6a0, {7, 0, ECX, 7}, {7, 0, EDX, 20}}, /* U_CET: CET_SS/IBT */
    {0x6a2, {7, 0, ECX, 7}, {7, 0, EDX, 20}}, /* S_CET */
    {0x6a4, {7, 0, ECX, 7}, {0}},	      /* PL0_SSP: CET_SS */
    {0x6e0, {1, 0, ECX, 24}, {0}},	      /* TSC_DEADLINE */
    {0x6e1, {7, 0, ECX, 31}, {0}},	      /* PKRS: PKS */
    {0x770, {6, 0, EAX, 7}, {0}},	      /* PM_ENABLE: HWP */
};

/* The architectural PMU (Vol 3B, "Architectural Performance
 * Monitoring"; Table 2-2): PMC0 and PERFEVTSEL0 iff CPUID.0xA:EAX[15:8]
 * > 0, PERF_GLOBAL_CTRL iff the version EAX[7:0] > 0, FIXED_CTR0 iff
 * version > 1 and EDX[4:0] > 0; RDPMC of counter 0 #GP(0) without it. */
static void pmu_msrs(void)
{
	u32 a = cpuid_reg(0xa, 0, EAX), d = cpuid_reg(0xa, 0, EDX);
	bool gp = (a >> 8 & 0xff) > 0, ver = (a & 0xff) > 0;
	u32 lo, hi;

	rd_present(0xc1, gp);
	rd_present(0x186, gp);
	rd_present(0x38f, ver);
	rd_present(0x309, (a & 0xff) > 1 && (d & 0x1f) > 0);
	g_expect_fault(2);
	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
	expect_vec("RDPMC of counter (ECX)", 0, g_fault_vector(),
		   gp ? NOFAULT : GP);
}

static void test_gated(void)
{
	unsigned n = sizeof(gated) / sizeof(gated[0]);
	u32 r[4];

	for (unsigned i = 0; i < n; i++)
		rd_present(gated[i].msr,
			   feat_has(&gated[i].need) || feat_has(&gated[i].alt));
	pmu_msrs();
	/* IA32_BIOS_SIGN_ID (8BH): every Intel CPU of family 6 and 0xF */
	g_cpuid(0, 0, r);
	if (r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e)
		rd_present(MSR_BIOS_SIGN, true);
	g_ok(group_ok(),
	     "%u more MSRs, the PMU's and BIOS_SIGN_ID present iff CPUID says",
	     n);
}

#endif /* MICA_GUESTS_CPUFEAT_MSR_H */
