/* SPDX-License-Identifier: MIT */
/*
 * x86-64 host paging entries for the generic engine. Non-leaf entries grant
 * everything (P, RW, US, no NX) so that the leaf alone decides the access
 * rights (SDM Vol. 3A 4.6: rights combine over all levels). The PAT bit is
 * never used: bit 7 of a 4K entry stays 0, and in larger entries it is PS.
 */
#include "mm/pt/pt_format_x86.h"

#define X86_PTE_ATTRS                                                          \
	(X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_PWT | X86_PTE_PCD |     \
	 X86_PTE_A | X86_PTE_D | X86_PTE_G | X86_PTE_NX)

_Static_assert((X86_PTE_ATTRS & X86_PTE_ADDR) == 0, "attrs overlap address");
_Static_assert((X86_PTE_ATTRS & X86_PTE_PS) == 0, "PS is not an attribute");

static u64 x86_mk_table(hpa_t table)
{
	return (table & X86_PTE_ADDR) | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
}

static u64 x86_mk_leaf(hpa_t pa, u64 attrs, unsigned level)
{
	return (pa & X86_PTE_ADDR) | (attrs & X86_PTE_ATTRS) | X86_PTE_P |
	       (level ? X86_PTE_PS : 0);
}

static bool x86_is_present(u64 pte)
{
	return (pte & X86_PTE_P) != 0;
}

static bool x86_is_table(u64 pte, unsigned level)
{
	(void)level;
	return (pte & X86_PTE_PS) == 0;
}

/* 4K, 2M and 1G leaves (1G needs CPUID.80000001H:EDX.Page1GB; callers that
 * lack it pass max_level PT_LEVEL_2M). */
const struct pt_format pt_format_x86_4level = {
    .name = "x86-64 4-level",
    .levels = 4,
    .leaf_levels = BIT(0) | BIT(1) | BIT(2),
    .canonical = true,
    .addr_mask = X86_PTE_ADDR,
    .attr_mask = X86_PTE_ATTRS,
    .ad_mask = X86_PTE_A | X86_PTE_D,
    .mk_table = x86_mk_table,
    .mk_leaf = x86_mk_leaf,
    .is_present = x86_is_present,
    .is_table = x86_is_table,
};

const struct pt_format pt_format_x86_5level = {
    .name = "x86-64 5-level",
    .levels = 5,
    .leaf_levels = BIT(0) | BIT(1) | BIT(2),
    .canonical = true,
    .addr_mask = X86_PTE_ADDR,
    .attr_mask = X86_PTE_ATTRS,
    .ad_mask = X86_PTE_A | X86_PTE_D,
    .mk_table = x86_mk_table,
    .mk_leaf = x86_mk_leaf,
    .is_present = x86_is_present,
    .is_table = x86_is_table,
};
