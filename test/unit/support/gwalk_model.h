/* SPDX-License-Identifier: MIT */
/*
 * Reference model of IA-32 linear-address translation and segmentation, for
 * differential tests of vmm/gwalk. It shares no code, tables or types with
 * the walker: every paging-structure format is spelled out entry by entry
 * from the SDM tables, and the access rights are the SDM 4.6 prose turned
 * into one decision per case.
 */
#ifndef MICA_TEST_GWALK_MODEL_H
#define MICA_TEST_GWALK_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* Processor state, one flag per control bit that matters. */
struct gwm_cpu {
	bool pg, pae, lma, la57, pse, wp, nxe, smep, smap, pke, ac, gb;
	int cpl;
	uint32_t pkru;
	uint64_t cr3;
	uint64_t pdpte[4];
	int maxphy;
};

struct gwm_access {
	bool write, fetch, implicit;
};

/* Guest RAM is [0, size) minus the hole [hole_lo, hole_hi). */
struct gwm_mem {
	const uint8_t *ram;
	uint64_t size;
	uint64_t hole_lo, hole_hi;
};

enum { GWM_OK, GWM_PF, GWM_GP, GWM_NOTRAM };

struct gwm_out {
	int kind;
	uint32_t ec;
	uint64_t cr2;
	uint64_t gpa;
	uint64_t psize;
	bool w, u, x; /* effective rights of a translation */
	int pkey;     /* leaf bits 62:59 under IA-32e paging */
	uint64_t bad;
	int n_upd; /* A/D writes a successful access performs */
	struct {
		uint64_t gpa;
		uint64_t val;
		int size;
	} upd[5];
};

void gwm_translate(const struct gwm_cpu *c, const struct gwm_mem *m,
		   uint64_t la, struct gwm_access a, struct gwm_out *o);

/*
 * Segmentation: mode 0 real/v8086, 1 protected (16/32-bit, compatibility),
 * 2 64-bit; reg 0..5 = ES CS SS DS FS GS; ar in VMCS format. Returns 0 and
 * *la, or the exception vector (12 or 13).
 */
int gwm_segment(int mode, bool la57, int reg, uint64_t base, uint32_t limit,
		uint32_t ar, uint64_t ea, uint32_t size, bool write, bool fetch,
		uint64_t *la);

#endif
