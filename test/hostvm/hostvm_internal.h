/* SPDX-License-Identifier: MIT */
/* Between the pieces of the host machine (test/hostvm/). */
#ifndef MICA_TEST_HOSTVM_HOSTVM_INTERNAL_H
#define MICA_TEST_HOSTVM_HOSTVM_INTERNAL_H

#include "test/hostvm/hostvm.h"

void hostvm_vmcs_reset(const struct hostvm_profile *p);
void hostvm_cpu_reset(const struct hostvm_profile *p);
void hostvm_console_reset(void);

/* Whether hpa's frame is in an allocation of mm_alloc_pages(). */
bool hostvm_mem_is_allocated(hpa_t hpa);

/* IA32_VMX_BASIC[30:0] and single-context INVEPT of the fake CPU. */
u32 hostvm_vmx_revision(void);
bool hostvm_invept_single(void);

#endif /* MICA_TEST_HOSTVM_HOSTVM_INTERNAL_H */
