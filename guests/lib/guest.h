/* SPDX-License-Identifier: MIT */
/*
 * The freestanding library of mica's test guests: serial output on the
 * emulated 16550 (COM1), printf, TAP reporting, hypercalls, and exception
 * catching for tests that provoke faults. Built for 64-bit and 32-bit
 * guests alike.
 */
#ifndef MICA_GUESTS_GUEST_H
#define MICA_GUESTS_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/hypercall_abi.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* The guest's entry point, called by the start-up code. Its return value
 * is passed to the exit hypercall. */
int guest_main(u32 magic, u32 info);

void g_putc(char c);
__attribute__((format(printf, 1, 2))) void g_printf(const char *fmt, ...);

/* TAP: one test point; returns cond. g_tap_failed() counts failures. */
__attribute__((format(printf, 2, 3))) bool g_ok(bool cond, const char *fmt,
						...);
unsigned g_tap_failed(void);

/* Hypercall (VMCALL); returns RAX. Inline: it is what benchmarks time. */
static inline long g_hypercall(unsigned long nr, unsigned long a0,
			       unsigned long a1, unsigned long a2,
			       unsigned long a3, unsigned long a4)
{
	long ret;
#if defined(__x86_64__)
	register unsigned long r8 __asm__("r8") = a4;

	__asm__ volatile("vmcall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "c"(a3), "r"(r8)
			 : "memory");
#else
	(void)a4;
	__asm__ volatile("vmcall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "c"(a3)
			 : "memory");
#endif
	return ret;
}
__attribute__((noreturn)) void g_exit(int code);

/* One of mica's per-VM event counters (enum mica_counter). */
static inline long g_counter(unsigned c)
{
	return g_hypercall(HC_TEST_COUNTER, c, 0, 0, 0, 0);
}

/* The module command line, from the multiboot1 information block whose
 * address the start-up code passes as info (its cmdline field). */
static inline const char *g_cmdline(u32 info)
{
	return (const char *)(uintptr_t)((const u32 *)(uintptr_t)info)[4];
}

/* True if w occurs in s: a plain substring search, so "case=user" is also
 * found in "case=username". */
bool g_has_word(const char *s, const char *w);

static inline u64 g_rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void g_outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 g_inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* The PC platform's interrupt and clock chips, as the device guests
 * program them (docs/guests.md lists the platform). */
#define G_IOAPIC 0xfec00000UL

/* I/O APIC register reg (IOREGSEL at +0, IOWIN at +0x10). */
static inline void g_ioapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)G_IOAPIC = reg;
	*(volatile u32 *)(G_IOAPIC + 0x10) = v;
}

/* CMOS/RTC register reg through ports 0x70/0x71. */
static inline u8 g_cmos_read(u8 reg)
{
	g_outb(0x70, reg);
	return g_inb(0x71);
}

/* Linux's 8259 set-up: ICW1 0x11, vectors 0x20/0x28, cascade on IR2; the
 * master's mask as given, the slave's all masked. */
void g_pic_init(u8 master_mask);

static inline void g_cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline u64 g_rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void g_wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

/*
 * Exceptions (64-bit guests): g_idt_init() installs handlers for vectors
 * 0-31. Before an instruction that may fault, g_expect_fault(len) arms a
 * one-shot catch: if it faults, the handler records the vector and error
 * code and resumes len bytes after the faulting RIP. Unexpected exceptions
 * print a report and end the guest with code 99.
 */
void g_idt_init(void);
void g_expect_fault(unsigned insn_len);
/* Vector caught since the last g_expect_fault(), or -1 if none. */
int g_fault_vector(void);
u64 g_fault_error(void);
/* Count of exceptions the handler saw in total. */
u64 g_fault_count(void);

/* RDMSR with a fault caught: *vec is the vector it raised, -1 if none
 * (the value returned is then not the MSR's). */
static inline u64 g_rdmsr_catch(u32 msr, int *vec)
{
	u32 lo = 0, hi = 0;

	g_expect_fault(2);
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	*vec = g_fault_vector();
	return ((u64)hi << 32) | lo;
}

/* WRMSR with a fault caught: the vector it raised, -1 if none. */
static inline int g_wrmsr_catch(u32 msr, u64 v)
{
	g_expect_fault(2);
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
	return g_fault_vector();
}

/* The part of the exception frame a hook may change to resume elsewhere. */
struct g_iret {
	u64 rip, cs, rflags, rsp, ss;
};

/* An optional hook called first for every exception; returning true means
 * it handled the exception (having possibly changed *iret). */
typedef bool (*g_fault_hook_fn)(u64 vector, u64 error, struct g_iret *iret);
void g_set_fault_hook(g_fault_hook_fn fn);

/* Control-register accessors, register-sized (64 or 32 bits). */
#define G_CR_ACCESSORS(n)                                                      \
	static inline unsigned long g_read_cr##n(void)                         \
	{                                                                      \
		unsigned long v;                                               \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));              \
		return v;                                                      \
	}                                                                      \
	static inline void g_write_cr##n(unsigned long v)                      \
	{                                                                      \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");     \
	}
G_CR_ACCESSORS(0)
G_CR_ACCESSORS(2)
G_CR_ACCESSORS(3)
G_CR_ACCESSORS(4)
#undef G_CR_ACCESSORS

/* MOV to CR4 from RAX/EAX (0f 22 e0) with a fault caught: the vector it
 * raised, -1 if none. */
static inline int g_write_cr4_catch(unsigned long v)
{
	g_expect_fault(3);
	__asm__ volatile("mov %0, %%cr4" : : "a"(v) : "memory");
	return g_fault_vector();
}

/* The forced-emulation prefix (module option forced-emu): mica emulates
 * the instruction that follows it. */
#define G_FORCED_EMU ".byte 0x0f, 0x0b, 'm', 'i', 'c', 'a'\n\t"

/*
 * One register-sized load or store at p (MOV with a register base: 3 bytes
 * with REX.W in 64-bit guests, 2 in 32-bit ones), natively or through
 * mica's emulator, with a fault caught (g_fault_vector() tells which).
 * Returns the value loaded (0 for a store or a fault).
 */
static inline uintptr_t g_probe(bool write, bool emulate, volatile void *p,
				uintptr_t val)
{
	uintptr_t out = 0;

	g_expect_fault(sizeof(uintptr_t) == 8 ? 3 : 2);
	if (write && emulate)
		__asm__ volatile(G_FORCED_EMU "mov %0, (%1)"
				 :
				 : "a"(val), "b"(p)
				 : "memory");
	else if (write)
		__asm__ volatile("mov %0, (%1)"
				 :
				 : "a"(val), "b"(p)
				 : "memory");
	else if (emulate)
		__asm__ volatile(G_FORCED_EMU "mov (%1), %0"
				 : "=a"(out)
				 : "b"(p), "0"(0)
				 : "memory");
	else
		__asm__ volatile("mov (%1), %0"
				 : "=a"(out)
				 : "b"(p), "0"(0)
				 : "memory");
	return out;
}

/*
 * CPL 3 (64-bit guests, guests/lib/user.c): g_user_setup() once, then
 * g_user_run(fn, hook) runs fn at CPL 3 until fn executes HLT. hook (may be
 * NULL) sees the exceptions raised at CPL 3 first. g_user_map(va) makes the
 * 2 MiB page holding va user-accessible.
 */
void g_user_setup(void);
void g_user_map(u64 va);
void g_user_run(void (*fn)(void), g_fault_hook_fn hook);

/* Vectors 32-255 are interrupts: counted, then passed to the hook. */
typedef void (*g_irq_hook_fn)(unsigned vector);
void g_set_irq_hook(g_irq_hook_fn fn);
u64 g_irq_count(unsigned vector);

#endif /* MICA_GUESTS_GUEST_H */
