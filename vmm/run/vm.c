/* SPDX-License-Identifier: MIT */
/*
 * VM lifecycle: a pool of host frames for guest RAM, the EPT over it, one
 * vCPU with its VMCS, the image and boot structures loaded, the run loop,
 * and teardown. A VM that misbehaves is stopped; mica goes on.
 */
#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/layout.h"
#include "mm/base/console.h"
#include "mm/lib/fmt.h"
#include "mm/mm.h"
#include "vmm/load/elf_load.h"
#include "mm/base/errno.h"
#include "vmm/exit/exit.h"
#include "vmm/run/guest_boot.h"
#include "vmm/load/guest_layout.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"
#include "vmm/mem/vm_ram.h"
#include "vmm/run/vmcs_setup.h"

void *vm_gpa_ptr(struct vm *vm, gpa_t gpa, u64 len)
{
	void *p;

	return vm_ram_lookup(vm, gpa, len, false, &p) == VM_RAM ? p : NULL;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->state != VM_RUNNING)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->stop_msg, sizeof(vm->stop_msg), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
}

void vm_done(struct vm *vm, u64 code)
{
	if (vm->state != VM_RUNNING)
		return;
	vm->exit_code = code;
	vm->state = VM_DONE;
}

bool vm_arm_budget(struct vm *vm)
{
	u64 chunk = MIN(vm->budget_left, 0xffffffffULL);

	if (!chunk)
		return false;
	vm->budget_left -= chunk;
	vmcs_write32(VMCS_PREEMPTION_TIMER, (u32)chunk);
	return true;
}

void vm_charge_host_debt(struct vm *vm)
{
	u64 ticks = vm->host_tsc_debt >> (vmx_caps()->misc & 0x1f);
	u32 armed;

	vm->host_tsc_debt = 0;
	if (!vm->budget_on || vm->state != VM_RUNNING || !ticks)
		return;
	/* The whole armed chunk, had the guest's timer not shortened it
	 * (re-cut before the next entry, vm_timer_program()). */
	armed = vmcs_read32(VMCS_PREEMPTION_TIMER) + vm->preempt_cut;
	vm->preempt_cut = 0;
	if (ticks < armed) {
		vmcs_write32(VMCS_PREEMPTION_TIMER, armed - (u32)ticks);
		return;
	}
	ticks -= armed;
	if (ticks >= vm->budget_left) {
		vm->budget_left = 0;
		vm_stop(vm,
			"time budget of %lu instructions exhausted, host time "
			"spent for the guest included",
			vm->cfg.budget);
		return;
	}
	vm->budget_left -= ticks;
	vmcs_write32(VMCS_PREEMPTION_TIMER, 0);
	if (!vm_arm_budget(vm))
		vm_stop(vm, "time budget of %lu instructions exhausted",
			vm->cfg.budget);
}

static void uart_emit(void *ctx, const char *line, size_t len)
{
	struct vm *vm = ctx;

	printk("[%s] %.*s\n", vm->cfg.name, (int)len, line);
}

static void load_copy(void *ctx, gpa_t gpa, const void *src, u64 len)
{
	mem_copy(vm_gpa_ptr(ctx, gpa, len), src, len);
}

static void load_zero(void *ctx, gpa_t gpa, u64 len)
{
	mem_set(vm_gpa_ptr(ctx, gpa, len), 0, len);
}

/*
 * Image formats, in order: a multiboot1 header with the a.out kludge
 * (its addresses win, as the multiboot spec says), ELF, else a flat binary
 * at load=.
 */
static int load_image(struct vm *vm, gpa_t *entry)
{
	const struct elf_load_ops ops = {load_copy, load_zero, vm};
	const struct vm_config *c = &vm->cfg;
	struct elf_load_result res;
	int rc;

	/* No range is reserved: the boot structures go where the image is
	 * not (guest_boot_setup). */
	rc = mb1_kludge_load(c->image, c->image_size, c->mem_size, 0, 0, &ops,
			     &res);
	if (rc == -ENOENT && elf_is_elf(c->image, c->image_size))
		rc = elf_load(c->image, c->image_size, c->mem_size, 0, 0, &ops,
			      &res);
	else if (rc == -ENOENT)
		rc = flat_load(c->image, c->image_size, c->load_addr,
			       c->mem_size, 0, 0, &ops, &res);
	if (rc) {
		printk("mica: guest %s: cannot load image: %s\n", c->name,
		       res.error);
		return rc;
	}
	*entry = res.entry;
	vm->image_start = res.low;
	vm->image_end = res.high;
	return 0;
}

static int alloc_memory(struct vm *vm)
{
	vm->pool_pages = vm->cfg.mem_size / PAGE_SIZE;
	if (mm_alloc_pages(vm->pool_pages, SIZE_2M, &vm->pool)) {
		printk(
		    "mica: guest %s: no %lu MiB of host memory for its RAM\n",
		    vm->cfg.name, vm->cfg.mem_size >> 20);
		vm->pool_pages = 0;
		return -ENOMEM;
	}
	if (mm_alloc_pages(1, PAGE_SIZE, &vm->vcpu.vmcs_pa))
		return -ENOMEM;
	vm->vcpu.vmcs = phys_ptr(vm->vcpu.vmcs_pa);
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, unsigned id)
{
	gpa_t entry;
	int rc;

	mem_set(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->id = id;
	vm->vcpu.vm = vm;
	vm->vcpu.vpid = (u16)(id + 1);
	vm->vcpu.mmio_page = ~0ULL; /* no page confirmed as MMIO yet */
	vm->vcpu.wp_page = ~0ULL;
	vuart_init(&vm->uart, uart_emit, vm);
	vcpu_reset_live_msrs();
	cpu_reset_guest_state();
	rc = alloc_memory(vm);
	if (!rc)
		rc = vm_devices_init(vm);
	if (!rc)
		rc = vm_mem_init(vm);
	if (!rc)
		rc = load_image(vm, &entry);
	if (!rc)
		rc = guest_boot_setup(vm);
	if (!rc)
		rc = vmcs_setup(vm, entry);
	if (!rc && (vmcs_read32(VMCS_PIN_CTLS) & VMX_PIN_PREEMPT_TIMER)) {
		/* The timer counts TSC >> IA32_VMX_MISC[4:0] (SDM Vol 3C,
		 * "VMX-Preemption Timer"). */
		vm->budget_left = cfg->budget >> (vmx_caps()->misc & 0x1f);
		vm->budget_left += !vm->budget_left;
		vm->budget_on = cfg->budget != 0;
		if (!vm->budget_on)
			vm->budget_left = ~0ULL; /* only the guest's timers */
		vm->preempt_on = true;
		vm_arm_budget(vm);
	}
	return rc;
}

void vm_destroy(struct vm *vm)
{
	int rc;

	vuart_flush(&vm->uart);
	if (vm->vcpu.vmcs_pa) {
		rc = vmclear(vm->vcpu.vmcs_pa);
		if (rc)
			vmx_report_failure("vmclear", rc);
		mm_free_pages(vm->vcpu.vmcs_pa, 1);
	}
	vm_mem_destroy(vm);
	vm_devices_destroy(vm);
	if (vm->pool_pages)
		mm_free_pages(vm->pool, vm->pool_pages);
}

/* Run the vCPU until the VM is done or stopped. */
void vm_run(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	int rc;

	vm->start_tsc = rdtsc();
	vm_before_entry(v);
	rc = vmx_run(v);
	if (unlikely(rc)) {
		vmx_report_failure(v->launched ? "vmresume" : "vmlaunch", rc);
		vm_stop(vm, "VM entry instruction failed (%s)",
			rc == VMX_FAIL_VALID ? vmx_insn_error_name(vmcs_read32(
						   VMCS_VM_INSN_ERROR))
					     : "VMfailInvalid");
	}
}
