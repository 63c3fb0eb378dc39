/* SPDX-License-Identifier: MIT */
/*
 * VMX instruction wrappers with flag checks (asm goto-free: the status is
 * taken from CF and ZF with flag-output constraints), VMREAD/VMWRITE, and
 * the names of VM-instruction errors.
 */
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "mm/base/console.h"
#include "mm/base/errno.h"

static int vmx_status(bool cf, bool zf)
{
	if (cf)
		return VMX_FAIL_INVALID;
	if (zf)
		return VMX_FAIL_VALID;
	return 0;
}

int vmxon(hpa_t region)
{
	bool cf, zf;

	__asm__ volatile("vmxon %2"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(region)
			 : "memory");
	return vmx_status(cf, zf);
}

int vmxoff(void)
{
	bool cf, zf;

	__asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return vmx_status(cf, zf);
}

int vmclear(hpa_t vmcs)
{
	bool cf, zf;

	__asm__ volatile("vmclear %2"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(vmcs)
			 : "memory");
	return vmx_status(cf, zf);
}

int vmptrld(hpa_t vmcs)
{
	bool cf, zf;

	__asm__ volatile("vmptrld %2"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(vmcs)
			 : "memory");
	return vmx_status(cf, zf);
}

int invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = {eptp, 0};
	bool cf, zf;

	__asm__ volatile("invept %2, %3"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(desc), "r"(type)
			 : "memory");
	return vmx_status(cf, zf);
}

int invvpid(u64 type, u16 vpid, u64 gva)
{
	struct {
		u64 vpid, gva;
	} desc = {vpid, gva};
	bool cf, zf;

	__asm__ volatile("invvpid %2, %3"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "m"(desc), "r"(type)
			 : "memory");
	return vmx_status(cf, zf);
}

static int vmread_checked(u32 field, u64 *value)
{
	bool cf, zf;

	__asm__ volatile("vmread %3, %2"
			 : "=@ccc"(cf), "=@ccz"(zf), "=rm"(*value)
			 : "r"((u64)field));
	return vmx_status(cf, zf);
}

static int vmwrite_checked(u32 field, u64 value)
{
	bool cf, zf;

	__asm__ volatile("vmwrite %2, %3"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : "rm"(value), "r"((u64)field)
			 : "memory");
	return vmx_status(cf, zf);
}

void vmcs_access_failed(const char *op, u32 field, u64 value)
{
	u64 err;

	/* With no current VMCS even this read fails: VMfailInvalid. */
	vmx_report_failure(op, vmread_checked(VMCS_VM_INSN_ERROR, &err)
				   ? VMX_FAIL_INVALID
				   : VMX_FAIL_VALID);
	panic("%s of VMCS field 0x%04x (value 0x%lx) failed", op, field, value);
}

int vmcs_write_optional(u32 field, u64 value)
{
	return vmwrite_checked(field, value) ? -EIO : 0;
}

static const char *const insn_errors[] = {
    [1] = "VMCALL executed in VMX root operation",
    [2] = "VMCLEAR with invalid physical address",
    [3] = "VMCLEAR with VMXON pointer",
    [4] = "VMLAUNCH with non-clear VMCS",
    [5] = "VMRESUME with non-launched VMCS",
    [6] = "VMRESUME after VMXOFF",
    [7] = "VM entry with invalid control field(s)",
    [8] = "VM entry with invalid host-state field(s)",
    [9] = "VMPTRLD with invalid physical address",
    [10] = "VMPTRLD with VMXON pointer",
    [11] = "VMPTRLD with incorrect VMCS revision identifier",
    [12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
    [13] = "VMWRITE to read-only VMCS component",
    [15] = "VMXON executed in VMX root operation",
    [16] = "VM entry with invalid executive-VMCS pointer",
    [17] = "VM entry with non-launched executive VMCS",
    [18] = "VM entry with executive-VMCS pointer not VMXON pointer",
    [19] = "VMCALL with non-clear VMCS",
    [20] = "VMCALL with invalid VM-exit control fields",
    [22] = "VMCALL with incorrect MSEG revision identifier",
    [23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
    [24] = "VMCALL with invalid SMM-monitor features",
    [25] = "VM entry with invalid VM-execution control fields in "
	   "executive VMCS",
    [26] = "VM entry with events blocked by MOV SS",
    [28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(u32 err)
{
	if (err < ARRAY_SIZE(insn_errors) && insn_errors[err])
		return insn_errors[err];
	return "unknown VM-instruction error";
}

void vmx_report_failure(const char *what, int rc)
{
	u64 err = 0;

	if (rc == VMX_FAIL_INVALID) {
		printk("vmx: %s: VMfailInvalid (no current VMCS)\n", what);
		return;
	}
	if (vmread_checked(VMCS_VM_INSN_ERROR, &err))
		err = 0;
	printk("vmx: %s: VMfailValid: %s (%lu)\n", what,
	       vmx_insn_error_name((u32)err), err);
}
