/* SPDX-License-Identifier: MIT */
/*
 * The segment-limit cases of emu32 (guests/emu_seg.h), as an X-macro list:
 * X(form, register, type, G/B flags, raw limit, offset, ECX, outcome,
 * flags). A dword at offset ea is inside an expand-up segment iff
 * ea + 3 <= limit, inside an expand-down one iff ea > limit and
 * ea + 3 <= 0xFFFF (B = 0) or 0xFFFFFFFF (B = 1) (SDM Vol. 3A 5.3). At
 * access time also: no stores to read-only data or code, nothing through
 * a null selector (SDM Vol. 3A 3.4.2, 5.4); type and presence are checked
 * when the selector is loaded, so a descriptor rewritten later does not
 * count. Included once, by emu_seg.h.
 */
#ifndef MICA_GUESTS_EMU_SEG_CASES_H
#define MICA_GUESTS_EMU_SEG_CASES_H

/* Memory operands through DS, ES, FS, GS: expand-up limits. */
#define SEG_CASES_UP(X)                                                        \
	X(ld32, DS, RW, 0, 0x1fff, 0x1ff8, 0, OK, 0)                           \
	X(ld32, DS, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                           \
	X(ld32, DS, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                           \
	X(ld32, DS, RW, 0, 0x1fff, 0x2000, 0, GP, 0)                           \
	X(st32, DS, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                           \
	X(st32, DS, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                           \
	X(st32, DS, RW, 0, 0x1fff, 0x2000, 0, GP, 0)                           \
	X(ld8, DS, RW, 0, 0x1fff, 0x1fff, 0, OK, 0)                            \
	X(ld8, DS, RW, 0, 0x1fff, 0x2000, 0, GP, 0)                            \
	X(st16, DS, RW, 0, 0x1fff, 0x1ffe, 0, OK, 0)                           \
	X(st16, DS, RW, 0, 0x1fff, 0x1fff, 0, GP, 0)                           \
	X(add32, DS, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                          \
	X(add32, DS, RW, 0, 0x1fff, 0x1ffd, 0, GP, 0)                          \
	X(cmp32, DS, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                          \
	X(ld32, DS, RW, D_G, 0x2, 0x2ffc, 0, OK, 0)                            \
	X(ld32, DS, RW, D_G, 0x2, 0x2ffe, 0, GP, 0)                            \
	X(st32, DS, RW, D_G, 0x2, 0x3000, 0, GP, 0)                            \
	X(ld32es, ES, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                         \
	X(ld32es, ES, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                         \
	X(ld32fs, FS, RW, D_G, 0x2, 0x2ffc, 0, OK, 0)                          \
	X(ld32fs, FS, RW, D_G, 0x2, 0x2ffe, 0, GP, 0)                          \
	X(add32gs, GS, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                        \
	X(add32gs, GS, RW, 0, 0x1fff, 0x1fff, 0, GP, 0)

/* Expand-down: the lower bound (limit + 1) and the upper one (B flag). */
#define SEG_CASES_DOWN(X)                                                      \
	X(ld32, DS, RWD, D_B, 0x1fff, 0x2000, 0, OK, 0)                        \
	X(ld32, DS, RWD, D_B, 0x1fff, 0x1fff, 0, GP, 0)                        \
	X(ld32, DS, RWD, D_B, 0x1fff, 0x1ffc, 0, GP, 0)                        \
	X(st32, DS, RWD, D_B, 0x1fff, 0x2000, 0, OK, 0)                        \
	X(st32, DS, RWD, D_B, 0x1fff, 0x1ffe, 0, GP, 0)                        \
	X(ld32, DS, RWD, D_B, 0x1fff, 0xfffffffc, 0, OK, 0)                    \
	X(ld32, DS, RWD, D_B, 0x1fff, 0xfffffffe, 0, GP, 0)                    \
	X(ld32, DS, RWD, 0, 0x1fff, 0xfffc, 0, OK, 0)                          \
	X(ld32, DS, RWD, 0, 0x1fff, 0xfffe, 0, GP, 0)                          \
	X(ld32, DS, RWD, 0, 0x1fff, 0x10000, 0, GP, 0)                         \
	X(st32, DS, RWD, 0, 0x1fff, 0x2000, 0, OK, 0)                          \
	X(st32, DS, RWD, 0, 0x1fff, 0x1fff, 0, GP, 0)                          \
	X(ld32, DS, RWD, D_G | D_B, 0xc0010, 0xc0011000, 0, OK, 0)             \
	X(st32, DS, RWD, D_G | D_B, 0xc0010, 0xc0010ffe, 0, GP, 0)             \
	X(st32gs, GS, RWD, D_B, 0x1fff, 0x2000, 0, OK, 0)                      \
	X(st32gs, GS, RWD, D_B, 0x1fff, 0x1ffd, 0, GP, 0)                      \
	X(add32gs, GS, RWD, 0, 0x1fff, 0xfffd, 0, GP, 0)

/* Types checked at access: read-only data, code, null selectors, and a
 * descriptor rewritten after the load (the segment cache stays). */
#define SEG_CASES_TYPE(X)                                                      \
	X(ld32, DS, RO, 0, 0x1fff, 0x100, 0, OK, 0)                            \
	X(st32, DS, RO, 0, 0x1fff, 0x100, 0, GP, 0)                            \
	X(add32, DS, RO, 0, 0x1fff, 0x100, 0, GP, 0)                           \
	X(cmp32, DS, RO, 0, 0x1fff, 0x100, 0, OK, 0)                           \
	X(ld32fs, FS, ROD, D_B, 0x1fff, 0x2000, 0, OK, 0)                      \
	X(st32fs, FS, ROD, D_B, 0x1fff, 0x2000, 0, GP, 0)                      \
	X(ld32, DS, XR, 0, 0x1fff, 0x1ffc, 0, OK, 0)                           \
	X(ld32, DS, XR, 0, 0x1fff, 0x1ffe, 0, GP, 0)                           \
	X(st32, DS, XR, 0, 0x1fff, 0x100, 0, GP, 0)                            \
	X(ld32, DS, XRC, 0, 0x1fff, 0x1ffc, 0, OK, 0)                          \
	X(ld32, DS, XRC, 0, 0x1fff, 0x2000, 0, GP, 0)                          \
	X(rstosd, ES, RO, 0, 0x1fff, 0x100, 4, GP, 0)                          \
	X(rscasd, ES, RO, 0, 0x1fff, 0x1ff0, 4, OK, C_ACC)                     \
	X(ld32, DS, NULL, 0, 0, 0x100, 0, GP, 0)                               \
	X(st32, DS, NULL, 0, 0, 0x100, 0, GP, 0)                               \
	X(lodsd, DS, NULL, 0, 0, 0x100, 0, GP, 0)                              \
	X(rstosd, ES, NULL, 0, 0, 0x100, 4, GP, 0)                             \
	X(rstosd, ES, NULL, 0, 0, 0x100, 0, OK, 0)                             \
	X(rmovsb, ES, NULL, 0, 0, 0x100, 4, GP, 0)                             \
	X(rscasd, ES, NULL, 0, 0, 0x100, 4, GP, C_ACC)                         \
	X(ld32fs, FS, NULL, 0, 0, 0x100, 0, GP, 0)                             \
	X(rstosd, ES, RW, 0, 0x1fff, 0x1ff0, 8, GPP, C_STALE)                  \
	X(st32fs, FS, RW, 0, 0x1fff, 0x1ffc, 0, OK, C_STALE)

/* String forms: ES:EDI destinations, DS/FS/GS:ESI sources. The first is
 * the REP STOSD: ES base 0, limit 0xC0010FFF, 1,024 stores into
 * ioram, then #GP(0) with ECX = 1,024. */
#define SEG_CASES_STR(X)                                                       \
	X(rstosd, ES, RW, D_G, 0xc0010, 0xc0010000, 2048, GPP, C_BIG)          \
	X(rstosd, ES, RW, 0, 0x1fff, 0x1ff0, 4, OK, 0)                         \
	X(rstosd, ES, RW, 0, 0x1fff, 0x1ff2, 8, GPP, 0)                        \
	X(rstosd, ES, RWD, D_B, 0x1fff, 0x203c, 32, GPP, C_DF)                 \
	X(rstosd, ES, RWD, D_G | D_B, 0x1, 0x2008, 8, GPP, C_DF)               \
	X(rstosd, ES, RWD, 0, 0x0fff, 0xfff0, 8, GPP, 0)                       \
	X(rstosb, ES, RW, 0, 0x1fff, 0x1ff0, 32, GPP, 0)                       \
	X(stosd, ES, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                          \
	X(stosd, ES, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                          \
	X(rmovsb, ES, RW, 0, 0x1fff, 0x1ff8, 16, GPP, 0)                       \
	X(rmovsd, ES, RWD, D_B, 0x1fff, 0x2010, 8, GPP, C_DF)                  \
	X(rmovsd, DS, RW, D_G, 0x2, 0x2ff0, 8, GPP, 0)                         \
	X(rmovsdfs, FS, RWD, 0, 0x0fff, 0xfff0, 8, GPP, 0)                     \
	X(rmovsbgs, GS, RW, 0, 0x1fff, 0x1ffc, 8, GPP, 0)                      \
	X(lodsd, DS, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                          \
	X(lodsd, DS, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                          \
	X(lodsdfs, FS, RWD, D_B, 0x1fff, 0x2000, 0, OK, 0)                     \
	X(lodsdfs, FS, RWD, D_B, 0x1fff, 0x1fff, 0, GP, 0)                     \
	X(rlodsbgs, GS, RW, 0, 0x1fff, 0x1ff8, 16, GPP, 0)                     \
	X(rcmpsd, ES, RW, 0, 0x1fff, 0x1ff0, 8, GPP, C_EQ)                     \
	X(rcmpsb, DS, RWD, D_B, 0x1fff, 0x2008, 16, GPP, C_EQ | C_DF)          \
	X(cmpsdfs, FS, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                        \
	X(rscasd, ES, RW, 0, 0x1fff, 0x1ff0, 8, GPP, C_ACC)                    \
	X(rnscasb, ES, RWD, 0, 0x0fff, 0xfff8, 16, GPP, C_NACC)

/*
 * The stack: SS limits for [EBP] operands (ESP in a guard page on the
 * valid side) and for the stack slot of POP m32 (only page 1 in ioram: a
 * fault's frame goes below ESP, into RAM); PUSH m32 only inside the limit,
 * since a #SS on PUSH could not push its own frame. The emulator has no
 * PUSH/POP r32 (50-5F): with the stack in MMIO they stop the VM. Then
 * PUSH/POP m32 with the operand through DS.
 */
#define SEG_CASES_STK(X)                                                       \
	X(ldbp, SS, RW, D_B, 0x1fff, 0x1ffc, 0, OK, 0)                         \
	X(ldbp, SS, RW, D_B, 0x1fff, 0x1ffe, 0, SS, 0)                         \
	X(ldbp, SS, RW, D_B, 0x1fff, 0x2000, 0, SS, 0)                         \
	X(ldbp, SS, RW, D_G | D_B, 0x2, 0x2ffe, 0, SS, 0)                      \
	X(stbp, SS, RWD, D_B, 0x1fff, 0x2000, 0, OK, C_SPHI)                   \
	X(stbp, SS, RWD, D_B, 0x1fff, 0x1ffe, 0, SS, C_SPHI)                   \
	X(ldbp, SS, RWD, 0, 0x0fff, 0xfffc, 0, OK, 0)                          \
	X(ldbp, SS, RWD, 0, 0x0fff, 0xfffe, 0, SS, 0)                          \
	X(pops, SS, RW, D_B, 0x1fff, 0x1ff8, 0, OK, C_IO1)                     \
	X(pops, SS, RW, D_B, 0x1fff, 0x1ffc, 0, OK, C_IO1)                     \
	X(pops, SS, RW, D_B, 0x1fff, 0x1ffe, 0, SS, C_IO1)                     \
	X(pops, SS, RW, D_B, 0x1fff, 0x2000, 0, SS, C_IO1)                     \
	X(pops, SS, RWD, D_B, 0x1fff, 0xfffffffc, 0, OK, C_IO1)                \
	X(pops, SS, RWD, D_B, 0x1fff, 0xfffffffe, 0, SS, C_IO1)                \
	X(pops, SS, RWD, 0, 0x0fff, 0xfffc, 0, OK, C_IO1)                      \
	X(pops, SS, RWD, 0, 0x0fff, 0xfffe, 0, SS, C_IO1)                      \
	X(pushs, SS, RWD, D_B, 0x1fff, 0x2004, 0, OK, 0)                       \
	X(pushs, SS, RW, D_B, 0x1fff, 0x2000, 0, OK, 0)                        \
	X(pushm, DS, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                          \
	X(pushm, DS, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                          \
	X(popm, DS, RW, 0, 0x1fff, 0x1ffc, 0, OK, 0)                           \
	X(popm, DS, RW, 0, 0x1fff, 0x1ffe, 0, GP, 0)                           \
	X(popm, DS, RWD, 0, 0x1fff, 0x10000, 0, GP, 0)

#define SEG_CASES(X)                                                           \
	SEG_CASES_UP(X)                                                        \
	SEG_CASES_DOWN(X)                                                      \
	SEG_CASES_TYPE(X)                                                      \
	SEG_CASES_STR(X)                                                       \
	SEG_CASES_STK(X)

#endif /* MICA_GUESTS_EMU_SEG_CASES_H */
