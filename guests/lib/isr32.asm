; SPDX-License-Identifier: MIT
; 32-bit guest exception stubs for vectors 0-31: push a dummy error code
; where the CPU does not, the vector, all GPRs (PUSHAD), then call
; g_exception32(frame).
bits 32
section .text
extern g_exception32

%macro STUB 2
g_isr32_%1:
%if %2 == 0
	push dword 0
%endif
	push dword %1
	jmp g_isr32_common
%endmacro

%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	STUB v, 1
%else
	STUB v, 0
%endif
%assign v v + 1
%endrep

g_isr32_common:
	pushad
	push esp
	call g_exception32
	add esp, 4
	popad
	add esp, 8
	iretd

section .rodata
global g_isr32_table
align 4
g_isr32_table:
%assign v 0
%rep 32
	dd g_isr32_ %+ v
%assign v v + 1
%endrep
