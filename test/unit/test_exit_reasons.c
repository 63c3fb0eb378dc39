/* SPDX-License-Identifier: MIT */
/*
 * mica's exit dispatch on the host machine of test/hostvm/: every basic
 * exit reason 0..75, plain and with the VM-entry-failure bit, with zeroed
 * exit information on a fresh VM of each guest mode, ends in a defined
 * outcome (resumed with a state VM entry accepts, an event it accepts, or
 * a stop with a reason), never a panic; and directed cases for rules the
 * exit fuzzer (test/fuzz/fuzz_exit.c) found broken:
 * - no error code on an exception injected while CR0.PE = 0 (SDM Vol 3C
 *   "Checks on VM-Entry Control Fields", event injection);
 * - MOV to CR0 clearing PG is #GP(0) in 64-bit mode or with CR4.PCIDE set,
 *   and leaves IA-32e mode from compatibility mode; MOV to CR4 setting
 *   PCIDE outside IA-32e mode is #GP(0) (SDM Vol 2B "MOV-Move to/from
 *   Control Registers", Vol 3A "Switching Out of IA-32e Mode Operation");
 * - skipping an instruction wraps EIP at 4 GiB outside 64-bit mode;
 * - the forced-emulation probe of the bytes after UD2 injects nothing of
 *   its own: the guest sees its #UD and nothing else;
 * - an injected interrupt whose delivery an exit interrupted (EPT
 *   violation on a page not mapped yet, external interrupt) is injected
 *   again (SDM Vol 3C "Information for VM Exits During Event Delivery");
 * - an exception mica injects while another event was being delivered
 *   combines with it by SDM Vol 3A Table 6-5 (#DF, triple fault).
 */
#include <stdio.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "vmm/exit/exit.h"
#include "vmm/load/guest_layout.h"
#include "vmm/vm.h"
#include "test/hostvm/exit_model.h"
#include "test/hostvm/hostvm.h"
#include "test/unit/support/tap.h"

#define GP0_WITH_ERROR 0x80000b0dU
#define GP_NO_ERROR    0x8000030dU
#define UD	       0x80000306U
#define DF0	       0x80000b08U
#define HW_EXC(v)      (INTR_INFO_VALID | 0x300U | (v))

static struct vm vm;

static bool vm_up(const char *cmdline, const u8 *image, size_t n)
{
	struct vm_config cfg;
	const char *why;
	char err[96];

	hostvm_reset(&hostvm_default_profile);
	if (vmx_probe(&why) || vm_config_parse(cmdline, &cfg, err, sizeof(err)))
		return false;
	cfg.image = image;
	cfg.image_size = n;
	return !vm_create(&vm, &cfg, 0);
}

static bool vm_down(void)
{
	vm_destroy(&vm);
	return hostvm_mem_allocated_pages() == 0;
}

static u64 get(u32 f)
{
	return hostvm_vmcs_get(f);
}

/* An exit with every information field zero but the reason and length. */
static bool exit_now(u32 reason, u8 len)
{
	struct hostvm_exit_raw raw = {.insn_len = len};

	hostvm_exit_emit_garbage(reason, &raw);
	hostvm_obs_clear();
	return c_vmx_exit(&vm.vcpu);
}

/* Resumed with nothing VM entry refuses, or ended with a reason. */
static const char *outcome_broken(bool cont, u64 rip0)
{
	const char *why;

	if (!cont)
		return vm.state == VM_STOPPED && !vm.stop_msg[0]
			   ? "stopped without a reason"
			   : NULL;
	if (hostvm_obs.intr_info_writes > 1)
		return "two events injected";
	why = hostvm_entry_event_check();
	if (!why)
		why = hostvm_entry_state_check();
	if (!why && get(VMCS_GUEST_RIP) != rip0)
		why = "RIP moved with an instruction length of 0";
	return why;
}

static void sweep(const char *mode)
{
	static const u8 hlt[] = {0xf4};
	char cmdline[64];
	unsigned bad = 0, n = 0;

	snprintf(cmdline, sizeof(cmdline), "sweep mem=4M mode=%s load=%s", mode,
		 mode[0] == 'r' ? "0x10000" : "0x100000");
	for (u32 i = 0; i < 2 * 76; i++) {
		u32 reason =
		    (i % 76) | (i >= 76 ? VMX_EXIT_REASON_ENTRY_FAIL : 0);
		const char *why = "VM not created";
		u64 rip0;

		if (vm_up(cmdline, hlt, sizeof(hlt))) {
			rip0 = get(VMCS_GUEST_RIP);
			why = outcome_broken(exit_now(reason, 0), rip0);
		}
		if (!vm_down() && !why)
			why = "host frames leaked";
		n++;
		if (why) {
			bad++;
			tap_diag("mode %s, exit reason 0x%x: %s", mode, reason,
				 why);
		}
	}
	tap_ok(!bad,
	       "mode %s: %u exit reasons (0..75, and with bit 31) end "
	       "defined from zeroed exit information",
	       mode, n);
}

/* RDMSR of an MSR no guest has: #GP(0), whose error code real mode does
 * not deliver. */
static void rdmsr_unknown(const char *mode, u32 want)
{
	static const u8 hlt[] = {0xf4};
	char cmdline[64];
	bool ok = false;

	snprintf(cmdline, sizeof(cmdline), "gp mem=4M mode=%s load=%s", mode,
		 mode[0] == 'r' ? "0x10000" : "0x100000");
	if (vm_up(cmdline, hlt, sizeof(hlt))) {
		u64 rip0 = get(VMCS_GUEST_RIP);

		vm.vcpu.gpr[GPR_RCX] = 0x12345;
		ok = exit_now(VMX_EXIT_RDMSR, 2) &&
		     (u32)get(VMCS_ENTRY_INTR_INFO) == want &&
		     get(VMCS_GUEST_RIP) == rip0 && !hostvm_entry_event_check();
	}
	ok &= vm_down();
	tap_ok(ok, "mode %s: RDMSR of an unknown MSR injects 0x%x", mode, want);
}

/* MOV to CR0 from RAX with PG cleared, in 64-bit or compatibility mode. */
static void cr0_pg_off(bool compat)
{
	static const u8 hlt[] = {0xf4};
	bool ok = false;

	if (vm_up("pg mem=4M mode=64", hlt, sizeof(hlt))) {
		u64 rip0 = get(VMCS_GUEST_RIP);
		bool lma;

		if (compat)
			hostvm_guest_set_mode(HOSTVM_MODE_COMPAT, BIT(27),
					      0x1008);
		vm.vcpu.gpr[GPR_RAX] = get(VMCS_CR0_SHADOW) & ~CR0_PG;
		ok = exit_now(VMX_EXIT_CR_ACCESS, 3);
		lma = get(VMCS_GUEST_EFER) & EFER_LMA;
		if (compat)
			ok &= !lma && !(get(VMCS_GUEST_CR0) & CR0_PG) &&
			      !(get(VMCS_ENTRY_CTLS) & VMX_ENTRY_IA32E_GUEST) &&
			      get(VMCS_GUEST_RIP) == rip0 + 3 &&
			      !hostvm_entry_state_check();
		else
			ok &=
			    lma &&
			    (u32)get(VMCS_ENTRY_INTR_INFO) == GP0_WITH_ERROR &&
			    get(VMCS_GUEST_RIP) == rip0;
	}
	ok &= vm_down();
	tap_ok(ok, "MOV to CR0 clearing PG in %s",
	       compat ? "compatibility mode leaves IA-32e mode"
		      : "64-bit mode is #GP(0), long mode stays");
}

/* UD2 in the last two bytes of the first 2 MiB page, the next page not
 * present: the signature cannot be read, the guest gets its #UD only. */
static void forced_emu_probe_at_page_end(void)
{
	static const u8 hlt[] = {0xf4};
	bool ok = false;

	if (vm_up("fe mem=4M mode=64 forced-emu", hlt, sizeof(hlt))) {
		u8 *code = vm_gpa_ptr(&vm, SIZE_2M - 2, 2);
		u64 *pd = vm_gpa_ptr(&vm, GUEST_PD, PAGE_SIZE);

		code[0] = 0x0f;
		code[1] = 0x0b;
		pd[1] = 0;
		hostvm_vmcs_put(VMCS_GUEST_RIP, SIZE_2M - 2);
		hostvm_vmcs_put(VMCS_EXIT_INTR_INFO, UD);
		hostvm_obs_clear();
		hostvm_vmcs_put(VMCS_EXIT_REASON, VMX_EXIT_EXCEPTION_NMI);
		ok = c_vmx_exit(&vm.vcpu) && hostvm_obs.intr_info_writes == 1 &&
		     (u32)get(VMCS_ENTRY_INTR_INFO) == UD &&
		     !hostvm_obs.cr2_written;
	}
	ok &= vm_down();
	tap_ok(ok, "forced emulation: an unreadable signature leaves the "
		   "guest its #UD, nothing else (no #PF, CR2 untouched)");
}

/* "ud2; mica; mov eax, [rbx]" with forced-emu: the MOV is emulated. */
static void forced_emu_emulates(void)
{
	static const u8 image[] = {0x0f, 0x0b, 'm', 'i', 'c', 'a', 0x8b, 0x03};
	bool ok = false;

	if (vm_up("fe mem=4M mode=64 forced-emu", image, sizeof(image))) {
		u64 rip0 = get(VMCS_GUEST_RIP);
		u32 *data = vm_gpa_ptr(&vm, SIZE_2M, 4);

		*data = 5;
		vm.vcpu.gpr[GPR_RBX] = SIZE_2M;
		hostvm_vmcs_put(VMCS_EXIT_INTR_INFO, UD);
		hostvm_vmcs_put(VMCS_EXIT_REASON, VMX_EXIT_EXCEPTION_NMI);
		hostvm_obs_clear();
		ok = c_vmx_exit(&vm.vcpu) && vm.vcpu.gpr[GPR_RAX] == 5 &&
		     get(VMCS_GUEST_RIP) == rip0 + sizeof(image) &&
		     !(get(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
	}
	ok &= vm_down();
	tap_ok(ok, "forced emulation: ud2 + \"mica\" + MOV EAX, [RBX] "
		   "emulates the MOV");
}

/* Vector 0x30 injected at the last entry, its delivery interrupted by an
 * exit of reason (an EPT violation on RAM the EPT does not map yet, or an
 * external interrupt): the next entry injects it again. */
static void redelivered(u32 reason)
{
	static const u8 hlt[] = {0xf4};
	const u32 event = INTR_INFO_VALID | 0x30;
	bool ok = false;

	if (vm_up("rd mem=4M mode=64", hlt, sizeof(hlt))) {
		struct hostvm_exit_raw raw = {.qual = EPT_QUAL_WRITE,
					      .gpa = 0x7fff8,
					      .idt_info = event,
					      .intr_info = event};

		hostvm_guest_set_rflags(0x202); /* IF: it was injected */
		hostvm_exit_emit_garbage(reason, &raw);
		hostvm_obs_clear();
		ok = c_vmx_exit(&vm.vcpu) &&
		     (u32)get(VMCS_ENTRY_INTR_INFO) == event &&
		     !hostvm_entry_event_check();
	}
	ok &= vm_down();
	tap_ok(ok,
	       "interrupt in delivery at an exit of reason %u is injected "
	       "again",
	       reason);
}

/*
 * The #GP(0) mica injects for an unknown MSR while the exit reports an
 * event in delivery (IDT-vectoring information) combines with it as SDM
 * Vol 3A Table 6-5 says: after a contributory exception or a #PF it is a
 * #DF(0); after a benign exception or an interrupt it is delivered alone;
 * after a #DF the processor shuts down (the VM stops: triple fault).
 */
static void merged(const char *what, u32 first, u32 want)
{
	static const u8 hlt[] = {0xf4};
	bool ok = false, cont;

	if (vm_up("merge mem=4M mode=64", hlt, sizeof(hlt))) {
		struct hostvm_exit_raw raw = {.insn_len = 2, .idt_info = first};

		vm.vcpu.gpr[GPR_RCX] = 0x12345;
		hostvm_exit_emit_garbage(VMX_EXIT_RDMSR, &raw);
		hostvm_obs_clear();
		cont = c_vmx_exit(&vm.vcpu);
		ok = want ? cont && (u32)get(VMCS_ENTRY_INTR_INFO) == want &&
				!hostvm_entry_event_check()
			  : !cont && vm.state == VM_STOPPED &&
				strstr(vm.stop_msg, "triple fault");
	}
	ok &= vm_down();
	tap_ok(ok, "#GP while delivering %s: %s", what,
	       want == DF0 ? "#DF(0)"
	       : want	   ? "#GP(0) alone"
			   : "triple fault");
}

/* In IA-32e mode with CR4.PCIDE (the shadow: PCIDE is the guest's own),
 * MOV to CR0 clearing PG from compatibility mode is #GP(0). */
static void cr0_pg_off_pcide(void)
{
	static const u8 hlt[] = {0xf4};
	bool ok = false;

	if (vm_up("pcid mem=4M mode=64", hlt, sizeof(hlt))) {
		u64 rip0 = get(VMCS_GUEST_RIP);

		hostvm_guest_set_mode(HOSTVM_MODE_COMPAT, BIT(13) | BIT(27), 0);
		vm.vcpu.gpr[GPR_RAX] = get(VMCS_CR0_SHADOW) & ~CR0_PG;
		ok = (get(VMCS_GUEST_CR4) & CR4_PCIDE) &&
		     exit_now(VMX_EXIT_CR_ACCESS, 3) &&
		     (u32)get(VMCS_ENTRY_INTR_INFO) == GP0_WITH_ERROR &&
		     (get(VMCS_GUEST_EFER) & EFER_LMA) &&
		     get(VMCS_GUEST_RIP) == rip0;
	}
	ok &= vm_down();
	tap_ok(ok, "MOV to CR0 clearing PG with CR4.PCIDE = 1 is #GP(0)");
}

/* MOV to CR4 from RAX (form 1 of the CR exits) in a 32-bit guest. */
static void cr4_pcide_outside_ia32e(void)
{
	static const u8 hlt[] = {0xf4};
	bool ok = false;

	if (vm_up("pcid32 mem=4M mode=32", hlt, sizeof(hlt))) {
		struct hostvm_exit_raw raw = {.qual = 4, .insn_len = 3};

		vm.vcpu.gpr[GPR_RAX] = CR4_PCIDE;
		hostvm_exit_emit_garbage(VMX_EXIT_CR_ACCESS, &raw);
		ok = c_vmx_exit(&vm.vcpu) &&
		     (u32)get(VMCS_ENTRY_INTR_INFO) == GP0_WITH_ERROR &&
		     !(get(VMCS_GUEST_CR4) & CR4_PCIDE);
	}
	ok &= vm_down();
	tap_ok(ok, "MOV to CR4 setting PCIDE outside IA-32e mode is #GP(0)");
}

/* CPUID (2 bytes) at EIP 0xFFFFFFFE of a 32-bit guest: next EIP 0. */
static void skip_wraps_eip(void)
{
	static const u8 hlt[] = {0xf4};
	bool ok = false;

	if (vm_up("wrap mem=4M mode=32", hlt, sizeof(hlt))) {
		hostvm_vmcs_put(VMCS_GUEST_RIP, 0xfffffffeULL);
		ok = exit_now(VMX_EXIT_CPUID, 2) && get(VMCS_GUEST_RIP) == 0 &&
		     !hostvm_entry_state_check();
	}
	ok &= vm_down();
	tap_ok(ok, "32-bit guest: an instruction skipped at 0xFFFFFFFE wraps "
		   "EIP to 0");
}

int main(void)
{
	sweep("64");
	sweep("32");
	sweep("real");
	rdmsr_unknown("64", GP0_WITH_ERROR);
	rdmsr_unknown("real", GP_NO_ERROR);
	cr0_pg_off(false);
	cr0_pg_off(true);
	cr0_pg_off_pcide();
	cr4_pcide_outside_ia32e();
	skip_wraps_eip();
	forced_emu_probe_at_page_end();
	forced_emu_emulates();
	redelivered(VMX_EXIT_EPT_VIOLATION);
	redelivered(VMX_EXIT_EXTERNAL_INTR);
	merged("#GP (contributory)", HW_EXC(13) | BIT(11), DF0);
	merged("#NP (contributory)", HW_EXC(11) | BIT(11), DF0);
	merged("#PF", HW_EXC(14) | BIT(11), DF0);
	merged("#DB (benign)", HW_EXC(1), GP0_WITH_ERROR);
	merged("an external interrupt", INTR_INFO_VALID | 0x30, GP0_WITH_ERROR);
	merged("#DF", HW_EXC(8) | BIT(11), 0);
	return tap_done();
}
