/* SPDX-License-Identifier: MIT */
/*
 * The devices every VM has: the 16550 (ports 0x3F8 and MMIO), ioram, the
 * local APIC page, the 0xFF000000 test region, and the PC port devices
 * (fw_cfg, PICs, 0xE0 latch), plus the glue that turns the local APIC's
 * pending vectors into VM-entry interrupt injections.
 */
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/layout.h"
#include "mm/mm.h"
#include "mm/base/errno.h"
#include "vmm/vcpu.h"
#include "vmm/load/guest_layout.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"

#define APIC_BASE_BSP	 BIT(8)
#define APIC_BASE_ENABLE BIT(11)
#define RFLAGS_IF	 BIT(9)

int vm_devices_init(struct vm *vm)
{
	static const u64 pages =
	    GUEST_IORAM_SIZE / PAGE_SIZE + GUEST_TESTMEM_SIZE / PAGE_SIZE;

	if (mm_alloc_pages(pages, PAGE_SIZE, &vm->ioram))
		return -ENOMEM;
	vm->testmem = vm->ioram + GUEST_IORAM_SIZE;
	pc_devices_init(&vm->pcdev);
	vlapic_init(&vm->lapic);
	vm->apic_base = LAPIC_BASE_DEFAULT | APIC_BASE_BSP | APIC_BASE_ENABLE;
	mmio_bus_init(&vm->bus);
	mmio_uart_init(&vm->dev_uart, GUEST_MMIO_UART, &vm->uart);
	mmio_ioram_init(&vm->dev_ioram, GUEST_MMIO_IORAM, phys_ptr(vm->ioram),
			GUEST_IORAM_SIZE);
	mmio_ioram_init(&vm->dev_testmem, GUEST_TESTMEM, phys_ptr(vm->testmem),
			GUEST_TESTMEM_SIZE);
	vm->dev_testmem.name = "testmem";
	mmio_lapic_init(&vm->dev_lapic, LAPIC_BASE_DEFAULT, &vm->lapic);
	if (mmio_register(&vm->bus, &vm->dev_uart) ||
	    mmio_register(&vm->bus, &vm->dev_ioram) ||
	    mmio_register(&vm->bus, &vm->dev_testmem) ||
	    mmio_register(&vm->bus, &vm->dev_lapic))
		panic("vm: fixed MMIO devices overlap");
	return 0;
}

void vm_devices_destroy(struct vm *vm)
{
	if (vm->ioram)
		mm_free_pages(vm->ioram, GUEST_IORAM_SIZE / PAGE_SIZE +
					     GUEST_TESTMEM_SIZE / PAGE_SIZE);
	vm->ioram = 0;
}

static void set_intr_window(bool on)
{
	u32 p = vmcs_read32(VMCS_PROC_CTLS);
	u32 want = on ? p | VMX_PROC_INTR_WINDOW : p & ~VMX_PROC_INTR_WINDOW;

	if (want != p)
		vmcs_write32(VMCS_PROC_CTLS, want);
}

/*
 * Before VM entry: deliver the local APIC's highest pending vector if the
 * guest can take an interrupt now (RFLAGS.IF = 1, no STI/MOV SS blocking,
 * no other event being injected), else ask for an interrupt-window exit
 * (SDM Vol 3C, "Interrupt-Window Exiting").
 */
void vm_inject_pending(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int vec = vlapic_pending(&vm->lapic);

	if (vec < 0) {
		set_intr_window(false);
		return;
	}
	if (!(vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_IF) ||
	    (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & 3) ||
	    (vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
		set_intr_window(true);
		return;
	}
	vlapic_accept(&vm->lapic, vec);
	vmcs_write32(VMCS_ENTRY_INTR_INFO,
		     (u32)vec | INTR_INFO_VALID |
			 (INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT));
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	set_intr_window(vlapic_pending(&vm->lapic) >= 0);
}

bool vm_interrupt_deliverable(struct vcpu *v)
{
	return vlapic_pending(&v->vm->lapic) >= 0 &&
	       (vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_IF);
}

/* IA32_APIC_BASE: only the enable bit may change (no relocation, no
 * x2APIC: it is not advertised). */
int vm_write_apic_base(struct vm *vm, u64 val)
{
	if ((val & ~APIC_BASE_ENABLE) != (vm->apic_base & ~APIC_BASE_ENABLE))
		return -EINVAL;
	vm->apic_base = val;
	return 0;
}
