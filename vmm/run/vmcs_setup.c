/* SPDX-License-Identifier: MIT */
/*
 * Building a vCPU's VMCS: execution, exit and entry controls adjusted to
 * what the CPU allows (SDM Vol 3D A.3-A.5), the host-state area, and a
 * guest-state area valid for the VM's entry mode (SDM Vol 3C, "Checks on
 * the Guest State Area").
 */
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "mm/base/layout.h"
#include "mm/base/console.h"
#include "mm/base/errno.h"
#include "mm/mm.h"
#include "vmm/load/guest_layout.h"
#include "vmm/vm.h"
#include "vmm/run/vmcs_setup.h"
#include "vmm/exit/exit.h"

#define AR_CODE64	(0xb | VMX_AR_S | VMX_AR_P | VMX_AR_L | VMX_AR_G)
#define AR_CODE32	(0xb | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_DATA32	(0x3 | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define AR_CODE16	(0xb | VMX_AR_S | VMX_AR_P)
#define AR_DATA16	(0x3 | VMX_AR_S | VMX_AR_P)
#define AR_TSS_BUSY	(0xb | VMX_AR_P)
#define AR_LDT_UNUSABLE VMX_AR_UNUSABLE
#define RFLAGS_FIXED	BIT(1)
#define EPTP_WB		6
#define EPTP_WALK4	(3 << 3)
#define PAT_DEFAULT	0x0007040600070406ULL

/* (want | must1) & may1; *missing gets the wanted bits the CPU lacks. */
static u32 adjust(u32 want, const struct vmx_ctl_caps *c, u32 *missing)
{
	*missing = want & ~c->may1;
	return (want | c->must1) & c->may1;
}

/*
 * APIC virtualization (SDM Vol 3C "APIC Virtualization and Virtual
 * Interrupts"), on two levels. With TPR shadow and APIC-access
 * virtualization (apicv=access, or a CPU that has no more) the lapic
 * model's page is the virtual-APIC page for the TPR alone: TPR and CR8
 * accesses take no exit, every other access to the APIC page is an
 * APIC-access exit, and a TPR lowered below the TPR threshold exits.
 * With APIC-register virtualization and virtual-interrupt delivery too
 * (apicv=auto on a CPU that has them) register reads, EOIs of
 * edge-triggered vectors, self-IPIs by shorthand and the delivery of
 * pending vectors take no exit either. The APIC-access page is what the
 * EPT maps at the APIC's address; its contents are never used.
 */
static void setup_apicv(struct vm *vm, u32 pin, u32 *proc, u32 *proc2)
{
	const struct vmx_caps *c = vmx_caps();
	const u32 full2 = VMX_PROC2_APIC_REG_VIRT | VMX_PROC2_VINTR_DELIVERY;
	const u32 cr8 = VMX_PROC_CR8_LOAD_EXIT | VMX_PROC_CR8_STORE_EXIT;

	vm->tpr_shadow = vm->cfg.apicv != VM_APICV_OFF &&
			 (c->proc.may1 & VMX_PROC_TPR_SHADOW) &&
			 !(c->proc.must1 & cr8) &&
			 (c->proc2.may1 & VMX_PROC2_VIRT_APIC);
	if (!vm->tpr_shadow)
		return;
	/* Virtual-interrupt delivery needs external-interrupt exiting. */
	vm->apicv = vm->cfg.apicv == VM_APICV_AUTO &&
		    (pin & VMX_PIN_EXT_INTR_EXIT) &&
		    (c->proc2.may1 & full2) == full2;
	*proc = (*proc | VMX_PROC_TPR_SHADOW) & ~cr8;
	*proc2 |= VMX_PROC2_VIRT_APIC | (vm->apicv ? full2 : 0);
	vlapic_set_hw(&vm->lapic, vm->apicv);
	vmcs_write64(VMCS_VIRTUAL_APIC_ADDR, host_virt_to_phys(vm->lapic.regs));
	vmcs_write64(VMCS_APIC_ACCESS_ADDR, vm->apic_access);
	vmcs_write32(VMCS_TPR_THRESHOLD, vm->tpr_threshold = 0);
	if (vm->apicv) {
		vmcs_write16(VMCS_GUEST_INTR_STATUS, 0);
		for (unsigned i = 0; i < 4; i++)
			vmcs_write_raw(VMCS_EOI_EXIT_BITMAP0 + 2 * i, 0);
	}
	ept_set_fixed_page(&vm->mem.ept, VM_FIXED_APIC_ACCESS,
			   gpa_to_gfn(LAPIC_BASE_DEFAULT), vm->apic_access,
			   true);
	/* Mapped now, as every guest that uses its APIC would map it: the
	 * tables above it then stay, and MMIO entries next to it cost no
	 * table page. Out of table pages, the first access maps it. */
	if (vm_ept_violation(&vm->mem, LAPIC_BASE_DEFAULT, EPT_ACC_READ) < 0)
		printk("vm: APIC-access page left to its first access\n");
}

_Static_assert(VM_FIXED_IDMAP < EPT_FIXED_MAX, "a fixed page per use");

/* 32-bit paging PDE: present, writable, user, accessed, dirty, 4 MByte */
#define IDMAP_PDE 0xe7u

/*
 * The identity page table of guests with CR0.PG = 0 on a CPU without
 * unrestricted guest (cr_sync_paging): one 32-bit page directory of
 * 4-MByte pages covering 4 GiB, A and D already set so that the CPU never
 * writes it. Every VM maps the same page read-only at VM_IDMAP_GPA;
 * allocated the first time one needs it, then kept. 0: out of memory.
 */
static hpa_t idmap_page(void)
{
	static hpa_t pa;
	u32 *pde;

	if (pa || mm_alloc_pages(1, PAGE_SIZE, &pa))
		return pa;
	pde = phys_ptr(pa);
	for (u32 i = 0; i < PAGE_SIZE / sizeof(*pde); i++)
		pde[i] = (i << 22) | IDMAP_PDE;
	return pa;
}

/* Without unrestricted guest: real mode cannot run (mica does not
 * emulate it), protected mode without paging runs on the identity table. */
static int setup_no_unrestricted(struct vm *vm)
{
	hpa_t pa;

	if (vm->cfg.mode == VM_MODE_REAL) {
		vm_stop(vm, "real mode (mode=real) needs unrestricted guest, "
			    "which this CPU lacks");
		return -ENODEV;
	}
	pa = idmap_page();
	if (!pa) {
		vm_stop(vm, "no host page for the identity page table");
		return -ENOMEM;
	}
	ept_set_fixed_page(&vm->mem.ept, VM_FIXED_IDMAP,
			   gpa_to_gfn(VM_IDMAP_GPA), pa, false);
	return 0;
}

static int setup_controls(struct vm *vm)
{
	const struct vmx_caps *c = vmx_caps();
	u32 miss, pin, proc, proc2, exit, entry;
	u32 pin_want = VMX_PIN_EXT_INTR_EXIT | VMX_PIN_NMI_EXIT;
	u32 proc2_want = VMX_PROC2_EPT | VMX_PROC2_VPID |
			 VMX_PROC2_UNRESTRICTED | VMX_PROC2_WBINVD_EXIT;

	/* The budget and the guest's timers need the timer value saved
	 * across exits. */
	if (vmx_has_preemption_timer() &&
	    (c->exit.may1 & VMX_EXIT_SAVE_PREEMPT))
		pin_want |= VMX_PIN_PREEMPT_TIMER;
	/* Virtual NMIs: the CPU blocks NMIs from an injected one until IRET
	 * and reports when the block ends (NMI-window exiting). */
	if ((c->pin.may1 & VMX_PIN_VIRTUAL_NMI) &&
	    (c->proc.may1 & VMX_PROC_NMI_WINDOW))
		pin_want |= VMX_PIN_VIRTUAL_NMI;
	pin = adjust(pin_want, &c->pin, &miss);
	vm->virtual_nmi = pin & VMX_PIN_VIRTUAL_NMI;
	proc = adjust(VMX_PROC_HLT_EXIT | VMX_PROC_UNCOND_IO_EXIT |
			  VMX_PROC_RDPMC_EXIT | VMX_PROC_TSC_OFFSET |
			  VMX_PROC_CR8_LOAD_EXIT | VMX_PROC_CR8_STORE_EXIT |
			  VMX_PROC_SECONDARY,
		      &c->proc, &miss);
	if (miss & VMX_PROC_SECONDARY) {
		vm_stop(vm, "this CPU has no secondary controls (EPT, VPID)");
		return -ENODEV;
	}
	/* No CR3 exits: guests own CR3 under EPT (TRUE controls allow it). */
	proc &=
	    ~(VMX_PROC_CR3_LOAD_EXIT | VMX_PROC_CR3_STORE_EXIT) | c->proc.must1;
	/* Instructions that are #UD in the guest unless their control is set
	 * (SDM Vol 3C "Changes to Instruction Behavior in VMX Non-Root
	 * Operation"); CPUID hides each one left clear (vmm/exit/exit_cpuid.c).
	 * XSAVES/XRSTORS and WAITPKG stay off: mica does not switch IA32_XSS
	 * or virtualize UMWAIT's TSC deadline. */
	proc2_want |= c->proc2.may1 & (VMX_PROC2_RDTSCP | VMX_PROC2_INVPCID);
	proc2 = adjust(proc2_want, &c->proc2, &miss);
	if (miss & (VMX_PROC2_EPT | VMX_PROC2_VPID)) {
		vm_stop(vm, "this CPU lacks EPT or VPID");
		return -ENODEV;
	}
	if (!(proc2 & VMX_PROC2_UNRESTRICTED)) {
		int rc = setup_no_unrestricted(vm);

		if (rc)
			return rc;
	}
	setup_apicv(vm, pin, &proc, &proc2);
	/* Without unrestricted guest mica owns CR0.PG and so every change
	 * of EFER.LMA: the CPU's EFER is not saved, see cr_sync_paging. */
	/* DR7 and IA32_DEBUGCTL are the guest's in the VMCS: saved at every
	 * exit, loaded at every entry (an exit sets DR7 to 0x400). */
	exit = adjust(
	    VMX_EXIT_HOST_LONG_MODE | VMX_EXIT_ACK_INTR | VMX_EXIT_SAVE_DEBUG |
		((proc2 & VMX_PROC2_UNRESTRICTED) ? VMX_EXIT_SAVE_EFER : 0) |
		VMX_EXIT_LOAD_EFER | VMX_EXIT_SAVE_PAT | VMX_EXIT_LOAD_PAT |
		((pin & VMX_PIN_PREEMPT_TIMER) ? VMX_EXIT_SAVE_PREEMPT : 0),
	    &c->exit, &miss);
	entry = adjust(
	    VMX_ENTRY_LOAD_DEBUG | VMX_ENTRY_LOAD_EFER | VMX_ENTRY_LOAD_PAT |
		(vm->cfg.mode == VM_MODE_LONG64 ? VMX_ENTRY_IA32E_GUEST : 0),
	    &c->entry, &miss);
	vmcs_write32(VMCS_PIN_CTLS, pin);
	vmcs_write32(VMCS_PROC_CTLS, proc);
	vmcs_write32(VMCS_PROC_CTLS2, proc2);
	vmcs_write64(VMCS_TSC_OFFSET, vm->tsc_offset); /* guest TSC = host's */
	vm->proc2 = proc2;
	vm_cpu_init(vm);
	vmcs_write32(VMCS_EXIT_CTLS, exit);
	vmcs_write32(VMCS_ENTRY_CTLS, entry);
	/* #DB as KVM: no debug exception loops inside the guest unseen
	 * (vmm/exit/exit_misc.c handle_db). */
	vmcs_write32(VMCS_EXCEPTION_BITMAP, BIT(X86_EXC_UD) | BIT(X86_EXC_DB));
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write64(VMCS_EPT_POINTER, vm->eptp);
	vmcs_write16(VMCS_VPID, vm->vcpu.vpid);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	return 0;
}

static void setup_host_state(void)
{
	vmcs_writel(VMCS_HOST_CR0, read_cr0());
	vmcs_writel(VMCS_HOST_CR3, read_cr3());
	vmcs_writel(VMCS_HOST_CR4, read_cr4());
	vmcs_write16(VMCS_HOST_CS_SEL, GDT_SEL_CODE64);
	vmcs_write16(VMCS_HOST_SS_SEL, GDT_SEL_DATA);
	vmcs_write16(VMCS_HOST_DS_SEL, GDT_SEL_DATA);
	vmcs_write16(VMCS_HOST_ES_SEL, GDT_SEL_DATA);
	vmcs_write16(VMCS_HOST_FS_SEL, 0);
	vmcs_write16(VMCS_HOST_GS_SEL, 0);
	vmcs_write16(VMCS_HOST_TR_SEL, GDT_SEL_TSS);
	vmcs_writel(VMCS_HOST_FS_BASE, 0);
	vmcs_writel(VMCS_HOST_GS_BASE, 0);
	vmcs_writel(VMCS_HOST_TR_BASE, desc_tss_base());
	vmcs_writel(VMCS_HOST_GDTR_BASE, desc_gdt_base());
	vmcs_writel(VMCS_HOST_IDTR_BASE, desc_idt_base());
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_writel(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_writel(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write64(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_writel(VMCS_HOST_RIP, (u64)vmx_exit_entry);
}

struct seg_init {
	u16 sel;
	u64 base;
	u32 limit, ar;
};

static void write_segments(const struct seg_init *cs, const struct seg_init *ds)
{
	static const u32 sel[] = {VMCS_GUEST_ES_SEL, VMCS_GUEST_SS_SEL,
				  VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL,
				  VMCS_GUEST_GS_SEL};
	/* Each data segment's fields sit at the same offset from ES's. */
	for (unsigned i = 0; i < ARRAY_SIZE(sel); i++) {
		u32 off = sel[i] - VMCS_GUEST_ES_SEL;

		vmcs_write_raw(VMCS_GUEST_ES_SEL + off, ds->sel);
		vmcs_write_raw(VMCS_GUEST_ES_BASE + off, ds->base);
		vmcs_write_raw(VMCS_GUEST_ES_LIMIT + off, ds->limit);
		vmcs_write_raw(VMCS_GUEST_ES_AR + off, ds->ar);
	}
	vmcs_write16(VMCS_GUEST_CS_SEL, cs->sel);
	vmcs_writel(VMCS_GUEST_CS_BASE, cs->base);
	vmcs_write32(VMCS_GUEST_CS_LIMIT, cs->limit);
	vmcs_write32(VMCS_GUEST_CS_AR, cs->ar);
}

/* CR0/CR4 bits the host owns: fixed by VMX or absent from the guest's
 * CPU (vmm/cpu/cpuid_model.c), shown to the guest through the
 * read shadows. Unrestricted guests may run with PE and PG clear; other
 * guests' CR4 paging bits are mica's too (cr_sync_paging). */
static void setup_cr_masks(struct vm *vm, u64 cr0, u64 cr4)
{
	const struct vmx_caps *c = vmx_caps();
	u64 fixed0 = c->cr0_fixed0;

	if (vmx_has_unrestricted_guest())
		fixed0 &= ~(CR0_PE | CR0_PG);
	vm->vcpu.cr0_mask = (fixed0 | ~c->cr0_fixed1) & 0xffffffffULL;
	/* and every CR4 bit of a feature the guest's CPUID does not have */
	vm->vcpu.cr4_mask =
	    c->cr4_fixed0 | ~(c->cr4_fixed1 & vm->cpu.cr4) | cr4_idmap_owned();
	vmcs_writel(VMCS_CR0_MASK, vm->vcpu.cr0_mask);
	vmcs_writel(VMCS_CR4_MASK, vm->vcpu.cr4_mask);
	vmcs_writel(VMCS_CR0_SHADOW, cr0);
	vmcs_writel(VMCS_CR4_SHADOW, cr4);
	vmcs_writel(VMCS_GUEST_CR0, (cr0 | fixed0) & c->cr0_fixed1);
	vmcs_writel(VMCS_GUEST_CR4, (cr4 | c->cr4_fixed0) & c->cr4_fixed1);
}

/* Entry state of the VM's mode, with the stack and page tables where
 * guest_boot_setup placed them (vm->layout). */
static void setup_guest_mode(struct vm *vm, gpa_t entry)
{
	const struct guest_layout *l = &vm->layout;
	struct seg_init cs, ds;
	u64 cr0, cr4 = 0, efer = 0;

	switch (vm->cfg.mode) {
	case VM_MODE_LONG64:
		cs = (struct seg_init){GUEST_SEL_CODE64, 0, 0xffffffff,
				       AR_CODE64};
		ds =
		    (struct seg_init){GUEST_SEL_DATA, 0, 0xffffffff, AR_DATA32};
		cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		cr4 = CR4_PAE;
		efer = EFER_LME | EFER_LMA | EFER_NXE;
		vmcs_writel(VMCS_GUEST_CR3, l->pml4);
		vmcs_writel(VMCS_GUEST_RSP, l->stack_top);
		break;
	case VM_MODE_PROT32:
		cs = (struct seg_init){GUEST_SEL_CODE32, 0, 0xffffffff,
				       AR_CODE32};
		ds =
		    (struct seg_init){GUEST_SEL_DATA, 0, 0xffffffff, AR_DATA32};
		cr0 = CR0_PE | CR0_ET;
		vmcs_writel(VMCS_GUEST_CR3, 0);
		vmcs_writel(VMCS_GUEST_RSP, l->stack_top);
		break;
	default: /* real mode: CS:IP = (entry >> 4):(entry & 15) */
		cs = (struct seg_init){(u16)(entry >> 4), entry & ~0xfULL,
				       0xffff, AR_CODE16};
		ds = (struct seg_init){0, 0, 0xffff, AR_DATA16};
		entry &= 0xf;
		cr0 = CR0_ET;
		vmcs_writel(VMCS_GUEST_CR3, 0);
		vmcs_writel(VMCS_GUEST_RSP, l->real_sp);
		break;
	}
	write_segments(&cs, &ds);
	if (vm->cfg.mode == VM_MODE_REAL) {
		vmcs_write16(VMCS_GUEST_SS_SEL, l->real_ss);
		vmcs_writel(VMCS_GUEST_SS_BASE, (u64)l->real_ss << 4);
	}
	setup_cr_masks(vm, cr0, cr4);
	vmcs_write64(VMCS_GUEST_EFER, efer);
	vmcs_writel(VMCS_GUEST_RIP, entry);
	cr_sync_paging(&vm->vcpu);
}

static void setup_guest_common(const struct guest_layout *l)
{
	vmcs_write16(VMCS_GUEST_LDTR_SEL, 0);
	vmcs_write32(VMCS_GUEST_LDTR_AR, AR_LDT_UNUSABLE);
	vmcs_writel(VMCS_GUEST_LDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_LDTR_LIMIT, 0);
	vmcs_write16(VMCS_GUEST_TR_SEL, GUEST_SEL_TSS);
	vmcs_writel(VMCS_GUEST_TR_BASE, l->tss);
	vmcs_write32(VMCS_GUEST_TR_LIMIT, 0x67);
	vmcs_write32(VMCS_GUEST_TR_AR, AR_TSS_BUSY);
	vmcs_writel(VMCS_GUEST_GDTR_BASE, l->gdt);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 5 * 8 + 8 - 1);
	vmcs_writel(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writel(VMCS_GUEST_DR7, 0x400);
	vmcs_writel(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_writel(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write64(VMCS_GUEST_PAT, PAT_DEFAULT);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
}

/* Test-only: damage the guest state so VM entry must fail (option broken=). */
static void apply_broken(enum vm_broken b)
{
	switch (b) {
	case VM_BROKEN_CR0_PE_PG:
		vmcs_writel(VMCS_GUEST_CR0,
			    (vmcs_readl(VMCS_GUEST_CR0) | CR0_PG) & ~CR0_PE);
		break;
	case VM_BROKEN_CS_L_DB:
		vmcs_write32(VMCS_GUEST_CS_AR, AR_CODE64 | VMX_AR_DB);
		break;
	case VM_BROKEN_RFLAGS:
		vmcs_writel(VMCS_GUEST_RFLAGS, 0);
		break;
	default:
		break;
	}
}

int vmcs_setup(struct vm *vm, gpa_t entry)
{
	struct vcpu *v = &vm->vcpu;
	int rc;

	*(u32 *)v->vmcs = vmx_revision_id();
	rc = vmclear(v->vmcs_pa);
	if (!rc)
		rc = vmptrld(v->vmcs_pa);
	if (rc) {
		vmx_report_failure("vmclear/vmptrld", rc);
		return -EIO;
	}
	rc = setup_controls(vm); /* the VM is stopped with the reason */
	if (rc)
		return rc;
	setup_host_state();
	setup_guest_common(&vm->layout);
	setup_guest_mode(vm, entry);
	apply_broken(vm->cfg.broken);
	return 0;
}

int vmcs_load(struct vm *vm)
{
	int rc = vmptrld(vm->vcpu.vmcs_pa);

	if (rc)
		vmx_report_failure("vmptrld", rc);
	return rc ? -EIO : 0;
}
