/* SPDX-License-Identifier: MIT */
/*
 * mica base definitions: fixed-width integers, address types, bit helpers and
 * compiler attributes. Included by every file, kernel and pure alike; it pulls
 * in only the compiler's freestanding headers.
 */
#ifndef MICA_MM_BASE_TYPES_H
#define MICA_MM_BASE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/*
 * Address types. Each kind of address is its own type so that a guest
 * physical address cannot silently flow where a host one is expected; convert
 * with the named helpers of the module that owns the mapping.
 */
typedef u64 gpa_t; /* guest physical */
typedef u64 gva_t; /* guest linear (virtual) */
typedef u64 hpa_t; /* host physical */
typedef u64 hva_t; /* host virtual (hypervisor linear) */
typedef u64 gfn_t; /* guest frame number: gpa >> 12 */
typedef u64 pfn_t; /* host frame number: hpa >> 12 */

/* The four registers CPUID returns (arch/x86/cpu.h runs it; vmm/cpu
 * decides what a guest sees). */
struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ULL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))
#define SIZE_2M	   (1ULL << 21)
#define SIZE_1G	   (1ULL << 30)

#define gpa_to_gfn(gpa) ((gfn_t)((gpa) >> PAGE_SHIFT))
#define gfn_to_gpa(gfn) ((gpa_t)(gfn) << PAGE_SHIFT)
#define hpa_to_pfn(hpa) ((pfn_t)((hpa) >> PAGE_SHIFT))
#define pfn_to_hpa(pfn) ((hpa_t)(pfn) << PAGE_SHIFT)

#define BIT(n) (1ULL << (n))
/* Mask of bits hi..lo inclusive, hi >= lo, hi <= 63. */
#define GENMASK(hi, lo)	 ((~0ULL >> (63 - (hi))) & (~0ULL << (lo)))
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	 (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

#define __must_check __attribute__((warn_unused_result))
#define __noreturn   __attribute__((noreturn))
/* Off the hot paths: GCC optimizes it for size and places it apart. */
#define __cold	       __attribute__((cold))
#define __packed       __attribute__((packed))
#define __aligned(n)   __attribute__((aligned(n)))
#define __used	       __attribute__((used))
#define __printf(f, a) __attribute__((format(printf, f, a)))
#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)

/*
 * Memory helpers usable from pure code: the kernel provides the symbols
 * (mm/base/string.c), the host tests get them from libc.
 */
#define mem_copy(d, s, n) __builtin_memcpy((d), (s), (n))
#define mem_set(d, c, n)  __builtin_memset((d), (c), (n))
#define mem_cmp(a, b, n)  __builtin_memcmp((a), (b), (n))

/*
 * Stop on a hypervisor bug (never on guest input). The kernel prints the
 * message with full state and halts; host tests abort with the message.
 */
__noreturn __printf(1, 2) void panic(const char *fmt, ...);

#define BUG_ON(cond)                                                           \
	do {                                                                   \
		if (unlikely(cond))                                            \
			panic("BUG: %s at %s:%d", #cond, __FILE__, __LINE__);  \
	} while (0)

#endif /* MICA_MM_BASE_TYPES_H */
