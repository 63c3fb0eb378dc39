/* SPDX-License-Identifier: MIT */
/*
 * emu32: the emulator's differential test (guests/emu.c) in 32-bit
 * protected mode: the same harness and form list built with -m32, so mica
 * decodes and emulates with 32-bit operand and address sizes, no REX and
 * 32-bit paging. Needs the module options mode=32 and forced-emu.
 */
#include "guests/emu.c"
