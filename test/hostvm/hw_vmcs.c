/* SPDX-License-Identifier: MIT */
/*
 * The fake VMCS and the VMX instructions of arch/x86/vmx.c for host builds.
 * Every VMREAD/VMWRITE mica makes is checked as a CPU would and more
 * strictly: the field must exist on this CPU (SDM Vol 3D Appendix B; the
 * capability-gated ones only with their capability), a current VMCS must
 * be loaded, read-only fields refuse writes (IA32_VMX_MISC[29] is 0 here),
 * and a value must fit the field's width (VMWRITE would silently truncate
 * it: a mica bug either way). A failed access ends in vmcs_access_failed(),
 * i.e. panic(), as in the kernel.
 */
#include <stdio.h>

#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "mm/base/layout.h"
#include "test/hostvm/hostvm.h"
#include "test/hostvm/hostvm_internal.h"

/* Encoding bits 14:13 width, 11:10 type, 9:1 index, 0 high: 14 bits. */
#define VMCS_SLOTS	  (1u << 14)
#define VMCS_TYPE(f)	  (((f) >> 10) & 3)
#define VMCS_TYPE_RO	  1
#define VMCS_ENC_RESERVED (~0x6fffu)

static u64 store[VMCS_SLOTS];
static u8 exists[VMCS_SLOTS];
static hpa_t current_vmcs = ~0ULL;

/* Every field mica's enum names; gated ones are re-added per profile. */
static const u16 base_fields[] = {
    VMCS_VPID,
    VMCS_GUEST_ES_SEL,
    VMCS_GUEST_CS_SEL,
    VMCS_GUEST_SS_SEL,
    VMCS_GUEST_DS_SEL,
    VMCS_GUEST_FS_SEL,
    VMCS_GUEST_GS_SEL,
    VMCS_GUEST_LDTR_SEL,
    VMCS_GUEST_TR_SEL,
    VMCS_HOST_ES_SEL,
    VMCS_HOST_CS_SEL,
    VMCS_HOST_SS_SEL,
    VMCS_HOST_DS_SEL,
    VMCS_HOST_FS_SEL,
    VMCS_HOST_GS_SEL,
    VMCS_HOST_TR_SEL,
    VMCS_IO_BITMAP_A,
    VMCS_IO_BITMAP_B,
    VMCS_MSR_BITMAP,
    VMCS_EXIT_MSR_STORE_ADDR,
    VMCS_EXIT_MSR_LOAD_ADDR,
    VMCS_ENTRY_MSR_LOAD_ADDR,
    VMCS_EXECUTIVE_VMCS_PTR,
    VMCS_TSC_OFFSET,
    VMCS_VIRTUAL_APIC_ADDR,
    VMCS_APIC_ACCESS_ADDR,
    VMCS_EPT_POINTER,
    VMCS_GUEST_PHYS_ADDR,
    VMCS_LINK_POINTER,
    VMCS_GUEST_DEBUGCTL,
    VMCS_GUEST_PAT,
    VMCS_GUEST_EFER,
    VMCS_GUEST_PERF_GLOBAL_CTRL,
    VMCS_GUEST_PDPTE0,
    VMCS_GUEST_PDPTE1,
    VMCS_GUEST_PDPTE2,
    VMCS_GUEST_PDPTE3,
    VMCS_HOST_PAT,
    VMCS_HOST_EFER,
    VMCS_HOST_PERF_GLOBAL_CTRL,
    VMCS_PIN_CTLS,
    VMCS_PROC_CTLS,
    VMCS_EXCEPTION_BITMAP,
    VMCS_PF_ERROR_MASK,
    VMCS_PF_ERROR_MATCH,
    VMCS_CR3_TARGET_COUNT,
    VMCS_EXIT_CTLS,
    VMCS_EXIT_MSR_STORE_COUNT,
    VMCS_EXIT_MSR_LOAD_COUNT,
    VMCS_ENTRY_CTLS,
    VMCS_ENTRY_MSR_LOAD_COUNT,
    VMCS_ENTRY_INTR_INFO,
    VMCS_ENTRY_EXCEPTION_ERROR,
    VMCS_ENTRY_INSN_LEN,
    VMCS_TPR_THRESHOLD,
    VMCS_PROC_CTLS2,
    VMCS_VM_INSN_ERROR,
    VMCS_EXIT_REASON,
    VMCS_EXIT_INTR_INFO,
    VMCS_EXIT_INTR_ERROR,
    VMCS_IDT_VECTORING_INFO,
    VMCS_IDT_VECTORING_ERROR,
    VMCS_EXIT_INSN_LEN,
    VMCS_EXIT_INSN_INFO,
    VMCS_GUEST_ES_LIMIT,
    VMCS_GUEST_CS_LIMIT,
    VMCS_GUEST_SS_LIMIT,
    VMCS_GUEST_DS_LIMIT,
    VMCS_GUEST_FS_LIMIT,
    VMCS_GUEST_GS_LIMIT,
    VMCS_GUEST_LDTR_LIMIT,
    VMCS_GUEST_TR_LIMIT,
    VMCS_GUEST_GDTR_LIMIT,
    VMCS_GUEST_IDTR_LIMIT,
    VMCS_GUEST_ES_AR,
    VMCS_GUEST_CS_AR,
    VMCS_GUEST_SS_AR,
    VMCS_GUEST_DS_AR,
    VMCS_GUEST_FS_AR,
    VMCS_GUEST_GS_AR,
    VMCS_GUEST_LDTR_AR,
    VMCS_GUEST_TR_AR,
    VMCS_GUEST_INTERRUPTIBILITY,
    VMCS_GUEST_ACTIVITY_STATE,
    VMCS_GUEST_SMBASE,
    VMCS_GUEST_SYSENTER_CS,
    VMCS_HOST_SYSENTER_CS,
    VMCS_CR0_MASK,
    VMCS_CR4_MASK,
    VMCS_CR0_SHADOW,
    VMCS_CR4_SHADOW,
    VMCS_CR3_TARGET0,
    VMCS_EXIT_QUALIFICATION,
    VMCS_IO_RCX,
    VMCS_IO_RSI,
    VMCS_IO_RDI,
    VMCS_IO_RIP,
    VMCS_GUEST_LINEAR_ADDR,
    VMCS_GUEST_CR0,
    VMCS_GUEST_CR3,
    VMCS_GUEST_CR4,
    VMCS_GUEST_ES_BASE,
    VMCS_GUEST_CS_BASE,
    VMCS_GUEST_SS_BASE,
    VMCS_GUEST_DS_BASE,
    VMCS_GUEST_FS_BASE,
    VMCS_GUEST_GS_BASE,
    VMCS_GUEST_LDTR_BASE,
    VMCS_GUEST_TR_BASE,
    VMCS_GUEST_GDTR_BASE,
    VMCS_GUEST_IDTR_BASE,
    VMCS_GUEST_DR7,
    VMCS_GUEST_RSP,
    VMCS_GUEST_RIP,
    VMCS_GUEST_RFLAGS,
    VMCS_GUEST_PENDING_DBG,
    VMCS_GUEST_SYSENTER_ESP,
    VMCS_GUEST_SYSENTER_EIP,
    VMCS_HOST_CR0,
    VMCS_HOST_CR3,
    VMCS_HOST_CR4,
    VMCS_HOST_FS_BASE,
    VMCS_HOST_GS_BASE,
    VMCS_HOST_TR_BASE,
    VMCS_HOST_GDTR_BASE,
    VMCS_HOST_IDTR_BASE,
    VMCS_HOST_SYSENTER_ESP,
    VMCS_HOST_SYSENTER_EIP,
    VMCS_HOST_RSP,
    VMCS_HOST_RIP,
};

static unsigned slot_of(u32 f)
{
	return ((f >> 13) & 3) << 12 | ((f >> 10) & 3) << 10 | (f & 0x3ff);
}

static void add_field(u32 f)
{
	exists[slot_of(f)] = 1;
	if (VMCS_WIDTH(f) == VMCS_WIDTH_64)
		exists[slot_of(f | 1)] = 1; /* the high-half access */
}

bool hostvm_vmcs_exists(u32 f)
{
	return !(f & VMCS_ENC_RESERVED) && exists[slot_of(f)];
}

void hostvm_vmcs_reset(const struct hostvm_profile *p)
{
	mem_set(store, 0, sizeof(store));
	mem_set(exists, 0, sizeof(exists));
	for (unsigned i = 0; i < ARRAY_SIZE(base_fields); i++)
		add_field(base_fields[i]);
	/* Fields that exist only with their feature (SDM Vol 3D App. B). */
	if (p->preempt_timer)
		add_field(VMCS_PREEMPTION_TIMER);
	if (p->spp)
		add_field(VMCS_SPPT_POINTER);
	current_vmcs = ~0ULL;
}

static u64 width_mask(u32 f)
{
	if (f & 1) /* high half of a 64-bit field */
		return 0xffffffffULL;
	switch (VMCS_WIDTH(f)) {
	case VMCS_WIDTH_16:
		return 0xffff;
	case VMCS_WIDTH_32:
		return 0xffffffffULL;
	default:
		return ~0ULL;
	}
}

static u64 *field_ptr(u32 f)
{
	return &store[slot_of(f & ~1u)];
}

static u64 get(u32 f)
{
	u64 v = *field_ptr(f);

	return (f & 1) ? v >> 32 : v;
}

static void put(u32 f, u64 value)
{
	u64 *p = field_ptr(f);

	if (f & 1)
		*p = (*p & 0xffffffffULL) | value << 32;
	else
		*p = value & width_mask(f);
}

u64 hostvm_vmcs_get(u32 f)
{
	if (!hostvm_vmcs_exists(f))
		panic("hostvm: no VMCS field 0x%04x to read", f);
	return get(f);
}

void hostvm_vmcs_put(u32 f, u64 value)
{
	if (!hostvm_vmcs_exists(f))
		panic("hostvm: no VMCS field 0x%04x to set", f);
	put(f, value);
}

u64 vmcs_read_raw(u32 field)
{
	if (current_vmcs == ~0ULL || !hostvm_vmcs_exists(field))
		vmcs_access_failed("vmread", field, 0);
	return get(field);
}

void vmcs_write_raw(u32 field, u64 value)
{
	if (current_vmcs == ~0ULL || !hostvm_vmcs_exists(field) ||
	    VMCS_TYPE(field) == VMCS_TYPE_RO || (value & ~width_mask(field)))
		vmcs_access_failed("vmwrite", field, value);
	if (field == VMCS_ENTRY_INTR_INFO && (value & INTR_INFO_VALID))
		hostvm_obs.intr_info_writes++;
	put(field, value);
}

int vmcs_write_optional(u32 field, u64 value)
{
	if (current_vmcs == ~0ULL || !hostvm_vmcs_exists(field) ||
	    VMCS_TYPE(field) == VMCS_TYPE_RO || (value & ~width_mask(field)))
		return -1;
	put(field, value);
	return 0;
}

__noreturn void vmcs_access_failed(const char *op, u32 field, u64 value)
{
	panic("%s of VMCS field 0x%04x (value 0x%lx) failed%s", op, field,
	      value, current_vmcs == ~0ULL ? ": no current VMCS" : "");
}

/* ---- VMX instructions (arch/x86/vmx.c) ------------------------------- */

/* A VMCS region: a 4K-aligned page mica allocated. */
static bool region_ok(hpa_t pa)
{
	return !(pa & (PAGE_SIZE - 1)) && hostvm_mem_is_allocated(pa);
}

int vmxon(hpa_t region)
{
	return region_ok(region) ? 0 : VMX_FAIL_VALID;
}

int vmxoff(void)
{
	return 0;
}

int vmclear(hpa_t vmcs)
{
	if (!region_ok(vmcs))
		return VMX_FAIL_VALID;
	if (vmcs == current_vmcs)
		current_vmcs = ~0ULL;
	return 0;
}

int vmptrld(hpa_t vmcs)
{
	if (!region_ok(vmcs) ||
	    *(const u32 *)phys_ptr(vmcs) != hostvm_vmx_revision())
		return VMX_FAIL_VALID;
	current_vmcs = vmcs;
	return 0;
}

/* SDM Vol 3C "INVEPT": the type must be supported, a single-context
 * descriptor must hold a valid EPTP. */
int invept(u64 type, u64 eptp)
{
	hostvm_obs.invepts++;
	if (type == INVEPT_ALL_CONTEXT)
		return 0;
	if (type != INVEPT_SINGLE_CONTEXT || !hostvm_invept_single() ||
	    (eptp & 0x7) != 6 || ((eptp >> 3) & 7) != 3 ||
	    !hostvm_mem_is_allocated(eptp & ~(PAGE_SIZE - 1)))
		return VMX_FAIL_VALID;
	return 0;
}

int invvpid(u64 type, u16 vpid, u64 gva)
{
	(void)gva;
	return type <= INVVPID_ALL_CONTEXT &&
		       (vpid || type == INVVPID_ALL_CONTEXT)
		   ? 0
		   : VMX_FAIL_VALID;
}

const char *vmx_insn_error_name(u32 err)
{
	(void)err;
	return "VM-instruction error (host build)";
}

void vmx_report_failure(const char *what, int rc)
{
	fprintf(stderr, "hostvm: %s failed (%d)\n", what, rc);
}
