/* SPDX-License-Identifier: MIT */
/*
 * The guest's MSRs (vmm/cpu/msr_model.c) over fake CPUs: the table's
 * shape, gates from CPUID, reset values, the reserved bits and types of
 * every MSR the model stores or checks (SDM Vol 4 Table 2-2, Vol 3A 12.11
 * "Memory Type Range Registers", Vol 3B 16.3.1), and docs/guests.md's MSR
 * table, which must be the one this program prints with --print-docs.
 */
#include <stdio.h>
#include <string.h>

#include "test/unit/support/doc_table.h"
#include "test/unit/support/tap.h"
#include "vmm/cpu/msr_model.h"

/* A fake host: every feature bit set, but for one CPUID bit cleared. */
static struct {
	u32 fill;
	u32 clear_leaf, clear_reg, clear_bit; /* clear_leaf 0: none */
} host;

static struct cpuid_regs fake(u32 leaf, u32 sub)
{
	u32 f = host.fill;
	struct cpuid_regs r = {f, f, f, f};
	u32 *regs[4] = {&r.eax, &r.ebx, &r.ecx, &r.edx};

	(void)sub;
	if (leaf == 0)
		return (struct cpuid_regs){0x1f, 0, 0, 0};
	if (leaf == 0x80000000U)
		return (struct cpuid_regs){0x80000008U, 0, 0, 0};
	if (leaf == 0xd)
		return (struct cpuid_regs){7 & f, 576, 576, 0};
	if (leaf == 7 && sub == 0)
		r.eax = 0;
	if (host.clear_leaf && leaf == host.clear_leaf)
		*regs[host.clear_reg] &= ~(1U << host.clear_bit);
	return r;
}

static struct cpu_model cpu;
static struct msr_env env;
static struct msr_store st;

static void setup(u32 fill, u32 leaf, u32 reg, u32 bit)
{
	host.fill = fill;
	host.clear_leaf = leaf;
	host.clear_reg = reg;
	host.clear_bit = bit;
	cpu_model_init(&cpu, fake, CPU_MODEL_RDTSCP | CPU_MODEL_INVPCID);
	env = (struct msr_env){&cpu, 39, 2400000000ULL, 0x2b};
	msr_store_reset(&st);
}

static int rd(u32 msr, u64 *v)
{
	*v = 0xdeadULL;
	return msr_model_read(&env, &st, msr, v);
}

static int wr(u32 msr, u64 v)
{
	return msr_model_write(&env, &st, msr, v);
}

static void test_table(void)
{
	bool ok = true;

	for (unsigned i = 0; i < msr_table_len; i++) {
		const struct msr_entry *m = &msr_table[i];

		ok &= m->last >= m->index && msr_lookup(m->index) == m &&
		      msr_lookup(m->last) == m;
		for (unsigned j = 0; j < i; j++)
			ok &= m->index > msr_table[j].last ||
			      m->last < msr_table[j].index;
	}
	ok &= !msr_lookup(0x600) && !msr_lookup(0x12345) && !msr_lookup(0);
	tap_ok(ok,
	       "%u table entries, each found at both ends, none overlap; "
	       "DS_AREA and unknown indices are not in it",
	       msr_table_len);
}

static void test_gates(void)
{
	u64 v;
	int absent = 0, present = 0;
	static const u32 gated[] = {
	    IA32_TSC_ADJUST, IA32_SPEC_CTRL,   IA32_ARCH_CAPABILITIES,
	    IA32_MTRRCAP,    IA32_MCG_CAP,     IA32_TSC_DEADLINE,
	    IA32_PAT,	     IA32_SYSENTER_CS, IA32_EFER,
	    IA32_LSTAR,	     IA32_TSC_AUX,     IA32_STAR};

	setup(0, 0, 0, 0); /* a host without a feature bit */
	for (unsigned i = 0; i < sizeof(gated) / sizeof(gated[0]); i++)
		absent += rd(gated[i], &v) == MSR_ABSENT &&
			  wr(gated[i], 0) == MSR_ABSENT;
	/* tsc_adjust and tsc_deadline_timer are mica's own: always there */
	tap_ok(absent == 10 && rd(IA32_TSC_ADJUST, &v) == MSR_PASS &&
		   rd(IA32_TSC_DEADLINE, &v) == MSR_PASS &&
		   rd(IA32_MISC_ENABLE, &v) == MSR_DONE &&
		   rd(IA32_FEATURE_CONTROL, &v) == MSR_DONE &&
		   rd(IA32_XSS, &v) == MSR_ABSENT,
	       "host with no features: 10 gated MSRs #GP as absent, TSC_ADJUST,"
	       " TSC_DEADLINE, MISC_ENABLE, FEATURE_CONTROL stay (%d)",
	       absent);

	setup(~0U, 0, 0, 0);
	for (unsigned i = 0; i < sizeof(gated) / sizeof(gated[0]); i++)
		present += rd(gated[i], &v) != MSR_ABSENT;
	tap_ok(present == 12 && rd(IA32_XSS, &v) == MSR_ABSENT &&
		   rd(0x600, &v) == MSR_ABSENT && wr(0x12345, 0) == MSR_ABSENT,
	       "host with every feature: all 12 present; XSS (XSAVES is not "
	       "advertised), DS_AREA, unknown MSRs absent");

	setup(~0U, 0x80000001U, 3, 27); /* no RDTSCP: RDPID keeps TSC_AUX */
	bool aux_rdpid = rd(IA32_TSC_AUX, &v) == MSR_PASS;
	setup(~0U, 7, 2, 22);
	bool aux_rdtscp = rd(IA32_TSC_AUX, &v) == MSR_PASS;
	host.fill = ~0U;
	host.clear_leaf = 0x80000001U;
	host.clear_reg = 3;
	host.clear_bit = 27;
	cpu_model_init(&cpu, fake, 0); /* RDTSCP not enabled either */
	tap_ok(aux_rdpid && aux_rdtscp && rd(IA32_TSC_AUX, &v) == MSR_ABSENT,
	       "TSC_AUX with RDTSCP or RDPID, absent when the VM enables "
	       "neither");
}

static void test_stored(void)
{
	u64 v;
	bool misc, var, fix = true, def;

	setup(~0U, 0, 0, 0);
	misc = rd(IA32_MISC_ENABLE, &v) == MSR_DONE && v == 0x1801 &&
	       wr(IA32_MISC_ENABLE, 0x1800) == MSR_DONE &&
	       wr(IA32_MISC_ENABLE, 0x1801 | BIT(38) | BIT(3)) == MSR_DONE &&
	       rd(IA32_MISC_ENABLE, &v) == MSR_DONE &&
	       v == (0x1801 | BIT(38) | BIT(3)) &&
	       wr(IA32_MISC_ENABLE, v | BIT(18) | BIT(22)) == MSR_DONE &&
	       wr(IA32_MISC_ENABLE, v) == MSR_DONE &&
	       wr(IA32_MISC_ENABLE, v & ~BIT(11)) == MSR_GP &&
	       wr(IA32_MISC_ENABLE, v | BIT(12 + 1)) == MSR_GP &&
	       wr(IA32_MISC_ENABLE, v | BIT(63)) == MSR_GP;
	tap_ok(misc, "MISC_ENABLE: 0x1801 at reset; bits 0, 3, 18, 22, 38 "
		     "written; BTS-unavailable, bit 13 and bit 63 #GP");

	var = wr(IA32_MTRR_PHYSBASE0, 0x80000006ULL) == MSR_DONE &&
	      wr(IA32_MTRR_PHYSBASE0 + 1, 0x7f80000800ULL) == MSR_DONE &&
	      rd(IA32_MTRR_PHYSBASE0, &v) == MSR_DONE && v == 0x80000006ULL &&
	      rd(IA32_MTRR_PHYSBASE0 + 1, &v) == MSR_DONE &&
	      v == 0x7f80000800ULL &&
	      wr(IA32_MTRR_PHYSBASE0 + 14, 0x2) == MSR_GP &&
	      wr(IA32_MTRR_PHYSBASE0 + 14, 0x7) == MSR_GP &&
	      wr(IA32_MTRR_PHYSBASE0 + 14, 0x106) == MSR_GP &&
	      wr(IA32_MTRR_PHYSBASE0 + 14, (1ULL << 39) | 6) == MSR_GP &&
	      wr(IA32_MTRR_PHYSBASE0 + 15, 0x400) == MSR_GP &&
	      wr(IA32_MTRR_PHYSBASE0 + 15, 1ULL << 39) == MSR_GP &&
	      wr(IA32_MTRR_PHYSBASE0 + 15, (1ULL << 39) - 4096) == MSR_DONE &&
	      rd(IA32_MTRR_PHYSBASE0 + 16, &v) == MSR_ABSENT;
	tap_ok(var, "variable MTRRs: read back; types 2 and 7, reserved bits "
		    "and bits from MAXPHYADDR up #GP; 8 pairs, no ninth");

	static const u32 fixed[] = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
				    0x26b, 0x26c, 0x26d, 0x26e, 0x26f};
	static const u8 types[5] = {0, 1, 4, 5, 6};
	/* a value per MSR: types (i % 5, i / 5) in bytes 0 and 1 */
#define FIXED_VAL(i)                                                           \
	(0x0606050504040000ULL | types[(i) % 5] | (u64)types[(i) / 5] << 8)
	for (unsigned i = 0; i < 11; i++)
		fix &= wr(fixed[i], FIXED_VAL(i)) == MSR_DONE;
	for (unsigned i = 0; i < 11; i++)
		fix &= rd(fixed[i], &v) == MSR_DONE && v == FIXED_VAL(i);
	fix &= wr(0x250, 0x0200000000000000ULL) == MSR_GP &&
	       rd(0x251, &v) == MSR_ABSENT && rd(0x260, &v) == MSR_ABSENT;
	tap_ok(fix, "fixed-range MTRRs: 11 of them, each read back; a byte of "
		    "type 2 #GP; 0x251 and 0x260 are not MTRRs");

	def = rd(IA32_MTRR_DEF_TYPE, &v) == MSR_DONE && v == 0 &&
	      wr(IA32_MTRR_DEF_TYPE, 0xc06) == MSR_DONE &&
	      rd(IA32_MTRR_DEF_TYPE, &v) == MSR_DONE && v == 0xc06 &&
	      wr(IA32_MTRR_DEF_TYPE, 0x1000) == MSR_GP &&
	      wr(IA32_MTRR_DEF_TYPE, 0x300) == MSR_GP &&
	      wr(IA32_MTRR_DEF_TYPE, 0x3) == MSR_GP &&
	      rd(IA32_MTRRCAP, &v) == MSR_DONE && v == 0x508 &&
	      wr(IA32_MTRRCAP, v) == MSR_GP;
	tap_ok(def, "MTRRdefType: type, FE, E read back, reserved bits and "
		    "type 3 #GP; MTRRcap 0x508 and read-only");

	msr_store_reset(&st);
	tap_ok(rd(IA32_MTRR_DEF_TYPE, &v) == MSR_DONE && !v &&
		   rd(0x26f, &v) == MSR_DONE && !v &&
		   rd(IA32_MISC_ENABLE, &v) == MSR_DONE && v == 0x1801,
	       "reset clears the MTRRs and restores MISC_ENABLE");

	tap_ok(rd(IA32_MCG_CAP, &v) == MSR_DONE && !v &&
		   wr(IA32_MCG_STATUS, 7) == MSR_DONE &&
		   rd(IA32_MCG_STATUS, &v) == MSR_DONE && v == 7 &&
		   wr(IA32_MCG_STATUS, 8) == MSR_GP &&
		   wr(IA32_MCG_CAP, 0) == MSR_GP,
	       "machine check: MCG_CAP 0 (no banks), read-only; MCG_STATUS "
	       "bits 2:0 stored, bit 3 #GP");
}

static void test_constants(void)
{
	u64 v, pi, fc, sig, ac;

	setup(~0U, 0, 0, 0);
	tap_ok(rd(MSR_PLATFORM_INFO, &pi) == MSR_DONE && pi == 24 << 8 &&
		   rd(IA32_FEATURE_CONTROL, &fc) == MSR_DONE && fc == 1 &&
		   wr(IA32_FEATURE_CONTROL, 5) == MSR_GP &&
		   rd(IA32_BIOS_SIGN_ID, &sig) == MSR_DONE &&
		   sig == 1ULL << 32 && wr(IA32_BIOS_SIGN_ID, 0) == MSR_DONE &&
		   rd(IA32_ARCH_CAPABILITIES, &ac) == MSR_DONE && ac == 0x2b &&
		   wr(IA32_ARCH_CAPABILITIES, 0) == MSR_GP &&
		   rd(IA32_PLATFORM_ID, &v) == MSR_DONE && !v &&
		   wr(IA32_PLATFORM_ID, 0) == MSR_GP,
	       "PLATFORM_INFO ratio 24 at 2.4 GHz; FEATURE_CONTROL locked "
	       "with VMX off, #GP on write; BIOS_SIGN_ID revision 1, writes "
	       "ignored; ARCH_CAPABILITIES the host's, read-only");
	tap_ok(rd(IA32_PRED_CMD, &v) == MSR_GP &&
		   wr(IA32_PRED_CMD, 1) == MSR_PASS &&
		   wr(IA32_PRED_CMD, 2) == MSR_GP &&
		   rd(IA32_FLUSH_CMD, &v) == MSR_GP &&
		   wr(IA32_FLUSH_CMD, 1) == MSR_PASS &&
		   wr(IA32_FLUSH_CMD, 1ULL << 32) == MSR_GP,
	       "PRED_CMD and FLUSH_CMD: write-only, bit 0 only");
}

static void test_guest_checks(void)
{
	const u64 nc = 0x0000800000000000ULL; /* not canonical */
	u64 v;
	bool addr = true;
	static const u32 addrs[] = {IA32_LSTAR,		 IA32_CSTAR,
				    IA32_FS_BASE,	 IA32_GS_BASE,
				    IA32_KERNEL_GS_BASE, IA32_SYSENTER_ESP,
				    IA32_SYSENTER_EIP};

	setup(~0U, 0, 0, 0);
	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		addr &= wr(addrs[i], nc) == MSR_GP &&
			wr(addrs[i], 0xffff800000000000ULL) == MSR_PASS &&
			rd(addrs[i], &v) == MSR_PASS;
	tap_ok(addr, "address MSRs: a non-canonical value #GPs, a canonical "
		     "one passes to the VMCS or CPU");
	tap_ok(wr(IA32_FMASK, 1ULL << 32) == MSR_GP &&
		   wr(IA32_FMASK, 0xffffffffULL) == MSR_PASS &&
		   wr(IA32_TSC_AUX, 1ULL << 32) == MSR_GP &&
		   wr(IA32_TSC_AUX, 0xffffffffULL) == MSR_PASS &&
		   wr(IA32_STAR, ~0ULL) == MSR_PASS &&
		   wr(IA32_DEBUGCTL, 2) == MSR_PASS &&
		   wr(IA32_DEBUGCTL, 1) == MSR_GP &&
		   wr(IA32_PAT, 0x0007040600070406ULL) == MSR_PASS &&
		   wr(IA32_PAT, 0x0007040600070402ULL) == MSR_GP &&
		   wr(IA32_PAT, 0x0807040600070406ULL) == MSR_GP,
	       "FMASK and TSC_AUX bits 63:32 #GP; STAR any value; DEBUGCTL "
	       "BTF only; PAT types 2 and 8 #GP");
	tap_ok(wr(IA32_EFER, IA32_EFER_SCE | IA32_EFER_LME | IA32_EFER_NXE) ==
		       MSR_PASS &&
		   wr(IA32_EFER, BIT(1)) == MSR_GP &&
		   wr(IA32_EFER, BIT(12)) == MSR_GP &&
		   wr(IA32_SPEC_CTRL, 7) == MSR_PASS &&
		   wr(IA32_SPEC_CTRL, 8) == MSR_GP,
	       "EFER: SCE, LME, NXE pass; bits 1 and 12 #GP; SPEC_CTRL bits "
	       "2:0");
	setup(~0U, 0x80000001U, 3, 20);
	bool nx = wr(IA32_EFER, IA32_EFER_NXE) == MSR_GP &&
		  wr(IA32_EFER, IA32_EFER_SCE) == MSR_PASS;
	setup(~0U, 0, 0, 0);
	bool xd = wr(IA32_MISC_ENABLE, 0x1801 | BIT(34)) == MSR_DONE &&
		  wr(IA32_EFER, IA32_EFER_NXE) == MSR_GP &&
		  wr(IA32_MISC_ENABLE, 0x1801) == MSR_DONE &&
		  wr(IA32_EFER, IA32_EFER_NXE) == MSR_PASS;
	setup(~0U, 0x80000001U, 3, 11);
	bool sce = wr(IA32_EFER, IA32_EFER_SCE) == MSR_GP &&
		   rd(IA32_STAR, &v) == MSR_ABSENT;
	setup(~0U, 7, 3, 31);
	bool ssbd = wr(IA32_SPEC_CTRL, 4) == MSR_GP &&
		    wr(IA32_SPEC_CTRL, 3) == MSR_PASS;
	tap_ok(nx && sce && ssbd && xd,
	       "a bit of an unadvertised feature #GPs: EFER.NXE without nx or "
	       "with MISC_ENABLE.XD_DISABLE, EFER.SCE (and STAR) without "
	       "syscall, SSBD without ssbd");
}

/* ---------------------------------------------------------------- docs */

#define DOC_BEGIN "<!-- msr-table: generated by test_msr_model --print-docs -->"
#define DOC_END	  "<!-- end of msr-table -->"

static const char *reg_name[4] = {"EAX", "EBX", "ECX", "EDX"};

/* The CPUID bits an entry needs, as text: "0x7.0 EDX[26] or ...". */
static void gate_text(const struct msr_entry *m, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < MSR_GATES && m->gate[i].leaf; i++) {
		const struct msr_gate *g = &m->gate[i];
		char leaf[24];

		if (g->sub || g->leaf == 7)
			snprintf(leaf, sizeof(leaf), "0x%X.%u", g->leaf,
				 g->sub);
		else
			snprintf(leaf, sizeof(leaf), "0x%X", g->leaf);
		len += (size_t)snprintf(buf + len, n - len, "%s%s %s[%u]",
					i ? " or " : "", leaf, reg_name[g->reg],
					g->bit);
	}
	if (!len)
		snprintf(buf, n, "always");
}

static size_t docs_table(char *buf, size_t n)
{
	size_t len = 0;

	len += (size_t)snprintf(buf + len, n - len,
				"| MSR | name | present | read | write |\n"
				"|---|---|---|---|---|\n");
	for (unsigned i = 0; i < msr_table_len && len < n; i++) {
		const struct msr_entry *m = &msr_table[i];
		char idx[32], gate[96];

		if (m->last != m->index)
			snprintf(idx, sizeof(idx), "0x%X-0x%X", m->index,
				 m->last);
		else
			snprintf(idx, sizeof(idx), "0x%X", m->index);
		gate_text(m, gate, sizeof(gate));
		len += (size_t)snprintf(buf + len, n - len,
					"| %s | %s | %s | %s | %s |\n", idx,
					m->name, gate, m->read, m->write);
	}
	return len;
}

static void test_docs(void)
{
	static char want[16384];
	const char *why = "";

	docs_table(want, sizeof(want));
	tap_ok(
	    doc_table_matches("docs/guests.md", DOC_BEGIN, DOC_END, want, &why),
	    "docs/guests.md's MSR table is the model's (%u rows; "
	    "test_msr_model --print-docs prints it)%s%s",
	    msr_table_len, *why ? ": " : "", why);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--print-docs")) {
		static char buf[16384];

		docs_table(buf, sizeof(buf));
		printf("%s\n%s%s\n", DOC_BEGIN, buf, DOC_END);
		return 0;
	}
	test_table();
	test_gates();
	test_stored();
	test_constants();
	test_guest_checks();
	test_docs();
	return tap_done();
}
