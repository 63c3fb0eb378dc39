/* SPDX-License-Identifier: MIT */
/*
 * The emulator's system-state callbacks for a vCPU (vmm/access/mmio_sys.c):
 * descriptor-table registers, segment registers with their hidden parts,
 * CR0 and the MMX registers, read from and written to the current VMCS
 * and the CPU. ctx->opaque is the struct vcpu.
 */
#ifndef MICA_VMM_ACCESS_MMIO_SYS_H
#define MICA_VMM_ACCESS_MMIO_SYS_H

#include "vmm/emulate/insn_emulate.h"

void mmio_read_dtr(struct em_ctx *c, unsigned which, struct em_dtr *dtr);
void mmio_write_dtr(struct em_ctx *c, unsigned which, const struct em_dtr *dtr);
void mmio_read_seg(struct em_ctx *c, unsigned seg, struct em_segreg *s);
void mmio_write_seg(struct em_ctx *c, unsigned seg, const struct em_segreg *s);
bool mmio_write_cr0(struct em_ctx *c, u64 val);
bool mmio_read_mmx(struct em_ctx *c, unsigned reg, u64 *val);
bool mmio_write_mmx(struct em_ctx *c, unsigned reg, u64 val);

#endif /* MICA_VMM_ACCESS_MMIO_SYS_H */
