/* SPDX-License-Identifier: Apache-2.0 */
/* Lexical path handling for paths the kernel sent as strings: join a relative path onto its
 * base directory and normalise ".", ".." and repeated slashes. No file system access: the
 * result names what the syscall was asked for, not where symlinks lead. */
#ifndef VIGIL_PATHUTIL_H
#define VIGIL_PATHUTIL_H

#include <stddef.h>

/* Write the normalised absolute path of `path` into out. A relative `path` is taken relative
 * to `base` (an absolute directory; "" or NULL when unknown, and the result then keeps the
 * path relative, normalised). ".." never climbs above "/". Returns the length, or -ENOSPC
 * when out is too small (out then holds a terminated prefix), -EINVAL on bad arguments. */
int path_resolve(const char *base, const char *path, char *out, size_t outsz);

/* Does `path` match a filter entry? An entry ending in '/' or '*' is a prefix (the '*' is not
 * part of it); any other entry matches the path exactly. */
int path_filter_match(const char *entry, const char *path);

#endif /* VIGIL_PATHUTIL_H */
