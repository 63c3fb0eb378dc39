/* SPDX-License-Identifier: MIT */
/*
 * The EPT exits: a violation or misconfiguration is either fixed from the
 * memslots (a first touch, a dirty-logging write, a reclaimed entry) or
 * handed to MMIO emulation; an SPP miss rebuilds the sub-page table
 * (docs/memslots.md, docs/spp.md).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "mm/base/errno.h"
#include "vmm/access/mmio_emulate.h"
#include "vmm/exit/exit.h"
#include "vmm/mem/vm_ram.h"
#include "vmm/mem/vm_spp.h"
#include "vmm/vm.h"

__cold static void stop_mem_error(struct vcpu *v, const char *what, gpa_t gpa,
				  int rc)
{
	vm_stop(v->vm, "%s at GPA 0x%lx (RIP 0x%lx): %s", what, gpa, v->rip,
		rc == -ENOMEM	? "out of EPT table pages"
		: rc == -EFAULT ? "beyond the EPT's reach"
				: "hypervisor bug: not an entry mica made");
}

/*
 * An access that memory does not satisfy, made by the CPU while delivering
 * an event (IDT-vectoring information valid, SDM Vol 3C "Information for
 * VM Exits During Event Delivery"): the IDT, GDT/LDT, TSS or stack the
 * delivery uses is not RAM. There is no instruction to emulate, and
 * re-entering would fault again forever: stop with a diagnostic.
 */
static bool stop_if_delivery(struct vcpu *v, gpa_t gpa)
{
	u32 info = vmcs_read32(VMCS_IDT_VECTORING_INFO);

	if (likely(!(info & BIT(31))))
		return false;
	vm_stop(v->vm,
		"delivery of vector %u reached GPA 0x%lx, which is not RAM "
		"(descriptor table or stack outside RAM), at RIP 0x%lx",
		info & 0xff, gpa, v->rip);
	return true;
}

void handle_ept_violation(struct vcpu *v)
{
	u64 q = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	gpa_t gpa = vmcs_read64(VMCS_GUEST_PHYS_ADDR);
	/* Qualification bits 2:0 are read, write, fetch (SDM Vol 3C, Table
	 * "Exit Qualification for EPT Violations"), as EPT_ACC_*. */
	const u64 wp = EPT_QUAL_WRITE | EPT_QUAL_READABLE;
	u64 gen = memslot_generation(&v->vm->slots);
	struct mmio_fault f = {.gpa = gpa, .qual = q};
	int rc;

	/*
	 * A write to a present, read-only page that was emulated last time is
	 * emulated again without the EPT walk while the memslots and the EPT
	 * permissions (ept_seq) are the same: the walk would decide the same,
	 * and emulation applies every rule itself (read-only slots, sub-page
	 * protection, dirty logging).
	 */
	if ((q & (wp | EPT_QUAL_WRITABLE)) == wp &&
	    (gpa & PAGE_MASK) == v->wp_page && gen == v->wp_page_gen &&
	    v->vm->ept_seq == v->wp_page_seq) {
		rc = EPT_FAULT_MMIO;
	} else {
		u64 reclaims = v->vm->mem.reclaims, t0 = rdtsc();

		rc = vm_ept_violation(&v->vm->mem, gpa, (u32)(q & 7));
		/* A reclaim walks the whole EPT: the guest pays for it. */
		if (unlikely(v->vm->mem.reclaims != reclaims))
			vm_charge_host_time(v->vm, rdtsc() - t0);
		if (rc == EPT_FAULT_MMIO &&
		    (q & (wp | EPT_QUAL_WRITABLE)) == wp) {
			v->wp_page = gpa & PAGE_MASK;
			v->wp_page_gen = gen;
			v->wp_page_seq = v->vm->ept_seq;
		}
	}

	v->vm->counters[CNT_EXIT_EPT_VIOLATION]++;
	/* The faulting access was an IRET's that had just ended virtual-NMI
	 * blocking: the IRET will run again, so the blocking stands until
	 * then (SDM Vol 3C "Exit Qualification for EPT Violations", bit 12;
	 * "Resuming Guest Software after Handling an Exception"). */
	if (unlikely(q & EPT_QUAL_NMI_UNBLOCK) &&
	    !(vmcs_read32(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
			     vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) | BIT(3));
	if (rc == EPT_FAULT_FIXED || rc == EPT_FAULT_RETRY) {
		vcpu_redeliver(v); /* e.g. the stack of an injected interrupt */
		return;
	}
	if (rc != EPT_FAULT_MMIO) {
		stop_mem_error(v, "EPT violation", gpa, rc);
		return;
	}
	if (q & EPT_QUAL_FETCH) {
		vm_stop(v->vm,
			"instruction fetch from MMIO GPA 0x%lx at RIP "
			"0x%lx",
			gpa, v->rip);
		return;
	}
	if (stop_if_delivery(v, gpa))
		return;
	if (q & EPT_QUAL_GLA_VALID) {
		f.gla_valid = true;
		f.gla = vmcs_readl(VMCS_GUEST_LINEAR_ADDR);
	}
	mmio_emulate(v, &f);
}

void handle_ept_misconfig(struct vcpu *v)
{
	gpa_t gpa = vmcs_read64(VMCS_GUEST_PHYS_ADDR);
	struct mmio_fault f = {.gpa = gpa};
	u64 gen = memslot_generation(&v->vm->slots);
	int rc;

	v->vm->counters[CNT_EXIT_EPT_MISCONFIG]++;
	/* Only mica's MMIO entries are misconfigured, and one found current
	 * in this memslot generation stays so until the generation changes:
	 * a repeated exit on that page needs no EPT walk. */
	if ((gpa & PAGE_MASK) != v->mmio_page || gen != v->mmio_page_gen) {
		rc = vm_ept_misconfig(&v->vm->mem, gpa);
		if (rc == EPT_FAULT_RETRY) {
			vcpu_redeliver(v);
			return;
		}
		if (rc != EPT_FAULT_MMIO) {
			stop_mem_error(v, "EPT misconfiguration", gpa, rc);
			return;
		}
		v->mmio_page = gpa & PAGE_MASK;
		v->mmio_page_gen = gen;
	}
	if (stop_if_delivery(v, gpa))
		return;
	mmio_emulate(v, &f);
}

void handle_spp(struct vcpu *v)
{
	struct vm *vm = v->vm;
	gpa_t gpa = vmcs_read64(VMCS_GUEST_PHYS_ADDR);
	int rc;

	v->exit_qual = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	vm->counters[CNT_EXIT_SPP]++;
	if (!vm->spp.hw || !(v->exit_qual & SPP_QUAL_MISS)) {
		vm_stop(vm,
			"hypervisor bug: SPPT misconfiguration at GPA 0x%lx "
			"(qualification 0x%lx, RIP 0x%lx)",
			gpa, v->exit_qual, v->rip);
		return;
	}
	rc = vm_spp_miss(vm, gpa);
	if (rc) {
		vm_stop(vm, "SPP miss at GPA 0x%lx: out of SPPT pages (%d)",
			gpa, rc);
		return;
	}
	vcpu_redeliver(v);
}
