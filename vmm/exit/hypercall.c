/* SPDX-License-Identifier: MIT */
/*
 * VMCALL: the hypercall ABI of docs/hypercalls.md. RAX = call number,
 * arguments RDI, RSI, RDX, RCX, R8; result in RAX. VMCALL from CPL > 0
 * raises #UD (SDM Vol 2C: VMCALL in VMX non-root always exits, so the
 * privilege check is the hypervisor's). Arguments are validated before
 * anything changes.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "mm/base/errno.h"
#include "vmm/exit/exit.h"
#include "vmm/hypercall_abi.h"
#include "vmm/vm.h"
#include "vmm/mem/vm_ram.h"
#include "vmm/mem/vm_spp.h"

__cold static s64 hc_check_extension(struct vcpu *v, u64 ext)
{
	switch (ext) {
	case EXT_HYPERCALL_VERSION:
		return MICA_HC_VERSION_VALUE;
	case EXT_READONLY_MEM:
	case EXT_LOCK_MEMSLOT:
	case EXT_DIRTY_LOG:
		return 1;
	case EXT_MAX_MEMSLOTS:
		return v->vm->cfg.max_slots;
	case EXT_SPP:
		return vm_spp_extension(v->vm);
	case EXT_FORCED_EMULATION:
		return v->vm->cfg.forced_emu;
	default:
		return 0;
	}
}

__cold static s64 hc_exit(struct vcpu *v, u64 code)
{
	vuart_flush(&v->vm->uart);
	vm_done(v->vm, code);
	return 0;
}

static s64 hc_test_counter(struct vcpu *v, u64 which)
{
	if (which >= CNT_MAX)
		return -EINVAL;
	if (which == CNT_EXITS_TOTAL)
		return (s64)v->exits_total;
	if (which == CNT_EPT_RECLAIMS)
		return (s64)v->vm->mem.reclaims;
	return (s64)v->vm->counters[which];
}

__cold static s64 hc_test_reset(struct vcpu *v)
{
	mem_set(v->vm->counters, 0, sizeof(v->vm->counters));
	v->exits_total = 0;
	v->vm->mem.reclaims = 0;
	return 0;
}

__cold static s64 hc_test_patch_next(struct vcpu *v, u64 gpa, u64 len,
				     u64 bytes)
{
	void *p;

	if (!len || len > sizeof(v->vm->patch.bytes))
		return -EINVAL;
	if (vm_ram_lookup(v->vm, gpa, len, false, &p) != VM_RAM)
		return -EFAULT;
	v->vm->patch.gpa = gpa;
	v->vm->patch.len = (u8)len;
	mem_copy(v->vm->patch.bytes, &bytes, len);
	v->vm->patch.armed = true;
	return 0;
}

static s64 hypercall_dispatch(struct vcpu *v, u64 nr)
{
	const u64 *a = v->gpr;

	switch (nr) {
	case HC_NULL:
		return 0;
	case HC_VERSION:
		return MICA_HC_VERSION_VALUE;
	case HC_CHECK_EXTENSION:
		return hc_check_extension(v, a[GPR_RDI]);
	case HC_EXIT:
		return hc_exit(v, a[GPR_RDI]);
	case HC_SET_MEMORY_REGION:
		return hc_set_memory_region(v, a[GPR_RDI], a[GPR_RSI],
					    a[GPR_RDX], a[GPR_RCX], a[GPR_R8]);
	case HC_LOCK_MEMSLOT:
		return hc_lock_memslot(v, a[GPR_RDI], a[GPR_RSI]);
	case HC_UNLOCK_MEMSLOT:
		return hc_unlock_memslot(v, a[GPR_RDI]);
	case HC_GET_DIRTY_LOG:
		return hc_get_dirty_log(v, a[GPR_RDI], a[GPR_RSI]);
	case HC_ENABLE_SPP:
		return hc_enable_spp(v);
	case HC_SUBPAGE_SET_ACCESS:
		return hc_subpage_set_access(v, a[GPR_RDI], a[GPR_RSI],
					     a[GPR_RDX], a[GPR_RCX]);
	case HC_SUBPAGE_GET_ACCESS:
		return hc_subpage_get_access(v, a[GPR_RDI], a[GPR_RSI],
					     a[GPR_RDX], a[GPR_RCX]);
	case HC_SUBPAGE_GET_DENIED:
		return hc_subpage_get_denied(v, a[GPR_RDI], a[GPR_RSI],
					     a[GPR_RDX], a[GPR_RCX]);
	case HC_TEST_COUNTER:
		return hc_test_counter(v, a[GPR_RDI]);
	case HC_TEST_RESET_COUNTERS:
		return hc_test_reset(v);
	case HC_TEST_PATCH_NEXT:
		return hc_test_patch_next(v, a[GPR_RDI], a[GPR_RSI],
					  a[GPR_RDX]);
	default:
		return -ENOSYS;
	}
}

void handle_vmcall(struct vcpu *v)
{
	u64 nr, t0 = 0;
	bool charged;

	if (unlikely(vcpu_cpl(v))) {
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
		return;
	}
	v->vm->counters[CNT_EXIT_VMCALL]++;
	nr = v->gpr[GPR_RAX];
	/* The memory calls' cost grows with their arguments (EPT zaps,
	 * bitmaps): charged to the budget. The others cost a constant. */
	charged = nr - HC_SET_MEMORY_REGION <=
		  (u64)(HC_SUBPAGE_GET_DENIED - HC_SET_MEMORY_REGION);
	if (unlikely(charged))
		t0 = rdtsc();
	v->gpr[GPR_RAX] = (u64)hypercall_dispatch(v, nr);
	if (unlikely(charged))
		vm_charge_host_time(v->vm, rdtsc() - t0);
	vcpu_skip_insn(v);
}
