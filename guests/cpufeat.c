/* SPDX-License-Identifier: MIT */
/*
 * cpufeat: the CPU a guest sees must be one the SDM could describe. Every
 * CPUID feature bit with architectural state behind it (a CR4 bit, an
 * XCR0 component, an MSR) works when advertised and faults as a
 * bare-metal CPU faults when not. Each check follows what CPUID says, so
 * the same guest passes on any correct CPU and prints the same TAP lines
 * there (what differs is in numbers and parentheses); each mismatch is
 * printed as a "# mismatch:" line.
 */
#include "guests/lib/guest.h"

enum { EAX, EBX, ECX, EDX };

#define GP	 13
#define UD	 6
#define NOFAULT	 (-1)
#define SLACK	 200000		       /* TSC ticks an exit or two may take */
#define NONCANON 0x8000000000000000ULL /* for 48- and 57-bit addresses */

/* A CPUID feature bit: leaf, sub-leaf, register, bit. Leaf 0 holds no
 * feature bits, so {0} is a condition never true. */
struct feat {
	u32 leaf;
	u8 sub, reg, bit;
};

static u32 max_basic, max_ext, max_sub7;
static unsigned bad;

/* CPUID leaf.sub register reg; 0 for a leaf past the highest of its
 * range, which would answer as another leaf (SDM Vol 2A, CPUID). */
static u32 cpuid_reg(u32 leaf, u32 sub, unsigned reg)
{
	u32 r[4], max = leaf >= 0x80000000 ? max_ext : max_basic;

	if (leaf > max || (leaf == 7 && sub > max_sub7))
		return 0;
	g_cpuid(leaf, sub, r);
	return r[reg];
}

static bool cpuid_bit(u32 leaf, u32 sub, unsigned reg, unsigned bit)
{
	return cpuid_reg(leaf, sub, reg) >> bit & 1;
}

static bool feat_has(const struct feat *f)
{
	return f->leaf != 0 && cpuid_bit(f->leaf, f->sub, f->reg, f->bit);
}

static void cpuid_init(void)
{
	u32 r[4];

	g_cpuid(0, 0, r);
	max_basic = r[0];
	g_cpuid(0x80000000, 0, r);
	max_ext = r[0] >= 0x80000000 && r[0] < 0x8000ffff ? r[0] : 0;
	max_sub7 = cpuid_reg(7, 0, EAX);
}

/* MAXPHYADDR: CPUID 0x80000008 EAX[7:0], 36 without the leaf (SDM Vol 3A
 * 4.1.4). */
static unsigned maxphyaddr(void)
{
	u32 a = cpuid_reg(0x80000008, 0, EAX) & 0xff;

	return a ? a : 36;
}

/* ------------------------------------------------------------ reporting */

static const char *fault_name(int vec)
{
	return vec == NOFAULT ? "no fault"
	       : vec == GP    ? "#GP"
	       : vec == UD    ? "#UD"
			      : "another exception";
}

static void mismatch(const char *what, u64 id, u64 got, u64 want)
{
	bad++;
	g_printf("# mismatch: %s %#lx: got %#lx, want %#lx\n", what,
		 (unsigned long)id, (unsigned long)got, (unsigned long)want);
}

/* An instruction raised vec where want was expected; a #GP must carry
 * error code 0 (every #GP checked here is #GP(0)). */
static void expect_vec(const char *what, u64 id, int vec, int want)
{
	if (vec == want && (vec != GP || g_fault_error() == 0))
		return;
	bad++;
	g_printf("# mismatch: %s %#lx: %s (error %#lx), want %s\n", what,
		 (unsigned long)id, fault_name(vec),
		 (unsigned long)g_fault_error(), fault_name(want));
}

static void expect_eq(const char *what, u64 id, u64 got, u64 want)
{
	if (got != want)
		mismatch(what, id, got, want);
}

/* True when no mismatch was seen since the last call. */
static bool group_ok(void)
{
	bool ok = bad == 0;

	bad = 0;
	return ok;
}

/* ---------------------------------------------------- faulting accesses */

static int rdmsr_v(u32 msr, u64 *v)
{
	int vec;

	*v = g_rdmsr_catch(msr, &vec);
	return vec;
}

/* RDMSR msr must succeed; its value (0 after a fault, reported). */
static u64 rd(u32 msr)
{
	u64 v;

	expect_vec("RDMSR", msr, rdmsr_v(msr, &v), NOFAULT);
	return v;
}

/* RDMSR msr raises #GP(0) exactly when the MSR is absent. */
static void rd_present(u32 msr, bool present)
{
	u64 v;
	int vec = rdmsr_v(msr, &v);

	expect_vec(present ? "RDMSR (present)" : "RDMSR (absent)", msr, vec,
		   present ? NOFAULT : GP);
	if (!present && vec == NOFAULT)
		g_printf("#   it read %#lx\n", (unsigned long)v);
}

/* WRMSR msr = v must raise want (NOFAULT for none). */
static void wr_expect(u32 msr, u64 v, int want)
{
	expect_vec("WRMSR", msr, g_wrmsr_catch(msr, v), want);
}

/* WRMSR msr = v succeeds and reads back v. */
static void wr_back(u32 msr, u64 v)
{
	wr_expect(msr, v, NOFAULT);
	expect_eq("RDMSR after WRMSR", msr, rd(msr), v);
}

/* WRMSR msr = v raises #GP(0) and leaves the MSR as it was. */
static void wr_gp(u32 msr, u64 v)
{
	u64 old = rd(msr);

	wr_expect(msr, v, GP);
	expect_eq("RDMSR after a refused WRMSR", msr, rd(msr), old);
}

static int xsetbv_v(u32 xcr, u64 v)
{
	g_expect_fault(3);
	__asm__ volatile("xsetbv"
			 :
			 : "c"(xcr), "a"((u32)v), "d"((u32)(v >> 32)));
	return g_fault_vector();
}

static int xgetbv_v(u32 xcr, u64 *v)
{
	u32 lo = 0, hi = 0;

	g_expect_fault(3);
	__asm__ volatile("xgetbv" : "+a"(lo), "+d"(hi) : "c"(xcr));
	*v = (u64)hi << 32 | lo;
	return g_fault_vector();
}

/* ------------------------------------------------------------------ CR4 */

#define CR4_PAE	    (1UL << 5)
#define CR4_LA57    (1UL << 12)
#define CR4_PCIDE   (1UL << 17)
#define CR4_OSXSAVE (1UL << 18)
#define CR4_PKE	    (1UL << 22)
#define CR4_CET	    (1UL << 23)
#define CR0_WP	    (1UL << 16)

/*
 * CR4 bits and the CPUID bits that define them (SDM Vol 3A 2.5, "Control
 * Registers"; Vol 2A, CPUID Table 3-8). A bit whose
 * feature is not advertised is reserved: MOV to CR4 setting it raises
 * #GP(0) (Vol 2B, MOV to/from control registers). fixed: not toggled
 * when advertised, because IA-32e mode or this code forbids it: PAE must
 * stay 1, LA57 cannot change in IA-32e mode (both checked apart), LASS
 * would fault every supervisor access to this guest's low addresses, FRED
 * would change how events are delivered.
 */
static const struct cr4_feat {
	u8 bit;
	bool always, fixed;
	const char *name;
	struct feat need, alt;
} cr4_feats[] = {
    {0, false, false, "VME", {1, 0, EDX, 1}, {0}},
    {1, false, false, "PVI", {1, 0, EDX, 1}, {0}},
    {2, false, false, "TSD", {1, 0, EDX, 4}, {0}},
    {3, false, false, "DE", {1, 0, EDX, 2}, {0}},
    {4, false, false, "PSE", {1, 0, EDX, 3}, {0}},
    {5, false, true, "PAE", {1, 0, EDX, 6}, {0}},
    {6, false, false, "MCE", {1, 0, EDX, 7}, {0}},
    {7, false, false, "PGE", {1, 0, EDX, 13}, {0}},
    {8, true, false, "PCE", {0}, {0}},
    {9, false, false, "OSFXSR", {1, 0, EDX, 24}, {0}},
    {10, false, false, "OSXMMEXCPT", {1, 0, EDX, 25}, {0}},
    {11, false, false, "UMIP", {7, 0, ECX, 2}, {0}},
    {12, false, true, "LA57", {7, 0, ECX, 16}, {0}},
    {13, false, false, "VMXE", {1, 0, ECX, 5}, {0}},
    {14, false, false, "SMXE", {1, 0, ECX, 6}, {0}},
    {16, false, false, "FSGSBASE", {7, 0, EBX, 0}, {0}},
    {17, false, false, "PCIDE", {1, 0, ECX, 17}, {0}},
    {18, false, false, "OSXSAVE", {1, 0, ECX, 26}, {0}},
    {19, false, false, "KL", {7, 0, ECX, 23}, {0}},
    {20, false, false, "SMEP", {7, 0, EBX, 7}, {0}},
    {21, false, false, "SMAP", {7, 0, EBX, 20}, {0}},
    {22, false, false, "PKE", {7, 0, ECX, 3}, {0}},
    /* CET_SS or CET_IBT; needs CR0.WP = 1, which 64-bit entry sets */
    {23, false, false, "CET", {7, 0, ECX, 7}, {7, 0, EDX, 20}},
    {24, false, false, "PKS", {7, 0, ECX, 31}, {0}},
    {25, false, false, "UINTR", {7, 0, EDX, 5}, {0}},
    {27, false, true, "LASS", {7, 1, EAX, 6}, {0}},
    {28, false, false, "LAM_SUP", {7, 1, EAX, 26}, {0}},
    {32, false, true, "FRED", {7, 1, EAX, 17}, {0}},
};

/* CR4 = v must load and read back. */
static void cr4_load(const char *name, u64 v)
{
	expect_vec("MOV to CR4 (loads)", v, g_write_cr4_catch(v), NOFAULT);
	expect_eq(name, v, g_read_cr4(), v);
}

/* CR4 = v must raise #GP(0) and leave CR4 as it was. */
static void cr4_refused(const char *name, u64 v)
{
	u64 old = g_read_cr4();

	expect_vec("MOV to CR4 (refused)", v, g_write_cr4_catch(v), GP);
	expect_eq(name, v, g_read_cr4(), old);
}

static bool cr4_advertised(const struct cr4_feat *c)
{
	return c->always || feat_has(&c->need) || feat_has(&c->alt);
}

/* An advertised bit sets and clears (unless fixed); another #GPs. */
static void cr4_check(const struct cr4_feat *c, bool adv)
{
	u64 cr4 = g_read_cr4(), m = 1ULL << c->bit;

	if (!adv) {
		if (cr4 & m)
			mismatch("CR4 bit set though not advertised", c->bit,
				 cr4, cr4 & ~m);
		else
			cr4_refused("CR4 changed by a refused MOV", cr4 | m);
		return;
	}
	if (c->fixed)
		return;
	cr4_load("CR4 after setting/clearing a bit", cr4 ^ m);
	cr4_load("CR4 after restoring a bit", cr4);
}

static void test_cr4_bits(void)
{
	unsigned n = sizeof(cr4_feats) / sizeof(cr4_feats[0]), adv = 0;

	for (int want = 1; want >= 0; want--) {
		g_printf("# CR4 bits %s:",
			 want ? "advertised" : "not advertised");
		for (unsigned i = 0; i < n; i++)
			if (cr4_advertised(&cr4_feats[i]) == want)
				g_printf(" %s", cr4_feats[i].name);
		g_printf("\n");
	}
	for (unsigned i = 0; i < n; i++) {
		bool a = cr4_advertised(&cr4_feats[i]);

		cr4_check(&cr4_feats[i], a);
		adv += a;
	}
	g_ok(group_ok(),
	     "CR4: the %u feature bits CPUID advertises set and clear, the %u "
	     "others #GP(0), CR4 unchanged",
	     adv, n - adv);
}

/* Bits no feature defines: 15, 26, 29-31, 33-63. */
static void test_cr4_reserved(void)
{
	u64 cr4 = g_read_cr4();
	unsigned n = 0;

	for (unsigned b = 15; b < 64; b++) {
		if (b == 15 || b == 26 || (b >= 29 && b <= 31) || b >= 33) {
			cr4_refused("CR4 changed by a reserved bit",
				    cr4 | 1ULL << b);
			n++;
		}
	}
	g_ok(group_ok(), "CR4: the %u reserved bits #GP(0), CR4 unchanged", n);
}

/*
 * MOV to CR4 #GP(0) (Vol 2B, MOV-Move to/from Control Registers): clearing
 * PAE or changing LA57 while IA-32e mode is active; setting PCIDE while
 * CR3[11:0] != 0 (CR3 with PWT here); setting CET while CR0.WP = 0.
 */
static void test_cr4_rules(void)
{
	u64 cr4 = g_read_cr4(), cr3 = g_read_cr3(), cr0 = g_read_cr0();

	expect_eq("CR4.PAE in IA-32e mode", 5, cr4 & CR4_PAE, CR4_PAE);
	expect_eq("CR3[11:0] at entry", cr3, cr3 & 0xfff, 0);
	cr4_refused("CR4 after clearing PAE in IA-32e mode", cr4 & ~CR4_PAE);
	cr4_refused("CR4 after changing LA57 in IA-32e mode", cr4 ^ CR4_LA57);
	g_write_cr3(cr3 | 8);
	cr4_refused("CR4 after PCIDE with CR3[11:0] != 0", cr4 | CR4_PCIDE);
	g_write_cr3(cr3);
	g_write_cr0(cr0 & ~CR0_WP);
	cr4_refused("CR4 after CET with CR0.WP = 0", cr4 | CR4_CET);
	g_write_cr0(cr0);
	g_ok(group_ok(),
	     "CR4 in IA-32e mode: clearing PAE, changing LA57, PCIDE with "
	     "CR3[11:0] != 0 and CET with CR0.WP = 0 #GP(0)");
}

/*
 * CPUID.1:ECX.OSXSAVE[27] and CPUID.(7,0):ECX.OSPKE[4] reflect CR4.OSXSAVE
 * and CR4.PKE (Vol 2A, CPUID Table 3-8 and 3-10); 0 whenever the feature
 * is not advertised, as CR4 cannot have the bit then.
 */
static void mirror(const char *name, u64 bit, bool has, u32 leaf, u32 reg,
		   unsigned cbit)
{
	u64 cr4 = g_read_cr4();

	expect_eq(name, cr4 & bit, cpuid_bit(leaf, 0, reg, cbit),
		  !!(cr4 & bit));
	if (!has)
		return;
	cr4_load(name, cr4 ^ bit);
	expect_eq(name, (cr4 ^ bit) & bit, cpuid_bit(leaf, 0, reg, cbit),
		  !((cr4 & bit)));
	cr4_load(name, cr4);
	expect_eq(name, cr4 & bit, cpuid_bit(leaf, 0, reg, cbit),
		  !!(cr4 & bit));
}

static void test_cr4_mirrors(void)
{
	mirror("CPUID.1:ECX.OSXSAVE for CR4.OSXSAVE", CR4_OSXSAVE,
	       cpuid_bit(1, 0, ECX, 26), 1, ECX, 27);
	mirror("CPUID.7:ECX.OSPKE for CR4.PKE", CR4_PKE,
	       cpuid_bit(7, 0, ECX, 3), 7, ECX, 4);
	g_ok(group_ok(),
	     "CPUID.1:ECX.OSXSAVE and CPUID.7:ECX.OSPKE follow CR4.OSXSAVE and "
	     "CR4.PKE");
}

/* ------------------------------------------- what the CR4 bits gate */

#define CR4_DE	       (1UL << 3)
#define CR4_OSFXSR     (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_FSGSBASE   (1UL << 16)
#define XM	       19

/* MOV RAX, DR4 (0f 21 e0): DR6 while CR4.DE = 0, #UD while it is 1 (Vol
 * 3B 18.2.2, "Debug Registers DR4 and DR5"). */
static void gate_de(void)
{
	u64 cr4 = g_read_cr4(), dr4 = 0, dr6;

	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	g_expect_fault(3);
	__asm__ volatile("mov %%dr4, %0" : "+a"(dr4));
	expect_vec("MOV from DR4 with CR4.DE = 0", 0, g_fault_vector(),
		   NOFAULT);
	expect_eq("MOV from DR4 with CR4.DE = 0 reads DR6", 4, dr4, dr6);
	cr4_load("CR4 with DE", cr4 | CR4_DE);
	g_expect_fault(3);
	__asm__ volatile("mov %%dr4, %0" : "+a"(dr4));
	expect_vec("MOV from DR4 with CR4.DE = 1", 0, g_fault_vector(), UD);
	cr4_load("CR4 without DE", cr4);
}

/* An SSE instruction (XORPS, 0f 57 c0) #UD while CR4.OSFXSR = 0; an
 * unmasked SIMD exception (DIVSS by zero, f3 0f 5e c1) is #XM while
 * CR4.OSXMMEXCPT = 1, #UD while it is 0 (Vol 3A 2.5; Vol 1 11.5). */
static int sse_xorps(void)
{
	g_expect_fault(3);
	__asm__ volatile("xorps %xmm0, %xmm0");
	return g_fault_vector();
}

static int sse_div_zero(void)
{
	u32 unmask_zm = 0x1d80, dflt = 0x1f80;
	int vec;

	__asm__ volatile("ldmxcsr %0\n\t"
			 "movd %1, %%xmm0\n\t"
			 "xorps %%xmm1, %%xmm1"
			 :
			 : "m"(unmask_zm), "r"(0x3f800000U));
	g_expect_fault(4);
	__asm__ volatile("divss %xmm1, %xmm0");
	vec = g_fault_vector();
	__asm__ volatile("ldmxcsr %0" : : "m"(dflt));
	return vec;
}

static void gate_sse(void)
{
	u64 cr4 = g_read_cr4(), on = cr4 | CR4_OSFXSR;

	cr4_load("CR4 without OSFXSR", cr4 & ~(CR4_OSFXSR | CR4_OSXMMEXCPT));
	expect_vec("XORPS with CR4.OSFXSR = 0", 0, sse_xorps(), UD);
	cr4_load("CR4 with OSFXSR", on & ~CR4_OSXMMEXCPT);
	expect_vec("XORPS with CR4.OSFXSR = 1", 0, sse_xorps(), NOFAULT);
	expect_vec("unmasked #Z with CR4.OSXMMEXCPT = 0", 0, sse_div_zero(),
		   UD);
	if (cpuid_bit(1, 0, EDX, 25)) {
		cr4_load("CR4 with OSXMMEXCPT", on | CR4_OSXMMEXCPT);
		expect_vec("unmasked #Z with CR4.OSXMMEXCPT = 1", 0,
			   sse_div_zero(), XM);
	}
	cr4_load("CR4 as before", cr4);
}

/* RDFSBASE/WRFSBASE (f3 48 0f ae c0/d0) #UD while CR4.FSGSBASE = 0 and
 * work on IA32_FS_BASE while it is 1 (Vol 2B, RDFSBASE). */
static int rdfsbase_v(u64 *v)
{
	u64 r = 0;

	g_expect_fault(5);
	__asm__ volatile("rdfsbase %0" : "+a"(r));
	*v = r;
	return g_fault_vector();
}

static void gate_fsgsbase(bool has)
{
	u64 cr4 = g_read_cr4(), v, old = g_rdmsr(0xc0000100);

	expect_vec("RDFSBASE with CR4.FSGSBASE = 0", 0, rdfsbase_v(&v), UD);
	if (!has)
		return;
	cr4_load("CR4 with FSGSBASE", cr4 | CR4_FSGSBASE);
	g_expect_fault(5);
	__asm__ volatile("wrfsbase %0" : : "a"(0x7fff12345000ULL));
	expect_vec("WRFSBASE", 0, g_fault_vector(), NOFAULT);
	expect_eq("IA32_FS_BASE after WRFSBASE", 0, g_rdmsr(0xc0000100),
		  0x7fff12345000ULL);
	expect_vec("RDFSBASE", 0, rdfsbase_v(&v), NOFAULT);
	expect_eq("RDFSBASE", 0, v, 0x7fff12345000ULL);
	g_wrmsr(0xc0000100, old);
	cr4_load("CR4 without FSGSBASE", cr4);
}

/* RDPKRU/WRPKRU (0f 01 ee/ef, ECX = EDX = 0) #UD while CR4.PKE = 0 and
 * read and write PKRU while it is 1 (Vol 2B, RDPKRU). */
static int rdpkru_v(u32 *v)
{
	u32 a = 0, d = 0;

	g_expect_fault(3);
	__asm__ volatile(".byte 0x0f, 0x01, 0xee" : "+a"(a), "+d"(d) : "c"(0));
	*v = a;
	return g_fault_vector();
}

static int wrpkru_v(u32 v)
{
	g_expect_fault(3);
	__asm__ volatile(".byte 0x0f, 0x01, 0xef" : : "a"(v), "c"(0), "d"(0));
	return g_fault_vector();
}

static void gate_pke(bool has)
{
	u64 cr4 = g_read_cr4();
	u32 v;

	expect_vec("RDPKRU with CR4.PKE = 0", 0, rdpkru_v(&v), UD);
	expect_vec("WRPKRU with CR4.PKE = 0", 0, wrpkru_v(0), UD);
	if (!has)
		return;
	cr4_load("CR4 with PKE", cr4 | CR4_PKE);
	expect_vec("WRPKRU", 0, wrpkru_v(0x55555554), NOFAULT);
	expect_vec("RDPKRU", 0, rdpkru_v(&v), NOFAULT);
	expect_eq("RDPKRU after WRPKRU", 0, v, 0x55555554);
	expect_vec("WRPKRU", 0, wrpkru_v(0), NOFAULT);
	cr4_load("CR4 without PKE", cr4);
}

/* With CR4.PCIDE = 1, CR3[11:0] is the current PCID (Vol 3A 4.10.1). */
static void gate_pcid(bool has)
{
	u64 cr4 = g_read_cr4(), cr3 = g_read_cr3();

	if (!has)
		return;
	cr4_load("CR4 with PCIDE", cr4 | CR4_PCIDE);
	g_write_cr3(cr3 | 1);
	expect_eq("CR3 with PCID 1", cr3, g_read_cr3(), cr3 | 1);
	g_write_cr3(cr3);
	cr4_load("CR4 without PCIDE", cr4);
}

static void test_cr4_gates(void)
{
	gate_de();
	gate_sse();
	gate_fsgsbase(cpuid_bit(7, 0, EBX, 0));
	gate_pke(cpuid_bit(7, 0, ECX, 3));
	gate_pcid(cpuid_bit(1, 0, ECX, 17));
	g_ok(group_ok(),
	     "CR4.DE, OSFXSR, OSXMMEXCPT, FSGSBASE, PKE and PCIDE change the "
	     "instructions they gate as advertised");
}

/* ------------------------------------------------------ INVPCID, PCID */

/* INVPCID type, {pcid, address} (SDM Vol 2B "INVPCID"): 66 0F 38 82 /r
 * with the descriptor at (%rax), the type in %rcx. */
static int invpcid_v(u64 type, u64 pcid, u64 addr)
{
	static u64 desc[2] __attribute__((aligned(16)));

	desc[0] = pcid;
	desc[1] = addr;
	g_expect_fault(5);
	__asm__ volatile(".byte 0x66, 0x0f, 0x38, 0x82, 0x08"
			 :
			 : "a"(desc), "c"(type)
			 : "memory");
	return g_fault_vector();
}

#define PCID_VA	  0x40000000UL /* 1 GiB: the second PD of the identity map */
#define PCID_PA_A 0x400000UL
#define PCID_PA_B 0x600000UL
#define PDE_2M	  0x83UL /* present, writable, 2 MiB */

/* The PDE that maps PCID_VA, found from CR3. */
static volatile u64 *pcid_pde(void)
{
	u64 *pml4 = (u64 *)(g_read_cr3() & 0xffffffffff000ULL);
	u64 *pdpt = (u64 *)(pml4[0] & 0xffffffffff000ULL);
	u64 *pd = (u64 *)(pdpt[PCID_VA >> 30] & 0xffffffffff000ULL);

	return &pd[(PCID_VA >> 21) & 511];
}

/* Point PCID_VA at pa, read it once (the TLB may now hold it), point it
 * at the other frame: after inv (an INVPCID), a read sees the new one
 * (Vol 3A 4.10.4.1). */
static void pcid_remap(volatile u64 *pde, u64 to, const char *how,
		       int (*inv)(void))
{
	u64 from = to == PCID_PA_A ? PCID_PA_B : PCID_PA_A;
	volatile u64 *va = (volatile u64 *)PCID_VA;

	*pde = from | PDE_2M;
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	(void)*va;
	*pde = to | PDE_2M;
	expect_vec(how, 0, inv(), NOFAULT);
	expect_eq(how, 0, *va, to);
}

static int inv_address(void)
{
	return invpcid_v(0, 1, PCID_VA);
}

static int inv_context(void)
{
	return invpcid_v(1, 1, 0);
}

static int inv_all_global(void)
{
	return invpcid_v(2, 0, 0);
}

static int inv_all(void)
{
	return invpcid_v(3, 0, 0);
}

/*
 * INVPCID where CPUID.7:EBX[10] says (#UD otherwise): invalid types, a
 * PCID field with bits 63:12 set, a non-canonical address for type 0 and,
 * with CR4.PCIDE = 0, a PCID other than 0 for types 0 and 1 are #GP(0);
 * each type drops what it must (checked through a remapped 2 MiB page
 * while CR3 holds PCID 1). A MOV to CR3 with bit 63 set (no flush) does
 * not store bit 63 (Vol 2B "MOV to/from Control Registers").
 */
static void test_invpcid(void)
{
	bool has = cpuid_bit(7, 0, EBX, 10), pcid = cpuid_bit(1, 0, ECX, 17);
	u64 cr4 = g_read_cr4(), cr3 = g_read_cr3();
	volatile u64 *pde;
	u64 saved, *a = (u64 *)PCID_PA_A, *b = (u64 *)PCID_PA_B;

	if (!has) {
		expect_vec("INVPCID without CPUID.7:EBX.INVPCID", 0,
			   invpcid_v(3, 0, 0), UD);
		g_ok(group_ok(), "INVPCID #UD: CPUID.7:EBX.INVPCID = 0");
		return;
	}
	expect_vec("INVPCID type 4", 4, invpcid_v(4, 0, 0), GP);
	expect_vec("INVPCID type", ~0ULL, invpcid_v(~0ULL, 0, 0), GP);
	expect_vec("INVPCID PCID bits 63:12", 1ULL << 12,
		   invpcid_v(3, 1ULL << 12, 0), GP);
	expect_vec("INVPCID type 0, non-canonical", NONCANON,
		   invpcid_v(0, 0, NONCANON), GP);
	expect_vec("INVPCID type 0, PCID 1, PCIDE 0", 0,
		   invpcid_v(0, 1, PCID_VA), GP);
	expect_vec("INVPCID type 1, PCID 1, PCIDE 0", 1, invpcid_v(1, 1, 0),
		   GP);
	expect_vec("INVPCID type 2", 2, invpcid_v(2, 0, 0), NOFAULT);
	expect_vec("INVPCID type 3", 3, invpcid_v(3, 0, 0), NOFAULT);
	if (pcid) {
		*a = PCID_PA_A;
		*b = PCID_PA_B;
		pde = pcid_pde();
		saved = *pde;
		cr4_load("CR4 with PCIDE", cr4 | CR4_PCIDE);
		g_write_cr3(cr3 | 1);
		pcid_remap(pde, PCID_PA_B, "INVPCID type 0 (address)",
			   inv_address);
		pcid_remap(pde, PCID_PA_A, "INVPCID type 1 (PCID)",
			   inv_context);
		pcid_remap(pde, PCID_PA_B, "INVPCID type 2 (all)",
			   inv_all_global);
		pcid_remap(pde, PCID_PA_A, "INVPCID type 3 (all but global)",
			   inv_all);
		g_write_cr3(cr3 | 1 | (1ULL << 63));
		expect_eq("CR3 after a no-flush MOV", cr3 | 1, g_read_cr3(),
			  cr3 | 1);
		*pde = saved;
		g_write_cr3(cr3);
		cr4_load("CR4 without PCIDE", cr4);
	}
	g_ok(group_ok(),
	     "INVPCID: bad types, PCID bits 63:12, non-canonical and PCIDE-0 "
	     "PCIDs #GP(0); types 0-3 drop the remapped page%s",
	     pcid ? "; CR3 bit 63 not stored" : " (no PCID: not remapped)");
}

/* ---------------------------------------------------------------- XSAVE */

#define MSR_XSS 0xda0

static u64 xcr0_get(void)
{
	u64 v;

	expect_vec("XGETBV", 0, xgetbv_v(0, &v), NOFAULT);
	return v;
}

/*
 * XSAVE area sizes (Vol 1 13.4 "XSAVE Area", 13.4.3 compacted form):
 * the legacy region and header (512 + 64 bytes), then each component i
 * >= 2 at the offset CPUID.(0xD,i).EBX gives (standard form) or packed in
 * order, 64-byte aligned where CPUID.(0xD,i).ECX[1] says (compacted).
 */
static u32 xsave_size(u64 mask, bool compacted)
{
	u32 size = 576;

	for (unsigned i = 2; i < 63; i++) {
		u32 r[4];

		if (!(mask >> i & 1))
			continue;
		g_cpuid(0xd, i, r);
		if (compacted) {
			size = (r[2] & 2) ? (size + 63) & ~63U : size;
			size += r[0];
		} else if (r[1] + r[0] > size) {
			size = r[1] + r[0];
		}
	}
	return size;
}

/* The smallest XCR0 with bit i that the rules allow (Vol 3A 2.6,
 * "Extended Control Registers"; Vol 1 13.3): x87 always; AVX needs SSE;
 * AVX-512's three bits together, with AVX; MPX's two together; AMX's two
 * together. */
static u64 xcr0_with(unsigned i)
{
	u64 v = 1 | 1ULL << i;

	if (i == 2)
		v |= 0x2;
	if (i >= 5 && i <= 7)
		v |= 0xe6;
	if (i == 3 || i == 4)
		v |= 0x18;
	if (i == 17 || i == 18)
		v |= 0x60000;
	return v;
}

/* CPUID.(0xD,0).EBX: the size for the enabled XCR0; (0xD,1).EBX: the
 * compacted size for XCR0 | IA32_XSS, where XSAVEC or XSAVES exist. */
static void check_sizes(u64 xcr0, u64 xss, bool compact)
{
	expect_eq("CPUID.(0xD,0).EBX for XCR0", xcr0, cpuid_reg(0xd, 0, EBX),
		  xsave_size(xcr0, false));
	if (compact)
		expect_eq("CPUID.(0xD,1).EBX for XCR0|XSS", xcr0 | xss,
			  cpuid_reg(0xd, 1, EBX), xsave_size(xcr0 | xss, true));
}

static void xcr0_walk(u64 sup, u64 xss, bool compact)
{
	unsigned loaded = 0;

	for (unsigned i = 0; i < 64; i++) {
		u64 v = xcr0_with(i), old = xcr0_get();

		if ((v & ~sup) == 0) {
			expect_vec("XSETBV XCR0", v, xsetbv_v(0, v), NOFAULT);
			expect_eq("XGETBV after XSETBV", v, xcr0_get(), v);
			check_sizes(v, xss, compact);
			loaded++;
		} else if (sup >> i & 1) {
			mismatch("XCR0 bit advertised without its dependencies",
				 i, sup, sup | v);
		} else {
			expect_vec("XSETBV XCR0", v, xsetbv_v(0, v), GP);
			expect_eq("XGETBV after a refused XSETBV", v,
				  xcr0_get(), old);
		}
	}
	expect_vec("XSETBV all of CPUID.(0xD,0)", sup, xsetbv_v(0, sup),
		   NOFAULT);
	check_sizes(sup, xss, compact);
	g_printf("# XCR0: %u of 64 bits load (supported %#lx)\n", loaded,
		 (unsigned long)sup);
}

/* Values every CPU refuses: x87 clear, AVX without SSE, part of AVX-512
 * or AVX-512 without AVX, half of MPX or AMX; and XCR1, read-only. */
static void xcr0_rules(void)
{
	static const u64 refused[] = {0x0,  0x2,     0x5,     0x27,
				      0x67, 0xa7,    0xe3,    0x9,
				      0x11, 0x20001, 0x40001, 1ULL << 63};

	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		expect_vec("XSETBV XCR0", refused[i], xsetbv_v(0, refused[i]),
			   GP);
	expect_vec("XSETBV XCR1", 1, xsetbv_v(1, 1), GP);
}

static void test_xsave(void)
{
	bool xsave = cpuid_bit(1, 0, ECX, 26);
	u32 d1 = xsave ? cpuid_reg(0xd, 1, EAX) : 0;
	bool compact = d1 & 0xa, xss_has = d1 >> 3 & 1;
	u64 cr4 = g_read_cr4(), v, sup = 0, xss = 0, x0 = 0;

	/* XSETBV/XGETBV: #UD if CR4.OSXSAVE = 0 (Vol 2C) */
	expect_vec("XGETBV with CR4.OSXSAVE = 0", 0, xgetbv_v(0, &v), UD);
	expect_vec("XSETBV with CR4.OSXSAVE = 0", 0, xsetbv_v(0, 1), UD);
	g_ok(group_ok(), "XSETBV and XGETBV #UD with CR4.OSXSAVE = 0");
	if (xsave) {
		sup = cpuid_reg(0xd, 0, EAX) | (u64)cpuid_reg(0xd, 0, EDX)
						   << 32;
		cr4_load("CR4 with OSXSAVE", cr4 | CR4_OSXSAVE);
		x0 = xcr0_get();
		xss = xss_has ? rd(MSR_XSS) : 0;
		expect_eq("XCR0 at entry", 0, x0, 1);
		expect_eq("CPUID.(0xD,0).ECX for all of XCR0", sup,
			  cpuid_reg(0xd, 0, ECX), xsave_size(sup, false));
		xcr0_walk(sup, xss, compact);
	}
	g_ok(group_ok(), "XCR0: CPUID.(0xD,0) components load with their "
			 "dependencies, other "
			 "bits #GP(0); CPUID.(0xD,0/1).EBX size XCR0's area");
	if (xsave)
		xcr0_rules();
	g_ok(group_ok(),
	     "XCR0: x87 clear, AVX without SSE, part of AVX-512 or AVX-512 "
	     "without AVX, half of MPX or AMX, bit 63 and XCR1 #GP(0)");
	if (xsave) {
		/* XGETBV ECX = 1 needs CPUID.(0xD,1).EAX[2]; ECX = 2 is no XCR */
		expect_vec("XGETBV XCR1", 1, xgetbv_v(1, &v),
			   d1 >> 2 & 1 ? NOFAULT : GP);
		expect_vec("XGETBV XCR2", 2, xgetbv_v(2, &v), GP);
		(void)xsetbv_v(0, x0);
		cr4_load("CR4 without OSXSAVE", cr4);
	}
	/* IA32_XSS: present iff CPUID.(0xD,1).EAX[3] (Vol 4 Table 2-2);
	 * bits outside CPUID.(0xD,1).EDX:ECX are reserved */
	rd_present(MSR_XSS, xss_has);
	if (xss_has) {
		u64 xs = cpuid_reg(0xd, 1, ECX) | (u64)cpuid_reg(0xd, 1, EDX)
						      << 32;

		wr_back(MSR_XSS, 0);
		wr_gp(MSR_XSS, ~xs & ~0xffULL);
		wr_back(MSR_XSS, xss);
	} else {
		wr_expect(MSR_XSS, 0, GP);
	}
	g_ok(group_ok(),
	     "XGETBV ECX=1 iff CPUID.(0xD,1).EAX[2], ECX=2 #GP(0); IA32_XSS "
	     "present iff CPUID.(0xD,1).EAX[3]");
}

#include "guests/cpufeat_msr.h"

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_idt_init();
	cpuid_init();
	g_printf("# CPUID: highest leaves %#x and %#x, 7.0 sub-leaves %u, "
		 "MAXPHYADDR %u\n",
		 max_basic, max_ext, max_sub7, maxphyaddr());
	test_cr4_bits();
	test_cr4_reserved();
	test_cr4_rules();
	test_cr4_mirrors();
	test_cr4_gates();
	test_invpcid();
	test_xsave();
	test_tsc();
	test_misc_enable();
	test_ds_area();
	test_mtrr();
	test_pat();
	test_mca();
	test_spec();
	test_tsc_aux();
	test_efer();
	test_syscall_msrs();
	test_bases();
	test_feature_control();
	test_apic_base();
	test_unassigned();
	test_gated();
	return (int)g_tap_failed();
}
