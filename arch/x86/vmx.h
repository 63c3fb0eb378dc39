/* SPDX-License-Identifier: MIT */
/*
 * VMX instruction wrappers. Each checks the VMX status flags (SDM Vol 3C
 * 31.2 "Conventions": CF=1 VMfailInvalid, ZF=1 VMfailValid with the error in
 * the VM-instruction error field) and returns 0 or a negative value; the
 * error can be named with vmx_insn_error_name().
 */
#ifndef MICA_ARCH_X86_VMX_H
#define MICA_ARCH_X86_VMX_H

#include "mm/base/types.h"

#define VMX_FAIL_INVALID (-1) /* CF=1: no current VMCS, no error number */
#define VMX_FAIL_VALID	 (-2) /* ZF=1: error number in VMCS_VM_INSN_ERROR */

int vmxon(hpa_t region) __must_check;
int vmxoff(void) __must_check;
int vmclear(hpa_t vmcs) __must_check;
int vmptrld(hpa_t vmcs) __must_check;

/* INVEPT / INVVPID types (SDM Vol 3C 31.3, INVEPT and INVVPID). */
#define INVEPT_SINGLE_CONTEXT  1
#define INVEPT_ALL_CONTEXT     2
#define INVVPID_ADDRESS	       0
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXT    2

int invept(u64 type, u64 eptp) __must_check;
int invvpid(u64 type, u16 vpid, u64 gva) __must_check;

/* Name of a VM-instruction error number (SDM Vol 3C 31.4). */
const char *vmx_insn_error_name(u32 err);

/* Describe a failed VMX instruction: "VMfailValid: <name> (n)". */
void vmx_report_failure(const char *what, int rc);

#endif /* MICA_ARCH_X86_VMX_H */
