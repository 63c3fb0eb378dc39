/* SPDX-License-Identifier: MIT */
/*
 * The fake CPU behind arch/x86/cpu.h for host builds, and the host stand-ins
 * of the other arch/x86 objects the exit paths link against (msr.c, fpu.c,
 * desc.c, vmx_entry.asm). CPUID answers from a fixed table; the VMX
 * capability MSRs describe a recent server core, varied by the profile;
 * every other MSR raises #GP unless listed, and a #GP from an unguarded
 * rdmsr()/wrmsr() (no exception-table entry in the kernel) is a host crash,
 * i.e. panic(). Port I/O and HLT from an exit path are panics too: the host
 * console is not the guest's, and mica never halts for a guest.
 */
#include "arch/x86/clock.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/fpu.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/errno.h"
#include "vmm/vcpu.h"
#include "test/hostvm/hostvm.h"
#include "test/hostvm/hostvm_internal.h"

#define MSR_IA32_TSC	   0x10
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_STAR	   0xc0000081
#define MSR_LSTAR	   0xc0000082
#define MSR_CSTAR	   0xc0000083
#define MSR_SFMASK	   0xc0000084
#define MSR_TSC_AUX	   0xc0000103
#define VMX_REVISION	   0x4

const struct hostvm_profile hostvm_default_profile = {
    .unrestricted = true,
    .ept_2m = true,
    .ept_1g = true,
    .preempt_timer = true,
    .invept_single = true,
    .xcr0 = 0x7,
};

struct hostvm_obs hostvm_obs;

static struct hostvm_profile prof;
static u64 tsc, tsc_step = 1, cr2;
static u8 vec_regs[16][32];

struct fake_msr {
	u32 msr;
	u64 val;
};

/* The MSRs of the fake CPU besides the VMX capabilities and the TSC, with
 * their reset values. */
static const struct fake_msr msr_reset[] = {
    {MSR_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE},
    {MSR_IA32_PAT, 0x0007040600070406ULL},
    {MSR_STAR, 0},
    {MSR_LSTAR, 0},
    {MSR_CSTAR, 0},
    {MSR_SFMASK, 0},
    {MSR_KERNEL_GS_BASE, 0},
    {MSR_TSC_AUX, 0},
    {MSR_FS_BASE, 0},
    {MSR_GS_BASE, 0},
    {MSR_IA32_SYSENTER_CS, 0},
    {MSR_IA32_SYSENTER_ESP, 0},
    {MSR_IA32_SYSENTER_EIP, 0},
    {MSR_IA32_APIC_BASE, 0xfee00900},
};

static struct fake_msr msrs[ARRAY_SIZE(msr_reset)];

void hostvm_obs_clear(void)
{
	mem_set(&hostvm_obs, 0, sizeof(hostvm_obs));
}

void hostvm_cpu_reset(const struct hostvm_profile *p)
{
	prof = *p;
	tsc = 0;
	tsc_step = 1;
	cr2 = 0;
	mem_set(vec_regs, 0, sizeof(vec_regs));
	mem_copy(msrs, msr_reset, sizeof(msrs));
	hostvm_obs_clear();
}

void hostvm_set_tsc_step(u64 step)
{
	tsc_step = step ? step : 1;
}

u32 hostvm_vmx_revision(void)
{
	return VMX_REVISION;
}

bool hostvm_invept_single(void)
{
	return prof.invept_single;
}

/* ---- VMX capability MSRs (SDM Vol 3D Appendix A) -------------------- */

static u64 ctl(u32 must1, u32 may1)
{
	return (u64)may1 << 32 | must1;
}

static u64 proc2_may1(void)
{
	u32 m = VMX_PROC2_EPT | VMX_PROC2_DESC_EXIT | VMX_PROC2_RDTSCP |
		VMX_PROC2_VPID | VMX_PROC2_WBINVD_EXIT | VMX_PROC2_INVPCID |
		VMX_PROC2_XSAVES | VMX_PROC2_RDRAND_EXIT |
		VMX_PROC2_RDSEED_EXIT;

	if (prof.unrestricted)
		m |= VMX_PROC2_UNRESTRICTED;
	if (prof.spp)
		m |= VMX_PROC2_SPP;
	return m;
}

static u64 ept_caps(void)
{
	u64 c = VMX_EPT_EXEC_ONLY | VMX_EPT_WALK_4 | VMX_EPT_MT_UC |
		VMX_EPT_MT_WB | VMX_EPT_INVEPT | VMX_EPT_AD |
		VMX_EPT_INVEPT_ALL | VMX_VPID_INVVPID | VMX_VPID_INVVPID_ADDR |
		VMX_VPID_INVVPID_SINGLE | VMX_VPID_INVVPID_ALL;

	if (prof.ept_2m)
		c |= VMX_EPT_2M;
	if (prof.ept_1g)
		c |= VMX_EPT_1G;
	if (prof.invept_single)
		c |= VMX_EPT_INVEPT_SINGLE;
	return c;
}

/* The capability MSR's value; false if this CPU has no such MSR. */
static bool vmx_cap_msr(u32 msr, u64 *v)
{
	u32 pin = 0x3f | (prof.preempt_timer ? VMX_PIN_PREEMPT_TIMER : 0);
	u32 exit1 = 0x01ffffff & ~(prof.preempt_timer ? 0 : BIT(22));

	switch (msr) {
	case MSR_IA32_FEATURE_CONTROL:
		*v = FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		return true;
	case MSR_IA32_VMX_BASIC:
		*v = VMX_REVISION | 0x1000ULL << 32 | 6ULL << 50 | BIT(54) |
		     VMX_BASIC_TRUE_CTLS;
		return true;
	case MSR_IA32_VMX_PINBASED_CTLS:
	case MSR_IA32_VMX_TRUE_PINBASED_CTLS:
		*v = ctl(0x16, pin);
		return true;
	case MSR_IA32_VMX_PROCBASED_CTLS:
		*v = ctl(0x0401e172, 0xfff9fffe);
		return true;
	case MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
		*v = ctl(0x04006172, 0xfff9fffe);
		return true;
	case MSR_IA32_VMX_EXIT_CTLS:
	case MSR_IA32_VMX_TRUE_EXIT_CTLS:
		*v = ctl(0x00036dfb, exit1);
		return true;
	case MSR_IA32_VMX_ENTRY_CTLS:
	case MSR_IA32_VMX_TRUE_ENTRY_CTLS:
		*v = ctl(0x000011fb, 0x0000d3ff);
		return true;
	case MSR_IA32_VMX_MISC: /* timer rate 5, HLT/shutdown/SIPI states */
		*v = 5 | BIT(5) | BIT(6) | BIT(7) | BIT(8);
		return true;
	case MSR_IA32_VMX_CR0_FIXED0:
		*v = CR0_PE | CR0_NE | CR0_PG;
		return true;
	case MSR_IA32_VMX_CR0_FIXED1:
		*v = 0xffffffffULL;
		return true;
	case MSR_IA32_VMX_CR4_FIXED0:
		*v = CR4_VMXE;
		return true;
	case MSR_IA32_VMX_CR4_FIXED1:
		*v = 0x772fff;
		return true;
	case MSR_IA32_VMX_VMCS_ENUM:
		*v = 0x2e;
		return true;
	case MSR_IA32_VMX_PROCBASED_CTLS2:
		*v = proc2_may1() << 32;
		return true;
	case MSR_IA32_VMX_EPT_VPID_CAP:
		*v = ept_caps();
		return true;
	default:
		return false;
	}
}

/* ---- MSRs ------------------------------------------------------------- */

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

static struct fake_msr *find_msr(u32 msr)
{
	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++)
		if (msrs[i].msr == msr)
			return &msrs[i];
	return NULL;
}

static bool pat_ok(u64 pat)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/* Would WRMSR msr, v raise #GP? (SDM Vol 4 for each MSR.) */
static bool write_faults(u32 msr, u64 v)
{
	switch (msr) {
	case MSR_IA32_EFER:
		return v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	case MSR_IA32_PAT:
		return !pat_ok(v);
	case MSR_SFMASK:
	case MSR_TSC_AUX:
	case MSR_IA32_SYSENTER_CS:
		return v >> 32;
	case MSR_STAR:
		return false;
	case MSR_IA32_APIC_BASE:
		return (v & 0x6ff) || v >> HOSTVM_MAXPHYADDR;
	default:
		return !canonical(v);
	}
}

int rdmsr_safe(u32 msr, u64 *val)
{
	struct fake_msr *m = find_msr(msr);

	*val = 0;
	if (msr == MSR_IA32_TSC) {
		*val = tsc;
		return 0;
	}
	if (m) {
		*val = m->val;
		return 0;
	}
	return vmx_cap_msr(msr, val) ? 0 : -EIO;
}

int wrmsr_safe(u32 msr, u64 val)
{
	struct fake_msr *m = find_msr(msr);

	if (msr == MSR_IA32_TSC) {
		tsc = val;
		return 0;
	}
	if (!m || write_faults(msr, val))
		return -EIO;
	m->val = val;
	return 0;
}

u64 rdmsr(u32 msr)
{
	u64 v;

	if (rdmsr_safe(msr, &v))
		panic("hostvm: #GP in the host: rdmsr 0x%x", msr);
	return v;
}

void wrmsr(u32 msr, u64 v)
{
	if (wrmsr_safe(msr, v))
		panic("hostvm: #GP in the host: wrmsr 0x%x, 0x%lx", msr, v);
}

/* ---- CPUID, TSC, control registers, ports ----------------------------- */

struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	switch (leaf) {
	case 0:
		return (struct cpuid_regs){0x16, 0x756e6547, 0x6c65746e,
					   0x49656e69};
	case 1: /* no XSAVE: see leaf 0xd */
		return (struct cpuid_regs){0x50654, 0x00100800, 0x73fefbff,
					   0xbfebfbff};
	case 7:
		return subleaf ? (struct cpuid_regs){0, 0, 0, 0}
			       : (struct cpuid_regs){0, 0xd19ffffb, 0x0000000c,
						     0x9c002400};
	case 0xb:
		return (struct cpuid_regs){subleaf ? 5 : 1, subleaf ? 16 : 2,
					   0x100 * (subleaf + 1) + subleaf, 0};
	case 0xd:
		/*
		 * No XSAVE components: XSETBV then always faults in the guest
		 * (#GP). handle_xsetbv executes XSETBV itself (inline asm in
		 * vmm/exit/exit_cr.c, not a cpu.h wrapper), which at CPL 3 on the
		 * host would be a SIGSEGV, not an emulated result.
		 */
		return (struct cpuid_regs){0, 0, 0, 0};
	case 0x80000000:
		return (struct cpuid_regs){0x80000008, 0, 0, 0};
	case 0x80000001:
		return (struct cpuid_regs){0, 0, 0x121, 0x2c100800};
	case 0x80000008:
		return (struct cpuid_regs){0x3000 | HOSTVM_MAXPHYADDR, 0, 0, 0};
	default:
		return (struct cpuid_regs){0, 0, 0, 0};
	}
}

u64 rdtsc(void)
{
	tsc += tsc_step;
	return tsc;
}

u64 read_cr0(void)
{
	return 0x80050033;
}

u64 read_cr2(void)
{
	return cr2;
}

u64 read_cr3(void)
{
	return 0x1000;
}

u64 read_cr4(void)
{
	return 0x3626e0;
}

void write_cr0(u64 v)
{
	panic("hostvm: host CR0 write 0x%lx", v);
}

void write_cr2(u64 v)
{
	cr2 = v;
	hostvm_obs.cr2 = v;
	hostvm_obs.cr2_written = true;
}

void write_cr3(u64 v)
{
	panic("hostvm: host CR3 write 0x%lx", v);
}

void write_cr4(u64 v)
{
	panic("hostvm: host CR4 write 0x%lx", v);
}

/* The guest's DR0-DR3 and DR6, live in the CPU (arch/x86/cpu.h). */
static u64 dr[7] = {0, 0, 0, 0, 0, 0, 0xffff0ff0};

u64 read_dr(unsigned n)
{
	return dr[n < 4 ? n : 6];
}

void write_dr6(u64 v)
{
	dr[6] = v;
}

u64 read_rflags(void)
{
	return 0x2;
}

void cpu_relax(void)
{
}

void cpu_halt(void)
{
	panic("hostvm: the host halted");
}

void irq_disable(void)
{
}

void invlpg(hva_t va)
{
	(void)va;
}

/* The fake CPU's CR4 has PKE clear: mica must not read PKRU. */
u32 rdpkru(void)
{
	panic("hostvm: RDPKRU with host CR4.PKE = 0");
}

void outb(u16 port, u8 v)
{
	panic("hostvm: host port write 0x%x <- 0x%x", port, v);
}

void outw(u16 port, u16 v)
{
	panic("hostvm: host port write 0x%x <- 0x%x", port, v);
}

void outl(u16 port, u32 v)
{
	panic("hostvm: host port write 0x%x <- 0x%x", port, v);
}

u8 inb(u16 port)
{
	panic("hostvm: host port read 0x%x", port);
}

/* ---- vector registers (arch/x86/fpu.c) -------------------------------- */

void fpu_init(void)
{
}

void fpu_read_vec(unsigned reg, void *buf, unsigned len)
{
	mem_copy(buf, vec_regs[reg & 15], len == 32 ? 32 : 16);
}

void fpu_write_vec(unsigned reg, const void *buf, unsigned len, bool zero_upper)
{
	u8 *r = vec_regs[reg & 15];

	if (len == 32) {
		mem_copy(r, buf, 32);
		return;
	}
	mem_copy(r, buf, 16);
	if (zero_upper)
		mem_set(r + 16, 0, 16);
}

/* MMX registers: no x87 exception is ever pending on the fake CPU. */
static u64 mmx_regs[8];

bool fpu_read_mmx(unsigned reg, u64 *val)
{
	*val = mmx_regs[reg & 7];
	return true;
}

bool fpu_write_mmx(unsigned reg, u64 val)
{
	mmx_regs[reg & 7] = val;
	return true;
}

u64 fpu_xcr0(void)
{
	return prof.xcr0;
}

void cpu_reset_guest_state(void)
{
	cr2 = 0;
	mem_set(vec_regs, 0, sizeof(vec_regs));
	mem_set(mmx_regs, 0, sizeof(mmx_regs));
}

/* ---- descriptor tables, VM entry (desc.c, vmx_entry.asm) -------------- */

u64 desc_gdt_base(void)
{
	return 0xffffffff80120000ULL;
}

u64 desc_idt_base(void)
{
	return 0xffffffff80121000ULL;
}

u64 desc_tss_base(void)
{
	return 0xffffffff80122000ULL;
}

void vmx_exit_entry(void)
{
	panic("hostvm: vmx_exit_entry is the VM-exit landing pad");
}

int vmx_run(struct vcpu *vcpu)
{
	(void)vcpu;
	panic("hostvm: no VM entry on the host; drive c_vmx_exit()");
}

/* ---- the machine ------------------------------------------------------ */

void hostvm_reset(const struct hostvm_profile *p)
{
	if (hostvm_mem_allocated_pages())
		panic("hostvm: %lu host frames still allocated at reset",
		      hostvm_mem_allocated_pages());
	hostvm_cpu_reset(p);
	hostvm_vmcs_reset(p);
	hostvm_console_reset();
	hostvm_mem_fail_after(0, false);
}

/* The fake CPU's clocks (arch/x86/clock.h): a 1 GHz TSC, the RTC at
 * 2026-01-01 00:00 UTC. */
u64 tsc_hz(void)
{
	return 1000000000ULL;
}

u64 cmos_epoch(void)
{
	return 1767225600ULL;
}
