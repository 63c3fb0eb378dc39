/* SPDX-License-Identifier: MIT */
/*
 * Running the guests GRUB loaded as modules, one after another, each in a
 * fresh VM. The hypervisor option guests=a,b,... picks and orders them by
 * name. Every guest ends with a one-line summary, and a TAP line saying
 * whether it ended as its module line expected (expect=, docs/guests.md).
 */
#include "arch/x86/cpu.h"
#include "boot/parse/cmdline.h"
#include "mm/base/layout.h"
#include "mm/base/console.h"
#include "mm/mm.h"
#include "vmm/run/guests.h"
#include "vmm/vm.h"

#define GUESTS_MAX 32

static struct vm the_vm;
static unsigned tap_n, guests_ran;

static bool ended_as_expected(const struct vm *vm)
{
	const struct vm_config *c = &vm->cfg;
	const char *m = vm->stop_msg, *w = c->expect_msg;

	if (c->expect == VM_EXPECT_EXIT)
		return vm->state == VM_DONE && vm->exit_code == c->expect_code;
	if (vm->state != VM_STOPPED)
		return false;
	for (; *m; m++) {
		size_t i = 0;

		while (w[i] && m[i] == w[i])
			i++;
		if (!w[i])
			return true;
	}
	return false;
}

static void summarize(const struct vm *vm, u64 insns)
{
	bool ok = ended_as_expected(vm);

	if (vm->state == VM_DONE)
		printk("mica: guest %s: exited with code %lu after %lu exits, "
		       "%lu instructions\n",
		       vm->cfg.name, vm->exit_code, vm->vcpu.exits_total,
		       insns);
	else
		printk("mica: guest %s: stopped: %s (after %lu exits)\n",
		       vm->cfg.name, vm->stop_msg, vm->vcpu.exits_total);
	if (vm->cfg.expect == VM_EXPECT_EXIT)
		printk("%sok %u - guest %s ended as expected (exit %lu)\n",
		       ok ? "" : "not ", ++tap_n, vm->cfg.name,
		       vm->cfg.expect_code);
	else
		printk("%sok %u - guest %s ended as expected (stopped: %s)\n",
		       ok ? "" : "not ", ++tap_n, vm->cfg.name,
		       vm->cfg.expect_msg);
}

static bool name_matches(const char *cmdline, const char *name, size_t len);
static const struct mb2_info *boot_info;

/* Resolve mods=a,b against the boot modules; false after printing why. */
static bool resolve_mods(struct vm_config *cfg)
{
	const char *p = cfg->mod_names;

	while (*p) {
		size_t len = 0;
		const struct mb2_module *found = NULL;

		while (p[len] && p[len] != ',')
			len++;
		for (u32 i = 0; i < boot_info->mods_count && !found; i++)
			if (name_matches(boot_info->mods[i].cmdline, p, len))
				found = &boot_info->mods[i];
		if (!found || cfg->nmods == VM_MODS_MAX) {
			printk("mica: guest %s: %s module %.*s\n", cfg->name,
			       found ? "too many modules, cannot pass on"
				     : "no such module to pass on:",
			       (int)len, p);
			return false;
		}
		cfg->mods[cfg->nmods++] = (struct vm_module){
		    phys_ptr(found->start), found->end - found->start,
		    found->cmdline};
		p += len + (p[len] == ',');
	}
	return true;
}

/* Run one module; returns false when it did not end as expected. */
static bool run_module(const struct mb2_module *m, unsigned id)
{
	struct vm_config cfg;
	char err[96];
	u64 t0 = 0;
	bool ok;

	if (vm_config_parse(m->cmdline, &cfg, err, sizeof(err))) {
		printk("mica: module %u \"%s\": %s\n", id, m->cmdline, err);
		printk("not ok %u - module %u has a valid command line\n",
		       ++tap_n, id);
		return false;
	}
	if (cfg.data) {
		printk("mica: module %s: data for other guests\n", cfg.name);
		return true;
	}
	guests_ran++;
	if (!resolve_mods(&cfg)) {
		printk("not ok %u - guest %s: modules to pass on exist\n",
		       ++tap_n, cfg.name);
		return false;
	}
	cfg.image = phys_ptr(m->start);
	cfg.image_size = m->end - m->start;
	printk("mica: guest %s: %lu MiB, %s mode, %zu-byte image\n", cfg.name,
	       cfg.mem_size >> 20,
	       cfg.mode == VM_MODE_LONG64   ? "64-bit"
	       : cfg.mode == VM_MODE_PROT32 ? "32-bit"
					    : "real",
	       cfg.image_size);
	if (vm_create(&the_vm, &cfg, id)) {
		vm_stop(&the_vm, "could not be created");
	} else {
		t0 = rdtsc();
		vm_run(&the_vm);
		t0 = rdtsc() - t0;
	}
	vm_destroy(&the_vm);
	summarize(&the_vm, t0);
	ok = ended_as_expected(&the_vm);
	console_poll();
	return ok;
}

static bool name_matches(const char *cmdline, const char *name, size_t len)
{
	char w[VM_NAME_MAX];
	int n = cmdline_word(cmdline, 0, w, sizeof(w));

	return n == (int)len && !mem_cmp(w, name, len);
}

int guests_run(const struct mb2_info *info, const char *hv_cmdline)
{
	boot_info = info;
	char sel[256];
	unsigned failed = 0;

	if (cmdline_get(hv_cmdline, "guests", sel, sizeof(sel)) < 0) {
		for (u32 i = 0; i < info->mods_count; i++)
			failed += !run_module(&info->mods[i], i);
	} else {
		for (const char *p = sel; *p;) {
			size_t len = 0;
			bool found = false;

			while (p[len] && p[len] != ',')
				len++;
			for (u32 i = 0; i < info->mods_count && !found; i++)
				if (name_matches(info->mods[i].cmdline, p,
						 len)) {
					failed +=
					    !run_module(&info->mods[i], i);
					found = true;
				}
			if (!found) {
				printk("mica: no guest module named %.*s\n",
				       (int)len, p);
				failed++;
			}
			p += len + (p[len] == ',');
		}
	}
	printk("mica: %u guests ran, %u did not end as expected\n", guests_ran,
	       failed);
	return failed ? -1 : 0;
}
