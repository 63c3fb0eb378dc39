/* SPDX-License-Identifier: MIT */
/*
 * The system and stack forms of the emu guests (guests/emu.c): the landing
 * stubs of far JMP/CALL and RET, their inputs (pseudo-descriptors,
 * selectors, far pointers, return addresses in a stack that lives in the
 * memory window) and the state each run must leave as it found (GDTR,
 * IDTR, DS, emu32's TR). Included once, by emu.c, after struct input.
 */
#ifndef MICA_GUESTS_EMU_SYS_H
#define MICA_GUESTS_EMU_SYS_H

/*
 * Landing stubs. A far JMP lands on emu_far_tgt, which marks ESI; a far
 * CALL on emu_farcall_tgt, which loads the CS slot the call pushed above
 * its return offset into ESI (RSI for m16:64); a RET on emu_ret_tgt,
 * which marks ESI and gives back the harness's stack (the form's stack was
 * the window, swapped in by EMU_XSTK). Each then stores the state.
 */
#ifdef __x86_64__
__asm__(".pushsection .text\n.intel_syntax noprefix\n"
	"emu_far_tgt:\n mov esi, 0xfa5e\n jmp emu_tail\n"
	"emu_farcall_tgt:\n mov esi, dword ptr [rsp + 4]\n jmp emu_tail\n"
	"emu_farcall64_tgt:\n mov rsi, qword ptr [rsp + 8]\n jmp emu_tail\n"
	"emu_ret_tgt:\n mov esi, 0x7e7\n xchg rbx, rsp\n jmp emu_tail\n"
	".att_syntax prefix\n.popsection\n");
#else
__asm__(".pushsection .text\n.intel_syntax noprefix\n"
	"emu_far_tgt:\n mov esi, 0xfa5e\n jmp emu_tail\n"
	"emu_farcall_tgt:\n mov esi, dword ptr [esp + 4]\n jmp emu_tail\n"
	"emu_farcall64_tgt:\n jmp emu_tail\n"
	"emu_ret_tgt:\n mov esi, 0x7e7\n xchg ebx, esp\n jmp emu_tail\n"
	".att_syntax prefix\n.popsection\n");
#endif

extern const char emu_far_tgt[], emu_farcall_tgt[], emu_farcall64_tgt[],
    emu_ret_tgt[];

/* GDTR/IDTR as SGDT/SIDT store them (10 bytes in 64-bit mode, 6 in
 * emu32). */
struct pseudo_desc {
	u16 limit;
	ureg base;
} __attribute__((packed));

static struct pseudo_desc saved_gdtr, saved_idtr;
static u16 saved_ds, saved_tr;

static u16 cur_sel(unsigned which)
{
	u16 s;

	if (which == 0)
		__asm__ volatile("mov %%cs, %0" : "=r"(s));
	else if (which == 1)
		__asm__ volatile("mov %%ds, %0" : "=r"(s));
	else if (which == 2)
		__asm__ volatile("mov %%ss, %0" : "=r"(s));
	else
		__asm__ volatile("sldt %0" : "=r"(s));
	return s;
}

/* Inputs of the system and stack forms (gen_input's other cases). */
static void gen_sys(const struct form *f, struct input *in, u8 *op,
		    unsigned off)
{
	struct cpu *c = &in->c;
	unsigned osz = f->size - 2;
	struct pseudo_desc d;

	switch (f->gen) {
	case G_LMSW: /* PE cannot be cleared; MP random, EM = TS = 0 */
		put(op, rnd() & 0xfff3, 2);
		break;
	case G_GDTR:
	case G_IDTR:
		if (f->gen == G_GDTR)
			__asm__ volatile("sgdt %0" : "=m"(d));
		else
			__asm__ volatile("sidt %0" : "=m"(d));
		d.limit = (u16)(d.limit + 1 + rnd() % 64);
		memcpy(op, &d, sizeof(d));
		break;
	case G_SREG:
		/* emu: DS or null; emu32: ES = DS or the FS/GS segment */
#ifdef __x86_64__
		put(op, (rnd() & 1) ? cur_sel(1) : rnd() & 3, 2);
#else
		put(op, (rnd() & 1) ? cur_sel(1) : SEL_SEG, 2);
#endif
		break;
	case G_SS:
		put(op, cur_sel(2), 2);
		break;
	case G_LDTR:
		put(op, cur_sel(3), 2);
		break;
#ifndef __x86_64__
	case G_LTR:
		put(op, SEL_TSS, 2);
		break;
#endif
	case G_FARJ:
	case G_FARC:
		put(op,
		    (ureg)(f->gen == G_FARJ ? emu_far_tgt
			   : osz == 8	    ? emu_farcall64_tgt
					    : emu_farcall_tgt),
		    osz);
		put(op + osz, cur_sel(0), 2);
		break;
	case G_RET:
		put(op, (ureg)emu_ret_tgt, sizeof(ureg));
		break;
	case G_NEAR:
		put(op, (ureg)emu_far_tgt, sizeof(ureg));
		break;
	case G_ENTER:
		c->gpr[R_CX] = 0;
		in->pm |= BIT(R_CX);
		break;
	case G_LEAVE:
		c->gpr[R_DX] = off;
		in->pm |= BIT(R_DX);
		break;
	default:
		break;
	}
}

#ifndef __x86_64__
/* After LTR SEL_TSS: both TSS descriptors available again (LTR marked the
 * new one busy, the old one was), then the old TR back. */
static void ltr_restore(void)
{
	gdt[SEL_TSS / 8] &= ~(2ULL << 40);
	gdt[saved_tr / 8] &= ~(2ULL << 40);
	__asm__ volatile("ltr %0" : : "r"(saved_tr) : "memory");
}
#endif

/* The state a system form changes goes back after each run: the GDTR and
 * IDTR (LGDT/LIDT loaded a larger limit), and in emu DS (MOV DS). */
static void sys_restore(const struct form *f)
{
	if (f->gen == G_GDTR)
		__asm__ volatile("lgdt %0" : : "m"(saved_gdtr));
	else if (f->gen == G_IDTR)
		__asm__ volatile("lidt %0" : : "m"(saved_idtr));
#ifdef __x86_64__
	else if (f->gen == G_SREG)
		__asm__ volatile("mov %0, %%ds" : : "r"(saved_ds));
#else
	else if (f->gen == G_LTR)
		ltr_restore();
#endif
}

/* Record what sys_restore puts back; after cpu_setup. */
static void sys_setup(void)
{
	__asm__ volatile("sgdt %0\n\tsidt %1"
			 : "=m"(saved_gdtr), "=m"(saved_idtr));
	saved_ds = cur_sel(1);
	__asm__ volatile("str %0" : "=r"(saved_tr));
}

#endif /* MICA_GUESTS_EMU_SYS_H */
