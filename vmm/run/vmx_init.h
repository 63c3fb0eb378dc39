/* SPDX-License-Identifier: MIT */
/* Entering VMX root operation on the boot CPU. */
#ifndef MICA_VMM_RUN_VMX_INIT_H
#define MICA_VMM_RUN_VMX_INIT_H

#include "mm/base/types.h"

/*
 * Set CR0/CR4 as VMX requires (IA32_VMX_CR{0,4}_FIXED{0,1}), allocate the
 * VMXON region with the revision id and execute VMXON. Returns 0, or a
 * negative errno after printing why.
 */
int vmx_init(void) __must_check;

#endif /* MICA_VMM_RUN_VMX_INIT_H */
