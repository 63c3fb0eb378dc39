/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: its configuration (from a module command line), its
 * memory pool, EPT, one vCPU, its emulated devices, and how it ended.
 */
#ifndef MICA_VMM_VM_H
#define MICA_VMM_VM_H

#include "vmm/dev/pc_devices.h"
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vuart.h"
#include "vmm/load/guest_layout.h"
#include "vmm/cpu/cpuid_model.h"
#include "vmm/cpu/msr_model.h"
#include "mm/pt/pt_pool.h"
#include "mm/memslot/memslot.h"
#include "vmm/dev/mmio_bus.h"
#include "ept/ept_spp.h"
#include "ept/vm_memory.h"
#include "mm/base/types.h"
#include "vmm/hypercall_abi.h"
#include "vmm/vcpu.h"
#include "vmm/load/vm_config.h"

enum vm_state {
	VM_RUNNING,
	VM_DONE,    /* the guest ended itself (exit hypercall, debug port) */
	VM_STOPPED, /* mica stopped it: fault, budget, unsupported, ... */
};

/* The fixed pages of a VM's EPT (ept_set_fixed_page). */
enum vm_fixed_page {
	VM_FIXED_APIC_ACCESS, /* the APIC-access page at the APIC's address */
	VM_FIXED_IDMAP,	      /* without unrestricted guest: the identity
			       * page table a guest with CR0.PG = 0 runs on */
};

/* Where the identity page table sits, guest-physical (below 4 GiB for a
 * 32-bit CR3, clear of RAM and the devices; KVM's default too). */
#define VM_IDMAP_GPA 0xfeffc000ULL

/* Sub-page write protection state (vmm/mem/vm_spp.c, docs/spp.md). */
struct vm_spp {
	bool enabled;
	bool hw; /* the CPU checks the SPPT (else: software path) */
	struct spp_table sppt;
	struct pt_pool pool; /* SPPT table pages, allocated at enable */
	hpa_t pool_pa;
	u64 pool_pages;
	u64 logged; /* denied writes logged (rate limit) */
};

struct vm {
	struct vm_config cfg;
	unsigned id;
	hpa_t pool; /* host frames backing guest RAM */
	u64 pool_pages;
	u64 eptp;
	/* bumped by every INVEPT and every change of sub-page maps: EPT
	 * permissions may have changed (vmm/exit/exit_ept.c) */
	u64 ept_seq;
	struct memslot_table slots;
	struct vm_memory mem;
	struct pt_pool ept_pool; /* EPT table pages, allocated with the VM */
	hpa_t ept_pool_pa;
	u64 ept_pool_pages;
	hpa_t slot_storage;
	u64 slot_storage_pages;
	bool mem_ready;
	struct vm_spp spp;
	struct vcpu vcpu;
	struct vuart uart;
	struct mmio_bus bus;
	struct mmio_dev dev_uart, dev_ioram, dev_lapic, dev_testmem, dev_ioapic;
	hpa_t ioram, testmem;
	struct pc_devices pcdev;
	struct vlapic lapic;
	u64 apic_base;	   /* IA32_APIC_BASE as the guest sees it */
	u64 tsc_adjust;	   /* IA32_TSC_ADJUST as the guest sees it */
	u64 tsc_offset;	   /* guest TSC - host TSC (the VMCS TSC offset) */
	u64 counted_fires; /* lapic.timer_fires already in the counters */
	u8 shutdown_match; /* bytes of "Shutdown" seen in order at 0x8900 */

	enum vm_state state;
	u64 exit_code;	    /* guest's own status when VM_DONE, whole */
	char stop_msg[160]; /* why, when VM_STOPPED */

	u64 budget_left; /* preemption-timer units not yet armed */
	bool budget_on;	 /* the preemption timer enforces cfg.budget */
	bool preempt_on; /* the VMX-preemption timer runs (budget, timers) */
	u32 proc2;	 /* secondary controls: what CPUID may advertise */
	struct cpu_model cpu;	/* what CPUID advertises (vm_cpu_init) */
	struct msr_env msr_env; /* the MSRs it has (vm_msr_init) */
	struct msr_store msrs;	/* those mica stores */
	bool virtual_nmi;	/* the CPU tracks NMI blocking until IRET */
	bool tpr_shadow;	/* the lapic page is the virtual-APIC page, the
			    * APIC-access page is mapped */
	bool apicv;	   /* and the CPU virtualizes registers and delivers
			    * vectors itself */
	u8 tpr_threshold;  /* as in the VMCS (TPR shadow without apicv) */
	hpa_t apic_access; /* the APIC-access page (contents unused) */
	bool nmi_window;   /* NMI-window exiting is on */
	u64 pc_next;	   /* the PIT's, RTC's or UART poll's next event */
	u64 uart_poll_at;  /* next console poll for the UART; 0: none */
	bool uart_irq;	   /* the UART's IRQ 4 line as last given */
	bool pc_intr;	   /* the PIC's INT output is up */
	u32 preempt_cut;   /* units of the armed chunk held back while the
			    * timer counts to the guest's next deadline */
	u64 host_tsc_debt; /* host TSC cycles spent for it, not yet charged */
	gpa_t image_start; /* the lowest byte the image loaded */
	gpa_t image_end;   /* one past the highest byte the image loaded */
	struct guest_layout layout; /* where its boot structures went */
	u64 counters[CNT_MAX];
	struct {
		bool armed;
		u8 len;
		gpa_t gpa;
		u8 bytes[8];
	} patch; /* test hook: bytes written before the next emulation */
	u64 start_tsc;
};

/* Host pointer for reading guest RAM [gpa, gpa + len) (one slot); NULL
 * when that range is not RAM. Writes through it must go to pages the
 * caller knows are writable (boot structures), else use vm_ram_lookup(). */
void *vm_gpa_ptr(struct vm *vm, gpa_t gpa, u64 len);

/* Stop the VM with a diagnostic (printf-style); the vCPU loop ends. */
__printf(2, 3) void vm_stop(struct vm *vm, const char *fmt, ...);

/* Arm the VMX-preemption timer with the next chunk of the VM's budget;
 * false when the budget is spent. */
bool vm_arm_budget(struct vm *vm);

/* Host TSC cycles gathered before they are charged to the budget: the
 * charge costs VMCS accesses, an exit costs a few hundred cycles. */
#define VM_HOST_DEBT_BATCH (1ULL << 20)

void vm_charge_host_debt(struct vm *vm);

/*
 * Charge tsc cycles mica spent on the VM's behalf to its budget, as if the
 * guest had run them, in batches of VM_HOST_DEBT_BATCH; stops the VM when
 * the budget is spent. Charged where the cost is not bounded by a constant
 * per guest instruction: emulation (a REP run moves up to 4,096 elements)
 * and the memory hypercalls. Every other exit costs at most a constant and
 * needs a guest instruction, so the budget bounds the VM's total cost of
 * host time, not only its own instructions.
 */
static inline void vm_charge_host_time(struct vm *vm, u64 tsc)
{
	vm->host_tsc_debt += tsc;
	if (unlikely(vm->host_tsc_debt >= VM_HOST_DEBT_BATCH))
		vm_charge_host_debt(vm);
}

/* The guest ended itself with `code`. */
void vm_done(struct vm *vm, u64 code);

/*
 * Create a VM from cfg: memory pool, EPT, image, boot structures, VMCS.
 * Returns 0, or a negative errno after printing why (the VM must then be
 * destroyed with vm_destroy(), which releases whatever was set up).
 */
int vm_create(struct vm *vm, const struct vm_config *cfg,
	      unsigned id) __must_check;

/* Run until the guest ends or is stopped (vm->state says which). */
void vm_run(struct vm *vm);

/* Release every resource of the VM. */
void vm_destroy(struct vm *vm);
#endif /* MICA_VMM_VM_H */
