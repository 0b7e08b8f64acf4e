// SPDX-License-Identifier: Apache-2.0
/* User and group names of ids, cached (idnames.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "idnames.h"

/* The database's name for id, into slot s. */
static void fill(struct idname_slot *s, uint32_t id, bool group)
{
	char buf[4096];
	struct passwd pw, *pr = NULL;
	struct group gr, *gp = NULL;
	const char *n = NULL;

	if (group && !getgrgid_r(id, &gr, buf, sizeof(buf), &gp) && gp)
		n = gp->gr_name;
	else if (!group && !getpwuid_r(id, &pw, buf, sizeof(buf), &pr) && pr)
		n = pr->pw_name;
	s->id = id;
	s->valid = true;
	s->found = n && strlen(n) < IDNAME_MAX;
	strcpy(s->name, s->found ? n : "");
}

int idnames__get(struct idnames *c, uint32_t id, bool group, char *out, size_t size)
{
	struct idname_slot *s = &(group ? c->groups : c->users)[(id * 2654435761u) % IDNAMES_SLOTS];
	size_t n;

	if (s->valid && s->id == id) {
		c->hits++;
	} else {
		c->misses++;
		c->evictions += s->valid;
		fill(s, id, group);
	}
	if (!s->found)
		return -ENOENT;
	n = strlen(s->name);
	if (n >= size)
		return -ENOSPC;
	memcpy(out, s->name, n + 1);
	return (int)n;
}
