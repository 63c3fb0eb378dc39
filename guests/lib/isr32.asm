; SPDX-License-Identifier: MIT
; 32-bit guest exception stubs for vectors 0-31: push a dummy error code
; where the CPU does not, the vector, all GPRs (PUSHAD), then call
; g_exception32(frame).
%include "guests/lib/isr_stubs.inc"
bits 32
section .text
extern g_exception32

	ISR_STUBS g_isr32_, 32, dword

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
	ISR_TABLE g_isr32_, 32, dd
