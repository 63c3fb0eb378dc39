/* SPDX-License-Identifier: MIT */
/*
 * The XCR0 values XSETBV accepts (SDM Vol. 2C "XSETBV", Vol. 1 13.3
 * "Enabling the XSAVE Feature Set and XSAVE-Enabled Features"). Pure.
 */
#ifndef MICA_VMM_CPU_XCR0_H
#define MICA_VMM_CPU_XCR0_H

#include "mm/base/types.h"

#define XCR0_X87       BIT(0)
#define XCR0_SSE       BIT(1)
#define XCR0_AVX       BIT(2)
#define XCR0_BNDREGS   BIT(3)
#define XCR0_BNDCSR    BIT(4)
#define XCR0_OPMASK    BIT(5)
#define XCR0_ZMM_HI256 BIT(6)
#define XCR0_HI16_ZMM  BIT(7)
#define XCR0_PKRU      BIT(9)
#define XCR0_TILECFG   BIT(17)
#define XCR0_TILEDATA  BIT(18)
#define XCR0_AVX512    (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_MPX       (XCR0_BNDREGS | XCR0_BNDCSR)
#define XCR0_AMX       (XCR0_TILECFG | XCR0_TILEDATA)

/* true if either all or none of the bits of mask are set in val */
static inline bool xcr0_all_or_none(u64 val, u64 mask)
{
	return (val & mask) == 0 || (val & mask) == mask;
}

/*
 * Whether XSETBV may load val into XCR0 on a CPU whose XCR0-settable bits
 * are supported (CPUID.(EAX=0DH,ECX=0):EDX:EAX); false means #GP(0): a bit
 * outside supported, x87 clear, AVX without SSE, AVX-512 state other than
 * all three components or without AVX, one MPX component without the
 * other, one AMX component without the other.
 */
static inline bool xcr0_valid(u64 val, u64 supported)
{
	if ((val & ~supported) || !(val & XCR0_X87))
		return false;
	if ((val & XCR0_AVX) && !(val & XCR0_SSE))
		return false;
	if (!xcr0_all_or_none(val, XCR0_AVX512) ||
	    ((val & XCR0_AVX512) && !(val & XCR0_AVX)))
		return false;
	return xcr0_all_or_none(val, XCR0_MPX) &&
	       xcr0_all_or_none(val, XCR0_AMX);
}

#endif /* MICA_VMM_CPU_XCR0_H */
