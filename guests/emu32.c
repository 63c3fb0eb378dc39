/* SPDX-License-Identifier: MIT */
/*
 * emu32: the emu differential test (guests/emu.c) in 32-bit protected mode
 * (CS.D = 1, paging off except for the page-crossing forms), so mica
 * decodes and emulates with 32-bit default operand and address size, no
 * REX, 32-bit moffs and a 4-byte stack. The forms are those of emu that
 * exist outside 64-bit mode, plus their 32-bit counterparts and 16-bit
 * addressing (67 prefix) through an FS base (guests/emu_forms.h), then
 * the segment-limit cases (guests/emu_seg.h): data segments with limits,
 * null and read-only selectors in DS, ES, FS, GS and SS. Needs the module
 * options mode=32 and forced-emu.
 */
#include "guests/emu.c"
