/* SPDX-License-Identifier: MIT */
/*
 * Guest linear-address translation, exactly as the CPU performs it: the
 * paging-structure walk for every IA-32 paging mode with the access-rights
 * checks of SDM Vol 3A 4.6, the #PF error code of 4.7 and the accessed/dirty
 * updates of 4.8; segmentation (linear-address formation, limit, type and
 * canonical checks); and a one-entry per-vCPU cache of the last MMIO
 * translation. Pure logic: guest memory is reached through struct gwalk_ops.
 *
 * Choices and limits:
 * - A/D flags are written only for an access that succeeds. A processor may
 *   also set A in upper-level entries of a walk that faults lower down (SDM
 *   4.8); comparisons with native runs must ignore those, as the
 *   kvm-unit-tests access test does.
 * - The PAE PDPTEs are checked when loaded (MOV CR3, VM entry); a reserved
 *   bit in the copy passed here is reported as a #PF with RSVD.
 * - PSE-36 is assumed whenever MAXPHYADDR > 32 (every such CPU has it).
 * - Not modelled, so not to be exposed to guests: supervisor protection
 *   keys (CR4.PKS), shadow-stack accesses, HLAT, LAM, SGX error-code bits.
 */
#ifndef MICA_VMM_GWALK_GWALK_H
#define MICA_VMM_GWALK_GWALK_H

#include "mm/base/types.h"

/* Control-register and EFER bits that shape translation (SDM Vol 3A 2.5). */
#define GWALK_CR0_PE   BIT(0)
#define GWALK_CR0_WP   BIT(16)
#define GWALK_CR0_PG   BIT(31)
#define GWALK_CR4_PSE  BIT(4)
#define GWALK_CR4_PAE  BIT(5)
#define GWALK_CR4_LA57 BIT(12)
#define GWALK_CR4_SMEP BIT(20)
#define GWALK_CR4_SMAP BIT(21)
#define GWALK_CR4_PKE  BIT(22)
#define GWALK_EFER_LMA BIT(10)
#define GWALK_EFER_NXE BIT(11)

/* Paging-structure entry bits common to every format (SDM Vol 3A 4.3-4.5). */
#define GWALK_PTE_P  BIT(0)
#define GWALK_PTE_RW BIT(1)
#define GWALK_PTE_US BIT(2)
#define GWALK_PTE_A  BIT(5)
#define GWALK_PTE_D  BIT(6)
#define GWALK_PTE_PS BIT(7)
#define GWALK_PTE_XD BIT(63)

/* Page-fault error code (SDM Vol 3A 4.7, Figure 4-12). */
#define GWALK_PFEC_P	BIT(0)
#define GWALK_PFEC_W	BIT(1)
#define GWALK_PFEC_U	BIT(2)
#define GWALK_PFEC_RSVD BIT(3)
#define GWALK_PFEC_ID	BIT(4)
#define GWALK_PFEC_PK	BIT(5)

/* Exception vectors the walker and the segmentation helpers produce. */
#define GWALK_VEC_SS 12
#define GWALK_VEC_GP 13
#define GWALK_VEC_PF 14

/*
 * Access descriptor. A data read is 0. User vs supervisor comes from the CPL
 * in the context; GWALK_ACC_IMPLICIT marks an implicit supervisor-mode access
 * (GDT/LDT/IDT/TSS loads, SDM Vol 3A 4.6), which is supervisor at any CPL and
 * never honours EFLAGS.AC.
 */
#define GWALK_ACC_WRITE	   BIT(0)
#define GWALK_ACC_FETCH	   BIT(1)
#define GWALK_ACC_IMPLICIT BIT(2)

/* Effective permissions of a translation (all levels combined). */
#define GWALK_PERM_W BIT(0) /* R/W = 1 at every level */
#define GWALK_PERM_U BIT(1) /* U/S = 1 at every level: user-mode address */
#define GWALK_PERM_X BIT(2) /* no XD in effect at any level */

enum gwalk_mode {
	GWALK_MODE_NONE, /* CR0.PG = 0: real mode or protected, no paging */
	GWALK_MODE_32,	 /* 32-bit paging (SDM 4.3) */
	GWALK_MODE_PAE,	 /* PAE paging (SDM 4.4) */
	GWALK_MODE_4LVL, /* 4-level paging (SDM 4.5) */
	GWALK_MODE_5LVL, /* 5-level paging (SDM 4.5) */
};

/*
 * Everything translation depends on, as the vCPU sees it. pdpte[] are the
 * four PAE PDPTEs as loaded in the VMCS (SDM Vol 3C 26.3.2.4); they are used
 * instead of re-reading memory, as the CPU does. maxphyaddr is in 32..52.
 */
struct gwalk_ctx {
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 efer;
	u64 pdpte[4];
	u32 pkru;
	u8 cpl;
	bool ac;       /* RFLAGS.AC */
	bool gbpages;  /* CPUID.80000001H:EDX.Page1GB[26] */
	u8 maxphyaddr; /* CPUID.80000008H:EAX[7:0] */
};

/*
 * Guest-physical memory services. Both return 0 on success and -EFAULT when
 * gpa is not guest RAM (MMIO or unbacked). cmpxchg_gpa atomically replaces
 * the size-byte (4 or 8) little-endian value at gpa with new_val if it still
 * equals old and returns -EAGAIN if it does not.
 */
struct gwalk_ops {
	int (*read_gpa)(void *opaque, gpa_t gpa, void *buf, u32 size);
	int (*cmpxchg_gpa)(void *opaque, gpa_t gpa, u64 old, u64 new_val,
			   u32 size);
	void *opaque;
};

enum gwalk_status {
	GWALK_OK,      /* translated: gpa, page_size, perm, pkey valid */
	GWALK_FAULT,   /* inject fault (vector, error code, CR2) */
	GWALK_NOT_RAM, /* a paging structure is not in RAM: stop the VM */
	GWALK_RETRY,   /* the guest kept changing the tables: resume, retry */
};

struct gwalk_fault {
	u8 vector;
	u32 error_code;
	gva_t cr2; /* the faulting linear address (#PF only) */
};

struct gwalk_result {
	enum gwalk_status status;
	gpa_t gpa;
	u64 page_size;
	u32 perm;		  /* GWALK_PERM_* */
	u8 pkey;		  /* leaf bits 62:59 under 4/5-level paging */
	u8 level;		  /* level of the leaf (1 = PTE) */
	struct gwalk_fault fault; /* GWALK_FAULT */
	/* GWALK_OK: the paging-structure entries the walk used, top level
	 * to leaf, as memory holds them afterwards (A/D set): a caller may
	 * reuse the translation while they and the context are unchanged. */
	u8 nentries;
	gpa_t entry_gpa[5];
	u64 entry[5];
	u8 entry_size; /* 4 or 8 bytes */
	gpa_t bad_gpa; /* GWALK_NOT_RAM: the paging-structure address */
};

/* Restarts allowed when the guest changes an entry under the walker. */
#define GWALK_MAX_RESTARTS 16

/*
 * Whether PAE PDPTE e may be loaded (SDM Vol 3A 4.4.1, Table 4-8): a
 * present entry must have bits 2:1, 8:5 and 63:maxphyaddr clear; loading
 * one that does not (MOV to CR0/CR3/CR4) is #GP(0).
 */
static inline bool gwalk_pdpte_valid(u64 e, unsigned maxphyaddr)
{
	u64 rsvd = 0x1e6ULL | ~((1ULL << maxphyaddr) - 1);

	return !(e & 1) || !(e & rsvd);
}

/* Paging mode selected by CR0.PG, CR4.PAE, EFER.LMA and CR4.LA57. */
enum gwalk_mode gwalk_mode_of(const struct gwalk_ctx *ctx);

/*
 * Translate linear address la for the access described by acc
 * (GWALK_ACC_*). On success sets the accessed flag of every paging-structure
 * entry used and, for writes, the dirty flag of the leaf, each by cmpxchg
 * and only once the whole walk including the permission check has succeeded;
 * a failed cmpxchg restarts the walk (GWALK_RETRY after GWALK_MAX_RESTARTS).
 * Without 4/5-level paging la is truncated to 32 bits; with it a
 * non-canonical la gives #GP(0) (stack accesses should have been checked by
 * gwalk_seg_linear, which gives #SS(0)). Fills *res and returns res->status.
 */
enum gwalk_status gwalk_translate(const struct gwalk_ctx *ctx,
				  const struct gwalk_ops *ops, gva_t la,
				  u32 acc, struct gwalk_result *res);

/*
 * Access-rights check of SDM Vol 3A 4.6 for a translation with effective
 * permissions perm (GWALK_PERM_*) and protection key pkey, under the current
 * context. Returns 0 if the access is allowed, else the #PF error code.
 */
u32 gwalk_check_access(const struct gwalk_ctx *ctx, u32 perm, u8 pkey, u32 acc);

/* #PF error-code bits W/R, U/S and I/D that describe the access itself. */
u32 gwalk_pfec_access(const struct gwalk_ctx *ctx, u32 acc);

/*
 * VM-entry interruption-information field for injecting fault f (SDM Vol 3C
 * 24.8.3): vector, type hardware exception, deliver error code, valid. #PF,
 * #GP and #SS all push an error code (f->error_code, the VM-entry exception
 * error code field); for #PF the caller also loads guest CR2 with f->cr2
 * before VM entry, as no VMCS field holds it.
 */
#define GWALK_EVENT_HW_EXCEPTION (3u << 8)
#define GWALK_EVENT_DELIVER_EC	 (1u << 11)
#define GWALK_EVENT_VALID	 (1u << 31)
u32 gwalk_fault_event(const struct gwalk_fault *f);

/* true if la is canonical for a linear-address width of bits (48 or 57). */
static inline bool gwalk_is_canonical(gva_t la, unsigned bits)
{
	return (u64)((s64)(la << (64 - bits)) >> (64 - bits)) == la;
}

/* ---------------------------------------------------------- segmentation */

enum gwalk_seg_reg {
	GWALK_SEG_ES,
	GWALK_SEG_CS,
	GWALK_SEG_SS,
	GWALK_SEG_DS,
	GWALK_SEG_FS,
	GWALK_SEG_GS,
};

/* Segment access rights in the VMCS format (SDM Vol 3C 24.4.1, Table 24-2). */
#define GWALK_AR_TYPE_A	  BIT(0) /* accessed */
#define GWALK_AR_TYPE_W	  BIT(1) /* data: writable; code: readable */
#define GWALK_AR_TYPE_E	  BIT(2) /* data: expand-down; code: conforming */
#define GWALK_AR_TYPE_C	  BIT(3) /* code segment */
#define GWALK_AR_S	  BIT(4)
#define GWALK_AR_P	  BIT(7)
#define GWALK_AR_L	  BIT(13)
#define GWALK_AR_DB	  BIT(14)
#define GWALK_AR_G	  BIT(15)
#define GWALK_AR_UNUSABLE BIT(16)

/* A segment-register cache; limit is in bytes (granularity folded in). */
struct gwalk_seg {
	u64 base;
	u32 limit;
	u32 ar;
};

enum gwalk_seg_mode {
	GWALK_SEG_REAL, /* real-address or virtual-8086 mode */
	GWALK_SEG_PROT, /* 16/32-bit protected or compatibility mode */
	GWALK_SEG_LONG, /* 64-bit mode */
};

/*
 * Form the linear address of a size-byte access at offset ea (already
 * truncated to the address size) through segment reg with cache *seg
 * (SDM Vol 3A 3.4, 5.3, 5.4; 3.3.7.1 for canonical addresses). la57 selects
 * 57-bit canonical checks. Returns 0 and sets *la, or -EFAULT with *f set to
 * #GP(0), or #SS(0) for SS-relative accesses.
 */
int gwalk_seg_linear(enum gwalk_seg_mode mode, bool la57,
		     enum gwalk_seg_reg reg, const struct gwalk_seg *seg,
		     u64 ea, u32 size, u32 acc, gva_t *la,
		     struct gwalk_fault *f);

/* ---------------------------------------------------------- MMIO cache */

/*
 * The last guest-linear page found to map MMIO, with what it was translated
 * under. A hit needs the same page, memslot generation, CR3 and paging mode;
 * a write needs an entry filled by a write (whose walk set the dirty flag);
 * and the cached permissions must still allow the access under the current
 * context (CPL, EFLAGS.AC, CR0.WP, SMEP/SMAP, PKRU).
 */
struct gwalk_mmio_cache {
	bool valid;
	u8 mode; /* enum gwalk_mode */
	u8 pkey;
	u32 perm; /* GWALK_PERM_* of the translation */
	u32 acc;  /* access kind that filled the entry */
	gva_t gva_page;
	gpa_t gpa_page;
	u64 gen; /* memslot generation */
	u64 cr3;
	u64 key; /* the permission-relevant context of the filling walk */
};

/* Record the successful translation res of gva, made by access acc. */
void gwalk_mmio_cache_fill(struct gwalk_mmio_cache *c,
			   const struct gwalk_ctx *ctx, gva_t gva,
			   const struct gwalk_result *res, u32 acc, u64 gen);

/*
 * Look up gva for access acc. Returns true and sets *gpa on a hit; a miss
 * leaves *gpa alone (the caller walks and refills).
 */
bool gwalk_mmio_cache_lookup(const struct gwalk_mmio_cache *c,
			     const struct gwalk_ctx *ctx, gva_t gva, u32 acc,
			     u64 gen, gpa_t *gpa);

/* Drop every entry (CR3 write, paging-mode change, memslot change). */
void gwalk_mmio_cache_invalidate_all(struct gwalk_mmio_cache *c);

/* Drop the entry for gva's page if cached (INVLPG, a disagreeing walk). */
void gwalk_mmio_cache_invalidate_gva(struct gwalk_mmio_cache *c, gva_t gva);

#endif /* MICA_VMM_GWALK_GWALK_H */
