/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: mica's VM-exit handlers driven from random guest state,
 * on the host. Per input a VM is built as mica builds one (vm_config_parse,
 * vm_create: memslots over host RAM, EPT, devices, VMCS) on a fake CPU
 * (test/hostvm/), the guest image and RAM come from the input, and then a
 * sequence of exits: for each, the guest changes its own state as it could
 * without an exit (registers, mode, CR3, segments, RAM), the CPU reports an
 * exit it can deliver under mica's controls (test/hostvm/exit_model.c; or,
 * with the profile's garbage bit, any reason and fields at all), and
 * c_vmx_exit() runs, the C entry point vmx_entry.asm calls.
 *
 * The rule under test: nothing a guest does panics mica or touches host
 * memory it did not allocate; every exit ends in an emulated result, a fault
 * injected into the guest, or a named VM stop. Checked after each exit
 * (any failure aborts with the input decoded):
 * - no ASan/UBSan report (the physmap is poisoned outside mica's frames),
 *   no panic() (bad VMREAD/VMWRITE field or width, host #GP, host port I/O);
 * - at most one event injected, and VM entry would accept it and the guest
 *   state (test/hostvm/entry_rules.c);
 * - RIP moved only by the exit's instruction length (instruction exits) or
 *   a decoded length (emulation; an emulated branch to its target), never
 *   past a fault; an instruction exit that neither advanced nor faulted
 *   made progress (REP string I/O);
 * - a #PF injected with CR2 written (unless it is the event whose delivery
 *   the exit interrupted, re-injected); a stopped VM has its reason;
 * - the EPT agrees with the memslots (ept_check);
 * and after the VM is destroyed, every host frame is free again.
 *
 * Input: byte 0 the CPU (bit 0: host frames run out after the VM is
 * created, after a count in the byte that follows the RAM writes; bit 1 SPP; set bits 2-5 take away EPT 2M and 1G
 * pages, the preemption timer, single-context INVEPT; bit 6 XCR0 without
 * AVX; bit 7 allows garbage exits), byte 1 the VM's options (bits 1:0 mode
 * 64/32/real/64, then forced-emu, no-mmio-cache, spp=soft, mem=8M,
 * budget=3000, slots=4), byte 2 RAM set-up (bits 1:0 RAM writes, bit 2 no
 * page tables), byte 3 the image length - 1, a u16 TSC step (x 32), the image,
 * the RAM writes; then exit records: the reason (the first possible one
 * from number sel & 0x7f on; with bit 7 and garbage allowed, a raw u32 that
 * follows the record), the guest's changes (a mask: bit 0 GPRs, 1 RIP,
 * 2 RFLAGS, 3 mode, 4 CR3, 5 a data segment, 6 interruptibility, 7 a RAM
 * write; then their values), a mask of the exit fields present
 * (0 qualification, 1 GPA, 2 GLA, 3 length and form choice, 4 instruction
 * info, 5 IDT vectoring, 6 interruption info), the fields. Seeds:
 * test/fuzz/corpus/exit/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "mm/lib/fmt.h"
#include "vmm/exit/exit.h"
#include "vmm/load/guest_layout.h"
#include "vmm/access/mmio_emulate.h"
#include "vmm/vm.h"
#include "vmm/mem/vm_ram.h"
#include "test/hostvm/exit_model.h"
#include "test/hostvm/hostvm.h"
#include "test/unit/support/fuzz_input.h"
#include "test/unit/support/insn_branch.h"
#include "vmm/access/guest_access.h"

#define MAX_EXITS 12
#define IMAGE_MAX 96

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static struct vm the_vm;

/* What one exit started from, for the checks and the report. */
struct snap {
	u32 reason;
	bool faithful;
	u64 rip, len, rcx, qual;
	u32 idt; /* IDT-vectoring information */
	enum hostvm_exit_class cls;
	bool branch; /* the bytes at RIP decode as a branch (insn_is_branch) */
};

static u64 vmcs(u32 f)
{
	return hostvm_vmcs_get(f);
}

static void report(const struct snap *s, const char *why)
{
	const struct vcpu *v = &the_vm.vcpu;

	fprintf(stderr,
		"fuzz_exit: %s\n  exit reason 0x%x (%s), %s input\n"
		"  qualification 0x%lx, insn len %lu, insn info 0x%lx\n"
		"  GLA 0x%lx, GPA 0x%lx, IDT-vectoring 0x%lx, intr info 0x%lx\n"
		"  before: RIP 0x%lx; after: RIP 0x%lx, entry intr info 0x%lx "
		"error 0x%lx\n"
		"  CR0 0x%lx (shadow 0x%lx) CR3 0x%lx CR4 0x%lx (shadow 0x%lx) "
		"EFER 0x%lx\n  CS AR 0x%lx SS AR 0x%lx RFLAGS 0x%lx "
		"interruptibility 0x%lx\n  RAX 0x%lx RCX 0x%lx RDX 0x%lx RBX "
		"0x%lx RSI 0x%lx RDI 0x%lx\n  VM state %d: %s\n"
		"  last console line: %s\n",
		why, s->reason, vmx_exit_reason_name(s->reason & 0xffff),
		s->faithful ? "hardware-faithful" : "garbage", s->qual, s->len,
		vmcs(VMCS_EXIT_INSN_INFO), vmcs(VMCS_GUEST_LINEAR_ADDR),
		vmcs(VMCS_GUEST_PHYS_ADDR), vmcs(VMCS_IDT_VECTORING_INFO),
		vmcs(VMCS_EXIT_INTR_INFO), s->rip, vmcs(VMCS_GUEST_RIP),
		vmcs(VMCS_ENTRY_INTR_INFO), vmcs(VMCS_ENTRY_EXCEPTION_ERROR),
		vmcs(VMCS_GUEST_CR0), vmcs(VMCS_CR0_SHADOW),
		vmcs(VMCS_GUEST_CR3), vmcs(VMCS_GUEST_CR4),
		vmcs(VMCS_CR4_SHADOW), vmcs(VMCS_GUEST_EFER),
		vmcs(VMCS_GUEST_CS_AR), vmcs(VMCS_GUEST_SS_AR),
		vmcs(VMCS_GUEST_RFLAGS), vmcs(VMCS_GUEST_INTERRUPTIBILITY),
		v->gpr[GPR_RAX], v->gpr[GPR_RCX], v->gpr[GPR_RDX],
		v->gpr[GPR_RBX], v->gpr[GPR_RSI], v->gpr[GPR_RDI], the_vm.state,
		the_vm.stop_msg, hostvm_console_last());
	abort();
}

/* ---- the VM ----------------------------------------------------------- */

/* The CPU. Always with unrestricted guest: without it mica cannot run a
 * guest whose paging is off (CR0.PE and PG are then fixed to 1), which a
 * guest of any mode reaches with one MOV to CR0. (Bit 0: see
 * LLVMFuzzerTestOneInput.) */
static struct hostvm_profile profile_of(u8 b)
{
	return (struct hostvm_profile){
	    .unrestricted = true,
	    .spp = b & 2,
	    .ept_2m = !(b & 4),
	    .ept_1g = !(b & 8),
	    .preempt_timer = !(b & 16),
	    .invept_single = !(b & 32),
	    .xcr0 = (b & 64) ? 0x3 : 0x7,
	};
}

/* A module command line as GRUB would pass it (docs/guests.md). */
static void cmdline_of(u8 b, char *buf, size_t n)
{
	static const char *const modes[4] = {"64", "32", "real", "64"};

	fmt_snprintf(
	    buf, n, "fz mem=%s mode=%s load=%s budget=%s slots=%s%s%s%s",
	    (b & 32) ? "8M" : "4M", modes[b & 3],
	    (b & 3) == 2 ? "0x10000" : "0x100000",
	    (b & 64) ? "3000" : "500000000", (b & 128) ? "4" : "512",
	    (b & 4) ? " forced-emu" : "", (b & 8) ? " no-mmio-cache" : "",
	    (b & 16) ? " spp=soft" : "");
}

/* What the guest does between two exits (see the file comment). */
struct guest_change {
	u8 chg;
	u16 gpr_mask;
	u64 gpr[GPR_COUNT];
	u8 mode, rip_kind, seg, seg_flags, intr, ram_len;
	u32 mode_flags, mode_raw, seg_limit, ram_gpa;
	u64 rip, rflags, cr3, seg_base;
	u8 ram[32];
};

static void read_changes(struct fuzz_input *r, struct guest_change *c)
{
	u8 chg = (u8)fuzz_take(r, 1);

	*c = (struct guest_change){.chg = chg};
	if (chg & 1) {
		c->gpr_mask = (u16)fuzz_take(r, 2);
		for (unsigned i = 0; i < GPR_COUNT; i++)
			if (c->gpr_mask & BIT(i))
				c->gpr[i] = fuzz_take(r, 8);
	}
	if (chg & 8) {
		c->mode = (u8)fuzz_take(r, 1);
		c->mode_flags = (u32)fuzz_take(r, 4);
		c->mode_raw = (u32)fuzz_take(r, 4);
	}
	if (chg & 2) {
		c->rip_kind = (u8)fuzz_take(r, 1);
		c->rip = fuzz_take(r, 4);
		if ((c->rip_kind & 0x83) == 0x82)
			c->rip |= fuzz_take(r, 4) << 32;
	}
	if (chg & 4)
		c->rflags = fuzz_take(r, 4);
	if (chg & 16)
		c->cr3 = fuzz_take(r, 8);
	if (chg & 32) {
		c->seg = (u8)fuzz_take(r, 1);
		c->seg_flags = (u8)fuzz_take(r, 1);
		c->seg_base = fuzz_take(r, 8);
		c->seg_limit = (u32)fuzz_take(r, 4);
	}
	if (chg & 64)
		c->intr = (u8)fuzz_take(r, 1);
	if (chg & 128) {
		c->ram_gpa = (u32)fuzz_take(r, 4);
		c->ram_len = (u8)(1 + fuzz_take(r, 1) % sizeof(c->ram));
		for (unsigned i = 0; i < c->ram_len; i++)
			c->ram[i] = (u8)fuzz_take(r, 1);
	}
}

/* The guest writes its own RAM (page tables, code, data). */
static void guest_write_ram(struct vm *vm, u64 gpa, const u8 *b, unsigned n)
{
	u8 *p = vm_gpa_ptr(vm, gpa % vm->cfg.mem_size, n);

	if (p)
		mem_copy(p, b, n);
}

/* MOV CR3 in the guest: PAE PDPTEs are loaded from memory at that time
 * (SDM Vol 3A 4.4.1), or the MOV faults and nothing changes. */
static void guest_load_cr3(struct vm *vm, u64 cr3)
{
	const u64 *p = vm_gpa_ptr(vm, cr3 & 0xffffffe0ULL, 32);
	u64 pdpte[4] = {0, 0, 0, 0};

	if (p)
		mem_copy(pdpte, p, sizeof(pdpte));
	hostvm_guest_set_cr3(cr3, pdpte);
}

static void guest_set_rip(struct vm *vm, u8 kind, u64 val)
{
	u64 rip = vmcs(VMCS_GUEST_RIP);

	switch (kind & 3) {
	case 0: /* into the image */
		rip = vm->cfg.load_addr + (val & 0xff);
		break;
	case 1: /* an instruction that may cross a page end */
		rip = vm->cfg.load_addr + 0xff0 + (val & 0xf);
		break;
	case 2:
		rip = val;
		break;
	default: /* further on */
		rip += val & 0xff;
		break;
	}
	hostvm_guest_set_rip(rip);
}

static void apply_changes(struct vm *vm, const struct guest_change *c)
{
	for (unsigned i = 0; i < GPR_COUNT; i++) {
		if (!(c->gpr_mask & BIT(i)))
			continue;
		if (i == GPR_RSP)
			hostvm_vmcs_put(VMCS_GUEST_RSP, c->gpr[i]);
		else
			vm->vcpu.gpr[i] = c->gpr[i];
	}
	if (c->chg & 8)
		hostvm_guest_set_mode(c->mode % HOSTVM_MODE_COUNT,
				      c->mode_flags, c->mode_raw);
	if (c->chg & 2)
		guest_set_rip(vm, c->rip_kind, c->rip);
	if (c->chg & 4)
		hostvm_guest_set_rflags(c->rflags);
	if (c->chg & 16)
		guest_load_cr3(vm, c->cr3);
	if (c->chg & 32)
		hostvm_guest_set_data_seg(c->seg % 6, c->seg_flags, c->seg_base,
					  c->seg_limit);
	if (c->chg & 64)
		hostvm_guest_set_interruptibility(c->intr);
	if (c->chg & 128)
		guest_write_ram(vm, c->ram_gpa, c->ram, c->ram_len);
}

/* The exit's raw fields that the record carries (mask m), others 0. */
static void read_raw(struct fuzz_input *r, u8 m, struct hostvm_exit_raw *x)
{
	*x = (struct hostvm_exit_raw){0};
	if (m & 1)
		x->qual = fuzz_take(r, 8);
	if (m & 2)
		x->gpa = fuzz_take(r, 8);
	if (m & 4)
		x->gla = fuzz_take(r, 8);
	if (m & 8) {
		x->insn_len = (u8)fuzz_take(r, 1);
		x->pick = (u8)fuzz_take(r, 1);
	}
	if (m & 16)
		x->insn_info = (u32)fuzz_take(r, 4);
	if (m & 32) {
		x->idt_info = (u32)fuzz_take(r, 4);
		x->idt_err = (u32)fuzz_take(r, 4);
	}
	if (m & 64) {
		x->intr_info = (u32)fuzz_take(r, 4);
		x->intr_err = (u32)fuzz_take(r, 4);
	}
}

/* ---- the checks ------------------------------------------------------- */

static u64 rip_mask(void)
{
	if (hostvm_guest_64())
		return ~0ULL;
	return (vmcs(VMCS_GUEST_CS_AR) & VMX_AR_DB) ? 0xffffffffULL : 0xffff;
}

/* Whether the instruction at RIP, before the exit, is one the emulator
 * completes by jumping: its bytes read as mica's own peek reads them,
 * without a side effect on the guest. */
static bool code_is_branch(struct vcpu *v)
{
	u64 la = vmcs(VMCS_GUEST_CS_BASE) + vmcs(VMCS_GUEST_RIP);
	u32 ar = (u32)vmcs(VMCS_GUEST_CS_AR);
	enum insn_mode mode = hostvm_guest_64()	 ? INSN_MODE_64
			      : (ar & VMX_AR_DB) ? INSN_MODE_32
						 : INSN_MODE_16;
	u8 b[15];
	struct insn in;
	unsigned n = 0, off = 0;

	for (; n < sizeof(b); n++) {
		gpa_t gpa;
		const u8 *p;

		if (!guest_translate_peek(v, la + n, GWALK_ACC_FETCH, &gpa) ||
		    !(p = vm_gpa_ptr(v->vm, gpa, 1)))
			break;
		b[n] = *p;
	}
	/* behind a forced-emulation prefix, the instruction emulated */
	if (n >= FORCED_EMU_SIG_LEN &&
	    !memcmp(b, FORCED_EMU_SIG, FORCED_EMU_SIG_LEN))
		off = FORCED_EMU_SIG_LEN;
	else if (n >= FORCED_EMU_KVM_SIG_LEN &&
		 !memcmp(b, FORCED_EMU_KVM_SIG, FORCED_EMU_KVM_SIG_LEN))
		off = FORCED_EMU_KVM_SIG_LEN;
	return n > off && insn_decode(&in, b + off, n - off, mode) == INSN_OK &&
	       insn_is_branch(&in);
}

/* Did RIP move as this exit allows (see the file comment)? An emulated
 * branch may go anywhere. */
static bool rip_ok(const struct snap *s, u32 ev)
{
	u64 rip = vmcs(VMCS_GUEST_RIP), d = (rip - s->rip) & rip_mask();
	bool fault =
	    (ev & INTR_INFO_VALID) &&
	    ((ev >> INTR_INFO_TYPE_SHIFT) & 7) == INTR_TYPE_HW_EXCEPTION &&
	    (ev & 0xff) != X86_EXC_DB;
	bool forced =
	    the_vm.cfg.forced_emu && s->reason == VMX_EXIT_EXCEPTION_NMI;

	if (rip == s->rip)
		return true;
	switch (s->cls) {
	case HOSTVM_EXIT_INSN:
		return !fault && rip == ((s->rip + s->len) & rip_mask());
	case HOSTVM_EXIT_EMUL:
		if (fault)
			return forced && (d == FORCED_EMU_SIG_LEN ||
					  d == FORCED_EMU_KVM_SIG_LEN);
		return s->branch || (d >= 1 && d <= 15) ||
		       (forced && d > FORCED_EMU_KVM_SIG_LEN &&
			d <= FORCED_EMU_SIG_LEN + 15);
	default:
		return false;
	}
}

/* An instruction exit that left RIP and injected nothing must have made
 * progress: only a REP string I/O instruction stops part way. */
static bool progress_ok(const struct snap *s, u32 ev)
{
	if (s->cls != HOSTVM_EXIT_INSN || (ev & INTR_INFO_VALID) ||
	    vmcs(VMCS_GUEST_RIP) != s->rip)
		return true;
	return s->reason == VMX_EXIT_IO && (s->qual & IO_QUAL_REP) &&
	       the_vm.vcpu.gpr[GPR_RCX] != s->rcx;
}

/* An external interrupt or NMI whose delivery the exit interrupted is
 * gone unless it is injected again: nothing regenerates it (a fault,
 * INT n or INT3 recurs when the instruction runs again). */
static bool lost_event(const struct snap *s, u32 ev)
{
	unsigned type = (s->idt >> INTR_INFO_TYPE_SHIFT) & 7;

	return (s->idt & INTR_INFO_VALID) && !(ev & INTR_INFO_VALID) &&
	       (type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI);
}

static void check_exit(const struct snap *s, bool cont)
{
	u32 ev = (u32)vmcs(VMCS_ENTRY_INTR_INFO);
	struct ept_check_report er;
	const char *why;

	if (the_vm.state == VM_STOPPED && !the_vm.stop_msg[0])
		report(s, "VM stopped without a reason");
	if (hostvm_obs.intr_info_writes > 1)
		report(s, "more than one event injected in one exit");
	/* Only memory exits and hypercalls change the EPT or the memslots. */
	if ((s->reason == VMX_EXIT_VMCALL || s->reason == VMX_EXIT_SPP ||
	     s->reason == VMX_EXIT_EPT_VIOLATION ||
	     s->reason == VMX_EXIT_EPT_MISCONFIG || !s->faithful) &&
	    ept_check(&the_vm.mem.ept, &er))
		report(s, er.what);
	if (!cont || !s->faithful)
		return;
	/* A #PF re-injected from the IDT-vectoring information keeps the
	 * CR2 its detection loaded; a new one needs CR2 written. */
	if (hostvm_obs.intr_info_writes && (ev & 0x7ff) == 0x30e &&
	    !hostvm_obs.cr2_written &&
	    (vmcs(VMCS_IDT_VECTORING_INFO) & 0x800007ffU) != 0x8000030eU)
		report(s, "#PF injected without CR2");
	why = hostvm_entry_event_check();
	if (!why)
		why = hostvm_entry_state_check();
	if (why)
		report(s, why);
	if (!rip_ok(s, ev))
		report(s, "RIP moved by other than the instruction's length");
	if (s->cls == HOSTVM_EXIT_INSN && vmcs(VMCS_GUEST_RIP) != s->rip &&
	    (vmcs(VMCS_GUEST_INTERRUPTIBILITY) & 3))
		report(s, "instruction skipped under STI/MOV-SS blocking kept");
	if (lost_event(s, ev))
		report(s, "the interrupt or NMI being delivered at the exit is "
			  "lost: not re-injected (SDM Vol 3C \"Information for "
			  "VM Exits During Event Delivery\")");
	if (!progress_ok(s, ev))
		report(s, "instruction exit neither completed nor faulted: the "
			  "guest would exit on it forever");
}

/* MICA_FUZZ_EXIT_TRACE=1: one line per exit, to see what an input does. */
static void trace(const struct snap *s)
{
	static int on = -1;

	if (on < 0)
		on = getenv("MICA_FUZZ_EXIT_TRACE") != NULL;
	if (!on)
		return;
	fprintf(stderr,
		"exit 0x%x (%s) qual 0x%lx RIP 0x%lx -> 0x%lx, inject 0x%lx, "
		"RAX 0x%lx, emulated %lu skipped %lu, state %d %s\n",
		s->reason, vmx_exit_reason_name(s->reason & 0xffff), s->qual,
		s->rip, vmcs(VMCS_GUEST_RIP), vmcs(VMCS_ENTRY_INTR_INFO),
		the_vm.vcpu.gpr[GPR_RAX], the_vm.counters[CNT_EMULATED],
		the_vm.counters[CNT_EMULATION_SKIPPED], the_vm.state,
		the_vm.stop_msg);
}

/* One exit; false when the VM no longer runs. */
static bool run_exit(struct fuzz_input *r, bool garbage_ok)
{
	struct vcpu *v = &the_vm.vcpu;
	u8 sel = (u8)fuzz_take(r, 1), fields;
	struct guest_change c;
	struct hostvm_exit_raw raw;
	struct snap s = {0};
	const char *why;
	u32 list[64];
	bool cont;

	read_changes(r, &c);
	fields = (u8)fuzz_take(r, 1);
	read_raw(r, fields, &raw);
	/* An exit in the delivery of the event the entry injected comes
	 * before the guest's first instruction: it changed nothing. */
	if (!((raw.idt_info & INTR_INFO_VALID) && (raw.idt_info & BIT(30)) &&
	      (vmcs(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)))
		apply_changes(&the_vm, &c);
	s.faithful = !(garbage_ok && (sel & 0x80));
	if (s.faithful) {
		unsigned n = hostvm_exit_possible(list, ARRAY_SIZE(list));
		u32 want = (sel & 0x7f) % VMX_EXIT_REASON_MAX;

		/* the first possible reason from number want on */
		s.reason = list[0];
		for (unsigned i = n; i-- > 0;)
			if (VMX_EXIT_REASON_BASIC(list[i]) >= want)
				s.reason = list[i];
		s.faithful =
		    hostvm_exit_emit(v, s.reason, &raw, the_vm.cfg.mem_size);
		s.reason = (u32)vmcs(VMCS_EXIT_REASON);
		why = hostvm_entry_state_check();
		if (why) /* a harness bug: the guest could not be here */
			report(&s, why);
	} else {
		s.reason = (u32)fuzz_take(r, 4);
		if (!(s.reason & 0x40000000))
			s.reason &= 0x8000007f;
		hostvm_exit_emit_garbage(s.reason, &raw);
	}
	s.rip = vmcs(VMCS_GUEST_RIP);
	s.len = vmcs(VMCS_EXIT_INSN_LEN);
	s.qual = vmcs(VMCS_EXIT_QUALIFICATION);
	s.rcx = v->gpr[GPR_RCX];
	s.idt = (u32)vmcs(VMCS_IDT_VECTORING_INFO);
	s.cls = hostvm_exit_class(s.reason);
	s.branch = s.cls == HOSTVM_EXIT_EMUL && code_is_branch(v);
	hostvm_obs_clear();
	cont = c_vmx_exit(v);
	trace(&s);
	check_exit(&s, cont);
	return cont;
}

static void setup_ram(struct fuzz_input *r, u8 flags)
{
	u64 *pml4 = vm_gpa_ptr(&the_vm, GUEST_PML4, 8);

	if (flags & 4) /* no page tables at all */
		*pml4 = 0;
	for (unsigned i = 0; i < (flags & 3u); i++) {
		u64 gpa = fuzz_take(r, 4);
		u8 b[32];
		unsigned n = 1 + (unsigned)fuzz_take(r, 1) % sizeof(b);

		for (unsigned k = 0; k < n; k++)
			b[k] = (u8)fuzz_take(r, 1);
		guest_write_ram(&the_vm, gpa, b, n);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static char cmdline[128];
	struct fuzz_input r = {data, size};
	u8 prof = (u8)fuzz_take(&r, 1), cfgb = (u8)fuzz_take(&r, 1);
	u8 ram = (u8)fuzz_take(&r, 1), ilen = (u8)fuzz_take(&r, 1);
	struct hostvm_profile p = profile_of(prof);
	struct vm_config cfg;
	const char *why;
	char err[96];
	u8 image[IMAGE_MAX];
	size_t n = 1 + ilen % IMAGE_MAX;

	hostvm_reset(&p);
	hostvm_set_tsc_step(1 + (fuzz_take(&r, 2) << 5)); /* up to 2^21 */
	if (vmx_probe(&why))
		panic("fuzz_exit: the fake CPU has no usable VMX: %s", why);
	cmdline_of(cfgb, cmdline, sizeof(cmdline));
	if (vm_config_parse(cmdline, &cfg, err, sizeof(err)))
		panic("fuzz_exit: %s: %s", cmdline, err);
	for (size_t i = 0; i < n; i++)
		image[i] = (u8)fuzz_take(&r, 1);
	cfg.image = image;
	cfg.image_size = n;
	if (!vm_create(&the_vm, &cfg, 0)) {
		setup_ram(&r, ram);
		/* The host runs out of frames after a few more allocations:
		 * the memory hypercalls must fail cleanly (-ENOMEM). */
		if (prof & 1)
			hostvm_mem_fail_after(fuzz_take(&r, 1) % 4, true);
		for (unsigned i = 0; i < MAX_EXITS && r.n; i++)
			if (!run_exit(&r, prof & 128))
				break;
	}
	vm_destroy(&the_vm);
	if (hostvm_mem_allocated_pages())
		panic("fuzz_exit: %lu host frames leaked by the VM",
		      hostvm_mem_allocated_pages());
	return 0;
}
