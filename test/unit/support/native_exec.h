/* SPDX-License-Identifier: MIT */
/*
 * Host-CPU execution of one instruction for the emulator's differential
 * test: the instruction bytes sit on an executable page followed by a jump
 * to an exit stub; native_run() loads every GPR (RSP included), RFLAGS and
 * YMM0-15 (XMM0-15 after native_sse_only()) from native_in, runs the bytes,
 * and stores the state after them into native_out. A fault (#DE, #GP, #UD, ...) arrives as a signal on an
 * alternate stack and is reported instead.
 */
#ifndef MICA_TEST_NATIVE_EXEC_H
#define MICA_TEST_NATIVE_EXEC_H

#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

struct native_state {
	uint64_t gpr[16]; /* by encoding number: RAX RCX RDX RBX RSP ... */
	uint64_t rflags;
	uint64_t pad[3];
	uint8_t ymm[16][32];
};

_Static_assert(__builtin_offsetof(struct native_state, rflags) == 128,
	       "native_enter uses offset 128");
_Static_assert(__builtin_offsetof(struct native_state, ymm) == 160,
	       "native_enter uses offset 160");

struct native_state native_in __attribute__((aligned(64)));
struct native_state native_out __attribute__((aligned(64)));
uint64_t native_host_rsp;
/* DS and ES while the code runs: Linux's __USER_DS unless a test loads an
 * LDT segment. */
uint32_t native_ds_sel = 0x2b, native_es_sel = 0x2b;
uint64_t native_code; /* where native_enter jumps: the code or native_go32 */
struct __attribute__((packed)) {
	uint32_t offset;
	uint16_t sel;
} native_far; /* m16:32 far pointer into the 32-bit code segment */

/* Linux x86-64 user code segments (arch/x86/include/asm/segment.h). */
#define NATIVE_USER32_CS 0x23
#define NATIVE_USER_CS	 0x33

void native_enter(void *code);
/* Move XMM0-15 (the low 16 bytes of each ymm[]) instead of YMM: for hosts
 * without AVX. */
void native_sse_only(void);
void native_exit(void);
void native_go32(void);

/* clang-format off */
#define NATIVE_VEC_ALL(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) \
	M(9) M(10) M(11) M(12) M(13) M(14) M(15)
#define NATIVE_YMM_LOAD(n) "vmovdqu " #n "*32+160(%rax), %ymm" #n "\n"
#define NATIVE_YMM_SAVE(n) "vmovdqu %ymm" #n ", native_out+160+" #n "*32(%rip)\n"
#define NATIVE_XMM_LOAD(n) "movdqu " #n "*32+160(%rax), %xmm" #n "\n"
#define NATIVE_XMM_SAVE(n) "movdqu %xmm" #n ", native_out+160+" #n "*32(%rip)\n"
__asm__(
	".text\n"
	/* Vector state in and out: YMM with AVX, else XMM (native_sse_only). */
	"native_ymm_load:\n" NATIVE_VEC_ALL(NATIVE_YMM_LOAD) "ret\n"
	"native_ymm_save:\n" NATIVE_VEC_ALL(NATIVE_YMM_SAVE) "vzeroupper\n ret\n"
	"native_xmm_load:\n" NATIVE_VEC_ALL(NATIVE_XMM_LOAD) "ret\n"
	"native_xmm_save:\n" NATIVE_VEC_ALL(NATIVE_XMM_SAVE) "ret\n"
	".data\n"
	"native_vec_load: .quad native_ymm_load\n"
	"native_vec_save: .quad native_ymm_save\n"
	".text\n"
	".globl native_sse_only\n"
	".type native_sse_only,@function\n"
	"native_sse_only:\n"
	"lea native_xmm_load(%rip), %rax\n mov %rax, native_vec_load(%rip)\n"
	"lea native_xmm_save(%rip), %rax\n mov %rax, native_vec_save(%rip)\n"
	"ret\n"
	".globl native_enter\n"
	".type native_enter,@function\n"
	"native_enter:\n"
	"push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"mov %rsp, native_host_rsp(%rip)\n"
	/* 64-bit processes run with null DS/ES, which 32-bit code cannot use. */
	"mov native_ds_sel(%rip), %eax\n mov %eax, %ds\n"
	"mov native_es_sel(%rip), %eax\n mov %eax, %es\n"
	"lea native_in(%rip), %rax\n"
	"call *native_vec_load(%rip)\n"
	"pushq 128(%rax)\n popfq\n"
	"mov 8(%rax), %rcx\n mov 16(%rax), %rdx\n mov 24(%rax), %rbx\n"
	"mov 40(%rax), %rbp\n mov 48(%rax), %rsi\n mov 56(%rax), %rdi\n"
	"mov 64(%rax), %r8\n mov 72(%rax), %r9\n mov 80(%rax), %r10\n"
	"mov 88(%rax), %r11\n mov 96(%rax), %r12\n mov 104(%rax), %r13\n"
	"mov 112(%rax), %r14\n mov 120(%rax), %r15\n"
	"mov 32(%rax), %rsp\n mov 0(%rax), %rax\n"
	"jmp *native_code(%rip)\n"
	/* Enter compatibility mode: a far jump, which leaves RFLAGS alone. */
	".globl native_go32\n"
	"native_go32:\n"
	"ljmpl *native_far(%rip)\n"
	".globl native_exit\n"
	"native_exit:\n"
	"mov %rax, native_out+0(%rip)\n mov %rcx, native_out+8(%rip)\n"
	"mov %rdx, native_out+16(%rip)\n mov %rbx, native_out+24(%rip)\n"
	"mov %rsp, native_out+32(%rip)\n mov %rbp, native_out+40(%rip)\n"
	"mov %rsi, native_out+48(%rip)\n mov %rdi, native_out+56(%rip)\n"
	"mov %r8, native_out+64(%rip)\n mov %r9, native_out+72(%rip)\n"
	"mov %r10, native_out+80(%rip)\n mov %r11, native_out+88(%rip)\n"
	"mov %r12, native_out+96(%rip)\n mov %r13, native_out+104(%rip)\n"
	"mov %r14, native_out+112(%rip)\n mov %r15, native_out+120(%rip)\n"
	"mov native_host_rsp(%rip), %rsp\n"
	"pushfq\n popq native_out+128(%rip)\n"
	"call *native_vec_save(%rip)\n"
	"cld\n"
	"pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"ret\n");
/* clang-format on */

/* Append "jmp *0(%rip); .quad native_exit" at p; returns its length. */
static int native_emit_exit(uint8_t *p)
{
	uint64_t a = (uint64_t)(uintptr_t)&native_exit;

	p[0] = 0xff;
	p[1] = 0x25;
	memset(p + 2, 0, 4);
	memcpy(p + 6, &a, 8);
	return 14;
}

static sigjmp_buf native_jmp;
static volatile int native_sig, native_sig_code;
static volatile uint64_t native_sig_rip, native_sig_cs;
/* GPRs by encoding number and RFLAGS at the fault (a REP string
 * instruction faults with its completed iterations done). */
static volatile uint64_t native_sig_gpr[16], native_sig_rflags;

static void native_on_signal(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;

	/* gregs order: R8-R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP */
	static const unsigned char greg[16] = {13, 14, 12, 11, 15, 10, 9, 8,
					       0,  1,  2,  3,  4,  5,  6, 7};

	for (int i = 0; i < 16; i++)
		native_sig_gpr[i] = (uint64_t)u->uc_mcontext.gregs[greg[i]];
	native_sig_rflags = (uint64_t)u->uc_mcontext.gregs[17 /* REG_EFL */];
	native_sig_rip = (uint64_t)u->uc_mcontext.gregs[16 /* REG_RIP */];
	native_sig_cs =
	    (uint64_t)u->uc_mcontext.gregs[18 /* REG_CSGSFS */] & 0xffff;
	native_sig = sig;
	native_sig_code = si->si_code;
	siglongjmp(native_jmp, 1);
}

/* Install the fault handlers on an alternate stack (once). */
static void native_init(void)
{
	static char altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	struct sigaction sa;
	const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = native_on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Execute the instruction at code (followed by native_emit_exit()'s
 * jump, or native_emit_exit32()'s in 32-bit code, which must then lie
 * below 4 GiB). Returns 0, or the signal number the instruction raised.
 */
static int native_run(void *code, bool compat)
{
	native_sig = 0;
	native_code = (uint64_t)(uintptr_t)code;
	if (compat) {
		native_far.offset = (uint32_t)(uintptr_t)code;
		native_far.sel = NATIVE_USER32_CS;
		native_code = (uint64_t)(uintptr_t)&native_go32;
	}
	if (sigsetjmp(native_jmp, 1) == 0)
		native_enter(code);
	return native_sig;
}

/*
 * 32-bit code epilogue at p: "ljmp $0x33, stub" back to 64-bit mode, and
 * at stub (below 4 GiB) the 64-bit jump to native_exit.
 */
static int native_emit_exit32(uint8_t *p, uint8_t *stub)
{
	uint32_t s = (uint32_t)(uintptr_t)stub;

	p[0] = 0xea;
	memcpy(p + 1, &s, 4);
	p[5] = NATIVE_USER_CS;
	p[6] = 0;
	native_emit_exit(stub);
	return 7;
}

#endif /* MICA_TEST_NATIVE_EXEC_H */
