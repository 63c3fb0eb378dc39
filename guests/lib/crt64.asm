; SPDX-License-Identifier: MIT
; 64-bit guest start-up: mica enters here in long mode with paging on,
; RSP set, EAX = 0x2BADB002 and EBX = the multiboot1 information block.
bits 64
section .text.start
global _start
extern guest_main
extern g_exit
_start:
	mov edi, eax
	mov esi, ebx
	and rsp, -16
	call guest_main
	mov edi, eax
	call g_exit
.hang:
	hlt
	jmp .hang
