; SPDX-License-Identifier: MIT
; Guest interrupt and exception stubs for vectors 0-255: push a dummy error
; code where the CPU does not, the vector, all GPRs, then call
; g_exception(frame).
%include "guests/lib/isr_stubs.inc"
bits 64
section .text
extern g_exception

	ISR_STUBS g_isr_, 256, qword

g_isr_common:
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	mov rdi, rsp
	call g_exception
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	add rsp, 16
	iretq

section .rodata
global g_isr_table
align 8
g_isr_table:
	ISR_TABLE g_isr_, 256, dq
