/* SPDX-License-Identifier: MIT */
/*
 * Guest memory accesses on behalf of emulated instructions: segment +
 * offset -> linear -> guest physical, with the checks and faults the CPU
 * would apply. A fault is injected into the guest; a translation that leaves
 * guest RAM stops the VM.
 */
#ifndef MICA_VMM_GUEST_MEM_H
#define MICA_VMM_GUEST_MEM_H

#include "mm/types.h"

struct vcpu;

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

#endif /* MICA_VMM_GUEST_MEM_H */
