/* SPDX-License-Identifier: MIT */
/*
 * Status codes: 0 or a positive value on success, a negative errno with Linux
 * numbering on failure. The same values cross the hypercall ABI unchanged.
 */
#ifndef MICA_MM_BASE_ERRNO_H
#define MICA_MM_BASE_ERRNO_H

#define EPERM	   1
#define ENOENT	   2
#define EIO	   5
#define E2BIG	   7
#define EAGAIN	   11
#define ENOMEM	   12
#define EFAULT	   14
#define EBUSY	   16
#define EEXIST	   17
#define ENODEV	   19
#define EINVAL	   22
#define ENOSPC	   28
#define ERANGE	   34
#define ENOSYS	   38
#define EOPNOTSUPP 95

#endif /* MICA_MM_BASE_ERRNO_H */
