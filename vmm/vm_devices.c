/* SPDX-License-Identifier: MIT */
/*
 * The devices every VM has: the 16550 (ports 0x3F8 and MMIO), ioram, the
 * local APIC page, the 0xFF000000 test region, and the PC port devices
 * (fw_cfg, PICs, 0xE0 latch), plus the glue that turns the local APIC's
 * pending vectors into VM-entry interrupt injections.
 */
#include "arch/x86/clock.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "drivers/uart.h"
#include "mm/base/console.h"
#include "mm/base/layout.h"
#include "mm/mm.h"
#include "mm/base/errno.h"
#include "vmm/vcpu.h"
#include "vmm/load/guest_layout.h"
#include "vmm/vm.h"
#include "vmm/vm_devices.h"

/* ioram, testmem and the APIC-access page */
#define DEVICE_PAGES                                                           \
	(GUEST_IORAM_SIZE / PAGE_SIZE + GUEST_TESTMEM_SIZE / PAGE_SIZE + 1)
#define APIC_BASE_BSP	 BIT(8)
#define APIC_BASE_ENABLE BIT(11)
#define RFLAGS_IF	 BIT(9)

/* The platform's clock: the host TSC. The guest's TSC is it plus
 * tsc_offset; the devices count platform time, which a guest's TSC write
 * does not move. */
static u64 guest_tsc(void *ctx)
{
	(void)ctx;
	return rdtsc();
}

int vm_devices_init(struct vm *vm)
{
	if (mm_alloc_pages(DEVICE_PAGES, PAGE_SIZE, &vm->ioram))
		return -ENOMEM;
	vm->testmem = vm->ioram + GUEST_IORAM_SIZE;
	vm->apic_access = vm->testmem + GUEST_TESTMEM_SIZE;
	vlapic_init(&vm->lapic);
	vlapic_set_clock(&vm->lapic, guest_tsc, vm);
	/* LINT0 ExtINT and LINT1 NMI, as a BIOS leaves the BSP (virtual
	 * wire, MP spec 3.6.2.2): the PIC's interrupts reach the CPU. */
	*vlapic_reg(&vm->lapic, LAPIC_LVT_LINT0) = LAPIC_LVT_EXTINT;
	*vlapic_reg(&vm->lapic, LAPIC_LVT_LINT1) = LAPIC_LVT_NMI;
	pc_devices_init(&vm->pcdev, &vm->lapic, tsc_hz(), cmos_epoch(),
			guest_tsc, vm);
	vm->apic_base = LAPIC_BASE_DEFAULT | APIC_BASE_BSP | APIC_BASE_ENABLE;
	mmio_bus_init(&vm->bus);
	mmio_uart_init(&vm->dev_uart, GUEST_MMIO_UART, &vm->uart);
	mmio_ioram_init(&vm->dev_ioram, GUEST_MMIO_IORAM, phys_ptr(vm->ioram),
			GUEST_IORAM_SIZE);
	mmio_ioram_init(&vm->dev_testmem, GUEST_TESTMEM, phys_ptr(vm->testmem),
			GUEST_TESTMEM_SIZE);
	vm->dev_testmem.name = "testmem";
	mmio_lapic_init(&vm->dev_lapic, LAPIC_BASE_DEFAULT, &vm->lapic);
	mmio_ioapic_init(&vm->dev_ioapic, IOAPIC_BASE_DEFAULT,
			 &vm->pcdev.ioapic);
	if (mmio_register(&vm->bus, &vm->dev_uart) ||
	    mmio_register(&vm->bus, &vm->dev_ioram) ||
	    mmio_register(&vm->bus, &vm->dev_testmem) ||
	    mmio_register(&vm->bus, &vm->dev_lapic) ||
	    mmio_register(&vm->bus, &vm->dev_ioapic))
		panic("vm: fixed MMIO devices overlap");
	return 0;
}

void vm_devices_destroy(struct vm *vm)
{
	if (vm->ioram)
		mm_free_pages(vm->ioram, DEVICE_PAGES);
	vm->ioram = 0;
}

static void set_window(u32 ctl, bool on)
{
	u32 p = vmcs_read32(VMCS_PROC_CTLS);
	u32 want = on ? p | ctl : p & ~ctl;

	if (want != p)
		vmcs_write32(VMCS_PROC_CTLS, want);
}

static void set_intr_window(bool on)
{
	set_window(VMX_PROC_INTR_WINDOW, on);
}

#define BLOCK_STI_MOVSS 3
#define BLOCK_NMI	BIT(3)

/* The guest can take a maskable interrupt at this entry: RFLAGS.IF = 1,
 * no STI/MOV SS blocking, no other event being injected (SDM Vol 3C,
 * "Interrupt-Window Exiting"). */
static bool interrupt_window_open(void)
{
	return (vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & BLOCK_STI_MOVSS) &&
	       !(vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

/* The PIC's vector, taken with its INTA cycle when the guest can take an
 * interrupt now, else an interrupt-window exit (SDM Vol 3A 11.7: an
 * ExtINT bypasses the local APIC's priorities). */
static void inject_extint(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (!interrupt_window_open()) {
		set_intr_window(true);
		return;
	}
	vmcs_write32(VMCS_ENTRY_INTR_INFO,
		     (u32)pc_extint_ack(&vm->pcdev) | INTR_INFO_VALID |
			 (INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT));
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	vm->pc_intr = vpic_has_intr(&vm->pcdev.pic);
	set_intr_window(vm->pc_intr);
}

/* ---- the guest's UART and mica's console -------------------------------- */

#define IER_RDA BIT(0)

void vm_uart_input(struct vm *vm)
{
	int c;

	while (vuart_wants_input(&vm->uart) && (c = console_getc()) >= 0)
		(void)vuart_receive(&vm->uart, (u8)c);
}

/* An interrupt-driven receiver (IER's received-data bit and OUT2 set)
 * learns of input only through IRQ 4: poll the console for it every
 * millisecond, with the PIT's and RTC's events. A poll that finds nothing
 * new is the idle time after which the FIFO reports a character timeout. */
static void uart_poll(struct vm *vm, u64 now)
{
	u8 before = vm->uart.rx_count;

	console_poll(); /* and the output queued for the console moves on */
	vm_uart_input(vm);
	if (vm->uart.rx_count == before)
		vuart_rx_idle(&vm->uart);
	vm->uart_poll_at = now + tsc_hz() / 1000;
}

/* The UART's interrupt line to IRQ 4; true when it changed. */
static bool uart_line(struct vm *vm)
{
	bool line = vuart_irq_line(&vm->uart);

	if (likely(line == vm->uart_irq))
		return false;
	vm->uart_irq = line;
	pc_irq(&vm->pcdev, PC_IRQ_COM1, line);
	return true;
}

void vm_uart_update(struct vm *vm)
{
	bool poll = (vm->uart.ier & IER_RDA) && (vm->uart.mcr & UART_MCR_OUT2);
	bool changed = uart_line(vm);

	if (unlikely(poll != (vm->uart_poll_at != 0))) {
		vm->uart_poll_at = poll ? rdtsc() : 0;
		changed = true;
	}
	if (unlikely(changed))
		vm_devices_update(vm);
}

void vm_devices_update(struct vm *vm)
{
	u64 now;

	pc_devices_poll(&vm->pcdev);
	if (vm->uart_poll_at && (now = rdtsc()) >= vm->uart_poll_at) {
		uart_poll(vm, now);
		(void)uart_line(vm);
	}
	vm->pc_next = pc_devices_next(&vm->pcdev);
	if (vm->uart_poll_at &&
	    (!vm->pc_next || vm->uart_poll_at < vm->pc_next))
		vm->pc_next = vm->uart_poll_at;
	vm->pc_intr = vpic_has_intr(&vm->pcdev.pic);
}

/*
 * A pending NMI goes first (SDM Vol 3A 6.9: NMIs outrank maskable
 * interrupts). With virtual NMIs the CPU blocks further NMIs from the
 * injected one's delivery until the next IRET, and the NMI-window exit
 * comes when that blocking (and any STI/MOV SS shadow) ends (SDM Vol 3C
 * "Controls for NMI Exiting", "NMI-Window Exiting"). Returns true when an
 * event is now being injected.
 */
static bool inject_nmi(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool blocked;

	if (!vm->lapic.nmi_pending) {
		if (vm->nmi_window)
			set_window(VMX_PROC_NMI_WINDOW, vm->nmi_window = false);
		return false;
	}
	blocked = !vm->virtual_nmi ||
		  (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
		   (BLOCK_NMI | BLOCK_STI_MOVSS)) ||
		  (vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
	if (blocked) {
		if (vm->virtual_nmi && !vm->nmi_window)
			set_window(VMX_PROC_NMI_WINDOW, vm->nmi_window = true);
		return false;
	}
	vlapic_accept_nmi(&vm->lapic);
	vmcs_write32(VMCS_ENTRY_INTR_INFO,
		     X86_EXC_NMI | INTR_INFO_VALID |
			 (INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT));
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	set_window(VMX_PROC_NMI_WINDOW,
		   vm->nmi_window = vm->lapic.nmi_pending != 0);
	return true;
}

/*
 * With APIC virtualization the CPU delivers the local APIC's vectors
 * itself: mica hands it the requested and in-service vectors (RVI, SVI)
 * and the level-triggered ones whose EOI must exit, and injects only NMIs
 * and the PIC's ExtINT. A guest halted in the HLT state is woken for a
 * deliverable vector, which the CPU then delivers at entry (it evaluates
 * pending virtual interrupts there; docs/platforms.md: Bochs does not
 * wake a halted guest for one).
 */
static void inject_apicv(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vlapic *a = &vm->lapic;

	if (a->tmr_changed)
		for (unsigned i = 0; i < 4; i++)
			vmcs_write_raw(VMCS_EOI_EXIT_BITMAP0 + 2 * i,
				       vlapic_tmr_word(a, 2 * i) |
					   (u64)vlapic_tmr_word(a, 2 * i + 1)
					       << 32);
	if (a->irr_count != a->nmi_pending)
		vmcs_write16(VMCS_GUEST_INTR_STATUS, vlapic_hw_sync(a));
	if (unlikely(a->nmi_pending | vm->nmi_window) && inject_nmi(v))
		return;
	if (vlapic_pending(a) >= 0) {
		if (vmcs_read32(VMCS_GUEST_ACTIVITY_STATE) ==
			VMX_ACTIVITY_HLT &&
		    (vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_IF))
			vmcs_write32(VMCS_GUEST_ACTIVITY_STATE,
				     VMX_ACTIVITY_ACTIVE);
		return;
	}
	if (unlikely(vm->pc_intr) &&
	    pc_extint_pending(&vm->pcdev, vm->apic_base & APIC_BASE_ENABLE))
		inject_extint(v);
	else
		set_intr_window(false);
}

/*
 * Before VM entry: deliver the local APIC's highest pending vector if the
 * guest can take an interrupt now (RFLAGS.IF = 1, no STI/MOV SS blocking,
 * no other event being injected), else ask for an interrupt-window exit
 * (SDM Vol 3C, "Interrupt-Window Exiting").
 */
static void inject_emulated(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int vec;

	if (unlikely(vm->lapic.nmi_pending | vm->nmi_window) && inject_nmi(v)) {
		set_intr_window(vlapic_pending(&vm->lapic) >= 0);
		return;
	}
	vec = vlapic_pending(&vm->lapic);
	if (vec < 0 && unlikely(vm->pc_intr) &&
	    pc_extint_pending(&vm->pcdev, vm->apic_base & APIC_BASE_ENABLE)) {
		inject_extint(v);
		return;
	}
	if (vec < 0) {
		set_intr_window(false);
		return;
	}
	if (!interrupt_window_open()) {
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

void vm_inject_pending(struct vcpu *v)
{
	struct vm *vm = v->vm;
	u8 t;

	if (vm->apicv) {
		inject_apicv(v);
		return;
	}
	inject_emulated(v);
	/* The guest writes its TPR without an exit: one that lowers it
	 * below a vector held back must exit so the vector is delivered. */
	if (vm->tpr_shadow) {
		t = vm->lapic.irr_count ? vlapic_tpr_threshold(&vm->lapic) : 0;
		if (unlikely(t != vm->tpr_threshold))
			vmcs_write32(VMCS_TPR_THRESHOLD, vm->tpr_threshold = t);
	}
}

/*
 * The VMX-preemption timer counts TSC >> IA32_VMX_MISC[4:0], in the HLT
 * activity state too (SDM Vol 3C "VMX-Preemption Timer"). It carries the
 * VM's budget in chunks; while the guest's timer is armed the chunk is
 * cut to that deadline and the rest held in preempt_cut, so the exit
 * comes at the deadline and the budget still counts every tick.
 */
static void vm_timer_program(struct vm *vm)
{
	u64 left = vmcs_read32(VMCS_PREEMPTION_TIMER) + (u64)vm->preempt_cut;
	u64 dl = vm->lapic.timer_deadline, t, units;

	if (vm->pc_next && (!dl || vm->pc_next < dl))
		dl = vm->pc_next;

	vm->preempt_cut = 0;
	if (dl && vm->preempt_on) {
		t = rdtsc();
		units =
		    dl > t ? ((dl - t) >> (vmx_caps()->misc & 0x1f)) + 1 : 0;
		if (units < left) {
			vm->preempt_cut = (u32)(left - units);
			left = units;
		}
	}
	vmcs_write32(VMCS_PREEMPTION_TIMER, (u32)left);
}

bool vm_can_wait(struct vcpu *v)
{
	return v->vm->preempt_on &&
	       (vlapic_timer_can_wake(&v->vm->lapic) || v->vm->pc_next) &&
	       (vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       (vmx_caps()->misc & VMX_MISC_ACTIVITY_HLT);
}

/* The slow part of vm_before_entry(): the guest's timer is armed, or the
 * preemption timer is cut to a deadline that has just passed. */
static void timer_update(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vlapic_timer_tick(&vm->lapic);
	if (vm->pc_next | vm->pc_intr)
		vm_devices_update(vm);
	if (vm->lapic.timer_fires != vm->counted_fires) {
		vm->counters[CNT_TIMER_FIRES] +=
		    vm->lapic.timer_fires - vm->counted_fires;
		vm->counted_fires = vm->lapic.timer_fires;
	}
	if (vm->preempt_on)
		vm_timer_program(vm);
	vm_inject_pending(v);
	if (vmcs_read32(VMCS_GUEST_ACTIVITY_STATE) == VMX_ACTIVITY_HLT &&
	    !vm_interrupt_deliverable(v) && !vm_can_wait(v))
		vm_stop(vm,
			"guest halted at RIP 0x%lx and nothing can wake it "
			"(its timer expired masked or was disarmed)",
			vmcs_readl(VMCS_GUEST_RIP));
}

void vm_before_entry(struct vcpu *v)
{
	if (unlikely(v->vm->lapic.timer_deadline | v->vm->preempt_cut |
		     v->vm->pc_next | v->vm->pc_intr))
		timer_update(v);
	else
		vm_inject_pending(v);
}

bool vm_interrupt_deliverable(struct vcpu *v)
{
	struct vm *vm = v->vm;

	return vm->lapic.nmi_pending ||
	       ((vlapic_pending(&vm->lapic) >= 0 ||
		 (vm->pc_intr &&
		  pc_extint_pending(&vm->pcdev,
				    vm->apic_base & APIC_BASE_ENABLE))) &&
		(vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_IF));
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
