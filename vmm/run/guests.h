/* SPDX-License-Identifier: MIT */
/* Running the guest modules (vmm/run/guests.c). */
#ifndef MICA_VMM_RUN_GUESTS_H
#define MICA_VMM_RUN_GUESTS_H

#include "boot/parse/mb2.h"

/*
 * Run the modules named by guests= on the hypervisor command line (all of
 * them, in order, when absent). Returns 0 when every guest ended as
 * expected, -1 otherwise.
 */
int guests_run(const struct mb2_info *info, const char *hv_cmdline);

#endif /* MICA_VMM_RUN_GUESTS_H */
