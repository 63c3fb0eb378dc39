/* SPDX-License-Identifier: MIT */
/*
 * EPT entry format (SDM Vol. 3C 29.3.2, Tables 29-1 .. 29-6; 28.2.2 in older
 * editions) for the generic page-table engine, and the MMIO entry: an
 * intentionally misconfigured leaf that caches "this GPA is not RAM".
 */
#ifndef MICA_EPT_EPT_FORMAT_H
#define MICA_EPT_EPT_FORMAT_H

#include "mm/pt/pgtable.h"

#define EPT_R	     BIT(0)
#define EPT_W	     BIT(1)
#define EPT_X	     BIT(2)
#define EPT_RWX	     (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3
#define EPT_MT_MASK  GENMASK(5, 3) /* leaf memory type */
#define EPT_MT_UC    0ULL
#define EPT_MT_WB    6ULL
#define EPT_IPAT     BIT(6) /* ignore guest PAT */
#define EPT_LEAF     BIT(7) /* levels 1 and 2: 2M / 1G leaf */
#define EPT_A	     BIT(8)
#define EPT_D	     BIT(9)
#define EPT_UX	     BIT(10) /* user execute, mode-based execute control */
#define EPT_ADDR     GENMASK(51, 12)
#define EPT_SPP	     BIT(61) /* sub-page write permission (4K leaves) */
#define EPT_SVE	     BIT(63) /* suppress #VE */
#define EPT_WB_ATTRS ((EPT_MT_WB << EPT_MT_SHIFT) | EPT_IPAT)

/*
 * MMIO entry. Bits 2:0 = 010b (write without read) make the entry an EPT
 * misconfiguration wherever it sits (SDM Vol. 3C 29.3.3.1 "EPT
 * Misconfigurations"; 28.2.3.1 in older editions), so the CPU translates
 * nothing through it and exits with reason 49. Bit 62 (ignored in every
 * EPT entry) marks it as ours; the low 12 bits of the memslot generation
 * live in bits 11:8 and 59:52, which no translation reads in such an entry.
 * The builder zaps all MMIO entries whenever those 12 bits wrap.
 */
#define EPT_MMIO_MARK	  BIT(62)
#define EPT_MMIO_GEN_LO	  GENMASK(11, 8)
#define EPT_MMIO_GEN_HI	  GENMASK(59, 52)
#define EPT_MMIO_GEN_BITS 12
#define EPT_MMIO_GEN_MASK ((1ULL << EPT_MMIO_GEN_BITS) - 1)
#define EPT_MMIO_TAG	  (EPT_W | EPT_MMIO_MARK)
#define EPT_MMIO_TAG_MASK (EPT_RWX | EPT_MMIO_MARK)

extern const struct pt_format ept_format_4level;
extern const struct pt_format ept_format_5level;

/* Encode an MMIO entry carrying generation gen (only its low bits kept). */
u64 ept_mmio_encode(u64 gen);

/* True if pte is an MMIO entry made by ept_mmio_encode. */
bool ept_is_mmio(u64 pte);

/* The generation bits stored in an MMIO entry. */
u64 ept_mmio_gen(u64 pte);

/* True if MMIO entry pte was made under generation gen. */
static inline bool ept_mmio_current(u64 pte, u64 gen)
{
	return ept_mmio_gen(pte) == (gen & EPT_MMIO_GEN_MASK);
}

/* Leaf attributes: permission bits perm (EPT_R/W/X) on write-back RAM. */
static inline u64 ept_ram_attrs(u64 perm)
{
	return (perm & EPT_RWX) | EPT_WB_ATTRS;
}

#endif /* MICA_EPT_EPT_FORMAT_H */
