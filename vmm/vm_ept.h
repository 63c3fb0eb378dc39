/* SPDX-License-Identifier: MIT */
/* A VM's EPT: built over its RAM pool, torn down with the VM. */
#ifndef MICA_VMM_VM_EPT_H
#define MICA_VMM_VM_EPT_H

#include "mm/types.h"

struct vm;

/* Build the EPT for the VM's RAM and set vm->eptp. 0 or -ENOMEM. */
int vm_ept_init(struct vm *vm) __must_check;

/* Free every EPT table page. */
void vm_ept_destroy(struct vm *vm);

#endif /* MICA_VMM_VM_EPT_H */
