; SPDX-License-Identifier: MIT
; VM entry and exit. vmx_enter(vcpu) saves the host's callee-saved registers,
; records RSP as the VMCS host RSP, loads the guest GPRs from the vcpu and
; executes VMLAUNCH or VMRESUME. A VM exit lands on vmx_exit_entry with RSP
; as recorded; it stores the guest GPRs back and returns 0 from vmx_enter.
; A failed VMLAUNCH/VMRESUME falls through and returns -1 (VMfailInvalid,
; CF=1) or -2 (VMfailValid, ZF=1) with the guest registers untouched.
; Offsets come from vmm/asm_offsets.c (build/gen/asm_offsets.inc).

%include "asm_offsets.inc"

bits 64
section .text

global vmx_enter
global vmx_exit_entry

vmx_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; the vcpu, found again at exit
	mov rax, VMCS_HOST_RSP_FIELD
	vmwrite rax, rsp
	jbe .fail_early                 ; CF or ZF: cannot even set host RSP

	mov rax, [rdi + VCPU_RAX]
	mov rcx, [rdi + VCPU_RCX]
	mov rdx, [rdi + VCPU_RDX]
	mov rbx, [rdi + VCPU_RBX]
	mov rbp, [rdi + VCPU_RBP]
	mov rsi, [rdi + VCPU_RSI]
	mov r8, [rdi + VCPU_R8]
	mov r9, [rdi + VCPU_R9]
	mov r10, [rdi + VCPU_R10]
	mov r11, [rdi + VCPU_R11]
	mov r12, [rdi + VCPU_R12]
	mov r13, [rdi + VCPU_R13]
	mov r14, [rdi + VCPU_R14]
	mov r15, [rdi + VCPU_R15]
	cmp qword [rdi + VCPU_LAUNCHED], 0
	mov rdi, [rdi + VCPU_RDI]       ; MOV leaves the flags of CMP intact
	jne .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; only reached when the entry instruction failed
	pop rdi
	jmp .fail_status
.fail_early:
	pop rdi
.fail_status:
	mov eax, -1                     ; VMX_FAIL_INVALID
	jc .out
	mov eax, -2                     ; VMX_FAIL_VALID
.out:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

vmx_exit_entry:
	push rdi                        ; guest RDI
	mov rdi, [rsp + 8]              ; the vcpu
	mov [rdi + VCPU_RAX], rax
	mov [rdi + VCPU_RCX], rcx
	mov [rdi + VCPU_RDX], rdx
	mov [rdi + VCPU_RBX], rbx
	mov [rdi + VCPU_RBP], rbp
	mov [rdi + VCPU_RSI], rsi
	mov [rdi + VCPU_R8], r8
	mov [rdi + VCPU_R9], r9
	mov [rdi + VCPU_R10], r10
	mov [rdi + VCPU_R11], r11
	mov [rdi + VCPU_R12], r12
	mov [rdi + VCPU_R13], r13
	mov [rdi + VCPU_R14], r14
	mov [rdi + VCPU_R15], r15
	pop rax
	mov [rdi + VCPU_RDI], rax
	mov qword [rdi + VCPU_LAUNCHED], 1
	pop rdi
	xor eax, eax
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
