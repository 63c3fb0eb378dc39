/* SPDX-License-Identifier: MIT */
/*
 * Table-driven tests of the instruction decoder: every form the emulator
 * executes (docs/design.md section 5) with its bytes, mode and expected decode;
 * "need more bytes" for every truncation of each (decoded from a heap
 * buffer of exactly that size, so ASan catches any overread); and invalid
 * encodings with their distinct status codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/unit/support/tap.h"
#include "vmm/insn/insn.h"

#define NO  INSN_REG_NONE
#define SDS INSN_SEG_DS
#define SSS INSN_SEG_SS
#define SFS INSN_SEG_FS
#define NM  0xfe /* no memory operand */

struct dcase {
	const char *name;
	u8 mode;
	const char *hex;
	u8 len, map, op, os, as;
	u8 base, index, scale; /* base NM: no memory operand */
	s64 disp;
	u8 seg, rip, imm_size;
	u64 imm;
};

/* clang-format off */
static const struct dcase cases[] = {
	/* MOV 88-8B */
	{"mov [rdi],eax", 64, "8907", 2, 0, 0x89, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"mov [rsp+8],rax", 64, "4889442408", 5, 0, 0x89, 8, 8, 4, NO, 1, 8, SSS, 0, 0, 0},
	{"mov [rax],al", 64, "8800", 2, 0, 0x88, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"mov al,[rip+16]", 64, "8a0510000000", 6, 0, 0x8a, 1, 8, NO, NO, 1, 16, SDS, 1, 0, 0},
	{"mov cx,[rcx*4+0x1000]", 64, "668b0c8d00100000", 8, 0, 0x8b, 2, 8, NO, 1, 4, 0x1000, SDS, 0, 0, 0},
	{"mov r9,fs:[r12+r13*8-128]", 64, "644f8b4cec80", 6, 0, 0x8b, 8, 8, 12, 13, 8, -128, SFS, 0, 0, 0},
	{"mov [ebp-4],eax 32", 32, "8945fc", 3, 0, 0x89, 4, 4, 5, NO, 1, -4, SSS, 0, 0, 0},
	{"mov [bx],ax 32+67", 32, "678907", 3, 0, 0x89, 4, 2, 3, NO, 1, 0, SDS, 0, 0, 0},
	{"mov [bx],ax 16", 16, "8907", 2, 0, 0x89, 2, 2, 3, NO, 1, 0, SDS, 0, 0, 0},
	{"mov ax,[bp-2] 16", 16, "8b46fe", 3, 0, 0x8b, 2, 2, 5, NO, 1, -2, SSS, 0, 0, 0},
	{"mov ax,[bx+si+0x1234] 16", 16, "8b803412", 4, 0, 0x8b, 2, 2, 3, 6, 1, 0x1234, SDS, 0, 0, 0},
	{"mov eax,[esp] 16+66+67", 16, "66678b0424", 5, 0, 0x8b, 4, 4, 4, NO, 1, 0, SSS, 0, 0, 0},
	/* MOV C6/C7 */
	{"mov byte [rax],0x7f", 64, "c6007f", 3, 0, 0xc6, 1, 8, 0, NO, 1, 0, SDS, 0, 1, 0x7f},
	{"mov qword [rax],-1", 64, "48c700ffffffff", 7, 0, 0xc7, 8, 8, 0, NO, 1, 0, SDS, 0, 4, ~0ULL},
	{"mov word [bx],0x1234 16", 16, "c7073412", 4, 0, 0xc7, 2, 2, 3, NO, 1, 0, SDS, 0, 2, 0x1234},
	/* MOV A0-A3 moffs */
	{"mov al,[moffs64]", 64, "a08877665544332211", 9, 0, 0xa0, 1, 8, NO, NO, 1, 0x1122334455667788LL, SDS, 0, 0, 0},
	{"mov eax,[moffs32] 67", 64, "67a1f0debc9a", 6, 0, 0xa1, 4, 4, NO, NO, 1, 0x9abcdef0LL, SDS, 0, 0, 0},
	{"mov [moffs32],ax 32", 32, "66a344332211", 6, 0, 0xa3, 2, 4, NO, NO, 1, 0x11223344, SDS, 0, 0, 0},
	{"mov gs:[moffs16],al 16", 16, "65a23412", 4, 0, 0xa2, 1, 2, NO, NO, 1, 0x1234, INSN_SEG_GS, 0, 0, 0},
	/* MOVZX/MOVSX, MOVSXD */
	{"movzx eax,byte [rdi]", 64, "0fb607", 3, 1, 0xb6, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movzx ax,word [rdi]", 64, "660fb707", 4, 1, 0xb7, 2, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movsx rax,byte [rsi]", 64, "480fbe06", 4, 1, 0xbe, 8, 8, 6, NO, 1, 0, SDS, 0, 0, 0},
	{"movsx rax,word [rsi]", 64, "480fbf06", 4, 1, 0xbf, 8, 8, 6, NO, 1, 0, SDS, 0, 0, 0},
	{"movsxd rax,[rdi]", 64, "486307", 3, 0, 0x63, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	/* string ops with REP */
	{"rep movsb", 64, "f3a4", 2, 0, 0xa4, 1, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"rep stosq", 64, "f348ab", 3, 0, 0xab, 8, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"rep lodsw 32", 32, "f366ad", 3, 0, 0xad, 2, 4, NM, 0, 0, 0, 0, 0, 0, 0},
	{"repne scasb a32", 64, "f267ae", 3, 0, 0xae, 1, 4, NM, 0, 0, 0, 0, 0, 0, 0},
	{"repe cmpsd 16", 16, "f366a7", 3, 0, 0xa7, 4, 2, NM, 0, 0, 0, 0, 0, 0, 0},
	/* ALU 00-3F */
	{"lock add [rax],ebx", 64, "f00118", 3, 0, 0x01, 4, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"adc al,[rbx]", 64, "1203", 2, 0, 0x12, 1, 8, 3, NO, 1, 0, SDS, 0, 0, 0},
	{"sbb r8,[r9]", 64, "4d1b01", 3, 0, 0x1b, 8, 8, 9, NO, 1, 0, SDS, 0, 0, 0},
	{"cmp [rax],dh", 64, "3830", 2, 0, 0x38, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"xor eax,imm32", 64, "3578563412", 5, 0, 0x35, 4, 8, NM, 0, 0, 0, 0, 0, 4, 0x12345678},
	{"and ax,imm16 16", 16, "25ff00", 3, 0, 0x25, 2, 2, NM, 0, 0, 0, 0, 0, 2, 0xff},
	/* group 1 */
	{"or byte [rax],1", 64, "800801", 3, 0, 0x80, 1, 8, 0, NO, 1, 0, SDS, 0, 1, 1},
	{"add dword [rax],imm32", 64, "810078563412", 6, 0, 0x81, 4, 8, 0, NO, 1, 0, SDS, 0, 4, 0x12345678},
	{"sub qword [rax],imm8", 64, "488328ff", 4, 0, 0x83, 8, 8, 0, NO, 1, 0, SDS, 0, 1, ~0ULL},
	{"lock xor word [bx+di],5 16", 16, "f0833105", 4, 0, 0x83, 2, 2, 3, 7, 1, 0, SDS, 0, 1, 5},
	/* TEST 84/85/F6/F7, group 3 */
	{"test [rdi],eax", 64, "8507", 2, 0, 0x85, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"test byte [rax],dl", 64, "8410", 2, 0, 0x84, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"test byte [rax],0x80", 64, "f60080", 3, 0, 0xf6, 1, 8, 0, NO, 1, 0, SDS, 0, 1, 0xffffffffffffff80ULL},
	{"test dword [rip+0],imm32", 64, "f7050000000001000000", 10, 0, 0xf7, 4, 8, NO, NO, 1, 0, SDS, 1, 4, 1},
	{"test word [rax],imm16", 64, "66f7003412", 5, 0, 0xf7, 2, 8, 0, NO, 1, 0, SDS, 0, 2, 0x1234},
	{"neg dword [rax]", 64, "f718", 2, 0, 0xf7, 4, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"not byte [rax]", 64, "f610", 2, 0, 0xf6, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"mul qword [rax]", 64, "48f720", 3, 0, 0xf7, 8, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"imul dword [rax]", 64, "f728", 2, 0, 0xf7, 4, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"div byte [rax]", 64, "f630", 2, 0, 0xf6, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"idiv word [rax]", 64, "66f738", 3, 0, 0xf7, 2, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"inc byte [rax]", 64, "fe00", 2, 0, 0xfe, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"lock dec qword [rax]", 64, "f048ff08", 4, 0, 0xff, 8, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	/* shifts/rotates */
	{"shl dword [rax],1", 64, "d120", 2, 0, 0xd1, 4, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"shr dword [rax],5", 64, "c12805", 3, 0, 0xc1, 4, 8, 0, NO, 1, 0, SDS, 0, 1, 5},
	{"sar dword [rax],cl", 64, "d338", 2, 0, 0xd3, 4, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"rol byte [rax],3", 64, "c00003", 3, 0, 0xc0, 1, 8, 0, NO, 1, 0, SDS, 0, 1, 3},
	{"rcr byte [rax],cl", 64, "d218", 2, 0, 0xd2, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"rcl byte [rax],1", 64, "d010", 2, 0, 0xd0, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	/* XCHG, CMPXCHG, XADD, CMPXCHG8B/16B */
	{"xchg [rdi],eax", 64, "8707", 2, 0, 0x87, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"xchg [rdi],cl", 64, "860f", 2, 0, 0x86, 1, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"lock cmpxchg [rdi],ecx", 64, "f00fb10f", 4, 1, 0xb1, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"cmpxchg [rdi],cl", 64, "0fb00f", 3, 1, 0xb0, 1, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"lock xadd [rdi],eax", 64, "f00fc107", 4, 1, 0xc1, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"xadd [rdi],al", 64, "0fc007", 3, 1, 0xc0, 1, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"lock cmpxchg8b [rdi]", 64, "f00fc70f", 4, 1, 0xc7, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"lock cmpxchg16b [rdi]", 64, "f0480fc70f", 5, 1, 0xc7, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	/* BT* */
	{"bt [rdi],eax", 64, "0fa307", 3, 1, 0xa3, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"lock bts [rdi],rax", 64, "f0480fab07", 5, 1, 0xab, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"btr [rdi],ax", 64, "660fb307", 4, 1, 0xb3, 2, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"btc [rdi],eax", 64, "0fbb07", 3, 1, 0xbb, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"bts [rdi],5", 64, "0fba2f05", 4, 1, 0xba, 4, 8, 7, NO, 1, 0, SDS, 0, 1, 5},
	{"bt [rdi],5", 64, "0fba2705", 4, 1, 0xba, 4, 8, 7, NO, 1, 0, SDS, 0, 1, 5},
	/* SETcc, CMOVcc */
	{"sete [rax]", 64, "0f9400", 3, 1, 0x94, 1, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"setg [rax+rbx]", 64, "0f9f0418", 4, 1, 0x9f, 1, 8, 0, 3, 1, 0, SDS, 0, 0, 0},
	{"cmove eax,[rdi]", 64, "0f4407", 3, 1, 0x44, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"cmovns rax,[rdi]", 64, "480f4907", 4, 1, 0x49, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	/* PUSH/POP m */
	{"push qword [rax]", 64, "ff30", 2, 0, 0xff, 8, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"push word [rax]", 64, "66ff30", 3, 0, 0xff, 2, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"pop qword [rax]", 64, "8f00", 2, 0, 0x8f, 8, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"push dword [eax] 32", 32, "ff30", 2, 0, 0xff, 4, 4, 0, NO, 1, 0, SDS, 0, 0, 0},
	/* MOVBE, MOVNTI */
	{"movbe eax,[rdi]", 64, "0f38f007", 4, 2, 0xf0, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movbe [rdi],ax", 64, "660f38f107", 5, 2, 0xf1, 2, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movnti [rdi],eax", 64, "0fc307", 3, 1, 0xc3, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movnti [rdi],rax", 64, "480fc307", 4, 1, 0xc3, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	/* MOVD/MOVQ */
	{"movd xmm0,[rdi]", 64, "660f6e07", 4, 1, 0x6e, 4, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movq [rdi],xmm0 (66 REX.W 7E)", 64, "66480f7e07", 5, 1, 0x7e, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movq xmm0,[rdi] (F3 7E)", 64, "f30f7e07", 4, 1, 0x7e, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movq [rdi],xmm0 (66 D6)", 64, "660fd607", 4, 1, 0xd6, 8, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movd [edi],mm0 32", 32, "0f7e07", 3, 1, 0x7e, 4, 4, 7, NO, 1, 0, SDS, 0, 0, 0},
	/* MOVDQA/U, MOVAPS/UPS, MOVNTDQ */
	{"movdqa xmm0,[rdi]", 64, "660f6f07", 4, 1, 0x6f, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movdqu [rdi],xmm1", 64, "f30f7f0f", 4, 1, 0x7f, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movaps xmm0,[rdi]", 64, "0f2807", 3, 1, 0x28, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movaps [rdi],xmm0", 64, "0f2907", 3, 1, 0x29, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movups xmm8,[r15]", 64, "450f1007", 4, 1, 0x10, 16, 8, 15, NO, 1, 0, SDS, 0, 0, 0},
	{"movups [rdi],xmm0", 64, "0f1107", 3, 1, 0x11, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"movntdq [rdi],xmm0", 64, "660fe707", 4, 1, 0xe7, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	/* VMOVDQU/A */
	{"vmovdqu ymm0,[rdi]", 64, "c5fe6f07", 4, 1, 0x6f, 32, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"vmovdqa [rdi],xmm0", 64, "c5f97f07", 4, 1, 0x7f, 16, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"vmovdqu ymm0,[r8] vex3", 64, "c4c17e6f00", 5, 1, 0x6f, 32, 8, 8, NO, 1, 0, SDS, 0, 0, 0},
	{"vmovdqa ymm1,[esi] 32", 32, "c5fd6f0e", 4, 1, 0x6f, 32, 4, 6, NO, 1, 0, SDS, 0, 0, 0},
	/* lengths of forms the emulator does not execute */
	{"mov rax,imm64", 64, "48b88877665544332211", 10, 0, 0xb8, 8, 8, NM, 0, 0, 0, 0, 0, 8, 0x1122334455667788ULL},
	{"enter 16,1", 64, "c8100001", 4, 0, 0xc8, 8, 8, NM, 0, 0, 0, 0, 0, 2, 16},
	{"jmp far 32", 32, "ea78563412cdab", 7, 0, 0xea, 4, 4, NM, 0, 0, 0, 0, 0, 4, 0x12345678},
	{"call rel32 ignores 66 in 64", 64, "66e800000000", 6, 0, 0xe8, 8, 8, NM, 0, 0, 0, 0, 0, 4, 0},
	{"les ax,[bx] 16", 16, "c407", 2, 0, 0xc4, 2, 2, 3, NO, 1, 0, SDS, 0, 0, 0},
	{"vzeroupper 16", 16, "c5f877", 3, 1, 0x77, 16, 2, NM, 0, 0, 0, 0, 0, 0, 0},
	{"bound eax,[eax] 32", 32, "6200", 2, 0, 0x62, 4, 4, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"pfmul mm0,mm1 3dnow", 64, "0f0fc1b4", 4, 15, 0xb4, 8, 8, NM, 0, 0, 0, 0, 0, 1, 0xffffffffffffffb4ULL},
	{"vpcmov xop8", 64, "8fe878a2c120", 6, 8, 0xa2, 16, 8, NM, 0, 0, 0, 0, 0, 1, 0x20},
	{"vmovups zmm0,[rdi] evex", 64, "62f17c481007", 6, 1, 0x10, 64, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"extrq xmm0,1,2", 64, "660f78c00102", 6, 1, 0x78, 16, 8, NM, 0, 0, 0, 0, 0, 1, 1},
	{"mov cr0,rax (mod ignored)", 64, "0f2200", 3, 1, 0x22, 8, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"13 prefixes + mov: 15 bytes", 64, "6666666666666666666666666689 07", 15, 0, 0x89, 2, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	{"REX before 66 is ignored", 64, "48668907", 4, 0, 0x89, 2, 8, 7, NO, 1, 0, SDS, 0, 0, 0},
	/* AMX (VEX.128.W0 0F38, 64-bit only): not emulated, decoded exactly */
	{"ldtilecfg [rax]", 64, "c4e2784900", 5, 2, 0x49, 64, 8, 0, NO, 1, 0, SDS, 0, 0, 0},
	{"sttilecfg [rip+16]", 64, "c4e279490510000000", 9, 2, 0x49, 64, 8, NO, NO, 1, 16, SDS, 1, 0, 0},
	{"ldtilecfg [r13d+0] 67", 64, "67c4c278494500", 7, 2, 0x49, 64, 4, 13, NO, 1, 0, SDS, 0, 0, 0},
	{"tilerelease", 64, "c4e27849c0", 5, 2, 0x49, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tilezero tmm3", 64, "c4e27b49d8", 5, 2, 0x49, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tilezero tmm1 (VEX.B ignored)", 64, "c4c27b49c8", 5, 2, 0x49, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tileloadd tmm1,[rax+rcx*4+8]", 64, "c4e27b4b4c8808", 7, 2, 0x4b, 64, 8, 0, 1, 4, 8, SDS, 0, 0, 0},
	{"tileloaddt1 tmm2,[r8+r9]", 64, "c482794b1408", 6, 2, 0x4b, 64, 8, 8, 9, 1, 0, SDS, 0, 0, 0},
	{"tilestored [rsp],tmm7", 64, "c4e27a4b3c24", 6, 2, 0x4b, 64, 8, 4, NO, 1, 0, SSS, 0, 0, 0},
	{"tilestored [rbx*8+16],tmm2", 64, "c4e27a4b14dd10000000", 10, 2, 0x4b, 64, 8, NO, 3, 8, 16, SDS, 0, 0, 0},
	{"tdpbssd tmm1,tmm2,tmm3", 64, "c4e2635eca", 5, 2, 0x5e, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tdpbsud tmm1,tmm2,tmm3", 64, "c4e2625eca", 5, 2, 0x5e, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tdpbusd tmm1,tmm2,tmm3", 64, "c4e2615eca", 5, 2, 0x5e, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tdpbuud tmm1,tmm2,tmm3", 64, "c4e2605eca", 5, 2, 0x5e, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tdpbf16ps tmm0,tmm1,tmm2", 64, "c4e26a5cc1", 5, 2, 0x5c, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
	{"tdpfp16ps tmm5,tmm6,tmm7", 64, "c4e2435cee", 5, 2, 0x5c, 64, 8, NM, 0, 0, 0, 0, 0, 0, 0},
};

struct bcase {
	const char *name;
	u8 mode;
	const char *hex;
	int rc;
};

static const struct bcase bad[] = {
	{"push es in 64-bit", 64, "06", INSN_E_MODE},
	{"82 in 64-bit", 64, "820000", INSN_E_MODE},
	{"les in 64-bit is VEX, c4 map 0", 64, "c4e0787700", INSN_E_UNDEF},
	{"0f 04 undefined", 64, "0f04", INSN_E_UNDEF},
	{"lock mov", 64, "f08907", INSN_E_LOCK},
	{"lock add reg,reg", 64, "f001c0", INSN_E_LOCK},
	{"lock cmp", 64, "f03907", INSN_E_LOCK},
	{"lock cmpxchg8b reg", 64, "f00fc7c8", INSN_E_UNDEF},
	{"lea with register", 64, "8dc0", INSN_E_UNDEF},
	{"ff /7", 64, "ff38", INSN_E_UNDEF},
	{"evex vpextrw with vvvv != 1111b (SDM 2.7.4)", 16, "62e13d08c5e7db",
	 INSN_E_UNDEF},
	{"mov cr1", 64, "0f20c8", INSN_E_UNDEF},
	{"mov cs,ax", 64, "8ec8", INSN_E_UNDEF},
	{"66 before vex", 64, "66c5f877", INSN_E_UNDEF},
	{"rex before vex", 64, "40c5f877", INSN_E_UNDEF},
	{"vmovdqa with vvvv", 64, "c5f17f07", INSN_E_UNDEF},
	{"vmovd with L=1", 64, "c5fd6e07", INSN_E_UNDEF},
	{"3dnow suffix 00", 64, "0f0fc100", INSN_E_UNDEF},
	{"evex P1[2]=0", 64, "62f178001007", INSN_E_UNDEF},
	{"14 prefixes + mov: 16 bytes", 64, "66666666666666666666666666668907", INSN_E_TOO_LONG},
	{"15 prefixes", 64, "666666666666666666666666666666", INSN_E_TOO_LONG},
	{"movbe with register", 64, "0f38f0c0", INSN_E_UNDEF},
	{"movdqa F2", 64, "f20f6f07", INSN_E_UNDEF},
	{"c6 /1", 64, "c60800", INSN_E_UNDEF},
	{"aaa in 64-bit", 64, "37", INSN_E_MODE},
	{"x87 d9 /1 memory", 32, "d908", INSN_E_UNDEF},
	/* AMX: ModRM shapes, tmm0-7 only, VEX.128.W0, 64-bit mode */
	{"tilerelease is c0 only", 64, "c4e27849c1", INSN_E_UNDEF},
	{"ldtilecfg /1", 64, "c4e2784908", INSN_E_UNDEF},
	{"sttilecfg register", 64, "c4e27949c0", INSN_E_UNDEF},
	{"tilezero rm != 0", 64, "c4e27b49c1", INSN_E_UNDEF},
	{"tilezero tmm8 (VEX.R)", 64, "c4627b49c0", INSN_E_UNDEF},
	{"49 F3 column", 64, "c4e27a49c0", INSN_E_UNDEF},
	{"tileloadd without SIB", 64, "c4e27b4b00", INSN_E_UNDEF},
	{"tileloadd rip-relative", 64, "c4e27b4b0500000000", INSN_E_UNDEF},
	{"tileloadd register", 64, "c4e27b4bc0", INSN_E_UNDEF},
	{"4b NP column", 64, "c4e2784b0424", INSN_E_UNDEF},
	{"tileloadd tmm8 (VEX.R)", 64, "c4627b4b0424", INSN_E_UNDEF},
	{"tdpbssd tmm1,tmm1,tmm3", 64, "c4e2635ec9", INSN_E_UNDEF},
	{"tdpbssd tmm1,tmm2,tmm1", 64, "c4e2735eca", INSN_E_UNDEF},
	{"tdpbssd vvvv tmm8", 64, "c4e23b5eca", INSN_E_UNDEF},
	{"tdpbssd rm tmm10 (VEX.B)", 64, "c4c2635eca", INSN_E_UNDEF},
	{"tdpbssd memory", 64, "c4e2635e00", INSN_E_UNDEF},
	{"5c NP column", 64, "c4e2605cca", INSN_E_UNDEF},
	{"ldtilecfg W1", 64, "c4e2f84900", INSN_E_UNDEF},
	{"ldtilecfg L1", 64, "c4e27c4900", INSN_E_UNDEF},
	{"ldtilecfg vvvv != 1111b", 64, "c4e2704900", INSN_E_UNDEF},
	{"lock ldtilecfg", 64, "f0c4e2784900", INSN_E_UNDEF},
	{"ldtilecfg in 32-bit mode", 32, "c4e2784900", INSN_E_MODE},
	{"tilerelease in 16-bit mode", 16, "c4e27849c0", INSN_E_MODE},
};
/* clang-format on */

static size_t parse_hex(const char *s, u8 *out)
{
	size_t n = 0;
	unsigned v;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2x", &v);
		out[n++] = (u8)v;
		s += 2;
	}
	return n;
}

/* Decode from a heap buffer of exactly n bytes so overreads fault. */
static int decode_exact(struct insn *in, const u8 *b, size_t n, u8 mode)
{
	u8 *p = malloc(n ? n : 1);
	int rc;

	memcpy(p, b, n);
	rc = insn_decode(in, p, n, (enum insn_mode)mode);
	free(p);
	return rc;
}

static const char *check_case(const struct dcase *c, const struct insn *in)
{
	if (in->len != c->len)
		return "length";
	if (in->map != c->map || in->opcode != c->op)
		return "map/opcode";
	if (in->opsize != c->os)
		return "operand size";
	if (in->addrsize != c->as)
		return "address size";
	if (c->base == NM)
		return in->mem.present ? "unexpected memory operand" : NULL;
	if (!in->mem.present)
		return "memory operand missing";
	if (in->mem.base != c->base || in->mem.index != c->index ||
	    in->mem.scale != c->scale)
		return "base/index/scale";
	if (in->mem.disp != c->disp)
		return "displacement";
	if (in->mem.seg != c->seg || in->mem.rip_relative != c->rip)
		return "segment/rip";
	if (in->imm_size[0] != c->imm_size ||
	    (c->imm_size && in->imm[0] != c->imm))
		return "immediate";
	return NULL;
}

static void test_forms(void)
{
	unsigned i, bad_forms = 0, bad_trunc = 0, bad_tail = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dcase *c = &cases[i];
		u8 b[32];
		size_t n = parse_hex(c->hex, b), k;
		struct insn in;
		int rc = decode_exact(&in, b, n, c->mode);
		const char *why =
		    rc ? insn_status_name(rc) : check_case(c, &in);
		char f[160];

		if (c->imm_size == 0 && !why && c->base == NM &&
		    in.imm_size[0] && c->len == 3)
			why = "immediate";
		if (!why && c->imm_size && c->base == NM &&
		    (in.imm_size[0] != c->imm_size || in.imm[0] != c->imm))
			why = "immediate";
		if (why) {
			bad_forms++;
			insn_format(&in, f, sizeof(f));
			tap_diag("form '%s': %s (%s)", c->name, why, f);
			continue;
		}
		/* Every truncation needs more bytes, never overreads. */
		for (k = 0; k < n; k++) {
			rc = decode_exact(&in, b, k, c->mode);
			if (rc != INSN_E_MORE) {
				bad_trunc++;
				tap_diag("form '%s' cut to %zu bytes: %s",
					 c->name, k, insn_status_name(rc));
			}
		}
		/* Trailing bytes do not change the decode. */
		memset(b + n, 0x90, sizeof(b) - n);
		rc = insn_decode(&in, b, sizeof(b), (enum insn_mode)c->mode);
		if (rc || in.len != c->len) {
			bad_tail++;
			tap_diag("form '%s' with trailing bytes: %s len %u",
				 c->name, insn_status_name(rc), in.len);
		}
	}
	tap_ok(!bad_forms, "%zu emulated/edge forms decode as expected",
	       ARRAY_SIZE(cases));
	tap_ok(!bad_trunc, "every truncation of every form needs more bytes");
	tap_ok(!bad_tail, "trailing bytes do not change any decode");
}

static void test_invalid(void)
{
	unsigned i, fails = 0;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		u8 b[32];
		size_t n = parse_hex(bad[i].hex, b);
		struct insn in;
		int rc = decode_exact(&in, b, n, bad[i].mode);

		if (rc != bad[i].rc) {
			fails++;
			tap_diag("invalid '%s': got %s, want %s", bad[i].name,
				 insn_status_name(rc),
				 insn_status_name(bad[i].rc));
		}
	}
	tap_ok(!fails, "%zu invalid encodings rejected with their status",
	       ARRAY_SIZE(bad));
}

static void test_ea(void)
{
	static const u8 b[] = {0x4b, 0x8b, 0x44, 0xc8, 0xf0}; /* [r8+r9*8-16] */
	static const u8 r[] = {0x8b, 0x05, 0x10, 0, 0, 0};    /* [rip+16] */
	static const u8 w[] = {0x8b, 0x40, 0xff};	      /* [bx+si-1] */
	u64 gpr[16] = {0};
	struct insn in;
	int ok = 1;

	gpr[8] = 0x1000;
	gpr[9] = 3;
	ok &= insn_decode(&in, b, sizeof(b), INSN_MODE_64) == 0 &&
	      insn_mem_ea(&in, gpr, 0) == 0x1000 + 24 - 16;
	ok &= insn_decode(&in, r, sizeof(r), INSN_MODE_64) == 0 &&
	      insn_mem_ea(&in, gpr, 0x400006) == 0x400016;
	gpr[3] = 0xfff0;
	gpr[6] = 0x0010;
	ok &= insn_decode(&in, w, sizeof(w), INSN_MODE_16) == 0 &&
	      insn_mem_ea(&in, gpr, 0) == 0xffff; /* wraps at 64 KiB */
	tap_ok(ok, "effective address: SIB, RIP-relative, 16-bit wrap");
}

/* Mandatory-prefix selection: the last F2/F3 wins over 66. */
static void test_mandatory(void)
{
	static const u8 a[] = {0xf3, 0x0f, 0x6f, 0x07};
	static const u8 b[] = {0x66, 0xf3, 0xf2, 0x0f, 0x10, 0x07};
	static const u8 c[] = {0x66, 0x0f, 0x6f, 0x07};
	struct insn in;
	int ok = 1;

	ok &= insn_decode(&in, a, sizeof(a), INSN_MODE_64) == 0 &&
	      in.pfx.mandatory == 0xf3 && in.opsize == 16;
	ok &= insn_decode(&in, b, sizeof(b), INSN_MODE_64) == 0 &&
	      in.pfx.mandatory == 0xf2 && in.opsize == 8; /* MOVSD */
	ok &= insn_decode(&in, c, sizeof(c), INSN_MODE_32) == 0 &&
	      in.pfx.mandatory == 0x66 && in.opsize == 16;
	tap_ok(ok, "mandatory prefix: last F2/F3 over 66");
}

int main(void)
{
	test_forms();
	test_mandatory();
	test_invalid();
	test_ea();
	return tap_done();
}
