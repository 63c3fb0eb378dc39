/* SPDX-License-Identifier: MIT */
/*
 * Guest memory accesses on behalf of emulated instructions: segment +
 * offset -> linear -> guest physical, with the checks and faults the CPU
 * would apply. A fault is injected into the guest; a translation that leaves
 * guest RAM stops the VM.
 */
#ifndef MICA_VMM_ACCESS_GUEST_ACCESS_H
#define MICA_VMM_ACCESS_GUEST_ACCESS_H

#include "mm/base/types.h"

struct vcpu;
struct gwalk_ctx;
struct gwalk_seg;

/* Segment register numbers as in instruction encodings and the VM-exit
 * instruction-information field. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/*
 * Read/write len bytes at seg:offset. Returns 0 on success, or a negative
 * errno after injecting the fault (-EFAULT) or stopping the VM (-EIO).
 */
int guest_read_seg(struct vcpu *v, unsigned seg, u64 offset, void *buf,
		   unsigned len) __must_check;
int guest_write_seg(struct vcpu *v, unsigned seg, u64 offset, const void *buf,
		    unsigned len) __must_check;

/*
 * Translate linear address la for access acc (GWALK_ACC_* bits) through
 * the guest's paging. 0 and *gpa, or a negative errno after injecting the
 * fault (-EFAULT), asking for a retry (-EAGAIN) or stopping the VM (-EIO).
 */
int guest_translate(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa) __must_check;

/*
 * Read len bytes of instruction at linear address la (not crossing a page)
 * with the checks of an instruction fetch; errors as guest_translate(). A
 * fetch from anything but guest RAM stops the VM (-EIO).
 */
int guest_fetch(struct vcpu *v, gva_t la, void *buf, unsigned len) __must_check;

/* As guest_translate() but never injects or stops anything: true and
 * *gpa when the access would succeed. (A/D bits are set as the CPU would.) */
bool guest_translate_peek(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa);

/*
 * Access len bytes (within one page) at guest-physical gpa: guest RAM when
 * the VM's memory allows that access there, the MMIO bus otherwise.
 * Returns 0, or -EIO after stopping the VM.
 */
int guest_phys_rw(struct vcpu *v, gpa_t gpa, void *buf, unsigned len,
		  bool write) __must_check;

/* Access len (<= PAGE_SIZE) bytes at linear address la, splitting at the
 * page boundary; errors as guest_translate(). */
int guest_linear_rw(struct vcpu *v, gva_t la, void *buf, unsigned len,
		    u32 acc) __must_check;

/* Read len bytes at la with the permission checks of a write (the read
 * half of a locked read-modify-write); nothing is written. */
int guest_linear_read_for_write(struct vcpu *v, gva_t la, void *buf,
				unsigned len) __must_check;

/*
 * Perform count elements of REP MOVS (movs: read at src) or REP STOS
 * (store the low size bytes of fill), element i at dst + i * step, step
 * -size when down, else size; every element lies within the page of dst
 * and of src (struct em_ops.rep_run). Both pages are translated once and
 * each side resolved once to RAM or to the device covering the whole run.
 * Errors as guest_translate(), before any element is moved.
 */
int guest_rep_run(struct vcpu *v, gva_t dst, gva_t src, u64 fill, unsigned size,
		  u32 count, bool down, bool movs) __must_check;

/*
 * Bracket the accesses of one emulated instruction (or one string I/O
 * exit): the paging context is read once and translations are reused.
 * Nothing may let the guest run between begin and end.
 */
void guest_mem_begin(struct vcpu *v);
void guest_mem_end(struct vcpu *v);

/*
 * The per-vCPU cache of the last translation that ended in MMIO (keyed by
 * CR3, paging mode and memslot generation; permissions re-checked against
 * the current CPL, CR0.WP, SMAP, AC): true and *gpa on a hit. Callers must
 * confirm a hit against what the CPU reported (the exit's GPA), since the
 * guest may change its page tables without an exit (INVLPG is not
 * intercepted).
 */
bool guest_mmio_cache_lookup(struct vcpu *v, gva_t la, u32 acc, gpa_t *gpa);

/* Within a bracket: la translates to gpa for acc, as the CPU reported it
 * in an EPT violation; later accesses reuse it. */
void guest_mem_record(struct vcpu *v, gva_t la, u32 acc, gpa_t gpa);

/* The guest's paging context (CR0 and CR4 as the guest sees them, CR3,
 * EFER, CPL, RFLAGS.AC) and *rflags, read from the VMCS once per
 * bracket. */
const struct gwalk_ctx *guest_paging_ctx(struct vcpu *v, u64 *rflags);

/* Base of segment register seg from the VMCS. */
u64 guest_seg_base(unsigned seg);

/* Base, limit and access rights of segment register seg from the VMCS. */
void guest_seg_cache(unsigned seg, struct gwalk_seg *s);

#endif /* MICA_VMM_ACCESS_GUEST_ACCESS_H */
