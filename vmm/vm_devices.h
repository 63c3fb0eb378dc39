/* SPDX-License-Identifier: MIT */
/* The emulated devices of a VM and interrupt delivery (vmm/vm_devices.c). */
#ifndef MICA_VMM_VM_DEVICES_H
#define MICA_VMM_VM_DEVICES_H

#include "mm/base/types.h"

struct vm;
struct vcpu;

/* Create the VM's devices and register the MMIO ones. 0 or -ENOMEM. */
int vm_devices_init(struct vm *vm) __must_check;
void vm_devices_destroy(struct vm *vm);

/* Inject the local APIC's pending interrupt if the guest can take it now,
 * else request an interrupt-window exit. */
void vm_inject_pending(struct vcpu *v);

/* Before a VM entry when an interrupt is pending or the guest's timer is
 * armed: expire the timer if due, aim the VMX-preemption timer at its
 * next deadline, inject what is pending, and stop a halted guest nothing
 * can wake. */
void vm_before_entry(struct vcpu *v);

/* After the guest wrote to a PC device's port, or before an entry: raise
 * the IRQs the PIT and the RTC produced, note when they next will and
 * whether the PIC now interrupts. */
void vm_devices_update(struct vm *vm);

/* Before the guest reads its UART: bytes typed on mica's console move
 * into its receive FIFO while it has room. */
void vm_uart_input(struct vm *vm);

/* After an access to the guest's UART: its interrupt line to IRQ 4, and
 * the console polled every millisecond while the guest waits for received
 * data by interrupt. Cheap when nothing changed. */
void vm_uart_update(struct vm *vm);

/* HLT with RFLAGS.IF = 1 can wait in the HLT activity state: an armed,
 * unmasked timer will wake it. */
bool vm_can_wait(struct vcpu *v);

/* A pending interrupt the guest would take with its current RFLAGS.IF. */
bool vm_interrupt_deliverable(struct vcpu *v);

/* WRMSR IA32_APIC_BASE; -EINVAL for a change mica does not support. */
int vm_write_apic_base(struct vm *vm, u64 val) __must_check;

#endif /* MICA_VMM_VM_DEVICES_H */
