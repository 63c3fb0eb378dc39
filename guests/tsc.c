/* SPDX-License-Identifier: MIT */
/*
 * tsc: the guest's time stamp counter as SDM Vol 3B 17.17 describes it.
 * A write to IA32_TSC moves the TSC RDTSC reads and IA32_TSC_ADJUST by
 * the same amount; a write to IA32_TSC_ADJUST moves the TSC by its
 * change; RDMSR of IA32_TSC agrees with RDTSC; a TSC deadline armed
 * after a TSC write fires when the new TSC reaches it; CPUID 0x40000010
 * and 0x15 give the same TSC frequency.
 */
#include "guests/lib/guest.h"

#define MSR_TSC		 0x10
#define MSR_TSC_ADJUST	 0x3b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC		 0xfee00000UL
#define VEC		 0x40
#define SLACK		 200000 /* ticks an exit or two may take */

static u64 irq_tsc;

static void hook(unsigned vector)
{
	if (vector == VEC) {
		irq_tsc = g_rdtsc();
		*(volatile u32 *)(APIC + 0xb0) = 0;
	}
}

int guest_main(u32 magic, u32 info)
{
	const u64 big = 0x100000000000ULL, step = 1000000000ULL, d = 50000;
	u64 a0, t0, t1, a1, t2, m, dl, before;
	u32 r[4], q[4];

	(void)magic;
	(void)info;
	g_idt_init();
	g_set_irq_hook(hook);
	a0 = g_rdmsr(MSR_TSC_ADJUST);
	t0 = g_rdtsc();
	g_wrmsr(MSR_TSC, big);
	t1 = g_rdtsc();
	a1 = g_rdmsr(MSR_TSC_ADJUST);
	g_ok(t1 >= big && t1 - big < SLACK,
	     "WRMSR IA32_TSC: RDTSC continues from the value written (%#lx "
	     "after %#lx)",
	     (unsigned long)t1, (unsigned long)big);
	g_ok(a1 - a0 + t0 - big < SLACK || big - t0 - (a1 - a0) < SLACK,
	     "IA32_TSC_ADJUST moved by the write's change (%#lx, TSC moved "
	     "%#lx)",
	     (unsigned long)(a1 - a0), (unsigned long)(big - t0));
	/* (t1 again: the TAP lines above took time of their own) */
	t1 = g_rdtsc();
	g_wrmsr(MSR_TSC_ADJUST, a1 + step);
	t2 = g_rdtsc();
	g_ok(t2 - t1 >= step && t2 - t1 < step + SLACK,
	     "WRMSR IA32_TSC_ADJUST: the TSC moves by its change (%lu)",
	     (unsigned long)(t2 - t1));
	m = g_rdmsr(MSR_TSC);
	t2 = g_rdtsc();
	g_ok(t2 >= m && t2 - m < SLACK, "RDMSR IA32_TSC agrees with RDTSC");

	*(volatile u32 *)(APIC + 0xf0) = 0x1ff;
	*(volatile u32 *)(APIC + 0x320) = (2U << 17) | VEC;
	before = g_irq_count(VEC);
	dl = g_rdtsc() + d;
	g_wrmsr(MSR_TSC_DEADLINE, dl);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	g_ok(g_irq_count(VEC) == before + 1 && irq_tsc >= dl &&
		 irq_tsc - dl < SLACK,
	     "a TSC deadline after the TSC moved fires when the new TSC "
	     "reaches it (%ld ticks late)",
	     (long)(irq_tsc - dl));
	g_cpuid(0x40000010, 0, r);
	g_cpuid(0x15, 0, q);
	g_ok(r[0] && q[0] && r[0] == (u32)((u64)q[2] * q[1] / q[0] / 1000) &&
		 r[1] == r[0],
	     "CPUID 0x40000010: TSC %u kHz as leaf 0x15 says, APIC timer %u "
	     "kHz",
	     r[0], r[1]);
	return (int)g_tap_failed();
}
