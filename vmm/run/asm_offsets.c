/* SPDX-License-Identifier: MIT */
/*
 * Structure offsets for the NASM side, in the way FreeBSD's genassym works:
 * this file is compiled to assembly only, and the Makefile turns each
 * "->NAME value" marker into "NAME equ value" in build/gen/asm_offsets.inc.
 * It is not linked into the kernel.
 */
#include <stddef.h>

#include "arch/x86/vmcs.h"
#include "vmm/vcpu.h"

#define DEFINE(sym, val)                                                       \
	__asm__ volatile("\n.ascii \"->" #sym " %0\"" : : "i"(val))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void asm_offsets(void);

void asm_offsets(void)
{
	OFFSET(VCPU_RAX, vcpu, gpr[GPR_RAX]);
	OFFSET(VCPU_RCX, vcpu, gpr[GPR_RCX]);
	OFFSET(VCPU_RDX, vcpu, gpr[GPR_RDX]);
	OFFSET(VCPU_RBX, vcpu, gpr[GPR_RBX]);
	OFFSET(VCPU_RBP, vcpu, gpr[GPR_RBP]);
	OFFSET(VCPU_RSI, vcpu, gpr[GPR_RSI]);
	OFFSET(VCPU_RDI, vcpu, gpr[GPR_RDI]);
	OFFSET(VCPU_R8, vcpu, gpr[GPR_R8]);
	OFFSET(VCPU_R9, vcpu, gpr[GPR_R9]);
	OFFSET(VCPU_R10, vcpu, gpr[GPR_R10]);
	OFFSET(VCPU_R11, vcpu, gpr[GPR_R11]);
	OFFSET(VCPU_R12, vcpu, gpr[GPR_R12]);
	OFFSET(VCPU_R13, vcpu, gpr[GPR_R13]);
	OFFSET(VCPU_R14, vcpu, gpr[GPR_R14]);
	OFFSET(VCPU_R15, vcpu, gpr[GPR_R15]);
	OFFSET(VCPU_LAUNCHED, vcpu, launched);
	OFFSET(VCPU_HOST_RSP, vcpu, host_rsp);
	DEFINE(VMCS_HOST_RSP_FIELD, VMCS_HOST_RSP);
}
