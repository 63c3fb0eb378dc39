/* SPDX-License-Identifier: MIT */
/*
 * Decoder speed against Zydis, measured in the same process over the same
 * corpus: the instruction start offsets of the .text of large system ELF
 * binaries (found by a linear sweep). Reports ns per instruction for
 * insn_decode, ZydisDecoderDecodeInstruction (no operands) and
 * ZydisDecoderDecodeFull, medians of BENCH_RUNS runs, and the ratios
 *   bench decode_ratio_full <mica / DecodeFull>
 *   bench decode_ratio_insn <mica / DecodeInstruction>
 */
#include <Zydis/Zydis.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test/unit/support/tap.h"
#include "test/unit/support/zydis_diff.h"
#include "vmm/insn/insn.h"

#define BENCH_RUNS 7

static const char *const files[] = {
    "/usr/bin/gdb",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/bin/qemu-system-x86_64",
};

struct corpus {
	const u8 **at; /* start of each instruction */
	u8 *avail;     /* bytes readable from there, <= 15 */
	size_t n, cap;
};

static void corpus_add(struct corpus *c, const u8 *p, size_t avail)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1 << 20;
		c->at = realloc(c->at, c->cap * sizeof(*c->at));
		c->avail = realloc(c->avail, c->cap);
		if (!c->at || !c->avail)
			abort();
	}
	c->at[c->n] = p;
	c->avail[c->n++] = (u8)(avail < 15 ? avail : 15);
}

/* Sweep a .text with Zydis and record each valid instruction start. */
static void corpus_file(struct corpus *c, const char *path)
{
	struct stat st;
	size_t off, len, i;
	enum insn_mode mode;
	ZydisDecodedInstruction zi;
	const u8 *img;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		printf("# %s: absent, skipped\n", path);
		return;
	}
	img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED ||
	    zd_elf_text(img, st.st_size, &off, &len, &mode) ||
	    mode != INSN_MODE_64)
		return;
	for (i = 0; i < len;) {
		size_t avail = len - i;

		if (ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(
			&zd_dec[0], NULL, img + off + i,
			avail < 15 ? avail : 15, &zi))) {
			corpus_add(c, img + off + i, avail);
			i += zi.length;
		} else {
			i++;
		}
	}
	printf("# %s: %zu bytes of .text\n", path, len);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile u64 sink;

static double run_mica(const struct corpus *c)
{
	struct insn in;
	u64 sum = 0;
	size_t i;
	double t = now_ns();

	for (i = 0; i < c->n; i++) {
		if (insn_decode(&in, c->at[i], c->avail[i], INSN_MODE_64) == 0)
			sum += in.len;
	}
	t = now_ns() - t;
	sink += sum;
	return t / c->n;
}

static double run_zydis(const struct corpus *c, int full)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecoderContext ctx;
	u64 sum = 0;
	size_t i;
	double t = now_ns();

	for (i = 0; i < c->n; i++) {
		ZyanStatus s =
		    full ? ZydisDecoderDecodeFull(&zd_dec[0], c->at[i],
						  c->avail[i], &zi, zo)
			 : ZydisDecoderDecodeInstruction(
			       &zd_dec[0], &ctx, c->at[i], c->avail[i], &zi);
		if (ZYAN_SUCCESS(s))
			sum += zi.length;
	}
	t = now_ns() - t;
	sink += sum;
	return t / c->n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(void)
{
	struct corpus c = {0};
	double m[BENCH_RUNS], zi[BENCH_RUNS], zf[BENCH_RUNS];
	double mm, mi, mf;
	unsigned i;
	int r;

	zd_init();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		corpus_file(&c, files[i]);
	if (!c.n) {
		tap_skip("no ELF corpus", "decoder benchmark");
		return tap_done();
	}
	run_mica(&c); /* warm caches and tables */
	run_zydis(&c, 0);
	for (r = 0; r < BENCH_RUNS; r++) {
		m[r] = run_mica(&c);
		zi[r] = run_zydis(&c, 0);
		zf[r] = run_zydis(&c, 1);
	}
	mm = median(m, BENCH_RUNS);
	mi = median(zi, BENCH_RUNS);
	mf = median(zf, BENCH_RUNS);
	printf("# corpus: %zu instructions, median of %d runs\n", c.n,
	       BENCH_RUNS);
	printf("bench decode_ns_mica %.2f\n", mm);
	printf("bench decode_ns_zydis_insn %.2f\n", mi);
	printf("bench decode_ns_zydis_full %.2f\n", mf);
	printf("bench decode_ratio_full %.3f\n", mm / mf);
	printf("bench decode_ratio_insn %.3f\n", mm / mi);
	tap_ok(mm <= 0.5 * mf, "mica decode <= 0.5x Zydis DecodeFull (%.3f)",
	       mm / mf);
	tap_ok(mm <= 1.0 * mi,
	       "mica decode <= 1.0x Zydis DecodeInstruction (%.3f)", mm / mi);
	return tap_done();
}
