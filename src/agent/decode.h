/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of the variable data the kernel sends in a record's tail (struct vg_str): argv,
 * paths sent as components. Pure functions over untrusted bytes: every length is checked,
 * nothing is assumed to be NUL terminated.
 */
#ifndef VIGIL_DECODE_H
#define VIGIL_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "vigil/events.h"

/* argv as the kernel sends it: NUL separated args; the last may lack its NUL when cut. */
struct args_iter {
	const char *p, *end;
};

void args_iter_init(struct args_iter *it, const char *buf, size_t len);
/* Returns 1 and sets *arg and *arglen for the next argument (arglen excludes NUL), 0 at the end.
 * Empty arguments are returned as such; a final NUL does not start another argument. */
int args_iter_next(struct args_iter *it, const char **arg, size_t *arglen);

/*
 * A path as the kernel sends it: `count` NUL terminated components, leaf first
 * (e.g. "busybox\0bin\0" for /bin/busybox with VG_STR_ROOTED|VG_STR_COMPONENTS).
 * Writes the path into out (NUL terminated) and returns its length, or -ENOSPC when outsz is
 * too small (out then holds a truncated but terminated prefix), -EINVAL on NULL out, outsz 0,
 * or NULL buf with len > 0.
 *
 * The path starts with "/" only when it is known complete: VG_STR_ROOTED set, VG_STR_TRUNCATED
 * clear, and all `count` components present, each with its NUL. Otherwise the top of the path
 * is missing and it starts with "..." instead: ".../b/c" ("..." alone with no component).
 * Zero components and complete -> "/". An empty component (the kernel's read failed) -> "?".
 * Components beyond `count` are ignored; fewer than `count`, or a last one cut without its NUL,
 * are used as they are. VG_STR_UNREACHABLE does not change the text (caller reports it).
 */
int decode_path(const char *buf, size_t len, unsigned count, unsigned flags, char *out,
		size_t outsz);

/* Bounds check of a struct vg_str against a record of rec_size bytes: 0 if [off, off+len)
 * lies inside the record after hdr_size bytes (the fixed part), -EINVAL otherwise. off==0 with
 * len==0 means absent and is valid. */
int decode_str_check(uint16_t off, uint16_t len, size_t hdr_size, size_t rec_size);

#endif /* VIGIL_DECODE_H */
