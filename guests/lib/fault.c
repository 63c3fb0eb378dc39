/* SPDX-License-Identifier: MIT */
/*
 * The expected-fault bookkeeping shared by the 32-bit and 64-bit exception
 * handlers (idt32.c, idt64.c): g_expect_fault() arms a one-shot catch,
 * g_fault_take() is what a handler calls for each exception.
 */
#include "guests/lib/guest.h"
#include "guests/lib/fault.h"

static unsigned skip_len;
static int last_vector = -1;
static u64 last_error, fault_total;

unsigned g_fault_take(unsigned vector, u64 error)
{
	unsigned skip = skip_len;

	fault_total++;
	if (skip) {
		last_vector = (int)vector;
		last_error = error;
		skip_len = 0;
	}
	return skip;
}

void g_expect_fault(unsigned insn_len)
{
	last_vector = -1;
	last_error = 0;
	skip_len = insn_len;
}

int g_fault_vector(void)
{
	skip_len = 0;
	return last_vector;
}

u64 g_fault_error(void)
{
	return last_error;
}

u64 g_fault_count(void)
{
	return fault_total;
}
