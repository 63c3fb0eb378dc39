/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor exception handling: exception-table fixups for instructions
 * that are allowed to fault (rdmsr_safe), and a full state dump for
 * everything else. Never reboots silently: the run ends with the panic
 * status so the harness sees a clean failure.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/trap.h"
#include "mm/base/console.h"
#include "mm/base/platform.h"

extern const struct extable_entry __extable_start[], __extable_end[];

static const char *const exception_names[32] = {
    [X86_EXC_DE] = "#DE", [X86_EXC_DB] = "#DB", [X86_EXC_NMI] = "NMI",
    [X86_EXC_BP] = "#BP", [X86_EXC_OF] = "#OF", [X86_EXC_BR] = "#BR",
    [X86_EXC_UD] = "#UD", [X86_EXC_NM] = "#NM", [X86_EXC_DF] = "#DF",
    [9] = "#MF9",	  [X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP",
    [X86_EXC_SS] = "#SS", [X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF",
    [X86_EXC_MF] = "#MF", [X86_EXC_AC] = "#AC", [X86_EXC_MC] = "#MC",
    [X86_EXC_XM] = "#XM", [X86_EXC_VE] = "#VE", [X86_EXC_CP] = "#CP",
    [29] = "#VC",	  [30] = "#SX",
};

const char *x86_exception_name(unsigned vector)
{
	if (vector < ARRAY_SIZE(exception_names) && exception_names[vector])
		return exception_names[vector];
	return "#??";
}

static const struct extable_entry *extable_find(u64 rip)
{
	/* Linker-script bounds: compare as integers, not as C objects. */
	size_t n = ((u64)__extable_end - (u64)__extable_start) /
		   sizeof(struct extable_entry);

	for (size_t i = 0; i < n; i++)
		if (__extable_start[i].insn == rip)
			return &__extable_start[i];
	return NULL;
}

static void dump_frame(const struct trap_frame *tf)
{
	printk("mica: EXCEPTION %s (vector %lu) error 0x%lx\n",
	       x86_exception_name((unsigned)tf->vector), tf->vector,
	       tf->error_code);
	printk("  RIP %04lx:%016lx RFLAGS %016lx\n", tf->cs, tf->rip,
	       tf->rflags);
	printk("  RSP %04lx:%016lx CR2 %016lx\n", tf->ss, tf->rsp, read_cr2());
	printk("  RAX %016lx RBX %016lx RCX %016lx\n", tf->rax, tf->rbx,
	       tf->rcx);
	printk("  RDX %016lx RSI %016lx RDI %016lx\n", tf->rdx, tf->rsi,
	       tf->rdi);
	printk("  RBP %016lx R8  %016lx R9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	printk("  R10 %016lx R11 %016lx R12 %016lx\n", tf->r10, tf->r11,
	       tf->r12);
	printk("  R13 %016lx R14 %016lx R15 %016lx\n", tf->r13, tf->r14,
	       tf->r15);
	printk("  CR0 %016lx CR3 %016lx CR4 %016lx\n", read_cr0(), read_cr3(),
	       read_cr4());
}

void c_handle_exception(struct trap_frame *tf)
{
	const struct extable_entry *fix = extable_find(tf->rip);

	if (fix && tf->vector == X86_EXC_GP) {
		tf->rip = fix->fixup;
		return;
	}
	dump_frame(tf);
	platform_exit(MICA_EXIT_PANIC);
}

void trap_init(void)
{
	desc_init();
}

void trap_selftest_fault(void)
{
	__asm__ volatile("movabs $0x5afe5afe5afe5afe, %%rax\n\t"
			 "ud2" ::
			     : "rax");
	__builtin_unreachable();
}
