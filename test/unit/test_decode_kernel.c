/* SPDX-License-Identifier: MIT */
/*
 * Decoder vs Zydis over a distribution kernel: every executable section of
 * the vmlinux that `make deps` fetched (test/harness/kernel_fetch.sh) is
 * swept linearly, each instruction decoded by both, and the verdict and
 * length must agree (operands too for the forms the emulator executes).
 * Where the bytes are data or padding the sweep follows Zydis's length, so
 * both decoders always start at the same byte.
 *
 * The kernel lives in <build>/kernel/ (beside the h/ folder of this
 * program) or in $MICA_KERNEL_DIR. When the fetch failed, the reason it
 * recorded there turns the test into a skip; no record at all is a failure.
 */
#include <Zydis/Zydis.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test/unit/support/tap.h"
#include "test/unit/support/zydis_diff.h"
#include "vmm/insn/insn.h"

/* Files kernel_fetch.sh leaves in the kernel folder. */
#define KERNEL_IMAGE  "vmlinux"
#define KERNEL_SOURCE "vmlinux.source" /* package and version, one line */
#define KERNEL_SKIP   "unavailable"    /* why there is no image */

/* The kernel folder: $MICA_KERNEL_DIR, else <dir of argv0>/../kernel. */
static void kernel_dir(const char *argv0, char *out, size_t n)
{
	const char *env = getenv("MICA_KERNEL_DIR");
	const char *slash = strrchr(argv0, '/');

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return;
	}
	if (!slash) {
		snprintf(out, n, "../kernel");
		return;
	}
	snprintf(out, n, "%.*s/../kernel", (int)(slash - argv0), argv0);
}

/* The first line of dir/name into out (empty if absent); 0 if present. */
static int read_line(const char *dir, const char *name, char *out, size_t n)
{
	char path[600];
	FILE *f;

	out[0] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(out, (int)n, f))
		out[0] = 0;
	fclose(f);
	out[strcspn(out, "\n")] = 0;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sweep every executable PROGBITS section; returns the sections swept. */
static unsigned sweep_exec(const u8 *img, size_t size, struct zd_stats *st)
{
	struct zd_elf e;
	struct zd_sect s;
	unsigned swept = 0;
	u64 i;

	if (zd_elf_open(&e, img, size) || !e.is64)
		return 0;
	for (i = 0; i < e.shnum; i++) {
		unsigned long long before = st->total;

		if (zd_elf_sect(&e, i, &s) || s.type != ZD_SHT_PROGBITS ||
		    !(s.flags & ZD_SHF_EXECINSTR) || !s.len)
			continue;
		zd_sweep(img + s.off, s.len, INSN_MODE_64, st);
		tap_diag("  %-24s %10llu bytes %9llu insns", s.name,
			 (unsigned long long)s.len, st->total - before);
		swept++;
	}
	return swept;
}

static void test_kernel(const char *dir)
{
	char path[600], src[256], why[512];
	struct zd_stats st = {0};
	struct stat sb;
	unsigned sections;
	double t0;
	void *img;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, KERNEL_IMAGE);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		if (read_line(dir, KERNEL_SKIP, why, sizeof(why)) == 0)
			tap_skip(why, "kernel sweep: no distribution kernel");
		else
			tap_ok(0,
			       "kernel sweep: no %s and no recorded reason "
			       "(make deps fetches it)",
			       path);
		return;
	}
	if (fstat(fd, &sb) || sb.st_size == 0 ||
	    (img = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
			0)) == MAP_FAILED) {
		close(fd);
		tap_ok(0, "kernel sweep: cannot map %s", path);
		return;
	}
	close(fd);
	read_line(dir, KERNEL_SOURCE, src, sizeof(src));
	tap_diag("kernel: %s (%s, %lld bytes)", path, src[0] ? src : "?",
		 (long long)sb.st_size);
	t0 = now_s();
	sections = sweep_exec(img, (size_t)sb.st_size, &st);
	tap_ok(sections > 0, "kernel sweep: %u executable sections of %s",
	       sections, src[0] ? src : path);
	zd_report(&st, "kernel");
	tap_diag("kernel sweep: %llu insns in %.2f s", st.total, now_s() - t0);
	munmap(img, (size_t)sb.st_size);
}

int main(int argc, char **argv)
{
	char dir[512];

	(void)argc;
	kernel_dir(argv[0], dir, sizeof(dir));
	zd_init();
	test_kernel(dir);
	return tap_done();
}
