; SPDX-License-Identifier: MIT
; 32-bit guest start-up (multiboot1 contract): flat protected mode, paging
; off, EAX = 0x2BADB002, EBX = multiboot1 information block.
bits 32
section .text.start
global _start
extern guest_main
extern g_exit
_start:
	mov esp, 0x80000
	push ebx
	push eax
	call guest_main
	push eax
	call g_exit
.hang:
	hlt
	jmp .hang
