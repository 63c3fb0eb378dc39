/* SPDX-License-Identifier: MIT */
/*
 * deliver: event delivery as the CPU does it, where mica takes part.
 *   - An event whose delivery reads an IDT page the EPT has not mapped yet
 *     (the IDT moved to a fresh slot aliasing a copy of it) exits with
 *     IDT-vectoring information; mica maps the page and must deliver the
 *     same event once more, exactly once: INT 0x80 (with its instruction
 *     length: the return RIP is after the INT), a #PF with its error code
 *     and CR2, a single-step #DB (a trap: its instruction is done, nothing
 *     brings it back but mica), and a self-IPI.
 *   - RFLAGS.RF in the pushed frame: 1 for faults (#UD, which mica
 *     intercepts and reflects; #GP that mica injects for an unknown MSR;
 *     #GP raised by the CPU), 0 for traps (INT3) (SDM Vol. 3A 6.12.1,
 *     "Instruction-Breakpoint Exception Condition").
 *   - Interrupt-window exits and the STI and MOV SS shadows: an interrupt
 *     pending while IF = 0 is taken after the instruction that follows
 *     STI, and not between STI; MOV SS and the instruction after it (SDM
 *     Vol. 3A 6.8.3).
 *   - A self-NMI through the ICR arrives, and a second one sent from its
 *     handler waits until the handler's IRET (SDM Vol. 3A 6.7.1).
 *   - The TPR holds back a vector of its priority class or below; lowering
 *     it through the APIC page or CR8 lets the vector in before the next
 *     instruction (SDM Vol. 3A 11.8.3.1, 11.8.6.1).
 *   - #DF: a #GP whose gate is not present becomes #NP during delivery,
 *     and the two make a #DF (SDM Vol. 3A 6.15, Table 6-5), for a #GP the
 *     CPU raises and one mica injects.
 */
#include "guests/lib/guest.h"

#define APIC	     0xfee00000UL
#define APIC_EOI     0xb0
#define APIC_SPIV    0xf0
#define APIC_ICR_LO  0x300
#define ICR_SELF     (1U << 18)
#define APIC_TPR     0x80
#define IPI_VEC	     0x41
#define TPR_VEC	     0x45
#define DEST_VEC     0x91 /* IPIs by destination (test_destinations) */
#define APIC_LDR     0xd0
#define APIC_ICR_HI  0x310
#define ICR_LOGICAL  (1U << 11)
#define SOFT_VEC     0x80
#define ALIAS_GPA    0x40000000UL /* above RAM, identity-mapped */
#define ALIAS_SLOT   20
#define TF	     (1UL << 8)
#define RF	     (1UL << 16)
#define UNMAPPED_VA  0x140000000UL /* the identity map ends at 4 GiB */
#define NONCANONICAL 0x8000000000000000UL

struct idtr {
	u16 limit;
	u64 base;
} __attribute__((packed));

struct gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
};

static struct gate idt_copy[256] __attribute__((aligned(4096)));
static struct idtr home;
static unsigned slots;

/* What the handlers saw. */
static volatile u64 soft_hits, soft_rip, db_hits, db_rip, pf_hits, pf_err;
static volatile u64 pf_cr2, frame_rflags, df_hits, irq_seen_eax;

static void apic_wr(u32 off, u32 v)
{
	*(volatile u32 *)(APIC + off) = v;
}

/*
 * Load the IDT from a new slot that aliases idt_copy's page: its EPT entry
 * does not exist until the CPU's first delivery reads it.
 */
static bool idt_to_fresh_slot(void)
{
	unsigned long gpa = ALIAS_GPA + slots * 0x200000UL;
	struct idtr r = {sizeof(idt_copy) - 1, gpa};
	long rc;

	rc = g_hypercall(HC_SET_MEMORY_REGION, ALIAS_SLOT + slots, 0, gpa, 4096,
			 (unsigned long)(uintptr_t)idt_copy);
	slots++;
	if (rc) {
		g_printf("# set_memory_region: %ld\n", rc);
		return false;
	}
	__asm__ volatile("lidt %0" : : "m"(r));
	return true;
}

static void idt_home(void)
{
	__asm__ volatile("lidt %0" : : "m"(home));
}

/* Vector 0x80: count, and the RIP the INT pushed. */
void soft_entry(void);
__asm__(".text\nsoft_entry:\n"
	"incq soft_hits(%rip)\n"
	"pushq %rax\n movq 8(%rsp), %rax\n movq %rax, soft_rip(%rip)\n"
	"popq %rax\n iretq\n");

/* The fault hook sees every exception first. */
static bool hook(u64 vector, u64 error, struct g_iret *f)
{
	frame_rflags = f->rflags;
	if (vector == 1) {
		db_hits++;
		db_rip = f->rip;
		f->rflags &= ~TF;
		return true;
	}
	if (vector == 3)
		return true; /* a trap: RIP is past the INT3 */
	if (vector == 14) {
		pf_hits++;
		pf_err = error;
		pf_cr2 = g_read_cr2();
		return false; /* the expected-fault catch skips it */
	}
	if (vector == 8) {
		df_hits++;
		return false;
	}
	return false;
}

static void irq_hook(unsigned vector)
{
	if (vector == IPI_VEC || vector == TPR_VEC || vector == DEST_VEC)
		apic_wr(APIC_EOI, 0);
}

static void set_gate(unsigned v, void (*fn)(void))
{
	u64 a = (u64)(uintptr_t)fn;

	idt_copy[v].off_lo = (u16)a;
	idt_copy[v].off_mid = (u16)(a >> 16);
	idt_copy[v].off_hi = (u32)(a >> 32);
}

static void test_soft_int(void)
{
	u64 after;

	if (!idt_to_fresh_slot())
		return;
	__asm__ volatile("int $0x80\n"
			 "1: lea 1b(%%rip), %0"
			 : "=r"(after)
			 :
			 : "memory");
	idt_home();
	g_ok(soft_hits == 1 && soft_rip == after,
	     "INT 0x80 through an IDT page the EPT had not mapped: delivered "
	     "once (%lu), returning after the INT (%s)",
	     (unsigned long)soft_hits, soft_rip == after ? "yes" : "no");
}

static void test_single_step(void)
{
	u64 next;

	if (!idt_to_fresh_slot())
		return;
	/* POPF sets TF: the trap comes after the instruction that follows */
	__asm__ volatile("pushfq\n orq %1, (%%rsp)\n popfq\n"
			 "nop\n"
			 "2: lea 2b(%%rip), %0"
			 : "=r"(next)
			 : "i"(TF)
			 : "memory", "cc");
	idt_home();
	g_ok(db_hits == 1 && db_rip == next,
	     "single-step #DB through an unmapped IDT page: delivered once "
	     "(%lu), after the NOP (%s)",
	     (unsigned long)db_hits, db_rip == next ? "yes" : "no");
}

static void test_page_fault(void)
{
	volatile u64 *p = (volatile u64 *)UNMAPPED_VA;
	u64 val;

	if (!idt_to_fresh_slot())
		return;
	g_expect_fault(3); /* mov (%rbx), %rax */
	__asm__ volatile("mov (%1), %0" : "=a"(val) : "b"(p) : "memory");
	(void)val;
	idt_home();
	g_ok(pf_hits == 1 && pf_err == 0 && pf_cr2 == UNMAPPED_VA,
	     "#PF through an unmapped IDT page: delivered once (%lu) with its "
	     "error code (%#lx) and CR2 (%#lx)",
	     (unsigned long)pf_hits, (unsigned long)pf_err,
	     (unsigned long)pf_cr2);
}

static void test_ipi(void)
{
	u64 before = g_irq_count(IPI_VEC);

	if (!idt_to_fresh_slot())
		return;
	__asm__ volatile("sti" ::: "memory");
	apic_wr(APIC_ICR_LO, ICR_SELF | IPI_VEC);
	__asm__ volatile("nop; cli" ::: "memory");
	idt_home();
	g_ok(g_irq_count(IPI_VEC) == before + 1,
	     "self-IPI through an unmapped IDT page: delivered once (%lu)",
	     (unsigned long)(g_irq_count(IPI_VEC) - before));
}

/* A fixed IPI with no shorthand to dest, IF = 1: whether it arrived. */
static bool ipi_arrives(u32 dest, u32 mode)
{
	u64 before = g_irq_count(DEST_VEC);

	apic_wr(APIC_ICR_HI, dest << 24);
	__asm__ volatile("sti" ::: "memory");
	apic_wr(APIC_ICR_LO, mode | DEST_VEC);
	__asm__ volatile("nop; nop; cli" ::: "memory");
	return g_irq_count(DEST_VEC) == before + 1;
}

/* Destinations (SDM Vol 3A 11.6.2): physical 0 (this APIC ID) and 0xFF
 * (broadcast) reach this CPU, physical 5 does not; logical, flat model,
 * a destination sharing a bit with the LDR does, one that does not
 * doesn't. */
static void test_destinations(void)
{
	bool p0, pff, p5, l1, l2;

	apic_wr(APIC_LDR, 1U << 24);
	p0 = ipi_arrives(0, 0);
	pff = ipi_arrives(0xff, 0);
	p5 = ipi_arrives(5, 0);
	l1 = ipi_arrives(0x03, ICR_LOGICAL);
	l2 = ipi_arrives(0x02, ICR_LOGICAL);
	apic_wr(APIC_ICR_HI, 0);
	apic_wr(APIC_LDR, 0);
	g_ok(p0 && pff && !p5 && l1 && !l2,
	     "fixed IPIs to physical 0 and 0xFF and to a logical destination "
	     "naming this CPU arrive, to others not (%d%d%d%d%d)",
	     p0, pff, p5, l1, l2);
}

static void set_cr8(u64 v)
{
	__asm__ volatile("mov %0, %%cr8" ::"r"(v) : "memory");
}

static void test_tpr(void)
{
	u64 base = g_irq_count(TPR_VEC), held, same, lowered, held8, cr8;

	__asm__ volatile("sti" ::: "memory");
	apic_wr(APIC_TPR, 0x50);
	apic_wr(APIC_ICR_LO, ICR_SELF | TPR_VEC);
	__asm__ volatile("nop; nop" ::: "memory");
	held = g_irq_count(TPR_VEC) - base;
	apic_wr(APIC_TPR, 0x4f);
	same = g_irq_count(TPR_VEC) - base;
	apic_wr(APIC_TPR, 0x30);
	lowered = g_irq_count(TPR_VEC) - base;
	set_cr8(5);
	apic_wr(APIC_ICR_LO, ICR_SELF | TPR_VEC);
	__asm__ volatile("nop; nop" ::: "memory");
	held8 = g_irq_count(TPR_VEC) - base;
	set_cr8(4);
	held8 += g_irq_count(TPR_VEC) - base;
	set_cr8(3);
	cr8 = g_irq_count(TPR_VEC) - base;
	__asm__ volatile("cli" ::: "memory");
	set_cr8(0);
	g_ok(held == 0 && same == 0 && lowered == 1,
	     "TPR 0x50 and 0x4f hold vector 0x45 back (%lu, %lu); TPR 0x30 "
	     "lets it in at once (%lu)",
	     (unsigned long)held, (unsigned long)same, (unsigned long)lowered);
	g_ok(held8 == 2 && cr8 == 2,
	     "CR8 5 and 4 hold it back (%lu); CR8 3 lets it in at once (%lu)",
	     (unsigned long)held8 - 2, (unsigned long)cr8 - 1);
}

static void test_rf(void)
{
	u64 rf_ud, rf_gp_mica, rf_gp_cpu, rf_bp;
	int vec;

	g_expect_fault(2);
	__asm__ volatile("ud2" ::: "memory");
	rf_ud = frame_rflags & RF;
	g_expect_fault(2);
	__asm__ volatile("wrmsr" : : "c"(0x12345678U), "a"(0), "d"(0));
	rf_gp_mica = frame_rflags & RF;
	vec = g_fault_vector();
	g_expect_fault(3); /* mov (%rbx), %rax: non-canonical */
	__asm__ volatile("mov (%%rbx), %%rax"
			 :
			 : "b"(NONCANONICAL)
			 : "rax", "memory");
	rf_gp_cpu = frame_rflags & RF;
	__asm__ volatile("int3" ::: "memory");
	rf_bp = frame_rflags & RF;
	g_ok(rf_ud && rf_gp_mica && rf_gp_cpu && !rf_bp && vec == 13,
	     "RF in the pushed RFLAGS: #UD %d, #GP mica injected %d, #GP the "
	     "CPU raised %d (faults: 1); INT3 %d (a trap: 0)",
	     !!rf_ud, !!rf_gp_mica, !!rf_gp_cpu, !!rf_bp);
}

/* The handler records EAX: which instruction after STI had run. */
void shadow_entry(void);
__asm__(".text\nshadow_entry:\n"
	"movq %rax, irq_seen_eax(%rip)\n"
	"pushq %rax\n movl $0xfee000b0, %eax\n movl $0, (%rax)\n popq %rax\n"
	"iretq\n");

static void test_shadows(void)
{
	u64 sti_eax, movss_eax;

	set_gate(IPI_VEC + 1, shadow_entry);
	if (!idt_to_fresh_slot())
		return;
	/* pending while IF = 0; STI; the next instruction runs first */
	irq_seen_eax = 99;
	apic_wr(APIC_ICR_LO, ICR_SELF | (IPI_VEC + 1));
	__asm__ volatile("xor %%eax, %%eax\n"
			 "sti\n"
			 "mov $1, %%eax\n"
			 "mov $2, %%eax\n"
			 "cli"
			 :
			 :
			 : "rax", "memory");
	sti_eax = irq_seen_eax;
	irq_seen_eax = 99;
	apic_wr(APIC_ICR_LO, ICR_SELF | (IPI_VEC + 1));
	__asm__ volatile("xor %%eax, %%eax\n"
			 "mov %%ss, %%bx\n"
			 "sti\n"
			 "mov %%bx, %%ss\n"
			 "mov $1, %%eax\n"
			 "mov $2, %%eax\n"
			 "cli"
			 :
			 :
			 : "rax", "rbx", "memory");
	movss_eax = irq_seen_eax;
	idt_home();
	g_ok(sti_eax == 1,
	     "interrupt pending with IF = 0: taken after the instruction that "
	     "follows STI (EAX %lu in the handler)",
	     (unsigned long)sti_eax);
	g_ok(movss_eax == 1,
	     "STI; MOV SS: the interrupt waits out the MOV SS shadow too (EAX "
	     "%lu in the handler)",
	     (unsigned long)movss_eax);
}

/* Vector 2: count; the first NMI sends three more to self and records how
 * many NMIs had run when its ICR writes returned (still 1: blocked). One
 * of the three is pending after its IRET, the others are lost (SDM Vol
 * 3A 6.7.1). */
void nmi_entry(void);
__asm__(".text\nnmi_entry:\n"
	"pushq %rax\n"
	"incq nmi_hits(%rip)\n"
	"cmpq $1, nmi_hits(%rip)\n jne 1f\n"
	"movl $0xfee00300, %eax\n movl $0x40400, (%rax)\n"
	"movl $0x40400, (%rax)\n movl $0x40400, (%rax)\n"
	"movq nmi_hits(%rip), %rax\n movq %rax, nmi_inside(%rip)\n"
	"1: popq %rax\n iretq\n");
volatile u64 nmi_hits, nmi_inside;

static void test_nmi(void)
{
	u64 after_first;

	set_gate(2, nmi_entry);
	if (!idt_to_fresh_slot())
		return;
	apic_wr(APIC_ICR_LO, ICR_SELF | (4U << 8)); /* NMI, vector ignored */
	__asm__ volatile("nop" ::: "memory");
	after_first = nmi_hits;
	idt_home();
	g_ok(
	    after_first == 2 && nmi_inside == 1,
	    "self-NMI through the ICR arrives (IF = 0); of three sent from its "
	    "handler one waits for the IRET (%lu NMIs, %lu inside the first)",
	    (unsigned long)after_first, (unsigned long)nmi_inside);
}

/* A #GP gate not present: delivering #GP raises #NP, and #GP + #NP make a
 * #DF. Its handler (the library's) ends the catch. */
static void test_double_fault(void)
{
	u64 df_cpu, df_mica;

	idt_copy[13].type &= (u8)~0x80;
	if (!idt_to_fresh_slot())
		return;
	df_hits = 0;
	g_expect_fault(3); /* mov (%rbx), %rax: non-canonical */
	__asm__ volatile("mov (%%rbx), %%rax"
			 :
			 : "b"(NONCANONICAL)
			 : "rax", "memory");
	df_cpu = df_hits;
	g_expect_fault(2);
	__asm__ volatile("wrmsr" : : "c"(0x12345678U), "a"(0), "d"(0));
	df_mica = df_hits - df_cpu;
	idt_home();
	idt_copy[13].type |= 0x80;
	g_ok(df_cpu == 1 && df_mica == 1,
	     "#GP with its gate not present: #DF, for the CPU's #GP (%lu) and "
	     "for the one mica injects (%lu)",
	     (unsigned long)df_cpu, (unsigned long)df_mica);
}

int guest_main(u32 magic, u32 info)
{
	(void)magic;
	(void)info;
	g_idt_init();
	g_set_fault_hook(hook);
	g_set_irq_hook(irq_hook);
	apic_wr(APIC_SPIV, 0x1ff);
	__asm__ volatile("sidt %0" : "=m"(home));
	for (unsigned i = 0; i < 256; i++)
		idt_copy[i] = ((struct gate *)home.base)[i];
	set_gate(SOFT_VEC, soft_entry);
	test_soft_int();
	test_single_step();
	test_page_fault();
	test_ipi();
	test_destinations();
	test_tpr();
	test_rf();
	test_shadows();
	test_nmi();
	test_double_fault();
	return (int)g_tap_failed();
}
