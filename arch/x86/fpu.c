/* SPDX-License-Identifier: MIT */
/*
 * Vector-register access for the emulator. One asm statement per register
 * and form, selected by a table: register numbers must be encoded in the
 * instruction itself.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"

typedef void (*vec_fn)(void *buf);

#define VEC_FNS(n)                                                             \
	static void rd128_##n(void *b)                                         \
	{                                                                      \
		__asm__ volatile("movdqu %%xmm" #n ", (%0)"                    \
				 :                                             \
				 : "r"(b)                                      \
				 : "memory");                                  \
	}                                                                      \
	static void rd256_##n(void *b)                                         \
	{                                                                      \
		__asm__ volatile("vmovdqu %%ymm" #n ", (%0)"                   \
				 :                                             \
				 : "r"(b)                                      \
				 : "memory");                                  \
	}                                                                      \
	static void wr128_##n(void *b)                                         \
	{                                                                      \
		__asm__ volatile("movdqu (%0), %%xmm" #n                       \
				 :                                             \
				 : "r"(b)                                      \
				 : "memory");                                  \
	}                                                                      \
	static void wr128z_##n(void *b)                                        \
	{                                                                      \
		__asm__ volatile("vmovdqu (%0), %%xmm" #n                      \
				 :                                             \
				 : "r"(b)                                      \
				 : "memory");                                  \
	}                                                                      \
	static void wr256_##n(void *b)                                         \
	{                                                                      \
		__asm__ volatile("vmovdqu (%0), %%ymm" #n                      \
				 :                                             \
				 : "r"(b)                                      \
				 : "memory");                                  \
	}

VEC_FNS(0)
VEC_FNS(1)
VEC_FNS(2)
VEC_FNS(3)
VEC_FNS(4)
VEC_FNS(5)
VEC_FNS(6)
VEC_FNS(7)
VEC_FNS(8)
VEC_FNS(9)
VEC_FNS(10)
VEC_FNS(11)
VEC_FNS(12)
VEC_FNS(13)
VEC_FNS(14)
VEC_FNS(15)

#define ROW(kind)                                                              \
	{                                                                      \
		kind##_0, kind##_1, kind##_2, kind##_3, kind##_4, kind##_5,    \
		    kind##_6, kind##_7, kind##_8, kind##_9, kind##_10,         \
		    kind##_11, kind##_12, kind##_13, kind##_14, kind##_15      \
	}

static const vec_fn rd128[16] = ROW(rd128), rd256[16] = ROW(rd256);
static const vec_fn wr128[16] = ROW(wr128), wr128z[16] = ROW(wr128z);
static const vec_fn wr256[16] = ROW(wr256);

void fpu_init(void)
{
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

void fpu_read_vec(unsigned reg, void *buf, unsigned len)
{
	(len == 32 ? rd256 : rd128)[reg & 15](buf);
}

void fpu_write_vec(unsigned reg, const void *buf, unsigned len, bool zero_upper)
{
	void *b = (void *)(uintptr_t)buf;

	if (len == 32)
		wr256[reg & 15](b);
	else
		(zero_upper ? wr128z : wr128)[reg & 15](b);
}

static bool x87_pending(void)
{
	u16 sw;

	__asm__ volatile("fnstsw %0" : "=m"(sw));
	return sw & BIT(7);
}

#define MMX_RD(n)                                                              \
	case n:                                                                \
		__asm__ volatile("movq %%mm" #n ", %0" : "=m"(*val));          \
		break
#define MMX_WR(n)                                                              \
	case n:                                                                \
		__asm__ volatile("movq %0, %%mm" #n : : "m"(val));             \
		break

bool fpu_read_mmx(unsigned reg, u64 *val)
{
	if (x87_pending())
		return false;
	switch (reg & 7) {
		MMX_RD(0);
		MMX_RD(1);
		MMX_RD(2);
		MMX_RD(3);
		MMX_RD(4);
		MMX_RD(5);
		MMX_RD(6);
		MMX_RD(7);
	}
	return true;
}

bool fpu_write_mmx(unsigned reg, u64 val)
{
	if (x87_pending())
		return false;
	switch (reg & 7) {
		MMX_WR(0);
		MMX_WR(1);
		MMX_WR(2);
		MMX_WR(3);
		MMX_WR(4);
		MMX_WR(5);
		MMX_WR(6);
		MMX_WR(7);
	}
	return true;
}

u64 fpu_xcr0(void)
{
	u32 lo, hi;

	if (!(read_cr4() & CR4_OSXSAVE))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

#define CPUID_1_ECX_XSAVE BIT(26)

/* XSAVE area for XRSTOR's init: legacy region, header all zero (XSTATE_BV
 * = 0: every component requested goes to its init state, SDM Vol 1
 * 13.8.1), MXCSR its reset value. Large enough for every component. */
static u8 xsave_init_area[16384] __attribute__((aligned(64)));

static void xsetbv0(u64 v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)v), "d"((u32)(v >> 32)));
}

void cpu_reset_guest_state(void)
{
	u32 mxcsr = 0x1f80;

	write_cr2(0);
	__asm__ volatile("mov %0, %%dr0\n mov %0, %%dr1\n mov %0, %%dr2\n"
			 "mov %0, %%dr3\n mov %1, %%dr6"
			 :
			 : "r"(0UL), "r"(0xffff0ff0UL));
	if ((cpuid(1).ecx & CPUID_1_ECX_XSAVE) && (read_cr4() & CR4_OSXSAVE)) {
		struct cpuid_regs r = cpuid_count(0xd, 0);
		u64 all = ((u64)r.edx << 32) | r.eax;

		/* EBX: the area size for the XCR0 in force; ECX: for all */
		if (r.ecx <= sizeof(xsave_init_area)) {
			mem_copy(xsave_init_area + 24, &mxcsr, 4);
			xsetbv0(all);
			__asm__ volatile("xrstor %0"
					 :
					 : "m"(xsave_init_area), "a"((u32)all),
					   "d"((u32)(all >> 32)));
			xsetbv0(1);
			return;
		}
		xsetbv0(1);
	}
	/* No XSAVE (or an area too large): x87 and SSE by hand. */
	__asm__ volatile("fninit\n ldmxcsr %0\n"
			 "pxor %%xmm0, %%xmm0\n pxor %%xmm1, %%xmm1\n"
			 "pxor %%xmm2, %%xmm2\n pxor %%xmm3, %%xmm3\n"
			 "pxor %%xmm4, %%xmm4\n pxor %%xmm5, %%xmm5\n"
			 "pxor %%xmm6, %%xmm6\n pxor %%xmm7, %%xmm7\n"
			 "pxor %%xmm8, %%xmm8\n pxor %%xmm9, %%xmm9\n"
			 "pxor %%xmm10, %%xmm10\n pxor %%xmm11, %%xmm11\n"
			 "pxor %%xmm12, %%xmm12\n pxor %%xmm13, %%xmm13\n"
			 "pxor %%xmm14, %%xmm14\n pxor %%xmm15, %%xmm15"
			 :
			 : "m"(mxcsr));
}
