/* SPDX-License-Identifier: MIT */
/*
 * The instruction forms of the emu guest (guests/emu.c), as X-macro lists:
 * each form's asm text, input generator, operand size, options and the
 * flags the SDM leaves undefined. Included once, by emu.c.
 */
#ifndef MICA_GUESTS_EMU_FORMS_H
#define MICA_GUESTS_EMU_FORMS_H

/*
 * Form lists: X(id, title, pre, insn, insn_mmio, post, gen, size, opt,
 * undefined flags, shift). insn_mmio differs from insn only for absolute
 * (moffs) addresses. size is the memory operand size (string forms: the
 * element size).
 */
#define F(X, id, t, insn, gen, size, opt, undef)                               \
	X(id, t, "", insn, insn, "", gen, size, opt, undef, 0)
#define FV(X, id, t, insn, size, opt)                                          \
	X(id, t, PRE_X, insn, insn, POST_X, G_DEF, size, (opt) | O_VEC, 0, 0)
#define FY(X, id, t, insn, size, opt)                                          \
	X(id, t, PRE_Y, insn, insn, POST_Y, G_DEF, size,                       \
	  (opt) | O_VEC | O_AVX, 0, 0)
#define MOFFS(X, id, t, insn, addr, size)                                      \
	X(id, t, "", MOV_ABS insn "[emu_ram_m + 0x120]" addr,                  \
	  MOV_ABS insn "[0xc0010120]" addr, "", G_DEF, size, O_MOFFS, 0, 0)

/*
 * Forms of one guest mode only: REX prefixes, 64-bit operands and the like
 * in the 64-bit guest; the 32-bit equivalents and 16-bit addressing in the
 * 32-bit one (emu32). The address registers: GBX, GDI, GDX (RBX or EBX...).
 */
#ifdef __x86_64__
#define ONLY64(...) __VA_ARGS__
#define ONLY32(...)
#define GBX	"rbx"
#define PUSH_IN "push r8\n" /* a random input on the stack */
#define GDI	"rdi"
#define GDX	"rdx"
#define GCX	"rcx"
#define GSP	"rsp"
#define GBP	"rbp"
#define WPTR	"qword ptr"
#define LEA_RET "lea rcx, [rip + 1b]\n"
#define MOV_ABS "movabs"
#else
#define ONLY64(...)
#define ONLY32(...) __VA_ARGS__
#define GBX	    "ebx"
#define PUSH_IN	    "push eax\n"
#define GDI	    "edi"
#define GDX	    "edx"
#define GCX	    "ecx"
#define GSP	    "esp"
#define GBP	    "ebp"
#define WPTR	    "dword ptr"
#define LEA_RET	    "mov ecx, offset 1b\n"
#define MOV_ABS	    "mov" /* A0-A3 with a moffs32 */
#endif

#define FORMS_MOV(X)                                                           \
	F(X, mov_st8, "MOV m8, r8 (88)", "mov byte ptr [" GBX "], cl", G_DEF,  \
	  1, 0, 0)                                                             \
	F(X, mov_st8h, "MOV m8, CH (88)", "mov byte ptr [" GBX "], ch", G_DEF, \
	  1, 0, 0)                                                             \
	ONLY64(F(X, mov_st8x, "MOV m8, R10B (REX 88)",                         \
		 "mov byte ptr [" GBX "], r10b", G_DEF, 1, 0, 0))              \
	F(X, mov_st16, "MOV m16, r16 (66 89)", "mov word ptr [" GBX "], cx",   \
	  G_DEF, 2, 0, 0)                                                      \
	F(X, mov_st32, "MOV m32, r32 (89)", "mov dword ptr [" GBX "], ecx",    \
	  G_DEF, 4, 0, 0)                                                      \
	ONLY64(F(X, mov_st64, "MOV m64, r64 (REX.W 89)",                       \
		 "mov qword ptr [" GBX "], rcx", G_DEF, 8, 0, 0))              \
	F(X, mov_ld8, "MOV r8, m8 (8A)", "mov cl, byte ptr [" GBX "]", G_DEF,  \
	  1, 0, 0)                                                             \
	F(X, mov_ld8h, "MOV AH, m8 (8A)", "mov ah, byte ptr [" GBX "]", G_DEF, \
	  1, 0, 0)                                                             \
	ONLY64(F(X, mov_ld8x, "MOV SIL, m8 (REX 8A)",                          \
		 "mov sil, byte ptr [" GBX "]", G_DEF, 1, 0, 0))               \
	F(X, mov_ld16, "MOV r16, m16 (66 8B)", "mov cx, word ptr [" GBX "]",   \
	  G_DEF, 2, 0, 0)                                                      \
	F(X, mov_ld32, "MOV r32, m32 (8B)", "mov ecx, dword ptr [" GBX "]",    \
	  G_DEF, 4, 0, 0)                                                      \
	ONLY64(F(X, mov_ld64, "MOV r64, m64 (REX.W 8B)",                       \
		 "mov r9, qword ptr [" GBX "]", G_DEF, 8, 0, 0))               \
	F(X, mov_i8, "MOV m8, imm8 (C6)", "mov byte ptr [" GBX "], 0xa5",      \
	  G_DEF, 1, 0, 0)                                                      \
	F(X, mov_i16, "MOV m16, imm16 (66 C7)",                                \
	  "mov word ptr [" GBX "], 0x8001", G_DEF, 2, 0, 0)                    \
	F(X, mov_i32, "MOV m32, imm32 (C7)",                                   \
	  "mov dword ptr [" GBX "], 0x87654321", G_DEF, 4, 0, 0)               \
	ONLY64(F(X, mov_i64, "MOV m64, simm32 (REX.W C7)",                     \
		 "mov qword ptr [" GBX "], -0x789abcdf", G_DEF, 8, 0, 0))      \
	MOFFS(X, mov_a0, "MOV AL, moffs8 (A0)", " al, byte ptr ", "", 1)       \
	MOFFS(X, mov_a1d, "MOV EAX, moffs32 (A1)", " eax, dword ptr ", "", 4)  \
	ONLY64(MOFFS(X, mov_a1q, "MOV RAX, moffs64 (REX.W A1)",                \
		     " rax, qword ptr ", "", 8))                               \
	MOFFS(X, mov_a2, "MOV moffs8, AL (A2)", " byte ptr ", ", al", 1)       \
	MOFFS(X, mov_a3w, "MOV moffs16, AX (66 A3)", " word ptr ", ", ax", 2)  \
	ONLY64(MOFFS(X, mov_a3q, "MOV moffs64, RAX (REX.W A3)", " qword ptr ", \
		     ", rax", 8))                                              \
	ONLY32(MOFFS(X, mov_a3d, "MOV moffs32, EAX (A3)", " dword ptr ",       \
		     ", eax", 4))                                              \
	F(X, mov_sib, "MOV r32, [" GBX "+" GDX "*4-0x40] (SIB, disp8)",        \
	  "mov ecx, dword ptr [" GBX " + " GDX "*4 - 0x40]", G_SIB, 4, 0, 0)   \
	F(X, add_sib, "ADD [" GBX "+" GDX "*4-0x40], r32 (SIB, disp8)",        \
	  "add dword ptr [" GBX " + " GDX "*4 - 0x40], ecx", G_SIB, 4, 0, 0)   \
	ONLY64(F(X, mov_fs, "MOV r64, FS:m64 (64 REX.W 8B)",                   \
		 "mov rcx, qword ptr fs:[" GBX "]", G_SEG, 8, 0, 0))           \
	ONLY32(F(X, mov_fs32, "MOV r32, FS:m32 (64 8B)",                       \
		 "mov ecx, dword ptr fs:[ebx]", G_SEG, 4, 0, 0))               \
	F(X, add_gs, "ADD GS:m32, r32 (65 01)",                                \
	  "add dword ptr gs:[" GBX "], ecx", G_SEG, 4, 0, 0)                   \
	ONLY64(F(X, mov_a32l, "MOV r32, [ebx] (67 8B)",                        \
		 "mov ecx, dword ptr [ebx]", G_A32, 4, 0, 0))                  \
	ONLY64(F(X, mov_a32s, "MOV [ebx+8], r64 (67 REX.W 89)",                \
		 "mov qword ptr [ebx + 8], rcx", G_A32, 8, 0, 0))              \
	ONLY32(X(mov_a16l, "MOV r32, FS:[bx+si] (64 67 8B)", "",               \
		 "mov ecx, dword ptr fs:[bx + si]",                            \
		 "mov ecx, dword ptr fs:[bx + si]", "", G_A16, 4, 0, 0, 0))    \
	ONLY32(X(mov_a16s, "MOV FS:[bx+di+0x7ff0], r16 (64 67 66 89)", "",     \
		 "mov word ptr fs:[bx + di + 0x7ff0], cx",                     \
		 "mov word ptr fs:[bx + di + 0x7ff0], cx", "", G_A16D, 2, 0,   \
		 0, 0))                                                        \
	ONLY32(X(add_a16, "ADD FS:[bx+si], r8 (64 67 00)", "",                 \
		 "add byte ptr fs:[bx + si], dl",                              \
		 "add byte ptr fs:[bx + si], dl", "", G_A16, 1, 0, 0, 0))      \
	ONLY32(X(xadd_a16, "XADD FS:[bx+di], r32 (64 67 0F C1)", "",           \
		 "xadd dword ptr fs:[bx + di], ecx",                           \
		 "xadd dword ptr fs:[bx + di], ecx", "", G_A16, 4, 0, 0, 0))   \
	ONLY32(F(X, mov_a1w16, "MOV EAX, FS:moffs16 (64 67 A1)",               \
		 ".byte 0x64, 0x67, 0xa1, 0x20, 0x00", G_A16, 4, O_MOFFS, 0))  \
	ONLY32(F(X, mov_a2w16, "MOV FS:moffs16, AL (64 67 A2)",                \
		 ".byte 0x64, 0x67, 0xa2, 0x20, 0x00", G_A16, 1, O_MOFFS, 0))  \
	ONLY32(F(X, mov_d16, "MOV r32, FS:[disp16] (64 67 8B /r, rm 110)",     \
		 ".byte 0x64, 0x67, 0x8b, 0x0e, 0x20, 0x00", G_A16, 4,         \
		 O_MOFFS, 0))                                                  \
	F(X, movzx_bd, "MOVZX r32, m8 (0F B6)",                                \
	  "movzx ecx, byte ptr [" GBX "]", G_DEF, 1, 0, 0)                     \
	F(X, movzx_bw, "MOVZX r16, m8 (66 0F B6)",                             \
	  "movzx cx, byte ptr [" GBX "]", G_DEF, 1, 0, 0)                      \
	ONLY64(F(X, movzx_wq, "MOVZX r64, m16 (REX.W 0F B7)",                  \
		 "movzx rcx, word ptr [" GBX "]", G_DEF, 2, 0, 0))             \
	ONLY64(F(X, movsx_bq, "MOVSX r64, m8 (REX.W 0F BE)",                   \
		 "movsx rcx, byte ptr [" GBX "]", G_DEF, 1, 0, 0))             \
	F(X, movsx_bw, "MOVSX r16, m8 (66 0F BE)",                             \
	  "movsx cx, byte ptr [" GBX "]", G_DEF, 1, 0, 0)                      \
	F(X, movsx_wd, "MOVSX r32, m16 (0F BF)",                               \
	  "movsx ecx, word ptr [" GBX "]", G_DEF, 2, 0, 0)                     \
	ONLY64(F(X, movsx_wq, "MOVSX r64, m16 (REX.W 0F BF)",                  \
		 "movsx rcx, word ptr [" GBX "]", G_DEF, 2, 0, 0))             \
	ONLY64(F(X, movsxd, "MOVSXD r64, m32 (REX.W 63)",                      \
		 "movsxd rcx, dword ptr [" GBX "]", G_DEF, 4, 0, 0))           \
	F(X, movnti_d, "MOVNTI m32, r32 (0F C3)",                              \
	  "movnti dword ptr [" GBX "], ecx", G_DEF, 4, 0, 0)                   \
	ONLY64(F(X, movnti_q, "MOVNTI m64, r64 (REX.W 0F C3)",                 \
		 "movnti qword ptr [" GBX "], rcx", G_DEF, 8, 0, 0))           \
	F(X, movbe_lw, "MOVBE r16, m16 (66 0F 38 F0)",                         \
	  "movbe cx, word ptr [" GBX "]", G_DEF, 2, O_MOVBE, 0)                \
	F(X, movbe_ld, "MOVBE r32, m32 (0F 38 F0)",                            \
	  "movbe ecx, dword ptr [" GBX "]", G_DEF, 4, O_MOVBE, 0)              \
	ONLY64(F(X, movbe_lq, "MOVBE r64, m64 (REX.W 0F 38 F0)",               \
		 "movbe rcx, qword ptr [" GBX "]", G_DEF, 8, O_MOVBE, 0))      \
	F(X, movbe_sw, "MOVBE m16, r16 (66 0F 38 F1)",                         \
	  "movbe word ptr [" GBX "], cx", G_DEF, 2, O_MOVBE, 0)                \
	F(X, movbe_sd, "MOVBE m32, r32 (0F 38 F1)",                            \
	  "movbe dword ptr [" GBX "], ecx", G_DEF, 4, O_MOVBE, 0)              \
	ONLY64(F(X, movbe_sq, "MOVBE m64, r64 (REX.W 0F 38 F1)",               \
		 "movbe qword ptr [" GBX "], rcx", G_DEF, 8, O_MOVBE, 0))      \
	ONLY64(X(push_q, "PUSH m64 (FF /6)", "", "push qword ptr [" GBX "]",   \
		 "push qword ptr [" GBX "]", "", G_DEF, 8, O_STK, 0, 0))       \
	X(push_w, "PUSH m16 (66 FF /6)", "", "push word ptr [" GBX "]",        \
	  "push word ptr [" GBX "]", "", G_DEF, 2, O_STK, 0, 0)                \
	ONLY64(X(pop_q, "POP m64 (8F /0)", PUSH_IN, "pop qword ptr [" GBX "]", \
		 "pop qword ptr [" GBX "]", "", G_DEF, 8, O_STK, 0, 0))        \
	ONLY32(X(push_d, "PUSH m32 (FF /6)", "", "push dword ptr [ebx]",       \
		 "push dword ptr [ebx]", "", G_DEF, 4, O_STK, 0, 0))           \
	ONLY32(X(pop_d, "POP m32 (8F /0)", "push eax\n",                       \
		 "pop dword ptr [ebx]", "pop dword ptr [ebx]", "", G_DEF, 4,   \
		 O_STK, 0, 0))                                                 \
	X(pop_w, "POP m16 (66 8F /0)", PUSH_IN, "pop word ptr [" GBX "]",      \
	  "pop word ptr [" GBX "]", "", G_DEF, 2, O_STK, 0, 0)

/*
 * ALU ops: mem,reg and reg,mem at every size, and the group-1 immediate
 * forms (80 ib, 81 iw/id, 83 ib). u: flags the SDM leaves undefined.
 */
#define ALU(X, op, OP, u, ib, iw, id, iq, is)                                  \
	F(X, op##_mr8, OP " m8, r8", #op " byte ptr [" GBX "], cl", G_DEF, 1,  \
	  0, u)                                                                \
	F(X, op##_mr16, OP " m16, r16", #op " word ptr [" GBX "], cx", G_DEF,  \
	  2, 0, u)                                                             \
	F(X, op##_mr32, OP " m32, r32", #op " dword ptr [" GBX "], ecx",       \
	  G_DEF, 4, 0, u)                                                      \
	ONLY64(F(X, op##_mr64, OP " m64, r64",                                 \
		 #op " qword ptr [" GBX "], rcx", G_DEF, 8, 0, u))             \
	F(X, op##_rm8, OP " r8 (DH), m8", #op " dh, byte ptr [" GBX "]",       \
	  G_DEF, 1, 0, u)                                                      \
	F(X, op##_rm16, OP " r16, m16", #op " cx, word ptr [" GBX "]", G_DEF,  \
	  2, 0, u)                                                             \
	F(X, op##_rm32, OP " r32, m32", #op " ecx, dword ptr [" GBX "]",       \
	  G_DEF, 4, 0, u)                                                      \
	ONLY64(F(X, op##_rm64, OP " r64, m64",                                 \
		 #op " r10, qword ptr [" GBX "]", G_DEF, 8, 0, u))             \
	F(X, op##_i8, OP " m8, imm8 (80)", #op " byte ptr [" GBX "], " ib,     \
	  G_DEF, 1, 0, u)                                                      \
	F(X, op##_i16, OP " m16, imm16 (66 81)",                               \
	  #op " word ptr [" GBX "], " iw, G_DEF, 2, 0, u)                      \
	F(X, op##_i32, OP " m32, imm32 (81)", #op " dword ptr [" GBX "], " id, \
	  G_DEF, 4, 0, u)                                                      \
	ONLY64(F(X, op##_i64, OP " m64, simm32 (REX.W 81)",                    \
		 #op " qword ptr [" GBX "], " iq, G_DEF, 8, 0, u))             \
	F(X, op##_s16, OP " m16, simm8 (66 83)",                               \
	  #op " word ptr [" GBX "], " is, G_DEF, 2, 0, u)                      \
	F(X, op##_s32, OP " m32, simm8 (83)", #op " dword ptr [" GBX "], " is, \
	  G_DEF, 4, 0, u)                                                      \
	ONLY64(F(X, op##_s64, OP " m64, simm8 (REX.W 83)",                     \
		 #op " qword ptr [" GBX "], " is, G_DEF, 8, 0, u))

#define FORMS_ALU(X)                                                           \
	ALU(X, add, "ADD", 0, "0x5a", "0x8421", "0x87654321", "-0x789abcd",    \
	    "-0x53")                                                           \
	ALU(X, or, "OR", AF, "0x81", "0x4002", "0x10000001", "-0x10000000",    \
	    "0x35")                                                            \
	ALU(X, adc, "ADC", 0, "0xff", "0x7fff", "0x7fffffff", "0x7fffffff",    \
	    "-0x1")                                                            \
	ALU(X, sbb, "SBB", 0, "0x80", "0x8000", "0x80000000", "-0x80000000",   \
	    "0x7f")                                                            \
	ALU(X, and, "AND", AF, "0x3c", "0xf00f", "0xff00ff00", "-0x100",       \
	    "-0x80")                                                           \
	ALU(X, sub, "SUB", 0, "0x01", "0x1234", "0x12345678", "0x12345678",    \
	    "0x1")                                                             \
	ALU(X, xor, "XOR", AF, "0xa5", "0x5aa5", "0xdeadbeef", "-0x21524111",  \
	    "-0x5b")                                                           \
	ALU(X, cmp, "CMP", 0, "0x7f", "0x8001", "0xfffffffe", "-0x2", "0x40")  \
	F(X, test_mr8, "TEST m8, r8 (84)", "test byte ptr [" GBX "], cl",      \
	  G_DEF, 1, 0, AF)                                                     \
	ONLY64(F(X, test_mr64, "TEST m64, r64 (REX.W 85)",                     \
		 "test qword ptr [" GBX "], rcx", G_DEF, 8, 0, AF))            \
	F(X, test_i8, "TEST m8, imm8 (F6 /0)",                                 \
	  "test byte ptr [" GBX "], 0xa5", G_DEF, 1, 0, AF)                    \
	F(X, test_i16, "TEST m16, imm16 (66 F7 /0)",                           \
	  "test word ptr [" GBX "], 0x8001", G_DEF, 2, 0, AF)                  \
	F(X, test_i32, "TEST m32, imm32 (F7 /0)",                              \
	  "test dword ptr [" GBX "], 0x80000001", G_DEF, 4, 0, AF)             \
	ONLY64(F(X, test_i64, "TEST m64, simm32 (REX.W F7 /0)",                \
		 "test qword ptr [" GBX "], -0x10", G_DEF, 8, 0, AF))          \
	ONLY32(F(X, test_mr32, "TEST m32, r32 (85)",                           \
		 "test dword ptr [ebx], ecx", G_DEF, 4, 0, AF))

/* One-operand read-modify-write ops at every size. */
#define UNARY(X, op, OP, gen, u)                                               \
	F(X, op##_8, OP " m8", #op " byte ptr [" GBX "]", gen, 1, 0, u)        \
	F(X, op##_16, OP " m16", #op " word ptr [" GBX "]", gen, 2, 0, u)      \
	F(X, op##_32, OP " m32", #op " dword ptr [" GBX "]", gen, 4, 0, u)     \
	ONLY64(F(X, op##_64, OP " m64", #op " qword ptr [" GBX "]", gen, 8, 0, \
		 u))

#define FORMS_UNARY(X)                                                         \
	UNARY(X, inc, "INC", G_DEF, 0)                                         \
	UNARY(X, dec, "DEC", G_DEF, 0)                                         \
	UNARY(X, not, "NOT", G_DEF, 0)                                         \
	UNARY(X, neg, "NEG", G_DEF, 0)                                         \
	UNARY(X, mul, "MUL", G_DEF, SF | ZF | AF | PF)                         \
	UNARY(X, imul, "IMUL", G_DEF, SF | ZF | AF | PF)                       \
	UNARY(X, div, "DIV", G_DIV, ARITH)                                     \
	UNARY(X, idiv, "IDIV", G_IDIV, ARITH)                                  \
	F(X, div_de0, "DIV m8 by zero: #DE", "div byte ptr [" GBX "]", G_DE0,  \
	  1, 0, ARITH)                                                         \
	F(X, div_deq, "DIV m32 quotient overflow: #DE",                        \
	  "div dword ptr [" GBX "]", G_DEQ, 4, 0, ARITH)                       \
	ONLY64(F(X, idiv_deov, "IDIV m64 INT64_MIN / -1: #DE",                 \
		 "idiv qword ptr [" GBX "]", G_DEOV, 8, 0, ARITH))             \
	ONLY32(F(X, idiv_deov32, "IDIV m32 INT32_MIN / -1: #DE",               \
		 "idiv dword ptr [ebx]", G_DEOV, 4, 0, ARITH))

/* Group 2: by 1 (D0/D1), by CL (D2/D3), by imm8 (C0/C1). */
#define SHF(X, op, OP, r)                                                      \
	X(op##_1b, OP " m8, 1 (D0)", "", #op " byte ptr [" GBX "], 1",         \
	  #op " byte ptr [" GBX "], 1", "", G_DEF, 1, 0, 0, SH(r, 1))          \
	X(op##_1d, OP " m32, 1 (D1)", "", #op " dword ptr [" GBX "], 1",       \
	  #op " dword ptr [" GBX "], 1", "", G_DEF, 4, 0, 0, SH(r, 1))         \
	X(op##_cb, OP " m8, CL (D2)", "", #op " byte ptr [" GBX "], cl",       \
	  #op " byte ptr [" GBX "], cl", "", G_CL, 1, 0, 0, SH(r, 0))          \
	X(op##_cw, OP " m16, CL (66 D3)", "", #op " word ptr [" GBX "], cl",   \
	  #op " word ptr [" GBX "], cl", "", G_CL, 2, 0, 0, SH(r, 0))          \
	X(op##_cd, OP " m32, CL (D3)", "", #op " dword ptr [" GBX "], cl",     \
	  #op " dword ptr [" GBX "], cl", "", G_CL, 4, 0, 0, SH(r, 0))         \
	ONLY64(X(op##_cq, OP " m64, CL (REX.W D3)", "",                        \
		 #op " qword ptr [" GBX "], cl",                               \
		 #op " qword ptr [" GBX "], cl", "", G_CL, 8, 0, 0, SH(r, 0))) \
	X(op##_ib, OP " m8, 5 (C0)", "", #op " byte ptr [" GBX "], 5",         \
	  #op " byte ptr [" GBX "], 5", "", G_DEF, 1, 0, 0, SH(r, 5))          \
	X(op##_iw, OP " m16, 9 (66 C1)", "", #op " word ptr [" GBX "], 9",     \
	  #op " word ptr [" GBX "], 9", "", G_DEF, 2, 0, 0, SH(r, 9))          \
	X(op##_id, OP " m32, 33 (C1)", "", #op " dword ptr [" GBX "], 33",     \
	  #op " dword ptr [" GBX "], 33", "", G_DEF, 4, 0, 0, SH(r, 33))       \
	ONLY64(X(op##_iq, OP " m64, 37 (REX.W C1)", "",                        \
		 #op " qword ptr [" GBX "], 37",                               \
		 #op " qword ptr [" GBX "], 37", "", G_DEF, 8, 0, 0,           \
		 SH(r, 37)))

#define FORMS_SHIFT(X)                                                         \
	SHF(X, rol, "ROL", 0)                                                  \
	SHF(X, ror, "ROR", 1)                                                  \
	SHF(X, rcl, "RCL", 2)                                                  \
	SHF(X, rcr, "RCR", 3)                                                  \
	SHF(X, shl, "SHL", 4)                                                  \
	SHF(X, shr, "SHR", 5)                                                  \
	SHF(X, sar, "SAR", 7)

/* Exchanges, compare-exchanges, LOCK forms. */
#define XCHG4(X, op, OP, gen, u)                                               \
	F(X, op##_8, OP " m8, r8", #op " byte ptr [" GBX "], cl", gen, 1, 0,   \
	  u)                                                                   \
	F(X, op##_16, OP " m16, r16", #op " word ptr [" GBX "], cx", gen, 2,   \
	  0, u)                                                                \
	F(X, op##_32, OP " m32, r32", #op " dword ptr [" GBX "], ecx", gen, 4, \
	  0, u)                                                                \
	ONLY64(F(X, op##_64, OP " m64, r64", #op " qword ptr [" GBX "], rcx",  \
		 gen, 8, 0, u))

#define FORMS_ATOMIC(X)                                                        \
	XCHG4(X, xchg, "XCHG", G_DEF, 0)                                       \
	XCHG4(X, xadd, "XADD", G_DEF, 0)                                       \
	XCHG4(X, cmpxchg, "CMPXCHG (equal)", G_EQ, 0)                          \
	F(X, cmpxchg_n8, "CMPXCHG m8, r8 (not equal)",                         \
	  "cmpxchg byte ptr [" GBX "], cl", G_NE, 1, 0, 0)                     \
	F(X, cmpxchg_n16, "CMPXCHG m16, r16 (not equal)",                      \
	  "cmpxchg word ptr [" GBX "], cx", G_NE, 2, 0, 0)                     \
	F(X, cmpxchg_n32, "CMPXCHG m32, r32 (not equal)",                      \
	  "cmpxchg dword ptr [" GBX "], ecx", G_NE, 4, 0, 0)                   \
	ONLY64(F(X, cmpxchg_n64, "CMPXCHG m64, r64 (not equal)",               \
		 "cmpxchg qword ptr [" GBX "], rcx", G_NE, 8, 0, 0))           \
	F(X, cx8b_eq, "CMPXCHG8B m64 (equal)",                                 \
	  "cmpxchg8b qword ptr [" GDI "]", G_EQ2, 8, O_PDI, 0)                 \
	F(X, cx8b_ne, "CMPXCHG8B m64 (not equal)",                             \
	  "cmpxchg8b qword ptr [" GDI "]", G_NE2, 8, O_PDI, 0)                 \
	ONLY64(F(X, cx16b_eq, "CMPXCHG16B m128 (equal)",                       \
		 "cmpxchg16b [" GDI "]", G_EQ2, 16, O_A16 | O_PDI, 0))         \
	ONLY64(F(X, cx16b_ne, "CMPXCHG16B m128 (not equal)",                   \
		 "cmpxchg16b [" GDI "]", G_NE2, 16, O_A16 | O_PDI, 0))         \
	ONLY64(F(X, lock_cx_eq, "LOCK CMPXCHG m64 (equal)",                    \
		 "lock cmpxchg qword ptr [" GBX "], rcx", G_EQ, 8, 0, 0))      \
	F(X, lock_cx_ne, "LOCK CMPXCHG m32 (not equal)",                       \
	  "lock cmpxchg dword ptr [" GBX "], ecx", G_NE, 4, 0, 0)              \
	ONLY64(F(X, lock_cx16b, "LOCK CMPXCHG16B m128 (equal)",                \
		 "lock cmpxchg16b [" GDI "]", G_EQ2, 16, O_A16 | O_PDI, 0))    \
	F(X, lock_add, "LOCK ADD m32, r32",                                    \
	  "lock add dword ptr [" GBX "], ecx", G_DEF, 4, 0, 0)                 \
	ONLY64(F(X, lock_sub_i, "LOCK SUB m64, simm8",                         \
		 "lock sub qword ptr [" GBX "], 0x12", G_DEF, 8, 0, 0))        \
	F(X, lock_or_i, "LOCK OR m8, imm8",                                    \
	  "lock or byte ptr [" GBX "], 0x81", G_DEF, 1, 0, AF)                 \
	ONLY64(F(X, lock_xadd, "LOCK XADD m64, r64",                           \
		 "lock xadd qword ptr [" GBX "], rcx", G_DEF, 8, 0, 0))        \
	ONLY32(F(X, lock_cx_eq32, "LOCK CMPXCHG m32 (equal)",                  \
		 "lock cmpxchg dword ptr [ebx], ecx", G_EQ, 4, 0, 0))          \
	ONLY32(F(X, lock_sub_i32, "LOCK SUB m32, simm8",                       \
		 "lock sub dword ptr [ebx], 0x12", G_DEF, 4, 0, 0))            \
	ONLY32(F(X, lock_xadd32, "LOCK XADD m32, r32",                         \
		 "lock xadd dword ptr [ebx], ecx", G_DEF, 4, 0, 0))            \
	F(X, lock_cx8b, "LOCK CMPXCHG8B m64 (equal)",                          \
	  "lock cmpxchg8b qword ptr [" GDI "]", G_EQ2, 8, O_PDI, 0)            \
	F(X, lock_cx8b_ne, "LOCK CMPXCHG8B m64 (not equal)",                   \
	  "lock cmpxchg8b qword ptr [" GDI "]", G_NE2, 8, O_PDI, 0)            \
	ONLY64(F(X, lock_cx16b_ne, "LOCK CMPXCHG16B m128 (not equal)",         \
		 "lock cmpxchg16b [rdi]", G_NE2, 16, O_A16 | O_PDI, 0))        \
	F(X, lock_inc, "LOCK INC m16", "lock inc word ptr [" GBX "]", G_DEF,   \
	  2, 0, 0)                                                             \
	F(X, lock_neg, "LOCK NEG m32", "lock neg dword ptr [" GBX "]", G_DEF,  \
	  4, 0, 0)                                                             \
	F(X, lock_not, "LOCK NOT m8", "lock not byte ptr [" GBX "]", G_DEF, 1, \
	  0, 0)                                                                \
	F(X, lock_bts, "LOCK BTS m32, r32",                                    \
	  "lock bts dword ptr [" GBX "], ecx", G_BT, 4, 0, OF | SF | AF | PF)

/* BT/BTS/BTR/BTC with a register offset (beyond the operand, negative)
 * and with an immediate (masked to the operand size). */
#define BTX(X, op, OP)                                                         \
	F(X, op##_rw, OP " m16, r16 (66 0F)", #op " word ptr [" GBX "], cx",   \
	  G_BT, 2, 0, OF | SF | AF | PF)                                       \
	F(X, op##_rd, OP " m32, r32 (0F)", #op " dword ptr [" GBX "], ecx",    \
	  G_BT, 4, 0, OF | SF | AF | PF)                                       \
	ONLY64(F(X, op##_rq, OP " m64, r64 (REX.W 0F)",                        \
		 #op " qword ptr [" GBX "], rcx", G_BT, 8, 0,                  \
		 OF | SF | AF | PF))                                           \
	F(X, op##_iw, OP " m16, 29 (66 0F BA)", #op " word ptr [" GBX "], 29", \
	  G_DEF, 2, 0, OF | SF | AF | PF)                                      \
	F(X, op##_id, OP " m32, 13 (0F BA)", #op " dword ptr [" GBX "], 13",   \
	  G_DEF, 4, 0, OF | SF | AF | PF)                                      \
	ONLY64(F(X, op##_iq, OP " m64, 63 (REX.W 0F BA)",                      \
		 #op " qword ptr [" GBX "], 63", G_DEF, 8, 0,                  \
		 OF | SF | AF | PF))

#define FORMS_BT(X)                                                            \
	BTX(X, bt, "BT")                                                       \
	BTX(X, bts, "BTS")                                                     \
	BTX(X, btr, "BTR")                                                     \
	BTX(X, btc, "BTC")

/* SETcc m8 and CMOVcc r32, m32 for every condition. */
#define CC(X, cc, CCN)                                                         \
	F(X, set##cc, "SET" CCN " m8", "set" #cc " byte ptr [" GBX "]", G_DEF, \
	  1, 0, 0)                                                             \
	F(X, cmov##cc, "CMOV" CCN " r32, m32",                                 \
	  "cmov" #cc " ecx, dword ptr [" GBX "]", G_DEF, 4, 0, 0)

#define FORMS_CC(X)                                                            \
	CC(X, o, "O")                                                          \
	CC(X, no, "NO")                                                        \
	CC(X, b, "B")                                                          \
	CC(X, ae, "AE")                                                        \
	CC(X, e, "E")                                                          \
	CC(X, ne, "NE")                                                        \
	CC(X, be, "BE")                                                        \
	CC(X, a, "A")                                                          \
	CC(X, s, "S")                                                          \
	CC(X, ns, "NS")                                                        \
	CC(X, p, "P")                                                          \
	CC(X, np, "NP")                                                        \
	CC(X, l, "L")                                                          \
	CC(X, ge, "GE")                                                        \
	CC(X, le, "LE")                                                        \
	CC(X, g, "G")                                                          \
	F(X, cmove_w, "CMOVE r16, m16 (66 0F 44)",                             \
	  "cmove cx, word ptr [" GBX "]", G_DEF, 2, 0, 0)                      \
	ONLY64(F(X, cmovne_q, "CMOVNE r64, m64 (REX.W 0F 45)",                 \
		 "cmovne r9, qword ptr [" GBX "]", G_DEF, 8, 0, 0))

/* String forms: element size, which window each pointer is in. */
#define STRF(X, id, t, insn, size, opt) F(X, id, t, insn, G_STR, size, opt, 0)
#define FORMS_STRING(X)                                                        \
	STRF(X, rmovsb_rm, "REP MOVSB RAM->MMIO", "rep movsb", 1,              \
	     O_SI_S | O_DI_M | O_REP)                                          \
	STRF(X, rmovsb_mr, "REP MOVSB MMIO->RAM", "rep movsb", 1,              \
	     O_SI_M | O_DI_S | O_REP)                                          \
	STRF(X, rmovsw_rm, "REP MOVSW RAM->MMIO", "rep movsw", 2,              \
	     O_SI_S | O_DI_M | O_REP)                                          \
	ONLY64(STRF(X, rmovsq_rm, "REP MOVSQ RAM->MMIO", "rep movsq", 8,       \
		    O_SI_S | O_DI_M | O_REP))                                  \
	ONLY64(STRF(X, rmovsq_mr, "REP MOVSQ MMIO->RAM", "rep movsq", 8,       \
		    O_SI_M | O_DI_S | O_REP))                                  \
	STRF(X, movsd_mr, "MOVSD MMIO->RAM", "movsd", 4, O_SI_M | O_DI_S)      \
	STRF(X, rstosb, "REP STOSB", "rep stosb", 1, O_DI_M | O_REP)           \
	STRF(X, rstosd, "REP STOSD", "rep stosd", 4, O_DI_M | O_REP)           \
	ONLY64(STRF(X, rstosq, "REP STOSQ", "rep stosq", 8, O_DI_M | O_REP))   \
	STRF(X, stosw, "STOSW", "stosw", 2, O_DI_M)                            \
	STRF(X, lodsb, "LODSB", "lodsb", 1, O_SI_M)                            \
	ONLY64(STRF(X, lodsq, "LODSQ", "lodsq", 8, O_SI_M))                    \
	STRF(X, rlodsb, "REP LODSB", "rep lodsb", 1, O_SI_M | O_REP)           \
	F(X, repe_cmpsb, "REPE CMPSB", "repe cmpsb", G_CMPS, 1,                \
	  O_SI_M | O_DI_S | O_REP, 0)                                          \
	F(X, repne_cmpsb, "REPNE CMPSB", "repne cmpsb", G_CMPS, 1,             \
	  O_SI_S | O_DI_M | O_REP, 0)                                          \
	ONLY64(F(X, repe_cmpsq, "REPE CMPSQ", "repe cmpsq", G_CMPS, 8,         \
		 O_SI_M | O_DI_S | O_REP, 0))                                  \
	F(X, cmpsd, "CMPSD", "cmpsd", G_CMPS, 4, O_SI_S | O_DI_M, 0)           \
	F(X, repe_scasb, "REPE SCASB", "repe scasb", G_SCAS, 1,                \
	  O_DI_M | O_REP, 0)                                                   \
	F(X, repne_scasb, "REPNE SCASB", "repne scasb", G_SCAS, 1,             \
	  O_DI_M | O_REP, 0)                                                   \
	F(X, repne_scasd, "REPNE SCASD", "repne scasd", G_SCAS, 4,             \
	  O_DI_M | O_REP, 0)                                                   \
	ONLY64(F(X, repe_scasq, "REPE SCASQ", "repe scasq", G_SCAS, 8,         \
		 O_DI_M | O_REP, 0))                                           \
	ONLY32(STRF(X, rmovsd_rm, "REP MOVSD RAM->MMIO", "rep movsd", 4,       \
		    O_SI_S | O_DI_M | O_REP))                                  \
	ONLY32(STRF(X, rmovsd_mr, "REP MOVSD MMIO->RAM", "rep movsd", 4,       \
		    O_SI_M | O_DI_S | O_REP))                                  \
	ONLY32(STRF(X, lodsd, "LODSD", "lodsd", 4, O_SI_M))                    \
	ONLY32(F(X, repe_cmpsd, "REPE CMPSD", "repe cmpsd", G_CMPS, 4,         \
		 O_SI_M | O_DI_S | O_REP, 0))                                  \
	ONLY32(F(X, repe_scasd, "REPE SCASD", "repe scasd", G_SCAS, 4,         \
		 O_DI_M | O_REP, 0))                                           \
	F(X, scasw, "SCASW", "scasw", G_SCAS, 2, O_DI_M, 0)                    \
	STRF(X, big_movsb, "REP MOVSB 8 KiB RAM->MMIO", "rep movsb", 1,        \
	     O_SI_S | O_DI_M | O_REP | O_BIG)                                  \
	ONLY64(STRF(X, big_movsq, "REP MOVSQ 8 KiB MMIO->RAM", "rep movsq", 8, \
		    O_SI_M | O_DI_S | O_REP | O_BIG))                          \
	ONLY32(STRF(X, big_movsd, "REP MOVSD 8 KiB MMIO->RAM", "rep movsd", 4, \
		    O_SI_M | O_DI_S | O_REP | O_BIG))                          \
	STRF(X, big_stosd, "REP STOSD 8 KiB", "rep stosd", 4,                  \
	     O_DI_M | O_REP | O_BIG)

/*
 * Accesses across a 4 KiB boundary. The MMIO run has three layouts: both
 * halves in ioram, RAM then ioram, ioram then RAM (through the alias
 * mapping of alias_setup); the native and forced runs cross between two
 * RAM pages.
 */
#define XP(X, id, t, pre, insn, post, gen, size, opt)                          \
	X(id##_mm, t " across 4 KiB, MMIO|MMIO", pre, insn, insn, post, gen,   \
	  size, (opt) | O_CROSS, 0, 0)                                         \
	X(id##_rm, t " across 4 KiB, RAM|MMIO", pre, insn, insn, post, gen,    \
	  size, (opt) | O_CROSS | O_RAMIO, 0, 0)                               \
	X(id##_mr, t " across 4 KiB, MMIO|RAM", pre, insn, insn, post, gen,    \
	  size, (opt) | O_CROSS | O_IORAM, 0, 0)

/* SSE and AVX moves. */
#define FORMS_SIMD(X)                                                          \
	FV(X, movd_l, "MOVD xmm, m32 (66 0F 6E)",                              \
	   "movd xmm0, dword ptr [" GBX "]", 4, 0)                             \
	FV(X, movd_s, "MOVD m32, xmm (66 0F 7E)",                              \
	   "movd dword ptr [" GBX "], xmm1", 4, 0)                             \
	ONLY64(FV(X, movq_l6e, "MOVQ xmm, m64 (66 REX.W 0F 6E)",               \
		  ".byte 0x66, 0x48, 0x0f, 0x6e, 0x03", 8, 0))                 \
	ONLY64(FV(X, movq_s7e, "MOVQ m64, xmm (66 REX.W 0F 7E)",               \
		  ".byte 0x66, 0x48, 0x0f, 0x7e, 0x0b", 8, 0))                 \
	FV(X, movq_lf3, "MOVQ xmm, m64 (F3 0F 7E)",                            \
	   "movq xmm0, qword ptr [" GBX "]", 8, 0)                             \
	FV(X, movq_sd6, "MOVQ m64, xmm (66 0F D6)",                            \
	   "movq qword ptr [" GBX "], xmm1", 8, 0)                             \
	FV(X, movdqu_l, "MOVDQU xmm, m128",                                    \
	   "movdqu xmm0, xmmword ptr [" GBX "]", 16, 0)                        \
	FV(X, movdqu_s, "MOVDQU m128, xmm",                                    \
	   "movdqu xmmword ptr [" GBX "], xmm1", 16, 0)                        \
	FV(X, movdqa_l, "MOVDQA xmm, m128",                                    \
	   "movdqa xmm0, xmmword ptr [" GBX "]", 16, O_A16)                    \
	FV(X, movdqa_s, "MOVDQA m128, xmm",                                    \
	   "movdqa xmmword ptr [" GBX "], xmm1", 16, O_A16)                    \
	FV(X, movups_l, "MOVUPS xmm, m128",                                    \
	   "movups xmm0, xmmword ptr [" GBX "]", 16, 0)                        \
	FV(X, movups_s, "MOVUPS m128, xmm",                                    \
	   "movups xmmword ptr [" GBX "], xmm1", 16, 0)                        \
	FV(X, movaps_l, "MOVAPS xmm, m128",                                    \
	   "movaps xmm0, xmmword ptr [" GBX "]", 16, O_A16)                    \
	FV(X, movaps_s, "MOVAPS m128, xmm",                                    \
	   "movaps xmmword ptr [" GBX "], xmm1", 16, O_A16)                    \
	FV(X, movntdq, "MOVNTDQ m128, xmm",                                    \
	   "movntdq xmmword ptr [" GBX "], xmm1", 16, O_A16)                   \
	X(movdqa_gp, "MOVDQA xmm, m128 misaligned: #GP(0)", PRE_X,             \
	  "movdqa xmm0, xmmword ptr [" GBX "]",                                \
	  "movdqa xmm0, xmmword ptr [" GBX "]", POST_X, G_MISAL, 16, O_VEC, 0, \
	  0)                                                                   \
	FY(X, vmovdqu_lx, "VMOVDQU xmm, m128 (VEX.128)",                       \
	   "vmovdqu xmm0, xmmword ptr [" GBX "]", 16, 0)                       \
	FY(X, vmovdqu_sx, "VMOVDQU m128, xmm (VEX.128)",                       \
	   "vmovdqu xmmword ptr [" GBX "], xmm1", 16, 0)                       \
	FY(X, vmovdqa_lx, "VMOVDQA xmm, m128 (VEX.128)",                       \
	   "vmovdqa xmm0, xmmword ptr [" GBX "]", 16, O_A16)                   \
	FY(X, vmovdqa_sx, "VMOVDQA m128, xmm (VEX.128)",                       \
	   "vmovdqa xmmword ptr [" GBX "], xmm1", 16, O_A16)                   \
	FY(X, vmovdqu_ly, "VMOVDQU ymm, m256 (VEX.256)",                       \
	   "vmovdqu ymm0, ymmword ptr [" GBX "]", 32, 0)                       \
	FY(X, vmovdqu_sy, "VMOVDQU m256, ymm (VEX.256)",                       \
	   "vmovdqu ymmword ptr [" GBX "], ymm1", 32, 0)                       \
	FY(X, vmovdqa_ly, "VMOVDQA ymm, m256 (VEX.256)",                       \
	   "vmovdqa ymm0, ymmword ptr [" GBX "]", 32, O_A32)                   \
	FY(X, vmovdqa_sy, "VMOVDQA m256, ymm (VEX.256)",                       \
	   "vmovdqa ymmword ptr [" GBX "], ymm1", 32, O_A32)                   \
	XP(X, xp_st16, "MOV m16, r16", "", "mov word ptr [" GBX "], cx", "",   \
	   G_DEF, 2, 0)                                                        \
	XP(X, xp_st32, "MOV m32, r32", "", "mov dword ptr [" GBX "], ecx", "", \
	   G_DEF, 4, 0)                                                        \
	ONLY64(XP(X, xp_ld64, "MOV r64, m64", "",                              \
		  "mov rcx, qword ptr [" GBX "]", "", G_DEF, 8, 0))            \
	ONLY64(XP(X, xp_add64, "ADD m64, r64", "",                             \
		  "add qword ptr [" GBX "], rcx", "", G_DEF, 8, 0))            \
	ONLY64(XP(X, xp_lcx64, "LOCK CMPXCHG m64 (equal)", "",                 \
		  "lock cmpxchg qword ptr [" GBX "], rcx", "", G_EQ, 8, 0))    \
	ONLY32(XP(X, xp_ld32, "MOV r32, m32", "", "mov ecx, dword ptr [ebx]",  \
		  "", G_DEF, 4, 0))                                            \
	ONLY32(XP(X, xp_add32, "ADD m32, r32", "", "add dword ptr [ebx], ecx", \
		  "", G_DEF, 4, 0))                                            \
	ONLY32(XP(X, xp_lcx32, "LOCK CMPXCHG m32 (equal)", "",                 \
		  "lock cmpxchg dword ptr [ebx], ecx", "", G_EQ, 4, 0))        \
	XP(X, xp_cx8b, "CMPXCHG8B m64 (equal)", "",                            \
	   "cmpxchg8b qword ptr [" GDI "]", "", G_EQ2, 8, O_PDI)               \
	XP(X, xp_cx8b_ne, "CMPXCHG8B m64 (not equal)", "",                     \
	   "cmpxchg8b qword ptr [" GDI "]", "", G_NE2, 8, O_PDI)               \
	ONLY64(XP(X, xp_lcx8b, "LOCK CMPXCHG8B m64 (equal)", "",               \
		  "lock cmpxchg8b qword ptr [rdi]", "", G_EQ2, 8, O_PDI))      \
	XP(X, xp_movdqu_l, "MOVDQU xmm, m128", PRE_X,                          \
	   "movdqu xmm0, xmmword ptr [" GBX "]", POST_X, G_DEF, 16, O_VEC)     \
	XP(X, xp_movdqu_s, "MOVDQU m128, xmm", PRE_X,                          \
	   "movdqu xmmword ptr [" GBX "], xmm1", POST_X, G_DEF, 16, O_VEC)     \
	XP(X, xp_vmovdqu_s, "VMOVDQU m256, ymm", PRE_Y,                        \
	   "vmovdqu ymmword ptr [" GBX "], ymm1", POST_Y, G_DEF, 32,           \
	   O_VEC | O_AVX)                                                      \
	XP(X, xp_rmovsb, "REP MOVSB RAM->MMIO", "", "rep movsb", "", G_STR, 1, \
	   O_SI_S | O_DI_M | O_REP)                                            \
	ONLY64(XP(X, xp_rstosq, "REP STOSQ", "", "rep stosq", "", G_STR, 8,    \
		  O_DI_M | O_REP))                                             \
	ONLY32(XP(X, xp_rstosd, "REP STOSD", "", "rep stosd", "", G_STR, 4,    \
		  O_DI_M | O_REP))

/*
 * Stack forms run with the stack in the memory window: ".set emu_xs, 1"
 * in pre makes EMU_XSTK swap RBX (the window pointer) and RSP after the
 * flags are loaded, just before the instruction; 2 also loads RBP from
 * RDX. post (or the landing stub) swaps them back, so RBX comes out as
 * the stack pointer the instruction left.
 */
#define EMU_XSTK                                                               \
	".if emu_xs\nxchg " GBX ", " GSP "\n.endif\n"                          \
	".if emu_xs == 2\nmov " GBP ", " GDX "\n.endif\n"
#define XSTK	".set emu_xs, 1\n"
#define XSTK_BP ".set emu_xs, 2\n"
#define UNSTK	"xchg " GBX ", " GSP "\n"
#define FS(X, id, t, insn, post, gen, size)                                    \
	X(id, t, XSTK, insn, insn, post UNSTK, gen, size, 0, 0, 0)

/* MMX forms: MM0/MM1 in and out through the vector fields' low bytes. */
#define PRE_M "movq mm0, qword ptr " V0 "\n movq mm1, qword ptr " V1 "\n"
#define POST_M                                                                 \
	"movq qword ptr " V0 ", mm0\n movq qword ptr " V1 ", mm1\n emms\n"
#define FM(X, id, t, insn, size)                                               \
	X(id, t, PRE_M, insn, insn, POST_M, G_DEF, size, O_VEC, 0, 0)

/*
 * System forms with a memory operand: stores of system registers, loads
 * of CR0[3:0], the descriptor-table registers, LDTR and segment registers
 * (each loading a valid value, then stored back or read for the
 * comparison), far JMP/CALL through memory to the harness's own code
 * segment.
 */
#define FORMS_SYS(X)                                                           \
	F(X, smsw, "SMSW m16 (0F 01 /4)", "smsw word ptr [" GBX "]", G_DEF, 2, \
	  0, 0)                                                                \
	ONLY64(F(X, sgdt, "SGDT m80 (0F 01 /0)", "sgdt [" GBX "]", G_DEF, 10,  \
		 0, 0))                                                        \
	ONLY64(F(X, sidt, "SIDT m80 (0F 01 /1)", "sidt [" GBX "]", G_DEF, 10,  \
		 0, 0))                                                        \
	ONLY32(                                                                \
	    F(X, sgdt32, "SGDT m48 (0F 01 /0)", "sgdt [ebx]", G_DEF, 6, 0, 0)) \
	ONLY32(                                                                \
	    F(X, sidt32, "SIDT m48 (0F 01 /1)", "sidt [ebx]", G_DEF, 6, 0, 0)) \
	F(X, sldt, "SLDT m16 (0F 00 /0)", "sldt word ptr [" GBX "]", G_DEF, 2, \
	  0, 0)                                                                \
	F(X, str, "STR m16 (0F 00 /1)", "str word ptr [" GBX "]", G_DEF, 2, 0, \
	  0)                                                                   \
	X(lmsw, "LMSW m16 (0F 01 /6), then SMSW r", "",                        \
	  "lmsw word ptr [" GBX "]", "lmsw word ptr [" GBX "]",                \
	  "smsw " GCX "\n", G_LMSW, 2, 0, 0, 0)                                \
	X(lgdt, "LGDT m (0F 01 /2), then SGDT", "", "lgdt [" GBX "]",          \
	  "lgdt [" GBX "]", "sgdt [" GBX " + 16]\n", G_GDTR, 2, 0, 0, 0)       \
	X(lidt, "LIDT m (0F 01 /3), then SIDT", "", "lidt [" GBX "]",          \
	  "lidt [" GBX "]", "sidt [" GBX " + 16]\n", G_IDTR, 2, 0, 0, 0)       \
	X(lldt, "LLDT m16 (0F 00 /2), then SLDT", "",                          \
	  "lldt word ptr [" GBX "]", "lldt word ptr [" GBX "]",                \
	  "sldt word ptr [" GBX " + 8]\n", G_LDTR, 2, 0, 0, 0)                 \
	ONLY32(X(ltr, "LTR m16 (0F 00 /3), then STR", "",                      \
		 "ltr word ptr [ebx]", "ltr word ptr [ebx]",                   \
		 "str word ptr [ebx + 8]\n", G_LTR, 2, 0, 0, 0))               \
	F(X, mov_from_ds, "MOV m16, DS (8C)", "mov word ptr [" GBX "], ds",    \
	  G_DEF, 2, 0, 0)                                                      \
	F(X, mov_from_cs, "MOV m16, CS (8C)", "mov word ptr [" GBX "], cs",    \
	  G_DEF, 2, 0, 0)                                                      \
	F(X, mov_from_ss, "MOV m16, SS (8C)", "mov word ptr [" GBX "], ss",    \
	  G_DEF, 2, 0, 0)                                                      \
	ONLY64(X(mov_to_ds, "MOV DS, m16 (8E), then MOV r32, DS", "",          \
		 "mov ds, word ptr [rbx]", "mov ds, word ptr [rbx]",           \
		 "mov ecx, ds\n", G_SREG, 2, 0, 0, 0))                         \
	ONLY32(X(mov_to_es, "MOV ES, m16 (8E), then MOV r32, ES", "",          \
		 "mov es, word ptr [ebx]", "mov es, word ptr [ebx]",           \
		 "mov ecx, es\n push ds\n pop es\n", G_SREG, 2, 0, 0, 0))      \
	X(mov_to_ss, "MOV SS, m16 (8E)", "", "mov ss, word ptr [" GBX "]",     \
	  "mov ss, word ptr [" GBX "]", "", G_SS, 2, 0, 0, 0)                  \
	F(X, jmp_far, "JMP m16:32 (FF /5)", "jmp fword ptr [" GBX "]", G_FARJ, \
	  6, 0, 0)                                                             \
	F(X, call_far, "CALL m16:32 (FF /3)", "call fword ptr [" GBX "]",      \
	  G_FARC, 6, 0, 0)                                                     \
	ONLY64(F(X, jmp_far64, "JMP m16:64 (REX.W FF /5)",                     \
		 ".byte 0x48, 0xff, 0x2b", G_FARJ, 10, 0, 0))                  \
	ONLY64(F(X, call_far64, "CALL m16:64 (REX.W FF /3)",                   \
		 ".byte 0x48, 0xff, 0x1b", G_FARC, 10, 0, 0))                  \
	F(X, call_ind, "CALL m (FF /2) to the far-JMP stub",                   \
	  "call " WPTR " [" GBX "]", G_NEAR, sizeof(ureg), 0, 0)               \
	F(X, jmp_ind, "JMP m (FF /4) to the far-JMP stub",                     \
	  "jmp " WPTR " [" GBX "]", G_NEAR, sizeof(ureg), 0, 0)

/*
 * PUSH, POP, CALL, RET, ENTER and LEAVE with the stack in the window. CALL
 * subtracts its label from the pushed return address (ZF: it was right)
 * and clears RCX, which held an address of this run's own code.
 */
#define FORMS_STACK(X)                                                         \
	FS(X, stk_push_r, "PUSH r (50+r), stack in MMIO", "push " GCX, "",     \
	   G_DEF, sizeof(ureg))                                                \
	FS(X, stk_push_w, "PUSH r16 (66 50+r), stack in MMIO", "push cx", "",  \
	   G_DEF, 2)                                                           \
	FS(X, stk_push_i, "PUSH imm32 (68), stack in MMIO", "push 0x12345678", \
	   "", G_DEF, sizeof(ureg))                                            \
	FS(X, stk_push_b, "PUSH imm8 (6A), stack in MMIO", "push -0x5b", "",   \
	   G_DEF, sizeof(ureg))                                                \
	FS(X, stk_push_m, "PUSH [rSP] (FF /6), operand and stack in MMIO",     \
	   "push " WPTR " [" GSP "]", "", G_DEF, sizeof(ureg))                 \
	FS(X, stk_pop_r, "POP r (58+r), stack in MMIO", "pop " GCX, "", G_DEF, \
	   sizeof(ureg))                                                       \
	FS(X, stk_pop_w, "POP r16 (66 58+r), stack in MMIO", "pop dx", "",     \
	   G_DEF, 2)                                                           \
	FS(X, stk_call, "CALL rel32 (E8), stack in MMIO",                      \
	   "call 1f\n1:", LEA_RET "sub [" GSP "], " GCX "\n mov ecx, 0\n",     \
	   G_DEF, sizeof(ureg))                                                \
	X(stk_ret, "RET (C3), stack in MMIO", XSTK, "ret\n ud2", "ret\n ud2",  \
	  "", G_RET, sizeof(ureg), 0, 0, 0)                                    \
	X(stk_reti, "RET imm16 (C2), stack in MMIO", XSTK, "ret 12\n ud2",     \
	  "ret 12\n ud2", "", G_RET, sizeof(ureg), 0, 0, 0)                    \
	X(stk_enter, "ENTER 24, 0 (C8), stack in MMIO", XSTK_BP,               \
	  "enter 24, 0", "enter 24, 0", "mov " GCX ", " GBP "\n" UNSTK,        \
	  G_ENTER, sizeof(ureg), 0, 0, 0)                                      \
	X(stk_leave, "LEAVE (C9), stack in MMIO", XSTK_BP, "leave", "leave",   \
	  "mov " GCX ", " GBP "\n" UNSTK, G_LEAVE, sizeof(ureg), 0, 0, 0)

/* MMX moves with a memory operand (no 66 prefix). */
#define FORMS_MMX(X)                                                           \
	FM(X, mmx_movq_l, "MOVQ mm, m64 (0F 6F)",                              \
	   "movq mm0, qword ptr [" GBX "]", 8)                                 \
	FM(X, mmx_movq_s, "MOVQ m64, mm (0F 7F)",                              \
	   "movq qword ptr [" GBX "], mm1", 8)                                 \
	FM(X, mmx_movd_l, "MOVD mm, m32 (0F 6E)",                              \
	   "movd mm0, dword ptr [" GBX "]", 4)                                 \
	FM(X, mmx_movd_s, "MOVD m32, mm (0F 7E)",                              \
	   "movd dword ptr [" GBX "], mm1", 4)                                 \
	ONLY64(FM(X, mmx_movq_l6e, "MOVQ mm, m64 (REX.W 0F 6E)",               \
		  ".byte 0x48, 0x0f, 0x6e, 0x03", 8))                          \
	ONLY64(FM(X, mmx_movq_s7e, "MOVQ m64, mm (REX.W 0F 7E)",               \
		  ".byte 0x48, 0x0f, 0x7e, 0x0b", 8))

#define FORMS(X)                                                               \
	FORMS_MOV(X)                                                           \
	FORMS_ALU(X)                                                           \
	FORMS_UNARY(X)                                                         \
	FORMS_SHIFT(X)                                                         \
	FORMS_ATOMIC(X)                                                        \
	FORMS_BT(X)                                                            \
	FORMS_CC(X)                                                            \
	FORMS_STRING(X)                                                        \
	FORMS_SIMD(X)                                                          \
	FORMS_SYS(X)                                                           \
	FORMS_STACK(X)                                                         \
	FORMS_MMX(X)

#endif /* MICA_GUESTS_EMU_FORMS_H */
