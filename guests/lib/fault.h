/* SPDX-License-Identifier: MIT */
/* Internal to the guest library: shared expected-fault state (fault.c). */
#ifndef MICA_GUESTS_LIB_FAULT_H
#define MICA_GUESTS_LIB_FAULT_H

#include "guests/lib/guest.h"

/* Record an exception; returns the bytes to skip when it was expected
 * (g_expect_fault), 0 when it was not. */
unsigned g_fault_take(unsigned vector, u64 error);

#endif /* MICA_GUESTS_LIB_FAULT_H */
