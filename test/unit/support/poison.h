/* SPDX-License-Identifier: MIT */
/*
 * Stack and register poison for the tests that look for undefined bytes
 * reaching guest state. poison_call(fn, pat) runs fn() on a stack whose
 * POISON_STACK bytes below the caller hold the byte pat, with every general
 * register except RSP and R11 (the call target), and XMM0-15, holding pat
 * in each byte. A local that
 * fn (or anything it calls) reads before writing holds pat: run the same
 * work with pat 0x00 and 0xFF and whatever differs came from undefined
 * bytes. Frames land where they landed the first time only when nothing
 * moves them: build without ASan (its redzones and fake stacks put
 * address-taken locals elsewhere) and without -ftrivial-auto-var-init
 * (which defines them), as the Makefile's poison objects are. x86-64
 * System V only.
 *
 * Painting misses a local laid over a dead frame of the same run (it holds
 * that frame's bytes, the same in both runs), so the poison programs are
 * also built with MemorySanitizer, which follows undefined bytes through
 * every copy: there poison_defined() checks the bytes that leave the code
 * under test and poison_on_report() names the case in MSan's report.
 */
#ifndef MICA_TEST_POISON_H
#define MICA_TEST_POISON_H

#include <stddef.h>
#include <stdint.h>

#include "mm/base/types.h"

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define POISON_MSAN 1
#endif
#endif

#define POISON_STACK   16384 /* bytes painted below the caller */
#define POISON_STR_(x) #x
#define POISON_STR(x)  POISON_STR_(x)

/* Lowest painted byte of the last poison_call (written by it). */
uintptr_t poison_stack_lo;

/* fn takes nothing: under MSan an argument passed from assembly would
 * carry a stale shadow. */
void poison_call(void (*fn)(void), u8 pat);

/* clang-format off */
#define POISON_XMM(n) "movdqa %xmm0, %xmm" #n "\n"
__asm__(
	".text\n"
	".globl poison_call\n"
	".type poison_call,@function\n"
	"poison_call:\n"
	"push %rbp\n push %rbx\n push %r12\n push %r13\n push %r14\n"
	"push %r15\n sub $8, %rsp\n"	/* 16-byte aligned for the call */
	"mov %rdi, %r12\n"			/* fn */
	"movzbl %sil, %eax\n mov $0x0101010101010101, %rcx\n imul %rcx, %rax\n"
	"mov %rax, %r14\n"			/* pat in every byte */
	"sub $" POISON_STR(POISON_STACK) ", %rsp\n"
	"mov %rsp, %rdi\n mov %rsp, poison_stack_lo(%rip)\n"
	"mov $" POISON_STR(POISON_STACK) "/8, %ecx\n rep stosq\n"
	"add $" POISON_STR(POISON_STACK) ", %rsp\n"
	"mov %r14, %rax\n movq %rax, %xmm0\n punpcklqdq %xmm0, %xmm0\n"
	POISON_XMM(1) POISON_XMM(2) POISON_XMM(3) POISON_XMM(4)
	POISON_XMM(5) POISON_XMM(6) POISON_XMM(7) POISON_XMM(8)
	POISON_XMM(9) POISON_XMM(10) POISON_XMM(11) POISON_XMM(12)
	POISON_XMM(13) POISON_XMM(14) POISON_XMM(15)
	"mov %r12, %r11\n mov %rax, %rdi\n"
	"mov %rax, %rbx\n mov %rax, %rcx\n mov %rax, %rdx\n mov %rax, %rsi\n"
	"mov %rax, %rbp\n mov %rax, %r8\n mov %rax, %r9\n mov %rax, %r10\n"
	"mov %rax, %r12\n mov %rax, %r13\n mov %rax, %r14\n mov %rax, %r15\n"
	"call *%r11\n"
	"add $8, %rsp\n pop %r15\n pop %r14\n pop %r13\n pop %r12\n"
	"pop %rbx\n pop %rbp\n ret\n"
	".size poison_call, .-poison_call\n");
/* clang-format on */

/*
 * Bytes of the painted stack the last poison_call used, as far as writes
 * show: call right after it with the pattern it painted (0x00 hides writes
 * of zeros, so pass the 0xFF run's).
 */
__attribute__((no_sanitize("address", "memory"))) /* reads dead stack */
static inline unsigned
poison_stack_used(u8 pat)
{
	const volatile u8 *p = (const volatile u8 *)poison_stack_lo;
	unsigned i = 0;

	while (i < POISON_STACK && p[i] == pat)
		i++;
	return POISON_STACK - i;
}

/* Whether this is the MemorySanitizer build. */
static inline bool poison_msan(void)
{
#ifdef POISON_MSAN
	return true;
#else
	return false;
#endif
}

/* Under MSan: report (and stop) if any of the n bytes at p is undefined. */
static inline void poison_defined(const void *p, size_t n)
{
#ifdef POISON_MSAN
	__msan_check_mem_is_initialized(p, n);
#else
	(void)p;
	(void)n;
#endif
}

/* Under MSan: call fn before the process dies of a report. */
static inline void poison_on_report(void (*fn)(void))
{
#ifdef POISON_MSAN
	__msan_set_death_callback(fn);
#else
	(void)fn;
#endif
}

#endif /* MICA_TEST_POISON_H */
