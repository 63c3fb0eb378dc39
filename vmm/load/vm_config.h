/* SPDX-License-Identifier: MIT */
/*
 * What a VM is made of, as given on its module command line
 * (docs/guests.md). Pure: shared by the hypervisor and the host tests.
 */
#ifndef MICA_VMM_LOAD_VM_CONFIG_H
#define MICA_VMM_LOAD_VM_CONFIG_H

#include "mm/base/types.h"

enum vm_mode {
	VM_MODE_LONG64, /* 64-bit, paging on, identity page tables */
	VM_MODE_PROT32, /* 32-bit flat, paging off (multiboot1 contract) */
	VM_MODE_REAL,	/* real mode, needs unrestricted guest */
};

/* Test-only damage to the initial guest state (option broken=...). */
enum vm_broken {
	VM_BROKEN_NONE,
	VM_BROKEN_CR0_PE_PG, /* broken=cr0: CR0.PG=1 with PE=0 */
	VM_BROKEN_CS_L_DB,   /* broken=cs: 64-bit CS with L=1 and D/B=1 */
	VM_BROKEN_RFLAGS,    /* broken=rflags: reserved RFLAGS bit 1 clear */
};

/* How the guest is expected to end (option expect=...), judged by mica. */
enum vm_expect {
	VM_EXPECT_EXIT, /* expect=exit:N (default exit:0) */
	VM_EXPECT_STOP, /* expect=stop:WORD: stopped, message contains WORD */
};

#define VM_NAME_MAX	  24
#define VM_EXPECT_MSG_MAX 32
#define VM_MEM_DEFAULT	  (16ULL << 20)
#define VM_MEM_MAX	  (1ULL << 30)
#define VM_BUDGET_DEFAULT 500000000ULL
#define VM_SLOTS_DEFAULT  512

/* A module handed on to the guest in its multiboot1 information. */
struct vm_module {
	const u8 *data;
	size_t size;
	const char *cmdline;
};

#define VM_MODS_MAX	  4
#define VM_MODS_NAMES_MAX 96

/* apicv=: the local APIC path (docs/guests.md, "Interrupt platform"). */
enum vm_apicv {
	VM_APICV_AUTO,	 /* all the CPU offers */
	VM_APICV_ACCESS, /* TPR shadow and the APIC-access page only */
	VM_APICV_OFF,	 /* trap and emulate every access */
};

struct vm_config {
	char name[VM_NAME_MAX];
	u64 mem_size; /* guest RAM from GPA 0, bytes, multiple of 2 MiB */
	enum vm_mode mode;
	gpa_t load_addr; /* flat images: where to load and enter */
	u64 budget;	 /* instructions (TSC ticks) before the VM is stopped */
	enum vm_broken broken;
	bool forced_emu; /* forced-emu: ud2 + "mica" emulates the next insn */
	bool no_mmio_cache;  /* no-mmio-cache: walk on every MMIO exit */
	bool spp_soft;	     /* spp=soft: software SPP path on SPP hardware */
	enum vm_apicv apicv; /* apicv=: how much of the APIC the CPU runs */
	u32 max_slots;	     /* slots=N: memslot capacity (KVM: 32764) */
	enum vm_expect expect;
	u64 expect_code;
	char expect_msg[VM_EXPECT_MSG_MAX];
	const u8 *image; /* the module, in host memory */
	size_t image_size;
	const char *cmdline; /* the module's command line */
	const char *args;    /* the kernel's arguments: the text after the
			      * word "--", NULL without one */
	bool data;	     /* data: not a guest, only handed to others */
	char mod_names[VM_MODS_NAMES_MAX];  /* mods=a,b: modules to pass on */
	struct vm_module mods[VM_MODS_MAX]; /* resolved by the caller */
	unsigned nmods;
};

/* The longest option text (between the name and "--") of a line that
 * passes kernel arguments. */
#define VM_OPTS_MAX 256

/*
 * Fill cfg from a module command line "<name> key=value ... [-- ARGS]".
 * Unknown keys before "--" are errors (a typo must not silently change a
 * test); everything after it is the kernel's, unread. Returns 0, or
 * -EINVAL with a message in err (size errlen).
 */
int vm_config_parse(const char *cmdline, struct vm_config *cfg, char *err,
		    size_t errlen) __must_check;

/*
 * The command line the guest receives in its multiboot1 information:
 * "<name> ARGS" when the module line has "--" ("<name>" when nothing
 * follows it), as "qemu -append" passes the kernel's name and arguments;
 * else the whole module line, options included (test guests read case=
 * and the like from it). Writes it NUL-terminated to buf (size n).
 * Returns its length, or -E2BIG when it does not fit (buf then holds "").
 */
int vm_config_kernel_cmdline(const struct vm_config *cfg, char *buf,
			     size_t n) __must_check;

#endif /* MICA_VMM_LOAD_VM_CONFIG_H */
