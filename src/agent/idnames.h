/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User and group names of ids, from the host's databases (getpwuid_r, getgrgid_r), cached:
 * user.name, group.name and the names of setuid/setgid arguments, for the live stream and the
 * replay alike. Direct mapped, IDNAMES_SLOTS entries per kind; a lookup that lands on another
 * id's slot replaces it, counted as an eviction. Names are copied out, so that a later
 * lookup can never change a name handed out earlier.
 */
#ifndef VIGIL_IDNAMES_H
#define VIGIL_IDNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDNAMES_SLOTS 256
#define IDNAME_MAX    64 /* bytes of a name, NUL included; longer names are not given */

struct idname_slot {
	uint32_t id;
	bool valid, found;
	char name[IDNAME_MAX];
};

struct idnames {
	struct idname_slot users[IDNAMES_SLOTS], groups[IDNAMES_SLOTS];
	uint64_t hits, misses, evictions;
};

/* The name of uid (group false) or gid (group true) into out (size >= IDNAME_MAX is always
 * enough): its length, or -ENOENT when the database has no such id (or the name is longer
 * than IDNAME_MAX - 1), -ENOSPC when out is too small. */
int idnames__get(struct idnames *c, uint32_t id, bool group, char *out, size_t size);

#endif /* VIGIL_IDNAMES_H */
