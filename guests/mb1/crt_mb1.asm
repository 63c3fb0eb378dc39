; SPDX-License-Identifier: MIT
; Start-up code of mica's multiboot1 test kernels, written the way the test
; kernels developers boot with "qemu -kernel" are: a multiboot1 header, a
; 32-bit entry with paging off, its own page tables and GDT, and the switch
; to long mode done by the kernel itself. It writes CR0 with NE = 0, as
; such kernels do, so the hypervisor must keep NE set behind a read shadow
; and perform the IA-32e transition itself. The result goes to the
; debug-exit port 0xF4 (0 = all passed).
; The image is linked as x86-64 and converted to ELF32 (objcopy), so a
; multiboot1 loader sees a 32-bit kernel.

MB1_MAGIC equ 0x1BADB002
MB1_FLAGS equ 0x00000003                ; page-align modules, memory info

section .mb1hdr progbits alloc noexec nowrite align=4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)

section .text32 progbits alloc exec nowrite align=16
bits 32
global mb1_start
global mb1_entry_esp
mb1_start:
	mov [mb1_entry_esp], esp        ; the loader's stack, for mb1low
	mov esp, mb1_stack_top
	mov [mb1_magic], eax
	mov [mb1_info], ebx
	; identity map 0 .. 4 GiB with 2 MiB pages
	mov edi, mb1_pml4
	xor eax, eax
	mov ecx, 6 * 1024
	rep stosd
	mov dword [mb1_pml4], mb1_pdpt + 3
	mov dword [mb1_pdpt + 0], mb1_pd + 0x0000 + 3
	mov dword [mb1_pdpt + 8], mb1_pd + 0x1000 + 3
	mov dword [mb1_pdpt + 16], mb1_pd + 0x2000 + 3
	mov dword [mb1_pdpt + 24], mb1_pd + 0x3000 + 3
	mov edi, mb1_pd
	mov eax, 0x83                   ; P | W | PS
	xor edx, edx
	mov ecx, 2048
.pde:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .pde
	mov eax, 0x20                   ; CR4.PAE only
	mov cr4, eax
	mov eax, mb1_pml4
	mov cr3, eax
	mov ecx, 0xC0000080
	rdmsr
	or eax, 1 << 8                  ; EFER.LME
	wrmsr
	mov eax, 0x80000011             ; PG | ET | PE, and NE = 0 on purpose
	mov cr0, eax
	lgdt [mb1_gdtr]
	jmp 0x08:mb1_long

bits 64
mb1_long:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov edi, [mb1_magic]
	mov esi, [mb1_info]
	extern guest_main
	call guest_main
	out 0xf4, al                    ; status (result << 1) | 1
.hang:
	cli
	hlt
	jmp .hang

section .data
align 8
mb1_gdt:
	dq 0
	dq 0x00af9b000000ffff           ; 0x08: 64-bit code
	dq 0x00cf93000000ffff           ; 0x10: data
mb1_gdtr:
	dw 3 * 8 - 1
	dq mb1_gdt
mb1_magic: dd 0
mb1_info:  dd 0
mb1_entry_esp: dd 0

section .bss
align 4096
mb1_pml4: resb 4096
mb1_pdpt: resb 4096
mb1_pd:   resb 4 * 4096
mb1_stack: resb 16384
mb1_stack_top:
