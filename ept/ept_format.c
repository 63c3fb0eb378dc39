/* SPDX-License-Identifier: MIT */
/*
 * EPT entries for the generic engine (SDM Vol. 3C 29.3.2). Non-leaf entries
 * grant R/W/X so that only the leaf restricts access; the engine treats an
 * MMIO entry as a special leaf (split copies it, it has no frame).
 */
#include "ept/ept_format.h"

#define EPT_ATTRS                                                              \
	(EPT_RWX | EPT_MT_MASK | EPT_IPAT | EPT_A | EPT_D | EPT_UX | EPT_SPP | \
	 EPT_SVE)

_Static_assert((EPT_ATTRS & EPT_ADDR) == 0, "EPT attrs overlap address");
_Static_assert((EPT_ATTRS & EPT_LEAF) == 0, "leaf bit is not an attribute");
_Static_assert((EPT_MMIO_GEN_LO & EPT_MMIO_GEN_HI) == 0, "gen fields overlap");
_Static_assert(__builtin_popcountll(EPT_MMIO_GEN_LO | EPT_MMIO_GEN_HI) ==
		   EPT_MMIO_GEN_BITS,
	       "generation width");
_Static_assert(((EPT_MMIO_GEN_LO | EPT_MMIO_GEN_HI) &
		(EPT_RWX | EPT_MT_MASK | EPT_IPAT | EPT_LEAF | EPT_ADDR |
		 EPT_SPP | EPT_SVE | EPT_MMIO_MARK)) == 0,
	       "generation bits must avoid fields the builder interprets");
_Static_assert((EPT_MMIO_TAG & EPT_RWX) == EPT_W,
	       "MMIO entry must be write-without-read (misconfiguration)");

static u64 ept_mk_table(hpa_t table)
{
	return (table & EPT_ADDR) | EPT_RWX;
}

static u64 ept_mk_leaf(hpa_t pa, u64 attrs, unsigned level)
{
	return (pa & EPT_ADDR) | (attrs & EPT_ATTRS) | (level ? EPT_LEAF : 0);
}

/* Anything with a permission bit set is examined by the CPU (29.3.2):
 * execute-only leaves and MMIO entries (W only) included. */
static bool ept_is_present(u64 pte)
{
	return (pte & EPT_RWX) != 0;
}

static bool ept_is_table(u64 pte, unsigned level)
{
	(void)level;
	return (pte & EPT_LEAF) == 0 && !ept_is_mmio(pte);
}

const struct pt_format ept_format_4level = {
    .name = "EPT 4-level",
    .levels = 4,
    .leaf_levels = BIT(0) | BIT(1) | BIT(2),
    .canonical = false,
    .addr_mask = EPT_ADDR,
    .attr_mask = EPT_ATTRS,
    .ad_mask = EPT_A | EPT_D,
    .mk_table = ept_mk_table,
    .mk_leaf = ept_mk_leaf,
    .is_present = ept_is_present,
    .is_table = ept_is_table,
    .is_special = ept_is_mmio,
};

const struct pt_format ept_format_5level = {
    .name = "EPT 5-level",
    .levels = 5,
    .leaf_levels = BIT(0) | BIT(1) | BIT(2),
    .canonical = false,
    .addr_mask = EPT_ADDR,
    .attr_mask = EPT_ATTRS,
    .ad_mask = EPT_A | EPT_D,
    .mk_table = ept_mk_table,
    .mk_leaf = ept_mk_leaf,
    .is_present = ept_is_present,
    .is_table = ept_is_table,
    .is_special = ept_is_mmio,
};

u64 ept_mmio_encode(u64 gen)
{
	u64 g = gen & EPT_MMIO_GEN_MASK;

	return EPT_MMIO_TAG | ((g & 0xF) << 8) | ((g >> 4) << 52);
}

bool ept_is_mmio(u64 pte)
{
	return (pte & EPT_MMIO_TAG_MASK) == EPT_MMIO_TAG;
}

u64 ept_mmio_gen(u64 pte)
{
	return ((pte & EPT_MMIO_GEN_LO) >> 8) |
	       (((pte & EPT_MMIO_GEN_HI) >> 52) << 4);
}
