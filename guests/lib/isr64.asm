; SPDX-License-Identifier: MIT
; Guest interrupt and exception stubs for vectors 0-255: push a dummy error code where the
; CPU does not, the vector, all GPRs, then call g_exception(frame).
bits 64
section .text
extern g_exception

%macro STUB 2
g_isr_%1:
%if %2 == 0
	push qword 0
%endif
	push qword %1
	jmp g_isr_common
%endmacro

%assign v 0
%rep 256
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	STUB v, 1
%else
	STUB v, 0
%endif
%assign v v + 1
%endrep

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
%assign v 0
%rep 256
	dq g_isr_ %+ v
%assign v v + 1
%endrep
