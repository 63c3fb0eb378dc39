; SPDX-License-Identifier: MIT
; real16: a real-mode guest (needs unrestricted guest). Loaded as a flat
; binary at 0x10000 and entered at CS:IP = 1000:0000. Prints two TAP lines
; on COM1 and ends through the debug-exit port 0xF4 with 0, which mica
; reports as status 1 ((0 << 1) | 1, as QEMU's isa-debug-exit does).
bits 16
org 0
start:
	mov ax, cs
	mov ds, ax
	mov si, msg_ok1
	call puts
	; a 32-bit operand-size instruction in real mode
	mov eax, 0x12345678
	rol eax, 8
	cmp eax, 0x34567812
	jne .fail
	mov si, msg_ok2
	call puts
	mov al, 0
	out 0xf4, al
.fail:
	mov si, msg_fail
	call puts
	mov al, 1
	out 0xf4, al
	hlt

puts:
	lodsb
	test al, al
	jz .done
	mov dx, 0x3fd
.wait:
	mov ah, al
	in al, dx
	test al, 0x20
	mov al, ah
	jz .wait
	mov dx, 0x3f8
	out dx, al
	jmp puts
.done:
	ret

msg_ok1:  db "ok 1 - real-mode guest runs at CS:IP 1000:0000", 10, 0
msg_ok2:  db "ok 2 - 32-bit operand-size ROL in real mode", 10, 0
msg_fail: db "not ok 2 - 32-bit operand-size ROL in real mode", 10, 0
