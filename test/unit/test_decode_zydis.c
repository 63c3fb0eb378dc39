/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the instruction decoder against Zydis 4 as an
 * oracle: linear sweeps over the .text of real ELF binaries (64-bit) and
 * GRUB modules (32-bit), every encoding of the AMX opcodes, and seeded
 * random byte strings in all three modes.
 * Length and validity must agree everywhere; for every form the emulator
 * executes, the memory operand, operand size and immediate must agree too.
 * Known oracle errors are listed in zydis_wrong[] with the SDM reference.
 *
 * Environment: MICA_SEED, MICA_ITERS (random cases, default below).
 */
#include <Zydis/Zydis.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test/unit/support/tap.h"
#include "test/unit/support/zydis_diff.h"
#include "vmm/insn/insn.h"

#define DEFAULT_ITERS 10000000ULL

/*
 * Distribution binaries from packages every test machine has: libc6, and
 * what test/harness/deps.sh installs (qemu-system-x86, xorriso, clang-14).
 * An absent one means the set-up failed, which is a failure, not a skip.
 */
static const char *const elf64_files[] = {
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/bin/qemu-system-x86_64",
    "/usr/bin/xorriso",
    "/usr/bin/clang-14",
};

/* Map a file read-only; returns NULL (and sets *why) if absent. */
static const u8 *map_file(const char *path, size_t *size)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_size == 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*size = st.st_size;
	return p;
}

/* Sweep every ELF section named ".text" of one file in its own mode. */
static void sweep_file(const char *path, struct zd_stats *st, int *found)
{
	size_t size, off, len;
	const u8 *img = map_file(path, &size);
	enum insn_mode mode;

	*found = 0;
	if (!img)
		return;
	if (zd_elf_text(img, size, &off, &len, &mode) == 0) {
		*found = 1;
		zd_sweep(img + off, len, mode, st);
	}
	munmap((void *)img, size);
}

static void test_elf64(void)
{
	unsigned i, files = 0;

	for (i = 0; i < sizeof(elf64_files) / sizeof(elf64_files[0]); i++) {
		struct zd_stats st = {0};
		int found;

		sweep_file(elf64_files[i], &st, &found);
		if (!found) {
			tap_ok(0,
			       "zydis sweep %s: file absent or without "
			       ".text (make deps installs it)",
			       elf64_files[i]);
			continue;
		}
		files++;
		zd_report(&st, elf64_files[i]);
	}
	tap_ok(files == ARRAY_SIZE(elf64_files),
	       "all %zu 64-bit ELF .text corpora swept (%u)",
	       ARRAY_SIZE(elf64_files), files);
}

static void test_grub(void)
{
	const char *dir = "/usr/lib/grub/i386-pc";
	struct zd_stats st = {0};
	struct dirent *de;
	unsigned files = 0;
	DIR *d = opendir(dir);
	char path[512];

	if (!d) {
		tap_ok(0,
		       "zydis sweep GRUB modules: no %s (make deps "
		       "installs grub-pc-bin)",
		       dir);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		int found;

		if (n < 5 || strcmp(de->d_name + n - 4, ".mod"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		sweep_file(path, &st, &found);
		files += found;
	}
	closedir(d);
	snprintf(path, sizeof(path), "%u GRUB i386-pc modules (32-bit)", files);
	zd_report(&st, path);
}

static void test_random(void)
{
	struct zd_stats st[3] = {{0}};
	static const enum insn_mode modes[3] = {INSN_MODE_64, INSN_MODE_32,
						INSN_MODE_16};
	struct rng rng;
	u64 seed = rng_seed_env(&rng, rng_clock_seed());
	u64 iters = env_u64("MICA_ITERS", DEFAULT_ITERS), i;
	unsigned m;

	tap_diag("random: seed %llu (MICA_SEED), %llu cases (MICA_ITERS)",
		 (unsigned long long)seed, (unsigned long long)iters);
	for (i = 0; i < iters; i++) {
		u8 buf[INSN_MAX_LEN];

		zd_random_insn(&rng, buf);
		zd_compare(buf, sizeof(buf), modes[i % 3], &st[i % 3]);
	}
	for (m = 0; m < 3; m++) {
		char name[64];

		snprintf(name, sizeof(name), "random %u-bit (seed %llu)",
			 modes[m], (unsigned long long)seed);
		zd_report(&st[m], name);
	}
}

/*
 * Every encoding of the AMX opcodes of VEX map 2 (49, 4B, 5C, 5E): all
 * of C4's R/X/B, W, vvvv, L and pp, every ModRM, and SIB bytes for a
 * bare base, disp32 without base, a scaled index and no index. In 64-bit
 * mode, and in 32- and 16-bit mode, where AMX is #UD.
 */
static void test_amx_space(void)
{
	static const u8 ops[] = {0x49, 0x4b, 0x5c, 0x5e};
	static const u8 sibs[] = {0x24, 0x25, 0x8a, 0xe5};
	static const enum insn_mode modes[3] = {INSN_MODE_64, INSN_MODE_32,
						INSN_MODE_16};
	unsigned m, rxb, p2, op, modrm, s;

	for (m = 0; m < 3; m++) {
		struct zd_stats st = {0};
		char name[64];

		for (rxb = m ? 7 : 0; rxb < 8; rxb++)
			for (p2 = 0; p2 < 256; p2++)
				for (op = 0; op < sizeof(ops); op++)
					for (modrm = 0; modrm < 256; modrm++)
						for (s = 0; s < sizeof(sibs);
						     s++) {
							u8 b[INSN_MAX_LEN] = {
							    0xc4,
							    (u8)(rxb << 5 | 2),
							    (u8)p2,
							    ops[op],
							    (u8)modrm,
							    sibs[s],
							    0x11,
							    0x22,
							    0x33,
							    0x44,
							    0x90};

							zd_compare(b, sizeof(b),
								   modes[m],
								   &st);
							if ((modrm & 0xc7) !=
								0x04 &&
							    (modrm & 0xc7) !=
								0x44 &&
							    (modrm & 0xc7) !=
								0x84)
								break;
						}
		snprintf(name, sizeof(name),
			 "AMX opcodes, all encodings, %u-bit", modes[m]);
		tap_ok(m || st.valid > 0, "%s: %llu accepted by both", name,
		       st.valid);
		zd_report(&st, name);
	}
}

int main(void)
{
	zd_init();
	test_elf64();
	test_grub();
	test_amx_space();
	test_random();
	return tap_done();
}
