/* SPDX-License-Identifier: MIT */
/*
 * Emulation cost of an MMIO-style store, `mov [rbx], eax` (89 03), against
 * the cost of decoding it, measured in the same process: each figure is
 * the median over runs of the mean time per instruction. The emulation
 * goes through real callbacks (GPR reads from an array, the store into a
 * buffer), as the exit path would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test/unit/support/em_guest.h"
#include "vmm/insn/insn.h"
#include "vmm/emulate/insn_emulate.h"

#define RUNS 9

static u64 gpr[16];
static struct em_regs regs = {.gpr = gpr};
static u8 sink_mem[64];

static enum em_mem_result b_write(struct em_ctx *ctx, gva_t la, const void *buf,
				  unsigned size)
{
	(void)ctx;
	memcpy(sink_mem + (la & 31), buf, size);
	return EM_MEM_OK;
}

static enum em_mem_result b_read(struct em_ctx *ctx, gva_t la, void *buf,
				 unsigned size)
{
	(void)ctx;
	memcpy(buf, sink_mem + (la & 31), size);
	return EM_MEM_OK;
}

static const struct em_ops b_ops = {
    .read_gpr = em_regs_read_gpr,
    .write_gpr = em_regs_write_gpr,
    .read_mem = b_read,
    .write_mem = b_write,
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	static const u8 bytes[] = {0x89, 0x03};
	double dec[RUNS], emu[RUNS], t;
	struct insn in;
	struct em_ctx ctx;
	volatile u64 sink = 0;
	const char *it = getenv("MICA_BENCH_ITERS");
	int iters = it ? atoi(it) : 2000000;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ops = &b_ops;
	ctx.opaque = &regs;
	gpr[3] = 0x1000;
	gpr[0] = 0x12345678;
	if (insn_decode(&in, bytes, sizeof(bytes), INSN_MODE_64) != INSN_OK) {
		printf("bench emulate: decode failed\n");
		return 1;
	}
	for (int r = 0; r < RUNS; r++) {
		struct insn tmp;

		t = now_ns();
		for (int i = 0; i < iters; i++) {
			sink += (u64)insn_decode(&tmp, bytes, sizeof(bytes),
						 INSN_MODE_64);
			__asm__ volatile("" : : "r"(&tmp) : "memory");
		}
		dec[r] = (now_ns() - t) / iters;
		t = now_ns();
		for (int i = 0; i < iters; i++) {
			ctx.rip = 0x1000;
			sink += insn_emulate(&ctx, &in);
			__asm__ volatile("" : : "r"(&ctx) : "memory");
		}
		emu[r] = (now_ns() - t) / iters;
	}
	qsort(dec, RUNS, sizeof(double), cmp_double);
	qsort(emu, RUNS, sizeof(double), cmp_double);
	printf("# mov [rbx], eax: decode %.2f ns, emulate %.2f ns (median of "
	       "%d runs x %d)\n",
	       dec[RUNS / 2], emu[RUNS / 2], RUNS, iters);
	printf("bench emulate_decode_ns %.2f\n", dec[RUNS / 2]);
	printf("bench emulate_mov_store_ns %.2f\n", emu[RUNS / 2]);
	printf("bench emulate_mov_store_ratio %.2f\n",
	       emu[RUNS / 2] / dec[RUNS / 2]);
	return sink == 0xdeadbeef;
}
