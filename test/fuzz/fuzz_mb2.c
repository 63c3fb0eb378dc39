/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the multiboot2 parser. The input is the boot
 * information itself, copied to a heap block of exactly its length (so any
 * read past the mapped length is an ASan report); the storage capacities
 * come from the input's last byte. A successful parse must describe only
 * memory inside the block; a failure must name its defect.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/parse/mb2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb2_mmap_entry mmap[32];
	struct mb2_module mods[8];
	struct mb2_info in = {0};
	u8 caps = size ? data[size - 1] : 0;
	u8 *copy = malloc(size ? size : 1);
	int ret;

	memcpy(copy, data, size);
	in.mmap = mmap;
	in.mmap_cap = caps % 33;
	in.mods = mods;
	in.mods_cap = (caps >> 5) % 9;
	ret = mb2_parse(copy, MB2_BOOTLOADER_MAGIC, size, &in);
	if (ret == 0) {
		if (in.error != MB2_OK || in.total_size > size ||
		    in.mmap_count > in.mmap_cap || in.mods_count > in.mods_cap)
			abort();
		for (u32 i = 0; i < in.mods_count; i++)
			if (mods[i].end < mods[i].start ||
			    (const u8 *)mods[i].cmdline < copy ||
			    (const u8 *)mods[i].cmdline >= copy + size)
				abort();
		if (in.cmdline && strlen(in.cmdline) >= size)
			abort();
	} else if (in.error == MB2_OK || strncmp(in.msg, "mb2: ", 5)) {
		abort();
	}
	free(copy);
	return 0;
}
