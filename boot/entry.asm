; SPDX-License-Identifier: MIT
; mica entry: multiboot2 header, 32-bit protected-mode entry from GRUB, early
; page tables, the switch to long mode and the jump to the higher-half kernel.
;
; GRUB enters _start in 32-bit protected mode, paging off, EAX = multiboot2
; magic, EBX = physical address of the boot information (Multiboot2 spec,
; "I386 machine state"). The early tables map the first 4 GiB three times:
; identity (for this trampoline), at the physmap base (C reaches physical
; memory there) and the first 1 GiB at -2 GiB for the -mcmodel=kernel image.

%include "mm/base/layout.inc"

MB2_MAGIC      equ 0xE85250D6
MB2_ARCH_I386  equ 0
MB2_BOOT_MAGIC equ 0x36D76289

CR0_PE  equ 1 << 0
CR0_WP  equ 1 << 16
CR0_PG  equ 1 << 31
CR4_PAE equ 1 << 5
MSR_EFER equ 0xC0000080
EFER_LME equ 1 << 8
EFER_NXE equ 1 << 11

PTE_P   equ 1 << 0
PTE_W   equ 1 << 1
PTE_PS  equ 1 << 7

section .mb2hdr align=8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; information request: memory map, modules, command line, loader name,
	; ACPI RSDP (old and new); optional so an older loader still boots us
	align 8
	dw 1, 1                         ; type 1, flags: optional
	dd 8 + 6 * 4
	dd 6, 3, 1, 2, 14, 15
	align 8
	dw 0, 0                         ; end tag
	dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
global _start
_start:
	cli
	cld
	mov esp, boot_stack_top
	mov [boot_mb_magic], eax
	mov [boot_mb_info], ebx
	rdtsc                           ; boot cost is measured from here
	mov [boot_tsc], eax
	mov [boot_tsc + 4], edx

	; Long mode needs CPUID leaf 0x80000001 EDX bit 29 (SDM Vol 2A CPUID).
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode

	call build_early_tables

	mov eax, CR4_PAE
	mov cr4, eax
	mov eax, early_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	; NXE only when the CPU has it (CPUID 0x80000001 EDX bit 20).
	test dword [boot_nx_ok], 1
	jz .no_nx
	or eax, EFER_NXE
.no_nx:
	wrmsr
	mov eax, CR0_PE | CR0_WP | CR0_PG
	mov cr0, eax
	lgdt [boot_gdt_ptr]
	jmp 0x08:long_mode_low

.no_long_mode:
	mov esi, msg_no_lm
.print:
	lodsb
	test al, al
	jz .halt
	mov dx, 0x3F8
	out dx, al
	mov dx, 0xE9
	out dx, al
	jmp .print
.halt:
	hlt
	jmp .halt

; Fill the early PML4, one PDPT (four PDs, 2 MiB pages: 4 GiB) and the
; high PDPT. Every entry is written, so nothing relies on zeroed BSS.
build_early_tables:
	mov eax, 0x80000001
	cpuid
	shr edx, 20
	and edx, 1
	mov [boot_nx_ok], edx

	mov edi, early_pml4
	xor eax, eax
	mov ecx, 3 * 1024               ; PML4, PDPT low, PDPT high
	rep stosd
	mov dword [early_pml4 + 0 * 8], early_pdpt_low + (PTE_P | PTE_W)
	mov dword [early_pml4 + PHYSMAP_PML4_INDEX * 8], early_pdpt_low + (PTE_P | PTE_W)
	mov dword [early_pml4 + 511 * 8], early_pdpt_high + (PTE_P | PTE_W)
	mov dword [early_pdpt_low + 0 * 8], early_pd + 0 * 4096 + (PTE_P | PTE_W)
	mov dword [early_pdpt_low + 1 * 8], early_pd + 1 * 4096 + (PTE_P | PTE_W)
	mov dword [early_pdpt_low + 2 * 8], early_pd + 2 * 4096 + (PTE_P | PTE_W)
	mov dword [early_pdpt_low + 3 * 8], early_pd + 3 * 4096 + (PTE_P | PTE_W)
	mov dword [early_pdpt_high + 510 * 8], early_pd + (PTE_P | PTE_W)

	; 2048 PDEs of 2 MiB: physical 0 .. 4 GiB
	mov edi, early_pd
	mov eax, PTE_P | PTE_W | PTE_PS
	xor edx, edx
	mov ecx, 2048
.pde:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .pde
	ret

bits 64
long_mode_low:
	mov rax, long_mode_high
	jmp rax

section .text
long_mode_high:
	xor eax, eax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov rsp, kernel_stack_top       ; in .bss: mapped by mica's own tables
	xor ebp, ebp
	mov edi, [KERNEL_VMA_BASE + boot_mb_magic]
	mov esi, [KERNEL_VMA_BASE + boot_mb_info]
	mov rdx, [KERNEL_VMA_BASE + boot_tsc]
	extern c_kmain
	call c_kmain
.hang:
	cli
	hlt
	jmp .hang

section .boot.data progbits alloc noexec write align=16
msg_no_lm: db "mica: CPU has no long mode", 13, 10, 0
align 8
boot_gdt:
	dq 0
	dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code, DPL 0
	dq 0x00CF92000000FFFF           ; 0x10: data
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dd boot_gdt
global boot_mb_magic, boot_mb_info, boot_tsc
align 8
boot_tsc:      dq 0
boot_mb_magic: dd 0
boot_mb_info:  dd 0
boot_nx_ok:    dd 0

section .bss
align 16
kernel_stack:    resb 16384
kernel_stack_top:

section .boot.bss nobits alloc noexec write align=4096
global early_pml4
early_pml4:      resb 4096
early_pdpt_low:  resb 4096
early_pdpt_high: resb 4096
early_pd:        resb 4 * 4096
boot_stack:      resb 1024          ; 32-bit code only
boot_stack_top:
