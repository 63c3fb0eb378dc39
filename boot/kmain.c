/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's C entry: console, exception handling, boot information,
 * memory, VMX probe, then the guests named on the command line. Every path
 * ends in platform_exit() with a status the test harness reads.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/clock.h"
#include "arch/x86/vmx_caps.h"
#include "boot/parse/cmdline.h"
#include "mm/base/layout.h"
#include "boot/parse/mb2.h"
#include "mm/base/console.h"
#include "mm/base/platform.h"
#include "mm/mm.h"
#include "mm/base/errno.h"
#include "vmm/run/guests.h"
#include "vmm/run/vmx_init.h"

#define MICA_VERSION "0.1"
#define MB2_MAX_MMAP 128
#define MB2_MAX_MODS 32
/* The early page tables map the first 4 GiB; boot data must lie there. */
#define EARLY_MAPPED_LIMIT (4ULL << 30)

static u64 boot_tsc;

static struct mb2_mmap_entry boot_mmap[MB2_MAX_MMAP];
static struct mb2_module boot_mods[MB2_MAX_MODS];
static struct mb2_info boot_info = {
    .mmap = boot_mmap,
    .mmap_cap = MB2_MAX_MMAP,
    .mods = boot_mods,
    .mods_cap = MB2_MAX_MODS,
};

static void parse_boot_info(u32 magic, u32 info_pa)
{
	size_t max_len = EARLY_MAPPED_LIMIT - info_pa;

	if (mb2_parse(phys_ptr(info_pa), magic, max_len, &boot_info)) {
		printk("mica: unusable boot information: %s (%s at offset "
		       "0x%x)\n",
		       boot_info.msg, mb2_error_name(boot_info.error),
		       boot_info.error_offset);
		platform_exit(MICA_EXIT_BAD_BOOT);
	}
	printk("mica: loader \"%s\", command line \"%s\"\n",
	       boot_info.loader_name ? boot_info.loader_name : "?",
	       boot_info.cmdline ? boot_info.cmdline : "");
	for (u32 i = 0; i < boot_info.mmap_count; i++)
		printk("  mem %016lx-%016lx %s\n", boot_mmap[i].base,
		       boot_mmap[i].base + boot_mmap[i].len - 1,
		       mb2_mem_type_name(boot_mmap[i].type));
	for (u32 i = 0; i < boot_info.mods_count; i++)
		printk("  module %lx-%lx \"%s\"\n", boot_mods[i].start,
		       boot_mods[i].end, boot_mods[i].cmdline);
}

/* Mask both 8259 PICs: mica takes no device interrupts, and a pending one
 * would otherwise cause an external-interrupt exit storm. */
static void pic_mask_all(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* Test-only faults requested with mica.selftest=... */
static void run_selftest(const char *cmdline)
{
	char what[16];

	if (cmdline_get(cmdline, "mica.selftest", what, sizeof(what)) < 0)
		return;
	if (!mem_cmp(what, "fault", 6)) {
		printk("mica: selftest: deliberate #UD\n");
		trap_selftest_fault();
	}
	if (!mem_cmp(what, "write-text", 11)) {
		printk("mica: selftest: writing to kernel text at %p\n",
		       (void *)__text_start);
		*(volatile u8 *)__text_start = 0xcc;
	}
	if (!mem_cmp(what, "exec-data", 10)) {
		static u8 ret_insn[1] = {0xc3};

		printk("mica: selftest: executing data at %p\n",
		       (void *)ret_insn);
		((void (*)(void))(uintptr_t)ret_insn)();
	}
	printk("mica: selftest %s did not fault\n", what);
}

__noreturn __used void c_kmain(u32 magic, u32 info_pa, u64 entry_tsc);

void c_kmain(u32 magic, u32 info_pa, u64 entry_tsc)
{
	const char *why;

	boot_tsc = entry_tsc;
	console_init();
	trap_init();
	pic_mask_all();
	printk("\nmica %s: x86-64 microhypervisor\n", MICA_VERSION);
	parse_boot_info(magic, info_pa);
	mm_init(&boot_info, info_pa);
	mm_paging_init(&boot_info);
	run_selftest(boot_info.cmdline);

	if (vmx_probe(&why)) {
		printk("mica: VMX not available: %s\n", why);
		platform_exit(MICA_EXIT_NO_VMX);
	}
	vmx_caps_report();
	tsc_calibrate();
	if (vmx_init())
		platform_exit(MICA_EXIT_PANIC);
	u64 ready = rdtsc() - boot_tsc;
	printk("mica: ready after %lu instructions from entry (%u bytes of "
	       "console output still queued)\n",
	       ready, console_pending());
	/* make bench subtracts it from a guest's first RDTSC */
	printk("mica: TSC at multiboot entry %lu\n", boot_tsc);
	if (guests_run(&boot_info, boot_info.cmdline))
		platform_exit(MICA_EXIT_FAIL);
	platform_exit(MICA_EXIT_OK);
}
