/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: its configuration (from a module command line), its
 * memory pool, EPT, one vCPU, its emulated devices, and how it ended.
 */
#ifndef MICA_VMM_VM_H
#define MICA_VMM_VM_H

#include "drivers/vuart.h"
#include "vmm/mmio_bus.h"
#include "mm/types.h"
#include "vmm/hypercall_abi.h"
#include "vmm/vcpu.h"
#include "vmm/vm_config.h"

enum vm_state {
	VM_RUNNING,
	VM_DONE,    /* the guest ended itself (exit hypercall, debug port) */
	VM_STOPPED, /* mica stopped it: fault, budget, unsupported, ... */
};

struct vm {
	struct vm_config cfg;
	unsigned id;
	hpa_t pool; /* host frames backing guest RAM */
	u64 pool_pages;
	hpa_t ept_root;
	u64 ept_pages;
	u64 eptp;
	struct vcpu vcpu;
	struct vuart uart;
	struct mmio_bus bus;
	struct mmio_dev dev_uart, dev_ioram;
	hpa_t ioram;

	enum vm_state state;
	int exit_code;	    /* guest's own status when VM_DONE */
	char stop_msg[160]; /* why, when VM_STOPPED */

	u64 budget_left; /* preemption-timer units not yet armed */
	u64 counters[CNT_MAX];
	u64 start_tsc;
};

/* Translate guest physical RAM to a host pointer; NULL outside RAM or when
 * [gpa, gpa + len) crosses the end of RAM. */
void *vm_gpa_ptr(struct vm *vm, gpa_t gpa, u64 len);

/* Host pointer to guest RAM at [gpa, gpa + len) when that access (a write
 * if `write`) may go straight to RAM; NULL when it must be emulated as
 * MMIO (no RAM there, or a read-only mapping for a write). */
void *vm_ram_ptr(struct vm *vm, gpa_t gpa, u64 len, bool write);

/* Stop the VM with a diagnostic (printf-style); the vCPU loop ends. */
__printf(2, 3) void vm_stop(struct vm *vm, const char *fmt, ...);

/* Arm the VMX-preemption timer with the next chunk of the VM's budget;
 * false when the budget is spent. */
bool vm_arm_budget(struct vm *vm);

/* The guest ended itself with `code`. */
void vm_done(struct vm *vm, int code);

/*
 * Create a VM from cfg: memory pool, EPT, image, boot structures, VMCS.
 * Returns 0, or a negative errno after printing why (the VM must then be
 * destroyed with vm_destroy(), which releases whatever was set up).
 */
int vm_create(struct vm *vm, const struct vm_config *cfg,
	      unsigned id) __must_check;

/* Run until the guest ends or is stopped (vm->state says which). */
void vm_run(struct vm *vm);

/* Release every resource of the VM. */
void vm_destroy(struct vm *vm);
#endif /* MICA_VMM_VM_H */
