/* SPDX-License-Identifier: MIT */
/*
 * A virtual CPU: guest general-purpose registers (saved and restored by
 * vmm/run/vmx_entry.asm around every VM entry), its VMCS, and what the current
 * exit left for the handlers.
 */
#ifndef MICA_VMM_VCPU_H
#define MICA_VMM_VCPU_H

#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_exit.h"
#include "mm/base/types.h"
#include "vmm/gwalk/gwalk.h"

/* GPR numbers as used by VMX exit qualifications and instruction
 * encodings (SDM Vol 3C, "Exit Qualification for Control-Register
 * Accesses": 0 = RAX ... 15 = R15). */
enum vcpu_gpr {
	GPR_RAX,
	GPR_RCX,
	GPR_RDX,
	GPR_RBX,
	GPR_RSP,
	GPR_RBP,
	GPR_RSI,
	GPR_RDI,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_COUNT,
};

struct vm;

/* RFLAGS bits the vCPU helpers manage (SDM Vol 1 3.4.3). */
#define RFLAGS_TF BIT(8)
#define RFLAGS_RF BIT(16)

#define VCPU_XLAT 4

/* A translation reused within one emulated instruction (vmm/access/guest_access.c). */
struct vcpu_xlat {
	gva_t la_page;
	gpa_t gpa_page;
	u32 acc;
};

struct vcpu {
	/* gpr[GPR_RSP] is unused here: RSP lives in the VMCS guest area. */
	u64 gpr[GPR_COUNT];
	u64 launched; /* 0 until the first successful VMLAUNCH */
	u64 host_rsp; /* RSP last written to VMCS_HOST_RSP (0: none yet) */

	struct vm *vm;
	void *vmcs;
	hpa_t vmcs_pa;
	u16 vpid;

	u64 cr0_mask, cr4_mask; /* host-owned bits (read shadows) */
	/* Without unrestricted guest, a guest with CR0.PG = 0 runs on mica's
	 * identity page table; its own CR3 is then kept here, behind CR3
	 * exiting (cr_sync_paging, vmm/exit/exit_cr.c). */
	bool cr_idmap;
	u64 cr3;

	/* filled at every exit */
	u32 exit_reason;
	u64 exit_qual;
	u64 rip;

	/* guest memory access within one emulated instruction */
	bool mem_batch, wctx_valid;
	unsigned nxlat;
	struct gwalk_ctx wctx;
	u64 wctx_rflags; /* RFLAGS when wctx was read */
	struct vcpu_xlat xlat[VCPU_XLAT];
	/* last instruction-fetch translation, revalidated by re-reading
	 * the paging entries it used (vmm/access/guest_access.c) */
	struct vcpu_fetch_cache {
		bool valid;
		u8 n, esize;
		struct gwalk_ctx ctx;
		u64 gen;
		gva_t la_page;
		gpa_t gpa_page;
		gpa_t entry_gpa[5];
		u64 entry[5];
		/* host mappings of those entries and of the code page
		 * (NULL: not RAM), valid while the memslot generation is */
		const void *entry_hva[5];
		const u8 *page;
	} fetch_cache;
	/* last EPT-misconfiguration page confirmed as MMIO, and the memslot
	 * generation it was confirmed in (vmm/exit/exit_ept.c) */
	gpa_t mmio_page;
	u64 mmio_page_gen;
	/* last present read-only page a write to which was emulated, and the
	 * memslot generation and struct vm ept_seq then (vmm/exit/exit_ept.c) */
	gpa_t wp_page;
	u64 wp_page_gen, wp_page_seq;
	/* paging-structure GPA outside RAM the last failed peek walk met, or
	 * ~0 (guest_translate_peek) */
	gpa_t peek_not_ram;
	/* last MMIO GVA -> GPA translation, across exits (gwalk_cache.c) */
	struct gwalk_mmio_cache mmio_cache;

	u64 exit_count[VMX_EXIT_REASON_MAX];
	u64 exits_total;
};

/*
 * Run the guest: enter it (VMLAUNCH when !launched, else VMRESUME) and
 * handle each VM exit with c_vmx_exit() until that returns false. Returns 0
 * then, or VMX_FAIL_INVALID/VMX_FAIL_VALID when a VM-entry instruction
 * itself failed. vmm/run/vmx_entry.asm.
 */
int vmx_run(struct vcpu *vcpu) __must_check;

/* Handle the exit just taken (guest GPRs saved in v); true to re-enter. */
bool c_vmx_exit(struct vcpu *v);

/* The host RIP every VM exit lands on (vmm/run/vmx_entry.asm). */
void vmx_exit_entry(void);

/* Advance guest RIP past the exiting instruction (VM-exit instruction
 * length is valid for instruction-caused exits, SDM Vol 3C, "VM-Exit
 * Instruction Length"), clear RF, and raise the single-step #DB when TF
 * is set (vcpu_insn_done). Not for EPT exits. */
void vcpu_skip_insn(struct vcpu *v);
/* The same, with the DR6 B0-B3 bits of breakpoints the instruction met
 * (a #DB after it, with the single-step trap if TF is set). */
void vcpu_skip_insn_dbg(struct vcpu *v, u64 dbg);

/*
 * An instruction mica completed for the guest (after its RIP was written):
 * before and after are RFLAGS at its start and at its end. Clears RF and,
 * for an instruction that began with TF = 1, raises the single-step #DB;
 * dbg adds breakpoint conditions mica detected (DR6 B0-B3 bits).
 */
void vcpu_insn_done(struct vcpu *v, u64 before, u64 after, u64 dbg);

/* Deliver a #DB: DR6 updated from payload (the bits of a #DB exit's
 * qualification: B0-B3, BD, BS), DR7.GD cleared, the exception queued. */
void vcpu_queue_db(struct vcpu *v, u64 payload);

/* Queue a hardware exception for the next VM entry: RF set in the pushed
 * frame for a fault, no error code in real mode, and combined with the
 * event whose delivery the exit interrupted as the CPU would (#DF, or a
 * stopped VM for a triple fault). */
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error,
			   u32 error);

/* Current privilege level (SS.DPL, SDM Vol 3C "Guest Register State");
 * v's VMCS must be current. */
static inline unsigned vcpu_cpl(struct vcpu *v)
{
	(void)v;
	return (vmcs_read32(VMCS_GUEST_SS_AR) >> VMX_AR_DPL_SHIFT) & 3;
}

/*
 * The exit interrupted the delivery of an event (IDT-vectoring information
 * valid, SDM Vol 3C "Information for VM Exits During Event Delivery"):
 * queue it again for the next VM entry, with its error code, and with its
 * instruction length for a software interrupt or exception. Nothing else
 * brings back an interrupt (mica's is already in service in the local
 * APIC), an NMI or a trap (a single-step #DB: its instruction is done).
 * For handlers that resume the guest without injecting anything.
 */
void vcpu_redeliver(struct vcpu *v);

/* CR0/CR4 as the guest sees them: host-owned bits from the read shadow. */
u64 vcpu_read_cr0(struct vcpu *v);
/* CR3 as the guest sees it (not mica's identity table, see cr_idmap). */
u64 vcpu_read_cr3(struct vcpu *v);
u64 vcpu_read_cr4(struct vcpu *v);

/*
 * Load CR0 as MOV to CR0 would, for an emulated LMSW: the checks, the
 * IA-32e mode switch, the read shadow and the paging glue of the CR exits
 * (vmm/exit/exit_cr.c). false: #GP(0), nothing changed.
 */
bool vcpu_write_cr0(struct vcpu *v, u64 val);

#endif /* MICA_VMM_VCPU_H */
