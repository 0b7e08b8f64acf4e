/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "vigil/events.h"
#include "evsel.h"
#include "options.h"

/* A pod uid as kubelet writes it: hex digits and dashes (or underscores, systemd driver). */
static bool valid_pod_uid(const char *s)
{
	size_t n = strlen(s);

	if (n < 8 || n > 64)
		return false;
	return strspn(s, "0123456789abcdefABCDEF-_") == n;
}

static int add_items(const char *list, char **items, unsigned *n, bool pods, char *err,
		     size_t errsz)
{
	char buf[4096], *save = NULL, *it;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		snprintf(err, errsz, "list too long");
		return -EINVAL;
	}
	for (it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		if (*n >= VG_SCOPE_MAX_ITEMS) {
			snprintf(err, errsz, "more than %d items", VG_SCOPE_MAX_ITEMS);
			return -E2BIG;
		}
		if (pods ? !valid_pod_uid(it) : (it[0] != '/' || strstr(it, "/../"))) {
			snprintf(err, errsz, pods ? "'%s' is not a pod uid" :
						    "'%s' is not an absolute cgroup path", it);
			return -EINVAL;
		}
		if (!(items[(*n)++] = strdup(it)))
			return -ENOMEM;
	}
	return 0;
}

int options_scope(const char *arg, struct vg_scope *s, char *err, size_t errsz)
{
	if (!strcmp(arg, "all") || !strcmp(arg, "containers")) {
		if (s->npods || s->ncgroups) {
			snprintf(err, errsz, "'%s' cannot be combined with pod: or cgroup:", arg);
			return -EINVAL;
		}
		s->mode = arg[0] == 'a' ? VG_SCOPE_ALL : VG_SCOPE_CONTAINERS;
		return 0;
	}
	s->mode = VG_SCOPE_CGROUPS;
	if (!strncmp(arg, "pod:", 4))
		return add_items(arg + 4, s->pods, &s->npods, true, err, errsz);
	if (!strncmp(arg, "cgroup:", 7))
		return add_items(arg + 7, s->cgroups, &s->ncgroups, false, err, errsz);
	snprintf(err, errsz, "'%s': expected all, containers, pod:UID[,UID] or cgroup:PATH[,PATH]",
		 arg);
	return -EINVAL;
}

int options_path_filter(const char *arg, bool report, struct vg_config *cfg, char *err,
			size_t errsz)
{
	size_t n = strlen(arg);

	if (arg[0] != '/' || n >= VG_PATH_KEY_MAX) {
		snprintf(err, errsz, "'%s': expected an absolute path shorter than %d bytes", arg,
			 VG_PATH_KEY_MAX);
		return -EINVAL;
	}
	if (strchr(arg, '*') && strchr(arg, '*') != arg + n - 1) {
		snprintf(err, errsz, "'%s': '*' is only allowed at the end (a prefix)", arg);
		return -EINVAL;
	}
	if (cfg->npath_filters >= VG_PATH_FILTERS_MAX) {
		snprintf(err, errsz, "more than %d path filters", VG_PATH_FILTERS_MAX);
		return -E2BIG;
	}
	cfg->path_filters[cfg->npath_filters].report = report;
	if (!(cfg->path_filters[cfg->npath_filters].path = strdup(arg)))
		return -ENOMEM;
	cfg->npath_filters++;
	return 0;
}

int options_sample(const char *arg, struct vg_config *cfg, char *err, size_t errsz)
{
	char name[64], *end;
	const char *eq = strchr(arg, '=');
	unsigned long n;
	int t;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errsz, "'%s': expected TYPE=N, e.g. open=10", arg);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	t = evsel_type(name);
	if (!t) {
		snprintf(err, errsz, "'%s': unknown event type", name);
		return -EINVAL;
	}
	errno = 0;
	n = strtoul(eq + 1, &end, 10);
	if (errno || end == eq + 1 || *end || n < 1 || n > 1000000) {
		snprintf(err, errsz, "'%s': N must be a whole number from 1 to 1000000", eq + 1);
		return -EINVAL;
	}
	cfg->sample[t] = n;
	return 0;
}
