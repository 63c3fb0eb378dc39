/* SPDX-License-Identifier: MIT */
/*
 * Boot structures in guest memory. The multiboot1 information block follows
 * the Multiboot Specification 0.6.96, section 3.3: flags bit 0 (mem_lower,
 * mem_upper), bit 2 (cmdline), bit 3 (modules) and bit 6 (memory map).
 * 64-bit guests get identity page tables covering 4 GiB with 2 MiB pages,
 * so they may touch MMIO above their RAM. Where each goes is the layout's
 * (vmm/load/guest_layout.h): around the image, wherever it lies.
 */
#include "mm/base/console.h"
#include "mm/base/errno.h"
#include "mm/lib/fmt.h"
#include "vmm/run/guest_boot.h"
#include "vmm/load/guest_layout.h"
#include "vmm/vm.h"

#define PTE_P  BIT(0)
#define PTE_W  BIT(1)
#define PTE_PS BIT(7)

#define MB1_INFO_MEMORY	  BIT(0)
#define MB1_INFO_CMDLINE  BIT(2)
#define MB1_INFO_MODS	  BIT(3)
#define MB1_INFO_MMAP	  BIT(6)
#define MB1_MEM_AVAILABLE 1
#define MB1_MEM_RESERVED  2

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __packed;

/* Module entry (spec section 3.3). */
struct mb1_module {
	u32 mod_start, mod_end, string, reserved;
} __packed;

/* Memory map entry; `size` excludes itself (spec section 3.3). */
struct mb1_mmap {
	u32 size;
	u64 base, len;
	u32 type;
} __packed;

static void write_gdt(struct vm *vm)
{
	u64 *gdt = vm_gpa_ptr(vm, vm->layout.gdt, 6 * 8);
	u64 tss = vm->layout.tss;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL; /* 64-bit code */
	gdt[2] = 0x00cf93000000ffffULL; /* data */
	gdt[3] = 0x00cf9b000000ffffULL; /* 32-bit code */
	/* busy 32/64-bit TSS, limit 0x67 (SDM Vol 3A 8.2.2) */
	gdt[4] = 0x67 | ((tss & 0xffffff) << 16) | (0x8bULL << 40) |
		 (((tss >> 24) & 0xff) << 56);
	gdt[5] = 0;
	/* The TSS is zeroed RAM; its I/O map base (offset 0x66) points past
	 * the limit, so the TSS has no I/O permission bitmap and I/O at
	 * CPL > IOPL is #GP(0), instead of the TSS's own bytes serving as a
	 * bitmap from offset 0 (SDM Vol 1 "I/O Permission Bit Map"). */
	*(u16 *)vm_gpa_ptr(vm, tss + 0x66, 2) = 0x68;
}

static void write_page_tables(struct vm *vm)
{
	const struct guest_layout *l = &vm->layout;
	u64 *pml4 = vm_gpa_ptr(vm, l->pml4, PAGE_SIZE);
	u64 *pdpt = vm_gpa_ptr(vm, l->pdpt, PAGE_SIZE);
	u64 *pd = vm_gpa_ptr(vm, l->pd, 4 * PAGE_SIZE);

	pml4[0] = l->pdpt | PTE_P | PTE_W;
	for (u64 i = 0; i < 4; i++)
		pdpt[i] = (l->pd + i * PAGE_SIZE) | PTE_P | PTE_W;
	for (u64 i = 0; i < 4 * 512; i++)
		pd[i] = (i * SIZE_2M) | PTE_P | PTE_W | PTE_PS;
}

static void write_mb1_mmap(struct vm *vm, struct mb1_info *mi)
{
	/* Conventional memory, the EBDA/BIOS hole, then RAM from 1 MiB. The
	 * hole is RAM in the guest's address space (zero-filled), reported
	 * reserved as a PC BIOS would. */
	const struct mb1_mmap map[] = {
	    {20, 0, 0x9fc00, MB1_MEM_AVAILABLE},
	    {20, 0x9fc00, 0x100000 - 0x9fc00, MB1_MEM_RESERVED},
	    {20, 0x100000, vm->cfg.mem_size - 0x100000, MB1_MEM_AVAILABLE},
	};

	mem_copy(vm_gpa_ptr(vm, vm->layout.mmap, sizeof(map)), map,
		 sizeof(map));
	mi->mmap_addr = (u32)vm->layout.mmap;
	mi->mmap_length = sizeof(map);
}

/* -EINVAL when the kernel's command line does not fit its page. */
static int write_mb1_info(struct vm *vm, struct mb1_info *mi)
{
	char *cl = vm_gpa_ptr(vm, vm->layout.cmdline, GUEST_MB1_CMDLINE_MAX);

	if (vm_config_kernel_cmdline(&vm->cfg, cl, GUEST_MB1_CMDLINE_MAX) < 0) {
		printk("mica: guest %s: its command line is longer than %u "
		       "bytes\n",
		       vm->cfg.name, GUEST_MB1_CMDLINE_MAX - 1);
		return -EINVAL;
	}
	mem_set(mi, 0, sizeof(*mi));
	mi->flags =
	    MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP;
	mi->mem_lower = 639;
	mi->mem_upper = (u32)((vm->cfg.mem_size - 0x100000) >> 10);
	mi->cmdline = (u32)vm->layout.cmdline;
	write_mb1_mmap(vm, mi);
	return 0;
}

/*
 * Modules named by mods= go where the layout put them (page-aligned above
 * the image), their list and command lines to the information page.
 * -EINVAL when the strings do not fit.
 */
static int write_mb1_mods(struct vm *vm, struct mb1_info *mi)
{
	const struct guest_layout *l = &vm->layout;
	struct mb1_module *list =
	    vm_gpa_ptr(vm, l->mod_list, GUEST_MB1_MODS_MAX);
	u64 strings = l->mod_list + VM_MODS_MAX * sizeof(*list);

	mi->mods_count = vm->cfg.nmods;
	mi->mods_addr = (u32)l->mod_list;
	for (unsigned i = 0; i < vm->cfg.nmods; i++) {
		const struct vm_module *m = &vm->cfg.mods[i];
		size_t len = 0;

		while (m->cmdline[len])
			len++;
		if (strings + len + 1 > l->mod_list + GUEST_MB1_MODS_MAX) {
			printk("mica: guest %s: the command lines of its "
			       "modules exceed %u bytes\n",
			       vm->cfg.name,
			       (unsigned)(GUEST_MB1_MODS_MAX -
					  VM_MODS_MAX * sizeof(*list)));
			return -EINVAL;
		}
		mem_copy(vm_gpa_ptr(vm, l->mods[i], m->size ? m->size : 1),
			 m->data, m->size);
		mem_copy(vm_gpa_ptr(vm, strings, len + 1), m->cmdline, len + 1);
		list[i] = (struct mb1_module){(u32)l->mods[i],
					      (u32)(l->mods[i] + m->size),
					      (u32)strings, 0};
		strings += len + 1;
	}
	return 0;
}

/* Place everything around the image; false after printing why not. */
static bool place(struct vm *vm)
{
	struct guest_layout_req req = {
	    .mode = vm->cfg.mode,
	    .ram_size = vm->cfg.mem_size,
	    .image_lo = vm->image_start,
	    .image_hi = vm->image_end,
	    .nmods = vm->cfg.nmods,
	};
	const struct guest_layout *l = &vm->layout;
	char err[160], pt[40] = "";

	for (unsigned i = 0; i < vm->cfg.nmods; i++)
		req.mod_size[i] = vm->cfg.mods[i].size;
	if (guest_layout_place(&req, &vm->layout, err, sizeof(err))) {
		printk("mica: guest %s: %s\n", vm->cfg.name, err);
		return false;
	}
	if (!l->moved)
		return true;
	if (l->pml4)
		fmt_snprintf(pt, sizeof(pt), ", page tables at 0x%lx", l->pml4);
	printk("mica: guest %s: image at 0x%lx-0x%lx: GDT at 0x%lx, "
	       "information at 0x%lx, stack top 0x%lx%s\n",
	       vm->cfg.name, vm->image_start, vm->image_end - 1, l->gdt,
	       l->info, l->stack_top, pt);
	return true;
}

int guest_boot_setup(struct vm *vm)
{
	struct mb1_info *mi;

	if (vm->cfg.mem_size < 2 * 0x100000 || !place(vm))
		return -EINVAL;
	mi = vm_gpa_ptr(vm, vm->layout.info, sizeof(*mi));
	write_gdt(vm);
	if (write_mb1_info(vm, mi) || write_mb1_mods(vm, mi))
		return -EINVAL;
	if (vm->cfg.mode == VM_MODE_LONG64)
		write_page_tables(vm);
	vm->vcpu.gpr[GPR_RAX] = MB1_BOOTLOADER_MAGIC;
	vm->vcpu.gpr[GPR_RBX] = vm->layout.info;
	return 0;
}
