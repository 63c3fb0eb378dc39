/* SPDX-License-Identifier: MIT */
/*
 * The exits of APIC virtualization (SDM Vol 3C "APIC Virtualization and
 * Virtual Interrupts"; docs/design.md): an access to the local APIC page
 * that the CPU does not virtualize (APIC-access, fault-like: emulated as
 * MMIO, an EOI retired at once), a TPR write below the TPR threshold
 * (trap-like: a held-back vector may now be delivered), a virtualized
 * write that needs the model (APIC-write, trap-like:
 * the CPU has stored the value in the virtual-APIC page), and the EOI of a
 * vector in the EOI-exit bitmap (trap-like: the CPU has retired it).
 */
#include "arch/x86/vmcs.h"
#include "vmm/access/mmio_emulate.h"
#include "vmm/exit/exit.h"
#include "vmm/vm.h"

/* APIC-access exit qualification (SDM Vol 3C, Table "Exit Qualification
 * for APIC-Access VM Exits"): bits 11:0 the page offset, 15:12 the kind. */
#define APIC_QUAL_OFFSET(q) ((q)&0xfff)
#define APIC_QUAL_TYPE(q)   (((q) >> 12) & 0xf)
#define APIC_ACCESS_READ    0
#define APIC_ACCESS_WRITE   1
#define APIC_ACCESS_FETCH   2

void handle_apic_access(struct vcpu *v)
{
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	struct mmio_fault f = {.gpa = LAPIC_BASE_DEFAULT + APIC_QUAL_OFFSET(q)};

	v->vm->counters[CNT_EXIT_APIC]++;
	switch (APIC_QUAL_TYPE(q)) {
	case APIC_ACCESS_WRITE:
		/* An EOI (here only without virtual-interrupt delivery) needs
		 * no decoding: the value written is ignored, and the exit
		 * gives the instruction's length (SDM Vol 3C "Information for
		 * VM Exits Due to Instruction Execution"). A REP string store
		 * to EOI retires one vector for all its iterations. */
		if (APIC_QUAL_OFFSET(q) == LAPIC_EOI) {
			vlapic_write(&v->vm->lapic, LAPIC_EOI, 0);
			vcpu_skip_insn(v);
			return;
		}
		mmio_emulate(v, &f);
		return;
	case APIC_ACCESS_READ:
		mmio_emulate(v, &f);
		return;
	case APIC_ACCESS_FETCH:
		vm_stop(v->vm,
			"instruction fetch from the local APIC page at RIP "
			"0x%lx",
			v->rip);
		return;
	default: /* during event delivery, or a guest-physical access */
		vm_stop(v->vm,
			"the CPU reached the local APIC page at offset 0x%lx "
			"while delivering an event or walking the guest's "
			"page tables (access kind %lu), at RIP 0x%lx",
			APIC_QUAL_OFFSET(q), APIC_QUAL_TYPE(q), v->rip);
		return;
	}
}

/* The qualification is the offset written (its low bits name a narrower
 * write, which the CPU has merged into the register's bytes). */
void handle_apic_write(struct vcpu *v)
{
	u32 off = (u32)vmcs_readl(VMCS_EXIT_QUALIFICATION) & 0xff0;
	struct vlapic *a = &v->vm->lapic;

	v->vm->counters[CNT_EXIT_APIC]++;
	vlapic_write(a, off, *vlapic_reg(a, off));
}

void handle_eoi_induced(struct vcpu *v)
{
	v->vm->counters[CNT_EXIT_APIC]++;
	vlapic_eoi_exit(&v->vm->lapic, (u8)vmcs_readl(VMCS_EXIT_QUALIFICATION));
}

/* The guest lowered its TPR below the threshold: the vector it held back
 * is injected before the next entry (vm_inject_pending). */
void handle_tpr_below(struct vcpu *v)
{
	v->vm->counters[CNT_EXIT_APIC]++;
}
