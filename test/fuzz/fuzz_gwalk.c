/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: guest walker vs the reference model. The input chooses
 * the paging mode, control bits, CPL, PKRU, MAXPHYADDR, the entries on the
 * path of a fixed linear address (or any linear address) and the access;
 * any difference in outcome, error code, GPA, rights or A/D writes aborts.
 */
#include "test/unit/support/gwalk_check.h"

struct fuzz_in {
	u8 mode;
	u8 flags;
	u8 flags2;
	u8 maxphy;
	u32 pkru;
	u64 la;
	u64 entry[5]; /* level 1..5 */
};

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct env e;
	struct mx_stats st = {0};
	struct fuzz_in in = {0};
	struct tcfg t = {0};
	struct layout L;
	unsigned k;
	int l;

	if (!e.ram)
		env_init(&e);
	mem_copy(&in, data, MIN(size, sizeof(in)));
	t.mode = GWALK_MODE_32 + in.mode % 4;
	layout_init(&L, t.mode);
	t.nxe = in.flags & 1;
	t.wp = in.flags & 2;
	t.smep = in.flags & 4;
	t.smap = in.flags & 8;
	t.ac = in.flags & 16;
	t.pke = in.flags & 32;
	t.pse = in.flags & 64;
	t.gb = in.flags & 128;
	t.maxphy = 32 + in.maxphy % 21;
	t.pkru = in.pkru;
	t.cr3 = layout_cr3(&L);
	k = in.flags2 % ARRAY_SIZE(kinds);
	t.cpl = kinds[k].cpl;
	for (l = 1; l <= (t.mode == GWALK_MODE_PAE ? 3 : L.top); l++) {
		u64 v = in.entry[l - 1];

		/* flags2 bit 7: keep the tables linked as laid out */
		if ((in.flags2 & 0x80) && l > 1 && !(v & GWALK_PTE_PS))
			v = (v & ~GENMASK(51, 12)) | L.tbl[l - 1];
		if (L.esize == 4)
			v &= 0xffffffffu;
		layout_set(&e, &L, &t, l, v);
	}
	check_one(&e, &t, (in.flags2 & 0x40) ? in.la : L.la | (in.la & 0xfff),
		  kinds[k].acc, &st);
	for (l = 1; l <= L.top; l++)
		env_put(&e, L.egpa[l], 0, L.esize);
	if (st.mismatches)
		abort();
	return 0;
}
