/* SPDX-License-Identifier: MIT */
/*
 * EPT for a VM's RAM: guest physical [0, mem_size) maps the VM's pool with
 * 2 MiB leaves, read/write/execute, write-back (SDM Vol 3C, "EPT
 * Translation Mechanism"). Table pages come in one contiguous allocation.
 */
#include "boot/layout.h"
#include "mm/mm.h"
#include "vmm/errno.h"
#include "vmm/vm.h"
#include "vmm/vm_ept.h"

#define EPT_RWX	    7ULL
#define EPT_MT_WB   (6ULL << 3)
#define EPT_LEAF    BIT(7)
#define EPTP_WB	    6ULL
#define EPTP_WALK4  (3ULL << 3)
#define EPT_MAX_PDS 4 /* 4 GiB of guest RAM */

int vm_ept_init(struct vm *vm)
{
	u64 npd = ALIGN_UP(vm->cfg.mem_size, SIZE_1G) / SIZE_1G;
	u64 *pml4, *pdpt, *pd;

	if (npd > EPT_MAX_PDS || !IS_ALIGNED(vm->cfg.mem_size, SIZE_2M))
		return -EINVAL;
	vm->ept_pages = 2 + npd;
	if (mm_alloc_pages(vm->ept_pages, PAGE_SIZE, &vm->ept_root)) {
		vm->ept_pages = 0;
		return -ENOMEM;
	}
	pml4 = phys_ptr(vm->ept_root);
	pdpt = phys_ptr(vm->ept_root + PAGE_SIZE);
	pd = phys_ptr(vm->ept_root + 2 * PAGE_SIZE);
	pml4[0] = (vm->ept_root + PAGE_SIZE) | EPT_RWX;
	for (u64 i = 0; i < npd; i++)
		pdpt[i] = (vm->ept_root + (2 + i) * PAGE_SIZE) | EPT_RWX;
	for (u64 g = 0; g < vm->cfg.mem_size; g += SIZE_2M)
		pd[g / SIZE_2M] =
		    (vm->pool + g) | EPT_RWX | EPT_MT_WB | EPT_LEAF;
	vm->eptp = vm->ept_root | EPTP_WB | EPTP_WALK4;
	return 0;
}

void vm_ept_destroy(struct vm *vm)
{
	if (vm->ept_pages)
		mm_free_pages(vm->ept_root, vm->ept_pages);
	vm->ept_pages = 0;
}
