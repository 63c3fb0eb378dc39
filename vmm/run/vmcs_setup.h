/* SPDX-License-Identifier: MIT */
/* Initialising a vCPU's VMCS for its VM's entry mode. */
#ifndef MICA_VMM_RUN_VMCS_SETUP_H
#define MICA_VMM_RUN_VMCS_SETUP_H

#include "mm/base/types.h"

struct vm;

/*
 * Clear and load the vCPU's VMCS, then write controls, host state and the
 * guest state for vm->cfg.mode entering at `entry`. Returns 0, -ENODEV when
 * the CPU lacks a required control, -EIO when a VMX instruction failed.
 */
int vmcs_setup(struct vm *vm, gpa_t entry) __must_check;

/* Make the vCPU's VMCS current again (VMPTRLD). */
int vmcs_load(struct vm *vm) __must_check;

#endif /* MICA_VMM_RUN_VMCS_SETUP_H */
