/* SPDX-License-Identifier: MIT */
/*
 * One-line wrappers for the x86 instructions the hypervisor uses outside VMX:
 * port I/O, CPUID, MSRs, control registers, descriptor tables, halting.
 */
#ifndef MICA_ARCH_X86_CPU_H
#define MICA_ARCH_X86_CPU_H

#include "mm/base/types.h"

#ifdef MICA_HOST_HW
/*
 * Host builds of the exit paths (test/hostvm/): the same wrappers as
 * functions of a fake CPU (CPUID table, MSRs with #GP, TSC, control
 * registers). One switch here, not a shadow header: the bit definitions
 * below must stay the kernel's own.
 */
void outb(u16 port, u8 v);
void outw(u16 port, u16 v);
void outl(u16 port, u32 v);
u8 inb(u16 port);
struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf);
u64 rdmsr(u32 msr);
void wrmsr(u32 msr, u64 v);
u64 rdtsc(void);
u64 read_cr0(void);
u64 read_cr2(void);
u64 read_cr3(void);
u64 read_cr4(void);
void write_cr0(u64 v);
void write_cr2(u64 v);
void write_cr3(u64 v);
void write_cr4(u64 v);
u64 read_dr(unsigned n);
void write_dr6(u64 v);
u64 read_rflags(void);
void cpu_relax(void);
void cpu_halt(void);
void irq_disable(void);
void invlpg(hva_t va);
u32 rdpkru(void);
#else
static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
			 : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                                 \
	static inline u64 read_cr##n(void)                                     \
	{                                                                      \
		u64 v;                                                         \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));              \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(u64 v)                                  \
	{                                                                      \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");     \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

/* DR0-DR3 and DR6 (n = 0-3, 6): the guest's own while mica handles its
 * exits, which VMX does not switch; mica uses none of them (only
 * DR6 is written, for a #DB it delivers). */
static inline u64 read_dr(unsigned n)
{
	u64 v = 0;

	switch (n) {
	case 0:
		__asm__ volatile("mov %%dr0, %0" : "=r"(v));
		break;
	case 1:
		__asm__ volatile("mov %%dr1, %0" : "=r"(v));
		break;
	case 2:
		__asm__ volatile("mov %%dr2, %0" : "=r"(v));
		break;
	case 3:
		__asm__ volatile("mov %%dr3, %0" : "=r"(v));
		break;
	default:
		__asm__ volatile("mov %%dr6, %0" : "=r"(v));
		break;
	}
	return v;
}

static inline void write_dr6(u64 v)
{
	__asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

static inline u64 read_rflags(void)
{
	u64 f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void cpu_halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void invlpg(hva_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* PKRU (needs CR4.PKE: mica sets it where the CPU has protection keys,
 * vmm/run/vmx_init.c). The guest's value is live while mica handles its
 * exits; VMX does not switch it. */
static inline u32 rdpkru(void)
{
	u32 eax, edx;

	__asm__ volatile(".byte 0x0f, 0x01, 0xee" /* rdpkru */
			 : "=a"(eax), "=d"(edx)
			 : "c"(0));
	return eax;
}
#endif /* MICA_HOST_HW */

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

/* The physical-address width, CPUID.80000008H:EAX[7:0]; 36 where the leaf
 * is absent (SDM Vol 3A 4.1.4). */
static inline u8 cpu_maxphyaddr(void)
{
	return cpuid(0x80000000).eax >= 0x80000008 ? (u8)cpuid(0x80000008).eax
						   : 36;
}

/*
 * Read an MSR that may not exist. Returns 0 and stores the value, or -EIO
 * when the RDMSR raised #GP (the exception handler resumes at the fixup
 * label, see arch/x86/extable.h).
 */
int rdmsr_safe(u32 msr, u64 *val) __must_check;
int wrmsr_safe(u32 msr, u64 val) __must_check;

/* CPUID bits used by the hypervisor (SDM Vol 2A, CPUID instruction). */
#define CPUID_1_ECX_VMX	       BIT(5)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_7_ECX_PKU	       BIT(3)
#define CPUID_80000001_EDX_NX  BIT(20)
#define CPUID_80000001_EDX_1G  BIT(26)
#define CPUID_80000001_EDX_LM  BIT(29)

/* Control-register bits (SDM Vol 3A 2.5). */
#define CR0_PE	       BIT(0)
#define CR0_MP	       BIT(1)
#define CR0_EM	       BIT(2)
#define CR0_TS	       BIT(3)
#define CR0_ET	       BIT(4)
#define CR0_NE	       BIT(5)
#define CR0_WP	       BIT(16)
#define CR0_AM	       BIT(18)
#define CR0_NW	       BIT(29)
#define CR0_CD	       BIT(30)
#define CR0_PG	       BIT(31)
#define CR4_VME	       BIT(0)
#define CR4_DE	       BIT(3)
#define CR4_PSE	       BIT(4)
#define CR4_PAE	       BIT(5)
#define CR4_PGE	       BIT(7)
#define CR4_PCIDE      BIT(17)
#define CR4_OSFXSR     BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_LA57       BIT(12)
#define CR4_VMXE       BIT(13)
#define CR4_OSXSAVE    BIT(18)
#define CR4_SMEP       BIT(20)
#define CR4_SMAP       BIT(21)
#define CR4_PKE	       BIT(22)

/* MSRs (SDM Vol 4). */
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_EFER		 0xc0000080
#define MSR_IA32_PAT		 0x277
#define MSR_IA32_SYSENTER_CS	 0x174
#define MSR_IA32_SYSENTER_ESP	 0x175
#define MSR_IA32_SYSENTER_EIP	 0x176
#define MSR_IA32_DEBUGCTL	 0x1d9
#define DEBUGCTL_BTF		 BIT(1) /* single-step on branches */
#define MSR_FS_BASE		 0xc0000100
#define MSR_GS_BASE		 0xc0000101
#define MSR_KERNEL_GS_BASE	 0xc0000102

#define FEATURE_CONTROL_LOCKED		  BIT(0)
#define FEATURE_CONTROL_VMXON_IN_SMX	  BIT(1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

/* Debug registers (SDM Vol 3B 18.2): DR6 reads 1 in its reserved bits;
 * B0-B3, BD and BS are also the bits of the pending-debug-exceptions
 * field and of a #DB exit's qualification (SDM Vol 3C Table 28-1), where
 * bit 16 (RTM) is active high and bit 12 means "enabled breakpoint". */
#define DR6_B(n)	BIT(n)
#define DR6_BD		BIT(13)
#define DR6_BS		BIT(14)
#define DR6_RTM		BIT(16)
#define DR6_ACTIVE_LOW	0xffff0ff0ULL /* the reset value */
#define DR6_PENDING_BP	BIT(12)	      /* pending-debug-exceptions only */
#define DR7_L(n)	BIT(2 * (n))
#define DR7_G(n)	BIT(2 * (n) + 1)
#define DR7_GD		BIT(13)
#define DR7_RW(dr7, n)	(((dr7) >> (16 + 4 * (n))) & 3)
#define DR7_LEN(dr7, n) (((dr7) >> (18 + 4 * (n))) & 3)
#define DR7_RW_IO	2

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#endif /* MICA_ARCH_X86_CPU_H */
