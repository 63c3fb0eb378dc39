/* SPDX-License-Identifier: MIT */
/*
 * Guest memory access on behalf of exit handlers and the emulator:
 * segment:offset -> linear (gwalk_seg_linear: base, limit, type and
 * canonical checks) -> guest physical (gwalk_translate: the paging walk with
 * every permission check, A/D updates by cmpxchg) -> guest RAM. Accesses
 * that cross a page are split; faults are injected with the exact error
 * code and CR2; a walk through non-RAM stops the VM.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "mm/base/errno.h"
#include "vmm/vcpu.h"
#include "vmm/access/guest_access.h"
#include "vmm/gwalk/gwalk.h"
#include "vmm/insn/insn.h"
#include "vmm/dev/mmio_bus.h"
#include "vmm/vm.h"
#include "vmm/mem/vm_ram.h"
#include "vmm/mem/vm_spp.h"

#define RFLAGS_AC BIT(18)
#define RFLAGS_VM BIT(17)

/* VMCS fields of segment register n are at the same stride as ES's. */
void guest_seg_cache(unsigned n, struct gwalk_seg *s)
{
	u32 d = 2 * n;

	s->base = vmcs_read_raw(VMCS_GUEST_ES_BASE + d);
	s->limit = (u32)vmcs_read_raw(VMCS_GUEST_ES_LIMIT + d);
	s->ar = (u32)vmcs_read_raw(VMCS_GUEST_ES_AR + d);
}

static enum gwalk_seg_mode seg_mode(const struct gwalk_ctx *c)
{
	if (c->efer & GWALK_EFER_LMA &&
	    vmcs_read32(VMCS_GUEST_CS_AR) & VMX_AR_L)
		return GWALK_SEG_LONG;
	if (!(c->cr0 & GWALK_CR0_PE) ||
	    vmcs_readl(VMCS_GUEST_RFLAGS) & RFLAGS_VM)
		return GWALK_SEG_REAL;
	return GWALK_SEG_PROT;
}

/* CPUID facts of the walk, read once: they do not change while mica runs
 * (and CPUID is an exit to the outer hypervisor when mica is nested). */
static void cpu_paging_facts(bool *gbpages, u8 *maxphyaddr)
{
	static bool known, gb;
	static u8 maxpa;

	if (unlikely(!known)) {
		gb = cpuid(0x80000001).edx & CPUID_80000001_EDX_1G;
		maxpa = cpu_maxphyaddr();
		known = true;
	}
	*gbpages = gb;
	*maxphyaddr = maxpa;
}

static void read_walk_ctx(struct vcpu *v, struct gwalk_ctx *c)
{
	c->cr0 = vcpu_read_cr0(v);
	c->cr3 = vcpu_read_cr3(v);
	c->cr4 = vcpu_read_cr4(v);
	c->efer = vmcs_read64(VMCS_GUEST_EFER);
	if ((c->cr4 & GWALK_CR4_PAE) && !(c->efer & GWALK_EFER_LMA)) {
		c->pdpte[0] = vmcs_read64(VMCS_GUEST_PDPTE0);
		c->pdpte[1] = vmcs_read64(VMCS_GUEST_PDPTE1);
		c->pdpte[2] = vmcs_read64(VMCS_GUEST_PDPTE2);
		c->pdpte[3] = vmcs_read64(VMCS_GUEST_PDPTE3);
	} else {
		c->pdpte[0] = c->pdpte[1] = c->pdpte[2] = c->pdpte[3] = 0;
	}
	c->cpl = (u8)vcpu_cpl(v);
	v->wctx_rflags = vmcs_readl(VMCS_GUEST_RFLAGS);
	c->ac = v->wctx_rflags & RFLAGS_AC;
	cpu_paging_facts(&c->gbpages, &c->maxphyaddr);
	/* The guest's PKRU is live in the CPU (not switched by VMX); with
	 * CR4.PKE clear the walker ignores keys, and mica can read PKRU only
	 * where it set CR4.PKE for itself. */
	c->pkru = (c->cr4 & CR4_PKE) && (read_cr4() & CR4_PKE) ? rdpkru() : 0;
}

/*
 * The paging context. Inside one emulated instruction (guest_mem_begin ..
 * guest_mem_end) it cannot change, so it is read from the VMCS once;
 * outside, every call reads it afresh.
 */
static const struct gwalk_ctx *walk_ctx(struct vcpu *v)
{
	if (!v->wctx_valid) {
		read_walk_ctx(v, &v->wctx);
		v->wctx_valid = v->mem_batch;
	}
	return &v->wctx;
}

static void xlat_fill(struct vcpu *v, gva_t la, u32 acc, gpa_t gpa);

const struct gwalk_ctx *guest_paging_ctx(struct vcpu *v, u64 *rflags)
{
	const struct gwalk_ctx *c = walk_ctx(v);

	*rflags = v->wctx_rflags;
	return c;
}

void guest_mem_begin(struct vcpu *v)
{
	v->mem_batch = true;
	v->wctx_valid = false;
	v->nxlat = 0;
}

void guest_mem_record(struct vcpu *v, gva_t la, u32 acc, gpa_t gpa)
{
	if (v->mem_batch)
		xlat_fill(v, la, acc, gpa);
}

void guest_mem_end(struct vcpu *v)
{
	v->mem_batch = false;
	v->wctx_valid = false;
}

/*
 * Translations made during one emulated instruction, reused by its later
 * accesses (a REP string touches the same pages thousands of times). The
 * guest cannot run between them, so they cannot go stale, as a CPU's TLB
 * entries do not within one instruction. An entry made for a write also
 * serves reads; fetch entries serve only fetches.
 */
static bool xlat_lookup(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa)
{
	for (unsigned i = 0; i < v->nxlat && i < VCPU_XLAT; i++) {
		const struct vcpu_xlat *e = &v->xlat[i];

		if (e->la_page == (la & PAGE_MASK) &&
		    (e->acc & GWALK_ACC_FETCH) == (acc & GWALK_ACC_FETCH) &&
		    ((e->acc & GWALK_ACC_WRITE) || !(acc & GWALK_ACC_WRITE))) {
			*gpa = e->gpa_page | (la & ~PAGE_MASK);
			return true;
		}
	}
	return false;
}

static void xlat_fill(struct vcpu *v, gva_t la, u32 acc, gpa_t gpa)
{
	struct vcpu_xlat *e = &v->xlat[v->nxlat++ % VCPU_XLAT];

	e->la_page = la & PAGE_MASK;
	e->gpa_page = gpa & PAGE_MASK;
	e->acc = acc;
}

static int read_gpa(void *opaque, gpa_t gpa, void *buf, u32 size)
{
	void *p;

	if (vm_ram_lookup(opaque, gpa, size, false, &p) != VM_RAM)
		return -EFAULT;
	mem_copy(buf, p, size);
	return 0;
}

static int cmpxchg_gpa(void *opaque, gpa_t gpa, u64 old, u64 new_val, u32 size)
{
	void *p;
	bool ok;

	/* A/D updates write the paging structure (and log it dirty). */
	if (vm_ram_lookup(opaque, gpa, size, true, &p) != VM_RAM)
		return -EFAULT;
	if (size == 4) {
		u32 o = (u32)old;

		ok = __atomic_compare_exchange_n((u32 *)p, &o, (u32)new_val,
						 false, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST);
	} else {
		ok = __atomic_compare_exchange_n((u64 *)p, &old, new_val, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST);
	}
	return ok ? 0 : -EAGAIN;
}

static int inject(struct vcpu *v, const struct gwalk_fault *f)
{
	if (f->vector == X86_EXC_PF)
		write_cr2(f->cr2); /* VM entry leaves CR2 to the guest */
	vcpu_inject_exception(v, f->vector, true, f->error_code);
	return -EFAULT;
}

/* Translate one linear address for acc; 0 and *gpa, or a negative errno
 * after injecting the fault or stopping the VM. */
/* Remember a data translation that ends in MMIO for the next exit. */
static void mmio_cache_fill(struct vcpu *v, const struct gwalk_ctx *c, gva_t la,
			    const struct gwalk_result *res, u32 acc)
{
	void *p;

	if (acc & GWALK_ACC_FETCH ||
	    vm_ram_lookup(v->vm, res->gpa, 1, false, &p) == VM_RAM)
		return;
	gwalk_mmio_cache_fill(&v->mmio_cache, c, la, res, acc,
			      memslot_generation(&v->vm->slots));
}

bool guest_mmio_cache_lookup(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa)
{
	if (v->vm->cfg.no_mmio_cache)
		return false;
	return gwalk_mmio_cache_lookup(&v->mmio_cache, walk_ctx(v), la, acc,
				       memslot_generation(&v->vm->slots), gpa);
}

/*
 * Instruction fetches at one RIP page repeat on every MMIO exit of a
 * driver loop. The last fetch translation is reused when the paging
 * context is the same and every paging-structure entry of its walk still
 * holds the value it had after the walk (A set): the walk would then
 * produce the same result, so re-reading those entries replaces it.
 */
/*
 * The memslots changed since the fetch translation was made: find its
 * paging entries and code page in guest RAM again (the values are
 * compared afterwards, as always). False if one is no longer RAM.
 */
static bool fetch_cache_remap(struct vcpu *v, struct vcpu_fetch_cache *f)
{
	void *p;

	for (unsigned i = 0; i < f->n; i++) {
		if (vm_ram_lookup(v->vm, f->entry_gpa[i], f->esize, false,
				  &p) != VM_RAM)
			return f->valid = false;
		f->entry_hva[i] = p;
	}
	f->page =
	    vm_ram_lookup(v->vm, f->gpa_page, PAGE_SIZE, false, &p) == VM_RAM
		? p
		: NULL;
	f->gen = memslot_generation(&v->vm->slots);
	return true;
}

static bool fetch_cache_hit(struct vcpu *v, const struct gwalk_ctx *c, gva_t la,
			    gpa_t *gpa)
{
	struct vcpu_fetch_cache *f = &v->fetch_cache;

	if (!f->valid || f->la_page != (la & PAGE_MASK) ||
	    f->ctx.cr3 != c->cr3 || f->ctx.cr0 != c->cr0 ||
	    f->ctx.cr4 != c->cr4 || f->ctx.efer != c->efer ||
	    f->ctx.cpl != c->cpl || f->ctx.ac != c->ac ||
	    f->ctx.pkru != c->pkru ||
	    ((c->cr4 & GWALK_CR4_PAE) && !(c->efer & GWALK_EFER_LMA) &&
	     (f->ctx.pdpte[0] != c->pdpte[0] ||
	      f->ctx.pdpte[1] != c->pdpte[1] ||
	      f->ctx.pdpte[2] != c->pdpte[2] ||
	      f->ctx.pdpte[3] != c->pdpte[3])))
		return false;
	if (f->gen != memslot_generation(&v->vm->slots) &&
	    !fetch_cache_remap(v, f))
		return false;
	for (unsigned i = 0; i < f->n; i++) {
		u64 now = f->esize == 8 ? *(const u64 *)f->entry_hva[i]
					: *(const u32 *)f->entry_hva[i];

		if (now != f->entry[i])
			return false;
	}
	*gpa = f->gpa_page | (la & ~PAGE_MASK);
	return true;
}

static void fetch_cache_fill(struct vcpu *v, const struct gwalk_ctx *c,
			     gva_t la, const struct gwalk_result *res)
{
	struct vcpu_fetch_cache *f = &v->fetch_cache;

	/* field by field: under Bochs every byte of a REP MOVSB counts */
	f->valid = res->nentries > 0;
	f->n = res->nentries;
	f->esize = res->entry_size;
	f->ctx.cr0 = c->cr0;
	f->ctx.cr3 = c->cr3;
	f->ctx.cr4 = c->cr4;
	f->ctx.efer = c->efer;
	f->ctx.cpl = c->cpl;
	f->ctx.ac = c->ac;
	f->ctx.pkru = c->pkru;
	for (unsigned i = 0; i < 4; i++)
		f->ctx.pdpte[i] = c->pdpte[i];
	f->la_page = la & PAGE_MASK;
	f->gpa_page = res->gpa & PAGE_MASK;
	for (unsigned i = 0; i < res->nentries; i++) {
		f->entry_gpa[i] = res->entry_gpa[i];
		f->entry[i] = res->entry[i];
	}
	fetch_cache_remap(v, f);
}

static int translate(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa)
{
	const struct gwalk_ops ops = {read_gpa, cmpxchg_gpa, v->vm};
	const struct gwalk_ctx *c;
	struct gwalk_result res;

	if (v->mem_batch && xlat_lookup(v, la, acc, gpa))
		return 0;
	c = walk_ctx(v);
	if ((acc & GWALK_ACC_FETCH) && fetch_cache_hit(v, c, la, gpa)) {
		if (v->mem_batch)
			xlat_fill(v, la, acc, *gpa);
		return 0;
	}
	switch (gwalk_translate(c, &ops, la, acc, &res)) {
	case GWALK_OK:
		*gpa = res.gpa;
		if (acc & GWALK_ACC_FETCH)
			fetch_cache_fill(v, c, la, &res);
		if (v->mem_batch)
			xlat_fill(v, la, acc, res.gpa);
		mmio_cache_fill(v, c, la, &res, acc);
		return 0;
	case GWALK_FAULT:
		return inject(v, &res.fault);
	case GWALK_RETRY:
		return -EAGAIN;
	default:
		vm_stop(v->vm,
			"guest page tables at GPA 0x%lx are not in RAM "
			"(walk of 0x%lx at RIP 0x%lx)",
			res.bad_gpa, la, v->rip);
		return -EIO;
	}
}

int guest_fetch(struct vcpu *v, gva_t la, void *buf, unsigned len)
{
	const struct vcpu_fetch_cache *f = &v->fetch_cache;
	const struct gwalk_ctx *c;
	gpa_t gpa;
	void *p;
	int rc;

	c = walk_ctx(v);
	if (fetch_cache_hit(v, c, la, &gpa) && f->page) {
		if (len == INSN_MAX_LEN) /* the usual case, copied inline */
			mem_copy(buf, f->page + (la & ~PAGE_MASK),
				 INSN_MAX_LEN);
		else
			mem_copy(buf, f->page + (la & ~PAGE_MASK), len);
		return 0;
	}
	rc = translate(v, la, GWALK_ACC_FETCH, &gpa);
	if (rc)
		return rc;
	if (vm_ram_lookup(v->vm, gpa, len, false, &p) != VM_RAM) {
		vm_stop(v->vm,
			"instruction fetch from MMIO or unbacked GPA 0x%lx at "
			"RIP 0x%lx",
			gpa, v->rip);
		return -EIO;
	}
	mem_copy(buf, p, len);
	return 0;
}

int guest_translate(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa)
{
	return translate(v, la, acc, gpa);
}

bool guest_translate_peek(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa)
{
	const struct gwalk_ops ops = {read_gpa, cmpxchg_gpa, v->vm};
	const struct gwalk_ctx *c;
	struct gwalk_result res;

	if (v->mem_batch && xlat_lookup(v, la, acc, gpa))
		return true;
	c = walk_ctx(v);
	switch (gwalk_translate(c, &ops, la, acc, &res)) {
	case GWALK_OK:
		break;
	case GWALK_NOT_RAM:
		v->peek_not_ram = res.bad_gpa;
		return false;
	default:
		return false;
	}
	*gpa = res.gpa;
	if (v->mem_batch)
		xlat_fill(v, la, acc, res.gpa);
	mmio_cache_fill(v, c, la, &res, acc);
	return true;
}

int guest_phys_rw(struct vcpu *v, gpa_t gpa, void *buf, unsigned len,
		  bool write)
{
	void *p;
	enum vm_ram_kind k;
	/* The page an EPT misconfiguration confirmed as MMIO in this memslot
	 * generation needs no memslot lookup. */
	if ((gpa & PAGE_MASK) == v->mmio_page &&
	    v->mmio_page_gen == memslot_generation(&v->vm->slots))
		k = VM_RAM_NONE;
	else
		k = vm_ram_lookup(v->vm, gpa, len, write, &p);

	if (k == VM_RAM_SPP) {
		vm_spp_denied(v, gpa, len);
		return 0;
	}
	if (k == VM_RAM) {
		if (write)
			mem_copy(p, buf, len);
		else
			mem_copy(buf, p, len);
		return 0;
	}
	if (len > MMIO_MAX_ACCESS) {
		vm_stop(v->vm,
			"%u-byte access to MMIO at GPA 0x%lx (RIP 0x%lx)", len,
			gpa, v->rip);
		return -EIO;
	}
	if (write ? mmio_write(&v->vm->bus, gpa, buf, len)
		  : mmio_read(&v->vm->bus, gpa, buf, len))
		return 0;
	/* Nothing claimed it: a dropped read-only write or unbacked. */
	v->vm->counters[k == VM_RAM_READONLY ? CNT_READONLY_WRITES
					     : CNT_MMIO_UNBACKED]++;
	return 0;
}

int guest_linear_rw(struct vcpu *v, gva_t la, void *buf, unsigned len, u32 acc)
{
	bool write = acc & GWALK_ACC_WRITE;
	gpa_t gpa[2];
	unsigned n[2];
	u8 *b = buf;
	int rc;

	if ((la & ~PAGE_MASK) + len <= PAGE_SIZE) { /* the usual case */
		rc = translate(v, la, acc, &gpa[0]);
		return rc ? rc : guest_phys_rw(v, gpa[0], buf, len, write);
	}
	BUG_ON(len > PAGE_SIZE);
	/* Both pages of a page-crossing access are checked before either is
	 * touched, as the CPU does. */
	n[0] = MIN(len, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	n[1] = len - n[0];
	for (unsigned i = 0; i < 2 && n[i]; i++) {
		rc = translate(v, i ? la + n[0] : la, acc, &gpa[i]);
		if (rc)
			return rc;
	}
	/* Sub-page protection judges the access as a whole: if any byte of
	 * either page is protected, nothing is written (docs/spp.md). */
	if (write && n[1] &&
	    (!vm_spp_write_ok(v->vm, gpa[0], n[0]) ||
	     !vm_spp_write_ok(v->vm, gpa[1], n[1]))) {
		vm_spp_denied(
		    v, vm_spp_write_ok(v->vm, gpa[0], n[0]) ? gpa[1] : gpa[0],
		    len);
		return 0;
	}
	for (unsigned i = 0; i < 2 && n[i]; i++) {
		rc = guest_phys_rw(v, gpa[i], b, n[i], write);
		if (rc)
			return rc;
		b += n[i];
	}
	return 0;
}

int guest_linear_read_for_write(struct vcpu *v, gva_t la, void *buf,
				unsigned len)
{
	gpa_t gpa[2];
	unsigned n[2];
	u8 *b = buf;
	int rc;

	BUG_ON(len > PAGE_SIZE);
	n[0] = MIN(len, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	n[1] = len - n[0];
	for (unsigned i = 0; i < 2 && n[i]; i++) {
		rc = translate(v, i ? la + n[0] : la, GWALK_ACC_WRITE, &gpa[i]);
		if (rc)
			return rc;
	}
	for (unsigned i = 0; i < 2 && n[i]; i++) {
		rc = guest_phys_rw(v, gpa[i], b, n[i], false);
		if (rc)
			return rc;
		b += n[i];
	}
	return 0;
}

/*
 * One side of a REP run: host memory (guest RAM, or a device that is plain
 * memory), or a device that covers the whole run, or neither (each element
 * then takes guest_phys_rw(): read-only slots, sub-page protection,
 * unbacked GPAs).
 */
struct run_side {
	u8 *ram;
	struct mmio_dev *dev;
	gpa_t gpa; /* of the run's lowest byte */
};

static void run_side_find(struct vcpu *v, gpa_t lo, u64 bytes, u32 count,
			  bool write, struct run_side *r)
{
	void *p;
	enum vm_ram_kind k = vm_ram_lookup(v->vm, lo, bytes, write, &p);

	r->gpa = lo;
	r->ram = k == VM_RAM ? p : NULL;
	r->dev = k == VM_RAM_NONE ? mmio_find(&v->vm->bus, lo, bytes) : NULL;
	if (r->dev && r->dev->mem) {
		r->ram = (u8 *)r->dev->mem + (lo - r->dev->base);
		if (write)
			r->dev->writes += count;
		else
			r->dev->reads += count;
		r->dev = NULL;
	}
}

/* Copy one element of 1, 2, 4 or 8 bytes with a fixed-size move. */
static void elem_copy(void *d, const void *s, unsigned size)
{
	switch (size) {
	case 1:
		mem_copy(d, s, 1);
		break;
	case 2:
		mem_copy(d, s, 2);
		break;
	case 4:
		mem_copy(d, s, 4);
		break;
	default:
		mem_copy(d, s, 8);
		break;
	}
}

/*
 * A run between host memory areas. STOS stores one value everywhere, in
 * any order. MOVS equals one memmove unless the destination overlaps the
 * source ahead of the copy, where the element order shows (a forward copy
 * to src + 1 repeats the first byte): then element by element.
 */
static void ram_run(u8 *d, const u8 *s, u64 fill, unsigned size, u64 bytes,
		    bool down, bool movs)
{
	if (!movs) {
		if (size == 1)
			mem_set(d, (u8)fill, bytes);
		for (u64 o = 0; size > 1 && o < bytes; o += size)
			elem_copy(d + o, &fill, size);
		return;
	}
	if (down ? d >= s || d + bytes <= s : d <= s || d >= s + bytes) {
		__builtin_memmove(d, s, bytes);
		return;
	}
	for (u64 i = 0; i < bytes; i += size) {
		u64 o = down ? bytes - size - i : i;

		elem_copy(d + o, s + o, size);
	}
}

static int run_access(struct vcpu *v, const struct run_side *r, u64 off,
		      void *val, unsigned size, bool write)
{
	if (r->ram) {
		if (write)
			elem_copy(r->ram + off, val, size);
		else
			elem_copy(val, r->ram + off, size);
		return 0;
	}
	if (!r->dev)
		return guest_phys_rw(v, r->gpa + off, val, size, write);
	if (write)
		mmio_dev_write(&v->vm->bus, r->dev, r->gpa + off, val, size);
	else
		mmio_dev_read(&v->vm->bus, r->dev, r->gpa + off, val, size);
	return 0;
}

int guest_rep_run(struct vcpu *v, gva_t dst, gva_t src, u64 fill, unsigned size,
		  u32 count, bool down, bool movs)
{
	u64 bytes = (u64)count * size, span = bytes - size;
	struct run_side s = {NULL, NULL, 0}, d;
	gpa_t sg = 0, dg;
	int rc;

	if (movs) {
		rc = translate(v, src, 0, &sg);
		if (rc)
			return rc;
	}
	rc = translate(v, dst, GWALK_ACC_WRITE, &dg);
	if (rc)
		return rc;
	if (movs)
		run_side_find(v, down ? sg - span : sg, bytes, count, false,
			      &s);
	run_side_find(v, down ? dg - span : dg, bytes, count, true, &d);
	if (d.ram && (s.ram || !movs)) {
		ram_run(d.ram, s.ram, fill, size, bytes, down, movs);
		return 0;
	}
	for (u32 i = 0; i < count; i++) {
		u64 off = down ? span - (u64)i * size : (u64)i * size;
		u64 val = fill;

		if (movs) {
			rc = run_access(v, &s, off, &val, size, false);
			if (rc)
				return rc;
		}
		rc = run_access(v, &d, off, &val, size, true);
		if (rc)
			return rc;
	}
	return 0;
}

u64 guest_seg_base(unsigned seg)
{
	return vmcs_read_raw(VMCS_GUEST_ES_BASE + 2 * seg);
}

static int access(struct vcpu *v, unsigned seg, u64 offset, u8 *buf,
		  unsigned len, bool write)
{
	const struct gwalk_ctx *c = walk_ctx(v);
	struct gwalk_seg s;
	struct gwalk_fault f;
	u32 acc = write ? GWALK_ACC_WRITE : 0;
	gva_t la;

	guest_seg_cache(seg, &s);
	if (gwalk_seg_linear(seg_mode(c), c->cr4 & GWALK_CR4_LA57, seg, &s,
			     offset, len, acc, &la, &f))
		return inject(v, &f);
	return guest_linear_rw(v, la, buf, len, acc);
}

int guest_read_seg(struct vcpu *v, unsigned seg, u64 offset, void *buf,
		   unsigned len)
{
	return access(v, seg, offset, buf, len, false);
}

int guest_write_seg(struct vcpu *v, unsigned seg, u64 offset, const void *buf,
		    unsigned len)
{
	return access(v, seg, offset, (u8 *)(uintptr_t)buf, len, true);
}
