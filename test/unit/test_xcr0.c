/* SPDX-License-Identifier: MIT */
/*
 * XCR0 validation against the #GP(0) conditions of XSETBV (SDM Vol. 2C
 * "XSETBV"; Vol. 1 13.3): the cases the SDM lists, and a sweep over every
 * combination of the low 19 bits counting the accepted values.
 */
#include "test/unit/support/tap.h"
#include "vmm/cpu/xcr0.h"

/* x87 SSE AVX MPX AVX-512 PKRU AMX, as a current server CPU reports. */
#define ALL 0x602ffULL

int main(void)
{
	static const struct {
		u64 val, supported;
		bool ok;
		const char *what;
	} k[] = {
	    {0x1, ALL, true, "x87 only (the reset value)"},
	    {0x3, ALL, true, "x87|SSE"},
	    {0x7, ALL, true, "x87|SSE|AVX"},
	    {0xe7, ALL, true, "x87|SSE|AVX|AVX-512"},
	    {0x2e7, ALL, true, "... |PKRU"},
	    {0x602e7, ALL, true, "... |AMX"},
	    {0x0, ALL, false, "x87 clear"},
	    {0x2, ALL, false, "SSE without x87"},
	    {0x5, ALL, false, "AVX without SSE"},
	    {0x27, ALL, false, "opmask without ZMM_Hi256/Hi16_ZMM"},
	    {0x67, ALL, false, "opmask|ZMM_Hi256 without Hi16_ZMM"},
	    {0xe3, ALL, false, "AVX-512 without AVX"},
	    {0xb, ALL, false, "BNDREGS without BNDCSR"},
	    {0x13, ALL, false, "BNDCSR without BNDREGS"},
	    {0x20003, ALL, false, "TILECFG without TILEDATA"},
	    {0x40003, ALL, false, "TILEDATA without TILECFG"},
	    {0x7, 0x3, false, "AVX on a CPU without it"},
	    {0x103, ALL, false, "bit 8 (PT, supervisor state)"},
	    {0x8000000000000003ULL, ALL, false, "bit 63"},
	};
	unsigned n = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(k); i++)
		tap_ok(xcr0_valid(k[i].val, k[i].supported) == k[i].ok,
		       "XCR0 %#llx: %s: %s", (unsigned long long)k[i].val,
		       k[i].what, k[i].ok ? "accepted" : "#GP(0)");
	/* x87 fixed; {none, SSE, SSE|AVX, SSE|AVX|AVX-512}; MPX 0 or 2;
	 * PKRU 0 or 1; AMX 0 or 2: 4 * 2 * 2 * 2 = 32 values. */
	for (u64 v = 0; v < (1ULL << 19); v++)
		n += xcr0_valid(v, ALL);
	tap_ok(n == 32,
	       "of the 2^19 values of bits 18:0, %u are accepted "
	       "(32 expected)",
	       n);
	return tap_done();
}
