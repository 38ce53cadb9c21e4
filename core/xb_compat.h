/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xballoon core: the few types the freestanding core needs, from the kernel
 * when built into xballoon.ko, from <stdint.h> in userspace tests.
 */
#ifndef XB_COMPAT_H
#define XB_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* the kernel's definitions, so that formats and ranges are the same */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;
#endif

#define XB_U64_MAX ((u64)~(u64)0)

#endif /* XB_COMPAT_H */
