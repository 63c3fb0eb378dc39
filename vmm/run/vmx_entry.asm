; SPDX-License-Identifier: MIT
; VM entry and exit loop. vmx_run(vcpu) saves the host's callee-saved
; registers, records RSP as the VMCS host RSP (only when it changed), loads
; the guest GPRs from the vcpu and executes VMLAUNCH or VMRESUME. A VM exit
; lands on vmx_exit_entry with RSP as recorded; it stores the guest GPRs and
; calls c_vmx_exit(vcpu) with the stack as vmx_run left it. While that
; returns non-zero the guest is re-entered straight away, without unwinding
; to C: the exit path costs only what the handler does.
; vmx_run returns 0 once c_vmx_exit returns 0, or -1 (VMfailInvalid, CF=1)
; / -2 (VMfailValid, ZF=1) when VMLAUNCH/VMRESUME itself failed.
; Offsets come from vmm/run/asm_offsets.c (build/gen/asm_offsets.inc).

%include "asm_offsets.inc"

bits 64
section .text

global vmx_run
global vmx_exit_entry
extern c_vmx_exit

vmx_run:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; the vcpu, found again at exit
	cmp rsp, [rdi + VCPU_HOST_RSP]  ; same stack depth as last time?
	je vmx_guest_enter
	mov [rdi + VCPU_HOST_RSP], rsp
	mov rax, VMCS_HOST_RSP_FIELD
	vmwrite rax, rsp
	jbe vmx_entry_failed             ; CF or ZF: cannot even set host RSP
vmx_guest_enter:
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
	jmp vmx_entry_failed
.resume:
	vmresume
vmx_entry_failed:
	; only reached when the entry instruction failed; flags say how
	mov eax, -1                     ; VMX_FAIL_INVALID
	jc vmx_run_out
	mov eax, -2                     ; VMX_FAIL_VALID
	jmp vmx_run_out

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
	call c_vmx_exit                 ; RSP is 16-byte aligned here
	mov rdi, [rsp]
	test eax, eax
	jnz vmx_guest_enter
vmx_run_out:
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
